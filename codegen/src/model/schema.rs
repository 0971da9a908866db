//! A JSON Schema node, read through named accessors: the one place the
//! bounds, the headers and the change report learn what a schema says.

use serde_json::Value;

use super::Schema;

/// The keywords read by name, with their spelling in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    Type,
    Ref,
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
    MultipleOf,
    MinLength,
    MaxLength,
    Pattern,
    MinItems,
    MaxItems,
    Items,
    Properties,
    AdditionalProperties,
    AllOf,
    OneOf,
    AnyOf,
    Enum,
    Format,
    Nullable,
}

impl Keyword {
    /// The keyword as the document spells it.
    pub fn name(self) -> &'static str {
        match self {
            Keyword::Type => "type",
            Keyword::Ref => "$ref",
            Keyword::Minimum => "minimum",
            Keyword::Maximum => "maximum",
            Keyword::ExclusiveMinimum => "exclusiveMinimum",
            Keyword::ExclusiveMaximum => "exclusiveMaximum",
            Keyword::MultipleOf => "multipleOf",
            Keyword::MinLength => "minLength",
            Keyword::MaxLength => "maxLength",
            Keyword::Pattern => "pattern",
            Keyword::MinItems => "minItems",
            Keyword::MaxItems => "maxItems",
            Keyword::Items => "items",
            Keyword::Properties => "properties",
            Keyword::AdditionalProperties => "additionalProperties",
            Keyword::AllOf => "allOf",
            Keyword::OneOf => "oneOf",
            Keyword::AnyOf => "anyOf",
            Keyword::Enum => "enum",
            Keyword::Format => "format",
            Keyword::Nullable => "nullable",
        }
    }
}

/// Where references to component schemas point.
const COMPONENT_PREFIX: &str = "#/components/schemas/";

impl<'a> Schema<'a> {
    /// The schema at `node`.
    pub fn new(node: &'a Value) -> Self {
        Schema { node }
    }

    /// `$ref`, as written.
    pub fn reference(self) -> Option<&'a str> {
        self.keyword(Keyword::Ref).and_then(Value::as_str)
    }

    /// The component schema a `$ref` names, its pointer escapes undone.
    pub fn component(self) -> Option<String> {
        let name = self.reference()?.strip_prefix(COMPONENT_PREFIX)?;
        Some(name.replace("~1", "/").replace("~0", "~"))
    }

    /// `type`, if it names one.
    pub fn kind(self) -> Option<&'a str> {
        self.keyword(Keyword::Type).and_then(Value::as_str)
    }

    /// `format`, if it is a string.
    pub fn format(self) -> Option<&'a str> {
        self.keyword(Keyword::Format).and_then(Value::as_str)
    }

    /// A keyword's value, whatever it is.
    pub fn keyword(self, keyword: Keyword) -> Option<&'a Value> {
        self.node.get(keyword.name())
    }

    /// Whether the keyword is present at all.
    pub fn has(self, keyword: Keyword) -> bool {
        self.keyword(keyword).is_some()
    }

    /// A numeric keyword (a limit, a step, a length).
    pub fn number(self, keyword: Keyword) -> Option<f64> {
        self.keyword(keyword).and_then(Value::as_f64)
    }

    /// A count keyword (`minLength`, `maxItems`, …) that is a whole number.
    pub fn count(self, keyword: Keyword) -> Option<u64> {
        self.keyword(keyword).and_then(Value::as_u64)
    }

    /// A boolean keyword that is `true`.
    pub fn flag(self, keyword: Keyword) -> bool {
        self.keyword(keyword).and_then(Value::as_bool) == Some(true)
    }

    /// `nullable: true`.
    pub fn nullable(self) -> bool {
        self.flag(Keyword::Nullable)
    }

    /// A secret string (`format: password`, or marked `x-secret`).
    pub fn is_secret(self) -> bool {
        crate::preprocess::is_secret(self.node)
    }

    /// `x-secret: true`, the spec's mark for a secret string.
    pub fn marked_secret(self) -> bool {
        self.node.get("x-secret").and_then(Value::as_bool) == Some(true)
    }

    /// `example`, the schema's own example value.
    pub fn example(self) -> Option<&'a Value> {
        self.node.get("example")
    }

    /// `pattern`, if it is a string.
    pub fn pattern(self) -> Option<&'a str> {
        self.keyword(Keyword::Pattern).and_then(Value::as_str)
    }

    /// `enum`'s values, if it is a list.
    pub fn enum_values(self) -> Option<&'a [Value]> {
        self.keyword(Keyword::Enum)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
    }

    /// `properties`, in the document's order.
    pub fn properties(self) -> Vec<(&'a str, Schema<'a>)> {
        let properties = self.keyword(Keyword::Properties).and_then(Value::as_object);
        properties
            .into_iter()
            .flatten()
            .map(|(name, node)| (name.as_str(), Schema { node }))
            .collect()
    }

    /// The property names `required` lists, in its order.
    pub fn required(self) -> impl Iterator<Item = &'a str> {
        self.node
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }

    /// `items`.
    pub fn items(self) -> Option<Schema<'a>> {
        self.keyword(Keyword::Items).map(|node| Schema { node })
    }

    /// `additionalProperties` when it is a schema (not `true`/`false`).
    pub fn additional(self) -> Option<Schema<'a>> {
        self.keyword(Keyword::AdditionalProperties)
            .filter(|node| node.is_object())
            .map(|node| Schema { node })
    }

    /// `additionalProperties: false`.
    pub fn closed(self) -> bool {
        self.keyword(Keyword::AdditionalProperties) == Some(&Value::Bool(false))
    }

    /// The parts of `allOf`, `oneOf` or `anyOf`.
    pub fn parts(self, composition: Keyword) -> Vec<Schema<'a>> {
        let parts = self.keyword(composition).and_then(Value::as_array);
        parts
            .into_iter()
            .flatten()
            .map(|node| Schema { node })
            .collect()
    }
}
