//! Every rule that turns a name in the spec into a Rust name.
//!
//! typify names types, fields and enum variants, and progenitor names
//! methods. The typed layer, the checks that refuse colliding names and the
//! change report must predict those names exactly, so the rules live here
//! once, and the tests below hold them to what progenitor and typify
//! actually generate.

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The two cases the generators use.
#[derive(Clone, Copy)]
enum Case {
    Pascal,
    Snake,
}

/// What a name that does not start like an identifier is prefixed with:
/// typify writes `x`/`X`, progenitor `_`.
#[derive(Clone, Copy)]
enum Prefix {
    X,
    Underscore,
}

/// typify's and progenitor's rule: apostrophes dropped, other non-identifier
/// characters made separators, recased, prefixed if it cannot start an
/// identifier, and a trailing `_` on keywords.
fn sanitize(input: &str, case: Case, prefix: Prefix) -> String {
    let recase = |text: &str| match case {
        Case::Pascal => text.to_pascal_case(),
        Case::Snake => text.to_snake_case(),
    };
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => recase(
            &input
                .replace('\'', "")
                .replace(|c: char| !unicode_ident::is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => recase("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => match prefix {
            Prefix::X => format!("{}{out}", recase("x")),
            Prefix::Underscore => format!("_{out}"),
        },
    };
    if typify::accept_as_ident(&out) {
        out
    } else {
        format!("{out}_")
    }
}

/// The type typify gives a component schema (`token-info` → `TokenInfo`).
pub(crate) fn type_name(schema_name: &str) -> String {
    sanitize(schema_name, Case::Pascal, Prefix::X)
}

/// The field typify gives a property (`page-size` → `page_size`).
pub(crate) fn field_name(property: &str) -> String {
    sanitize(property, Case::Snake, Prefix::X)
}

/// The variant typify gives a string enum's value (`client_credentials`
/// → `ClientCredentials`).
pub(crate) fn variant_name(value: &str) -> String {
    sanitize(value, Case::Pascal, Prefix::X)
}

/// The method progenitor gives an operationId (`issueLongTermToken` →
/// `issue_long_term_token`).
pub(crate) fn method_name(operation_id: &str) -> String {
    sanitize(operation_id, Case::Snake, Prefix::Underscore)
}

/// The argument progenitor gives a parameter (`X-Request-Id` →
/// `x_request_id`).
pub(crate) fn parameter_name(name: &str) -> String {
    sanitize(name, Case::Snake, Prefix::Underscore)
}

/// The field the typed layer gives a response header in its headers
/// struct (`X-Token-Id` → `x_token_id`; a keyword gets a trailing `_`).
pub(crate) fn header_field(header: &str) -> String {
    let name = header.to_snake_case();
    if name.is_empty() {
        "header".to_string()
    } else if syn::parse_str::<Ident>(&name).is_ok() {
        name
    } else {
        format!("{name}_")
    }
}

/// An identifier from text the spec chose: characters that cannot be in
/// one become `_`, a leading digit gets a `_` before it, and a keyword a `_`
/// after it.
pub(crate) fn ident(raw: &str) -> Ident {
    let mut text: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    match syn::parse_str::<Ident>(&text) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", text),
    }
}

/// The credential type of a security scheme (`ClientKey`).
pub(crate) fn credential_type(scheme_name: &str) -> Ident {
    ident(&scheme_name.to_pascal_case())
}

/// Why `name` cannot name a crate in code, if it cannot: Cargo's package
/// names are ASCII letters, digits, `-` and `_`, not starting with a digit,
/// and code names them with `-` as `_`.
pub(crate) fn crate_name_problem(name: &str) -> Option<String> {
    let code_name = name.replace('-', "_");
    let well_formed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if !well_formed {
        return Some(format!(
            "`{name}` is not a crate name (ASCII letters, digits, `-` and `_`, starting with a letter)"
        ));
    }
    syn::parse_str::<Ident>(&code_name)
        .is_err()
        .then(|| format!("`{name}` is a Rust keyword, so code cannot name the crate"))
}

/// Why `path` cannot be a Rust path to a module (`my_client::auth`), if it
/// cannot: `::`-separated identifiers, none a keyword.
pub(crate) fn path_problem(path: &str) -> Option<String> {
    let bad = path.is_empty()
        || path
            .split("::")
            .any(|segment| syn::parse_str::<Ident>(segment).is_err());
    bad.then(|| format!("`{path}` is not a path of identifiers such as `my_client::auth`"))
}

/// The identifier of the runtime crate as code names it (`c2m-auth` →
/// `c2m_auth`). The name has passed [`crate_name_problem`]; any other text
/// comes out sanitized rather than panicking.
pub(crate) fn crate_ident(crate_name: &str) -> Ident {
    ident(&crate_name.replace('-', "_"))
}

/// `::CRATE::runtime`, the path generated code reaches the runtime by.
pub(crate) fn runtime_path(crate_name: &str) -> TokenStream {
    let krate = crate_ident(crate_name);
    quote!(::#krate::runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document whose names need every rule: separators, leading digits,
    /// keywords, apostrophes, case.
    const DOC: &str = r#"
openapi: 3.0.3
info: {title: Names, version: '1'}
paths:
  /a:
    get:
      operationId: 1st-thing
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/token-info'}
  /b:
    post:
      operationId: Get Widget's
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/2fa-State'}
  /c:
    get:
      operationId: type
      parameters:
        - {name: X-Request-Id, in: header, schema: {type: string}}
        - {name: page-size, in: query, schema: {type: integer}}
        - {name: 1st, in: query, schema: {type: integer}}
      responses:
        '204': {description: ok}
components:
  schemas:
    token-info:
      type: object
      properties:
        page-size: {type: integer}
        type: {type: string}
        2fa: {type: boolean}
        won't: {type: string}
        kind:
          type: string
          enum: [client_credentials, a-b, "9lives", self, Already]
    2fa-State:
      type: object
      properties:
        camelCase: {type: string}
"#;

    fn generated() -> String {
        crate::generate_from_str(DOC, "names.yaml")
            .unwrap_or_else(|e| panic!("the names document generates: {e}"))
    }

    #[test]
    fn the_rules_agree_with_what_typify_and_progenitor_generate() {
        let code = generated();
        let expect = |text: String| {
            assert!(code.contains(&text), "generated code has no `{text}`");
        };
        for schema in ["token-info", "2fa-State"] {
            expect(format!("pub struct {} ", type_name(schema)));
        }
        for property in ["page-size", "type", "2fa", "won't", "kind", "camelCase"] {
            expect(format!("pub {}:", field_name(property)));
        }
        for value in ["client_credentials", "a-b", "9lives", "self", "Already"] {
            expect(format!("            {},\n", variant_name(value)));
        }
        for parameter in ["X-Request-Id", "page-size", "1st"] {
            expect(format!("{}: ", parameter_name(parameter)));
        }
        for operation_id in ["1st-thing", "Get Widget's", "type"] {
            expect(format!("pub async fn {}<", method_name(operation_id)));
        }
    }

    #[test]
    fn the_rules_give_these_names() {
        assert_eq!(type_name("token-info"), "TokenInfo");
        assert_eq!(type_name("2fa-State"), "X2faState");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("2fa"), "x2fa");
        assert_eq!(field_name("won't"), "wont");
        assert_eq!(variant_name("self"), "Self_");
        assert_eq!(method_name("1st-thing"), "_1st_thing");
        assert_eq!(method_name("type"), "type_");
        assert_eq!(parameter_name("1st"), "_1st");
        assert_eq!(header_field("X-Token-Id"), "x_token_id");
        assert_eq!(
            runtime_path("c2m-auth").to_string(),
            ":: c2m_auth :: runtime"
        );
        assert_eq!(crate_name_problem("c2m-auth"), None);
        for bad in ["", "c2m auth", "9lives", "crate", "a::b", "ünï"] {
            assert!(crate_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
