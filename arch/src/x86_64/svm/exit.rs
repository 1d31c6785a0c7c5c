//! What an SVM #VMEXIT means (AMD64 APM Vol. 2, Appendix C "SVM Intercept
//! Exit Codes", and 15.10.2 "IN and OUT Behavior" for the IOIO exit's
//! EXITINFO1, 15.25.6 "Nested versus Guest Page Faults" for NPF).

/// EXITCODE values.
pub const VMEXIT_INTR: u64 = 0x60;
pub const VMEXIT_NMI: u64 = 0x61;
pub const VMEXIT_INIT: u64 = 0x63;
pub const VMEXIT_VINTR: u64 = 0x64;
pub const VMEXIT_CPUID: u64 = 0x72;
pub const VMEXIT_HLT: u64 = 0x78;
pub const VMEXIT_IOIO: u64 = 0x7B;
pub const VMEXIT_MSR: u64 = 0x7C;
pub const VMEXIT_SHUTDOWN: u64 = 0x7F;
pub const VMEXIT_VMRUN: u64 = 0x80;
pub const VMEXIT_VMMCALL: u64 = 0x81;
pub const VMEXIT_NPF: u64 = 0x400;
/// VMRUN found the guest state invalid.
pub const VMEXIT_INVALID: u64 = u64::MAX;

/// IOIO EXITINFO1 bits: IN (else OUT), string, REP, the operand size
/// (one-hot at bits 4-6), the port at 31:16.
const IOIO_TYPE_IN: u64 = 1 << 0;
const IOIO_STR: u64 = 1 << 2;
const IOIO_REP: u64 = 1 << 3;
const IOIO_SZ8: u64 = 1 << 4;
const IOIO_SZ16: u64 = 1 << 5;
const IOIO_SZ32: u64 = 1 << 6;
const IOIO_PORT_SHIFT: u32 = 16;

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
    /// The RIP after the instruction (EXITINFO2).
    pub next_rip: u64,
}

/// A #VMEXIT, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvmExit {
    /// A physical interrupt (INTR), NMI or INIT arrived.
    Interrupt,
    Nmi,
    Init,
    /// The guest can take the virtual interrupt it was given (V_IRQ with
    /// the VINTR intercept: an interrupt window).
    Vintr,
    Cpuid,
    Hlt,
    Vmmcall,
    /// The guest ran VMRUN (always intercepted).
    Vmrun,
    Io(IoExit),
    /// RDMSR or WRMSR (EXITINFO1 bit 0: write).
    Msr {
        write: bool,
    },
    /// A nested page fault at guest-physical `gpa`; `error` is the
    /// page-fault error code (bit 0 present, 1 write, 4 fetch).
    NestedPageFault {
        gpa: u64,
        error: u64,
    },
    /// A triple fault (or another shutdown condition).
    Shutdown,
    /// VMRUN refused the guest state.
    Invalid,
    /// Any other intercept.
    Other(u64),
}

/// Decodes a #VMEXIT from EXITCODE, EXITINFO1 and EXITINFO2.
pub fn decode(code: u64, info1: u64, info2: u64) -> SvmExit {
    match code {
        VMEXIT_INTR => SvmExit::Interrupt,
        VMEXIT_NMI => SvmExit::Nmi,
        VMEXIT_INIT => SvmExit::Init,
        VMEXIT_VINTR => SvmExit::Vintr,
        VMEXIT_CPUID => SvmExit::Cpuid,
        VMEXIT_HLT => SvmExit::Hlt,
        VMEXIT_VMMCALL => SvmExit::Vmmcall,
        VMEXIT_VMRUN => SvmExit::Vmrun,
        VMEXIT_IOIO => SvmExit::Io(IoExit {
            port: (info1 >> IOIO_PORT_SHIFT) as u16,
            size: if info1 & IOIO_SZ32 != 0 {
                4
            } else if info1 & IOIO_SZ16 != 0 {
                2
            } else if info1 & IOIO_SZ8 != 0 {
                1
            } else {
                0
            },
            input: info1 & IOIO_TYPE_IN != 0,
            string: info1 & IOIO_STR != 0,
            rep: info1 & IOIO_REP != 0,
            next_rip: info2,
        }),
        VMEXIT_MSR => SvmExit::Msr {
            write: info1 & 1 != 0,
        },
        VMEXIT_NPF => SvmExit::NestedPageFault {
            gpa: info2,
            error: info1,
        },
        VMEXIT_SHUTDOWN => SvmExit::Shutdown,
        VMEXIT_INVALID => SvmExit::Invalid,
        other => SvmExit::Other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_to_com1() {
        // OUT DX, AL with DX = 0x3F8: port 0x3F8, SZ8, A16 (bit 7).
        let info1 = (0x3F8 << 16) | IOIO_SZ8 | (1 << 7);
        assert_eq!(
            decode(VMEXIT_IOIO, info1, 0x1003),
            SvmExit::Io(IoExit {
                port: 0x3F8,
                size: 1,
                input: false,
                string: false,
                rep: false,
                next_rip: 0x1003
            })
        );
    }

    #[test]
    fn a_rep_insw() {
        let info1 = (0x1F0 << 16) | IOIO_SZ16 | IOIO_REP | IOIO_STR | IOIO_TYPE_IN;
        let SvmExit::Io(io) = decode(VMEXIT_IOIO, info1, 0) else {
            panic!("not an I/O exit");
        };
        assert_eq!(
            (io.port, io.size, io.input, io.string, io.rep),
            (0x1F0, 2, true, true, true)
        );
    }

    #[test]
    fn the_other_codes() {
        assert_eq!(decode(VMEXIT_HLT, 0, 0), SvmExit::Hlt);
        assert_eq!(decode(VMEXIT_MSR, 1, 0), SvmExit::Msr { write: true });
        assert_eq!(
            decode(VMEXIT_NPF, 0b110, 0xFEE0_0300),
            SvmExit::NestedPageFault {
                gpa: 0xFEE0_0300,
                error: 0b110
            }
        );
        assert_eq!(decode(VMEXIT_INVALID, 0, 0), SvmExit::Invalid);
        assert_eq!(decode(0x65, 0, 0), SvmExit::Other(0x65));
    }
}
