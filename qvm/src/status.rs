//! `qvm`'s exit statuses (`shared/qvmconf.md`), below everything that ends
//! the process with one.

/// The guest shut down or asked for a reset.
pub const EXIT_OK: usize = 0;
/// An unsupported operation under `unsupported ... abort`.
pub const EXIT_UNSUPPORTED: usize = 5;
/// Failed before the guest started.
pub const EXIT_START_FAILED: usize = 64;
/// Bad configuration.
pub const EXIT_BAD_CONFIG: usize = 65;
/// Failed after the guest started.
pub const EXIT_RUN_FAILED: usize = 96;
