//! Options that belong to the open context: `loc`, `intr`, `name`, `sched`,
//! `runmask` and the device options of each `vdev` type.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::common_vdev::COMMON_VDEV_OPTIONS;
use super::loc::{Intr, Location};
use super::parser::{Context, Cursor, Parser};
use super::types::{Pass, PassKind, Reserve, ReserveKind};
use super::value::{self, Bad};
use super::vdev::VdevKind;
use super::{ConfigError, Origin};

/// Highest host CPU number a `runmask` may name.
pub const MAX_HOST_CPU: u64 = 63;

impl Parser<'_> {
    pub(super) fn context_option(
        &mut self,
        cur: &mut Cursor,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        let takes: &[&str] = match self.ctx {
            Context::None => {
                let after = match word {
                    "loc" | "intr" => "'vdev', 'pass' or 'reserve'",
                    "name" => "'vdev'",
                    "sched" | "runmask" => "'cpu'",
                    "hostvector" | "delayed" => "'vdev'",
                    _ => "a 'vdev' whose type takes it",
                };
                return Err(at.error(format!("'{word}' must follow {after}")));
            }
            Context::Cpu(_) => &["sched", "runmask"],
            Context::Pass | Context::Reserve => &["loc", "intr"],
            Context::Vdev(i) => {
                let kind = self.config.vdevs[i].kind;
                if COMMON_VDEV_OPTIONS.contains(&word) {
                    return self.common_vdev_option(cur, i, word, at);
                }
                if matches!(word, "loc" | "intr" | "name") || kind.options().contains(&word) {
                    return self.vdev_option(cur, i, word, at);
                }
                let mut all = Vec::from(["loc", "intr", "name"]);
                all.extend_from_slice(kind.options());
                all.extend_from_slice(COMMON_VDEV_OPTIONS);
                return Err(self.not_an_option(word, kind.name(), &all, &at));
            }
        };
        if !takes.contains(&word) {
            let what = match self.ctx {
                Context::Cpu(_) => "cpu",
                Context::Pass => "pass",
                _ => "reserve",
            };
            return Err(self.not_an_option(word, what, takes, &at));
        }
        match self.ctx {
            Context::Cpu(i) => self.cpu_option(cur, i, word, at),
            Context::Pass => self.pass_option(cur, word, at),
            _ => self.reserve_option(cur, word, at),
        }
    }

    fn not_an_option(&self, word: &str, what: &str, takes: &[&str], at: &Origin) -> ConfigError {
        at.error(format!(
            "{}'{word}' is not an option of {what} (it takes {})",
            self.context_prefix(),
            takes.join(", ")
        ))
    }

    fn cpu_option(
        &mut self,
        cur: &mut Cursor,
        i: usize,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        if word == "sched" {
            let opt = self.opt("sched", super::sched_form::SCHED_FORM, &at);
            let arg = self.arg(cur, &opt)?;
            let sched = super::sched_form::sched(&arg.text).map_err(|e| opt.bad(&arg, e))?;
            let cpu = &mut self.config.cpus[i];
            if cpu.sched.is_some() {
                return Err(opt.fail(&at, "given twice"));
            }
            cpu.sched = Some(sched);
        } else {
            let opt = self.opt("runmask", "<cpu>[,<cpu>...]", &at);
            let arg = self.arg(cur, &opt)?;
            let mut mask = 0u64;
            for n in arg.text.split(',') {
                let n = value::bounded(n, MAX_HOST_CPU).map_err(|e| opt.bad(&arg, e))?;
                mask |= 1 << n;
            }
            let cpu = &mut self.config.cpus[i];
            if cpu.runmask.is_some() {
                return Err(opt.fail(&at, "given twice"));
            }
            cpu.runmask = Some(mask);
        }
        Ok(())
    }

    fn pass_option(&mut self, cur: &mut Cursor, word: &str, at: Origin) -> Result<(), ConfigError> {
        let kind = if word == "loc" {
            let form = "mem:<gpa>,<len>,<attrs>[=<hpa>] or io:<port>,<len>[=<hostport>]";
            let opt = self.opt("loc", form, &at);
            let arg = self.arg(cur, &opt)?;
            let (guest, host) = value::split_host(&arg.text);
            let bad = |e| opt.bad(&arg, e);
            if let Some(rest) = guest.strip_prefix("mem:") {
                let mut parts = rest.splitn(3, ',');
                let gpa = value::number(parts.next().unwrap_or(""), true).map_err(bad)?;
                let len = value::number(parts.next().ok_or(Bad::Form).map_err(bad)?, true)
                    .map_err(bad)?;
                let attrs =
                    value::mem_attrs(parts.next().ok_or(Bad::Form).map_err(bad)?).map_err(bad)?;
                let hpa = match host {
                    Some(h) => value::number(h, true).map_err(bad)?,
                    None => gpa,
                };
                PassKind::Mem {
                    gpa,
                    len,
                    attrs,
                    hpa,
                }
            } else if let Some(rest) = guest.strip_prefix("io:") {
                let (port, len) = rest.split_once(',').ok_or(Bad::Form).map_err(bad)?;
                let port = value::bounded(port, 0xffff).map_err(bad)? as u16;
                let len = value::bounded(len, 0x10000 - u64::from(port)).map_err(bad)? as u16;
                let host = match host {
                    Some(h) => value::bounded(h, 0xffff).map_err(bad)? as u16,
                    None => port,
                };
                PassKind::Io { port, len, host }
            } else {
                return Err(bad(Bad::Form));
            }
        } else {
            let opt = self.opt("intr", "<controller>:<line>[=<hostirq>]", &at);
            let arg = self.arg(cur, &opt)?;
            let (guest, host) = value::split_host(&arg.text);
            let intr = value::intr(guest).map_err(|e| opt.bad(&arg, e))?;
            let host = match host {
                Some(h) => value::bounded(h, u32::MAX.into()).map_err(|e| opt.bad(&arg, e))? as u32,
                None => intr.line,
            };
            PassKind::Intr { intr, host }
        };
        self.config.passes.push(Pass { kind, origin: at });
        self.ctx_entries += 1;
        Ok(())
    }

    fn reserve_option(
        &mut self,
        cur: &mut Cursor,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        let kind = if word == "loc" {
            let opt = self.opt("loc", "mem:<gpa>,<len>", &at);
            let arg = self.arg(cur, &opt)?;
            let bad = |e| opt.bad(&arg, e);
            let rest = arg
                .text
                .strip_prefix("mem:")
                .ok_or(Bad::Form)
                .map_err(bad)?;
            let (gpa, len) = rest.split_once(',').ok_or(Bad::Form).map_err(bad)?;
            ReserveKind::Mem {
                gpa: value::number(gpa, true).map_err(bad)?,
                len: value::number(len, true).map_err(bad)?,
            }
        } else {
            let opt = self.opt("intr", "<controller>:<line>", &at);
            let arg = self.arg(cur, &opt)?;
            ReserveKind::Intr(value::intr(&arg.text).map_err(|e| opt.bad(&arg, e))?)
        };
        self.config.reserves.push(Reserve { kind, origin: at });
        self.ctx_entries += 1;
        Ok(())
    }

    fn vdev_option(
        &mut self,
        cur: &mut Cursor,
        i: usize,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        match word {
            "loc" => {
                let opt = self.opt(
                    "loc",
                    "mem:<addr>, io:<port> or pci:<bus>:<dev>[.<fn>]",
                    &at,
                );
                let arg = self.arg(cur, &opt)?;
                let loc: Location = value::location(&arg.text).map_err(|e| opt.bad(&arg, e))?;
                let dev = &mut self.config.vdevs[i];
                if let Some((_, first)) = &dev.loc {
                    return Err(opt.fail(&at, &format!("given twice (first at {first})")));
                }
                dev.loc = Some((loc, at));
            }
            "intr" => {
                let opt = self.opt("intr", "<controller>:<line>", &at);
                let arg = self.arg(cur, &opt)?;
                let dev = &mut self.config.vdevs[i];
                // An IOAPIC's `intr` names the local APIC alone (`intr apic`).
                let bare = dev.kind == VdevKind::Ioapic && !arg.text.contains(':');
                let intr = match bare {
                    true if value::is_name(&arg.text) => Intr {
                        controller: arg.text.clone(),
                        line: 0,
                    },
                    _ => value::intr(&arg.text).map_err(|e| opt.bad(&arg, e))?,
                };
                if let Some((_, first)) = &dev.intr {
                    return Err(opt.fail(&at, &format!("given twice (first at {first})")));
                }
                dev.intr = Some((intr, at));
            }
            "name" => {
                let opt = self.opt("name", "<name>", &at);
                let arg = self.arg(cur, &opt)?;
                if !value::is_name(&arg.text) {
                    let why = "a name is 1 to 64 letters, digits, '-', '_' or '.'";
                    return Err(opt.bad(&arg, Bad::from(why)));
                }
                if self.config.vdevs[i].name.is_some() {
                    return Err(opt.fail(&at, "given twice"));
                }
                if let Some(other) = self
                    .config
                    .vdevs
                    .iter()
                    .find(|d| d.name.as_deref() == Some(&arg.text))
                {
                    return Err(arg.at.error(format!(
                        "{}name '{}' is already taken by the vdev {} at {}",
                        opt.prefix,
                        arg.text,
                        other.kind.name(),
                        other.origin
                    )));
                }
                self.config.vdevs[i].name = Some(arg.text.to_string());
            }
            _ => self.device_option(cur, i, word, at)?,
        }
        Ok(())
    }
}
