//! `vdev shmem` on x86 guests (feature `guest-x86_64`): its register
//! block in the MMIO slots below the APICs with an I/O APIC pin, its
//! region from 256 GiB (clear of the PC's holes and of RAM), not in the
//! memory map, and the DSDT device an x86 guest finds it by.
#![cfg(feature = "guest-x86_64")]

mod common;

use common::{place_err, place_text};
use qvm::arch::x86_64::acpi::{self, SharedMemory, shmem::SHMEM_HID, vm::machine_of};
use qvm::arch::x86_64::layout::{AMD_HT_HOLE, MISC_PIN, MMIO_BASE, PC_32BIT_HOLES_END};
use qvm::arch::x86_64::memmap::memory_map;
use qvm::config::VdevKind;
use qvm::layout::{Region, SHMEM_BASE, VdevLayout, VmLayout};

const PC: &str = "ram 64M\nvdev ioapic loc 0xfec00000 intr apic name ioapic\n";

fn shmems(l: &VmLayout) -> Vec<&VdevLayout> {
    l.vdevs
        .iter()
        .filter(|d| d.config.kind == VdevKind::Shmem)
        .collect()
}

#[test]
fn the_register_block_takes_a_slot_and_a_pin_the_region_256_gib() {
    let text =
        format!("{PC}vdev shmem loc 0xd0100000 intr ioapic:20 create ring,64K allow \"shmem-*\"\n");
    let l = place_text(&text).unwrap();
    let d = shmems(&l)[0];
    assert_eq!(
        (d.slot, d.reg_size, d.intid),
        (
            Region {
                base: 0xd010_0000,
                size: 0x1000
            },
            0x1000,
            Some(20)
        )
    );
    assert_eq!(
        d.shared,
        Some(Region {
            base: SHMEM_BASE,
            size: 0x1_0000
        })
    );
    // 256 GiB, above the PC's 32-bit holes; the kernel's guest space ends
    // below AMD's HyperTransport hole.
    const { assert!(SHMEM_BASE == 0x40_0000_0000 && SHMEM_BASE >= PC_32BIT_HOLES_END) };
    const { assert!(abi::GUEST_PA_TOP <= AMD_HT_HOLE.start) };
    assert_eq!(qvm::honour::check(&common::parse(&text)), Ok(Vec::new()));
}

#[test]
fn without_loc_and_intr_a_shmem_takes_the_next_memory_slot_and_pin() {
    let text = format!("{PC}vdev virtio-entropy\nvdev shmem create a,4K\nvdev shmem create b,8K\n");
    let l = place_text(&text).unwrap();
    let s = shmems(&l);
    assert_eq!(
        (s[0].slot.base, s[0].intid),
        (MMIO_BASE + 0x1000, Some(MISC_PIN + 1))
    );
    assert_eq!(
        (s[1].slot.base, s[1].intid),
        (MMIO_BASE + 0x2000, Some(MISC_PIN + 2))
    );
    // Side by side from 256 GiB, in config order.
    assert_eq!(s[0].shared.unwrap().base, SHMEM_BASE);
    assert_eq!(s[1].shared.unwrap().base, SHMEM_BASE + 0x1000);
}

#[test]
fn the_region_stays_clear_of_high_ram_and_out_of_the_memory_map() {
    let text = "ram 0,2G\nram 0x100000000,14G\nvdev ioapic loc 0xfec00000 intr apic name ioapic\n\
                vdev shmem create ring,1M\n";
    let l = place_text(text).unwrap();
    let region = shmems(&l)[0].shared.unwrap();
    assert_eq!(region.base, SHMEM_BASE);
    // Not RAM: the memory map (multiboot's, Linux's e820) leaves it out,
    // as it leaves out every device's memory.
    let map = memory_map(&l.memory);
    assert!(
        map.iter()
            .all(|r| r.base + r.length <= region.base || region.end() <= r.base),
        "{map:?}"
    );
}

#[test]
fn refusals_name_the_line() {
    for (extra, want) in [
        ("vdev shmem loc io:0x100 create r,4K\n", "not io:"),
        (
            "vdev shmem intr ioapic:24 create r,4K\n",
            "I/O APIC pin 24 does not exist",
        ),
        ("vdev shmem loc 0xfec00000 create r,4K\n", "overlaps"),
    ] {
        let err = place_err(&format!("{PC}{extra}"));
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(err.contains("t.qvmconf:3"), "{extra:?}: {err}");
    }
    let err = qvm::honour::check(&common::parse(&format!("{PC}vdev shmem\n"))).unwrap_err();
    assert!(err.to_string().contains("needs 'create"), "{err}");
}

#[test]
fn the_dsdt_describes_each_shmem_device() {
    let text = format!(
        "{PC}vdev virtio-entropy\nvdev shmem loc 0xd0100000 intr ioapic:20 create ring,64K\n"
    );
    let l = place_text(&text).unwrap();
    let m = machine_of(&l).unwrap();
    assert_eq!(m.virtio.len(), 1);
    assert_eq!(
        m.shmem,
        [SharedMemory {
            regs: 0xd010_0000,
            gsi: 20,
            region: SHMEM_BASE,
            size: 0x1_0000,
        }]
    );
    let image = acpi::build(&m, 0xE_0000, 0x1_0000).unwrap();
    let at = (image.addrs.dsdt - image.base) as usize;
    let len = u32::from_le_bytes(image.bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    let dsdt = &image.bytes[at..at + len];
    let has = |needle: &[u8]| dsdt.windows(needle.len()).any(|w| w == needle);
    assert!(has(SHMEM_HID.as_bytes()) && has(b"SH00") && has(b"VR00"));
    assert!(has(&0xd010_0000u32.to_le_bytes()));
    assert!(has(&SHMEM_BASE.to_le_bytes()));
    // A register block above 4 GiB has no 32-bit descriptor: refused.
    let mut high = l.clone();
    let d = high
        .vdevs
        .iter_mut()
        .find(|d| d.config.kind == VdevKind::Shmem)
        .unwrap();
    d.slot.base = 0x1_0000_0000;
    let err = machine_of(&high).unwrap_err();
    assert!(
        err.contains("a shmem device at 0x100000000: ACPI describes shmem devices below 4 GiB"),
        "{err}"
    );
}
