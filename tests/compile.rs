//! Compile-time checks of the generated API, with trybuild.
//!
//! `tests/ui/pass` holds programs that must build (and run: they only build
//! futures, never poll them, so nothing is sent); `tests/ui/fail` holds
//! programs that must be refused, each with the compiler output it must
//! produce. Most of them pin the spec's security alternatives: an operation
//! takes only the credentials the spec lists for it, and says which ones in
//! its error.
//!
//! After an intended change to the generated API or its messages, refresh the
//! expected output with `TRYBUILD=overwrite cargo test --test compile` and
//! read the `.stderr` diff before committing it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
