//! What the guest finds besides its image, and how its boot vCPU starts:
//! on AArch64 the ramdisk and the device tree (`devicetree.rs`), on x86
//! the ACPI tables and the multiboot information (`pc.rs`) or Linux's
//! zero page (`pc_linux.rs`). Chosen with
//! the guest architecture (`qvm::arch`, feature `guest-x86_64`); both
//! export `describe` (the `dryrun` line) and `write`.

#[cfg(not(feature = "guest-x86_64"))]
mod devicetree;
#[cfg(not(feature = "guest-x86_64"))]
pub use devicetree::{add_devices, describe, write};

#[cfg(feature = "guest-x86_64")]
mod identity;
#[cfg(feature = "guest-x86_64")]
mod pc;
#[cfg(feature = "guest-x86_64")]
mod pc_linux;
#[cfg(feature = "guest-x86_64")]
pub use pc::{add_devices, describe, write};
