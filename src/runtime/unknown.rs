//! The value an open enum keeps when the server sends one its spec does not
//! list.

use std::fmt;

/// A value of a string enum that the spec this client was generated from
/// does not list: a newer server may send values an older client has never
/// seen, and the response still decodes.
///
/// Every generated string enum has an `Unknown(UnknownValue)` variant. Read
/// the text with [`as_str`](Self::as_str). Match it with a wildcard arm, not
/// by its text: once the spec lists the value, a regenerated client decodes
/// it as a named variant and an arm on the text would stop matching.
///
/// Only generated code creates one; build an enum from any text with its
/// `From<&str>`, which picks the named variant when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Used by generated code, and only for text no variant has.
    #[doc(hidden)]
    pub fn from_unlisted(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The value as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
