//! Which hardware virtual CPU interface the host GIC has: GICv3 system
//! registers or the GICv2 GICH frame. Chosen once at boot.

use arch::VirtualCpuInterface;
use arch::aarch64::vgic_v2::GichV2;
use arch::aarch64::vgic_v3::IchV3;

/// The host's virtual CPU interface.
#[derive(Clone, Copy, Debug)]
pub enum VirtIf {
    /// No virtualization support in the GIC (no VMs).
    None,
    /// GICv3: ICH_* registers.
    V3(IchV3),
    /// GICv2: the GICH frame; guests see the GICV frame at their GICC.
    V2 {
        /// GICH registers.
        gich: GichV2,
        /// Physical address of the GICV frame.
        gicv: usize,
    },
}

impl VirtIf {
    /// The interface, if there is one.
    pub fn get(&self) -> Option<&dyn VirtualCpuInterface> {
        match self {
            VirtIf::None => None,
            VirtIf::V3(i) => Some(i),
            VirtIf::V2 { gich, .. } => Some(gich),
        }
    }

    /// GIC architecture version of the guests it can serve (0: none).
    pub fn version(&self) -> u64 {
        match self {
            VirtIf::None => 0,
            VirtIf::V3(_) => 3,
            VirtIf::V2 { .. } => 2,
        }
    }
}
