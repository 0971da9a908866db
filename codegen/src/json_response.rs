//! progenitor's JSON responses read by the runtime, which moves the
//! response's headers into the result instead of copying them.
//!
//! progenitor reads a JSON body with `ResponseValue::from_response`, which
//! clones the whole header map before reading the body, and the response
//! holding the original is dropped right after. The runtime's
//! `json_response` does the same reading and decoding, with the same
//! errors, and takes the map instead.

use syn::visit_mut::VisitMut;

/// Points every `ResponseValue::from_response` call in progenitor's code at
/// `::RUNTIME::runtime::json_response`. Returns how many were replaced.
pub(crate) fn read_with_runtime(raw: &mut syn::File, runtime_crate: &str) -> usize {
    let runtime = crate::naming::crate_ident(runtime_crate);
    let mut replacer = Replacer {
        replacement: syn::parse_quote!(::#runtime::runtime::json_response),
        replaced: 0,
    };
    replacer.visit_file_mut(raw);
    replacer.replaced
}

struct Replacer {
    replacement: syn::ExprPath,
    replaced: usize,
}

impl VisitMut for Replacer {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(function) = call.func.as_mut() {
            let mut segments = function.path.segments.iter().rev();
            let is_from_response = matches!(
                (segments.next(), segments.next()),
                (Some(last), Some(type_name))
                    if last.ident == "from_response" && type_name.ident == "ResponseValue"
            );
            if is_from_response {
                *function = self.replacement.clone();
                self.replaced += 1;
            }
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitors_json_reads_go_through_the_runtime() {
        let mut raw: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn call(&self) -> Result<ResponseValue<T>, Error<E>> {
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        400u16 => Err(Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        )),
                        204u16 => Ok(ResponseValue::empty(response)),
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        };
        assert_eq!(read_with_runtime(&mut raw, "my-crate"), 2);
        let text = quote::quote!(#raw).to_string();
        assert!(!text.contains("from_response"), "{text}");
        assert_eq!(
            text.matches(":: my_crate :: runtime :: json_response (response)")
                .count(),
            2,
            "{text}"
        );
        assert!(text.contains("ResponseValue :: empty (response)"), "{text}");
    }
}
