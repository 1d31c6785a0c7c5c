//! Which hardware virtual CPU interface the host GIC has: GICv3 system
//! registers or the GICv2 GICH frame. Chosen once at boot.

use super::vgic_v2::GichV2;
use super::vgic_v3::IchV3;
use crate::VirtualCpuInterface;

/// The host's virtual CPU interface.
#[derive(Clone, Copy, Debug)]
pub enum VirtIf {
    /// GICv3: ICH_* registers.
    V3(IchV3),
    /// GICv2: the GICH frame; guests see the GICV frame at their GICC.
    V2(GichV2),
}

// Every call dispatches on the variant here, statically: the list
// registers are touched on every exit that involves interrupts.
impl VirtualCpuInterface for VirtIf {
    fn list_registers(&self) -> usize {
        match self {
            VirtIf::V3(i) => i.list_registers(),
            VirtIf::V2(g) => g.list_registers(),
        }
    }

    #[inline]
    fn read_lr(&self, n: usize) -> u64 {
        match self {
            VirtIf::V3(i) => i.read_lr(n),
            VirtIf::V2(g) => g.read_lr(n),
        }
    }

    #[inline]
    fn write_lr(&self, n: usize, value: u64) {
        match self {
            VirtIf::V3(i) => i.write_lr(n, value),
            VirtIf::V2(g) => g.write_lr(n, value),
        }
    }

    #[inline]
    fn enable(&self, underflow: bool) {
        match self {
            VirtIf::V3(i) => i.enable(underflow),
            VirtIf::V2(g) => g.enable(underflow),
        }
    }

    #[inline]
    fn disable(&self) {
        match self {
            VirtIf::V3(i) => i.disable(),
            VirtIf::V2(g) => g.disable(),
        }
    }

    #[inline]
    fn maintenance_status(&self) -> u32 {
        match self {
            VirtIf::V3(i) => i.maintenance_status(),
            VirtIf::V2(g) => g.maintenance_status(),
        }
    }

    #[inline]
    fn empty_lrs(&self) -> u64 {
        match self {
            VirtIf::V3(i) => i.empty_lrs(),
            VirtIf::V2(g) => g.empty_lrs(),
        }
    }

    #[inline]
    fn save(&self) -> [u64; 2] {
        match self {
            VirtIf::V3(i) => i.save(),
            VirtIf::V2(g) => g.save(),
        }
    }

    #[inline]
    fn restore(&self, state: [u64; 2]) {
        match self {
            VirtIf::V3(i) => i.restore(state),
            VirtIf::V2(g) => g.restore(state),
        }
    }

    fn guest_version(&self) -> u32 {
        match self {
            VirtIf::V3(i) => i.guest_version(),
            VirtIf::V2(g) => g.guest_version(),
        }
    }

    fn guest_frame(&self) -> Option<usize> {
        match self {
            VirtIf::V3(i) => i.guest_frame(),
            VirtIf::V2(g) => g.guest_frame(),
        }
    }
}
