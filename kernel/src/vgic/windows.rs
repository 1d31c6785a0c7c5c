//! Where a VM's guest finds the GIC the kernel emulates: the distributor
//! and, for GICv3, the redistributors, as `abi::guest` places them
//! (`qvm` keeps devices out of them). Worked out once, when the VM is
//! configured, so that an MMIO exit tells a GIC access from a device's
//! with two range checks.

use abi::{GICV2_GICD_SIZE, GICV3_GICD_SIZE, GICV3_GICR_STRIDE, VmConfig};

/// The guest-physical windows of a VM's GIC.
#[derive(Clone, Copy, Debug, Default)]
pub struct GicWindows {
    gicd: u64,
    gicd_end: u64,
    gicr: u64,
    gicr_end: u64,
}

impl GicWindows {
    /// The windows of a VM with `config`.
    pub fn new(config: &VmConfig) -> GicWindows {
        let (gicd_size, gicr_size) = match config.gic_version {
            2 => (GICV2_GICD_SIZE, 0),
            _ => (
                GICV3_GICD_SIZE,
                GICV3_GICR_STRIDE.saturating_mul(config.vcpus),
            ),
        };
        GicWindows {
            gicd: config.gicd,
            gicd_end: config.gicd.saturating_add(gicd_size),
            gicr: config.gicr_or_gicc,
            gicr_end: config.gicr_or_gicc.saturating_add(gicr_size),
        }
    }

    /// Where `ipa` falls: in the distributor (`true`) or the
    /// redistributors, with the offset in that window.
    #[inline]
    pub fn locate(&self, ipa: u64) -> Option<(bool, u64)> {
        if (self.gicd..self.gicd_end).contains(&ipa) {
            Some((true, ipa - self.gicd))
        } else if (self.gicr..self.gicr_end).contains(&ipa) {
            Some((false, ipa - self.gicr))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(gic_version: u64, vcpus: u64) -> VmConfig {
        VmConfig {
            gic_version,
            gicd: 0x800_0000,
            gicr_or_gicc: 0x80a_0000,
            vcpus,
            spis: 64,
            pm_timer_port: 0,
            flags: 0,
        }
    }

    #[test]
    fn gicv3_has_a_distributor_and_one_redistributor_per_vcpu() {
        let w = GicWindows::new(&config(3, 2));
        assert_eq!(w.locate(0x800_0004), Some((true, 4)));
        assert_eq!(w.locate(0x800_0000 + GICV3_GICD_SIZE), None);
        assert_eq!(
            w.locate(0x80a_0000 + GICV3_GICR_STRIDE + 8),
            Some((false, GICV3_GICR_STRIDE + 8))
        );
        assert_eq!(w.locate(0x80a_0000 + 2 * GICV3_GICR_STRIDE), None);
        assert_eq!(w.locate(0x7ff_fffc), None);
    }

    #[test]
    fn gicv2_cpu_interface_is_not_trapped() {
        let w = GicWindows::new(&config(2, 2));
        assert_eq!(
            w.locate(0x800_0000 + GICV2_GICD_SIZE - 4),
            Some((true, GICV2_GICD_SIZE - 4))
        );
        assert_eq!(w.locate(0x80a_0000), None);
        assert_eq!(GicWindows::default().locate(0), None);
    }
}
