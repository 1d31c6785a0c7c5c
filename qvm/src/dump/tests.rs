//! The core files read back with the `elf` crate: headers, the
//! `NT_PRSTATUS` notes and the RAM at its offsets.

use super::*;
use alloc::vec;
use elf::ElfBytes;
use elf::endian::LittleEndian;
use elf::note::Note;

/// A core of `machine` with its regions' bytes filled in: region `i`
/// holds byte `i + 1` everywhere, its first eight bytes its address.
fn build(machine: Machine, cpus: &[CpuState], regions: &[RamRegion]) -> Vec<u8> {
    let l = layout(machine, cpus, regions);
    let mut file = l.headers.clone();
    file.resize(l.total as usize, 0);
    for (i, (r, &o)) in l.regions.iter().zip(&l.offsets).enumerate() {
        let o = o as usize;
        file[o..o + r.len as usize].fill(i as u8 + 1);
        file[o..o + 8].copy_from_slice(&r.gpa.to_le_bytes());
    }
    file
}

fn cpus(machine: Machine, n: u32) -> Vec<CpuState> {
    (0..n)
        .map(|i| CpuState {
            pid: i + 1,
            regs: (0..machine.reg_words() as u64)
                .map(|w| u64::from(i) << 32 | w)
                .collect(),
        })
        .collect()
}

#[test]
fn prstatus_sizes_are_linuxs() {
    assert_eq!(Machine::Aarch64.prstatus_size(), 392);
    assert_eq!(Machine::X86_64.prstatus_size(), 336);
    // Linux/ARM's 32-bit one, as BFD's elf32-arm reads it: pr_pid at 24,
    // pr_reg (18 words) at 72.
    assert_eq!(Machine::Arm.prstatus_size(), 148);
    assert_eq!(Machine::Arm.prstatus_offsets(), (24, 72));
}

#[test]
fn reads_back() {
    let regions = [
        RamRegion {
            gpa: 0x8000_0000,
            len: 0x3000,
        },
        RamRegion {
            gpa: 0x1_0000_0000,
            len: 0x1800,
        },
    ];
    for machine in [Machine::Aarch64, Machine::X86_64] {
        let cpus = cpus(machine, 3);
        let file = build(machine, &cpus, &regions);
        let core = ElfBytes::<LittleEndian>::minimal_parse(&file).unwrap();
        assert_eq!(core.ehdr.e_type, elf::abi::ET_CORE);
        assert_eq!(core.ehdr.e_machine, machine.elf_machine());
        assert_eq!(core.ehdr.class, elf::file::Class::ELF64);
        let segs: Vec<_> = core.segments().unwrap().iter().collect();
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].p_type, elf::abi::PT_NOTE);
        let notes: Vec<_> = core
            .segment_data_as_notes(&segs[0])
            .unwrap()
            .map(|n| match n {
                Note::Unknown(any) => any,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(notes.len(), 3);
        for (i, n) in notes.iter().enumerate() {
            assert_eq!(n.n_type, elf::abi::NT_PRSTATUS);
            assert!(n.name.starts_with(b"CORE"));
            assert_eq!(n.desc.len(), machine.prstatus_size());
            assert_eq!(n.desc[32..36], (i as u32 + 1).to_le_bytes());
            for w in 0..machine.reg_words() {
                let at = 112 + w * 8;
                let word = u64::from_le_bytes(n.desc[at..at + 8].try_into().unwrap());
                assert_eq!(word, (i as u64) << 32 | w as u64);
            }
        }
        for (i, (seg, r)) in segs[1..].iter().zip(&regions).enumerate() {
            assert_eq!(seg.p_type, elf::abi::PT_LOAD);
            assert_eq!((seg.p_vaddr, seg.p_paddr), (r.gpa, r.gpa));
            assert_eq!((seg.p_filesz, seg.p_memsz), (r.len, r.len));
            assert_eq!(seg.p_offset % DATA_ALIGN, 0);
            let data = core.segment_data(seg).unwrap();
            assert_eq!(data[..8], r.gpa.to_le_bytes());
            assert!(data[8..].iter().all(|&b| b == i as u8 + 1));
        }
        assert_eq!(file.len() as u64, segs[2].p_offset + regions[1].len);
    }
}

#[test]
fn no_regions_no_cpus() {
    let l = layout(Machine::Aarch64, &[], &[]);
    assert_eq!(l.total as usize, l.headers.len());
    let core = ElfBytes::<LittleEndian>::minimal_parse(&l.headers).unwrap();
    assert_eq!(core.segments().unwrap().len(), 1);
}

#[test]
fn register_orders() {
    let mut arm = abi::aarch64::VcpuRegs::default();
    for (i, x) in arm.x.iter_mut().enumerate() {
        *x = i as u64;
    }
    (arm.sp_el1, arm.pc, arm.pstate) = (100, 101, 102);
    let words = regs::aarch64(&arm);
    assert_eq!(words.len(), Machine::Aarch64.reg_words());
    assert_eq!(words[30], 30);
    assert_eq!(words[31..], [100, 101, 102]);

    let mut x86 = abi::x86_64::VcpuRegs::default();
    for (i, g) in x86.gpr.iter_mut().enumerate() {
        *g = 0x10 + i as u64;
    }
    (x86.rip, x86.rflags) = (0x1000, 0x202);
    x86.segment_base = [0, 0, 0, 0, 0xf5, 0x65];
    let words = regs::x86_64(&x86);
    assert_eq!(words.len(), Machine::X86_64.reg_words());
    // r15 first, rax at 10, rdi at 14, rip at 16, rsp at 19.
    assert_eq!(words[0], 0x1f);
    assert_eq!(words[10], 0x10);
    assert_eq!(words[14], 0x17);
    assert_eq!(words[16], 0x1000);
    assert_eq!(words[18], 0x202);
    assert_eq!(words[19], 0x14);
    assert_eq!(words[21..23], [0xf5, 0x65]);
}

#[test]
fn short_register_lists_are_padded() {
    let l = layout(
        Machine::X86_64,
        &[CpuState {
            pid: 1,
            regs: vec![7],
        }],
        &[],
    );
    let core = ElfBytes::<LittleEndian>::minimal_parse(&l.headers).unwrap();
    let seg = core.segments().unwrap().get(0).unwrap();
    let note = core.segment_data_as_notes(&seg).unwrap().next().unwrap();
    let Note::Unknown(n) = note else { panic!() };
    assert_eq!(n.desc[112..120], 7u64.to_le_bytes());
    assert!(n.desc[120..].iter().all(|&b| b == 0));
}

/// The notes of `file`, a core.
fn note_descs(file: &[u8]) -> Vec<Vec<u8>> {
    let core = ElfBytes::<LittleEndian>::minimal_parse(file).unwrap();
    let seg = core.segments().unwrap().get(0).unwrap();
    core.segment_data_as_notes(&seg)
        .unwrap()
        .map(|n| match n {
            Note::Unknown(any) => {
                assert_eq!(any.n_type, elf::abi::NT_PRSTATUS);
                any.desc.to_vec()
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn an_aarch32_vm_dumps_an_elf32_arm_core_of_its_ram_below_4_gib() {
    let regions = [
        RamRegion {
            gpa: 0x8000_0000,
            len: 0x3000,
        },
        // Crosses 4 GiB: cut there.
        RamRegion {
            gpa: 0xFFFF_F000,
            len: 0x2000,
        },
        // Above 4 GiB: left out.
        RamRegion {
            gpa: 0x1_0000_0000,
            len: 0x1800,
        },
    ];
    let cpus = cpus(Machine::Arm, 2);
    let file = build(Machine::Arm, &cpus, &regions);
    let core = ElfBytes::<LittleEndian>::minimal_parse(&file).unwrap();
    assert_eq!(core.ehdr.class, elf::file::Class::ELF32);
    assert_eq!(
        (core.ehdr.e_type, core.ehdr.e_machine),
        (elf::abi::ET_CORE, elf::abi::EM_ARM)
    );
    let segs: Vec<_> = core.segments().unwrap().iter().collect();
    assert_eq!(segs.len(), 3);
    let loads = [(0x8000_0000, 0x3000), (0xFFFF_F000, 0x1000)];
    for (seg, (gpa, len)) in segs[1..].iter().zip(loads) {
        assert_eq!(seg.p_type, elf::abi::PT_LOAD);
        assert_eq!((seg.p_vaddr, seg.p_paddr, seg.p_filesz), (gpa, gpa, len));
        assert_eq!(
            seg.p_flags,
            elf::abi::PF_R | elf::abi::PF_W | elf::abi::PF_X
        );
        assert_eq!(core.segment_data(seg).unwrap()[..8], gpa.to_le_bytes());
    }
    let descs = note_descs(&file);
    assert_eq!(descs.len(), 2);
    for (i, d) in descs.iter().enumerate() {
        assert_eq!(d.len(), 148);
        assert_eq!(d[24..28], (i as u32 + 1).to_le_bytes());
        // Words of 32 bits: the low half of each.
        for w in 0..18 {
            let at = 72 + 4 * w;
            assert_eq!(d[at..at + 4], (w as u32).to_le_bytes());
        }
        assert!(d[144..].iter().all(|&b| b == 0));
    }
}

#[test]
fn arm_registers_are_the_modes_banked_ones() {
    let mut r = abi::aarch64::VcpuRegs::default();
    for (i, x) in r.x.iter_mut().enumerate() {
        *x = 0xAAAA_0000_0000_0000 | i as u64;
    }
    r.pc = 0x8000_8000;
    let with_mode = |mode: u64| {
        let mut r = r;
        r.pstate = 0x1C0 | mode;
        regs::arm(&r)
    };
    // (mode, r8, sp, lr)
    let cases = [
        (0x10, 8, 13, 14),
        (0x1F, 8, 13, 14),
        (0x12, 8, 17, 16),
        (0x13, 8, 19, 18),
        (0x17, 8, 21, 20),
        (0x1B, 8, 23, 22),
        (0x11, 24, 29, 30),
    ];
    for (mode, r8, sp, lr) in cases {
        let w = with_mode(mode);
        assert_eq!(w.len(), Machine::Arm.reg_words());
        assert_eq!(w[..8], [0, 1, 2, 3, 4, 5, 6, 7]);
        let high: Vec<u64> = (r8..r8 + 5).collect();
        assert_eq!(w[8..13], high[..], "mode {mode:#x}");
        assert_eq!((w[13], w[14]), (sp, lr), "mode {mode:#x}");
        assert_eq!(w[15..], [0x8000_8000, 0x1C0 | mode, 0xFFFF_FFFF]);
    }
}
