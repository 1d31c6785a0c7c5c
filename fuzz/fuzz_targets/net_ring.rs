//! libFuzzer entry of the `net_ring` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("net_ring")
        .expect("a harness target")
        .run)(data);
});
