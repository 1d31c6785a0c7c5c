//! The watchdog core dump case (issue 14 item 4,
//! `boot/boards/qemu-virt-wdt-dump.build`): the watchdog VM of
//! `wdt-linux-a72-gic3-smp2` with `action dump,terminate` and
//! `dump /dev/vblk0`, the host driver `vblk`'s disk (a fresh raw file
//! QEMU has as a `virtio-blk-device`). When Linux stops petting the SP805,
//! `qvm` stops both vCPUs, writes the guest's ELF core from the disk's
//! first sector, says so and ends the VM with status 4. xtask then reads
//! the core back from the disk file ([`check_core`]).

use std::path::Path;

use elf::ElfBytes;
use elf::endian::LittleEndian;
use elf::note::Note;

use super::cases::{Case, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the case boots.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-wdt-dump.build";

/// The VM's RAM (`ram 256M` at the ARM default 0x80000000).
const RAM: (u64, u64) = (0x8000_0000, 256 << 20);
/// Its vCPUs.
const VCPUS: usize = 2;
/// The core's length: a page of headers and notes, then the RAM.
const CORE_BYTES: u64 = 4096 + RAM.1;

/// What a guest core on a disk file must be.
pub struct WantedCore {
    /// The VM's RAM: guest-physical address and length.
    pub ram: (u64, u64),
    /// Its vCPUs.
    pub vcpus: usize,
    /// Bytes the RAM must hold somewhere (the guest's own text).
    pub text: &'static [u8],
    /// What [`WantedCore::text`] is, for the message.
    pub text_name: &'static str,
    /// Every vCPU's PC is in the upper (kernel) half.
    pub kernel_pc: bool,
}

/// The Linux VM's core of this case: a watchdog finds an idle kernel.
const LINUX_CORE: WantedCore = WantedCore {
    ram: RAM,
    vcpus: VCPUS,
    text: b"Linux version 6.1.",
    text_name: "Linux's banner",
    kernel_pc: true,
};

/// The Linux VM's core ([`check`] of [`LINUX_CORE`]).
pub fn check_core(disk: &Path) -> Result<String, String> {
    check(disk, &LINUX_CORE)
}

/// The core on the disk file: an AArch64 `ET_CORE` with one
/// `NT_PRSTATUS` per vCPU (each at EL1, with a kernel PC if wanted), one
/// `PT_LOAD` of the RAM at its guest-physical address, holding the
/// wanted text.
pub fn check(disk: &Path, want: &WantedCore) -> Result<String, String> {
    let bytes = std::fs::read(disk).map_err(|e| format!("cannot read {}: {e}", disk.display()))?;
    let core = ElfBytes::<LittleEndian>::minimal_parse(&bytes)
        .map_err(|e| format!("no ELF core at the disk's start: {e}"))?;
    let machine = (core.ehdr.e_type, core.ehdr.e_machine);
    if machine != (elf::abi::ET_CORE, elf::abi::EM_AARCH64) {
        return Err(format!(
            "e_type, e_machine {machine:?}, not an AArch64 core"
        ));
    }
    let segs: Vec<_> = core
        .segments()
        .ok_or("no program headers")?
        .iter()
        .collect();
    let note = segs
        .iter()
        .find(|s| s.p_type == elf::abi::PT_NOTE)
        .ok_or("no PT_NOTE")?;
    let mut pcs = Vec::new();
    for n in core
        .segment_data_as_notes(note)
        .map_err(|e| format!("notes: {e}"))?
    {
        let Note::Unknown(n) = n else { continue };
        if n.n_type != elf::abi::NT_PRSTATUS || n.desc.len() != 392 {
            continue;
        }
        let word = |i: usize| {
            let at = 112 + i * 8;
            u64::from_le_bytes(n.desc[at..at + 8].try_into().unwrap_or_default())
        };
        // user_pt_regs: x0-x30, sp, pc, pstate.
        let (pc, pstate) = (word(32), word(33));
        if pstate & 0xc != 0x4 || (want.kernel_pc && pc >> 48 != 0xffff) {
            return Err(format!(
                "a vCPU's pc {pc:#x}, pstate {pstate:#x}: not in its kernel at EL1"
            ));
        }
        pcs.push(format!("{pc:#x}"));
    }
    if pcs.len() != want.vcpus {
        return Err(format!(
            "{} NT_PRSTATUS notes, not {}",
            pcs.len(),
            want.vcpus
        ));
    }
    let load = segs
        .iter()
        .find(|s| s.p_type == elf::abi::PT_LOAD)
        .ok_or("no PT_LOAD")?;
    let placed = (load.p_paddr, load.p_vaddr, load.p_filesz);
    if placed != (want.ram.0, want.ram.0, want.ram.1) {
        return Err(format!("PT_LOAD at {placed:x?}, not the VM's RAM"));
    }
    let ram = core
        .segment_data(load)
        .map_err(|e| format!("the RAM is not on the disk: {e}"))?;
    if !ram.windows(want.text.len()).any(|w| w == want.text) {
        return Err(format!("no {} in the RAM", want.text_name));
    }
    Ok(format!(
        "an AArch64 core of {} MiB of RAM at {:#x}, {} vCPUs at pc {}, {} in it",
        want.ram.1 >> 20,
        want.ram.0,
        want.vcpus,
        pcs.join(", "),
        want.text_name
    ))
}

/// The case.
pub fn cases() -> Vec<Case> {
    vec![
        Case::new(
            "wdt-dump-linux-a72-gic3-smp2",
            machine(Cpu::CortexA72, Gic::V3, 2),
        )
        .buildfile(BUILDFILE)
        // The core (256 MiB and a page) and room to spare.
        .disk(272)
        .disk_check(check_core)
        .timeout(600)
        .lines(&[
            STARTUP.to_string(),
            r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0".into(),
            r"linux: \[ *[0-9.]+\] Run /init as init process".into(),
            r"linux: \[ *[0-9.]+\] sp805-wdt 1c0f0000\.watchdog: registration successful".into(),
            "linux: linux-wdt: stopped petting".into(),
            r"^qvm: linux: watchdog expired: vdev wdt-sp805 at 0x1c0f0000 \(/etc/vm/linux-wdt-dump\.qvmconf:\d+\): .*; ending the VM \(action dump,terminate, status 4\)$".into(),
            format!(r"^qvm: linux: wrote core /dev/vblk0 \({CORE_BYTES} bytes, {VCPUS} vCPUs\)$"),
            r"init: 'shm=disk qvm @/etc/vm/linux-wdt-dump\.qvmconf' exited with status 0x4".into(),
            // `vblk` runs on in the background: init does not exit.
            STARTUP_DONE.into(),
        ]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use qvm::dump::{CpuState, Machine, RamRegion, layout};

    #[test]
    fn the_core_check_reads_qvms_cores() {
        let dir = std::env::temp_dir().join(format!("qhv-wdt-dump-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("disk");
        std::fs::write(&file, vec![0u8; 8192]).unwrap();
        assert!(check_core(&file).unwrap_err().contains("no ELF core"));
        // At EL1h with a kernel PC, but a RAM of 64 KiB.
        let mut regs = vec![0u64; 34];
        (regs[32], regs[33]) = (0xffff_8000_0800_0000, 0x3c5);
        let cpus: Vec<_> = (1..=2)
            .map(|pid| CpuState {
                pid,
                regs: regs.clone(),
            })
            .collect();
        let ram = [RamRegion {
            gpa: RAM.0,
            len: 0x10000,
        }];
        let core = layout(Machine::Aarch64, &cpus, &ram);
        let mut bytes = core.headers.clone();
        bytes.resize(core.total as usize, 0);
        std::fs::write(&file, &bytes).unwrap();
        assert!(check_core(&file).unwrap_err().contains("not the VM's RAM"));
        // A vCPU at EL0 is not where a watchdog finds an idle kernel.
        regs[33] = 0;
        let cpus = [CpuState { pid: 1, regs }];
        let core = layout(Machine::Aarch64, &cpus, &ram);
        std::fs::write(&file, &core.headers).unwrap();
        assert!(check_core(&file).unwrap_err().contains("not in its kernel"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
