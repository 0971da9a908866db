//! The typed layer over progenitor's generated code: everything the spec
//! says that progenitor ignores, generated from the spec for any document.
//!
//! - `security`: one credential type per security scheme, and per operation
//!   a sealed trait implemented only for the credentials its `security`
//!   alternatives accept, so a wrong credential is a compile error;
//! - `headers`: per operation, the success response's declared headers as
//!   typed fields;
//! - `rules`: the bounds, checked before sending and after decoding;
//! - `Server`: the spec's servers, and a `Client` whose constructors refuse
//!   plain http off loopback;
//! - one method per operation taking the credential, calling progenitor's
//!   method, and returning a typed `Response` or `Error`.

mod client;
mod examples;
mod headers;
mod lookup;
mod methods;
mod raw;
mod security;
mod servers;

use std::collections::BTreeMap;

use crate::model::{Operation, Spec};
use crate::naming;
use crate::rules::Rules;
use crate::validate::Document;
use crate::{SpecError, SpecErrorKind};
use proc_macro2::TokenStream;
use quote::quote;
use raw::{RawMethod, method_key, raw_methods, type_names};
use security::Scheme;

/// Generates the typed layer for the whole document.
pub(crate) fn generate(
    doc: &Document<'_>,
    spec: &Spec<'_>,
    raw: &syn::File,
    runtime_crate: &str,
    client_path: &str,
) -> Result<TokenStream, SpecError> {
    let cx = Context::new(doc, spec, raw, runtime_crate, client_path)?;
    let mut rules = Rules::new(spec, cx.rt.clone());
    let mut out = Output::default();
    for op in &spec.operations {
        methods::operation(&cx, &mut rules, &mut out, op)?;
    }
    let type_names = type_names(raw);
    examples::schema_examples(&cx, &rules, &type_names, &mut out);

    let security = security::module(&cx, &out);
    let headers = headers::module(&out);
    let rules_module = rules.module();
    let validate_impls = rules.validate_impls(&type_names);
    let (servers, default_constructors) = servers::servers(spec, &cx.rt);
    let client = client::client(&cx, default_constructors, &out.methods);
    let token_conversions = security::token_conversions(&cx);
    let examples_module = examples::module(&out.example_tests);
    Ok(quote! {
        #[allow(unused_imports)]
        use raw::ByteStream;
        pub use raw::types;

        #security
        #headers
        #rules_module
        #validate_impls
        #servers
        #client
        #token_conversions
        #examples_module
    })
}

/// What every stage reads: the document and its model, the path of the
/// runtime the generated code calls, progenitor's methods and the security
/// schemes.
pub(super) struct Context<'a> {
    doc: &'a Document<'a>,
    spec: &'a Spec<'a>,
    /// `::runtime_crate::runtime`.
    rt: TokenStream,
    runtime_crate: &'a str,
    /// Where other crates find the generated items (`my_client::auth`),
    /// for doc examples and compiler notes.
    client_path: &'a str,
    raw_methods: BTreeMap<String, RawMethod>,
    schemes: Vec<Scheme>,
}

impl<'a> Context<'a> {
    fn new(
        doc: &'a Document<'a>,
        spec: &'a Spec<'a>,
        raw: &syn::File,
        runtime_crate: &'a str,
        client_path: &'a str,
    ) -> Result<Self, SpecError> {
        Ok(Self {
            doc,
            spec,
            rt: naming::runtime_path(runtime_crate),
            runtime_crate,
            client_path,
            raw_methods: raw_methods(raw),
            schemes: security::schemes(doc, spec)?,
        })
    }

    /// progenitor's method for the operation `names` stands for.
    fn raw_method(&self, pointer: &str, names: &Names<'_>) -> Result<&RawMethod, SpecError> {
        self.raw_methods.get(&method_key(names.id)).ok_or_else(|| {
            self.doc.error_at(
                pointer,
                SpecErrorKind::Generator {
                    operation_id: Some(names.id.to_string()),
                    reason: "progenitor generated no method for this operation".into(),
                },
            )
        })
    }

    /// A spec error: something in operation `names` the typed layer cannot
    /// express, at `pointer`.
    fn unsupported(&self, names: &Names<'_>, pointer: &str, what: String, hint: &str) -> SpecError {
        self.doc.error_at(
            pointer,
            SpecErrorKind::Unsupported {
                operation_id: Some(names.id.to_string()),
                what,
                hint: hint.into(),
            },
        )
    }
}

/// The names an operation's items are made from.
pub(super) struct Names<'o> {
    /// The operationId as the spec spells it.
    id: &'o str,
    pascal: String,
    snake: String,
}

impl<'o> Names<'o> {
    fn of(op: &'o Operation<'o>) -> Self {
        use heck::{ToPascalCase, ToSnakeCase};
        let id = op.id;
        Self {
            id,
            pascal: id.to_pascal_case(),
            snake: id.to_snake_case(),
        }
    }
}

/// Where each concern puts its items, in the order the spec lists them;
/// `generate` assembles the modules from it at the end.
#[derive(Default)]
pub(super) struct Output {
    /// Per operation, its sealed credential trait and the trait's impls.
    credential_traits: Vec<TokenStream>,
    /// `impl Sealed` for each tuple of credentials an alternative requires
    /// together, once per tuple (keyed by its token text).
    tuple_seals: Vec<(String, TokenStream)>,
    /// Whether some operation accepts no credential.
    anonymous_sealed: bool,
    /// Per operation, its headers struct.
    header_items: Vec<TokenStream>,
    /// The typed methods of `Client`.
    methods: Vec<TokenStream>,
    /// The tests of the spec's examples.
    example_tests: Vec<TokenStream>,
}
