//! Successful responses with their typed headers.

use std::fmt;
use std::ops::Deref;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::Secret;

/// A successful response: its status, the headers the spec declares for
/// it (parsed into `H`), and its body. It dereferences to the body.
#[derive(Clone, Debug)]
pub struct Response<T, H> {
    pub(crate) status: StatusCode,
    pub(crate) headers: H,
    pub(crate) body: T,
}

impl<T, H> Response<T, H> {
    /// Assembles a response (used by generated code).
    pub fn new(status: StatusCode, headers: H, body: T) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers the spec declares for this response, parsed.
    pub fn headers(&self) -> &H {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, H, T) {
        (self.status, self.headers, self.body)
    }
}

impl<T, H> Deref for Response<T, H> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Headers parsed from a response as the spec declares them.
pub trait FromHeaders: Sized {
    /// Parses the declared headers; a required header that is missing, or
    /// any declared header that does not parse, is an error.
    fn from_headers(headers: &HeaderMap) -> Result<Self, HeaderError>;
}

/// A declared response header that is missing or does not parse. It names
/// the header and the expected form, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderError {
    /// The header's name as the spec writes it.
    pub name: &'static str,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response header `{}` {}", self.name, self.problem)
    }
}

impl std::error::Error for HeaderError {}

/// A type a header value parses into, per the header's schema.
pub trait HeaderValueType: Sized {
    /// What a valid value looks like, for messages.
    const EXPECTED: &'static str;
    /// Parses the header's text.
    fn parse_header(text: &str) -> Option<Self>;
}

impl HeaderValueType for String {
    const EXPECTED: &'static str = "text";
    fn parse_header(text: &str) -> Option<Self> {
        Some(text.to_string())
    }
}

impl HeaderValueType for Secret {
    const EXPECTED: &'static str = "text";
    fn parse_header(text: &str) -> Option<Self> {
        Some(Secret::from(text))
    }
}

impl HeaderValueType for i64 {
    const EXPECTED: &'static str = "an integer";
    fn parse_header(text: &str) -> Option<Self> {
        text.trim().parse().ok()
    }
}

impl HeaderValueType for f64 {
    const EXPECTED: &'static str = "a number";
    fn parse_header(text: &str) -> Option<Self> {
        text.trim().parse().ok().filter(|n: &f64| n.is_finite())
    }
}

impl HeaderValueType for bool {
    const EXPECTED: &'static str = "`true` or `false`";
    fn parse_header(text: &str) -> Option<Self> {
        match text.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

impl HeaderValueType for DateTime<Utc> {
    const EXPECTED: &'static str = "an RFC 3339 date-time";
    fn parse_header(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

impl<T: HeaderValueType> HeaderValueType for Vec<T> {
    const EXPECTED: &'static str = "a comma-separated list";
    fn parse_header(text: &str) -> Option<Self> {
        if text.trim().is_empty() {
            return Some(Vec::new());
        }
        text.split(',')
            .map(|item| T::parse_header(item.trim()))
            .collect()
    }
}

/// The declared header `name`, parsed; `None` when absent.
pub fn optional_header<T: HeaderValueType>(
    headers: &HeaderMap,
    name: &'static str,
) -> Result<Option<T>, HeaderError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| HeaderError {
        name,
        problem: "is not visible ASCII text".to_string(),
    })?;
    T::parse_header(text).map(Some).ok_or_else(|| HeaderError {
        name,
        problem: format!("is not {}", T::EXPECTED),
    })
}

/// The declared, required header `name`, parsed.
pub fn required_header<T: HeaderValueType>(
    headers: &HeaderMap,
    name: &'static str,
) -> Result<T, HeaderError> {
    optional_header(headers, name)?.ok_or_else(|| HeaderError {
        name,
        problem: "is missing, though the spec requires it".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn map(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
        headers
    }

    #[test]
    fn headers_parse_per_type() {
        assert_eq!(
            optional_header::<i64>(&map("x-n", " 42 "), "x-n"),
            Ok(Some(42))
        );
        assert_eq!(optional_header::<i64>(&HeaderMap::new(), "x-n"), Ok(None));
        assert_eq!(
            optional_header::<Vec<i64>>(&map("x-l", "1, 2,3"), "x-l"),
            Ok(Some(vec![1, 2, 3]))
        );
        let when = required_header::<DateTime<Utc>>(&map("x-t", "2025-09-25T22:45:00Z"), "x-t");
        assert_eq!(when.map(|t| t.timestamp()), Ok(1_758_840_300));
    }

    #[test]
    fn bad_or_missing_headers_are_errors_naming_the_header_only() {
        let error = optional_header::<i64>(&map("x-n", "secret-ish"), "x-n").unwrap_err();
        assert_eq!(error.to_string(), "response header `x-n` is not an integer");
        let error = required_header::<String>(&HeaderMap::new(), "X-Token-Id").unwrap_err();
        assert_eq!(
            error.to_string(),
            "response header `X-Token-Id` is missing, though the spec requires it"
        );
    }
}
