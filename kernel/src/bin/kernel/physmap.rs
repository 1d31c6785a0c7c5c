//! The physical memory map `pidin syspage=asinfo` shows (`phys_map`): the
//! board's RAM banks and what the kernel took of them at boot (its image
//! and boot file system, the device tree, its heap, what the firmware
//! reserves), recorded once at boot; the device regions, the RAM set aside
//! for pass-through and the frame pool are added, with their holders, when
//! the map is read.

use abi::PhysArea;
use alloc::vec::Vec;

/// A row of the map: `[base, base + size)` of `kind` held by `owner`.
pub fn area(base: usize, size: usize, kind: u32, owner: u64, name: &str) -> PhysArea {
    let mut row = PhysArea {
        base: base as u64,
        size: size as u64,
        kind,
        owner,
        ..PhysArea::EMPTY
    };
    let n = name.len().min(abi::AREA_NAME_MAX - 1);
    row.name[..n].copy_from_slice(&name.as_bytes()[..n]);
    row
}

/// What the kernel knows of physical memory at boot.
pub struct BootMemory<'a> {
    /// The RAM banks, `(start, end)`.
    pub ram: &'a [(usize, usize)],
    /// The kernel image with the boot file system after it.
    pub image: (usize, usize),
    /// The device tree the firmware passed.
    pub device_tree: (usize, usize),
    /// Ranges the device tree reserves (`/memreserve/`, `/reserved-memory`).
    pub firmware: &'a [(usize, usize)],
    /// The initial RAM disk the firmware loaded, if any.
    pub initrd: Option<(usize, usize)>,
    /// The bootfs, when the loader placed it apart from the kernel (x86:
    /// the first boot module).
    pub bootfs: Option<(usize, usize)>,
    /// What `device_tree` is called: "device tree", or the x86 hand-off.
    pub description: &'a str,
    /// The kernel heap.
    pub heap: (usize, usize),
}

/// The map's rows that do not change after boot, in address order.
pub fn boot_areas(m: &BootMemory) -> Vec<PhysArea> {
    let kernel = abi::OWNER_KERNEL;
    let span = |(s, e): (usize, usize)| (s, e.saturating_sub(s));
    let mut rows = Vec::new();
    for &bank in m.ram {
        let (base, size) = span(bank);
        rows.push(area(base, size, abi::AREA_RAM, 0, "ram"));
    }
    let (base, size) = span(m.image);
    rows.push(area(
        base,
        size,
        abi::AREA_KERNEL,
        kernel,
        "kernel image and bootfs",
    ));
    let (base, size) = span(m.device_tree);
    rows.push(area(base, size, abi::AREA_KERNEL, kernel, m.description));
    if let Some(r) = m.bootfs {
        let (base, size) = span(r);
        rows.push(area(
            base,
            size,
            abi::AREA_KERNEL,
            kernel,
            "bootfs (boot module)",
        ));
    }
    let (base, size) = span(m.heap);
    rows.push(area(base, size, abi::AREA_KERNEL, kernel, "kernel heap"));
    for &r in m.firmware {
        let (base, size) = span(r);
        rows.push(area(
            base,
            size,
            abi::AREA_FIRMWARE,
            0,
            "reserved by firmware",
        ));
    }
    if let Some(r) = m.initrd {
        let (base, size) = span(r);
        rows.push(area(base, size, abi::AREA_FIRMWARE, 0, "initrd"));
    }
    rows.sort_by_key(|r| (r.base, core::cmp::Reverse(r.size)));
    rows
}
