//! libFuzzer entry of the `elf_load` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("elf_load")
        .expect("a harness target")
        .run)(data);
});
