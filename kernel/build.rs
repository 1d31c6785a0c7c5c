//! Rebuild the kernel when its linker script changes.
fn main() {
    println!("cargo:rerun-if-changed=kernel.ld");
}
