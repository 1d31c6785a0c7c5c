//! Relink the guests when their linker script changes (xtask passes it
//! with `-C link-arg=-T.../guest.ld`).
fn main() {
    println!("cargo:rerun-if-changed=guest.ld");
}
