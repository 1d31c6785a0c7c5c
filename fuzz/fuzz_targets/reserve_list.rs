//! libFuzzer entry of the `reserve_list` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("reserve_list")
        .expect("a harness target")
        .run)(data);
});
