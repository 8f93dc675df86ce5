//! External readers the tests call when they are installed: `xmllint` (libxml2), checked
//! against the Ant schema. A missing tool skips the test locally but fails it under CI,
//! naming the package to install.

use std::path::Path;
use std::process::Command;

/// The strict Ant schema the `ant` flavor must validate against.
pub const ANT_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/junit/JUnit-ant.xsd"
);

/// Whether we run under CI, by the convention insta and most CI systems use.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Returns `false` (skip) when a tool is missing locally; panics with the install hint in CI.
pub fn require(available: bool, tool: &str, install: &str) -> bool {
    if available {
        return true;
    }
    assert!(
        !in_ci(),
        "{tool} is missing but CI requires this test (hint: {install})"
    );
    eprintln!("note: {tool} not found, skipping (hint: {install})");
    false
}

/// Whether `xmllint` can be run; skips (or fails under CI) when not.
pub fn xmllint_available() -> bool {
    let found = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    require(found, "xmllint", "apt-get install -y libxml2-utils")
}

/// Runs `xmllint --noout` on `file`, against `schema` if given; `Err` holds its complaint.
pub fn xmllint(file: &Path, schema: Option<&str>) -> Result<(), String> {
    let mut command = Command::new("xmllint");
    command.arg("--noout");
    if let Some(schema) = schema {
        command.args(["--schema", schema]);
    }
    let output = command.arg(file).output().expect("run xmllint");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}
