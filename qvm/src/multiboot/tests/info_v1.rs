//! The Multiboot information structure, read back field by field; and the
//! memory sizes both versions report.

use super::*;
use crate::multiboot::{
    BootInfo, LOADER_NAME, MemoryKind, MemoryRegion, Module, build_v1, mem_lower_upper,
};

/// A typical PC: RAM 0..0x9FC00, reserved EBDA to 1 MiB and BIOS area
/// (overlapping), RAM 1 MiB..256 MiB.
pub(super) const PC: [MemoryRegion; 4] = [
    MemoryRegion {
        base: 0,
        length: 0x9_FC00,
        kind: MemoryKind::Ram,
    },
    MemoryRegion {
        base: 0x9_FC00,
        length: 0x6_0400,
        kind: MemoryKind::Reserved,
    },
    MemoryRegion {
        base: 0xF_0000,
        length: 0x1_0000,
        kind: MemoryKind::Reserved,
    },
    MemoryRegion {
        base: 0x10_0000,
        length: 0xFF0_0000,
        kind: MemoryKind::Ram,
    },
];

pub(super) const MODULES: [Module<'static>; 2] = [
    Module {
        start: 0x20_0000,
        end: 0x20_1234,
        string: "initrd",
    },
    Module {
        start: 0x30_0000,
        end: 0x30_0010,
        string: "fs.img ro",
    },
];

pub(super) fn pc_info<'a>(modules: &'a [Module<'a>]) -> BootInfo<'a> {
    BootInfo {
        memory: &PC,
        cmdline: "console=ttyS0 root=/dev/vda",
        loader_name: LOADER_NAME,
        modules,
        rsdp: None,
    }
}

#[test]
fn mem_lower_and_upper_from_a_pc_map() {
    // 0x9FC00 = 639 KiB; 1 MiB..256 MiB = 255 MiB.
    assert_eq!(mem_lower_upper(&PC), (639, 255 * 1024));
    let ram = |base, length| MemoryRegion {
        base,
        length,
        kind: MemoryKind::Ram,
    };
    let res = |base, length| MemoryRegion {
        base,
        length,
        kind: MemoryKind::Reserved,
    };
    // Adjacent RAM entries join; lower memory stops at 640 KiB.
    assert_eq!(
        mem_lower_upper(&[ram(0, 4 << 20), ram(4 << 20, 4 << 20)]),
        (640, 7 * 1024)
    );
    // A reserved entry inside RAM is the first hole.
    assert_eq!(
        mem_lower_upper(&[ram(0, 64 << 20), res(16 << 20, 4096)]),
        (640, 15 * 1024)
    );
    // No RAM at 0 or at 1 MiB; a zero-length reserved entry is no hole.
    assert_eq!(mem_lower_upper(&[ram(2 << 20, 1 << 20), res(0, 0)]), (0, 0));
    // Past 4 TiB of upper memory the 32-bit KiB count saturates.
    assert_eq!(mem_lower_upper(&[ram(0, u64::MAX)]).1, u32::MAX);
    assert_eq!(mem_lower_upper(&[ram(1, u64::MAX)]), (0, u32::MAX));
}

#[test]
fn v1_information_read_back() {
    let at = 0x9000;
    let b = build_v1(&pc_info(&MODULES), at).unwrap();
    let ptr = |off| (u32_at(&b, off) as u64 - at) as usize;
    let flags = u32_at(&b, 0);
    let expected = MULTIBOOT_INFO_MEMORY
        | MULTIBOOT_INFO_CMDLINE
        | MULTIBOOT_INFO_MODS
        | MULTIBOOT_INFO_MEM_MAP
        | MULTIBOOT_INFO_BOOT_LOADER_NAME;
    assert_eq!(flags, expected);
    assert_eq!(flags, 0b10_0100_1101); // bits 0, 2, 3, 6, 9
    assert_eq!((u32_at(&b, 4), u32_at(&b, 8)), (639, 261_120));
    assert_eq!(u32_at(&b, 12), 0); // boot_device: not given
    assert_eq!(cstr_at(&b, ptr(16)), "console=ttyS0 root=/dev/vda");
    // Modules.
    assert_eq!(u32_at(&b, 20), 2);
    let mods = ptr(24);
    for (i, m) in MODULES.iter().enumerate() {
        let e = mods + 16 * i;
        assert_eq!(u32_at(&b, e) as u64, m.start);
        assert_eq!(u32_at(&b, e + 4) as u64, m.end);
        assert_eq!(cstr_at(&b, ptr(e + 8)), m.string);
        assert_eq!(u32_at(&b, e + 12), 0);
    }
    // The memory map: `size` (20, not counting itself) before each entry;
    // mmap_length counts the size fields.
    assert_eq!(u32_at(&b, 44), 24 * 4);
    let mut e = ptr(48);
    for r in &PC {
        assert_eq!(u32_at(&b, e), 20);
        assert_eq!(u64_at(&b, e + 4), r.base);
        assert_eq!(u64_at(&b, e + 12), r.length);
        assert_eq!(u32_at(&b, e + 20), r.kind.code());
        e += 4 + u32_at(&b, e) as usize;
    }
    assert_eq!(e, ptr(48) + 96);
    assert_eq!(cstr_at(&b, ptr(64)), "qvm");
    // Nothing else: symbols, drives, config, APM, VBE, framebuffer.
    assert!(
        b[28..44]
            .iter()
            .chain(&b[52..64])
            .chain(&b[68..116])
            .all(|&x| x == 0)
    );
    // Every pointer lands inside the blob.
    for off in [16, 24, 48, 64] {
        assert!(ptr(off) < b.len());
    }
}

#[test]
fn v1_without_modules_leaves_bit_3_clear() {
    let b = build_v1(&pc_info(&[]), 0x8000).unwrap();
    assert_eq!(u32_at(&b, 0) & MULTIBOOT_INFO_MODS, 0);
    assert_eq!((u32_at(&b, 20), u32_at(&b, 24)), (0, 0));
    assert_eq!(MemoryKind::AcpiReclaimable.code(), 3);
    assert_eq!(MemoryKind::Nvs.code(), 4);
}

#[test]
fn v1_refuses_what_32_bit_fields_cannot_hold() {
    let info = pc_info(&MODULES);
    let e = build_v1(&info, 0x1_0000_0000).unwrap_err();
    assert!(e.contains("below 4 GiB"), "{e}");
    // The end crosses 4 GiB.
    let e = build_v1(&info, 0xFFFF_FF00).unwrap_err();
    assert!(e.contains("below 4 GiB"), "{e}");
    assert!(build_v1(&info, u64::MAX - 3).is_err());
    let high = [Module {
        start: 0x1_0000_0000,
        end: 0x1_0000_1000,
        string: "hi",
    }];
    assert!(
        build_v1(&pc_info(&high), 0x8000)
            .unwrap_err()
            .contains("below 4 GiB")
    );
    assert!(build_v1(&info, 0x8002).unwrap_err().contains("aligned"));
    // Overlapping a module.
    let e = build_v1(&info, 0x20_1000).unwrap_err();
    assert!(e.contains("overlaps module \"initrd\""), "{e}");
    // Bad inputs.
    let nul = BootInfo {
        cmdline: "a\0b",
        ..info
    };
    assert!(build_v1(&nul, 0x8000).unwrap_err().contains("NUL"));
    let empty = BootInfo {
        memory: &[],
        ..info
    };
    assert!(build_v1(&empty, 0x8000).unwrap_err().contains("empty"));
    let wrap = [MemoryRegion {
        base: u64::MAX,
        length: 2,
        kind: MemoryKind::Ram,
    }];
    let wraps = BootInfo {
        memory: &wrap,
        ..info
    };
    assert!(
        build_v1(&wraps, 0x8000)
            .unwrap_err()
            .contains("address space")
    );
    let backwards = [Module {
        start: 0x5000,
        end: 0x4000,
        string: "x",
    }];
    assert!(build_v1(&pc_info(&backwards), 0x8000).is_err());
}
