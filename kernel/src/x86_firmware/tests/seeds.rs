//! The seed corpus of the `x86_firmware` fuzz target
//! (`fuzz/harness/src/x86_firmware.rs`): images the other tests build, in
//! the target's input format: a byte whose bit 0 picks the hand-off (0
//! PVH, 1 Multiboot2), the arena's base and the hand-off's address (each
//! a little-endian `u64`), then the arena. Written by hand after changing
//! the builders:
//!
//! ```text
//! cargo test -p kernel --lib x86_firmware::tests::seeds -- --ignored
//! ```

use alloc::format;
use alloc::vec::Vec;

use super::Image;
use super::build_acpi::{Entry, install, madt, qemu_entries, qemu_fadt, rsdp_v2};
use super::build_boot::{PvhSpec, QEMU_MEMMAP, Tag, multiboot2, pvh};
use super::multiboot2::grub;
use super::pvh::qemu_pvh;
use crate::x86_firmware::{Handoff, SliceMem, read};

/// Where the legacy scan seed's arena starts: the BIOS area.
const BIOS_AREA: u64 = 0xe_0000;

/// (name, hand-off, base, arena) of each seed.
fn seeds() -> Vec<(&'static str, Handoff, u64, Vec<u8>)> {
    let mut out = Vec::new();
    let (img, p, ..) = qemu_pvh();
    out.push((
        "pvh-qemu",
        Handoff::Pvh(p.start_info),
        img.base,
        img.used().to_vec(),
    ));
    let (img, addr, ..) = grub();
    out.push((
        "multiboot2-grub",
        Handoff::Multiboot2(addr),
        img.base,
        img.used().to_vec(),
    ));

    // Every MADT entry type behind an RSDT, and a FADT.
    let mut img = Image::new(0x10_0000, 0x4000);
    let mut entries = qemu_entries(2);
    entries.extend([
        Entry::Lapic {
            uid: 2,
            id: 2,
            flags: 2,
        },
        Entry::X2apic {
            id: 0x100,
            flags: 1,
            uid: 0x100,
        },
        Entry::X2Nmi {
            flags: 0xf,
            uid: 0x100,
            lint: 0,
        },
        Entry::NmiSource { flags: 0, gsi: 3 },
        Entry::AddrOverride(0xfee0_0000),
    ]);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &entries),
        Some(&qemu_fadt()),
        false,
    );
    let tags = [
        Tag::Cmdline("console=ttyS0"),
        Tag::Mmap(&QEMU_MEMMAP),
        Tag::AcpiOld(img.bytes[(acpi.rsdp - img.base) as usize..][..20].to_vec()),
    ];
    let (addr, _) = multiboot2(&mut img, &tags);
    out.push((
        "multiboot2-rsdt",
        Handoff::Multiboot2(addr),
        img.base,
        img.used().to_vec(),
    ));

    // No RSDP handed off: the scan finds it at the start of the BIOS area.
    let mut img = Image::new(BIOS_AREA, 0x4000);
    let rsdp = img.alloc(36, 16);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(1)),
        None,
        true,
    );
    img.put(rsdp, &rsdp_v2(0, acpi.root));
    let spec = PvhSpec {
        version: 1,
        cmdline: Some("scan"),
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp: 0,
    };
    let si = pvh(&mut img, &spec).start_info;
    out.push(("pvh-scan", Handoff::Pvh(si), img.base, img.used().to_vec()));
    out
}

/// A seed as the target reads it.
fn encode(handoff: Handoff, base: u64, arena: &[u8]) -> Vec<u8> {
    let (kind, addr) = match handoff {
        Handoff::Pvh(a) => (0u8, a),
        Handoff::Multiboot2(a) => (1, a),
    };
    let mut b = Vec::from([kind]);
    b.extend(base.to_le_bytes());
    b.extend(addr.to_le_bytes());
    b.extend_from_slice(arena);
    b
}

#[test]
fn seed_images_read() {
    for (name, handoff, base, arena) in seeds() {
        let mem = SliceMem {
            base,
            bytes: &arena,
        };
        let b = read(handoff, &mem).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!b.cpus.is_empty(), "{name}");
    }
}

#[test]
#[ignore = "writes fuzz/corpus/x86_firmware/"]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/x86_firmware");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, handoff, base, arena) in seeds() {
        let path = dir.join(format!("seed-{name}"));
        std::fs::write(path, encode(handoff, base, &arena)).unwrap();
    }
}
