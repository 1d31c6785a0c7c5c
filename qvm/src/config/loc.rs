//! `loc` and `intr` as a `vdev`, `pass` or `reserve` writes them: where it
//! sits and which interrupt line it raises. Below both the option types
//! and the vdev types that hold them.

use alloc::string::String;

/// `loc` of a vdev, `pass` or `reserve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// `mem:ADDR` or a bare address.
    Mem(u64),
    /// `io:PORT` (x86).
    Io(u16),
    /// `pci:B:D[.F]`.
    Pci {
        /// Bus, 0 to 255.
        bus: u8,
        /// Device, 0 to 31.
        device: u8,
        /// Function, 0 to 7.
        function: u8,
    },
}

/// `intr CONTROLLER:LINE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intr {
    /// `gic` on ARM, or the `name` of an interrupt controller vdev.
    pub controller: String,
    /// The line: the GIC INTID on ARM.
    pub line: u32,
}
