//! Cut and random bytes: a truncated instruction is an error, and no
//! input makes the decoder panic or claim more bytes than it was given.

use super::*;

#[test]
fn truncated_input_is_an_error() {
    // mov dword [rax+0x100], 0x12345678
    let b = [0xc7, 0x80, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12];
    for n in 0..b.len() {
        assert_eq!(in_64(&b[..n]), Err(Unsupported::Truncated), "{n} bytes");
    }
    // movsx ecx, word [rcx*4+0x1000], cut in its SIB and its disp32
    let b = [0x0f, 0xbf, 0x0c, 0x8d, 0x00, 0x10, 0x00, 0x00];
    assert_eq!(in_32(&b[..3]), Err(Unsupported::Truncated));
    assert_eq!(in_32(&b[..7]), Err(Unsupported::Truncated));
}

#[test]
fn random_bytes_never_panic() {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Opcodes and prefixes the decoder knows, so the walks go deep.
    let known = [
        0x88, 0x89, 0x8a, 0x8b, 0xa0, 0xa3, 0xc6, 0xc7, 0x0f, 0xb6, 0xbf, 0x66, 0x67, 0x48, 0x44,
        0x2e, 0x04, 0x05, 0x25, 0x24,
    ];
    for _ in 0..200_000 {
        let n = (next() % 18) as usize;
        let bytes: Vec<u8> = (0..n)
            .map(|_| match next() % 3 {
                0 => next() as u8,
                _ => known[(next() % known.len() as u64) as usize],
            })
            .collect();
        for mode in [Mode::Long, Mode::Protected32] {
            let Ok(d) = decode(&bytes, mode, &REGS) else {
                continue;
            };
            assert!((1..=MAX_LEN).contains(&d.len) && d.len <= n, "{bytes:02x?}");
            assert!(matches!(d.width, 1 | 2 | 4 | 8), "{bytes:02x?}");
            // The same bytes without their tail decode the same; shorter
            // ones are truncated.
            assert_eq!(decode(&bytes[..d.len], mode, &REGS), Ok(d));
            let short = decode(&bytes[..d.len - 1], mode, &REGS);
            assert_eq!(short, Err(Unsupported::Truncated), "{bytes:02x?}");
        }
    }
}
