//! Where the kernel starts: the arm64 `Image` header (so QEMU `-kernel`,
//! U-Boot `booti` and the Raspberry Pi firmware can start it), the move
//! from EL3 to EL2 on boards that start there, self-relocation (the kernel
//! is linked at 0 and runs wherever it was loaded), clearing .bss, the boot
//! map, and the entry of secondary CPUs started through PSCI `CPU_ON` or
//! released from a spin table.

use super::mmu;
use core::cell::UnsafeCell;

core::arch::global_asm!(
    r#"
// EL3 -> EL2h at label \to (x3 scratch): give EL2 the GICv3 system
// registers if there are any, make the lower levels non-secure AArch64
// with HVC enabled, and drop to EL2h with DAIF masked.
.macro EL3_TO_EL2 to
    mrs     x3, id_aa64pfr0_el1
    ubfx    x3, x3, #24, #4
    cbz     x3, 10f
    mov     x3, #0xf
    msr     s3_6_c12_c12_5, x3  // ICC_SRE_EL3: SRE, DFB, DIB, Enable
    isb
10: mov     x3, #0x5b1          // SCR_EL3: NS, RES1[5:4], SMD, HCE, RW
    msr     scr_el3, x3
    mov     x3, #0x3c9          // SPSR: EL2h, DAIF masked
    msr     spsr_el3, x3
    adr     x3, \to
    msr     elr_el3, x3
    eret
.endm

.section .text.head, "ax"
.global _start
_start:
"#,
    crate::arm64_image_header!(),
    r#"
1:
    msr     daifset, #0xf
    mov     x19, x0             // device tree
    adr     x20, _start         // where we were loaded
    mov     x21, #0             // the level entered at, once read
"#,
    crate::arm64_relocate_and_clear_bss!(),
    r#"
5:  adrp    x1, __boot_stack_top
    add     x1, x1, :lo12:__boot_stack_top
    sub     sp, x1, #288        // keep the top frame slot for user state
    mrs     x2, CurrentEL
    lsr     x2, x2, #2
    cbnz    x21, 6f             // back from the drop below
    mov     x21, x2
6:  cmp     x2, #3
    b.ne    7f
    EL3_TO_EL2 5b
7:  adrp    x3, __arch_entry_level
    str     x21, [x3, :lo12:__arch_entry_level]
    mov     x0, x19
    mov     x1, x20
    bl      __arch_primary_rust
8:  wfe
    b       8b

// A CPU released from a spin table (at EL3 on QEMU's raspi4b, at EL2
// from the Pi firmware): the record is the one `release_from_spin_table`
// left in __arch_spin_record (cleaned to the point of coherency), read
// with the MMU off.
.section .text
.global __arch_spin_entry
__arch_spin_entry:
    msr     daifset, #0xf
    mrs     x2, CurrentEL
    lsr     x2, x2, #2
    cmp     x2, #3
    b.ne    11f
    EL3_TO_EL2 11f
11: adrp    x0, __arch_spin_record
    ldr     x0, [x0, :lo12:__arch_spin_record]
    b       __arch_secondary_entry

// Secondary CPUs: x0 = physical address of a SecondaryBoot record, cleaned
// to the point of coherency by the CPU that started us. The MMU comes on
// before anything touches the stack.
.global __arch_secondary_entry
__arch_secondary_entry:
    msr     daifset, #0xf
    ldp     x1, x2, [x0]        // stack_top, ttbr
    ldp     x3, x4, [x0, #16]   // tcr, argument
    ldr     x5, =0xff04
    msr     mair_el2, x5
    msr     tcr_el2, x3
    msr     ttbr0_el2, x2
    isb
    tlbi    alle2
    ic      iallu
    dsb     nsh
    isb
    mrs     x5, sctlr_el2
    mov     x6, #0x100d         // M, C, SA, I
    orr     x5, x5, x6
    msr     sctlr_el2, x5
    isb
    sub     sp, x1, #288        // keep the top frame slot for user state
    mov     x0, x4
    mov     x29, #0
    bl      __kernel_secondary
9:  wfe
    b       9b
"#
);

/// The record a secondary CPU starts from (`CPU_ON` context id).
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, Default)]
pub struct SecondaryBoot {
    /// Top of its kernel stack.
    pub stack_top: u64,
    /// TTBR0_EL2.
    pub ttbr: u64,
    /// TCR_EL2.
    pub tcr: u64,
    /// Passed to `__kernel_secondary`.
    pub argument: u64,
}

#[repr(C, align(4096))]
struct Table(UnsafeCell<[u64; 512]>);

// SAFETY: the boot tables are written only by the boot CPU before any other
// CPU runs, and only read by the MMU afterwards.
unsafe impl Sync for Table {}

const BOOT_L2_TABLES: usize = 4;
static BOOT_L1: Table = Table(UnsafeCell::new([0; 512]));
static BOOT_L2: [Table; BOOT_L2_TABLES] =
    [const { Table(UnsafeCell::new([0; 512])) }; BOOT_L2_TABLES];

unsafe extern "C" {
    static __image_end: u8;
    static _start: u8;
    static __boot_stack_top: u8;
}

/// Top of the boot CPU's stack (its kernel stack from then on).
pub fn boot_stack_top() -> usize {
    &raw const __boot_stack_top as usize
}

unsafe extern "Rust" {
    fn __kernel_main(boot: crate::platform::BootInfo) -> !;
}

const MIB2: usize = 1 << 21;

/// The exception level the boot CPU was entered at (2, or 3 on a board
/// that starts there), written by the boot code with the MMU off, after
/// `.bss` is cleared; read once the kernel runs.
#[unsafe(no_mangle)]
static mut __arch_entry_level: u64 = 0;

/// The exception level the boot CPU was entered at.
pub fn entry_level() -> u64 {
    // SAFETY: written once by the boot code before any Rust code ran;
    // only read since.
    unsafe { core::ptr::read_volatile(&raw const __arch_entry_level) }
}

/// Called from the boot code with the MMU off: only aligned stores, no
/// memset, until the MMU is on.
#[unsafe(no_mangle)]
extern "C" fn __arch_primary_rust(dtb: usize, base: usize, el: u64) -> ! {
    let kernel_end = base + (&raw const __image_end as usize - &raw const _start as usize);
    // SAFETY: the header is at `base`, 8-byte aligned; field image_size is at 16.
    let header_size = unsafe { core::ptr::read_volatile((base + 16) as *const u64) } as usize;
    let image_end = kernel_end.max(base + header_size);
    // SAFETY: the boot protocol puts an 8-byte aligned device tree at x0;
    // its big-endian total size is at offset 4.
    let dtb_size =
        u32::from_be(unsafe { core::ptr::read_volatile((dtb + 4) as *const u32) }) as usize;
    let round = |(s, e): (usize, usize)| (s & !(MIB2 - 1), (e + MIB2 - 1) & !(MIB2 - 1));
    let ranges = [
        round((base, image_end)),
        round((dtb, dtb + dtb_size.max(1))),
    ];
    // SAFETY: nothing else uses the boot tables; this CPU is the only one
    // running.
    let (l1, l2) = unsafe {
        (
            &mut *BOOT_L1.0.get(),
            &mut BOOT_L2.each_ref().map(|t| &mut *t.0.get()),
        )
    };
    mmu::build_identity(l1, l2, &ranges, &[], true, el == 2);
    let pa_range = super::cpu::pa_range();
    // SAFETY: the boot map covers the image (code, data, stack in .bss) and
    // the device tree, identity-mapped.
    unsafe {
        super::cpu::invalidate_dcache_range(BOOT_L1.0.get() as usize, 4096);
        super::cpu::invalidate_dcache_range(BOOT_L2.as_ptr() as usize, BOOT_L2_TABLES * 4096);
        if el == 2 {
            mmu::enable_el2(l1.as_ptr() as u64, mmu::tcr_el2(pa_range));
        } else {
            mmu::enable_el1(l1.as_ptr() as u64, mmu::tcr_el1(pa_range));
        }
    }
    // SAFETY: the kernel defines `__kernel_main`.
    unsafe {
        __kernel_main(crate::platform::BootInfo {
            handoff: crate::platform::Handoff::DeviceTree,
            firmware_table: dtb,
            image_start: base,
            kernel_end,
            image_end,
            level: el,
            hypervisor_level: el == 2,
        })
    }
}

unsafe extern "C" {
    fn __arch_secondary_entry();
    fn __arch_spin_entry();
}

/// Physical address secondary CPUs start at.
pub fn secondary_entry_point() -> usize {
    __arch_secondary_entry as *const () as usize
}

/// The record of the CPU being released from its spin table (one at a
/// time: the boot CPU waits for each to report in).
#[unsafe(no_mangle)]
static mut __arch_spin_record: u64 = 0;

/// Releases a CPU waiting on the spin-table word at physical `release`
/// (Devicetree Specification 3.8.1, `cpu-release-addr`; Linux's
/// `Documentation/arch/arm64/booting.rst` 5): the record's address for it,
/// then the entry point in the word, both cleaned to the point of
/// coherency (the CPU reads them with its MMU and caches off), then SEV.
///
/// # Safety
/// `release` is that CPU's release word, mapped writable by the kernel's
/// map (the kernel runs on an identity map of RAM); the CPU waits on it.
pub unsafe fn release_from_spin_table(release: usize, record: usize) {
    let slot = &raw mut __arch_spin_record;
    // SAFETY: only the boot CPU writes the slot, while no released CPU
    // that could still read it is running (the caller waits for each).
    unsafe { core::ptr::write_volatile(slot, record as u64) };
    super::cpu::clean_dcache_range(slot as usize, 8);
    let entry = __arch_spin_entry as *const () as usize as u64;
    // SAFETY: the caller's word; an aligned 8-byte store.
    unsafe { core::ptr::write_volatile(release as *mut u64, entry) };
    super::cpu::clean_dcache_range(release, 8);
    // SAFETY: barriers and an event.
    unsafe { core::arch::asm!("dsb sy", "sev") };
}
