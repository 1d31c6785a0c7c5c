//! The host kernel's limits (`abi::guest`): placement refuses what the
//! kernel would, with the limit in the message, and takes what is just
//! within; the run-time check of the host's free memory.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use common::{BASE, place_err, place_text};
use qvm::layout::limits::{check_host_memory, size_word};

#[test]
fn every_limit_error() {
    common::check_error_table("limits_errors.txt", 16, place_err);
}

#[test]
fn ram_64g_is_refused_before_the_kernel_sees_it() {
    assert_eq!(
        place_err("vdev gic\nram 64G"),
        "t.qvmconf:2: ram 64G: more than a VM may have (at most 16 GiB, RAM and ROM together)"
    );
    // Just the most a VM may have is placed.
    let l = place_text("vdev gic\nram 0x100000000,8G\nrom 8G").unwrap();
    let total: u64 = l.memory.iter().map(|m| m.region.size).sum();
    assert_eq!(total, abi::VM_RAM_MAX);
}

#[test]
fn the_edges_of_the_guest_physical_space_are_usable() {
    let l = place_text(&format!(
        "{BASE}vdev pl011 loc 0x0\nvdev virtio-blk loc 0x7ffffff000"
    ))
    .unwrap();
    // Page 0 too: RAM on a PC, and on boards such as the ZCU102.
    assert_eq!(l.vdevs[0].slot.base, abi::GUEST_PA_MIN);
    assert_eq!(l.vdevs[1].slot.end(), abi::GUEST_PA_TOP);
    assert!(place_text(&format!("{BASE}reserve loc mem:0,64K")).is_ok());
    assert!(place_text("vdev gic\nram 0,64M").is_ok());
}

#[test]
fn the_gic_takes_the_windows_the_kernel_traps() {
    let l = place_text("ram 64M\nvdev gic version 2\nvdev pl011 loc 0x2c004000").unwrap();
    assert_eq!(l.gic.gicd.size, abi::GICV2_GICD_SIZE);
    let gicc = l.gic.gicc.unwrap();
    assert_eq!(
        (gicc.base, gicc.size),
        (l.gic.gicd.end(), abi::GICV2_GICC_SIZE)
    );
    // The first page after the CPU interface is free for a device.
    assert_eq!(l.vdevs[0].slot.base, gicc.end());
    let l = place_text("ram 64M\nvdev gic version 3\ncpu\ncpu\ncpu").unwrap();
    assert_eq!(l.gic.gicd.size, abi::GICV3_GICD_SIZE);
    assert_eq!(l.gic.gicr.unwrap().size, 3 * abi::GICV3_GICR_STRIDE);
    assert!(place_text("ram 64M\nvdev gic\nvdev pl011 loc 0x2f010000").is_ok());
}

#[test]
fn intids_stay_within_the_spis_the_kernel_offers() {
    let l = place_text(&format!("{BASE}vdev pl011 intr gic:991")).unwrap();
    assert_eq!(l.gic.max_intid, abi::VM_INTID_MAX);
    assert_eq!(l.gic.spis(), abi::VM_SPIS_MAX);
    assert_eq!(place_text(BASE).unwrap().gic.spis(), 32);
}

#[test]
fn the_host_must_have_the_memory_free() {
    let l = place_text("vdev gic\nram 2G").unwrap();
    assert_eq!(
        check_host_memory(&l, 1000 << 20).unwrap_err(),
        "ram 2G at t.qvmconf:2: the host has only 1000 MiB free (it needs 2056 MiB with its page tables)"
    );
    assert!(check_host_memory(&l, 2056 << 20).is_ok());
    let l = place_text("vdev gic\nram 512M\nrom 0x10000000,4K\nram 512M").unwrap();
    assert!(check_host_memory(&l, 2 << 30).is_ok());
    assert_eq!(
        check_host_memory(&l, 1000 << 20).unwrap_err(),
        "ram 512M at t.qvmconf:4: the host has only 1000 MiB free (the VM's memory up to here needs 1029 MiB with its page tables)"
    );
}

#[test]
fn sizes_are_written_as_a_config_would() {
    assert_eq!(size_word(64 << 30), "64G");
    assert_eq!(size_word(512 << 20), "512M");
    assert_eq!(size_word(4 << 10), "4K");
    assert_eq!(size_word(0x1800), "6K");
    assert_eq!(size_word(0x1801), "0x1801");
}
