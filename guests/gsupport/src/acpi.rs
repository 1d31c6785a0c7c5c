//! ACPI tables as bytes (ACPI 6.5, chapter 5): the checks and readers the
//! x86_64 guests use to learn their platform, kept free of memory access
//! so that the build host tests them. `x86_64::acpi` finds the tables in
//! memory and hands their bytes here: the RSDP ([`parse_rsdp`]), the
//! MADT ([`madt`]), the FADT and the DSDT's `\_S5_` ([`fadt`]), and a
//! device's resources from its `_CRS` ([`crs`]).

pub mod crs;
pub mod fadt;
pub mod madt;

/// The RSDP's signature (5.2.5.3).
pub const RSDP_SIGNATURE: &[u8; 8] = b"RSD PTR ";
/// Bytes of the ACPI 1.0 RSDP (its checksum covers these).
pub const RSDP_V1_LEN: usize = 20;
/// Bytes of the ACPI 2.0 RSDP (its extended checksum covers these).
pub const RSDP_V2_LEN: usize = 36;
/// Bytes of a system description table's header (5.2.6).
pub const HEADER_LEN: usize = 36;

/// A little-endian u16 at `at` in `b`, if it is there.
pub fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// A little-endian u32 at `at` in `b`, if it is there.
pub fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// A little-endian u64 at `at` in `b`, if it is there.
pub fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// Whether the bytes sum to zero (mod 256), as every ACPI checksum makes
/// them.
pub fn sums_to_zero(b: &[u8]) -> bool {
    b.iter().fold(0u8, |s, &x| s.wrapping_add(x)) == 0
}

/// A table's length from its header, if the header is there and the
/// length at least a header's.
pub fn table_len(header: &[u8]) -> Option<usize> {
    let len = le32(header, 4)? as usize;
    (len >= HEADER_LEN).then_some(len)
}

/// What an RSDP says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rsdp {
    /// OEM ID, space padded.
    pub oem_id: [u8; 6],
    /// The RSDT's address.
    pub rsdt: u32,
    /// The XSDT's address (revision 2 and later, extended checksum right).
    pub xsdt: Option<u64>,
}

impl Rsdp {
    /// The OEM ID without its padding.
    pub fn oem(&self) -> &str {
        core::str::from_utf8(&self.oem_id)
            .unwrap_or("?")
            .trim_end_matches([' ', '\0'])
    }
}

/// The RSDP at the start of `b`, if its signature and checksum are right.
pub fn parse_rsdp(b: &[u8]) -> Option<Rsdp> {
    if b.get(..8)? != RSDP_SIGNATURE || !sums_to_zero(b.get(..RSDP_V1_LEN)?) {
        return None;
    }
    let extended = b[15] >= 2 && b.len() >= RSDP_V2_LEN && sums_to_zero(&b[..RSDP_V2_LEN]);
    Some(Rsdp {
        oem_id: b[9..15].try_into().ok()?,
        rsdt: le32(b, 16)?,
        xsdt: le64(b, 24).filter(|&x| extended && x != 0),
    })
}

/// The entries of an RSDT (`extended`: XSDT) body: table addresses.
pub fn sdt_entries(body: &[u8], extended: bool) -> impl Iterator<Item = u64> + '_ {
    let size = if extended { 8 } else { 4 };
    (0..body.len() / size).filter_map(move |i| match extended {
        true => le64(body, i * 8),
        false => le32(body, i * 4).map(u64::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_checksum(mut b: Vec<u8>, at: usize, over: usize) -> Vec<u8> {
        b[at] = 0;
        let sum = b[..over].iter().fold(0u8, |s, &x| s.wrapping_add(x));
        b[at] = sum.wrapping_neg();
        b
    }

    #[test]
    fn reads_an_rsdp() {
        let mut v1 = b"RSD PTR \0BOCHS \0".to_vec();
        v1.extend(0x7fe_1234u32.to_le_bytes());
        let v1 = with_checksum(v1, 8, RSDP_V1_LEN);
        let rsdp = parse_rsdp(&v1).unwrap();
        assert_eq!(
            (rsdp.oem(), rsdp.rsdt, rsdp.xsdt),
            ("BOCHS", 0x7fe_1234, None)
        );
        let mut bad = v1.clone();
        bad[16] ^= 1;
        assert_eq!(parse_rsdp(&bad), None);
        assert_eq!(parse_rsdp(&v1[..10]), None);

        let mut v2 = v1.clone();
        v2[15] = 2;
        v2.extend(36u32.to_le_bytes());
        v2.extend(0x1_0000_0000u64.to_le_bytes());
        v2.extend([0; 4]);
        let v2 = with_checksum(with_checksum(v2, 8, RSDP_V1_LEN), 32, RSDP_V2_LEN);
        assert_eq!(parse_rsdp(&v2).unwrap().xsdt, Some(0x1_0000_0000));
        let mut wrong = v2.clone();
        wrong[33] ^= 1;
        assert_eq!(parse_rsdp(&wrong).unwrap().xsdt, None);
    }

    #[test]
    fn lists_sdt_entries() {
        let body = [1, 0, 0, 0, 2, 0, 0, 0, 3];
        assert_eq!(sdt_entries(&body, false).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            sdt_entries(&body, true).collect::<Vec<_>>(),
            [0x2_0000_0001]
        );
        assert_eq!(table_len(&[0, 0, 0, 0, 35, 0, 0, 0]), None);
        assert_eq!(table_len(&[0, 0, 0, 0, 36, 0, 0, 0]), Some(36));
        assert!(sums_to_zero(&[0x80, 0x80]) && !sums_to_zero(&[1]));
    }
}
