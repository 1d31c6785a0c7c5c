//! `slay PID|NAME` and `dump PID|NAME`: which processes a target means. A
//! number is a pid; a name means every process of that name (as QNX's
//! `slay` does). For `slay` the shell then opens each (`process_open` with
//! KILL and WAIT, which needs `allow=slay` for another's), ends it with
//! `STATUS_KILLED` and waits until it has ended; for `dump` it sends each
//! the pulse `abi::PULSE_DUMP` (a `qvm` writes its guest's core).

use abi::ProcessInfo;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The pids `target` means among `procs`, or the message that none does.
/// A pid is taken as it is (the kernel says whether there is such a
/// process).
pub fn targets(command: &str, target: &str, procs: &[ProcessInfo]) -> Result<Vec<u64>, String> {
    if let Ok(pid) = target.parse::<u64>() {
        return Ok(alloc::vec![pid]);
    }
    let pids: Vec<u64> = procs
        .iter()
        .filter(|p| crate::text(&p.name) == target)
        .map(|p| p.pid)
        .collect();
    if pids.is_empty() {
        return Err(format!("{command}: {target}: no such process"));
    }
    Ok(pids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::process;

    #[test]
    fn pids_and_names() {
        let procs = [
            process(1, 0, "init"),
            process(5, 1, "ticker1"),
            process(6, 1, "ticker2"),
            process(8, 1, "ticker1"),
        ];
        assert_eq!(targets("slay", "6", &procs), Ok(alloc::vec![6]));
        assert_eq!(targets("slay", "99", &procs), Ok(alloc::vec![99]));
        assert_eq!(targets("slay", "ticker1", &procs), Ok(alloc::vec![5, 8]));
        assert_eq!(
            targets("dump", "linux", &procs),
            Err(String::from("dump: linux: no such process"))
        );
    }
}
