//! Rebuild programs when the user linker script changes.
fn main() {
    println!("cargo:rerun-if-changed=user.ld");
}
