//! `pidin`'s default view: a row per thread, `pid tid name prio STATE cpu`,
//! and the vCPU a `qvm` thread runs (`vcpu0`), as QNX's `pidin` lists
//! threads with their state words.

use abi::{NO_VCPU, ProcessInfo, ThreadInfo};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// The QNX-like word for a `THREAD_*` state.
pub fn state(state: u32) -> String {
    let word = match state {
        abi::THREAD_RUNNING => "RUNNING",
        abi::THREAD_READY => "READY",
        abi::THREAD_SLEEP => "NANOSLEEP",
        abi::THREAD_FUTEX => "MUTEX",
        abi::THREAD_CONSOLE => "CONSOLE",
        abi::THREAD_WAIT => "WAIT",
        abi::THREAD_WFI => "WFI",
        abi::THREAD_VCPU_OFF => "STOPPED",
        abi::THREAD_GUEST => "GUEST",
        abi::THREAD_DEAD => "DEAD",
        abi::THREAD_PULSE => "RECEIVE",
        other => return format!("?{other}"),
    };
    String::from(word)
}

/// The table of `threads` (of process `only`, if given), by pid and tid,
/// process names from `procs`.
pub fn table(threads: &[ThreadInfo], procs: &[ProcessInfo], only: Option<u64>) -> String {
    let mut rows: Vec<&ThreadInfo> = threads
        .iter()
        .filter(|t| only.is_none_or(|pid| t.pid == pid))
        .collect();
    rows.sort_by_key(|t| (t.pid, t.tid));
    let mut out = format!(
        "{:>8} {:>4} {:<16} {:>4} {:<10} {:>3}\n",
        "pid", "tid", "name", "prio", "STATE", "cpu"
    );
    for t in rows {
        let _ = write!(
            out,
            "{:>8} {:>4} {:<16} {:>4} {:<10} {:>3}",
            t.pid,
            t.tid,
            crate::process_name(procs, t.pid),
            t.priority,
            state(t.state),
            t.cpu
        );
        if t.vcpu != NO_VCPU {
            let _ = write!(out, " vcpu{}", t.vcpu);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::process;

    fn thread(pid: u64, tid: u32, state: u32, cpu: u32, vcpu: u32) -> ThreadInfo {
        ThreadInfo {
            pid,
            tid,
            state,
            priority: 10,
            cpu,
            vcpu,
            affinity: 0,
        }
    }

    #[test]
    fn a_row_per_thread_in_pid_order_with_vcpus() {
        let procs = [
            process(1, 0, "init"),
            process(3, 1, "ticker1"),
            process(2, 1, "shell"),
        ];
        let threads = [
            thread(3, 2, abi::THREAD_GUEST, 1, 0),
            thread(3, 1, abi::THREAD_CONSOLE, 0, NO_VCPU),
            thread(1, 1, abi::THREAD_WAIT, 0, NO_VCPU),
            thread(2, 1, abi::THREAD_RUNNING, 0, NO_VCPU),
            thread(3, 3, abi::THREAD_VCPU_OFF, 0, 1),
        ];
        assert_eq!(
            table(&threads, &procs, None),
            "     pid  tid name             prio STATE      cpu\n\
             \x20      1    1 init               10 WAIT         0\n\
             \x20      2    1 shell              10 RUNNING      0\n\
             \x20      3    1 ticker1            10 CONSOLE      0\n\
             \x20      3    2 ticker1            10 GUEST        1 vcpu0\n\
             \x20      3    3 ticker1            10 STOPPED      0 vcpu1\n"
        );
        let one = table(&threads, &procs, Some(2));
        assert_eq!(one.lines().count(), 2, "{one}");
        assert!(one.ends_with("RUNNING      0\n"), "{one}");
    }

    #[test]
    fn every_state_has_a_word() {
        let words: Vec<String> = (1..=10).map(state).collect();
        assert_eq!(
            words.join(" "),
            "RUNNING READY NANOSLEEP MUTEX CONSOLE WAIT WFI STOPPED GUEST DEAD"
        );
        assert_eq!(state(99), "?99");
    }
}
