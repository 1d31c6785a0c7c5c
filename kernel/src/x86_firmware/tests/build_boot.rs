//! Builders of the boot hand-offs: a PVH `hvm_start_info` with its
//! module list, memory map and command lines (Xen `start_info.h`), and a
//! Multiboot2 boot information with tags (Multiboot2 Specification §3.6).

use alloc::vec::Vec;

use super::{Image, Le};

/// e820 types used here.
pub const RAM: u32 = 1;
pub const RESERVED: u32 = 2;
pub const ACPI: u32 = 3;

/// QEMU's `pc` memory map with 128 MiB: RAM to 0x9FC00, the EBDA, the
/// BIOS, RAM to 0x7FE0000, ACPI data, and the high BIOS.
pub const QEMU_MEMMAP: [(u64, u64, u32); 6] = [
    (0, 0x9_fc00, RAM),
    (0x9_fc00, 0x400, RESERVED),
    (0xf_0000, 0x1_0000, RESERVED),
    (0x10_0000, 0x7ee_0000, RAM),
    (0x7fe_0000, 0x2_0000, ACPI),
    (0xfffc_0000, 0x4_0000, RESERVED),
];

/// What a PVH start_info says.
pub struct PvhSpec<'a> {
    pub version: u32,
    pub cmdline: Option<&'a str>,
    /// (address, size, command line) of each module.
    pub modules: &'a [(u64, u64, Option<&'a str>)],
    pub memmap: &'a [(u64, u64, u32)],
    pub rsdp: u64,
}

/// Where `pvh` put things.
pub struct Pvh {
    pub start_info: u64,
    pub cmdline: u64,
    pub modlist: u64,
    pub memmap: u64,
    pub module_cmdlines: Vec<u64>,
}

fn opt_str(img: &mut Image, s: Option<&str>) -> u64 {
    s.map_or(0, |s| img.place_str(s))
}

/// Lays out a start_info as `spec` says.
pub fn pvh(img: &mut Image, spec: &PvhSpec) -> Pvh {
    let cmdline = opt_str(img, spec.cmdline);
    let mut module_cmdlines = Vec::new();
    let mut list = Le::default();
    for &(addr, size, s) in spec.modules {
        let c = opt_str(img, s);
        module_cmdlines.push(c);
        list = list.u64(addr).u64(size).u64(c).u64(0);
    }
    let modlist = if spec.modules.is_empty() {
        0
    } else {
        img.place(&list.0, 8)
    };
    let mut map = Le::default();
    for &(addr, size, kind) in spec.memmap {
        map = map.u64(addr).u64(size).u32(kind).u32(0);
    }
    let memmap = img.place(&map.0, 8);
    let mut info = Le::default()
        .u32(0x336e_c578)
        .u32(spec.version)
        .u32(0)
        .u32(spec.modules.len() as u32)
        .u64(modlist)
        .u64(cmdline)
        .u64(spec.rsdp);
    if spec.version >= 1 {
        info = info.u64(memmap).u32(spec.memmap.len() as u32).u32(0);
    }
    let start_info = img.place(&info.0, 8);
    Pvh {
        start_info,
        cmdline,
        modlist,
        memmap,
        module_cmdlines,
    }
}

/// A Multiboot2 tag.
pub enum Tag<'a> {
    Cmdline(&'a str),
    Module {
        start: u32,
        end: u32,
        s: &'a str,
    },
    Mmap(&'a [(u64, u64, u32)]),
    AcpiOld(Vec<u8>),
    AcpiNew(Vec<u8>),
    /// Any type and payload.
    Raw(u32, Vec<u8>),
}

fn c(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    b.push(0);
    b
}

/// A tag's bytes: type, size, payload (no padding).
pub fn tag_bytes(tag: &Tag) -> Vec<u8> {
    let (kind, payload) = match tag {
        Tag::Cmdline(s) => (1, c(s)),
        Tag::Module { start, end, s } => (3, Le::default().u32(*start).u32(*end).bytes(&c(s)).0),
        Tag::Mmap(entries) => {
            let mut p = Le::default().u32(24).u32(0);
            for &(addr, size, kind) in entries.iter() {
                p = p.u64(addr).u64(size).u32(kind).u32(0);
            }
            (6, p.0)
        }
        Tag::AcpiOld(r) => (14, r.clone()),
        Tag::AcpiNew(r) => (15, r.clone()),
        Tag::Raw(kind, p) => (*kind, p.clone()),
    };
    Le::default()
        .u32(kind)
        .u32(8 + payload.len() as u32)
        .bytes(&payload)
        .0
}

/// A boot information of `tags` (each padded to 8 bytes), with the end
/// tag if `end`; also each tag's offset.
pub fn mbi(tags: &[Tag], end: bool) -> (Vec<u8>, Vec<usize>) {
    let mut b = Le::default().u32(0).u32(0).0;
    let mut offsets = Vec::new();
    for t in tags {
        offsets.push(b.len());
        b.extend(tag_bytes(t));
        b.resize(b.len().next_multiple_of(8), 0);
    }
    if end {
        b.extend(Le::default().u32(0).u32(8).0);
    }
    let total = b.len() as u32;
    b[..4].copy_from_slice(&total.to_le_bytes());
    (b, offsets)
}

/// Places the boot information of `tags`; returns its address and the
/// address of each tag.
pub fn multiboot2(img: &mut Image, tags: &[Tag]) -> (u64, Vec<u64>) {
    let (b, offsets) = mbi(tags, true);
    let addr = img.place(&b, 8);
    (addr, offsets.iter().map(|&o| addr + o as u64).collect())
}

/// Field offsets of `hvm_start_info` and `hvm_modlist_entry`, for
/// breaking them.
pub mod pvh_off {
    pub const MAGIC: u64 = 0;
    pub const NR_MODULES: u64 = 12;
    pub const MODLIST: u64 = 16;
    pub const CMDLINE: u64 = 24;
    pub const RSDP: u64 = 32;
    pub const MEMMAP: u64 = 40;
    pub const MEMMAP_ENTRIES: u64 = 48;
    pub const MOD_SIZE: u64 = 8;
}
