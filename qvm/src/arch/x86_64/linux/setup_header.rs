//! The setup header of a Linux bzImage (Documentation/arch/x86/boot.rst,
//! "The Real-Mode Kernel Header"): which boot protocol the kernel speaks,
//! where its protected-mode part starts in the file, how much memory it
//! needs from where it is loaded (`init_size`), and where it may go
//! (`pref_address`, `kernel_alignment`, `relocatable_kernel`). `qvm` uses
//! the 64-bit boot protocol ("64-bit Boot Protocol"), so it takes kernels
//! that declare `XLF_KERNEL_64`, boot protocol 2.12 (Linux 3.8) or later.

use alloc::format;
use alloc::string::String;

/// Offsets in the file, which are also the offsets in `boot_params` (the
/// "zero page"): the header sits at 0x1F1 in both.
pub const SETUP_SECTS: usize = 0x1F1;
/// "HdrS".
pub const HEADER_MAGIC: usize = 0x202;
/// The byte whose value, plus 0x202, is where the header ends.
pub const JUMP_LEN: usize = 0x201;
/// Boot protocol version (u16, e.g. 0x020F for 2.15).
pub const VERSION: usize = 0x206;
/// `loadflags` (u8).
pub const LOADFLAGS: usize = 0x211;
/// `relocatable_kernel` (u8).
pub const RELOCATABLE: usize = 0x234;
/// `kernel_alignment` (u32).
pub const KERNEL_ALIGNMENT: usize = 0x230;
/// `xloadflags` (u16).
pub const XLOADFLAGS: usize = 0x236;
/// `cmdline_size` (u32): the longest command line, without its NUL.
pub const CMDLINE_SIZE: usize = 0x238;
/// `initrd_addr_max` (u32): the highest address the initrd may reach.
pub const INITRD_ADDR_MAX: usize = 0x22C;
/// `pref_address` (u64).
pub const PREF_ADDRESS: usize = 0x258;
/// `init_size` (u32).
pub const INIT_SIZE: usize = 0x260;

/// `loadflags` bit 0, LOADED_HIGH: the protected-mode code loads at 1 MiB
/// or above (every bzImage).
pub const LOADED_HIGH: u8 = 1 << 0;
/// `xloadflags` bit 0, XLF_KERNEL_64: the kernel has the 64-bit entry
/// point at the load address + 0x200.
pub const XLF_KERNEL_64: u16 = 1 << 0;
/// `xloadflags` bit 1, XLF_CAN_BE_LOADED_ABOVE_4G: the kernel, boot
/// parameters, command line and initrd may lie above 4 GiB.
pub const XLF_CAN_BE_LOADED_ABOVE_4G: u16 = 1 << 1;
/// Where the 64-bit entry point is, from the load address.
pub const ENTRY_64: u64 = 0x200;
/// The oldest protocol with `xloadflags`: 2.12.
pub const MIN_VERSION: u16 = 0x020C;
/// Where a kernel that is not relocatable loads when its protocol has no
/// `pref_address` (before 2.10): 1 MiB.
const DEFAULT_LOAD: u64 = 0x10_0000;
/// The `setup_sects` of a header that says 0 ("If this field is 0, the
/// real value is 4").
const DEFAULT_SETUP_SECTS: u8 = 4;
/// Bytes of a sector.
const SECTOR: usize = 512;

/// What `qvm` needs of a bzImage's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetupHeader {
    /// Boot protocol version.
    pub version: u16,
    /// Where the protected-mode kernel starts in the file.
    pub kernel_offset: usize,
    /// Bytes of the header, from 0x1F1 (what `boot_params` copies).
    pub header_len: usize,
    /// Whether the kernel may load at any `kernel_alignment` multiple.
    pub relocatable: bool,
    /// Its alignment if relocatable (a power of two).
    pub kernel_alignment: u64,
    /// Where it prefers to load.
    pub pref_address: u64,
    /// Bytes it needs from the load address while it decompresses and
    /// runs, at least the protected-mode code's own length.
    pub init_size: u64,
    /// The longest command line.
    pub cmdline_size: u64,
    /// The highest address the initrd may reach (inclusive).
    pub initrd_addr_max: u64,
    /// `xloadflags`.
    pub xloadflags: u16,
}

fn u16_at(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([d[at], d[at + 1]])
}

fn u32_at(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

fn u64_at(d: &[u8], at: usize) -> u64 {
    u64::from(u32_at(d, at)) | u64::from(u32_at(d, at + 4)) << 32
}

/// Whether `data` starts like a bzImage (the "HdrS" signature).
pub fn is_bzimage(data: &[u8]) -> bool {
    data.get(HEADER_MAGIC..HEADER_MAGIC + 4) == Some(b"HdrS")
}

impl SetupHeader {
    /// Reads the header of the bzImage `head` (the file's first bytes,
    /// at least 0x270 of them) of `file_len` bytes; refuses kernels `qvm`
    /// cannot start with the 64-bit protocol.
    pub fn parse(head: &[u8], file_len: usize) -> Result<SetupHeader, String> {
        if !is_bzimage(head) {
            return Err("not a Linux bzImage (no \"HdrS\" at 0x202)".into());
        }
        if head.len() < INIT_SIZE + 4 {
            return Err("the bzImage's header is cut short".into());
        }
        let version = u16_at(head, VERSION);
        if version < MIN_VERSION {
            return Err(format!(
                "a Linux kernel of boot protocol {}.{:02}: qvm needs 2.12 (Linux 3.8) or later, \
                 with the 64-bit entry point",
                version >> 8,
                version & 0xff
            ));
        }
        let xloadflags = u16_at(head, XLOADFLAGS);
        if xloadflags & XLF_KERNEL_64 == 0 {
            return Err(
                "a Linux bzImage without the 64-bit entry point (XLF_KERNEL_64): a 32-bit kernel, \
                 which qvm does not start"
                    .into(),
            );
        }
        if head[LOADFLAGS] & LOADED_HIGH == 0 {
            return Err("a zImage (loaded below 1 MiB): qvm starts bzImages only".into());
        }
        let sects = match head[SETUP_SECTS] {
            0 => DEFAULT_SETUP_SECTS,
            n => n,
        };
        let kernel_offset = (usize::from(sects) + 1) * SECTOR;
        if kernel_offset >= file_len {
            return Err(format!(
                "the bzImage's setup ({kernel_offset} bytes) is all of its {file_len} bytes"
            ));
        }
        let header_len = HEADER_MAGIC + usize::from(head[JUMP_LEN]) - SETUP_SECTS;
        let kernel_alignment = u64::from(u32_at(head, KERNEL_ALIGNMENT));
        let relocatable = head[RELOCATABLE] != 0;
        if relocatable && !kernel_alignment.is_power_of_two() {
            return Err(format!(
                "the bzImage's kernel_alignment {kernel_alignment:#x} is not a power of two"
            ));
        }
        let code_len = (file_len - kernel_offset) as u64;
        Ok(SetupHeader {
            version,
            kernel_offset,
            header_len,
            relocatable,
            kernel_alignment,
            pref_address: match u64_at(head, PREF_ADDRESS) {
                0 => DEFAULT_LOAD,
                a => a,
            },
            init_size: u64::from(u32_at(head, INIT_SIZE)).max(code_len),
            cmdline_size: u64::from(u32_at(head, CMDLINE_SIZE)),
            initrd_addr_max: u64::from(u32_at(head, INITRD_ADDR_MAX)),
            xloadflags,
        })
    }

    /// Bytes of the protected-mode kernel in a file of `file_len` bytes.
    pub fn code_len(&self, file_len: usize) -> usize {
        file_len - self.kernel_offset
    }

    /// Whether the kernel takes its parts above 4 GiB.
    pub fn above_4g(&self) -> bool {
        self.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G != 0
    }

    /// Where the kernel loads in RAM `base..end`: at `at` if the
    /// configuration said (aligned if relocatable, else only where the
    /// kernel must be); otherwise at `pref_address` if its `init_size`
    /// fits there, else, if relocatable, at the lowest aligned address
    /// from 1 MiB that has room.
    pub fn load_address(&self, base: u64, end: u64, at: Option<u64>) -> Result<u64, String> {
        let fits = |a: u64| a >= base && a.checked_add(self.init_size).is_some_and(|e| e <= end);
        let need = self.init_size;
        if let Some(a) = at {
            if self.relocatable && a % self.kernel_alignment != 0 {
                return Err(format!(
                    "the kernel loads at multiples of {:#x}, not at {a:#x}",
                    self.kernel_alignment
                ));
            }
            if !self.relocatable && a != self.pref_address {
                return Err(format!(
                    "the kernel is not relocatable: it loads at {:#x}, not at {a:#x}",
                    self.pref_address
                ));
            }
            return if fits(a) {
                Ok(a)
            } else {
                Err(format!(
                    "the kernel needs {need:#x} bytes from {a:#x} (its init_size), past the RAM"
                ))
            };
        }
        if fits(self.pref_address) {
            return Ok(self.pref_address);
        }
        if self.relocatable {
            let first = base
                .max(DEFAULT_LOAD)
                .checked_next_multiple_of(self.kernel_alignment);
            if let Some(a) = first.filter(|&a| fits(a)) {
                return Ok(a);
            }
        }
        Err(format!(
            "the kernel needs {need:#x} bytes of RAM from {:#x} (its init_size): give the VM more \
             RAM",
            self.pref_address
        ))
    }
}
