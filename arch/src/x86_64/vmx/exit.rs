//! What a VM exit means (Intel SDM Vol. 3C, appendix C "VMX Basic Exit
//! Reasons", and 28.2.1 table 28-5 for an I/O instruction's exit
//! qualification, table 28-7 for an EPT violation's).

/// Basic exit reasons (bits 15:0 of the exit-reason field).
pub const EXCEPTION_OR_NMI: u16 = 0;
pub const EXTERNAL_INTERRUPT: u16 = 1;
pub const TRIPLE_FAULT: u16 = 2;
pub const INIT_SIGNAL: u16 = 3;
pub const SIPI: u16 = 4;
pub const INTERRUPT_WINDOW: u16 = 7;
pub const CPUID: u16 = 10;
pub const GETSEC: u16 = 11;
pub const HLT: u16 = 12;
pub const INVD: u16 = 13;
pub const VMCALL: u16 = 18;
/// VMCLEAR (19) to VMXON (27): the VMX instructions but INVEPT (50),
/// INVVPID (53) and VMFUNC (59).
pub const VMCLEAR: u16 = 19;
pub const VMXON: u16 = 27;
pub const CR_ACCESS: u16 = 28;
pub const IO_INSTRUCTION: u16 = 30;
pub const RDMSR: u16 = 31;
pub const WRMSR: u16 = 32;
pub const INVALID_GUEST_STATE: u16 = 33;
pub const EPT_VIOLATION: u16 = 48;
pub const EPT_MISCONFIGURATION: u16 = 49;
pub const INVEPT: u16 = 50;
pub const PREEMPTION_TIMER: u16 = 52;
pub const INVVPID: u16 = 53;
pub const WBINVD: u16 = 54;
pub const XSETBV: u16 = 55;
pub const VMFUNC: u16 = 59;
/// Exit-reason bit 31: the VM entry failed.
pub const ENTRY_FAILURE: u32 = 1 << 31;

/// An IN or OUT the guest executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoExit {
    pub port: u16,
    /// Bytes: 1, 2 or 4.
    pub size: u8,
    /// IN (else OUT).
    pub input: bool,
    /// INS/OUTS.
    pub string: bool,
    /// With a REP prefix.
    pub rep: bool,
}

/// Whether an exit of basic reason `basic` was the host's: a physical
/// interrupt, pending at the local APIC now, or the preemption timer run
/// out at the host timer's deadline, whose interrupt is due.
#[inline]
pub fn for_the_host(basic: u16) -> bool {
    basic == EXTERNAL_INTERRUPT || basic == PREEMPTION_TIMER
}

/// A VM exit, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmxExit {
    /// An exception or NMI (the VM-exit interruption information says
    /// which).
    ExceptionOrNmi,
    Interrupt,
    TripleFault,
    Init,
    Sipi,
    /// The guest can take an interrupt (interrupt-window exiting).
    InterruptWindow,
    Cpuid,
    Hlt,
    Vmcall,
    Io(IoExit),
    /// A control-register access; the qualification (table 28-3).
    CrAccess(u64),
    /// An instruction the guest may not use here (VMX, GETSEC, XSETBV):
    /// #UD, as on a CPU without them.
    Undefined,
    /// INVD or WBINVD: stepped over (the guest's caches are coherent).
    CacheFlush,
    Msr {
        write: bool,
    },
    /// An EPT violation at guest-physical `gpa`; `qualification` says the
    /// access (bit 0 read, 1 write, 2 fetch).
    EptViolation {
        gpa: u64,
        qualification: u64,
    },
    /// The VM entry itself failed (bad guest state, MSR loading).
    EntryFailed(u16),
    Other(u16),
}

/// Decodes an exit from the exit-reason field, the exit qualification and
/// the guest-physical address field.
pub fn decode(reason: u32, qualification: u64, gpa: u64) -> VmxExit {
    let basic = reason as u16;
    if reason & ENTRY_FAILURE != 0 {
        return VmxExit::EntryFailed(basic);
    }
    match basic {
        EXCEPTION_OR_NMI => VmxExit::ExceptionOrNmi,
        // The preemption timer runs out at the host's own timer deadline
        // (`world.rs`): the host's interrupt, as far as the guest goes.
        EXTERNAL_INTERRUPT | PREEMPTION_TIMER => VmxExit::Interrupt,
        SIPI => VmxExit::Sipi,
        INTERRUPT_WINDOW => VmxExit::InterruptWindow,
        CR_ACCESS => VmxExit::CrAccess(qualification),
        GETSEC | VMCLEAR..=VMXON | INVEPT | INVVPID | XSETBV | VMFUNC => VmxExit::Undefined,
        INVD | WBINVD => VmxExit::CacheFlush,
        TRIPLE_FAULT => VmxExit::TripleFault,
        INIT_SIGNAL => VmxExit::Init,
        CPUID => VmxExit::Cpuid,
        HLT => VmxExit::Hlt,
        VMCALL => VmxExit::Vmcall,
        IO_INSTRUCTION => VmxExit::Io(IoExit {
            port: (qualification >> 16) as u16,
            size: (qualification & 0b111) as u8 + 1,
            input: qualification & (1 << 3) != 0,
            string: qualification & (1 << 4) != 0,
            rep: qualification & (1 << 5) != 0,
        }),
        RDMSR => VmxExit::Msr { write: false },
        WRMSR => VmxExit::Msr { write: true },
        EPT_VIOLATION => VmxExit::EptViolation { gpa, qualification },
        other => VmxExit::Other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_to_com1() {
        // OUT DX, AL: size 0 (1 byte), OUT, DX operand (bit 6 clear).
        assert_eq!(
            decode(u32::from(IO_INSTRUCTION), 0x3F8 << 16, 0),
            VmxExit::Io(IoExit {
                port: 0x3F8,
                size: 1,
                input: false,
                string: false,
                rep: false
            })
        );
        let VmxExit::Io(io) = decode(30, (0x1F0 << 16) | 0b11_1001, 0) else {
            panic!("not I/O");
        };
        assert_eq!(
            (io.size, io.input, io.string, io.rep),
            (2, true, true, true)
        );
    }

    #[test]
    fn the_other_reasons() {
        assert_eq!(decode(1, 0, 0), VmxExit::Interrupt);
        assert_eq!(decode(52, 0, 0), VmxExit::Interrupt);
        assert_eq!(decode(12, 0, 0), VmxExit::Hlt);
        assert_eq!(decode(32, 0, 0), VmxExit::Msr { write: true });
        assert_eq!(
            decode(48, 0b10, 0xFEC0_0000),
            VmxExit::EptViolation {
                gpa: 0xFEC0_0000,
                qualification: 0b10
            }
        );
        assert_eq!(decode(ENTRY_FAILURE | 33, 0, 0), VmxExit::EntryFailed(33));
        assert_eq!(decode(55, 0, 0), VmxExit::Undefined);
        assert_eq!(decode(24, 0, 0), VmxExit::Undefined);
        assert_eq!(decode(7, 0, 0), VmxExit::InterruptWindow);
        assert_eq!(decode(28, 0x300, 0), VmxExit::CrAccess(0x300));
        assert_eq!(decode(9, 0, 0), VmxExit::Other(9));
    }
}
