//! The API change report on pairs of specs: each pair is our spec and the
//! same spec with one change, and the expected verdict of the row it must
//! produce (and of the report as a whole).

use std::process::Command;

use c2m_auth_codegen::diff::{Report, Verdict, compare};
use c2m_auth_codegen::load_document;

mod frozen_spec;

use frozen_spec::{SPEC, edited};

fn report(new: &str) -> Report {
    let old = load_document(SPEC, "old.yaml").expect("old spec loads");
    let new = load_document(new, "new.yaml").unwrap_or_else(|e| panic!("{e}"));
    compare(&old, &new)
}

use Verdict::{Breaking, Compatible};

/// A compatible change: an optional field added to a request type.
const AUDIENCE: (&str, &str) = (
    "        long_token:\n",
    "        audience:\n          type: string\n        long_token:\n",
);

/// (case, edits, expected verdict of the row, text in that row's place,
/// text in that row's description)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Verdict,
    &'static str,
    &'static str,
);

const CASES: &[Case] = &[
    (
        "optional field added to a request type",
        &[(
            "        long_token:\n",
            "        audience:\n          type: string\n        long_token:\n",
        )],
        Compatible,
        "`ShortTokenRequest.audience`",
        "optional field added: structs are non-exhaustive and `new` is unchanged",
    ),
    (
        "required field added to a request type",
        &[
            (
                "      required: [grant_type, client_id]\n",
                "      required: [grant_type, client_id, audience]\n",
            ),
            (
                "      properties:\n        grant_type:\n",
                "      properties:\n        audience:\n          type: string\n        grant_type:\n",
            ),
        ],
        Breaking,
        "`LongTokenRequest.audience`",
        "required field added: `new` takes one more argument",
    ),
    (
        "optional field added to a response type",
        &[(
            "        token_id:\n          type: string\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
            "        token_id:\n          type: string\n          description: Server-issued identifier of this token, for revocation.\n        issued_at:\n          type: string\n    ShortTokenRequest:",
        )],
        Compatible,
        "`LongTokenResponse.issued_at`",
        "optional field added: structs are non-exhaustive and `new` is unchanged",
    ),
    (
        "required field added to a response type",
        &[
            (
                "      description: A short-term access token.\n      required: [token_type, access_token, expires_in, expires_at]",
                "      description: A short-term access token.\n      required: [token_type, access_token, expires_in, expires_at, issued_at]",
            ),
            (
                "          description: Lifetime in seconds (e.g. 900).\n",
                "          description: Lifetime in seconds (e.g. 900).\n        issued_at:\n          type: string\n",
            ),
        ],
        Breaking,
        "`ShortTokenResponse.issued_at`",
        "required field added: `new` takes one more argument",
    ),
    (
        "field removed from a response type",
        &[(
            "        token_id:\n          type: string\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
            "    ShortTokenRequest:",
        )],
        Breaking,
        "`LongTokenResponse.token_id`",
        "field removed",
    ),
    (
        "optional response field becomes required",
        &[(
            "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at]",
            "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at, token_id]",
        )],
        Breaking,
        "`LongTokenResponse.token_id`",
        "becomes required",
    ),
    (
        "enum value added to a request enum",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials, assertion, refresh_token]",
        )],
        Compatible,
        "`LongTokenRequest.grant_type`",
        "enum value \"refresh_token\" added: enums are non-exhaustive, so `match`es have a wildcard arm",
    ),
    (
        "enum value named `unknown` added",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials, assertion, unknown]",
        )],
        Breaking,
        "`LongTokenRequest.grant_type`",
        "it takes the variant name `Unknown`",
    ),
    (
        "enum value added to a response enum",
        &[(
            "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at]\n      properties:\n        token_type:\n          type: string\n          enum: [Bearer]",
            "      description: A long-term token.\n      required: [token_type, access_token, expires_in, expires_at]\n      properties:\n        token_type:\n          type: string\n          enum: [Bearer, DPoP]",
        )],
        Compatible,
        "`LongTokenResponse.token_type`",
        "enum value \"DPoP\" added: enums are non-exhaustive, so `match`es have a wildcard arm; an older client decodes it as `Unknown`",
    ),
    (
        "enum value removed",
        &[(
            "enum: [client_credentials, assertion]",
            "enum: [client_credentials]",
        )],
        Breaking,
        "`LongTokenRequest.grant_type`",
        "enum value \"assertion\" removed",
    ),
    (
        "request bound tightened",
        &[("          maximum: 7776000", "          maximum: 2592000")],
        Breaking,
        "`LongTokenRequest.ttl_seconds`",
        "`maximum` changes from 7776000 to 2592000: requests that passed may now be refused",
    ),
    (
        "request bound loosened",
        &[("          minimum: 3600", "          minimum: 60")],
        Compatible,
        "`LongTokenRequest.ttl_seconds`",
        "`minimum` changes from 3600 to 60: more requests pass",
    ),
    (
        "length bound added to a request field",
        &[(
            "          description: Client identifier issued by Click2Mail.\n",
            "          description: Client identifier issued by Click2Mail.\n          minLength: 4\n",
        )],
        Breaking,
        "`LongTokenRequest.client_id`",
        "`minLength` changes from none to 4",
    ),
    (
        "pattern added to a response field",
        &[(
            "          description: A human-readable explanation.\n",
            "          description: A human-readable explanation.\n          maxLength: 500\n",
        )],
        Compatible,
        "`AuthError.message`",
        "responses are checked against the tighter bound",
    ),
    (
        "length bound added to a response field: a newtype replaces `String`",
        &[(
            "          description: A human-readable explanation.\n",
            "          description: A human-readable explanation.\n          maxLength: 500\n",
        )],
        Breaking,
        "`AuthError.message`",
        "the field's type changes between `String` and a newtype",
    ),
    (
        "minimum of 0 added to an integer: `u64` replaces `i64`",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: integer\n          minimum: 0\n          description: Lifetime in seconds.\n",
        )],
        Breaking,
        "`LongTokenResponse.expires_in`",
        "the field's type changes from `i64` to `u64`",
    ),
    (
        "optional response field becomes nullable",
        &[(
            "          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
            "          nullable: true\n          description: Server-issued identifier of this token, for revocation.\n    ShortTokenRequest:",
        )],
        Compatible,
        "`LongTokenResponse.token_id`",
        "becomes nullable on an optional field: its type stays `Option<T>`",
    ),
    (
        "field type changed",
        &[(
            "          type: integer\n          description: Lifetime in seconds.\n",
            "          type: string\n          description: Lifetime in seconds.\n",
        )],
        Breaking,
        "`LongTokenResponse.expires_in`",
        "type changes from `integer` to `string`",
    ),
    (
        "a field newly marked secret",
        &[(
            "          description: Client identifier issued by Click2Mail.\n",
            "          format: password\n          description: Client identifier issued by Click2Mail.\n",
        )],
        Breaking,
        "`LongTokenRequest.client_id`",
        "type changes from `string` to `string (password)`",
    ),
    (
        "operation added",
        &[(
            "components:\n  securitySchemes:",
            "  /auth/tokens:\n    get:\n      operationId: listTokens\n      responses:\n        '204':\n          description: none\ncomponents:\n  securitySchemes:",
        )],
        Compatible,
        "operation `listTokens`",
        "added: GET /auth/tokens",
    ),
    (
        "operation removed",
        &[(
            "  /auth/tokens/{tokenId}/revoke:\n    post:",
            "  /auth/tokens/{tokenId}/revoke:\n    x-removed:",
        )],
        Breaking,
        "operation `revokeToken`",
        "removed (POST /auth/tokens/{tokenId}/revoke): the method is gone",
    ),
    (
        "operationId renamed",
        &[("operationId: revokeToken", "operationId: revokeAnyToken")],
        Breaking,
        "operation `revokeAnyToken`",
        "renamed from `revokeToken`",
    ),
    (
        "path changed",
        &[("  /auth/tokens/short:", "  /auth/tokens/exchange:")],
        Compatible,
        "operation `issueShortTermToken`",
        "moves from POST /auth/tokens/short to POST /auth/tokens/exchange",
    ),
    (
        "path of a token operation changed: it leaves its `tokenUrl`",
        &[("  /auth/tokens/short:", "  /auth/tokens/exchange:")],
        Breaking,
        "security scheme `ShortTokenAuth`",
        "`issueShortTermToken` is no longer at its `tokenUrl`: `security::ShortTokenAuth::from(&response)` stops compiling",
    ),
    (
        "optional query parameter added",
        &[(
            "      parameters:\n        - name: tokenId\n",
            "      parameters:\n        - name: reason\n          in: query\n          schema:\n            type: string\n        - name: tokenId\n",
        )],
        Breaking,
        "query parameter `reason`",
        "added (optional): the method takes one more argument",
    ),
    (
        "optional request body becomes required",
        &[(
            "      requestBody:\n        required: false",
            "      requestBody:\n        required: true",
        )],
        Breaking,
        "operation `issueShortTermToken` request body",
        "becomes required",
    ),
    (
        "security alternative added",
        &[(
            "      security:\n        - LongTokenAuth: []\n",
            "      security:\n        - LongTokenAuth: []\n        - ClientKey: []\n",
        )],
        Compatible,
        "operation `issueShortTermToken` security",
        "accepts `ClientKey` too",
    ),
    (
        "security alternative removed",
        &[("        - ClientKey: []\n", "")],
        Breaking,
        "operation `issueLongTermToken` security",
        "no longer accepts `ClientKey`: passing it does not compile",
    ),
    (
        "required scopes changed",
        &[(
            "        - ShortTokenAuth: ['tokens:write']",
            "        - ShortTokenAuth: ['tokens:admin']",
        )],
        Compatible,
        "operation `issueLongTermToken` security",
        "scopes change from `ShortTokenAuth` [tokens:write] to `ShortTokenAuth` [tokens:admin]",
    ),
    (
        "response header removed",
        &[("            X-Token-Id:\n", "            X-Token-Ref:\n")],
        Breaking,
        "header `x-token-id`",
        "removed: its field of `headers()` is gone",
    ),
    (
        "response header added beside another",
        &[(
            "            X-Token-Id:\n",
            "            X-Request-Id:\n              schema:\n                type: string\n            X-Token-Id:\n",
        )],
        Compatible,
        "operation `issueLongTermToken` response `201` header `x-request-id`",
        "added, optional: headers structs are non-exhaustive and `new` is unchanged",
    ),
    (
        "required response header added beside another",
        &[(
            "            X-Token-Id:\n",
            "            X-Request-Id:\n              required: true\n              schema:\n                type: string\n            X-Token-Id:\n",
        )],
        Breaking,
        "operation `issueLongTermToken` response `201` header `x-request-id`",
        "added, required: the headers struct's `new` takes one more argument",
    ),
    (
        "first response header of an operation added",
        &[(
            "          description: Short-term token issued\n",
            "          description: Short-term token issued\n          headers:\n            X-Token-Id:\n              schema:\n                type: string\n",
        )],
        Compatible,
        "operation `issueShortTermToken` response `201` header `x-token-id`",
        "added, optional: headers structs are non-exhaustive",
    ),
    (
        "response header becomes required",
        &[(
            "            X-Token-Id:\n",
            "            X-Token-Id:\n              required: true\n",
        )],
        Breaking,
        "header `x-token-id`",
        "becomes required",
    ),
    (
        "error status added",
        &[(
            "        '404':\n          $ref: '#/components/responses/Error404'\n",
            "        '404':\n          $ref: '#/components/responses/Error404'\n        '409':\n          $ref: '#/components/responses/Error400'\n",
        )],
        Compatible,
        "operation `revokeToken` response `409`",
        "added: it comes back as `Error::Api`",
    ),
    (
        "server added",
        &[
            (
                "servers:\n",
                "servers:\n  - url: https://api.click2mail.com/v2\n    description: Production\n  - url: https://sandbox.click2mail.com/v2\n    description: Sandbox\n",
            ),
            (
                "  - url: https://api.click2mail.com/v2\n    description: Production\n  - url: https://api.example.com",
                "  - url: https://api.example.com",
            ),
        ],
        Compatible,
        "servers",
        "`Server::Sandbox` (`https://sandbox.click2mail.com/v2`) added",
    ),
    (
        "server variable gains a value: one more server choice",
        &[(
            "  - url: https://api.example.com/v1\n",
            "  - url: https://{host}/v1\n    variables:\n      host:\n        default: api.example.com\n        enum: [api.example.com, eu.example.com]\n",
        )],
        Compatible,
        "servers",
        "`Server::ExampleEuExampleCom` (`https://eu.example.com/v1`) added",
    ),
    (
        "servers reordered: a new default",
        &[
            (
                "  - url: https://api.click2mail.com/v2\n    description: Production\n",
                "",
            ),
            (
                "    description: Example host used by the published clients' documentation\n",
                "    description: Example host used by the published clients' documentation\n  - url: https://api.click2mail.com/v2\n    description: Production\n",
            ),
        ],
        Breaking,
        "servers",
        "the default server changes from `Server::Production` (`https://api.click2mail.com/v2`) to `Server::Example` (`https://api.example.com/v1`): `Client::new()` now sends requests there",
    ),
    (
        "server description reworded: its variant is renamed",
        &[(
            "    description: Example host used by",
            "    description: Documentation host used by",
        )],
        Breaking,
        "servers",
        "`Server::Example` (`https://api.example.com/v1`) removed: code naming it no longer compiles",
    ),
    (
        "default server's URL changed",
        &[(
            "  - url: https://api.click2mail.com/v2\n",
            "  - url: https://api-eu.click2mail.com/v2\n",
        )],
        Breaking,
        "servers",
        "`Server::Production` moves from `https://api.click2mail.com/v2` to `https://api-eu.click2mail.com/v2`: requests for it go elsewhere",
    ),
    (
        "security scheme changes kind",
        &[(
            "      type: apiKey\n      in: header\n      name: X-Client-Id\n",
            "      type: http\n      scheme: basic\n",
        )],
        Breaking,
        "security scheme `ClientKey`",
        "changes from apiKey in header `X-Client-Id` to http basic",
    ),
];

#[test]
fn each_change_gets_its_verdict() {
    assert!(CASES.len() >= 20);
    let mut failures = Vec::new();
    for (name, edits, verdict, place, description) in CASES {
        let report = report(&edited(edits));
        let found = report
            .changes
            .iter()
            .find(|c| c.place.contains(place) && c.description.contains(description));
        match found {
            Some(change) if change.verdict == *verdict => {}
            Some(change) => failures.push(format!(
                "{name}: verdict {:?}, expected {verdict:?}",
                change.verdict
            )),
            None => failures.push(format!(
                "{name}: no row with `{place}` / `{description}` in\n{}",
                report.to_markdown("old", "new")
            )),
        }
        // The report as a whole is breaking exactly when a row is.
        assert_eq!(
            report.is_breaking(),
            report.changes.iter().any(|c| c.verdict == Breaking),
            "{name}"
        );
        if *verdict == Breaking {
            assert!(report.is_breaking(), "{name}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn compatible_only_changes_make_a_compatible_report() {
    let report = report(&edited(&[AUDIENCE]));
    assert!(!report.is_breaking());
    assert_eq!(report.changes.len(), 1, "{report:?}");
}

#[test]
fn no_change_and_documentation_only_changes_report_nothing() {
    assert!(report(SPEC).changes.is_empty());
    let reworded = edited(&[("summary: Revoke a token", "summary: Revoke one token")]);
    let report = report(&reworded);
    assert!(report.changes.is_empty(), "{report:?}");
    assert_eq!(
        report.to_markdown("a.yaml", "b.yaml"),
        "## API changes: `a.yaml` → `b.yaml`\n\nNo change to the generated API.\n"
    );
}

#[test]
fn the_markdown_is_a_table_with_counts() {
    let report = report(&edited(&[
        ("          maximum: 7776000", "          maximum: 2592000"),
        AUDIENCE,
    ]));
    let markdown = report.to_markdown("spec/auth.yaml@main", "spec/auth.yaml");
    assert!(markdown.starts_with("## API changes: `spec/auth.yaml@main` → `spec/auth.yaml`\n"));
    assert!(
        markdown.contains("**1 breaking**, 1 compatible"),
        "{markdown}"
    );
    assert!(markdown.contains("| verdict | where | change |\n| --- | --- | --- |\n"));
    // Breaking rows come first.
    let first_row = markdown
        .lines()
        .find(|l| l.starts_with("| **breaking**") || l.starts_with("| compatible"));
    assert!(
        first_row.is_some_and(|l| l.starts_with("| **breaking**")),
        "{markdown}"
    );
}

#[test]
fn the_command_exits_non_zero_on_breaking_changes() {
    let dir = std::env::temp_dir().join(format!("c2m-auth-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let old = dir.join("old.yaml");
    let breaking = dir.join("breaking.yaml");
    let compatible = dir.join("compatible.yaml");
    std::fs::write(&old, SPEC).expect("write");
    std::fs::write(&breaking, edited(&[("        - ClientKey: []\n", "")])).expect("write");
    std::fs::write(&compatible, edited(&[AUDIENCE])).expect("write");
    let run = |new: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
            .arg("diff")
            .arg(&old)
            .arg(new)
            .output()
            .expect("run")
    };
    let output = run(&breaking);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("| **breaking** | operation `issueLongTermToken` security |")
    );
    let output = run(&compatible);
    assert_eq!(output.status.code(), Some(0));
    let output = Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
        .args(["diff", "/nonexistent/old.yaml"])
        .arg(&old)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn base_revision_reads_the_old_spec_from_git() {
    // The spec as committed at HEAD against itself: no change. Skipped
    // (with a note) only when this is not a git checkout.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let in_git = Command::new("git")
        .args(["-C", root, "rev-parse", "HEAD:spec/auth.yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !in_git {
        eprintln!("not a git checkout with a committed spec; --base not exercised");
        return;
    }
    let committed = Command::new("git")
        .args(["-C", root, "show", "HEAD:spec/auth.yaml"])
        .output()
        .expect("git show");
    let dir = std::env::temp_dir().join(format!("c2m-auth-base-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
        .args(["diff", "--base", "HEAD", "spec/auth.yaml"])
        .current_dir(root)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("## API changes: `spec/auth.yaml@HEAD` → `spec/auth.yaml`"),
        "{stdout}"
    );
    if committed.stdout == std::fs::read(format!("{root}/spec/auth.yaml")).unwrap_or_default() {
        assert!(
            stdout.contains("No change to the generated API."),
            "{stdout}"
        );
        assert_eq!(output.status.code(), Some(0));
    }
    let output = Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
        .args(["diff", "--base", "no-such-revision", "spec/auth.yaml"])
        .current_dir(root)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("git cannot show spec/auth.yaml at `no-such-revision`")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
