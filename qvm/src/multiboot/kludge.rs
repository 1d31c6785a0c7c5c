//! Placing an image by the header's address fields (the "a.out kludge"):
//! Multiboot 0.6.96 section 3.1.3 "The address fields of Multiboot header",
//! Multiboot2 2.0 sections 3.1.5 "The address tag of Multiboot2 header" and
//! 3.1.6 "The entry address tag of Multiboot2 header".

use alloc::format;
use alloc::string::String;

use super::header::Header;
use crate::loader::Piece;

/// Where the bytes of an image placed by its address fields go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Offset in the file of the first byte to load.
    pub file_offset: usize,
    /// Guest-physical address it goes to (`load_addr`).
    pub load_addr: u64,
    /// Bytes copied from the file.
    pub load_len: usize,
    /// End (exclusive) of the BSS: from `load_addr + load_len` to here is
    /// zeroed. Equal to `load_addr + load_len` if there is no BSS.
    pub bss_end: u64,
    /// Where the kernel starts (`entry_addr`).
    pub entry: u64,
}

impl Layout {
    /// End (exclusive) of the loaded bytes in guest memory.
    pub fn load_end(&self) -> u64 {
        self.load_addr.saturating_add(self.load_len as u64)
    }

    /// The same as one piece for `qvm`'s loader: `load_len` bytes from the
    /// file, then zeros up to `bss_end`.
    pub fn piece(&self) -> Piece {
        Piece {
            gpa: self.load_addr,
            offset: self.file_offset,
            file_len: self.load_len,
            mem_len: self.bss_end.saturating_sub(self.load_addr),
        }
    }
}

/// Places an image of `image_len` bytes by `header`'s address fields.
///
/// The spec (3.1.3; 3.1.5 the same): the file offset to load from is the
/// header's offset minus (`header_addr` - `load_addr`), and `load_addr`
/// must be at most `header_addr`; (`load_end_addr` - `load_addr`) bytes are
/// loaded, or, if `load_end_addr` is 0, the rest of the file;
/// `bss_end_addr` (if not 0) ends the zeroed BSS. Multiboot2's
/// `load_addr` of -1 means "from the beginning of the file". Checked here
/// too: the bytes lie in the file, the header lies in the loaded bytes at
/// `header_addr`, `bss_end_addr` is not below the loaded end, everything
/// ends within 4 GiB, and the entry point (v1 `entry_addr`, v2 entry address
/// tag, required for a v2 image placed this way) is among the loaded bytes.
pub fn kludge_layout(header: &Header, image_len: usize) -> Result<Layout, String> {
    let Some(a) = header.addresses else {
        return Err(
            "the kernel's multiboot header has no address fields, so its image must be \
                    ELF to say where it is loaded"
                .into(),
        );
    };
    let Some(entry) = header.entry else {
        return Err(
            "the kernel's Multiboot2 header has an address tag but no entry address tag: \
                    qvm cannot tell where the kernel starts"
                .into(),
        );
    };
    let header_addr = u64::from(a.header_addr);
    let offset = header.offset as u64;
    let load_addr = if a.load_addr == u32::MAX && header.version == super::Version::V2 {
        // Multiboot2 3.1.5: "Special value -1 means that the file must be
        // loaded from its beginning."
        header_addr.checked_sub(offset).ok_or_else(|| {
            format!(
                "the kernel's header_addr {header_addr:#x} is below the header's offset in the \
                 file ({offset:#x}), so the file cannot be loaded from its beginning"
            )
        })?
    } else {
        u64::from(a.load_addr)
    };
    if load_addr > header_addr {
        return Err(format!(
            "the kernel's load_addr {load_addr:#x} is above its header_addr {header_addr:#x}; \
             the specification requires load_addr <= header_addr"
        ));
    }
    let before = header_addr - load_addr;
    let file_offset = offset.checked_sub(before).ok_or_else(|| {
        format!(
            "the kernel's header says loading starts {before:#x} bytes before the header, but \
             the header is only {offset:#x} bytes into the file"
        )
    })?;
    let image_len = image_len as u64;
    let load_len = if a.load_end_addr == 0 {
        // "the text and data segments occupy the whole OS image file"
        image_len.saturating_sub(file_offset)
    } else {
        let load_end = u64::from(a.load_end_addr);
        let len = load_end.checked_sub(load_addr).ok_or_else(|| {
            format!(
                "the kernel's load_end_addr {load_end:#x} is below its load_addr {load_addr:#x}"
            )
        })?;
        if file_offset + len > image_len {
            return Err(format!(
                "the kernel's header asks for {len:#x} bytes from file offset {file_offset:#x} \
                 (load_addr {load_addr:#x} to load_end_addr {load_end:#x}), but the file is only \
                 {image_len:#x} bytes"
            ));
        }
        len
    };
    let load_end = load_addr.saturating_add(load_len);
    if load_end > 1 << 32 {
        return Err(format!(
            "the kernel's image would be loaded at {load_addr:#x}..{load_end:#x}, past 4 GiB, \
             where a 32-bit multiboot kernel cannot reach"
        ));
    }
    if offset + header.length as u64 > file_offset + load_len {
        return Err(format!(
            "the kernel's multiboot header (file offset {offset:#x}) is not within the loaded \
             part of the file ({file_offset:#x}..{:#x}), so header_addr cannot place it",
            file_offset + load_len
        ));
    }
    let bss_end = match u64::from(a.bss_end_addr) {
        0 => load_end,
        end if end < load_end => {
            return Err(format!(
                "the kernel's bss_end_addr {end:#x} is below the end of its loaded bytes \
                 ({load_end:#x})"
            ));
        }
        end => end,
    };
    let entry = u64::from(entry);
    if !(load_addr..load_end).contains(&entry) {
        return Err(format!(
            "the kernel's entry address {entry:#x} is outside its loaded bytes \
             ({load_addr:#x}..{load_end:#x})"
        ));
    }
    Ok(Layout {
        file_offset: file_offset as usize,
        load_addr,
        load_len: load_len as usize,
        bss_end,
        entry,
    })
}
