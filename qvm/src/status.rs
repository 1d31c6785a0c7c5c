//! `qvm`'s exit statuses (`shared/qvmconf.md`), below everything that ends
//! the process with one.

/// The guest shut down or asked for a reset.
pub const EXIT_OK: usize = 0;
/// A watchdog bit (its `action terminate`).
pub const EXIT_WATCHDOG: usize = 4;
/// An unsupported operation under `unsupported ... abort`.
pub const EXIT_UNSUPPORTED: usize = 5;
/// A `qvm` run by another for `set on-reset restart` (`supervise.rs`): the
/// guest asked for a reset, start it again. Seen only by that parent, never
/// as a `qvm`'s own status (not one of the spec's).
pub const EXIT_RESET_TO_RESTART: usize = 82;
/// Failed before the guest started.
pub const EXIT_START_FAILED: usize = 64;
/// Bad configuration.
pub const EXIT_BAD_CONFIG: usize = 65;
/// Failed after the guest started.
pub const EXIT_RUN_FAILED: usize = 96;
