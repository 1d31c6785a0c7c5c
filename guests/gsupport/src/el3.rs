//! A guest started at EL3 (boot code that leaves the CPU there, as QEMU
//! does for an ELF with `secure=on`) drops to Non-secure EL1 itself
//! (`entry.rs`), but a GIC with the Security Extensions (a GIC-400 on a
//! board whose firmware has not run) resets with every interrupt in
//! Group 0, Secure, which Non-secure EL1 can neither see nor change. Boot
//! firmware puts them in Group 1 from Secure state (the Raspberry Pi's
//! stub does); here, a monitor of the guest's own does it when asked:
//! VBAR_EL3 points at [`gs_el3_vectors`], whose one service, an SMC64
//! with function ID [`GS_SMC_GIC_GROUP1`] (the SMCCC OEM range), writes
//! all ones to the GICD_IGROUPRn of the distributor in x1: register 0
//! (this CPU's SGIs and PPIs, banked) always, the shared ones too when x2
//! is 1 (the boot CPU), which also enables Group 1 in GICD_CTLR; and
//! opens the priority mask (GICC_PMR) of this CPU's interface at x3. A GIC
//! without the Security Extensions (GICD_TYPER bit 10 clear: QEMU's
//! `raspi4b` and `xlnx-zcu102` models) is left as it is. Any other SMC
//! answers NOT_SUPPORTED (-1). GICv3 is not handled: its redistributors
//! would also need waking from Secure state.
//!
//! The handler runs at EL3 with the MMU off: the GIC's registers are
//! Device memory there, each access one aligned 32-bit load or store.

/// The SMC64 function ID of the monitor's one service.
pub const GS_SMC_GIC_GROUP1: u32 = 0xc300_0001;

/// GICD_CTLR, and its Secure view's EnableGrp1 bit (IHI 0048B, 4.3.1):
/// the Non-secure view has EnableGrp1 at bit 0, but `arm-gic` (0.10)
/// sets bit 1, the Secure view's, which a Non-secure write ignores.
const GICD_CTLR: usize = 0x000;
const GICD_CTLR_ENABLE_GRP1: u32 = 1 << 1;
/// GICD_TYPER, and its SecurityExtn bit (IHI 0048B, 4.3.2).
const GICD_TYPER: usize = 0x004;
const GICD_TYPER_SECURITY_EXTN: u32 = 10;
/// GICD_TYPER.ITLinesNumber: the distributor has 32 * (N + 1) lines.
const GICD_TYPER_IT_LINES_NUMBER: u32 = 0x1f;
/// GICD_IGROUPR0 (one bit per interrupt: 1 is Group 1).
const GICD_IGROUPR: usize = 0x080;
/// GICC_PMR (IHI 0048B, 4.4.2), and the mask that lets every priority
/// through. It resets to 0, and while it is in the lower (Secure) half a
/// Non-secure write is ignored: only Secure state can open it.
const GICC_PMR: usize = 0x004;
const GICC_PMR_ALL: u32 = 0xff;
/// ESR_EL3.EC of an SMC from AArch64, and where EC sits.
const ESR_EC_SMC64: u32 = 0x17;
const ESR_EC_SHIFT: u32 = 26;

core::arch::global_asm!(
    r#"
.section .text.gs_el3, "ax"
// VBAR_EL3: 16 entries of 0x80 bytes. Only the synchronous one from a
// lower level in AArch64 (0x400) is expected; anything else stops here.
.balign 0x800
.global gs_el3_vectors
gs_el3_vectors:
    .rept 8
    b       .
    .balign 0x80
    .endr
    b       gs_el3_sync
    .balign 0x80
    .rept 7
    b       .
    .balign 0x80
    .endr

// An exception from below: an SMC64 of the service, or NOT_SUPPORTED.
// x1 = GICD, x2 = 1 for the boot CPU, x3 = GICC. SMCCC lets the callee
// change x0-x17; only x0 and x9-x11 are.
gs_el3_sync:
    mrs     x9, esr_el3
    lsr     x9, x9, #{ec_shift}
    cmp     x9, #{ec_smc64}
    b.ne    .
    movz    w9, #{fid_lo}
    movk    w9, #{fid_hi}, lsl #16
    cmp     w0, w9
    b.ne    3f
    ldr     w9, [x1, #{typer}]
    tbz     w9, #{security_extn}, 2f
    mov     w10, #-1
    str     w10, [x1, #{igroupr}]       // banked: this CPU's SGIs and PPIs
    mov     w11, #{pmr_all}
    str     w11, [x3, #{pmr}]           // banked: this CPU's interface
    cbz     x2, 2f
    ldr     w11, [x1, #{ctlr}]
    orr     w11, w11, #{enable_grp1}
    str     w11, [x1, #{ctlr}]
    and     w9, w9, #{it_lines}
    add     x11, x1, #{igroupr}
1:  cbz     w9, 2f
    add     x11, x11, #4
    str     w10, [x11]                  // 32 shared lines
    sub     w9, w9, #1
    b       1b
2:  mov     x0, #0                      // SUCCESS
    eret
3:  mov     x0, #-1                     // NOT_SUPPORTED
    eret
"#,
    ec_shift = const ESR_EC_SHIFT,
    ec_smc64 = const ESR_EC_SMC64,
    fid_lo = const GS_SMC_GIC_GROUP1 & 0xffff,
    fid_hi = const GS_SMC_GIC_GROUP1 >> 16,
    ctlr = const GICD_CTLR,
    pmr = const GICC_PMR,
    pmr_all = const GICC_PMR_ALL,
    enable_grp1 = const GICD_CTLR_ENABLE_GRP1,
    typer = const GICD_TYPER,
    security_extn = const GICD_TYPER_SECURITY_EXTN,
    igroupr = const GICD_IGROUPR,
    it_lines = const GICD_TYPER_IT_LINES_NUMBER,
);

/// Puts the GICv2 distributor at `gicd`'s interrupts in Group 1 (`all`:
/// the shared ones too, else this CPU's SGIs and PPIs) and opens the
/// priority mask of this CPU's interface at `gicc`, through the monitor,
/// if this guest was entered at EL3; else nothing.
pub(crate) fn gic_to_group1(gicd: usize, gicc: usize, all: bool) {
    if crate::entry::entry_level() != 3 {
        return;
    }
    let mut args = [0u64; 17];
    args[0] = gicd as u64;
    args[1] = u64::from(all);
    args[2] = gicc as u64;
    let _ = smccc::smc64(GS_SMC_GIC_GROUP1, args);
}
