//! The `linux_bzimage` target: a Linux x86 bzImage as `qvm` reads it
//! (`qvm::arch::x86_64::linux`): any first page (with the "HdrS" signature
//! usually in place, so the header's fields are what varies) and any file
//! length read as a setup header, the kernel placed in any RAM region at
//! any configured address, and a zero page built for any command line and
//! initrd addresses and any memory map.
//!
//! The target's input: a flag (keep "HdrS"), the file length, RAM base
//! and size in pages, an optional load address, the command line's
//! address, an optional initrd (address, size), the map's length, then
//! the file's first page.
//!
//! Checked: nothing panics; a placed kernel lies inside the RAM it was
//! given, starts at its load address + 0x200 and copies no byte past the
//! file; a zero page is one page holding the header as the file has it
//! (up to the fields a loader writes), and is refused for a memory map
//! longer than its table.

use qvm::arch::x86_64::linux::setup_header::{HEADER_MAGIC, SETUP_SECTS};
use qvm::arch::x86_64::linux::zero_page::E820_MAX;
use qvm::arch::x86_64::linux::{
    BootParams, SetupHeader, ZERO_PAGE_LEN, kernel_cmdline, place, zero_page,
};
use qvm::loader::Ram;
use qvm::multiboot::{MemoryKind, MemoryRegion};

use crate::input::Input;

/// Bytes of the file's start the target makes.
const HEAD: usize = 0x1000;

/// The target.
pub fn linux_bzimage(data: &[u8]) {
    let mut input = Input::new(data);
    let keep_magic = input.u8() != 0;
    let file_len = input.u32() as usize;
    let ram = Ram {
        base: u64::from(input.u32()) << 12,
        size: u64::from(input.u32()) << 12,
    };
    let at = input.bool().then(|| u64::from(input.u32()) << 12);
    let cmdline_at = input.u64();
    let initrd = input.bool().then(|| (input.u64(), input.u64()));
    let entries = input.below(E820_MAX as u64 + 3) as usize;
    let mut head = vec![0u8; HEAD];
    let rest = input.rest();
    head[..rest.len().min(HEAD)].copy_from_slice(&rest[..rest.len().min(HEAD)]);
    if keep_magic {
        head[HEADER_MAGIC..HEADER_MAGIC + 4].copy_from_slice(b"HdrS");
    }
    let cut = HEAD.min(rest.len().max(SETUP_SECTS));
    let head = &head[..cut];

    if let Ok(placed) = place(head, file_len, ram, at) {
        let piece = placed.pieces[0];
        assert!(ram.fits(piece.gpa, piece.mem_len), "placed outside RAM");
        assert!(piece.offset + piece.file_len <= file_len, "past the file");
        assert_eq!(placed.entry, piece.gpa + 0x200);
    }
    let Ok(header) = SetupHeader::parse(head, file_len) else {
        return;
    };
    let _ = kernel_cmdline(
        core::str::from_utf8(&rest[..rest.len().min(64)]).unwrap_or(""),
        header.cmdline_size,
    );
    let memory: Vec<MemoryRegion> = (0..entries)
        .map(|i| MemoryRegion {
            base: i as u64 * 0x10_0000,
            length: 0x10_0000,
            kind: if i % 2 == 0 {
                MemoryKind::Ram
            } else {
                MemoryKind::Reserved
            },
        })
        .collect();
    let params = BootParams {
        head,
        header: &header,
        load_address: ram.base,
        cmdline: cmdline_at,
        initrd,
        memory: &memory,
        rsdp: Some(0xE_0000),
    };
    match zero_page(&params) {
        Ok(page) => {
            assert_eq!(page.len(), ZERO_PAGE_LEN);
            // The header as the file has it, up to the first field a
            // loader writes (type_of_loader at 0x210).
            let end = (SETUP_SECTS + header.header_len).min(0x210);
            assert_eq!(&page[SETUP_SECTS..end], &head[SETUP_SECTS..end]);
            assert!(memory.len() <= E820_MAX, "a map longer than the table");
        }
        Err(e) => assert!(!e.is_empty()),
    }
}
