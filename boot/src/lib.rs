//! Boot image support for the hypervisor.
//!
//! The boot image is the kernel's flat binary followed by a *bootfs*: a small
//! read-only file system holding the host's programs, configuration and the
//! startup script (see `docs/bootfs.md`).
//!
//! - [`bootfs`] is the reader. It is `no_std`, never allocates and never
//!   panics, whatever bytes it is given; the kernel uses it.
//! - [`writer`] (feature `std`) produces bootfs images.
//! - [`buildfile`] (feature `std`) parses the buildfile language that lists
//!   the files of an image and its startup script, and builds the image.
//! - [`reserve`] is the list of RAM set aside for pass-through (`no_std`,
//!   never panics: the kernel reads it at boot).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bootfs;
pub mod reserve;

#[cfg(feature = "std")]
pub mod buildfile;
#[cfg(feature = "std")]
pub mod writer;

pub use bootfs::{Bootfs, BootfsError, File};
#[cfg(feature = "std")]
pub use writer::{BootfsWriter, WriteError};
