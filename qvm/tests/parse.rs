//! The parser: every option, lexical rules, numbers, several sources.

mod common;

use common::{example, parse};
use qvm::config::{
    COMMAND_LINE, DeviceOptions, GicVersion, HostDev, HostDir, HostPath, Intr, LoadKind, Location,
    LogDest, LogLevel, MemAttrs, MemKind, OnReset, PassKind, Peer, ReserveKind, Sched, SchedPolicy,
    UnsupportedAction, VdevKind, number, parse_args, tokenize,
};

#[test]
fn the_spec_example() {
    let c = example("linux.qvmconf");
    assert_eq!(c.system.as_deref(), Some("linux1"));
    assert_eq!(c.memory.len(), 1);
    assert_eq!(c.memory[0].gpa, Some(0x8000_0000));
    assert_eq!(c.memory[0].size, 512 << 20);
    assert_eq!(c.cpus.len(), 2);
    let s = Some(Sched {
        priority: 10,
        policy: None,
    });
    assert!(c.cpus.iter().all(|cpu| cpu.sched == s));
    assert_eq!(c.image().unwrap().path, "/guests/linux/Image");
    assert_eq!(c.initrd().unwrap().path, "/guests/linux/initrd.cpio");
    assert_eq!(
        c.cmdline.as_deref(),
        Some("console=ttyAMA0 earlycon=pl011,mmio32,0x1c090000 rdinit=/init")
    );
    assert_eq!(c.vdevs.len(), 4);
    assert_eq!(
        c.vdevs[0].options,
        DeviceOptions::Gic {
            version: Some(GicVersion::V3)
        }
    );
    let uart = &c.vdevs[1];
    assert_eq!(uart.kind, VdevKind::Pl011);
    assert_eq!(uart.loc.as_ref().unwrap().0, Location::Mem(0x1c09_0000));
    assert_eq!(
        uart.intr.as_ref().unwrap().0,
        Intr {
            controller: "gic".into(),
            line: 37
        }
    );
    assert_eq!(
        uart.options,
        DeviceOptions::Serial {
            hostdev: Some(HostDev {
                dir: HostDir::Out,
                path: HostPath::Console
            })
        }
    );
    assert_eq!(uart.origin.to_string(), "linux.qvmconf:10");
    assert_eq!(uart.loc.as_ref().unwrap().1.to_string(), "linux.qvmconf:10");
    let net = &c.vdevs[3];
    assert_eq!(net.name.as_deref(), Some("net0"));
    assert_eq!(
        net.options,
        DeviceOptions::Net {
            mac: Some([0x52, 0x54, 0, 0, 1, 2]),
            peer: Some(Peer {
                vm: "rtos".into(),
                name: "net0".into()
            }),
        }
    );
    assert_eq!(c.unsupported.register, UnsupportedAction::Ignore);
    assert_eq!(c.unsupported.reference, UnsupportedAction::Fail);
    assert!(!c.dryrun);
}

#[test]
fn every_option() {
    let c = example("full.qvmconf");
    assert_eq!(c.system.as_deref(), Some("full-vm"));
    let mem: Vec<_> = c.memory.iter().map(|m| (m.kind, m.gpa, m.size)).collect();
    assert_eq!(
        mem,
        [
            (MemKind::Ram, Some(0x4000_0000), 256 << 20),
            (MemKind::Rom, Some(0x1000_0000), 1 << 20),
            (MemKind::Ram, None, 64 << 20),
        ]
    );
    assert_eq!(c.cpus.len(), 3);
    assert_eq!(
        c.cpus[0].sched,
        Some(Sched {
            priority: 20,
            policy: Some(SchedPolicy::RoundRobin)
        })
    );
    assert_eq!(c.cpus[0].runmask, Some(0b101));
    assert_eq!(
        c.cpus[1].sched,
        Some(Sched {
            priority: 5,
            policy: Some(SchedPolicy::Fifo)
        })
    );
    assert_eq!((c.cpus[2].sched, c.cpus[2].runmask), (None, None));

    let loads: Vec<_> = c
        .loads
        .iter()
        .map(|l| (l.kind, l.gpa, l.path.as_str()))
        .collect();
    assert_eq!(
        loads,
        [
            (LoadKind::Image, Some(0x4008_0000), "/guests/linux/Image"),
            (LoadKind::Initrd, None, "/guests/linux/initrd.cpio"),
            (LoadKind::Fdt, None, "/guests/linux/extra.dtb"),
            (LoadKind::Data, Some(0x1000_0000), "/guests/fw.bin"),
        ]
    );
    assert_eq!(c.fdt_overlays().count(), 1);
    assert_eq!(
        c.cmdline.as_deref(),
        Some(r#"console=ttyAMA0 "quoted" path=C:\x"#)
    );

    let kinds: Vec<_> = c.vdevs.iter().map(|v| v.kind).collect();
    use VdevKind::*;
    assert_eq!(
        kinds,
        [
            Gic,
            Pl011,
            Pl011,
            VirtioConsole,
            VirtioBlk,
            VirtioBlk,
            VirtioNet,
            VirtioEntropy,
            Shmem,
            WdtSp805,
            Ser8250
        ]
    );
    assert_eq!(c.vdevs[0].name.as_deref(), Some("gic0"));
    let file = |p: &str| HostPath::File(p.into());
    assert_eq!(
        c.vdevs[2].options,
        DeviceOptions::Serial {
            hostdev: Some(HostDev {
                dir: HostDir::In,
                path: file("/dev/ser2")
            })
        }
    );
    assert_eq!(
        c.vdevs[3].options,
        DeviceOptions::Serial {
            hostdev: Some(HostDev {
                dir: HostDir::Both,
                path: file("/dev/con1")
            })
        }
    );
    assert_eq!(
        c.vdevs[4].options,
        DeviceOptions::Block {
            hostdev: Some(HostDev {
                dir: HostDir::In,
                path: file("/images/root.img")
            })
        }
    );
    assert_eq!(
        c.vdevs[5].loc.as_ref().unwrap().0,
        Location::Mem(0x1c0d_1000)
    );
    assert_eq!(
        c.vdevs[5].intr.as_ref().unwrap().0,
        Intr {
            controller: "gic0".into(),
            line: 60
        }
    );
    assert_eq!(
        c.vdevs[8].options,
        DeviceOptions::Shmem {
            create: Some(("ring".into(), 64 << 10)),
            allow: vec!["vm*".into()],
            deny: vec!["rtos2".into()],
        }
    );
    assert_eq!(
        c.vdevs[9].options,
        DeviceOptions::Watchdog {
            dump: true,
            frequency: Some(1 << 20)
        }
    );

    let rw = MemAttrs {
        read: true,
        write: true,
        ..MemAttrs::default()
    };
    let all = MemAttrs {
        read: true,
        write: true,
        exec: true,
        cacheable: true,
        ram: true,
    };
    let passes: Vec<_> = c.passes.iter().map(|p| p.kind.clone()).collect();
    assert_eq!(
        passes,
        [
            PassKind::Mem {
                gpa: 0x3000_0000,
                len: 0x10000,
                attrs: rw,
                hpa: 0x900_0000
            },
            PassKind::Mem {
                gpa: 0x3100_0000,
                len: 1 << 20,
                attrs: all,
                hpa: 0x3100_0000
            },
            PassKind::Intr {
                intr: Intr {
                    controller: "gic".into(),
                    line: 80
                },
                host: 120
            },
            PassKind::Intr {
                intr: Intr {
                    controller: "gic".into(),
                    line: 81
                },
                host: 81
            },
        ]
    );
    let reserves: Vec<_> = c.reserves.iter().map(|r| r.kind.clone()).collect();
    assert_eq!(
        reserves,
        [
            ReserveKind::Mem {
                gpa: 0x3200_0000,
                len: 0x10_0000
            },
            ReserveKind::Intr(Intr {
                controller: "gic".into(),
                line: 45
            }),
        ]
    );
    assert_eq!(c.unsupported.instruction, UnsupportedAction::Abort);
    assert_eq!(c.unsupported.reference, UnsupportedAction::Ignore);
    assert_eq!(c.unsupported.register, UnsupportedAction::Fail);
    assert_eq!(c.loggers.len(), 2);
    assert_eq!(c.loggers[0].levels, [LogLevel::Error, LogLevel::Warn]);
    assert_eq!(c.loggers[0].dest, LogDest::Stderr);
    assert_eq!(
        c.loggers[1].levels,
        [
            LogLevel::Info,
            LogLevel::Debug,
            LogLevel::Verbose,
            LogLevel::Fatal
        ]
    );
    assert_eq!(c.loggers[1].dest, LogDest::None);
    assert_eq!(c.vars.fdt_dump_file.as_deref(), Some("/tmp/full.dtb"));
    assert_eq!(c.vars.exit_on_halt, Some(true));
    assert_eq!(c.vars.counter_offset, Some(0x1000));
    assert_eq!(c.vars.on_reset, Some(OnReset::Restart));
    assert_eq!(
        c.vars.other,
        [("vendor-thing".to_string(), "some value".to_string())]
    );
    assert_eq!(c.dump_dir.as_deref(), Some("/var/dumps"));
    assert!(c.dryrun);
}

#[test]
fn defaults_of_an_empty_config() {
    let c = parse("# nothing but a comment\n\n");
    assert!(c.system.is_none() && c.memory.is_empty() && c.cpus.is_empty() && c.vdevs.is_empty());
    assert_eq!(c.unsupported.instruction, UnsupportedAction::Fail);
    assert_eq!(c.unsupported.reference, UnsupportedAction::Fail);
    assert_eq!(c.unsupported.register, UnsupportedAction::Fail);
    assert!(!c.dryrun);
    assert_eq!(c.start.to_string(), "<command line>:0");
    let mut read = |_: &str| Ok::<_, String>("# empty\n".to_string());
    let c = parse_args(&["@a.qvmconf"], &mut read).unwrap();
    assert_eq!(c.start.to_string(), "<command line>:1");
}

#[test]
fn comments_whitespace_and_layout_carry_no_meaning() {
    let a = parse("vdev pl011 loc 0x1c090000 intr gic:37 # trailing\nram 1G");
    let b = parse(
        "  # heading comment\n\tvdev\n   pl011\n\n loc\n0x1c090000\r\n intr gic:37\nram\t1G\n",
    );
    assert_eq!(a.vdevs[0].kind, b.vdevs[0].kind);
    assert_eq!(
        a.vdevs[0].loc.as_ref().unwrap().0,
        b.vdevs[0].loc.as_ref().unwrap().0
    );
    assert_eq!(a.memory[0].size, b.memory[0].size);
    assert_eq!(b.memory[0].origin.line, 8);
    assert_eq!(b.start.line, 2);
}

#[test]
fn quoted_strings_and_continuation() {
    let c = parse("cmdline \"a b  c\"");
    assert_eq!(c.cmdline.as_deref(), Some("a b  c"));
    let c = parse("cmdline \"console=ttyAMA0 \\\n  loglevel=8\"\nsystem x");
    assert_eq!(c.cmdline.as_deref(), Some("console=ttyAMA0   loglevel=8"));
    // The option after a continued string is on line 3.
    let c2 = qvm::config::parse_str("t", "cmdline \"a\\\nb\"\nsystem").unwrap_err();
    assert_eq!(c2.to_string(), "t:3: 'system' expects <name>, got nothing");
    let c = parse(r#"cmdline "x=\"1\" y=\\ z=\n""#);
    assert_eq!(c.cmdline.as_deref(), Some(r#"x="1" y=\ z=\n"#));
    let c = parse("cmdline \"# not a comment\"");
    assert_eq!(c.cmdline.as_deref(), Some("# not a comment"));
    let c = parse("cmdline \"\"");
    assert_eq!(c.cmdline.as_deref(), Some(""));
    let c = parse("cmdline a\"b c\"d");
    assert_eq!(c.cmdline.as_deref(), Some("ab cd"));
    let c = parse("cmdline \"crlf \\\r\nok\"");
    assert_eq!(c.cmdline.as_deref(), Some("crlf ok"));
}

#[test]
fn tokens_and_lines() {
    let t = tokenize("a \"b c\" # d\n\"e\\\nf\" g#h\ni").unwrap();
    let got: Vec<_> = t
        .iter()
        .map(|t| (t.text.as_str(), t.line, t.quoted))
        .collect();
    assert_eq!(
        got,
        [
            ("a", 1, false),
            ("b c", 1, true),
            ("ef", 2, true),
            ("g", 3, false),
            ("i", 4, false)
        ]
    );
}

#[test]
fn numbers_and_suffixes() {
    let ok = [
        ("0", 0),
        ("4096", 4096),
        ("0x1000", 0x1000),
        ("0X1c090000", 0x1c09_0000),
        ("0d16384", 16384),
        ("4K", 4096),
        ("4k", 4096),
        ("512M", 512 << 20),
        ("2G", 2 << 30),
        ("0x10M", 16 << 20),
        ("16383G", 16383u64 << 30),
    ];
    for (s, v) in ok {
        assert_eq!(number(s, true), Ok(v), "{s}");
    }
    for s in [
        "", "K", "0x", "12a", "1.5M", "-1", "+1", "0x1g0", "1T", "1 K", "0b101",
    ] {
        assert!(number(s, true).is_err(), "{s}");
    }
    assert!(number("4K", false).is_err());
    assert!(number("18446744073709551616", false).is_err());
    assert!(number("17179869184G", true).is_err());
    assert_eq!(number("0xffffffffffffffff", false), Ok(u64::MAX));
}

#[test]
fn sizes_in_options() {
    let c = parse("ram 1G\nram 0x100000000,0x4000\nrom 0d4096");
    let sizes: Vec<_> = c.memory.iter().map(|m| (m.gpa, m.size)).collect();
    assert_eq!(
        sizes,
        [(None, 1 << 30), (Some(1 << 32), 0x4000), (None, 4096)]
    );
}

#[test]
fn booleans() {
    for (s, v) in [
        ("on", true),
        ("off", false),
        ("yes", true),
        ("no", false),
        ("true", true),
        ("false", false),
        ("1", true),
        ("0", false),
    ] {
        let c = parse(&format!("set exit-on-halt {s}"));
        assert_eq!(c.vars.exit_on_halt, Some(v), "{s}");
    }
}

#[test]
fn locations() {
    let loc = |s: &str| {
        parse(&format!("vdev ser8250 loc {s}")).vdevs[0]
            .loc
            .clone()
            .unwrap()
            .0
    };
    assert_eq!(loc("0x1000"), Location::Mem(0x1000));
    assert_eq!(loc("mem:0x2000"), Location::Mem(0x2000));
    assert_eq!(loc("mem:64K"), Location::Mem(0x10000));
    assert_eq!(loc("io:0x3f8"), Location::Io(0x3f8));
    assert_eq!(
        loc("pci:0:3"),
        Location::Pci {
            bus: 0,
            device: 3,
            function: 0
        }
    );
    assert_eq!(
        loc("pci:1:31.7"),
        Location::Pci {
            bus: 1,
            device: 31,
            function: 7
        }
    );
}

#[test]
fn x86_devices_take_loc_intr_and_name() {
    let c = parse(
        "vdev ioapic loc 0xfec00000 intr apic name myioapic\n\
         vdev ser8250 loc io:0x3f8 intr myioapic:4\n\
         vdev 8259 loc io:0x20\nvdev timer8254 intr myioapic:0\n\
         vdev mc146818 vdev pckeyboard vdev hpet loc 0xfed00000 intr myioapic:2",
    );
    let kinds: Vec<_> = c.vdevs.iter().map(|v| v.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "ioapic",
            "ser8250",
            "8259",
            "timer8254",
            "mc146818",
            "pckeyboard",
            "hpet"
        ]
    );
    assert!(
        c.vdevs
            .iter()
            .filter(|v| v.kind != VdevKind::Ser8250)
            .all(|v| v.kind.is_x86_only())
    );
    assert_eq!(
        c.vdevs[0].intr.as_ref().unwrap().0,
        Intr {
            controller: "apic".into(),
            line: 0
        }
    );
    assert_eq!(c.vdevs[1].loc.as_ref().unwrap().0, Location::Io(0x3f8));
}

#[test]
fn several_sources_in_order() {
    let args = [
        "@include.qvmconf",
        "set",
        "fdt-dump-file",
        "/tmp/g.dtb",
        "cmdline",
        "quiet console=ttyAMA0",
        "dryrun",
    ];
    let c = parse_args(&args, &mut common::read).unwrap();
    assert_eq!(c.system.as_deref(), Some("inc"));
    // From common.qvmconf, included by include.qvmconf.
    assert_eq!(
        c.vdevs[0].options,
        DeviceOptions::Gic {
            version: Some(GicVersion::V2)
        }
    );
    assert_eq!(c.vdevs[1].origin.to_string(), "common.qvmconf:3");
    assert_eq!(c.unsupported.reference, UnsupportedAction::Fail);
    assert_eq!(c.cpus[1].runmask, Some(0b1100));
    // The command line comes last, so its cmdline wins.
    assert_eq!(c.cmdline.as_deref(), Some("quiet console=ttyAMA0"));
    assert_eq!(c.vars.fdt_dump_file.as_deref(), Some("/tmp/g.dtb"));
    assert!(c.dryrun);
    assert_eq!(c.start.to_string(), "include.qvmconf:2");
    assert_eq!(c.memory[0].origin.to_string(), "include.qvmconf:4");
}

#[test]
fn command_line_words_are_numbered() {
    let c = parse_args(&["ram", "64M", "vdev", "pl011"], &mut |_| Err("no".into())).unwrap();
    assert_eq!(c.memory[0].origin.to_string(), format!("{COMMAND_LINE}:1"));
    assert_eq!(c.vdevs[0].origin.to_string(), "<command line>:3");
}

#[test]
fn a_context_ends_with_its_source() {
    // The vdev of the included file does not take the `loc` after it.
    let mut read = |_: &str| Ok::<_, String>("vdev pl011".to_string());
    let e = parse_args(&["@a", "loc", "0x1000"], &mut read).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<command line>:2: 'loc' must follow 'vdev', 'pass' or 'reserve'"
    );
}

#[test]
fn options_between_context_options_keep_the_context() {
    let c = parse("vdev pl011 ram 64M intr gic:40");
    assert_eq!(c.vdevs[0].intr.as_ref().unwrap().0.line, 40);
    assert_eq!(c.memory.len(), 1);
}

#[test]
fn later_set_and_cmdline_replace_earlier() {
    let c = parse(
        "cmdline a\ncmdline b\nset x 1\nset x 2\nset fdt-dump-file a\nset fdt-dump-file b\ndump d1\ndump d2",
    );
    assert_eq!(c.cmdline.as_deref(), Some("b"));
    assert_eq!(c.vars.other, [("x".to_string(), "2".to_string())]);
    assert_eq!(c.vars.fdt_dump_file.as_deref(), Some("b"));
    assert_eq!(c.dump_dir.as_deref(), Some("d2"));
}

#[test]
fn on_reset_and_where_settings_were_given() {
    let c = parse("set on-reset restart\nunsupported register ignore\n\ndump d\nset on-reset exit");
    assert_eq!(c.vars.on_reset, Some(OnReset::Exit));
    assert_eq!(c.given_at("set on-reset").to_string(), "t.qvmconf:5");
    assert_eq!(
        c.given_at("unsupported register").to_string(),
        "t.qvmconf:2"
    );
    assert_eq!(c.given_at("dump").to_string(), "t.qvmconf:4");
    // Not given: the start of the configuration.
    assert_eq!(c.given_at("set exit-on-halt").to_string(), "t.qvmconf:1");
    let c = parse("set on-reset restart");
    assert_eq!(c.vars.on_reset, Some(OnReset::Restart));
    assert_eq!(parse("ram 1M").vars.on_reset, None);
}

#[test]
fn load_paths() {
    let c = parse("load /a,b.img\ndata load 0x1000,/x,y\nfdt load a.dtb\nfdt load 4K,b.dtb");
    let l: Vec<_> = c.loads.iter().map(|l| (l.gpa, l.path.as_str())).collect();
    assert_eq!(
        l,
        [
            (None, "/a,b.img"),
            (Some(0x1000), "/x,y"),
            (None, "a.dtb"),
            (Some(4096), "b.dtb")
        ]
    );
}

#[test]
fn quoted_arguments_may_look_like_options() {
    let c = parse("system \"vdev\"\nvdev pl011 name \"ram\"");
    assert_eq!(c.system.as_deref(), Some("vdev"));
    assert_eq!(c.vdevs[0].name.as_deref(), Some("ram"));
}
