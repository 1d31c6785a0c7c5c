//! Why the x86 firmware's hand-off cannot be used: one [`FirmwareError`]
//! per kind of fault, naming the structure (`what`) and where it was, so
//! the kernel's boot log says which table of which firmware is wrong.

use core::fmt;

/// Why [`super::read`] refused the hand-off or the ACPI tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirmwareError {
    /// A read of `what` at `addr` fell outside physical memory.
    Unreadable {
        /// The structure being read.
        what: &'static str,
        /// The address read.
        addr: u64,
    },
    /// A field or entry of `what` (at `addr`) runs past the end its own
    /// length (or its container's) gives.
    Truncated {
        /// The structure.
        what: &'static str,
        /// Its address.
        addr: u64,
    },
    /// `what` at `addr` claims a length or count no firmware would give.
    BadLength {
        /// The structure.
        what: &'static str,
        /// Its address.
        addr: u64,
        /// The length or count it claims.
        len: u64,
    },
    /// A magic number or table signature is not the expected one.
    BadMagic {
        /// The structure.
        what: &'static str,
        /// Its address.
        addr: u64,
        /// What was there instead (a signature as little-endian bytes).
        found: u64,
    },
    /// The bytes of `what` at `addr` do not sum to zero.
    BadChecksum {
        /// The table.
        what: &'static str,
        /// Its address.
        addr: u64,
    },
    /// `what` is at an address its specification does not allow.
    Misaligned {
        /// The structure.
        what: &'static str,
        /// Its address.
        addr: u64,
    },
    /// A string has no terminating NUL within its bound.
    Unterminated {
        /// The string.
        what: &'static str,
        /// Its address.
        addr: u64,
    },
    /// A range `[addr, addr + size)` wraps past the top of the address
    /// space, or ends before it starts.
    BadRange {
        /// The range's owner.
        what: &'static str,
        /// Its start.
        addr: u64,
        /// Its size.
        size: u64,
    },
    /// More `what` than the fixed-capacity list holds (`max`); none of
    /// them may be dropped.
    TooMany {
        /// The kind of entry.
        what: &'static str,
        /// The capacity.
        max: usize,
    },
    /// The hand-off has no memory map.
    NoMemoryMap,
    /// The memory map has no RAM above 1 MiB.
    NoRam,
    /// No ACPI RSDP: none handed off, none found by the legacy scan.
    NoRsdp,
    /// The RSDT/XSDT lists no MADT ("APIC").
    NoMadt,
    /// The MADT lists no enabled processor.
    NoCpus,
}

impl fmt::Display for FirmwareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Unreadable { what, addr } => {
                write!(f, "{what} at {addr:#x} is outside physical memory")
            }
            Self::Truncated { what, addr } => {
                write!(f, "{what} at {addr:#x} is truncated")
            }
            Self::BadLength { what, addr, len } => {
                write!(
                    f,
                    "{what} at {addr:#x} claims an absurd length or count {len:#x}"
                )
            }
            Self::BadMagic { what, addr, found } => {
                write!(f, "bad magic of {what} at {addr:#x}: found {found:#x}")
            }
            Self::BadChecksum { what, addr } => {
                write!(f, "bad checksum of {what} at {addr:#x}")
            }
            Self::Misaligned { what, addr } => write!(f, "{what} at {addr:#x} is misaligned"),
            Self::Unterminated { what, addr } => {
                write!(f, "{what} at {addr:#x} has no terminating NUL")
            }
            Self::BadRange { what, addr, size } => {
                write!(f, "{what} [{addr:#x} + {size:#x}) wraps around")
            }
            Self::TooMany { what, max } => write!(f, "too many {what} (at most {max})"),
            Self::NoMemoryMap => f.write_str("the boot hand-off has no memory map"),
            Self::NoRam => f.write_str("the memory map has no RAM above 1 MiB"),
            Self::NoRsdp => f.write_str("no ACPI RSDP (none handed off, none found by scan)"),
            Self::NoMadt => f.write_str("the ACPI root table lists no MADT"),
            Self::NoCpus => f.write_str("the MADT lists no enabled processor"),
        }
    }
}
