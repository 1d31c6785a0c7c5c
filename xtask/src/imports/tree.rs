//! One crate root's module tree, read with `syn`, and the references between
//! its files.
//!
//! Starting at the root file (`lib.rs`, `main.rs`), every `mod x;` is
//! followed to `x.rs` or `x/mod.rs` (or its `#[path]`), and inline
//! `mod x { ... }` blocks become modules of the same file. Then every path
//! that names something of the crate is resolved to the module it lands in
//! (the longest prefix that is a module), and a path from one file landing in
//! another file's module is an edge between the two files:
//!
//! - `use` trees, grouped ones flattened (`use crate::{a, b::{c, d}}`);
//! - paths in expressions, types, patterns and trait bounds
//!   (`crate::sched::block_current()`, `super::super::Frame`);
//! - paths in macro arguments and `macro_rules!` bodies, found in their
//!   tokens (`$crate::console::print`);
//! - invocations of the crate's `#[macro_export]` macros (`kprintln!`), an
//!   edge to the file that defines the macro.
//!
//! A path's first segment decides whether it names the crate: `crate`,
//! `$crate`, `self`, `super`, or a name in scope in the module: a child
//! module, a `use` of a module, or a name brought in by a glob `use`.
//! Anything else (other crates, the prelude, local types and variables) is
//! not an edge. In expressions and types the last segment is an item, so
//! only the segments before it walk modules: `crate::vm::exit()` is the
//! function `exit` of `vm`, not the module `vm::exit`.
//!
//! A path lands where the item it names is defined: if the module it walks
//! to only has that item by a `use` (`pub use types::Config;` in
//! `config/mod.rs`), the path follows the `use` (`crate::config::Config` is
//! an edge to `config/types.rs`), and lands nowhere if the item comes from
//! another crate.
//!
//! What is not an edge:
//! - the declaration `mod x;` alone: a parent owning a child is not a
//!   dependency (the parent calling `x::f` is);
//! - a re-export (`pub use`, any `pub(...) use`) of a name the module does
//!   not use itself: paths through it count at the file that defines the
//!   item, as above;
//! - a `use` of a module by itself: `use crate::vm;` counts where `vm::...`
//!   is used, at the module that path lands in (an import of a module that
//!   no path uses counts at its `use` line);
//! - test code: `#[cfg(test)]` items, and the files of `#[cfg(test)] mod
//!   x;`. A unit test may use any module of its crate;
//! - visibility paths (`pub(in crate::a)`), attributes, comments, doc
//!   comments (intra-doc links too) and string literals: the parser drops
//!   comments, doc comments are attributes, and a string is one token.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use anyhow::{Context, Result, bail};
use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use syn::visit::Visit;

/// A crate's source files: path under `src/` (with `/`) → text.
pub type Sources = BTreeMap<String, String>;

/// One place a file names another file's module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    /// Line in the referring file, from 1.
    pub line: usize,
    /// The path as written, without generic arguments (`crate::vm::exit`,
    /// `super::*`, `kprintln!`).
    pub text: String,
}

/// The files of one crate root's module tree and the edges between them.
#[derive(Debug, Default)]
pub struct Tree {
    /// The root file (`lib.rs`, `main.rs`, `bin/x.rs`).
    pub root: String,
    /// Every file of the tree, the root first; an edge names files by index.
    pub files: Vec<String>,
    /// `(from, to)` file indices → the references, in source order.
    pub edges: BTreeMap<(usize, usize), Vec<Ref>>,
    /// References to the crate's library (`kernel::...` from the kernel
    /// binary): not edges of this tree, counted for the report.
    pub library_refs: usize,
    /// `mod x;` declarations whose file does not exist (modules of another
    /// target, under a `#[cfg]`): `file:line: mod x`.
    pub missing: Vec<String>,
    /// Files of `#[cfg(test)] mod x;` modules, not part of the graph...
    pub test_files: Vec<String>,
    /// ... and the directories of their own children.
    pub test_dirs: Vec<String>,
}

type ModId = usize;

#[derive(Debug)]
struct Module {
    parent: Option<ModId>,
    /// Index of the file in [`Tree::files`].
    file: usize,
    /// Directory (under `src/`, `""` for `src/` itself) of the files of
    /// this module's `mod x;` children.
    child_dir: String,
    /// Directory of the file itself, for `#[path]`.
    file_dir: String,
    /// Whether this module is an inline `mod x { ... }`.
    inline: bool,
    children: BTreeMap<String, ModId>,
    uses: Vec<UseDecl>,
    globs: Vec<Vec<String>>,
    /// Every name a path outside `use` starts with, and every identifier
    /// of a macro's tokens: tells a re-export that the module uses itself
    /// from a bare one.
    names: BTreeSet<String>,
}

impl Module {
    fn new(
        parent: Option<ModId>,
        file: usize,
        child_dir: String,
        file_dir: String,
        inline: bool,
    ) -> Self {
        Module {
            parent,
            file,
            child_dir,
            file_dir,
            inline,
            children: BTreeMap::new(),
            uses: Vec::new(),
            globs: Vec::new(),
            names: BTreeSet::new(),
        }
    }
}

/// `use path as alias;` (or `use path;`, alias the last segment).
#[derive(Debug)]
struct UseDecl {
    alias: String,
    segs: Vec<String>,
    at: Ref,
    /// `pub use` (any `pub(...)` too): a re-export.
    public: bool,
    /// Set when a path was resolved through this name.
    used: Cell<bool>,
}

/// A path to resolve, found in module `module`.
#[derive(Debug)]
struct RawRef {
    module: ModId,
    segs: Vec<String>,
    kind: Kind,
    at: Ref,
    /// The name a `pub use` leaf re-exports.
    reexport: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A `use` leaf naming an item or a module: every segment may walk
    /// modules.
    UseName,
    /// `use a::{self}`: the module itself, counted where it is used.
    UseSelf,
    /// `use a::*`: every item of the module.
    UseGlob,
    /// A path in an expression, type or pattern: the last segment is an
    /// item.
    Path,
    /// A macro invocation: the last segment is the macro.
    Macro,
}

/// Builds the module tree of `root` from `sources` and resolves its
/// references. `library` is the crate's library name, for the binary's
/// `kernel::...` paths; `None` for the library itself.
pub fn build(sources: &Sources, root: &str, library: Option<&str>) -> Result<Tree> {
    let mut b = Builder {
        tree: Tree {
            root: root.to_string(),
            ..Tree::default()
        },
        mods: Vec::new(),
        refs: Vec::new(),
        macros: BTreeMap::new(),
        looking_up: RefCell::default(),
    };
    let mut queue = VecDeque::new();
    b.tree.files.push(root.to_string());
    let dir = dir_of(root).to_string();
    b.mods.push(Module::new(None, 0, dir.clone(), dir, false));
    queue.push_back(0);
    while let Some(m) = queue.pop_front() {
        let file = b.tree.files[b.mods[m].file].clone();
        let text = sources
            .get(&file)
            .with_context(|| format!("{file}: not among the sources"))?;
        let ast = syn::parse_file(text).map_err(|e| {
            let at = e.span().start();
            anyhow::anyhow!("{file}:{}:{}: cannot parse: {e}", at.line, at.column + 1)
        })?;
        let mut v = FileVisitor {
            b: &mut b,
            sources,
            stack: vec![m],
            queue: &mut queue,
            error: None,
            public_use: false,
        };
        v.visit_file(&ast);
        if let Some(e) = v.error {
            return Err(e);
        }
    }
    b.resolve_all(library);
    Ok(b.tree)
}

struct Builder {
    tree: Tree,
    mods: Vec<Module>,
    refs: Vec<RawRef>,
    /// `#[macro_export]` macros → index of the defining file.
    macros: BTreeMap<String, usize>,
    /// The (module, name) look-ups under way: a glob cycle (`use super::*`
    /// in a child of a module that globs the child) ends at the first
    /// repeat instead of branching to `MAX_DEPTH`.
    looking_up: RefCell<BTreeSet<(ModId, String)>>,
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Resolves `a/../b` and `./` in a `#[path]`.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

fn line_of(span: Span) -> usize {
    span.start().line
}

struct FileVisitor<'a> {
    b: &'a mut Builder,
    sources: &'a Sources,
    /// The module being visited: the file's, then inline ones.
    stack: Vec<ModId>,
    queue: &'a mut VecDeque<ModId>,
    error: Option<anyhow::Error>,
    /// In a `pub use`.
    public_use: bool,
}

impl FileVisitor<'_> {
    fn current(&self) -> ModId {
        *self.stack.last().expect("a module is being visited")
    }

    fn file_name(&self) -> String {
        self.b.tree.files[self.b.mods[self.current()].file].clone()
    }

    fn push_ref(&mut self, segs: Vec<String>, kind: Kind, line: usize, text: String) {
        self.b.refs.push(RawRef {
            module: self.current(),
            segs,
            kind,
            at: Ref { line, text },
            reexport: None,
        });
    }

    fn name_used(&mut self, name: String) {
        let m = self.current();
        self.b.mods[m].names.insert(name);
    }

    /// The file of `mod name;` in the current module and the directory of
    /// its own `mod` children; an error if both `name.rs` and
    /// `name/mod.rs` exist, `None` if neither does.
    fn locate(&self, item: &syn::ItemMod) -> Result<Option<(String, String)>> {
        let p = &self.b.mods[self.current()];
        let name = item.ident.to_string();
        let path_attr = item.attrs.iter().find_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let path = match path_attr {
            // Relative to the declaring file's directory; inside an inline
            // module, to that module's directory.
            Some(rel) => {
                let base = if p.inline { &p.child_dir } else { &p.file_dir };
                let path = normalize(&join(base, &rel));
                if !self.sources.contains_key(&path) {
                    return Ok(None);
                }
                // A `#[path]` file owns its directory, as a `mod.rs` does.
                let dir = dir_of(&path).to_string();
                return Ok(Some((path, dir)));
            }
            None => {
                let flat = join(&p.child_dir, &format!("{name}.rs"));
                let nested = join(&p.child_dir, &format!("{name}/mod.rs"));
                match (
                    self.sources.contains_key(&flat),
                    self.sources.contains_key(&nested),
                ) {
                    (true, true) => bail!(
                        "{}:{}: both {flat} and {nested} exist for `mod {name}`",
                        self.b.tree.files[p.file],
                        line_of(item.ident.span())
                    ),
                    (true, false) => flat,
                    (false, true) => nested,
                    (false, false) => return Ok(None),
                }
            }
        };
        // `a/mod.rs` keeps its children in `a/`, `a/b.rs` in `a/b/`.
        let dir = if path == "mod.rs" || path.ends_with("/mod.rs") {
            dir_of(&path).to_string()
        } else {
            path.trim_end_matches(".rs").to_string()
        };
        Ok(Some((path, dir)))
    }

    /// `mod name;` (file) or `mod name { ... }` (inline): a new child.
    fn declare(&mut self, item: &syn::ItemMod) -> Option<ModId> {
        let parent = self.current();
        let name = item.ident.to_string();
        let p = &self.b.mods[parent];
        let (file, child_dir, file_dir, inline) = if item.content.is_some() {
            (p.file, join(&p.child_dir, &name), p.file_dir.clone(), true)
        } else {
            let (path, child_dir) = match self.locate(item) {
                Ok(Some(found)) => found,
                Ok(None) => {
                    let at = format!(
                        "{}:{}: mod {name}",
                        self.file_name(),
                        line_of(item.ident.span())
                    );
                    self.b.tree.missing.push(at);
                    return None;
                }
                Err(e) => {
                    self.error.get_or_insert(e);
                    return None;
                }
            };
            if self.b.tree.files.contains(&path) {
                self.error.get_or_insert_with(|| {
                    anyhow::anyhow!(
                        "{}:{}: `mod {name}` loads {path}, which is a module already",
                        self.b.tree.files[self.b.mods[parent].file],
                        line_of(item.ident.span())
                    )
                });
                return None;
            }
            let file_dir = dir_of(&path).to_string();
            self.b.tree.files.push(path);
            (self.b.tree.files.len() - 1, child_dir, file_dir, false)
        };
        let id = self.b.mods.len();
        self.b
            .mods
            .push(Module::new(Some(parent), file, child_dir, file_dir, inline));
        // A second `mod x` of the same name (under other `#[cfg]`s) keeps
        // the first for name look-ups; both files are read.
        self.b.mods[parent].children.entry(name).or_insert(id);
        if !inline {
            self.queue.push_back(id);
        }
        Some(id)
    }

    /// `#[cfg(test)] mod name;`: not part of the graph; its files are not
    /// reported as in no tree.
    fn test_module(&mut self, item: &syn::ItemMod) {
        if item.content.is_some() {
            return;
        }
        if let Ok(Some((path, dir))) = self.locate(item) {
            if path == "mod.rs" || path.ends_with("/mod.rs") || dir == path.trim_end_matches(".rs")
            {
                self.b.tree.test_dirs.push(dir);
            }
            self.b.tree.test_files.push(path);
        }
    }

    /// Flattens a `use` tree into its leaves.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.use_leaf(prefix, &n.ident, None),
            syn::UseTree::Rename(r) => self.use_leaf(prefix, &r.ident, Some(&r.rename)),
            syn::UseTree::Glob(g) => {
                let text = format!("{}::*", prefix.join("::"));
                let line = line_of(g.star_token.span);
                let m = self.current();
                self.b.mods[m].globs.push(prefix.clone());
                self.push_ref(prefix.clone(), Kind::UseGlob, line, text);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn use_leaf(&mut self, prefix: &[String], ident: &syn::Ident, rename: Option<&syn::Ident>) {
        let line = line_of(ident.span());
        let is_self = ident == "self" && !prefix.is_empty();
        let segs: Vec<String> = if is_self {
            prefix.to_vec()
        } else {
            prefix.iter().cloned().chain([ident.to_string()]).collect()
        };
        let text = if is_self {
            format!("{}::{{self}}", prefix.join("::"))
        } else {
            segs.join("::")
        };
        let alias = match rename {
            Some(r) => r.to_string(),
            None => segs.last().cloned().unwrap_or_default(),
        };
        let public = self.public_use;
        if alias != "_" {
            let m = self.current();
            self.b.mods[m].uses.push(UseDecl {
                alias: alias.clone(),
                segs: segs.clone(),
                at: Ref {
                    line,
                    text: text.clone(),
                },
                public,
                used: Cell::new(false),
            });
        }
        let kind = if is_self {
            Kind::UseSelf
        } else {
            Kind::UseName
        };
        self.push_ref(segs, kind, line, text);
        if public && alias != "_" {
            self.b.refs.last_mut().expect("just pushed").reexport = Some(alias);
        }
    }

    /// Paths and macro invocations in a macro's tokens.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let toks: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < toks.len() {
            if let TokenTree::Group(g) = &toks[i] {
                self.scan_tokens(g.stream());
                i += 1;
                continue;
            }
            if let TokenTree::Ident(id) = &toks[i] {
                self.name_used(id.to_string());
            }
            match scan_path(&toks, i) {
                Some(found) => {
                    if let Some((segs, kind, line, text)) = found.path {
                        self.push_ref(segs, kind, line, text);
                    }
                    i = found.end.max(i + 1);
                }
                None => i += 1,
            }
        }
    }
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// `::` at `i`.
fn is_colons(toks: &[TokenTree], i: usize) -> bool {
    matches!(toks.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(toks.get(i + 1), ':')
}

struct Scanned {
    path: Option<(Vec<String>, Kind, usize, String)>,
    end: usize,
}

/// A path starting at `toks[i]`: `[::] seg (:: seg)* [!]`, where a segment
/// is an identifier or `$crate`. `None` if no path starts there.
fn scan_path(toks: &[TokenTree], mut i: usize) -> Option<Scanned> {
    let leading = is_colons(toks, i);
    if leading {
        i += 2;
    }
    let first_span;
    let mut segs = Vec::new();
    match toks.get(i) {
        Some(TokenTree::Ident(id)) => {
            first_span = id.span();
            segs.push(id.to_string());
            i += 1;
        }
        Some(TokenTree::Punct(p)) if p.as_char() == '$' => {
            match toks.get(i + 1) {
                Some(TokenTree::Ident(id)) if id == "crate" => {
                    first_span = p.span();
                    segs.push("$crate".to_string());
                    i += 2;
                }
                // `$var::x`: a macro variable, not a path of the crate.
                Some(TokenTree::Ident(_)) => {
                    let mut end = i + 2;
                    while is_colons(toks, end)
                        && matches!(toks.get(end + 2), Some(TokenTree::Ident(_)))
                    {
                        end += 3;
                    }
                    return Some(Scanned { path: None, end });
                }
                _ => return None,
            }
        }
        _ => return None,
    }
    while is_colons(toks, i) {
        match toks.get(i + 2) {
            Some(TokenTree::Ident(id)) => {
                segs.push(id.to_string());
                i += 3;
            }
            // `Vec::<u8>::new`, `a::{b, c}`: the path ends before `::`.
            _ => break,
        }
    }
    let macro_body = is_punct(toks.get(i), '!')
        && matches!(toks.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::None);
    let text = format!(
        "{}{}{}",
        if leading { "::" } else { "" },
        segs.join("::"),
        if macro_body { "!" } else { "" }
    );
    let path = if leading {
        None
    } else if macro_body {
        Some((segs, Kind::Macro, line_of(first_span), text))
    } else if segs.len() >= 2 {
        Some((segs, Kind::Path, line_of(first_span), text))
    } else {
        None
    };
    Some(Scanned { path, end: i })
}

fn path_segs(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn path_text(path: &syn::Path) -> String {
    let body = path_segs(path).join("::");
    if path.leading_colon.is_some() {
        format!("::{body}")
    } else {
        body
    }
}

/// `#[cfg(test)]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| match &a.meta {
        syn::Meta::List(l) if l.path.is_ident("cfg") => l.tokens.to_string() == "test",
        _ => false,
    })
}

/// The attributes of an item.
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for FileVisitor<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if is_test_only(item_attrs(item)) {
            if let syn::Item::Mod(m) = item {
                self.test_module(m);
            }
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            syn::ImplItem::Macro(i) => &i.attrs,
            _ => return syn::visit::visit_impl_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let Some(id) = self.declare(item) else {
            return;
        };
        if let Some((_, items)) = &item.content {
            self.stack.push(id);
            for it in items {
                self.visit_item(it);
            }
            self.stack.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if item.leading_colon.is_some() {
            return; // `use ::other_crate::x;`
        }
        self.public_use = !matches!(item.vis, syn::Visibility::Inherited);
        self.use_tree(&mut Vec::new(), &item.tree);
        self.public_use = false;
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if let Some(name) = &item.ident
            && item.attrs.iter().any(|a| a.path().is_ident("macro_export"))
        {
            let file = self.b.mods[self.current()].file;
            self.b.macros.entry(name.to_string()).or_insert(file);
        }
        self.visit_macro(&item.mac);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(first) = mac.path.segments.first() {
            self.name_used(first.ident.to_string());
        }
        if mac.path.leading_colon.is_none() {
            let line = line_of(
                mac.path
                    .segments
                    .first()
                    .map_or_else(Span::call_site, |s| s.ident.span()),
            );
            let text = format!("{}!", path_text(&mac.path));
            self.push_ref(path_segs(&mac.path), Kind::Macro, line, text);
        }
        self.scan_tokens(mac.tokens.clone());
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first()
            && path.leading_colon.is_none()
        {
            self.name_used(first.ident.to_string());
        }
        if path.leading_colon.is_none() && path.segments.len() >= 2 {
            let line = line_of(path.segments[0].ident.span());
            self.push_ref(path_segs(path), Kind::Path, line, path_text(path));
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}

/// How many `use` aliases and globs a look-up may follow.
const MAX_DEPTH: usize = 32;

impl Builder {
    fn resolve_all(&mut self, library: Option<&str>) {
        let refs = std::mem::take(&mut self.refs);
        for r in &refs {
            let from = self.mods[r.module].file;
            if matches!(r.kind, Kind::Macro | Kind::UseName)
                && let Some(&def) = self.macro_file(r)
            {
                self.edge(from, def, &r.at);
                continue;
            }
            match self.land(r) {
                Some(m) => {
                    // A `use` of a module counts where the name is used.
                    if r.kind == Kind::UseName && self.walk_full(r.module, &r.segs).is_some() {
                        continue;
                    }
                    if r.kind == Kind::UseSelf {
                        continue;
                    }
                    // A re-export the module does not use itself: paths
                    // through it count at the file that defines the item.
                    if let Some(alias) = &r.reexport
                        && !self.mods[r.module].names.contains(alias)
                    {
                        continue;
                    }
                    let to = self.mods[m].file;
                    self.edge(from, to, &r.at);
                }
                None => {
                    if let Some(lib) = library
                        && r.segs.first().is_some_and(|s| s == lib)
                        && self.lookup(r.module, lib, 0).is_none()
                    {
                        self.tree.library_refs += 1;
                    }
                }
            }
        }
        // Imports of modules never used in a path count at their `use`.
        let mut unused = Vec::new();
        for (m, module) in self.mods.iter().enumerate() {
            for u in module.uses.iter().filter(|u| !u.used.get() && !u.public) {
                if let Some(target) = self.walk_full(m, &u.segs) {
                    unused.push((module.file, self.mods[target].file, u.at.clone()));
                }
            }
        }
        for (from, to, at) in unused {
            self.edge_ref(from, to, at);
        }
        for refs in self.tree.edges.values_mut() {
            refs.sort_by_key(|r| r.line);
        }
    }

    /// The file defining the `#[macro_export]` macro a macro invocation
    /// (`kprintln!`, `crate::kprintln!`) or a `use crate::kprintln;` names.
    fn macro_file(&self, r: &RawRef) -> Option<&usize> {
        let name = match (r.kind, r.segs.as_slice()) {
            (Kind::Macro, [name]) => name,
            (_, [krate, name]) if krate == "crate" || krate == "$crate" => name,
            _ => return None,
        };
        self.macros.get(name)
    }

    fn edge(&mut self, from: usize, to: usize, at: &Ref) {
        self.edge_ref(from, to, at.clone());
    }

    fn edge_ref(&mut self, from: usize, to: usize, at: Ref) {
        if from != to {
            self.tree.edges.entry((from, to)).or_default().push(at);
        }
    }

    /// The module a reference lands in, if it names the crate.
    fn land(&self, r: &RawRef) -> Option<ModId> {
        let walkable = match r.kind {
            Kind::UseName | Kind::UseSelf | Kind::UseGlob => r.segs.len(),
            Kind::Path | Kind::Macro => r.segs.len().saturating_sub(1),
        };
        let (start, used) = self.start(r.module, &r.segs, 0)?;
        if used > walkable {
            // `gic!()` next to `mod gic`: a macro, not the module.
            return None;
        }
        let (m, n) = self.descend(start, &r.segs[used..walkable], 0);
        // The next segment names an item of `m`: if `m` only imports it,
        // the path lands where it comes from.
        match r.segs.get(used + n) {
            Some(item) => self.follow(m, item, 0),
            None => Some(m),
        }
    }

    /// Where the item `name` of module `m` is defined: `m`; or, if `m`
    /// has it by a `use`, where that path lands (`None` in another crate).
    fn follow(&self, m: ModId, name: &str, depth: usize) -> Option<ModId> {
        if depth >= MAX_DEPTH || self.mods[m].children.contains_key(name) {
            return Some(m);
        }
        let Some(u) = self.mods[m].uses.iter().find(|u| u.alias == name) else {
            return Some(m);
        };
        let (start, used) = self.start(m, &u.segs, depth + 1)?;
        let (to, n) = self.descend(start, &u.segs[used..], depth + 1);
        match u.segs.get(used + n) {
            Some(item) if to != m => self.follow(to, item, depth + 1),
            _ => Some(to),
        }
    }

    /// The module all of `segs` names, if they all walk modules.
    fn walk_full(&self, m: ModId, segs: &[String]) -> Option<ModId> {
        self.walk_full_depth(m, segs, 0)
    }

    fn walk_full_depth(&self, m: ModId, segs: &[String], depth: usize) -> Option<ModId> {
        let (start, used) = self.start(m, segs, depth)?;
        let (end, n) = self.descend(start, &segs[used..], depth);
        (used + n == segs.len()).then_some(end)
    }

    /// The module the first segments of `segs` name, and how many they are.
    fn start(&self, m: ModId, segs: &[String], depth: usize) -> Option<(ModId, usize)> {
        let first = segs.first()?;
        match first.as_str() {
            "crate" | "$crate" => Some((0, 1)),
            "self" => Some((m, 1)),
            "super" => {
                let mut cur = m;
                let mut n = 0;
                while segs.get(n).is_some_and(|s| s == "super") {
                    cur = self.mods[cur].parent?;
                    n += 1;
                }
                Some((cur, n))
            }
            name => Some((self.lookup(m, name, depth)?, 1)),
        }
    }

    /// Walks `segs` down from `m` through child modules and `use`s of
    /// modules (re-exports); returns where it stopped and how many segments
    /// it took.
    fn descend(&self, mut m: ModId, segs: &[String], depth: usize) -> (ModId, usize) {
        for (n, seg) in segs.iter().enumerate() {
            if seg == "self" {
                continue;
            }
            if seg == "super" {
                match self.mods[m].parent {
                    Some(p) => {
                        m = p;
                        continue;
                    }
                    None => return (m, n),
                }
            }
            match self.member(m, seg, depth) {
                Some(c) => m = c,
                None => return (m, n),
            }
        }
        (m, segs.len())
    }

    /// A module named `name` in `m`: a child, or a `use` of a module.
    fn member(&self, m: ModId, name: &str, depth: usize) -> Option<ModId> {
        if let Some(&c) = self.mods[m].children.get(name) {
            return Some(c);
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        for u in self.mods[m].uses.iter().filter(|u| u.alias == name) {
            if let Some(t) = self.walk_full_depth(m, &u.segs, depth + 1) {
                u.used.set(true);
                return Some(t);
            }
        }
        None
    }

    /// The module a name at the start of a path in `m` stands for: a
    /// child, a `use`, or a name of a module `m` glob-imports.
    fn lookup(&self, m: ModId, name: &str, depth: usize) -> Option<ModId> {
        if let Some(found) = self.member(m, name, depth) {
            return Some(found);
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        let key = (m, name.to_string());
        if !self.looking_up.borrow_mut().insert(key.clone()) {
            return None;
        }
        let found = self.lookup_globs(m, name, depth);
        self.looking_up.borrow_mut().remove(&key);
        found
    }

    /// `name` through the globs of `m`.
    fn lookup_globs(&self, m: ModId, name: &str, depth: usize) -> Option<ModId> {
        for g in &self.mods[m].globs {
            if let Some(gm) = self.walk_full_depth(m, g, depth + 1)
                && gm != m
                && let Some(found) = self.lookup(gm, name, depth + 1)
            {
                return Some(found);
            }
        }
        None
    }
}

/// The crate roots among `sources`: `lib.rs`, `main.rs`, `bin/*.rs` and
/// `bin/*/main.rs`.
pub fn roots(sources: &Sources) -> Vec<String> {
    sources
        .keys()
        .filter(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            matches!(
                parts.as_slice(),
                ["lib.rs"] | ["main.rs"] | ["bin", _] | ["bin", _, "main.rs"]
            )
        })
        .cloned()
        .collect()
}

/// The sources that no root's tree reaches.
pub fn unreached(sources: &Sources, trees: &[Tree]) -> Vec<String> {
    let reached: BTreeSet<&str> = trees
        .iter()
        .flat_map(|t| t.files.iter().chain(&t.test_files).map(String::as_str))
        .collect();
    let test_dirs: Vec<String> = trees
        .iter()
        .flat_map(|t| t.test_dirs.iter().map(|d| format!("{d}/")))
        .collect();
    sources
        .keys()
        .filter(|p| !reached.contains(p.as_str()))
        .filter(|p| !test_dirs.iter().any(|d| p.starts_with(d.as_str())))
        .cloned()
        .collect()
}

/// Files in more than one root's tree (compiled twice; the binary should
/// use the library's copy).
pub fn shared(trees: &[Tree]) -> Vec<String> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for t in trees {
        for f in &t.files {
            *seen.entry(f).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(f, _)| f.to_string())
        .collect()
}
