//! The board description the boot loader handed over, read into a
//! [`Board`]: the device tree (ARM), or the PVH or multiboot2 hand-off
//! with the ACPI tables (x86), which the kernel reads through the boot
//! map's identity mapping of the first 4 GiB.

use crate::hw::Arch;
use arch::Cpu;
use arch::platform::{BootInfo, Handoff};
use kernel::board::{self, Board};
use kernel::x86_firmware::{self, OutOfRange, PhysMem};

/// What the loader handed over, read.
pub struct Described {
    /// The board.
    pub board: Board,
    /// The device tree (empty on x86).
    pub dtb: &'static [u8],
    /// The range of the handed-over table itself (the device tree; the
    /// start information), kept out of the frame allocator.
    pub table: (usize, usize),
}

/// Why the description cannot be used.
pub enum Unusable {
    /// A device tree the kernel cannot read.
    DeviceTree(board::BoardError),
    /// x86 firmware the kernel cannot read.
    Firmware(x86_firmware::FirmwareError),
    /// x86 firmware read, but no board the kernel can run on.
    Board(board::BoardError),
}

impl Unusable {
    /// The console to report it on, when there is one without a board
    /// description (the PC's COM1).
    pub fn fallback_console(&self) -> Option<usize> {
        match self {
            Unusable::DeviceTree(_) => None,
            Unusable::Firmware(_) | Unusable::Board(_) => Some(board::x86::COM1_PORT),
        }
    }
}

impl core::fmt::Display for Unusable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Unusable::DeviceTree(e) => write!(f, "unusable device tree: {e:?}"),
            Unusable::Firmware(e) => write!(f, "unusable boot hand-off or ACPI tables: {e}"),
            Unusable::Board(e) => write!(f, "no board to run on in the ACPI tables: {e:?}"),
        }
    }
}

/// The first 4 GiB of physical memory, which the boot map covers.
struct BootMapMemory;

/// The top of what [`BootMapMemory`] reads.
const BOOT_MAP_TOP: u64 = 1 << 32;

impl PhysMem for BootMapMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), OutOfRange> {
        let end = addr.checked_add(buf.len() as u64).ok_or(OutOfRange)?;
        if end > BOOT_MAP_TOP {
            return Err(OutOfRange);
        }
        // SAFETY: the boot map identity-maps the first 4 GiB; the parsers
        // read firmware memory only, which nothing writes meanwhile.
        unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }
}

/// The device tree handed over by the boot loader, its NOP tokens taken
/// out (`board::nops`: the `fdt` crate cannot walk past some of them).
fn device_tree(dtb: usize) -> &'static [u8] {
    // SAFETY: the boot map covers the whole device tree (its size is read
    // the same way there), in RAM the boot loader handed over; nothing else
    // refers to it yet, and the kernel keeps it (its range is reserved).
    let tree = unsafe {
        let size = u32::from_be(core::ptr::read_volatile((dtb + 4) as *const u32)) as usize;
        core::slice::from_raw_parts_mut(dtb as *mut u8, size)
    };
    // A malformed tree is left as it is: the parse then refuses it.
    let _ = board::nops::strip(tree);
    tree
}

/// Reads the board the boot loader described.
pub fn read(boot: &BootInfo) -> Result<Described, Unusable> {
    let at = boot.firmware_table;
    let handoff = match boot.handoff {
        Handoff::DeviceTree => {
            let dtb = device_tree(at);
            let board = board::parse(dtb).map_err(Unusable::DeviceTree)?;
            return Ok(Described {
                board,
                dtb,
                table: (at, at + dtb.len()),
            });
        }
        Handoff::Pvh => x86_firmware::Handoff::Pvh(at as u64),
        Handoff::Multiboot2 => x86_firmware::Handoff::Multiboot2(at as u64),
    };
    let firmware = x86_firmware::read(handoff, &BootMapMemory).map_err(Unusable::Firmware)?;
    let board =
        board::x86::from_firmware(firmware, Arch::hw_id() as u32).map_err(Unusable::Board)?;
    Ok(Described {
        board,
        dtb: &[],
        table: (at, at + 1),
    })
}
