//! The generated client against hostile servers: raw loopback sockets
//! (tokio `TcpListener`, hand-written HTTP/1.1) that redirect to other
//! origins, send bodies over the size cap, and echo credentials or control
//! characters back in their errors. Each server logs what it receives, so
//! a test sees exactly what reached it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use c2m_auth::runtime::{ClientOptions, Error, Redirects, Secret};
use c2m_auth::security::{ClientKey, LongTokenAuth, ShortTokenAuth};
use c2m_auth::{Client, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), BoxError>;

/// The credentials and body secrets sent; none may reach another origin.
const CLIENT_KEY: &str = "c2m_hostile_key_7f3a9b";
const CLIENT_SECRET: &str = "hostile-client-secret-41c2";
const LONG_TOKEN: &str = "lt_hostile_long_token_0d51e9";
const SHORT_TOKEN: &str = "eyJ.hostile-short-token.sig";
const SECRETS: [&str; 4] = [CLIENT_KEY, CLIENT_SECRET, LONG_TOKEN, SHORT_TOKEN];
const TOKEN_ID: &str = "tok_lt_b8e0aa";

const ISSUED: &str = r#"{"token_type":"Bearer","access_token":"lt_issued","expires_in":2592000,"expires_at":"2025-09-25T22:45:00Z","scopes":["jobs:*"],"token_id":"tok_lt_b8e0aa"}"#;

// ---------------------------------------------------------------------------
// The raw server
// ---------------------------------------------------------------------------

/// One request as it arrived: the request line and headers as text, and
/// the body.
#[derive(Clone, Debug, Default)]
struct Received {
    head: String,
    body: Vec<u8>,
}

impl Received {
    fn text(&self) -> String {
        format!("{}{}", self.head, String::from_utf8_lossy(&self.body))
    }

    fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or_default()
    }
}

/// What the server writes back.
enum Answer {
    /// These bytes, then close.
    Bytes(Vec<u8>),
    /// This head, then a chunked body of `total` bytes of `x`.
    Chunked { head: String, total: usize },
    /// This head, then nothing until the client hangs up.
    Hold(String),
}

type Handler = Arc<dyn Fn(&Received) -> Answer + Send + Sync>;

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// Per answer: whether it was written to the end.
    complete: Vec<bool>,
}

struct RawServer {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    task: JoinHandle<()>,
}

impl RawServer {
    async fn start(ip: &str, handler: Handler) -> std::io::Result<Self> {
        let listener = TcpListener::bind((ip, 0)).await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = Arc::clone(&log);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, Arc::clone(&handler), Arc::clone(&shared)));
            }
        });
        Ok(Self { addr, log, task })
    }

    /// A server that answers every request with `answer()`.
    async fn answering(ip: &str, answer: impl Fn() -> Answer + Send + Sync + 'static) -> Self {
        Self::start(ip, Arc::new(move |_: &Received| answer()))
            .await
            .unwrap()
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Waits until `count` answers have ended, and says whether each was
    /// written to the end.
    async fn outcomes(&self, count: usize) -> Vec<bool> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let complete = self.lock().complete.clone();
            if complete.len() >= count || Instant::now() > deadline {
                return complete;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: TcpStream, handler: Handler, log: Arc<Mutex<Log>>) {
    let Some(received) = read_request(&mut socket).await else {
        return;
    };
    let answer = handler(&received);
    lock(&log).received.push(received);
    let complete = write_answer(&mut socket, answer).await.is_ok();
    lock(&log).complete.push(complete);
}

fn lock(log: &Mutex<Log>) -> MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..n]);
    }
    Some(Received { head, body })
}

async fn write_answer(socket: &mut TcpStream, answer: Answer) -> std::io::Result<()> {
    match answer {
        Answer::Bytes(bytes) => socket.write_all(&bytes).await?,
        Answer::Chunked { head, total } => {
            socket.write_all(head.as_bytes()).await?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(chunk.len());
                socket.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                socket.write_all(&chunk[..n]).await?;
                socket.write_all(b"\r\n").await?;
                left -= n;
            }
            socket.write_all(b"0\r\n\r\n").await?;
        }
        Answer::Hold(head) => {
            socket.write_all(head.as_bytes()).await?;
            let mut byte = [0u8; 1];
            // Until the client hangs up, or long past any sane wait.
            let _ = tokio::time::timeout(Duration::from_secs(30), socket.read(&mut byte)).await;
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
    socket.flush().await
}

fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut text = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    Answer::Bytes(text.into_bytes())
}

fn json(status: &str, body: &str) -> Answer {
    response(status, &[("Content-Type", "application/json")], body)
}

fn redirect(code: u16, location: &str) -> Answer {
    response(&format!("{code} Moved"), &[("Location", location)], "")
}

// ---------------------------------------------------------------------------
// The calls
// ---------------------------------------------------------------------------

/// The three kinds of call: a header key with a body holding a client
/// secret, a bearer token with a body holding another token, and a bearer
/// token alone.
#[derive(Clone, Copy, Debug)]
enum Kind {
    ClientKeyWithSecretInBody,
    BearerWithTokenInBody,
    Bearer,
}

const KINDS: [Kind; 3] = [
    Kind::ClientKeyWithSecretInBody,
    Kind::BearerWithTokenInBody,
    Kind::Bearer,
];

const REDIRECT_CODES: [u16; 5] = [301, 302, 303, 307, 308];

fn long_request() -> types::LongTokenRequest {
    let mut request = types::LongTokenRequest::new(
        types::LongTokenRequestGrantType::ClientCredentials,
        "c2m_abc123",
    );
    request.client_secret = Some(Secret::from(CLIENT_SECRET));
    request
}

fn short_request() -> types::ShortTokenRequest {
    let mut request = types::ShortTokenRequest::new();
    request.long_token = Some(Secret::from(LONG_TOKEN));
    request
}

async fn call(client: &Client, kind: Kind) -> Result<(), Error<types::AuthError>> {
    match kind {
        Kind::ClientKeyWithSecretInBody => client
            .issue_long_term_token(&ClientKey::new(CLIENT_KEY), &long_request())
            .await
            .map(|_| ()),
        Kind::BearerWithTokenInBody => client
            .issue_short_term_token(&LongTokenAuth::new(LONG_TOKEN), Some(&short_request()))
            .await
            .map(|_| ()),
        Kind::Bearer => client
            .revoke_token(&ShortTokenAuth::new(SHORT_TOKEN), TOKEN_ID)
            .await
            .map(|_| ()),
    }
}

fn secrets_in(text: &str) -> Vec<&'static str> {
    SECRETS.into_iter().filter(|s| text.contains(s)).collect()
}

// ---------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------

/// Every redirect code, to another port on 127.0.0.1 and to 127.0.0.2, for
/// each kind of call, refused by default and with the same-origin opt-in:
/// the target receives nothing, and the error names the status and the
/// target's origin only.
#[tokio::test]
async fn no_redirect_to_another_origin_reaches_it() -> TestResult {
    let mut cases = 0;
    for target_ip in ["127.0.0.1", "127.0.0.2"] {
        let target = RawServer::answering(target_ip, || json("201 Created", ISSUED)).await;
        let target_origin = target.url();
        for code in REDIRECT_CODES {
            let location = format!("{target_origin}/steal/auth/tokens/long?key=hunter2");
            let origin = RawServer::answering("127.0.0.1", move || redirect(code, &location)).await;
            let refuse = Client::with_base_url(&origin.url())?;
            let opt_in = Client::with_options(
                &origin.url(),
                ClientOptions::default().redirects(Redirects::SameOrigin { max: 5 }),
            )?;
            for kind in KINDS {
                for client in [&refuse, &opt_in] {
                    cases += 1;
                    let error = call(client, kind).await.err().ok_or("the call succeeded")?;
                    let Error::Redirect {
                        status,
                        origin: Some(named),
                    } = &error
                    else {
                        return Err(
                            format!("{code} {kind:?}: expected Redirect, got {error:?}").into()
                        );
                    };
                    assert_eq!(status.as_u16(), code);
                    assert_eq!(named, &target_origin);
                    let shown = format!("{error} {error:?}");
                    assert!(shown.contains(&code.to_string()), "{shown}");
                    assert!(shown.contains(&target_origin), "{shown}");
                    assert!(
                        !shown.contains("steal") && !shown.contains("hunter2"),
                        "{shown}"
                    );
                    assert!(secrets_in(&shown).is_empty(), "{shown}");
                }
            }
            assert_eq!(
                origin.received().len(),
                6,
                "{code}: the origin saw each call once"
            );
        }
        let seen = target.received();
        let leaked: Vec<&str> = seen.iter().flat_map(|r| secrets_in(&r.text())).collect();
        assert!(
            leaked.is_empty(),
            "{target_ip}: secrets reached the target: {leaked:?}"
        );
        assert!(
            seen.is_empty(),
            "{target_ip}: the target was sent {} requests",
            seen.len()
        );
    }
    assert_eq!(cases, 60);
    Ok(())
}

/// What the same redirects did with reqwest's default policy, which the
/// client used before: the harness does see a leak when there is one.
#[tokio::test]
async fn reqwests_default_policy_would_leak_through_the_same_redirects() -> TestResult {
    let (mut keys, mut bodies) = (0, 0);
    for target_ip in ["127.0.0.1", "127.0.0.2"] {
        for code in REDIRECT_CODES {
            let target = RawServer::answering(target_ip, || json("201 Created", ISSUED)).await;
            let location = format!("{}/auth/tokens/long", target.url());
            let origin = RawServer::answering("127.0.0.1", move || redirect(code, &location)).await;
            let body = serde_json::to_string(&long_request())?;
            reqwest::Client::new()
                .post(format!("{}/auth/tokens/long", origin.url()))
                .header("X-Client-Id", CLIENT_KEY)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await?;
            let seen: String = target.received().iter().map(Received::text).collect();
            keys += usize::from(seen.contains(CLIENT_KEY));
            bodies += usize::from(seen.contains(CLIENT_SECRET));
        }
    }
    println!("reqwest's default policy: key to the target in {keys}/10, body in {bodies}/10");
    assert_eq!((keys, bodies), (10, 4));
    Ok(())
}

/// The opt-in follows a redirect to the same origin, for every code, and
/// the call succeeds there.
#[tokio::test]
async fn same_origin_redirects_are_followed_when_allowed() -> TestResult {
    for code in REDIRECT_CODES {
        let server = RawServer::start(
            "127.0.0.1",
            Arc::new(move |request: &Received| {
                if request.path().starts_with("/moved/") {
                    json("201 Created", ISSUED)
                } else {
                    redirect(code, "/moved/auth/tokens/long")
                }
            }),
        )
        .await?;
        let options = ClientOptions::default().redirects(Redirects::SameOrigin { max: 2 });
        let client = Client::with_options(&server.url(), options)?;
        let issued = client
            .issue_long_term_token(&ClientKey::new(CLIENT_KEY), &long_request())
            .await?;
        assert_eq!(issued.token_id.as_deref(), Some(TOKEN_ID));
        let seen = server.received();
        assert_eq!(seen.len(), 2, "{code}");
        assert_eq!(seen[1].path(), "/moved/auth/tokens/long");

        // Without the opt-in, the same server gives the redirect error.
        let client = Client::with_base_url(&server.url())?;
        let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
        assert!(
            matches!(&error, Some(Error::Redirect { status, origin: Some(o) }) if status.as_u16() == code && *o == server.url()),
            "{error:?}"
        );
    }
    Ok(())
}

/// The opt-in's `max` holds: a server redirecting to itself forever gets
/// `max` follows, then the error.
#[tokio::test]
async fn same_origin_redirects_stop_at_max() -> TestResult {
    let server = RawServer::answering("127.0.0.1", || redirect(307, "/again")).await;
    let options = ClientOptions::default().redirects(Redirects::SameOrigin { max: 3 });
    let client = Client::with_options(&server.url(), options)?;
    let error = call(&client, Kind::Bearer).await.err();
    assert!(matches!(error, Some(Error::Redirect { .. })), "{error:?}");
    assert_eq!(server.received().len(), 4);
    Ok(())
}

/// Your own `reqwest::ClientBuilder` with a policy that follows everything
/// gets the client's policy instead.
#[tokio::test]
async fn a_builders_own_redirect_policy_is_replaced() -> TestResult {
    let target = RawServer::answering("127.0.0.2", || json("201 Created", ISSUED)).await;
    let location = format!("{}/auth/tokens/long", target.url());
    let origin = RawServer::answering("127.0.0.1", move || redirect(308, &location)).await;
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
    let client = Client::with_http_client(&origin.url(), builder, ClientOptions::default())?;
    let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
    assert!(matches!(error, Some(Error::Redirect { .. })), "{error:?}");
    assert!(target.received().is_empty());
    Ok(())
}

/// A redirect with no usable `Location` is still a redirect error.
#[tokio::test]
async fn a_redirect_without_location_names_no_origin() -> TestResult {
    let server = RawServer::answering("127.0.0.1", || response("302 Found", &[], "")).await;
    let client = Client::with_base_url(&server.url())?;
    let error = call(&client, Kind::Bearer).await.err().ok_or("succeeded")?;
    assert!(
        matches!(error, Error::Redirect { origin: None, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("without a usable Location"),
        "{error}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// The response-size cap
// ---------------------------------------------------------------------------

fn expect_too_large(error: Option<Error<types::AuthError>>, status: u16, cap: usize) {
    match &error {
        Some(Error::InvalidResponse {
            status: Some(s),
            reason,
        }) if s.as_u16() == status => {
            assert!(reason.contains(&format!("cap of {cap} bytes")), "{reason}");
            assert!(!reason.contains("xxxx"), "{reason}");
        }
        other => panic!("expected InvalidResponse {status} over the cap, got {other:?}"),
    }
}

/// A `Content-Length` over the cap is refused before any of the body is
/// read: the server sends the head and nothing else, and the call still
/// ends at once.
#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_up_front() -> TestResult {
    let head =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n";
    let server = RawServer::answering("127.0.0.1", move || Answer::Hold(head.to_string())).await;
    let client = Client::with_base_url(&server.url())?;
    let started = Instant::now();
    let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    expect_too_large(error, 201, c2m_auth::runtime::DEFAULT_MAX_RESPONSE_BYTES);
    let shown = format!(
        "{}",
        call(&client, Kind::Bearer).await.err().ok_or("succeeded")?
    );
    assert!(shown.contains("Content-Length"), "{shown}");
    Ok(())
}

/// A chunked body growing past the cap stops being read: the server finds
/// the connection closed long before it wrote its 64 MiB.
#[tokio::test]
async fn a_chunked_body_over_the_cap_stops_reading() -> TestResult {
    for status in ["201 Created", "400 Bad Request"] {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let server = RawServer::answering("127.0.0.1", move || Answer::Chunked {
            head: head.clone(),
            total: 64 << 20,
        })
        .await;
        let client = Client::with_base_url(&server.url())?;
        let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
        let code = status[..3].parse()?;
        expect_too_large(error, code, c2m_auth::runtime::DEFAULT_MAX_RESPONSE_BYTES);
        assert_eq!(server.outcomes(1).await, [false], "the server wrote it all");
    }
    Ok(())
}

/// Bodies under the cap work, chunked or not, and the cap is per client.
#[tokio::test]
async fn the_cap_is_configurable_and_bodies_under_it_work() -> TestResult {
    let chunked = || {
        let head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        let body = ISSUED.as_bytes();
        let mut bytes = head.as_bytes().to_vec();
        for piece in body.chunks(10) {
            bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            bytes.extend_from_slice(piece);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        Answer::Bytes(bytes)
    };
    let plain = RawServer::answering("127.0.0.1", || json("201 Created", ISSUED)).await;
    let chunked = RawServer::answering("127.0.0.1", chunked).await;
    for server in [&plain, &chunked] {
        let client = Client::with_base_url(&server.url())?;
        call(&client, Kind::ClientKeyWithSecretInBody).await?;
        let exact = ClientOptions::default().max_response_bytes(ISSUED.len());
        call(
            &Client::with_options(&server.url(), exact)?,
            Kind::ClientKeyWithSecretInBody,
        )
        .await?;
        let small = ClientOptions::default().max_response_bytes(ISSUED.len() - 1);
        let client = Client::with_options(&server.url(), small)?;
        assert_eq!(client.options().max_response_bytes, ISSUED.len() - 1);
        let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
        expect_too_large(error, 201, ISSUED.len() - 1);
    }
    Ok(())
}

/// A server that sends more than its `Content-Length` gets no more than
/// that read: a cap of exactly the declared length still succeeds, with
/// the declared bytes, and the call does not wait for the rest (8 MiB the
/// server never finishes writing).
#[tokio::test]
async fn bytes_past_the_declared_length_are_not_read() -> TestResult {
    let answer = || {
        let head = format!(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{ISSUED}",
            ISSUED.len()
        );
        let mut bytes = head.into_bytes();
        bytes.extend(std::iter::repeat_n(b'x', 8 << 20));
        Answer::Bytes(bytes)
    };
    let server = RawServer::answering("127.0.0.1", answer).await;
    let exact = ClientOptions::default().max_response_bytes(ISSUED.len());
    let client = Client::with_options(&server.url(), exact)?;
    let started = Instant::now();
    let issued = client
        .issue_long_term_token(&ClientKey::new(CLIENT_KEY), &long_request())
        .await?;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(issued.body().token_id.as_deref(), Some(TOKEN_ID));
    Ok(())
}

/// The timeout covers the whole call, body included: a server that sends
/// its head and then nothing ends the call at the timeout.
#[tokio::test]
async fn a_server_that_stalls_in_the_body_meets_the_timeout() -> TestResult {
    let head =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    let server = RawServer::answering("127.0.0.1", move || Answer::Hold(head.to_string())).await;
    let options = ClientOptions::default().timeout(Duration::from_millis(300));
    let client = Client::with_options(&server.url(), options)?;
    let started = Instant::now();
    let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    match error {
        Some(Error::Transport(e)) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    Ok(())
}

/// Peak memory while a server sends a 1 GiB chunked body: the cap plus a
/// small constant. Run alone, since it reads this process's peak RSS:
/// `cargo test --test hostile -- --ignored --exact peak_memory_on_a_1_gib_body --nocapture`.
#[tokio::test]
#[ignore = "measures the process's peak RSS; run alone"]
async fn peak_memory_on_a_1_gib_body() -> TestResult {
    let head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let server = RawServer::answering("127.0.0.1", move || Answer::Chunked {
        head: head.to_string(),
        total: 1 << 30,
    })
    .await;
    let before = peak_rss_kib()?;
    let client = Client::with_base_url(&server.url())?;
    let started = Instant::now();
    let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
    let elapsed = started.elapsed();
    let after = peak_rss_kib()?;
    println!(
        "1 GiB chunked body: peak RSS {} MiB before the call, {} MiB after; refused in {elapsed:?}",
        before / 1024,
        after / 1024
    );
    expect_too_large(error, 201, c2m_auth::runtime::DEFAULT_MAX_RESPONSE_BYTES);
    assert!(after < 64 * 1024, "peak RSS {after} KiB");

    // With a 256 MiB cap, the peak is about the cap: the body is held once.
    let cap = 256 << 20;
    let options = ClientOptions::default()
        .max_response_bytes(cap)
        .timeout(Duration::from_secs(120));
    let client = Client::with_options(&server.url(), options)?;
    let error = call(&client, Kind::ClientKeyWithSecretInBody).await.err();
    let large = peak_rss_kib()?;
    println!("with a 256 MiB cap: peak RSS {} MiB", large / 1024);
    expect_too_large(error, 201, cap);
    assert!(large < 2 * 256 * 1024, "peak RSS {large} KiB");
    Ok(())
}

/// `VmHWM` of this process, in KiB.
fn peak_rss_kib() -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or("no VmHWM")?;
    Ok(line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}

// ---------------------------------------------------------------------------
// What errors print
// ---------------------------------------------------------------------------

/// A 100 KB server message with terminal escapes and line breaks prints
/// cut to 512 characters, escaped, in `Display` and `Debug`.
#[tokio::test]
async fn server_text_in_errors_is_cut_and_escaped() -> TestResult {
    let message = format!("\u{1b}[2J\r\nFAKE LOG LINE\u{202e}{}", "A".repeat(100_000));
    let body = serde_json::json!({"code": "invalid_grant", "message": message}).to_string();
    let server = RawServer::answering("127.0.0.1", move || json("400 Bad Request", &body)).await;
    let client = Client::with_base_url(&server.url())?;
    let error = call(&client, Kind::ClientKeyWithSecretInBody)
        .await
        .err()
        .ok_or("succeeded")?;
    assert_eq!(error.body().map(|b| b.message.len()), Some(message.len()));
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(
            shown.chars().count() < 700,
            "{} characters",
            shown.chars().count()
        );
        // `{:#?}` breaks its own lines; nothing else may.
        let own_breaks = shown.matches(",\n").count() + shown.matches("{\n").count();
        let controls = shown.chars().filter(|c| c.is_control()).count();
        assert_eq!(controls, own_breaks, "{shown:?}");
        assert!(!shown.contains('\u{202e}'), "{shown:?}");
        assert!(shown.contains("cut at 512 characters"), "{shown}");
        assert!(shown.contains("invalid_grant"), "{shown}");
    }
    Ok(())
}

/// A server that echoes everything it received in its error message: the
/// credential (header key or bearer token) and the body's secrets are
/// `<redacted>` in the error, its `Display` and its `Debug`.
#[tokio::test]
async fn echoed_credentials_are_redacted() -> TestResult {
    let server = RawServer::start(
        "127.0.0.1",
        Arc::new(|request: &Received| {
            let text = request.text();
            // Each secret sent also comes back as a key of `details`.
            let mut details = serde_json::Map::new();
            for secret in secrets_in(&text) {
                details.insert(secret.to_string(), serde_json::json!([secret]));
            }
            details.insert("echo".to_string(), text.clone().into());
            let body = serde_json::json!({
                "code": "invalid_grant",
                "message": format!("you sent: {text}"),
                "details": details,
            });
            // 401 is listed for all three operations.
            json("401 Unauthorized", &body.to_string())
        }),
    )
    .await?;
    let client = Client::with_base_url(&server.url())?;
    for kind in KINDS {
        let error = call(&client, kind).await.err().ok_or("succeeded")?;
        let body = error.body().ok_or_else(|| format!("{kind:?}: {error:?}"))?;
        let all = format!("{error} {error:?} {} {:?}", body.message, body.details);
        assert!(
            secrets_in(&all).is_empty(),
            "{kind:?}: {:?} in {all}",
            secrets_in(&all)
        );
        assert!(
            body.message.contains("<redacted>"),
            "{kind:?}: {}",
            body.message
        );
        assert!(
            body.message.starts_with("you sent: POST /auth/tokens/"),
            "{}",
            body.message
        );
    }
    // The server did receive them: it was the echo that was redacted.
    let seen: String = server.received().iter().map(Received::text).collect();
    assert_eq!(secrets_in(&seen).len(), 4);
    Ok(())
}

// ---------------------------------------------------------------------------
// The other placements: query, basic and cookie credentials
// ---------------------------------------------------------------------------

/// The second spec's client (`tests/second_spec`), whose schemes put a key
/// in the query, a password in `Authorization: Basic` and a session in a
/// cookie.
#[allow(clippy::all, dead_code)]
mod widgets {
    include!("second_spec/generated.rs");
}

const QUERY_KEY: &str = "hostile-query-key-93ab";
const BASIC_PASSWORD: &str = "hostile-basic-pa55word";
const SESSION: &str = "hostile-session-cookie-5e1d";
const WIDGET_SECRET: &str = "hostile-widget-secret-c0de";

/// Every redirect code to another origin, for a query key with a basic
/// password and a body holding a secret, and for a session cookie: the
/// target receives nothing, with or without the same-origin opt-in.
#[tokio::test]
async fn no_credential_of_any_placement_follows_a_redirect() -> TestResult {
    let widget: widgets::types::Widget = serde_json::from_value(serde_json::json!({
        "name": "sprocket", "weight": 2.5, "tags": ["ab"], "secret_code": WIDGET_SECRET,
    }))?;
    let keyed = (
        widgets::security::ApiKeyQuery::new(QUERY_KEY),
        widgets::security::BasicAuth::new("ada", BASIC_PASSWORD),
    );
    let session = widgets::security::SessionCookie::new(SESSION);
    let id: widgets::types::AnnotateWidgetWidgetId = "w42".parse()?;
    let target = RawServer::answering("127.0.0.2", || json("201 Created", "{}")).await;
    for code in REDIRECT_CODES {
        let location = format!("{}/steal", target.url());
        let origin = RawServer::answering("127.0.0.1", move || redirect(code, &location)).await;
        for options in [
            ClientOptions::default(),
            ClientOptions::default().redirects(Redirects::SameOrigin { max: 5 }),
        ] {
            let client = widgets::Client::with_options(&origin.url(), options)?;
            let created = client.create_widget(&keyed, &widget).await.err();
            assert!(
                matches!(created, Some(Error::Redirect { .. })),
                "{created:?}"
            );
            let noted = client.annotate_widget(&session, &id, None).await.err();
            assert!(matches!(noted, Some(Error::Redirect { .. })), "{noted:?}");
        }
        let sent: String = origin.received().iter().map(Received::text).collect();
        assert!(sent.contains(QUERY_KEY) && sent.contains(SESSION) && sent.contains(WIDGET_SECRET));
    }
    let seen = target.received();
    assert!(seen.is_empty(), "the target was sent {seen:?}");
    Ok(())
}

/// A query key, a basic password, a cookie and a body's secret echoed in
/// an error are redacted like a header key.
#[tokio::test]
async fn echoes_of_any_placement_are_redacted() -> TestResult {
    let placed = [QUERY_KEY, BASIC_PASSWORD, SESSION, WIDGET_SECRET];
    let server = RawServer::start(
        "127.0.0.1",
        Arc::new(move |request: &Received| {
            // The basic password arrives base64-encoded; the echo names it.
            let text = request.text();
            let mut echoed: Vec<&str> = placed.into_iter().filter(|s| text.contains(s)).collect();
            if text.contains("authorization: Basic") {
                echoed.push(BASIC_PASSWORD);
            }
            let detail = format!("echo: {}", echoed.join(" "));
            json(
                "400 Bad Request",
                &serde_json::json!({ "detail": detail }).to_string(),
            )
        }),
    )
    .await?;
    let widget: widgets::types::Widget = serde_json::from_value(serde_json::json!({
        "name": "sprocket", "weight": 2.5, "tags": ["ab"], "secret_code": WIDGET_SECRET,
    }))?;
    let keyed = (
        widgets::security::ApiKeyQuery::new(QUERY_KEY),
        widgets::security::BasicAuth::new("ada", BASIC_PASSWORD),
    );
    let session = widgets::security::SessionCookie::new(SESSION);
    let id: widgets::types::AnnotateWidgetWidgetId = "w42".parse()?;
    let client = widgets::Client::with_base_url(&server.url())?;
    let created = client.create_widget(&keyed, &widget).await.err();
    let noted = client.annotate_widget(&session, &id, None).await.err();
    // Query key, basic password and body secret; the session cookie.
    for (error, echoed) in [(created, 3), (noted, 1)] {
        let error = error.ok_or("succeeded")?;
        let detail = error
            .body()
            .map(|b| b.detail.as_str().to_string())
            .ok_or_else(|| format!("{error:?}"))?;
        let all = format!("{error} {error:?} {detail}");
        assert!(detail.starts_with("echo: <redacted>"), "{detail}");
        assert_eq!(detail.matches("<redacted>").count(), echoed, "{detail}");
        assert!(!placed.iter().any(|s| all.contains(s)), "{all}");
    }
    Ok(())
}
