//! QEMU 10.0's real ACPI tables, as SeaBIOS leaves them in memory for
//! `-machine q35` and `-machine pc` with `-smp 4 -m 128` (captured with the
//! monitor's `pmemsave`): the BIOS data area, the EBDA, the RSDP's
//! neighbourhood in the BIOS area and the tables from the FADT to the
//! RSDT. Read through the legacy scan, as a PVH boot without `rsdp_paddr`
//! would.
//!
//! `qemu-*.mem` is a list of pieces: address (`u64`), length (`u32`),
//! bytes.

use alloc::vec::Vec;

use super::Image;
use super::build_boot::{PvhSpec, QEMU_MEMMAP, pvh};
use crate::x86_firmware::{
    AddressSpace, Cpu, Gas, Handoff, IoApic, IrqOverride, LapicNmi, OutOfRange, PhysMem, PmTimer,
    Polarity, ResetRegister, Trigger, X86Board, read,
};

/// Size of a piece's header.
const PIECE_HEADER: usize = 12;
/// Where the test puts the start_info.
const START_INFO_AREA: u64 = 0x1_0000;

/// Physical memory made of separate pieces.
struct Pieces(Vec<(u64, Vec<u8>)>);

impl Pieces {
    fn parse(mut file: &[u8]) -> Self {
        let mut v = Vec::new();
        while !file.is_empty() {
            let addr = u64::from_le_bytes(file[..8].try_into().unwrap());
            let len = u32::from_le_bytes(file[8..PIECE_HEADER].try_into().unwrap()) as usize;
            v.push((addr, file[PIECE_HEADER..][..len].to_vec()));
            file = &file[PIECE_HEADER + len..];
        }
        Pieces(v)
    }
}

impl PhysMem for Pieces {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), OutOfRange> {
        for (base, bytes) in &self.0 {
            let mem = crate::x86_firmware::SliceMem { base: *base, bytes };
            if mem.read(addr, buf).is_ok() {
                return Ok(());
            }
        }
        Err(OutOfRange)
    }
}

/// The board QEMU's tables in `file` give.
fn qemu(file: &[u8]) -> X86Board {
    let mut pieces = Pieces::parse(file);
    let mut img = Image::new(START_INFO_AREA, 0x1000);
    let spec = PvhSpec {
        version: 1,
        cmdline: None,
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp: 0,
    };
    let si = pvh(&mut img, &spec).start_info;
    pieces.0.push((img.base, img.bytes));
    read(Handoff::Pvh(si), &pieces).unwrap()
}

/// What both machines' MADTs say.
fn check_madt(b: &X86Board) {
    let cpus: Vec<Cpu> = (0..4)
        .map(|i| Cpu {
            apic_id: i,
            uid: i,
            enabled: true,
            x2apic: false,
        })
        .collect();
    assert_eq!(b.cpus.as_slice(), cpus.as_slice());
    assert_eq!((b.lapic_base, b.pc_at_compatible), (0xfee0_0000, true));
    let io = IoApic {
        id: 0,
        address: 0xfec0_0000,
        gsi_base: 0,
    };
    assert_eq!(b.ioapics.as_slice(), &[io]);
    let ovr = |source: u8, gsi, polarity, trigger| IrqOverride {
        bus: 0,
        source,
        gsi,
        polarity,
        trigger,
    };
    let mut want = Vec::from([ovr(0, 2, Polarity::Conforms, Trigger::Conforms)]);
    want.extend([5, 9, 10, 11].map(|i| ovr(i, i.into(), Polarity::High, Trigger::Level)));
    assert_eq!(b.overrides.as_slice(), want.as_slice());
    let nmi = LapicNmi {
        uid: None,
        lint: 1,
        polarity: Polarity::Conforms,
        trigger: Trigger::Conforms,
    };
    assert_eq!(b.nmis.as_slice(), &[nmi]);
}

#[test]
fn qemu_q35() {
    let b = qemu(include_bytes!("qemu-q35.mem"));
    assert_eq!((b.rsdp, b.root_table), (0xf_5250, 0x7fe_2423));
    check_madt(&b);
    let io = |bit_width, address| Gas {
        space: AddressSpace::Io,
        bit_width,
        bit_offset: 0,
        access_size: 0,
        address,
    };
    let reset = ResetRegister {
        reg: io(8, 0xcf9),
        value: 0xf,
    };
    assert_eq!(b.reset, Some(reset));
    let timer = PmTimer {
        reg: io(32, 0x608),
        bits: 24,
    };
    assert_eq!(b.pm_timer, Some(timer));
}

#[test]
fn qemu_pc() {
    let b = qemu(include_bytes!("qemu-pc.mem"));
    assert_eq!((b.rsdp, b.root_table), (0xf_5250, 0x7fe_2412));
    check_madt(&b);
    // An ACPI 1.0 FADT: no reset register, the PM timer block only.
    assert_eq!(b.reset, None);
    let reg = Gas {
        space: AddressSpace::Io,
        bit_width: 32,
        bit_offset: 0,
        access_size: 3,
        address: 0x608,
    };
    assert_eq!(b.pm_timer, Some(PmTimer { reg, bits: 24 }));
}
