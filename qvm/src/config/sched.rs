//! The policy of a `cpu`'s `sched`, in QNX's forms: a priority with the
//! host's default policy, `r` (round robin), `f` (FIFO), `o` (QNX's
//! "other", which QNX runs as round robin), or the sporadic server. The
//! words are read by `sched_form.rs`; what `qvm` does with each is
//! `honour`'s to say.

use alloc::format;
use alloc::string::String;

/// Host thread priority and policy of a vCPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sched {
    /// Priority, 1 to [`MAX_PRIORITY`] (a sporadic server's high
    /// priority: 1 to [`QNX_MAX_PRIORITY`]).
    pub priority: u8,
    /// `r`, `f`, `o` or sporadic; `None` means the host's default.
    pub policy: Option<SchedPolicy>,
}

/// Highest vCPU thread priority: the host kernel's `abi::PRIORITY_MAX`.
pub const MAX_PRIORITY: u8 = 63;

/// Highest thread priority in QNX (privileged threads).
pub const QNX_MAX_PRIORITY: u8 = 255;

/// Scheduling policy: the letter after the priority, or the sporadic form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedPolicy {
    /// `r`: round robin.
    RoundRobin,
    /// `f`: first in, first out.
    Fifo,
    /// `o`: QNX's `SCHED_OTHER`, which QNX runs as round robin.
    Other,
    /// `HIGH,LOW,MAX_REPL,PERIOD,BUDGETs`: QNX's sporadic server.
    Sporadic(Sporadic),
}

/// The sporadic server's parameters besides its high priority
/// ([`Sched::priority`]), as QNX's `sched_param.sched_ss_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sporadic {
    /// The priority the thread drops to when its budget is spent.
    pub low: u8,
    /// The most replenishments pending at once.
    pub max_repl: u32,
    /// The replenishment period, as written (QNX: nanoseconds).
    pub period: u64,
    /// The budget at the high priority, as written (QNX: nanoseconds).
    pub budget: u64,
}

impl SchedPolicy {
    /// The policy as written after the priority (`r`, `f`, `o`); the
    /// sporadic form as a whole is [`Sched::describe`]'s.
    pub fn letter(self) -> &'static str {
        match self {
            SchedPolicy::RoundRobin => "r",
            SchedPolicy::Fifo => "f",
            SchedPolicy::Other => "o",
            SchedPolicy::Sporadic(_) => "s",
        }
    }
}

impl Sched {
    /// The argument of `sched` as written (numbers in decimal).
    pub fn describe(&self) -> String {
        match self.policy {
            Some(SchedPolicy::Sporadic(s)) => format!(
                "{},{},{},{},{}s",
                self.priority, s.low, s.max_repl, s.period, s.budget
            ),
            Some(p) => format!("{}{}", self.priority, p.letter()),
            None => format!("{}", self.priority),
        }
    }
}
