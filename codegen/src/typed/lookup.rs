//! Matching progenitor's arguments to the spec's parameters.

use heck::ToSnakeCase;
use proc_macro2::Ident;

use crate::model::Parameter;

/// The spec parameter that progenitor's argument `name` stands for.
pub(super) fn spec_parameter<'p, 'a>(
    parameters: &'p [Parameter<'a>],
    name: &Ident,
) -> Option<&'p Parameter<'a>> {
    parameters
        .iter()
        .find(|p| *name == p.name || *name == p.name.to_snake_case())
}
