//! The spec's servers as a `Server` enum, and the constructors using it.

use crate::model::Spec;
use crate::tokens::docs;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The `Server` enum and the constructors that use it, from `servers`.
pub(super) fn servers(spec: &Spec<'_>, rt: &TokenStream) -> (TokenStream, TokenStream) {
    let (choices, relative) = crate::servers::server_choices(&spec.servers);
    let entries: Vec<(Ident, String, String)> = choices
        .into_iter()
        .map(|c| (format_ident!("{}", c.name), c.url, c.description))
        .collect();
    let Some((first, first_url, _)) = entries.first() else {
        return (quote!(), quote!());
    };
    let default_doc = docs(&format!(
        "A client for the spec's first server, [`Server::{first}`] (`{first_url}`)."
    ));
    let constructors = quote! {
        #default_doc
        pub fn new() -> ::std::result::Result<Self, #rt::ClientError> {
            Self::for_server(Server::default())
        }

        /// A client for one of the spec's servers.
        pub fn for_server(server: Server) -> ::std::result::Result<Self, #rt::ClientError> {
            Self::with_base_url(server.url())
        }
    };
    (server_enum(&entries, &relative), constructors)
}

/// The `Server` enum of `(variant, url, description)` entries, the first
/// the default; its docs list the `relative` URLs left out.
fn server_enum(entries: &[(Ident, String, String)], relative: &[String]) -> TokenStream {
    let variants = entries
        .iter()
        .enumerate()
        .map(|(i, (ident, url, description))| {
            let doc = if description.is_empty() {
                docs(&format!("`{url}`"))
            } else {
                docs(&format!("{description}: `{url}`"))
            };
            let default = (i == 0).then(|| quote!(#[default]));
            quote!(#doc #default #ident)
        });
    let idents: Vec<&Ident> = entries.iter().map(|(i, _, _)| i).collect();
    let urls = entries.iter().map(|(_, u, _)| u);
    let descriptions = entries.iter().map(|(_, _, d)| d);
    let relative_doc = if relative.is_empty() {
        quote!()
    } else {
        let listed: Vec<String> = relative.iter().map(|url| format!("`{url}`")).collect();
        docs(&format!(
            "\nRelative server URLs name no host and are left out:\n{}. Use `Client::with_base_url` with the full URL.",
            listed.join(", ")
        ))
    };
    quote! {
        /// The servers the spec lists, one per value of their `enum`
        /// variables; the first is the default. Non-exhaustive, so a
        /// server added to the spec is not a breaking change.
        #relative_doc
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Server {
            #(#variants,)*
        }

        impl Server {
            /// Every server, in the spec's order. A slice, not an array,
            /// so that a server added to the spec changes no type.
            pub const ALL: &'static [Server] = &[#(Server::#idents),*];

            /// The server's base URL.
            pub const fn url(self) -> &'static str {
                match self { #(Server::#idents => #urls,)* }
            }

            /// The server's description in the spec.
            pub const fn description(self) -> &'static str {
                match self { #(Server::#idents => #descriptions,)* }
            }
        }
    }
}
