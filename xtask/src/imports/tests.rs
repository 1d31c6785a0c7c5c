//! The checker on small crates given as sources.

use super::*;
use tree::Ref;

fn sources(files: &[(&str, &str)]) -> Sources {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

fn check(files: &[(&str, &str)]) -> CrateReport {
    check_with(files, &[])
}

fn check_with(files: &[(&str, &str)], allowed: &[Knot]) -> CrateReport {
    check_sources("t", &sources(files), Some("t"), allowed).expect("the crate is read")
}

fn graph<'a>(c: &'a CrateReport, root: &str) -> &'a GraphReport {
    c.graphs
        .iter()
        .find(|g| g.tree.root == root)
        .expect("a graph of that root")
}

/// The knots of the `lib.rs` graph, as sorted file names.
fn knots(c: &CrateReport) -> Vec<Vec<String>> {
    let g = graph(c, "lib.rs");
    let mut out: Vec<Vec<String>> = g
        .knots()
        .map(|i| {
            let mut v: Vec<String> = g.comps[i]
                .iter()
                .map(|&f| g.tree.files[f].clone())
                .collect();
            v.sort();
            v
        })
        .collect();
    out.sort();
    out
}

/// The edges of the `lib.rs` graph as `from -> to`, sorted.
fn edges(c: &CrateReport) -> Vec<String> {
    let g = graph(c, "lib.rs");
    let mut out: Vec<String> = g
        .tree
        .edges
        .keys()
        .map(|(a, b)| format!("{} -> {}", g.tree.files[*a], g.tree.files[*b]))
        .collect();
    out.sort();
    out
}

fn refs(c: &CrateReport, from: &str, to: &str) -> Vec<Ref> {
    let t = &graph(c, "lib.rs").tree;
    let i = |f: &str| {
        t.files
            .iter()
            .position(|x| x == f)
            .expect("a file of the tree")
    };
    t.edges.get(&(i(from), i(to))).cloned().unwrap_or_default()
}

fn knot(files: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn cycle_through_use_crate() {
    let c = check(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        ("a.rs", "use crate::b::Thing;\npub fn f(_: Thing) {}\n"),
        ("b.rs", "pub struct Thing;\nuse crate::c::g;\n"),
        ("c.rs", "pub fn g() { crate::a::f(crate::b::Thing) }\n"),
    ]);
    assert_eq!(knots(&c), vec![knot(&["a.rs", "b.rs", "c.rs"])]);
    let g = graph(&c, "lib.rs");
    assert!(!g.passes());
    assert_eq!(
        refs(&c, "a.rs", "b.rs"),
        vec![Ref {
            line: 1,
            text: "crate::b::Thing".into()
        }]
    );
    assert_eq!(refs(&c, "c.rs", "a.rs")[0].text, "crate::a::f");
    let text = report(&c, Detail::default());
    assert!(text.contains("knot 1: 3 files"), "{text}");
    assert!(text.contains("a.rs:1  crate::b::Thing"), "{text}");
    assert!(text.contains("NOT ALLOWED"), "{text}");
}

#[test]
fn cycle_through_super_and_a_child() {
    // The parent calls into its child, the child names the parent's type:
    // a 2-cycle.
    let c = check(&[
        ("lib.rs", "mod vm;\n"),
        (
            "vm/mod.rs",
            "mod exit;\npub struct Vcpu;\npub fn run(v: &Vcpu) { exit::handle(v) }\n",
        ),
        (
            "vm/exit.rs",
            "use super::Vcpu;\npub fn handle(_: &Vcpu) {}\n",
        ),
    ]);
    assert_eq!(knots(&c), vec![knot(&["vm/mod.rs", "vm/exit.rs"])]);
    assert_eq!(refs(&c, "vm/mod.rs", "vm/exit.rs")[0].text, "exit::handle");
    assert_eq!(refs(&c, "vm/exit.rs", "vm/mod.rs")[0].text, "super::Vcpu");
}

#[test]
fn a_mod_declaration_alone_is_no_edge() {
    let c = check(&[
        ("lib.rs", "mod vm;\n"),
        ("vm/mod.rs", "pub mod exit;\npub struct Vcpu;\n"),
        ("vm/exit.rs", "pub fn handle(_: &super::Vcpu) {}\n"),
    ]);
    assert!(knots(&c).is_empty());
    assert_eq!(edges(&c), vec!["vm/exit.rs -> vm/mod.rs"]);
    assert!(graph(&c, "lib.rs").passes());
}

#[test]
fn cycle_through_expression_paths_only() {
    let c = check(&[
        ("lib.rs", "mod sched;\nmod process;\n"),
        (
            "sched.rs",
            "pub fn block() {}\npub fn tick() {\n    let n = 1 + crate::process::count();\n    let _ = n;\n}\n",
        ),
        (
            "process.rs",
            "pub fn count() -> u32 { 0 }\npub fn exit() { if true { crate::sched::block() } }\n",
        ),
    ]);
    assert_eq!(knots(&c), vec![knot(&["process.rs", "sched.rs"])]);
    assert_eq!(
        refs(&c, "sched.rs", "process.rs"),
        vec![Ref {
            line: 3,
            text: "crate::process::count".into()
        }]
    );
}

#[test]
fn super_super_and_grouped_uses() {
    let c = check(&[
        ("lib.rs", "mod a;\nmod b;\nmod state;\n"),
        ("state.rs", "pub struct Kernel;\n"),
        ("a.rs", "pub fn f() {}\n"),
        ("b/mod.rs", "pub mod c;\npub mod d;\n"),
        ("b/c.rs", "pub struct C;\n"),
        (
            "b/d/mod.rs",
            "pub mod e;\nuse crate::{a::f, b::{c::C}};\npub fn g(_: C) { f() }\n",
        ),
        (
            "b/d/e.rs",
            "pub fn h(_: super::super::super::state::Kernel) {}\n",
        ),
    ]);
    assert!(knots(&c).is_empty());
    assert_eq!(
        edges(&c),
        vec![
            "b/d/e.rs -> state.rs",
            "b/d/mod.rs -> a.rs",
            "b/d/mod.rs -> b/c.rs"
        ]
    );
    assert_eq!(
        refs(&c, "b/d/e.rs", "state.rs")[0].text,
        "super::super::super::state::Kernel"
    );
}

#[test]
fn comments_doc_comments_and_strings_do_not_count() {
    let c = check(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            r#"//! Uses [`crate::b::Thing`] (a doc link, no import).
// use crate::b::Thing;
/* crate::b::make(); */
/// Calls `crate::b::make()`.
#[doc = "crate::b::make"]
pub fn f() -> &'static str {
    let _ = format!("{}", "crate::b::make()");
    r"super::b::make"
}
pub struct Item;
"#,
        ),
        (
            "b.rs",
            "pub fn make() -> crate::a::Item { crate::a::Item }\n",
        ),
    ]);
    assert!(knots(&c).is_empty());
    assert_eq!(edges(&c), vec!["b.rs -> a.rs"]);
}

#[test]
fn an_acyclic_crate_passes_and_gets_layers() {
    let c = check(&[
        ("lib.rs", "pub mod mem;\npub mod sched;\npub mod syscall;\n"),
        ("mem.rs", "pub struct Frame;\n"),
        (
            "sched.rs",
            "use crate::mem::Frame;\npub fn run(_: Frame) {}\n",
        ),
        (
            "syscall.rs",
            "pub fn call() { crate::sched::run(crate::mem::Frame) }\n",
        ),
    ]);
    let g = graph(&c, "lib.rs");
    assert!(g.passes());
    assert!(knots(&c).is_empty());
    let text = report(&c, Detail::default());
    assert!(text.contains("no knot"), "{text}");
    assert!(text.contains("0  lib.rs mem.rs\n"), "{text}");
    assert!(text.contains("1  sched.rs\n"), "{text}");
    assert!(text.contains("2  syscall.rs\n"), "{text}");
}

#[test]
fn a_module_import_counts_where_it_is_used() {
    let c = check(&[
        ("lib.rs", "mod vm;\nmod trap;\nmod idle;\n"),
        ("vm/mod.rs", "pub mod exit;\npub fn exit() {}\n"),
        ("vm/exit.rs", "pub fn handle() {}\n"),
        // `vm` is used only for `vm::exit::handle`: no edge to vm/mod.rs.
        (
            "trap.rs",
            "use crate::vm;\npub fn el1() { vm::exit::handle() }\n",
        ),
        // `crate::vm::exit()` is the function `exit` of `vm`.
        ("idle.rs", "pub fn stop() { crate::vm::exit() }\n"),
    ]);
    assert_eq!(
        edges(&c),
        vec!["idle.rs -> vm/mod.rs", "trap.rs -> vm/exit.rs"]
    );
    assert_eq!(
        refs(&c, "trap.rs", "vm/exit.rs")[0].text,
        "vm::exit::handle"
    );
}

#[test]
fn a_re_export_is_no_edge_but_leads_to_its_file() {
    let c = check(&[
        ("lib.rs", "mod config;\nmod layout;\n"),
        (
            "config/mod.rs",
            "mod types;\npub use types::Config;\npub struct Origin;\n",
        ),
        (
            "config/types.rs",
            "pub struct Config { pub at: super::Origin }\n",
        ),
        (
            "layout.rs",
            "use crate::config::Config;\npub fn place(_: &Config) {}\n",
        ),
    ]);
    assert!(knots(&c).is_empty());
    assert_eq!(
        edges(&c),
        vec![
            "config/types.rs -> config/mod.rs",
            "layout.rs -> config/types.rs"
        ]
    );
}

#[test]
fn a_re_export_the_module_uses_is_an_edge() {
    let c = check(&[
        ("lib.rs", "mod vm;\n"),
        (
            "vm/mod.rs",
            "mod pending;\npub use pending::Pending;\npub struct Vcpu { p: Pending }\n",
        ),
        (
            "vm/pending.rs",
            "pub struct Pending;\npub fn of(v: &super::Vcpu) {}\n",
        ),
    ]);
    assert_eq!(knots(&c), vec![knot(&["vm/mod.rs", "vm/pending.rs"])]);
}

#[test]
fn macros_their_arguments_and_bodies() {
    let c = check(&[
        ("lib.rs", "mod console;\nmod state;\nmod start;\nmod smp;\n"),
        (
            "console.rs",
            "pub fn print() {}\n#[macro_export]\nmacro_rules! kp {\n    ($($a:tt)*) => { $crate::console::print() };\n}\n",
        ),
        ("state.rs", "pub fn ok() -> bool { true }\n"),
        (
            "start.rs",
            "pub fn boot() {\n    kp!(\"crate::state::ok()\");\n    assert!(crate::state::ok());\n}\n",
        ),
        ("smp.rs", "use crate::kp;\npub fn up() { kp!() }\n"),
    ]);
    assert_eq!(
        edges(&c),
        vec![
            "smp.rs -> console.rs",
            "start.rs -> console.rs",
            "start.rs -> state.rs"
        ]
    );
    assert_eq!(refs(&c, "start.rs", "console.rs")[0].text, "kp!");
    assert_eq!(refs(&c, "start.rs", "state.rs")[0].line, 3);
}

#[test]
fn test_code_is_not_part_of_the_graph() {
    let c = check(&[
        ("lib.rs", "mod paging;\nmod stage2;\n"),
        (
            "paging.rs",
            "pub trait Format {}\n#[cfg(test)]\nmod tests {\n    use crate::stage2::Stage2;\n}\n#[cfg(test)]\nmod more;\n",
        ),
        ("paging/more.rs", "use crate::stage2::Stage2;\n"),
        (
            "stage2.rs",
            "pub struct Stage2;\nimpl crate::paging::Format for Stage2 {}\n",
        ),
    ]);
    assert!(knots(&c).is_empty());
    assert_eq!(edges(&c), vec!["stage2.rs -> paging.rs"]);
    assert!(c.unreached.is_empty(), "{:?}", c.unreached);
}

#[test]
fn names_that_are_no_modules() {
    let c = check(&[
        ("lib.rs", "mod gic;\nmod irq;\n"),
        ("gic.rs", "pub fn f() {}\n"),
        (
            "irq.rs",
            // A variable, a macro and a type named like the module; a path
            // of another crate.
            "macro_rules! gic { () => {} }\nstruct Gic;\nimpl Gic { fn new() -> Self { Gic } }\npub fn g() {\n    let gic = 1;\n    let _ = gic + 1;\n    gic!();\n    let _ = Gic::new();\n    let _ = core::mem::size_of::<u8>();\n    let _ = ::core::mem::size_of::<u8>();\n}\n",
        ),
    ]);
    assert!(edges(&c).is_empty(), "{:?}", edges(&c));
}

#[test]
fn the_binary_uses_the_library_by_its_name() {
    let c = check(&[
        ("lib.rs", "pub mod slab;\n"),
        ("slab.rs", "pub struct Slab;\n"),
        ("main.rs", "mod sched;\nmod state;\n"),
        ("state.rs", "pub struct Kernel { s: t::slab::Slab }\n"),
        (
            "sched.rs",
            "use t::slab::Slab;\nuse crate::state::Kernel;\n",
        ),
    ]);
    let bin = graph(&c, "main.rs");
    assert_eq!(bin.tree.library_refs, 2);
    assert_eq!(bin.tree.edges.len(), 1);
    assert!(bin.passes());
    assert!(graph(&c, "lib.rs").passes());
}

#[test]
fn a_file_in_both_trees_fails_the_binary() {
    let c = check(&[
        ("lib.rs", "pub mod slab;\n"),
        ("slab.rs", "pub struct Slab;\n"),
        ("main.rs", "mod slab;\n"),
    ]);
    let bin = graph(&c, "main.rs");
    assert!(!bin.passes());
    assert!(bin.errors[0].contains("slab.rs"), "{:?}", bin.errors);
    assert!(graph(&c, "lib.rs").passes());
}

#[test]
fn files_in_no_tree_and_missing_modules_are_noted() {
    let c = check(&[
        ("lib.rs", "#[cfg(target_arch = \"x86_64\")]\nmod x86;\n"),
        ("old.rs", "fn dead() {}\n"),
    ]);
    assert_eq!(c.unreached, vec!["old.rs"]);
    let g = graph(&c, "lib.rs");
    assert!(g.passes());
    assert_eq!(
        g.notes,
        vec!["no file for lib.rs:2: mod x86 (another target's?)"]
    );
}

#[test]
fn an_unparsable_file_is_an_error() {
    let e = check_sources(
        "t",
        &sources(&[("lib.rs", "mod a;\n"), ("a.rs", "fn f( {\n")]),
        None,
        &[],
    )
    .unwrap_err();
    assert!(format!("{e:#}").contains("a.rs:1"), "{e:#}");
}

const CYCLE: &[(&str, &str)] = &[
    ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
    ("a.rs", "pub fn f() { crate::b::g() }\n"),
    ("b.rs", "pub fn g() { crate::a::f() }\n"),
    ("c.rs", "pub fn h() {}\n"),
];

#[test]
fn an_allowed_knot_covers_its_component_and_smaller_ones() {
    let allowed = parse_allowed(
        "# comment\n\nt/src/lib.rs: a.rs b.rs c.rs -- one state machine in three files\n",
    )
    .unwrap();
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0].line, 3);
    assert_eq!(allowed[0].why, "one state machine in three files");
    let c = check_with(CYCLE, &allowed);
    let g = graph(&c, "lib.rs");
    assert!(g.passes(), "{:?}", g);
    assert!(report(&c, Detail::default()).contains("allowed by xtask/src/imports/allowed.txt:3"));
}

#[test]
fn a_knot_outside_the_allowed_one_fails() {
    let allowed = parse_allowed("t/src/lib.rs: a.rs c.rs -- not the knot\n").unwrap();
    let c = check_with(CYCLE, &allowed);
    let g = graph(&c, "lib.rs");
    assert!(!g.passes());
    assert_eq!(g.unallowed(), 1);
    assert!(
        g.notes[0].contains("no knot of these files any more"),
        "{:?}",
        g.notes
    );
    // Another root's knots are another graph's business.
    let other = parse_allowed("t/src/main.rs: a.rs b.rs -- elsewhere\n").unwrap();
    assert!(!graph(&check_with(CYCLE, &other), "lib.rs").passes());
}

#[test]
fn an_allowed_knot_naming_no_file_of_the_graph_is_an_error() {
    let allowed = parse_allowed("t/src/lib.rs: a.rs b.rs gone.rs -- stale\n").unwrap();
    let g = check_with(CYCLE, &allowed);
    let g = graph(&g, "lib.rs");
    assert!(!g.passes());
    assert!(g.errors[0].contains("gone.rs"), "{:?}", g.errors);
}

#[test]
fn the_allow_list_needs_a_root_two_files_and_a_reason() {
    assert!(parse_allowed("t/src/lib.rs: a.rs b.rs\n").is_err());
    assert!(parse_allowed("t/src/lib.rs: a.rs b.rs -- \n").is_err());
    assert!(parse_allowed("t/src/lib.rs: a.rs -- one file\n").is_err());
    assert!(parse_allowed("a.rs b.rs -- no root\n").is_err());
}

#[test]
fn the_shipped_allow_list_and_pending_list_are_well_formed() {
    let allowed = parse_allowed(ALLOWED).expect("allowed.txt parses");
    let roots = |id: &str| {
        crate::lint::IMPORT_CRATES
            .iter()
            .any(|c| id.strip_prefix(c).is_some_and(|r| r.starts_with("/src/")))
    };
    for k in &allowed {
        assert!(roots(&k.graph), "{}: not a root of IMPORT_CRATES", k.graph);
    }
    for p in crate::lint::IMPORTS_PENDING {
        assert!(roots(p), "{p}: not a root of IMPORT_CRATES");
    }
}

#[test]
fn the_library_name_comes_from_the_manifest() {
    assert_eq!(
        library_name_of("[package]\nname = \"fuzz-harness\"\n").as_deref(),
        Some("fuzz_harness")
    );
    assert_eq!(
        library_name_of(
            "[package]\nname = \"kernel\"\n[lib]\npath = \"src/lib.rs\"\nname = \"kern\"\n"
        )
        .as_deref(),
        Some("kern")
    );
}

#[test]
fn self_paths() {
    let c = check(&[
        ("lib.rs", "mod irq;\n"),
        (
            "irq/mod.rs",
            "mod gic;\npub fn handle() { self::gic::ack(); self::local() }\nfn local() {}\n",
        ),
        ("irq/gic.rs", "pub fn ack() {}\n"),
    ]);
    assert_eq!(edges(&c), vec!["irq/mod.rs -> irq/gic.rs"]);
    assert_eq!(
        refs(&c, "irq/mod.rs", "irq/gic.rs")[0].text,
        "self::gic::ack"
    );
}

#[test]
fn lint_verdicts() {
    let knotted = check(CYCLE);
    let knotted = graph(&knotted, "lib.rs");
    let clean = check(&[("lib.rs", "mod a;\n"), ("a.rs", "pub fn f() {}\n")]);
    let clean = graph(&clean, "lib.rs");
    assert_eq!(lint_verdict(clean, false, "t"), Verdict::Pass);
    assert!(matches!(
        lint_verdict(knotted, false, "t"),
        Verdict::Fail(why) if why.contains("knots not allowed: 1")
    ));
    assert!(matches!(
        lint_verdict(knotted, true, "t"),
        Verdict::Pending(_)
    ));
    // A pending root that became clean fails until it is taken off the list.
    assert!(matches!(
        lint_verdict(clean, true, "t"),
        Verdict::Fail(why) if why.contains("IMPORTS_PENDING")
    ));
}

#[test]
fn glob_cycles_end_and_still_resolve() {
    // `msr.rs` re-exports its children by glob and each child globs its
    // parent back: before the look-up guard, every unknown name branched
    // through these globs to the depth limit (minutes for a few files).
    let mut files = vec![
        ("lib.rs", "mod msr;\nmod user;\n".to_string()),
        (
            "msr.rs",
            "mod a;\nmod b;\nmod c;\nmod d;\npub use a::*;\npub use b::*;\npub use c::*;\npub use d::*;\n"
                .to_string(),
        ),
        (
            "user.rs",
            "use crate::msr::*;\npub fn f() -> u32 { d::VALUE + Missing::X }\n".to_string(),
        ),
    ];
    for name in ["msr/a.rs", "msr/b.rs", "msr/c.rs"] {
        files.push((
            name,
            "use super::*;\nuse Kind::*;\npub fn g() { Nope::Z }\n".into(),
        ));
    }
    files.push((
        "msr/d.rs",
        "use super::*;\npub const VALUE: u32 = 1;\n".into(),
    ));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let start = std::time::Instant::now();
    let c = check(&files);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "glob look-ups branch without end"
    );
    assert!(
        edges(&c).contains(&"user.rs -> msr/d.rs".to_string()),
        "{:?}",
        edges(&c)
    );
}
