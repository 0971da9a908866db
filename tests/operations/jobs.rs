//! The nine job operations through the generated client: each accepted
//! with a short-term token holding `jobs:submit`, answered with a fresh
//! `jobId`, and kept by the sandbox as it arrived; refused (401, 400, no
//! body, as the spec lists them) without that scope or with a body that
//! does not decode.

use std::collections::BTreeSet;

use c2m_auth::sandbox::Sandbox;
use c2m_auth::security::BearerAuth;
use c2m_auth::types;

#[path = "../common/job_bodies.rs"]
mod job_bodies;

use job_bodies::{body_of, document};

use crate::fixture::{
    BoxError, TestResult, bearer_header, client, long_token, raw_post, short_token,
};

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
