//! INTIDs and vectors on x86: the GIC-style INTIDs the kernel uses
//! (`arch::board`) as the vectors the local APIC delivers. The local APIC
//! orders vectors by priority class (vector / 16, Intel SDM Vol. 3A
//! 12.8.3.1), so IPIs and the timer sit above device lines:
//!
//! | INTID | what | vectors |
//! |---|---|---|
//! | 0-15 | IPIs (SGIs) | 0xE0-0xEF |
//! | 16-31 | per-CPU (PPIs: the APIC timer is 26) | 0xD0-0xDF |
//! | 32 + n | the I/O APIC's GSI n, n < 160, but not 0x80 | 0x30 + n |
//!
//! 0x20-0x2F stay unused (the 8259's old range; it stays masked), 0xFF is
//! the spurious vector, 0xF0 the TLB shootdown request (`shootdown.rs`)
//! and 0x80 the system-call gate.

use crate::board::FIRST_SPI;

/// The vector of SGI 0.
const SGI_VECTOR_BASE: u32 = 0xE0;
/// The vector of PPI 16.
const PPI_VECTOR_BASE: u32 = 0xD0;
/// The vector of GSI 0.
const GSI_VECTOR_BASE: u32 = 0x30;
/// GSIs with a vector.
pub const MAX_GSIS: u32 = PPI_VECTOR_BASE - GSI_VECTOR_BASE;
/// The vector ring 3 makes system calls with (`int 0x80`).
pub const SYSCALL_VECTOR: u8 = 0x80;

/// The vector of INTID `intid`, if it has one.
pub fn vector_of(intid: u32) -> Option<u8> {
    let vector = match intid {
        0..16 => SGI_VECTOR_BASE + intid,
        16..32 => PPI_VECTOR_BASE + intid - 16,
        _ => {
            let gsi = intid - FIRST_SPI;
            if gsi >= MAX_GSIS || GSI_VECTOR_BASE + gsi == u32::from(SYSCALL_VECTOR) {
                return None;
            }
            GSI_VECTOR_BASE + gsi
        }
    };
    Some(vector as u8)
}

/// The INTID of `vector`, if it stands for one.
pub fn intid_of(vector: u8) -> Option<u32> {
    let v = u32::from(vector);
    match v {
        _ if vector == SYSCALL_VECTOR => None,
        0xE0..=0xEF => Some(v - SGI_VECTOR_BASE),
        0xD0..=0xDF => Some(v - PPI_VECTOR_BASE + 16),
        0x30..=0xCF => Some(v - GSI_VECTOR_BASE + FIRST_SPI),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intid_with_a_vector_comes_back() {
        let mut seen = [false; 256];
        for intid in 0..FIRST_SPI + MAX_GSIS + 4 {
            if let Some(v) = vector_of(intid) {
                assert!(v >= 0x30, "{intid} -> {v:#x}");
                assert_ne!(v, SYSCALL_VECTOR);
                assert!(!seen[usize::from(v)], "two INTIDs at {v:#x}");
                seen[usize::from(v)] = true;
                assert_eq!(intid_of(v), Some(intid));
            }
        }
    }

    #[test]
    fn the_map() {
        assert_eq!(vector_of(1), Some(0xE1));
        assert_eq!(vector_of(26), Some(0xDA));
        assert_eq!(vector_of(FIRST_SPI + 4), Some(0x34));
        // GSI 0x50 would be the system-call vector.
        assert_eq!(vector_of(FIRST_SPI + 0x50), None);
        assert_eq!(vector_of(FIRST_SPI + MAX_GSIS), None);
        for v in [0u8, 0x1F, 0x20, 0x2F, 0x80, 0xF0, 0xFF] {
            assert_eq!(intid_of(v), None, "{v:#x}");
        }
    }
}
