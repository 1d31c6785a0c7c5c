//! No input bytes make the header code panic: random images, random images
//! with planted (checksummed) headers of random contents, and every
//! truncation of valid headers.

use super::*;
use crate::multiboot::{find_header, kludge_layout};

/// xorshift64*: deterministic, dependency-free pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// A small or a wild value.
    fn value(&mut self) -> u32 {
        match self.below(4) {
            0 => self.below(16) as u32,
            1 => self.below(0x100) as u32,
            _ => self.next() as u32,
        }
    }
}

/// How often each outcome came up, to show the inputs reach deep paths.
#[derive(Default, Debug)]
struct Seen {
    none: usize,
    refused: usize,
    found: usize,
    placed: usize,
}

/// Runs everything that reads header bytes; must never panic.
fn exercise(img: &[u8], rng: &mut Rng, seen: &mut Seen) {
    match find_header(img) {
        Ok(None) => seen.none += 1,
        Err(_) => seen.refused += 1,
        Ok(Some(h)) => {
            seen.found += 1;
            assert!(h.offset + h.length <= img.len());
            if let Ok(l) = kludge_layout(&h, img.len()) {
                seen.placed += 1;
                assert!(l.file_offset + l.load_len <= img.len());
                assert!(l.load_end() <= l.bss_end && l.bss_end <= 1 << 32);
            }
            let _ = kludge_layout(&h, rng.next() as usize);
            let _ = kludge_layout(&h, usize::MAX);
        }
    }
}

/// A Multiboot2 header of random tags (small types, random flags and
/// sizes), with a correct checksum for whatever header_length it claims.
fn random_v2(rng: &mut Rng) -> Vec<u8> {
    let mut h = alloc::vec![0u8; 16];
    for _ in 0..rng.below(6) {
        let kind = rng.below(12) as u16;
        let flags = rng.below(2) as u16;
        let body: Vec<u8> = (0..rng.below(5))
            .flat_map(|_| rng.value().to_le_bytes())
            .collect();
        let size = if rng.below(8) == 0 {
            rng.value()
        } else {
            8 + body.len() as u32
        };
        h.extend_from_slice(&kind.to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&body);
        h.resize(h.len().next_multiple_of(8), 0);
    }
    if rng.below(4) != 0 {
        h.extend_from_slice(&[0, 0, 0, 0, 8, 0, 0, 0]);
    }
    let len = if rng.below(6) == 0 {
        rng.value()
    } else {
        h.len() as u32
    };
    let arch = if rng.below(8) == 0 { rng.value() } else { 0 };
    let sum = 0u32
        .wrapping_sub(MULTIBOOT2_HEADER_MAGIC)
        .wrapping_sub(arch)
        .wrapping_sub(len);
    h[..16].copy_from_slice(&words(&[MULTIBOOT2_HEADER_MAGIC, arch, len, sum]));
    h
}

fn random_v1(rng: &mut Rng) -> Vec<u8> {
    let flags = match rng.below(3) {
        0 => rng.next() as u32,
        1 => MULTIBOOT_AOUT_KLUDGE | rng.below(4) as u32,
        _ => rng.below(4) as u32,
    };
    let fields = [
        rng.value(),
        rng.value(),
        rng.value(),
        rng.value(),
        rng.value(),
    ];
    let mut h = v1_header(flags, Some(fields));
    if rng.below(2) == 0 {
        // Plausible fields: header_addr above load_addr by a little.
        let load = rng.value() & !0xFFF;
        h[12..32].copy_from_slice(&words(&[
            load.wrapping_add(rng.below(0x100) as u32 * 4),
            load,
            if rng.below(4) != 0 {
                0
            } else {
                load.wrapping_add(rng.value())
            },
            if rng.below(2) == 0 {
                0
            } else {
                load.wrapping_add(rng.value())
            },
            load.wrapping_add(rng.below(0x400) as u32),
        ]));
    }
    h
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut seen = Seen::default();
    for round in 0..3000 {
        let len = match round % 4 {
            0 => rng.below(64) as usize,
            1 => rng.below(0x400) as usize,
            _ => rng.below(0x9000) as usize,
        };
        let mut img = rng.bytes(len);
        // Plant a header, maybe at an awkward place near the end or the
        // search limit.
        if len > 0 && round % 3 != 0 {
            let h = if rng.below(2) == 0 {
                random_v2(&mut rng)
            } else {
                random_v1(&mut rng)
            };
            // Mostly within the search limit, sometimes just past it.
            let (align, limit) = if h[0] == 0xD6 {
                (8, MULTIBOOT2_SEARCH + 0x100)
            } else {
                (4, MULTIBOOT_SEARCH + 0x100)
            };
            let at = (rng.below(len.min(limit) as u64) as usize) / align * align;
            let n = h.len().min(len - at);
            img[at..at + n].copy_from_slice(&h[..n]);
        }
        exercise(&img, &mut rng, &mut seen);
    }
    assert!(seen.none > 500 && seen.refused > 300, "{seen:?}");
    assert!(seen.found > 300 && seen.placed > 25, "{seen:?}");
}

#[test]
fn every_truncation_of_valid_headers() {
    let mut rng = Rng(7);
    let mut seen = Seen::default();
    let v2 = v2_header(&[
        Tag(1, 0, words(&[1, 6])),
        Tag(2, 0, words(&[0x10_0010, 0x10_0000, 0x10_0100, 0x10_0200])),
        Tag(3, 0, words(&[0x10_0040])),
        Tag(6, 0, Vec::new()),
    ]);
    let v1 = v1_header(
        MULTIBOOT_AOUT_KLUDGE,
        Some([0x10_0010, 0x10_0000, 0, 0, 0x10_0040]),
    );
    for h in [v2, v1] {
        let img = image_with(&h, 0x10, 0x100);
        for cut in 0..=img.len() {
            exercise(&img[..cut], &mut rng, &mut seen);
        }
        assert!(find_header(&img).unwrap().is_some());
        // Every single-byte corruption too.
        for i in 0x10..0x10 + h.len() {
            for bit in 0..8 {
                let mut bad = img.clone();
                bad[i] ^= 1 << bit;
                exercise(&bad, &mut rng, &mut seen);
            }
        }
    }
}
