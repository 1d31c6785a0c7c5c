//! Running a VMX vCPU on this CPU: VMX turned on per CPU with what the
//! CPU allows read once (the controls, the fixed CR bits, VPID and the
//! INVEPT types), a vCPU's VMCS made current when it is loaded and
//! cleared when it is saved (so that it may move to another CPU: SDM Vol.
//! 3C 25.11.1), and one guest entry with its exit (`guest_entry.rs` runs
//! the loop).
//!
//! TLBs (SDM 29.4): with EPT, what the processor caches of a guest is
//! tagged with the EPTP (guest-physical and combined mappings) and, with
//! VPID, survives entries and exits. A CPU flushes with INVEPT (and
//! INVVPID) before an entry after a shootdown marked its guest TLB stale
//! (`guest_cpu.rs`), and when it runs another vCPU than last time or the
//! vCPU ran elsewhere since (whose guest may have changed its own tables
//! there).

use super::run::{self, CurrentVmcs, GuestRegisters};
use super::state::{CrFixed, VmxVcpu};
use super::sync::{self, Controls};
use super::vcpu::{Capabilities, VmcsAccess};
use crate::x86_64::ept;
use crate::x86_64::gdt::MAX_CPUS;
use crate::x86_64::guest_cpu;
use crate::x86_64::lapic;
use crate::x86_64::shootdown;
use crate::x86_64::trap_frame::TrapFrame;
use crate::x86_64::tsc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use x86::vmx::vmcs::{control, guest, host, ro};
use x86_64::registers::model_specific::Msr;

/// Capability MSRs (SDM A.1-A.10): basic, the TRUE_ control ones (where
/// IA32_VMX_BASIC bit 55 says they exist) and the plain ones, the fixed
/// CR bits, the secondary controls, EPT and VPID.
const IA32_VMX_BASIC: u32 = 0x480;
const IA32_VMX_PINBASED_CTLS: u32 = 0x481;
const IA32_VMX_PROCBASED_CTLS: u32 = 0x482;
const IA32_VMX_EXIT_CTLS: u32 = 0x483;
const IA32_VMX_ENTRY_CTLS: u32 = 0x484;
const IA32_VMX_MISC: u32 = 0x485;
/// IA32_VMX_MISC bits 4:0: the VMX-preemption timer counts once every
/// 2^N TSC ticks (SDM A.6).
const MISC_PREEMPTION_RATE: u64 = 0x1F;
const IA32_VMX_CR0_FIXED0: u32 = 0x486;
const IA32_VMX_CR0_FIXED1: u32 = 0x487;
const IA32_VMX_CR4_FIXED0: u32 = 0x488;
const IA32_VMX_CR4_FIXED1: u32 = 0x489;
const IA32_VMX_PROCBASED_CTLS2: u32 = 0x48B;
const IA32_VMX_EPT_VPID_CAP: u32 = 0x48C;
const IA32_VMX_TRUE_PINBASED_CTLS: u32 = 0x48D;
const IA32_VMX_TRUE_PROCBASED_CTLS: u32 = 0x48E;
const IA32_VMX_TRUE_EXIT_CTLS: u32 = 0x48F;
const IA32_VMX_TRUE_ENTRY_CTLS: u32 = 0x490;
/// IA32_VMX_BASIC bit 55: the TRUE_ capability MSRs exist.
const BASIC_TRUE_CONTROLS: u64 = 1 << 55;
/// IA32_VMX_EPT_VPID_CAP (SDM A.10): a page walk of length 4 (bit 6),
/// write-back EPT structures (bit 14), INVEPT (bit 20) with its
/// all-context type (bit 26), INVVPID (bit 32) with its all-context type
/// (bit 42).
const EPT_CAP_WALK_4: u64 = 1 << 6;
const EPT_CAP_WB: u64 = 1 << 14;
const EPT_CAP_INVEPT: u64 = 1 << 20;
const EPT_CAP_INVEPT_ALL: u64 = 1 << 26;
const VPID_CAP_INVVPID: u64 = 1 << 32;
const VPID_CAP_INVVPID_ALL: u64 = 1 << 42;
/// INVEPT and INVVPID type 2: all contexts.
const INVALIDATE_ALL_CONTEXTS: u64 = 2;
/// IA32_EFER and IA32_PAT, loaded on every exit from the host fields.
const IA32_EFER: u32 = 0xC000_0080;
const IA32_PAT: u32 = 0x277;
/// The table address bits of a guest root (`guest_entry::GUEST_ROOT`).
const ROOT_TABLE: u64 = 0x000f_ffff_ffff_f000;

/// One 4 KiB page the processor owns (a CPU's VMXON region).
#[repr(C, align(4096))]
struct Page(UnsafeCell<[u8; 4096]>);
// SAFETY: each CPU uses only its own page, which only the processor
// writes after VMXON.
unsafe impl Sync for Page {}

static VMXON: [Page; MAX_CPUS] = [const { Page(UnsafeCell::new([0; 4096])) }; MAX_CPUS];

/// What the boot CPU found: VMX usable, VPID used, the controls and the
/// fixed CR bits (every CPU of a machine reports the same).
static READY: AtomicBool = AtomicBool::new(false);
static VPID: AtomicBool = AtomicBool::new(false);
static CONTROLS: [AtomicU32; 5] = [const { AtomicU32::new(0) }; 5];
static FIXED: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
/// The VMX-preemption timer's rate: TSC ticks per count, as a power of 2.
static PREEMPTION_SHIFT: AtomicU32 = AtomicU32::new(0);
/// The vCPU each CPU last entered.
static LAST_VCPU: [AtomicPtr<VmxVcpu>; MAX_CPUS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_CPUS];

fn rdmsr(msr: u32) -> u64 {
    // SAFETY: called only where VMX exists (`run::available`), which has
    // these MSRs; IA32_EFER and IA32_PAT exist on every x86-64 CPU.
    unsafe { Msr::new(msr).read() }
}

fn controls() -> Controls {
    let [pin, primary, secondary, exit, entry] =
        CONTROLS.each_ref().map(|c| c.load(Ordering::Relaxed));
    Controls {
        pin,
        primary,
        secondary,
        exit,
        entry,
    }
}

/// The CR bits VMX fixes, as the boot CPU read them.
pub fn fixed() -> CrFixed {
    let [cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1] =
        FIXED.each_ref().map(|f| f.load(Ordering::Relaxed));
    CrFixed {
        cr0_fixed0,
        cr0_fixed1,
        cr4_fixed0,
        cr4_fixed1,
    }
}

/// Reads what the CPU offers; whether it is enough for the backend.
fn probe() -> bool {
    let ept = rdmsr(IA32_VMX_EPT_VPID_CAP);
    let needed = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL;
    if ept & needed != needed {
        return false;
    }
    let secondary = rdmsr(IA32_VMX_PROCBASED_CTLS2);
    let vpid_allowed = (secondary >> 32) as u32 & sync::SECONDARY_ENABLE_VPID != 0;
    let vpid = vpid_allowed
        && ept & (VPID_CAP_INVVPID | VPID_CAP_INVVPID_ALL)
            == VPID_CAP_INVVPID | VPID_CAP_INVVPID_ALL;
    let true_controls = rdmsr(IA32_VMX_BASIC) & BASIC_TRUE_CONTROLS != 0;
    let cap = |plain, truer| rdmsr(if true_controls { truer } else { plain });
    let caps = Capabilities {
        pin: cap(IA32_VMX_PINBASED_CTLS, IA32_VMX_TRUE_PINBASED_CTLS),
        primary: cap(IA32_VMX_PROCBASED_CTLS, IA32_VMX_TRUE_PROCBASED_CTLS),
        secondary,
        exit: cap(IA32_VMX_EXIT_CTLS, IA32_VMX_TRUE_EXIT_CTLS),
        entry: cap(IA32_VMX_ENTRY_CTLS, IA32_VMX_TRUE_ENTRY_CTLS),
    };
    let Ok(c) = Controls::new(&caps, vpid) else {
        return false;
    };
    for (slot, value) in CONTROLS
        .iter()
        .zip([c.pin, c.primary, c.secondary, c.exit, c.entry])
    {
        slot.store(value, Ordering::Relaxed);
    }
    let msrs = [
        IA32_VMX_CR0_FIXED0,
        IA32_VMX_CR0_FIXED1,
        IA32_VMX_CR4_FIXED0,
        IA32_VMX_CR4_FIXED1,
    ];
    for (slot, msr) in FIXED.iter().zip(msrs) {
        slot.store(rdmsr(msr), Ordering::Relaxed);
    }
    VPID.store(vpid, Ordering::Relaxed);
    let shift = (rdmsr(IA32_VMX_MISC) & MISC_PREEMPTION_RATE) as u32;
    PREEMPTION_SHIFT.store(shift, Ordering::Relaxed);
    true
}

/// Turns VMX on for CPU `index` as it starts, if the CPU can run guests
/// with it; whether it did.
pub fn init_cpu(index: usize) -> bool {
    if !run::available() {
        return false;
    }
    if index == 0 {
        READY.store(probe(), Ordering::Relaxed);
    }
    let Some(page) = VMXON.get(index) else {
        return false;
    };
    // SAFETY: VMX with EPT and unrestricted guest is there; the page is
    // this CPU's alone, in the kernel's identity map.
    READY.load(Ordering::Relaxed) && unsafe { run::enable(page.0.get() as u64) }.is_ok()
}

/// The CPU can run guests with VMX.
pub fn can_run_guests() -> bool {
    READY.load(Ordering::Relaxed)
}

/// Makes `s`'s VMCS current on this CPU with the controls, the host
/// state (`host_cr3` the kernel's own map, which guests run on) and the
/// vCPU's MSR area.
pub fn load(s: &mut VmxVcpu, host_cr3: u64) {
    let region = s.vmcs.0.as_mut_ptr() as u64;
    // SAFETY: VMX is on (a vCPU exists only where `can_run_guests`); the
    // region is the vCPU's, 4 KiB-aligned, identity-mapped, and current
    // on no other CPU (`save` cleared it there); a new one gets its
    // revision and is cleared before its first VMPTRLD.
    unsafe {
        if (region as *const u32).read() == 0 {
            (region as *mut u32).write(run::revision());
            let _ = x86::bits64::vmx::vmclear(region);
            s.launched = false;
        }
        let _ = x86::bits64::vmx::vmptrld(region);
        run::write_host_state();
    }
    let mut v = CurrentVmcs;
    sync::write_controls(&mut v, &controls(), s);
    v.write(host::CR3, host_cr3);
    v.write(host::IA32_EFER_FULL, rdmsr(IA32_EFER));
    v.write(host::IA32_PAT_FULL, rdmsr(IA32_PAT));
}

/// Clears `s`'s VMCS (its state written back to its region), so that it
/// may be loaded on any CPU next.
pub fn save(s: &mut VmxVcpu) {
    // SAFETY: the region is the vCPU's, current on this CPU (`load`).
    let _ = unsafe { x86::bits64::vmx::vmclear(s.vmcs.0.as_mut_ptr() as u64) };
    s.launched = false;
}

/// Drops this CPU's cached translations of every guest.
fn flush_guest_tlb() {
    let descriptor = [0u64; 2];
    // SAFETY: INVEPT and INVVPID of every context, which `probe` found
    // the CPU has; the descriptors are read only (all-context ignores
    // their contents).
    unsafe {
        core::arch::asm!("invept {}, [{}]", in(reg) INVALIDATE_ALL_CONTEXTS, in(reg) descriptor.as_ptr(), options(nostack, readonly));
        if VPID.load(Ordering::Relaxed) {
            core::arch::asm!("invvpid {}, [{}]", in(reg) INVALIDATE_ALL_CONTEXTS, in(reg) descriptor.as_ptr(), options(nostack, readonly));
        }
    }
}

/// Runs the loaded vCPU `s` once with `frame`'s registers; whether a
/// physical interrupt ended the run.
pub fn run_once(cpu: usize, frame: &mut TrapFrame, s: &mut VmxVcpu) -> bool {
    let root = guest_cpu::nested_root_of(cpu);
    let mut v = CurrentVmcs;
    v.write(control::EPTP_FULL, ept::eptp((root & ROOT_TABLE) as usize));
    if VPID.load(Ordering::Relaxed) {
        // Never 0 (the host's): the VM's tag, as SVM's ASID.
        v.write(control::VPID, (root & 0xFFF).max(1));
    }
    sync::before_entry(&mut v, s, frame, controls().primary);
    arm_preemption_timer(&mut v);
    // Shootdowns asked for while in the kernel are done here, and may
    // mark the TLB stale: read it after.
    shootdown::leave_kernel(cpu);
    let me: *mut VmxVcpu = s;
    let other = LAST_VCPU[cpu].swap(me, Ordering::Relaxed) != me || s.last_cpu != cpu;
    if guest_cpu::take_tlb_stale(cpu) || other {
        flush_guest_tlb();
    }
    s.last_cpu = cpu;
    let mut regs = GuestRegisters {
        rax: frame.rax,
        rbx: frame.rbx,
        rcx: frame.rcx,
        rdx: frame.rdx,
        rsi: frame.rsi,
        rdi: frame.rdi,
        rbp: frame.rbp,
        r8: frame.r8,
        r9: frame.r9,
        r10: frame.r10,
        r11: frame.r11,
        r12: frame.r12,
        r13: frame.r13,
        r14: frame.r14,
        r15: frame.r15,
    };
    // SAFETY: VMX is on, the vCPU's VMCS current with its host state
    // (`load`); the kernel runs with interrupts masked.
    let entered = unsafe { run::run(&mut regs, s.launched) };
    shootdown::enter_kernel(cpu);
    s.entry_failed = entered.is_err();
    s.launched |= entered.is_ok();
    *frame = TrapFrame {
        rax: regs.rax,
        rbx: regs.rbx,
        rcx: regs.rcx,
        rdx: regs.rdx,
        rsi: regs.rsi,
        rdi: regs.rdi,
        rbp: regs.rbp,
        r8: regs.r8,
        r9: regs.r9,
        r10: regs.r10,
        r11: regs.r11,
        r12: regs.r12,
        r13: regs.r13,
        r14: regs.r14,
        r15: regs.r15,
        rip: v.read(guest::RIP),
        rsp: v.read(guest::RSP),
        rflags: v.read(guest::RFLAGS),
        ..Default::default()
    };
    s.interruptibility = v.read(guest::INTERRUPTIBILITY_STATE);
    entered.is_ok() && super::exit::for_the_host(v.read(ro::EXIT_REASON) as u16)
}

/// Arms the VMX-preemption timer (where the CPU has it) to end the
/// guest's run at this CPU's host timer deadline, or as late as it
/// counts when none is armed. A physical interrupt ends a run anyway
/// (external-interrupt exiting), but not on every VMX: Bochs (2.7 and
/// later) leaves interrupts masked in a guest entered with RFLAGS.IF
/// clear, as the host ran, since it re-evaluates the mask only when IF
/// changes, so a guest spinning with interrupts off (a lock held by a
/// vCPU that is not running) kept the CPU for ever. The timer's exit
/// cannot be masked.
#[inline]
fn arm_preemption_timer(v: &mut CurrentVmcs) {
    if controls().pin & sync::PIN_ACTIVATE_PREEMPTION_TIMER == 0 {
        return;
    }
    let now = tsc::now();
    let shift = PREEMPTION_SHIFT.load(Ordering::Relaxed);
    let ticks = sync::preemption_ticks(lapic::armed_deadline(now), now, shift);
    v.write(guest::VMX_PREEMPTION_TIMER_VALUE, ticks.into());
}
