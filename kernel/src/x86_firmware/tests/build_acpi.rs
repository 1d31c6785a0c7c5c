//! Builders of ACPI 6.5 table images (chapter 5): the RSDP (v1 and v2),
//! the RSDT and XSDT, a MADT of any entries, a FADT of any length, each
//! with its checksums computed; and `install`, which lays out a whole set
//! in an [`Image`] the way firmware does.

use alloc::vec;
use alloc::vec::Vec;

use super::{Image, Le, fix_checksum};

/// ACPI tables are placed on 16-byte boundaries here.
pub const TABLE_ALIGN: u64 = 16;
/// Offset of the checksum in the SDT header.
pub const SDT_CHECKSUM: usize = 9;
/// Offset of the length in the SDT header.
pub const SDT_LENGTH: u64 = 4;

/// A table: the 36-byte header, then `body`; checksum computed.
pub fn sdt(sig: &[u8; 4], revision: u8, body: &[u8]) -> Vec<u8> {
    let len = (36 + body.len()) as u32;
    let mut t = Le::default()
        .bytes(sig)
        .u32(len)
        .u8(revision)
        .u8(0)
        .bytes(b"QHVTST")
        .bytes(b"QHVTESTS")
        .u32(1)
        .bytes(b"QHVT")
        .u32(1)
        .bytes(body)
        .0;
    fix_checksum(&mut t, SDT_CHECKSUM);
    t
}

/// An ACPI 1.0 RSDP.
pub fn rsdp_v1(rsdt: u32) -> Vec<u8> {
    let mut r = Le::default()
        .bytes(b"RSD PTR ")
        .u8(0)
        .bytes(b"QHVTST")
        .u8(0)
        .u32(rsdt)
        .0;
    fix_checksum(&mut r, 8);
    r
}

/// An ACPI 2.0 RSDP (revision 2, length 36).
pub fn rsdp_v2(rsdt: u32, xsdt: u64) -> Vec<u8> {
    let mut r = Le::default()
        .bytes(b"RSD PTR ")
        .u8(0)
        .bytes(b"QHVTST")
        .u8(2)
        .u32(rsdt)
        .u32(36)
        .u64(xsdt)
        .u8(0)
        .bytes(&[0; 3])
        .0;
    fix_checksum(&mut r[..20], 8);
    fix_checksum(&mut r, 32);
    r
}

/// An RSDT listing `entries`.
pub fn rsdt(entries: &[u32]) -> Vec<u8> {
    let body: Vec<u8> = entries.iter().flat_map(|e| e.to_le_bytes()).collect();
    sdt(b"RSDT", 1, &body)
}

/// An XSDT listing `entries`.
pub fn xsdt(entries: &[u64]) -> Vec<u8> {
    let body: Vec<u8> = entries.iter().flat_map(|e| e.to_le_bytes()).collect();
    sdt(b"XSDT", 1, &body)
}

/// A MADT entry.
#[derive(Clone)]
pub enum Entry {
    /// Type 0.
    Lapic { uid: u8, id: u8, flags: u32 },
    /// Type 1.
    IoApic { id: u8, addr: u32, gsi: u32 },
    /// Type 2.
    Override {
        bus: u8,
        src: u8,
        gsi: u32,
        flags: u16,
    },
    /// Type 3 (NMI source; skipped by the reader).
    NmiSource { flags: u16, gsi: u32 },
    /// Type 4.
    Nmi { uid: u8, flags: u16, lint: u8 },
    /// Type 5.
    AddrOverride(u64),
    /// Type 9.
    X2apic { id: u32, flags: u32, uid: u32 },
    /// Type 0xA.
    X2Nmi { flags: u16, uid: u32, lint: u8 },
    /// Any bytes.
    Raw(Vec<u8>),
}

impl Entry {
    /// Its bytes.
    pub fn bytes(&self) -> Vec<u8> {
        match *self {
            Entry::Lapic { uid, id, flags } => Le::default().u8(0).u8(8).u8(uid).u8(id).u32(flags),
            Entry::IoApic { id, addr, gsi } => {
                Le::default().u8(1).u8(12).u8(id).u8(0).u32(addr).u32(gsi)
            }
            Entry::Override {
                bus,
                src,
                gsi,
                flags,
            } => Le::default()
                .u8(2)
                .u8(10)
                .u8(bus)
                .u8(src)
                .u32(gsi)
                .u16(flags),
            Entry::NmiSource { flags, gsi } => Le::default().u8(3).u8(8).u16(flags).u32(gsi),
            Entry::Nmi { uid, flags, lint } => {
                Le::default().u8(4).u8(6).u8(uid).u16(flags).u8(lint)
            }
            Entry::AddrOverride(a) => Le::default().u8(5).u8(12).u16(0).u64(a),
            Entry::X2apic { id, flags, uid } => Le::default()
                .u8(9)
                .u8(16)
                .u16(0)
                .u32(id)
                .u32(flags)
                .u32(uid),
            Entry::X2Nmi { flags, uid, lint } => Le::default()
                .u8(0xa)
                .u8(12)
                .u16(flags)
                .u32(uid)
                .u8(lint)
                .bytes(&[0; 3]),
            Entry::Raw(ref b) => Le(b.clone()),
        }
        .0
    }
}

/// A MADT: local APIC address, flags, entries.
pub fn madt(lapic: u32, flags: u32, entries: &[Entry]) -> Vec<u8> {
    let mut body = Le::default().u32(lapic).u32(flags).0;
    for e in entries {
        body.extend(e.bytes());
    }
    sdt(b"APIC", 5, &body)
}

/// The MPS INTI flags of a level-triggered, active-high input.
pub const LEVEL_HIGH: u16 = 0xd;

/// The entries of QEMU's `pc` MADT with `cpus` processors: one local APIC
/// each, the I/O APIC at 0xFEC00000 from GSI 0, IRQ 0 on GSI 2, IRQs 5,
/// 9, 10, 11 level and active high, and LINT1 as NMI on every processor.
pub fn qemu_entries(cpus: u8) -> Vec<Entry> {
    let mut e: Vec<Entry> = (0..cpus)
        .map(|i| Entry::Lapic {
            uid: i,
            id: i,
            flags: 1,
        })
        .collect();
    e.push(Entry::IoApic {
        id: 0,
        addr: 0xfec0_0000,
        gsi: 0,
    });
    e.push(Entry::Override {
        bus: 0,
        src: 0,
        gsi: 2,
        flags: 0,
    });
    for irq in [5, 9, 10, 11] {
        e.push(Entry::Override {
            bus: 0,
            src: irq,
            gsi: irq.into(),
            flags: LEVEL_HIGH,
        });
    }
    e.push(Entry::Nmi {
        uid: 0xff,
        flags: 0,
        lint: 1,
    });
    e
}

/// `n` enabled local x2APIC entries, APIC IDs and UIDs 0 to `n - 1`.
pub fn x2apics(n: u32) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry::X2apic {
            id: i,
            flags: 1,
            uid: i,
        })
        .collect()
}

/// A FADT of `len` bytes with `fields` (offset, bytes) set.
pub fn fadt(len: usize, fields: &[(usize, &[u8])]) -> Vec<u8> {
    let mut body = vec![0; len - 36];
    for &(off, b) in fields {
        body[off - 36..off - 36 + b.len()].copy_from_slice(b);
    }
    sdt(b"FACP", 6, &body)
}

/// A FADT like QEMU's `q35` one: 276 bytes, reset register I/O 0xCF9
/// with 6, PM timer at I/O 0x608 (also as `X_PM_TMR_BLK`), 24 bits.
pub fn qemu_fadt() -> Vec<u8> {
    let reset = Le::default().u8(1).u8(8).u8(0).u8(0).u64(0xcf9).0;
    let x_pm = Le::default().u8(1).u8(32).u8(0).u8(3).u64(0x608).0;
    fadt(
        276,
        &[
            (76, &0x608u32.to_le_bytes()),
            (91, &[4]),
            (112, &(1u32 << 10).to_le_bytes()),
            (116, &reset),
            (128, &[6]),
            (208, &x_pm),
        ],
    )
}

/// Where `install` put each table.
#[derive(Clone, Copy, Debug)]
pub struct Acpi {
    pub rsdp: u64,
    pub root: u64,
    pub madt: u64,
    pub fadt: Option<u64>,
}

/// Lays out `madt` and `fadt` (after a table of another signature), an
/// XSDT (with an RSDP v2) or an RSDT (with an RSDP v1) listing them, and
/// the RSDP.
pub fn install(img: &mut Image, madt: &[u8], fadt: Option<&[u8]>, use_xsdt: bool) -> Acpi {
    let other = img.place(&sdt(b"HPET", 1, &[0; 20]), TABLE_ALIGN);
    let fadt = fadt.map(|f| img.place(f, TABLE_ALIGN));
    let madt = img.place(madt, TABLE_ALIGN);
    let mut list = vec![other];
    list.extend(fadt);
    list.push(madt);
    let (root, rsdp) = if use_xsdt {
        let root = img.place(&xsdt(&list), TABLE_ALIGN);
        (root, rsdp_v2(0, root))
    } else {
        let l: Vec<u32> = list.iter().map(|&a| a as u32).collect();
        let root = img.place(&rsdt(&l), TABLE_ALIGN);
        (root, rsdp_v1(root as u32))
    };
    let rsdp = img.place(&rsdp, TABLE_ALIGN);
    Acpi {
        rsdp,
        root,
        madt,
        fadt,
    }
}
