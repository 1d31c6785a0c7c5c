//! Inputs that once made a fuzz target fail, one named test each: the
//! file is `fuzz/corpus/TARGET/regress-NAME` (so the seeded runs and
//! `cargo fuzz` start from it too), the test says what was wrong.

use std::path::PathBuf;

fn run(target: &str, file: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(target)
        .join(format!("regress-{file}"));
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let t = fuzz_harness::target(target).expect("a target of that name");
    (t.run)(&data);
}

/// qvm/src/loader.rs: an empty raw image was "placed" as a piece of no
/// bytes with its entry point outside it; now an error.
#[test]
fn qvm_loader_refuses_an_empty_image() {
    run("qvm_loader", "empty-raw");
    let ram = qvm::loader::Ram {
        base: 0x8000_0000,
        size: 0x1000,
    };
    assert_eq!(
        qvm::loader::place(&[], ram, None),
        Err("the image file is empty".into())
    );
}

/// qvm/src/loader.rs: an arm64 `Image` whose `text_offset` takes the load
/// address past 2^64 overflowed (a panic in debug builds, a wrapped address
/// in release); now an error.
#[test]
fn qvm_loader_image_text_offset_past_the_address_space() {
    run("qvm_loader", "image-text-offset-wraps");
}

/// qvm/src/loader.rs: an ELF file whose `e_phoff` is near `usize::MAX`
/// overflowed the program header offsets; now "a malformed ELF file".
#[test]
fn qvm_loader_elf_program_headers_past_the_end() {
    run("qvm_loader", "elf-phoff-wraps");
}

/// qvm/src/loader/elf.rs: an ELF file shorter than its 16 identification
/// bytes reached `elf::file::parse_ident`, which indexes them unchecked (a
/// panic); now "a malformed ELF file (truncated header)".
#[test]
fn qvm_loader_elf_shorter_than_its_ident() {
    run("qvm_loader", "elf-short-ident");
    let ram = qvm::loader::Ram {
        base: 0x8000_0000,
        size: 0x1000,
    };
    assert!(
        qvm::loader::place(b"\x7fELF\x02\x01", ram, None)
            .unwrap_err()
            .contains("truncated header")
    );
}

/// The harness's own checker (fuzz/harness/src/virtio.rs) rescanned every
/// descriptor and indirect table after each device write that touched a
/// table: 5 s for this 76-byte input. It now scans once per operation.
#[test]
fn virtio_rng_checker_stays_fast() {
    let start = std::time::Instant::now();
    run("virtio_rng", "slow-rescans");
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

/// The harness's ring checker assumed the ring size it meant to make, not
/// the one `attach` found in a region the input had resized.
#[test]
fn net_ring_resized_region() {
    run("net_ring", "resized-region");
}
