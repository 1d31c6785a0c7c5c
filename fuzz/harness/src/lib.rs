//! Fuzz targets of the code that reads untrusted bytes: the VM
//! configuration language and placement, the `fdt load` device-tree reader
//! (and the guests' reader of the tree that results), the image loaders,
//! the Linux bzImage's setup header and zero page, the virtio devices behind the virtio-mmio transport, the shared-memory
//! `peer` ring, the host block driver's shared-memory channel, the virtual
//! GIC's register decoder, the PC's device models, the `vdev shmem` register block, the bootfs reader, the boot image's reserve
//! list, and the host shell's command lines and `pidin` tables.
//!
//! Each target is a `pub fn NAME(data: &[u8])` that must never panic,
//! whatever `data` is: an error is a clear `Err`, and a panic is a bug. The
//! targets also check what they can (a tree read back equals the tree
//! written, a device writes only where the driver let it, the GIC lists no
//! interrupt it does not have, ...) and panic when that fails.
//!
//! Two drivers call them: `cargo fuzz` (the `fuzz/` crate, nightly and
//! libFuzzer, run by hand) and the seeded host tests of this crate
//! (`tests/seeded.rs`), which `cargo xtask test` runs: the committed corpus
//! `fuzz/corpus/<target>/` and a bounded number of pseudo-random and mutated
//! inputs. `docs/testing.md` ("Fuzzing") says how to run and extend them.

pub mod blk_channel;
pub mod bootfs;
pub mod config;
pub mod fdt;
pub mod input;
pub mod linux_x86;
pub mod loader;
pub mod multiboot;
pub mod net_ring;
pub mod pc_devices;
pub mod shell;
pub mod shmem;
pub mod vgic;
pub mod vioapic;
pub mod virtio;
pub mod vlapic;
pub mod x86_firmware;
pub mod x86_mmio;

/// One fuzz target: its name (also its `fuzz_targets/<name>.rs` and corpus
/// folder) and its function.
pub struct Target {
    /// Name, as `cargo fuzz run NAME` takes it.
    pub name: &'static str,
    /// The function under test.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "qvm_config",
        run: config::qvm_config,
    },
    Target {
        name: "fdt_overlay",
        run: fdt::fdt_overlay,
    },
    Target {
        name: "qvm_loader",
        run: loader::qvm_loader,
    },
    Target {
        name: "elf_load",
        run: loader::elf_load,
    },
    Target {
        name: "virtio_blk",
        run: virtio::virtio_blk,
    },
    Target {
        name: "virtio_net",
        run: virtio::virtio_net,
    },
    Target {
        name: "virtio_console",
        run: virtio::virtio_console,
    },
    Target {
        name: "virtio_rng",
        run: virtio::virtio_rng,
    },
    Target {
        name: "net_ring",
        run: net_ring::net_ring,
    },
    Target {
        name: "vgic",
        run: vgic::vgic,
    },
    Target {
        name: "bootfs",
        run: bootfs::bootfs,
    },
    Target {
        name: "reserve_list",
        run: bootfs::reserve_list,
    },
    Target {
        name: "blk_channel",
        run: blk_channel::blk_channel,
    },
    Target {
        name: "shell_line",
        run: shell::shell_line,
    },
    Target {
        name: "x86_mmio_decode",
        run: x86_mmio::x86_mmio_decode,
    },
    Target {
        name: "x86_firmware",
        run: x86_firmware::x86_firmware,
    },
    Target {
        name: "vioapic",
        run: vioapic::vioapic,
    },
    Target {
        name: "multiboot",
        run: multiboot::multiboot,
    },
    Target {
        name: "linux_bzimage",
        run: linux_x86::linux_bzimage,
    },
    Target {
        name: "pc_devices",
        run: pc_devices::pc_devices,
    },
    Target {
        name: "vlapic",
        run: vlapic::vlapic,
    },
    Target {
        name: "shmem",
        run: shmem::shmem,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
