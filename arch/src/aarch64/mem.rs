//! `memcpy` and `memset` for the kernel (feature `kernel-mem`), in place
//! of `compiler_builtins`' portable ones, which move one 8-byte word per
//! loop of about five instructions. The kernel copies trap frames, exit
//! records, list-register arrays and system-call arguments on every exit;
//! these move 16 bytes per `ldp`/`stp` pair when the addresses allow it.
//!
//! Both stay within what the strictest alignment checking (SCTLR_EL2.A)
//! allows: wide accesses only at 8-byte aligned addresses, bytes
//! otherwise. `compiler_builtins` defines the two as weak symbols, so
//! these strong ones take their place in the kernel image only (guests
//! and host programs, which also link this crate, do not enable the
//! feature).

core::arch::global_asm!(
    r#"
.section .text.memcpy, "ax"
.global memcpy
.type memcpy, %function
// memcpy(x0 = dst, x1 = src, x2 = n) -> x0. x3 walks dst.
memcpy:
    mov     x3, x0
    eor     x4, x0, x1
    tst     x4, #7
    b.ne    3f                  // never both aligned: bytes
    // Align both to 8 with single bytes.
1:  tst     x3, #7
    b.eq    2f
    cbz     x2, 9f
    ldrb    w4, [x1], #1
    strb    w4, [x3], #1
    sub     x2, x2, #1
    b       1b
    // 32, then 16, then 8 bytes at a time.
2:  cmp     x2, #32
    b.lo    4f
    ldp     x4, x5, [x1]
    ldp     x6, x7, [x1, #16]
    add     x1, x1, #32
    stp     x4, x5, [x3]
    stp     x6, x7, [x3, #16]
    add     x3, x3, #32
    sub     x2, x2, #32
    b       2b
4:  tbz     x2, #4, 5f
    ldp     x4, x5, [x1], #16
    stp     x4, x5, [x3], #16
5:  tbz     x2, #3, 6f
    ldr     x4, [x1], #8
    str     x4, [x3], #8
6:  and     x2, x2, #7
    // The rest (or everything, misaligned) a byte at a time.
3:  cbz     x2, 9f
    ldrb    w4, [x1], #1
    strb    w4, [x3], #1
    sub     x2, x2, #1
    b       3b
9:  ret
.size memcpy, . - memcpy

.section .text.memset, "ax"
.global memset
.type memset, %function
// memset(x0 = dst, w1 = byte, x2 = n) -> x0. x3 walks dst.
memset:
    mov     x3, x0
    and     x1, x1, #0xff
    mov     x4, #0x0101010101010101
    mul     x1, x1, x4
1:  tst     x3, #7
    b.eq    2f
    cbz     x2, 9f
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       1b
2:  cmp     x2, #32
    b.lo    4f
    stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    add     x3, x3, #32
    sub     x2, x2, #32
    b       2b
4:  tbz     x2, #4, 5f
    stp     x1, x1, [x3], #16
5:  tbz     x2, #3, 6f
    str     x1, [x3], #8
6:  and     x2, x2, #7
3:  cbz     x2, 9f
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       3b
9:  ret
.size memset, . - memset
"#
);
