//! Behaviour of the three operations, through the generated client, against
//! the in-process sandbox over loopback. Each test starts its own sandbox.
//!
//! Requests the typed client cannot send (malformed JSON, unknown fields, no
//! credential or two at once) go through plain `reqwest`.

mod binding;
mod fixture;
mod jobs;
mod long_term;
mod nulls;
mod one_of;
mod revoke;
mod server;
mod short_term;
