//! Binding a chosen address, and the `c2m-auth-sandbox` binary.

use c2m_auth::Client;
use c2m_auth::sandbox::{
    EXAMPLE_ASSERTION, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, EXAMPLE_OTP_CODE, EXAMPLE_SCOPES,
    JWT_BEARER_ASSERTION_TYPE, Sandbox,
};
use c2m_auth::security::ClientKey;

use crate::fixture::{BoxError, TestResult, long_auth, long_token, otp_request, strings, token_id};

/// A port that was free a moment ago (the listener is closed on return).
async fn free_port(ip: &str) -> Result<u16, BoxError> {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
    Ok(listener.local_addr()?.port())
}

#[tokio::test]
async fn builder_binds_the_given_address_and_port() -> TestResult {
    let port = free_port("127.0.0.2").await?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 2], port));
    let sandbox = Sandbox::builder().bind(addr).start().await?;
    assert_eq!(sandbox.local_addr(), addr);
    assert_eq!(sandbox.base_url(), format!("http://127.0.0.2:{port}"));
    long_token(&sandbox, &[]).await?;
    // The port is taken now: a second sandbox on it fails to start.
    assert!(Sandbox::builder().bind(addr).start().await.is_err());

    // An unspecified address is reached, and named, through loopback.
    let any = Sandbox::builder()
        .bind(std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
        .start()
        .await?;
    assert!(any.local_addr().ip().is_unspecified());
    let port = any.local_addr().port();
    assert_eq!(any.base_url(), format!("http://127.0.0.1:{port}"));
    long_token(&any, &[]).await?;
    Ok(())
}

/// The sandbox binary, killed when dropped.
struct SandboxProcess(std::process::Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const SANDBOX_BIN: &str = env!("CARGO_BIN_EXE_c2m-auth-sandbox");

/// Runs the sandbox binary with `args` to completion: status, stdout, stderr.
fn sandbox_bin(args: &[&str]) -> Result<(Option<i32>, String, String), BoxError> {
    let output = std::process::Command::new(SANDBOX_BIN)
        .args(args)
        .output()?;
    Ok((
        output.status.code(),
        String::from_utf8(output.stdout)?,
        String::from_utf8(output.stderr)?,
    ))
}

#[tokio::test]
async fn sandbox_binary_serves_on_the_given_port() -> TestResult {
    use std::io::BufRead;

    let port = free_port("127.0.0.1").await?;
    let mut child = std::process::Command::new(SANDBOX_BIN)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let _process = SandboxProcess(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().ok_or("no output")??;
    let base_url = format!("http://127.0.0.1:{port}");
    assert_eq!(first, format!("base URL: {base_url}"));
    let banner: Vec<String> = lines.take(6).collect::<Result<_, _>>()?;
    let banner = banner.join("\n");
    for credential in [
        EXAMPLE_CLIENT_ID,
        EXAMPLE_CLIENT_SECRET,
        EXAMPLE_OTP_CODE,
        EXAMPLE_ASSERTION,
        JWT_BEARER_ASSERTION_TYPE,
    ] {
        assert!(banner.contains(credential), "{credential} not printed");
    }

    let client = Client::with_base_url(&base_url)?;
    let key = ClientKey::new(EXAMPLE_CLIENT_ID);
    let long = client
        .issue_long_term_token(&key, &otp_request(&[]))
        .await?
        .into_body();
    assert_eq!(long.scopes, strings(&EXAMPLE_SCOPES));
    let with_long = long_auth(&long);
    client.issue_short_term_token(&with_long, None).await?;
    client
        .revoke_token(&with_long, token_id(&long.token_id)?)
        .await?;
    Ok(())
}

#[test]
fn sandbox_binary_explains_and_refuses_bad_arguments() -> TestResult {
    let (status, stdout, _) = sandbox_bin(&["--help"])?;
    assert_eq!(status, Some(0));
    assert!(
        stdout.contains("--port") && stdout.contains("--host"),
        "{stdout}"
    );

    for (args, needle) in [
        (&["--port", "70000"][..], "not a port number"),
        (&["--port"], "needs a value"),
        (&["--host", "not-an-ip"], "not an IP address"),
        (&["--bogus"], "unexpected argument"),
    ] {
        let (status, stdout, stderr) = sandbox_bin(args)?;
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    Ok(())
}

#[tokio::test]
async fn sandbox_binary_reports_a_taken_port() -> TestResult {
    let taken = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = taken.local_addr()?.port().to_string();
    let (status, _, stderr) = sandbox_bin(&["--port", &port])?;
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ok(())
}
