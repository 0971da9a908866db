//! The generator on a second spec (`tests/second_spec/spec.yaml`) that
//! differs from ours in every respect the typed layer handles, against a
//! recording server on loopback: each feature follows the spec, not our
//! three operations.
//!
//! The generated code is checked in (`tests/second_spec/generated.rs`); the
//! first test keeps it current.

mod recording;

use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response as HttpResponse;
use c2m_auth::runtime::{Anonymous, Error, Secret};
use recording::{Recorded, RecordingServer};

#[allow(clippy::all, dead_code)]
mod widgets {
    include!("second_spec/generated.rs");
}

use widgets::{Client, Server, security, types};

#[test]
fn generated_snapshot_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = c2m_auth_codegen::Config::new(root.join("tests/second_spec/spec.yaml"));
    config.display_name("tests/second_spec/spec.yaml");
    let fresh = config.generate().unwrap_or_else(|e| panic!("{e}"));
    let outcome = c2m_auth_codegen::check_snapshot(
        &root.join("tests/second_spec/generated.rs"),
        &fresh,
        "cargo run -p c2m-auth-codegen -- generate tests/second_spec/spec.yaml --out tests/second_spec/generated.rs",
    );
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

/// How the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reply {
    Valid,
    /// `/health` answers this status.
    HealthSays(&'static str),
    HeaderNotInteger,
    HeaderMissing,
    HeaderBelowMinimum,
    TooManyItems,
    BodyBreaksBound,
    Problem,
}

const WIDGET: &str =
    r#"{"name":"sprocket","weight":2.5,"tags":["ab"],"secret_code":"s3cr3t-code"}"#;

/// The server's answer to `request`, as `reply` says.
fn answer(reply: Reply, request: &Recorded) -> HttpResponse {
    let json = |status: StatusCode, text: String| {
        let mut response = HttpResponse::new(Body::from(text));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        response
    };
    if reply == Reply::Problem {
        return json(StatusCode::BAD_REQUEST, r#"{"detail":"no"}"#.into());
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/widgets") => {
            let items = if reply == Reply::TooManyItems {
                format!("[{WIDGET},{WIDGET},{WIDGET}]")
            } else {
                format!("[{WIDGET}]")
            };
            let mut response = json(StatusCode::OK, format!(r#"{{"items":{items}}}"#));
            let headers = response.headers_mut();
            match reply {
                Reply::HeaderMissing => {}
                Reply::HeaderNotInteger => {
                    headers.insert("x-rate-remaining", HeaderValue::from_static("lots"));
                }
                Reply::HeaderBelowMinimum => {
                    headers.insert("x-rate-remaining", HeaderValue::from_static("-1"));
                }
                _ => {
                    headers.insert("x-rate-remaining", HeaderValue::from_static("41"));
                }
            }
            headers.insert(
                "x-expires",
                HeaderValue::from_static("2030-01-02T03:04:05Z"),
            );
            headers.insert("x-tags", HeaderValue::from_static("red, green"));
            response
        }
        ("POST", "/api/widgets") => {
            let body = if reply == Reply::BodyBreaksBound {
                WIDGET.replace("2.5", "0")
            } else {
                WIDGET.to_string()
            };
            let mut response = json(StatusCode::CREATED, body);
            response
                .headers_mut()
                .insert("x-session", HeaderValue::from_static("sess-very-secret"));
            response
        }
        ("PUT", p) if p.ends_with("/notes") => {
            let mut response = HttpResponse::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        ("GET", "/api/health") => {
            let status = match reply {
                Reply::HealthSays(status) => status,
                _ => "ok",
            };
            json(StatusCode::OK, format!(r#"{{"status":"{status}"}}"#))
        }
        _ => json(StatusCode::NOT_FOUND, r#"{"detail":"unknown"}"#.into()),
    }
}

/// A recording server on loopback and a client for it; the server stops
/// when dropped.
async fn serve(reply: Reply) -> (RecordingServer, Client) {
    let recorder = RecordingServer::start(move |request: &Recorded| answer(reply, request))
        .await
        .expect("bind loopback");
    let client =
        Client::with_base_url(&format!("{}/api", recorder.base_url())).expect("loopback base URL");
    (recorder, client)
}

fn widget() -> types::Widget {
    let mut widget = types::Widget::new(
        "sprocket".parse::<types::WidgetName>().expect("valid name"),
        2.5,
        vec!["ab".parse().expect("valid tag")],
    );
    widget.secret_code = Some(Secret::from("s3cr3t-code"));
    widget
}

/// The widget with one change.
fn widget_with(change: impl FnOnce(&mut types::Widget)) -> types::Widget {
    let mut widget = widget();
    change(&mut widget);
    widget
}

#[tokio::test]
async fn document_wide_http_bearer_security_and_typed_headers() {
    let (recorder, client) = serve(Reply::Valid).await;
    let page = client
        .list_widgets(&security::BearerAuth::new("bearer-token-1"), None)
        .await
        .expect("listed");
    assert_eq!(page.status(), 200);
    assert_eq!(page.items.len(), 1);
    // Headers are typed per their schemas: integer, date-time, array.
    let headers = page.headers();
    assert_eq!(headers.x_rate_remaining, 41);
    assert_eq!(
        headers.x_expires.map(|t| t.to_rfc3339()),
        Some("2030-01-02T03:04:05+00:00".to_string())
    );
    assert_eq!(
        headers.x_tags,
        Some(vec!["red".to_string(), "green".to_string()])
    );

    let seen = recorder.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["authorization"], "Bearer bearer-token-1");
    assert!(seen[0].headers.get("api-version").is_none());
    assert!(seen[0].query.is_none());
}

#[tokio::test]
async fn a_query_parameter_out_of_bounds_never_leaves_the_process() {
    let (recorder, client) = serve(Reply::Valid).await;
    let too_many = std::num::NonZeroU64::new(101);
    let error = client
        .list_widgets(&security::BearerAuth::new("t"), too_many)
        .await
        .expect_err("limit 101 is above the maximum");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "request not sent: `limit` is 101, more than the maximum 100"
    );
    assert!(recorder.seen().is_empty());

    client
        .list_widgets(
            &security::BearerAuth::new("t"),
            std::num::NonZeroU64::new(100),
        )
        .await
        .expect("limit 100 is allowed");
    assert_eq!(recorder.seen()[0].query.as_deref(), Some("limit=100"));
}

#[tokio::test]
async fn a_header_that_does_not_parse_or_breaks_its_bound_is_an_error() {
    for (reply, expected) in [
        (
            Reply::HeaderNotInteger,
            "response header `X-Rate-Remaining` is not an integer",
        ),
        (
            Reply::HeaderMissing,
            "response header `X-Rate-Remaining` is missing, though the spec requires it",
        ),
        (
            Reply::HeaderBelowMinimum,
            "response header `X-Rate-Remaining` is -1, less than the minimum 0",
        ),
    ] {
        let (_recorder, client) = serve(reply).await;
        let error = client
            .list_widgets(&security::BearerAuth::new("t"), None)
            .await
            .expect_err("bad header");
        match &error {
            Error::InvalidResponse { status, reason } => {
                assert_eq!(*status, Some(reqwest::StatusCode::OK));
                assert_eq!(reason, expected);
            }
            other => panic!("expected InvalidResponse, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn responses_that_break_bounds_are_rejected_on_decode() {
    let (_recorder, client) = serve(Reply::TooManyItems).await;
    let error = client
        .list_widgets(&security::BearerAuth::new("t"), None)
        .await
        .expect_err("three items, maxItems 2");
    assert!(
        error
            .to_string()
            .contains("`items` has 3 items, more than maxItems 2"),
        "{error}"
    );

    let (_recorder, client) = serve(Reply::BodyBreaksBound).await;
    let error = client
        .create_widget(&Anonymous, &widget())
        .await
        .expect_err("weight 0 is not above the exclusive minimum");
    assert!(
        error
            .to_string()
            .contains("`weight` is 0.0, not greater than the exclusive minimum 0"),
        "{error}"
    );
}

#[tokio::test]
async fn schemes_required_together_go_on_the_wire_together_and_only_them() {
    let (recorder, client) = serve(Reply::Valid).await;
    let credential = (
        security::ApiKeyQuery::new("query-key-123"),
        security::BasicAuth::new("ada", "pa55word"),
    );
    let created = client
        .create_widget(&credential, &widget())
        .await
        .expect("created");
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers().x_session.expose(), "sess-very-secret");
    assert!(!format!("{:?}", created.headers()).contains("sess-very-secret"));

    let seen = &recorder.seen()[0];
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.query.as_deref(), Some("api_key=query-key-123"));
    // base64("ada:pa55word")
    assert_eq!(seen.headers["authorization"], "Basic YWRhOnBhNTV3b3Jk");
    assert!(seen.headers.get("cookie").is_none());
    let sent: serde_json::Value = serde_json::from_slice(&seen.body).expect("JSON body");
    assert_eq!(sent["secret_code"], "s3cr3t-code");
}

#[tokio::test]
async fn an_anonymous_alternative_sends_no_credential() {
    let (recorder, client) = serve(Reply::Valid).await;
    client
        .create_widget(&Anonymous, &widget())
        .await
        .expect("created");
    let seen = &recorder.seen()[0];
    assert!(seen.headers.get("authorization").is_none());
    assert!(seen.query.is_none());
}

#[tokio::test]
async fn an_operation_without_security_takes_no_credential() {
    let (recorder, client) = serve(Reply::Valid).await;
    let health = client.health().await.expect("alive");
    assert_eq!(health.status, types::HealthResponseStatus::Ok);
    assert!(recorder.seen()[0].headers.get("authorization").is_none());
}

/// The open enum's catch-all is `Unknown`, unless the spec has a value of
/// that name: then it is `UnknownValue`, and the spec's `unknown` keeps its
/// own variant.
#[tokio::test]
async fn an_enum_with_its_own_unknown_keeps_it_and_catches_the_rest_apart() {
    use types::HealthResponseStatus as Status;

    let (_recorder, client) = serve(Reply::HealthSays("unknown")).await;
    let health = client.health().await.expect("a listed value");
    assert_eq!(health.status, Status::Unknown);

    let (_recorder, client) = serve(Reply::HealthSays("rebooting")).await;
    let health = client.health().await.expect("an unlisted value decodes");
    let Status::UnknownValue(value) = &health.status else {
        panic!("not kept as unlisted: {:?}", health.status);
    };
    assert_eq!(value.as_str(), "rebooting");
    assert_eq!(health.status.to_string(), "rebooting");
    assert_eq!(
        serde_json::to_string(&health.status).expect("serializes"),
        r#""rebooting""#
    );
    assert_eq!(Status::from("unknown"), Status::Unknown);
    assert_eq!(Status::from("degraded"), Status::Degraded);
}

#[tokio::test]
async fn body_bounds_are_checked_before_sending() {
    let (recorder, client) = serve(Reply::Valid).await;
    let cases = [
        (
            widget_with(|w| w.weight = 0.0),
            "`weight` is 0.0, not greater than the exclusive minimum 0",
        ),
        (
            widget_with(|w| w.weight = 1000.0),
            "`weight` is 1000.0, not less than the exclusive maximum 1000",
        ),
        (
            widget_with(|w| w.weight = 2.25),
            "`weight` is 2.25, not a multiple of 0.5",
        ),
        (
            widget_with(|w| w.tags.clear()),
            "`tags` has 0 items, fewer than minItems 1",
        ),
        (
            widget_with(|w| {
                w.tags = ["aa", "bb", "cc", "dd"]
                    .iter()
                    .filter_map(|t| t.parse().ok())
                    .collect()
            }),
            "`tags` has 4 items, more than maxItems 3",
        ),
    ];
    for (body, expected) in cases {
        let error = client
            .create_widget(&Anonymous, &body)
            .await
            .expect_err(expected);
        assert_eq!(error.to_string(), format!("request not sent: {expected}"));
    }
    assert!(recorder.seen().is_empty());

    // String bounds are in the types themselves: such a value cannot be built.
    assert!("ab".parse::<types::WidgetName>().is_err());
    assert!("Sprocket".parse::<types::WidgetName>().is_err());
    assert!("x".parse::<types::WidgetTagsItem>().is_err());
    assert!("x1".parse::<types::AnnotateWidgetWidgetId>().is_err());
}

#[tokio::test]
async fn an_optional_inline_body_can_be_omitted_entirely() {
    let (recorder, client) = serve(Reply::Valid).await;
    let session = security::SessionCookie::new("cookie-value");
    let id: types::AnnotateWidgetWidgetId = "w42".parse().expect("valid id");
    client
        .annotate_widget(&session, &id, None)
        .await
        .expect("noted");
    let mut note = types::AnnotateWidgetBody::new(
        "hello"
            .parse::<types::AnnotateWidgetBodyText>()
            .expect("valid text"),
    );
    note.urgent = Some(true);
    client
        .annotate_widget(&session, &id, Some(&note))
        .await
        .expect("noted");

    let seen = recorder.seen();
    assert_eq!(seen[0].path, "/api/widgets/w42/notes");
    assert!(seen[0].body.is_empty(), "no body at all");
    assert!(seen[0].headers.get("content-type").is_none());
    assert_eq!(seen[0].headers["cookie"], "session=cookie-value");
    assert!(seen[0].headers.get("authorization").is_none());
    assert_eq!(&seen[1].body[..], br#"{"text":"hello","urgent":true}"#);
    assert_eq!(seen[1].headers["content-type"], "application/json");
}

#[tokio::test]
async fn error_bodies_of_the_declared_type() {
    let (_recorder, client) = serve(Reply::Problem).await;
    let error = client
        .list_widgets(&security::BearerAuth::new("t"), None)
        .await
        .expect_err("400");
    match error {
        Error::Api { status, body, .. } => {
            assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
            assert_eq!(body.detail.as_str(), "no");
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[test]
fn servers_become_named_choices_with_variables_filled_in() {
    // `region` is `eu` (the default) or `us`: one choice each.
    assert_eq!(
        Server::ALL,
        &[Server::Regional, Server::RegionalUs, Server::Staging]
    );
    assert_eq!(Server::default(), Server::Regional);
    assert_eq!(Server::Regional.url(), "https://eu.widgets.test/api");
    assert_eq!(Server::RegionalUs.url(), "https://us.widgets.test/api");
    assert_eq!(
        Server::RegionalUs.description(),
        "Regional deployment (`region` = `us`)"
    );
    assert_eq!(Server::Staging.url(), "https://staging.widgets.test/api");
    let client = Client::new().expect("default server");
    assert_eq!(client.base_url(), "https://eu.widgets.test/api");
    let client = Client::for_server(Server::Staging).expect("staging");
    assert_eq!(client.base_url(), "https://staging.widgets.test/api");
    assert!(Client::with_base_url("http://widgets.test/api").is_err());
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let body = widget();
    assert!(!format!("{body:?}").contains("s3cr3t-code"));
    let basic = security::BasicAuth::new("ada", "pa55word");
    assert!(!format!("{basic:?}").contains("pa55word"));
    let key = security::ApiKeyQuery::new("query-key-123");
    assert!(!format!("{key:?}").contains("query-key-123"));

    // A transport failure with the key in the query: the error has no URL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = Client::with_base_url(&format!("http://{address}/api")).expect("loopback");
    let error = client
        .create_widget(&(key, basic), &widget())
        .await
        .expect_err("nothing listens there");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("query-key-123"), "{text}");
        assert!(!text.contains("pa55word"), "{text}");
    }
}
