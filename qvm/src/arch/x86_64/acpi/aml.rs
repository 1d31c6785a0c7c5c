//! The few ACPI Machine Language encodings the DSDT needs (ACPI 6.4
//! §20.2, "AML Grammar Definition"), and the system states it defines.
//!
//! The DSDT (`dsdt.rs`) defines the system states the VM has (§7.4.2, "\_Sx (System
//! States)"): `Name (_S0_, Package () {SLP_TYP_S0, SLP_TYP_S0, 0, 0})`
//! for the working state and the same for `_S5_`, soft-off, with
//! [`SLP_TYP_S5`]. A guest powers off by writing that value to PM1_CNT's
//! SLP_TYP with SLP_EN set; `vdev::pc::AcpiPm` is made with the same
//! constant. There is no `_S1_` to `_S4_`: the VM does not sleep.

use alloc::vec::Vec;

use super::sdt::Bytes;

/// SLP_TYP of the working state S0 (what PM1_CNT holds while running).
pub const SLP_TYP_S0: u8 = 0;
/// SLP_TYP of the soft-off state S5: PM1_CNT SLP_TYP bits 12:10 for a
/// power-off (3 bits; chosen non-zero so that a guest writing a default 0
/// is not taken for a power-off).
pub const SLP_TYP_S5: u8 = 5;
// SLP_TYP is 3 bits, and S5's must differ from S0's.
const _: () = assert!(SLP_TYP_S5 <= 7 && SLP_TYP_S5 != SLP_TYP_S0);
/// DSDT revision: 2, so that AML integers are 64-bit (§5.2.11.1).
pub const DSDT_REVISION: u8 = 2;

/// NameOp (§20.2.5.1, Namespace Modifier Objects Encoding).
pub const NAME_OP: u8 = 0x08;
/// PackageOp (§20.2.5.4, Expression Opcodes Encoding).
pub const PACKAGE_OP: u8 = 0x12;
/// ZeroOp (§20.2.3, Data Objects Encoding).
pub const ZERO_OP: u8 = 0x00;
/// OneOp (§20.2.3).
pub const ONE_OP: u8 = 0x01;
/// BytePrefix (§20.2.3): a one-byte integer follows.
pub const BYTE_PREFIX: u8 = 0x0A;
/// WordPrefix (§20.2.3).
pub const WORD_PREFIX: u8 = 0x0B;
/// DWordPrefix (§20.2.3).
pub const DWORD_PREFIX: u8 = 0x0C;
/// QWordPrefix (§20.2.3).
pub const QWORD_PREFIX: u8 = 0x0E;

/// Largest value a PkgLength encodes (28 bits, §20.2.4).
const PKG_LENGTH_MAX: usize = (1 << 28) - 1;

/// Whether `seg` is a NameSeg (§20.2.2): a LeadNameChar (`A`-`Z`, `_`)
/// and three NameChars (those and `0`-`9`).
pub fn is_name_seg(seg: &[u8; 4]) -> bool {
    let lead = |c: u8| c.is_ascii_uppercase() || c == b'_';
    lead(seg[0]) && seg[1..].iter().all(|&c| lead(c) || c.is_ascii_digit())
}

/// The PkgLength (§20.2.4) of an object whose bytes after the PkgLength
/// number `rest`: the encoded length counts the PkgLength's own bytes.
/// One byte holds up to 63 (bits 5:0); longer lengths take 1 to 3 more
/// bytes (the count in bits 7:6 of the lead byte), the lead byte's bits
/// 3:0 holding the low nibble and each further byte the next 8 bits.
/// `None` past 2^28 - 1.
pub fn pkg_length(rest: usize) -> Option<Vec<u8>> {
    if rest < 0x3F {
        return Some(alloc::vec![(rest + 1) as u8]);
    }
    for extra in 1..=3usize {
        let total = rest + 1 + extra;
        if total > PKG_LENGTH_MAX || total >= 1 << (4 + 8 * extra) {
            continue;
        }
        let mut out = Vec::with_capacity(1 + extra);
        out.push((extra as u8) << 6 | (total & 0xF) as u8);
        for i in 0..extra {
            out.push((total >> (4 + 8 * i)) as u8);
        }
        return Some(out);
    }
    None
}

/// A ComputationalData integer (§20.2.3) in its shortest form.
pub fn integer(out: &mut Bytes, v: u64) {
    match v {
        0 => out.u8(ZERO_OP),
        1 => out.u8(ONE_OP),
        2..=0xFF => out.u8(BYTE_PREFIX).u8(v as u8),
        0x100..=0xFFFF => out.u8(WORD_PREFIX).u16(v as u16),
        0x1_0000..=0xFFFF_FFFF => out.u8(DWORD_PREFIX).u32(v as u32),
        _ => out.u8(QWORD_PREFIX).u64(v),
    };
}

/// `DefPackage := PackageOp PkgLength NumElements PackageElementList`
/// (§20.2.5.4) of integers; at most 255 elements.
pub fn package(out: &mut Bytes, elements: &[u64]) {
    let mut list = Bytes::default();
    list.u8(elements.len() as u8);
    for &e in elements {
        integer(&mut list, e);
    }
    // A package of at most 255 integers of at most 9 bytes each is far
    // below the PkgLength limit.
    let len = pkg_length(list.0.len()).unwrap_or_default();
    out.u8(PACKAGE_OP).raw(&len).raw(&list.0);
}

/// `DefName := NameOp NameString DataRefObject` (§20.2.5.1) of a
/// package, its name one NameSeg in the current scope.
pub fn name_package(out: &mut Bytes, seg: &[u8; 4], elements: &[u64]) {
    debug_assert!(is_name_seg(seg));
    out.u8(NAME_OP).raw(seg);
    package(out, elements);
}

/// ExtOpPrefix and DeviceOp (§20.2.5.2).
pub const EXT_OP_PREFIX: u8 = 0x5B;
pub const DEVICE_OP: u8 = 0x82;
/// BufferOp (§20.2.5.4).
pub const BUFFER_OP: u8 = 0x11;
/// StringPrefix (§20.2.3): an ASCII string and a NUL follow.
pub const STRING_PREFIX: u8 = 0x0D;
/// Small resource item 0x0F, End Tag (§6.4.2.9), and its checksum byte
/// (0: "the checksum is treated as correct").
pub const END_TAG: u8 = 0x79;

/// Appends `op` (one or two bytes), the PkgLength of `body`, `body`.
pub fn with_length(out: &mut Bytes, op: &[u8], body: &[u8]) {
    // The DSDT's objects are bounded (a few hundred devices), far below
    // 2^28 bytes.
    let len = pkg_length(body.len()).unwrap_or_default();
    out.raw(op).raw(&len).raw(body);
}

/// `Name (SEG, "text")`: a string object, as an ID like `_HID`.
pub fn name_string(out: &mut Bytes, seg: &[u8; 4], text: &str) {
    debug_assert!(is_name_seg(seg));
    out.u8(NAME_OP)
        .raw(seg)
        .u8(STRING_PREFIX)
        .raw(text.as_bytes())
        .u8(0);
}

/// `Name (SEG, Buffer () {bytes})`: as `_CRS` with a resource template.
pub fn name_buffer(out: &mut Bytes, seg: &[u8; 4], bytes: &[u8]) {
    debug_assert!(is_name_seg(seg));
    let mut buffer = Bytes::default();
    integer(&mut buffer, bytes.len() as u64);
    buffer.raw(bytes);
    out.u8(NAME_OP).raw(seg);
    with_length(out, &[BUFFER_OP], &buffer.0);
}

/// `Device (SEG) {body}` (§20.2.5.2), `body` its objects.
pub fn device(out: &mut Bytes, seg: &[u8; 4], body: &[u8]) {
    debug_assert!(is_name_seg(seg));
    let mut all = Bytes::default();
    all.raw(seg).raw(body);
    with_length(out, &[EXT_OP_PREFIX, DEVICE_OP], &all.0);
}
