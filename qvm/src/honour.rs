//! Options the language parses and places but `qvm` cannot carry out (yet):
//! each is refused (an error naming the option, `FILE:LINE: ...`, before
//! anything is built; `qvm` exits 65 as for a bad configuration) or warned
//! about by name once at start, never silently dropped. Where a line goes
//! and why is said here per option and in `docs/qvmconf.md` ("What `qvm`
//! honours"). The rule: refused when running without it would surprise
//! whoever wrote it (a file that is never written, a VM that never ends);
//! a warning when QNX configurations commonly carry it and the VM runs as
//! the writer means, or when another engineer is making it real (`pass`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::arch::guest;
use crate::config::{
    Config, ConfigError, DeviceOptions, HostDir, HostPath, LoadKind, Pass, PassKind, SchedPolicy,
    UnsupportedAction, VdevConfig, VdevKind, block_device,
};

/// Linux (arm64 `booting.rst`) wants its device tree on an 8-byte boundary.
pub const FDT_ALIGN: u64 = 8;

/// Checks `config` (already placed) against what `qvm` honours: the first
/// option it refuses, else the warnings to print, in the order of the
/// checks below.
pub fn check(config: &Config) -> Result<Vec<ConfigError>, ConfigError> {
    let mut warnings = Vec::new();
    cpus(config, &mut warnings)?;
    loads(config)?;
    for dev in &config.vdevs {
        vdev(dev, &mut warnings)?;
    }
    for pass in &config.passes {
        pass_attrs(pass, &mut warnings)?;
    }
    settings(config, &mut warnings)?;
    dumps(config, &mut warnings)?;
    Ok(warnings)
}

/// `cpu sched PRIOf`: warned. The host scheduler has one policy, round
/// robin in time slices among the threads of one priority; FIFO differs
/// only between equal priorities, so the vCPU runs as `PRIOr`. `PRIOo`
/// (QNX's `SCHED_OTHER`, which QNX itself runs as round robin) is
/// honoured. The sporadic server is refused: nothing in the host scheduler
/// lowers a thread's priority when a budget is spent, and a vCPU left at
/// its high priority could starve what the budget was meant to protect.
fn cpus(config: &Config, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    for cpu in &config.cpus {
        let (Some(sched), Some(at)) = (cpu.sched, &cpu.origin) else {
            continue;
        };
        let p = sched.priority;
        match sched.policy {
            Some(SchedPolicy::Fifo) => warnings.push(at.error(format!(
                "cpu sched {p}f: FIFO is not honoured: the host scheduler shares a CPU \
                 round robin between threads of one priority; the vCPU runs as 'sched {p}r'"
            ))),
            Some(SchedPolicy::Sporadic(s)) => {
                return Err(at.error(format!(
                    "cpu sched {}: sporadic scheduling is not honoured: the host scheduler \
                     has no sporadic server (no budget drops the vCPU to priority {}); give \
                     'sched {p}r' or 'sched {}r'",
                    sched.describe(),
                    s.low,
                    s.low
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `data load` without an address: refused (nothing places data files).
/// `fdt load GPA,FILE`: honoured (the merged tree goes there), so two
/// different addresses, or one the guest cannot take, are refused.
fn loads(config: &Config) -> Result<(), ConfigError> {
    let mut fdt_at: Option<(u64, &crate::config::Origin)> = None;
    for load in &config.loads {
        match (load.kind, load.gpa) {
            (LoadKind::Data, None) => {
                return Err(load.origin.error(format!(
                    "'data load {}' needs an address: 'data load <gpa>,<file>' (qvm does not place data files)",
                    load.path
                )));
            }
            (LoadKind::Fdt, Some(gpa)) => {
                if !gpa.is_multiple_of(FDT_ALIGN) {
                    return Err(load.origin.error(format!(
                        "'fdt load {gpa:#x},{}': the device tree goes at that address, which must be a multiple of {FDT_ALIGN}",
                        load.path
                    )));
                }
                match fdt_at {
                    Some((first, at)) if first != gpa => {
                        return Err(load.origin.error(format!(
                            "'fdt load {gpa:#x},{}': the device tree already goes at {first:#x} ({at}); the VM has one tree",
                            load.path
                        )));
                    }
                    _ => fdt_at = Some((gpa, &load.origin)),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// One `vdev`: types without a model are refused; so is a serial port's
/// `hostdev` naming a host file (the host has no character devices and no
/// writable files; `-` is the VM's console and honoured, `<-` as input
/// only); a virtio-blk without `hostdev` is refused; one on a host block
/// driver's disk (`hostdev /dev/NAME`) is honoured, persistent; a writable
/// one on a bootfs file is warned about (its writes stay in a RAM copy).
/// An `intr` on the IB700, which has no interrupt, is warned about (a
/// watchdog's `action` is honoured, see [`dumps`] for `dump,terminate`).
fn vdev(dev: &VdevConfig, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    let name = dev.kind.name();
    if !guest::MODELLED.contains(&dev.kind) && !guest::is_irq_chip(dev.kind) {
        return Err(dev.origin.error(format!(
            "vdev {name} is not implemented in qvm yet (no device model); leave it out"
        )));
    }
    crate::honour_common::check(dev, warnings)?;
    match &dev.options {
        DeviceOptions::Serial {
            hostdev: Some(hostdev),
        } => {
            if let HostPath::File(path) = &hostdev.path {
                let prefix = match hostdev.dir {
                    HostDir::Both => "",
                    HostDir::In => "<",
                    HostDir::Out => ">",
                };
                return Err(dev.origin.error(format!(
                    "vdev {name}: 'hostdev {prefix}{path}' is not honoured: the host has no \
                     character devices or writable files; 'hostdev >-' is the VM's console"
                )));
            }
        }
        DeviceOptions::Watchdog { .. } if dev.kind == VdevKind::WdtIb700 && dev.intr.is_some() => {
            let at = dev.intr.as_ref().map_or(&dev.origin, |(_, at)| at);
            warnings.push(at.error(format!(
                "vdev {name}: 'intr' is not used: the IB700 has no interrupt (its bite resets \
                 the machine)"
            )));
        }
        DeviceOptions::Shmem { create: None, .. } => {
            return Err(dev.origin.error(format!(
                "vdev {name}: needs 'create <name>,<size>' (qvm opens the region by the name \
                 it creates; joining one without it is not supported)"
            )));
        }
        DeviceOptions::Block { hostdev: None } => {
            return Err(dev.origin.error(format!(
                "vdev {name}: needs 'hostdev [<]/dev/<disk>' (a host block driver's disk) or \
                 'hostdev [<]<file>' (a bootfs file)"
            )));
        }
        DeviceOptions::Block {
            hostdev: Some(hostdev),
        } if matches!(&hostdev.path, HostPath::File(p) if crate::config::block_device(p).is_some()) => {
            if let HostPath::File(path) = &hostdev.path
                && let Some(Err(why)) = crate::config::block_device(path)
            {
                return Err(dev.origin.error(format!("vdev {name}: hostdev {why}")));
            }
        }
        DeviceOptions::Block {
            hostdev: Some(hostdev),
        } if hostdev.dir == HostDir::Both => {
            if let HostPath::File(path) = &hostdev.path {
                warnings.push(dev.origin.error(format!(
                    "vdev {name}: 'hostdev {path}': the guest's writes stay in a RAM copy of \
                     the bootfs file and are lost when the VM ends ('hostdev /dev/<disk>' \
                     puts the disk on a host block driver, persistent; 'hostdev <{path}' \
                     makes it read-only)"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `pass loc mem:...` or `pass intr ...` as written (numbers in hex).
pub fn describe_pass(pass: &Pass) -> String {
    match &pass.kind {
        PassKind::Mem {
            gpa,
            len,
            attrs,
            hpa,
        } => {
            let letters: String = [
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
            format!("pass loc mem:{gpa:#x},{len:#x},{letters}={hpa:#x}")
        }
        PassKind::Io { port, len, host } => format!("pass loc io:{port:#x},{len}={host:#x}"),
        PassKind::Intr { intr, host } => {
            format!("pass intr {}:{}={host}", intr.controller, intr.line)
        }
    }
}

/// `pass loc mem` attributes: the kernel maps a device region into a
/// VM as device memory (Device-nGnRE), read-write, never executable, and
/// host RAM set aside at boot (`m`) as Normal memory, read-write-execute
/// (`vm_map_device`). Refused: `c` on a device region (no cacheable
/// mapping), a region without `r` or `w` (no read-only or write-only
/// mapping). Warned: `x` on a device region.
fn pass_attrs(pass: &Pass, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    let PassKind::Mem { attrs, .. } = &pass.kind else {
        return Ok(());
    };
    let what = describe_pass(pass);
    let refuse = |why: &str| Err(pass.origin.error(format!("{what}: {why}")));
    if attrs.ram {
        if !(attrs.read && attrs.write) {
            return refuse("host RAM ('m') goes into the VM read-write: give 'rw'");
        }
        return Ok(());
    }
    if attrs.cacheable {
        return refuse(
            "'c' is not honoured: a device region goes into the VM as device memory \
             (Device-nGnRE), never cacheable; leave 'c' out",
        );
    }
    if !(attrs.read && attrs.write) {
        return refuse(
            "the host kernel maps a device region read-write only; give 'rw' (a guest cannot be \
             kept from writing it)",
        );
    }
    if attrs.exec {
        warnings.push(pass.origin.error(format!(
            "{what}: 'x' is not honoured: device memory is never executable in a VM"
        )));
    }
    Ok(())
}

/// `set` variables and `unsupported`.
fn settings(config: &Config, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    let vars = &config.vars;
    let at = |key: &str| config.given_at(key);
    if vars.exit_on_halt == Some(true) {
        // `off` is what happens anyway.
        return Err(at("set exit-on-halt").error(
            "'set exit-on-halt' (ending the VM when every vCPU has halted) is not honoured: \
             the host kernel does not tell qvm when every vCPU is halted or off; leave it out \
             or set it off",
        ));
    }
    if let Some(path) = &vars.fdt_dump_file {
        warnings.push(at("set fdt-dump-file").error(format!(
            "'set fdt-dump-file {path}' is not honoured: the host has no writable files \
             ('cargo xtask qvm-check FILE --dtb OUT' writes the tree on the build host)"
        )));
    }
    if let Some(n) = vars.counter_offset {
        warnings.push(at("set counter-offset").error(format!(
            "'set counter-offset {n:#x}' is not honoured: the host kernel has no call to set a \
             VM's counter offset; the guest's virtual counter reads the host's"
        )));
    }
    for (name, value) in &vars.other {
        warnings.push(at(&format!("set {name}")).error(format!(
            "'set {name} {value}': qvm knows no variable '{name}': ignored"
        )));
    }
    if config.unsupported.instruction == UnsupportedAction::Ignore {
        warnings.push(at("unsupported instruction").error(
            "'unsupported instruction ignore' acts as 'fail': an instruction qvm cannot emulate \
             cannot be stepped over (the kernel reports no length for it), so the guest gets \
             an undefined-instruction exception",
        ));
    }
    Ok(())
}

/// `dump DIR`: honoured when DIR is a host block driver's disk,
/// `/dev/NAME` or a range of it (the host has no file systems; the core
/// goes from the disk's first sector); another path is warned about (no
/// core is written), a malformed range refused. A watchdog's `action
/// dump,terminate` without `dump` is warned about (its bite only ends the
/// VM).
fn dumps(config: &Config, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    let at = config.given_at("dump");
    match config.dump_dir.as_deref().map(block_device) {
        Some(None) => {
            let dir = config.dump_dir.as_deref().unwrap_or_default();
            warnings.push(at.error(format!(
                "'dump {dir}' is not honoured: the host has no file systems, so no core is \
                 written; give a host block driver's disk, 'dump /dev/<disk>'"
            )));
        }
        Some(Some(Err(e))) => return Err(at.error(e)),
        Some(Some(Ok(_))) => {}
        None => {
            for dev in &config.vdevs {
                if matches!(dev.options, DeviceOptions::Watchdog { dump: true, .. }) {
                    warnings.push(dev.origin.error(format!(
                        "vdev {}: 'action dump,terminate' without 'dump DIR': a bite writes \
                         no core, it only ends the VM",
                        dev.kind.name()
                    )));
                }
            }
        }
    }
    Ok(())
}
