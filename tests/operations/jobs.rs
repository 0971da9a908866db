//! The nine job operations through the generated client: each accepted
//! with a short-term token holding `jobs:submit`, answered with a fresh
//! `jobId`, and kept by the sandbox as it arrived; refused (401, 400, no
//! body, as the spec lists them) without that scope or with a body that
//! does not decode.

use std::collections::BTreeSet;

use c2m_auth::sandbox::Sandbox;
use c2m_auth::security::BearerAuth;
use c2m_auth::types;
use serde_json::{Map, Value, json};

use crate::fixture::{
    BoxError, TestResult, bearer_header, client, long_token, raw_post, short_token,
};

/// The merged document the client is generated from, read as the build
/// reads it.
fn document() -> Result<Value, BoxError> {
    let base = include_str!("../../spec/c2m-api-v2-base.yaml");
    let overlay = include_str!("../../spec/auth.yaml");
    Ok(c2m_auth_codegen::load_merged(&[
        (base, "spec/c2m-api-v2-base.yaml"),
        (overlay, "spec/auth.yaml"),
    ])?)
}

/// A small valid instance of `schema`: its required properties, the first
/// shape of a `oneOf`, the first value of an `enum`.
fn instance(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 16 {
        return Value::Null;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = doc.pointer(reference.trim_start_matches('#'));
        return instance(doc, target.unwrap_or(&Value::Null), depth + 1);
    }
    if let Some(first) = schema.get("oneOf").and_then(|shapes| shapes.get(0)) {
        return instance(doc, first, depth + 1);
    }
    if let Some(first) = schema.get("enum").and_then(|values| values.get(0)) {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let required = schema.get("required").and_then(Value::as_array);
            let properties: Map<String, Value> = required
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|name| {
                    let property = &schema["properties"][name];
                    (name.to_string(), instance(doc, property, depth + 1))
                })
                .collect();
            Value::Object(properties)
        }
        Some("array") => json!([instance(doc, &schema["items"], depth + 1)]),
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("uri") => json!("https://example.com/letter.pdf"),
            _ => json!("text"),
        },
    }
}

/// A valid body of the job operation at `path`.
fn body_of(doc: &Value, path: &str) -> Value {
    let pointer = format!(
        "/paths/{}/post/requestBody/content/application~1json/schema",
        path.replace('/', "~1")
    );
    instance(doc, doc.pointer(&pointer).unwrap_or(&Value::Null), 0)
}

/// Submits the body for `path` through `$method`, its type `$ty`:
/// `(operationId, jobId, the body as sent)`.
macro_rules! submit {
    ($client:expr, $credential:expr, $doc:expr, $method:ident, $ty:ident, $path:literal, $id:literal) => {{
        let body: types::$ty = serde_json::from_value(body_of($doc, $path))?;
        let response = $client.$method($credential, &body).await?;
        assert_eq!(response.status().as_u16(), 200, "{}", $id);
        let answer = response.into_body();
        assert_eq!(answer.status.as_deref(), Some("accepted"), "{}", $id);
        let job_id = answer.job_id.ok_or(concat!($id, ": no jobId"))?;
        ($id, job_id, serde_json::to_value(&body)?)
    }};
}

async fn job_credential(sandbox: &Sandbox, scopes: &[&str]) -> Result<BearerAuth, BoxError> {
    let long = long_token(sandbox, &["jobs:submit", "tokens:revoke"]).await?;
    let short = short_token(sandbox, &long, scopes).await?;
    // An issued token converts into the job operations' bearer credential.
    Ok(BearerAuth::from(&short))
}

#[tokio::test]
async fn every_job_operation_is_accepted_and_kept() -> TestResult {
    let doc = document()?;
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let token = job_credential(&sandbox, &["jobs:submit"]).await?;
    let sent = [
        submit!(
            client,
            &token,
            &doc,
            submit_single_doc_with_template_params,
            SubmitSingleDocWithTemplateParamsBody,
            "/jobs/single-doc-job-template",
            "submitSingleDocWithTemplateParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            submit_multi_doc_with_template_params,
            SubmitMultiDocWithTemplateParamsBody,
            "/jobs/multi-docs-job-template",
            "submitMultiDocWithTemplateParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            merge_multi_doc_with_template_params,
            MergeMultiDocWithTemplateParamsBody,
            "/jobs/multi-doc-merge-job-template",
            "mergeMultiDocWithTemplateParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            single_doc_job_params,
            SingleDocJobParamsBody,
            "/jobs/single-doc",
            "singleDocJobParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            submit_multi_doc_params,
            SubmitMultiDocParamsBody,
            "/jobs/multi-doc",
            "submitMultiDocParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            merge_multi_doc_params,
            MergeMultiDocParamsBody,
            "/jobs/multi-doc-merge",
            "mergeMultiDocParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            split_pdf_params,
            SplitPdfParamsBody,
            "/jobs/single-pdf-split",
            "splitPdfParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            split_pdf_with_capture_params,
            SplitPdfWithCaptureParamsBody,
            "/jobs/single-pdf-split-addressCapture",
            "splitPdfWithCaptureParams"
        ),
        submit!(
            client,
            &token,
            &doc,
            multi_pdf_with_capture_params,
            MultiPdfWithCaptureParamsBody,
            "/jobs/multi-pdf-address-capture",
            "multiPdfWithCaptureParams"
        ),
    ];
    let kept = sandbox.jobs();
    assert_eq!(kept.len(), 9);
    for ((operation_id, job_id, body), job) in sent.iter().zip(&kept) {
        assert_eq!(job.operation_id, *operation_id);
        assert_eq!(&job.job_id, job_id);
        assert_eq!(
            &job.body, body,
            "{operation_id}: what arrived is what was sent"
        );
        assert_eq!(job.client_id, c2m_auth::sandbox::EXAMPLE_CLIENT_ID);
    }
    let ids: BTreeSet<&String> = kept.iter().map(|job| &job.job_id).collect();
    assert_eq!(ids.len(), 9, "each job has its own id");
    Ok(())
}

#[tokio::test]
async fn a_job_needs_a_short_term_token_holding_jobs_submit() -> TestResult {
    let doc = document()?;
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let body: types::SingleDocJobParamsBody =
        serde_json::from_value(body_of(&doc, "/jobs/single-doc"))?;
    let long = long_token(&sandbox, &["jobs:submit", "tokens:revoke"]).await?;
    let refused = [
        BearerAuth::new(long.access_token.clone()),
        job_credential(&sandbox, &["tokens:revoke"]).await?,
        BearerAuth::new("not-a-token"),
    ];
    for credential in &refused {
        let error = match client.single_doc_job_params(credential, &body).await {
            Ok(_) => return Err("a job was accepted without a short-term jobs:submit token".into()),
            Err(error) => error,
        };
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");
    }
    assert!(sandbox.jobs().is_empty(), "no refused job is kept");
    Ok(())
}

#[tokio::test]
async fn a_body_that_does_not_decode_is_400_without_a_body() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let auth = bearer_header(&short.access_token);
    for body in ["{}", "{\"documentSourceIdentifier\": 1}", "not json"] {
        let response = raw_post(
            &sandbox,
            "/jobs/single-doc",
            std::slice::from_ref(&auth),
            Some(("application/json", body)),
        )
        .await?;
        assert_eq!(response.status().as_u16(), 400, "{body}");
        assert!(response.bytes().await?.is_empty(), "the spec lists no body");
    }
    assert!(sandbox.jobs().is_empty());
    Ok(())
}
