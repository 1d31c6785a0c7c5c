//! libFuzzer entry of the `linux_bzimage` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("linux_bzimage")
        .expect("a harness target")
        .run)(data);
});
