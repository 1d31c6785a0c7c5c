//! Settings of the VM as a whole: `unsupported`, `logger`, `set`.

use alloc::string::String;
use alloc::vec::Vec;

use super::Origin;

/// What to do when the guest does what cannot be emulated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsupportedAction {
    /// End the VM (`qvm` exits 5).
    Abort,
    /// Inject an exception into the guest, as hardware would (the default).
    Fail,
    /// Carry on: writes are dropped, reads give all ones.
    Ignore,
}

/// The `unsupported` policies, one per kind of operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// An instruction that traps and is not emulated.
    pub instruction: UnsupportedAction,
    /// A memory reference to a guest-physical address with nothing there.
    pub reference: UnsupportedAction,
    /// A system register that traps and is not emulated.
    pub register: UnsupportedAction,
}

impl Default for Unsupported {
    fn default() -> Self {
        Unsupported {
            instruction: UnsupportedAction::Fail,
            reference: UnsupportedAction::Fail,
            register: UnsupportedAction::Fail,
        }
    }
}

/// Log levels of `logger`, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `fatal`.
    Fatal,
    /// `internal`: an error in `qvm` itself. QNX always sends these to
    /// `slog`; ours (a panic of `qvm`) are always printed on the console.
    Internal,
    /// `error`.
    Error,
    /// `warn`.
    Warn,
    /// `info`.
    Info,
    /// `debug`.
    Debug,
    /// `verbose`.
    Verbose,
}

/// Where `logger` output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogDest {
    /// `stdout`.
    Stdout,
    /// `stderr`.
    Stderr,
    /// `slog`: QNX's system logger (slogger2). The host has none: mapped to
    /// the host console, as `stdout` and `stderr` are.
    Slog,
    /// `none`: dropped.
    None,
}

/// `logger FILTERS DEST`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logger {
    /// The levels this logger takes.
    pub levels: Vec<LogLevel>,
    /// Where they go.
    pub dest: LogDest,
    /// The option.
    pub origin: Origin,
}

/// `set` variables; a later `set` of a variable replaces an earlier one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    /// `set fdt-dump-file PATH`: write the guest device tree there.
    pub fdt_dump_file: Option<String>,
    /// `set exit-on-halt BOOL`: end the VM when every vCPU is halted.
    pub exit_on_halt: Option<bool>,
    /// `set counter-offset N`: the guest's virtual counter offset.
    pub counter_offset: Option<u64>,
    /// `set on-reset exit|restart`: what a guest reset does (`None`: exit).
    pub on_reset: Option<OnReset>,
    /// Any other variable, kept as written, in order.
    pub other: Vec<(String, String)>,
}

/// `set on-reset`: what `qvm` does when the guest asks for a reset (PSCI
/// SYSTEM_RESET). Not a QNX variable: QNX's `qvm` always ends and leaves a
/// restart to a loop on the host; `exit` is that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnReset {
    /// `exit`: `qvm` ends with status 0 (the default).
    #[default]
    Exit,
    /// `restart`: `qvm` builds the VM afresh and runs it again.
    Restart,
}

impl OnReset {
    /// The value as written after `set on-reset`.
    pub fn word(self) -> &'static str {
        match self {
            OnReset::Exit => "exit",
            OnReset::Restart => "restart",
        }
    }
}
