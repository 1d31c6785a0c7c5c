//! libFuzzer entry of the `multiboot` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("multiboot")
        .expect("a harness target")
        .run)(data);
});
