//! The client constructors for the spec's servers.

use c2m_auth::{Client, Server};

fn main() {
    let production = Client::new().unwrap();
    assert_eq!(production.base_url(), Server::Production.url());
    let example = Client::for_server(Server::Example).unwrap();
    assert_eq!(example.base_url(), Server::Example.url());
}
