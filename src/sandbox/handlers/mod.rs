//! The handlers of the token operations and the job operations. Each one's steps return
//! `Result<Response, ApiError>`; the axum handler here turns an error into
//! its response.

mod jobs;
mod long_term;
mod revoke;
mod short_term;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, SubsecRound, Utc};
use rand::Rng;

use super::error::ApiError;
use super::store::Shared;
use long_term::long_term;
use revoke::revoke;
use short_term::short_term;

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

fn random_base64url(len: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `now + ttl`, in whole seconds, and `expires_in`.
fn expiry(now: DateTime<Utc>, ttl: Duration) -> (DateTime<Utc>, i64) {
    let secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let at = chrono::TimeDelta::try_seconds(secs)
        .and_then(|d| now.trunc_subsecs(0).checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    (at, secs)
}

type App = Arc<Shared>;

/// Routes `POST path` to [`jobs::submit`] for `operation_id`, its body a `T`.
fn job_route<T>(router: Router<App>, path: &str, operation_id: &'static str) -> Router<App>
where
    T: serde::de::DeserializeOwned + 'static,
{
    router.route(
        path,
        post(
            move |State(app): State<App>,
                  headers: HeaderMap,
                  body: Result<Bytes, BytesRejection>| async move {
                jobs::submit::<T>(&app, operation_id, &headers, body)
            },
        ),
    )
}

/// The job operations' routes on `router`: `Type at "path" as "operationId"`,
/// each body decoded as `types::Type`.
macro_rules! job_routes {
    ($router:expr, $($ty:ident at $path:literal as $id:literal),* $(,)?) => {{
        let router = $router;
        $(let router = job_route::<crate::types::$ty>(router, $path, $id);)*
        router
    }};
}

/// The operations' routes, served from `shared`.
pub(super) fn router(shared: App) -> Router {
    let tokens = Router::new()
        .route("/auth/tokens/long", post(issue_long_term_token))
        .route("/auth/tokens/short", post(issue_short_term_token))
        .route("/auth/tokens/{token_id}/revoke", post(revoke_token));
    job_routes!(
        tokens,
        SubmitSingleDocWithTemplateParamsBody at "/jobs/single-doc-job-template" as "submitSingleDocWithTemplateParams",
        SubmitMultiDocWithTemplateParamsBody at "/jobs/multi-docs-job-template" as "submitMultiDocWithTemplateParams",
        MergeMultiDocWithTemplateParamsBody at "/jobs/multi-doc-merge-job-template" as "mergeMultiDocWithTemplateParams",
        SingleDocJobParamsBody at "/jobs/single-doc" as "singleDocJobParams",
        SubmitMultiDocParamsBody at "/jobs/multi-doc" as "submitMultiDocParams",
        MergeMultiDocParamsBody at "/jobs/multi-doc-merge" as "mergeMultiDocParams",
        SplitPdfParamsBody at "/jobs/single-pdf-split" as "splitPdfParams",
        SplitPdfWithCaptureParamsBody at "/jobs/single-pdf-split-addressCapture" as "splitPdfWithCaptureParams",
        MultiPdfWithCaptureParamsBody at "/jobs/multi-pdf-address-capture" as "multiPdfWithCaptureParams",
    )
    .with_state(shared)
}

async fn issue_long_term_token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    long_term(&app, &headers, body)
}

async fn issue_short_term_token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    short_term(&app, &headers, body)
}

async fn revoke_token(
    State(app): State<App>,
    headers: HeaderMap,
    token_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    revoke(&app, &headers, token_id)
}
