//! The numbers of the two specifications, named as in their example
//! headers (`multiboot.h` in Multiboot 0.6.96 section 4.3.1, `multiboot2.h`
//! in Multiboot2 2.0 section 4.4.1). Where both headers use one name for
//! different values, the Multiboot2 one carries a `MULTIBOOT2_` prefix.

// ---- Multiboot 0.6.96 (version 1) ----

/// 3.1.2 "The magic fields of Multiboot header": `magic`.
pub const MULTIBOOT_HEADER_MAGIC: u32 = 0x1BAD_B002;
/// 3.2 "Machine state": the value in EAX when the kernel starts.
pub const MULTIBOOT_BOOTLOADER_MAGIC: u32 = 0x2BAD_B002;
/// 3.1 "OS image format": the header lies completely within the first
/// 8192 bytes of the image...
pub const MULTIBOOT_SEARCH: usize = 8192;
/// ...and is longword (32-bit) aligned.
pub const MULTIBOOT_HEADER_ALIGN: usize = 4;
/// 3.1.2, header `flags` bit 0: boot modules aligned on page (4 KiB)
/// boundaries.
pub const MULTIBOOT_PAGE_ALIGN: u32 = 1 << 0;
/// Header `flags` bit 1: at least the `mem_*` fields must be provided.
pub const MULTIBOOT_MEMORY_INFO: u32 = 1 << 1;
/// Header `flags` bit 2: the video mode table must be available.
pub const MULTIBOOT_VIDEO_MODE: u32 = 1 << 2;
/// Header `flags` bit 16: the address fields at offsets 12-28 are valid
/// (the "a.out kludge").
pub const MULTIBOOT_AOUT_KLUDGE: u32 = 1 << 16;
/// Header `flags` bits 0-15 are requirements: a loader that cannot fulfil
/// one must fail.
pub const MULTIBOOT_REQUIRED_FLAGS: u32 = 0xFFFF;
/// Bytes of the header through `checksum`.
pub const MULTIBOOT_HEADER_MAGIC_LEN: usize = 12;
/// Bytes of the header through `entry_addr` (the address fields).
pub const MULTIBOOT_HEADER_ADDR_LEN: usize = 32;
/// Module alignment when [`MULTIBOOT_PAGE_ALIGN`] is set (also Multiboot2's).
pub const MULTIBOOT_MOD_ALIGN: u64 = 0x1000;
/// Alignment of the Multiboot information structure (`multiboot.h`).
pub const MULTIBOOT_INFO_ALIGN: u64 = 4;

/// 3.3 "Boot information format", `flags` bit 0: `mem_lower`, `mem_upper`.
pub const MULTIBOOT_INFO_MEMORY: u32 = 1 << 0;
/// Bit 1: `boot_device` (never set by qvm: there is no BIOS disk).
pub const MULTIBOOT_INFO_BOOTDEV: u32 = 1 << 1;
/// Bit 2: `cmdline`.
pub const MULTIBOOT_INFO_CMDLINE: u32 = 1 << 2;
/// Bit 3: `mods_count`, `mods_addr`.
pub const MULTIBOOT_INFO_MODS: u32 = 1 << 3;
/// Bit 6: `mmap_length`, `mmap_addr`.
pub const MULTIBOOT_INFO_MEM_MAP: u32 = 1 << 6;
/// Bit 9: `boot_loader_name`.
pub const MULTIBOOT_INFO_BOOT_LOADER_NAME: u32 = 1 << 9;
/// Bytes of the information structure's fixed part in the 3.3 table
/// (`flags` at 0 through `color_info` ending at 115).
pub const MULTIBOOT_INFO_SIZE: usize = 116;
/// Offsets of the fields qvm fills in, from the 3.3 table.
pub const MULTIBOOT_INFO_MEM_LOWER: usize = 4;
/// `mem_upper`.
pub const MULTIBOOT_INFO_MEM_UPPER: usize = 8;
/// `cmdline`.
pub const MULTIBOOT_INFO_CMDLINE_ADDR: usize = 16;
/// `mods_count`.
pub const MULTIBOOT_INFO_MODS_COUNT: usize = 20;
/// `mods_addr`.
pub const MULTIBOOT_INFO_MODS_ADDR: usize = 24;
/// `mmap_length`.
pub const MULTIBOOT_INFO_MMAP_LENGTH: usize = 44;
/// `mmap_addr`.
pub const MULTIBOOT_INFO_MMAP_ADDR: usize = 48;
/// `boot_loader_name`.
pub const MULTIBOOT_INFO_LOADER_NAME: usize = 64;
/// 3.3, a module structure: `mod_start`, `mod_end`, `string`, `reserved`.
pub const MULTIBOOT_MOD_LIST_SIZE: usize = 16;
/// 3.3, the `size` of a memory map entry (`base_addr`, `length`, `type`);
/// it does not count the `size` field itself, which precedes the entry.
pub const MULTIBOOT_MMAP_ENTRY_SIZE: u32 = 20;

/// Memory map `type` (both versions): available RAM.
pub const MULTIBOOT_MEMORY_AVAILABLE: u32 = 1;
/// Reserved (any other value is reserved too).
pub const MULTIBOOT_MEMORY_RESERVED: u32 = 2;
/// Usable memory holding ACPI information.
pub const MULTIBOOT_MEMORY_ACPI_RECLAIMABLE: u32 = 3;
/// Reserved memory to preserve on hibernation (ACPI NVS).
pub const MULTIBOOT_MEMORY_NVS: u32 = 4;

// ---- Multiboot2 2.0 ----

/// 3.1.2 "The magic fields of Multiboot2 header": `magic`.
pub const MULTIBOOT2_HEADER_MAGIC: u32 = 0xE852_50D6;
/// 3.3 "I386 machine state": the value in EAX when the kernel starts.
pub const MULTIBOOT2_BOOTLOADER_MAGIC: u32 = 0x36D7_6289;
/// 3.1 "OS image format": within the first 32768 bytes...
pub const MULTIBOOT2_SEARCH: usize = 32768;
/// ...64-bit aligned.
pub const MULTIBOOT2_HEADER_ALIGN: usize = 8;
/// Bytes of the header's magic fields (before the tags).
pub const MULTIBOOT2_HEADER_MAGIC_LEN: usize = 16;
/// 3.6.2 "Basic tags structure": the information structure's start is
/// 8-byte aligned.
pub const MULTIBOOT2_INFO_ALIGN: u64 = 8;
/// 3.1.3 / 3.6.2: every tag starts 8-byte aligned.
pub const MULTIBOOT_TAG_ALIGN: usize = 8;
/// 3.1.2 `architecture`: 32-bit (protected) mode of i386.
pub const MULTIBOOT_ARCHITECTURE_I386: u32 = 0;
/// `architecture`: 32-bit MIPS.
pub const MULTIBOOT_ARCHITECTURE_MIPS32: u32 = 4;
/// 3.1.3 "General tag structure": `flags` bit 0, the tag is optional.
pub const MULTIBOOT_HEADER_TAG_OPTIONAL: u16 = 1;

/// Header tag types (3.1.3 to 3.1.13).
pub const MULTIBOOT_HEADER_TAG_END: u16 = 0;
/// 3.1.4 "Multiboot2 information request".
pub const MULTIBOOT_HEADER_TAG_INFORMATION_REQUEST: u16 = 1;
/// 3.1.5 "The address tag of Multiboot2 header".
pub const MULTIBOOT_HEADER_TAG_ADDRESS: u16 = 2;
/// 3.1.6 "The entry address tag of Multiboot2 header".
pub const MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS: u16 = 3;
/// 3.1.9 "Flags tag" (console flags).
pub const MULTIBOOT_HEADER_TAG_CONSOLE_FLAGS: u16 = 4;
/// 3.1.10 "The framebuffer tag of Multiboot2 header".
pub const MULTIBOOT_HEADER_TAG_FRAMEBUFFER: u16 = 5;
/// 3.1.11 "Module alignment tag".
pub const MULTIBOOT_HEADER_TAG_MODULE_ALIGN: u16 = 6;
/// 3.1.12 "EFI boot services tag".
pub const MULTIBOOT_HEADER_TAG_EFI_BS: u16 = 7;
/// 3.1.7 "EFI i386 entry address tag of Multiboot2 header".
pub const MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS_EFI32: u16 = 8;
/// 3.1.8 "EFI amd64 entry address tag of Multiboot2 header".
pub const MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS_EFI64: u16 = 9;
/// 3.1.13 "Relocatable header tag".
pub const MULTIBOOT_HEADER_TAG_RELOCATABLE: u16 = 10;
/// 3.1.9 `console_flags` bit 0: a console must be present and described.
pub const MULTIBOOT_CONSOLE_FLAGS_CONSOLE_REQUIRED: u32 = 1;
/// `console_flags` bit 1: the image supports EGA text.
pub const MULTIBOOT_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED: u32 = 2;

/// Boot information tag types (3.6.2 to 3.6.23): the terminating tag.
pub const MULTIBOOT_TAG_TYPE_END: u32 = 0;
/// 3.6.5 "Boot command line".
pub const MULTIBOOT_TAG_TYPE_CMDLINE: u32 = 1;
/// 3.6.9 "Boot loader name".
pub const MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME: u32 = 2;
/// 3.6.6 "Modules".
pub const MULTIBOOT_TAG_TYPE_MODULE: u32 = 3;
/// 3.6.3 "Basic memory information".
pub const MULTIBOOT_TAG_TYPE_BASIC_MEMINFO: u32 = 4;
/// 3.6.4 "BIOS Boot device".
pub const MULTIBOOT_TAG_TYPE_BOOTDEV: u32 = 5;
/// 3.6.8 "Memory map".
pub const MULTIBOOT_TAG_TYPE_MMAP: u32 = 6;
/// 3.6.11 "VBE info".
pub const MULTIBOOT_TAG_TYPE_VBE: u32 = 7;
/// 3.6.12 "Framebuffer info".
pub const MULTIBOOT_TAG_TYPE_FRAMEBUFFER: u32 = 8;
/// 3.6.7 "ELF-Symbols".
pub const MULTIBOOT_TAG_TYPE_ELF_SECTIONS: u32 = 9;
/// 3.6.10 "APM table".
pub const MULTIBOOT_TAG_TYPE_APM: u32 = 10;
/// 3.6.13 "EFI 32-bit system table pointer".
pub const MULTIBOOT_TAG_TYPE_EFI32: u32 = 11;
/// 3.6.14 "EFI 64-bit system table pointer".
pub const MULTIBOOT_TAG_TYPE_EFI64: u32 = 12;
/// 3.6.15 "SMBIOS tables".
pub const MULTIBOOT_TAG_TYPE_SMBIOS: u32 = 13;
/// 3.6.16 "ACPI old RSDP".
pub const MULTIBOOT_TAG_TYPE_ACPI_OLD: u32 = 14;
/// 3.6.17 "ACPI new RSDP".
pub const MULTIBOOT_TAG_TYPE_ACPI_NEW: u32 = 15;
/// 3.6.18 "Networking information".
pub const MULTIBOOT_TAG_TYPE_NETWORK: u32 = 16;
/// 3.6.19 "EFI memory map".
pub const MULTIBOOT_TAG_TYPE_EFI_MMAP: u32 = 17;
/// 3.6.20 "EFI boot services not terminated".
pub const MULTIBOOT_TAG_TYPE_EFI_BS: u32 = 18;
/// 3.6.21 "EFI 32-bit image handle pointer".
pub const MULTIBOOT_TAG_TYPE_EFI32_IH: u32 = 19;
/// 3.6.22 "EFI 64-bit image handle pointer".
pub const MULTIBOOT_TAG_TYPE_EFI64_IH: u32 = 20;
/// 3.6.23 "Image load base physical address".
pub const MULTIBOOT_TAG_TYPE_LOAD_BASE_ADDR: u32 = 21;
/// 3.6.8: `entry_size` of the memory map entries qvm writes.
pub const MULTIBOOT2_MMAP_ENTRY_SIZE: u32 = 24;
/// 3.6.8: `entry_version`.
pub const MULTIBOOT2_MMAP_ENTRY_VERSION: u32 = 0;
