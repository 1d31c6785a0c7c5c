//! What goes into the boot information of either version ([`BootInfo`]),
//! the checks both builders share, and `mem_lower`/`mem_upper` from the
//! memory map. The two layouts are in `info_v1.rs` and `info_v2.rs`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::spec::*;

/// The boot loader name qvm gives (v1 `boot_loader_name`, v2 tag 2).
pub const LOADER_NAME: &str = "qvm";

/// The kind of a memory map entry (the `type` values both specifications
/// share: v1 3.3, v2 3.6.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryKind {
    /// Available RAM (1).
    Ram,
    /// Reserved (2).
    Reserved,
    /// Usable memory holding ACPI information (3).
    AcpiReclaimable,
    /// Reserved memory to preserve on hibernation, ACPI NVS (4).
    Nvs,
}

impl MemoryKind {
    /// The `type` value in the memory map.
    pub fn code(self) -> u32 {
        match self {
            MemoryKind::Ram => MULTIBOOT_MEMORY_AVAILABLE,
            MemoryKind::Reserved => MULTIBOOT_MEMORY_RESERVED,
            MemoryKind::AcpiReclaimable => MULTIBOOT_MEMORY_ACPI_RECLAIMABLE,
            MemoryKind::Nvs => MULTIBOOT_MEMORY_NVS,
        }
    }
}

/// One entry of the guest's memory map (guest-physical).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryRegion {
    /// First byte.
    pub base: u64,
    /// Bytes.
    pub length: u64,
    /// What it is.
    pub kind: MemoryKind,
}

impl MemoryRegion {
    fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr - self.base < self.length
    }
}

/// A boot module qvm has placed in guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Module<'a> {
    /// Guest-physical address of its first byte (`mod_start`).
    pub start: u64,
    /// Guest-physical address just past its last byte (`mod_end`, as
    /// GRUB fills it in: start + size).
    pub end: u64,
    /// The string the kernel gets with it (a command line or a name).
    pub string: &'a str,
}

/// Everything the boot information tells the kernel.
#[derive(Clone, Copy, Debug)]
pub struct BootInfo<'a> {
    /// The guest's memory map, passed in this order; it also gives
    /// `mem_lower` and `mem_upper` ([`mem_lower_upper`]). Must not be empty.
    pub memory: &'a [MemoryRegion],
    /// The kernel's command line.
    pub cmdline: &'a str,
    /// The boot loader's name, normally [`LOADER_NAME`].
    pub loader_name: &'a str,
    /// The modules, in order (all must end below 4 GiB: 32-bit fields).
    pub modules: &'a [Module<'a>],
    /// The ACPI RSDP as the guest's firmware tables hold it, if the VM has
    /// ACPI: Multiboot2 gets it as tag 14 (its first 20 bytes, the ACPI
    /// 1.0 part) and, for revision 2 or later, tag 15 (`length` bytes).
    /// Multiboot (v1) has no field for it: the kernel must find it in
    /// memory as on a PC.
    pub rsdp: Option<&'a [u8]>,
}

/// `mem_lower` and `mem_upper` in KiB (v1 3.3, v2 3.6.3 "Basic memory
/// information"): "Lower memory starts at address 0, and upper memory
/// starts at address 1 megabyte. The maximum possible value for lower
/// memory is 640 kilobytes. The value returned for upper memory is
/// maximally the address of the first upper memory hole minus 1 megabyte."
///
/// An address counts as memory if a RAM entry covers it and no other entry
/// does (overlapping reserved entries win); adjacent RAM entries join.
pub fn mem_lower_upper(map: &[MemoryRegion]) -> (u32, u32) {
    const MIB: u64 = 1 << 20;
    let lower = usable_end(map, 0).min(640 << 10) >> 10;
    let upper = usable_end(map, MIB).saturating_sub(MIB) >> 10;
    (lower as u32, u32::try_from(upper).unwrap_or(u32::MAX))
}

/// The first address at or above `start` that is not usable RAM.
fn usable_end(map: &[MemoryRegion], start: u64) -> u64 {
    let ram = |r: &&MemoryRegion| r.kind == MemoryKind::Ram;
    let mut pos = start;
    loop {
        if map.iter().any(|r| !ram(&r) && r.contains(pos)) {
            return pos;
        }
        let Some(end) = map
            .iter()
            .filter(ram)
            .filter(|r| r.contains(pos))
            .map(|r| r.base.saturating_add(r.length))
            .max()
        else {
            return pos;
        };
        // A reserved entry starting inside this stretch ends it.
        if let Some(cut) = map
            .iter()
            .filter(|r| !ram(r) && r.length > 0 && r.base > pos && r.base < end)
            .map(|r| r.base)
            .min()
        {
            return cut;
        }
        // `end` > `pos` since a RAM entry contains `pos` (unless its end
        // saturated at 2^64 - 1): each turn moves to a later entry's end.
        if end <= pos {
            return pos;
        }
        pos = end;
    }
}

/// Checks what both versions need of `info`.
pub(super) fn check(info: &BootInfo<'_>) -> Result<(), String> {
    if info.memory.is_empty() {
        return Err("the memory map for the multiboot information is empty".into());
    }
    if let Some(r) = info
        .memory
        .iter()
        .find(|r| r.base.checked_add(r.length).is_none())
    {
        return Err(format!(
            "the memory map entry at {:#x} ({:#x} bytes) runs past the end of the address space",
            r.base, r.length
        ));
    }
    let mut strings = [
        ("command line", info.cmdline),
        ("boot loader name", info.loader_name),
    ]
    .into_iter()
    .chain(info.modules.iter().map(|m| ("module string", m.string)));
    if let Some((what, s)) = strings.find(|(_, s)| s.contains('\0')) {
        return Err(format!(
            "the {what} \"{}\" contains a NUL byte, which would end it early for the kernel",
            s.escape_default()
        ));
    }
    for m in info.modules {
        if m.start > m.end || m.end > u64::from(u32::MAX) {
            return Err(format!(
                "module \"{}\" at {:#x}..{:#x}: multiboot modules must lie below 4 GiB \
                 (mod_start and mod_end are 32-bit) and end after they start",
                m.string, m.start, m.end
            ));
        }
    }
    Ok(())
}

/// Checks that `len` bytes of information at `at` lie below 4 GiB (v1: its
/// pointers are 32-bit; v2 3.5: nothing above 4 GiB - 1; both: EBX) and
/// clear of the modules.
pub(super) fn check_place(info: &BootInfo<'_>, at: u64, len: usize) -> Result<(), String> {
    let end = at.checked_add(len as u64).filter(|&e| e <= 1 << 32);
    let Some(end) = end else {
        return Err(format!(
            "the multiboot information ({len} bytes at {at:#x}) must lie below 4 GiB, where a \
             32-bit kernel can reach it"
        ));
    };
    if let Some(m) = info.modules.iter().find(|m| m.start < end && at < m.end) {
        return Err(format!(
            "the multiboot information at {at:#x}..{end:#x} overlaps module \"{}\" at \
             {:#x}..{:#x}",
            m.string, m.start, m.end
        ));
    }
    Ok(())
}

/// The RSDP copies for Multiboot2 tags 14 and 15, checked.
pub(super) fn rsdp_copies(rsdp: &[u8]) -> Result<(&[u8], Option<&[u8]>), String> {
    // ACPI: "RSD PTR ", checksum, OEMID, Revision (byte 15), RsdtAddress
    // (20 bytes in ACPI 1.0); from revision 2, Length (at 20), XSDT...
    let old = rsdp
        .get(..20)
        .filter(|b| b.starts_with(b"RSD PTR "))
        .ok_or(
            "the ACPI RSDP for the multiboot information is not an RSDP (\"RSD PTR \", 20 bytes)",
        )?;
    if rsdp[15] < 2 {
        return Ok((old, None));
    }
    let length = super::bytes::u32_at(rsdp, 20).unwrap_or(0) as usize;
    match rsdp.get(..length).filter(|_| length >= 36) {
        Some(new) => Ok((old, Some(new))),
        None => Err(format!(
            "the ACPI RSDP for the multiboot information (revision {}) gives length {length}, \
             but an ACPI 2.0 RSDP is at least 36 bytes and {} are given",
            rsdp[15],
            rsdp.len()
        )),
    }
}

/// The information structure being written.
#[derive(Default)]
pub(super) struct Blob(pub Vec<u8>);

impl Blob {
    /// Appends a little-endian `u32`.
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a little-endian `u64`.
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A C string: the bytes, then a NUL.
    pub fn cstr(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(0);
    }
    /// Pads with zeros to a multiple of `to` bytes.
    pub fn align(&mut self, to: usize) {
        self.0.resize(self.0.len().next_multiple_of(to), 0);
    }
    /// Overwrites the `u32` at `off` (already written).
    pub fn set_u32(&mut self, off: usize, v: u32) {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
}
