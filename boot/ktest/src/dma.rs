//! `ktest dma`: DMA memory for a process holding a device grant
//! (`dev=arm,pl061 ktest dma` in the startup script). `dma_alloc` maps
//! zeroed, writable memory at the address asked and returns a physical
//! address; a 2 MiB run works; over a mapped page, past 2 MiB and at an
//! unaligned address it is refused; unmapping gives every frame back.
//! Each outcome is a line; a wrong one is a `FAIL` line.

use abi::{DMA_SIZE_MAX, Error, PAGE_SIZE, prot};
use ulib::{device, println, sys};

/// Where the DMA memory goes.
const VA: usize = abi::USER_BASE + 0x61_0000_0000;
/// Where the 2 MiB run goes.
const BIG_VA: usize = abi::USER_BASE + 0x61_1000_0000;

fn fail(what: &str) -> usize {
    println!("FAIL ktest dma: {what}");
    1
}

/// Runs the checks; the exit status.
pub fn run() -> usize {
    let free = sys::sysinfo().free_memory;
    let pa = match device::dma_alloc(VA, 3 * PAGE_SIZE) {
        Ok(pa) => pa,
        Err(e) => return fail(&alloc::format!("dma_alloc 3 pages: {}", e.name())),
    };
    if !pa.is_multiple_of(PAGE_SIZE) || pa == 0 {
        return fail(&alloc::format!("physical address {pa:#x}"));
    }
    // SAFETY: `dma_alloc` mapped 3 pages read-write at VA for this process.
    let bytes = unsafe { core::slice::from_raw_parts_mut(VA as *mut u8, 3 * PAGE_SIZE) };
    if bytes.iter().any(|&b| b != 0) {
        return fail("the memory is not zeroed");
    }
    bytes.fill(0x5a);
    println!(
        "ktest dma: 3 pages at {VA:#x}, zeroed and writable, at a page-aligned physical address"
    );
    let refusals: [(&str, usize, usize, Error); 3] = [
        (
            "over a mapped page",
            VA + 2 * PAGE_SIZE,
            PAGE_SIZE,
            Error::AlreadyMapped,
        ),
        (
            "past DMA_SIZE_MAX",
            BIG_VA,
            DMA_SIZE_MAX + 1,
            Error::InvalidArgument,
        ),
        (
            "at an unaligned address",
            BIG_VA + 8,
            PAGE_SIZE,
            Error::InvalidArgument,
        ),
    ];
    for (what, va, len, want) in refusals {
        match device::dma_alloc(va, len) {
            Err(e) if e == want => println!("ktest dma: refused: {what}: {}", e.name()),
            other => {
                return fail(&alloc::format!(
                    "{what}: {other:?}, expected {}",
                    want.name()
                ));
            }
        }
    }
    match device::dma_alloc(BIG_VA, DMA_SIZE_MAX) {
        Ok(_) => println!("ktest dma: a 2 MiB run"),
        Err(e) => return fail(&alloc::format!("dma_alloc 2 MiB: {}", e.name())),
    }
    let _ = sys::mem_unmap(VA, 3 * PAGE_SIZE);
    let _ = sys::mem_unmap(BIG_VA, DMA_SIZE_MAX);
    let after = sys::sysinfo().free_memory;
    if after != free {
        // Page tables may stay: at most a few pages.
        if free.saturating_sub(after) > 4 * PAGE_SIZE as u64 {
            return fail(&alloc::format!(
                "free memory {free} -> {after} after unmapping"
            ));
        }
    }
    // The same range maps as plain memory again.
    if sys::mem_map(VA, PAGE_SIZE, prot::READ).is_err() {
        return fail("the range is still mapped");
    }
    println!("ktest dma: unmapped, the frames are back");
    0
}
