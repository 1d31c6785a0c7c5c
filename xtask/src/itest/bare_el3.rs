//! The test guests entered at EL3, on QEMU `virt` with `secure=on`: QEMU
//! 10 starts an arm64 `Image` given as `-kernel` at EL2 (even on
//! `raspi4b`), but an ELF at the CPU's reset level, EL3, with the device
//! tree at the start of RAM and nothing in x0. So the case boots an ELF
//! of two pieces: a shim of four instructions at [`SHIM_AT`] that loads
//! x0 with the tree's address and jumps to the guest's flat image at
//! [`GUEST_AT`]. The guest must drop to Non-secure EL1 itself and, the
//! GIC having the Security Extensions there, have its own monitor put the
//! interrupts in Group 1 (`guests/gsupport/src/el3.rs`); QEMU then offers
//! no PSCI, so the guest parks at the end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::cases::{Case, machine};
use crate::qemu::{Cpu, EntryLevel, Gic};

/// Where QEMU `virt` puts the device tree for an image that is not a
/// Linux kernel (the start of RAM), where the shim goes (the tree may
/// use the space up to it), and where the guest goes (2 MiB aligned).
const TREE_AT: u64 = 0x4000_0000;
const SHIM_AT: u64 = 0x4018_0000;
const GUEST_AT: u64 = 0x4020_0000;

/// The shim: `ldr x0, tree; ldr x1, guest; br x1; nop`, then the two
/// addresses (A64 `LDR (literal)`, `BR`, `NOP` encodings).
fn shim() -> Vec<u8> {
    let mut code = Vec::new();
    for word in [0x5800_0080u32, 0x5800_00a1, 0xd61f_0020, 0xd503_201f] {
        code.extend_from_slice(&word.to_le_bytes());
    }
    code.extend_from_slice(&TREE_AT.to_le_bytes());
    code.extend_from_slice(&GUEST_AT.to_le_bytes());
    code
}

/// An ELF64 AArch64 executable of the shim and `guest` (a flat image),
/// entered at the shim: the ELF header, two `PT_LOAD` program headers,
/// each piece at a 4 KiB-aligned offset.
pub fn el3_elf(guest: &[u8]) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    let shim = shim();
    let pieces = [(SHIM_AT, shim.as_slice(), 5u32), (GUEST_AT, guest, 7)];
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
    out.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    out.extend_from_slice(&SHIM_AT.to_le_bytes()); // e_entry
    out.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for half in [EHDR, PHDR, pieces.len(), 64, 0, 0] {
        out.extend_from_slice(&(half as u16).to_le_bytes());
    }
    let mut offset = 0x1000u64;
    let mut data = Vec::new();
    for (addr, bytes, flags) in pieces {
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        out.extend_from_slice(&flags.to_le_bytes());
        for value in [
            offset,
            addr,
            addr,
            bytes.len() as u64,
            bytes.len() as u64,
            0x1000,
        ] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        data.push((offset as usize, bytes));
        offset += (bytes.len() as u64).next_multiple_of(0x1000);
    }
    for (at, bytes) in data {
        out.resize(at, 0);
        out.extend_from_slice(bytes);
    }
    out
}

/// The EL3 ELF of the guest `name`, written beside its flat image.
pub fn prepare(root: &Path, name: &str) -> Result<PathBuf> {
    wrap(&crate::guests::image_path(root, name))
}

/// The EL3 ELF of the flat image at `image` (a guest's, or the
/// hypervisor's: its arm64 `Image` with the bootfs), written beside it as
/// `<stem>-el3.elf`.
pub fn wrap(image: &Path) -> Result<PathBuf> {
    let flat = std::fs::read(image).with_context(|| format!("cannot read {}", image.display()))?;
    let stem = image
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("image");
    let elf = image.with_file_name(format!("{stem}-el3.elf"));
    std::fs::write(&elf, el3_elf(&flat))
        .with_context(|| format!("cannot write {}", elf.display()))?;
    Ok(elf)
}

/// Whether `case` boots an image through the EL3 ELF: a guest's, or (no
/// guest) the hypervisor's.
pub fn boots_at_el3(case: &Case) -> bool {
    case.linux_bare.is_none()
        && case.machine.entry == EntryLevel::El3
        && case.machine.cpu.sd_board().is_none()
        && !case.machine.cpu.is_x86()
}

/// `hello` and `timer` entered at EL3 (EL2 below it), GICv2 with the
/// Security Extensions, one CPU.
pub fn cases() -> Vec<Case> {
    let mut el3 = machine(Cpu::CortexA72, Gic::V2, 1);
    el3.entry = EntryLevel::El3;
    let parked = r"^gsupport: no PSCI in the device tree: cannot power off; cpu 0 parked$";
    vec![
        Case::bare("bare-hello-el3-gic2-smp1", el3.clone())
            .guest("hello")
            .parks()
            .timeout(60)
            .lines(&[
                r"^hello: running at EL1 \(entered at EL3\) on 1 CPUs, PL011 at 0x9000000$",
                r"^hello: GICv2 at 0x8000000, no PSCI \(none: NotSupported\), RAM 0x40000000\.\.0x80000000, image at 0x40200000$",
                "^hello: powering off$",
                parked,
            ]),
        Case::bare("bare-timer-el3-gic2-smp1", el3)
            .guest("timer")
            .parks()
            .timeout(60)
            .lines(&[
                r"^timer: virtual timer INTID 27, GICv2, CNTFRQ 62500000 Hz, period 10000 us$",
                r"^timer: 5 ticks ok, intervals( \d+){5} us$",
                "^timer: powering off$",
                parked,
            ]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_el3_elf_holds_the_shim_and_the_guest() {
        let guest: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let elf = el3_elf(&guest);
        let word = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap());
        assert_eq!(&elf[..4], b"\x7fELF");
        assert_eq!(word(24), SHIM_AT, "entry");
        // Program headers: (offset, vaddr, filesz) of each piece.
        let ph = |i: usize| {
            (
                word(64 + 56 * i + 8),
                word(64 + 56 * i + 16),
                word(64 + 56 * i + 32),
            )
        };
        assert_eq!(ph(0), (0x1000, SHIM_AT, 32));
        assert_eq!(ph(1), (0x2000, GUEST_AT, 5000));
        assert_eq!(&elf[0x2000..], &guest[..]);
        // The shim's literals: the tree's and the guest's addresses, read
        // by the two loads 16 and 20 bytes ahead of them.
        assert_eq!(word(0x1000 + 16), TREE_AT);
        assert_eq!(word(0x1000 + 24), GUEST_AT);
    }
}
