//! Where a guest starts: the arm64 `Image` header (so QEMU `-kernel` and
//! the hypervisor's `Image` loader both accept it), a drop to Non-secure
//! EL1 when a board starts it at EL3 or EL2 (`drop_el1.rs`; the level it
//! came at is kept: [`entry_level`]), self-relocation (the image is
//! linked at 0 and runs wherever it was loaded), clearing `.bss`, the
//! MMU, the device tree (its NOP tokens stripped first), and the entry of
//! secondary CPUs started with PSCI `CPU_ON` or released from a spin
//! table.

use crate::dt::{self, Platform, Region};
use crate::{console, cpu, exceptions, mmu, psci};
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

core::arch::global_asm!(
    r#"
.section .text.guest_head, "ax"
.global __guest_start
__guest_start:
"#,
    arch::arm64_image_header!(),
    r#"
1:
    msr     daifset, #0xf
    mov     x19, x0             // device tree
    mrs     x21, CurrentEL      // the level the board started us at
    lsr     x21, x21, #2
    bl      gs_drop_to_el1
    adr     x20, __guest_start  // where we were loaded
"#,
    arch::arm64_relocate_and_clear_bss!(),
    r#"
5:  adrp    x1, __stacks_start
    add     x1, x1, :lo12:__stacks_start
    add     x1, x1, #0x4000     // top of stack slot 0 (GS_STACK_SIZE)
    mov     sp, x1
    mov     x0, x19
    mov     x1, x20
    mov     x2, x21
    mov     x29, #0
    bl      gs_primary_rust
6:  wfe
    b       6b

.section .text
// A CPU released from its spin table (`enable-method = "spin-table"`,
// the Raspberry Pi's way): nothing comes in x0, so its record is the one
// `release_from_spin_table` left in gs_spin_record (cleaned to the point
// of coherency), read with the MMU off.
.global gs_spin_entry
gs_spin_entry:
    adrp    x0, gs_spin_record
    ldr     x0, [x0, :lo12:gs_spin_record]
    b       gs_secondary_entry

// Secondary CPUs: x0 = address of their SecondaryBoot record, cleaned to
// the point of coherency by the CPU that started them. The MMU comes on
// before anything touches the stack.
.global gs_secondary_entry
gs_secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    bl      gs_drop_to_el1
    ldp     x1, x2, [x19]       // stack_top, ttbr0
    ldp     x3, x4, [x19, #16]  // tcr, mair
    ldr     x5, [x19, #32]      // sctlr
    msr     mair_el1, x4
    msr     tcr_el1, x3
    msr     ttbr0_el1, x2
    isb
    tlbi    vmalle1
    ic      iallu
    dsb     nsh
    isb
    msr     sctlr_el1, x5
    isb
    mov     sp, x1
    mov     x0, x19
    mov     x29, #0
    bl      gs_secondary_rust
7:  wfe
    b       7b
"#
);

/// What a secondary CPU starts from (the `CPU_ON` context id points here).
/// The first five fields are read by the assembly above, in this order.
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SecondaryBoot {
    /// Top of its stack.
    pub stack_top: u64,
    /// TTBR0_EL1.
    pub ttbr: u64,
    /// TCR_EL1.
    pub tcr: u64,
    /// MAIR_EL1.
    pub mair: u64,
    /// SCTLR_EL1 (MMU and caches on).
    pub sctlr: u64,
    /// Its guest CPU number.
    pub cpu: u64,
    /// Its main function, a `fn(usize) -> !`.
    pub main: u64,
}

unsafe extern "C" {
    static __guest_start: u8;
    static __image_end: u8;
    static __stacks_start: u8;
    static __stacks_end: u8;
    fn gs_secondary_entry();
    fn gs_spin_entry();
}

unsafe extern "Rust" {
    /// The guest's main function, named with [`crate::entry!`].
    fn __gsupport_main(platform: &'static Platform) -> !;
}

static PLATFORM: spin::Once<Platform> = spin::Once::new();

/// The platform the device tree describes (set before the guest's main).
pub fn platform() -> &'static Platform {
    PLATFORM.get().expect("the platform is read at boot")
}

/// Physical address where secondary CPUs start.
pub(crate) fn secondary_entry_point() -> usize {
    gs_secondary_entry as *const () as usize
}

/// The exception level the board started the boot CPU at.
static ENTRY_LEVEL: AtomicU8 = AtomicU8::new(1);

/// The exception level the board started the guest at (1, 2 or 3; it
/// runs at EL1 whatever it was).
pub fn entry_level() -> u8 {
    ENTRY_LEVEL.load(Ordering::SeqCst)
}

/// The record of the CPU being released from its spin table (one at a
/// time: `smp::start_cpu` waits for each to report in), for
/// `gs_spin_entry`.
#[unsafe(export_name = "gs_spin_record")]
static SPIN_RECORD: AtomicU64 = AtomicU64::new(0);

/// Releases a CPU waiting on the spin-table word at physical `release`
/// (Devicetree Specification 3.8.1, `cpu-release-addr`; Linux's
/// `Documentation/arch/arm64/booting.rst`) to start from the
/// [`SecondaryBoot`] record at `record`: the record's address for
/// `gs_spin_entry`, then that entry point in the word, both cleaned to
/// the point of coherency (the CPU reads them with its MMU and caches
/// off), then SEV.
pub(crate) fn release_from_spin_table(release: usize, record: usize) {
    SPIN_RECORD.store(record as u64, Ordering::SeqCst);
    arch::aarch64::cpu::clean_dcache_range(SPIN_RECORD.as_ptr() as usize, 8);
    let entry = gs_spin_entry as *const () as usize as u64;
    // SAFETY: the device tree's release word of a CPU that waits on it,
    // in RAM the full map covers; an aligned 8-byte store.
    unsafe { core::ptr::write_volatile(release as *mut u64, entry) };
    arch::aarch64::cpu::clean_dcache_range(release, 8);
    // SAFETY: a barrier, then an event for the waiting CPU.
    unsafe { core::arch::asm!("dsb sy", "sev", options(nostack)) };
}

/// The top of the stack of stack slot `slot`, if there is such a slot.
pub(crate) fn stack_top(slot: usize) -> Option<usize> {
    let start = &raw const __stacks_start as usize;
    let end = &raw const __stacks_end as usize;
    let top = start + (slot + 1) * crate::STACK_SIZE;
    (top <= end).then_some(top)
}

/// The flattened device tree's magic number.
const FDT_MAGIC: u32 = 0xd00d_feed;

/// Called by the boot code with the MMU off, on stack slot 0: until the
/// MMU is on, only aligned accesses.
#[unsafe(no_mangle)]
extern "C" fn gs_primary_rust(dtb: usize, base: usize, entry_el: u64) -> ! {
    let image_len = &raw const __image_end as usize - &raw const __guest_start as usize;
    let image = Region {
        start: base,
        end: base + image_len,
    };
    if dtb == 0 || !dtb.is_multiple_of(8) {
        cpu::halt();
    }
    // SAFETY: the boot protocol puts an 8-byte aligned device tree at x0;
    // its header starts with the big-endian magic and total size.
    let (magic, size) = unsafe {
        (
            u32::from_be(core::ptr::read_volatile(dtb as *const u32)),
            u32::from_be(core::ptr::read_volatile((dtb + 4) as *const u32)) as usize,
        )
    };
    if magic != FDT_MAGIC {
        cpu::halt();
    }
    let tree = Region {
        start: dtb,
        end: dtb + size,
    };
    // SAFETY: the boot map covers this image (code, data, stacks) and the
    // device tree, which is all that runs or is read until the full map.
    unsafe { mmu::enable_boot_map(image, tree) };
    cpu::set_index(0);
    exceptions::install();
    ENTRY_LEVEL.store(entry_el as u8, Ordering::SeqCst);

    // SAFETY: the boot map covers the device tree's `size` bytes (RAM,
    // writable), and nothing else refers to them.
    let bytes = unsafe { core::slice::from_raw_parts_mut(dtb as *mut u8, size) };
    // A malformed tree is left as it is, and the parser refuses it.
    let _ = dt::nops::strip(bytes);
    let Ok(parsed) = dt::parse(bytes, dtb, image, cpu::mpidr()) else {
        cpu::halt();
    };
    let platform = PLATFORM.call_once(|| parsed);
    cpu::set_index(platform.boot_cpu);
    // SAFETY: the full map maps the image and the device tree the same way
    // as the boot map, and adds the rest of RAM and the devices.
    unsafe { mmu::enable_full_map(platform, image, tree) };
    psci::init(platform.psci);
    console::init(platform.console);
    cpu::enable_serror();
    // SAFETY: the guest defines `__gsupport_main` with `entry!`.
    unsafe { __gsupport_main(platform) }
}

/// Called by `gs_secondary_entry` with the MMU on and its own stack.
#[unsafe(no_mangle)]
extern "C" fn gs_secondary_rust(boot: &SecondaryBoot) -> ! {
    let cpu = boot.cpu as usize;
    cpu::set_index(cpu);
    exceptions::install();
    crate::gic::init_cpu();
    cpu::enable_serror();
    // SAFETY: `smp::start_cpu` stored a `fn(usize) -> !` here.
    let main: fn(usize) -> ! = unsafe { core::mem::transmute(boot.main as usize) };
    crate::smp::mark_online(cpu);
    main(cpu)
}
