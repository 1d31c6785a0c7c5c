//! The x86 firmware readers (`kernel::x86_firmware`): a PVH start_info
//! (Xen `start_info.h`) or a Multiboot2 boot information (Multiboot2
//! Specification §3.6), then the ACPI RSDP, RSDT/XSDT, MADT and FADT
//! (ACPI 6.5 chapter 5), all read from an arena of physical memory the
//! input fills.
//!
//! Input: a byte whose bit 0 picks the hand-off (0 PVH, 1 Multiboot2) and
//! whose bits 7:1 are the boot CPU's APIC ID; the arena's base address
//! and the hand-off's address (little-endian `u64`s); then the arena.

use kernel::board::{MAX_CPUS, Range};
use kernel::x86_firmware::{
    Handoff, LOW_MEMORY_END, LOW_PAGE_LIMIT, LOW_PAGE_MIN, PAGE_SIZE, Polarity, SliceMem, Text,
    Trigger, X86Board, read,
};

use crate::input::Input;

/// The RSDP's signature, and the bytes its first checksum covers (ACPI
/// 6.5 §5.2.5.3).
const RSDP_SIGNATURE: &[u8; 8] = b"RSD PTR ";
const RSDP_V1_LEN: u64 = 20;
/// ISA IRQs.
const ISA_IRQS: u8 = 16;

/// Reads the arena; whatever it holds, `read` returns, and what it
/// accepts is consistent.
pub fn x86_firmware(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let base = input.u64();
    let addr = input.u64();
    let arena = input.rest();
    let mem = SliceMem { base, bytes: arena };
    let handoff = if flags & 1 == 0 {
        Handoff::Pvh(addr)
    } else {
        Handoff::Multiboot2(addr)
    };
    let board = match read(handoff, &mem) {
        Ok(b) => b,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    assert_eq!(read(handoff, &mem).as_ref(), Ok(&board), "not repeatable");
    check(&board, &mem);
    boot_cpu(board, u32::from(flags >> 1));
}

/// Whether `[start, end)` lies in the arena.
fn inside(mem: &SliceMem, start: u64, end: u64) -> bool {
    let top = mem.base.checked_add(mem.bytes.len() as u64);
    start >= mem.base && start <= end && top.is_some_and(|t| end <= t)
}

/// A string the board names: in the arena, NUL-terminated right after.
fn check_text(mem: &SliceMem, t: &Text) {
    let end = t.addr + t.len as u64;
    assert!(inside(mem, t.addr, end + 1), "{t:?}");
    let at = (t.addr - mem.base) as usize;
    let s = &mem.bytes[at..=at + t.len];
    assert_eq!(s.iter().position(|&b| b == 0), Some(t.len), "{t:?}");
}

/// Sorted, non-empty, neither overlapping nor touching.
fn check_ranges(list: &[Range]) {
    for r in list {
        assert!(r.start < r.end, "{list:?}");
    }
    for w in list.windows(2) {
        assert!(w[0].end < w[1].start, "{list:?}");
    }
}

fn overlaps(a: &Range, b: &Range) -> bool {
    a.start < b.end && b.start < a.end
}

fn check(b: &X86Board, mem: &SliceMem) {
    check_ranges(&b.ram);
    check_ranges(&b.reserved);
    check_ranges(&b.low_ram);
    assert!(!b.ram.is_empty());
    let low = LOW_MEMORY_END as usize;
    assert!(b.ram.iter().all(|r| r.start >= low), "{:?}", b.ram);
    assert!(b.low_ram.iter().all(|r| r.end <= low), "{:?}", b.low_ram);
    for r in b.ram.iter().chain(&b.low_ram) {
        assert!(
            !b.reserved.iter().any(|x| overlaps(r, x)),
            "{r:?} is reserved"
        );
    }
    for r in &b.boot_data {
        assert!(inside(mem, r.start as u64, r.end as u64), "{r:?}");
    }
    for m in &b.modules {
        assert!(inside(mem, m.start, m.end), "{m:?}");
        if let Some(t) = &m.cmdline {
            check_text(mem, t);
        }
    }
    if let Some(t) = &b.cmdline {
        check_text(mem, t);
    }
    assert!(inside(mem, b.rsdp, b.rsdp + RSDP_V1_LEN));
    let rsdp = &mem.bytes[(b.rsdp - mem.base) as usize..];
    assert_eq!(&rsdp[..RSDP_SIGNATURE.len()], RSDP_SIGNATURE);

    assert!(b.cpus.len() <= MAX_CPUS);
    assert!(
        b.cpus.iter().any(|c| c.enabled) || b.cpus_dropped > 0,
        "{:?}",
        b.cpus
    );
    for (i, c) in b.cpus.iter().enumerate() {
        assert!(
            !b.cpus[..i].iter().any(|d| d.apic_id == c.apic_id),
            "{:?}",
            b.cpus
        );
    }
    for irq in 0..ISA_IRQS {
        let i = b.isa_irq(irq);
        assert!(
            matches!(i.polarity, Polarity::High | Polarity::Low),
            "{i:?}"
        );
        assert!(matches!(i.trigger, Trigger::Edge | Trigger::Level), "{i:?}");
    }

    if let Some(p) = b.low_page() {
        let page = Range {
            start: p as usize,
            end: (p + PAGE_SIZE) as usize,
        };
        assert_eq!(p % PAGE_SIZE, 0);
        assert!(
            p >= LOW_PAGE_MIN && p + PAGE_SIZE <= LOW_PAGE_LIMIT,
            "{p:#x}"
        );
        assert!(
            b.low_ram
                .iter()
                .any(|r| r.start <= page.start && page.end <= r.end)
        );
        assert!(
            !b.reserved
                .iter()
                .chain(&b.boot_data)
                .any(|r| overlaps(r, &page))
        );
        let busy = |m: &kernel::x86_firmware::Module| m.start < p + PAGE_SIZE && p < m.end;
        assert!(!b.modules.iter().any(busy), "{p:#x}");
    }
}

/// Moving the boot CPU first keeps every other CPU, in order.
fn boot_cpu(mut b: X86Board, apic_id: u32) {
    let before = b.clone();
    if !b.boot_cpu_first(apic_id) {
        assert_eq!(b, before);
        assert!(!before.cpus.iter().any(|c| c.apic_id == apic_id));
        return;
    }
    assert_eq!(b.cpus.len(), before.cpus.len());
    assert_eq!(b.cpus[0].apic_id, apic_id);
    assert!(b.cpus[0].enabled);
    let rest = before.cpus.iter().filter(|c| c.apic_id != apic_id);
    let rest: Vec<_> = rest.take(b.cpus.len() - 1).collect();
    assert!(
        b.cpus[1..].iter().eq(rest),
        "{:?} -> {:?}",
        before.cpus,
        b.cpus
    );
}
