//! The QEMU integration test cases, as data.
//!
//! A case boots an image on a machine and expects console lines in order
//! (regular expressions, searched anywhere in a line). [`Case::new`] starts
//! every case with the kernel banner, checked against the case's machine;
//! add the rest with [`Case::lines`]. To add a case, push one more
//! [`Case`] in [`all`], for example:
//!
//! ```text
//! Case::new("threads-smp4", machine(Cpu::CortexA72, Gic::V3, 4))
//!     .lines(&[STARTUP, r"ktest threads: \d+ threads on 4 CPUs", STARTUP_DONE, INIT_EXIT_0]),
//! ```
//!
//! Options: `.buildfile("boot/boards/other.build")` boots another image,
//! `.timeout(300)` waits longer, `.then(Expect::line(..).group(..))` adds a
//! line with named groups that must have given values.

use std::time::Duration;

use super::linux_bare::LinuxBare;
use super::matcher::Expect;
use crate::qemu::{Cpu, EntryLevel, Gic, Machine};

/// Lines that fail a case wherever they appear (unless the case's next
/// expectation matches them). Regular expressions.
pub const BAD_LINES: &[&str] = &[
    "KERNEL PANIC",
    // A Linux guest's panic: its VM would only hang until the timeout.
    "Kernel panic - not syncing",
    "FAIL",
    "panicked at",
    r"init: '.*' exited with status",
    "init: cannot start",
    "qhv: cannot start",
    "did not start",
    "did not report in",
];

/// The buildfile of the test image, relative to the repository root.
pub const TEST_BUILDFILE: &str = "boot/boards/qemu-virt-test.build";

/// How long a case may take, unless it says otherwise. Generous: the test
/// machine is a shared 2-core box running QEMU in TCG.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The kernel banner. Its groups `cpus` and `chip` (the interrupt
/// controller) are checked against the case's machine.
pub const BANNER: &str = r"qhv: hypervisor kernel at (EL2|ring 0 \((SVM|VMX)\)), (?P<cpus>\d+) CPUs?, (?P<mib>\d+) MiB RAM, (?P<chip>GICv\d|x2APIC|APIC)";
/// `init` starts the startup script.
pub const STARTUP: &str = r"init: running /etc/startup";
/// `init` ran the whole startup script.
pub const STARTUP_DONE: &str = r"init: startup script done";
/// `init` exited with status 0; the kernel then powers off.
pub const INIT_EXIT_0: &str = r"qhv: init exited with status 0";

/// All integration cases.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();

    // Boot matrix: {cortex-a72 (no VHE), max} x {GICv2, GICv3} x {1, 4 CPUs}.
    for cpu in [Cpu::CortexA72, Cpu::Max] {
        for gic in [Gic::V2, Gic::V3] {
            for smp in [1, 4] {
                let short = cpu.name().trim_start_matches("cortex-");
                cases.push(
                    Case::new(
                        format!("boot-{short}-gic{gic}-smp{smp}"),
                        machine(cpu, gic, smp),
                    )
                    .lines(&kernel_tests(cpu, smp)),
                );
            }
        }
    }

    // A CPU without AArch32 at EL1 refuses 32-bit VMs (`ktest vmexits32`).
    cases.push(
        Case::new("boot-a76-gic3-smp2", machine(Cpu::CortexA76, Gic::V3, 2))
            .lines(&kernel_tests(Cpu::CortexA76, 2)),
    );

    // Entry at EL3 (QEMU starts an ELF there with secure=on, an `Image`
    // at EL2: `bare_el3::wrap`): the kernel drops to EL2 itself and says
    // so; one CPU, and no PSCI to power off with (QEMU offers none with
    // secure=on), which the kernel says at the end. This image needs no
    // interrupts: no firmware put them in the Non-secure group
    // (docs/boards.md).
    let mut el3 = machine(Cpu::CortexA72, Gic::V3, 1);
    el3.entry = EntryLevel::El3;
    cases.push(
        Case::bare("entry-el3-a72-gic3", el3)
            .buildfile("boot/boards/qemu-virt-hello.build")
            .lines(&[
                r"^qhv: starting on linux,dummy-virt at EL2 \(entered at EL3\)$",
                r"^qhv: hypervisor kernel at EL2 \(entered at EL3\), 1 CPU, 1024 MiB RAM, GICv3$",
                STARTUP,
                "ktest hello: a host process at EL0",
                STARTUP_DONE,
                r"^qhv: cannot power off \(no PSCI in the device tree\); halting$",
            ]),
    );
    // Entry at EL1: the kernel refuses, saying why.
    let mut el1 = machine(Cpu::CortexA72, Gic::V3, 1);
    el1.entry = EntryLevel::El1;
    cases.push(
        Case::bare("entry-el1-refused", el1)
            .lines(&[r"qhv: started at EL1: this hypervisor must be entered at EL2"]),
    );

    // The test guests booted bare on QEMU virt at EL1, without the
    // hypervisor, as a guest is checked before it is virtualized: each on
    // GICv2 and GICv3 with 1 and 4 CPUs. Each must print its lines and
    // power off.
    for gic in [Gic::V2, Gic::V3] {
        for smp in [1, 4] {
            let mut bare = machine(Cpu::CortexA72, gic, smp);
            bare.entry = EntryLevel::El1;
            for (guest, lines) in bare_guest_lines(gic, smp) {
                cases.push(
                    Case::bare(format!("bare-{guest}-gic{gic}-smp{smp}"), bare.clone())
                        .guest(guest)
                        .timeout(60)
                        .lines(&lines),
                );
            }
        }
    }

    // VMs under qvm: the test guests, a bad configuration and the
    // `unsupported` policies, on GICv2 and GICv3 hosts with 4 and 1 CPUs
    // (the smp guest's 4 vCPUs then share one CPU).
    for cpu in [Cpu::CortexA72, Cpu::Max] {
        for gic in [Gic::V2, Gic::V3] {
            for smp in [4, 1] {
                let short = cpu.name().trim_start_matches("cortex-");
                cases.push(
                    Case::new(
                        format!("vms-{short}-gic{gic}-smp{smp}"),
                        machine(cpu, gic, smp),
                    )
                    .buildfile(VM_BUILDFILE)
                    .lines(&vm_tests(gic)),
                );
            }
        }
    }

    // A stock Debian arm64 kernel with a busybox initramfs under qvm.
    // `max` has SVE, pointer authentication and MTE: the guest must not see
    // them (ID registers are trapped and masked).
    for (cpu, gic) in [
        (Cpu::CortexA72, Gic::V3),
        (Cpu::CortexA72, Gic::V2),
        (Cpu::Max, Gic::V3),
    ] {
        let short = cpu.name().trim_start_matches("cortex-");
        cases.push(
            Case::new(format!("linux-{short}-gic{gic}-smp4"), machine(cpu, gic, 4))
                .buildfile("boot/boards/qemu-virt-linux.build")
                .timeout(300)
                .lines(&[
                    STARTUP,
                    r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0",
                    r"linux: \[ *[0-9.]+\] psci: PSCIv1.0 detected",
                    r"linux: \[ *[0-9.]+\] Run /init as init process",
                ])
                .linux_init(),
        );
    }

    // The 32-bit ARM Linux guest (armhf), bare on QEMU and under qvm.
    cases.extend(super::linux32::cases());

    // Two Linux VMs on a virtio-net `peer` link, on GICv3 and GICv2 hosts.
    cases.push(linux_net(Gic::V3));
    cases.push(linux_net(Gic::V2));

    // Two VMs on one `vdev shmem` region: a message, a reply, doorbells.
    cases.extend(super::shmem::cases());

    // The watchdogs: Linux stops petting, qvm ends the VM (ARM and x86).
    cases.extend(super::watchdog::cases());
    cases.extend(super::wdt_dump::cases());

    // The system-call fuzzer and VM lifecycles, on GICv3 and GICv2 hosts.
    for gic in [Gic::V3, Gic::V2] {
        cases.push(fuzz(gic));
        cases.push(lifecycle(gic));
    }

    // The demo: two VMs side by side; Ctrl-T moves the console input.
    cases.push(console_switch());
    cases.push(demo());

    // A hostile guest beside a well-behaved one, on GICv3 and GICv2 hosts.
    cases.extend(super::hostile::cases());

    // Every vCPU of a 4-vCPU VM at once: MMIO, IPIs and timer interrupts,
    // every answer checked; on 4- and 2-CPU hosts.
    cases.extend(super::stress::cases());

    // `set on-reset restart`: a guest reset starts the VM again.
    cases.extend(super::restart::cases());

    // Host drivers: the PL031 clock driver with and without its grant.
    cases.extend(super::devices::cases());

    // Pass-through: the PL031 clock in a Linux VM.
    cases.extend(super::passthrough::cases());
    cases.extend(super::shell::cases());

    // A persistent disk: a Linux VM's writes on the host virtio-blk
    // driver's disk survive killing QEMU.
    cases.extend(super::persist::cases());

    // The dev boards: QEMU's raspi4b boots the Pi's SD-card image.
    cases.extend(super::boards::cases());
    // The test guests bare on the boards' QEMU models, and entered at EL3.
    cases.extend(super::boards_bare::cases());
    cases.extend(super::bare_el3::cases());

    // The x86_64 host on QEMU's PC with SVM.
    cases.extend(super::x86::cases());

    cases
}

/// Two Linux VMs whose virtio-net cards are linked (`peer`): each pings
/// the other and fetches a 1 MiB file from it with the same checksum, in
/// turn; VM 2 powers off (its qvm ends with 0) while VM 1 and the host go
/// on, then VM 1.
fn linux_net(gic: Gic) -> Case {
    Case::new(
        format!("linux-net-a72-gic{gic}-smp4"),
        machine(Cpu::CortexA72, gic, 4),
    )
    .buildfile("boot/boards/qemu-virt-linux-net.build")
    .timeout(600)
    .lines(&linux_net_lines("linux-net1.qvmconf", "linux-net2.qvmconf"))
}

/// What the two VMs of a network case print (`guests/linux/init` with
/// `qhv.net=1` and `2`), started from `/etc/vm/CONF1` and `CONF2`: each
/// pings the other and fetches 1 MiB from it, VM 2 powers off first.
pub fn linux_net_lines(conf1: &str, conf2: &str) -> Vec<String> {
    let mut lines: Vec<String> = [
        STARTUP,
        r"linux1: linux-init: running, 1 CPUs, 6\.1\.",
        r"linux1: linux-net: ping 169\.254\.1\.2: 4 of 4 replies",
        r"linux1: linux-net: 1048576 bytes from 169\.254\.1\.2, same checksum",
        r"linux2: linux-net: ping 169\.254\.1\.1: 4 of 4 replies",
        r"linux2: linux-net: 1048576 bytes from 169\.254\.1\.1, same checksum",
        "qvm: linux2: the guest powered off",
        r"linux1: linux-net: 169\.254\.1\.2 is gone, powering off",
        "qvm: linux1: the guest powered off",
    ]
    .map(String::from)
    .into();
    // init reports its background jobs in the order it started them.
    for conf in [conf1, conf2] {
        lines.push(format!(
            "init: background job 'shm=net qvm @/etc/vm/{conf}' ended with status 0"
        ));
    }
    lines.push(INIT_EXIT_0.into());
    lines
}

/// `ktest fuzz`: random system calls from 4 threads of a child process
/// (in 4 rounds), then free memory, kernel heap, VMIDs and handles exactly
/// as before, and the host still up.
fn fuzz(gic: Gic) -> Case {
    Case::new(
        format!("fuzz-a72-gic{gic}-smp4"),
        machine(Cpu::CortexA72, gic, 4),
    )
    .buildfile("boot/boards/qemu-virt-fuzz.build")
    .timeout(600)
    .lines(&FUZZ_LINES)
}

/// What `ktest fuzz - N` prints when the host survived it (on every
/// architecture).
pub const FUZZ_LINES: [&str; 6] = [
    STARTUP,
    r"ktest fuzz: seed 0x[0-9a-f]+, \d+ calls, 4 rounds of 4 threads",
    r"ktest fuzz: after \d+ calls: free memory \(\d+ bytes\), VMIDs .* and handles \(\d+\) as before, kernel heap",
    r"ktest fuzz: \d+ calls, seed 0x[0-9a-f]+, host still up",
    STARTUP_DONE,
    INIT_EXIT_0,
];

/// `ktest lifecycle`: a 4-vCPU qvm killed while its vCPUs run and do
/// PL011 I/O, then 99 VMs ended by guest power-off, by killing qvm and by
/// a crashing VMM; everything they held must come back.
fn lifecycle(gic: Gic) -> Case {
    let busy = "busy: smp: 4 CPUs busy with PL011 I/O";
    Case::new(
        format!("lifecycle-a72-gic{gic}-smp4"),
        machine(Cpu::CortexA72, gic, 4),
    )
    .buildfile("boot/boards/qemu-virt-lifecycle.build")
    .timeout(300)
    .lines(&[
        STARTUP,
        busy,
        busy,
        "ktest lifecycle: killed a 4-vCPU qvm while its vCPUs ran and did I/O",
        r"ktest lifecycle: after the kill: free memory \(\d+ bytes\), VMIDs .* and handles \(\d+\) as before, kernel heap",
        "ktest lifecycle: 99 VM start/stop cycles: 33 powered off, 33 qvm killed, 33 VMM crashed",
        r"ktest lifecycle: after the loop: free memory \(\d+ bytes\), VMIDs .* and handles \(\d+\) as before, kernel heap",
        STARTUP_DONE,
        INIT_EXIT_0,
    ])
}

/// Two `ticker` VMs (the `cargo xtask run` demo): lines carry each VM's
/// name, Ctrl-T then a number gives the keyboard to one VM, and typed lines
/// reach only that VM.
fn console_switch() -> Case {
    let line = |p: &str| Expect::line(p);
    Case::new(
        "console-switch-a72-gic3-smp4",
        machine(Cpu::CortexA72, Gic::V3, 4),
    )
    .buildfile("boot/boards/qemu-virt-tickers.build")
    .then(line("ticker2: ticker: up on 2 CPUs"))
    .then(line("ticker1: ticker: tick 1").then_type(b"\x141"))
    .then(line(r"qhv: console input goes to 1: qvm-ticker2 \(pid \d+\)").then_type(b"hello\r"))
    .then(line("ticker2: ticker: you typed 'hello'").then_type(b"\x140"))
    .then(line(r"qhv: console input goes to 0: qvm-ticker1 \(pid \d+\)").then_type(b"q\r"))
    .then(line("ticker1: ticker: powering off"))
    .then(line("qvm: ticker1: the guest powered off"))
    .then(line("ticker2: ticker: tick").then_type(b"q\r"))
    .then(line("ticker2: ticker: powering off"))
    .then(line("qvm: ticker2: the guest powered off"))
    .then(line(INIT_EXIT_0))
}

/// The `cargo xtask run` demo: the host shell, a Linux VM and the `ticker`
/// VM. The keyboard goes to Linux's shell and a command runs; then to the
/// host shell, whose `pidin` shows Linux's two vCPU threads, `pidin irqs`
/// the PL031 clock's interrupt passed to Linux and `pidin syspage=asinfo`
/// the clock's region held by it; Linux powers off, then the ticker, and
/// `exit` ends the host shell.
fn demo() -> Case {
    let line = |p: &str| Expect::line(p);
    Case::new(
        "demo-linux-shell-a72-gic3-smp4",
        machine(Cpu::CortexA72, Gic::V3, 4),
    )
    .buildfile("boot/boards/qemu-virt.build")
    .timeout(300)
    .then(line("ticker1: ticker: up on 1 CPU"))
    .then(line("linux: linux-init: a shell on the console").then_type(b"\x141"))
    .then(
        line(r"qhv: console input goes to 1: qvm-linux \(pid \d+\)")
            .then_type(b"uname -m; grep -c processor /proc/cpuinfo\r"),
    )
    .then(line("^linux: aarch64$"))
    .then(line("^linux: 2$").then_type(b"\x140"))
    .then(line(r"qhv: console input goes to 0: shell \(pid \d+\)").then_type(b"pidin\r"))
    .then(line(r"^\s+\d+\s+\d+ qvm-linux\s+\d+ [A-Z]+\s+\d+ vcpu0$"))
    .then(
        line(r"^\s+\d+\s+\d+ qvm-linux\s+\d+ [A-Z]+\s+\d+ vcpu1$")
            .then_type(b"pidin irqs\r"),
    )
    // The clock passed through: host INTID 34 is the guest's 44.
    .then(
        line(r"^\s+34 passed \d+ qvm-linux\s+\d+\s+\d+\s+44 (no|yes)\s+level$")
            .then_type(b"pidin syspage=asinfo\r"),
    )
    .then(line(
        r"^0x0000000009010000-0x0000000009010fff\s+4K device\s+\d+ qvm-linux \(vm\)\s+/pl031@9010000$",
    ))
    .then(line(
        r"^0x0000000040000000-0x00000000\w+\s+\S+ ram\s+-\s+ram$",
    ))
    .then(line(r"^-\s+\S+ pool\s+-\s+frame pool \(\S+ free\)$").then_type(b"\x141"))
    .then(line(r"qhv: console input goes to 1: qvm-linux \(pid \d+\)").then_type(b"poweroff -f\r"))
    .then(line("qvm: linux: the guest powered off"))
    // With Linux gone the ticker is client 1.
    .then(line(r"qhv: qvm-linux \(pid \d+\): VM ended").then_type(b"\x141"))
    .then(line(r"qhv: console input goes to 1: qvm-ticker1 \(pid \d+\)").then_type(b"q\r"))
    .then(line("qvm: ticker1: the guest powered off").then_type(b"\x140"))
    .then(line(r"qhv: console input goes to 0: shell \(pid \d+\)").then_type(b"exit\r"))
    .then(line(
        "init: background job 'allow=info,slay shell' ended with status 0",
    ))
    .then(line(
        "init: background job 'dev=arm,pl031 irq=34 qvm @/etc/vm/linux-demo.qvmconf' ended with status 0",
    ))
    .then(line(INIT_EXIT_0))
}

/// The buildfile of the VM test image.
pub const VM_BUILDFILE: &str = "boot/boards/qemu-virt-vms.build";

/// What the VM test image's startup script prints on a host with `gic`
/// (the VMs get the host's GIC version), in order.
pub fn vm_tests(gic: Gic) -> Vec<String> {
    let gic_line = match gic {
        Gic::V2 => "hello: hello: GICv2 at 0x2c001000, PSCI 1.0 over hvc",
        Gic::V3 => "hello: hello: GICv3 at 0x2f000000, PSCI 1.0 over hvc",
    };
    [
        STARTUP,
        "hello: hello: running at EL1 on 1 CPUs, PL011 at 0x1c090000",
        gic_line,
        "qvm: hello: the guest powered off",
        r"ktest memcheck: 'qvm @/etc/vm/hello.qvmconf' ended with Ok\(0\), free memory",
        // The QNX-style configuration (implicit GIC version, `logger ...
        // slog`): the same guest.
        "qnx-hello: hello: running at EL1 on 1 CPUs, PL011 at 0x1c090000",
        "qvm: qnx-hello: the guest powered off",
        r"timer: timer: 5 ticks ok",
        "qvm: timer: the guest powered off",
        "smp: smp: 4 CPUs, starting 3 with PSCI CPU_ON over hvc",
        "smp: smp: cpu 3 up, MPIDR 0x3",
        "smp: smp: 4 CPUs, IPIs both ways ok",
        "qvm: smp: the guest powered off",
        "qvm: /etc/vm/bad.conf:5: vdev pl011: 'intr' expects <controller>:<line>, got 'gic37'",
        "init: 'qvm @/etc/vm/bad.conf' exited with status 0x41",
        "faults-fail: faults: read 0x84000000: exception: data abort: synchronous external abort",
        "faults-fail: faults: write 0x84000000: exception: data abort: synchronous external abort",
        "faults-fail: faults: mrs S3_0_C15_C7_7: exception: undefined instruction",
        "qvm: faults-fail: the guest powered off",
        "faults-ignore: faults: read 0x84000000: all ones",
        "faults-ignore: faults: write 0x84000000: no exception: ignored",
        "faults-ignore: faults: mrs S3_0_C15_C7_7: all ones",
        "qvm: faults-ignore: the guest powered off",
        "qvm: faults-abort: read of 4 bytes at 0x84000000 with nothing there .*: ending the VM",
        "init: 'qvm @/etc/vm/faults-abort.qvmconf' exited with status 0x5",
        r"pl011 +0x1c090000-0x1c090fff +intid 37",
        r"qvm: device tree of \d+ bytes",
        "virtio: virtio: 4 devices: blk 0x1c0d0000 intid 41, blk 0x1c0d1000 intid 45, entropy 0x1c0e0000 intid 43, console 0x20000000 intid 42",
        r"virtio: virtio: blk0 read-only disk, \d+ sectors, sector 0 has the Image magic",
        r#"virtio: virtio: blk1 write/read/flush ok, \d+ sectors, id "virtio\.qvmconf""#,
        "virtio: virtio: entropy 128 bytes ok",
        "virtio: virtio: hello through virtio-console",
        r"virtio: virtio: interrupts from all 4 devices \(blk0 \d+, blk1 \d+, entropy \d+, console \d+\)",
        "virtio: virtio: done, powering off",
        "qvm: virtio: the guest powered off",
        STARTUP_DONE,
        INIT_EXIT_0,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// What each test guest prints booted bare on QEMU `virt` (1 GiB of RAM at
/// 0x40000000, PL011 at 0x9000000, GIC at 0x8000000, PSCI over HVC) with
/// GIC `gic` and `smp` CPUs, in order.
pub fn bare_guest_lines(gic: Gic, smp: u32) -> Vec<(&'static str, Vec<String>)> {
    let cpus = if smp == 1 { "CPU" } else { "CPUs" };
    let abort = |access: &str, wnr: &str| {
        format!(
            r"faults: {access} 0x80000000: exception: data abort: synchronous external abort \(ESR 0x960000{wnr}0, FAR 0x80000000\)"
        )
    };
    let mut smp_lines = vec![format!(
        r"smp: {smp} {cpus}, starting {} with PSCI CPU_ON over hvc",
        smp - 1
    )];
    smp_lines.extend((1..smp).map(|i| format!(r"smp: cpu {i} up, MPIDR {i:#x}$")));
    smp_lines.push(format!(r"smp: {smp} {cpus}, IPIs both ways ok"));
    smp_lines.push("smp: powering off".into());
    vec![
        (
            "hello",
            vec![
                format!(r"hello: running at EL1 on {smp} CPUs, PL011 at 0x9000000$"),
                format!(
                    r"hello: GICv{gic} at 0x8000000, PSCI \d+\.\d+ over hvc, RAM 0x40000000\.\.0x80000000"
                ),
                "hello: powering off".into(),
            ],
        ),
        (
            "timer",
            vec![
                format!(
                    r"timer: virtual timer INTID 27, GICv{gic}, CNTFRQ \d+ Hz, period 10000 us"
                ),
                r"timer: 5 ticks ok, intervals( \d+){5} us".into(),
                "timer: powering off".into(),
            ],
        ),
        ("smp", smp_lines),
        (
            "faults",
            vec![
                r"faults: reading 0x80000000 \(outside RAM and devices\)".into(),
                abort("read", "1"),
                "faults: writing 0x80000000".into(),
                abort("write", "5"),
                "faults: reading system register S3_0_C15_C7_7".into(),
                r"faults: mrs S3_0_C15_C7_7: exception: undefined instruction \(ESR 0x2000000\)"
                    .into(),
                "faults: done, powering off".into(),
            ],
        ),
        (
            "stress",
            super::stress::guest_lines(gic, smp, 2000, "0x9000000", false),
        ),
        (
            "bench",
            vec![
                r"bench: CNTFRQ \d+ Hz, 1000 iterations".into(),
                r"bench: empty min \d+ median \d+ mean \d+\.\d\d$".into(),
                r"bench: hvc min \d+ median \d+ mean \d+\.\d\d$".into(),
                r"bench: mmio-read min \d+ median \d+ mean \d+\.\d\d$".into(),
                r"bench: mmio-write min \d+ median \d+ mean \d+\.\d\d$".into(),
                "bench: done, powering off".into(),
            ],
        ),
    ]
}

/// What the test image's startup script (`ktest` in every mode) prints on
/// a machine with `smp` CPUs of type `cpu`, in order.
pub fn kernel_tests(cpu: Cpu, smp: u32) -> Vec<String> {
    // QEMU's cortex-a72 and `max` have AArch32 at EL1; cortex-a76 has it
    // at EL0 only.
    let aarch32 = if cpu == Cpu::CortexA76 {
        "ktest vmexits32: this CPU has no AArch32 at EL1: vm_configure refused with ENOTSUP"
    } else {
        "ktest vmexits32: an A32 store of 0x5a, an A32 load, HVC with the load and ID_PFR0, a 16-bit T32 load, HVC with the T32 load, a load answered with an abort, HVC from the abort handler, SYSTEM_OFF: ok"
    };
    let fault = |access: &str, what: &str| {
        format!(r"qhv: process \d+ \(ktest\) ended: {access}.* at {what}")
    };
    vec![
        STARTUP.into(),
        "ktest hello: a host process at EL0".into(),
        format!("ktest threads: pinned threads ran on each of {smp} CPUs"),
        format!(r"ktest threads: \d+ spinning threads all ran, on {smp} CPUs"),
        "ktest threads: futex mutex kept 4 threads x 500 increments exact".into(),
        "ktest threads: ok".into(),
        fault(r"data abort \(write, translation fault", "0x40000000"),
        "ktest isolate: the scribbler was ended and the victim's memory is intact: ok".into(),
        fault(r"data abort \(read, translation fault", "0x40000000"),
        "ktest expect-fault: 'read-kernel' was ended by the kernel: ok".into(),
        fault(r"data abort \(write, translation fault", "0x40001000"),
        "ktest expect-fault: 'write-kernel' was ended by the kernel: ok".into(),
        fault("undefined instruction", "pc"),
        "ktest expect-fault: 'undef' was ended by the kernel: ok".into(),
        "ktest kill: a spinning process was ended with status 42: ok".into(),
        r"ktest badcalls: \d+ checks passed".into(),
        "ktest spawnloop: 200 spawn/exit cycles".into(),
        "ktest shm: another namespace's process opening the same name got its own zeroed object; handles without MAP or WRITE were refused".into(),
        r"ktest shm: the child read the pattern at 0x2020000000 \(the parent's at 0x2010000000\) and answered through the shared futex word".into(),
        "ktest shm: the object lives on while a process that mapped it runs".into(),
        r"ktest shm: parent and child ended, free memory \d+ -> \d+ bytes".into(),
        "ktest shm: an unmapped object went with its last handle: 8192 bytes back".into(),
        "ktest shm: ok".into(),
        aarch32.into(),
        STARTUP_DONE.into(),
        "init: background job 'ktest late 200' ended with status 0".into(),
        INIT_EXIT_0.into(),
    ]
}

/// A machine with the default 1 GiB of RAM.
pub fn machine(cpu: Cpu, gic: Gic, smp: u32) -> Machine {
    Machine {
        cpu,
        cntfrq: None,
        gic,
        smp,
        mem: "1G".into(),
        entry: EntryLevel::El2,
        one_thread: false,
        disk: None,
    }
}

/// A check of a case's disk file between its boots: what it found (for
/// the log), or why the case fails.
pub type DiskCheck = fn(&std::path::Path) -> Result<String, String>;

/// One integration test: boot `buildfile`'s image on `machine` and see the
/// `expect` lines in order within `timeout`.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique name; also the name of its log, `target/test-logs/<name>.log`.
    pub name: String,
    /// What QEMU emulates.
    pub machine: Machine,
    /// The image's buildfile, relative to the repository root.
    pub buildfile: String,
    /// The expected console lines, in order.
    pub expect: Vec<Expect>,
    /// How long the whole run may take.
    pub timeout: Duration,
    /// A test guest (`guests/<name>`) whose flat image is booted instead
    /// of the buildfile's image.
    pub guest: Option<String>,
    /// QEMU must exit by itself (the guest powers off) after the lines.
    pub powers_off: bool,
    /// Boot a Linux test guest (its kernel and initrd) bare on QEMU
    /// instead of an image.
    pub linux_bare: Option<LinuxBare>,
    /// A fresh zeroed raw disk image of this many MiB for the machine
    /// (`Machine::disk`), `target/test-logs/<name>.disk`.
    pub disk_mib: Option<u64>,
    /// Lines of a second boot: once `expect` matched, QEMU is killed
    /// (SIGKILL, no shutdown) and started again on the same disk.
    pub reboot: Vec<Expect>,
    /// Checks the disk file after the first boot's QEMU is gone: what it
    /// found (for the log), or why the case fails.
    pub disk_check: Option<DiskCheck>,
}

impl Case {
    /// A case booting the test image on `machine`, expecting the kernel
    /// banner with the machine's CPU count and GIC version (on KVM, where
    /// the host's CPU decides between the APIC and x2APIC, the count only).
    pub fn new(name: impl Into<String>, machine: Machine) -> Case {
        let mut banner = Expect::line(BANNER).group("cpus", machine.smp);
        if !machine.cpu.is_kvm() {
            banner = banner.group("chip", machine.chip_name());
        }
        Case {
            name: name.into(),
            machine,
            buildfile: TEST_BUILDFILE.into(),
            expect: vec![banner],
            timeout: DEFAULT_TIMEOUT,
            guest: None,
            powers_off: false,
            linux_bare: None,
            disk_mib: None,
            reboot: Vec::new(),
            disk_check: None,
        }
    }

    /// A case that expects no banner (the kernel does not get that far).
    pub fn bare(name: impl Into<String>, machine: Machine) -> Case {
        Case {
            name: name.into(),
            machine,
            buildfile: TEST_BUILDFILE.into(),
            expect: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            guest: None,
            powers_off: false,
            linux_bare: None,
            disk_mib: None,
            reboot: Vec::new(),
            disk_check: None,
        }
    }

    /// Then expect these lines, in order.
    pub fn lines(mut self, patterns: &[impl AsRef<str>]) -> Case {
        self.expect
            .extend(patterns.iter().map(|p| Expect::line(p.as_ref())));
        self
    }

    /// Then what `guests/linux/init` prints in its default run (on every
    /// architecture: a VM named `linux` with 2 vCPUs and the four virtio
    /// devices, the virtio-console its console device), with a line typed
    /// into the virtio-console, to the power-off and init's end.
    pub fn linux_init(self) -> Case {
        self.linux_init_run("linux: ").lines(&[
            "qvm: linux: the guest powered off",
            STARTUP_DONE,
            INIT_EXIT_0,
        ])
    }

    /// Then what `guests/linux/init` prints in its default run with 2 CPUs
    /// and the four virtio devices, each line after `prefix` (`linux: `
    /// under `qvm`, nothing bare), with a line typed into the
    /// virtio-console, to the kernel's power-down.
    pub fn linux_init_run(self, prefix: &str) -> Case {
        let lines = |patterns: &[&str]| -> Vec<String> {
            patterns.iter().map(|p| format!("{prefix}{p}")).collect()
        };
        self.lines(&lines(&[
            r"linux-init: running, 2 CPUs, 6\.1\.",
            r"linux-init: interrupts: timer 1, virtio 4",
            r"linux-init: read 16384 bytes from /dev/hwrng",
            r"linux-init: disk: 4 MiB file read back with the same checksum",
            r"linux-init: eth0 up, MAC 52:54:00:00:01:02",
        ]))
        // Written to hvc0 after the line above went to the kernel's
        // console (a UART), it may overtake it.
        .then(
            Expect::line(&format!("{prefix}linux-init: hello through virtio-console")).any_order(),
        )
        // Typed keys reach the virtio-console, the VM's console device.
        .then(
            Expect::line(&format!(
                "{prefix}linux-init: type a line on virtio-console"
            ))
            .then_type(b"typed into hvc0\r"),
        )
        .lines(&lines(&[
            r"linux-init: virtio-console read 'typed into hvc0'",
            r"linux-init: powering off",
            r"\[ *[0-9.]+\] reboot: Power down",
        ]))
    }

    /// Then expect this line.
    pub fn then(mut self, expect: Expect) -> Case {
        self.expect.push(expect);
        self
    }

    /// Boot the image of another buildfile (relative to the repository root).
    pub fn buildfile(mut self, path: &str) -> Case {
        self.buildfile = path.into();
        self
    }

    /// Boot the test guest `name` (its image `target/guests/<name>.img`)
    /// instead of a buildfile's image, and expect it to power off.
    pub fn guest(mut self, name: &str) -> Case {
        self.guest = Some(name.into());
        self.powers_off = true;
        self
    }

    /// The guest cannot power off (a board without PSCI): it says so and
    /// parks, and QEMU is stopped once the lines matched.
    pub fn parks(mut self) -> Case {
        self.powers_off = false;
        self
    }

    /// Boot a Linux test guest bare on QEMU (no hypervisor), and expect
    /// it to power off: what the guest sees on the board itself, to
    /// compare with what it sees under `qvm`.
    pub fn linux_bare(mut self, bare: LinuxBare) -> Case {
        self.linux_bare = Some(bare);
        self.powers_off = true;
        self
    }

    /// What the case boots: `guest NAME`, a bare Linux guest, or its
    /// buildfile.
    pub fn image_key(&self) -> String {
        match (&self.guest, &self.linux_bare) {
            (Some(name), _) if self.machine.cpu.is_bochs() => format!("guest {name} (ISO)"),
            (Some(name), _) if self.machine.cpu.is_x86() => format!("guest {name} (x86)"),
            (Some(name), _) if super::bare_el3::boots_at_el3(self) => {
                format!("guest {name} (EL3 ELF)")
            }
            (Some(name), _) if let Some(board) = self.machine.cpu.sd_board() => {
                format!("guest {name} on the {} SD card", board.name())
            }
            (Some(name), _) => format!("guest {name}"),
            (None, None) if let Some(board) = self.machine.cpu.sd_board() => {
                format!("the {} SD card of {}", board.name(), self.buildfile)
            }
            (None, Some(bare)) => bare.image_key(),
            // Bochs boots a GRUB ISO of the image, not the ELF.
            (None, None) if self.machine.cpu.is_bochs() => format!("{} (ISO)", self.buildfile),
            // Entered at EL3 through an ELF of the image.
            (None, None) if self.machine.entry == EntryLevel::El3 => {
                format!("{} (EL3 ELF)", self.buildfile)
            }
            (None, None) => self.buildfile.clone(),
        }
    }

    /// Give the machine a fresh zeroed disk of `mib` MiB.
    pub fn disk(mut self, mib: u64) -> Case {
        self.disk_mib = Some(mib);
        self
    }

    /// After the first boot, check the disk file with `check`.
    pub fn disk_check(mut self, check: DiskCheck) -> Case {
        self.disk_check = Some(check);
        self
    }

    /// After the lines so far, kill QEMU and boot again (same disk),
    /// expecting the kernel banner and then `patterns`.
    pub fn reboot(mut self, patterns: &[impl AsRef<str>]) -> Case {
        self.reboot = vec![self.expect[0].clone()];
        self.reboot
            .extend(patterns.iter().map(|p| Expect::line(p.as_ref())));
        self
    }

    /// QEMU arguments the case adds to the machine's: a bare Linux
    /// guest's initrd, command line and devices.
    pub fn extra_qemu_args(&self, root: &std::path::Path) -> Vec<String> {
        self.linux_bare
            .as_ref()
            .map_or_else(Vec::new, |bare| bare.qemu_args(root))
    }

    /// Why the case cannot run on this host, if it cannot: a case on KVM
    /// (`-accel kvm -cpu host`) needs KVM with nested virtualization
    /// ([`crate::accel::check`]).
    pub fn why_skipped(&self) -> Option<String> {
        let cpu = self.machine.cpu;
        if !cpu.is_kvm() {
            return None;
        }
        crate::accel::check(cpu.arch(), true).err()
    }

    /// Allow this many seconds instead of [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, seconds: u64) -> Case {
        self.timeout = Duration::from_secs(seconds);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    #[test]
    fn cases_are_well_formed() {
        let cases = all();
        let count = |f: fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
        assert_eq!(count(|c| c.guest.is_none() && c.linux_bare.is_none()), 73);
        assert_eq!(count(|c| c.machine.cpu.is_x86()), 22);
        assert_eq!(count(|c| c.machine.cpu.is_kvm()), 1);
        assert_eq!(count(|c| c.guest.is_some()), 39);
        assert_eq!(count(|c| c.linux_bare.is_some()), 3);
        let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cases.len(), "case names must be unique");
        for case in &cases {
            case.machine.validate().unwrap();
            assert!(!case.expect.is_empty());
            assert!(
                crate::build::root().join(&case.buildfile).is_file(),
                "{}: no {}",
                case.name,
                case.buildfile
            );
            let safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            assert!(case.name.chars().all(safe), "{}", case.name);
        }
        assert!(names.contains(&"boot-a72-gic3-smp4"));
        assert!(names.contains(&"boot-max-gic2-smp1"));
        assert!(names.contains(&"bare-smp-gic2-smp4"));
        for case in cases
            .iter()
            .filter(|c| c.guest.is_some() && c.machine.cpu.is_x86())
        {
            let guest = case.guest.as_deref().unwrap();
            if guest != crate::x86::HWCHECK {
                crate::guests::check_x86_name(guest).unwrap();
            }
        }
        for case in cases
            .iter()
            .filter(|c| c.guest.is_some() && !c.machine.cpu.is_x86())
        {
            crate::guests::check_name(case.guest.as_deref().unwrap()).unwrap();
            // On `virt` at EL1 (or EL3, through an ELF); a board model
            // starts the guest as it starts a kernel, and the Pi's guests
            // park (no PSCI).
            if super::super::bare_el3::boots_at_el3(case) {
                // QEMU offers no PSCI to a guest it starts at EL3.
                assert!(!case.powers_off, "{}", case.name);
            } else if case.machine.cpu.sd_board().is_none() {
                assert!(case.powers_off, "{}", case.name);
                assert_eq!(case.machine.entry, EntryLevel::El1, "{}", case.name);
            } else {
                assert_eq!(
                    case.powers_off,
                    case.machine.cpu != Cpu::Raspi4b,
                    "{}",
                    case.name
                );
            }
        }
        for bad in BAD_LINES {
            Regex::new(bad).unwrap();
        }
    }

    #[test]
    fn the_kvm_case_takes_either_backend_and_interrupt_controller() {
        let case = all()
            .into_iter()
            .find(|c| c.name == "x86-kvm-boot-smp2")
            .unwrap();
        assert!(case.machine.cpu.is_kvm() && case.machine.cpu.is_x86());
        let banner = &case.expect[..1];
        for line in [
            "qhv: hypervisor kernel at ring 0 (VMX), 2 CPUs, 510 MiB RAM, x2APIC",
            "qhv: hypervisor kernel at ring 0 (SVM), 2 CPUs, 510 MiB RAM, APIC",
        ] {
            assert_eq!(check(banner, &[], [line]), Ok(()), "{line}");
        }
        let four = "qhv: hypervisor kernel at ring 0 (SVM), 4 CPUs, 510 MiB RAM, APIC";
        assert!(check(banner, &[], [four]).is_err());
        // The TCG cases still check the interrupt controller.
        let epyc = all()
            .into_iter()
            .find(|c| c.name == "x86-boot-epyc-smp1")
            .unwrap();
        let x2 = "qhv: hypervisor kernel at ring 0 (SVM), 1 CPU, 510 MiB RAM, x2APIC";
        assert!(check(&epyc.expect[..1], &[], [x2]).is_err());
        assert!(
            all()
                .iter()
                .all(|c| c.why_skipped().is_none() || c.machine.cpu.is_kvm())
        );
    }

    #[test]
    fn a_boot_case_passes_on_a_recorded_console() {
        let case = all()
            .into_iter()
            .find(|c| c.name == "boot-a72-gic3-smp4")
            .unwrap();
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        // The console of a real passing run.
        let good: Vec<&str> = include_str!("testdata/boot-a72-gic3-smp4.log")
            .lines()
            .collect();
        assert_eq!(check(&case.expect, &bad, good.iter().copied()), Ok(()));
        let one_cpu: Vec<String> = good.iter().map(|l| l.replace("4 CPUs", "1 CPU")).collect();
        assert!(check(&case.expect, &bad, one_cpu.iter().map(String::as_str)).is_err());
        let mut failing = good.clone();
        failing.insert(10, "init: 'ktest badcalls' exited with status 0x1");
        assert!(check(&case.expect, &bad, failing.iter().copied()).is_err());
        let truncated = &good[..good.len() - 3];
        assert!(check(&case.expect, &bad, truncated.iter().copied()).is_err());
    }

    #[test]
    fn bare_guest_cases_pass_on_recorded_consoles() {
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        // Consoles of real passing runs.
        let consoles = [
            (
                "bare-hello-gic3-smp1",
                "hello: running at EL1 on 1 CPUs, PL011 at 0x9000000\n\
                 hello: GICv3 at 0x8000000, PSCI 1.1 over hvc, RAM 0x40000000..0x80000000, image at 0x40200000\n\
                 hello: powering off",
            ),
            (
                "bare-timer-gic2-smp1",
                "timer: virtual timer INTID 27, GICv2, CNTFRQ 62500000 Hz, period 10000 us\n\
                 timer: 5 ticks ok, intervals 10490 10088 10151 10083 10073 us\n\
                 timer: powering off",
            ),
            (
                "bare-smp-gic2-smp4",
                "smp: 4 CPUs, starting 3 with PSCI CPU_ON over hvc\n\
                 smp: cpu 1 up, MPIDR 0x1\n\
                 smp: cpu 2 up, MPIDR 0x2\n\
                 smp: cpu 3 up, MPIDR 0x3\n\
                 smp: 4 CPUs, IPIs both ways ok\n\
                 smp: powering off",
            ),
            (
                "bare-faults-gic3-smp1",
                "faults: reading 0x80000000 (outside RAM and devices)\n\
                 faults: read 0x80000000: exception: data abort: synchronous external abort (ESR 0x96000010, FAR 0x80000000)\n\
                 faults: writing 0x80000000\n\
                 faults: write 0x80000000: exception: data abort: synchronous external abort (ESR 0x96000050, FAR 0x80000000)\n\
                 faults: reading system register S3_0_C15_C7_7\n\
                 faults: mrs S3_0_C15_C7_7: exception: undefined instruction (ESR 0x2000000)\n\
                 faults: done, powering off",
            ),
            (
                "bare-bench-gic3-smp4",
                "bench: CNTFRQ 62500000 Hz, 1000 iterations, counter ticks per round trip\n\
                 bench: empty min 5 median 5 mean 5.02\n\
                 bench: hvc min 11 median 12 mean 11.61\n\
                 bench: mmio-read min 22 median 23 mean 22.70\n\
                 bench: mmio-write min 23 median 24 mean 23.49\n\
                 bench: done, powering off",
            ),
        ];
        let cases = all();
        for (name, console) in consoles {
            let case = cases.iter().find(|c| c.name == name).unwrap();
            assert_eq!(check(&case.expect, &bad, console.lines()), Ok(()), "{name}");
            let cut: Vec<&str> = console.lines().take(2).collect();
            assert!(check(&case.expect, &bad, cut).is_err(), "{name}");
        }
        let smp = cases
            .iter()
            .find(|c| c.name == "bare-smp-gic3-smp4")
            .unwrap();
        let failing = [
            "smp: 4 CPUs, starting 3 with PSCI CPU_ON over hvc",
            "smp: FAIL: cpu 1 did not start",
        ];
        assert!(check(&smp.expect, &bad, failing).is_err());
    }
}
