//! The `dryrun` report: one line per region, vCPU and device, with
//! addresses, INTIDs and the option each came from; the guest
//! architecture's lines (on AArch64 the GIC and the timer) come from
//! `crate::arch`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use crate::arch::guest;
use crate::config::{
    Config, DeviceOptions, HostDev, HostDir, HostPath, LoadKind, PassKind, UnsupportedAction,
};
use crate::layout::{AddressSpace, VmLayout, range};

pub use crate::units::size;

fn hostdev(h: &HostDev) -> String {
    let dir = match h.dir {
        HostDir::Both => "",
        HostDir::In => "<",
        HostDir::Out => ">",
    };
    match &h.path {
        HostPath::Console => format!("hostdev {dir}- (console)"),
        HostPath::File(p) => format!("hostdev {dir}{p}"),
    }
}

fn action(a: UnsupportedAction) -> &'static str {
    match a {
        UnsupportedAction::Abort => "abort",
        UnsupportedAction::Fail => "fail",
        UnsupportedAction::Ignore => "ignore",
    }
}

/// The report of a placed configuration, one line each, ending in a newline.
pub fn render(config: &Config, layout: &VmLayout) -> String {
    let mut lines: Vec<(String, String, String)> = Vec::new();
    let mut line = |label: &str, detail: String, origin: String| {
        lines.push((String::from(label), detail, origin));
    };
    let name = layout.name.as_deref().unwrap_or("(no name)");
    line("system", String::from(name), String::new());
    for m in &layout.memory {
        let r = m.region;
        let d = format!("{}  {}", range(r.base, r.size), size(r.size));
        line(m.kind.keyword(), d, m.origin.to_string());
    }
    for c in &layout.cpus {
        let mut d = guest::cpu_detail(c);
        if let Some(s) = c.config.sched {
            let _ = write!(d, "  sched {}", s.describe());
        }
        if let Some(mask) = c.config.runmask {
            let cpus: Vec<String> = (0..64)
                .filter(|b| mask & (1 << b) != 0)
                .map(|b| format!("{b}"))
                .collect();
            let _ = write!(d, "  runmask {}", cpus.join(","));
        }
        let origin = c
            .config
            .origin
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_default();
        line(&format!("cpu {}", c.index), d, origin);
    }
    for (label, d, origin) in guest::report_lines(layout) {
        line(label, d, origin);
    }
    for v in &layout.vdevs {
        let mut d = match v.space {
            AddressSpace::Memory => range(v.slot.base, v.reg_size),
            AddressSpace::Io => format!("io {}", range(v.slot.base, v.slot.size)),
        };
        if let Some(line) = v.intid {
            let _ = write!(d, "  {} {line}", guest::LINE_NAME);
        }
        match &v.config.options {
            DeviceOptions::Serial { hostdev: Some(h) }
            | DeviceOptions::Block { hostdev: Some(h) } => {
                let _ = write!(d, "  {}", hostdev(h));
            }
            DeviceOptions::Net { mac, peer } => {
                if let Some(m) = mac {
                    let _ = write!(
                        d,
                        "  mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                        m[0], m[1], m[2], m[3], m[4], m[5]
                    );
                }
                if let Some(p) = peer {
                    let _ = write!(d, "  peer {}/{}", p.vm, p.name);
                }
            }
            DeviceOptions::Shmem {
                create: Some((n, s)),
                ..
            } => {
                let _ = write!(d, "  create {n} {}", size(*s));
            }
            DeviceOptions::Watchdog { dump, frequency } => {
                let _ = write!(d, "  action {}terminate", if *dump { "dump," } else { "" });
                if let Some(hz) = frequency {
                    let _ = write!(d, "  frequency {hz} Hz");
                }
            }
            _ => {}
        }
        if let Some(n) = &v.config.name {
            let _ = write!(d, "  name {n}");
        }
        line(v.config.kind.name(), d, v.config.origin.to_string());
    }
    for p in &layout.passes {
        let (label, d) = match &p.kind {
            PassKind::Mem {
                gpa,
                len,
                attrs,
                hpa,
            } => {
                let a: String = [
                    (attrs.read, 'r'),
                    (attrs.write, 'w'),
                    (attrs.exec, 'x'),
                    (attrs.cacheable, 'c'),
                    (attrs.ram, 'm'),
                ]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, c)| *c)
                .collect();
                (
                    "pass mem",
                    format!("{} {a} = host {hpa:#x}", range(*gpa, *len)),
                )
            }
            PassKind::Io { port, len, host } => {
                ("pass io", format!("{port:#x}+{len} = host {host:#x}"))
            }
            PassKind::Intr { intr, host } => (
                "pass intr",
                format!("intid {} = host irq {host}", intr.line),
            ),
        };
        line(label, d, p.origin.to_string());
    }
    for l in &config.loads {
        let label = match l.kind {
            LoadKind::Image => "load",
            LoadKind::Initrd => "initrd",
            LoadKind::Fdt => "fdt",
            LoadKind::Data => "data",
        };
        let at = l.gpa.map(|g| format!("{g:#x} ")).unwrap_or_default();
        line(label, format!("{at}{}", l.path), l.origin.to_string());
    }
    if let Some(c) = &config.cmdline {
        line("cmdline", format!("\"{c}\""), String::new());
    }
    let u = &config.unsupported;
    let d = format!(
        "instruction {}, reference {}, register {}",
        action(u.instruction),
        action(u.reference),
        action(u.register)
    );
    line("unsupported", d, String::new());
    let vars = &config.vars;
    if let Some(f) = &vars.fdt_dump_file {
        line("set", format!("fdt-dump-file {f}"), String::new());
    }
    if let Some(b) = vars.exit_on_halt {
        line(
            "set",
            format!("exit-on-halt {}", if b { "on" } else { "off" }),
            String::new(),
        );
    }
    if let Some(n) = vars.counter_offset {
        line("set", format!("counter-offset {n:#x}"), String::new());
    }
    if let Some(r) = vars.on_reset {
        line("set", format!("on-reset {}", r.word()), String::new());
    }
    for (k, v) in &vars.other {
        line("set", format!("{k} {v}"), String::new());
    }
    if let Some(d) = &config.dump_dir {
        line("dump", d.clone(), String::new());
    }
    let mut out = String::new();
    for (label, detail, origin) in lines {
        let text = format!("{label:<14} {detail}");
        if origin.is_empty() {
            let _ = writeln!(out, "{text}");
        } else {
            let _ = writeln!(out, "{text:<78} # {origin}");
        }
    }
    out
}
