//! Path and query parameters stay where the spec puts them, whatever their
//! value: checked against the request line a raw loopback server sees.
//!
//! Every value of the table either reaches the server as exactly one path
//! segment (or one query value) that decodes back to itself, below the
//! client's base path, or is refused before anything is sent.

use std::sync::{Arc, Mutex};

use c2m_auth::runtime::Error;
use c2m_auth::{Client, security};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[allow(clippy::all, dead_code)]
mod widgets {
    include!("second_spec/generated.rs");
}

/// Awkward values: dots, slashes both ways, percent, `?#;&=+`, controls,
/// spaces, Unicode, and very long.
fn awkward_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "...",
        ".x",
        "x.",
        "./x",
        "../x",
        "../../x",
        "..\\..\\..\\x",
        "\\",
        "/",
        "//",
        "a/b",
        "a\\b",
        "%2e%2e",
        "%2F",
        "%",
        "%zz",
        "100%",
        "a?b",
        "a#b",
        "a;b",
        "a&b=c",
        "a+b",
        "a b",
        "\t",
        "\r\n",
        "a\u{0}b",
        "\u{7f}",
        "é",
        "日本語",
        "🦀",
        "\u{202e}rtl",
        "tok_lt_b8e0aa",
        "~user",
        "@:!$'()*,",
        "[::1]",
        "\"quoted\"",
        "<tag>",
        "{x}",
        "|^`",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push("x".repeat(4096));
    values.push("../".repeat(500));
    values
}

/// The request lines a loopback server received, answering each `204`.
struct RawServer {
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    async fn start() -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&lines);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    let line = text.lines().next().unwrap_or_default().to_string();
                    seen.lock().unwrap().push(line);
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        RawServer { base, lines }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

/// The request target of `POST /x HTTP/1.1`.
fn target(line: &str) -> &str {
    line.split(' ').nth(1).unwrap_or_default()
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn every_path_value_is_one_segment_below_the_base_path() {
    let server = RawServer::start().await;
    let client = Client::with_base_url(&format!("{}/v2", server.base)).unwrap();
    let credential = security::LongTokenAuth::new("lt_secret");
    let values = awkward_values();
    assert!(values.len() >= 30);
    for value in &values {
        client
            .revoke_token(&credential, value)
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        let lines = server.take();
        assert_eq!(lines.len(), 1, "{value:?}: {lines:?}");
        let path = target(&lines[0]);
        let segment = path
            .strip_prefix("/v2/auth/tokens/")
            .and_then(|rest| rest.strip_suffix("/revoke"))
            .unwrap_or_else(|| panic!("{value:?} left its segment: {path}"));
        assert!(
            !segment.contains('/') && !segment.contains('\\') && !segment.contains('?'),
            "{value:?} gave the segment {segment}"
        );
        assert_eq!(&decode(segment), value, "{path}");
    }
}

#[tokio::test]
async fn empty_and_dot_segments_are_refused_before_sending() {
    let server = RawServer::start().await;
    let client = Client::with_base_url(&format!("{}/v2", server.base)).unwrap();
    let credential = security::LongTokenAuth::new("lt_secret");
    for value in ["", ".", ".."] {
        let error = client
            .revoke_token(&credential, value)
            .await
            .expect_err(value);
        let Error::InvalidRequest(bounds) = &error else {
            panic!("{value:?}: {error:?}");
        };
        assert_eq!(bounds.path, "tokenId", "{error}");
        assert!(error.to_string().contains("`tokenId`"), "{error}");
    }
    assert_eq!(server.take(), Vec::<String>::new());
}

#[tokio::test]
async fn every_query_value_is_one_value_of_its_own_parameter() {
    let server = RawServer::start().await;
    let client = widgets::Client::with_base_url(&format!("{}/v1", server.base)).unwrap();
    for value in awkward_values() {
        client
            .find_part("p1", Some(&value))
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        let lines = server.take();
        assert_eq!(lines.len(), 1, "{value:?}: {lines:?}");
        let request_target = target(&lines[0]);
        let (path, query) = request_target
            .split_once('?')
            .unwrap_or_else(|| panic!("{value:?}: no query in {request_target}"));
        assert_eq!(path, "/v1/parts/p1", "{value:?}");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            pairs,
            [("q".to_string(), value.clone())],
            "{request_target}"
        );
        assert!(!query.contains('#'), "{request_target}");
    }
}

#[tokio::test]
async fn path_values_of_the_second_spec_stay_in_their_segment_too() {
    let server = RawServer::start().await;
    let client = widgets::Client::with_base_url(&format!("{}/v1", server.base)).unwrap();
    for value in awkward_values() {
        client
            .find_part(&value, None)
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        let lines = server.take();
        let path = target(&lines[0]);
        let segment = path
            .strip_prefix("/v1/parts/")
            .unwrap_or_else(|| panic!("{value:?} left its segment: {path}"));
        assert!(!segment.contains('/'), "{path}");
        assert_eq!(decode(segment), value, "{path}");
    }
    let error = client.find_part("..", None).await.expect_err("dot segment");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
}
