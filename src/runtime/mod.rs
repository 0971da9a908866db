//! The hand-written runtime the generated client stands on: secrets,
//! credentials, typed responses and headers, bounds, errors, what a client
//! refuses of its server ([`ClientOptions`]), and the plumbing into
//! progenitor's request code.
//!
//! The generator writes code for any spec against these items; nothing in
//! here knows the Auth Overlay's operations.

mod body;
mod call;
mod credential;
mod error;
mod example;
mod nulls;
mod one_of;
mod options;
mod path;
mod redact;
mod response;
mod rules;
mod secret;
mod unknown;

pub use body::{after_response, execute, json_response};
pub use call::{
    BaseUrlError, CallContext, ClientError, check_base_url, finish, parse_retry_after,
    prepare_request,
};
pub use credential::{Anonymous, Credential, CredentialError, Placement};
pub use error::{Error, describe_payload};
pub use example::{check_example, check_header_example};
pub use nulls::non_null;
pub use one_of::{check_one_of, decode_one_of};
pub use options::{
    ClientOptions, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Redirects, configure, http_client,
};
pub use path::{check_path_segment, encode_path};
pub use redact::{keep_error, redact_echo, sent_secrets};
pub use response::{
    FromHeaders, HeaderError, HeaderValueType, Response, optional_header, required_header,
};
pub use rules::{BoundsError, Limit, Pattern, Rule, Validate, check};
pub use secret::Secret;
pub use unknown::UnknownValue;

/// A short name for the kind of a JSON error, which (unlike its message)
/// never quotes the input.
pub(crate) fn json_error_category(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "data error",
        serde_json::error::Category::Eof => "unexpected end",
    }
}
