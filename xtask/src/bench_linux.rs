//! The Linux part of `cargo xtask bench`: the Debian kernel with the test
//! initramfs in `qhv.bench` mode, once on QEMU alone and once under the
//! hypervisor, both under `-icount` (virtual time = instructions): time to
//! `/init`, a CPU-bound job (sha256 of 16 MiB) as a ratio to the bare run,
//! and virtio-blk throughput.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::bench::{ICOUNT, Run, boot, machine};
use crate::qemu::{self, EntryLevel};
use crate::{build, image, linux};

/// The buildfile of the Linux benchmark image.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-linux-bench.build";

/// What one run reports, in seconds of virtual time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinuxFigures {
    /// Kernel entry to `Run /init as init process`.
    pub to_init: Option<f64>,
    /// sha256 of 16 MiB.
    pub sha256: Option<f64>,
    /// Writing 8 MiB to the virtio disk (with fsync).
    pub blk_write: Option<f64>,
    /// Reading them back after dropping the page cache.
    pub blk_read: Option<f64>,
}

/// Reads the figures from a console.
pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> LinuxFigures {
    let mut f = LinuxFigures::default();
    for line in lines {
        if let Some(rest) = line
            .split("] Run /init as init process")
            .next()
            .filter(|_| line.contains("Run /init"))
        {
            f.to_init = rest.rsplit('[').next().and_then(|t| t.trim().parse().ok());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| words.get(i).and_then(|w| w.parse::<f64>().ok());
        if let Some(at) = words.iter().position(|w| *w == "linux-bench:") {
            match words.get(at + 1..at + 4) {
                Some(["sha256", "16", "MiB"]) => {
                    f.sha256 = num(at + 5).zip(num(at + 4)).map(|(b, a)| b - a)
                }
                Some(["vda", "write", "8"]) => {
                    f.blk_write = num(at + 6).zip(num(at + 5)).map(|(b, a)| b - a);
                    f.blk_read = num(at + 9).zip(num(at + 8)).map(|(b, a)| b - a);
                }
                _ => {}
            }
        }
    }
    f
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |s| format!("{:.0} ms", s * 1000.0))
}

fn ratio(vm: Option<f64>, bare: Option<f64>) -> String {
    match (vm, bare) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}", v / b),
        _ => "-".into(),
    }
}

fn throughput(v: Option<f64>) -> String {
    v.filter(|s| *s > 0.0)
        .map_or("-".into(), |s| format!("{:.1} MiB/s", 8.0 / s))
}

/// The table of both runs.
pub fn table(bare: &LinuxFigures, vm: &LinuxFigures) -> String {
    let mut t = String::from(
        "| Linux guest (virtual time, -icount) | QEMU alone | under qhv | ratio |\n|---|---:|---:|---:|\n",
    );
    t += &format!(
        "| time to /init | {} | {} | {} |\n",
        ms(bare.to_init),
        ms(vm.to_init),
        ratio(vm.to_init, bare.to_init)
    );
    t += &format!(
        "| sha256 of 16 MiB (CPU-bound) | {} | {} | {} |\n",
        ms(bare.sha256),
        ms(vm.sha256),
        ratio(vm.sha256, bare.sha256)
    );
    t += &format!(
        "| virtio-blk write 8 MiB + fsync | | {} ({}) | |\n",
        ms(vm.blk_write),
        throughput(vm.blk_write)
    );
    t += &format!(
        "| virtio-blk read 8 MiB, cold cache | | {} ({}) | |\n",
        ms(vm.blk_read),
        throughput(vm.blk_read)
    );
    t += "| virtio-net between VMs | | not measured: VMs have no network links yet | |\n";
    t
}

/// Runs both and prints the table; returns the problems found.
pub fn run(root: &Path, seconds: u64) -> Result<Vec<String>> {
    linux::prepare(root)?;
    let vm_image = image::make_image(root, "", Some(&root.join(BUILDFILE)))?;
    let dir = linux::dir(root);
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=10", &seconds.to_string(), qemu::QEMU])
        .args([
            "-M",
            "virt,gic-version=3",
            "-cpu",
            "max",
            "-smp",
            "2",
            "-m",
            "1G",
        ])
        .args(["-icount", ICOUNT])
        .arg("-kernel")
        .arg(dir.join("Image"))
        .arg("-initrd")
        .arg(dir.join("initrd.cpio"))
        .args(["-append", "console=ttyAMA0 nokaslr rdinit=/init qhv.bench"])
        .args([
            "-display",
            "none",
            "-serial",
            "stdio",
            "-monitor",
            "none",
            "-no-reboot",
        ])
        .stdin(Stdio::null());
    eprintln!("xtask: bench linux-bare: {}", build::describe(&cmd));
    let out = cmd.output().context("cannot start QEMU")?;
    let console = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let log_dir = root.join("target/bench");
    std::fs::create_dir_all(&log_dir)?;
    std::fs::write(log_dir.join("linux-bare.log"), &console)?;
    let bare = parse(console.lines());
    let run = Run {
        name: "linux-vm",
        machine: machine(2, EntryLevel::El2),
        image: vm_image,
        ends: vec!["qvm: linux: the guest powered off".into()],
    };
    let lines = boot(root, &run, seconds)?;
    let vm = parse(lines.iter().map(String::as_str));
    print!("{}", table(&bare, &vm));
    let mut problems = Vec::new();
    for (name, f) in [("bare", &bare), ("vm", &vm)] {
        if f.to_init.is_none() || f.sha256.is_none() {
            problems.push(format!(
                "linux {name}: missing figures (console in target/bench/linux-{name}.log)"
            ));
        }
    }
    if vm.blk_write.is_none() {
        problems.push("linux vm: no virtio-blk figures".into());
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_console() {
        let console = [
            "linux: [    0.812345] Run /init as init process",
            "linux: linux-bench: sha256 16 MiB 1.20 1.75",
            "linux: linux-bench: vda write 8 MiB 2.00 2.50 read 2.50 2.60",
        ];
        let f = parse(console);
        assert_eq!(f.to_init, Some(0.812345));
        assert!((f.sha256.unwrap() - 0.55).abs() < 1e-9);
        assert!((f.blk_write.unwrap() - 0.5).abs() < 1e-9);
        assert!((f.blk_read.unwrap() - 0.1).abs() < 1e-9);
        let t = table(&f, &f);
        assert!(
            t.contains("| time to /init | 812 ms | 812 ms | 1.00 |"),
            "{t}"
        );
        assert!(t.contains("(16.0 MiB/s)"), "{t}");
    }
}
