//! What the crate's benches share.

/// A multi-threaded Tokio runtime for the benches' loopback servers and
/// calls.
pub fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("cannot start a Tokio runtime: {error}"),
    }
}
