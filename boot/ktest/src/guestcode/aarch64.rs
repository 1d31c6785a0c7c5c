//! The aarch64 guest programs and the registers they start with.

use abi::aarch64::VcpuRegs;

/// The register set `vcpu_set_regs` takes here.
pub type Regs = VcpuRegs;

core::arch::global_asm!(
    ".section .rodata.ktest_guests, \"a\"",
    ".balign 4",
    // Spins 2000 times, then stores to x1 (an address with nothing
    // there: an MMIO exit), and again.
    ".global ktest_spin_guest",
    "ktest_spin_guest:",
    "1: mov x2, #2000",
    "2: subs x2, x2, #1",
    "   b.ne 2b",
    "   str w2, [x1]",
    "   b 1b",
    ".global ktest_spin_guest_end",
    "ktest_spin_guest_end:",
    // An HVC with the caller's x0 (an HVC exit, or a PSCI call the kernel
    // answers), a load and a store at x10 (MMIO exits unless x10 is RAM),
    // x11 times; then PSCI SYSTEM_OFF (a power-off exit) and again 16
    // times.
    ".global ktest_exit_guest",
    "ktest_exit_guest:",
    "1: hvc #0",
    "   ldr w2, [x10]",
    "   str w2, [x10]",
    "   subs x11, x11, #1",
    "   b.hi 1b",
    "   movz x0, #0x0008",
    "   movk x0, #0x8400, lsl #16",
    "   hvc #0",
    "   mov x11, #16",
    "   b 1b",
    ".global ktest_exit_guest_end",
    "ktest_exit_guest_end:",
);

unsafe extern "C" {
    static ktest_spin_guest: u8;
    static ktest_spin_guest_end: u8;
    static ktest_exit_guest: u8;
    static ktest_exit_guest_end: u8;
}

/// Spins, then an MMIO store to x1; forever.
pub fn spin_guest() -> &'static [u8] {
    super::between(&raw const ktest_spin_guest, &raw const ktest_spin_guest_end)
}

/// HVC with x0, MMIO at x10, x11 times; then SYSTEM_OFF; forever.
pub fn exit_guest() -> &'static [u8] {
    super::between(&raw const ktest_exit_guest, &raw const ktest_exit_guest_end)
}

/// The spin guest's registers: at `pc`, storing to `mmio`.
pub fn spin_regs(pc: u64, mmio: u64) -> VcpuRegs {
    let mut regs = VcpuRegs {
        pc,
        ..VcpuRegs::default()
    };
    regs.x[1] = mmio;
    regs
}

/// Register sets `vcpu_set_regs` must refuse, each with what is wrong.
pub fn bad_regs(pc: u64) -> [(&'static str, VcpuRegs); 2] {
    let at = |pstate| VcpuRegs {
        pc,
        pstate,
        ..Default::default()
    };
    [
        ("vcpu at EL2h", at(0b1001)),
        ("vcpu in AArch32", at(0b1_0011)),
    ]
}
