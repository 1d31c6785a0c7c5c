//! The Linux part of `cargo xtask bench`, for either architecture ([`ARM`]:
//! the Debian arm64 kernel on `virt`; [`X86`]: the Debian amd64 kernel on
//! QEMU's PC with SVM): the kernel with the test initramfs in `qhv.bench`
//! mode, once on QEMU alone and once under the hypervisor, both under
//! `-icount` (virtual time = instructions): time to `/init`, a CPU-bound job
//! (sha256 of 64 MiB) and 2000 fork+exec as ratios to the bare run, and
//! virtio-blk throughput (under the hypervisor only: the bare run has no
//! disk); then two Linux VMs on a virtio-net `peer` link, each fetching 8
//! MiB from the other over HTTP. The kernel's line when a VM ends gives the
//! time from the `qvm` process's start to the Linux guest's first
//! instruction (a row of the table) and each VM's exit counts (under the
//! table). The console parsing and the table are in `report.rs`.

mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use report::{LinuxFigures, VMS, exit_lines, parse, qvm_start, table};

use crate::bench::exits;
use crate::bench::{ICOUNT, Run, boot, machine};
use crate::linux::LinuxArch;
use crate::qemu::{Cpu, EntryLevel, Machine};
use crate::{build, image, x86};

/// One architecture's Linux benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Whose kernel and initramfs.
    pub arch: LinuxArch,
    /// The table's first heading.
    pub title: &'static str,
    /// The buildfile of the image with the Linux VM.
    pub buildfile: &'static str,
    /// The buildfile of the network image (two linked VMs).
    pub net_buildfile: &'static str,
    /// The names of the bare, VM and network runs (their consoles are
    /// `target/bench/NAME.log`; their problems start with them).
    pub runs: [&'static str; 3],
    /// QEMU's CPU for all three runs.
    pub cpu: Cpu,
    /// The bare run's kernel command line (the VM's is in its
    /// configuration).
    pub cmdline: &'static str,
}

/// arm64: `virt` with GICv3 and `-cpu max`.
pub const ARM: Spec = Spec {
    arch: LinuxArch::Arm64,
    title: "Linux guest (virtual time, -icount)",
    buildfile: "boot/boards/qemu-virt-linux-bench.build",
    net_buildfile: "boot/boards/qemu-virt-linux-net-bench.build",
    runs: ["linux-bare", "linux-vm", "linux-net"],
    cpu: Cpu::Max,
    cmdline: "console=ttyAMA0 nokaslr rdinit=/init qhv.bench",
};

/// x86_64: QEMU's PC (`q35`, `-cpu EPYC`, SVM under TCG). The bare run
/// has the VM's command line (`guests/linux/linux-bench-x86.qvmconf`).
pub const X86: Spec = Spec {
    arch: LinuxArch::Amd64,
    title: "x86 Linux guest (virtual time, -icount)",
    buildfile: "boot/boards/qemu-pc-linux-bench.build",
    net_buildfile: "boot/boards/qemu-pc-linux-net-bench.build",
    runs: ["x86-linux-bare", "x86-linux-vm", "x86-linux-net"],
    cpu: Cpu::Epyc,
    cmdline: "console=ttyS0 no_timer_check nokaslr rdinit=/init qhv.bench",
};

impl Spec {
    /// The QEMU machine of the runs (2 CPUs, 1 GiB), started at `entry`
    /// (on `virt`: EL1 for the bare run, EL2 for the hypervisor).
    fn machine(&self, entry: EntryLevel) -> Machine {
        Machine {
            cpu: self.cpu,
            ..machine(2, entry)
        }
    }

    /// QEMU's arguments for the kernel alone, after `timeout`'s.
    pub fn bare_args(&self, root: &Path) -> Vec<String> {
        let mut args = self.machine(EntryLevel::El1).args(&self.arch.kernel(root));
        args.extend([
            "-initrd".into(),
            self.arch.initrd(root).display().to_string(),
            "-append".into(),
            self.cmdline.into(),
            "-icount".into(),
            ICOUNT.into(),
        ]);
        args.extend(["-display", "none", "-serial", "stdio", "-monitor", "none"].map(String::from));
        args.push("-no-reboot".into());
        args
    }

    /// Makes the image of `buildfile` (which prepares the Linux files).
    fn image(&self, root: &Path, buildfile: &str) -> Result<PathBuf> {
        let buildfile = root.join(buildfile);
        match self.arch {
            LinuxArch::Arm64 | LinuxArch::Armhf => image::make_image(root, "", Some(&buildfile)),
            LinuxArch::Amd64 => x86::make_image(root, &buildfile),
        }
    }
}

/// Runs the kernel on QEMU alone under `timeout`, writes its console to
/// `target/bench/NAME.log` and returns its figures.
fn run_bare(root: &Path, spec: &Spec, seconds: u64) -> Result<LinuxFigures> {
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=10", &seconds.to_string(), spec.cpu.qemu()])
        .args(spec.bare_args(root))
        .stdin(Stdio::null());
    eprintln!("xtask: bench {}: {}", spec.runs[0], build::describe(&cmd));
    let out = cmd.output().context("cannot start QEMU")?;
    let console = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let log_dir = root.join("target/bench");
    std::fs::create_dir_all(&log_dir)?;
    std::fs::write(log_dir.join(format!("{}.log", spec.runs[0])), &console)?;
    Ok(parse(console.lines()))
}

/// Runs the three runs of `spec` and prints the table and the exits;
/// returns the problems found. The hypervisor and its programs must be
/// built for the architecture.
pub fn run(root: &Path, spec: &Spec, seconds: u64) -> Result<Vec<String>> {
    let vm_image = spec.image(root, spec.buildfile)?;
    let net_image = spec.image(root, spec.net_buildfile)?;
    let bare = run_bare(root, spec, seconds)?;
    let ran = Run {
        name: spec.runs[1],
        machine: spec.machine(EntryLevel::El2),
        image: vm_image,
        ends: vec!["qvm: linux: the guest powered off".into()],
    };
    let lines = boot(root, &ran, seconds)?;
    let mut vm = parse(lines.iter().map(String::as_str));
    let mut vm_exits = [None, None, None];
    vm_exits[0] = exits::parse(lines.iter().map(String::as_str), VMS[0]);
    vm.qvm_start = qvm_start(vm_exits[0].as_ref());
    let ran = Run {
        name: spec.runs[2],
        machine: spec.machine(EntryLevel::El2),
        image: net_image,
        ends: vec!["qvm: linux1: the guest powered off".into()],
    };
    let lines = boot(root, &ran, seconds)?;
    vm.net_fetch = parse(lines.iter().map(String::as_str)).net_fetch;
    for (slot, name) in vm_exits.iter_mut().zip(VMS).skip(1) {
        *slot = exits::parse(lines.iter().map(String::as_str), name);
    }
    print!("{}", table(spec.title, &bare, &vm));
    println!();
    print!("{}", exit_lines(&vm_exits));
    Ok(report::problems(spec.runs, &bare, &vm, &vm_exits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bare_runs_boot_the_kernel_alone() {
        let root = Path::new("/r");
        assert_eq!(
            X86.bare_args(root).join(" "),
            "-M q35 -cpu EPYC -smp 2 -m 1G -kernel /r/target/linux-amd64/bzImage -nic none \
             -initrd /r/target/linux-amd64/initrd.cpio \
             -append console=ttyS0 no_timer_check nokaslr rdinit=/init qhv.bench \
             -icount shift=0,sleep=off -display none -serial stdio -monitor none -no-reboot"
        );
        assert_eq!(
            ARM.bare_args(root).join(" "),
            "-M virt,gic-version=3 -cpu max -smp 2 -m 1G -kernel /r/target/linux/Image -nic none \
             -initrd /r/target/linux/initrd.cpio \
             -append console=ttyAMA0 nokaslr rdinit=/init qhv.bench \
             -icount shift=0,sleep=off -display none -serial stdio -monitor none -no-reboot"
        );
        assert_eq!(X86.cpu.qemu(), crate::qemu::QEMU_X86);
        assert_eq!(ARM.cpu.qemu(), crate::qemu::QEMU);
    }

    #[test]
    fn the_vm_runs_are_the_hypervisors_machine() {
        let pc = X86.machine(EntryLevel::El2).args(Path::new("/r/x.elf"));
        assert_eq!(
            pc[..10].join(" "),
            "-M q35 -cpu EPYC -smp 2 -m 1G -kernel /r/x.elf"
        );
        let virt = ARM.machine(EntryLevel::El2).args(Path::new("/r/x.img"));
        assert_eq!(virt[1], "virt,virtualization=on,gic-version=3");
    }

    /// Every buildfile the benchmark makes an image of is there.
    #[test]
    fn the_buildfiles_exist() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for spec in [ARM, X86] {
            for file in [spec.buildfile, spec.net_buildfile] {
                assert!(root.join(file).is_file(), "{file}");
            }
        }
    }
}
