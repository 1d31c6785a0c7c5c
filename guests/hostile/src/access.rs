//! Single memory-access instructions of every width and addressing kind,
//! each one instruction that [`gsupport::exceptions::catch`] can skip.
//! Some give the hypervisor a syndrome (ISV=1: plain loads and stores);
//! the others give none (ISV=0: pairs, exclusives, writeback, SIMD,
//! atomics, cache maintenance), which is what a hostile guest wants.

use core::arch::asm;

/// `ld1 {v0.16b}, [x0]` (encoded: the soft-float target has no NEON).
const LD1_V0_X0: u32 = 0x4c40_7000;
/// `st1 {v0.16b}, [x0]`.
const ST1_V0_X0: u32 = 0x4c00_7000;
/// `ldadd x1, x2, [x0]` (FEAT_LSE; undefined without it).
const LDADD_X1_X2_X0: u32 = 0xf821_0002;

/// How an access touches memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `ldrb`, `ldrh`, `ldr w`, `ldr x`.
    Load(u8),
    /// `strb`, `strh`, `str w`, `str x`.
    Store(u8),
    /// `ldp x1, x2`.
    LoadPair,
    /// `stp x1, x2`.
    StorePair,
    /// `ldxr x1`.
    LoadExclusive,
    /// `stxr w2, x1`.
    StoreExclusive,
    /// `ldr x1, [x0], #8` (post-index writeback).
    LoadWriteback,
    /// `str x1, [x0, #8]!` (pre-index writeback).
    StoreWriteback,
    /// `ld1 {v0.16b}` (SIMD).
    SimdLoad,
    /// `st1 {v0.16b}` (SIMD).
    SimdStore,
    /// `ldar x1`.
    LoadAcquire,
    /// `stlr x1`.
    StoreRelease,
    /// `ldadd` (an atomic read-modify-write).
    Atomic,
    /// `dc civac` (clean and invalidate by address).
    CacheClean,
}

/// Every kind, for random choice.
pub const KINDS: [Kind; 21] = [
    Kind::Load(1),
    Kind::Load(2),
    Kind::Load(4),
    Kind::Load(8),
    Kind::Store(1),
    Kind::Store(2),
    Kind::Store(4),
    Kind::Store(8),
    Kind::LoadPair,
    Kind::StorePair,
    Kind::LoadExclusive,
    Kind::StoreExclusive,
    Kind::LoadWriteback,
    Kind::StoreWriteback,
    Kind::SimdLoad,
    Kind::SimdStore,
    Kind::LoadAcquire,
    Kind::StoreRelease,
    Kind::Atomic,
    Kind::CacheClean,
    Kind::Load(4),
];

impl Kind {
    /// Whether it may change memory.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Kind::Store(_)
                | Kind::StorePair
                | Kind::StoreExclusive
                | Kind::StoreWriteback
                | Kind::SimdStore
                | Kind::StoreRelease
                | Kind::Atomic
                | Kind::CacheClean
        )
    }
}

/// Does one access of `kind` at `addr` (writing `value`); returns what a
/// load read (0 if it was skipped).
///
/// # Safety
/// `addr` must be mapped in the guest's stage 1, and the access harmless
/// to the guest itself (not its own RAM for a write), or its fault caught.
pub unsafe fn access(kind: Kind, addr: usize, value: u64) -> u64 {
    let mut v: u64 = value;
    // SAFETY: the caller guarantees the access is harmless or caught; each
    // block is one faulting instruction with preset outputs.
    unsafe {
        match kind {
            Kind::Load(1) => {
                asm!("ldrb {v:w}, [{a}]", v = inout(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Load(2) => {
                asm!("ldrh {v:w}, [{a}]", v = inout(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Load(4) => {
                asm!("ldr {v:w}, [{a}]", v = inout(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Load(_) => {
                asm!("ldr {v}, [{a}]", v = inout(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Store(1) => {
                asm!("strb {v:w}, [{a}]", v = in(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Store(2) => {
                asm!("strh {v:w}, [{a}]", v = in(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Store(4) => {
                asm!("str {v:w}, [{a}]", v = in(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::Store(_) => {
                asm!("str {v}, [{a}]", v = in(reg) v, a = in(reg) addr, options(nostack))
            }
            Kind::LoadPair => {
                asm!("ldp x1, x2, [x0]", in("x0") addr, inout("x1") v, inout("x2") 0u64 => _, options(nostack))
            }
            Kind::StorePair => {
                asm!("stp x1, x2, [x0]", in("x0") addr, in("x1") v, in("x2") !v, options(nostack))
            }
            Kind::LoadExclusive => {
                asm!("ldxr x1, [x0]", "clrex", in("x0") addr, inout("x1") v, options(nostack))
            }
            Kind::StoreExclusive => {
                asm!("stxr w2, x1, [x0]", in("x0") addr, in("x1") v, out("x2") _, options(nostack))
            }
            Kind::LoadWriteback => {
                asm!("ldr x1, [x0], #8", inout("x0") addr => _, inout("x1") v, options(nostack))
            }
            Kind::StoreWriteback => {
                asm!("str x1, [x0, #8]!", inout("x0") addr.wrapping_sub(8) => _, in("x1") v, options(nostack))
            }
            Kind::SimdLoad => {
                asm!(".inst {i}", i = const LD1_V0_X0, in("x0") addr, options(nostack))
            }
            Kind::SimdStore => {
                asm!(".inst {i}", i = const ST1_V0_X0, in("x0") addr, options(nostack))
            }
            Kind::LoadAcquire => {
                asm!("ldar x1, [x0]", in("x0") addr, inout("x1") v, options(nostack))
            }
            Kind::StoreRelease => {
                asm!("stlr x1, [x0]", in("x0") addr, in("x1") v, options(nostack))
            }
            Kind::Atomic => asm!(".inst {i}", i = const LDADD_X1_X2_X0, in("x0") addr, in("x1") v,
                inout("x2") 0u64 => v, options(nostack)),
            Kind::CacheClean => asm!("dc civac, x0", in("x0") addr, options(nostack)),
        }
    }
    v
}
