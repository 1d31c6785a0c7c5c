//! Running the loaded vCPU on this CPU: the backend chosen at boot (SVM
//! with nested paging if the CPU has it, else VMX with EPT and
//! unrestricted guest, `vmx/world.rs`) turned on per CPU, and the loop
//! [`crate::Boot::enter`] jumps into for a guest (which vCPU, and its
//! nested table, `guest_cpu.rs` keeps): copy the frame into the VMCB (or
//! VMCS), VMRUN (VMLAUNCH, VMRESUME), on SVM the host's CR0 put back if
//! the exit left another (`restore_cr0`), copy it back, take a physical
//! interrupt that ended the run, and call the kernel's trap handler, as a
//! trap from ring 3 does (`vectors.rs`).
//!
//! AMD64 APM Vol. 2: 15.5 (VMRUN and #VMEXIT), 15.16 (TLB control: an
//! ASID's entries survive VMRUN unless TLB_CONTROL flushes them; a
//! flush is asked for after any change to a nested table, `shootdown.rs`,
//! and when this CPU last ran another VM, which may have had the same
//! ASID), 15.21.1 (with V_INTR_MASKING the host's RFLAGS.IF at VMRUN
//! decides whether physical interrupts end the guest's run: VMRUN runs
//! with IF set and GIF clear, so none is taken before the guest runs).

use super::gdt::MAX_CPUS;
use super::svm::run::{self, GuestRegisters};
use super::svm::state::{SvmVcpu, V_IGN_TPR, V_INTR_MASKING, V_INTR_PRIO_MAX, V_IRQ};
use super::svm::{exit, vcpu, vmcb::*};
use super::trap_frame::TrapFrame;
use super::virt::VcpuState;
use super::{cpu, ept, guest_cpu, shootdown, vectors, vmx};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use x86_64::registers::control::Cr0;

/// Bit 63 of a root value: a VM's nested table (process roots are a
/// PML4's physical address; tags sit in the low 12 bits).
pub const GUEST_ROOT: u64 = 1 << 63;
/// The table address bits of a root.
const ROOT_TABLE: u64 = 0x000f_ffff_ffff_f000;
/// TLB_CONTROL: flush the whole TLB, every ASID.
const TLB_FLUSH_ALL: u8 = 1;

/// One 4 KiB page the processor writes (VM_HSAVE_PA, the host's VMSAVE).
#[repr(C, align(4096))]
struct Page(UnsafeCell<[u8; 4096]>);
// SAFETY: each CPU uses only its own pages, and only the processor writes
// them.
unsafe impl Sync for Page {}

static HOST_SAVE: [Page; MAX_CPUS] = [const { Page(UnsafeCell::new([0; 4096])) }; MAX_CPUS];
static HOST_VMCB: [Page; MAX_CPUS] = [const { Page(UnsafeCell::new([0; 4096])) }; MAX_CPUS];

/// The permission maps every guest runs with: all ones, every port (12
/// KiB, APM 15.10.1) and every MSR (8 KiB, 15.11) intercepted.
#[repr(C, align(4096))]
struct Maps {
    io: [u8; 3 * 4096],
    msr: [u8; 2 * 4096],
}
static MAPS: Maps = Maps {
    io: [0xFF; 3 * 4096],
    msr: [0xFF; 2 * 4096],
};

/// The nested table each CPU last ran a guest on.
static LAST_RUN_ROOT: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
/// ASIDs the processor has (CPUID 8000_000A EBX), read once.
static ASIDS: AtomicU32 = AtomicU32::new(0);

/// The machine runs guests with VMX (chosen on the boot CPU).
static VMX: AtomicBool = AtomicBool::new(false);

/// Turns SVM on for CPU `index` as it starts, if the CPU has it, else
/// VMX; the boot CPU's choice makes VM spaces NPT or EPT.
pub fn init_cpu(index: usize) {
    if !run::available() {
        // The other CPUs turn VMX on only if the boot CPU chose it.
        let on = (index == 0 || vmx()) && vmx::world::init_cpu(index);
        if on && index == 0 {
            VMX.store(true, Ordering::Relaxed);
            ept::guest::use_ept(true);
        }
        return;
    }
    let Some(page) = HOST_SAVE.get(index) else {
        return;
    };
    if index == 0 {
        let asids = raw_cpuid::CpuId::new()
            .get_svm_info()
            .map_or(0, |s| s.supported_asids());
        ASIDS.store(asids, Ordering::Relaxed);
    }
    // SAFETY: `available` says SVM is there and not disabled; the page is
    // this CPU's alone.
    unsafe { run::enable(page.0.get() as u64) };
}

/// The CPU can run guests: SVM or VMX was turned on.
pub fn can_run_guests() -> bool {
    ASIDS.load(Ordering::Relaxed) > 1 || vmx()
}

/// Guests run with VMX (else SVM).
pub fn vmx() -> bool {
    VMX.load(Ordering::Relaxed)
}

/// The ASID of a guest root's tag: never 0 (the host's), within what the
/// processor has (two VMs may share one: a CPU flushes when it switches
/// VMs).
fn asid_of(root: u64) -> u32 {
    let asids = ASIDS.load(Ordering::Relaxed).max(2);
    1 + ((root & 0xFFF) as u32) % (asids - 1)
}

core::arch::global_asm!(
    // In .text whatever section the module's other assembly left open.
    ".text",
    ".global __x86_enter_guest",
    "__x86_enter_guest:",
    "mov rsp, rdi",
    "call __arch_x86_guest_run",
    "ud2",
);

unsafe extern "C" {
    /// Resets the stack to the frame slot (`rdi`) and runs the loop.
    pub fn __x86_enter_guest(frame: *mut TrapFrame) -> !;
    fn __kernel_trap(frame: &mut TrapFrame, vector: u64);
}

/// The loop on a CPU whose loaded vCPU runs: one VMRUN and the kernel's
/// handling of its exit per turn, until the kernel parks or unloads the
/// vCPU, when the frame (then a ring-3 thread's) is entered instead.
#[unsafe(no_mangle)]
extern "C" fn __arch_x86_guest_run(frame: &mut TrapFrame) -> ! {
    loop {
        let cpu = cpu::index();
        let Some(vcpu) = guest_cpu::running_vcpu(cpu) else {
            // SAFETY: `frame` is the slot at the top of this CPU's stack
            // (`__x86_enter_guest` put the stack right below it).
            unsafe { vectors::enter(frame) }
        };
        // SAFETY: a loaded vCPU's state stays where it is until it is
        // unloaded (`guest_cpu::set_loaded`), which only this CPU does, in
        // the kernel.
        let interrupted = match unsafe { &mut *vcpu } {
            VcpuState::Svm(s) => run_once(cpu, frame, s),
            VcpuState::Vmx(s) => vmx::world::run_once(cpu, frame, s),
        };
        if interrupted {
            // The interrupt that ended the run is pending at the local
            // APIC: let it in, to be noted (`pending.rs`) and handled.
            // SAFETY: the kernel's interrupt path runs in ring 0 on this
            // stack and returns.
            unsafe { core::arch::asm!("sti", "nop", "cli", options(nomem, nostack)) };
        }
        // SAFETY: the kernel defines `__kernel_trap` for exactly this.
        unsafe { __kernel_trap(frame, 0) };
    }
}

/// Runs the guest once with `frame`'s registers; whether a physical
/// interrupt ended the run.
fn run_once(cpu: usize, frame: &mut TrapFrame, s: &mut SvmVcpu) -> bool {
    let root = guest_cpu::nested_root_of(cpu);
    let v = &mut s.vmcb;
    v.set_u64(RIP, frame.rip);
    v.set_u64(RSP, frame.rsp);
    v.set_u64(RFLAGS, frame.rflags);
    v.set_u64(RAX, frame.rax);
    vcpu::set_intercepts(v, MAPS.io.as_ptr() as u64, MAPS.msr.as_ptr() as u64);
    // Physical interrupts stay the host's whatever the guest's IF says.
    // An interrupt for the guest is a virtual interrupt it takes when it
    // can (`SvmVcpu::inject_interrupt`); else a virtual interrupt with the
    // VINTR intercept, when one waits, asks for an exit when the guest can
    // take it. The first wins: once the guest has taken its interrupt,
    // the next exit (its EOI at the latest) gives it the next.
    let virq = V_IRQ | V_IGN_TPR | V_INTR_PRIO_MAX;
    let v_intr = (v.u32(V_INTR) & !virq) | V_INTR_MASKING;
    let v_intr = match s.virq {
        Some(vector) => {
            v.set_u8(V_INTR_VECTOR, vector);
            v_intr | virq
        }
        None if s.window => {
            v.set_u32(INTERCEPT_MISC1, v.u32(INTERCEPT_MISC1) | INTERCEPT_VINTR);
            v_intr | virq
        }
        None => v_intr,
    };
    v.set_u32(V_INTR, v_intr);
    v.set_u64(NP_ENABLE, 1);
    v.set_u64(N_CR3, root & ROOT_TABLE);
    v.set_u32(GUEST_ASID, asid_of(root));
    v.set_u32(VMCB_CLEAN, 0);
    // Shootdowns asked for while in the kernel are done here, and may
    // mark the TLB stale: read it after.
    shootdown::leave_kernel(cpu);
    let other_vm = LAST_RUN_ROOT[cpu].swap(root, Ordering::Relaxed) != root;
    let stale = guest_cpu::take_tlb_stale(cpu);
    v.set_u8(
        TLB_CONTROL,
        if stale || other_vm { TLB_FLUSH_ALL } else { 0 },
    );
    let mut regs = GuestRegisters {
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
    let host = HOST_VMCB[cpu].0.get() as u64;
    let host_cr0 = Cr0::read_raw();
    // SAFETY: SVM is on (`init_cpu`); the VMCB is this vCPU's, loaded
    // only here, and the host page this CPU's; the kernel runs with
    // interrupts masked.
    unsafe { run::run(&raw const s.vmcb as u64, host, &mut regs) };
    restore_cr0(host_cr0);
    shootdown::enter_kernel(cpu);
    let v = &s.vmcb;
    *frame = TrapFrame {
        rax: v.u64(RAX),
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
        rip: v.u64(RIP),
        rsp: v.u64(RSP),
        rflags: v.u64(RFLAGS),
        ..Default::default()
    };
    v.u64(EXITCODE) == exit::VMEXIT_INTR
}

/// Puts the host's CR0 back if the #VMEXIT did not. The processor loads
/// it from the host save area (APM Vol. 2 15.5.1), but QEMU's TCG was seen
/// to leave the guest's CR0 in place (0x11: protected mode, paging off)
/// after runs of guests with paging off, while CR4, EFER, CR3 and the
/// segments came back as the host's; most likely it restores CR0 before
/// CR4 and EFER and drops the write as an invalid entry into long mode
/// while the guest's EFER.LME is set without its CR4.PAE. The CPU then ran
/// host threads with paging off: their addresses became physical ones, so
/// they read and wrote whatever lay there and came back to paging on
/// another CPU with registers and stacks that were no longer theirs
/// (threads faulting two bytes into instructions, reading through small
/// numbers, spinning through memory). The kernel runs on the identity
/// map, so nothing it did before this depended on paging. A read and a
/// compare on every exit; the write only when it is needed.
#[inline(always)]
fn restore_cr0(host_cr0: u64) {
    if Cr0::read_raw() != host_cr0 {
        // SAFETY: the value the host ran with just before VMRUN, in long
        // mode with CR4.PAE and EFER.LME as the #VMEXIT restored them: the
        // processor enters long mode again with the host's own tables.
        unsafe { Cr0::write_raw(host_cr0) };
    }
}
