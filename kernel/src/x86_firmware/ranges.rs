//! The memory map: e820-style entries (ACPI 6.5 §15.1, "INT 15H E820H",
//! table 15.1 "Address Range Types"; the same types in Xen's
//! `hvm_memmap_table_entry` and Multiboot2's memory map tag) sorted into
//! RAM at or above 1 MiB, RAM below 1 MiB and reserved ranges, each list
//! sorted and merged as entries arrive, so the fixed capacity only counts
//! ranges that stay distinct.

use heapless::Vec;

use super::{FirmwareError, X86Board};
use crate::board::Range;

/// Address range type 1: RAM the OS may use. Every other type (2
/// reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 unusable, 6 disabled, 7
/// persistent memory, and unknown ones) is kept reserved.
pub const E820_RAM: u32 = 1;
/// Memory below this is not handed out as RAM.
pub const LOW_MEMORY_END: u64 = 0x10_0000;

// `Range` holds `usize`: the kernel runs on 64-bit machines only.
const _: () = assert!(usize::BITS == u64::BITS);

fn range(start: u64, end: u64) -> Range {
    Range {
        start: start as usize,
        end: end as usize,
    }
}

/// Adds `r` to the sorted, merged `list`, merging it with every range it
/// overlaps or touches. `Err` if the list is full.
pub(crate) fn insert_merged<const N: usize>(list: &mut Vec<Range, N>, r: Range) -> Result<(), ()> {
    let mut r = r;
    // The list's ranges neither overlap nor touch, so one pass finds
    // every range the growing union touches.
    list.retain(|x| {
        let touches = x.start <= r.end && r.start <= x.end;
        if touches {
            r = Range {
                start: r.start.min(x.start),
                end: r.end.max(x.end),
            };
        }
        !touches
    });
    let at = list
        .iter()
        .position(|x| x.start > r.start)
        .unwrap_or(list.len());
    list.insert(at, r).map_err(|_| ())
}

/// Cuts `hole` out of the sorted `list`. `Err` if a split overflows it.
pub(crate) fn subtract<const N: usize>(list: &mut Vec<Range, N>, hole: Range) -> Result<(), ()> {
    let mut out: Vec<Range, N> = Vec::new();
    for &r in list.iter() {
        if r.end <= hole.start || hole.end <= r.start {
            out.push(r).map_err(|_| ())?;
            continue;
        }
        if r.start < hole.start {
            out.push(Range {
                start: r.start,
                end: hole.start,
            })
            .map_err(|_| ())?;
        }
        if hole.end < r.end {
            out.push(Range {
                start: hole.end,
                end: r.end,
            })
            .map_err(|_| ())?;
        }
    }
    *list = out;
    Ok(())
}

const TOO_MANY_RAM: FirmwareError = FirmwareError::TooMany {
    what: "RAM ranges",
    max: crate::board::MAX_RANGES,
};
const TOO_MANY_LOW: FirmwareError = FirmwareError::TooMany {
    what: "RAM ranges below 1 MiB",
    max: super::board::MAX_LOW_RANGES,
};
const TOO_MANY_RESERVED: FirmwareError = FirmwareError::TooMany {
    what: "reserved ranges",
    max: crate::board::MAX_RANGES,
};

/// Adds one memory-map entry (`what`, for errors). Empty entries are
/// skipped.
pub(crate) fn add(
    board: &mut X86Board,
    addr: u64,
    size: u64,
    kind: u32,
    what: &'static str,
) -> Result<(), FirmwareError> {
    if size == 0 {
        return Ok(());
    }
    let end = addr
        .checked_add(size)
        .ok_or(FirmwareError::BadRange { what, addr, size })?;
    if kind != E820_RAM {
        return insert_merged(&mut board.reserved, range(addr, end)).map_err(|_| TOO_MANY_RESERVED);
    }
    if addr < LOW_MEMORY_END {
        let low = range(addr, end.min(LOW_MEMORY_END));
        insert_merged(&mut board.low_ram, low).map_err(|_| TOO_MANY_LOW)?;
    }
    if end > LOW_MEMORY_END {
        let high = range(addr.max(LOW_MEMORY_END), end);
        insert_merged(&mut board.ram, high).map_err(|_| TOO_MANY_RAM)?;
    }
    Ok(())
}

/// After the last entry: cuts reserved ranges out of RAM (a firmware that
/// lists both wins nothing from the overlap) and checks there is RAM.
pub(crate) fn finish(board: &mut X86Board) -> Result<(), FirmwareError> {
    for &hole in board.reserved.iter() {
        subtract(&mut board.ram, hole).map_err(|_| TOO_MANY_RAM)?;
        subtract(&mut board.low_ram, hole).map_err(|_| TOO_MANY_LOW)?;
    }
    if board.ram.is_empty() {
        return Err(FirmwareError::NoRam);
    }
    Ok(())
}

/// Notes that a hand-off structure occupies `[addr, addr + len)` (already
/// known not to wrap). Empty ones are skipped.
pub(crate) fn boot_data(board: &mut X86Board, addr: u64, len: u64) -> Result<(), FirmwareError> {
    if len == 0 {
        return Ok(());
    }
    board
        .boot_data
        .push(range(addr, addr + len))
        .map_err(|_| FirmwareError::TooMany {
            what: "hand-off structures",
            max: super::board::MAX_BOOT_DATA,
        })
}
