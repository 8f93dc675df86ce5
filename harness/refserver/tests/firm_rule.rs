//! The firm rule (design.md section 3): the reference server depends on no `harness-*` crate
//! and its sources never read the suite under `cases/`.

use std::path::Path;

#[test]
fn no_harness_dependency() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("own manifest");
    let mut section = String::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
            continue;
        }
        if section.contains("dependencies") {
            let name = line.split(['=', '.', ' ']).next().unwrap_or("");
            assert!(!name.starts_with("harness"), "{section}: {line}");
        }
    }
}

#[test]
fn sources_never_mention_the_suite() {
    // Every source file, those of submodule folders (`src/fault/`) too.
    let mut folders = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source");
        assert!(!text.contains("cases/"), "{}", path.display());
        assert!(
            !text.contains("harness_core") && !text.contains("harness_runner"),
            "{}",
            path.display()
        );
    }
}
