//! The argument of a `cpu`'s `sched` as QNX writes it: `PRIO`, `PRIOr`,
//! `PRIOf`, `PRIOo`, and the sporadic server
//! `HIGH,LOW,MAX_REPL,PERIOD,BUDGETs`.

use alloc::format;

use super::sched::{MAX_PRIORITY, QNX_MAX_PRIORITY, Sched, SchedPolicy, Sporadic};
use super::value::{self, Bad};

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
