//! libFuzzer entry of the `virtio_rng` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("virtio_rng")
        .expect("a harness target")
        .run)(data);
});
