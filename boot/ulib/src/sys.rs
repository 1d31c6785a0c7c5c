//! Raw system calls: `svc #0` with the number in x8; `int 0x80` with the
//! number in RAX on x86-64 (see `abi`).

use abi::{Sys, SysResult, decode_return};

/// Makes system call `n` with six arguments.
#[inline(always)]
pub fn call(n: Sys, args: [usize; 6]) -> SysResult {
    decode_return(raw(n as usize, args))
}

/// Makes system call number `n` (which may not exist) with six arguments;
/// returns the raw `x0`.
#[inline(always)]
pub fn raw(n: usize, args: [usize; 6]) -> usize {
    let ret: usize;
    #[cfg(target_arch = "aarch64")]
    // SAFETY: the kernel preserves every register but x0, and reads or
    // writes user memory only through the pointers passed, checked.
    unsafe {
        core::arch::asm!(
            "svc #0",
            inlateout("x0") args[0] => ret,
            in("x1") args[1],
            in("x2") args[2],
            in("x3") args[3],
            in("x4") args[4],
            in("x5") args[5],
            in("x8") n,
            options(nostack),
        );
    }
    #[cfg(all(target_arch = "x86_64", target_os = "none"))]
    // SAFETY: as on aarch64: the kernel preserves every register but RAX
    // (`int 0x80`, the number in RAX, arguments in RDI, RSI, RDX, R10, R8,
    // R9).
    unsafe {
        core::arch::asm!(
            "int 0x80",
            inlateout("rax") n => ret,
            in("rdi") args[0],
            in("rsi") args[1],
            in("rdx") args[2],
            in("r10") args[3],
            in("r8") args[4],
            in("r9") args[5],
            options(nostack),
        );
    }
    #[cfg(not(any(
        target_arch = "aarch64",
        all(target_arch = "x86_64", target_os = "none")
    )))]
    {
        let _ = (n, args);
        ret = abi::encode_return(Err(abi::Error::NoSys));
    }
    ret
}

/// `console_write`.
pub fn console_write(bytes: &[u8]) -> SysResult {
    call(
        Sys::ConsoleWrite,
        [bytes.as_ptr() as usize, bytes.len(), 0, 0, 0, 0],
    )
}

/// `console_read`: waits for input.
pub fn console_read(buf: &mut [u8]) -> SysResult {
    call(
        Sys::ConsoleRead,
        [buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0, 0],
    )
}

/// `exit`.
pub fn exit(status: usize) -> ! {
    let _ = call(Sys::Exit, [status, 0, 0, 0, 0, 0]);
    unreachable_loop()
}

/// `thread_exit`.
pub fn thread_exit() -> ! {
    let _ = call(Sys::ThreadExit, [0; 6]);
    unreachable_loop()
}

fn unreachable_loop() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// `yield`.
pub fn yield_now() {
    let _ = call(Sys::Yield, [0; 6]);
}

/// `clock`: nanoseconds since boot.
pub fn clock() -> u64 {
    call(Sys::Clock, [0; 6]).unwrap_or(0) as u64
}

/// `sleep`.
pub fn sleep_ns(ns: u64) {
    let _ = call(Sys::Sleep, [ns as usize, 0, 0, 0, 0, 0]);
}

/// `cpu_id`.
pub fn cpu_id() -> usize {
    call(Sys::CpuId, [0; 6]).unwrap_or(usize::MAX)
}

/// `mem_map`.
pub fn mem_map(addr: usize, len: usize, prot: usize) -> SysResult {
    call(Sys::MemMap, [addr, len, prot, 0, 0, 0])
}

/// `mem_unmap`.
pub fn mem_unmap(addr: usize, len: usize) -> SysResult {
    call(Sys::MemUnmap, [addr, len, 0, 0, 0, 0])
}

/// `futex_wait`.
pub fn futex_wait(
    word: &core::sync::atomic::AtomicU32,
    expected: u32,
    timeout_ns: u64,
) -> SysResult {
    call(
        Sys::FutexWait,
        [
            word.as_ptr() as usize,
            expected as usize,
            timeout_ns as usize,
            0,
            0,
            0,
        ],
    )
}

/// `futex_wake`.
pub fn futex_wake(word: &core::sync::atomic::AtomicU32, count: usize) -> SysResult {
    call(Sys::FutexWake, [word.as_ptr() as usize, count, 0, 0, 0, 0])
}

/// `handle_close`.
pub fn handle_close(handle: usize) -> SysResult {
    call(Sys::HandleClose, [handle, 0, 0, 0, 0, 0])
}

/// `handle_dup`.
pub fn handle_dup(handle: usize, rights: abi::Rights) -> SysResult {
    call(Sys::HandleDup, [handle, rights.bits() as usize, 0, 0, 0, 0])
}

/// `process_set_name`: how `process_list` and the console name the caller.
pub fn set_name(name: &str) -> SysResult {
    call(
        Sys::ProcessSetName,
        [name.as_ptr() as usize, name.len(), 0, 0, 0, 0],
    )
}

/// `shm_open`: a handle to the shared memory object `name` of `size`
/// bytes (rounded up to pages), made zeroed if it does not exist yet.
pub fn shm_open(name: &str, size: usize) -> SysResult {
    call(
        Sys::ShmOpen,
        [name.as_ptr() as usize, name.len(), size, 0, 0, 0],
    )
}

/// `shm_map`: maps the whole shared memory object behind `handle` at `va`
/// with `prot` (`READ`, optionally `WRITE`).
pub fn shm_map(handle: usize, va: usize, prot: usize) -> SysResult {
    call(Sys::ShmMap, [handle, va, prot, 0, 0, 0])
}

/// `vm_map_shm`: maps shared memory object `handle` into VM `vm` at
/// guest-physical `gpa`.
pub fn vm_map_shm(vm: usize, handle: usize, gpa: u64, prot: usize) -> SysResult {
    call(Sys::VmMapShm, [vm, handle, gpa as usize, prot, 0, 0])
}

/// `shm_space_create`: a handle to a new, empty shared-memory namespace,
/// to give to children at spawn ([`crate::process::spawn_in`]).
pub fn shm_space_create() -> SysResult {
    call(Sys::ShmSpaceCreate, [0; 6])
}

/// `sysinfo`.
pub fn sysinfo() -> abi::SysInfo {
    let mut info = abi::SysInfo::default();
    let _ = call(
        Sys::SysInfo,
        [
            &raw mut info as usize,
            core::mem::size_of::<abi::SysInfo>(),
            0,
            0,
            0,
            0,
        ],
    );
    info
}

/// `bootfs_read` from `offset` into `buf`.
pub fn bootfs_read(path: &str, buf: &mut [u8], offset: usize) -> SysResult {
    call(
        Sys::BootfsRead,
        [
            path.as_ptr() as usize,
            path.len(),
            buf.as_mut_ptr() as usize,
            buf.len(),
            offset,
            0,
        ],
    )
}
