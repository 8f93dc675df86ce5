//! The house rules that can be checked by reading the source: no import circle between the
//! modules of a crate (data flows one way), and no source file over 500 lines.
//!
//! An import is a path a file names: `use crate::a::b`, `crate::a::f()` inline, `super::x`,
//! `self::x`, or a child module's (`child::X` after `mod child;`). It points at the deepest
//! module file the path reaches; `mod child;` alone is no import. Inline test modules are left
//! out (they ship in no build).

mod common;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::workspace;

const MAX_LINES: usize = 500;

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let mut circles = Vec::new();
    let mut arrows = 0;
    for krate in crates() {
        let modules = modules_of(&krate.join("src"));
        let graph = imports(&modules);
        arrows += graph.values().map(BTreeSet::len).sum::<usize>();
        for circle in strongly_connected(&graph) {
            let names: Vec<String> = circle
                .iter()
                .map(|m| format!("{}{m}", short(&krate)))
                .collect();
            circles.push(names.join(" <-> "));
        }
    }
    // The workspace has hundreds of imports: none read means the reader is broken.
    assert!(arrows > 200, "only {arrows} imports read");
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut long = Vec::new();
    for krate in crates() {
        for dir in ["src", "tests", "examples"] {
            for file in rust_files(&krate.join(dir)) {
                let lines = std::fs::read_to_string(&file)
                    .expect("read")
                    .lines()
                    .count();
                if lines > MAX_LINES {
                    let shown = file.strip_prefix(workspace()).unwrap_or(&file).to_owned();
                    long.push(format!("{} ({lines})", shown.display()));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The crates of the workspace: `harness/*` with a `src` folder.
fn crates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(workspace().join("harness"))
        .expect("harness/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("src").is_dir())
        .collect();
    out.sort();
    assert!(out.len() >= 5, "the workspace's crates: {out:?}");
    out
}

fn short(krate: &Path) -> String {
    let name = krate.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    format!("{name}:")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Module path (`a::b`, the crate root is ``) -> the file's source, for the library and
/// binary roots under `src`.
fn modules_of(src: &Path) -> BTreeMap<String, String> {
    let mut modules = BTreeMap::new();
    for file in rust_files(src) {
        let rel = file
            .strip_prefix(src)
            .expect("under src")
            .with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
            parts.clear();
        }
        let source = std::fs::read_to_string(&file).expect("read");
        modules.insert(parts.join("::"), strip_comments(without_tests(&source)));
    }
    modules
}

/// The source before its inline `#[cfg(test)] mod tests { … }`: a test module may import
/// what it tests from anywhere, and ships in no build.
fn without_tests(source: &str) -> &str {
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if line.trim() == "#[cfg(test)]" {
            let rest = source[at + line.len()..].trim_start();
            if rest.starts_with("mod ") && rest.split('\n').next().is_some_and(|l| l.contains('{'))
            {
                return &source[..at];
            }
        }
        at += line.len();
    }
    source
}

/// The source without `//` comments (doc comments name modules in prose).
fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module -> the modules it imports.
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (module, source) in modules {
        let mut to = BTreeSet::new();
        let children: BTreeSet<String> = source
            .lines()
            .filter_map(|l| {
                let l = l
                    .trim_start()
                    .trim_start_matches("pub ")
                    .trim_start_matches("pub(crate) ");
                l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
            })
            .collect();
        for path in paths_in(source, &children) {
            if let Some(target) = deepest_module(modules, &absolute(module, &path)) {
                to.insert(target);
            }
        }
        to.remove(module);
        graph.insert(module.clone(), to);
    }
    graph
}

/// Every `crate::…`, `super::…`, `self::…` and `child::…` path (`mod child;` declared here).
fn paths_in(source: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if word(bytes[i]) && (i == 0 || !word(bytes[i - 1]) && bytes[i - 1] != b':') {
            let start = i;
            while i < bytes.len() && (word(bytes[i]) || bytes[i] == b':') {
                i += 1;
            }
            let path: Vec<String> = source[start..i]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let head = path.first().map(String::as_str).unwrap_or_default();
            if path.len() > 1
                && (matches!(head, "crate" | "super" | "self") || children.contains(head))
            {
                out.push(path);
            }
            // `use a::{b, c::d}`: each branch continues the path before the brace.
            if i < bytes.len() && bytes[i] == b'{' && source[start..i].ends_with("::") {
                let end = source[i..].find('}').map_or(source.len(), |e| i + e);
                let prefix = &source[start..i];
                for branch in source[i + 1..end].split(',') {
                    let branch = branch.trim().trim_start_matches('{');
                    let name = branch.split([' ', '}', '{']).next().unwrap_or_default();
                    if !name.is_empty() && name != "self" {
                        let full = format!("{prefix}{name}");
                        let p: Vec<String> = full
                            .split("::")
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect();
                        let head = p.first().map(String::as_str).unwrap_or_default();
                        if matches!(head, "crate" | "super" | "self") || children.contains(head) {
                            out.push(p);
                        }
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A path as seen from `module`, made absolute (from the crate root, without `crate`).
fn absolute(module: &str, path: &[String]) -> Vec<String> {
    let mut base: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => {}
    }
    base.extend(rest.iter().cloned());
    base
}

/// The deepest module file a path reaches.
fn deepest_module(modules: &BTreeMap<String, String>, path: &[String]) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains_key(m))
}

/// Tarjan's strongly connected components of more than one module.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_circle_finder_finds_a_circle_and_only_a_circle() {
    let modules: BTreeMap<String, String> = [
        ("", "mod a;\nmod b;\nmod c;\n"),
        ("a", "use crate::b::Thing;\n"),
        ("b", "use crate::a::{Other, more::X};\n"),
        ("c", "use super::a::Other;\nfn f() { crate::b::g(); }\n"),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_owned(), s.to_owned()))
    .collect();
    let graph = imports(&modules);
    assert_eq!(graph["c"], BTreeSet::from(["a".to_owned(), "b".to_owned()]));
    assert_eq!(
        strongly_connected(&graph),
        vec![vec!["a".to_owned(), "b".to_owned()]]
    );
}
