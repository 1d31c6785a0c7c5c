//! `cargo xtask imports`: which files of a crate import each other in a
//! loop.
//!
//! Each crate root (`src/lib.rs`, `src/main.rs`) has its own graph: its
//! files are the nodes, and a file has an edge to every other file of the
//! same tree whose module it names (the rules are in [`tree`]). The kernel's
//! binary names its library as `kernel::...`, another crate: those paths are
//! counted but are no edges, and a file may not be in both trees (the
//! binary would compile its own copy instead of using the library's).
//!
//! Every strongly connected component of more than one file is a knot. A
//! knot passes only if it lies inside one knot of [`ALLOWED`]
//! (`xtask/src/imports/allowed.txt`), each named with the reason it may
//! stay; `cargo xtask lint` checks the roots of [`crate::lint::IMPORT_CRATES`]
//! that [`crate::lint::IMPORTS_PENDING`] does not list.

mod graph;
pub mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

pub use tree::Sources;
use tree::Tree;

/// The knots allowed to stay, one a line.
pub const ALLOWED: &str = include_str!("allowed.txt");
/// Where [`ALLOWED`] lives, for messages.
pub const ALLOWED_PATH: &str = "xtask/src/imports/allowed.txt";

#[derive(Args)]
pub struct ImportsArgs {
    /// Crate directory to check, e.g. `kernel` (repeatable; default: every
    /// crate the lint checks).
    #[arg(long = "crate", value_name = "DIR")]
    crates: Vec<String>,
    /// Under each edge of a knot, list every reference, not only the first.
    #[arg(long)]
    all_refs: bool,
    /// Also list every edge outside the knots, by importing file.
    #[arg(long)]
    edges: bool,
}

/// What the report shows besides the knots and the layers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Detail {
    /// Every reference of an edge inside a knot, not only the first.
    pub all_refs: bool,
    /// The edges outside the knots.
    pub edges: bool,
}

/// One allowed knot: files of one root's graph that may form one strongly
/// connected component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knot {
    /// The graph: the root file's path from the workspace root
    /// (`kernel/src/bin/kernel/main.rs`).
    pub graph: String,
    /// Files under the crate's `src/`.
    pub files: BTreeSet<String>,
    /// Why they may import each other.
    pub why: String,
    /// Line in [`ALLOWED`].
    pub line: usize,
}

/// Reads the allow-list: `ROOT: FILE FILE... -- WHY`, `#` comments.
pub fn parse_allowed(text: &str) -> Result<Vec<Knot>> {
    let mut knots = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(l, _)| l).trim();
        if line.is_empty() {
            continue;
        }
        let at = i + 1;
        let (head, why) = line
            .split_once(" -- ")
            .with_context(|| format!("{ALLOWED_PATH}:{at}: no ` -- ` and reason"))?;
        let (graph, files) = head
            .split_once(':')
            .with_context(|| format!("{ALLOWED_PATH}:{at}: no `ROOT:` before the files"))?;
        let files: BTreeSet<String> = files.split_whitespace().map(str::to_string).collect();
        if files.len() < 2 {
            bail!("{ALLOWED_PATH}:{at}: a knot has two files or more");
        }
        if why.trim().is_empty() {
            bail!("{ALLOWED_PATH}:{at}: the reason is empty");
        }
        knots.push(Knot {
            graph: graph.trim().to_string(),
            files,
            why: why.trim().to_string(),
            line: at,
        });
    }
    Ok(knots)
}

/// One root's graph, its components and how they fare.
#[derive(Debug)]
pub struct GraphReport {
    /// The root file's path from the workspace root.
    pub id: String,
    /// Files and edges.
    pub tree: Tree,
    /// Every strongly connected component, in Tarjan's order.
    pub comps: Vec<Vec<usize>>,
    /// Layer of each component (0: imports nothing of the crate).
    pub layers: Vec<usize>,
    /// For each component of two files or more: the line of the allowed
    /// knot that covers it, if one does.
    pub allowed_by: BTreeMap<usize, Option<usize>>,
    /// What makes the graph fail besides knots that are not allowed.
    pub errors: Vec<String>,
    /// What is worth knowing but does not fail.
    pub notes: Vec<String>,
}

impl GraphReport {
    /// Indices into [`Self::comps`] of the knots (two files or more).
    pub fn knots(&self) -> impl Iterator<Item = usize> + '_ {
        self.allowed_by.keys().copied()
    }

    /// Whether the graph passes: every knot allowed, no error.
    pub fn passes(&self) -> bool {
        self.errors.is_empty() && self.allowed_by.values().all(Option::is_some)
    }

    /// The knots no allowed knot covers.
    pub fn unallowed(&self) -> usize {
        self.allowed_by.values().filter(|a| a.is_none()).count()
    }
}

/// Every root's graph of one crate.
#[derive(Debug)]
pub struct CrateReport {
    /// Crate directory from the workspace root (`kernel`).
    pub dir: String,
    /// The library's name, as the binary names it.
    pub library: Option<String>,
    /// One per root.
    pub graphs: Vec<GraphReport>,
    /// Sources no root reaches.
    pub unreached: Vec<String>,
}

/// Builds and checks the graphs of the crate in `dir` (e.g. `kernel`) under
/// the workspace `root`.
pub fn check_crate(root: &Path, dir: &str, allowed: &[Knot]) -> Result<CrateReport> {
    let src = root.join(dir).join("src");
    let sources = load(&src)?;
    let library = library_name(&root.join(dir).join("Cargo.toml"))?;
    check_sources(dir, &sources, library.as_deref(), allowed)
}

/// Builds and checks the graphs of a crate given as sources.
pub fn check_sources(
    dir: &str,
    sources: &Sources,
    library: Option<&str>,
    allowed: &[Knot],
) -> Result<CrateReport> {
    let roots = tree::roots(sources);
    if roots.is_empty() {
        bail!("{dir}/src: no lib.rs, main.rs or bin/*.rs");
    }
    let has_lib = roots.iter().any(|r| r == "lib.rs");
    let mut trees = Vec::new();
    for r in &roots {
        let lib = if r != "lib.rs" && has_lib {
            library
        } else {
            None
        };
        let t = tree::build(sources, r, lib).with_context(|| format!("{dir}/src/{r}"))?;
        trees.push(t);
    }
    let unreached = tree::unreached(sources, &trees);
    let shared = tree::shared(&trees);
    let mut graphs = Vec::new();
    for t in trees {
        let id = format!("{dir}/src/{}", t.root);
        let edges: BTreeSet<(usize, usize)> = t.edges.keys().copied().collect();
        let comps = graph::components(t.files.len(), &edges);
        let layers = graph::layers(&comps, &edges);
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        let mine: Vec<&Knot> = allowed.iter().filter(|k| k.graph == id).collect();
        for k in &mine {
            let unknown: Vec<&str> = k
                .files
                .iter()
                .filter(|f| !t.files.contains(f))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                errors.push(format!(
                    "{ALLOWED_PATH}:{}: not files of {id}: {}",
                    k.line,
                    unknown.join(" ")
                ));
            }
        }
        let mut allowed_by = BTreeMap::new();
        for (i, c) in comps.iter().enumerate().filter(|(_, c)| c.len() > 1) {
            let by = mine
                .iter()
                .find(|k| c.iter().all(|&f| k.files.contains(&t.files[f])))
                .map(|k| k.line);
            allowed_by.insert(i, by);
        }
        for k in &mine {
            let used = allowed_by.values().any(|by| *by == Some(k.line));
            if !used {
                notes.push(format!(
                    "{ALLOWED_PATH}:{}: no knot of these files any more: remove or shrink it",
                    k.line
                ));
            }
        }
        if t.root != "lib.rs" && has_lib {
            for f in shared.iter().filter(|f| t.files.contains(f)) {
                errors.push(format!(
                    "{f} is a module of both lib.rs and {}: use the library's through `{}::`",
                    t.root,
                    library.unwrap_or("the library")
                ));
            }
        }
        for m in &t.missing {
            notes.push(format!("no file for {m} (another target's?)"));
        }
        graphs.push(GraphReport {
            id,
            tree: t,
            comps,
            layers,
            allowed_by,
            errors,
            notes,
        });
    }
    Ok(CrateReport {
        dir: dir.to_string(),
        library: library.map(str::to_string),
        graphs,
        unreached,
    })
}

/// Every `.rs` file under `src`, by path from `src` with `/`.
fn load(src: &Path) -> Result<Sources> {
    let mut out = Sources::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src)
                    .expect("under src")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                out.insert(rel, text);
            }
        }
    }
    Ok(out)
}

/// The library's crate name from `Cargo.toml` (`[lib] name`, else the
/// package's name with `-` as `_`), `None` without a library.
fn library_name(manifest: &Path) -> Result<Option<String>> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let lib_rs = manifest.with_file_name("src").join("lib.rs");
    Ok(library_name_of(&text).filter(|_| lib_rs.exists()))
}

fn library_name_of(manifest: &str) -> Option<String> {
    let mut section = "";
    let mut package = None;
    let mut lib = None;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "name" {
            continue;
        }
        let value = value.trim().trim_matches('"').replace('-', "_");
        match section {
            "[package]" => package = Some(value),
            "[lib]" => lib = Some(value),
            _ => {}
        }
    }
    lib.or(package)
}

/// The text `cargo xtask imports` prints for one crate.
pub fn report(c: &CrateReport, detail: Detail) -> String {
    let mut out = String::new();
    let lib = c
        .library
        .as_deref()
        .map_or(String::new(), |l| format!(" (library `{l}`)"));
    let _ = writeln!(out, "== imports of {}/src{lib}", c.dir);
    for f in &c.unreached {
        let _ = writeln!(out, "note: {f} is in no module tree");
    }
    for g in &c.graphs {
        report_graph(&mut out, g, c.library.as_deref(), detail);
    }
    out
}

fn report_graph(out: &mut String, g: &GraphReport, library: Option<&str>, detail: Detail) {
    let t = &g.tree;
    let refs: usize = t.edges.values().map(Vec::len).sum();
    let knots = g.knots().count();
    let _ = write!(
        out,
        "-- {}: {} files, {} edges ({refs} references), ",
        g.id,
        t.files.len(),
        t.edges.len()
    );
    let _ = match knots {
        0 => write!(out, "no knot"),
        1 => write!(out, "1 knot"),
        n => write!(out, "{n} knots"),
    };
    if let Some(l) = library.filter(|_| t.library_refs > 0) {
        let _ = write!(out, "; {} paths into the library `{l}`", t.library_refs);
    }
    let _ = writeln!(out);
    for e in &g.errors {
        let _ = writeln!(out, "   error: {e}");
    }
    for n in &g.notes {
        let _ = writeln!(out, "   note: {n}");
    }
    let mut number = BTreeMap::new();
    for (n, i) in g.knots().enumerate() {
        number.insert(i, n + 1);
        let comp = &g.comps[i];
        let inside: BTreeSet<usize> = comp.iter().copied().collect();
        let edges: Vec<_> = t
            .edges
            .iter()
            .filter(|((a, b), _)| inside.contains(a) && inside.contains(b))
            .collect();
        let verdict = match g.allowed_by[&i] {
            Some(line) => format!("allowed by {ALLOWED_PATH}:{line}"),
            None => "NOT ALLOWED: cut an edge, or name it in the allow-list with a reason".into(),
        };
        let _ = writeln!(
            out,
            "   knot {}: {} files, {} edges inside; {verdict}",
            n + 1,
            comp.len(),
            edges.len()
        );
        let names: Vec<&str> = comp.iter().map(|&f| t.files[f].as_str()).collect();
        let _ = writeln!(out, "     files: {}", names.join(" "));
        let _ = writeln!(
            out,
            "     edges (importer -> imported: references, first one):"
        );
        let width = edges
            .iter()
            .map(|((a, b), _)| t.files[*a].len() + t.files[*b].len() + 4)
            .max()
            .unwrap_or(0);
        for ((a, b), refs) in edges {
            let arrow = format!("{} -> {}", t.files[*a], t.files[*b]);
            let first = &refs[0];
            let _ = writeln!(
                out,
                "       {arrow:width$} {:>3}  {}:{}  {}",
                refs.len(),
                t.files[*a],
                first.line,
                first.text
            );
            if detail.all_refs {
                for r in &refs[1..] {
                    let _ = writeln!(
                        out,
                        "       {:width$}       {}:{}  {}",
                        "", t.files[*a], r.line, r.text
                    );
                }
            }
        }
    }
    let top = g.layers.iter().copied().max().unwrap_or(0);
    let _ = writeln!(
        out,
        "   layers, bottom first (a file imports only from lower layers{}):",
        if knots > 0 {
            "; a knot counts as one file"
        } else {
            ""
        }
    );
    for layer in 0..=top {
        let mut names = Vec::new();
        for (i, c) in g.comps.iter().enumerate() {
            if g.layers[i] != layer {
                continue;
            }
            match number.get(&i) {
                Some(n) => names.push(format!("[knot {n}: {} files]", c.len())),
                None => names.push(t.files[c[0]].clone()),
            }
        }
        names.sort();
        let _ = writeln!(out, "     {layer:>2}  {}", names.join(" "));
    }
    if detail.edges {
        let mut comp_of = vec![0; t.files.len()];
        for (i, c) in g.comps.iter().enumerate() {
            for &f in c {
                comp_of[f] = i;
            }
        }
        let _ = writeln!(
            out,
            "   edges outside the knots (importer -> imported: references, first one):"
        );
        for ((a, b), refs) in &t.edges {
            if comp_of[*a] == comp_of[*b] {
                continue;
            }
            let _ = writeln!(
                out,
                "     {} -> {}  {}  {}:{}  {}",
                t.files[*a],
                t.files[*b],
                refs.len(),
                t.files[*a],
                refs[0].line,
                refs[0].text
            );
        }
    }
}

/// How a graph fares in `cargo xtask lint`.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Counted as passed.
    Pass,
    /// Counted as failed, with the reason.
    Fail(String),
    /// Listed in `IMPORTS_PENDING` and not clean yet: reported, not
    /// counted.
    Pending(String),
}

/// The lint's verdict on graph `g` of crate `dir`, `pending` if
/// `IMPORTS_PENDING` lists it. A pending graph that passes fails, so that
/// it is taken off the list and stays clean.
pub fn lint_verdict(g: &GraphReport, pending: bool, dir: &str) -> Verdict {
    let counts = format!(
        "knots not allowed: {}, errors: {}",
        g.unallowed(),
        g.errors.len()
    );
    match (g.passes(), pending) {
        (true, false) => Verdict::Pass,
        (false, false) => {
            Verdict::Fail(format!("{counts}; see `cargo xtask imports --crate {dir}`"))
        }
        (false, true) => Verdict::Pending(format!(
            "{counts} (not counted while listed in IMPORTS_PENDING, xtask/src/lint.rs)"
        )),
        (true, true) => Verdict::Fail(
            "no knot left that is not allowed: take it off IMPORTS_PENDING \
             (xtask/src/lint.rs) so that it stays so"
                .into(),
        ),
    }
}

/// `cargo xtask imports`: prints the report of each crate; fails if a
/// graph has a knot the allow-list does not cover.
pub fn run(root: &Path, args: &ImportsArgs) -> Result<ExitCode> {
    let allowed = parse_allowed(ALLOWED)?;
    let crates: Vec<String> = if args.crates.is_empty() {
        crate::lint::IMPORT_CRATES
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args.crates
            .iter()
            .map(|c| c.trim_end_matches('/').trim_end_matches("/src").to_string())
            .collect()
    };
    let mut failed = Vec::new();
    for dir in &crates {
        let c = check_crate(root, dir, &allowed)?;
        let detail = Detail {
            all_refs: args.all_refs,
            edges: args.edges,
        };
        print!("{}", report(&c, detail));
        for g in c.graphs.iter().filter(|g| !g.passes()) {
            let pending = if crate::lint::IMPORTS_PENDING.contains(&g.id.as_str()) {
                " (pending in the lint: IMPORTS_PENDING, xtask/src/lint.rs)"
            } else {
                ""
            };
            failed.push(format!(
                "{}: knots not allowed: {}, errors: {}{pending}",
                g.id,
                g.unallowed(),
                g.errors.len()
            ));
        }
    }
    println!();
    if failed.is_empty() {
        println!("imports: no knot outside the allow-list");
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failed {
            println!("FAIL imports {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

#[cfg(test)]
mod tests;
