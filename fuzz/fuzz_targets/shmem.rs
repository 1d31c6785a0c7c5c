//! libFuzzer entry of the `shmem` target (`fuzz_harness::TARGETS`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (fuzz_harness::target("shmem")
        .expect("a harness target")
        .run)(data);
});
