//! The `Client`: its struct, constructors, the typed methods, and the hooks
//! progenitor's client calls around each request.

use proc_macro2::TokenStream;
use quote::quote;

use super::Context;
use crate::model::Info;
use crate::tokens::docs;

/// `Client`, its `impl` holding `default_constructors` and `methods`, and
/// the hooks of progenitor's client.
pub(super) fn client(
    cx: &Context<'_>,
    default_constructors: TokenStream,
    methods: &[TokenStream],
) -> TokenStream {
    let rt = &cx.rt;
    let client_doc = client_doc(&cx.spec.info);
    let constructors = constructors(cx);
    let hooks = hooks(rt);
    // A client of a document without operations never sends a request.
    let http_allow = if methods.is_empty() {
        quote!(#[allow(dead_code)])
    } else {
        TokenStream::new()
    };
    quote! {
        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            base_url: ::std::string::String,
            #http_allow
            http: ::reqwest::Client,
            options: #rt::ClientOptions,
        }

        impl Client {
            #default_constructors

            #constructors

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            /// What this client refuses of its server: size cap, redirects, timeout.
            pub fn options(&self) -> &#rt::ClientOptions {
                &self.options
            }

            #(#methods)*
        }

        #hooks
    }
}

/// The client's docs, from the spec's `info`.
fn client_doc(info: &Info<'_>) -> TokenStream {
    let title = info.title.unwrap_or("the API");
    let version = info.version.unwrap_or_default();
    let description = info.description.unwrap_or_default();
    docs(&format!(
        "Client for {title} (version {version}).\n\n{}\n\nEach operation is a method that takes the credential the spec accepts for it.",
        description.trim()
    ))
}

/// `with_base_url`, `with_options` and `with_http_client`.
fn constructors(cx: &Context<'_>) -> TokenStream {
    let rt = &cx.rt;
    let options_link = format!(
        "[`ClientOptions`]({}::runtime::ClientOptions)",
        cx.runtime_crate
    );
    let with_base_url_doc = docs(&format!(
        "A client for `base_url`: `https://…`, or `http://…` on a loopback\nhost only, so a credential is never sent in clear text by accident.\nIt uses the default {options_link}: no redirects, a 1 MiB response cap, a 15 s timeout."
    ));
    let with_options_doc = docs(&format!(
        "A client for `base_url` (the rules of [`Client::with_base_url`]) with\n`options`: the response-size cap, the redirect rule and the timeout ({options_link})."
    ));
    let with_http_client_doc = docs(&format!(
        "A client for `base_url` built from your own `reqwest::ClientBuilder`\n(proxies, TLS roots, default headers) and `options` ({options_link}).\nThe base URL rules apply, and `options`' redirect rule and timeouts\nreplace the builder's, so no setting of it can send a credential to\nanother origin."
    ));
    quote! {
        #with_base_url_doc
        pub fn with_base_url(base_url: &str) -> ::std::result::Result<Self, #rt::ClientError> {
            Self::with_options(base_url, #rt::ClientOptions::default())
        }

        #with_options_doc
        pub fn with_options(
            base_url: &str,
            options: #rt::ClientOptions,
        ) -> ::std::result::Result<Self, #rt::ClientError> {
            let base_url = #rt::check_base_url(base_url)?;
            let http = #rt::http_client(&options)?;
            ::std::result::Result::Ok(Self { base_url, http, options })
        }

        #with_http_client_doc
        pub fn with_http_client(
            base_url: &str,
            http: ::reqwest::ClientBuilder,
            options: #rt::ClientOptions,
        ) -> ::std::result::Result<Self, #rt::ClientError> {
            let base_url = #rt::check_base_url(base_url)?;
            let http = #rt::configure(http, &options).build()?;
            ::std::result::Result::Ok(Self { base_url, http, options })
        }
    }
}

/// The hooks through which the runtime prepares, sends and checks each of
/// progenitor's requests.
fn hooks(rt: &TokenStream) -> TokenStream {
    quote! {
        impl ::progenitor_client::ClientHooks<#rt::CallContext> for raw::Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                #rt::prepare_request(&self.inner, request);
                ::std::result::Result::Ok(())
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                #rt::execute(&self.client, request, &self.inner).await
            }

            async fn post<E>(
                &self,
                result: &::reqwest::Result<::reqwest::Response>,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                #rt::after_response(&self.inner, result)
            }
        }
    }
}
