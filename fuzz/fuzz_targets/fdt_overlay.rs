//! libFuzzer entry of the `fdt_overlay` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("fdt_overlay")
        .expect("a harness target")
        .run)(data);
});
