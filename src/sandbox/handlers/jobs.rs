//! The job-submission operations: a short-term token holding
//! `jobs:submit`, a body that decodes into the operation's generated
//! request type, and a `StandardResponse` with a fresh `jobId`. The spec
//! lists `400` and `401` for them, without bodies, so refusals are bare.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::random_hex;
use crate::sandbox::AcceptedJob;
use crate::sandbox::grant::holds;
use crate::sandbox::request::{bearer, parse_body};
use crate::sandbox::store::{Kind, Shared};
use crate::types;

/// The scope a token needs to submit jobs.
const SCOPE_SUBMIT: &str = "jobs:submit";

/// Accepts a job for `operation_id` whose body is a `T`.
pub(super) fn submit<T: DeserializeOwned>(
    app: &Shared,
    operation_id: &'static str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut store = app.lock();
    store.count(operation_id);
    let authorized = bearer(headers)
        .ok()
        .flatten()
        .and_then(|access| store.authenticate(access, chrono::Utc::now()).ok())
        .filter(|token| token.kind == Kind::Short && holds(&token.scopes, SCOPE_SUBMIT))
        .map(|token| token.client_id.clone());
    let Some(client_id) = authorized else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // Kept as it arrived, once it decodes as the operation's type.
    let arrived = body.as_ref().ok().cloned();
    let decoded = parse_body::<T>(headers, body);
    let (Ok(Some(_)), Some(Ok(arrived))) = (decoded, arrived.map(|b| serde_json::from_slice(&b)))
    else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let job_id = format!("job_{}", random_hex(8));
    store.jobs.push(AcceptedJob {
        job_id: job_id.clone(),
        operation_id,
        client_id,
        body: arrived,
    });
    drop(store);
    let mut response = types::StandardResponse::new();
    response.status = Some("accepted".to_string());
    response.message = Some("The job was accepted.".to_string());
    response.job_id = Some(job_id);
    (StatusCode::OK, axum::Json(response)).into_response()
}
