//! libFuzzer entry of the `virtio_blk` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("virtio_blk")
        .expect("a harness target")
        .run)(data);
});
