//! libFuzzer entry of the `vioapic` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("vioapic")
        .expect("a harness target")
        .run)(data);
});
