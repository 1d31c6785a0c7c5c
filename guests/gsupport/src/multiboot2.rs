//! Reading the Multiboot2 boot information (Multiboot2 Specification
//! version 2.0, 3.6 "Boot information"), which `qvm` hands an x86 guest it
//! starts in long mode: the tags, each 8-byte aligned after the fixed
//! part (`total_size`, `reserved`), up to the end tag; the memory map's
//! available regions; the command line; where the ACPI RSDP copy lies.
//! Pure (the x86 boot code hands it the structure's bytes): tested on the
//! build host.

/// What a Multiboot2 loader leaves in EAX (3.3 "I386 machine state"; `qvm`
/// too for a long-mode start).
pub const MULTIBOOT2_BOOTLOADER_MAGIC: u32 = 0x36D7_6289;
/// Tag types (3.6.2 to 3.6.17): the end tag.
pub const MULTIBOOT_TAG_TYPE_END: u32 = 0;
/// 3.6.5 "Boot command line".
pub const MULTIBOOT_TAG_TYPE_CMDLINE: u32 = 1;
/// 3.6.8 "Memory map".
pub const MULTIBOOT_TAG_TYPE_MMAP: u32 = 6;
/// 3.6.16 "ACPI old RSDP" (a copy of the ACPI 1.0 RSDP).
pub const MULTIBOOT_TAG_TYPE_ACPI_OLD: u32 = 14;
/// 3.6.17 "ACPI new RSDP" (a copy of the ACPI 2.0 RSDP).
pub const MULTIBOOT_TAG_TYPE_ACPI_NEW: u32 = 15;
/// Memory map entry `type` of available RAM.
pub const MULTIBOOT_MEMORY_AVAILABLE: u32 = 1;
/// Every tag starts 8-byte aligned (3.6.2 "Basic tags structure").
pub const MULTIBOOT_TAG_ALIGN: usize = 8;
/// Bytes of the fixed part (`total_size`, `reserved`) and of a tag's head
/// (`type`, `size`).
pub const FIXED_LEN: usize = 8;

/// One tag: its type, the offset of its body (after the 8-byte head) in
/// the information, and the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    pub kind: u32,
    pub offset: usize,
    pub body: &'a [u8],
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// `total_size` of the information that starts with `fixed`.
pub fn total_size(fixed: &[u8]) -> Option<usize> {
    le32(fixed, 0).map(|n| n as usize)
}

/// The tags of `info` (the whole structure), in order, up to the end tag;
/// a tag that runs past the structure or is shorter than its head ends
/// the walk.
pub fn tags(info: &[u8]) -> impl Iterator<Item = Tag<'_>> {
    let end = total_size(info).unwrap_or(0).min(info.len());
    let mut at = FIXED_LEN;
    core::iter::from_fn(move || {
        let kind = le32(info, at)?;
        let size = le32(info, at + 4)? as usize;
        let tag_end = at.checked_add(size).filter(|&e| e <= end)?;
        if kind == MULTIBOOT_TAG_TYPE_END || size < FIXED_LEN {
            return None;
        }
        let tag = Tag {
            kind,
            offset: at + FIXED_LEN,
            body: &info[at + FIXED_LEN..tag_end],
        };
        at = tag_end.next_multiple_of(MULTIBOOT_TAG_ALIGN);
        Some(tag)
    })
}

/// The available RAM (base, length) of a memory map tag's body
/// (`entry_size`, `entry_version`, then entries of `base_addr`, `length`,
/// `type`, `reserved`).
pub fn available_ram(body: &[u8]) -> impl Iterator<Item = (u64, u64)> + '_ {
    let size = le32(body, 0).map_or(0, |s| s as usize);
    let entries = body.get(8..).unwrap_or(&[]);
    let step = size.max(24);
    (0..entries.len() / step).filter_map(move |i| {
        let e = &entries[i * step..];
        (le32(e, 16)? == MULTIBOOT_MEMORY_AVAILABLE).then_some((le64(e, 0)?, le64(e, 8)?))
    })
}

/// The string of a command line tag's body, up to its NUL.
pub fn cstr(body: &[u8]) -> &[u8] {
    body.split(|&b| b == 0).next().unwrap_or(&[])
}

/// Where the RSDP copy lies in the information: the new RSDP's (tag 15)
/// if given, else the old one's (tag 14), as an offset from its start.
pub fn rsdp_offset(info: &[u8]) -> Option<usize> {
    let find = |kind| tags(info).find(|t| t.kind == kind).map(|t| t.offset);
    find(MULTIBOOT_TAG_TYPE_ACPI_NEW).or_else(|| find(MULTIBOOT_TAG_TYPE_ACPI_OLD))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
        out.resize(out.len().next_multiple_of(8), 0);
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(8 + body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
    }

    fn info() -> Vec<u8> {
        let mut v = vec![0; 8];
        tag(&mut v, MULTIBOOT_TAG_TYPE_CMDLINE, b"a=1 b\0");
        let mut map = [24u32.to_le_bytes(), 0u32.to_le_bytes()].concat();
        for (base, len, kind) in [
            (0u64, 0xA_0000u64, 1u32),
            (0xA_0000, 0x6_0000, 2),
            (0x10_0000, 0x3EF_A000, 1),
        ] {
            map.extend_from_slice(&base.to_le_bytes());
            map.extend_from_slice(&len.to_le_bytes());
            map.extend_from_slice(&kind.to_le_bytes());
            map.extend_from_slice(&0u32.to_le_bytes());
        }
        tag(&mut v, MULTIBOOT_TAG_TYPE_MMAP, &map);
        tag(&mut v, MULTIBOOT_TAG_TYPE_ACPI_OLD, b"RSD PTR old.........");
        tag(
            &mut v,
            MULTIBOOT_TAG_TYPE_ACPI_NEW,
            b"RSD PTR new.........................",
        );
        tag(&mut v, MULTIBOOT_TAG_TYPE_END, &[]);
        let total = v.len() as u32;
        v[..4].copy_from_slice(&total.to_le_bytes());
        v
    }

    #[test]
    fn reads_ram_the_command_line_and_the_rsdp() {
        let v = info();
        let kinds: Vec<u32> = tags(&v).map(|t| t.kind).collect();
        assert_eq!(kinds, [1, 6, 14, 15]);
        let cmdline = tags(&v)
            .find(|t| t.kind == MULTIBOOT_TAG_TYPE_CMDLINE)
            .unwrap();
        assert_eq!(cstr(cmdline.body), b"a=1 b");
        let map = tags(&v)
            .find(|t| t.kind == MULTIBOOT_TAG_TYPE_MMAP)
            .unwrap();
        let ram: Vec<_> = available_ram(map.body).collect();
        assert_eq!(ram, [(0, 0xA_0000), (0x10_0000, 0x3EF_A000)]);
        let at = rsdp_offset(&v).unwrap();
        assert_eq!(&v[at..at + 11], b"RSD PTR new");
    }

    #[test]
    fn a_damaged_structure_ends_the_walk() {
        let mut v = info();
        // A tag whose size runs past total_size.
        v[12..16].copy_from_slice(&0x1000u32.to_le_bytes());
        assert_eq!(tags(&v).count(), 0);
        // A size shorter than the head.
        let mut v = info();
        v[12..16].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(tags(&v).count(), 0);
        // Cut short: total_size larger than what is there.
        let v = info();
        assert_eq!(tags(&v[..40]).count(), 1);
        assert_eq!(tags(&[]).count(), 0);
        assert_eq!(available_ram(&[24, 0, 0, 0]).count(), 0);
        assert_eq!(rsdp_offset(&v[..40]), None);
    }
}
