//! Test data of the report modules: three programs and a small profile.

use super::symbols::{Image, Symbols};
use super::trace::Profile;

/// A kernel (`entry`, `run`), `qvm` (`main`) and a guest (`hvc`, `mmio`).
pub fn symbols() -> Symbols {
    Symbols {
        images: vec![
            Image::new(
                "k",
                "kernel".into(),
                0x4020_0000,
                0..0x1000,
                vec![(0, "entry".into()), (0x800, "run".into())],
            ),
            Image::new(
                "q",
                "qvm".into(),
                0,
                0x20_0000..0x20_1000,
                vec![(0x20_0000, "main".into())],
            ),
            Image::new(
                "g",
                "bench".into(),
                0x8000_0000,
                0..0x1000,
                vec![(0x100, "hvc".into()), (0x200, "mmio".into())],
            ),
        ],
    }
}

/// hvc at 0x80000104 exits twice (3 instructions each), mmio at
/// 0x80000200 once (10 instructions).
pub fn profile() -> Profile {
    let mut p = Profile::new(0x8000_0000..0x8000_1000);
    for _ in 0..2 {
        p.take(0, 0x8000_0104);
        p.take(0, 0x4020_0000);
        p.take(0, 0x4020_0800);
        p.take(0, 0x4020_0804);
    }
    p.take(0, 0x8000_0200);
    for i in 0..4 {
        p.take(0, 0x4020_0800 + 4 * i);
    }
    for i in 0..6 {
        p.take(0, 0x20_0000 + 4 * i);
    }
    p.take(0, 0x8000_0204);
    p
}
