//! Any text given to the generator ends in generated code or a spec error:
//! a panic, an abort (stack overflow) or a hang (libFuzzer's `-timeout`) is
//! a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The generator reads text; invalid UTF-8 never reaches it (`Config`
    // reports it as an unreadable file).
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(error) = c2m_auth_codegen::generate_from_str(text, "fuzz.yaml")
    {
        // Every error listed is located: a line and column, always.
        for each in error.errors() {
            assert!(each.position().is_some(), "an unlocated error: {each}");
        }
    }
});
