//! No new import circles between modules: the engine's layers are to be
//! protocols → conn → transfer → multi, with ids and small shared types at
//! the bottom (docs/architecture.md), and the C interface's modules in one
//! direction too. This test reads the `use` lines of every source file of
//! the engine and of the C interface, builds the graph of which module
//! imports which, and finds its circles (strongly connected components).
//!
//! No circles are known today: `KNOWN` is empty, and a circle may never
//! appear again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Today's circles, each as its files (relative to the workspace): none.
/// Never add.
const KNOWN: &[&[&str]] = &[];

/// One crate's modules: module path (`conn::io`, `` for the root) → file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The `use` declarations of a file's own module (test modules, from the
/// first `#[cfg(test)]`-like line on, are left out: they import their
/// parent).
fn use_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut statement = String::new();
    for line in text.lines() {
        let line = line.trim();
        // `#[cfg(test)]`, `#[cfg(all(test, …))]`: a test module.
        if line.starts_with("#[cfg(") && line.contains("test") {
            break;
        }
        if statement.is_empty() {
            let rest = line
                .strip_prefix("pub(crate) use ")
                .or_else(|| line.strip_prefix("pub(super) use "))
                .or_else(|| line.strip_prefix("pub use "))
                .or_else(|| line.strip_prefix("use "));
            match rest {
                Some(rest) => statement.push_str(rest),
                None => continue,
            }
        } else {
            statement.push(' ');
            statement.push_str(line);
        }
        if statement.contains(';') {
            let body = statement.split(';').next().unwrap_or("").replace(' ', "");
            expand("", &body, &mut paths);
            statement.clear();
        }
    }
    paths
}

/// `a::{b, c::{d}}` as `a::b`, `a::c::d`.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    match tree.find('{') {
        None => out.push(format!("{prefix}{tree}")),
        Some(open) => {
            let head = &tree[..open];
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&format!("{prefix}{head}"), &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if start < inner.len() {
                expand(&format!("{prefix}{head}"), &inner[start..], out);
            }
        }
    }
}

/// The module a `use` path names, resolved from module `here`: the longest
/// known module that prefixes it; `None` for other crates.
fn target(path: &str, here: &str, known: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = here.split("::").filter(|s| !s.is_empty()).collect();
    match segments.first().copied() {
        Some("crate") => {
            base.clear();
            segments.remove(0);
        }
        Some("self") => {
            segments.remove(0);
        }
        Some("super") => {
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
        }
        Some(first) => {
            // A path relative to this module's children (2018 edition).
            let child = base.iter().copied().chain([first]).collect::<Vec<_>>().join("::");
            if !known.contains_key(&child) {
                return None;
            }
        }
        None => return None,
    }
    let full: Vec<&str> = base.into_iter().chain(segments).collect();
    (0..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// Strongly connected components of more than one node (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
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

/// The import graph of the crates under `roots`, by file (relative to the
/// workspace).
fn graph(workspace: &Path, roots: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for root in roots {
        let src = workspace.join(root);
        let known = modules(&src);
        let name = |p: &PathBuf| p.strip_prefix(workspace).unwrap().display().to_string();
        // What the crate root re-exports (`pub use multi::Multi`): a
        // `use crate::Multi` elsewhere imports `multi`, not the root.
        let root = std::fs::read_to_string(&known[""]).unwrap();
        // (`None`: re-exported from another crate, no edge at all.)
        let reexports: BTreeMap<String, Option<String>> = use_paths(&root)
            .into_iter()
            .filter_map(|path| {
                let item = path.rsplit("::").next()?.to_string();
                let item = item.rsplit("as").next().unwrap_or(&item).to_string();
                Some((item, target(&path, "", &known)))
            })
            .collect();
        for (module, file) in &known {
            let text = std::fs::read_to_string(file).unwrap();
            let edges: &mut BTreeSet<String> = graph.entry(name(file)).or_default();
            for path in use_paths(&text) {
                let to = match target(&path, module, &known) {
                    Some(root) if root.is_empty() && !module.is_empty() => {
                        let item = path.rsplit("::").next().unwrap_or("");
                        reexports.get(item).cloned().unwrap_or(Some(root))
                    }
                    other => other,
                };
                if let Some(to) = to {
                    if &to != module {
                        edges.insert(name(&known[&to]));
                    }
                }
            }
        }
    }
    graph
}

#[test]
fn no_new_import_circles() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap();
    let graph = graph(&workspace, &["crates/starling/src", "crates/starling-capi/src"]);
    let known: Vec<BTreeSet<&str>> = KNOWN.iter().map(|c| c.iter().copied().collect()).collect();
    let mut new = Vec::new();
    for circle in circles(&graph) {
        let inside_a_known_one = known
            .iter()
            .any(|k| circle.iter().all(|f| k.contains(f.as_str())));
        if !inside_a_known_one {
            new.push(circle);
        }
    }
    assert!(
        new.is_empty(),
        "import circles beyond the known ones (break them; never add to KNOWN): {new:#?}"
    );
}

#[test]
fn the_reader_finds_a_circle() {
    // Three modules in a circle, and `use` forms the reader must follow.
    let known: BTreeMap<String, PathBuf> = ["", "a", "a::b", "c"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::from(format!("{m}.rs"))))
        .collect();
    let uses = use_paths(
        "use crate::{a::b::X, c};\npub(crate) use super::Y;\nuse std::io;\n#[cfg(test)]\nuse crate::c;",
    );
    assert_eq!(uses, ["crate::a::b::X", "crate::c", "super::Y", "std::io"]);
    assert_eq!(target("crate::a::b::X", "c", &known).as_deref(), Some("a::b"));
    assert_eq!(target("super::Y", "a::b", &known).as_deref(), Some("a"));
    assert_eq!(target("b::Z", "a", &known).as_deref(), Some("a::b"));
    assert_eq!(target("std::io", "a", &known), None);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    graph.entry("d".into()).or_default().insert("a".into());
    let found = circles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0], ["a", "b", "c"].iter().map(|s| s.to_string()).collect());
}
