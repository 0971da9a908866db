//! An explicit `null` for a field the spec does not make nullable is
//! refused in both directions: by the generated types themselves, so by the
//! client reading a response (checked over a raw loopback server) as by
//! anything decoding a request.

use c2m_auth::runtime::Error;
use c2m_auth::{Client, security, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[test]
fn an_absent_optional_field_is_none_but_an_explicit_null_is_refused() {
    let absent: types::LongTokenRequest =
        serde_json::from_str(r#"{"grant_type":"client_credentials","client_id":"c2m_abc123"}"#)
            .unwrap();
    assert!(absent.client_secret.is_none());

    for field in [
        "client_secret",
        "otp_code",
        "assertion",
        "ttl_seconds",
        "assertion_type",
    ] {
        let body = format!(
            r#"{{"grant_type":"client_credentials","client_id":"c2m_abc123","{field}":null}}"#
        );
        let error = serde_json::from_str::<types::LongTokenRequest>(&body)
            .expect_err(field)
            .to_string();
        assert!(error.contains("null"), "{field}: {error}");
    }
    // `scopes` is a list with a default: `null` was never a list.
    assert!(serde_json::from_str::<types::ShortTokenRequest>(r#"{"scopes":null}"#).is_err());
}

#[test]
fn the_payload_description_names_the_null_field() {
    let description = c2m_auth::runtime::describe_payload::<types::LongTokenResponse>(
        br#"{"token_type":"Bearer","access_token":"lt_x","expires_in":3600,"expires_at":"2025-09-25T22:45:00Z","token_id":null}"#,
    )
    .unwrap_or_default();
    assert_eq!(
        description,
        "`token_id` is null, which the spec does not allow here"
    );
    assert!(!description.contains("lt_x"), "{description}");
}

/// One response of a loopback server that answers every request with `body`.
async fn serve_once(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut head = Vec::new();
        let mut buffer = [0u8; 4096];
        // The head, then whatever of the body came with it: the answer does
        // not depend on it.
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buffer[..n]),
            }
        }
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
    });
    base
}

#[tokio::test]
async fn a_response_with_null_for_a_non_nullable_field_is_invalid() {
    let base = serve_once(
        "201 Created",
        r#"{"token_type":"Bearer","access_token":"st_secret","expires_in":900,"expires_at":"2025-08-26T22:45:00Z","token_id":null}"#,
    )
    .await;
    let client = Client::with_base_url(&base).unwrap();
    let error = client
        .issue_short_term_token(&security::LongTokenAuth::new("lt_x"), None)
        .await
        .expect_err("null token_id");
    let Error::InvalidResponse { status, reason } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(status.map(|s| s.as_u16()), Some(201));
    assert!(reason.contains("`token_id`"), "{reason}");
    assert!(!error.to_string().contains("st_secret"), "{error}");
}

#[tokio::test]
async fn the_same_response_without_the_field_is_accepted() {
    let base = serve_once(
        "201 Created",
        r#"{"token_type":"Bearer","access_token":"st_secret","expires_in":900,"expires_at":"2025-08-26T22:45:00Z"}"#,
    )
    .await;
    let client = Client::with_base_url(&base).unwrap();
    let short = client
        .issue_short_term_token(&security::LongTokenAuth::new("lt_x"), None)
        .await
        .unwrap();
    assert!(short.token_id.is_none());
}
