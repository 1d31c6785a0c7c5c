//! What a guest's exit means, in terms every architecture shares: the
//! virtualization backend ([`crate::Virtualization`]) decodes its syndrome
//! (ESR_EL2 on ARM, the exit reason and qualification on VMX, EXITCODE on
//! SVM) into a [`GuestExit`], and the kernel and `qvm` act on that alone.

/// A guest load or store to guest-physical memory that its table does not
/// back: emulated by the kernel (the virtual interrupt controller) or by a
/// device model in `qvm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmioAccess {
    /// Guest-physical address.
    pub gpa: u64,
    /// Bytes: 1, 2, 4 or 8.
    pub width: u8,
    /// A store (else a load).
    pub write: bool,
    /// A store's value, already cut to `width`.
    pub value: u64,
    /// The general-purpose register the instruction transfers, in the
    /// backend's numbering; [`MmioAccess::NO_REGISTER`] for none.
    pub reg: u8,
    /// A load sign-extends to the register.
    pub sign_extend: bool,
    /// The register is 64-bit (else 32-bit: the upper half is cleared).
    pub wide: bool,
}

impl MmioAccess {
    /// `reg` of an access that transfers no register (ARM's XZR).
    pub const NO_REGISTER: u8 = 31;

    /// The mask of a `width`-byte value.
    #[inline]
    pub fn mask(width: u8) -> u64 {
        if width >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * width as u32)) - 1
        }
    }

    /// The value a load of `value` leaves in its register: cut to the
    /// access width, sign-extended if the instruction says so, cut to 32
    /// bits for a 32-bit register.
    #[inline]
    pub fn load_result(&self, value: u64) -> u64 {
        let bits = 8 * self.width as u32;
        let mut v = value & Self::mask(self.width);
        if self.sign_extend && bits < 64 {
            let shift = 64 - bits;
            v = (((v << shift) as i64) >> shift) as u64;
        }
        if !self.wide {
            v &= 0xffff_ffff;
        }
        v
    }
}

/// A guest's call to the hypervisor (HVC, a trapped SMC; VMCALL/VMMCALL):
/// the first four argument registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hypercall {
    /// Arguments (x0..x3 on ARM; RAX, RBX, RCX, RDX on x86).
    pub args: [u64; 4],
    /// Which instruction: an arch-defined number the ABI reports to `qvm`
    /// (on ARM 0 for HVC, 1 for SMC).
    pub conduit: u8,
}

/// A trapped access to a CPU system register (an ARM MSR/MRS; an x86
/// RDMSR/WRMSR) the backend does not emulate itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterAccess {
    /// The register, in the backend's encoding (on ARM the ISS's op0, op1,
    /// CRn, CRm, op2 fields; on x86 the MSR number).
    pub id: u64,
    /// A write (else a read).
    pub write: bool,
    /// A write's value.
    pub value: u64,
    /// The general-purpose register a read fills, in the backend's
    /// numbering ([`MmioAccess::NO_REGISTER`] for none).
    pub reg: u8,
}

/// Why a guest stopped running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestExit {
    /// The backend emulated the instruction itself (an ID register read, a
    /// debug register that reads as zero) and stepped past it.
    Handled,
    /// A physical interrupt arrived.
    Interrupt,
    /// An access to unbacked guest-physical memory.
    Mmio(MmioAccess),
    /// An x86 IN or OUT, for `qvm`: an access whose `gpa` is the port.
    PortIo(MmioAccess),
    /// A hypervisor call.
    Hypercall(Hypercall),
    /// The guest waits for an interrupt (WFI; HLT); already stepped past.
    Halt,
    /// The guest is spinning and offers the CPU (WFE; PAUSE); already
    /// stepped past.
    Pause,
    /// A write to the virtual interrupt controller's register that sends
    /// inter-processor interrupts (GICv3 ICC_SGI1R_EL1; the x2APIC ICR),
    /// with the value written; already stepped past.
    SendIpi(u64),
    /// A system register access for `qvm`.
    Register(RegisterAccess),
    /// The guest reset itself the way the architecture defines (an x86
    /// triple fault, which shuts the processor down).
    Reset,
    /// A data access the hardware could not describe (no instruction
    /// syndrome) to this guest-physical address.
    UndecodedAccess(u64),
    /// Anything else the kernel cannot go past, with the faulting address
    /// the hardware gave (0 if none); the syndrome goes to `qvm` in the
    /// exit record's architecture words.
    Unhandled(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(width: u8, sign_extend: bool, wide: bool) -> MmioAccess {
        MmioAccess {
            gpa: 0,
            width,
            write: false,
            value: 0,
            reg: 0,
            sign_extend,
            wide,
        }
    }

    #[test]
    fn a_load_is_cut_to_its_width() {
        assert_eq!(load(1, false, true).load_result(0x1234), 0x34);
        assert_eq!(load(2, false, true).load_result(0xdead_beef), 0xbeef);
        assert_eq!(load(8, false, true).load_result(u64::MAX), u64::MAX);
    }

    #[test]
    fn a_signed_load_extends_to_its_register() {
        assert_eq!(load(1, true, true).load_result(0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(load(1, true, false).load_result(0x80), 0xffff_ff80);
        assert_eq!(load(4, true, true).load_result(0x7fff_ffff), 0x7fff_ffff);
    }

    #[test]
    fn a_32_bit_register_loses_the_upper_half() {
        assert_eq!(load(8, false, false).load_result(u64::MAX), 0xffff_ffff);
    }
}
