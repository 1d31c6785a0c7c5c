//! libFuzzer entry of the `pc_devices` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("pc_devices")
        .expect("a harness target")
        .run)(data);
});
