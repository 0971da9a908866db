//! Sending a request and reading its response within the client's cap: the
//! generated `exec` and `post` hooks call [`execute`] and
//! [`after_response`].

use bytes::Bytes;
use progenitor_client::Error as RawError;
use reqwest::ResponseBuilderExt as _;
use reqwest::header::{LOCATION, RETRY_AFTER};

use super::CallContext;
use super::call::{Refusal, Seen, parse_retry_after};
use super::options::origin_of;

/// Sends `request` and reads the whole response body, at most the
/// context's cap ([`ClientOptions::max_response_bytes`](super::ClientOptions)).
///
/// A `Content-Length` over the cap is refused before reading anything; a
/// body that grows past it is refused as soon as it does, and the
/// connection is dropped. A refusal is noted in `context`, where
/// [`after_response`] and [`finish`](super::finish) turn it into
/// [`Error::InvalidResponse`](super::Error::InvalidResponse). Otherwise the
/// response is handed on with its body in memory.
pub async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    context: &CallContext,
) -> reqwest::Result<reqwest::Response> {
    let mut response = client.execute(request).await?;
    context.note(see(&response));
    let cap = context.max_response_bytes;
    if let Some(declared) = response.content_length()
        && declared > u64::try_from(cap).unwrap_or(u64::MAX)
    {
        context.refuse(Refusal::Declared { declared, cap });
        return Ok(response);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > cap - body.len() {
            context.refuse(Refusal::Longer { cap });
            // Not read further; dropping it closes the connection.
            return Ok(response);
        }
        grow(&mut body, chunk.len(), cap);
        body.extend_from_slice(&chunk);
    }
    Ok(rebuild(response, Bytes::from(body)))
}

/// The post hook: stops progenitor from decoding a response [`execute`]
/// refused (the error itself comes from [`finish`](super::finish)).
#[allow(clippy::result_large_err)] // progenitor's hook returns its own error type.
pub fn after_response<E>(
    context: &CallContext,
    _result: &reqwest::Result<reqwest::Response>,
) -> Result<(), RawError<E>> {
    match context.refusal() {
        Some(_) => Err(RawError::Custom("response refused".to_string())),
        None => Ok(()),
    }
}

/// What `finish` needs to know of a response before progenitor decodes it.
fn see(response: &reqwest::Response) -> Seen {
    let headers = response.headers();
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    // Where a redirect points, as an origin only: the path and query of a
    // `Location` may carry anything.
    let redirect_origin = response
        .status()
        .is_redirection()
        .then(|| {
            let location = headers.get(LOCATION)?.to_str().ok()?;
            origin_of(&response.url().join(location).ok()?)
        })
        .flatten();
    Seen {
        status: response.status(),
        retry_after,
        redirect_origin,
    }
}

/// Makes room for `extra` more bytes, doubling as `Vec` does but never
/// past `cap`, so the buffer does not outgrow the cap.
fn grow(body: &mut Vec<u8>, extra: usize, cap: usize) {
    if body.capacity() - body.len() >= extra {
        return;
    }
    let wanted = (body.len() + extra).max(body.capacity() * 2).min(cap);
    body.reserve_exact(wanted - body.len());
}

/// The same response, with its body read into `body`.
fn rebuild(response: reqwest::Response, body: Bytes) -> reqwest::Response {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        headers.clone_from(response.headers());
    }
    match builder.body(body) {
        Ok(rebuilt) => reqwest::Response::from(rebuilt),
        // Status, version and headers come from a valid response, so this
        // does not happen; the original (now drained) is the fallback.
        Err(_) => response,
    }
}
