//! Overlays merged into a base document (`Config::overlay`): what the merge
//! keeps, and that every error points into the file that wrote its node.

use c2m_auth_codegen::{Config, SpecError, generate_merged_from_str};

const BASE: &str = include_str!("overlay/base.yaml");
const OVERLAY: &str = include_str!("overlay/overlay.yaml");

fn merged(base: &str, overlay: &str) -> Result<String, SpecError> {
    generate_merged_from_str((base, "base.yaml"), &[(overlay, "overlay.yaml")])
}

/// `(file, line, column)` of each error listed.
fn places(error: &SpecError) -> Vec<(String, usize, usize)> {
    error
        .errors()
        .iter()
        .map(|e| {
            let at = e.position().map_or((0, 0), |p| (p.line, p.column));
            (e.file().to_string(), at.0, at.1)
        })
        .collect()
}

#[test]
fn the_overlay_adds_its_paths_and_schemas_and_the_base_keeps_its_own() {
    let code = merged(BASE, OVERLAY).expect("the fixture pair generates");
    assert!(
        code.contains("pub async fn submit_job"),
        "the base's operation"
    );
    assert!(
        code.contains("pub async fn issue_token"),
        "the overlay's operation"
    );
    assert!(
        !code.contains("ignored_because_the_base_has_this_path"),
        "a path the base has keeps the base's definition"
    );
    assert!(code.contains("pub struct Token"), "the overlay's schema");
    // The overlay's `info.title` wins; the line names both files.
    let first = code.lines().next().unwrap_or_default();
    assert!(
        first.contains("from base.yaml with the overlay overlay.yaml (Base with tokens 1)"),
        "{first}"
    );
}

#[test]
fn an_error_points_into_the_file_that_wrote_the_node() {
    // A dangling reference in each file, on a line of its own.
    let base = BASE.replace(
        "$ref: '#/components/schemas/Job'\n      responses",
        "$ref: '#/components/schemas/Nope'\n      responses",
    );
    let overlay = OVERLAY.replace("schemas/Token'", "schemas/Missing'");
    assert_ne!(base, BASE);
    assert_ne!(overlay, OVERLAY);
    let error = merged(&base, &overlay).expect_err("two dangling references");
    let line_of = |text: &str, needle: &str| {
        1 + text
            .lines()
            .position(|l| l.contains(needle))
            .expect("the fixture has the line")
    };
    let found = places(&error);
    assert_eq!(found.len(), 2, "{error}");
    assert!(
        found.contains(&("base.yaml".into(), line_of(&base, "schemas/Nope"), 15)),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(file, line, _)| file == "overlay.yaml"
            && *line == line_of(&overlay, "schemas/Missing")),
        "{found:?}"
    );
}

#[test]
fn a_mapping_against_a_scalar_is_an_error_naming_both_places() {
    let overlay = OVERLAY.replace(
        "info:\n  title: Base with tokens\n  version: '1'",
        "info: just text",
    );
    assert_ne!(overlay, OVERLAY);
    let error = merged(BASE, &overlay).expect_err("the merge cannot settle it");
    assert_eq!(
        places(&error),
        [("overlay.yaml".to_string(), 2, 1)],
        "{error}"
    );
    let message = error.message();
    assert!(
        message.contains("a string here, where base.yaml:2:1 has a mapping"),
        "{message}"
    );
}

/// The real pair in `spec/`: upstream's base with its nine job operations,
/// and this project's auth overlay with the three token operations.
#[test]
fn the_c2m_base_and_the_auth_overlay_make_twelve_operations() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/");
    let code = Config::new(format!("{root}c2m-api-v2-base.yaml"))
        .overlay(format!("{root}auth.yaml"))
        .display_name("spec/c2m-api-v2-base.yaml")
        .generate()
        .expect("the merged C2M API v2 generates");
    let typed = code
        .split_once("mod raw")
        .map_or("", |(_, rest)| rest)
        .matches("\n    pub async fn ")
        .count();
    assert_eq!(typed, 12, "the typed client's methods");
    for method in [
        "single_doc_job_params",
        "issue_long_term_token",
        "revoke_token",
    ] {
        assert!(code.contains(&format!("pub async fn {method}")), "{method}");
    }
}

/// `merge` prints the merged document for tools that read one file
/// (Prism, schemathesis); a conflict fails it with the error.
#[test]
fn the_cli_prints_the_merged_document() {
    let dir = std::env::temp_dir().join(format!("c2m-auth-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let (base, overlay) = (dir.join("base.yaml"), dir.join("overlay.yaml"));
    std::fs::write(&base, BASE).expect("write base");
    std::fs::write(&overlay, OVERLAY).expect("write overlay");
    let run = |overlay_text: &str| {
        std::fs::write(&overlay, overlay_text).expect("write overlay");
        std::process::Command::new(env!("CARGO_BIN_EXE_c2m-auth-codegen"))
            .arg("merge")
            .arg(&base)
            .arg("--overlay")
            .arg(&overlay)
            .output()
            .expect("run the CLI")
    };
    let output = run(OVERLAY);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let merged: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the output is JSON");
    let paths: Vec<&String> = merged["paths"].as_object().expect("paths").keys().collect();
    assert_eq!(paths, ["/jobs", "/tokens"]);
    assert_eq!(merged["info"]["title"], "Base with tokens");
    let output = run(&OVERLAY.replace(
        "info:\n  title: Base with tokens\n  version: '1'",
        "info: []",
    ));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("overlay.yaml:2:1: the overlay has a sequence here"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
