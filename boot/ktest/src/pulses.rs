//! `process_pulse` and `pulse_wait` with bad arguments, for `badcalls`:
//! a wait that times out, a handle that is no process or lacks KILL, a
//! code past 32 bits, a queue that fills up (a child that never reads its
//! pulses: `ktest late`), and a pulse to a process that has ended.

use crate::badcalls::{ANY, Checks};
use abi::{Error, PULSE_QUEUE, Rights, Sys};
use ulib::{process, sys};

/// The pulse checks.
pub fn checks(c: &mut Checks) {
    c.expect(
        "pulse_wait with none sent",
        sys::call(Sys::PulseWait, [1_000_000, 0, 0, 0, 0, 0]),
        Err(Error::TimedOut),
    );
    c.expect(
        "pulse to no handle",
        process::pulse(999, 1),
        Err(Error::BadHandle),
    );
    let Ok(child) = process::spawn("/bin/ktest", &["ktest", "late", "2000"]) else {
        c.expect("spawn a pulse target", Err(Error::NoMemory), ANY);
        return;
    };
    c.expect(
        "pulse code past 32 bits",
        sys::call(Sys::ProcessPulse, [child, 1 << 32, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    if let Ok(wait_only) = sys::handle_dup(child, Rights::WAIT) {
        c.expect(
            "pulse through a handle without KILL",
            process::pulse(wait_only, 1),
            Err(Error::AccessDenied),
        );
        let _ = sys::handle_close(wait_only);
    }
    for n in 0..PULSE_QUEUE {
        c.expect(
            "a pulse to a child that reads none",
            process::pulse(child, n as u32),
            Ok(0),
        );
    }
    c.expect(
        "a pulse past the full queue",
        process::pulse(child, 99),
        Err(Error::WouldBlock),
    );
    let _ = process::kill(child, 0);
    let _ = process::wait(child);
    c.expect(
        "a pulse to an ended process",
        process::pulse(child, 1),
        Err(Error::NotFound),
    );
    let _ = sys::handle_close(child);
}
