//! The software walks against tables built in a map of guest memory.

use super::*;
use std::collections::HashMap;

/// Guest memory as 4-byte words by address.
#[derive(Default)]
struct Memory(HashMap<u64, u32>);

impl Memory {
    fn put64(&mut self, addr: u64, value: u64) {
        self.0.insert(addr, value as u32);
        self.0.insert(addr + 4, (value >> 32) as u32);
    }
    fn put32(&mut self, addr: u64, value: u32) {
        self.0.insert(addr, value);
    }
    fn reader(&self) -> impl FnMut(u64) -> Option<u64> + '_ {
        |addr| {
            let low = u64::from(*self.0.get(&addr).unwrap_or(&0));
            let high = u64::from(*self.0.get(&(addr + 4)).unwrap_or(&0));
            Some(low | high << 32)
        }
    }
}

#[test]
fn without_paging_linear_is_physical() {
    let m = Memory::default();
    let mode = PagingMode::of(1, 0, 0);
    assert_eq!(mode, PagingMode::Off);
    assert_eq!(
        linear_to_physical(mode, 0, 0x12_3456, &mut m.reader()),
        Some(0x12_3456)
    );
}

#[test]
fn four_level_pages_of_each_size() {
    let mut m = Memory::default();
    // PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000.
    m.put64(0x1000, 0x2000 | P);
    m.put64(0x2000, 0x3000 | P);
    m.put64(0x3000, 0x4000 | P);
    m.put64(0x4000 + 5 * 8, 0x7_7000 | P);
    // A 2 MiB page at PD entry 1, a 1 GiB page at PDPT entry 1.
    m.put64(0x3008, 0x4060_0000 | P | PS);
    m.put64(0x2008, 0x8000_0000 | P | PS);
    let mode = PagingMode::of(CR0_PG | 1, CR4_PAE, EFER_LMA);
    assert_eq!(mode, PagingMode::Long);
    let mut r = m.reader();
    assert_eq!(
        linear_to_physical(mode, 0x1000, 0x5123, &mut r),
        Some(0x7_7123)
    );
    assert_eq!(
        linear_to_physical(mode, 0x1000, 0x20_1234, &mut r),
        Some(0x4060_1234)
    );
    assert_eq!(
        linear_to_physical(mode, 0x1000, 0x4000_0042, &mut r),
        Some(0x8000_0042)
    );
    assert_eq!(
        linear_to_physical(mode, 0x1000, 0x6000, &mut r),
        None,
        "PTE 6 absent"
    );
    assert_eq!(
        walk_four_level(0x1000, 0x80_0000_0000, &mut r),
        None,
        "PML4 entry 1 absent"
    );
}

#[test]
fn pae_paging_reads_the_four_entry_pdpt() {
    let mut m = Memory::default();
    m.put64(0x1020 + 3 * 8, 0x5000 | P);
    m.put64(0x5000 + 0x1ff * 8, 0x6000 | P);
    m.put64(0x6000 + 0x1ff * 8, 0xabc_d000 | P);
    m.put64(0x5000, 0x20_0000 | P | PS);
    let mode = PagingMode::of(CR0_PG | 1, CR4_PAE, 0);
    assert_eq!(mode, PagingMode::Pae);
    let mut r = m.reader();
    assert_eq!(
        linear_to_physical(mode, 0x1020, 0xffff_f010, &mut r),
        Some(0xabc_d010)
    );
    assert_eq!(
        linear_to_physical(mode, 0x1020, 0xc001_2345, &mut r),
        Some(0x21_2345)
    );
    assert_eq!(linear_to_physical(mode, 0x1020, 0x1234, &mut r), None);
}

#[test]
fn thirty_two_bit_paging_with_and_without_large_pages() {
    let mut m = Memory::default();
    m.put32(0x1000, 0x2000 | P as u32);
    m.put32(0x2000 + 3 * 4, 0x9000 | P as u32);
    // PDE 1: a 4 MiB page at 0x0_0800_0000 with bits 39:32 = 1.
    m.put32(0x1004, 0x0800_0000 | (1 << 13) | (P | PS) as u32);
    let pse = PagingMode::of(CR0_PG | 1, CR4_PSE, 0);
    assert_eq!(pse, PagingMode::Bits32 { pse: true });
    let mut r = m.reader();
    assert_eq!(
        linear_to_physical(pse, 0x1000, 0x3abc, &mut r),
        Some(0x9abc)
    );
    assert_eq!(
        linear_to_physical(pse, 0x1000, 0x40_0010, &mut r),
        Some(0x1_0800_0010)
    );
    // Without CR4.PSE the PS bit is ignored: PDE 1 points to a table.
    let plain = PagingMode::of(CR0_PG | 1, 0, 0);
    assert_eq!(
        linear_to_physical(plain, 0x1000, 0x40_0010, &mut r),
        None,
        "the 'table' at 0x0800_0000 is empty"
    );
}
