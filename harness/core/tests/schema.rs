//! The committed case-file JSON Schema (`docs/case-file.schema.json`) must match the model.

use std::path::Path;

use harness_core::loader::case_file_schema;

const SCHEMA: &str = "../../docs/case-file.schema.json";

#[test]
fn committed_schema_matches_the_model() {
    let generated = case_file_schema();
    let path = Path::new(SCHEMA);
    if std::env::var_os("UCWA_UPDATE_SCHEMA").is_some() {
        let text = serde_json::to_string_pretty(&generated).expect("a schema serializes");
        std::fs::write(path, text + "\n").expect("docs/ is writable");
    }
    let committed: serde_json::Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null);
    assert!(
        committed == generated,
        "docs/case-file.schema.json is out of date with the case model \
         (hint: run `cargo run -- schema > docs/case-file.schema.json`)"
    );
}

#[test]
fn schema_denies_unknown_keys_and_knows_the_steps() {
    let schema = case_file_schema();
    assert_eq!(schema["additionalProperties"], false);
    let step = &schema["$defs"]["Step"];
    assert_eq!(step["additionalProperties"], false);
    for key in [
        "request",
        "control",
        "await",
        "background",
        "expect",
        "events",
        "capture",
    ] {
        assert!(step["properties"].get(key).is_some(), "{key}");
    }
}
