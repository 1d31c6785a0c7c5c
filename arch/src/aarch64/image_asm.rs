//! Assembly shared by every arm64 `Image` this project builds (the kernel
//! and the test guests): the 64-byte header of the Linux arm64 boot
//! protocol, and the self-relocation of a PIE linked at 0 followed by
//! clearing `.bss`.

/// The arm64 `Image` header; the code that follows it starts at local
/// label `1:`.
#[macro_export]
macro_rules! arm64_image_header {
    () => {
        r#"
    b       1f                  // code0
    .long   0                   // code1
    .quad   0                   // text_offset
    .quad   0                   // image_size: written by `cargo xtask`
    .quad   0xa                 // flags: little-endian, 4K pages, anywhere
    .quad   0, 0, 0             // res2..res4
    .ascii  "ARM\x64"           // magic
    .long   0                   // res5
"#
    };
}

/// Applies the R_AARCH64_RELATIVE relocations between `__rela_start` and
/// `__rela_end` for a load address in x20, then zeroes `__bss_start` to
/// `__bss_end`, and goes on at local label `5:`. Uses x1-x5 and local
/// labels 2-4. Runs with the MMU off: only aligned 8-byte stores.
#[macro_export]
macro_rules! arm64_relocate_and_clear_bss {
    () => {
        r#"
    adrp    x1, __rela_start
    add     x1, x1, :lo12:__rela_start
    adrp    x2, __rela_end
    add     x2, x2, :lo12:__rela_end
2:  cmp     x1, x2
    b.hs    3f
    ldp     x3, x4, [x1], #16   // r_offset, r_info
    ldr     x5, [x1], #8        // r_addend
    cmp     x4, #0x403          // R_AARCH64_RELATIVE
    b.ne    2b
    add     x5, x5, x20
    str     x5, [x20, x3]
    b       2b
3:  adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
4:  cmp     x1, x2
    b.hs    5f
    str     xzr, [x1], #8
    b       4b
    b       5f
"#
    };
}
