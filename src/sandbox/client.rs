//! The clients a sandbox knows, with their credentials and scopes.

use std::fmt;

use super::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
};

/// A registered API client: its `client_id`, the credentials it may use
/// (any of a secret, a one-time code and an assertion) and the scopes it may
/// request.
///
/// A client with no credential can still get long-term tokens through a
/// short-term token with `tokens:write`, but never a first one.
#[derive(Clone)]
pub struct SandboxClient {
    pub(super) client_id: String,
    pub(super) secret: Option<String>,
    pub(super) otp_code: Option<String>,
    pub(super) assertion: Option<String>,
    pub(super) allowed_scopes: Vec<String>,
}

impl SandboxClient {
    /// A client with no credentials and no allowed scopes.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: None,
            otp_code: None,
            assertion: None,
            allowed_scopes: Vec::new(),
        }
    }

    /// Accepts `client_credentials` with this `client_secret`.
    pub fn secret(mut self, s: impl Into<String>) -> Self {
        self.secret = Some(s.into());
        self
    }

    /// Accepts `client_credentials` with this `otp_code` (any number of
    /// times: the sandbox does not rotate codes).
    pub fn otp_code(mut self, s: impl Into<String>) -> Self {
        self.otp_code = Some(s.into());
        self
    }

    /// Accepts grant `assertion` (with [`JWT_BEARER_ASSERTION_TYPE`](super::JWT_BEARER_ASSERTION_TYPE)) with
    /// exactly this assertion string; the sandbox cannot verify signatures.
    pub fn assertion(mut self, s: impl Into<String>) -> Self {
        self.assertion = Some(s.into());
        self
    }

    /// The scopes this client may request, replacing any set before. A scope
    /// `prefix:*` also allows every `prefix:anything`.
    pub fn allowed_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    pub(super) fn example() -> Self {
        Self::new(EXAMPLE_CLIENT_ID)
            .secret(EXAMPLE_CLIENT_SECRET)
            .otp_code(EXAMPLE_OTP_CODE)
            .assertion(EXAMPLE_ASSERTION)
            .allowed_scopes(EXAMPLE_SCOPES)
    }
}

impl fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("SandboxClient")
            .field("client_id", &self.client_id)
            .field("secret", &redact(&self.secret))
            .field("otp_code", &redact(&self.otp_code))
            .field("assertion", &redact(&self.assertion))
            .field("allowed_scopes", &self.allowed_scopes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_debug_redacts_credentials() {
        let text = format!("{:?}", SandboxClient::example());
        assert!(text.contains(EXAMPLE_CLIENT_ID));
        for secret in [EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_ASSERTION] {
            assert!(!text.contains(secret), "{secret:?} leaked");
        }
        assert!(text.contains("<redacted>"));
    }
}
