//! One device region: a `reg` entry of a device tree node, its node's
//! path, `compatible` strings and interrupts, and whether the kernel uses
//! it.

use abi::{DEVICE_IRQS, DEVICE_PATH_MAX, PAGE_SIZE};

/// One device region: a `reg` entry of a device tree node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// The node's path (cut at [`DEVICE_PATH_MAX`] bytes).
    pub path: heapless::String<DEVICE_PATH_MAX>,
    /// The node's `compatible` strings, NUL-separated (cut at 96 bytes).
    pub compatible: heapless::Vec<u8, 96>,
    /// Physical base.
    pub base: usize,
    /// Size in bytes (at least 1).
    pub size: usize,
    /// The node's interrupts as INTIDs.
    pub irqs: heapless::Vec<u32, DEVICE_IRQS>,
    /// Bit `i`: `irqs[i]` is edge-triggered (else level-sensitive), from
    /// the `interrupts` flags cell (IRQ_TYPE_EDGE_RISING 1, _FALLING 2).
    pub edge: u8,
    /// The kernel uses it: never handed out.
    pub kernel: bool,
    /// RAM set aside for pass-through (`[reserve]`), not a device.
    pub ram: bool,
    /// A DMA master: its node is `dma-coherent`.
    pub dma: bool,
}

/// The path of a RAM range set aside for pass-through.
pub const RESERVED_RAM_PATH: &str = "/reserved-ram";
/// Its `compatible`.
pub const RESERVED_RAM_COMPATIBLE: &[u8] = b"qhv,reserved-ram\0";

impl Device {
    /// A RAM range set aside at boot for pass-through (the boot image's
    /// reserve list): `/reserved-ram@ADDR`, `qhv,reserved-ram`.
    pub fn reserved_ram(base: usize, size: usize) -> Device {
        let mut path = heapless::String::new();
        let _ =
            core::fmt::Write::write_fmt(&mut path, format_args!("{RESERVED_RAM_PATH}@{base:x}"));
        Device {
            path,
            compatible: heapless::Vec::from_slice(RESERVED_RAM_COMPATIBLE).unwrap_or_default(),
            base,
            size,
            irqs: heapless::Vec::new(),
            edge: 0,
            kernel: false,
            ram: true,
            dma: false,
        }
    }

    /// The whole pages the region touches, `[start, end)`.
    pub fn pages(&self) -> (usize, usize) {
        let start = self.base & !(PAGE_SIZE - 1);
        let end = (self.base + self.size).next_multiple_of(PAGE_SIZE);
        (start, end)
    }

    /// Whether its pages and `other`'s overlap.
    pub fn shares_page(&self, other: &Device) -> bool {
        let (a, b) = self.pages();
        let (c, d) = other.pages();
        a < d && c < b
    }

    /// Its `compatible` strings.
    pub fn compatibles(&self) -> impl Iterator<Item = &str> {
        self.compatible
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .filter_map(|s| core::str::from_utf8(s).ok())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A region for tests; its `compatible` follows the path's name.
    pub fn device(path: &str, base: usize, size: usize, kernel: bool) -> Device {
        let compatible: &[u8] = match path.split('@').next() {
            Some("/pl031") => b"arm,pl031\0arm,primecell\0",
            Some("/pl011") => b"arm,pl011\0arm,primecell\0",
            _ => b"virtio,mmio\0",
        };
        Device {
            path: heapless::String::try_from(path).unwrap(),
            compatible: heapless::Vec::from_slice(compatible).unwrap(),
            base,
            size,
            irqs: heapless::Vec::new(),
            edge: 0,
            kernel,
            ram: false,
            dma: false,
        }
    }
}
