//! The DSDT (ACPI 6.4 §5.2.11.1): the system states (`aml.rs`'s
//! `\_S0_` and `\_S5_`), the virtio and shmem devices and the 8042
//! (`devices.rs`).

use alloc::vec::Vec;

use super::aml::{DSDT_REVISION, SLP_TYP_S0, SLP_TYP_S5, name_package};
use super::devices::{VirtioMmio, system_bus_scope};
use super::sdt::{Oem, Sdt};
use super::shmem::SharedMemory;

/// The DSDT: a definition block whose TermList defines `\_S0_` and
/// `\_S5_` (the top level of the DSDT is the root scope), and the
/// `virtio` devices, the `shmems` and, if `i8042`, the 8042 under `\_SB`
/// (`devices.rs`).
pub fn dsdt(oem: &Oem, virtio: &[VirtioMmio], shmems: &[SharedMemory], i8042: bool) -> Vec<u8> {
    let mut t = Sdt::new(b"DSDT", DSDT_REVISION, oem);
    for (seg, typ) in [(b"_S0_", SLP_TYP_S0), (b"_S5_", SLP_TYP_S5)] {
        // Package {SLP_TYPa, SLP_TYPb, reserved, reserved} (§7.4.2).
        let typ = u64::from(typ);
        name_package(t.body(), seg, &[typ, typ, 0, 0]);
    }
    system_bus_scope(t.body(), virtio, shmems, i8042);
    t.finish()
}
