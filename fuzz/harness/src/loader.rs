//! The loader targets: `qvm_loader` places a guest image (arm64 `Image`,
//! 32-bit ARM zImage, ELF64 AArch64, ELF32 ARM or raw) in a RAM region
//! chosen by the input, as `load` in a VM
//! configuration does, and an ELF image (ELF64 or ELF32) once more as an
//! x86 guest's loader takes it (`qvm::arch::x86_64::ELF_KINDS`: ELF64
//! x86-64 and ELF32 i386); `elf_load` checks a host program as the kernel
//! does before `process_spawn` maps it.

use qvm::loader::{Format, Placed, Ram, place, place_elf};

use crate::input::Input;

/// The guest-physical space placement allows (the kernel's, `abi::guest`).
const GPA_LIMIT: u64 = abi::GUEST_PA_TOP;

/// The first 21 bytes choose the RAM and the load address; the rest is the
/// image.
pub fn qvm_loader(data: &[u8]) {
    let mut inp = Input::new(data);
    // RAM as placement makes it: page-aligned, inside the guest space.
    let base = (inp.u64() % GPA_LIMIT) & !0xfff;
    let size = ((inp.u32() as u64) << 12).min(GPA_LIMIT - base).max(0x1000);
    let flags = inp.u8();
    let at_raw = inp.u64();
    let at = match flags & 3 {
        0 => None,
        1 => Some(base + at_raw % size),
        2 => Some((base + at_raw % size) & !((2 << 20) - 1)),
        _ => Some(at_raw),
    };
    let image = inp.rest();
    let ram = Ram { base, size };
    if image.starts_with(b"\x7fELF")
        && let Ok(p) = place_elf(image, image.len(), ram, qvm::arch::x86_64::ELF_KINDS)
    {
        assert!(
            matches!(p.format, Format::Elf | Format::Elf32),
            "an x86 ELF placed as {:?}",
            p.format
        );
        check_placed(&p, image, ram);
    }
    if let Ok(p) = place(image, ram, at) {
        check_placed(&p, image, ram);
    }
}

/// What every placement of `image` in `ram` must be: pieces inside RAM
/// and the file, the span covering them, the entry in one.
fn check_placed(p: &Placed, image: &[u8], ram: Ram) {
    let (base, ram_end) = (ram.base, ram.base + ram.size);
    assert!(!p.pieces.is_empty(), "placed with nothing to copy");
    for piece in &p.pieces {
        let end = piece.gpa.checked_add(piece.mem_len).expect("piece wraps");
        assert!(
            piece.gpa >= base && end <= ram_end,
            "piece {piece:?} outside RAM {base:#x}..{ram_end:#x}"
        );
        assert!(
            piece.file_len as u64 <= piece.mem_len,
            "more file than memory"
        );
        let file_end = piece.offset.checked_add(piece.file_len);
        assert!(
            file_end.is_some_and(|e| e <= image.len()),
            "piece {piece:?} reads past the {}-byte file",
            image.len()
        );
        assert!(
            p.span.0 <= piece.gpa && end <= p.span.1,
            "span misses a piece"
        );
    }
    assert!(
        p.pieces
            .iter()
            .any(|q| (q.gpa..q.gpa + q.mem_len).contains(&p.entry)),
        "entry {:#x} not in a piece",
        p.entry
    );
    if p.format == Format::Raw {
        assert_eq!(p.pieces[0].file_len, image.len());
    }
}

/// The kernel's check of a host program.
pub fn elf_load(data: &[u8]) {
    let Ok(exe) = kernel::elf_load::parse(data) else {
        return;
    };
    for s in &exe.segments {
        assert!(s.file_size <= s.mem_size, "more file than memory: {s:?}");
        assert!(
            s.file_offset
                .checked_add(s.file_size)
                .is_some_and(|e| e <= data.len()),
            "segment {s:?} reads past the file"
        );
        let end = s.vaddr.checked_add(s.mem_size).expect("segment wraps");
        assert!(
            s.vaddr >= abi::PAGE_SIZE && end <= abi::USER_STACK_TOP,
            "segment {s:?} outside user space"
        );
    }
    for (i, a) in exe.segments.iter().enumerate() {
        for b in &exe.segments[i + 1..] {
            assert!(
                a.vaddr + a.mem_size <= b.vaddr || b.vaddr + b.mem_size <= a.vaddr,
                "segments overlap: {a:?} {b:?}"
            );
        }
    }
    assert!(
        exe.segments
            .iter()
            .any(|s| s.exec && (s.vaddr..s.vaddr + s.mem_size).contains(&exe.entry)),
        "entry not in an executable segment"
    );
    assert!(
        (abi::USER_STACK_MIN..=abi::USER_STACK_SIZE).contains(&exe.stack_size)
            && exe.stack_size.is_multiple_of(abi::PAGE_SIZE),
        "first stack of {} bytes",
        exe.stack_size
    );
}
