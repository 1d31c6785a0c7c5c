//! The x86 MMIO instruction decoder (`arch::x86_64::mmio_decode`, Intel
//! SDM Vol. 2A chapter 2 and the MOV, MOVZX, MOVSX pages of Vol. 2B):
//! whatever bytes a guest leaves at its RIP, in 64-bit or 32-bit code.

use crate::input::Input;
use arch::exit::MmioAccess;
use arch::x86_64::mmio_decode::{Decoded, Extend, Kind, MAX_LEN, Mode, Unsupported, decode};

/// Byte 0 picks the mode (bit 0) and how many of the next 15 bytes are
/// the instruction (bits 7:4, so short inputs are cut too); the rest are
/// the registers.
pub fn x86_mmio_decode(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let mode = if flags & 1 == 0 {
        Mode::Long
    } else {
        Mode::Protected32
    };
    let code = input.bytes(MAX_LEN);
    let code = &code[..code.len().min(usize::from(flags >> 4))];
    let regs: [u64; 16] = core::array::from_fn(|_| input.u64());
    let Ok(d) = decode(code, mode, &regs) else {
        return;
    };
    check(code, mode, &regs, d);
}

/// What any decoded instruction must be.
fn check(code: &[u8], mode: Mode, regs: &[u64; 16], d: Decoded) {
    assert!(
        (1..=MAX_LEN).contains(&d.len) && d.len <= code.len(),
        "{d:?}"
    );
    assert!(matches!(d.width, 1 | 2 | 4 | 8), "{d:?}");
    if mode == Mode::Protected32 {
        assert!(d.width <= 4, "{d:?}");
    }
    // The length is the instruction's: its bytes alone decode the same,
    // one fewer is cut short, and other registers change only the value.
    assert_eq!(decode(&code[..d.len], mode, regs), Ok(d));
    let short = decode(&code[..d.len - 1], mode, regs);
    assert_eq!(short, Err(Unsupported::Truncated), "{d:?}");
    let other = decode(code, mode, &regs.map(|r| !r)).expect("decodes again");
    assert_eq!((other.len, other.width), (d.len, d.width));
    match d.kind {
        Kind::Store { value } => {
            assert_eq!(value & !MmioAccess::mask(d.width), 0, "{d:?}");
            assert!(matches!(other.kind, Kind::Store { .. }));
        }
        Kind::Load(load) => {
            assert_eq!(other.kind, d.kind);
            assert!(load.reg.index < 16 && load.dest_width >= d.width, "{d:?}");
            assert!(matches!(load.dest_width, 1 | 2 | 4 | 8), "{d:?}");
            assert!(!load.reg.high_byte || (load.reg.index < 4 && load.dest_width == 1));
            if load.extend == Extend::None {
                assert_eq!(load.dest_width, d.width, "{d:?}");
            }
            let old = regs[usize::from(load.reg.index)];
            let new = load.result(d.width, old, regs[0]);
            let kept = match (load.dest_width, load.reg.high_byte) {
                (1, false) => !0xff,
                (1, true) => !0xff00,
                (2, _) => !0xffff,
                _ => 0,
            };
            assert_eq!(new & kept, old & kept, "{d:?}: upper bits merge");
            if load.dest_width == 4 {
                assert_eq!(new >> 32, 0, "{d:?}: a 32-bit write zero-extends");
            }
        }
    }
}
