//! RAM set aside at boot for pass-through: the boot image's reserve list
//! (`boot::reserve`, the buildfile's `[reserve]`), checked against the
//! board's RAM and what the kernel already uses. What passes is kept out
//! of the frame allocator and the heap and becomes a device region
//! (`/reserved-ram@ADDR`) that `init` can grant; a bad entry is reported
//! and left out.

use crate::kprintln;
use boot::Bootfs;
use boot::reserve::{MAX_RESERVED, RESERVE_PATH, parse};
use kernel::board::Board;

/// The ranges of the reserve list in `bootfs` that lie inside the board's
/// RAM and clear of `used` (kernel image, device tree, firmware-reserved
/// memory, initrd), as `(start, end)`.
pub fn take(
    bootfs: &Bootfs,
    board: &Board,
    used: &[(usize, usize)],
) -> heapless::Vec<(usize, usize), MAX_RESERVED> {
    let mut out = heapless::Vec::new();
    let Some(file) = bootfs.find(RESERVE_PATH) else {
        return out;
    };
    let Ok(text) = core::str::from_utf8(file.data) else {
        kprintln!("qhv: {RESERVE_PATH}: not text; no RAM set aside");
        return out;
    };
    let ranges = match parse(text) {
        Ok(r) => r,
        Err(e) => {
            kprintln!(
                "qhv: {RESERVE_PATH}:{}: {}; no RAM set aside",
                e.line,
                e.reason
            );
            return out;
        }
    };
    for r in &ranges {
        let (Ok(start), Some(end)) = (
            usize::try_from(r.base),
            usize::try_from(r.base + r.size).ok(),
        ) else {
            continue;
        };
        let in_ram = board
            .ram
            .as_slice()
            .iter()
            .any(|m| m.start <= start && end <= m.end);
        let clash = used.iter().find(|&&(s, e)| s < end && start < e);
        match (in_ram, clash) {
            (false, _) => kprintln!("qhv: reserved RAM {start:#x}..{end:#x} is not RAM: left out"),
            (true, Some(&(s, e))) => kprintln!(
                "qhv: reserved RAM {start:#x}..{end:#x} overlaps {s:#x}..{e:#x}, which the kernel uses: left out"
            ),
            (true, None) => {
                kprintln!(
                    "qhv: RAM {start:#x}..{end:#x} ({} MiB) set aside for pass-through",
                    (end - start) >> 20
                );
                let _ = out.push((start, end));
            }
        }
    }
    out
}
