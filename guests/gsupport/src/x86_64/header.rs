//! What a loader finds at the start of an x86_64 guest image, chosen when
//! `gsupport` is built (`cargo xtask` builds the variants, guests/README.md
//! "x86_64 guests"), and which entry the ELF entry point `gs_entry` of the
//! linker script (`guest-x86_64.ld`) is (an alias that `boot.rs` or
//! `boot64.rs` defines beside its entry):
//!
//! - by default, a Multiboot v1 header with its address fields (the
//!   "a.out kludge", flags bit 16), so that QEMU `-kernel`, which refuses
//!   an ELF64 image without them, loads the image by them; entry
//!   `gs_start32`;
//! - feature `multiboot-elf`: a Multiboot v1 header without address
//!   fields (magic, flags, checksum): the loader places the image by its
//!   ELF program headers, as GRUB does an ELF32 multiboot kernel (`hello32`
//!   is this image converted to ELF32 i386); entry `gs_start32`;
//! - feature `elf64-entry`: no multiboot header; entry `gs_start64`, the
//!   64-bit entry of a loader that starts the image in long mode with the
//!   Multiboot2 information in RBX (`qvm`; `hello64`).
//!
//! Multiboot Specification 0.6.96, 3.1.1 "The layout of Multiboot header"
//! and 3.1.2 "The magic fields of Multiboot header".

/// The Multiboot v1 header magic (3.1.2).
pub const MULTIBOOT_HEADER_MAGIC: u32 = 0x1BAD_B002;
/// Header flag bit 1: pass memory information (3.1.2).
pub const MULTIBOOT_MEMORY_INFO: u32 = 1 << 1;
/// Header flag bit 16: the address fields are valid (the a.out kludge).
pub const MULTIBOOT_AOUT_KLUDGE: u32 = 1 << 16;

#[cfg(all(feature = "multiboot-elf", feature = "elf64-entry"))]
compile_error!("gsupport: features `multiboot-elf` and `elf64-entry` choose different images");

/// The header flags of the default image.
#[cfg(not(any(feature = "multiboot-elf", feature = "elf64-entry")))]
pub const MULTIBOOT_FLAGS: u32 = MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE;

#[cfg(not(any(feature = "multiboot-elf", feature = "elf64-entry")))]
core::arch::global_asm!(
    r#"
.section .multiboot, "a"
.balign 4
gs_multiboot_header:
    .long {mb_magic}
    .long {mb_flags}
    .long -({mb_magic} + {mb_flags})
    .long gs_multiboot_header           // header_addr
    .long __image_start                 // load_addr
    .long __load_end                    // load_end_addr
    .long __bss_end                     // bss_end_addr
    .long gs_start32                    // entry_addr
"#,
    mb_magic = const MULTIBOOT_HEADER_MAGIC,
    mb_flags = const MULTIBOOT_FLAGS,
    options(att_syntax)
);

/// The header flags of the `multiboot-elf` image: memory information
/// only.
#[cfg(feature = "multiboot-elf")]
pub const MULTIBOOT_FLAGS: u32 = MULTIBOOT_MEMORY_INFO;

#[cfg(feature = "multiboot-elf")]
core::arch::global_asm!(
    r#"
.section .multiboot, "a"
.balign 4
    .long {mb_magic}
    .long {mb_flags}
    .long -({mb_magic} + {mb_flags})
"#,
    mb_magic = const MULTIBOOT_HEADER_MAGIC,
    mb_flags = const MULTIBOOT_FLAGS,
    options(att_syntax)
);
