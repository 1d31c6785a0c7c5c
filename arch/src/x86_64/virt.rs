//! The virtualization half of [`X86_64`]: AMD SVM with nested paging or
//! Intel VMX with EPT and unrestricted guest, whichever the CPU has
//! (`guest_entry.rs` chose at boot). A vCPU's state is its VMCB or VMCS
//! with its FP/SSE area and emulated MSRs ([`VcpuState`]); its exits are
//! decoded in `svm/decode.rs` or `vmx/decode.rs`; loading it onto a CPU
//! makes `Boot::enter` run the guest (`guest_entry.rs`). On a CPU with
//! neither [`Virtualization::emulated_irq_chip`] is `None` and the kernel
//! refuses to create VMs.

mod state;

use super::X86_64;
use super::guest_paging::walk_four_level;
use super::svm::decode::{self, ExitEnv, VECTOR_UD, VMMCALL_LEN};
use super::svm::state::SvmVcpu;
use super::trap_frame::TrapFrame;
use super::vmx::state::VmxVcpu;
use super::vmx::{self, run::CurrentVmcs};
use super::{guest_cpu, guest_entry};
use crate::exit::{GuestExit, MmioAccess, RegisterAccess};
use crate::virt::{BadRegisters, Virtualization};
use abi::x86_64::VcpuRegs;
use core::arch::x86_64::{__cpuid_count, _rdtsc};
use core::sync::atomic::{AtomicU32, Ordering};
use x86_64::registers::model_specific::Msr;

pub use state::VcpuState;

/// IA32_PRED_CMD and its IBPB bit.
const IA32_PRED_CMD: u32 = 0x49;
/// CPUID 8000_0008 EAX bits 7:0: the physical address width.
const LEAF_ADDRESS_SIZES: u32 = 0x8000_0008;

/// The host's highest CPUID leaves, basic and extended (0: not read yet).
static MAX_BASIC: AtomicU32 = AtomicU32::new(0);
static MAX_EXTENDED: AtomicU32 = AtomicU32::new(0);

/// The host as the exit path sees it.
struct Host;

impl ExitEnv for Host {
    fn host_cpuid(&self, leaf: u32, subleaf: u32) -> super::cpuid::CpuidResult {
        let r = __cpuid_count(leaf, subleaf);
        super::cpuid::CpuidResult {
            eax: r.eax,
            ebx: r.ebx,
            ecx: r.ecx,
            edx: r.edx,
        }
    }

    fn host_max_leaves(&self) -> (u32, u32) {
        // Read once (0 until then: no CPU has a maximum leaf of 0).
        let (mut basic, mut extended) = (
            MAX_BASIC.load(Ordering::Acquire),
            MAX_EXTENDED.load(Ordering::Relaxed),
        );
        if basic == 0 {
            basic = __cpuid_count(0, 0).eax;
            extended = __cpuid_count(0x8000_0000, 0).eax;
            MAX_EXTENDED.store(extended, Ordering::Relaxed);
            MAX_BASIC.store(basic, Ordering::Release);
        }
        (basic, extended)
    }

    fn tsc(&self) -> u64 {
        // SAFETY: RDTSC exists on every x86-64 CPU (CR4.TSD only limits ring 3).
        unsafe { _rdtsc() }
    }

    fn read_guest(&self, gpa: u64, buf: &mut [u8]) -> bool {
        read_guest(guest_cpu::nested_root(), gpa, buf)
    }

    fn ibpb(&self) {
        // The guest sees IBPB only where the host has it (`cpuid.rs`).
        let ibpb = self.host_cpuid(0x8000_0008, 0).ebx & (1 << 12) != 0
            || self.host_cpuid(7, 0).edx & (1 << 26) != 0;
        if ibpb {
            // SAFETY: the CPU has IA32_PRED_CMD; bit 0 is a barrier only.
            unsafe { Msr::new(IA32_PRED_CMD).write(1) };
        }
    }
}

/// Reads 8 bytes of host RAM at `pa` through the kernel's identity map.
fn read_host(pa: u64) -> Option<u64> {
    let end = pa.checked_add(8)?;
    if !pa.is_multiple_of(8) || end > super::boot::mapped_top() {
        return None;
    }
    // SAFETY: aligned, and inside the RAM the kernel's map covers.
    Some(unsafe { (pa as *const u64).read_volatile() })
}

/// Copies guest-physical `gpa..gpa + buf.len()` of the VM whose nested
/// table `root` is into `buf`, page by page; false if any page is not RAM
/// the kernel maps.
fn read_guest(root: u64, gpa: u64, buf: &mut [u8]) -> bool {
    let mut done = 0;
    while done < buf.len() {
        let addr = gpa.wrapping_add(done as u64);
        let chunk = (0x1000 - (addr & 0xFFF) as usize).min(buf.len() - done);
        let Some(pa) = walk_four_level(root, addr, &mut read_host) else {
            return false;
        };
        if pa.saturating_add(chunk as u64) > super::boot::mapped_top() {
            return false;
        }
        // SAFETY: RAM the kernel maps (checked), the VM's own page.
        unsafe {
            core::ptr::copy_nonoverlapping(pa as *const u8, buf[done..].as_mut_ptr(), chunk);
        }
        done += chunk;
    }
    true
}

/// The host's physical address width.
fn phys_bits() -> u8 {
    let max = __cpuid_count(0x8000_0000, 0).eax;
    if max < LEAF_ADDRESS_SIZES {
        return 36;
    }
    (__cpuid_count(LEAF_ADDRESS_SIZES, 0).eax & 0xFF) as u8
}

impl Virtualization for X86_64 {
    type Frame = TrapFrame;
    type VcpuState = VcpuState;
    type Regs = VcpuRegs;
    const FIRMWARE_CALLS: bool = false;

    fn guest_flags_supported(flags: u64) -> bool {
        // A 32-bit x86 guest switches its own modes: no flag applies.
        flags == 0
    }

    fn new_state(index: usize, vcpus: usize, _flags: u64) -> VcpuState {
        let (index, vcpus) = (index as u32, vcpus as u32);
        if guest_entry::vmx() {
            let fixed = vmx::world::fixed();
            VcpuState::Vmx(VmxVcpu::new(index, vcpus, phys_bits(), fixed))
        } else {
            VcpuState::Svm(SvmVcpu::new(index, vcpus, phys_bits()))
        }
    }

    fn emulated_irq_chip() -> Option<u64> {
        guest_entry::can_run_guests().then_some(abi::IRQ_CHIP_APIC)
    }

    fn power_on(frame: &mut TrapFrame, state: &mut VcpuState, pc: u64, arg: u64) {
        match state {
            VcpuState::Svm(s) => s.power_on(frame, pc, arg),
            VcpuState::Vmx(s) => s.power_on(frame, pc, arg),
        }
    }

    fn start_up(frame: &mut TrapFrame, state: &mut VcpuState, page: u64) {
        match state {
            VcpuState::Svm(s) => s.start_up(frame, page),
            VcpuState::Vmx(s) => s.start_up(frame, page),
        }
    }

    fn set_regs(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        regs: &VcpuRegs,
    ) -> Result<(), BadRegisters> {
        match state {
            VcpuState::Svm(s) => s.set_regs(frame, regs),
            VcpuState::Vmx(s) => s.set_regs(frame, regs),
        }
        .map_err(|_| BadRegisters)
    }

    fn get_regs(frame: &TrapFrame, _state: &VcpuState) -> VcpuRegs {
        // The general registers, RIP and RFLAGS are the frame's (both
        // backends load them from it before each entry and back after
        // each exit); the control registers and segments stay in the
        // VMCS or VMCB, not read here (0).
        let f = frame;
        VcpuRegs {
            gpr: [
                f.rax, f.rcx, f.rdx, f.rbx, f.rsp, f.rbp, f.rsi, f.rdi, f.r8, f.r9, f.r10, f.r11,
                f.r12, f.r13, f.r14, f.r15,
            ],
            rip: f.rip,
            rflags: f.rflags,
            ..VcpuRegs::default()
        }
    }

    fn pc(frame: &TrapFrame) -> u64 {
        frame.rip
    }

    fn decode_exit(frame: &mut TrapFrame, state: &mut VcpuState, _kind: u64) -> GuestExit {
        match state {
            VcpuState::Svm(s) => decode::decode_exit(frame, s, &Host),
            // The exit is decoded on the CPU it came from, right after it:
            // the vCPU's VMCS is current.
            VcpuState::Vmx(s) => vmx::decode::decode_exit(frame, s, &mut CurrentVmcs, &Host),
        }
    }

    fn exit_detail(state: &VcpuState) -> [u64; 2] {
        let last = match state {
            VcpuState::Svm(s) => &s.last,
            VcpuState::Vmx(s) => &s.last,
        };
        [last.code, last.info1]
    }

    fn read_reg(frame: &TrapFrame, reg: u8) -> u64 {
        decode::gprs(frame)[usize::from(reg & 15)]
    }

    fn complete_load(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        _access: &MmioAccess,
        value: u64,
    ) {
        match state {
            VcpuState::Svm(s) => decode::complete_load(frame, s, value),
            VcpuState::Vmx(s) => vmx::decode::complete_load(frame, s, value),
        }
    }

    fn step(frame: &mut TrapFrame, state: &mut VcpuState) {
        match state {
            VcpuState::Svm(s) => decode::step(frame, s),
            VcpuState::Vmx(s) => vmx::decode::step(frame, s),
        }
    }

    fn complete_register_read(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        _access: &RegisterAccess,
        value: u64,
    ) {
        frame.rax = value & 0xFFFF_FFFF;
        frame.rdx = value >> 32;
        Self::step(frame, state);
    }

    /// VMMCALL and VMCALL are both three bytes.
    fn complete_hypercall(frame: &mut TrapFrame, results: [u64; 4]) {
        [frame.rax, frame.rbx, frame.rcx, frame.rdx] = results;
        frame.rip = frame.rip.wrapping_add(VMMCALL_LEN);
    }

    fn inject_data_abort(_frame: &mut TrapFrame, state: &mut VcpuState, _write: bool) {
        // x86 has no synchronous bus error: a refused access is #GP(0).
        state.general_protection();
    }

    fn inject_undefined(_frame: &mut TrapFrame, state: &mut VcpuState) {
        // A refused RDMSR or WRMSR faults as hardware's does: #GP(0).
        if state.last().msr {
            state.general_protection();
        } else {
            state.fault(VECTOR_UD, None);
        }
    }

    fn interrupt_window_open(frame: &TrapFrame, state: &VcpuState) -> bool {
        state.interrupt_window_open(frame.rflags)
    }

    fn inject_interrupt(state: &mut VcpuState, vector: u8) {
        state.inject_interrupt(vector);
    }

    fn want_interrupt_window(state: &mut VcpuState, on: bool) {
        state.set_window(on);
    }

    fn guest_counter_offset(state: &VcpuState) -> u64 {
        match state {
            VcpuState::Svm(s) => s.vmcb.u64(super::svm::vmcb::TSC_OFFSET),
            VcpuState::Vmx(s) => s.tsc_offset,
        }
    }

    fn load(state: &mut VcpuState, _index: usize, fp_live: bool) {
        if !fp_live {
            // SAFETY: a 512-byte, 16-aligned FXSAVE image (CR4.OSFXSR is
            // set at boot); host code never uses x87 or SSE.
            unsafe {
                core::arch::asm!("fxrstor64 [{}]", in(reg) state.fx().0.as_ptr(), options(nostack, readonly))
            };
        }
        if let VcpuState::Vmx(s) = state {
            vmx::world::load(s, super::boot::kernel_root());
        }
        guest_cpu::set_loaded(state, true);
    }

    fn save(state: &mut VcpuState) {
        // SAFETY: as in `load`.
        unsafe {
            core::arch::asm!("fxsave64 [{}]", in(reg) state.fx().0.as_mut_ptr(), options(nostack))
        };
        if let VcpuState::Vmx(s) = state {
            vmx::world::save(s);
        }
        guest_cpu::set_loaded(core::ptr::null_mut(), false);
    }

    fn host_mode() {
        guest_cpu::set_loaded(core::ptr::null_mut(), false);
    }

    fn park(_state: &mut VcpuState) {
        guest_cpu::set_running(false);
    }

    fn unpark(_state: &VcpuState) {
        guest_cpu::set_running(true);
    }

    fn guest_timer_deadline() -> Option<u64> {
        // The virtual LAPIC's timer comes with it (not yet in the kernel).
        None
    }
}
