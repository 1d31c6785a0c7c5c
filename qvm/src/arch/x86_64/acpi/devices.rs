//! The VM's devices under `\_SB` in the DSDT: its virtio-mmio devices,
//! (`shmem.rs`) its `vdev shmem` devices and (`keyboard.rs`) its 8042.
//! The virtio-mmio devices, where an ACPI guest finds them (an x86 guest has no device tree): `Scope (\_SB) { Device (VRnn)
//! { Name (_HID, "LNRO0005") Name (_UID, n) Name (_CRS,
//! ResourceTemplate () { Memory32Fixed (ReadWrite, BASE, SIZE)
//! Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { GSI }
//! }) } ... }`. "LNRO0005" is the ID Linux's virtio-mmio driver matches
//! (drivers/virtio/virtio_mmio.c, `virtio_mmio_acpi_match`); the
//! interrupt is level-triggered active-high, as a virtio-mmio device
//! holds its line while its InterruptStatus is non-zero. Encodings: ACPI
//! 6.4 §20.2 (AML) and §6.4 (resource descriptors, `resources.rs`).

use super::aml::{self, END_TAG, NAME_OP, integer, name_buffer, name_string, with_length};
use super::keyboard::keyboard_device;
use super::resources::{level_interrupt, memory32_fixed};
use super::sdt::Bytes;
use super::shmem::{SharedMemory, shmem_devices};

/// A virtio-mmio device: its registers and its I/O APIC input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VirtioMmio {
    /// First register's address (below 4 GiB: a 32-bit descriptor).
    pub base: u32,
    /// Bytes of registers.
    pub size: u32,
    /// Its interrupt's GSI.
    pub gsi: u32,
}

/// ScopeOp (§20.2.5.1).
const SCOPE_OP: u8 = 0x10;
/// RootChar (§20.2.2).
const ROOT_CHAR: u8 = b'\\';
/// The `_HID` of a virtio-mmio device.
pub const VIRTIO_MMIO_HID: &str = "LNRO0005";
/// Devices the names `VR00` to `VRFF` tell apart.
pub const MAX_DEVICES: usize = 256;

/// The resource template of `d`: its memory range, its interrupt, the
/// end tag.
fn resources(d: &VirtioMmio) -> Bytes {
    let mut r = Bytes::default();
    memory32_fixed(&mut r, d.base, d.size);
    level_interrupt(&mut r, d.gsi);
    r.u8(END_TAG).u8(0);
    r
}

/// `Device (VRnn) {...}` for device number `n` (below [`MAX_DEVICES`]).
fn device(out: &mut Bytes, n: usize, d: &VirtioMmio) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut body = Bytes::default();
    name_string(&mut body, b"_HID", VIRTIO_MMIO_HID);
    body.u8(NAME_OP).raw(b"_UID");
    integer(&mut body, n as u64);
    name_buffer(&mut body, b"_CRS", &resources(d).0);
    let name = [b'V', b'R', HEX[(n >> 4) & 0xF], HEX[n & 0xF]];
    aml::device(out, &name, &body.0);
}

/// Appends `Scope (\_SB) {...}` with a device for each of `devices` (at
/// most [`MAX_DEVICES`]), each of `shmems` (`shmem.rs`) and, if `i8042`,
/// the 8042 keyboard controller (`keyboard.rs`); nothing if there are
/// none.
pub fn system_bus_scope(
    out: &mut Bytes,
    devices: &[VirtioMmio],
    shmems: &[SharedMemory],
    i8042: bool,
) {
    if devices.is_empty() && shmems.is_empty() && !i8042 {
        return;
    }
    let mut body = Bytes::default();
    body.u8(ROOT_CHAR).raw(b"_SB_");
    for (n, d) in devices.iter().take(MAX_DEVICES).enumerate() {
        device(&mut body, n, d);
    }
    shmem_devices(&mut body, shmems);
    if i8042 {
        keyboard_device(&mut body);
    }
    with_length(out, &[SCOPE_OP], &body.0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::x86_64::acpi::aml::{BUFFER_OP, DEVICE_OP, EXT_OP_PREFIX};

    #[test]
    fn one_device_encodes_as_iasl_would() {
        let mut out = Bytes::default();
        let d = VirtioMmio {
            base: 0xD000_0000,
            size: 0x200,
            gsi: 16,
        };
        system_bus_scope(&mut out, &[d], &[], false);
        let b = &out.0;
        // A PkgLength at `at`: the value and the bytes it takes.
        let pkg = |b: &[u8], at: usize| {
            let extra = usize::from(b[at] >> 6);
            let mut v = usize::from(b[at] & if extra == 0 { 0x3F } else { 0xF });
            for i in 0..extra {
                v |= usize::from(b[at + 1 + i]) << (4 + 8 * i);
            }
            (v, 1 + extra)
        };
        // Scope (its PkgLength counts itself and the rest), \_SB_.
        assert_eq!(b[0], SCOPE_OP);
        let (len, n) = pkg(b, 1);
        assert_eq!(len, b.len() - 1);
        let b = &b[1 + n..];
        assert_eq!(&b[..5], b"\\_SB_");
        // Device VR00 and its objects.
        assert_eq!(&b[5..7], &[EXT_OP_PREFIX, DEVICE_OP]);
        let b = &b[7..];
        let (len, n) = pkg(b, 0);
        assert_eq!(len, b.len());
        let b = &b[n..];
        assert_eq!(&b[..4], b"VR00");
        assert_eq!(&b[4..10], b"\x08_HID\x0d");
        assert_eq!(&b[10..19], b"LNRO0005\0");
        assert_eq!(&b[19..26], b"\x08_UID\x00\x08");
        // _CRS: Buffer, PkgLength, size 23 as a byte, the template.
        assert_eq!(&b[26..30], b"_CRS");
        assert_eq!((b[30], b[31]), (BUFFER_OP, 26));
        assert_eq!(&b[32..34], &[0x0A, 23]);
        assert_eq!(
            &b[34..],
            &[
                0x86, 9, 0, 1, 0, 0, 0, 0xD0, 0, 2, 0, 0, // Memory32Fixed
                0x89, 6, 0, 1, 1, 16, 0, 0, 0, // Interrupt
                0x79, 0, // End tag
            ]
        );
    }

    #[test]
    fn devices_get_their_own_names_and_no_devices_no_scope() {
        let d = VirtioMmio {
            base: 0xD000_1000,
            size: 0x200,
            gsi: 17,
        };
        let mut out = Bytes::default();
        system_bus_scope(&mut out, &[d; 20], &[], false);
        let names: alloc::vec::Vec<_> = out
            .0
            .windows(4)
            .filter(|w| w.starts_with(b"VR"))
            .map(|w| alloc::string::String::from_utf8_lossy(w).into_owned())
            .collect();
        assert_eq!(names.len(), 20);
        assert_eq!(names[19], "VR13");
        let mut none = Bytes::default();
        system_bus_scope(&mut none, &[], &[], false);
        assert!(none.0.is_empty());
        // The 8042 alone: a scope with KBD_ in it.
        let mut kbd = Bytes::default();
        system_bus_scope(&mut kbd, &[], &[], true);
        assert!(kbd.0.windows(4).any(|w| w == b"KBD_"));
        assert!(kbd.0.windows(7).any(|w| w == b"PNP0303"));
    }
}
