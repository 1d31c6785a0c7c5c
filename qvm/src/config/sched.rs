//! The argument of a `cpu`'s `sched`, in QNX's forms: `PRIO` (the host's
//! default policy), `PRIOr` (round robin), `PRIOf` (FIFO), `PRIOo`
//! (QNX's "other", which QNX runs as round robin), and the sporadic server
//! `HIGH,LOW,MAX_REPL,PERIOD,BUDGETs`. What `qvm` does with each is
//! `honour`'s to say.

use alloc::format;
use alloc::string::String;

use super::value::{self, Bad};

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

/// The form of `sched`, for messages.
pub const SCHED_FORM: &str = "<priority>[r|f|o] or <high>,<low>,<max_repl>,<period>,<budget>s";

/// Parses `text`, the word after `sched`.
pub fn sched(text: &str) -> Result<Sched, Bad> {
    if text.contains(',') {
        return sporadic(text);
    }
    let (digits, policy) = match text.as_bytes().last() {
        Some(b'r') => (&text[..text.len() - 1], Some(SchedPolicy::RoundRobin)),
        Some(b'f') => (&text[..text.len() - 1], Some(SchedPolicy::Fifo)),
        Some(b'o') => (&text[..text.len() - 1], Some(SchedPolicy::Other)),
        _ => (text, None),
    };
    let priority = priority(digits, QNX_MAX_PRIORITY)?;
    if priority > MAX_PRIORITY {
        return Err(Bad::Why(format!(
            "priority {priority} is not honoured: the host's thread priorities go up to \
             {MAX_PRIORITY} (QNX's to {QNX_MAX_PRIORITY})"
        )));
    }
    Ok(Sched { priority, policy })
}

/// A priority from 1 to `max` (0 is the idle thread's).
fn priority(digits: &str, max: u8) -> Result<u8, Bad> {
    let p = value::bounded(digits, max.into())?;
    if p == 0 {
        return Err(Bad::from("priority 0 is the idle priority"));
    }
    Ok(p as u8)
}

/// `HIGH,LOW,MAX_REPL,PERIOD,BUDGETs`: five numbers, the last followed by
/// `s`. Priorities take QNX's range (1 to 255): the form is refused by
/// name whatever its numbers (`honour`), so a QNX file's own values parse.
fn sporadic(text: &str) -> Result<Sched, Bad> {
    let body = text.strip_suffix('s').ok_or_else(|| {
        Bad::from("a sporadic 'sched' ends in 's' (<high>,<low>,<max_repl>,<period>,<budget>s)")
    })?;
    let parts: alloc::vec::Vec<&str> = body.split(',').collect();
    let [high, low, max_repl, period, budget] = parts[..] else {
        return Err(Bad::Why(format!(
            "a sporadic 'sched' has 5 numbers, not {}",
            parts.len()
        )));
    };
    let high = priority(high, QNX_MAX_PRIORITY)?;
    let low = priority(low, QNX_MAX_PRIORITY)?;
    if low > high {
        return Err(Bad::Why(format!(
            "the low priority {low} is above the high priority {high}"
        )));
    }
    let sporadic = Sporadic {
        low,
        max_repl: value::bounded(max_repl, u32::MAX.into())? as u32,
        period: value::number(period, false)?,
        budget: value::number(budget, false)?,
    };
    Ok(Sched {
        priority: high,
        policy: Some(SchedPolicy::Sporadic(sporadic)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_priority_forms() {
        let s = |p, policy| {
            Ok(Sched {
                priority: p,
                policy,
            })
        };
        assert_eq!(sched("10"), s(10, None));
        assert_eq!(sched("10r"), s(10, Some(SchedPolicy::RoundRobin)));
        assert_eq!(sched("10f"), s(10, Some(SchedPolicy::Fifo)));
        assert_eq!(sched("10o"), s(10, Some(SchedPolicy::Other)));
        assert_eq!(sched("0x3fr"), s(63, Some(SchedPolicy::RoundRobin)));
        assert!(sched("64").is_err());
        assert!(sched("0r").is_err());
        assert_eq!(sched("10x"), Err(Bad::Form));
        assert_eq!(sched("o"), Err(Bad::Form));
    }

    #[test]
    fn the_sporadic_form() {
        let want = Sched {
            priority: 100,
            policy: Some(SchedPolicy::Sporadic(Sporadic {
                low: 8,
                max_repl: 5,
                period: 1_000_000,
                budget: 200_000,
            })),
        };
        assert_eq!(sched("100,8,5,1000000,200000s"), Ok(want));
        assert!(matches!(sched("10,8,5,1000,200"), Err(Bad::Why(w)) if w.contains("ends in 's'")));
        assert!(
            matches!(sched("10,8,5,1000s"), Err(Bad::Why(w)) if w.contains("5 numbers, not 4"))
        );
        assert!(matches!(sched("8,10,5,1000,200s"), Err(Bad::Why(w)) if w.contains("above")));
        assert!(sched("256,8,5,1000,200s").is_err());
        assert!(sched("10,0,5,1000,200s").is_err());
    }
}
