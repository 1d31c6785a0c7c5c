//! List register encodings: GICv3 `ICH_LR<n>_EL2` and GICv2 `GICH_LR<n>`.

use super::VGic;
use super::regs::*;

/// The fields of one list register, whatever the GIC version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lr {
    /// Virtual INTID.
    pub intid: u32,
    /// Priority (GICv2 keeps the top 5 bits).
    pub priority: u8,
    /// Group 1 (else Group 0).
    pub group1: bool,
    /// Pending.
    pub pending: bool,
    /// Active.
    pub active: bool,
    /// Maintenance interrupt when the guest deactivates it (HW = 0).
    pub eoi: bool,
    /// GICv2 SGIs: the source CPU.
    pub source: u8,
    /// The physical interrupt the guest's deactivation also deactivates
    /// (HW = 1, pINTID); 0: none (HW = 0).
    pub hw: u16,
}

impl Lr {
    /// The 2-bit State field.
    pub const fn state(&self) -> u64 {
        (self.pending as u64 * LR_STATE_PENDING) | (self.active as u64 * LR_STATE_ACTIVE)
    }

    /// Whether the state is invalid (empty, or the guest EOIed it).
    pub const fn is_invalid(&self) -> bool {
        !self.pending && !self.active
    }

    /// GICv3 `ICH_LR<n>_EL2` value.
    pub const fn encode_v3(&self) -> u64 {
        let link = if self.hw != 0 {
            ICH_LR_HW | ((self.hw as u64 & ICH_LR_PINTID_MASK) << ICH_LR_PINTID_SHIFT)
        } else if self.eoi {
            ICH_LR_EOI
        } else {
            0
        };
        (self.intid as u64 & ICH_LR_VINTID_MASK)
            | link
            | ((self.priority as u64) << ICH_LR_PRIORITY_SHIFT)
            | if self.group1 { ICH_LR_GROUP } else { 0 }
            | (self.state() << ICH_LR_STATE_SHIFT)
    }

    /// Decodes an `ICH_LR<n>_EL2` value.
    pub const fn decode_v3(lr: u64) -> Lr {
        let state = lr >> ICH_LR_STATE_SHIFT;
        Lr {
            intid: (lr & ICH_LR_VINTID_MASK) as u32,
            priority: (lr >> ICH_LR_PRIORITY_SHIFT) as u8,
            group1: lr & ICH_LR_GROUP != 0,
            pending: state & LR_STATE_PENDING != 0,
            active: state & LR_STATE_ACTIVE != 0,
            eoi: lr & ICH_LR_HW == 0 && lr & ICH_LR_EOI != 0,
            source: 0,
            hw: if lr & ICH_LR_HW != 0 {
                ((lr >> ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK) as u16
            } else {
                0
            },
        }
    }

    /// GICv2 `GICH_LR<n>` value (CPUID = source for SGIs when HW = 0).
    pub const fn encode_v2(&self) -> u32 {
        let link = if self.hw != 0 {
            GICH_LR_HW | ((self.hw as u32 & GICH_LR_PHYSICALID_MASK) << GICH_LR_PHYSICALID_SHIFT)
        } else if self.intid < 16 {
            ((self.source as u32 & GICH_LR_CPUID_MASK) << GICH_LR_CPUID_SHIFT)
                | if self.eoi { GICH_LR_EOI } else { 0 }
        } else if self.eoi {
            GICH_LR_EOI
        } else {
            0
        };
        (self.intid & GICH_LR_VIRTUALID_MASK)
            | link
            | ((self.priority as u32 >> 3) << GICH_LR_PRIORITY_SHIFT)
            | ((self.state() as u32) << GICH_LR_STATE_SHIFT)
            | if self.group1 { GICH_LR_GRP1 } else { 0 }
    }

    /// Decodes a `GICH_LR<n>` value.
    pub const fn decode_v2(lr: u32) -> Lr {
        let state = (lr >> GICH_LR_STATE_SHIFT) as u64;
        let hw = lr & GICH_LR_HW != 0;
        let intid = lr & GICH_LR_VIRTUALID_MASK;
        Lr {
            intid,
            priority: (((lr >> GICH_LR_PRIORITY_SHIFT) & 0x1F) << 3) as u8,
            group1: lr & GICH_LR_GRP1 != 0,
            pending: state & LR_STATE_PENDING != 0,
            active: state & LR_STATE_ACTIVE != 0,
            eoi: !hw && lr & GICH_LR_EOI != 0,
            source: if !hw && intid < 16 {
                ((lr >> GICH_LR_CPUID_SHIFT) & GICH_LR_CPUID_MASK) as u8
            } else {
                0
            },
            hw: if hw {
                ((lr >> GICH_LR_PHYSICALID_SHIFT) & GICH_LR_PHYSICALID_MASK) as u16
            } else {
                0
            },
        }
    }
}

impl VGic {
    /// Encodes `lr` for this GIC's version (GICv2 in the low 32 bits).
    pub fn encode_lr(&self, lr: &Lr) -> u64 {
        match self.version {
            2 => lr.encode_v2().into(),
            _ => lr.encode_v3(),
        }
    }

    /// Decodes a list register value of this GIC's version.
    pub fn decode_lr(&self, lr: u64) -> Lr {
        match self.version {
            2 => Lr::decode_v2(lr as u32),
            _ => Lr::decode_v3(lr),
        }
    }
}
