//! Optional fields that may be absent but not `null`.

use serde::de::{Deserialize, Deserializer, Error as _};

/// What a refused `null` is called in the decoder's message; it names no
/// value, so error descriptions may repeat it.
pub(crate) const NULL_REFUSED: &str = "null, which the spec does not allow here";

/// Reads an optional field whose schema is not `nullable`: an absent field
/// is `None` (through `#[serde(default)]`), a value is `Some`, and an
/// explicit `null` is an error. The generator puts this on every such
/// field, since serde would otherwise read `null` as `None`.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(D::Error::custom(NULL_REFUSED)),
    }
}
