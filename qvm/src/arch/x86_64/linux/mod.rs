//! Linux x86 kernels (bzImage) by the 64-bit boot protocol
//! (Documentation/arch/x86/boot.rst): the setup header
//! (`setup_header.rs`), where the protected-mode kernel goes ([`place`]),
//! the zero page (`zero_page.rs`) and the command line's bound
//! ([`kernel_cmdline`]). The registers are `boot::linux_regs`; the page
//! tables the identity map of `long_mode.rs`; the rest of the start is
//! `firmware/pc_linux.rs` in the binary.

pub mod setup_header;
pub mod zero_page;

#[cfg(test)]
mod tests;

use alloc::string::String;
use alloc::vec;

use crate::loader::{Format, Piece, Placed, Ram};
pub use setup_header::{SetupHeader, is_bzimage};
pub use zero_page::{BootParams, ZERO_PAGE_LEN, zero_page};

/// Places the protected-mode kernel of the bzImage `head` (`file_len`
/// bytes in all) in `ram`, at `at` if the configuration said: the file
/// from its `kernel_offset`, with room for `init_size` bytes; it starts
/// at its 64-bit entry point, 0x200 past the load address.
pub fn place(head: &[u8], file_len: usize, ram: Ram, at: Option<u64>) -> Result<Placed, String> {
    let header = SetupHeader::parse(head, file_len)?;
    let load = header.load_address(ram.base, ram.base + ram.size, at)?;
    Ok(Placed {
        format: Format::KernelImage,
        pieces: vec![Piece {
            gpa: load,
            offset: header.kernel_offset,
            file_len: header.code_len(file_len),
            mem_len: header.init_size,
        }],
        entry: load + setup_header::ENTRY_64,
        span: (load, load + header.init_size),
    })
}

/// The command line `cmdline` as the kernel gets it (the NUL the boot
/// protocol wants is the caller's); refused past `max` bytes (the
/// header's `cmdline_size`), which the kernel would cut. The virtio
/// devices need no `virtio_mmio.device=`: the DSDT lists them.
pub fn kernel_cmdline(cmdline: &str, max: u64) -> Result<&str, String> {
    let line = cmdline.trim();
    if line.len() as u64 > max {
        return Err(alloc::format!(
            "the kernel's command line is {} bytes: this kernel takes at most {max}",
            line.len()
        ));
    }
    Ok(line)
}
