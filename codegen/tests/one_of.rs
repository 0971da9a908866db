//! `oneOf` shapes are named after what they are, never `VariantN`, for any
//! document: a document built for it, generated whole. A shape that only
//! adds fields to another is named by what it adds (`Zip`), the other by
//! all its required fields (`NameUpload`).

const SPEC: &str = "openapi: 3.0.3
info: {title: shapes, version: '1'}
paths:
  /send:
    post:
      operationId: send
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Source'}
      responses:
        '204': {description: sent}
components:
  schemas:
    DocumentId: {type: integer}
    Source:
      oneOf:
        - $ref: '#/components/schemas/DocumentId'
        - type: object
          required: [name, upload]
          properties: {name: {type: string}, upload: {type: integer}}
        - type: object
          required: [name, upload, zip]
          properties: {name: {type: string}, upload: {type: integer}, zip: {type: integer}}
";

#[test]
fn shapes_take_their_type_or_their_distinguishing_required_fields() {
    let code = c2m_auth_codegen::generate_from_str(SPEC, "shapes.yaml").expect("generates");
    let enum_text = code
        .split("pub enum Source {")
        .nth(1)
        .and_then(|rest| rest.split("\n        }").next())
        .expect("the Source enum");
    assert!(!enum_text.contains("Variant"), "{enum_text}");
    assert!(enum_text.contains("DocumentId(DocumentId)"), "{enum_text}");
    assert!(enum_text.contains("NameUpload {"), "{enum_text}");
    assert!(enum_text.contains("Zip {"), "{enum_text}");
    assert!(
        code.contains("Self::DocumentId(value)"),
        "the From impl follows"
    );
}

#[test]
fn each_one_of_decodes_by_counting_its_shapes_and_bodies_are_checked_before_sending() {
    let code = c2m_auth_codegen::generate_from_str(SPEC, "shapes.yaml").expect("generates");
    assert!(code.contains("enum SourceOneOfShapes"), "the twin enum of shapes");
    assert!(
        code.contains("impl<'de> ::serde::Deserialize<'de> for Source"),
        "a counting Deserialize replaces the derived one"
    );
    assert!(code.contains("runtime::decode_one_of("), "counted by the runtime");
    assert!(code.contains("runtime::check_one_of(body)?;"), "checked before sending");
}
