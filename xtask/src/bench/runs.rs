//! The QEMU runs of `cargo xtask bench`: the machine, the guest alone
//! (`bare`) or the benchmark image (`vm`), each booted under `timeout`
//! with its console in `target/bench/NAME.log`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::{GUEST, GuestReport, ICOUNT, SWITCH_VMS, memory, parse_console, switch_samples};
use crate::build;
use crate::qemu::{Cpu, EntryLevel, Gic, Machine};

/// One QEMU run of the benchmark.
pub(crate) struct Run {
    pub(crate) name: &'static str,
    pub(crate) machine: Machine,
    pub(crate) image: PathBuf,
    /// Lines that show the run went to its end.
    pub(crate) ends: Vec<String>,
}

/// The machine of the main runs and the Linux ones: `virt`, GICv3, `-cpu
/// max`, 1 GiB (`machines.rs` changes the CPU or GIC of the others).
pub(crate) fn machine(smp: u32, entry: EntryLevel) -> Machine {
    Machine {
        cpu: Cpu::Max,
        cntfrq: None,
        gic: Gic::V3,
        smp,
        mem: "1G".into(),
        entry,
        one_thread: false,
        disk: None,
    }
}

/// The run of the guest image alone on `machine` (at EL1).
pub(crate) fn bare_run(name: &'static str, machine: Machine, guest: PathBuf) -> Run {
    Run {
        name,
        machine,
        image: guest,
        ends: vec![format!("{GUEST}: done, powering off")],
    }
}

/// The run of the benchmark image on `machine`: every VM powers off,
/// `ktest vm-memory` ends, then `init`.
pub(crate) fn vm_run(name: &'static str, machine: Machine, image: PathBuf) -> Run {
    let mut ends: Vec<String> = [GUEST, SWITCH_VMS[0], SWITCH_VMS[1]]
        .iter()
        .map(|vm| format!("qvm: {vm}: the guest powered off"))
        .collect();
    ends.push(format!("{}'{}' ended with", memory::KTEST, memory::COMMAND));
    ends.push("qhv: init exited with status 0".into());
    Run {
        name,
        machine,
        image,
        ends,
    }
}

/// The VM switches between the VM-switch VMs of a `vm` run's console.
pub(crate) fn vm_switches(lines: &[String]) -> Vec<u64> {
    let vms: Vec<GuestReport> = SWITCH_VMS
        .iter()
        .map(|name| parse_console(lines.iter().map(String::as_str), Some(name)))
        .collect();
    let gaps: Vec<&[(u64, u64)]> = vms.iter().map(|r| r.gaps.as_slice()).collect();
    switch_samples(&gaps)
}

/// Boots `run` under `timeout`, writes its console to
/// `target/bench/<name>.log` and returns its lines.
pub(crate) fn boot(root: &Path, run: &Run, seconds: u64) -> Result<Vec<String>> {
    let mut cmd = Command::new("timeout");
    cmd.args([
        "--kill-after=10",
        &seconds.to_string(),
        run.machine.cpu.qemu(),
    ])
    .args(run.machine.args(&run.image))
    .args(["-icount", ICOUNT])
    .args(["-display", "none", "-serial", "stdio", "-monitor", "none"])
    .arg("-no-reboot")
    .stdin(Stdio::null());
    eprintln!("xtask: bench {}: {}", run.name, build::describe(&cmd));
    let output = cmd
        .output()
        .with_context(|| format!("cannot start `{}`", build::describe(&cmd)))?;
    let console = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let log = dir.join(format!("{}.log", run.name));
    std::fs::write(&log, &console).with_context(|| format!("cannot write {}", log.display()))?;
    let lines: Vec<String> = console.lines().map(str::to_string).collect();
    match output.status.code() {
        Some(0) => {}
        Some(124) | Some(137) => bail!(
            "bench {}: QEMU did not finish within {seconds} s (console in {})",
            run.name,
            log.display()
        ),
        _ => bail!(
            "bench {}: QEMU ended with {} (console in {}): {}",
            run.name,
            output.status,
            log.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
    for end in &run.ends {
        if !lines.iter().any(|l| l.contains(end.as_str())) {
            bail!(
                "bench {}: no line `{end}`: the run did not finish (console in {})",
                run.name,
                log.display()
            );
        }
    }
    Ok(lines)
}
