//! The library's layers import one way only: a lower layer never names a higher one.
//!
//! Every `crate::` path in the library's source (src/, less the binary's files) is read, and
//! the layer it names is checked against the layers the file's own layer may use. The table is
//! the one in ARCHITECTURE.md ("Layers"); a test below checks the two agree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer (a top-level module of src/) with the layers it may import, lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("fold", &["model"]),
    ("log", &["model"]),
    ("rules", &["model"]),
    ("engine", &["model", "fold", "log", "rules"]),
    ("analysis", &["model", "fold", "log", "rules", "engine"]),
    ("sweep", &["model", "fold", "log", "rules", "engine", "analysis", "outdir", "input"]),
    // Beside the layers.
    ("synth", &["model"]),
    ("outdir", &["input"]),
    ("input", &[]),
    ("testkit", &["model", "fold", "log", "rules", "engine"]),
];

/// The binary's own files: the CLI, on top of everything.
const BINARY: &[&str] = &["main.rs", "logs_cli.rs", "sweep_cli.rs", "analyze_cli.rs"];

/// Macros exported at the crate root, with the layer that defines them.
const ROOT_MACROS: &[(&str, &str)] = &[("format_id", "model")];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layer a source file belongs to: its top-level module under src/.
fn layer_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a source file that the layers constrain: comments are dropped, and so is a
/// unit-test module at the end of the file (`#[cfg(test)]`: tests may build their fixtures
/// with higher layers, which the library itself never links).
fn library_code(text: &str) -> String {
    let code = text.split("\n#[cfg(test)]").next().unwrap_or_default();
    code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a source text names through `crate::` paths (and `use crate::{..}`).
fn named_layers(text: &str) -> BTreeSet<String> {
    let text = &library_code(text);
    let mut named = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        if i > 0 && text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` in a macro, or another crate's path ending in `crate`
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let head: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !head.is_empty() {
                    named.insert(head);
                }
            }
        } else {
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            named.insert(head);
        }
    }
    named
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap().to_string_lossy().into_owned();
        if BINARY.contains(&rel.as_str()) || rel == "lib.rs" {
            continue;
        }
        let layer = layer_of(src, &f);
        let Some((_, allowed)) = LAYERS.iter().find(|(l, _)| *l == layer) else {
            found.push(format!("{rel}: top-level module `{layer}` is in no layer; add it to LAYERS and ARCHITECTURE.md"));
            continue;
        };
        for name in named_layers(&std::fs::read_to_string(&f).unwrap()) {
            let target = ROOT_MACROS.iter().find(|(m, _)| *m == name).map_or(name.as_str(), |(_, l)| *l);
            if target != layer && !allowed.contains(&target) {
                found.push(format!("{rel} (layer {layer}) imports crate::{name} (layer {target})"));
            }
        }
    }
    found
}

#[test]
fn no_layer_imports_a_higher_one() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "imports against the layers:\n{}", found.join("\n"));
}

#[test]
fn the_check_catches_an_upward_import() {
    // A model file that names the engine, and a rule that names the fold through a group.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layers_check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("model")).unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("model/state.rs"),
        "use crate::engine::Fixed;\nuse crate::model::id::Id; // not crate::rules\n#[cfg(test)]\nmod tests { use crate::fold::x; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rules/mod.rs"),
        "use crate::{model::event::Event, fold::apply};\nmacro_rules! m { () => { $crate::engine::x } }\n",
    )
    .unwrap();
    std::fs::write(dir.join("stray.rs"), "").unwrap();
    let found = violations(&dir);
    assert_eq!(
        found,
        [
            "model/state.rs (layer model) imports crate::engine (layer engine)",
            "rules/mod.rs (layer rules) imports crate::fold (layer fold)",
            "stray.rs: top-level module `stray` is in no layer; add it to LAYERS and ARCHITECTURE.md",
        ]
    );
}

#[test]
fn architecture_md_lists_the_same_layers() {
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    for (layer, allowed) in LAYERS {
        let uses = if allowed.is_empty() {
            "nothing".to_string()
        } else {
            allowed.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
        };
        let row = format!("| `{layer}` | {uses} |");
        assert!(text.contains(&row), "ARCHITECTURE.md has the row {row:?}");
    }
}

#[test]
fn the_how_to_add_a_rule_walkthrough_names_real_code() {
    // Every "*Where:* `FILE` holds `TEXT`" line of ARCHITECTURE.md's walk-through must be true.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let section = &text[text.find("## How to add a rule").expect("the walk-through")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut checked = 0;
    for line in section.lines().filter_map(|l| l.trim().strip_prefix("*Where:* `")) {
        let (file, rest) = line.split_once("` holds `").unwrap_or_else(|| panic!("malformed Where line: {line}"));
        let snippet = rest.strip_suffix('`').unwrap_or_else(|| panic!("malformed Where line: {line}"));
        let body = std::fs::read_to_string(root.join(file)).unwrap_or_else(|_| panic!("{file} does not exist"));
        assert!(body.contains(snippet), "{file} no longer holds {snippet:?}: update ARCHITECTURE.md's walk-through");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} Where lines checked");
}
