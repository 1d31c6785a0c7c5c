//! A device's resources from the DSDT, as an x86 guest without a device
//! tree finds its devices: the `_CRS` of the device whose `_HID` is a
//! given string (ACPI 6.5, 6.1.5 and 6.2.2).
//!
//! No AML interpreter: the search finds `Name (_HID, "ID")` (NameOp,
//! `_HID`, StringPrefix, the ID and its NUL; 20.2.3, 20.2.5.1), then
//! the first `Name (_CRS, Buffer ...)` after it and before the next
//! `_HID`, as a firmware's compiler lays out a device's objects. The
//! buffer's length (a PkgLength, 20.2.4) and size (an integer: ZeroOp,
//! OneOp or a prefixed byte, word, dword or qword) bound the resource
//! template, which is read descriptor by descriptor (6.4): memory from
//! the 32-bit fixed memory range and the DWord and QWord address space
//! descriptors of the memory type, interrupts from the extended
//! interrupt descriptor (GSIs, with trigger and polarity) and the small
//! IRQ descriptor (ISA IRQs). Other descriptors are skipped; a `_CRS`
//! computed by a method is not understood.

use super::{le16, le32, le64};

/// Most memory ranges and interrupts kept per device.
pub const MAX_RANGES: usize = 4;
/// See [`MAX_RANGES`].
pub const MAX_IRQS: usize = 4;
/// AML: NameOp, BufferOp, StringPrefix and the integer encodings (20.2).
const NAME_OP: u8 = 0x08;
const BUFFER_OP: u8 = 0x11;
const STRING_PREFIX: u8 = 0x0D;
const ZERO_OP: u8 = 0x00;
const ONE_OP: u8 = 0x01;
const BYTE_PREFIX: u8 = 0x0A;
const WORD_PREFIX: u8 = 0x0B;
const DWORD_PREFIX: u8 = 0x0C;
const QWORD_PREFIX: u8 = 0x0E;
/// Small resource items (6.4.2): IRQ (0x04) and the end tag (0x0F).
const SMALL_IRQ: u8 = 0x04;
const SMALL_END: u8 = 0x0F;
/// Large resource items (6.4.3).
const MEMORY32_FIXED: u8 = 0x86;
const DWORD_ADDRESS: u8 = 0x87;
const EXTENDED_INTERRUPT: u8 = 0x89;
const QWORD_ADDRESS: u8 = 0x8A;
/// An address space descriptor's resource type: memory.
const TYPE_MEMORY: u8 = 0;

/// A memory range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    /// Its first address.
    pub base: u64,
    /// Its length in bytes.
    pub len: u64,
}

/// An interrupt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interrupt {
    /// Its GSI (extended interrupt descriptor) or ISA IRQ (IRQ
    /// descriptor).
    pub number: u32,
    /// Level-triggered (else edge).
    pub level: bool,
    /// Active-low (else active-high).
    pub active_low: bool,
}

/// What a device's `_CRS` gives, in its order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    memory: [Range; MAX_RANGES],
    memory_count: usize,
    irqs: [Interrupt; MAX_IRQS],
    irq_count: usize,
}

impl Resources {
    /// The memory ranges.
    pub fn memory(&self) -> &[Range] {
        &self.memory[..self.memory_count]
    }

    /// The interrupts.
    pub fn interrupts(&self) -> &[Interrupt] {
        &self.irqs[..self.irq_count]
    }

    fn add_range(&mut self, base: u64, len: u64) {
        if self.memory_count < MAX_RANGES {
            self.memory[self.memory_count] = Range { base, len };
            self.memory_count += 1;
        }
    }

    fn add_irq(&mut self, irq: Interrupt) {
        if self.irq_count < MAX_IRQS {
            self.irqs[self.irq_count] = irq;
            self.irq_count += 1;
        }
    }
}

/// Where `needle` is in `b` from `from`, if it is.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = b.get(from..)?;
    rest.windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// The resources of the `n`th device (from 0) whose `_HID` is the
/// string `hid`, in the AML `aml` (a DSDT's or SSDT's body).
pub fn find_device(aml: &[u8], hid: &str, n: usize) -> Option<Resources> {
    let mut needle = [0u8; 32];
    let id = hid.as_bytes();
    let len = 6 + id.len() + 1;
    needle.get_mut(..5)?.copy_from_slice(b"\x08_HID");
    *needle.get_mut(5)? = STRING_PREFIX;
    needle.get_mut(6..6 + id.len())?.copy_from_slice(id);
    let needle = &needle[..len];
    let mut at = 0;
    for _ in 0..n {
        at = find(aml, at, needle)? + len;
    }
    let start = find(aml, at, needle)? + len;
    let end = find(aml, start, b"\x08_HID").unwrap_or(aml.len());
    let crs = find(
        &aml[..end],
        start,
        &[NAME_OP, b'_', b'C', b'R', b'S', BUFFER_OP],
    )? + 6;
    parse_template(buffer(&aml[..end], crs)?)
}

/// The bytes of the buffer whose PkgLength is at `at` (after BufferOp).
fn buffer(aml: &[u8], at: usize) -> Option<&[u8]> {
    let lead = *aml.get(at)?;
    let follow = usize::from(lead >> 6);
    let mut pkg = usize::from(lead & if follow == 0 { 0x3F } else { 0x0F });
    for i in 0..follow {
        pkg |= usize::from(*aml.get(at + 1 + i)?) << (4 + 8 * i);
    }
    let end = at.checked_add(pkg)?.min(aml.len());
    let mut p = at + 1 + follow;
    let size = match *aml.get(p)? {
        ZERO_OP => 0,
        ONE_OP => 1,
        BYTE_PREFIX => u64::from(*aml.get(p + 1)?),
        WORD_PREFIX => u64::from(le16(aml, p + 1)?),
        DWORD_PREFIX => u64::from(le32(aml, p + 1)?),
        QWORD_PREFIX => le64(aml, p + 1)?,
        _ => return None,
    };
    p += match aml[p] {
        ZERO_OP | ONE_OP => 1,
        BYTE_PREFIX => 2,
        WORD_PREFIX => 3,
        DWORD_PREFIX => 5,
        _ => 9,
    };
    let data = aml.get(p..end)?;
    Some(&data[..data.len().min(usize::try_from(size).ok()?)])
}

/// Reads a resource template up to its end tag (or its end).
pub fn parse_template(t: &[u8]) -> Option<Resources> {
    let mut r = Resources::default();
    let mut at = 0;
    while let Some(&tag) = t.get(at) {
        if tag & 0x80 == 0 {
            let (kind, len) = ((tag >> 3) & 0xF, usize::from(tag & 7));
            let data = t.get(at + 1..at + 1 + len)?;
            match kind {
                SMALL_END => return Some(r),
                SMALL_IRQ if len >= 2 => {
                    let mask = u16::from_le_bytes([data[0], data[1]]);
                    let flags = data.get(2).copied().unwrap_or(1);
                    if mask != 0 {
                        r.add_irq(Interrupt {
                            number: mask.trailing_zeros(),
                            level: flags & 1 == 0,
                            active_low: flags & (1 << 3) != 0,
                        });
                    }
                }
                _ => {}
            }
            at += 1 + len;
            continue;
        }
        let len = usize::from(le16(t, at + 1)?);
        let data = t.get(at + 3..at + 3 + len)?;
        match tag {
            MEMORY32_FIXED => r.add_range(u64::from(le32(data, 1)?), u64::from(le32(data, 5)?)),
            DWORD_ADDRESS if data.first() == Some(&TYPE_MEMORY) => {
                r.add_range(u64::from(le32(data, 7)?), u64::from(le32(data, 19)?));
            }
            QWORD_ADDRESS if data.first() == Some(&TYPE_MEMORY) => {
                r.add_range(le64(data, 11)?, le64(data, 35)?);
            }
            EXTENDED_INTERRUPT => {
                let flags = *data.first()?;
                for i in 0..usize::from(*data.get(1)?) {
                    r.add_irq(Interrupt {
                        number: le32(data, 2 + 4 * i)?,
                        level: flags & (1 << 1) == 0,
                        active_low: flags & (1 << 2) != 0,
                    });
                }
            }
            _ => {}
        }
        at += 3 + len;
    }
    Some(r)
}

#[cfg(test)]
mod tests;
