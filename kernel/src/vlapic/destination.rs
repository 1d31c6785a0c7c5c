//! Which local APICs an IPI or an interrupt message names (Intel SDM Vol.
//! 3A 12.6.2 "Determining IPI Destination": physical and logical
//! destinations, flat and cluster models, x2APIC logical IDs).

use super::ipi::{DestMode, Destination, Ipi};
use super::regs::*;
use super::{ApicMode, VLapic};

impl VLapic {
    /// Whether this APIC is addressed by destination `dest` in `mode`, as
    /// the APIC compares an interrupt message with its ID or its LDR and
    /// DFR. Broadcast (0xFF in xAPIC mode, 0xFFFF_FFFF in x2APIC mode)
    /// matches in both modes. xAPIC logical: the flat model matches when
    /// the destination and LDR bits 31:24 share a bit; the cluster model
    /// when the cluster (bits 7:4 against LDR 31:28) is equal and the
    /// member bits 3:0 share one; another DFR model never matches. x2APIC
    /// logical: cluster bits 31:16 equal and member bits 15:0 shared. A
    /// hardware-disabled APIC matches nothing.
    pub fn matches_destination(&self, mode: DestMode, dest: u32) -> bool {
        match self.mode() {
            ApicMode::Disabled => false,
            ApicMode::X2Apic => {
                if dest == X2APIC_BROADCAST {
                    return true;
                }
                match mode {
                    DestMode::Physical => dest == self.x2apic_id(),
                    DestMode::Logical => {
                        let ldr = self.x2apic_ldr();
                        dest >> 16 == ldr >> 16 && dest & ldr & 0xFFFF != 0
                    }
                }
            }
            ApicMode::XApic => {
                if dest == XAPIC_BROADCAST {
                    return true;
                }
                match mode {
                    DestMode::Physical => dest == u32::from(self.xapic_id),
                    DestMode::Logical => {
                        let id = self.ldr >> 24;
                        match self.dfr >> DFR_MODEL_SHIFT {
                            DFR_MODEL_FLAT => dest & id != 0,
                            DFR_MODEL_CLUSTER => dest >> 4 == id >> 4 && dest & id & 0xF != 0,
                            _ => false,
                        }
                    }
                }
            }
        }
    }

    /// Whether this APIC receives `ipi`; `is_sender` says whether it sent
    /// it (for the shorthands).
    pub fn is_ipi_target(&self, ipi: &Ipi, is_sender: bool) -> bool {
        if self.mode() == ApicMode::Disabled {
            return false;
        }
        match ipi.destination {
            Destination::Physical(d) => self.matches_destination(DestMode::Physical, d),
            Destination::Logical(d) => self.matches_destination(DestMode::Logical, d),
            Destination::SelfOnly => is_sender,
            Destination::AllIncludingSelf => true,
            Destination::AllExcludingSelf => !is_sender,
        }
    }
}
