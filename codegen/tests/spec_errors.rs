//! Each way a spec can be broken fails with a message that names the file,
//! the line and column (and the JSON pointer for semantic errors), and a
//! hint — both from the library and from the `c2m-auth-codegen` binary, as
//! build.rs would show it, and never with a panic. A document broken in
//! several ways fails with all of them at once, each once.
//!
//! Each case starts from the project's real `spec/auth.yaml` and breaks one
//! thing (or a few), so the cases stay realistic as the spec grows. The
//! cases are one table, [`CASES`]: the broken document, the line the first
//! error points at, a part of its message, any further checks, and the
//! errors after the first ([`Check::Also`]), which must be all there are.

use std::path::PathBuf;
use std::process::Command;

use c2m_auth_codegen::{Location, SpecError, SpecErrorKind, generate_from_str};

/// A frozen copy of `spec/auth.yaml`: these tests do not follow edits of the live spec.
const SPEC: &str = include_str!("fixtures/auth.yaml");
const NAME: &str = "spec/auth.yaml";

/// The spec with `from` (which must occur exactly once) replaced by `to`.
fn edited(from: &str, to: &str) -> String {
    assert_eq!(
        SPEC.matches(from).count(),
        1,
        "`{from}` must occur once in the spec"
    );
    SPEC.replacen(from, to, 1)
}

/// The one-based line of the unique `anchor` in `text`.
fn line_of(text: &str, anchor: &str) -> usize {
    assert_eq!(
        text.matches(anchor).count(),
        1,
        "`{anchor}` must occur once"
    );
    let offset = text.find(anchor).unwrap_or_default();
    text[..offset].matches('\n').count() + 1
}

/// The one-based line of the first `anchor` after the unique `start`.
fn line_after(text: &str, start: &str, anchor: &str) -> usize {
    let from = text.find(start).expect("start anchor present");
    let offset = from + text[from..].find(anchor).expect("anchor after start");
    text[..offset].matches('\n').count() + 1
}

/// Runs the library and the binary on `text`, checks what both must share
/// (the first error's line and message; for every error, a position, a
/// hint and its place in both reports), and returns the library's error
/// for case-specific checks.
fn expect_failure(text: &str, expected_line: Option<usize>, message_part: &str) -> SpecError {
    let error = match generate_from_str(text, NAME) {
        Ok(_) => panic!("the broken spec generated code"),
        Err(error) => error,
    };
    assert!(
        error.message().contains(message_part),
        "message `{}` lacks `{message_part}`",
        error.message()
    );
    assert!(!error.hint().is_empty());
    assert_eq!(error.position().map(|p| p.line), expected_line, "{error}");

    let rendered = error.to_string();
    let expected_prefix = match error.position() {
        Some(p) => format!("error: {NAME}:{}:{}: ", p.line, p.column),
        None => format!("error: {NAME}: "),
    };
    assert!(rendered.starts_with(&expected_prefix), "{rendered}");
    for each in error.errors() {
        assert!(!each.hint().is_empty(), "{each}");
        assert!(each.position().is_some(), "{each}");
        assert_eq!(each.len(), 1, "{each}");
        assert!(rendered.contains(&each.to_string()), "{rendered}");
    }
    assert_eq!(
        rendered.matches("\n  = hint: ").count(),
        error.len(),
        "{rendered}"
    );

    // The binary, on the same text in a file: exit status 1 and the same
    // message on stderr, with no panic.
    let dir = tempdir();
    let path = dir.join("auth.yaml");
    std::fs::write(&path, text).expect("write the temporary spec");
    let output = Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
        .args(["check", path.to_str().expect("utf-8 temp path")])
        .output()
        .expect("run c2m-auth-codegen");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let file_prefix = format!("error: {}", path.display());
    assert!(stderr.starts_with(&file_prefix), "{stderr}");
    for each in error.errors() {
        assert!(stderr.contains(each.message().as_str()), "{stderr}");
    }
    let counted = usize::from(error.unlisted() > 0);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        error.len() + counted,
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    error
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "c2m-auth-codegen-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

fn pointer(error: &SpecError) -> &str {
    match error.location() {
        Location::Node { pointer, .. } => pointer,
        other => panic!("expected a JSON pointer, found {other:?}"),
    }
}

#[test]
fn the_real_spec_generates() {
    let live = include_str!("../../spec/auth.yaml");
    let source = generate_from_str(live, NAME).unwrap_or_else(|e| panic!("{e}"));
    assert!(source.starts_with("// @generated by c2m-auth-codegen from spec/auth.yaml"));
}

#[test]
fn unreadable_file() {
    let error = c2m_auth_codegen::Config::new("spec/does-not-exist.yaml")
        .generate()
        .expect_err("a missing file fails");
    assert!(matches!(error.kind(), SpecErrorKind::Unreadable { .. }));
    assert!(
        error
            .to_string()
            .starts_with("error: spec/does-not-exist.yaml: cannot read the spec: ")
    );

    let output = Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
        .args(["check", "spec/does-not-exist.yaml"])
        .output()
        .expect("run c2m-auth-codegen");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.starts_with("error: spec/does-not-exist.yaml: cannot read the spec"),
        "{stderr}"
    );
}

/// The broken document of a case.
enum Text {
    /// The frozen spec with `from` (which must occur once) replaced by `to`.
    Edit(&'static str, &'static str),
    /// The frozen spec with each `from` (each occurring once) replaced by
    /// its `to`, in turn.
    Edits(&'static [(&'static str, &'static str)]),
    /// A document of its own.
    Whole(&'static str),
}

/// The line the error must point at, found in the broken document.
enum Line {
    /// The document's first line.
    First,
    /// The line of the unique anchor.
    Of(&'static str),
    /// The line below the unique anchor.
    Below(&'static str),
    /// The line of the first `anchor` after the unique `start`.
    After(&'static str, &'static str),
    /// The line of the anchor's second occurrence.
    Second(&'static str),
}

impl Line {
    fn in_text(&self, text: &str) -> Option<usize> {
        match *self {
            Line::First => Some(1),
            Line::Of(anchor) => Some(line_of(text, anchor)),
            Line::Below(anchor) => Some(line_of(text, anchor) + 1),
            Line::After(start, anchor) => Some(line_after(text, start, anchor)),
            Line::Second(anchor) => text
                .match_indices(anchor)
                .nth(1)
                .map(|(offset, _)| text[..offset].matches('\n').count() + 1),
        }
    }
}

/// What else a case's error must show.
enum Check {
    /// Its JSON pointer is exactly this.
    Pointer(&'static str),
    /// Its JSON pointer ends with this.
    PointerEndsWith(&'static str),
    /// Its hint contains this.
    Hint(&'static str),
    /// Its message contains this (besides the case's `message`).
    Message(&'static str),
    /// Its kind is the one this accepts.
    Kind(fn(&SpecErrorKind) -> bool),
    /// The next error after the first (each `Also` the one after the
    /// previous) is at this line and its message contains this. A case
    /// has exactly one error more than it has `Also`s.
    Also(Line, &'static str),
}

impl Check {
    fn assert_on(&self, error: &SpecError) {
        match *self {
            Check::Pointer(expected) => assert_eq!(pointer(error), expected),
            Check::PointerEndsWith(end) => {
                assert!(pointer(error).ends_with(end), "{}", pointer(error));
            }
            Check::Hint(part) => assert!(error.hint().contains(part), "{}", error.hint()),
            Check::Message(part) => {
                assert!(error.message().contains(part), "{}", error.message());
            }
            Check::Kind(is) => assert!(is(error.kind()), "{:?}", error.kind()),
            // Checked with the document, in `check`.
            Check::Also(..) => {}
        }
    }
}

/// One way to break a spec: the document, the line and a part of the
/// message the error must have, and its other checks.
struct Case {
    name: &'static str,
    text: Text,
    line: Line,
    message: &'static str,
    checks: &'static [Check],
}

use Check::{Also, Hint, Kind, Message, Pointer, PointerEndsWith};

const CASES: &[Case] = &[
    Case {
        name: "invalid YAML",
        text: Text::Edit(
            "  version: 2.0.0\n",
            "  version: 2.0.0\n   broken: [unclosed\n",
        ),
        line: Line::Of("broken:"),
        message: "invalid YAML",
        checks: &[Kind(|k| matches!(k, SpecErrorKind::InvalidYaml { .. }))],
    },
    Case {
        name: "OpenAPI 3.1 is refused",
        text: Text::Edit("openapi: 3.0.3", "openapi: 3.1.0"),
        line: Line::Of("openapi: 3.1.0"),
        message: "`openapi: 3.1.0` is not supported",
        checks: &[Pointer("/openapi")],
    },
    Case {
        name: "Swagger 2 is refused with a conversion hint",
        text: Text::Whole("swagger: '2.0'\ninfo:\n  title: t\n  version: '1'\npaths: {}\n"),
        line: Line::First,
        message: "`openapi: 2.0` is not supported",
        checks: &[Hint("Swagger 2.0")],
    },
    Case {
        // At the document itself, its first line.
        name: "a document without openapi field",
        text: Text::Whole("info:\n  title: t\n  version: '1'\npaths: {}\n"),
        line: Line::First,
        message: "there is no top-level `openapi` field",
        checks: &[Pointer("")],
    },
    Case {
        // At the object that lacks the field.
        name: "wrong shape for OpenAPI",
        text: Text::Edit("  title: C2M API v2 - Auth Overlay\n", ""),
        line: Line::Below("\ninfo:"),
        message: "missing field `title`",
        checks: &[
            Kind(|k| matches!(k, SpecErrorKind::NotOpenApi { .. })),
            Pointer("/info"),
        ],
    },
    Case {
        name: "dangling ref",
        text: Text::Edit(
            "$ref: '#/components/schemas/ShortTokenRequest'",
            "$ref: '#/components/schemas/ShortTokenReq'",
        ),
        line: Line::Of("ShortTokenReq'"),
        message: "`$ref: '#/components/schemas/ShortTokenReq'` points at nothing",
        checks: &[Pointer(
            "/paths/~1auth~1tokens~1short/post/requestBody/content/application~1json/schema/$ref",
        )],
    },
    Case {
        name: "external ref",
        text: Text::Edit(
            "$ref: '#/components/schemas/ShortTokenRequest'",
            "$ref: 'schemas.yaml#/ShortTokenRequest'",
        ),
        line: Line::Of("schemas.yaml#"),
        message: "points outside this document",
        checks: &[],
    },
    Case {
        name: "missing operationId",
        text: Text::Edit("      operationId: revokeToken\n", ""),
        line: Line::Below("  /auth/tokens/{tokenId}/revoke:"),
        message: "operation `POST /auth/tokens/{tokenId}/revoke` has no operationId",
        checks: &[Pointer("/paths/~1auth~1tokens~1{tokenId}~1revoke/post")],
    },
    Case {
        name: "duplicate operationId",
        text: Text::Edit(
            "operationId: revokeToken",
            "operationId: issueShortTermToken",
        ),
        line: Line::Second("operationId: issueShortTermToken"),
        message: "operationId `issueShortTermToken` is already used",
        checks: &[Message("#/paths/~1auth~1tokens~1short/post")],
    },
    Case {
        name: "operationIds that become the same method",
        text: Text::Edit(
            "operationId: revokeToken",
            "operationId: issue_short_term_token",
        ),
        line: Line::Of("operationId: issue_short_term_token"),
        message: "operationId `issue_short_term_token` would be the method `issue_short_term_token`, like operationId `issueShortTermToken` at #/paths/~1auth~1tokens~1short/post",
        checks: &[Hint("differ only in case"), Kind(is_collision)],
    },
    Case {
        name: "schema names that become the same type",
        text: Text::Edit(
            "    ShortTokenRequest:\n",
            "    short_token_request:\n      type: string\n    ShortTokenRequest:\n",
        ),
        line: Line::Of("    ShortTokenRequest:\n"),
        message: "schema `ShortTokenRequest` would be the type `ShortTokenRequest`, like schema `short_token_request` at #/components/schemas/short_token_request",
        checks: &[
            Pointer("/components/schemas/ShortTokenRequest"),
            Kind(is_collision),
        ],
    },
    Case {
        name: "parameters that become the same argument",
        text: Text::Edit(
            "          example: tok_lt_b8e0aa\n      responses:",
            "          example: tok_lt_b8e0aa\n        - name: token-id\n          in: header\n          schema:\n            type: string\n      responses:",
        ),
        line: Line::Of("name: token-id"),
        message: "operation `revokeToken`: parameter `token-id` (in header) would be the argument `token_id`, like parameter `tokenId` (in path) at #/paths/~1auth~1tokens~1{tokenId}~1revoke/post/parameters/0/name",
        checks: &[
            Pointer("/paths/~1auth~1tokens~1{tokenId}~1revoke/post/parameters/1/name"),
            Kind(is_collision),
        ],
    },
    Case {
        name: "properties that become the same field",
        text: Text::Edit(
            "      properties:\n        long_token:\n",
            "      properties:\n        long-token:\n          type: string\n        long_token:\n",
        ),
        line: Line::Of("        long_token:\n"),
        message: "property `long_token` would be the field `long_token`, like property `long-token` at #/components/schemas/ShortTokenRequest/properties/long-token",
        checks: &[
            Pointer("/components/schemas/ShortTokenRequest/properties/long_token"),
            Kind(is_collision),
        ],
    },
    Case {
        name: "headers that become the same field",
        text: Text::Edit(
            "          headers:\n            X-Token-Id:\n",
            "          headers:\n            x_token_id:\n              schema:\n                type: string\n            X-Token-Id:\n",
        ),
        line: Line::Of("            X-Token-Id:\n"),
        message: "operation `issueLongTermToken`: response `201` header `X-Token-Id` would be the field `x_token_id`, like header `x_token_id` at #/paths/~1auth~1tokens~1long/post/responses/201/headers/x_token_id",
        checks: &[Hint("ignore case"), Kind(is_collision)],
    },
    Case {
        name: "two error body types on one operation",
        text: Text::Edit(
            "        '404':\n          $ref: '#/components/responses/Error404'\n",
            "        '404':\n          description: Not found\n          content:\n            application/json:\n              schema:\n                type: string\n",
        ),
        line: Line::After("  /auth/tokens/{tokenId}/revoke:", "      responses:"),
        message: "operation `revokeToken`: its error responses have different body types",
        checks: &[
            Message("401 → `AuthError`"),
            Kind(|k| matches!(k, SpecErrorKind::Unsupported { .. })),
        ],
    },
    Case {
        // `default` counts as a success response too, so its error schema
        // clashes with the 204; the hint says how to keep it an error.
        name: "a default response of another type than the successes",
        text: Text::Edit(
            "        '404':\n          $ref: '#/components/responses/Error404'\n",
            "        '404':\n          $ref: '#/components/responses/Error404'\n        default:\n          $ref: '#/components/responses/Error404'\n",
        ),
        line: Line::After("  /auth/tokens/{tokenId}/revoke:", "      responses:"),
        message: "operation `revokeToken`: its success responses have different body types",
        checks: &[Hint("`default` counts as both"), Hint("`4XX`")],
    },
    Case {
        name: "two request media types",
        text: Text::Edit(
            "              $ref: '#/components/schemas/ShortTokenRequest'\n",
            "              $ref: '#/components/schemas/ShortTokenRequest'\n          application/x-www-form-urlencoded:\n            schema:\n              $ref: '#/components/schemas/ShortTokenRequest'\n",
        ),
        line: Line::After("  /auth/tokens/short:", "        content:"),
        message: "operation `issueShortTermToken`: the request body offers 2 media types",
        checks: &[PointerEndsWith("/requestBody/content")],
    },
    Case {
        name: "path parameter not in the path",
        text: Text::Edit("        - name: tokenId\n", "        - name: token_id\n"),
        line: Line::Of("- name: token_id"),
        message: "path parameter `token_id` does not appear in the path",
        checks: &[
            PointerEndsWith("/post/parameters/0"),
            Hint("add `{token_id}` to the path"),
            // Both halves of the mismatch, each at its own node.
            Also(
                Line::After("  /auth/tokens/{tokenId}/revoke:", "    post:"),
                "the path `/auth/tokens/{tokenId}/revoke` uses `{tokenId}` but no path parameter declares it",
            ),
        ],
    },
    Case {
        // progenitor asserts that a JSON response has no `encoding`, which no
        // pre-check covers: its panic is caught and reported, and stays off
        // stderr (checked in `expect_failure`).
        name: "progenitor panics become messages",
        text: Text::Edit(
            "                $ref: '#/components/schemas/ShortTokenResponse'\n",
            "                $ref: '#/components/schemas/ShortTokenResponse'\n              encoding:\n                scopes:\n                  contentType: text/plain\n",
        ),
        line: Line::After("  /auth/tokens/short:", "    post:"),
        message: "operation `issueShortTermToken`: the generator failed: progenitor cannot handle this document",
        checks: &[
            Kind(|k| matches!(k, SpecErrorKind::Generator { .. })),
            Message("encoding"),
        ],
    },
    Case {
        name: "a pattern the client cannot check",
        text: Text::Edit(
            "          description: The token ID to revoke\n          schema:\n            type: string\n",
            "          description: The token ID to revoke\n          schema:\n            type: string\n            pattern: '^(tok_'\n",
        ),
        line: Line::Of("pattern: '^(tok_'"),
        message: "`pattern: ^(tok_` is not a regular expression the client can check",
        checks: &[Hint("ECMA-262")],
    },
    Case {
        // Under `properties`, `default` and `example` are names, not data.
        name: "a property named default is checked like any other",
        text: Text::Edit(
            "      properties:\n        long_token:\n",
            "      properties:\n        default:\n          type: string\n          pattern: '(unclosed'\n        long_token:\n",
        ),
        line: Line::Of("pattern: '(unclosed'"),
        message: "`pattern: (unclosed` is not a regular expression the client can check",
        checks: &[Pointer(
            "/components/schemas/ShortTokenRequest/properties/default/pattern",
        )],
    },
    Case {
        name: "a property named example is checked like any other",
        text: Text::Edit(
            "      properties:\n        long_token:\n",
            "      properties:\n        example:\n          $ref: '#/components/schemas/Nowhere'\n        long_token:\n",
        ),
        line: Line::Of("Nowhere'"),
        message: "points at nothing",
        checks: &[Pointer(
            "/components/schemas/ShortTokenRequest/properties/example/$ref",
        )],
    },
    Case {
        name: "a cookie parameter",
        text: Text::Edit(
            "          example: tok_lt_b8e0aa\n      responses:",
            "          example: tok_lt_b8e0aa\n        - name: session\n          in: cookie\n          schema:\n            type: string\n      responses:",
        ),
        line: Line::Of("in: cookie"),
        message: "operation `revokeToken`: parameter `session` is sent `in: cookie`",
        checks: &[
            Pointer("/paths/~1auth~1tokens~1{tokenId}~1revoke/post/parameters/1/in"),
            Hint("with_http_client"),
        ],
    },
    Case {
        name: "a security scheme the client cannot send",
        text: Text::Edit(
            "      type: apiKey\n      in: header\n",
            "      type: http\n      scheme: digest\n",
        ),
        line: Line::Of("    ClientKey:"),
        message: "security scheme `ClientKey` uses http scheme `digest`",
        checks: &[Pointer("/components/securitySchemes/ClientKey")],
    },
    Case {
        name: "a security requirement naming no scheme",
        text: Text::Edit("        - ClientKey: []\n", "        - ClientKee: []\n"),
        line: Line::Of("ClientKee"),
        message: "operation `issueLongTermToken`: security requirement names `ClientKee`",
        checks: &[Pointer(
            "/paths/~1auth~1tokens~1long/post/security/1/ClientKee",
        )],
    },
    Case {
        name: "a response header without a schema",
        text: Text::Edit(
            "              description: Server-generated identifier for revocation and audit\n              schema:\n                type: string\n                example: tok_lt_b8e0aa\n",
            "              description: Server-generated identifier for revocation and audit\n              content:\n                text/plain:\n                  schema:\n                    type: string\n",
        ),
        line: Line::Of("            X-Token-Id:"),
        message: "operation `issueLongTermToken`: response header `X-Token-Id` has no schema",
        checks: &[],
    },
    Case {
        name: "a response header of a type headers cannot carry",
        text: Text::Edit(
            "              schema:\n                type: string\n                example: tok_lt_b8e0aa\n",
            "              schema:\n                type: object\n",
        ),
        line: Line::After("            X-Token-Id:", "              schema:"),
        message: "response header `X-Token-Id` has a schema the client cannot parse from a header",
        checks: &[],
    },
    Case {
        name: "a secret mark on a non-string",
        text: Text::Edit(
            "          description: Requested lifetime, from 1 hour to 90 days; the server may clamp it.\n",
            "          description: Requested lifetime, from 1 hour to 90 days; the server may clamp it.\n          x-secret: true\n",
        ),
        line: Line::Of("x-secret: true"),
        message: "`x-secret: true` is set on a schema that is not `type: string`",
        checks: &[],
    },
    Case {
        // One pass finds them all, in the order the checks run: references,
        // then operationIds, then patterns.
        name: "several errors in one document are reported together",
        text: Text::Edits(&[
            (
                "$ref: '#/components/schemas/ShortTokenRequest'",
                "$ref: '#/components/schemas/ShortTokenReq'",
            ),
            (
                "operationId: revokeToken",
                "operationId: issueShortTermToken",
            ),
            (
                "          description: The token ID to revoke\n          schema:\n            type: string\n",
                "          description: The token ID to revoke\n          schema:\n            type: string\n            pattern: '^(tok_'\n",
            ),
        ]),
        line: Line::Of("ShortTokenReq'"),
        message: "`$ref: '#/components/schemas/ShortTokenReq'` points at nothing",
        checks: &[
            Kind(|k| matches!(k, SpecErrorKind::DanglingRef { .. })),
            Also(
                Line::Second("operationId: issueShortTermToken"),
                "operationId `issueShortTermToken` is already used",
            ),
            Also(
                Line::Of("pattern: '^(tok_'"),
                "`pattern: ^(tok_` is not a regular expression",
            ),
        ],
    },
    Case {
        // The operation's error responses would otherwise look like two
        // body types (`AuthError` and the unresolved reference).
        name: "a dangling reference in a shared response is reported once",
        text: Text::Edit(
            "    Error404:\n      description: Not found\n      content:\n        application/json:\n          schema:\n            $ref: '#/components/schemas/AuthError'\n",
            "    Error404:\n      description: Not found\n      content:\n        application/json:\n          schema:\n            $ref: '#/components/schemas/AuthErr'\n",
        ),
        line: Line::Of("AuthErr'"),
        message: "`$ref: '#/components/schemas/AuthErr'` points at nothing",
        checks: &[Pointer(
            "/components/responses/Error404/content/application~1json/schema/$ref",
        )],
    },
    Case {
        name: "a dangling response reference is reported once",
        text: Text::Edit(
            "$ref: '#/components/responses/Error404'",
            "$ref: '#/components/responses/Error4040'",
        ),
        line: Line::Of("Error4040'"),
        message: "`$ref: '#/components/responses/Error4040'` points at nothing",
        checks: &[],
    },
    Case {
        // The shape check names it; it is not also a missing operationId.
        name: "an operationId that is not text is reported once",
        text: Text::Edit("operationId: revokeToken", "operationId: [revokeToken]"),
        line: Line::Of("operationId: [revokeToken]"),
        message: "invalid type: sequence, expected a string",
        checks: &[PointerEndsWith("~1revoke/post/operationId")],
    },
];

fn is_collision(kind: &SpecErrorKind) -> bool {
    matches!(kind, SpecErrorKind::NameCollision { .. })
}

/// Breaks the spec as `case` says and checks the errors it fails with.
fn check(case: &Case) {
    let text = match case.text {
        Text::Edit(from, to) => edited(from, to),
        Text::Edits(edits) => edits.iter().fold(SPEC.to_owned(), |text, (from, to)| {
            assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
            text.replacen(from, to, 1)
        }),
        Text::Whole(text) => text.to_owned(),
    };
    let error = expect_failure(&text, case.line.in_text(&text), case.message);
    for check in case.checks {
        check.assert_on(&error);
    }
    let also: Vec<(&Line, &str)> = case
        .checks
        .iter()
        .filter_map(|check| match check {
            Also(line, message) => Some((line, *message)),
            _ => None,
        })
        .collect();
    assert_eq!(error.len(), 1 + also.len(), "{error}");
    for (each, (line, message)) in error.errors().iter().skip(1).zip(also) {
        assert!(each.message().contains(message), "{each}");
        assert_eq!(
            each.position().map(|p| p.line),
            line.in_text(&text),
            "{each}"
        );
    }
}

/// Every case runs, even after one fails; the failures' panics are printed
/// above the list of their names.
#[test]
fn each_broken_spec_fails_with_its_message() {
    assert_eq!(CASES.len(), 32);
    let mut names: Vec<&str> = CASES.iter().map(|case| case.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names must differ");

    let failures: Vec<&str> = CASES
        .iter()
        .filter(|case| std::panic::catch_unwind(|| check(case)).is_err())
        .map(|case| case.name)
        .collect();
    assert!(failures.is_empty(), "failing cases: {failures:#?}");
}

/// The spec with `count` properties whose patterns do not compile, each on
/// a line of its own: `(text, the one-based line of each pattern)`.
fn with_bad_patterns(count: usize) -> (String, Vec<usize>) {
    let properties: String = (0..count)
        .map(|i| {
            format!(
                "        bad_{i}:\n          type: string\n          pattern: '(unclosed_{i}'\n"
            )
        })
        .collect();
    let text = edited(
        "      properties:\n        long_token:\n",
        &format!("      properties:\n{properties}        long_token:\n"),
    );
    let lines = (0..count)
        .map(|i| line_of(&text, &format!("'(unclosed_{i}'")))
        .collect();
    (text, lines)
}

/// More problems than the limit: the first 20 are listed, each where it
/// is, and the rest counted in a last line, by the library, in `Display`
/// and by the binary (checked in `expect_failure`).
#[test]
fn errors_past_the_limit_are_counted_not_listed() {
    let (text, lines) = with_bad_patterns(25);
    let error = expect_failure(&text, Some(lines[0]), "`pattern: (unclosed_0`");
    assert_eq!(error.len(), c2m_auth_codegen::DEFAULT_ERROR_LIMIT);
    assert_eq!(error.len(), 20);
    assert_eq!(error.unlisted(), 5);
    let listed: Vec<usize> = error
        .errors()
        .iter()
        .filter_map(|each| each.position().map(|p| p.line))
        .collect();
    assert_eq!(listed, lines[..20]);
    let last = "spec/auth.yaml: and 5 more errors (only the first 20 are listed)";
    assert_eq!(error.report_lines().last().map(String::as_str), Some(last));
    assert_eq!(error.report_lines().len(), 20 * 3 + 1);
    assert!(error.to_string().ends_with(&format!("\nerror: {last}")));

    // One past the limit is "1 more error".
    let (text, _) = with_bad_patterns(21);
    let error = generate_from_str(&text, NAME).expect_err("broken");
    assert_eq!((error.len(), error.unlisted()), (20, 1));
    assert!(
        error
            .to_string()
            .ends_with("and 1 more error (only the first 20 are listed)"),
        "{error}"
    );
    // At the limit, nothing is counted.
    let (text, _) = with_bad_patterns(20);
    let error = generate_from_str(&text, NAME).expect_err("broken");
    assert_eq!((error.len(), error.unlisted()), (20, 0));
    assert!(!error.to_string().contains("more error"), "{error}");
}

#[test]
fn the_limit_is_set_by_config() {
    let (text, lines) = with_bad_patterns(5);
    let dir = tempdir();
    let path = dir.join("auth.yaml");
    std::fs::write(&path, &text).expect("write the temporary spec");
    let report = |limit: usize| {
        c2m_auth_codegen::Config::new(&path)
            .display_name(NAME)
            .error_limit(limit)
            .generate()
            .expect_err("broken")
    };
    let error = report(2);
    assert_eq!((error.len(), error.unlisted()), (2, 3));
    assert_eq!(error.position().map(|p| p.line), Some(lines[0]));
    assert_eq!(
        error.report_lines().last().map(String::as_str),
        Some("spec/auth.yaml: and 3 more errors (only the first 2 are listed)")
    );
    // No fewer than one.
    let error = report(0);
    assert_eq!((error.len(), error.unlisted()), (1, 4));
    let error = report(100);
    assert_eq!((error.len(), error.unlisted()), (5, 0));
    let _ = std::fs::remove_dir_all(&dir);
}
