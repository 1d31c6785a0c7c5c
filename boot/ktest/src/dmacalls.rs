//! `ktest badcalls`, `dma_alloc`: ktest holds no device grant, so a
//! well-formed request is refused (`EACCES`) and nothing is mapped; a bad
//! address or length is `EINVAL` before the grant is looked at.

use crate::badcalls::Checks;
use abi::{DMA_SIZE_MAX, Error, PAGE_SIZE, Sys, USER_TOP};
use ulib::sys;

/// Where DMA memory would be mapped.
const VA: usize = abi::USER_BASE + 0x61_0000_0000;

fn dma_alloc(va: usize, len: usize) -> abi::SysResult {
    sys::call(Sys::DmaAlloc, [va, len, 0, 0, 0, 0])
}

/// Every check of `dma_alloc`.
pub fn check(c: &mut Checks) {
    let bad: [(&str, usize, usize); 6] = [
        ("length 0", VA, 0),
        ("unaligned address", VA + 8, PAGE_SIZE),
        ("page 0", 0, PAGE_SIZE),
        ("past USER_TOP", USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE),
        ("over DMA_SIZE_MAX", VA, DMA_SIZE_MAX + PAGE_SIZE),
        ("length wraps", VA, usize::MAX - 10),
    ];
    for (what, va, len) in bad {
        c.expect(
            &alloc::format!("dma_alloc {what}"),
            dma_alloc(va, len),
            Err(Error::InvalidArgument),
        );
    }
    c.expect(
        "dma_alloc without a device grant",
        dma_alloc(VA, PAGE_SIZE),
        Err(Error::AccessDenied),
    );
    // Nothing was mapped: the same range maps as plain memory.
    c.expect(
        "dma_alloc left nothing mapped",
        sys::mem_map(VA, PAGE_SIZE, abi::prot::READ),
        Ok(VA),
    );
    c.expect("unmap it", sys::mem_unmap(VA, PAGE_SIZE), Ok(0));
}
