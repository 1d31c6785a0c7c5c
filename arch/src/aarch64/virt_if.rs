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

impl VirtIf {
    fn inner(&self) -> &dyn VirtualCpuInterface {
        match self {
            VirtIf::V3(i) => i,
            VirtIf::V2(gich) => gich,
        }
    }
}

impl VirtualCpuInterface for VirtIf {
    fn list_registers(&self) -> usize {
        self.inner().list_registers()
    }

    #[inline]
    fn read_lr(&self, n: usize) -> u64 {
        self.inner().read_lr(n)
    }

    #[inline]
    fn write_lr(&self, n: usize, value: u64) {
        self.inner().write_lr(n, value)
    }

    #[inline]
    fn enable(&self, underflow: bool) {
        self.inner().enable(underflow)
    }

    fn disable(&self) {
        self.inner().disable()
    }

    fn save(&self) -> [u64; 2] {
        self.inner().save()
    }

    fn restore(&self, state: [u64; 2]) {
        self.inner().restore(state)
    }

    fn guest_version(&self) -> u32 {
        self.inner().guest_version()
    }

    fn guest_frame(&self) -> Option<usize> {
        self.inner().guest_frame()
    }
}
