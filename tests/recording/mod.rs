//! A recording HTTP server on loopback, shared by the test crates that check
//! what a generated client puts on the wire: it keeps every request it
//! receives and answers each with the reply function the test gives.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::Value;
use tokio::task::JoinHandle;

type BoxError = Box<dyn std::error::Error>;

/// The largest request body the server reads; a larger one is recorded
/// empty. Far above anything a test sends.
const BODY_LIMIT: usize = 2 << 20;

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    /// The path as sent, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    /// The only value of header `name`, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        assert!(
            self.headers.get_all(name).iter().count() <= 1,
            "header {name} sent more than once"
        );
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn body_json(&self) -> Result<Value, BoxError> {
        Ok(serde_json::from_slice(&self.body)?)
    }
}

/// How the server answers a request it has recorded.
type Reply = Arc<dyn Fn(&Recorded) -> Response + Send + Sync>;

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Recorded>>>,
    reply: Reply,
}

/// The running server; it stops when dropped.
pub struct RecordingServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl RecordingServer {
    /// Starts a server on `127.0.0.1` answering every request with `reply`.
    pub async fn start(
        reply: impl Fn(&Recorded) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Shared {
            seen: Arc::default(),
            reply: Arc::new(reply),
        };
        let seen = Arc::clone(&shared.seen);
        let app = Router::new().fallback(record).with_state(shared);
        let task = tokio::spawn(async move {
            // Ends when the test drops the server.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, seen, task })
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Recorded>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every request received so far, in order.
    pub fn seen(&self) -> Vec<Recorded> {
        self.lock().clone()
    }

    /// The one request received since the last call; an error if there
    /// were none or several.
    pub fn take_one(&self) -> Result<Recorded, BoxError> {
        let mut seen = self.lock();
        let count = seen.len();
        match seen.pop() {
            Some(request) if count == 1 => Ok(request),
            _ => Err(format!("expected exactly one request, the server saw {count}").into()),
        }
    }

    /// How many requests are recorded.
    pub fn count(&self) -> usize {
        self.lock().len()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let response = (shared.reply)(&recorded);
    shared
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(recorded);
    response
}
