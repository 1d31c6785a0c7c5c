//! Each CPU's global descriptor table and task-state segment (Intel SDM
//! Vol. 3A 3.4.5, 8.7 "Task Management in 64-bit Mode"). The selectors
//! follow what SYSCALL and SYSRET derive from IA32_STAR (SDM Vol. 2B,
//! SYSRET): kernel code, kernel data, then user data before user code.
//! The TSS gives the stack a trap from ring 3 lands on (RSP0: the top of
//! the CPU's kernel stack, where the frame slot is) and a separate stack
//! for double faults and NMIs, so that a kernel stack overflow still
//! reports.

use super::entry::{KERNEL_CODE_SELECTOR, KERNEL_DATA_SELECTOR};
use super::trap_frame::{USER_CODE_SELECTOR, USER_DATA_SELECTOR};
use core::cell::UnsafeCell;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::registers::segmentation::SegmentSelector;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable};
use x86_64::structures::tss::TaskStateSegment;

/// Most CPUs with their own tables.
pub const MAX_CPUS: usize = 64;
/// The TSS selector (after the four segments).
pub const TSS_SELECTOR: u16 = 0x28;
/// The interrupt-stack-table slot (1-based in the IDT gate) of double
/// faults and NMIs.
pub const EMERGENCY_IST: u16 = 1;
/// Bytes of each CPU's emergency stack.
const EMERGENCY_STACK_SIZE: usize = 8192;

struct PerCpu {
    gdt: GlobalDescriptorTable<8>,
    tss: TaskStateSegment,
    emergency_stack: [u8; EMERGENCY_STACK_SIZE],
}

#[repr(align(16))]
struct Tables(UnsafeCell<[PerCpu; MAX_CPUS]>);
// SAFETY: CPU `n` writes only entry `n`, once, as it starts (`init`); the
// processor reads them afterwards.
unsafe impl Sync for Tables {}
static TABLES: Tables = Tables(UnsafeCell::new(
    [const {
        PerCpu {
            gdt: GlobalDescriptorTable::empty(),
            tss: TaskStateSegment::new(),
            emergency_stack: [0; EMERGENCY_STACK_SIZE],
        }
    }; MAX_CPUS],
));

/// Loads CPU `cpu`'s GDT and TSS, with traps from ring 3 landing below
/// `stack_top`.
///
/// # Safety
/// Called once per CPU, by that CPU, before it takes a trap from ring 3;
/// `cpu` < [`MAX_CPUS`].
pub unsafe fn init(cpu: usize, stack_top: usize) {
    // SAFETY: only this CPU touches entry `cpu` (the caller's promise).
    let this = unsafe { &mut (*TABLES.0.get())[cpu] };
    this.tss.privilege_stack_table[0] = VirtAddr::new(stack_top as u64);
    let emergency_top = this.emergency_stack.as_ptr_range().end as u64 & !15;
    this.tss.interrupt_stack_table[EMERGENCY_IST as usize - 1] = VirtAddr::new(emergency_top);
    let mut gdt = GlobalDescriptorTable::empty();
    let code = gdt.append(Descriptor::kernel_code_segment());
    let data = gdt.append(Descriptor::kernel_data_segment());
    let user_data = gdt.append(Descriptor::user_data_segment());
    let user_code = gdt.append(Descriptor::user_code_segment());
    // SAFETY: the TSS is static and stays put.
    let tss = gdt.append(unsafe { Descriptor::tss_segment_unchecked(&raw const this.tss) });
    debug_assert_eq!(code.0, KERNEL_CODE_SELECTOR);
    debug_assert_eq!(data.0, KERNEL_DATA_SELECTOR);
    debug_assert_eq!(u64::from(user_data.0), USER_DATA_SELECTOR);
    debug_assert_eq!(u64::from(user_code.0), USER_CODE_SELECTOR);
    debug_assert_eq!(tss.0, TSS_SELECTOR);
    this.gdt = gdt;
    // SAFETY: the table is static; the selectors name its segments, which
    // are the boot GDT's for the kernel, so the running code stays valid.
    unsafe {
        this.gdt.load_unsafe();
        CS::set_reg(SegmentSelector(KERNEL_CODE_SELECTOR));
        DS::set_reg(SegmentSelector(KERNEL_DATA_SELECTOR));
        ES::set_reg(SegmentSelector(KERNEL_DATA_SELECTOR));
        SS::set_reg(SegmentSelector(KERNEL_DATA_SELECTOR));
        load_tss(SegmentSelector(TSS_SELECTOR));
    }
}

/// Moves where this CPU's traps from ring 3 land (RSP0).
///
/// # Safety
/// `cpu` is this CPU, [`init`] ran on it, and `stack_top` is the top of
/// a kernel stack it owns.
pub unsafe fn set_kernel_stack(cpu: usize, stack_top: usize) {
    // SAFETY: only this CPU touches its TSS (the caller's promise).
    unsafe {
        (*TABLES.0.get())[cpu].tss.privilege_stack_table[0] = VirtAddr::new(stack_top as u64)
    };
}
