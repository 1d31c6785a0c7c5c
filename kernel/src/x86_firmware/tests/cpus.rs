//! CPU and NMI lists past their capacity, and the boot CPU moved first.

use alloc::vec;
use alloc::vec::Vec;

use super::build_acpi::{Entry, x2apics};
use super::madt::board;
use crate::board::MAX_CPUS;
use crate::x86_firmware::MAX_NMIS;

#[test]
fn cpus_past_the_limit_and_the_boot_cpu_first() {
    let extra = 6;
    let mut b = board(0, &x2apics(MAX_CPUS as u32 + extra)).0.unwrap();
    assert_eq!((b.cpus.len(), b.cpus_dropped), (MAX_CPUS, extra as usize));
    let before = b.clone();
    assert!(b.boot_cpu_first(5));
    let ids: Vec<u32> = b.cpus.iter().map(|c| c.apic_id).collect();
    let mut want = vec![5, 0, 1, 2, 3, 4];
    want.extend(6..MAX_CPUS as u32);
    assert_eq!(ids, want);
    // A dropped one takes the last place.
    let mut b = before.clone();
    assert!(b.boot_cpu_first(MAX_CPUS as u32 + 2));
    assert_eq!(b.cpus[0].apic_id, MAX_CPUS as u32 + 2);
    assert_eq!(b.cpus[1..], before.cpus[..MAX_CPUS - 1]);
    // With nothing dropped, an unknown one changes nothing.
    let mut b = board(0, &x2apics(3)).0.unwrap();
    let before = b.clone();
    assert!(!b.boot_cpu_first(9));
    assert_eq!(b, before);
    assert!(b.boot_cpu_first(0));
    assert_eq!(b, before);
}

#[test]
fn nmis_past_the_limit_are_counted() {
    let mut entries = x2apics(1);
    entries.extend((0..MAX_NMIS as u32 + 3).map(|uid| Entry::X2Nmi {
        flags: 0,
        uid,
        lint: 1,
    }));
    let b = board(0, &entries).0.unwrap();
    assert_eq!((b.nmis.len(), b.nmis_dropped), (MAX_NMIS, 3));
}
