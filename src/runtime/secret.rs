//! [`Secret`]: a string that never shows itself by accident.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string — a token, a client secret, a one-time code, an
/// assertion — that prints as `<redacted>` in `Debug` and `Display`.
///
/// The generator uses it for every field the spec marks as secret
/// (`format: password` or `x-secret: true`). It serializes as the plain
/// string, so the wire format is unchanged; reading the value is the
/// explicit call [`Secret::expose`].
///
/// ```
/// use c2m_auth::runtime::Secret;
///
/// let secret = Secret::from("supersecret123");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.to_string(), "<redacted>");
/// assert_eq!(secret.expose(), "supersecret123");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Every read goes through this call, so that a
    /// review can find them all.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret itself, consuming the wrapper.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// Its length in bytes, which may be shown.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // So an error body that echoes it can be redacted
        // (`runtime::sent_secrets`); does nothing unless collecting.
        super::redact::note_serialized(self);
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}
