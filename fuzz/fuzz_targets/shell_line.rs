//! libFuzzer entry of the `shell_line` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("shell_line")
        .expect("a harness target")
        .run)(data);
});
