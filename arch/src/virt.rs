//! The virtualization backend: a vCPU's architectural state, entering and
//! leaving the guest, and turning an exit into a [`GuestExit`] the kernel
//! handles without knowing the syndrome format. ARM's EL2 backend is
//! `aarch64::Aarch64`; VMX and SVM go in `x86_64/{vmx,svm}`.

use crate::exit::{GuestExit, MmioAccess, RegisterAccess};

/// Why `vcpu_set_regs` refused a register set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRegisters;

/// A virtualization backend.
pub trait Virtualization {
    /// The registers a trap saves (the guest's while it runs).
    type Frame: Clone + Default;
    /// A vCPU's state beyond the frame, kept while it is off the CPU (ARM:
    /// EL1 system registers, FP/SIMD; what the last exit needs to be
    /// completed).
    type VcpuState;
    /// The register set `vcpu_set_regs` takes (`abi::<arch>::VcpuRegs`).
    type Regs: Copy + Default;

    /// Whether the guest's hypervisor calls carry the platform's firmware
    /// interface, which the kernel answers (ARM: PSCI over HVC and SMC);
    /// otherwise (x86) every hypercall goes to `qvm`.
    const FIRMWARE_CALLS: bool;

    /// Whether this CPU can run a VM configured with `flags`
    /// (`abi::VmConfig::flags`, only known bits: [`abi::VM_FLAG_AARCH32`]
    /// needs AArch32 at EL1).
    fn guest_flags_supported(flags: u64) -> bool;
    /// vCPU `index` of a VM with `vcpus` of them and `flags`
    /// ([`Virtualization::guest_flags_supported`]), not run yet.
    fn new_state(index: usize, vcpus: usize, flags: u64) -> Self::VcpuState;
    /// The interrupt controller guests get when the host's has no
    /// hardware virtual CPU interface, which the kernel then emulates in
    /// full (x86: the local APIC and I/O APIC, [`abi::IRQ_CHIP_APIC`]), if
    /// this CPU can run guests at all; ARM's guests get the GIC the
    /// virtual CPU interface serves (`None` here).
    fn emulated_irq_chip() -> Option<u64>;
    /// Resets a vCPU to start at `pc` with `arg` in the first argument
    /// register, in the state the boot protocol expects (ARM: EL1h,
    /// interrupts masked, MMU off).
    fn power_on(frame: &mut Self::Frame, state: &mut Self::VcpuState, pc: u64, arg: u64);
    /// Resets a vCPU as an x86 start-up IPI starts an application
    /// processor after INIT: real mode at `page` (CS = `page >> 4`, IP 0).
    /// ARM's CPUs start through PSCI CPU_ON ([`Virtualization::power_on`]).
    fn start_up(frame: &mut Self::Frame, state: &mut Self::VcpuState, page: u64);
    /// Sets the registers from `vcpu_set_regs`; refuses a state the guest
    /// must never run in (a higher privilege level, another instruction
    /// set than the backend runs).
    fn set_regs(
        frame: &mut Self::Frame,
        state: &mut Self::VcpuState,
        regs: &Self::Regs,
    ) -> Result<(), BadRegisters>;
    /// The registers as `vcpu_get_regs` gives them, from a vCPU that is
    /// off the CPU (saved). What the backend keeps where it cannot read it
    /// off the CPU reads 0 (x86: control registers, EFER, segment bases).
    fn get_regs(frame: &Self::Frame, state: &Self::VcpuState) -> Self::Regs;
    /// The guest's program counter.
    fn pc(frame: &Self::Frame) -> u64;

    /// Decodes the trap that just took the guest off the CPU; `kind` is
    /// what the vector code passed. Exits the backend completes itself
    /// (ID registers, debug registers) come back as
    /// [`GuestExit::Handled`], already stepped past.
    fn decode_exit(frame: &mut Self::Frame, state: &mut Self::VcpuState, kind: u64) -> GuestExit;
    /// The architecture words of the exit record for the last exit (ARM:
    /// ESR_EL2 and FAR_EL2).
    fn exit_detail(state: &Self::VcpuState) -> [u64; 2];
    /// Reads general-purpose register `reg` (the backend's numbering; the
    /// zero register reads 0).
    fn read_reg(frame: &Self::Frame, reg: u8) -> u64;
    /// Completes an MMIO load with `value` and steps past it.
    fn complete_load(
        frame: &mut Self::Frame,
        state: &mut Self::VcpuState,
        access: &MmioAccess,
        value: u64,
    );
    /// Steps past the instruction of the last exit (a store, a register
    /// write).
    fn step(frame: &mut Self::Frame, state: &mut Self::VcpuState);
    /// Completes a register read with `value` and steps past it.
    fn complete_register_read(
        frame: &mut Self::Frame,
        state: &mut Self::VcpuState,
        access: &RegisterAccess,
        value: u64,
    );
    /// Ends a hypercall: `results` go to the argument registers.
    fn complete_hypercall(frame: &mut Self::Frame, results: [u64; 4]);
    /// Makes the guest take a synchronous external abort on the data
    /// access of the last exit (x86: a machine check or #GP as the
    /// backend defines).
    fn inject_data_abort(frame: &mut Self::Frame, state: &mut Self::VcpuState, write: bool);
    /// Makes the guest take an undefined-instruction exception (x86 #UD)
    /// on the instruction of the last exit.
    fn inject_undefined(frame: &mut Self::Frame, state: &mut Self::VcpuState);

    /// Whether the guest can take an external interrupt at its next entry
    /// (x86: RFLAGS.IF set, no interrupt shadow, no event already being
    /// injected). For interrupt controllers the kernel emulates in full
    /// ([`Virtualization::emulated_irq_chip`]); ARM's list registers need
    /// none of these three.
    fn interrupt_window_open(frame: &Self::Frame, state: &Self::VcpuState) -> bool;
    /// The guest takes external interrupt `vector` at its next entry.
    fn inject_interrupt(state: &mut Self::VcpuState, vector: u8);
    /// Whether the guest exits as soon as it can take an interrupt (while
    /// one waits that it cannot take yet).
    fn want_interrupt_window(state: &mut Self::VcpuState, on: bool);
    /// What the guest's counter adds to the host's (x86: the TSC offset),
    /// for the timers the kernel emulates.
    fn guest_counter_offset(state: &Self::VcpuState) -> u64;

    /// Loads a vCPU's state onto this CPU for vCPU number `index` of its VM;
    /// `fp_live` says its FP/SIMD values are still in the registers.
    fn load(state: &mut Self::VcpuState, index: usize, fp_live: bool);
    /// Saves the loaded vCPU's state (before [`Virtualization::host_mode`]).
    fn save(state: &mut Self::VcpuState);
    /// Sets the CPU up for host processes again after a guest was loaded.
    fn host_mode();
    /// Lets host processes run while the vCPU stays loaded (between an
    /// exit to its `qvm` runner and that runner's next `vcpu_run`): only
    /// the state that governs host code is set aside in `state`; the rest
    /// (FP/SIMD, the guest's translation and timer) stays on the CPU.
    fn park(state: &mut Self::VcpuState);
    /// Undoes [`Virtualization::park`]: the guest's configuration is back
    /// on the CPU, as after [`Virtualization::load`].
    fn unpark(state: &Self::VcpuState);
    /// The loaded guest's timer: its deadline in counter ticks, if it is
    /// enabled and not masked. The kernel never changes the guest's
    /// timer: it reads it to drive the timer's virtual interrupt as the
    /// level the timer outputs.
    fn guest_timer_deadline() -> Option<u64>;
}
