//! libFuzzer entry of the `vgic` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("vgic").expect("a harness target").run)(data);
});
