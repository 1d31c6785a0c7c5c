//! The x86_64 host's cases (issue 12): the kernel on QEMU's PC with SVM
//! (`-cpu EPYC`), booted through its PVH note with the bootfs as its boot
//! module, and on Bochs with VMX (`corei7_skylake_x`) from a GRUB ISO
//! through its multiboot2 header, running the kernel's tests ported so far
//! in ring 3. VMs on x86 come with the SVM and VMX backends.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use super::matcher::Expect;
use crate::qemu::{Cpu, Gic};

/// The buildfile of the x86 test image.
pub const BUILDFILE: &str = "boot/boards/qemu-pc-test.build";
/// The same tests for Bochs's VMX, VMs included.
pub const VMX_BUILDFILE: &str = "boot/boards/pc-vmx-test.build";

/// The demo's buildfile (`cargo xtask run --arch x86_64`): the host
/// shell (console client 0), `ticker1` (1 vCPU, client 1) and `ticker2`
/// (2 vCPUs, client 2).
pub const DEMO_BUILDFILE: &str = "boot/boards/qemu-pc.build";

/// The x86 cases: QEMU with SVM on 1 and 4 CPUs, the same on the host's
/// KVM on 2 (where it nests), and Bochs with VMX (booted from a GRUB ISO,
/// through the multiboot2 header) on one.
pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = [1, 4]
        .into_iter()
        .map(|smp| {
            let mut pc = machine(Cpu::Epyc, Gic::V3, smp);
            pc.mem = "512M".into();
            Case::new(format!("x86-boot-epyc-smp{smp}"), pc)
                .buildfile(BUILDFILE)
                .lines(&kernel_tests(smp, true))
        })
        .collect();
    // The same tests on the host's KVM (`-accel kvm -cpu host`): SVM or
    // VMX as the host's CPU has, nested. Skipped where KVM offers no
    // nested virtualization.
    let mut kvm = machine(Cpu::KvmX86, Gic::V3, 2);
    kvm.mem = "512M".into();
    cases.push(
        Case::new("x86-kvm-boot-smp2", kvm)
            .buildfile(BUILDFILE)
            .lines(&kernel_tests(2, true)),
    );
    let mut bochs = machine(Cpu::Skylake, Gic::V3, 1);
    bochs.mem = "256M".into();
    cases.push(
        Case::new("x86-bochs-vmx-smp1", bochs)
            .buildfile(VMX_BUILDFILE)
            .lines(&kernel_tests(1, true))
            .timeout(300),
    );
    cases.push(shell());
    cases.push(console_switch());
    cases.push(fuzz());
    cases.extend(hwcheck());
    cases.extend(super::x86_guests::cases());
    cases.extend(super::x86_vms::cases());
    cases.extend(super::x86_linux::cases());
    // SVM without nested paging is no hypervisor: the kernel says so and
    // stops.
    let mut plain = machine(Cpu::Qemu64, Gic::V3, 1);
    plain.mem = "256M".into();
    cases.push(
        Case::bare("x86-no-npt-refused", plain)
            .buildfile(BUILDFILE)
            .lines(&[
                r"^qhv: this CPU offers neither SVM with nested paging nor VMX with EPT and unrestricted guest: enable virtualization",
            ]),
    );
    cases
}

/// `ktest fuzz` on 4 CPUs with SVM: random system calls from 4 threads of
/// a child (VMs of random register states on the SVM backend too), then
/// free memory, kernel heap, VMIDs and handles as before, the host up.
fn fuzz() -> Case {
    let mut pc = machine(Cpu::Epyc, Gic::V3, 4);
    pc.mem = "512M".into();
    Case::new("x86-fuzz-epyc-smp4", pc)
        .buildfile("boot/boards/qemu-pc-fuzz.build")
        .timeout(600)
        .lines(&super::cases::FUZZ_LINES)
}

/// `arch/hwcheck` bare: a 32-bit guest under nested paging through the
/// arch crate's SVM world switch on QEMU (`-cpu EPYC`) and its VMX world
/// switch on Bochs, each exit decoded.
fn hwcheck() -> Vec<Case> {
    let lines = |kind: &str, hypercall: &str| {
        vec![
            "hwcheck: starting".to_string(),
            format!("hwcheck: {kind}: OUT to port 0x3f8, 1 byte: 'G'"),
            format!("hwcheck: {kind}: {hypercall} with RAX 0x1234"),
            format!("hwcheck: {kind}: HLT at 0x100f"),
            "hwcheck: done".to_string(),
        ]
    };
    let mut cases = Vec::new();
    for (name, cpu, mem, kind, hypercall) in [
        ("x86-hwcheck-svm-epyc", Cpu::Epyc, "512M", "SVM", "VMMCALL"),
        (
            "x86-hwcheck-vmx-bochs",
            Cpu::Skylake,
            "256M",
            "VMX",
            "VMCALL",
        ),
    ] {
        let mut m = machine(cpu, Gic::V3, 1);
        m.mem = mem.into();
        let mut case = Case::bare(name, m)
            .guest(crate::x86::HWCHECK)
            .lines(&lines(kind, hypercall))
            .timeout(120);
        // It halts when done; the case ends with its last line.
        case.powers_off = false;
        cases.push(case);
    }
    cases
}

/// The default x86 image (`boot/boards/qemu-pc.build`, the `cargo xtask
/// run --arch x86_64` demo: the host shell, two `ticker` VMs and a Linux
/// VM): typed
/// keys reach the host shell through COM1's interrupt (I/O APIC GSI 4),
/// and `pidin` shows the host with the VMs' vCPU threads; `exit` ends the
/// shell (the VMs tick on). The keys go once a VM has ticked: the shell
/// and both `qvm`s are reading the console by then.
fn shell() -> Case {
    let line = |p: &str| Expect::line(p);
    let mut pc = machine(Cpu::Epyc, Gic::V3, 2);
    pc.mem = "1G".into();
    let [up1, up2] = tickers_up();
    let vcpu = |vm: &str, n: u32| format!(r"^\s+\d+\s+\d+ qvm-{vm}\s+\d+ [A-Z]+\s+\d+ vcpu{n}$");
    Case::new("x86-shell-epyc-smp2", pc)
        .buildfile(DEMO_BUILDFILE)
        .timeout(300)
        .lines(&[STARTUP])
        .then(up1)
        .then(up2)
        .then(line(r"ticker\d: ticker: tick 1$").then_type(b"\x140"))
        .then(line(r"qhv: console input goes to 0: shell \(pid \d+\)").then_type(b"pidin\r"))
        .then(line(r"^\s+pid\s+tid name\s+prio STATE\s+cpu$"))
        .then(line(r"^\s+1\s+1 init\s+10 WAIT\s+\d+$"))
        .then(line(r"^\s+\d+\s+1 shell\s+10 RUNNING\s+\d+$"))
        .then(line(&vcpu("ticker1", 0)))
        .then(line(&vcpu("ticker2", 0)))
        .then(line(&vcpu("ticker2", 1)).then_type(b"pidin irqs\r"))
        .then(line(
            r"^intid kind\s+owner\s+count cpu\s+virq masked trigger$",
        ))
        .then(line(r"^\s+26 kernel kernel\s+").then_type(b"pidin syspage=asinfo\r"))
        .then(line(r"^0x0000000000100000-\S+\s+\S+ ram\s+-\s+ram$"))
        .then(line(r"\s+kernel\s+kernel\s+bootfs \(boot module\)$").then_type(b"exit\r"))
        .then(line(
            "init: background job 'allow=info,slay shell' ended with status 0",
        ))
}

/// The demo VMs' first lines, in either order (each VM prints its own
/// once; the shell's prompt may come first on the same line).
fn tickers_up() -> [Expect; 2] {
    let up =
        r"ticker(1: ticker: up on 1 CPU|2: ticker: up on 2 CPUs), type a line \(q powers off\)$";
    [Expect::line(up), Expect::line(up)]
}

/// The demo with typed keys, as `console-switch-a72-gic3-smp4` and
/// `demo-linux-shell-a72-gic3-smp4` on ARM. Once the Linux VM's shell is
/// up, Ctrl-T then 3 gives it the keyboard: `uname -m` and the CPU count
/// come back from Debian's amd64 kernel. Ctrl-T then 2 gives the keyboard
/// to `ticker2`, Ctrl-T then 1 to `ticker1`; each typed line comes back
/// from that VM only (the next echo of either ticker must be the right
/// VM's, of the right text); `q` powers `ticker1` off through ACPI S5 and
/// its `qvm` ends, `ticker2` ticks on as client 1 and `r` resets it (the
/// FADT's reset register, port 0xCF9: without `set on-reset restart` its
/// `qvm` ends with status 0); Linux, now client 1, powers off (`poweroff
/// -f`); `exit` ends the shell, and `init` with all four jobs done.
fn console_switch() -> Case {
    let line = |p: &str| Expect::line(p);
    let typed = r"(?P<vm>ticker\d): ticker: you typed '(?P<text>[^']*)'$";
    let said =
        |what: &str| format!(r"(?P<vm>ticker\d): ticker: (?P<what>you typed '[^']*'|{what})$");
    let job = |what: &str| format!("init: background job '{what}' ended with status 0");
    let mut pc = machine(Cpu::Epyc, Gic::V3, 2);
    pc.mem = "1G".into();
    let [up1, up2] = tickers_up();
    Case::new("x86-console-switch-epyc-smp2", pc)
        .buildfile(DEMO_BUILDFILE)
        .timeout(600)
        .lines(&[STARTUP])
        .then(up1)
        .then(up2)
        // By the Linux shell the host shell and every `qvm` read the console.
        .then(line(r"^linux: linux-init: a shell on the console").then_type(b"\x143"))
        .then(
            line(r"qhv: console input goes to 3: qvm-linux \(pid \d+\)")
                .then_type(b"uname -m; grep -c processor /proc/cpuinfo\r"),
        )
        .then(line("^linux: x86_64$"))
        .then(line("^linux: 2$").then_type(b"\x142"))
        .then(line(r"qhv: console input goes to 2: qvm-ticker2 \(pid \d+\)").then_type(b"hello\r"))
        .then(
            line(typed)
                .group("vm", "ticker2")
                .group("text", "hello")
                .then_type(b"\x141"),
        )
        .then(line(r"qhv: console input goes to 1: qvm-ticker1 \(pid \d+\)").then_type(b"world\r"))
        .then(
            line(typed)
                .group("vm", "ticker1")
                .group("text", "world")
                .then_type(b"q\r"),
        )
        .then(
            line(&said("powering off"))
                .group("vm", "ticker1")
                .group("what", "powering off"),
        )
        .then(line(r"qvm: ticker1: the guest powered off \(ACPI S5\)$"))
        .then(line(r"qhv: qvm-ticker1 \(pid \d+\): VM ended"))
        // With ticker1 gone, ticker2 is client 1 and linux client 2.
        .then(line(r"ticker2: ticker: tick \d+$").then_type(b"\x141"))
        .then(line(r"qhv: console input goes to 1: qvm-ticker2 \(pid \d+\)").then_type(b"r\r"))
        .then(
            line(&said("resetting"))
                .group("vm", "ticker2")
                .group("what", "resetting"),
        )
        .then(line(r"qvm: ticker2: the guest asked for a reset$"))
        .then(line(r"qhv: qvm-ticker2 \(pid \d+\): VM ended").then_type(b"\x141"))
        .then(
            line(r"qhv: console input goes to 1: qvm-linux \(pid \d+\)")
                .then_type(b"poweroff -f\r"),
        )
        .then(line(r"^qvm: linux: the guest powered off \(ACPI S5\)$").then_type(b"\x140"))
        .then(line(r"qhv: console input goes to 0: shell \(pid \d+\)").then_type(b"exit\r"))
        .then(line(&job("allow=info,slay shell")))
        .then(line(&job("qvm @/etc/vm/ticker1-x86.qvmconf")))
        .then(line(&job("qvm @/etc/vm/ticker2-x86.qvmconf")))
        .then(line(&job("qvm @/etc/vm/linux-demo-x86.qvmconf")))
        .then(line(INIT_EXIT_0))
}

/// What the x86 test image's startup script prints on `smp` CPUs, in
/// order: the kernel's image at 2 MiB is in every process's table but
/// supervisor-only, so reading or writing it is a protection fault. With
/// `vms`, VMs that `ktest` builds itself: one exit of each kind,
/// interrupts from the emulated local APIC timer and I/O APIC, a second
/// vCPU started by INIT and start-up IPIs, and a VMM crashing with 4 vCPUs
/// running; all their memory comes back.
pub fn kernel_tests(smp: u32, vms: bool) -> Vec<String> {
    let fault =
        |what: &str, at: &str| format!(r"qhv: process \d+ \(ktest\) ended: {what}.* at {at}");
    let mut lines = vec![
        STARTUP.into(),
        "ktest hello: a host process at ring 3".into(),
        format!("ktest threads: pinned threads ran on each of {smp} CPUs"),
        format!(r"ktest threads: \d+ spinning threads all ran, on {smp} CPUs"),
        "ktest threads: futex mutex kept 4 threads x 500 increments exact".into(),
        "ktest threads: ok".into(),
        fault(r"page fault \(write, protection\)", "0x200000"),
        "ktest isolate: the scribbler was ended and the victim's memory is intact: ok".into(),
        fault(r"page fault \(read, protection\)", "0x200000"),
        "ktest expect-fault: 'read-kernel' was ended by the kernel: ok".into(),
        fault(r"page fault \(write, protection\)", "0x201000"),
        "ktest expect-fault: 'write-kernel' was ended by the kernel: ok".into(),
        fault(r"invalid opcode \(#UD\)", "pc"),
        "ktest expect-fault: 'undef' was ended by the kernel: ok".into(),
        "ktest kill: a spinning process was ended with status 42: ok".into(),
        r"ktest badcalls: \d+ checks passed".into(),
        "ktest spawnloop: 200 spawn/exit cycles".into(),
        "ktest shm: another namespace's process opening the same name got its own zeroed object; handles without MAP or WRITE were refused".into(),
        r"ktest shm: the child read the pattern at 0xa020000000 \(the parent's at 0xa010000000\) and answered through the shared futex word".into(),
        "ktest shm: the object lives on while a process that mapped it runs".into(),
        r"ktest shm: parent and child ended, free memory \d+ -> \d+ bytes".into(),
        "ktest shm: an unmapped object went with its last handle: 8192 bytes back".into(),
        "ktest shm: ok".into(),
    ];
    if vms {
        // A leak prints a FAIL line of its own, which fails the case.
        let memcheck = |line: &str, status: u32| {
            format!(
                r"ktest memcheck: '{line}' ended with Ok\({status}\), free memory \d+ -> \d+ bytes"
            )
        };
        lines.extend([
            "ktest vmexits: OUT 0x41 to port 0x3f8, IN from port 0x3f8, an MMIO store of the IN's 0x5a at 0xd0000000, an MMIO load at 0xd0000010, VMMCALL with the load's value and CPUID's signature, RDMSR 0x1234, VMMCALL with what RDMSR read in EDX:EAX, a triple fault: ok".into(),
            // Interrupts that came while the guest ran are counted too.
            r"qhv: ktest \(pid \d+\): VM ended after \d+ exits: (\d+ irq, )?2 mmio, 2 pio, 2 hvc, 1 sysreg, 2 other; 8 to qvm".into(),
            memcheck("ktest vmexits", 0),
            "ktest vmirq: the local APIC timer's vector 0x30 woke the halted vCPU, then I/O APIC pin 5's vector 0x31, then in x2APIC mode the TSC-deadline timer's 0x32: ok".into(),
            memcheck("ktest vmirq", 0),
            "ktest vmsmp: vCPU 0's INIT and start-up IPI started vCPU 1 in real mode at 0x8000: ok".into(),
            "ktest vmsmp: an INIT reset the running vCPU 1 and a start-up IPI started it again at 0x9000: ok".into(),
            memcheck("ktest vmsmp", 0),
            r"qhv: ktest \(pid \d+\): VM ended after \d+ exits: .*\d+ mmio; \d+ to qvm".into(),
            memcheck("ktest vmcrash", 256),
        ]);
    }
    lines.extend([STARTUP_DONE.into(), INIT_EXIT_0.into()]);
    lines
}
