//! What both benches compare: the documents, and raw progenitor alone with
//! the settings `c2m-auth-codegen` gives it, so the comparison is like for
//! like.

use std::path::Path;

/// A document to generate from: its name in reports and its text.
pub struct Document {
    pub name: &'static str,
    pub text: String,
}

/// `spec/auth.yaml` and the largest corpus document, read once.
pub fn documents() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        ("auth.yaml", root.join("../spec/auth.yaml")),
        ("nexus.json", root.join("tests/corpus/nexus.json")),
    ]
    .into_iter()
    .map(|(name, path)| match std::fs::read_to_string(&path) {
        Ok(text) => Document { name, text },
        Err(error) => panic!("cannot read {}: {error}", path.display()),
    })
    .collect()
}

/// Our generator, as the build script calls it (through `Config`, which
/// reads the file and then does what `generate_from_str` does).
pub fn ours(document: &Document) -> String {
    match c2m_auth_codegen::generate_from_str(&document.text, document.name) {
        Ok(source) => source,
        Err(error) => panic!("{} does not generate: {error}", document.name),
    }
}

/// Raw progenitor: parse into `openapiv3::OpenAPI`, generate tokens with
/// the settings our generator uses, and format them once.
pub fn raw_progenitor(document: &Document) -> String {
    let spec: openapiv3::OpenAPI = if document.name.ends_with(".json") {
        serde_json::from_str(&document.text).unwrap_or_else(|e| panic!("{e}"))
    } else {
        serde_yaml::from_str(&document.text).unwrap_or_else(|e| panic!("{e}"))
    };
    let context: proc_macro2::TokenStream = "::c2m_auth::runtime::CallContext"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_inner_type(context)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_crate("c2m_auth", progenitor::CrateVers::Any, None);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("{e}"));
    let file: syn::File = syn::parse2(tokens).unwrap_or_else(|e| panic!("{e}"));
    prettyplease::unparse(&file)
}
