//! The tables of `pidin`, QNX's process and thread lister, each a pure
//! function of the kernel's records: threads ([`threads`]), memory regions
//! ([`mem`]), interrupts ([`irqs`]), the physical memory map ([`asinfo`])
//! and the system summary ([`info`]).

pub mod asinfo;
pub mod info;
pub mod irqs;
pub mod mem;
pub mod threads;

use abi::{OWNER_KERNEL, ProcessInfo};
use alloc::format;
use alloc::string::String;

/// What `pidin` says when a listing call fails: with a hint when the shell
/// lacks the power to read it.
pub fn error(e: abi::Error) -> String {
    if e == abi::Error::AccessDenied {
        format!("pidin: {} (start the shell with allow=info)", e.name())
    } else {
        format!("pidin: {}", e.name())
    }
}

/// Who holds something: `PID NAME`, `kernel`, or `-` for nobody.
pub fn owner(procs: &[ProcessInfo], owner: u64) -> String {
    match owner {
        OWNER_KERNEL => String::from("kernel"),
        0 => String::from("-"),
        pid => format!("{pid} {}", crate::process_name(procs, pid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::process;

    #[test]
    fn errors_say_what_to_do() {
        assert_eq!(
            error(abi::Error::AccessDenied),
            "pidin: EACCES (start the shell with allow=info)"
        );
        assert_eq!(error(abi::Error::NoSys), "pidin: ENOSYS");
    }

    #[test]
    fn owners_are_named() {
        let procs = [process(4, 1, "rtc")];
        assert_eq!(owner(&procs, OWNER_KERNEL), "kernel");
        assert_eq!(owner(&procs, 0), "-");
        assert_eq!(owner(&procs, 4), "4 rtc");
        assert_eq!(owner(&procs, 5), "5 ?");
    }
}
