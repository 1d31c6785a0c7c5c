//! How sizes read: in the report and messages (`512 MiB`), and as a
//! configuration writes them (`512M`). Below placement and the report,
//! which both use them.

use alloc::format;
use alloc::string::String;

/// `512 MiB`, `4 KiB`, `1 GiB`, or bytes.
pub fn size(n: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}

/// `64G`, `512M`, `4K` or hex: a size as a configuration writes it.
pub fn size_word(n: u64) -> String {
    for (shift, unit) in [(30, 'G'), (20, 'M'), (10, 'K')] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{}{unit}", n >> shift);
        }
    }
    format!("{n:#x}")
}
