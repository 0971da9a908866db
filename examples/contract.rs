//! Drives every operation of the merged API (`spec/c2m-api-v2-base.yaml`
//! with the overlay `spec/auth.yaml`) with every credential alternative the
//! spec allows, the nine job operations each with a small valid body, plus
//! the error statuses it lists that a well-formed request can reach, and
//! checks each answer's status and code.
//!
//! ```text
//! cargo run --features sandbox --example contract                 # in-process sandbox
//! cargo run --features sandbox --example contract -- --base-url http://127.0.0.1:4010
//! ```
//!
//! CI (`.ci/contract`) points it at a Prism proxy (`prism proxy --errors`)
//! in front of the `c2m-auth-sandbox` binary: Prism answers any request or
//! response that breaks the spec with an error status, which shows up here
//! as a failed check. Every request sent is one the spec allows, so that a
//! violation can only be the server's (or the client's) fault.
//!
//! `--write-tokens FILE` then mints a fresh long-term token (every scope of
//! the example client) and a short-term token from it, and writes them to
//! FILE (mode 0600) as `LONG_TOKEN=...` and `SHORT_TOKEN=...` lines, for
//! tools such as schemathesis that need a credential to reach the
//! operations, with `SPARE_TOKEN_IDS=` the ids of two more long-term tokens
//! for them to revoke. Tokens are never printed.
//!
//! `--rate-limited` adds, after the other checks, the 429 of both issuing
//! operations: for a sandbox started with a rate limit
//! (`c2m-auth-sandbox --rate-limit 40/600`, above the other checks' 22 token
//! requests), it asks for tokens until refused, and checks that revokeToken,
//! which the spec does not limit, still answers.
//!
//! It ends with `contract: N checks passed, M failed` and exits non-zero on
//! any failure.

use std::process::ExitCode;

use c2m_auth::runtime::{Error, Response};
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE,
    JWT_BEARER_ASSERTION_TYPE, Sandbox,
};
use c2m_auth::security::{BearerAuth, ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, Secret, types};

type BoxError = Box<dyn std::error::Error>;
type CallResult<T, H> = Result<Response<T, H>, Error<types::AuthError>>;

const LONG: &str = "issueLongTermToken";
const SHORT: &str = "issueShortTermToken";
const REVOKE: &str = "revokeToken";

const USAGE: &str = "usage: contract [--base-url URL] [--rate-limited] [--write-tokens FILE]";

/// Token requests the `--rate-limited` step makes at most before a 429.
const MAX_REQUESTS_BEFORE_429: u32 = 200;

struct Args {
    base_url: Option<String>,
    write_tokens: Option<String>,
    rate_limited: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("contract: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("contract: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        base_url: None,
        write_tokens: None,
        rate_limited: false,
    };
    let mut args = args;
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--rate-limited" => {
                parsed.rate_limited = true;
                continue;
            }
            "--base-url" => &mut parsed.base_url,
            "--write-tokens" => &mut parsed.write_tokens,
            "-h" | "--help" => return Err("drives every operation through the client".into()),
            other => return Err(format!("unexpected argument `{other}`")),
        };
        *slot = Some(
            args.next()
                .ok_or_else(|| format!("`{arg}` needs a value"))?,
        );
    }
    Ok(parsed)
}

/// Runs the checks; `Ok(false)` when any failed.
async fn run(args: Args) -> Result<bool, BoxError> {
    // Without a base URL, an in-process sandbox (kept alive to the end).
    let local = match &args.base_url {
        Some(_) => None,
        None => Some(Sandbox::start().await?),
    };
    let base_url = match (&args.base_url, &local) {
        (Some(url), _) => url.clone(),
        (None, Some(sandbox)) => sandbox.base_url(),
        (None, None) => return Err("no base URL".into()),
    };
    println!("contract: driving {base_url}");
    let client = Client::with_base_url(&base_url)?;
    let mut checks = Checks::default();
    issue_long(&client, &mut checks).await;
    issue_short(&client, &mut checks).await;
    revoke(&client, &mut checks).await;
    jobs(&client, &mut checks).await?;
    if args.rate_limited {
        rate_limit(&client, &mut checks).await;
    }
    if let Some(path) = &args.write_tokens {
        write_tokens(&client, path).await?;
        println!("contract: wrote a long-term and a short-term token to {path}");
    }
    println!(
        "contract: {} checks passed, {} failed",
        checks.passed, checks.failed
    );
    Ok(checks.failed == 0)
}

// ---------------------------------------------------------------------------
// Checking outcomes
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn pass(&mut self, operation: &str, what: &str, status: u16) {
        self.passed += 1;
        println!("ok    {operation:<33} {what:<55} {status}");
    }

    fn fail(&mut self, operation: &str, what: &str, problem: &str) {
        self.failed += 1;
        println!("FAIL  {operation:<33} {what:<55} {problem}");
    }

    /// The response, if `result` is a success with status `expected`.
    fn success<T, H>(
        &mut self,
        operation: &str,
        what: &str,
        expected: u16,
        result: CallResult<T, H>,
    ) -> Option<Response<T, H>> {
        match result {
            Ok(response) if response.status().as_u16() == expected => {
                self.pass(operation, what, expected);
                Some(response)
            }
            Ok(response) => {
                let problem = format!("expected {expected}, got {}", response.status());
                self.fail(operation, what, &problem);
                None
            }
            // The client's errors name statuses and fields, never secrets.
            Err(e) => {
                self.fail(operation, what, &format!("expected {expected}, got: {e}"));
                None
            }
        }
    }

    /// Checks that `result` is the spec's error response `status` with
    /// AuthError code `code`.
    fn refusal<T, H>(
        &mut self,
        operation: &str,
        what: &str,
        (status, code): (u16, &str),
        result: CallResult<T, H>,
    ) {
        let expected = format!("expected {status} {code}");
        match result {
            Err(Error::Api {
                status: s, body, ..
            }) if s.as_u16() == status && body.code == code => {
                self.pass(operation, what, status);
            }
            Err(Error::Api {
                status: s, body, ..
            }) => {
                let got = format!("{expected}, got {s} {}: {}", body.code, body.message);
                self.fail(operation, what, &got);
            }
            Err(e) => self.fail(operation, what, &format!("{expected}, got: {e}")),
            Ok(response) => {
                let got = format!("{expected}, got {}", response.status());
                self.fail(operation, what, &got);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

fn request(grant: types::LongTokenRequestGrantType, scopes: &[&str]) -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(grant, EXAMPLE_CLIENT_ID);
    request.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    request
}

fn by_secret(secret: &str, scopes: &[&str]) -> types::LongTokenRequest {
    let mut r = request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    r.client_secret = Some(Secret::from(secret));
    r
}

fn by_otp(scopes: &[&str]) -> types::LongTokenRequest {
    let mut r = request(types::LongTokenRequestGrantType::ClientCredentials, scopes);
    r.otp_code = Some(Secret::from(EXAMPLE_OTP_CODE));
    r
}

fn by_assertion(scopes: &[&str]) -> types::LongTokenRequest {
    let mut r = request(types::LongTokenRequestGrantType::Assertion, scopes);
    r.assertion_type = Some(JWT_BEARER_ASSERTION_TYPE.into());
    r.assertion = Some(Secret::from(EXAMPLE_ASSERTION));
    r.ttl_seconds = Some(3_600);
    r
}

fn short_request(long_token: Option<Secret>, scopes: &[&str]) -> types::ShortTokenRequest {
    let mut r = types::ShortTokenRequest::new();
    r.long_token = long_token;
    r.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    r
}

fn key() -> ClientKey {
    ClientKey::new(EXAMPLE_CLIENT_ID)
}

/// A long-term token by client secret, or `None` (and a failed check).
async fn mint_long(
    client: &Client,
    checks: &mut Checks,
    what: &str,
    scopes: &[&str],
) -> Option<types::LongTokenResponse> {
    let result = client
        .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, scopes))
        .await;
    checks
        .success(LONG, what, 201, result)
        .map(Response::into_body)
}

/// A short-term token from `long`, narrowed to `scopes` when given.
async fn mint_short(
    client: &Client,
    checks: &mut Checks,
    what: &str,
    long: &types::LongTokenResponse,
    scopes: &[&str],
) -> Option<types::ShortTokenResponse> {
    let body = short_request(None, scopes);
    let result = client
        .issue_short_term_token(&LongTokenAuth::from(long), Some(&body))
        .await;
    checks
        .success(SHORT, what, 201, result)
        .map(Response::into_body)
}

async fn issue_long(client: &Client, checks: &mut Checks) {
    // ClientKey, with each mechanism of the body.
    let result = client
        .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, &["jobs:submit"]))
        .await;
    if let Some(response) = checks.success(LONG, "ClientKey + client_secret", 201, result)
        && response.headers().x_token_id.is_none()
    {
        checks.fail(LONG, "ClientKey + client_secret", "no X-Token-Id header");
    }
    let result = client
        .issue_long_term_token(&key(), &by_otp(&["jobs:*"]))
        .await;
    checks.success(LONG, "ClientKey + otp_code", 201, result);
    let result = client
        .issue_long_term_token(&key(), &by_assertion(&[]))
        .await;
    checks.success(LONG, "ClientKey + assertion (default scopes)", 201, result);

    // ShortTokenAuth: a short-term token holding tokens:write, no mechanism.
    let Some(long) = mint_long(client, checks, "ClientKey (for the step-up)", &[]).await else {
        return;
    };
    let what = "LongTokenAuth, narrowed to tokens:write";
    if let Some(short) = mint_short(client, checks, what, &long, &["tokens:write"]).await {
        let body = request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
        let result = client
            .issue_long_term_token(&ShortTokenAuth::from(&short), &body)
            .await;
        checks.success(LONG, "ShortTokenAuth (tokens:write)", 201, result);
    }
    issue_long_refusals(client, checks, &long).await;
}

/// The listed error statuses of `issueLongTermToken` that a request the
/// spec allows can reach (400, 401, 403).
async fn issue_long_refusals(
    client: &Client,
    checks: &mut Checks,
    long: &types::LongTokenResponse,
) {
    let result = client
        .issue_long_term_token(&key(), &by_secret("not-the-secret", &[]))
        .await;
    let what = "ClientKey + wrong client_secret";
    checks.refusal(LONG, what, (400, "invalid_grant"), result);

    let result = client
        .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, &["admin:*"]))
        .await;
    let what = "ClientKey + a scope the client may not have";
    checks.refusal(LONG, what, (400, "invalid_scope"), result);

    let mut stranger = by_secret(EXAMPLE_CLIENT_SECRET, &[]);
    stranger.client_id = "c2m_nobody".into();
    let result = client
        .issue_long_term_token(&ClientKey::new("c2m_nobody"), &stranger)
        .await;
    let what = "ClientKey naming no client";
    checks.refusal(LONG, what, (401, "invalid_client"), result);

    let body = request(types::LongTokenRequestGrantType::ClientCredentials, &[]);
    let result = client
        .issue_long_term_token(&ShortTokenAuth::new("not-a-token"), &body)
        .await;
    let what = "ShortTokenAuth with an unknown token";
    checks.refusal(LONG, what, (401, "invalid_token"), result);

    let what = "LongTokenAuth, narrowed to jobs:submit";
    if let Some(short) = mint_short(client, checks, what, long, &["jobs:submit"]).await {
        let result = client
            .issue_long_term_token(&ShortTokenAuth::from(&short), &body)
            .await;
        let what = "ShortTokenAuth without tokens:write";
        checks.refusal(LONG, what, (403, "insufficient_scope"), result);
    }
}

async fn issue_short(client: &Client, checks: &mut Checks) {
    let Some(long) = mint_long(client, checks, "ClientKey (to exchange)", &[]).await else {
        return;
    };
    let auth = LongTokenAuth::from(&long);
    let result = client.issue_short_term_token(&auth, None).await;
    checks.success(SHORT, "LongTokenAuth, no body", 201, result);

    let body = short_request(None, &["jobs:submit", "templates:read"]);
    let result = client.issue_short_term_token(&auth, Some(&body)).await;
    checks.success(SHORT, "LongTokenAuth, body narrowing scopes", 201, result);

    let body = short_request(Some(long.access_token.clone()), &[]);
    let result = client.issue_short_term_token(&auth, Some(&body)).await;
    checks.success(
        SHORT,
        "LongTokenAuth, body repeating long_token",
        201,
        result,
    );

    let body = short_request(None, &["admin:*"]);
    let result = client.issue_short_term_token(&auth, Some(&body)).await;
    let what = "LongTokenAuth, a scope the token does not hold";
    checks.refusal(SHORT, what, (400, "invalid_scope"), result);

    let result = client
        .issue_short_term_token(&LongTokenAuth::new("not-a-token"), None)
        .await;
    let what = "LongTokenAuth with an unknown token";
    checks.refusal(SHORT, what, (401, "invalid_token"), result);
}

async fn revoke(client: &Client, checks: &mut Checks) {
    let Some(long) = mint_long(client, checks, "ClientKey (to revoke)", &[]).await else {
        return;
    };
    let what = "LongTokenAuth (to revoke)";
    let Some(short) = mint_short(client, checks, what, &long, &[]).await else {
        return;
    };
    let long_id = long.token_id.clone().unwrap_or_default();
    let short_id = short.token_id.clone().unwrap_or_default();

    let auth = ShortTokenAuth::from(&short);
    let result = client.revoke_token(&auth, &short_id).await;
    checks.success(REVOKE, "ShortTokenAuth, its own id", 204, result);
    let result = client.revoke_token(&auth, &short_id).await;
    checks.success(REVOKE, "ShortTokenAuth, its own id again", 204, result);

    let auth = LongTokenAuth::from(&long);
    let result = client.revoke_token(&auth, "tok_lt_000000").await;
    let what = "LongTokenAuth, an unknown id";
    checks.refusal(REVOKE, what, (404, "not_found"), result);
    let result = client.revoke_token(&auth, &long_id).await;
    checks.success(REVOKE, "LongTokenAuth, its own id", 204, result);
    let result = client.issue_short_term_token(&auth, None).await;
    let what = "LongTokenAuth, revoked";
    checks.refusal(SHORT, what, (401, "invalid_token"), result);

    // A token without tokens:revoke.
    let what = "ClientKey, without tokens:revoke";
    let Some(weak) = mint_long(client, checks, what, &["jobs:submit"]).await else {
        return;
    };
    let weak_id = weak.token_id.clone().unwrap_or_default();
    let result = client
        .revoke_token(&LongTokenAuth::from(&weak), &weak_id)
        .await;
    let what = "LongTokenAuth without tokens:revoke";
    checks.refusal(REVOKE, what, (401, "insufficient_scope"), result);
}

/// Asks for short-term tokens until the sandbox's rate limit answers 429,
/// then checks the 429 of `issueLongTermToken` too, and that `revokeToken`
/// is not limited.
async fn rate_limit(client: &Client, checks: &mut Checks) {
    let what = "ClientKey (before the rate limit)";
    let Some(long) = mint_long(client, checks, what, &[]).await else {
        return;
    };
    let auth = LongTokenAuth::from(&long);
    let mut asked = 0;
    let result = loop {
        let result = client.issue_short_term_token(&auth, None).await;
        asked += 1;
        if result.is_err() || asked >= MAX_REQUESTS_BEFORE_429 {
            break result;
        }
    };
    let what = format!("LongTokenAuth, after {asked} requests");
    let retry_after = matches!(
        &result,
        Err(Error::Api {
            retry_after: Some(_),
            ..
        })
    );
    checks.refusal(SHORT, &what, (429, "rate_limited"), result);
    if !retry_after {
        checks.fail(SHORT, &what, "429 without a Retry-After header");
    }
    let result = client
        .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, &[]))
        .await;
    let what = "ClientKey + client_secret, rate-limited";
    checks.refusal(LONG, what, (429, "rate_limited"), result);
    let result = client.revoke_token(&auth, "tok_lt_000000").await;
    let what = "LongTokenAuth while rate-limited, an unknown id";
    checks.refusal(REVOKE, what, (404, "not_found"), result);
}

// ---------------------------------------------------------------------------
// The job operations
// ---------------------------------------------------------------------------

#[path = "../tests/common/job_bodies.rs"]
mod job_bodies;

/// The outcome of `$method` with `$credential` and a small valid body of
/// the operation at `$path` (the merged document's schema), as a check:
/// 200 with a `jobId`, or the spec's bare 401.
macro_rules! job_check {
    ($checks:expr, $client:expr, $doc:expr, $credential:expr, $expected:expr,
     $method:ident, $ty:ident, $path:literal, $id:literal) => {{
        let body: types::$ty = serde_json::from_value(job_bodies::body_of($doc, $path))?;
        let result = $client.$method($credential, &body).await;
        job_outcome($checks, $id, $expected, result);
    }};
}

/// Each job operation with a short-term token holding `jobs:submit` (200
/// and a `jobId`), then with one without it (the spec's 401).
async fn jobs(client: &Client, checks: &mut Checks) -> Result<(), BoxError> {
    let doc = job_bodies::document()?;
    let what = "ClientKey + client_secret, for the job operations";
    let Some(long) = mint_long(client, checks, what, &["jobs:submit", "templates:read"]).await
    else {
        return Ok(());
    };
    let allowed = mint_short(client, checks, "jobs:submit", &long, &["jobs:submit"]).await;
    let other = mint_short(client, checks, "templates:read", &long, &["templates:read"]).await;
    let (Some(allowed), Some(other)) = (allowed, other) else {
        return Ok(());
    };
    for (token, expected) in [(&allowed, 200), (&other, 401)] {
        let bearer = BearerAuth::from(token);
        job_check!(checks, client, &doc, &bearer, expected,
            submit_single_doc_with_template_params, SubmitSingleDocWithTemplateParamsBody,
            "/jobs/single-doc-job-template", "submitSingleDocWithTemplateParams");
        job_check!(checks, client, &doc, &bearer, expected,
            submit_multi_doc_with_template_params, SubmitMultiDocWithTemplateParamsBody,
            "/jobs/multi-docs-job-template", "submitMultiDocWithTemplateParams");
        job_check!(checks, client, &doc, &bearer, expected,
            merge_multi_doc_with_template_params, MergeMultiDocWithTemplateParamsBody,
            "/jobs/multi-doc-merge-job-template", "mergeMultiDocWithTemplateParams");
        job_check!(checks, client, &doc, &bearer, expected,
            single_doc_job_params, SingleDocJobParamsBody,
            "/jobs/single-doc", "singleDocJobParams");
        job_check!(checks, client, &doc, &bearer, expected,
            submit_multi_doc_params, SubmitMultiDocParamsBody,
            "/jobs/multi-doc", "submitMultiDocParams");
        job_check!(checks, client, &doc, &bearer, expected,
            merge_multi_doc_params, MergeMultiDocParamsBody,
            "/jobs/multi-doc-merge", "mergeMultiDocParams");
        job_check!(checks, client, &doc, &bearer, expected,
            split_pdf_params, SplitPdfParamsBody,
            "/jobs/single-pdf-split", "splitPdfParams");
        job_check!(checks, client, &doc, &bearer, expected,
            split_pdf_with_capture_params, SplitPdfWithCaptureParamsBody,
            "/jobs/single-pdf-split-addressCapture", "splitPdfWithCaptureParams");
        job_check!(checks, client, &doc, &bearer, expected,
            multi_pdf_with_capture_params, MultiPdfWithCaptureParamsBody,
            "/jobs/multi-pdf-address-capture", "multiPdfWithCaptureParams");
    }
    Ok(())
}

/// Checks a job operation's answer: `expected` 200 with a `jobId`, or 401.
fn job_outcome<H>(
    checks: &mut Checks,
    operation: &str,
    expected: u16,
    result: Result<Response<types::StandardResponse, H>, Error<()>>,
) {
    let what = if expected == 200 {
        "BearerAuth, a short-term token with jobs:submit"
    } else {
        "BearerAuth, a short-term token without jobs:submit"
    };
    match result {
        Ok(response) if expected == 200 && response.status().as_u16() == 200 => {
            if response.into_body().job_id.is_some() {
                checks.pass(operation, what, 200);
            } else {
                checks.fail(operation, what, "200 without a jobId");
            }
        }
        Err(Error::Api { status, .. }) if status.as_u16() == expected => {
            checks.pass(operation, what, expected);
        }
        Ok(response) => {
            let problem = format!("expected {expected}, got {}", response.status());
            checks.fail(operation, what, &problem);
        }
        Err(e) => checks.fail(operation, what, &format!("expected {expected}, got: {e}")),
    }
}

/// Mints a long-term token (all the example client's scopes), a short-term
/// one from it and two spare long-term ones, and writes the first two and
/// the ids of the spare ones to `path`, readable by the owner only.
async fn write_tokens(client: &Client, path: &str) -> Result<(), BoxError> {
    let long = client
        .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, &[]))
        .await?
        .into_body();
    let short = client
        .issue_short_term_token(&LongTokenAuth::from(&long), None)
        .await?
        .into_body();
    let mut spare = Vec::new();
    for _ in 0..2 {
        let token = client
            .issue_long_term_token(&key(), &by_secret(EXAMPLE_CLIENT_SECRET, &[]))
            .await?
            .into_body();
        spare.push(
            token
                .token_id
                .ok_or("a long-term token came without token_id")?,
        );
    }
    let text = format!(
        "LONG_TOKEN={}\nSHORT_TOKEN={}\nSPARE_TOKEN_IDS={}\n",
        long.access_token.expose(),
        short.access_token.expose(),
        spare.join(" ")
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())?;
    Ok(())
}
