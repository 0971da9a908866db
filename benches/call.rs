//! What the generated client costs over a hand-written reqwest call: the
//! same request (`POST /auth/tokens/short` with a bearer token, no body) to
//! the same loopback server, and the same JSON decoded into the same
//! struct, one call at a time and 64 at once. `cargo bench --bench call`;
//! results in BENCHMARKS.md.

mod support;

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use c2m_auth::security::LongTokenAuth;
use c2m_auth::{Client, types};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future::join_all;

use support::runtime;

/// The response every call gets.
const TOKEN: &str = r#"{"token_type":"Bearer","access_token":"st_bench_token","expires_in":900,"expires_at":"2030-01-01T00:00:00Z","scopes":["jobs:submit"],"token_id":"tok_st_bench"}"#;

const CONCURRENT: usize = 64;

/// A server that answers every exchange with `TOKEN`, doing no work of its
/// own, so both clients meet the same server cost.
async fn server() -> String {
    let app = Router::new().route(
        "/auth/tokens/short",
        post(|| async {
            (
                StatusCode::CREATED,
                [(header::CONTENT_TYPE, "application/json")],
                TOKEN,
            )
                .into_response()
        }),
    );
    let listener = match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
    {
        Ok(listener) => listener,
        Err(error) => panic!("cannot bind loopback: {error}"),
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => panic!("no local address: {error}"),
    };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}")
}

/// The hand-written call: what a user would write with reqwest alone.
async fn by_hand(http: &reqwest::Client, url: &str) -> types::ShortTokenResponse {
    let response = match http.post(url).bearer_auth("lt_bench_token").send().await {
        Ok(response) => response,
        Err(error) => panic!("request failed: {error}"),
    };
    assert_eq!(response.status(), StatusCode::CREATED);
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(error) => panic!("body failed: {error}"),
    };
    match serde_json::from_slice(&bytes) {
        Ok(token) => token,
        Err(error) => panic!("decode failed: {error}"),
    }
}

/// The generated client's call.
async fn generated(client: &Client, auth: &LongTokenAuth) -> types::ShortTokenResponse {
    match client.issue_short_term_token(auth, None).await {
        Ok(response) => response.into_body(),
        Err(error) => panic!("call failed: {error}"),
    }
}

fn calls(c: &mut Criterion) {
    let runtime = runtime();
    let base = runtime.block_on(server());
    let url = format!("{base}/auth/tokens/short");
    // The same settings as the generated client's: no redirects, the same
    // timeout.
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
    {
        Ok(http) => http,
        Err(error) => panic!("cannot build reqwest: {error}"),
    };
    let client = match Client::with_base_url(&base) {
        Ok(client) => client,
        Err(error) => panic!("cannot build the client: {error}"),
    };
    let auth = LongTokenAuth::new("lt_bench_token");

    let mut group = c.benchmark_group("sequential");
    group.bench_function("reqwest by hand", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(by_hand(&http, &url).await) })
    });
    group.bench_function("generated client", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(generated(&client, &auth).await) })
    });
    group.finish();

    let mut group = c.benchmark_group("64 concurrent");
    group.bench_function("reqwest by hand", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(join_all((0..CONCURRENT).map(|_| by_hand(&http, &url))).await)
        })
    });
    group.bench_function("generated client", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(join_all((0..CONCURRENT).map(|_| generated(&client, &auth))).await)
        })
    });
    group.finish();
}

criterion_group!(benches, calls);
criterion_main!(benches);
