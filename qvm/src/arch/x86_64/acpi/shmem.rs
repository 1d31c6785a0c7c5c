//! `vdev shmem` devices under `\_SB` in the DSDT: where an x86 guest,
//! which has no device tree, finds what an ARM guest finds in the
//! `qhv,shmem` node. `Device (SHnn) { Name (_HID, "QHSM0001") Name
//! (_UID, n) Name (_CRS, ResourceTemplate () { Memory32Fixed
//! (ReadWrite, REGS, 0x1000) Interrupt (ResourceConsumer, Level,
//! ActiveHigh, Exclusive) { GSI } QWordMemory (ResourceConsumer,
//! PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0, REGION,
//! REGION + SIZE - 1, 0, SIZE, , , , AddressRangeReserved, TypeStatic)
//! }) }`: the register block (`vdev::shmem`, which also gives the
//! region's address and size), the doorbell interrupt (level, high
//! while `STATUS` is not 0), and the shared region as memory the
//! device owns, AddressRangeReserved: not RAM for the OS to take. The
//! region is not in the memory map (e820 or multiboot) either, as no
//! device's memory is. "QHSM" is the register block's `ID`; the ID is
//! qhv's own, as the `qhv,shmem` compatible is. Encodings: ACPI 6.4
//! §6.4.3.5.1 (QWord Address Space Descriptor), the rest as
//! `resources.rs`.

use super::aml::{self, END_TAG, NAME_OP, integer, name_buffer, name_string};
use super::resources::{level_interrupt, memory32_fixed};
use super::sdt::Bytes;

/// The `_HID` of a shmem device.
pub const SHMEM_HID: &str = "QHSM0001";
/// Devices the names `SH00` to `SHFF` tell apart.
pub const MAX_SHMEMS: usize = 256;
/// The register block's size (`vdev::shmem::WINDOW`).
pub const REGS_SIZE: u32 = 0x1000;

/// A shmem device: its registers, its I/O APIC input and its region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedMemory {
    /// The register block's address (below 4 GiB: a 32-bit descriptor).
    pub regs: u32,
    /// Its doorbell interrupt's GSI.
    pub gsi: u32,
    /// The shared region's guest-physical address.
    pub region: u64,
    /// Its size in bytes (not 0).
    pub size: u64,
}

/// Large resource item 0x0A, QWord Address Space Descriptor (§6.4.3.5.1),
/// and its length after the 3-byte header.
const QWORD_ADDRESS_SPACE: u8 = 0x8A;
const QWORD_ADDRESS_SPACE_LEN: u16 = 43;
/// Its resource type: memory.
const RESOURCE_MEMORY: u8 = 0;
/// Its general flags: bit 0 consumer, bit 1 clear (positive decode),
/// bit 2 _MIF and bit 3 _MAF (the range is where it is, its size fixed).
const CONSUMER_FIXED: u8 = 1 << 0 | 1 << 2 | 1 << 3;
/// Its memory flags (table 6.50): bit 0 _RW read-write, bits 2:1 _MEM
/// 1 (cacheable), bits 4:3 _MTP 1 (AddressRangeReserved).
const READ_WRITE_CACHEABLE_RESERVED: u8 = 1 << 0 | 1 << 1 | 1 << 3;

/// The resource template of `d`.
fn resources(d: &SharedMemory) -> Bytes {
    let mut r = Bytes::default();
    memory32_fixed(&mut r, d.regs, REGS_SIZE);
    level_interrupt(&mut r, d.gsi);
    r.u8(QWORD_ADDRESS_SPACE)
        .u16(QWORD_ADDRESS_SPACE_LEN)
        .u8(RESOURCE_MEMORY)
        .u8(CONSUMER_FIXED)
        .u8(READ_WRITE_CACHEABLE_RESERVED)
        .u64(0)
        .u64(d.region)
        .u64(d.region + (d.size - 1))
        .u64(0)
        .u64(d.size);
    r.u8(END_TAG).u8(0);
    r
}

/// Appends `Device (SHnn) {...}` for each of `devices` (at most
/// [`MAX_SHMEMS`]).
pub fn shmem_devices(out: &mut Bytes, devices: &[SharedMemory]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (n, d) in devices.iter().take(MAX_SHMEMS).enumerate() {
        let mut body = Bytes::default();
        name_string(&mut body, b"_HID", SHMEM_HID);
        body.u8(NAME_OP).raw(b"_UID");
        integer(&mut body, n as u64);
        name_buffer(&mut body, b"_CRS", &resources(d).0);
        let name = [b'S', b'H', HEX[(n >> 4) & 0xF], HEX[n & 0xF]];
        aml::device(out, &name, &body.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_names_its_registers_interrupt_and_reserved_region() {
        let d = SharedMemory {
            regs: 0xD010_0000,
            gsi: 20,
            region: 0x40_0000_0000,
            size: 0x1_0000,
        };
        let mut out = Bytes::default();
        shmem_devices(&mut out, &[d, d]);
        let b = &out.0;
        assert_eq!(b.windows(4).filter(|w| w.starts_with(b"SH0")).count(), 2);
        let hid = b"\x08_HID\x0dQHSM0001\0";
        let at = b.windows(hid.len()).position(|w| w == hid).unwrap();
        // _UID 0, then _CRS: Buffer, PkgLength (2 bytes: 0x40 | low
        // nibble, then the rest), size 69 as a byte, the template.
        assert_eq!(&b[at + hid.len()..at + hid.len() + 6], b"\x08_UID\x00");
        let crs = at + hid.len() + 6;
        assert_eq!(&b[crs..crs + 5], b"\x08_CRS");
        assert_eq!(b[crs + 5], aml::BUFFER_OP);
        assert_eq!(&b[crs + 8..crs + 10], &[0x0A, 69]);
        let t = &b[crs + 10..crs + 10 + 69];
        assert_eq!(
            &t[..21],
            &[
                0x86, 9, 0, 1, 0, 0, 0x10, 0xD0, 0, 0x10, 0, 0, // Memory32Fixed
                0x89, 6, 0, 1, 1, 20, 0, 0, 0, // Interrupt
            ]
        );
        assert_eq!(&t[21..27], &[0x8A, 43, 0, 0, 0x0D, 0x0B]);
        let q = |i: usize| u64::from_le_bytes(t[27 + 8 * i..35 + 8 * i].try_into().unwrap());
        assert_eq!(
            [q(0), q(1), q(2), q(3), q(4)],
            [0, 0x40_0000_0000, 0x40_0000_FFFF, 0, 0x1_0000]
        );
        assert_eq!(&t[67..], &[END_TAG, 0]);
    }
}
