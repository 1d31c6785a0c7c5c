//! The host calls (0–21, 29) and unknown numbers, each with random and
//! boundary arguments. Left out, because they would end or hang the
//! fuzzer rather than test the kernel: `exit`, `thread_exit`, a
//! `thread_create` at a mapped-but-wrong entry (the thread faults and its
//! process ends), `console_read` into memory it could write (it waits for
//! input), `futex_wait` and `sleep` without a short bound, `mem_unmap` of
//! its own memory, spawning anything but `ktest exit0` / `ktest late 30`
//! (or a bad path), and `console_write` of anything but spaces.

use super::ctx::Ctx;
use super::pick;
use super::state::{self, Kind, RO_PAGE, SCRATCH, SCRATCH_LEN, SPACES, code_page, harmless_unmap};
use abi::{PAGE_SIZE, SHM_SPACE_PRIVATE, SHM_SPACE_SAME, Sys, USER_TOP};

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".text",
    ".balign 4",
    // A thread that needs no stack: `x0 & 63` yields, then thread_exit.
    ".global ktest_fuzz_tiny_thread",
    "ktest_fuzz_tiny_thread:",
    "   and x9, x0, #63",
    "1: mov x8, #10",
    "   svc #0",
    "   subs x9, x9, #1",
    "   b.hi 1b",
    "   mov x8, #6",
    "   svc #0",
    "   brk #0",
);

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".text",
    // The same on x86: the count in R12 (the kernel keeps every register
    // but RAX across `int 0x80`).
    ".global ktest_fuzz_tiny_thread",
    "ktest_fuzz_tiny_thread:",
    "   mov r12, rdi",
    "   and r12, 63",
    "1: mov eax, 10",
    "   int 0x80",
    "   sub r12, 1",
    "   ja 1b",
    "   mov eax, 6",
    "   int 0x80",
    "   ud2",
);

unsafe extern "C" {
    fn ktest_fuzz_tiny_thread();
}

fn tiny_thread() -> usize {
    ktest_fuzz_tiny_thread as *const () as usize
}

/// Paths and names: valid, missing, not a program, empty, too long, not
/// UTF-8.
const PATHS: [&[u8]; 8] = [
    b"/bin/ktest",
    b"/etc/startup",
    b"/bin/nothing",
    b"",
    b"/",
    b"\xff\xfe/bin",
    &[b'a'; 300],
    b"ktest-fuzz-name-of-thirty-two-b",
];

/// A pointer and length for a path or name: one of [`PATHS`] (sometimes
/// cut or overlong), or junk.
fn path(c: &mut Ctx) -> (usize, usize) {
    if c.r.one_in(4) {
        return (c.in_ptr(), c.len());
    }
    let p = c.r.pick(&PATHS);
    let len = if c.r.one_in(8) {
        c.r.below(p.len() + 2)
    } else {
        p.len()
    };
    (p.as_ptr() as usize, len)
}

fn spawn(c: &mut Ctx) {
    const EXIT0: &[u8] = b"ktest\0exit0\0";
    const LATE: &[u8] = b"ktest\0late\x0030\0";
    let space = match c.r.below(4) {
        0 => SHM_SPACE_SAME,
        1 => SHM_SPACE_PRIVATE,
        2 => c.handle_of(|k| *k == Kind::Space),
        _ => c.any_handle(),
    };
    let ktest = PATHS[0];
    let mut handles = state::handles();
    let args = match c.r.below(4) {
        // A real child, while there are few.
        0 | 1 if handles.children() < 6 => {
            let a = if c.r.one_in(4) { LATE } else { EXIT0 };
            [
                ktest.as_ptr() as usize,
                ktest.len(),
                a.as_ptr() as usize,
                a.len(),
                space,
                0,
            ]
        }
        // The program, arguments the kernel must refuse.
        2 => {
            let bad = pick::foreign_addr(&mut c.r);
            let len = c.r.pick(&[4097, 1 << 20, usize::MAX, 8]);
            [ktest.as_ptr() as usize, ktest.len(), bad, len, space, 0]
        }
        // Anything but the program.
        _ => {
            let (mut p, len) = path(c);
            if p == ktest.as_ptr() as usize {
                p = PATHS[2].as_ptr() as usize;
            }
            [p, len, c.in_ptr(), c.len(), space, c.small()]
        }
    };
    if let Ok(h) = c.call(Sys::ProcessSpawn as usize, args) {
        handles.add(h, Kind::Process);
    }
}

fn thread_create(c: &mut Ctx) {
    let entry = if c.r.one_in(5) {
        c.r.pick(&[USER_TOP, USER_TOP + 4, 1 << 48, usize::MAX - 3])
    } else {
        tiny_thread()
    };
    let stack = match c.r.below(4) {
        0 => (SCRATCH + c.r.below(SCRATCH_LEN)) & !15,
        1 => c.r.pick(&[0, 16, USER_TOP, USER_TOP - 16]),
        2 => c.r.pick(&[USER_TOP + 16, 8, usize::MAX & !15, SCRATCH + 8]),
        _ => c.r.next() as usize,
    };
    let affinity = {
        let v = [0, 1, 2, 0xf, 0x8, 1 << 40, usize::MAX, c.r.next() as usize];
        c.r.pick(&v)
    };
    // Few valid priorities: each CPU's run queue keeps a queue per priority
    // that grows on first use and never shrinks, so a priority first used
    // in a measured round would look like a heap leak (docs/testing.md).
    let priority = {
        let v = [0, 10, 63, 64, 65, usize::MAX, c.small()];
        c.r.pick(&v)
    };
    let priority = if priority < 64 && ![0, 10, 63].contains(&priority) {
        10
    } else {
        priority
    };
    let args = [entry, stack, c.r.next() as usize, priority, affinity, 0];
    let mut handles = state::handles();
    if let Ok(h) = c.call(Sys::ThreadCreate as usize, args) {
        let starvable = priority < abi::PRIORITY_DEFAULT;
        handles.add(h, Kind::Thread { starvable });
    }
}

fn futex_wait(c: &mut Ctx) {
    let args = match c.r.below(4) {
        // The read-only page holds 0: any other value returns at once.
        0 => [RO_PAGE + 4 * c.r.below(8), 1 + c.r.below(100), 0, 0, 0, 0],
        // A short wait that runs out.
        1 => [RO_PAGE, 0, 1 + c.r.below(1_000_000), 0, 0, 0],
        // Scratch: whatever the word holds, a short wait at most.
        2 => {
            let addr = SCRATCH + 4 * c.r.below(64);
            [
                addr,
                {
                    let v = [0, 1, c.small()];
                    c.r.pick(&v)
                },
                1 + c.r.below(100_000),
                0,
                0,
                0,
            ]
        }
        // Unaligned or not mapped: refused whatever the timeout.
        _ => {
            let addr = c.r.pick(&[SCRATCH + 1, SCRATCH + 2, RO_PAGE + 3, 0]);
            let addr = if c.r.one_in(2) {
                pick::foreign_addr(&mut c.r)
            } else {
                addr
            };
            [addr, c.small(), c.r.pick(&[0, 1, usize::MAX]), 0, 0, 0]
        }
    };
    let _ = c.call(Sys::FutexWait as usize, args);
}

/// An unmap the fuzzer survives: see [`harmless_unmap`].
fn mem_unmap(c: &mut Ctx) {
    let (mut addr, mut len) = (pick::map_addr(&mut c.r), pick::map_len(&mut c.r));
    while !harmless_unmap(addr, len) {
        addr = pick::map_addr(&mut c.r);
        len = pick::map_len(&mut c.r);
    }
    let _window = state::window();
    let _ = c.call(Sys::MemUnmap as usize, [addr, len, 0, 0, 0, 0]);
}

fn handle_close(c: &mut Ctx) {
    let h = c.any_handle();
    let mut handles = state::handles();
    if c.call(Sys::HandleClose as usize, [h, 0, 0, 0, 0, 0])
        .is_ok()
    {
        handles.remove(h);
    }
}

fn handle_dup(c: &mut Ctx) {
    let h = c.any_handle();
    let rights = {
        let v = [c.r.below(64), 0, 0x3f, 0x7, 0x4, 0x40, 1 << 31, usize::MAX];
        c.r.pick(&v)
    };
    let mut handles = state::handles();
    if let Ok(new) = c.call(Sys::HandleDup as usize, [h, rights, 0, 0, 0, 0]) {
        match handles.get(h) {
            Some(e) => handles.add(new, e.kind),
            // A number another thread's call made; what it is is not known.
            None => handles.remove(new),
        }
    }
}

/// One host call, or an unknown number.
pub fn one(c: &mut Ctx, nr: usize) {
    let args = match nr {
        0 => {
            let (p, len) = match c.r.below(3) {
                0 => (SPACES + c.r.below(PAGE_SIZE), c.r.below(4)),
                1 => (SPACES + PAGE_SIZE - c.r.below(8), c.len()),
                _ => (pick::foreign_addr(&mut c.r), c.len()),
            };
            [p, len, 0, 0, 0, 0]
        }
        1 => {
            let p = {
                let v = [RO_PAGE, code_page(), pick::foreign_addr(&mut c.r), SCRATCH];
                c.r.pick(&v)
            };
            let len = if p == SCRATCH { 0 } else { c.len() };
            [p, len, 0, 0, 0, 0]
        }
        3 => return spawn(c),
        5 => return thread_create(c),
        8 => return futex_wait(c),
        14 => return mem_unmap(c),
        15 => return handle_close(c),
        16 => return handle_dup(c),
        4 | 7 => [c.any_handle(), 0, 0, 0, 0, 0],
        20 => [c.any_handle(), c.small(), 0, 0, 0, 0],
        9 => [c.in_ptr(), c.small(), 0, 0, 0, 0],
        12 => [c.r.pick(&[0, 1, 1000, 100_000, 1_000_000]), 0, 0, 0, 0, 0],
        13 => {
            let prot = {
                let v = [1, 3, 5, 7, 0, 2, 4, 6, 8, 0x13, c.r.next() as usize];
                c.r.pick(&v)
            };
            [
                pick::map_addr(&mut c.r),
                pick::map_len(&mut c.r),
                prot,
                0,
                0,
                0,
            ]
        }
        17 => {
            let (p, len) = path(c);
            [p, len, pick::out_ptr(&mut c.r), c.len(), c.len(), 0]
        }
        18 => [pick::out_ptr(&mut c.r), c.len(), 0, 0, 0, 0],
        21 => [pick::out_ptr(&mut c.r), c.small(), 0, 0, 0, 0],
        29 => {
            let (p, len) = path(c);
            [p, len, 0, 0, 0, 0]
        }
        10 | 11 | 19 => [c.r.next() as usize, 0, 0, 0, 0, 0],
        // The introspection listings (refused: the child has no power) and
        // its own map; `process_open` of a pid (its own children open).
        41 | 43 | 44 => [pick::out_ptr(&mut c.r), c.small(), 0, 0, 0, 0],
        42 => [c.small(), pick::out_ptr(&mut c.r), c.small(), 0, 0, 0],
        45 => [c.small(), c.small(), 0, 0, 0, 0],
        _ => {
            let mut a = [0; 6];
            for x in &mut a {
                *x = if c.r.one_in(2) { c.small() } else { c.in_ptr() };
            }
            a
        }
    };
    let _ = c.call(nr, args);
}
