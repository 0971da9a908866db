//! The frozen spec the report's tests edit, and the one way they edit it.

/// A frozen copy of `spec/auth.yaml`: these tests do not follow edits of
/// the live spec.
pub const SPEC: &str = include_str!("../fixtures/auth.yaml");

/// The spec with each `(from, to)` applied; `from` must occur exactly once.
pub fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = SPEC.to_string();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
        text = text.replacen(from, to, 1);
    }
    text
}
