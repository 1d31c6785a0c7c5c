//! `cargo xtask`: set-up, build, boot image, QEMU run and tests of the hypervisor.
//!
//! Every command first makes sure the machine has what it needs ([`setup`]),
//! so `cargo xtask run` and `cargo xtask test` work on a fresh Debian/Ubuntu
//! machine.

mod accel;
mod bench;
mod bench_linux;
mod build;
mod cpio;
mod elf32;
mod flash;
mod guest_variants;
mod guests;
mod host_tests;
mod image;
mod imports;
mod itest;
mod lint;
mod linux;
mod profile;
mod qemu;
mod qvm_check;
mod sdcard;
mod setup;
mod x86;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::build::Arch;
use crate::qemu::{Cpu, Gic, Machine};

/// Build, run and test the hypervisor.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what the build and the tests need (Rust targets, QEMU 10+, dtc), as the other commands do first.
    Setup,
    /// Build the kernel, the user programs and the test guests (aarch64 and x86_64), or the x86_64 kernel and the host programs ported to it.
    Build(BuildArgs),
    /// Build, then make the boot image (kernel + bootfs) and print its path; for rpi4 and zcu102 also their SD-card image, whose path is printed instead.
    Image(sdcard::commands::ImageCmd),
    /// Make the boot image and boot it on QEMU `virt` with the console on this terminal.
    Run(RunArgs),
    /// Check formatting and run clippy with warnings denied, host and aarch64.
    Lint,
    /// Report which files of a crate import each other in a loop; fail on a knot not allowed in `xtask/src/imports/allowed.txt`.
    Imports(imports::ImportsArgs),
    /// Check a VM config as `qvm` would: print its placement, optionally write its device tree.
    QvmCheck(qvm_check::QvmCheckArgs),
    /// Run lint, host unit tests and QEMU integration tests; the last line is `N passed, N failed`.
    Test(TestArgs),
    /// Run the `bench` guest bare and under the hypervisor (QEMU -icount) and print a table in instructions.
    Bench(bench::BenchArgs),
    /// Write a board's SD-card image to a removable disk, after checks (mounted, system disk, size...); --dry-run shows them.
    Flash(flash::FlashArgs),
    /// Profile the exit paths: run the bench image under QEMU with an instruction trace and charge host instructions to the guest instruction that exited.
    Profile(profile::ProfileArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// The architecture to build for.
    #[arg(long, value_enum, default_value_t = Arch::Aarch64)]
    arch: Arch,
}

#[derive(Args)]
struct ImageArgs {
    /// The architecture of the image.
    #[arg(long, value_enum, default_value_t = Arch::Aarch64)]
    arch: Arch,
    /// Board whose buildfile `boot/boards/<BOARD>.build` lists the image's files [default: qemu-virt; qemu-pc with --arch x86_64].
    #[arg(long)]
    board: Option<String>,
    /// Use this buildfile instead of the board's; the image is named after its stem.
    #[arg(long, value_name = "PATH")]
    buildfile: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    /// Number of CPUs [default: 4].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=qemu::MAX_SMP as i64))]
    smp: Option<u32>,
    /// GIC version of the `virt` machine [default: 3] (aarch64 only).
    #[arg(long, value_enum)]
    gic: Option<Gic>,
    /// CPU model [default: cortex-a72; EPYC with --arch x86_64] (with --accel tcg only).
    #[arg(long, value_enum)]
    cpu: Option<Cpu>,
    /// How QEMU runs the CPUs: tcg emulates them; kvm runs the host's own
    /// CPU (`-accel kvm -cpu host`), for --arch the host's architecture and
    /// with KVM's nested virtualization on, checked before QEMU starts.
    #[arg(long, value_enum, default_value_t = accel::Accel::Tcg)]
    accel: accel::Accel,
    /// RAM size: a number of MiB, or a number with an M or G suffix [default: 1G].
    #[arg(long, value_parser = qemu::parse_mem)]
    mem: Option<String>,
    #[command(flatten)]
    image: ImageArgs,
    /// Boot this test guest (`guests/NAME`) instead of the hypervisor image.
    #[arg(long, value_name = "NAME")]
    guest: Option<String>,
    /// With --guest: boot it directly on QEMU, no hypervisor (`virt` at EL1; the PC with --arch x86_64).
    #[arg(long, requires = "guest")]
    bare: bool,
    /// A raw disk image for QEMU's `virtio-blk-device` (the modern
    /// interface), which the host driver `vblk` serves
    /// (`boot/boards/qemu-virt-linux-persist.build`).
    #[arg(long, value_name = "FILE")]
    disk: Option<std::path::PathBuf>,
}

#[derive(Args)]
struct TestArgs {
    /// Run only the integration cases whose name contains this.
    #[arg(long, value_name = "SUBSTR")]
    filter: Option<String>,
    /// Skip the host unit tests.
    #[arg(long)]
    no_host: bool,
    /// Number of QEMU cases to run at once.
    #[arg(short = 'j', long = "jobs", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    jobs: u32,
}

/// Counts of passed and failed tests, and a line per failure.
#[derive(Debug, Default)]
pub struct Tally {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed (or commands that failed before running their tests).
    pub failed: usize,
    /// One line per failure, for the summary.
    pub failures: Vec<String>,
    /// One line per test not run, with why (`SKIP name: reason`): counted
    /// neither passed nor failed.
    pub skipped: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode> {
    let root = build::root();
    match command {
        Command::Setup => setup::ensure(&root)?,
        Command::Build(args) => {
            setup::ensure(&root)?;
            match args.arch {
                Arch::Aarch64 => build::build_all(&root)?,
                Arch::X86_64 => x86::build_all(&root)?,
            }
        }
        Command::Image(cmd) => {
            let path = sdcard::commands::image(&root, &cmd.image, cmd.with_firmware)?;
            println!("{}", path.display());
        }
        Command::Flash(args) => flash::command(&root, &args)?,
        Command::Run(args) => {
            if let Some(board) = args
                .image
                .board
                .as_deref()
                .and_then(sdcard::Board::from_name)
            {
                let fixed = [
                    ("--cpu", args.cpu.is_some()),
                    ("--gic", args.gic.is_some()),
                    ("--smp", args.smp.is_some()),
                    ("--mem", args.mem.is_some()),
                    ("--accel kvm", args.accel == accel::Accel::Kvm),
                    ("--guest", args.guest.is_some()),
                    ("--disk", args.disk.is_some()),
                ];
                let buildfile = args.image.buildfile.as_deref();
                return Err(sdcard::qemu::run(&root, board, buildfile, &fixed));
            }
            let x86 = args.image.arch == Arch::X86_64;
            let cpu = match (args.accel, args.cpu) {
                (accel::Accel::Tcg, cpu) => {
                    cpu.unwrap_or(if x86 { Cpu::Epyc } else { Cpu::CortexA72 })
                }
                (accel::Accel::Kvm, None) => Cpu::kvm(args.image.arch),
                (accel::Accel::Kvm, Some(cpu)) => anyhow::bail!(
                    "--cpu {} with --accel kvm: KVM runs the host's own CPU (-cpu host); \
                     QEMU's CPU models are for --accel tcg, so leave --cpu out",
                    cpu.name()
                ),
            };
            anyhow::ensure!(
                cpu.is_x86() == x86,
                "--cpu {} is not a CPU of --arch {}",
                cpu.name(),
                if x86 { "x86_64" } else { "aarch64" }
            );
            anyhow::ensure!(
                !cpu.is_bochs(),
                "--cpu {}: Bochs runs in the test suite only (`cargo xtask test --filter bochs`)",
                cpu.name()
            );
            anyhow::ensure!(
                !(x86 && args.gic.is_some()),
                "--gic is for aarch64's `virt` machine; the x86 PC has APICs"
            );
            let machine = Machine {
                cpu,
                cntfrq: None,
                gic: args.gic.unwrap_or(Gic::V3),
                smp: args.smp.unwrap_or(4),
                mem: args.mem.unwrap_or_else(|| "1G".into()),
                entry: crate::qemu::EntryLevel::El2,
                one_thread: false,
                disk: args.disk,
            };
            machine.validate()?;
            if args.accel == accel::Accel::Kvm {
                // A guest booted bare needs KVM only; the hypervisor needs
                // virtualization inside QEMU's machine too.
                let nested = !args.bare;
                accel::check(args.image.arch, nested)
                    .map_err(|why| anyhow::anyhow!("--accel kvm: {why}"))?;
            }
            if let Some(name) = &args.guest {
                setup::ensure(&root)?;
                return Err(guests::run(&root, name, args.bare, machine));
            }
            let path = build_image(&root, &args.image)?;
            return Err(qemu::run_interactive(&machine, &path));
        }
        Command::Lint => {
            let tally = lint::run_all(&root);
            println!("{} passed, {} failed", tally.passed, tally.failed);
            return Ok(if tally.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Imports(args) => return imports::run(&root, &args),
        Command::QvmCheck(args) => return qvm_check::run(&args),
        Command::Bench(args) => return bench::run(&root, &args),
        Command::Profile(args) => return profile::run(&root, &args),
        Command::Test(args) => {
            let opts = itest::Options {
                filter: args.filter,
                jobs: args.jobs as usize,
            };
            return test(&root, args.no_host, &opts);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds what the image of `args` needs and makes it; returns its path
/// (x86: the kernel ELF, with its bootfs beside it).
fn build_image(root: &std::path::Path, args: &ImageArgs) -> Result<std::path::PathBuf> {
    let board = args.board.clone().unwrap_or_else(|| {
        match args.arch {
            Arch::Aarch64 => "qemu-virt",
            Arch::X86_64 => "qemu-pc",
        }
        .to_string()
    });
    let buildfile = image::buildfile_path(root, &board, args.buildfile.as_deref())?;
    setup::ensure(root)?;
    match args.arch {
        Arch::Aarch64 => {
            build::build_all(root)?;
            image::make_image(root, &board, args.buildfile.as_deref())
        }
        Arch::X86_64 => {
            x86::build_all(root)?;
            x86::make_image(root, &buildfile)
        }
    }
}

/// `cargo xtask test`: host tests, the test image, the QEMU cases, one summary.
fn test(root: &std::path::Path, no_host: bool, opts: &itest::Options) -> Result<ExitCode> {
    setup::ensure(root)?;
    let (lint, host) = if no_host {
        println!("== lint and host unit tests: skipped (--no-host)");
        (Tally::default(), Tally::default())
    } else {
        (lint::run_all(root), host_tests::run_all(root)?)
    };
    let integration = itest::run(root, opts)?;

    println!();
    if !no_host {
        println!("== lint: {} passed, {} failed", lint.passed, lint.failed);
        for line in &lint.failures {
            println!("   {line}");
        }
        println!(
            "== host unit tests: {} passed, {} failed",
            host.passed, host.failed
        );
        for line in &host.failures {
            println!("   {line}");
        }
    }
    println!(
        "== integration tests: {} passed, {} failed",
        integration.passed, integration.failed
    );
    for line in integration.failures.iter().chain(&integration.skipped) {
        println!("   {line}");
    }
    let passed = lint.passed + host.passed + integration.passed;
    let failed = lint.failed + host.failed + integration.failed;
    // CI reads the last line: skipped tests get a line of their own.
    if !integration.skipped.is_empty() {
        println!("{} skipped", integration.skipped.len());
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
