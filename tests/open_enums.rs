//! Open enums over loopback: a value the spec does not list decodes into
//! `Unknown` and goes back out as the same text, so an older client
//! survives a newer server, and a newer client an older sandbox.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response as HttpResponse;
use c2m_auth::runtime::Error;
use c2m_auth::sandbox::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, Sandbox};
use c2m_auth::security::{ClientKey, LongTokenAuth};
use c2m_auth::{Client, types};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A long-term token whose `token_type` is a value the spec does not list.
const DPOP_TOKEN: &str = r#"{"token_type":"DPoP","access_token":"lt_dpop_value","expires_in":2592000,"expires_at":"2030-01-01T00:00:00Z"}"#;

/// A server that answers every request with `DPOP_TOKEN` and keeps the
/// request bodies it saw.
async fn newer_server() -> std::io::Result<(Arc<Mutex<Vec<Bytes>>>, Client)> {
    let seen: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let app = Router::new()
        .fallback(
            |State(seen): State<Arc<Mutex<Vec<Bytes>>>>, request: Request| async move {
                let body = axum::body::to_bytes(request.into_body(), 1 << 16)
                    .await
                    .unwrap_or_default();
                if let Ok(mut seen) = seen.lock() {
                    seen.push(body);
                }
                let mut response = HttpResponse::new(Body::from(DPOP_TOKEN));
                *response.status_mut() = StatusCode::CREATED;
                response
                    .headers_mut()
                    .insert("content-type", HeaderValue::from_static("application/json"));
                response
            },
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = Client::with_base_url(&format!("http://{address}"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok((seen, client))
}

fn request(grant: types::LongTokenRequestGrantType) -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(grant, EXAMPLE_CLIENT_ID);
    request.client_secret = Some(EXAMPLE_CLIENT_SECRET.into());
    request
}

#[tokio::test]
async fn a_response_value_the_spec_does_not_list_decodes_as_unknown() -> TestResult {
    let (_, client) = newer_server().await?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let issued = client
        .issue_long_term_token(
            &key,
            &request(types::LongTokenRequestGrantType::ClientCredentials),
        )
        .await?;
    let token_type = &issued.token_type;
    let types::LongTokenResponseTokenType::Unknown(value) = token_type else {
        panic!("`DPoP` decoded as a listed variant: {token_type:?}");
    };
    assert_eq!(value.as_str(), "DPoP");
    assert_eq!(token_type.as_str(), "DPoP");
    assert_eq!(token_type.to_string(), "DPoP");
    // What a user's `match` looks like: the wildcard arm takes it.
    let kind = match token_type {
        types::LongTokenResponseTokenType::Bearer => "bearer",
        _ => "another",
    };
    assert_eq!(kind, "another");
    // The rest of the body is intact, and it goes back out as it came.
    assert_eq!(issued.expires_in, 2_592_000);
    let again = serde_json::to_value(issued.body())?;
    assert_eq!(again["token_type"], "DPoP");
    Ok(())
}

#[tokio::test]
async fn a_request_value_the_spec_does_not_list_is_sent_as_its_text() -> TestResult {
    let (seen, client) = newer_server().await?;
    let grant = types::LongTokenRequestGrantType::from("urn:example:new-grant");
    assert!(matches!(
        grant,
        types::LongTokenRequestGrantType::Unknown(_)
    ));
    client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request(grant))
        .await?;
    let bodies = seen.lock().map(|b| b.clone()).unwrap_or_default();
    let sent: serde_json::Value = serde_json::from_slice(&bodies[0])?;
    assert_eq!(sent["grant_type"], "urn:example:new-grant");
    Ok(())
}

#[test]
fn listed_text_always_picks_the_named_variant() {
    use types::LongTokenRequestGrantType as Grant;
    assert_eq!(Grant::from("assertion"), Grant::Assertion);
    assert_eq!(
        Grant::from(String::from("client_credentials")),
        Grant::ClientCredentials
    );
    assert_eq!("assertion".parse::<Grant>(), Ok(Grant::Assertion));
    // Text is matched exactly, as serde did before.
    assert!(matches!(Grant::from("Assertion"), Grant::Unknown(_)));
    let decoded: Grant = serde_json::from_str(r#""assertion""#).expect("a JSON string");
    assert_eq!(decoded, Grant::Assertion);
    assert!(serde_json::from_str::<Grant>("3").is_err(), "not a string");
}

/// The sandbox answers an unlisted grant type with OAuth's
/// `unsupported_grant_type`, and does not echo the caller's text.
#[tokio::test]
async fn the_sandbox_refuses_an_unlisted_grant_type_by_name() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let client = Client::with_base_url(&sandbox.base_url())?;
    let grant = types::LongTokenRequestGrantType::from("s3cr3t-grant");
    let error = client
        .issue_long_term_token(&ClientKey::new(EXAMPLE_CLIENT_ID), &request(grant))
        .await
        .err()
        .ok_or("an unlisted grant type was accepted")?;
    let Error::Api { status, body, .. } = &error else {
        panic!("not an API error: {error}");
    };
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(body.code, "unsupported_grant_type");
    assert!(!body.message.contains("s3cr3t-grant"), "{}", body.message);
    // A listed grant still works against the same sandbox.
    let issued = client
        .issue_long_term_token(
            &ClientKey::new(EXAMPLE_CLIENT_ID),
            &request(types::LongTokenRequestGrantType::ClientCredentials),
        )
        .await?;
    let _ = LongTokenAuth::from(issued.body());
    sandbox.shutdown().await;
    Ok(())
}
