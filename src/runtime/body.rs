//! Sending a request and reading its response within the client's cap: the
//! generated `exec` and `post` hooks call [`execute`] and
//! [`after_response`], and progenitor's JSON reads call [`json_response`].

use bytes::Bytes;
use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::ResponseBuilderExt as _;
use reqwest::header::{LOCATION, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::CallContext;
use super::call::{Refusal, Seen, parse_retry_after};
use super::options::origin_of;

/// Sends `request` and makes sure progenitor reads at most the context's
/// cap ([`ClientOptions::max_response_bytes`](super::ClientOptions)) of
/// the response body.
///
/// A `Content-Length` over the cap is refused before reading anything. A
/// body framed by a `Content-Length` within the cap is handed on unread,
/// for progenitor to read in one go: the HTTP/1 and HTTP/2 transports end
/// such a body at its declared length (hyper's length decoder, h2's
/// content-length check), so a server that sends more than it declared
/// gets no more than that read. Any other body (chunked, ended by closing
/// the connection, or over a transport without that guarantee) is read
/// here, in chunks, and refused as soon as it grows past the cap; the
/// connection is then dropped. A refusal is noted in `context`, where
/// [`after_response`] and [`finish`](super::finish) turn it into
/// [`Error::InvalidResponse`](super::Error::InvalidResponse).
pub async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    context: &CallContext,
) -> reqwest::Result<reqwest::Response> {
    let response = client.execute(request).await?;
    context.note(see(&response));
    let cap = context.max_response_bytes;
    match response.content_length() {
        Some(declared) if declared > u64::try_from(cap).unwrap_or(u64::MAX) => {
            context.refuse(Refusal::Declared { declared, cap });
            Ok(response)
        }
        Some(_) if framed_by_length(response.version()) => Ok(response),
        _ => read_within(response, context, cap).await,
    }
}

/// Whether the transport of `version` ends a body at its `Content-Length`
/// (or fails it), so a declared length within the cap bounds what is read.
/// HTTP/3 is left out: reqwest's support for it is unstable, and its body
/// only reports the header's value.
fn framed_by_length(version: reqwest::Version) -> bool {
    matches!(
        version,
        reqwest::Version::HTTP_09
            | reqwest::Version::HTTP_10
            | reqwest::Version::HTTP_11
            | reqwest::Version::HTTP_2
    )
}

/// Reads the body of `response` into memory, refusing it (and dropping the
/// connection) as soon as it grows past `cap`; the response is handed on
/// with the body read.
async fn read_within(
    mut response: reqwest::Response,
    context: &CallContext,
    cap: usize,
) -> reqwest::Result<reqwest::Response> {
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

/// Reads a JSON response as progenitor's `ResponseValue::from_response`
/// does (the same errors: the body unread is
/// [`ResponseBodyError`](RawError::ResponseBodyError), one that does not
/// decode is [`InvalidResponsePayload`](RawError::InvalidResponsePayload)),
/// but moves the headers into the result instead of copying them. The
/// generator points progenitor's calls here.
#[allow(clippy::result_large_err)] // progenitor's error type.
pub async fn json_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, RawError<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let full = response
        .bytes()
        .await
        .map_err(RawError::ResponseBodyError)?;
    let inner = serde_json::from_slice(&full)
        .map_err(|error| RawError::InvalidResponsePayload(full, error))?;
    Ok(ResponseValue::new(inner, status, headers))
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
