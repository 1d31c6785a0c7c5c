//! Starting the kernel on each CPU: its descriptor tables, local APIC and
//! index, the map of all memory, starting the other CPUs by INIT and
//! start-up IPIs, entering threads, and powering off through ACPI. The
//! [`Boot`] half of the platform.

use super::trap_frame::TrapFrame;
use super::{X86_64, ap_start, cpu, entry, gdt, idt, intid_vector, kernel_map, lapic, tsc};
use crate::board::Firmware;
use crate::platform::{Boot, StartError, Translation};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use x86_64::instructions::port::Port;
use x86_64::registers::model_specific::Msr;

/// GiB of physical memory the kernel's map can cover (one page directory
/// each).
const MAP_GIB: usize = 64;
/// ACPI PM1 control: SLP_EN (bit 13), SLP_TYP at bits 12:10.
const PM1_SLP_EN: u16 = 1 << 13;
const PM1_SLP_TYP_SHIFT: u16 = 10;
/// How long the power may take to go after SLP_EN: half a second (a
/// second over this).
const POWER_OFF_WAIT_DIVISOR: u64 = 2;

#[repr(C, align(4096))]
struct Tables(UnsafeCell<[[u64; 512]; 2 + MAP_GIB]>);
// SAFETY: written once by the boot CPU before the others start.
unsafe impl Sync for Tables {}
static MAP: Tables = Tables(UnsafeCell::new([[0; 512]; 2 + MAP_GIB]));

/// Each CPU's kernel stack top (where traps from ring 3 land).
static STACK_TOPS: [AtomicUsize; gdt::MAX_CPUS] = [const { AtomicUsize::new(0) }; gdt::MAX_CPUS];
/// The top of what the kernel's map covers.
static MAPPED_TOP: AtomicU64 = AtomicU64::new(0);

/// What [`crate::Platform::set_firmware`] recorded.
struct FirmwareCell(UnsafeCell<Firmware>);
// SAFETY: written once by the boot CPU before anything reads it.
unsafe impl Sync for FirmwareCell {}
static FIRMWARE: FirmwareCell = FirmwareCell(UnsafeCell::new(Firmware {
    psci: crate::board::PsciMethod::None,
    startup_page: None,
    acpi_off: None,
}));

/// Records the start-up page and the ACPI power-off (boot CPU, once,
/// before other CPUs start).
pub fn set_firmware(firmware: &Firmware) {
    // SAFETY: only the boot CPU runs; nothing reads it yet.
    unsafe { *FIRMWARE.0.get() = *firmware };
}

fn firmware() -> Firmware {
    // SAFETY: written before any reader runs (`set_firmware`).
    unsafe { *FIRMWARE.0.get() }
}

/// The top of the memory the kernel's map covers (RAM above must stay
/// unused).
pub fn mapped_top() -> u64 {
    MAPPED_TOP.load(Ordering::Relaxed)
}

/// The first PML4 entry of the kernel's map (its first 512 GiB), which
/// every process space shares.
pub fn kernel_slot() -> u64 {
    // SAFETY: written once by the boot CPU in `map_all_memory`, before any
    // space exists; read-only afterwards.
    unsafe { (*MAP.0.get())[0][0] }
}

/// Lets FXSAVE and FXRSTOR move the SSE registers with the x87 ones
/// (CR4.OSFXSR, OSXMMEXCPT; CR0.MP set, EM and TS clear: SDM Vol. 3A
/// 14.1.3): guests' FP/SSE state is switched with them. The kernel and
/// host programs are built without x87 and SSE.
fn enable_fxsave() {
    use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};
    // SAFETY: setting these bits changes only what FP/SSE instructions
    // do, which nothing in the host uses.
    unsafe {
        Cr4::update(|f| *f |= Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE);
        Cr0::update(|f| {
            *f |= Cr0Flags::MONITOR_COPROCESSOR;
            *f &= !(Cr0Flags::EMULATE_COPROCESSOR | Cr0Flags::TASK_SWITCHED);
        });
    }
}

/// The kernel's own PML4 (its map and nothing else): CR3 while a guest's
/// space is the active one, so that no process's table stays in use
/// underneath (it may be torn down meanwhile).
pub fn kernel_root() -> u64 {
    // SAFETY: only the address of the static is taken.
    unsafe { (*MAP.0.get())[0].as_ptr() as u64 }
}

/// Started without VMX or SVM.
pub struct NoVirtualization;

impl core::fmt::Display for NoVirtualization {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(
            "this CPU offers neither SVM with nested paging nor VMX with EPT and unrestricted \
             guest: enable virtualization (AMD-V, VT-x) in the firmware's settings; under QEMU \
             use a CPU model with SVM and NPT (-cpu EPYC), under Bochs one with VMX and EPT \
             (cpu: model=corei7_skylake_x)",
        )
    }
}

impl Boot for X86_64 {
    type KernelMap = u64;

    fn init_cpu(index: usize) {
        if index == 0 {
            STACK_TOPS[0].store(super::start::boot_stack_top(), Ordering::Relaxed);
            // SAFETY: the boot CPU, once, before any CPU loads the IDT;
            // interrupts are masked.
            unsafe {
                idt::init(&[intid_vector::SYSCALL_VECTOR]);
                super::pic8259::disable();
            }
        }
        let stack_top = STACK_TOPS
            .get(index)
            .map_or(0, |s| s.load(Ordering::Relaxed));
        // SAFETY: this CPU, once, as it starts; its stack top was recorded
        // before it started.
        unsafe { gdt::init(index, stack_top) };
        idt::load();
        // SAFETY: once per CPU, interrupts masked.
        unsafe { lapic::init() };
        cpu::set_index(index);
        if index == 0 {
            let (_, rate) = tsc::calibrate(|wait| lapic::count_during(wait));
            lapic::set_timer_rate(rate);
        }
        super::shootdown::online(index);
        enable_fxsave();
        super::guest_entry::init_cpu(index);
    }

    fn map_all_memory(ram: &[(usize, usize)], _fine: &[(usize, usize)]) -> u64 {
        // `fine` is for ARM's memory attributes; x86's come from the
        // firmware's MTRRs (kernel_map.rs).
        let top = ram.iter().map(|&(_, end)| end as u64).max().unwrap_or(0);
        // SAFETY: only the boot CPU runs, and nothing uses these tables
        // yet; they are in the image, identity-mapped below 4 GiB.
        let tables = unsafe { &mut *MAP.0.get() };
        let (head, pds) = tables.split_at_mut(2);
        let (pml4, pdpt) = head.split_at_mut(1);
        let mapped = kernel_map::build(&mut pml4[0], &mut pdpt[0], pds, top, |t| t.as_ptr() as u64);
        MAPPED_TOP.store(mapped, Ordering::Relaxed);
        let root = pml4[0].as_ptr() as u64;
        // The new map covers everything the boot map did (the first 4 GiB)
        // and more, identity-mapped.
        Self::activate(root);
        root
    }

    fn map_all_memory_unprivileged(ram: &[(usize, usize)], fine: &[(usize, usize)]) {
        Self::map_all_memory(ram, fine);
    }

    fn wrong_level_advice(_level: u64) -> impl core::fmt::Display {
        NoVirtualization
    }

    fn boot_stack_top() -> usize {
        super::start::boot_stack_top()
    }

    fn start_cpu(
        hw_id: u64,
        _release: Option<usize>,
        stack_top: usize,
        map: u64,
        index: usize,
    ) -> Result<(), StartError> {
        let slot = STACK_TOPS.get(index).ok_or(ap_start::BAD_PAGE)?;
        slot.store(stack_top, Ordering::Relaxed);
        let page = firmware().startup_page.ok_or(ap_start::BAD_PAGE)?;
        // SAFETY: IA32_EFER exists on every x86-64 CPU.
        let efer = unsafe { Msr::new(entry::IA32_EFER).read() };
        let efer_bits = (efer & (entry::EFER_LME | entry::EFER_NXE)) as u32;
        // SAFETY: the firmware description gives the page to CPU start-up
        // alone; `map` is the kernel's map (in the image, below 4 GiB);
        // the stack is this CPU's.
        unsafe { ap_start::start(hw_id as u32, page, map, stack_top, index as u64, efer_bits) }
    }

    unsafe fn enter(frame: *mut TrapFrame) -> ! {
        if super::guest_cpu::guest_next() {
            // SAFETY: the caller's promise (the frame slot at the stack
            // top); a vCPU is loaded and runs.
            unsafe { super::guest_entry::__x86_enter_guest(frame) }
        }
        // SAFETY: the caller's promise (the frame slot at the stack top).
        unsafe { super::vectors::enter(frame) }
    }

    fn power_off() -> &'static str {
        let Some(off) = firmware().acpi_off else {
            return "no ACPI S5 (sleep type) in the FADT and DSDT";
        };
        let value = |typ: u8| (u16::from(typ & 7) << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN;
        // SAFETY: the FADT names these PM1 control ports; writing SLP_EN
        // with S5's sleep type is ACPI's way to turn the machine off.
        unsafe {
            if let Some(b) = off.pm1b_control {
                Port::<u16>::new(b).write(value(off.sleep_type_b));
            }
            Port::<u16>::new(off.pm1a_control).write(value(off.sleep_type_a));
        }
        // The chipset may take a moment to cut the power (QEMU stops at
        // its next main-loop turn, while this CPU runs on): wait before
        // the caller reports the power-off as failed.
        let until = tsc::now().saturating_add(tsc::hz() / POWER_OFF_WAIT_DIVISOR);
        while tsc::now() < until {
            core::hint::spin_loop();
        }
        "the machine stayed on after ACPI S5"
    }
}
