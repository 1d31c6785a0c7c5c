//! The PC's Reset Control Register at I/O port 0xCF9, as Intel's I/O
//! controller hubs have it (the ICH/PCH datasheets' "RST_CNT—Reset
//! Control Register"): `qvm`'s vdev `cf9reset`, one port, named by the
//! FADT's RESET_REG with RESET_VALUE 0x06.
//!
//! Bit 2 (RST_CPU) going from 0 to 1 resets the machine: any write with
//! it set asks for a reset ([`ResetControl::take_reset_request`]), the
//! bit itself reading back 0 as after the reset. SYS_RST (bit 1) and
//! FULL_RST (bit 3), the kind of reset, are stored and read back: `qvm`
//! gives every kind the same reset. Writing 0x06 (the FADT's value, and
//! Linux's `reboot=pci` after its 0x02) or 0x0E resets; 0x02 or 0x0A
//! alone only set the kind. The other bits read 0.
//!
//! Port 0xCF9 is inside the PCI configuration mechanism's 0xCF8-0xCFF;
//! a chipset sends only byte accesses of 0xCF9 here, so the vdev takes
//! 1-byte accesses at offset 0 and refuses the rest
//! ([`Fault::Unsupported`]).

use super::regs::{RST_CPU, RST_FULL, RST_SYS};
use crate::{Fault, Vdev};

/// The Reset Control Register.
#[derive(Clone, Debug, Default)]
pub struct ResetControl {
    /// SYS_RST and FULL_RST as written.
    kind: u8,
    reset_request: bool,
}

impl ResetControl {
    /// I/O ports to map (0xCF9).
    pub const SIZE: u64 = 1;

    /// The register at power-on: 0, no reset asked for.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the guest asked for a reset since the last call (and
    /// forgets it): `qvm` then resets or ends the VM, as its config says.
    pub fn take_reset_request(&mut self) -> bool {
        core::mem::take(&mut self.reset_request)
    }
}

impl Vdev for ResetControl {
    fn kind(&self) -> &'static str {
        "cf9reset"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        match (offset, size) {
            (0, 1) => Ok(u64::from(self.kind)),
            _ => Err(Fault::Unsupported),
        }
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        if (offset, size) != (0, 1) {
            return Err(Fault::Unsupported);
        }
        let value = value as u8;
        self.kind = value & (RST_SYS | RST_FULL);
        if value & RST_CPU != 0 {
            self.reset_request = true;
        }
        Ok(())
    }
}
