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
    for (i, (r, &o)) in regions.iter().zip(&l.offsets).enumerate() {
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
