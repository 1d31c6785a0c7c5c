//! libFuzzer entry of the `blk_channel` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("blk_channel")
        .expect("a harness target")
        .run)(data);
});
