//! libFuzzer entry of the `qvm_config` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("qvm_config")
        .expect("a harness target")
        .run)(data);
});
