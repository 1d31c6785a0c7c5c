//! libFuzzer entry of the `vlapic` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("vlapic")
        .expect("a harness target")
        .run)(data);
});
