//! The sleep type of the soft-off state S5, from the DSDT's `\_S5` object
//! (ACPI 6.5 §7.4.2 "\_Sx (System States)": a package whose first two
//! elements are SLP_TYPa and SLP_TYPb), which the kernel writes with
//! SLP_EN into the PM1 control registers to power the machine off
//! (§4.8.3.2.1).
//!
//! Reading AML in general needs an interpreter; this object is, on every
//! firmware we know (QEMU's, SeaBIOS's, OVMF's, Bochs's), a plain
//! `Name (_S5, Package () {...})` at any scope, which is a fixed byte
//! pattern (§20.2 "AML Grammar"): NameOp 0x08, an optional root or parent
//! prefix, the name `_S5_`, PackageOp 0x12, a PkgLength, NumElements, and
//! integer constants. A `_S5` built any other way (a method) is not found,
//! and the kernel then cannot power off and says so.

use super::sdt::HEADER_LEN;
use super::view::View;

/// The DSDT's signature.
pub const DSDT_SIGNATURE: [u8; 4] = *b"DSDT";
/// Bytes of AML read at a time (no heap at boot): windows overlap by
/// [`OVERLAP`], more than a `Name (_S5, Package {...})` takes.
const WINDOW: usize = 512;
const OVERLAP: usize = 64;

/// S5's sleep types from the DSDT `table`, read a window at a time.
pub(crate) fn find(table: &View) -> Option<(u8, u8)> {
    let mut buf = [0u8; WINDOW];
    let mut at = HEADER_LEN;
    while at < table.len {
        let n = (table.len - at).min(WINDOW as u64) as usize;
        table.read(at, &mut buf[..n]).ok()?;
        if let Some(found) = sleep_types(&buf[..n]) {
            return Some(found);
        }
        if at + n as u64 >= table.len {
            break;
        }
        at += (WINDOW - OVERLAP) as u64;
    }
    None
}

/// AML NameOp.
const NAME_OP: u8 = 0x08;
/// AML PackageOp.
const PACKAGE_OP: u8 = 0x12;
/// AML ZeroOp, OneOp, OnesOp.
const ZERO_OP: u8 = 0x00;
const ONE_OP: u8 = 0x01;
const ONES_OP: u8 = 0xFF;
/// AML BytePrefix, WordPrefix, DWordPrefix, QWordPrefix.
const BYTE_PREFIX: u8 = 0x0A;
const WORD_PREFIX: u8 = 0x0B;
const DWORD_PREFIX: u8 = 0x0C;
const QWORD_PREFIX: u8 = 0x0E;
/// AML RootChar `\` and ParentPrefixChar `^`.
const ROOT_CHAR: u8 = b'\\';
const PARENT_CHAR: u8 = b'^';
/// The object's name.
const S5_NAME: &[u8; 4] = b"_S5_";

/// An AML integer constant at the start of `aml`: its value and length.
fn integer(aml: &[u8]) -> Option<(u64, usize)> {
    let (&op, rest) = aml.split_first()?;
    let read = |n: usize| -> Option<(u64, usize)> {
        let bytes = rest.get(..n)?;
        let value = bytes
            .iter()
            .rev()
            .fold(0u64, |v, &b| (v << 8) | u64::from(b));
        Some((value, 1 + n))
    };
    match op {
        ZERO_OP => Some((0, 1)),
        ONE_OP => Some((1, 1)),
        ONES_OP => Some((u64::MAX, 1)),
        BYTE_PREFIX => read(1),
        WORD_PREFIX => read(2),
        DWORD_PREFIX => read(4),
        QWORD_PREFIX => read(8),
        _ => None,
    }
}

/// The length of the PkgLength encoding at the start of `aml` (§20.2.4:
/// bits 7:6 of the lead byte count the bytes that follow).
fn pkg_length_size(aml: &[u8]) -> Option<usize> {
    let lead = *aml.first()?;
    let size = 1 + usize::from(lead >> 6);
    (aml.len() >= size).then_some(size)
}

/// SLP_TYPa and SLP_TYPb of S5 in the AML `aml` (a DSDT or SSDT body).
pub fn sleep_types(aml: &[u8]) -> Option<(u8, u8)> {
    let mut from = 0;
    while let Some(at) = aml
        .get(from..)?
        .windows(S5_NAME.len())
        .position(|w| w == S5_NAME)
    {
        let name = from + at;
        from = name + 1;
        let before = &aml[..name];
        let named = matches!(
            before,
            [.., NAME_OP] | [.., NAME_OP, ROOT_CHAR | PARENT_CHAR]
        );
        let after = &aml[name + S5_NAME.len()..];
        if !named || after.first() != Some(&PACKAGE_OP) {
            continue;
        }
        let package = &after[1..];
        let Some(size) = pkg_length_size(package) else {
            continue;
        };
        // NumElements, then the elements.
        let Some(elements) = package.get(size + 1..) else {
            continue;
        };
        let Some((a, len_a)) = integer(elements) else {
            continue;
        };
        // Some firmware gives one element: SLP_TYPb is then SLP_TYPa.
        let b = integer(&elements[len_a..]).map_or(a, |(b, _)| b);
        return Some((a as u8 & 7, b as u8 & 7));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_style_package_of_zeros() {
        // Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })
        let aml = [
            0x10, 0x20, NAME_OP, b'_', b'S', b'5', b'_', PACKAGE_OP, 0x06, 0x04, 0, 0, 0, 0,
        ];
        assert_eq!(sleep_types(&aml), Some((0, 0)));
    }

    #[test]
    fn byte_prefixed_values_at_the_root() {
        // Name (\_S5, Package () { 0x05, 0x05, Zero, Zero })
        let aml = [
            NAME_OP,
            ROOT_CHAR,
            b'_',
            b'S',
            b'5',
            b'_',
            PACKAGE_OP,
            0x0A,
            0x04,
            BYTE_PREFIX,
            5,
            BYTE_PREFIX,
            5,
            0,
            0,
        ];
        assert_eq!(sleep_types(&aml), Some((5, 5)));
    }

    #[test]
    fn one_element_and_a_long_pkg_length() {
        let aml = [
            NAME_OP,
            b'_',
            b'S',
            b'5',
            b'_',
            PACKAGE_OP,
            0x40 | 0x05,
            0x00,
            0x01,
            ONE_OP,
        ];
        assert_eq!(sleep_types(&aml), Some((1, 1)));
    }

    #[test]
    fn skips_a_reference_that_is_not_the_definition() {
        // `_S5_` used in a method before its definition, then defined.
        let aml = [
            0x14,
            0x08,
            b'_',
            b'S',
            b'5',
            b'_',
            0x00,
            NAME_OP,
            b'_',
            b'S',
            b'5',
            b'_',
            PACKAGE_OP,
            0x04,
            0x02,
            BYTE_PREFIX,
            7,
            ZERO_OP,
        ];
        assert_eq!(sleep_types(&aml), Some((7, 0)));
    }

    #[test]
    fn nothing_found_in_truncated_or_other_aml() {
        assert_eq!(sleep_types(&[]), None);
        assert_eq!(sleep_types(b"_S5_"), None);
        assert_eq!(sleep_types(&[NAME_OP, b'_', b'S', b'5', b'_']), None);
        assert_eq!(
            sleep_types(&[NAME_OP, b'_', b'S', b'5', b'_', PACKAGE_OP, 0x06, 0x04]),
            None
        );
        assert_eq!(
            sleep_types(&[NAME_OP, b'_', b'S', b'4', b'_', PACKAGE_OP, 3, 1, 0]),
            None
        );
        // A method body, not a package.
        assert_eq!(
            sleep_types(&[NAME_OP, b'_', b'S', b'5', b'_', 0x14, 3, 1, 0]),
            None
        );
    }
}
