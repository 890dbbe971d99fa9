//! Converts the Checkout.com OpenAPI 3.0 bundle's schemas to JSON Schema (draft 2020-12) for the
//! `jsonschema` crate, so responses can be validated against the published spec.
//!
//! OpenAPI 3.0 differs from JSON Schema in a few ways handled here: `nullable`, boolean
//! `exclusiveMinimum`/`exclusiveMaximum`, `$ref` siblings being ignored, and `discriminator`
//! (turned into `if`/`then` dispatch on the property). Upstream glitches in the bundle
//! (`shared/specs/README.md`: "13 minor schema issues in nas that exist in the upstream YAML")
//! are worked around one by one in [`fix_glitch`], each named; any other non-standard construct
//! panics, so a new glitch is seen rather than silently accepted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// Where the bundle lives, relative to this crate.
pub(super) const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/specs/checkout/checkout-nas.openapi.json"
);

/// The loaded spec and its schemas converted to `$defs`.
pub(super) struct Spec {
    pub doc: Value,
    pub defs: Map<String, Value>,
}

const PREFIX: &str = "#/components/schemas/";

impl Spec {
    /// Loads and converts the bundle; `None` (after saying so loudly) if the file is absent.
    pub fn load() -> Option<Self> {
        let bytes = match std::fs::read(SPEC_PATH) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("!!!!! SKIPPING Checkout.com spec validation: cannot read {SPEC_PATH}: {e} !!!!!");
                return None;
            }
        };
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let defs = convert_all(&doc);
        Some(Self { doc, defs })
    }

    /// The raw OpenAPI schema of a documented response.
    pub fn response_schema(&self, path: &str, method: &str, status: &str) -> Value {
        self.doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"].clone()
    }

    /// A validator for an OpenAPI schema fragment (typically `{"$ref": …}`).
    pub fn validator(&self, openapi_schema: &Value) -> jsonschema::Validator {
        let mut root = convert(openapi_schema, &Ctx::default());
        if let Value::Object(obj) = &mut root {
            obj.insert("$defs".into(), Value::Object(self.defs.clone()));
        } else {
            root = json!({ "allOf": [root], "$defs": self.defs });
        }
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
    }

    /// Asserts `instance` is valid against the schema, listing every error.
    pub fn assert_valid(&self, what: &str, openapi_schema: &Value, instance: &Value) {
        let validator = self.validator(openapi_schema);
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} violates the spec:\n{}\n{instance:#}",
            errors.join("\n")
        );
    }

    /// `{"$ref": "#/components/schemas/<name>"}`.
    pub fn schema_ref(name: &str) -> Value {
        json!({ "$ref": format!("{PREFIX}{name}") })
    }
}

/// Conversion context: which component is being converted, and which discriminator parents its
/// `$ref`s must reach without re-entering the dispatch (a mapped child that `allOf`s its parent
/// would otherwise recurse forever).
#[derive(Default)]
struct Ctx {
    base_parents: BTreeSet<String>,
}

fn convert_all(doc: &Value) -> Map<String, Value> {
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // Children named in a discriminator mapping → their parents.
    let mut parents_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, schema) in schemas {
        for target in mapping_targets(schema) {
            parents_of.entry(target).or_default().insert(name.clone());
        }
    }
    let mut defs = Map::new();
    for (name, schema) in schemas {
        let schema = fix_glitch(name, schema.clone());
        let ctx = Ctx {
            base_parents: parents_of.get(name).cloned().unwrap_or_default(),
        };
        match schema.get("discriminator") {
            Some(discriminator) => {
                let mut base = schema.clone();
                if let Value::Object(b) = &mut base {
                    b.remove("discriminator");
                }
                defs.insert(format!("{name}__base"), convert(&base, &ctx));
                let mut all_of = vec![json!({ "$ref": format!("#/$defs/{name}__base") })];
                all_of.extend(dispatch(discriminator, schemas));
                defs.insert(name.clone(), json!({ "allOf": all_of }));
            }
            None => {
                defs.insert(name.clone(), convert(&schema, &ctx));
            }
        }
    }
    defs
}

fn mapping_targets(schema: &Value) -> Vec<String> {
    schema["discriminator"]["mapping"]
        .as_object()
        .map(|m| {
            m.values()
                .filter_map(|v| v.as_str()?.strip_prefix(PREFIX).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `if type == "card" then $ref card schema`, for each resolvable mapping entry.
fn dispatch(discriminator: &Value, schemas: &Map<String, Value>) -> Vec<Value> {
    let property = discriminator["propertyName"].as_str().unwrap();
    let mut out = Vec::new();
    for (value, target) in discriminator["mapping"].as_object().into_iter().flatten() {
        let target = target.as_str().unwrap().strip_prefix(PREFIX).unwrap();
        if !schemas.contains_key(target) {
            // Glitch: `PaymentResponseSource` maps `wechatpay` to
            // `02_PaymentResponseWeChatPaySource`, which the bundle does not define. Such a
            // source then only has to satisfy the base schema.
            assert_eq!(
                target, "02_PaymentResponseWeChatPaySource",
                "unexpected dangling mapping"
            );
            continue;
        }
        out.push(json!({
            "if": { "properties": { property: { "const": value } }, "required": [property] },
            "then": { "$ref": format!("#/$defs/{target}") },
        }));
    }
    out
}

/// The upstream schema glitches that affect validation, each fixed as narrowly as possible.
fn fix_glitch(name: &str, mut schema: Value) -> Value {
    match name {
        // `required: ["id"]` but no `id` property: the balances object never has an id (every
        // documented example omits it). Drop the phantom requirement, keep the rest.
        "PaymentResponseBalances" => {
            assert_eq!(schema["required"], json!(["id"]));
            schema.as_object_mut().unwrap().remove("required");
        }
        // `type: "Enum"` is not a JSON Schema type; the values are strings.
        "ProcessingData" | "ProcessingSettings" => {
            assert_eq!(schema["properties"]["preferred_scheme"]["type"], "Enum");
            schema["properties"]["preferred_scheme"]["type"] = json!("string");
            // Also in ProcessingSettings (request-only): Swagger 2-style `required: true` on the
            // `product_type` property; JSON Schema's `required` is a list on the parent.
            if name == "ProcessingSettings" {
                let product_type = schema["properties"]["product_type"].as_object_mut().unwrap();
                assert_eq!(product_type.remove("required"), Some(json!(true)));
            }
        }
        // `type: "datetime"` and `type: "long"` (request-only fields): an RFC 3339 string and
        // an integer.
        "3dsRequest" => {
            let props = &mut schema["properties"];
            assert_eq!(props["authentication_date"]["type"], "datetime");
            props["authentication_date"]["type"] = json!("string");
            props["authentication_date"]["format"] = json!("date-time");
            assert_eq!(props["authentication_amount"]["type"], "long");
            props["authentication_amount"]["type"] = json!("integer");
        }
        // `relevant_evidence.items` is declared `type: array` (of strings) with a string `enum`,
        // which no value can satisfy; the documented value is an array of those strings.
        "Dispute" => {
            let items = &mut schema["properties"]["relevant_evidence"]["items"];
            assert_eq!(items["type"], "array");
            let allowed = items["enum"].clone();
            *items = json!({ "type": "string", "enum": allowed });
        }
        // `properties.document` is a one-element array holding the `$ref`, not a schema.
        "EntityCompany" => {
            let document = &mut schema["properties"]["document"];
            assert!(document.is_array());
            *document = document[0].clone();
        }
        _ => {}
    }
    schema
}

/// Converts one OpenAPI 3.0 schema object.
fn convert(schema: &Value, ctx: &Ctx) -> Value {
    let Value::Object(obj) = schema else {
        return schema.clone();
    };
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        // OpenAPI 3.0: siblings of `$ref` are ignored.
        let name = reference
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("non-local $ref {reference}"));
        let target = if ctx.base_parents.contains(name) {
            format!("{name}__base")
        } else {
            name.to_owned()
        };
        return json!({ "$ref": format!("#/$defs/{target}") });
    }
    let mut out = Map::new();
    for (key, value) in obj {
        match key.as_str() {
            "properties" | "patternProperties" => {
                let props = value
                    .as_object()
                    .unwrap_or_else(|| panic!("{key} is not an object"));
                let converted = props
                    .iter()
                    .map(|(k, v)| {
                        assert!(
                            v.is_object(),
                            "property {k} is not a schema: {v} (add it to fix_glitch)"
                        );
                        (k.clone(), convert(v, ctx))
                    })
                    .collect();
                out.insert(key.clone(), Value::Object(converted));
            }
            "items" | "not" | "additionalProperties" => {
                out.insert(key.clone(), convert(value, ctx));
            }
            "allOf" | "oneOf" | "anyOf" => {
                let list = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| convert(v, ctx))
                    .collect();
                out.insert(key.clone(), Value::Array(list));
            }
            "type" => {
                let t = value.as_str().unwrap_or_else(|| panic!("type {value}"));
                assert!(
                    ["string", "integer", "number", "boolean", "object", "array"].contains(&t),
                    "non-standard type {t:?} (add it to fix_glitch)"
                );
                out.insert(key.clone(), value.clone());
            }
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if value == &Value::Bool(true) {
                    let bound = if key == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    out.insert(key.clone(), obj[bound].clone());
                }
            }
            // OpenAPI-only keywords with no validation meaning here.
            "nullable" | "discriminator" | "example" | "examples" | "xml" | "externalDocs" | "deprecated" => {
            }
            k if k.starts_with("x-") => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // A bound turned exclusive must not also stay inclusive.
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if out.contains_key(exclusive) {
            out.remove(bound);
        }
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converter_handles_openapi_only_constructs() {
        let schemas = json!({
            "Pet": {
                "type": "object",
                "required": ["kind"],
                "properties": { "kind": { "type": "string" } },
                "discriminator": { "propertyName": "kind", "mapping": { "dog": "#/components/schemas/Dog" } }
            },
            "Dog": {
                "allOf": [
                    { "$ref": "#/components/schemas/Pet" },
                    { "type": "object", "required": ["bark"], "properties": {
                        "bark": { "type": "string", "nullable": true },
                        "age": { "type": "integer", "minimum": 0, "exclusiveMinimum": true }
                    } }
                ]
            }
        });
        let doc = json!({ "components": { "schemas": schemas } });
        let spec = Spec {
            defs: convert_all(&doc),
            doc,
        };
        let v = spec.validator(&Spec::schema_ref("Pet"));
        assert!(v.is_valid(&json!({ "kind": "dog", "bark": null })));
        assert!(v.is_valid(&json!({ "kind": "cat" })));
        assert!(
            !v.is_valid(&json!({ "kind": "dog" })),
            "dispatch to Dog requires bark"
        );
        assert!(
            !v.is_valid(&json!({ "kind": "dog", "bark": "woof", "age": 0 })),
            "exclusive minimum"
        );
        assert!(!v.is_valid(&json!({ "bark": "woof" })), "base requires kind");
    }
}
