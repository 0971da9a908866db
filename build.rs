//! Generates the client from upstream's base document with the auth overlay
//! merged in (`spec/c2m-api-v2-base.yaml` and `spec/auth.yaml`) into
//! `OUT_DIR` whenever either changes. A broken spec stops the build with every problem found
//! (up to 20, then how many more), each naming the file and the line and
//! column (and JSON pointer), with a hint.

use std::path::PathBuf;

const BASE: &str = "spec/c2m-api-v2-base.yaml";
const OVERLAY: &str = "spec/auth.yaml";

fn main() {
    println!("cargo::rerun-if-changed={BASE}");
    println!("cargo::rerun-if-changed={OVERLAY}");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        println!("cargo::error=OUT_DIR is not set; build.rs must be run by Cargo");
        return;
    };
    let out = PathBuf::from(out_dir).join("c2m_auth.rs");
    if let Err(error) = c2m_auth_codegen::Config::new(BASE)
        .overlay(OVERLAY)
        .write(&out)
    {
        // `cargo::error` fails the build and shows each line as an error:
        // every error's lines in turn, then "and N more errors" if any.
        for line in error.report_lines() {
            println!("cargo::error={line}");
        }
    }
}
