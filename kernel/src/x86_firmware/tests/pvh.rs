//! The PVH hand-off: a QEMU-like start_info read field by field, and each
//! way it can be wrong.

use super::build_acpi::{Acpi, install, madt, qemu_entries, qemu_fadt};
use super::build_boot::pvh_off::*;
use super::build_boot::{PvhSpec, QEMU_MEMMAP, RAM, pvh};
use super::{Image, Le};
use crate::board::Range;
use crate::x86_firmware::{FirmwareError, Handoff, MAX_MODULES, Module, Text, read};

/// Where the test arena sits (below 1 MiB, inside QEMU's low RAM).
pub const BASE: u64 = 0x8_0000;
/// Its size.
pub const SIZE: usize = 0x1_0000;

fn r(start: usize, end: usize) -> Range {
    Range { start, end }
}

/// An arena with QEMU's ACPI tables (4 CPUs), two modules and a
/// start_info naming them; returns it, the start_info's layout, the
/// tables and the modules' addresses.
pub fn qemu_pvh() -> (Image, super::build_boot::Pvh, Acpi, [u64; 2]) {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(4)),
        Some(&qemu_fadt()),
        true,
    );
    let m0 = img.place(&[0xaa; 0x1800], 0x1000);
    let m1 = img.place(&[0xbb; 0x10], 0x1000);
    let spec = PvhSpec {
        version: 1,
        cmdline: Some("console=ttyS0 quiet"),
        modules: &[(m0, 0x1800, Some("initrd")), (m1, 0x10, None)],
        memmap: &QEMU_MEMMAP,
        rsdp: acpi.rsdp,
    };
    let layout = pvh(&mut img, &spec);
    (img, layout, acpi, [m0, m1])
}

#[test]
fn qemu_start_info_every_field() {
    let (img, p, acpi, [m0, m1]) = qemu_pvh();
    let b = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap();
    assert_eq!(b.handoff, Handoff::Pvh(p.start_info));
    assert_eq!(
        b.cmdline,
        Some(Text {
            addr: p.cmdline,
            len: 19
        })
    );
    assert_eq!(
        b.modules.as_slice(),
        &[
            Module {
                start: m0,
                end: m0 + 0x1800,
                cmdline: Some(Text {
                    addr: p.module_cmdlines[0],
                    len: 6
                }),
            },
            Module {
                start: m1,
                end: m1 + 0x10,
                cmdline: None
            },
        ]
    );
    assert_eq!(b.ram.as_slice(), &[r(0x10_0000, 0x7fe_0000)]);
    assert_eq!(b.ram_bytes(), 0x7ee_0000);
    assert_eq!(
        b.reserved.as_slice(),
        &[
            r(0x9_fc00, 0xa_0000),
            r(0xf_0000, 0x10_0000),
            r(0x7fe_0000, 0x800_0000),
            r(0xfffc_0000, 0x1_0000_0000)
        ]
    );
    assert_eq!(b.low_ram.as_slice(), &[r(0, 0x9_fc00)]);
    assert_eq!(b.low_page(), Some(0x9_e000));
    let si = p.start_info as usize;
    let (ml, mm) = (p.modlist as usize, p.memmap as usize);
    let (c, c0) = (p.cmdline as usize, p.module_cmdlines[0] as usize);
    assert_eq!(
        b.boot_data.as_slice(),
        &[
            r(si, si + 56),
            r(c, c + 20),
            r(ml, ml + 64),
            r(c0, c0 + 7),
            r(mm, mm + 6 * 24)
        ]
    );
    assert_eq!((b.rsdp, b.root_table), (acpi.rsdp, acpi.root));
    assert_eq!(b.cpus.len(), 4);
}

#[test]
fn version_0_has_no_memory_map() {
    let mut img = Image::new(BASE, SIZE);
    let spec = PvhSpec {
        version: 0,
        cmdline: None,
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp: 0,
    };
    let p = pvh(&mut img, &spec);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert_eq!(e, FirmwareError::NoMemoryMap);
}

#[test]
fn bad_magic() {
    let (mut img, p, _, _) = qemu_pvh();
    img.set_u32(p.start_info + MAGIC, 0x1bad_b002);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::BadMagic {
            what: "PVH start_info",
            addr: p.start_info,
            found: 0x1bad_b002
        }
    );
    assert!(e.to_string().contains("PVH start_info"));
}

#[test]
fn start_info_outside_memory() {
    let (img, ..) = qemu_pvh();
    for addr in [0, BASE + SIZE as u64 - 8, u64::MAX - 3] {
        let e = read(Handoff::Pvh(addr), &img.mem()).unwrap_err();
        assert!(
            matches!(
                e,
                FirmwareError::Unreadable { .. } | FirmwareError::BadRange { .. }
            ),
            "{addr:#x}: {e}"
        );
    }
}

#[test]
fn absurd_counts() {
    let (mut img, p, _, _) = qemu_pvh();
    let good = img.bytes.clone();
    img.set_u32(p.start_info + NR_MODULES, u32::MAX);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::TooMany {
            what: "PVH modules",
            max: MAX_MODULES
        }
    );
    img.bytes = good;
    img.set_u32(p.start_info + MEMMAP_ENTRIES, u32::MAX);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert!(
        matches!(
            e,
            FirmwareError::BadLength {
                len: 0xffff_ffff,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn pointers_outside_memory() {
    for (field, what) in [
        (MODLIST, "PVH module list"),
        (CMDLINE, "PVH command line"),
        (MEMMAP, "PVH memory map"),
    ] {
        let (mut img, p, _, _) = qemu_pvh();
        img.set_u64(p.start_info + field, 0x4000_0000);
        let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
        assert!(
            matches!(e, FirmwareError::Unreadable { what: w, .. } if w == what),
            "{e}"
        );
    }
}

#[test]
fn bad_modules() {
    let (mut img, p, _, [m0, _]) = qemu_pvh();
    let good = img.bytes.clone();
    // A module past the end of memory.
    img.set_u64(p.modlist + MOD_SIZE, SIZE as u64);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert!(
        matches!(
            e,
            FirmwareError::Unreadable {
                what: "PVH module",
                ..
            }
        ),
        "{e}"
    );
    // One that wraps around.
    img.bytes = good;
    img.set_u64(p.modlist + MOD_SIZE, u64::MAX - m0 + 2);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert!(
        matches!(
            e,
            FirmwareError::BadRange {
                what: "PVH module",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn unterminated_command_lines() {
    let mut img = Image::new(BASE, SIZE);
    let long = img.place(&[b'x'; 5000], 1);
    let at_end = BASE + SIZE as u64 - 4;
    img.put(at_end, b"abcd");
    for (cmdline, err) in [
        (
            long,
            FirmwareError::Unterminated {
                what: "PVH command line",
                addr: long,
            },
        ),
        (
            at_end,
            FirmwareError::Unreadable {
                what: "PVH command line",
                addr: BASE + SIZE as u64,
            },
        ),
    ] {
        let map = Le::default()
            .u64(0x10_0000)
            .u64(0x10_0000)
            .u32(RAM)
            .u32(0)
            .0;
        let map = img.place(&map, 8);
        let info = Le::default()
            .u32(0x336e_c578)
            .u32(1)
            .u32(0)
            .u32(0)
            .u64(0)
            .u64(cmdline)
            .u64(0)
            .u64(map)
            .u32(1)
            .u32(0)
            .0;
        let si = img.place(&info, 8);
        assert_eq!(read(Handoff::Pvh(si), &img.mem()).unwrap_err(), err);
    }
}

#[test]
fn no_rsdp_and_nothing_to_scan() {
    let (mut img, p, _, _) = qemu_pvh();
    img.set_u64(p.start_info + RSDP, 0);
    let e = read(Handoff::Pvh(p.start_info), &img.mem()).unwrap_err();
    assert_eq!(e, FirmwareError::NoRsdp);
}
