//! Named shared memory between two processes: a parent and a child map one
//! object at different addresses, the child reads the parent's pattern and
//! wakes it through a futex word in the shared page, and every frame comes
//! back once the last reference is gone.
//!
//! Access control: the child shares the parent's namespace (spawned with
//! `SHM_SPACE_SAME`); `shm-outsider`, spawned in a namespace of its own,
//! opens the same name and must get a different, zeroed object; a handle
//! without `MAP` or `WRITE` cannot be mapped that way.
//!
//! `shm` measures; `shm-parent` (run twice: once to warm up, once
//! measured) maps the object and starts `shm-child`. The measuring is done
//! from outside because a process that mapped an object keeps it until it
//! ends.

use abi::{Error, PAGE_SIZE, Rights, SHM_SPACE_PRIVATE, SHM_SPACE_SAME, prot};
use core::sync::atomic::{AtomicU32, Ordering};
use ulib::{println, process, sys};

/// The object both sides open.
const NAME: &str = "ktest-shm";
/// Its size.
const SIZE: usize = 2 * PAGE_SIZE;
/// Where the parent maps it.
const PARENT_VA: usize = abi::USER_BASE + 0x20_1000_0000;
/// Where the child maps it.
const CHILD_VA: usize = abi::USER_BASE + 0x20_2000_0000;
/// The 32-bit word (index) the child answers in and the parent waits on:
/// the first of the second page.
const REPLY: usize = PAGE_SIZE / 4;
/// The child's answer when it saw the whole pattern.
const REPLY_OK: u32 = 0x600d_5e1f;
/// The child's answer when it did not.
const REPLY_BAD: u32 = 0xbad;
/// How long the parent waits for the answer.
const TIMEOUT_NS: u64 = 10_000_000_000;

fn pattern(i: usize) -> u32 {
    0x5348_0000 ^ (i as u32).wrapping_mul(0x9e37)
}

/// The `i`th 32-bit word of the object mapped at `base`.
fn word(base: usize, i: usize) -> &'static AtomicU32 {
    // SAFETY: callers pass a `base` where the object is mapped readable
    // and writable for the rest of the process, and `i < SIZE / 4`.
    unsafe { &*((base + 4 * i) as *const AtomicU32) }
}

fn open_and_map(va: usize) -> Result<usize, (&'static str, Error)> {
    let h = sys::shm_open(NAME, SIZE).map_err(|e| ("shm_open", e))?;
    sys::shm_map(h, va, prot::READ | prot::WRITE).map_err(|e| ("shm_map", e))?;
    Ok(h)
}

/// `shm-child`: checks the pattern at its own address, answers, wakes the
/// parent. Leaves the object mapped and its handle open: its end must
/// release both.
pub fn child() -> usize {
    if let Err((call, e)) = open_and_map(CHILD_VA) {
        println!("FAIL ktest shm: child: {call}: {}", e.name());
        return 1;
    }
    let wrong = (0..SIZE / 4)
        .filter(|&i| i != REPLY && word(CHILD_VA, i).load(Ordering::Relaxed) != pattern(i))
        .count();
    let answer = if wrong == 0 { REPLY_OK } else { REPLY_BAD };
    word(CHILD_VA, REPLY).store(answer, Ordering::Release);
    if let Err(e) = sys::futex_wake(word(CHILD_VA, REPLY), 1) {
        println!("FAIL ktest shm: child: futex_wake: {}", e.name());
        return 1;
    }
    if wrong != 0 {
        println!("FAIL ktest shm: child: {wrong} words of the pattern differ");
        return 1;
    }
    0
}

/// Where the outsider maps its object.
const OUTSIDER_VA: usize = abi::USER_BASE + 0x20_3000_0000;

/// Runs `ktest ARGS...` in shared-memory namespace `space`; its status.
fn run_in(args: &[&str], space: usize) -> Result<usize, Error> {
    let h = process::spawn_in("/bin/ktest", args, space)?;
    let status = process::wait(h);
    let _ = sys::handle_close(h);
    status
}

/// `shm-outsider`: in a namespace of its own, the parent's name opens a
/// different object: fresh and zeroed, not the parent's pattern.
pub fn outsider() -> usize {
    if let Err((call, e)) = open_and_map(OUTSIDER_VA) {
        println!("FAIL ktest shm: outsider: {call}: {}", e.name());
        return 1;
    }
    let seen = (0..SIZE / 4)
        .filter(|&i| word(OUTSIDER_VA, i).load(Ordering::Relaxed) != 0)
        .count();
    if seen != 0 {
        println!(
            "FAIL ktest shm: outsider: {seen} words of another namespace's object are visible"
        );
        return 1;
    }
    0
}

/// A handle with fewer rights maps only as they allow.
fn rights_hold(h: usize) -> bool {
    let read_only = sys::handle_dup(h, Rights::READ | Rights::MAP);
    let no_map = sys::handle_dup(h, Rights::READ | Rights::WRITE);
    let (Ok(read_only), Ok(no_map)) = (read_only, no_map) else {
        println!("FAIL ktest shm: handle_dup: {read_only:?} {no_map:?}");
        return false;
    };
    let va = OUTSIDER_VA + 0x10_0000;
    let write = sys::shm_map(read_only, va, prot::READ | prot::WRITE);
    let unmapped = sys::shm_map(no_map, va, prot::READ);
    let _ = sys::handle_close(read_only);
    let _ = sys::handle_close(no_map);
    if write != Err(Error::AccessDenied) || unmapped != Err(Error::AccessDenied) {
        println!("FAIL ktest shm: rights: write map {write:?}, map without MAP {unmapped:?}");
        return false;
    }
    true
}

/// `shm-parent [quiet]`: maps the object, writes the pattern, starts the
/// child, waits on the reply word, then unmaps, closes and waits for the
/// child.
pub fn parent(quiet: bool) -> usize {
    let h = match open_and_map(PARENT_VA) {
        Ok(h) => h,
        Err((call, e)) => {
            println!("FAIL ktest shm: {call}: {}", e.name());
            return 1;
        }
    };
    for i in 0..SIZE / 4 {
        let value = if i == REPLY { 0 } else { pattern(i) };
        word(PARENT_VA, i).store(value, Ordering::Relaxed);
    }
    let outsider = run_in(&["ktest", "shm-outsider"], SHM_SPACE_PRIVATE);
    if outsider != Ok(0) {
        println!("FAIL ktest shm: shm-outsider ended with {outsider:?}");
        return 1;
    }
    if !rights_hold(h) {
        return 1;
    }
    if !quiet {
        println!(
            "ktest shm: another namespace's process opening the same name got its own zeroed \
             object; handles without MAP or WRITE were refused"
        );
    }
    let child = match process::spawn_in("/bin/ktest", &["ktest", "shm-child"], SHM_SPACE_SAME) {
        Ok(c) => c,
        Err(e) => {
            println!("FAIL ktest shm: cannot start the child: {}", e.name());
            return 1;
        }
    };
    let reply = word(PARENT_VA, REPLY);
    let start = sys::clock();
    let mut wakeups = 0;
    let answer = loop {
        let seen = reply.load(Ordering::Acquire);
        if seen != 0 {
            break Ok(seen);
        }
        let left = TIMEOUT_NS.saturating_sub(sys::clock() - start);
        if left == 0 {
            break Err(Error::TimedOut);
        }
        match sys::futex_wait(reply, 0, left) {
            Ok(_) => wakeups += 1,
            Err(Error::WouldBlock) | Err(Error::TimedOut) => {}
            Err(e) => break Err(e),
        }
    };
    let mut ok = true;
    match answer {
        Ok(REPLY_OK) => {
            if !quiet {
                println!(
                    "ktest shm: the child read the pattern at {CHILD_VA:#x} (the parent's at \
                     {PARENT_VA:#x}) and answered through the shared futex word ({wakeups} wake-ups)"
                );
            }
        }
        Ok(other) => {
            println!("FAIL ktest shm: the child answered {other:#x}");
            ok = false;
        }
        Err(e) => {
            println!("FAIL ktest shm: no answer from the child: {}", e.name());
            ok = false;
        }
    }
    let unmapped = sys::mem_unmap(PARENT_VA, SIZE);
    let closed = sys::handle_close(h);
    let status = process::wait(child);
    let _ = sys::handle_close(child);
    if unmapped != Ok(0) || closed != Ok(0) || status != Ok(0) {
        println!("FAIL ktest shm: unmap {unmapped:?}, close {closed:?}, child status {status:?}");
        ok = false;
    }
    // Unmapped and closed here, the child gone: this process's mapping
    // still holds the object (same name, so another size is refused).
    match sys::shm_open(NAME, PAGE_SIZE) {
        Err(Error::InvalidArgument) => {
            if !quiet {
                println!("ktest shm: the object lives on while a process that mapped it runs");
            }
        }
        other => {
            println!("FAIL ktest shm: reopening with another size gave {other:?}");
            ok = false;
        }
    }
    if ok { 0 } else { 1 }
}

fn run_parent(quiet: bool) -> bool {
    let args: &[&str] = if quiet {
        &["ktest", "shm-parent", "quiet"]
    } else {
        &["ktest", "shm-parent"]
    };
    match run_in(args, SHM_SPACE_SAME) {
        Ok(0) => true,
        other => {
            println!("FAIL ktest shm: shm-parent ended with {other:?}");
            false
        }
    }
}

/// An object only a handle refers to goes, frames and name, when the
/// handle closes.
fn close_frees() -> bool {
    let name = "ktest-shm-close";
    let before = sys::sysinfo().free_memory;
    let h = match sys::shm_open(name, SIZE) {
        Ok(h) => h,
        Err(e) => {
            println!("FAIL ktest shm: shm_open {name}: {}", e.name());
            return false;
        }
    };
    let open = sys::sysinfo().free_memory;
    let closed = sys::handle_close(h);
    let after = sys::sysinfo().free_memory;
    // The name is free again: another size is accepted.
    let reopened = sys::shm_open(name, PAGE_SIZE).and_then(sys::handle_close);
    if before.checked_sub(open) != Some(SIZE as u64)
        || after != before
        || closed != Ok(0)
        || reopened != Ok(0)
    {
        println!(
            "FAIL ktest shm: open/close: free memory {before} -> {open} -> {after} bytes, \
             close {closed:?}, reopen {reopened:?}"
        );
        return false;
    }
    println!("ktest shm: an unmapped object went with its last handle: {SIZE} bytes back");
    true
}

/// The `shm` mode.
pub fn run() -> usize {
    // One cycle first, so this process's heap has grown to what a cycle
    // needs before free memory is measured.
    if !run_parent(true) {
        return 1;
    }
    let before = sys::sysinfo().free_memory;
    if !run_parent(false) {
        return 1;
    }
    let after = sys::sysinfo().free_memory;
    if !crate::same_free_memory("ktest shm: parent and child ended", before, after) {
        return 1;
    }
    // Both processes that mapped it ended: the name is free.
    match sys::shm_open(NAME, PAGE_SIZE).and_then(sys::handle_close) {
        Ok(0) => {}
        other => {
            println!("FAIL ktest shm: {NAME} outlived its users: {other:?}");
            return 1;
        }
    }
    if !close_frees() {
        return 1;
    }
    println!("ktest shm: ok");
    0
}
