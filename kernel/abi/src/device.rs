//! Devices for host drivers: the board's device regions and interrupts a
//! process may be granted (`device_list`, `device_map`, `irq_attach`,
//! `irq_wait`, `irq_unmask`), and the grants a parent hands its child at
//! `process_spawn`.

/// Most device regions the kernel keeps (one per `reg` entry of a device
/// tree node); [`Grants::devices`] has a bit for each.
pub const MAX_DEVICES: usize = 256;
/// INTIDs a grant can name: 0 to 1019 (the GIC's 1020–1023 are special).
pub const MAX_INTID: usize = 1020;
/// Bytes of a device's path kept in [`DeviceInfo::path`] (NUL-padded).
pub const DEVICE_PATH_MAX: usize = 64;
/// Bytes of a device's first `compatible` string in [`DeviceInfo`].
pub const DEVICE_COMPAT_MAX: usize = 32;
/// Interrupts of a device listed in [`DeviceInfo::irqs`].
pub const DEVICE_IRQS: usize = 4;
/// Longest selector `device_list` takes, in bytes.
pub const DEVICE_SELECTOR_MAX: usize = 128;

/// [`DeviceInfo::flags`]: the kernel uses this region (its console UART,
/// the interrupt controller, anything that shares a page with them): it is
/// never granted, mapped or passed through.
pub const DEVICE_KERNEL: u32 = 1 << 0;
/// [`DeviceInfo::flags`]: the caller holds a grant for it.
pub const DEVICE_GRANTED: u32 = 1 << 1;
/// [`DeviceInfo::flags`]: taken (mapped by a process or a VM).
pub const DEVICE_TAKEN: u32 = 1 << 2;
/// [`DeviceInfo::flags`]: RAM the host set aside at boot for pass-through
/// (the buildfile's `[reserve]`), not a device: mapped as Normal memory.
pub const DEVICE_RAM: u32 = 1 << 3;
/// [`DeviceInfo::flags`]: the device masters DMA (its device-tree node is
/// `dma-coherent`): passed to a VM, it reads and writes host-physical
/// addresses.
pub const DEVICE_DMA: u32 = 1 << 4;
/// [`DeviceInfo::flags`]: bit `DEVICE_IRQ_EDGE_SHIFT + i` is set when the
/// node's interrupt `irqs[i]` is edge-triggered (its device-tree flags
/// say rising or falling edge); clear: level-sensitive.
pub const DEVICE_IRQ_EDGE_SHIFT: u32 = 8;

/// One row of `device_list`: a device region of the board.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DeviceInfo {
    /// The region's number: what `device_map` and [`Grants`] name.
    pub index: u32,
    /// [`DEVICE_KERNEL`], [`DEVICE_GRANTED`], [`DEVICE_TAKEN`], and the
    /// edge-triggered interrupts ([`DEVICE_IRQ_EDGE_SHIFT`]).
    pub flags: u32,
    /// Physical base address.
    pub base: u64,
    /// Size in bytes (as the device tree says; mapped in whole pages).
    pub size: u64,
    /// The node's interrupts as INTIDs (0: none).
    pub irqs: [u32; DEVICE_IRQS],
    /// The node's path in the device tree, NUL-padded.
    pub path: [u8; DEVICE_PATH_MAX],
    /// Its first `compatible` string, NUL-padded.
    pub compatible: [u8; DEVICE_COMPAT_MAX],
}

impl DeviceInfo {
    /// An empty row, for buffers.
    pub const EMPTY: DeviceInfo = DeviceInfo {
        index: 0,
        flags: 0,
        base: 0,
        size: 0,
        irqs: [0; DEVICE_IRQS],
        path: [0; DEVICE_PATH_MAX],
        compatible: [0; DEVICE_COMPAT_MAX],
    };

    /// The path as text.
    pub fn path(&self) -> &str {
        text(&self.path)
    }

    /// The compatible string as text.
    pub fn compatible(&self) -> &str {
        text(&self.compatible)
    }
}

/// The text before the first NUL.
pub(crate) fn text(bytes: &[u8]) -> &str {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    core::str::from_utf8(&bytes[..len]).unwrap_or("?")
}

/// What a process may take: device regions by index and interrupts by
/// INTID, a bit each, and its powers (`POWER_*`). `process_spawn`'s last
/// argument points at one (0: none); it must be a subset of the caller's
/// own.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// Bit `i`: device region `i`.
    pub devices: [u64; MAX_DEVICES / 64],
    /// Bit `n`: INTID `n`.
    pub irqs: [u64; MAX_INTID.div_ceil(64)],
    /// `POWER_*` bits ([`crate::POWER_INFO`], [`crate::POWER_SLAY`]).
    pub powers: u64,
}

impl Grants {
    /// Nothing.
    pub const NONE: Grants = Grants {
        devices: [0; MAX_DEVICES / 64],
        irqs: [0; MAX_INTID.div_ceil(64)],
        powers: 0,
    };

    /// Adds device region `index` (ignored past [`MAX_DEVICES`]).
    pub fn add_device(&mut self, index: usize) {
        if let Some(w) = self.devices.get_mut(index / 64) {
            *w |= 1 << (index % 64);
        }
    }

    /// Adds INTID `intid` (ignored from [`MAX_INTID`] on).
    pub fn add_irq(&mut self, intid: usize) {
        if intid < MAX_INTID
            && let Some(w) = self.irqs.get_mut(intid / 64)
        {
            *w |= 1 << (intid % 64);
        }
    }

    /// Whether any device region is granted (such a process may ask for
    /// DMA memory, [`crate::Sys::DmaAlloc`]).
    pub fn any_device(&self) -> bool {
        self.devices.iter().any(|&w| w != 0)
    }

    /// Whether device region `index` is granted.
    pub fn device(&self, index: usize) -> bool {
        self.devices
            .get(index / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    /// Whether INTID `intid` is granted.
    pub fn irq(&self, intid: usize) -> bool {
        intid < MAX_INTID
            && self
                .irqs
                .get(intid / 64)
                .is_some_and(|w| w & (1 << (intid % 64)) != 0)
    }

    /// Whether every grant of `self` is also in `other`.
    pub fn within(&self, other: &Grants) -> bool {
        let words = |g: &Grants| g.devices.into_iter().chain(g.irqs).chain([g.powers]);
        words(self).zip(words(other)).all(|(a, b)| a & !b == 0)
    }

    /// Whether it holds every power in `powers`.
    pub fn has_power(&self, powers: u64) -> bool {
        self.powers & powers == powers
    }

    /// Whether it grants nothing.
    pub fn is_empty(&self) -> bool {
        *self == Grants::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_subsets() {
        let mut a = Grants::NONE;
        a.add_device(3);
        a.add_device(MAX_DEVICES); // past the end: ignored
        a.add_irq(34);
        a.add_irq(MAX_INTID); // past the end: ignored
        assert!(a.device(3) && !a.device(4) && !a.device(MAX_DEVICES));
        assert!(a.irq(34) && !a.irq(35) && !a.irq(MAX_INTID));
        let mut b = a;
        b.add_irq(1019);
        assert!(a.within(&b));
        assert!(!b.within(&a));
        assert!(Grants::NONE.within(&a));
        assert!(Grants::NONE.is_empty() && !a.is_empty());
        let mut c = a;
        c.powers = crate::POWER_INFO;
        assert!(a.within(&c) && !c.within(&a) && c.has_power(crate::POWER_INFO));
        assert!(!c.has_power(crate::POWERS_ALL));
        assert_eq!(core::mem::size_of::<Grants>(), 168);
        assert_eq!(core::mem::size_of::<DeviceInfo>(), 136);
    }
}
