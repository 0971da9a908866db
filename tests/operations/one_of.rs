//! `oneOf` means exactly one: a JSON value matching two shapes of
//! `DocumentSourceIdentifier` (or none) does not decode, a body holding
//! such a value is refused before sending, and the sandbox answers it 400.

use c2m_auth::runtime::Error;
use c2m_auth::sandbox::Sandbox;
use c2m_auth::security::BearerAuth;
use c2m_auth::types;
use serde_json::{Value, json};

use crate::fixture::{TestResult, bearer_header, client, long_token, raw_post, short_token};

/// `uploadRequestId`, `zipId` and `documentName`: the required properties
/// of three object shapes at once, since the shapes are open.
fn ambiguous_source() -> Value {
    json!({"uploadRequestId": 1, "zipId": 2, "documentName": "letter.pdf"})
}

/// A single-document template job whose document source is `source`.
fn template_job(source: Value) -> Value {
    json!({
        "documentSourceIdentifier": source,
        "jobTemplate": "letter",
        "paymentDetails": {"invoiceDetails": {"invoiceNumber": "1", "amountDue": 1.5}},
    })
}

#[test]
fn a_value_matching_several_shapes_does_not_decode() {
    let decoded = serde_json::from_value::<types::DocumentSourceIdentifier>(ambiguous_source());
    let message = decoded.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        message,
        "DocumentSourceIdentifier: value matches 3 of its oneOf shapes \
         (UploadRequestId, UploadRequestIdZipId, ZipId); exactly one is required"
    );
}

#[test]
fn a_value_matching_no_shape_does_not_decode() {
    let decoded = serde_json::from_value::<types::DocumentSourceIdentifier>(json!({"zipId": 2}));
    let message = decoded.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("DocumentSourceIdentifier: value matches none of its oneOf shapes"),
        "{message}"
    );
}

#[test]
fn a_value_matching_one_shape_decodes_into_it() -> TestResult {
    let source: types::DocumentSourceIdentifier =
        serde_json::from_value(json!({"uploadRequestId": 1, "documentName": "a.pdf"}))?;
    assert!(matches!(
        source,
        types::DocumentSourceIdentifier::UploadRequestId { .. }
    ));
    let source: types::DocumentSourceIdentifier = serde_json::from_value(json!(7))?;
    assert!(matches!(source, types::DocumentSourceIdentifier::DocumentId(_)));
    Ok(())
}

#[tokio::test]
async fn a_body_matching_several_shapes_is_refused_before_sending() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = client(&sandbox)?;
    let mut body: types::SubmitSingleDocWithTemplateParamsBody =
        serde_json::from_value(template_job(json!(7)))?;
    // Built in Rust, the value is one shape; its JSON is three.
    if let types::SubmitSingleDocWithTemplateParamsBody::DocumentSourceIdentifier {
        document_source_identifier,
        ..
    } = &mut body
    {
        *document_source_identifier = types::DocumentSourceIdentifier::UploadRequestIdZipId {
            document_name: types::DocumentName("letter.pdf".into()),
            upload_request_id: types::UploadRequestId(1),
            zip_id: types::ZipId(2),
        };
    }
    let credential = BearerAuth::new("never-sent");
    let error = match client
        .submit_single_doc_with_template_params(&credential, &body)
        .await
    {
        Ok(_) => return Err("an ambiguous body was sent".into()),
        Err(error) => error,
    };
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("DocumentSourceIdentifier: value matches 3 of its oneOf shapes"),
        "{message}"
    );
    assert_eq!(
        sandbox.request_count("submitSingleDocWithTemplateParams"),
        0,
        "nothing reached the server"
    );
    Ok(())
}

#[tokio::test]
async fn the_sandbox_answers_an_ambiguous_body_400() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let long = long_token(&sandbox, &["jobs:submit"]).await?;
    let short = short_token(&sandbox, &long, &["jobs:submit"]).await?;
    let auth = bearer_header(&short.access_token);
    let send = |body: String| {
        let auth = auth.clone();
        let sandbox = &sandbox;
        async move {
            raw_post(
                sandbox,
                "/jobs/single-doc-job-template",
                std::slice::from_ref(&auth),
                Some(("application/json", &body)),
            )
            .await
        }
    };
    let accepted = send(template_job(json!(7)).to_string()).await?;
    assert_eq!(accepted.status().as_u16(), 200, "one shape is accepted");
    let refused = send(template_job(ambiguous_source()).to_string()).await?;
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(sandbox.jobs().len(), 1, "the ambiguous job is not kept");
    Ok(())
}
