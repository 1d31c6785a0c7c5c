//! Where an ARM guest's device tree and ramdisk go when the configuration
//! does not say (`fdt load GPA,FILE` and `initrd load GPA,FILE` do).
//!
//! - An AArch64 guest (the arm64 boot protocol asks only that they are in
//!   RAM, apart from the image): the tree 2 MiB below the end of the first
//!   RAM region, the ramdisk just below the tree, above the image.
//! - A 32-bit ARM guest (Documentation/arch/arm/booting.rst): "A safe
//!   location [for the dtb] is just above the 128MiB boundary from start of
//!   RAM" (4b), the initramfs "just above the device tree blob" (5), both
//!   "where the kernel decompressor will not overwrite [them]" and "within
//!   the region which will be covered by the kernel's low-memory mapping".
//!   With RAM too small for that, or an image reaching past 128 MiB, they
//!   go right above the image (for a zImage above its decompressor's
//!   working space, which its span includes).
//!
//! A tree at a configured address is checked against the image and the
//! ramdisk by `crate::loader::fdt_overlap` once its size is known.

use alloc::string::String;

use super::aarch32::is_aarch32;
use super::zimage::AARCH32_LIMIT;
use crate::loader::{Placed, Ram};

/// Room set aside for the device tree: the largest tree `qvm` writes.
pub const FDT_SPACE: u64 = 2 << 20;
/// booting.rst 4b: the device tree of a 32-bit kernel goes this far into
/// RAM, the ramdisk after it.
pub const ARM32_DATA_OFFSET: u64 = 128 << 20;
/// The RAM a 32-bit Linux maps as low memory with its default 3G/1G split
/// (`PAGE_OFFSET` 0xC0000000): up to `VMALLOC_END` (0xFF800000) less the
/// 240 MiB `vmalloc` area (arch/arm/mm/mmu.c, `vmalloc_min`), 760 MiB
/// from the start of RAM. The default places end below it.
pub const ARM32_LOWMEM: u64 = 760 << 20;
/// Ramdisks and trees start on a page.
const PAGE: u64 = 0x1000;

/// Where the device tree and the ramdisk go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootData {
    /// The device tree ([`FDT_SPACE`] bytes at most).
    pub fdt: u64,
    /// The ramdisk's first byte and its end (exclusive).
    pub initrd: Option<(u64, u64)>,
}

/// Places the device tree (at `fdt_at` if the configuration says) and a
/// ramdisk of `initrd.0` bytes (at `initrd.1` if it says) for the image
/// `placed` in the first RAM region `ram`, by the image's boot protocol.
pub fn place_boot_data(
    placed: &Placed,
    ram: Ram,
    initrd: Option<(u64, Option<u64>)>,
    fdt_at: Option<u64>,
) -> Result<BootData, String> {
    if is_aarch32(placed.format) {
        place_arm32(placed, ram, initrd, fdt_at)
    } else {
        place_arm64(placed, ram, initrd, fdt_at)
    }
}

/// The arm64 places: the tree 2 MiB below the end of `ram`, the ramdisk
/// below it, above the image.
fn place_arm64(
    placed: &Placed,
    ram: Ram,
    initrd: Option<(u64, Option<u64>)>,
    fdt_at: Option<u64>,
) -> Result<BootData, String> {
    let default_fdt = (ram.base + ram.size).saturating_sub(FDT_SPACE) & !(PAGE - 1);
    let initrd = match initrd {
        None => None,
        Some((len, at)) => {
            let at = match at {
                Some(a) => a,
                None => {
                    default_fdt
                        .checked_sub(len)
                        .ok_or("the ramdisk does not fit")?
                        & !(PAGE - 1)
                }
            };
            if at < placed.span.1 {
                return Err(alloc::format!(
                    "the ramdisk ({len} bytes) does not fit between the image and the device tree"
                ));
            }
            Some((at, at + len))
        }
    };
    Ok(BootData {
        fdt: fdt_at.unwrap_or(default_fdt),
        initrd,
    })
}

/// The 32-bit ARM places (booting.rst 4b, 5): from 128 MiB into RAM, or
/// right above the image; the tree, then the ramdisk; the default places
/// inside low memory ([`ARM32_LOWMEM`]), every place below 4 GiB.
fn place_arm32(
    placed: &Placed,
    ram: Ram,
    initrd: Option<(u64, Option<u64>)>,
    fdt_at: Option<u64>,
) -> Result<BootData, String> {
    // What the default places hold: the tree's room, and the ramdisk's
    // bytes unless the configuration places it.
    let initrd_here = match initrd {
        Some((len, None)) => len,
        _ => 0,
    };
    let need = FDT_SPACE.saturating_add(initrd_here);
    let recommended = ram.base.saturating_add(ARM32_DATA_OFFSET);
    let base = if recommended >= placed.span.1 && ram.fits(recommended, need) {
        recommended
    } else {
        placed.span.1.next_multiple_of(PAGE)
    };
    let what = if initrd_here > 0 {
        alloc::format!("the device tree (2 MiB set aside) and the ramdisk ({initrd_here} bytes)")
    } else {
        String::from("the device tree (2 MiB set aside)")
    };
    if !ram.fits(base, need) {
        return Err(alloc::format!(
            "{what} do not fit in RAM above the image (from {base:#x})"
        ));
    }
    let lowmem_end = ram.base.saturating_add(ARM32_LOWMEM);
    if base + need > lowmem_end {
        return Err(alloc::format!(
            "{what} would end at {:#x}, past the first 760 MiB of RAM, which a 32-bit Linux \
             maps as low memory: give `initrd load` or `fdt load` an address",
            base + need
        ));
    }
    let fdt = fdt_at.unwrap_or(base);
    if fdt >= AARCH32_LIMIT {
        return Err(alloc::format!(
            "the device tree at {fdt:#x}: a 32-bit kernel finds it through r2, below 4 GiB"
        ));
    }
    let initrd = match initrd {
        None => None,
        Some((len, at)) => {
            let at = at.unwrap_or(base + FDT_SPACE);
            if at < placed.span.1 {
                return Err(alloc::format!(
                    "the ramdisk ({len} bytes at {at:#x}) must lie above the image and what \
                     its start writes (up to {:#x})",
                    placed.span.1
                ));
            }
            if at.saturating_add(len) > AARCH32_LIMIT {
                return Err(alloc::format!(
                    "the ramdisk ({len} bytes at {at:#x}) must lie below 4 GiB for a 32-bit kernel"
                ));
            }
            Some((at, at + len))
        }
    };
    Ok(BootData { fdt, initrd })
}
