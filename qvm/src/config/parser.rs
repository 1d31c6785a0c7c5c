//! The parser's driver: sources in order, `@file` includes, option keywords
//! and the open context.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::asinfo::{AsinfoLookup, expand};
use super::lexer::{Token, tokenize};
use super::value::Bad;
use super::vdev::VdevKind;
use super::{COMMAND_LINE, Config, ConfigError, Origin};

/// How deep `@file` may nest (a file that includes itself stops here).
pub const MAX_INCLUDE_DEPTH: u32 = 8;

/// Options that stand on their own or open a context.
pub(super) const TOP_LEVEL: &[&str] = &[
    "system",
    "ram",
    "rom",
    "cpu",
    "load",
    "initrd",
    "fdt",
    "data",
    "cmdline",
    "vdev",
    "pass",
    "reserve",
    "unsupported",
    "logger",
    "set",
    "dryrun",
    "dump",
];

/// Options that belong to the open context.
pub(super) const CONTEXT_OPTIONS: &[&str] = &[
    "loc",
    "intr",
    "name",
    "sched",
    "runmask",
    "version",
    "hostdev",
    "mac",
    "peer",
    "create",
    "allow",
    "deny",
    "action",
    "frequency",
    "hostvector",
    "delayed",
];

/// The context options belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    /// None open.
    None,
    /// `cpu`: index into `Config::cpus`.
    Cpu(usize),
    /// `vdev`: index into `Config::vdevs`.
    Vdev(usize),
    /// `pass`.
    Pass,
    /// `reserve`.
    Reserve,
}

/// The tokens of one source and where the parser is in them.
pub(super) struct Cursor<'t> {
    tokens: &'t [Token],
    pos: usize,
    file: Arc<str>,
}

impl<'t> Cursor<'t> {
    fn new(file: &str, tokens: &'t [Token]) -> Self {
        Cursor {
            tokens,
            pos: 0,
            file: Arc::from(file),
        }
    }

    fn next(&mut self) -> Option<&'t Token> {
        let t = self.tokens.get(self.pos)?;
        self.pos += 1;
        Some(t)
    }

    /// The next token if it is the unquoted word `word`.
    pub(super) fn take_word(&mut self, word: &str) -> bool {
        let hit = self
            .tokens
            .get(self.pos)
            .is_some_and(|t| !t.quoted && t.text == word);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn origin(&self, t: &Token) -> Origin {
        Origin {
            file: self.file.clone(),
            line: t.line,
        }
    }
}

/// An option being parsed: how to word its errors.
pub(super) struct Opt<'a> {
    /// `vdev pl011: `, `cpu: `, or empty at the top level.
    pub prefix: String,
    /// The keyword, as the user wrote it.
    pub name: &'a str,
    /// The argument form, e.g. `<controller>:<line>`.
    pub form: &'a str,
    /// The option keyword's origin.
    pub at: Origin,
}

impl Opt<'_> {
    /// `'name' expects FORM, got 'TEXT'` (with the reason, if any).
    pub fn bad(&self, arg: &Arg, why: Bad) -> ConfigError {
        let mut msg = format!(
            "{}'{}' expects {}, got '{}'",
            self.prefix, self.name, self.form, arg.text
        );
        if let Bad::Why(reason) = why {
            msg.push_str(": ");
            msg.push_str(&reason);
        }
        arg.at.error(msg)
    }

    /// `'name': MESSAGE` at `at`.
    pub fn fail(&self, at: &Origin, message: &str) -> ConfigError {
        at.error(format!("{}'{}' {}", self.prefix, self.name, message))
    }
}

/// An argument and where it was written.
pub(super) struct Arg {
    /// Its text.
    pub text: String,
    /// Its origin.
    pub at: Origin,
}

/// The state of a parse over all its sources.
pub(super) struct Parser<'r> {
    pub config: Config,
    pub ctx: Context,
    /// The option that opened the context, and how many entries it has made
    /// (a `pass` or `reserve` with none is an error).
    pub ctx_origin: Option<Origin>,
    pub ctx_entries: usize,
    /// Where `system`, the guest image and the initrd were given.
    pub seen: Seen,
    read_file: &'r mut dyn FnMut(&str) -> Result<String, String>,
    /// The host's memory map, for `$asinfo_start{NAME}` and
    /// `$asinfo_length{NAME}` (`None`: not known, each is an error).
    pub asinfo: Option<AsinfoLookup<'r>>,
    depth: u32,
    started: bool,
}

/// Options that may be given once, and where they were.
#[derive(Default)]
pub(super) struct Seen {
    pub system: Option<Origin>,
    pub image: Option<Origin>,
    pub initrd: Option<Origin>,
}

impl<'r> Parser<'r> {
    pub fn new(read_file: &'r mut dyn FnMut(&str) -> Result<String, String>) -> Self {
        Parser {
            config: Config::new(Origin::new(COMMAND_LINE, 0)),
            ctx: Context::None,
            ctx_origin: None,
            ctx_entries: 0,
            seen: Seen::default(),
            read_file,
            asinfo: None,
            depth: 0,
            started: false,
        }
    }

    /// Parses command-line words: each is one token (the shell has already
    /// split and unquoted them), numbered from 1.
    pub fn words(&mut self, args: &[&str]) -> Result<(), ConfigError> {
        let tokens: Vec<Token> = args
            .iter()
            .zip(1u32..)
            .map(|(a, n)| Token {
                text: String::from(*a),
                line: n,
                quoted: false,
            })
            .collect();
        self.tokens(COMMAND_LINE, &tokens)
    }

    /// Parses the text of a file named `name`.
    pub fn file(&mut self, name: &str, text: &str) -> Result<(), ConfigError> {
        let tokens = tokenize(text).map_err(|e| Origin::new(name, e.line).error(e.message))?;
        self.tokens(name, &tokens)
    }

    fn tokens(&mut self, name: &str, tokens: &[Token]) -> Result<(), ConfigError> {
        let mut cur = Cursor::new(name, tokens);
        // A context never runs on from one source into the next.
        self.close_context()?;
        while let Some(t) = cur.next() {
            let at = cur.origin(t);
            if t.quoted {
                return Err(at.error(format!("expected an option, got \"{}\"", t.text)));
            }
            if let Some(path) = t.text.strip_prefix('@') {
                if !self.started {
                    // Until an option is seen, "the start" is the first file.
                    self.config.start = at.clone();
                }
                self.include(path, &at)?;
                continue;
            }
            if !self.started {
                self.started = true;
                self.config.start = at.clone();
            }
            self.option(&mut cur, &t.text, at)?;
        }
        self.close_context()
    }

    /// Opens `ctx` (closing the one before), opened by the option at `at`.
    pub fn open_context(&mut self, ctx: Context, at: Origin) -> Result<(), ConfigError> {
        self.close_context()?;
        self.ctx = ctx;
        self.ctx_origin = Some(at);
        self.ctx_entries = 0;
        Ok(())
    }

    /// Ends the open context: a `pass` or `reserve` must have made an entry.
    pub fn close_context(&mut self) -> Result<(), ConfigError> {
        let ctx = core::mem::replace(&mut self.ctx, Context::None);
        let at = self.ctx_origin.take();
        if let (Context::Pass | Context::Reserve, Some(at)) = (ctx, at)
            && self.ctx_entries == 0
        {
            let name = if ctx == Context::Pass {
                "pass"
            } else {
                "reserve"
            };
            return Err(at.error(format!("'{name}' expects 'loc' or 'intr' after it")));
        }
        Ok(())
    }

    /// An [`Opt`] for the keyword `name` at `at`, in the open context.
    pub fn opt<'a>(&self, name: &'a str, form: &'a str, at: &Origin) -> Opt<'a> {
        Opt {
            prefix: self.context_prefix(),
            name,
            form,
            at: at.clone(),
        }
    }

    fn include(&mut self, path: &str, at: &Origin) -> Result<(), ConfigError> {
        if path.is_empty() {
            return Err(at.error("'@' expects a file name"));
        }
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(at.error(format!(
                "@{path}: files nest more than {MAX_INCLUDE_DEPTH} deep (does one include itself?)"
            )));
        }
        let text =
            (self.read_file)(path).map_err(|e| at.error(format!("@{path}: cannot read: {e}")))?;
        self.depth += 1;
        let r = self.file(path, &text);
        self.depth -= 1;
        r
    }

    fn option(&mut self, cur: &mut Cursor, word: &str, at: Origin) -> Result<(), ConfigError> {
        if TOP_LEVEL.contains(&word) {
            return self.top_level(cur, word, at);
        }
        if CONTEXT_OPTIONS.contains(&word) {
            return self.context_option(cur, word, at);
        }
        let mut msg = format!("{}unknown option '{word}'", self.context_prefix());
        if VdevKind::from_name(word).is_some() {
            msg.push_str(&format!(" (a device is 'vdev {word}')"));
        }
        Err(at.error(msg))
    }

    /// `vdev TYPE: `, `cpu: `, `pass: `, `reserve: ` or empty.
    pub fn context_prefix(&self) -> String {
        match self.ctx {
            Context::None => String::new(),
            Context::Cpu(_) => String::from("cpu: "),
            Context::Vdev(i) => format!("vdev {}: ", self.config.vdevs[i].kind.name()),
            Context::Pass => String::from("pass: "),
            Context::Reserve => String::from("reserve: "),
        }
    }

    /// The next token as an argument of `opt`: an error if there is none, or
    /// if it is (unquoted) an option that opens a context or stands alone,
    /// which means the argument was left out.
    pub fn arg(&self, cur: &mut Cursor, opt: &Opt) -> Result<Arg, ConfigError> {
        let missing = || {
            opt.at.error(format!(
                "{}'{}' expects {}, got nothing",
                opt.prefix, opt.name, opt.form
            ))
        };
        let t = cur.next().ok_or_else(missing)?;
        let at = cur.origin(t);
        if !t.quoted && (TOP_LEVEL.contains(&t.text.as_str()) || t.text.starts_with('@')) {
            // The argument was left out: point at the option, not the next one.
            return Err(opt.at.error(format!(
                "{}'{}' expects {}, got option '{}'",
                opt.prefix, opt.name, opt.form, t.text
            )));
        }
        let text = expand(&t.text, self.asinfo)
            .map_err(|why| at.error(format!("{}'{}': {why}", opt.prefix, opt.name)))?;
        Ok(Arg {
            text: text.into_owned(),
            at,
        })
    }
}
