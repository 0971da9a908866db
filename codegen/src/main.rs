//! `c2m-auth-codegen`: generate or check a client from an OpenAPI document.
//!
//! ```text
//! c2m-auth-codegen generate SPEC [--out FILE]   print (or write) the generated Rust
//! c2m-auth-codegen check SPEC                   only report errors in the spec
//! ```
//!
//! Exit status: 0 on success, 1 when the spec has an error, 2 on bad usage.

use std::process::ExitCode;

use c2m_auth_codegen::Config;

const USAGE: &str =
    "usage: c2m-auth-codegen generate SPEC [--out FILE]\n       c2m-auth-codegen check SPEC";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["generate", spec] => Config::new(spec)
            .generate()
            .map(|source| print!("{source}")),
        ["generate", spec, "--out", out] => Config::new(spec).write(out).map(|_| ()),
        ["check", spec] => Config::new(spec)
            .generate()
            .map(|_| eprintln!("{spec}: ok")),
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
