//! Placement: the default ARM layout, explicit addresses, conflicts.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use common::{BASE, example, place_err, place_text};
use qvm::config::{GicVersion, MemKind, VdevKind};
use qvm::layout::{PlaceOptions, Region, place, place_with};

/// Every ARM device has an interrupt line.
fn arm_line(v: &qvm::layout::VdevLayout) -> u32 {
    v.intid.expect("an ARM device has an INTID")
}

fn slots(text: &str) -> Vec<(VdevKind, u64, u32)> {
    let l = place_text(text).unwrap_or_else(|e| panic!("{e}"));
    l.vdevs
        .iter()
        .map(|v| (v.config.kind, v.slot.base, arm_line(v)))
        .collect()
}

#[test]
fn every_placement_error() {
    common::check_error_table("placement_errors.txt", 30, place_err);
}

#[test]
fn hello_gets_the_default_layout() {
    let l = place(&example("hello.qvmconf")).unwrap();
    assert_eq!(l.name.as_deref(), Some("hello"));
    assert_eq!(l.memory.len(), 1);
    assert_eq!(
        l.memory[0].region,
        Region {
            base: 0x8000_0000,
            size: 64 << 20
        }
    );
    assert_eq!(l.cpus.len(), 1, "no cpu means one");
    assert_eq!(l.cpus[0].mpidr(), 0);
    assert!(l.cpus[0].config.origin.is_none());
    assert_eq!(l.gic.version, GicVersion::V3);
    assert_eq!(
        l.gic.gicd,
        Region {
            base: 0x2f00_0000,
            size: 0x1_0000
        }
    );
    assert_eq!(
        l.gic.gicr,
        Some(Region {
            base: 0x2f10_0000,
            size: 0x2_0000
        })
    );
    assert_eq!(l.gic.gicc, None);
    assert_eq!(l.vdevs.len(), 1);
    let uart = &l.vdevs[0];
    assert_eq!(
        uart.slot,
        Region {
            base: 0x1c09_0000,
            size: 0x1000
        }
    );
    assert_eq!((uart.reg_size, arm_line(uart)), (0x1000, 37));
    assert_eq!(l.gic.max_intid, 37);
}

#[test]
fn the_spec_example_keeps_its_addresses() {
    let l = place(&example("linux.qvmconf")).unwrap();
    assert_eq!(
        l.memory[0].region,
        Region {
            base: 0x8000_0000,
            size: 512 << 20
        }
    );
    assert_eq!(l.cpus.len(), 2);
    assert_eq!(
        l.gic.gicr,
        Some(Region {
            base: 0x2f10_0000,
            size: 0x4_0000
        })
    );
    let got: Vec<_> = l
        .vdevs
        .iter()
        .map(|v| (v.slot.base, v.reg_size, arm_line(v)))
        .collect();
    assert_eq!(
        got,
        [
            (0x1c09_0000, 0x1000, 37),
            (0x1c0d_0000, 0x200, 41),
            (0x1c0c_0000, 0x200, 40)
        ]
    );
}

#[test]
fn every_device_type_has_its_default() {
    let got = slots(&format!(
        "{BASE}vdev wdt-sp805\nvdev virtio-entropy\nvdev virtio-console\nvdev virtio-blk\n\
         vdev virtio-net\nvdev pl011\nvdev shmem\nvdev ser8250"
    ));
    use VdevKind::*;
    assert_eq!(
        got,
        [
            (WdtSp805, 0x1c0f_0000, 44),
            (VirtioEntropy, 0x1c0e_0000, 43),
            (VirtioConsole, 0x2000_0000, 42),
            (VirtioBlk, 0x1c0d_0000, 41),
            (VirtioNet, 0x1c0c_0000, 40),
            (Pl011, 0x1c09_0000, 37),
            (Shmem, 0x1c10_0000, 45),
            (Ser8250, 0x1c10_1000, 46),
        ]
    );
}

#[test]
fn later_devices_of_a_type_take_the_next_free_slot_and_intid() {
    let got = slots(&format!("{BASE}vdev pl011\nvdev pl011\nvdev pl011"));
    let want: Vec<_> = (0..3)
        .map(|i| (VdevKind::Pl011, 0x1c09_0000 + i * 0x1000, 37 + i as u32))
        .collect();
    assert_eq!(got, want);
    // virtio-net's next INTID, 41, is virtio-blk's default: blk, placed
    // later, moves on to the next free one.
    let got = slots(&format!(
        "{BASE}vdev virtio-net\nvdev virtio-net\nvdev virtio-blk"
    ));
    use VdevKind::*;
    assert_eq!(
        got,
        [
            (VirtioNet, 0x1c0c_0000, 40),
            (VirtioNet, 0x1c0c_1000, 41),
            (VirtioBlk, 0x1c0d_0000, 42)
        ]
    );
}

#[test]
fn explicit_places_are_taken_before_automatic_ones() {
    // The second pl011 asks for the first one's default slot and INTID.
    let got = slots(&format!(
        "{BASE}vdev pl011\nvdev pl011 loc 0x1c090000 intr gic:37"
    ));
    use VdevKind::*;
    assert_eq!(got, [(Pl011, 0x1c09_1000, 38), (Pl011, 0x1c09_0000, 37)]);
}

#[test]
fn automatic_placement_avoids_reserved_and_passed_ranges() {
    let got = slots(&format!(
        "{BASE}reserve loc mem:0x1c090000,8K intr gic:37\npass loc mem:0x1c092000,4K,rw intr gic:38=100\n\
         vdev pl011"
    ));
    assert_eq!(got, [(VdevKind::Pl011, 0x1c09_3000, 39)]);
    // The GIC name works as controller name too.
    let got = slots("ram 64M\nvdev gic name intc\nreserve intr intc:37\nvdev pl011");
    assert_eq!(got, [(VdevKind::Pl011, 0x1c09_0000, 38)]);
}

#[test]
fn ram_without_an_address_goes_after_the_highest_so_far() {
    let l = place_text("vdev gic\nram 1G\nrom 0x1000,64K\nram 0x100000000,16M\nram 0x1000\nrom 4K")
        .unwrap();
    let got: Vec<_> = l
        .memory
        .iter()
        .map(|m| (m.kind, m.region.base, m.region.size))
        .collect();
    assert_eq!(
        got,
        [
            (MemKind::Ram, 0x8000_0000, 1 << 30),
            (MemKind::Rom, 0x1000, 0x1_0000),
            (MemKind::Ram, 0x1_0000_0000, 16 << 20),
            (MemKind::Ram, 0x1_0100_0000, 0x1000),
            (MemKind::Rom, 0x1_0100_1000, 0x1000),
        ]
    );
    assert_eq!(l.ram().count(), 3);
    // A ROM first: RAM follows it.
    let l = place_text("vdev gic\nrom 0x10000000,1M\nram 64M").unwrap();
    assert_eq!(l.memory[1].region.base, 0x1010_0000);
}

#[test]
fn gicv2_defaults_and_explicit_gic_addresses() {
    let l = place_text("ram 64M\nvdev gic version 2\ncpu\ncpu\ncpu\ncpu").unwrap();
    assert_eq!(l.gic.version, GicVersion::V2);
    assert_eq!(
        l.gic.gicd,
        Region {
            base: 0x2c00_1000,
            size: 0x1000
        }
    );
    assert_eq!(
        l.gic.gicc,
        Some(Region {
            base: 0x2c00_2000,
            size: 0x2000
        })
    );
    assert_eq!(l.gic.gicr, None);
    let l = place_text("ram 64M\nvdev gic version 2 loc 0x8000000").unwrap();
    assert_eq!(l.gic.gicd.base, 0x800_0000);
    assert_eq!(l.gic.gicc.unwrap().base, 0x800_1000);
    let l = place_text("ram 64M\nvdev gic version 3 loc mem:0x8000000\ncpu\ncpu\ncpu").unwrap();
    assert_eq!(l.gic.gicd.base, 0x800_0000);
    assert_eq!(
        l.gic.gicr,
        Some(Region {
            base: 0x810_0000,
            size: 3 * 0x2_0000
        })
    );
    // The most vCPUs each version takes.
    let eight = "cpu\n".repeat(8);
    assert_eq!(
        place_text(&format!("ram 64M\nvdev gic version 2\n{eight}"))
            .unwrap()
            .cpus
            .len(),
        8
    );
    let sixteen = "cpu\n".repeat(16);
    let l = place_text(&format!("ram 64M\nvdev gic\n{sixteen}")).unwrap();
    assert_eq!(
        l.cpus.iter().map(|c| c.mpidr()).collect::<Vec<_>>(),
        (0..16).collect::<Vec<_>>()
    );
}

#[test]
fn the_default_gic_version_is_the_callers_choice() {
    let c = common::parse("ram 64M\nvdev gic");
    let v2 = PlaceOptions {
        default_gic: GicVersion::V2,
    };
    assert_eq!(place_with(&c, &v2).unwrap().gic.version, GicVersion::V2);
    assert_eq!(place(&c).unwrap().gic.version, GicVersion::V3);
    let c = common::parse("ram 64M\nvdev gic version 3");
    assert_eq!(place_with(&c, &v2).unwrap().gic.version, GicVersion::V3);
}

#[test]
fn edges_of_the_guest_physical_space() {
    // The last page below the 39-bit top, and the first above page 0.
    let l = place_text(&format!("{BASE}vdev pl011 loc 0x7ffffff000")).unwrap();
    assert_eq!(l.vdevs[0].slot.end(), 1 << 39);
    let l = place_text("vdev gic\nram 0x1000,4K").unwrap();
    assert_eq!(
        l.memory[0].region,
        Region {
            base: 0x1000,
            size: 4096
        }
    );
}

#[test]
fn passes_are_kept_and_max_intid_counts_them() {
    let l = place_text(&format!(
        "{BASE}pass loc mem:0x9000000,4K,rw intr gic:300=33"
    ))
    .unwrap();
    assert_eq!(l.passes.len(), 2);
    assert_eq!(l.gic.max_intid, 300);
    let l = place_text(BASE).unwrap();
    assert_eq!(l.gic.max_intid, 31);
}

#[test]
fn a_full_config_places() {
    let l = place(&example("full.qvmconf")).unwrap();
    assert_eq!(l.vdevs.len(), 10);
    assert_eq!(l.cpus.len(), 3);
    // Shmem skips the reserved INTID 45.
    let shmem = l
        .vdevs
        .iter()
        .find(|v| v.config.kind == VdevKind::Shmem)
        .unwrap();
    assert_eq!((shmem.slot.base, arm_line(shmem)), (0x1c10_0000, 46));
    // Its region (`create ring,64K`) goes at the first free place from
    // 256 GiB.
    let shared = shmem.shared.unwrap();
    assert_eq!(
        (shared.base, shared.size),
        (qvm::layout::SHMEM_BASE, 0x1_0000)
    );
}

#[test]
fn both_ends_of_a_peer_link_name_the_same_region() {
    use qvm::config::Peer;
    use qvm::layout::links::link_end;
    let peer = |vm: &str, name: &str| Peer {
        vm: vm.into(),
        name: name.into(),
    };
    let a = link_end("linux1", "net0", &peer("linux2", "eth"));
    let b = link_end("linux2", "eth", &peer("linux1", "net0"));
    assert_eq!(a.region, "vnet/linux1/net0+linux2/eth");
    assert_eq!(a.region, b.region);
    assert_eq!((a.end, b.end), (0, 1));
    // Other cards of the same VMs get other links.
    let c = link_end("linux1", "net1", &peer("linux2", "eth"));
    assert_ne!(c.region, a.region);
    assert!(place_text("system a\nram 64M\nvdev gic\nvdev virtio-net name n0 peer b/n0\n").is_ok());
}

#[test]
fn a_config_without_vdev_gic_gets_qnxs_implicit_one() {
    let c = common::parse("ram 64M\ncpu\ncpu");
    let l = place(&c).unwrap();
    assert!(l.gic.implicit);
    assert_eq!(l.gic.version, GicVersion::V3);
    assert_eq!(
        l.gic.gicd,
        Region {
            base: 0x2f00_0000,
            size: 0x1_0000
        }
    );
    assert_eq!(
        l.gic.gicr,
        Some(Region {
            base: 0x2f10_0000,
            size: 2 * 0x2_0000
        })
    );
    // Its version is the caller's (the host's), its layout QNX's default.
    let v2 = PlaceOptions {
        default_gic: GicVersion::V2,
    };
    let l = place_with(&c, &v2).unwrap();
    assert_eq!(l.gic.version, GicVersion::V2);
    assert_eq!(l.gic.gicd.base, 0x2c00_1000);
    assert_eq!(l.gic.gicc.map(|r| r.base), Some(0x2c00_2000));
    // `intr gic:N` names it as it would a written one.
    let l = place_text("ram 64M\nvdev pl011 intr gic:50").unwrap();
    assert_eq!(arm_line(&l.vdevs[0]), 50);
    // A written `vdev gic` is not implicit.
    assert!(!place_text("ram 64M\nvdev gic").unwrap().gic.implicit);
}

#[test]
fn a_gic_of_another_version_than_the_hosts_is_refused_by_name() {
    use qvm::arch::aarch64::gic::check_host_version;
    let l = place_text("ram 64M\nvdev gic version 2").unwrap();
    let e = check_host_version(&l.gic, 3).unwrap_err().to_string();
    assert_eq!(
        e,
        "t.qvmconf:2: vdev gic version 2: the host's GIC is v3 and its kernel gives a VM only \
         a GIC of its own version (no GICv2 compatibility); leave 'version' out (the host's) \
         or give 'version 3'"
    );
    assert!(check_host_version(&l.gic, 2).is_ok());
    let l = place_text("ram 64M\nvdev gic version 3").unwrap();
    assert!(check_host_version(&l.gic, 3).is_ok());
    assert!(check_host_version(&l.gic, 2).is_err());
}
