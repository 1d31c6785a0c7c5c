//! The library half of `qvm`, the process that runs one VM: the
//! configuration language ([`config`]), placement of the guest's memory and
//! devices ([`layout`]), the guest device tree ([`fdt`]), the `dryrun`
//! report ([`report`]) and which of `qvm`'s messages the `logger` options
//! show ([`logfilter`]); which options `qvm` refuses or warns about because
//! it cannot carry them out ([`honour`]); how often `set on-reset restart`
//! restarts a VM ([`restarts`]); what the `pass` entries
//! map and bind ([`passthrough`]); [`window`], how the `qvm` process touches
//! memory that guests and other processes change under it; [`dump`], the
//! ELF core files of `dump DIR`; and [`arch`],
//! everything that depends on the guest's architecture.
//!
//! It is `no_std` with `alloc`, so the same code runs inside `qvm` on the
//! target and on the build host (`cargo xtask qvm-check`, unit tests).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod arch;
pub mod config;
pub mod dump;
pub mod fdt;
pub mod file_length;
pub mod honour;
mod honour_common;
pub mod layout;
pub mod loader;
pub mod logfilter;
pub mod multiboot;
pub mod passthrough;
pub mod report;
pub mod restarts;
pub mod shmem_rules;
pub mod units;
pub mod window;
