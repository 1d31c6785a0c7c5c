//! `ktest badcalls`, the introspection calls (`thread_list`,
//! `process_regions`, `irq_list`, `phys_map`, `process_open`): ktest holds
//! no power, so reading other processes or the machine is refused
//! (`EACCES`) while its own memory map and its own child stay in reach;
//! bad rights, pids and row counts are errors, never a fault.

use crate::badcalls::{ANY, Checks};
use abi::{Error, Rights, Sys};
use ulib::{info, process, sys};

/// A kernel address: never the caller's memory.
const KERNEL_ADDRESS: usize = 0xffff_0000_0000_0000;

/// Every check of the introspection calls.
pub fn check(c: &mut Checks) {
    let denied = Err(Error::AccessDenied);
    c.expect(
        "thread_list without POWER_INFO",
        info::threads().map(|r| r.len()),
        denied,
    );
    c.expect(
        "irq_list without POWER_INFO",
        info::irqs().map(|r| r.len()),
        denied,
    );
    c.expect(
        "phys_map without POWER_INFO",
        info::phys_map().map(|r| r.len()),
        denied,
    );
    c.expect(
        "process_regions of init",
        info::regions(1).map(|r| r.len()),
        denied,
    );
    c.expect(
        "process_open of init",
        info::process_open(1, Rights::KILL),
        denied,
    );
    c.expect(
        "process_regions of no process",
        info::regions(u64::MAX).map(|r| r.len()),
        Err(Error::NotFound),
    );
    c.expect(
        "process_open of no process",
        info::process_open(u64::MAX, Rights::WAIT),
        Err(Error::NotFound),
    );
    c.expect(
        "process_open with DUPLICATE",
        info::process_open(1, Rights::DUPLICATE),
        Err(Error::InvalidArgument),
    );
    own_child(c);
}

/// The caller's own memory map and child: listed, opened, ended.
fn own_child(c: &mut Checks) {
    let Ok(h) = process::spawn("/bin/ktest", &["ktest", "spin"]) else {
        c.expect("spawn a child", Err(Error::NoMemory), ANY);
        return;
    };
    // The child is the newest process; its parent is this one.
    let rows = process::list();
    let Some(child) = rows.iter().max_by_key(|r| r.pid) else {
        c.expect("process_list sees the child", Err(Error::NotFound), ANY);
        return;
    };
    let (child, me) = (child.pid, child.parent);
    let regions = info::regions(me).unwrap_or_default();
    c.expect(
        "process_regions of itself lists its program",
        Ok(regions.len()),
        if regions.iter().any(|r| r.flags & abi::REGION_EXEC != 0) {
            Ok(regions.len())
        } else {
            Err(Error::NotFound)
        },
    );
    let bad_buffer = sys::call(
        Sys::ProcessRegions,
        [me as usize, KERNEL_ADDRESS, 8, 0, 0, 0],
    );
    c.expect(
        "process_regions into kernel memory",
        bad_buffer,
        Err(Error::Fault),
    );
    c.expect(
        "its own map without physical addresses",
        Ok(regions.iter().filter(|r| r.physical != 0).count()),
        Ok(0),
    );
    let too_many = sys::call(Sys::ProcessRegions, [me as usize, 0, 1 << 20, 0, 0, 0]);
    c.expect(
        "process_regions of 1M rows",
        too_many,
        Err(Error::InvalidArgument),
    );
    match info::process_open(child, Rights::KILL) {
        Ok(opened) => {
            c.expect("slay its child", process::kill(opened, 0), Ok(0));
            c.expect(
                "the child ended killed",
                process::wait(h),
                Ok(abi::STATUS_KILLED),
            );
            c.expect("close the opened handle", sys::handle_close(opened), Ok(0));
        }
        Err(e) => {
            c.expect("process_open of its child", Err(e), ANY);
            let _ = process::kill(h, 0);
            let _ = process::wait(h);
        }
    }
    let _ = sys::handle_close(h);
}
