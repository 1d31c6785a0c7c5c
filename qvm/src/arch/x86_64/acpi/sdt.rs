//! The pieces every ACPI table is made of: the System Description Table
//! header (ACPI 6.4 §5.2.6), checksums, little-endian fields and the
//! Generic Address Structure (§5.2.3.2).

use alloc::vec::Vec;

/// Bytes of the System Description Table header.
pub const HEADER_LEN: usize = 36;
/// Offset of the header's Length field.
const LENGTH_AT: usize = 4;
/// Offset of the header's Checksum field.
pub const CHECKSUM_AT: usize = 9;
/// Creator ID of every table: the utility that made it.
pub const CREATOR_ID: [u8; 4] = *b"QHVM";
/// Creator Revision of every table.
pub const CREATOR_REVISION: u32 = 1;

/// Bytes of a Generic Address Structure.
pub const GAS_LEN: usize = 12;
/// GAS Address Space ID: system I/O (§5.2.3.2).
pub const SPACE_IO: u8 = 1;
/// GAS Access Size: byte access.
pub const ACCESS_BYTE: u8 = 1;
/// GAS Access Size: word (16-bit) access.
pub const ACCESS_WORD: u8 = 2;
/// GAS Access Size: dword (32-bit) access.
pub const ACCESS_DWORD: u8 = 3;

/// The byte that makes the sum of `bytes` and itself 0 modulo 256.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |sum, b| sum.wrapping_add(*b))
        .wrapping_neg()
}

/// The OEM fields of a table header.
#[derive(Clone, Copy, Debug)]
pub struct Oem {
    /// OEM ID.
    pub id: [u8; 6],
    /// OEM Table ID.
    pub table_id: [u8; 8],
    /// OEM Revision.
    pub revision: u32,
}

/// A little-endian byte buffer with the field writers tables need.
#[derive(Clone, Debug, Default)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// Appends a byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }

    /// Appends a 16-bit field.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a 32-bit field.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a 64-bit field.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends bytes as they are.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.extend_from_slice(bytes);
        self
    }

    /// Appends `n` zero bytes (reserved fields).
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.0.resize(self.0.len() + n, 0);
        self
    }

    /// Appends a Generic Address Structure for `bits` bits at I/O port
    /// `port`, accessed `access` at a time (bit offset 0).
    pub fn gas_io(&mut self, port: u16, bits: u8, access: u8) -> &mut Self {
        self.u8(SPACE_IO)
            .u8(bits)
            .u8(0)
            .u8(access)
            .u64(u64::from(port))
    }

    /// Appends an all-zero Generic Address Structure: "not present".
    pub fn gas_none(&mut self) -> &mut Self {
        self.zeros(GAS_LEN)
    }
}

/// A table under construction: its header, then the body written
/// through [`Sdt::body`].
pub struct Sdt {
    bytes: Bytes,
}

impl Sdt {
    /// A table with signature `signature` and revision `revision`, its
    /// Length and Checksum to be filled by [`Sdt::finish`].
    pub fn new(signature: &[u8; 4], revision: u8, oem: &Oem) -> Sdt {
        let mut bytes = Bytes::default();
        bytes
            .raw(signature)
            .u32(0) // Length
            .u8(revision)
            .u8(0) // Checksum
            .raw(&oem.id)
            .raw(&oem.table_id)
            .u32(oem.revision)
            .raw(&CREATOR_ID)
            .u32(CREATOR_REVISION);
        debug_assert_eq!(bytes.0.len(), HEADER_LEN);
        Sdt { bytes }
    }

    /// The writer for the fields after the header.
    pub fn body(&mut self) -> &mut Bytes {
        &mut self.bytes
    }

    /// The table's bytes with Length and Checksum set. Tables are far
    /// smaller than 4 GiB (the builder bounds them by its window).
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.bytes.0;
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        bytes[LENGTH_AT..LENGTH_AT + 4].copy_from_slice(&len.to_le_bytes());
        bytes[CHECKSUM_AT] = checksum(&bytes);
        bytes
    }
}
