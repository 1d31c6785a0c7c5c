//! libFuzzer entry of the `bootfs` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("bootfs")
        .expect("a harness target")
        .run)(data);
});
