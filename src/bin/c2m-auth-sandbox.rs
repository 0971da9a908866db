//! Serves the c2m-auth sandbox over HTTP for tools and languages other than
//! Rust: `cargo run --features sandbox --bin c2m-auth-sandbox -- --port 4010`.
//!
//! It prints the base URL on its first line, then the example client's
//! credentials it accepts, and serves until it is interrupted.

use std::ffi::OsString;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
    JWT_BEARER_ASSERTION_TYPE, Sandbox,
};

const USAGE: &str = "\
Serves the C2M Auth Overlay sandbox (spec/auth.yaml) over plain HTTP.

Usage: c2m-auth-sandbox [--host ADDRESS] [--port PORT] [--rate-limit MAX/SECONDS]

Options:
  --host ADDRESS  IP address to listen on (default 127.0.0.1; `localhost`
                  means 127.0.0.1). Anything but loopback exposes the
                  sandbox, and its well-known credentials, to the network.
  --port PORT     TCP port, 0 to 65535 (default 0: the system picks a free
                  port; the first line printed names it).
  --rate-limit MAX/SECONDS
                  Answer 429 (with Retry-After) beyond MAX token requests
                  per window of SECONDS, e.g. 100/60 (default: no limit).
  -h, --help      Print this help and exit.

The first line printed is `base URL: http://HOST:PORT`. The sandbox keeps
its tokens in memory and stops on Ctrl-C (SIGINT) or SIGTERM.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Serve(Options),
}

/// How to serve.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    addr: SocketAddr,
    /// Requests per window, and the window.
    rate_limit: Option<(u32, Duration)>,
}

fn main() -> ExitCode {
    let command = match parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("c2m-auth-sandbox: {message}\nTry `c2m-auth-sandbox --help`.");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            say(&format!("{USAGE}\n"));
            ExitCode::SUCCESS
        }
        Command::Serve(options) => serve(options),
    }
}

/// Parses the arguments after the program name. Accepts `--name value` and
/// `--name=value`; a later option overrides an earlier one.
fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0_u16;
    let mut rate_limit = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|_| "arguments must be valid UTF-8".to_owned())?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" if inline.is_none() => return Ok(Command::Help),
            "--host" => host = parse_host(&value(&name, inline, &mut args)?)?,
            "--port" => port = parse_port(&value(&name, inline, &mut args)?)?,
            "--rate-limit" => {
                rate_limit = Some(parse_rate_limit(&value(&name, inline, &mut args)?)?);
            }
            _ => return Err(format!("unexpected argument `{name}`")),
        }
    }
    Ok(Command::Serve(Options {
        addr: SocketAddr::new(host, port),
        rate_limit,
    }))
}

/// The value of option `name`: after its `=`, or the next argument.
fn value(
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<String, String> {
    match inline {
        Some(value) => Ok(value),
        None => rest
            .next()
            .ok_or_else(|| format!("`{name}` needs a value"))?
            .into_string()
            .map_err(|_| "arguments must be valid UTF-8".to_owned()),
    }
}

fn parse_host(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    // `[::1]` as well as `::1`, since URLs write IPv6 addresses in brackets.
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse()
        .map_err(|_| format!("`--host {text}` is not an IP address (e.g. 127.0.0.1 or ::1)"))
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("`--port {text}` is not a port number from 0 to 65535"))
}

/// `MAX/SECONDS`, both positive.
fn parse_rate_limit(text: &str) -> Result<(u32, Duration), String> {
    let bad = || format!("`--rate-limit {text}` is not MAX/SECONDS with both above 0, e.g. 100/60");
    let (max, secs) = text.split_once('/').ok_or_else(bad)?;
    let max: u32 = max.parse().map_err(|_| bad())?;
    let secs: u64 = secs.parse().map_err(|_| bad())?;
    if max == 0 || secs == 0 {
        return Err(bad());
    }
    Ok((max, Duration::from_secs(secs)))
}

fn serve(Options { addr, rate_limit }: Options) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("c2m-auth-sandbox: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let mut builder = Sandbox::builder().bind(addr);
        if let Some((max, per)) = rate_limit {
            builder = builder.rate_limit(max, per);
        }
        let sandbox = match builder.start().await {
            Ok(sandbox) => sandbox,
            Err(e) => {
                eprintln!("c2m-auth-sandbox: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if !addr.ip().is_loopback() {
            eprintln!(
                "c2m-auth-sandbox: warning: listening on {addr}, reachable from other \
                 machines; the c2m-auth client itself speaks plain http to loopback only"
            );
        }
        print_banner(&sandbox);
        // The default signal dispositions end the process; the sandbox keeps
        // nothing that needs saving, so there is no shutdown to run.
        std::future::pending::<ExitCode>().await
    })
}

/// The base URL first (for scripts: `head -n 1`), then the credentials of
/// the example client, which are the spec's own examples and not secret.
fn print_banner(sandbox: &Sandbox) {
    let scopes = EXAMPLE_SCOPES.join(" ");
    say(&format!(
        "base URL: {url}
Example client (the spec's examples), accepted by issueLongTermToken:
  X-Client-Id and client_id:  {EXAMPLE_CLIENT_ID}
  client_secret:              {EXAMPLE_CLIENT_SECRET}
  otp_code:                   {EXAMPLE_OTP_CODE}
  assertion_type:             {JWT_BEARER_ASSERTION_TYPE}
  assertion:                  {EXAMPLE_ASSERTION}
  allowed scopes:             {scopes}
Short-term tokens live 900 s, long-term ones 30 days unless ttl_seconds says.
Serving until interrupted (Ctrl-C).
",
        url = sandbox.base_url()
    ));
}

/// Writes to stdout. A closed stdout (`| head -n 1`) is not an error: the
/// text is for whoever still reads it, and serving goes on without it.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    fn serve_on(addr: &str) -> Command {
        Command::Serve(Options {
            addr: addr.parse().unwrap(),
            rate_limit: None,
        })
    }

    #[test]
    fn defaults_to_loopback_and_an_ephemeral_port() {
        assert_eq!(run(&[]), Ok(serve_on("127.0.0.1:0")));
    }

    #[test]
    fn takes_host_and_port_in_both_spellings() {
        assert_eq!(run(&["--port", "4010"]), Ok(serve_on("127.0.0.1:4010")));
        assert_eq!(run(&["--port=4010"]), Ok(serve_on("127.0.0.1:4010")));
        assert_eq!(
            run(&["--host", "127.0.0.2", "--port", "1"]),
            Ok(serve_on("127.0.0.2:1"))
        );
        assert_eq!(run(&["--host=[::1]"]), Ok(serve_on("[::1]:0")));
        assert_eq!(run(&["--host", "::1"]), Ok(serve_on("[::1]:0")));
        assert_eq!(run(&["--host", "LocalHost"]), Ok(serve_on("127.0.0.1:0")));
        assert_eq!(
            run(&["--port", "1", "--port", "2"]),
            Ok(serve_on("127.0.0.1:2"))
        );
    }

    #[test]
    fn takes_a_rate_limit() {
        let expected = Command::Serve(Options {
            addr: "127.0.0.1:4010".parse().unwrap(),
            rate_limit: Some((100, Duration::from_secs(60))),
        });
        assert_eq!(
            run(&["--rate-limit", "100/60", "--port", "4010"]),
            Ok(expected)
        );
        for bad in ["100", "0/60", "100/0", "x/60", "100/-1", "100/60/1", ""] {
            let err = run(&["--rate-limit", bad]).unwrap_err();
            assert!(err.contains("MAX/SECONDS"), "{bad}: {err}");
        }
    }

    #[test]
    fn help_wins() {
        assert_eq!(run(&["--help"]), Ok(Command::Help));
        assert_eq!(run(&["--port", "1", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn refuses_bad_arguments_with_a_message() {
        for (args, needle) in [
            (&["--port"][..], "needs a value"),
            (&["--port", "65536"], "not a port"),
            (&["--port", "-1"], "not a port"),
            (&["--port="], "not a port"),
            (&["--host", "example.com"], "not an IP address"),
            (&["--host", "[::1"], "not an IP address"),
            (&["--verbose"], "unexpected argument `--verbose`"),
            (&["4010"], "unexpected argument `4010`"),
            (&["--help=yes"], "unexpected argument `--help`"),
        ] {
            let err = run(args).unwrap_err();
            assert!(err.contains(needle), "{args:?}: {err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_non_utf8_arguments() {
        use std::os::unix::ffi::OsStringExt;
        let err = parse([OsString::from_vec(vec![0xff])]).unwrap_err();
        assert!(err.contains("UTF-8"), "{err}");
    }
}
