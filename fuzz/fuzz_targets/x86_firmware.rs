//! libFuzzer entry of the `x86_firmware` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("x86_firmware")
        .expect("a harness target")
        .run)(data);
});
