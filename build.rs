//! Generates the client from `spec/auth.yaml` into `OUT_DIR` on every change
//! of the spec. A broken spec stops the build with one message naming the
//! file and the line and column (or JSON pointer), and a hint.

use std::path::PathBuf;

const SPEC: &str = "spec/auth.yaml";

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("error: OUT_DIR is not set; build.rs must be run by Cargo");
        std::process::exit(1);
    };
    let out = PathBuf::from(out_dir).join("c2m_auth.rs");
    if let Err(error) = c2m_auth_codegen::Config::new(SPEC).write(&out) {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
