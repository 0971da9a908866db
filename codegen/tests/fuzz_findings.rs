//! The minimised documents a mutation fuzzer found breaking the generator
//! (`tests/fuzz_findings/`, see its README): each must now end in bounded
//! time with a spec error that is located where the problem is, or with
//! code that compiles with warnings denied.

mod support;

use std::path::Path;

use c2m_auth_codegen::Location;
use support::{Outcome, WATCHDOG, generate_bounded, unlocated};

fn finding(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_findings")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Generates from the finding `name` under the watchdog; panics unless it
/// ended with an answer.
fn outcome(name: &str) -> Outcome {
    let text = finding(name);
    let (outcome, took) = generate_bounded(&text, name, WATCHDOG);
    match outcome {
        Outcome::Hung => panic!("{name}: no answer within {WATCHDOG:?}"),
        Outcome::Panicked(message) => panic!("{name}: panicked: {message}"),
        answered => {
            eprintln!("{name}: answered in {took:?}");
            answered
        }
    }
}

/// The finding `name` is refused with a located error at `pointer`, on
/// `line`, whose message contains `message_part`.
fn refused_at(name: &str, pointer: &str, line: usize, message_part: &str) {
    let error = match outcome(name) {
        Outcome::Rejected(error) => error,
        _ => panic!("{name}: accepted, but it must be refused"),
    };
    if let Some(problem) = unlocated(&error) {
        panic!("{name}: {problem}");
    }
    match error.location() {
        Location::Node { pointer: at, .. } => assert_eq!(at, pointer, "{name}: {error}"),
        other => panic!("{name}: located at {other:?}, not at a node: {error}"),
    }
    assert_eq!(
        error.position().map(|p| p.line),
        Some(line),
        "{name}: {error}"
    );
    assert!(
        error.message().contains(message_part),
        "{name}: `{}` lacks `{message_part}`",
        error.message()
    );
    assert!(!error.hint().is_empty());
}

/// The finding `name` generates code; returns it for the compile check.
fn accepted(name: &str) -> String {
    match outcome(name) {
        Outcome::Accepted(source) => source,
        Outcome::Rejected(error) => panic!("{name}: refused: {error}"),
        _ => unreachable!("outcome() panics on the others"),
    }
}

#[test]
fn an_allof_cycle_is_an_error_not_a_stack_overflow() {
    for name in [
        "crash-stack-overflow-allof-cycle.yaml",
        "crash-stack-overflow-allof-cycle-min.yaml",
    ] {
        let (pointer, line) = if name.ends_with("-min.yaml") {
            ("/components/schemas/CycB/allOf/0/$ref", 27)
        } else {
            ("/components/schemas/B/allOf/0/$ref", 23)
        };
        refused_at(name, pointer, line, "includes itself through `allOf`");
    }
}

#[test]
fn an_allof_that_typify_merges_may_not_lead_back_through_a_property() {
    refused_at(
        "crash-stack-overflow-allof-property-cycle.yaml",
        "/components/schemas/Node/properties/default/allOf/0",
        22,
        "leads back to the schema that merges it",
    );
    refused_at(
        "crash-stack-overflow-allof-enum-cycle.yaml",
        "/components/schemas/Node/properties/parent/allOf/0",
        21,
        "leads back to the schema that merges it",
    );
}

#[test]
fn a_mistyped_bound_deep_down_is_found_quickly_where_it_is() {
    let deep = "/items".repeat(22);
    refused_at(
        "hang-exponential-parse-items-depth22.yaml",
        &format!("/components/schemas/Deep{deep}/maxLength"),
        7,
        "`maxLength` must be a non-negative integer, not `\"8\"`",
    );
    let deep = "/properties/p".repeat(20);
    refused_at(
        "hang-exponential-parse-properties-depth20.yaml",
        &format!(
            "/paths/~1a/post/requestBody/content/application~1json/schema{deep}/properties/type"
        ),
        13,
        "a schema must be a mapping",
    );
}

#[test]
fn a_mistyped_keyword_deep_inside_a_list_is_found_quickly_where_it_is() {
    let name = "hang-exponential-parse-parameter-list.yaml";
    refused_at(
        name,
        &format!(
            "/components/schemas/Parts{}/nullable",
            "/allOf/0".repeat(24)
        ),
        18,
        "`nullable` must be `true` or `false`, not `\"8\"`",
    );
    // Without the components, the parameter's schema is the first.
    let text = finding(name);
    let text = &text[..text.find("components:").expect("a components section")];
    let (outcome, _) = generate_bounded(text, name, WATCHDOG);
    let Outcome::Rejected(error) = outcome else {
        panic!("{name} without components: not refused in time");
    };
    assert_eq!(unlocated(&error), None);
    let expected = format!(
        "/paths/~1a/get/parameters/0/schema{}/nullable",
        "/items".repeat(24)
    );
    assert!(
        matches!(error.location(), Location::Node { pointer, .. } if *pointer == expected),
        "{error}"
    );
}

#[test]
fn a_ref_cycle_used_as_a_body_is_an_error_not_a_hang() {
    refused_at(
        "hang-ref-cycle-text-body.yaml",
        "/components/schemas/B/$ref",
        18,
        "`$ref` chain comes back to where it started",
    );
    refused_at(
        "hang-self-ref-body.yaml",
        "/components/schemas/A/$ref",
        17,
        "`$ref` chain comes back to where it started",
    );
}

#[test]
fn a_bound_that_is_not_finite_is_an_error_not_a_panic() {
    refused_at(
        "panic-nan-bound.yaml",
        "/components/schemas/A/minimum",
        9,
        "is not finite",
    );
    refused_at(
        "panic-openapiv3-reference-min.yaml",
        "/components/schemas/VolumeConstructionRequest/oneOf/0/properties/block_size/minimum",
        8,
        "is not finite",
    );
}

#[test]
fn errors_are_located_at_the_node_they_are_about() {
    refused_at(
        "mislocated-inherited-security.yaml",
        "/security/0/Undefined",
        4,
        "names `Undefined`",
    );
    refused_at(
        "mislocated-response-ref-no-schema.yaml",
        "/components/responses/Bad/content/application~1json",
        14,
        "without a schema",
    );
    refused_at(
        "unlocated-info-version-float.yaml",
        "/info/version",
        2,
        "expected a string",
    );
}

#[test]
fn a_header_or_path_parameter_must_be_one_text_value() {
    let name = "nocompile-header-parameter-object.yaml";
    refused_at(
        name,
        "/paths/~1a~1{id}/get/parameters/1/schema",
        14,
        "header parameter `result` has an object schema",
    );
    // The same for a path parameter that is a list.
    let text = finding(name).replace(
        "schema: {type: string}}",
        "schema: {type: array, items: {type: string}}}",
    );
    let (outcome, _) = generate_bounded(&text, name, WATCHDOG);
    let Outcome::Rejected(error) = outcome else {
        panic!("a list path parameter was not refused");
    };
    assert!(
        error
            .message()
            .contains("path parameter `id` has an array schema"),
        "{error}"
    );
    // Found by the mutation test (seed 7): a nullable one is an `Option`,
    // which has no text form either.
    let text = finding(name).replace(
        "schema: {type: string}}",
        "schema: {type: integer, nullable: true}}",
    );
    let (outcome, _) = generate_bounded(&text, name, WATCHDOG);
    let Outcome::Rejected(error) = outcome else {
        panic!("a nullable path parameter was not refused");
    };
    assert!(
        error
            .message()
            .contains("path parameter `id` has a nullable schema"),
        "{error}"
    );
}

#[test]
fn a_required_name_without_a_property_is_a_field_that_may_clash() {
    refused_at(
        "nocompile-required-name-like-property.yaml",
        "/components/schemas/Start/required/1",
        21,
        "property `script` would be the field `script`, like property `SCRIPT`",
    );
}

#[test]
fn accepted_findings_generate_code_that_compiles_without_warnings() {
    let sources = vec![
        (
            "nullable_enum_title".to_string(),
            accepted("nocompile-nullable-enum-title.yaml"),
        ),
        (
            "json_surrogate_escape".to_string(),
            accepted("reject-json-surrogate-escape.json"),
        ),
        (
            "enum_listing_null".to_string(),
            accepted("nocompile-enum-listing-null.yaml"),
        ),
    ];
    // The escaped emoji reaches the output as the character it stands for.
    assert!(
        sources[1].1.contains("Emoji \u{1F600} API"),
        "{}",
        sources[1].1
    );
    if let Err(account) = support::compile("fuzz-findings-check", &sources) {
        panic!("the accepted findings do not compile cleanly: {account}");
    }
}

/// A document whose `Deep` schema is `levels` arrays deep, returned by an
/// operation.
fn nested(levels: usize) -> String {
    let mut schema = "{type: string}".to_string();
    for _ in 0..levels {
        schema = format!("{{type: array, items: {schema}}}");
    }
    format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: op\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Deep'}}\ncomponents:\n  schemas:\n    Deep: {schema}\n"
    )
}

#[test]
fn nesting_beyond_the_limit_is_a_located_error_and_within_it_generates() {
    // The mapping at `Deep` is 3 levels down; each array adds one.
    let (outcome, _) = generate_bounded(&nested(60), "deep.yaml", WATCHDOG);
    match outcome {
        Outcome::Accepted(_) => {}
        Outcome::Rejected(error) => panic!("60 levels are within the limit: {error}"),
        _ => panic!("60 levels: no answer, or a panic"),
    }
    let (outcome, _) = generate_bounded(&nested(70), "deep.yaml", WATCHDOG);
    let Outcome::Rejected(error) = outcome else {
        panic!("70 levels are beyond the limit, but were not refused");
    };
    assert_eq!(unlocated(&error), None);
    assert!(
        error.message().contains("nests more than 64 levels deep"),
        "{error}"
    );
    assert_eq!(error.position().map(|p| p.line), Some(15), "{error}");
    assert!(error.hint().contains("components/schemas"), "{error}");
}

#[test]
fn a_document_beyond_the_size_limit_is_a_located_error() {
    let padding = "#".repeat(8 * 1024 * 1024);
    let text = format!("openapi: 3.0.3\n{padding}\n");
    let (outcome, _) = generate_bounded(&text, "big.yaml", WATCHDOG);
    let Outcome::Rejected(error) = outcome else {
        panic!("an oversized document was not refused");
    };
    assert_eq!(unlocated(&error), None);
    assert!(error.message().contains("more than the 8388608"), "{error}");
    assert_eq!(error.position().map(|p| (p.line, p.column)), Some((1, 1)));
}
