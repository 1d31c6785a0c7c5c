//! Links the `qvm` program with a 64 KiB first-thread stack (`PT_GNU_STACK`,
//! which the kernel reads at spawn; `abi::USER_STACK_MIN`) instead of the
//! 256 KiB every program gets by default. Its first thread only builds the
//! VM and then waits: it used at most 6.2 KiB in the QEMU tests, about 17
//! KiB with an `fdt load` tree nested as deep as the reader allows (64
//! levels, about 190 bytes each). Nothing is mapped below it, so an
//! overflow faults.
fn main() {
    println!("cargo:rustc-link-arg-bins=-zstack-size=65536");
}
