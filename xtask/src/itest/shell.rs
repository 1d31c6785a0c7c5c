//! The host shell case (`boot/boards/qemu-virt-shell.build`): `ktest
//! introspect` first checks the introspection calls; then, at the shell's
//! prompt, `pidin` shows the threads with the VM's vCPU thread labelled,
//! `pidin irqs` the kernel's interrupts and the GPIO's passed to the VM,
//! `pidin syspage=asinfo` the GPIO region held by the VM, `pidin mem` it
//! in the VM's guest-physical map; a VM started from the prompt runs and
//! `slay` ends it (its end reported as a job's), a pid that is not there
//! is an error, `slay` of the passing VM gives the GPIO back, and `exit`
//! ends the shell so `init` can finish.
//!
//! The dump case (`boot/boards/qemu-virt-shell-dump.build`): the shell's
//! `dump` asks a running VM's `qvm` for a core (a pulse); it writes the
//! core to the host block driver's disk and the guest goes on ticking;
//! xtask reads the core back from the disk file.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use super::matcher::Expect;
use super::wdt_dump::WantedCore;
use crate::qemu::{Cpu, Gic};

/// The buildfile the case boots.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-shell.build";
/// The dump case's.
pub const DUMP_BUILDFILE: &str = "boot/boards/qemu-virt-shell-dump.build";

/// The dump case's VM (`boot/vm/ticker-dump.qvmconf`): 32 MiB of RAM at
/// the ARM default, one vCPU, the ticker guest's text in it.
const TICKER_CORE: WantedCore = WantedCore {
    ram: (0x8000_0000, 32 << 20),
    vcpus: 1,
    text: b"ticker: up on",
    text_name: "the ticker's text",
    kernel_pc: false,
};

/// The dump case's core check.
fn ticker_core(disk: &std::path::Path) -> Result<String, String> {
    super::wdt_dump::check(disk, &TICKER_CORE)
}

/// `dump` at the shell's prompt: the core on the disk, the guest still
/// ticking after it, a name that is no process refused.
fn dump_case() -> Case {
    let line = |p: &str| Expect::line(p);
    let core_bytes = 4096 + (32u64 << 20);
    Case::new(
        "shell-dump-a72-gic3-smp2",
        machine(Cpu::CortexA72, Gic::V3, 2),
    )
    .buildfile(DUMP_BUILDFILE)
    .disk(40)
    .disk_check(ticker_core)
    .timeout(240)
    .lines(&[STARTUP, STARTUP_DONE])
    // The shell, started last, has the console's input.
    .then(line("tickerd: ticker: tick 1").then_type(b"dump nosuch\r"))
    .then(line(r"^dump: nosuch: no such process$").then_type(b"dump qvm-tickerd\r"))
    .then(line(r"^dump: asked process \d+ for a core dump$").any_order())
    // After the shell's next prompt, on the same line.
    .then(
        line(&format!(
            r"qvm: tickerd: dump requested: wrote core /dev/vblk0 \({core_bytes} bytes, 1 vCPUs\)$"
        ))
        .any_order(),
    )
    // The guest goes on after the dump.
    .then(line(r"tickerd: ticker: tick \d+"))
}

/// The GPIO's row of `pidin syspage=asinfo`, held by `owner`.
fn gpio_area(owner: &str) -> String {
    format!(r"^0x0000000009030000-0x0000000009030fff\s+4K device\s+{owner}\s+/pl061@9030000$")
}

/// The case.
pub fn cases() -> Vec<Case> {
    let line = |p: &str| Expect::line(p);
    let case = Case::new("shell-pidin-a72-gic3-smp2", machine(Cpu::CortexA72, Gic::V3, 2))
        .buildfile(BUILDFILE)
        .timeout(240)
        .lines(&[
            STARTUP,
            r"^ktest introspect: \d+ threads, \d+ interrupts, \d+ memory areas; checks passed$",
            STARTUP_DONE,
        ])
        .then(line("gpio: ticker: tick 1").then_type(b"\x140"))
        .then(line(r"qhv: console input goes to 0: shell \(pid \d+\)").then_type(b"pidin\r"))
        .then(line(r"^\s+pid\s+tid name\s+prio STATE\s+cpu$"))
        .then(line(r"^\s+1\s+1 init\s+10 WAIT\s+\d+$"))
        .then(line(r"^\s+\d+\s+1 shell\s+10 RUNNING\s+\d+$"))
        .then(line(r"^\s+\d+\s+\d+ qvm-gpio\s+\d+ [A-Z]+\s+\d+ vcpu0$").then_type(b"pidin irqs\r"))
        .then(line(r"^intid kind\s+owner\s+count cpu\s+virq masked trigger$"))
        .then(line(r"^\s+27 kernel kernel\s+-\s+0\s+- no\s+level$"))
        .then(
            line(r"^\s+39 passed \d+ qvm-gpio\s+\d+\s+\d+\s+41 (no|yes)\s+level$")
                .then_type(b"pidin syspage=asinfo\r"),
        )
        .then(line(&gpio_area(r"\d+ qvm-gpio \(vm\)")))
        .then(line(r"^0x0000000040000000-0x000000007fffffff\s+1G ram\s+-\s+ram$"))
        .then(line(r"\s+kernel\s+kernel\s+kernel image and bootfs$"))
        .then(line(r"^-\s+\d+(\.\d)?[KMG] pool\s+-\s+frame pool \(\S+ free\)$").then_type(b"pidin mem\r"))
        .then(line(r"^\s+\d+ qvm-gpio$"))
        .then(line(r"^\s+own\s+0x0000200000-\S+\s+0x[0-9a-f]+\s+\S+ r-x ram$"))
        .then(
            line(r"^\s+vm0\s+0x001c0b0000-0x001c0b0fff 0x0009030000\s+4K rw- device /pl061@9030000$"),
        )
        .then(
            line(r"^\s+vm0\s+0x0080000000-0x0081ffffff 0x[0-9a-f]+\s+32M rwx ram$")
                .then_type(b"qvm @/etc/vm/ticker1.qvmconf &\r"),
        )
        .then(line(r"\[\d+\]$"))
        .then(line("ticker1: ticker: up on 1 CPU").then_type(b"slay qvm-ticker1\r"))
        .then(
            line(r"^shell: 'qvm @/etc/vm/ticker1\.qvmconf' exited with status 0x101$")
                .then_type(b"slay 999\r"),
        )
        .then(line(r"^slay: 999: ENOENT$").then_type(b"slay qvm-gpio\r"))
        .then(
            line(r"^qhv: qvm-gpio \(pid \d+\): VM ended after \d+ exits")
                .then_type(b"pidin syspage=asinfo\r"),
        )
        .then(line(&gpio_area("-")).then_type(b"exit\r"))
        // `init` waits for its background jobs in order: the shell first.
        .then(line(
            r"^init: background job 'dev=arm,pl031 irq=34 allow=info,slay shell' ended with status 0$",
        ))
        // A killed job's status is reported as a failure.
        .then(line(
            r"^init: 'dev=arm,pl061 irq=39 qvm @/etc/vm/ticker-gpio\.qvmconf' exited with status 0x101$",
        ))
        .then(line(INIT_EXIT_0));
    vec![case, dump_case()]
}
