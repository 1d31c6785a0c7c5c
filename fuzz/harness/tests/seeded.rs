//! Seeded runs of every fuzz target, for `cargo test` (and so `cargo xtask
//! test`): each target runs over its committed corpus (`fuzz/corpus/NAME/`)
//! and then over pseudo-random and mutated inputs from a seeded generator,
//! bounded in count (`FUZZ_ITERS`, default 100000) and time (`FUZZ_SECONDS`
//! per target, default 4).
//!
//! The seed is printed; a run picks a new one unless `FUZZ_SEED` is set, so
//! `FUZZ_SEED=0x... cargo test -p fuzz-harness --test seeded NAME` repeats
//! a failure. An input that fails is also saved to
//! `target/fuzz-failures/NAME-HASH`: copy it into `fuzz/corpus/NAME/` and
//! add a named test to `tests/regressions.rs`.

use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use fuzz_harness::{TARGETS, Target, target};

/// The `fuzz/` folder.
fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The run's seed: `FUZZ_SEED`, or one from the clock.
fn seed() -> u64 {
    env_number("FUZZ_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Values that find off-by-ones and overflows.
const INTERESTING: [u64; 12] = [
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

fn random_bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    let n = rng.below(max + 1);
    (0..n).map(|_| rng.next() as u8).collect()
}

/// A mutant of `base`: a few bit flips, interesting values, insertions,
/// deletions, copies and splices with `other`.
fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(8) {
        let len = v.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let w = [1, 2, 4, 8][rng.below(4)];
                let i = rng.below(len);
                let val = INTERESTING[rng.below(INTERESTING.len())];
                let bytes = if rng.below(2) == 0 {
                    val.to_le_bytes()
                } else {
                    val.to_be_bytes()
                };
                let bytes = if rng.below(2) == 0 {
                    &bytes[..w]
                } else {
                    &bytes[8 - w..]
                };
                for (k, b) in bytes.iter().enumerate() {
                    if let Some(x) = v.get_mut(i + k) {
                        *x = *b;
                    }
                }
            }
            3 => {
                let i = rng.below(len + 1);
                let add = random_bytes(rng, 16);
                v.splice(i..i, add);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            6 if !other.is_empty() => {
                let i = rng.below(other.len());
                let n = 1 + rng.below((other.len() - i).min(256));
                let at = rng.below(len + 1);
                let end = (at + n).min(len);
                v.splice(at..end, other[i..i + n].iter().copied());
            }
            7 if len > 0 => v.truncate(rng.below(len)),
            _ => {}
        }
    }
    v
}

/// Runs `t` on `input`; on a panic, saves the input and fails the test.
fn run_one(t: &Target, input: &[u8], what: &str, seed: u64) {
    if catch_unwind(AssertUnwindSafe(|| (t.run)(input))).is_ok() {
        return;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut h);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-failures");
    let path = dir.join(format!("{}-{:016x}", t.name, h.finish()));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input));
    panic!(
        "fuzz target {} panicked on {what} (seed {seed:#x}); the input ({} bytes) {}",
        t.name,
        input.len(),
        match saved {
            Ok(()) => format!("is saved in {}", path.display()),
            Err(e) => format!("could not be saved: {e}"),
        }
    );
}

/// The committed corpus of `name`, sorted by file name.
fn corpus(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir().join("corpus").join(name);
    let mut files: Vec<(String, Vec<u8>)> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| {
                let p = e.path();
                let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (p.display().to_string(), bytes)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// The whole seeded run of one target.
fn seeded(name: &str) {
    let t = target(name).expect("a target of that name");
    let files = corpus(name);
    assert!(!files.is_empty(), "fuzz/corpus/{name}/ is empty");
    let base = seed();
    for (path, bytes) in &files {
        run_one(t, bytes, path, base);
    }
    let iters = env_number("FUZZ_ITERS").unwrap_or(100_000);
    let budget = Duration::from_secs(env_number("FUZZ_SECONDS").unwrap_or(4));
    // Each target its own stream, so one can be rerun alone.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    let mut rng = Rng::new(base ^ h.finish());
    let start = Instant::now();
    let mut n = 0;
    while n < iters && start.elapsed() < budget {
        let input = if rng.below(8) == 0 {
            random_bytes(&mut rng, 1024)
        } else {
            let a = &files[rng.below(files.len())].1;
            let b = &files[rng.below(files.len())].1;
            mutate(&mut rng, a, b)
        };
        run_one(t, &input, &format!("generated input {n}"), base);
        n += 1;
    }
    println!(
        "fuzz {name}: {} corpus files, {n} generated inputs in {:.1?} (FUZZ_SEED={base:#x})",
        files.len(),
        start.elapsed()
    );
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    for t in TARGETS {
        assert!(
            fuzz_dir().join("corpus").join(t.name).is_dir(),
            "no fuzz/corpus/{}/",
            t.name
        );
        assert!(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{}.rs", t.name))
                .is_file(),
            "no fuzz/fuzz_targets/{}.rs",
            t.name
        );
    }
}

macro_rules! seeded_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                seeded(stringify!($name));
            }
        )*
        /// Every target has a seeded test above.
        #[test]
        fn the_list_is_complete() {
            let listed = [$(stringify!($name)),*];
            for t in TARGETS {
                assert!(listed.contains(&t.name), "no seeded test for {}", t.name);
            }
        }
    };
}

seeded_tests!(
    qvm_config,
    fdt_overlay,
    qvm_loader,
    linux_bzimage,
    elf_load,
    virtio_blk,
    virtio_net,
    virtio_console,
    virtio_rng,
    net_ring,
    vgic,
    bootfs,
    reserve_list,
    blk_channel,
    shell_line,
    x86_mmio_decode,
    x86_firmware,
    vioapic,
    vlapic,
    shmem,
    pc_devices,
    multiboot,
);
