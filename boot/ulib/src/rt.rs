//! Program start-up and the panic handler. The kernel starts a program at
//! `_start` with its NUL-separated argument block's address and length in
//! the first two argument registers (x0/x1; RDI/RSI on x86-64) and the
//! stack 16-byte aligned; the program defines `fn main(args: &[&str]) ->
//! usize` with `#[unsafe(no_mangle)]`.

use alloc::vec::Vec;

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".section .text.start, \"ax\"",
    ".global _start",
    "_start:",
    "    mov x29, #0",
    "    mov x30, #0",
    "    bl __ulib_start",
    "    brk #0",
);

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
core::arch::global_asm!(
    ".section .text.start, \"ax\"",
    ".global _start",
    "_start:",
    "    xor ebp, ebp",
    "    call __ulib_start",
    "    ud2",
);

unsafe extern "Rust" {
    fn main(args: &[&str]) -> usize;
}

#[unsafe(no_mangle)]
extern "C" fn __ulib_start(args_ptr: *const u8, args_len: usize) -> ! {
    let block: &[u8] = if args_ptr.is_null() || args_len == 0 {
        &[]
    } else {
        // SAFETY: the kernel copied the argument block to this address on
        // our stack and passed its length.
        unsafe { core::slice::from_raw_parts(args_ptr, args_len) }
    };
    let args: Vec<&str> = block
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| core::str::from_utf8(s).unwrap_or("?"))
        .collect();
    // SAFETY: every program links one `main` with this signature.
    let status = unsafe { main(&args) };
    crate::sys::exit(status)
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    crate::println!("user program panicked: {}", info);
    crate::sys::exit(0xff)
}
