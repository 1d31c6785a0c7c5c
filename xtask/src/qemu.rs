//! Launching QEMU `virt` (aarch64): interactively for `cargo xtask run`, or
//! with the console captured line by line for the integration tests.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use clap::ValueEnum;

/// The QEMU binary.
pub const QEMU: &str = "qemu-system-aarch64";
/// The QEMU program of the x86 PC.
pub const QEMU_X86: &str = "qemu-system-x86_64";
/// Bochs, the x86 PC with VMX.
pub const BOCHS: &str = "bochs";
/// Most CPUs `--smp` takes (GICv2 allows only 8).
pub const MAX_SMP: u32 = 64;

/// A CPU model of QEMU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cpu {
    /// ARMv8.0, no VHE.
    #[value(name = "cortex-a57")]
    CortexA57,
    /// ARMv8.0, no VHE (as on the Raspberry Pi 4).
    #[value(name = "cortex-a72")]
    CortexA72,
    /// ARMv8.2 with AArch32 at EL0 only: no 32-bit guests.
    #[value(name = "cortex-a76")]
    CortexA76,
    /// The Raspberry Pi 4B's four Cortex-A72s on QEMU's `raspi4b` machine,
    /// booting the Pi's SD-card image (`sdcard::qemu`; not a `--cpu`
    /// value).
    #[value(skip)]
    Raspi4b,
    /// The ZCU102's four Cortex-A53s on QEMU's `xlnx-zcu102` machine
    /// (`virtualization=on`: started at EL2, PSCI from QEMU), booting the
    /// board's SD-card image (not a `--cpu` value).
    #[value(skip)]
    Zcu102,
    /// Every feature QEMU emulates.
    #[value(name = "max")]
    Max,
    /// ARMv7-A, 32-bit only (LPAE, the virtualization extensions), for a
    /// 32-bit guest booted bare at EL1 (not a `--cpu` value: the
    /// hypervisor is 64-bit). QEMU's TCG cannot turn off AArch64 on an
    /// ARMv8 model (`aarch64=off` needs KVM).
    #[value(skip)]
    CortexA15,
    /// x86_64: AMD EPYC, with SVM and nested paging under TCG (the x86
    /// host, `--arch x86_64`).
    #[value(name = "EPYC")]
    Epyc,
    /// x86_64: Intel Skylake-X with VMX and EPT, under Bochs (QEMU's TCG
    /// has no VMX); boots a GRUB ISO of the image.
    #[value(name = "corei7_skylake_x")]
    Skylake,
    /// x86_64: QEMU's basic 64-bit CPU: SVM without nested paging, which
    /// the kernel must refuse.
    #[value(name = "qemu64")]
    Qemu64,
    /// x86_64: the host's own CPU under KVM (`-accel kvm -cpu host`), for
    /// `--accel kvm` (not a `--cpu` value).
    #[value(skip)]
    KvmX86,
    /// aarch64: the host's own CPU under KVM (`-accel kvm -cpu host`), for
    /// `--accel kvm` (not a `--cpu` value).
    #[value(skip)]
    KvmArm,
}

impl Cpu {
    /// The name QEMU's `-cpu` takes.
    pub fn name(self) -> &'static str {
        match self {
            Cpu::CortexA57 => "cortex-a57",
            Cpu::CortexA72 => "cortex-a72",
            Cpu::CortexA76 => "cortex-a76",
            Cpu::Raspi4b => "cortex-a72",
            Cpu::Zcu102 => "cortex-a53",
            Cpu::Max => "max",
            Cpu::CortexA15 => "cortex-a15",
            Cpu::Epyc => "EPYC",
            Cpu::Skylake => "corei7_skylake_x",
            Cpu::Qemu64 => "qemu64",
            Cpu::KvmX86 | Cpu::KvmArm => "host",
        }
    }

    /// The host's CPU under KVM, for `arch`.
    pub fn kvm(arch: crate::build::Arch) -> Cpu {
        match arch {
            crate::build::Arch::X86_64 => Cpu::KvmX86,
            crate::build::Arch::Aarch64 => Cpu::KvmArm,
        }
    }

    /// The dev board whose QEMU model this CPU stands for (booting its
    /// SD-card image), if any.
    pub fn sd_board(self) -> Option<crate::sdcard::Board> {
        match self {
            Cpu::Raspi4b => Some(crate::sdcard::Board::Rpi4),
            Cpu::Zcu102 => Some(crate::sdcard::Board::Zcu102),
            _ => None,
        }
    }

    /// How many of the machine's serial ports come before the console's
    /// (each gets a `-serial null`): on `raspi4b` the first is the PL011
    /// (`serial0`, wired to Bluetooth on the board) and the second the
    /// mini UART, the Pi 4 tree's `stdout-path` (`serial1`) and the pins
    /// `enable_uart=1` gives; elsewhere the console is the first.
    pub fn serial_ports_before_console(self) -> usize {
        match self {
            Cpu::Raspi4b => 1,
            _ => 0,
        }
    }

    /// `-serial` options attaching `console` (a chardev such as `stdio`)
    /// as the machine's console port, the ports before it unconnected.
    pub fn console_serial_args(self, console: &str) -> Vec<String> {
        let mut args = Vec::new();
        for _ in 0..self.serial_ports_before_console() {
            args.extend(["-serial".to_string(), "null".to_string()]);
        }
        args.extend(["-serial".to_string(), console.to_string()]);
        args
    }

    /// The CPU is an x86_64 one (a PC), not an Arm one (`virt`).
    pub fn is_x86(self) -> bool {
        matches!(self, Cpu::Epyc | Cpu::Skylake | Cpu::Qemu64 | Cpu::KvmX86)
    }

    /// QEMU runs it on the host's KVM (`-accel kvm -cpu host`), not TCG.
    pub fn is_kvm(self) -> bool {
        matches!(self, Cpu::KvmX86 | Cpu::KvmArm)
    }

    /// The architecture it is of.
    pub fn arch(self) -> crate::build::Arch {
        if self.is_x86() {
            crate::build::Arch::X86_64
        } else {
            crate::build::Arch::Aarch64
        }
    }

    /// Bochs emulates it, not QEMU.
    pub fn is_bochs(self) -> bool {
        self == Cpu::Skylake
    }

    /// The program that emulates it.
    pub fn qemu(self) -> &'static str {
        match self {
            Cpu::Skylake => BOCHS,
            _ if self.is_x86() => QEMU_X86,
            _ => QEMU,
        }
    }
}

/// A GIC version of the `virt` machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Gic {
    /// GICv2 (GIC-400 like), at most 8 CPUs.
    #[value(name = "2")]
    V2,
    /// GICv3.
    #[value(name = "3")]
    V3,
}

impl Gic {
    /// The version number.
    pub fn number(self) -> u32 {
        match self {
            Gic::V2 => 2,
            Gic::V3 => 3,
        }
    }
}

impl fmt::Display for Gic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The machine QEMU emulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// CPU model.
    pub cpu: Cpu,
    /// The generic timer's counter frequency in Hz (the CPU's `cntfrq`
    /// property), if not the model's own (QEMU gives `max` 1 GHz and the
    /// Cortex models 62.5 MHz).
    pub cntfrq: Option<u64>,
    /// GIC version.
    pub gic: Gic,
    /// Number of CPUs.
    pub smp: u32,
    /// RAM size as QEMU's `-m` takes it (`1G`, `512M`).
    pub mem: String,
    /// The exception level the board starts the kernel at.
    pub entry: EntryLevel,
    /// Emulate every CPU in one host thread, in turn (`-accel
    /// tcg,thread=single`), instead of one thread per CPU: no true
    /// parallelism, but no host thread waiting for another that the host
    /// has put aside, which makes a kernel lock handed from CPU to CPU
    /// crawl on a busy build machine.
    pub one_thread: bool,
    /// A raw disk image QEMU gives the board as a `virtio-blk-device` on
    /// its virtio-mmio bus (the modern interface: the host driver `vblk`
    /// takes no legacy device). The first such device sits in the bus's
    /// last slot, 0xa003e00, interrupt 79.
    pub disk: Option<std::path::PathBuf>,
}

/// Where QEMU's `virt` board starts the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EntryLevel {
    /// EL2 (`virtualization=on`), as boot firmware leaves a hypervisor.
    #[default]
    El2,
    /// EL3 (`secure=on` too): the kernel drops to EL2 itself. QEMU then
    /// offers no PSCI, so only one CPU runs.
    El3,
    /// EL1 (`virtualization=off`): the kernel must refuse with a message.
    El1,
}

impl Machine {
    /// QEMU's model of a dev board as the board is: 4 CPUs, the GIC-400
    /// (GICv2), 2 GiB (the Pi 4 model's fixed size; the ZCU102's
    /// `-m`), started at EL2 (the models drop from EL3 themselves or the
    /// kernel does).
    pub fn board(board: crate::sdcard::Board) -> Machine {
        Machine {
            cpu: match board {
                crate::sdcard::Board::Rpi4 => Cpu::Raspi4b,
                crate::sdcard::Board::Zcu102 => Cpu::Zcu102,
            },
            cntfrq: None,
            gic: Gic::V2,
            smp: 4,
            mem: "2G".into(),
            entry: EntryLevel::El2,
            one_thread: false,
            disk: None,
        }
    }

    /// Check what clap cannot check alone.
    pub fn validate(&self) -> Result<()> {
        ensure!(
            (1..=MAX_SMP).contains(&self.smp),
            "--smp {}: must be 1 to {MAX_SMP}",
            self.smp
        );
        ensure!(
            self.gic == Gic::V3 || self.smp <= 8,
            "--smp {} with --gic 2: GICv2 supports at most 8 CPUs",
            self.smp
        );
        parse_mem(&self.mem).map_err(|e| anyhow::anyhow!("--mem {}: {e}", self.mem))?;
        ensure!(
            !(self.cpu == Cpu::KvmArm && self.gic != Gic::V3),
            "--gic {} with --accel kvm: the KVM machine has GICv3 (gic-version=3)",
            self.gic
        );
        ensure!(
            !(self.cpu == Cpu::CortexA15 && self.entry != EntryLevel::El1),
            "cortex-a15 is a 32-bit CPU: it boots guests bare at EL1, not the hypervisor"
        );
        ensure!(
            !(self.cpu.is_kvm() && self.one_thread),
            "one TCG thread (-accel tcg,thread=single) and KVM exclude each other"
        );
        Ok(())
    }

    /// The interrupt controller the kernel banner names.
    pub fn chip_name(&self) -> String {
        if self.cpu.is_bochs() {
            "x2APIC".into()
        } else if self.cpu.is_x86() {
            "APIC".into()
        } else {
            format!("GICv{}", self.gic)
        }
    }

    /// QEMU's machine options for the x86 PC: `image` is the kernel ELF,
    /// with its bootfs beside it as the first boot module.
    fn x86_args(&self, image: &Path) -> Vec<String> {
        let mut args: Vec<String> = vec!["-M".into(), "q35".into()];
        if self.cpu.is_kvm() {
            args.extend(["-accel".into(), "kvm".into()]);
        }
        args.extend([
            "-cpu".into(),
            self.cpu.name().into(),
            "-smp".into(),
            self.smp.to_string(),
            "-m".into(),
            self.mem.clone(),
            "-kernel".into(),
            image.display().to_string(),
            "-nic".into(),
            "none".into(),
        ]);
        let bootfs = crate::x86::bootfs_of(image);
        if bootfs.is_file() {
            args.extend(["-initrd".into(), bootfs.display().to_string()]);
        }
        args
    }

    /// QEMU's machine options, without display or console ones; Bochs's
    /// command line (its configuration beside the ISO `image`, written by
    /// [`crate::x86::write_bochsrc`]).
    pub fn args(&self, image: &Path) -> Vec<String> {
        if self.cpu.is_bochs() {
            return crate::x86::bochs_args(image, self.smp);
        }
        if self.cpu.is_x86() {
            return self.x86_args(image);
        }
        if let Some(board) = self.cpu.sd_board() {
            return crate::sdcard::qemu::board_args(board, image);
        }
        let mut args = vec![
            "-M".into(),
            format!(
                "virt,{}gic-version={}",
                match self.entry {
                    EntryLevel::El2 => "virtualization=on,",
                    EntryLevel::El3 => "virtualization=on,secure=on,",
                    EntryLevel::El1 => "",
                },
                self.gic
            ),
        ];
        if self.cpu.is_kvm() {
            args.extend(["-accel".into(), "kvm".into()]);
        }
        args.extend([
            "-cpu".into(),
            match self.cntfrq {
                Some(hz) => format!("{},cntfrq={hz}", self.cpu.name()),
                None => self.cpu.name().into(),
            },
            "-smp".into(),
            self.smp.to_string(),
            "-m".into(),
            self.mem.clone(),
            "-kernel".into(),
            image.display().to_string(),
            // No host network card: the boards need none, and QEMU would
            // look for its option ROM (Debian's ipxe-qemu) to make one.
            "-nic".into(),
            "none".into(),
        ]);
        if self.one_thread {
            args.extend(["-accel".into(), "tcg,thread=single".into()]);
        }
        if let Some(disk) = &self.disk {
            args.extend([
                "-global".into(),
                "virtio-mmio.force-legacy=false".into(),
                "-drive".into(),
                format!("file={},if=none,format=raw,id=d0", disk.display()),
                "-device".into(),
                "virtio-blk-device,drive=d0".into(),
            ]);
        }
        args
    }
}

/// Check a `--mem` value: a number of MiB, or a number with an `M` or `G`
/// suffix, at least 64 MiB. Returns it normalized (upper-case suffix).
pub fn parse_mem(text: &str) -> Result<String, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let shift = match unit {
        "" | "M" | "m" => 0,
        "G" | "g" => 10,
        _ => return Err("expected a number of MiB, or a size like 512M or 2G".into()),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| "expected a number of MiB, or a size like 512M or 2G".to_string())?;
    let mib = number.checked_shl(shift).filter(|m| m >> shift == number);
    match mib {
        Some(m) if m >= 64 => Ok(format!("{number}{}", unit.to_uppercase())),
        _ => Err("the kernel needs at least 64M".into()),
    }
}

/// Boot `image` on QEMU with the console on this terminal. Only returns on
/// error: QEMU replaces this process.
pub fn run_interactive(machine: &Machine, image: &Path) -> anyhow::Error {
    use std::os::unix::process::CommandExt;

    let mut cmd = Command::new(machine.cpu.qemu());
    cmd.args(machine.args(image)).arg("-nographic");
    if machine.cpu.serial_ports_before_console() > 0 {
        // `-nographic` alone would put the first port on this terminal.
        cmd.args(machine.cpu.console_serial_args("mon:stdio"));
    }
    eprintln!("xtask: {}", crate::build::describe(&cmd));
    eprintln!("xtask: starting QEMU; press Ctrl-A X to quit (Ctrl-A H for help)");
    eprintln!(
        "xtask: Ctrl-T then a number gives the keyboard to the host shell (0) or a VM; \
         Ctrl-T then another key lists them"
    );
    let err = cmd.exec();
    anyhow::Error::new(err).context(format!("cannot start {}", machine.cpu.qemu()))
}

/// What a captured QEMU says.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A line of the console (serial port), without its line ending.
    Console(String),
    /// A line QEMU printed on its stderr.
    Stderr(String),
    /// QEMU's output ended: it exited.
    Exited,
    /// Nothing more came before the deadline.
    Timeout,
}

/// A QEMU run with its console captured: `-serial stdio`, no monitor, no
/// display, stdin closed.
pub struct Captured {
    child: Child,
    lines: Receiver<Event>,
    stdin: Option<std::process::ChildStdin>,
}

impl Captured {
    /// Start QEMU on `image`, with `extra` arguments after the machine's.
    /// The console is the first serial port on stdio, unless `extra`
    /// attaches it itself (`-serial chardev:ID`: stdio shared with other
    /// devices through a multiplexer, [`serial_in_args`]).
    pub fn spawn(machine: &Machine, image: &Path, extra: &[String]) -> Result<(Captured, String)> {
        let mut cmd = Command::new(machine.cpu.qemu());
        cmd.args(machine.args(image)).args(extra);
        if machine.cpu.is_bochs() {
            crate::x86::write_bochsrc(image, machine)?;
        } else {
            if !serial_in_args(extra) {
                cmd.args(machine.cpu.console_serial_args("stdio"));
            }
            cmd.args(["-display", "none", "-monitor", "none"])
                .arg("-no-reboot");
        }
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let line = crate::build::describe(&cmd);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", machine.cpu.qemu()))?;
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        reader(stdout, tx.clone(), Event::Console);
        reader(stderr, tx, Event::Stderr);
        let stdin = child.stdin.take();
        Ok((
            Captured {
                child,
                lines: rx,
                stdin,
            },
            line,
        ))
    }

    /// Types `keys` on the guest console (QEMU's stdin).
    pub fn type_keys(&mut self, keys: &[u8]) {
        use std::io::Write;
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(keys).and_then(|()| stdin.flush());
        }
    }

    /// The next line QEMU prints, waiting until `deadline` at most.
    pub fn next(&self, deadline: Instant) -> Event {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(wait) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => Event::Timeout,
            Err(RecvTimeoutError::Disconnected) => Event::Exited,
        }
    }

    /// Kill QEMU if it still runs, and return how it ended and what it
    /// printed that was not read yet (such as the start of a line).
    pub fn finish(mut self) -> (Option<ExitStatus>, Vec<Event>) {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => Some(status),
            _ => {
                let _ = self.child.kill();
                self.child.wait().ok()
            }
        };
        // QEMU is gone, so its pipes end soon; don't hang on a straggler.
        let deadline = Instant::now() + std::time::Duration::from_secs(2);
        let mut rest = Vec::new();
        loop {
            match self.next(deadline) {
                Event::Exited | Event::Timeout => break,
                event => rest.push(event),
            }
        }
        (status, rest)
    }
}

/// Whether `args` attach the first serial port themselves (`-serial`).
pub fn serial_in_args(args: &[String]) -> bool {
    args.iter().any(|a| a == "-serial")
}

/// A thread that sends each line of `input` (`\r` stripped, invalid UTF-8
/// replaced) as `wrap(line)` until end of file.
fn reader(input: impl Read + Send + 'static, tx: Sender<Event>, wrap: fn(String) -> Event) {
    std::thread::spawn(move || {
        let mut input = BufReader::new(input);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buf);
                    let line: String = text.chars().filter(|&c| c != '\r' && c != '\n').collect();
                    if tx.send(wrap(line)).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_memory_sizes() {
        assert_eq!(parse_mem("1G").unwrap(), "1G");
        assert_eq!(parse_mem("512m").unwrap(), "512M");
        assert_eq!(parse_mem("2048").unwrap(), "2048");
        assert!(parse_mem("32M").is_err());
        assert!(parse_mem("1T").is_err());
        assert!(parse_mem("G").is_err());
        assert!(parse_mem("").is_err());
        assert!(parse_mem("1.5G").is_err());
        assert!(parse_mem("99999999999999999999G").is_err());
    }

    #[test]
    fn builds_qemu_arguments() {
        let m = Machine {
            cpu: Cpu::Max,
            cntfrq: None,
            gic: Gic::V2,
            smp: 4,
            mem: "1G".into(),
            entry: EntryLevel::El2,
            one_thread: false,
            disk: None,
        };
        let args = m.args(Path::new("/x/a.img")).join(" ");
        assert_eq!(
            args,
            "-M virt,virtualization=on,gic-version=2 -cpu max -smp 4 -m 1G -kernel /x/a.img -nic none"
        );
        let one = Machine {
            one_thread: true,
            disk: None,
            ..m.clone()
        };
        assert!(
            one.args(Path::new("/x/a.img"))
                .join(" ")
                .ends_with(" -nic none -accel tcg,thread=single")
        );
        let a57 = Machine {
            cpu: Cpu::CortexA57,
            cntfrq: Some(1_000_000_000),
            ..m.clone()
        };
        assert!(
            a57.args(Path::new("/x/a.img"))
                .join(" ")
                .contains(" -cpu cortex-a57,cntfrq=1000000000 -smp 4 ")
        );
        m.validate().unwrap();
        let too_many = Machine {
            smp: 9,
            ..m.clone()
        };
        assert!(
            too_many
                .validate()
                .unwrap_err()
                .to_string()
                .contains("GICv2")
        );
        let fine = Machine {
            gic: Gic::V3,
            ..too_many
        };
        fine.validate().unwrap();
    }

    #[test]
    fn builds_kvm_arguments() {
        let pc = Machine {
            cpu: Cpu::KvmX86,
            cntfrq: None,
            gic: Gic::V3,
            smp: 2,
            mem: "512M".into(),
            entry: EntryLevel::El2,
            one_thread: false,
            disk: None,
        };
        assert_eq!(
            pc.args(Path::new("/x/none.elf")).join(" "),
            "-M q35 -accel kvm -cpu host -smp 2 -m 512M -kernel /x/none.elf -nic none"
        );
        assert_eq!(pc.cpu.qemu(), QEMU_X86);
        assert_eq!(Cpu::kvm(crate::build::Arch::X86_64), Cpu::KvmX86);
        assert!(pc.cpu.is_x86() && pc.cpu.is_kvm() && !pc.cpu.is_bochs());
        pc.validate().unwrap();
        let virt = Machine {
            cpu: Cpu::kvm(crate::build::Arch::Aarch64),
            ..pc.clone()
        };
        assert_eq!(
            virt.args(Path::new("/x/a.img")).join(" "),
            "-M virt,virtualization=on,gic-version=3 -accel kvm -cpu host -smp 2 -m 512M \
             -kernel /x/a.img -nic none"
        );
        assert_eq!(virt.cpu.qemu(), QEMU);
        assert!(!virt.cpu.is_x86() && virt.cpu.is_kvm());
        virt.validate().unwrap();
        let v2 = Machine {
            gic: Gic::V2,
            ..virt.clone()
        };
        assert!(v2.validate().unwrap_err().to_string().contains("GICv3"));
        let one = Machine {
            one_thread: true,
            ..virt
        };
        assert!(one.validate().is_err());
        // Not a --cpu value: --accel kvm chooses it.
        assert!(Cpu::from_str("host", true).is_err());
        assert!(!Cpu::value_variants().contains(&Cpu::KvmX86));
    }

    #[test]
    fn the_32_bit_cpu_boots_guests_bare() {
        let bare = Machine {
            cpu: Cpu::CortexA15,
            cntfrq: None,
            gic: Gic::V3,
            smp: 2,
            mem: "256M".into(),
            entry: EntryLevel::El1,
            one_thread: false,
            disk: None,
        };
        bare.validate().unwrap();
        assert_eq!(
            bare.args(Path::new("/l/zImage")).join(" "),
            "-M virt,gic-version=3 -cpu cortex-a15 -smp 2 -m 256M -kernel /l/zImage -nic none"
        );
        assert_eq!(bare.cpu.qemu(), QEMU);
        assert!(!bare.cpu.is_x86() && !bare.cpu.is_kvm());
        let hyp = Machine {
            entry: EntryLevel::El2,
            ..bare
        };
        assert!(hyp.validate().unwrap_err().to_string().contains("32-bit"));
        assert!(Cpu::from_str("cortex-a15", true).is_err());
        let shared = ["-chardev", "stdio,mux=on,id=c", "-serial", "chardev:c"].map(String::from);
        assert!(serial_in_args(&shared));
        let own = ["-append", "console=ttyAMA0", "-device", "virtio-rng-device"].map(String::from);
        assert!(!serial_in_args(&own));
    }

    #[test]
    fn the_pi_4s_console_is_its_second_serial_port() {
        assert_eq!(
            Cpu::Raspi4b.console_serial_args("stdio").join(" "),
            "-serial null -serial stdio"
        );
        assert_eq!(
            Cpu::Zcu102.console_serial_args("mon:stdio").join(" "),
            "-serial mon:stdio"
        );
        assert_eq!(Cpu::CortexA72.serial_ports_before_console(), 0);
    }

    #[test]
    fn reads_lines_without_carriage_returns() {
        let (tx, rx) = mpsc::channel();
        let input: &'static [u8] = b"one\r\ntwo\n\xffthree";
        reader(input, tx, Event::Console);
        let lines: Vec<Event> = rx.iter().collect();
        assert_eq!(
            lines,
            vec![
                Event::Console("one".into()),
                Event::Console("two".into()),
                Event::Console("\u{fffd}three".into()),
            ]
        );
    }
}
