//! The options that stand alone or open a context.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::parser::{Arg, Context, Cursor, Opt, Parser};
use super::settings::{LogDest, LogLevel, Logger, OnReset, UnsupportedAction};
use super::types::{CpuConfig, Load, LoadKind, MemKind, MemOption};
use super::value::{self, Bad};
use super::vdev::{VDEV_KINDS, VdevConfig, VdevKind};
use super::{ConfigError, Origin};

impl Parser<'_> {
    /// A top-level option: never prefixed by the open context.
    fn top<'a>(&self, name: &'a str, form: &'a str, at: &Origin) -> Opt<'a> {
        Opt {
            prefix: String::new(),
            name,
            form,
            at: at.clone(),
        }
    }

    pub(super) fn top_level(
        &mut self,
        cur: &mut Cursor,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        match word {
            "system" => {
                let opt = self.top("system", "<name>", &at);
                let arg = self.arg(cur, &opt)?;
                if let Some(first) = &self.seen.system {
                    return Err(opt.fail(&at, &format!("given twice (first at {first})")));
                }
                if !value::is_name(&arg.text) {
                    let why = "a name is 1 to 64 letters, digits, '-', '_' or '.'";
                    return Err(opt.bad(&arg, Bad::from(why)));
                }
                self.seen.system = Some(at);
                self.config.system = Some(arg.text);
            }
            "ram" | "rom" => {
                let kind = if word == "ram" {
                    MemKind::Ram
                } else {
                    MemKind::Rom
                };
                let opt = self.top(kind.keyword(), "[<gpa>,]<size>", &at);
                let arg = self.arg(cur, &opt)?;
                let (gpa, size) = value::gpa_size(&arg.text).map_err(|e| opt.bad(&arg, e))?;
                if size == 0 {
                    return Err(opt.bad(&arg, Bad::from("the size is 0")));
                }
                let origin = at;
                self.config.memory.push(MemOption {
                    kind,
                    gpa,
                    size,
                    origin,
                });
            }
            "cpu" => {
                self.config.cpus.push(CpuConfig {
                    origin: Some(at.clone()),
                    ..CpuConfig::default()
                });
                self.open_context(Context::Cpu(self.config.cpus.len() - 1), at)?;
            }
            "load" => self.load(cur, LoadKind::Image, at)?,
            "initrd" | "fdt" | "data" => {
                let kind = match word {
                    "initrd" => LoadKind::Initrd,
                    "fdt" => LoadKind::Fdt,
                    _ => LoadKind::Data,
                };
                if !cur.take_word("load") {
                    return Err(at.error(format!(
                        "'{word}' must be followed by 'load' ({word} load [<gpa>,]<file>)"
                    )));
                }
                self.load(cur, kind, at)?;
            }
            "cmdline" => {
                let opt = self.top("cmdline", "\"<string>\"", &at);
                self.config.cmdline = Some(self.arg(cur, &opt)?.text);
            }
            "vdev" => {
                let opt = self.top("vdev", "<type>", &at);
                let arg = self.arg(cur, &opt)?;
                let Some(kind) = VdevKind::from_name(&arg.text) else {
                    let names: Vec<&str> = VDEV_KINDS.iter().map(|k| k.name()).collect();
                    return Err(arg.at.error(format!(
                        "vdev: unknown device type '{}' (one of {})",
                        arg.text,
                        names.join(", ")
                    )));
                };
                self.config.vdevs.push(VdevConfig::new(kind, at.clone()));
                self.open_context(Context::Vdev(self.config.vdevs.len() - 1), at)?;
            }
            "pass" => self.open_context(Context::Pass, at)?,
            "reserve" => self.open_context(Context::Reserve, at)?,
            "unsupported" => {
                let opt = self.top(
                    "unsupported",
                    "instruction|reference|register abort|fail|ignore",
                    &at,
                );
                let what = self.arg(cur, &opt)?;
                let how = self.arg(cur, &opt)?;
                let action = match how.text.as_str() {
                    "abort" => UnsupportedAction::Abort,
                    "fail" => UnsupportedAction::Fail,
                    "ignore" => UnsupportedAction::Ignore,
                    _ => return Err(opt.bad(&how, Bad::from("not abort, fail or ignore"))),
                };
                self.config
                    .note_given(format!("unsupported {}", what.text), at.clone());
                let u = &mut self.config.unsupported;
                match what.text.as_str() {
                    "instruction" => u.instruction = action,
                    "reference" => u.reference = action,
                    "register" => u.register = action,
                    _ => {
                        let why = "not instruction, reference or register";
                        return Err(opt.bad(&what, Bad::from(why)));
                    }
                }
            }
            "logger" => self.logger(cur, at)?,
            "set" => self.set(cur, at)?,
            "dryrun" => self.config.dryrun = true,
            "dump" => {
                let opt = self.top("dump", "<directory>", &at);
                self.config.dump_dir = Some(self.arg(cur, &opt)?.text);
                self.config.note_given(String::from("dump"), at);
            }
            _ => unreachable!("every TOP_LEVEL keyword has a case"),
        }
        Ok(())
    }

    fn load(&mut self, cur: &mut Cursor, kind: LoadKind, at: Origin) -> Result<(), ConfigError> {
        let opt = self.top(kind.keyword(), "[<gpa>,]<file>", &at);
        let arg = self.arg(cur, &opt)?;
        let (gpa, path) = match arg.text.split_once(',') {
            Some((gpa, path)) => match value::number(gpa, true) {
                Ok(gpa) => (Some(gpa), path),
                Err(Bad::Why(why)) => return Err(opt.bad(&arg, Bad::Why(why))),
                Err(Bad::Form) => (None, arg.text.as_str()),
            },
            None => (None, arg.text.as_str()),
        };
        if path.is_empty() {
            return Err(opt.bad(&arg, Bad::from("no file name")));
        }
        let first = match kind {
            LoadKind::Image => &mut self.seen.image,
            LoadKind::Initrd => &mut self.seen.initrd,
            _ => &mut None,
        };
        if let Some(first) = first {
            return Err(match kind {
                LoadKind::Image => at.error(format!(
                    "'load': a guest image was already loaded at {first}; more files take 'data load'"
                )),
                _ => opt.fail(&at, &format!("given twice (first at {first})")),
            });
        }
        if matches!(kind, LoadKind::Image | LoadKind::Initrd) {
            *first = Some(at.clone());
        }
        self.config.loads.push(Load {
            kind,
            gpa,
            path: path.to_string(),
            origin: at,
        });
        Ok(())
    }

    fn logger(&mut self, cur: &mut Cursor, at: Origin) -> Result<(), ConfigError> {
        let opt = self.top(
            "logger",
            "<level>[,<level>...] stdout|stderr|slog|none (levels: fatal, internal, error, warn, info, debug, verbose)",
            &at,
        );
        let filters = self.arg(cur, &opt)?;
        let dest = self.arg(cur, &opt)?;
        let mut levels = Vec::new();
        for f in filters.text.split(',') {
            let level = match f {
                "fatal" => LogLevel::Fatal,
                "internal" => LogLevel::Internal,
                "error" => LogLevel::Error,
                "warn" => LogLevel::Warn,
                "info" => LogLevel::Info,
                "debug" => LogLevel::Debug,
                "verbose" => LogLevel::Verbose,
                _ => return Err(opt.bad(&filters, Bad::Why(format!("unknown level '{f}'")))),
            };
            if !levels.contains(&level) {
                levels.push(level);
            }
        }
        let dest = match dest.text.as_str() {
            "stdout" => LogDest::Stdout,
            "stderr" => LogDest::Stderr,
            "slog" => LogDest::Slog,
            "none" => LogDest::None,
            _ => return Err(opt.bad(&dest, Bad::from("not stdout, stderr, slog or none"))),
        };
        self.config.loggers.push(Logger {
            levels,
            dest,
            origin: at,
        });
        Ok(())
    }

    fn set(&mut self, cur: &mut Cursor, at: Origin) -> Result<(), ConfigError> {
        let opt = self.top("set", "<variable> <value>", &at);
        let var = self.arg(cur, &opt)?;
        let val = self.arg(cur, &opt)?;
        self.config
            .note_given(format!("set {}", var.text), at.clone());
        let vars = &mut self.config.vars;
        let bad = |form: &str, val: &Arg, why: Bad| {
            let name = format!("set {}", var.text);
            Opt {
                prefix: String::new(),
                name: &name,
                form,
                at: at.clone(),
            }
            .bad(val, why)
        };
        match var.text.as_str() {
            "fdt-dump-file" => vars.fdt_dump_file = Some(val.text),
            "exit-on-halt" => {
                let b = value::boolean(&val.text);
                let form = "on|off, yes|no, true|false or 1|0";
                vars.exit_on_halt = Some(b.ok_or_else(|| bad(form, &val, Bad::Form))?);
            }
            "counter-offset" => {
                let n = value::number(&val.text, false);
                vars.counter_offset = Some(n.map_err(|e| bad("<number>", &val, e))?);
            }
            "on-reset" => {
                vars.on_reset = Some(match val.text.as_str() {
                    "exit" => OnReset::Exit,
                    "restart" => OnReset::Restart,
                    _ => return Err(bad("exit|restart", &val, Bad::Form)),
                });
            }
            _ => {
                vars.other.retain(|(name, _)| *name != var.text);
                vars.other.push((var.text, val.text));
            }
        }
        Ok(())
    }
}
