//! The format of a VM's space on this host: AMD's nested page tables
//! ([`Npt`]) under SVM, Intel's extended page tables ([`Ept`]) under VMX,
//! chosen once at boot with the backend ([`use_ept`]), before any VM
//! space is made. Both are four levels of 512 entries over 48-bit
//! guest-physical addresses, and both leave bit 52 to software in every
//! entry (SDM's EPT entry tables; APM Vol. 2 5.3, bits 62:52
//! "available"), which marks a borrowed frame in either.
//!
//! Host processes keep the long-mode format (`Translation::Format`):
//! their tables are CR3's, whichever backend runs the VMs.

use super::Ept;
use crate::Perms;
use crate::paging::DescriptorFormat;
use crate::x86_64::long_mode::Npt;
use core::sync::atomic::{AtomicBool, Ordering};

/// Bit 52: a borrowed frame, ignored by the processor in an EPT entry
/// ([`super::EptEntry::SW_BORROWED`]) and in a long-mode one.
const BORROWED: u64 = 1 << 52;

/// Whether VM spaces are EPT (else NPT).
static EPT: AtomicBool = AtomicBool::new(false);

/// Makes every VM space made from now on EPT (`true`) or NPT.
pub fn use_ept(ept: bool) {
    EPT.store(ept, Ordering::Relaxed);
}

/// Whether VM spaces are EPT.
#[inline]
pub fn ept() -> bool {
    EPT.load(Ordering::Relaxed)
}

/// A VM space's format: [`Ept`] or [`Npt`], as [`use_ept`] chose.
pub struct GuestTables;

// One walker shape and one borrowed bit for both.
const _: () = {
    assert!(Ept::LEVELS == Npt::LEVELS && Ept::ADDRESS_BITS == Npt::ADDRESS_BITS);
    assert!(Ept::BORROWED == BORROWED);
    assert!(super::ADDRESS_MASK & BORROWED == 0);
    assert!(crate::x86_64::long_mode::ADDRESS_MASK & BORROWED == 0);
};

/// `$f` of the format chosen.
macro_rules! either {
    ($f:ident($($arg:expr),*)) => {
        if ept() { Ept::$f($($arg),*) } else { Npt::$f($($arg),*) }
    };
}

impl DescriptorFormat for GuestTables {
    const LEVELS: usize = Ept::LEVELS;
    const ADDRESS_BITS: u32 = Ept::ADDRESS_BITS;
    const BORROWED: u64 = BORROWED;

    fn table(pa: usize) -> u64 {
        either!(table(pa))
    }

    fn page(pa: usize, perms: Perms, device: bool) -> u64 {
        either!(page(pa, perms, device))
    }

    fn block(pa: usize, perms: Perms, device: bool) -> u64 {
        either!(block(pa, perms, device))
    }

    fn is_valid(desc: u64) -> bool {
        either!(is_valid(desc))
    }

    fn is_table(desc: u64) -> bool {
        either!(is_table(desc))
    }

    fn output_address(desc: u64) -> usize {
        either!(output_address(desc))
    }

    fn perms(desc: u64) -> Perms {
        either!(perms(desc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test for both settings: the flag is global.
    #[test]
    fn follows_the_backend_chosen() {
        use_ept(true);
        assert_eq!(
            GuestTables::page(0x5000, Perms::RW, false),
            0x5000 | 0b011 | 6 << 3
        );
        assert_eq!(
            GuestTables::page(0x5000, Perms::RW, false) | BORROWED,
            Ept::page(0x5000, Perms::RW, false) | Ept::BORROWED
        );
        assert!(GuestTables::is_valid(0x5000 | 1));
        use_ept(false);
        let npt = GuestTables::page(0x5000, Perms::RX, false);
        assert_eq!(npt, Npt::page(0x5000, Perms::RX, false));
        assert_eq!(GuestTables::perms(npt), Perms::RX);
        assert_eq!(GuestTables::output_address(npt | BORROWED), 0x5000);
    }
}
