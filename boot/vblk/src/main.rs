//! `vblk`: a host driver for one virtio-blk device on virtio-mmio (QEMU's
//! `virtio-blk-device` on the `virt` board, modern interface), run as a
//! process. Started with a grant for the device's slot and interrupt
//! (`shm=disk dev=0xa003e00 irq=79 vblk /dev/vblk0 0xa003e00 &` in the
//! startup script), it maps the slot (`device_map`), sets the device up
//! with its queue in DMA memory (`dma_alloc`), and serves block requests
//! to clients over the block channel named NAME (`boot/blkchan`, a shared
//! memory object in its namespace: `qvm`'s `hostdev NAME` disks), one at
//! a time, each waited for on the device's interrupt.
//!
//! `vblk NAME SELECTOR`: the channel's name and the device's selector (see
//! `device_list`; its first region is the slot).
#![no_std]
#![no_main]

extern crate alloc;

mod disk;
mod mmio;
mod queue;
mod serve;

use abi::prot;
use disk::Disk;
use queue::{DMA_BYTES, Queue};
use ulib::{device, println, sys};

/// Where the slot's page is mapped.
const DEVICE_VA: usize = 0x60_0000_0000;
/// Where the DMA memory is mapped.
const DMA_VA: usize = 0x61_0000_0000;
/// Where the block channel is mapped.
const CHANNEL_VA: usize = 0x62_0000_0000;

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    let (Some(&name), Some(&selector)) = (args.get(1), args.get(2)) else {
        println!("vblk: usage: vblk NAME SELECTOR");
        return 2;
    };
    let _ = sys::set_name("vblk");
    match start(name, selector) {
        Ok(status) => status,
        Err(why) => {
            println!("vblk: {why}");
            1
        }
    }
}

/// Finds, maps and sets up the device, opens the channel, serves.
fn start(name: &str, selector: &str) -> Result<usize, alloc::string::String> {
    use alloc::format;
    let row = match device::list(selector).as_deref() {
        Ok([row, ..]) => *row,
        Ok([]) => return Err(format!("no device '{selector}'")),
        Err(e) => return Err(format!("device_list '{selector}': {}", e.name())),
    };
    device::map(row.index, DEVICE_VA)
        .map_err(|e| format!("device_map {}: {}", row.path(), e.name()))?;
    let irq = row.irqs[0];
    let handle = device::irq_attach(irq).map_err(|e| format!("irq_attach {irq}: {}", e.name()))?;
    let pa = device::dma_alloc(DMA_VA, DMA_BYTES)
        .map_err(|e| format!("dma_alloc {DMA_BYTES} bytes: {}", e.name()))?;
    // SAFETY: `device_map` mapped the slot's page at DEVICE_VA as device
    // memory for this process alone; the slot is at its offset in it.
    let regs = unsafe { mmio::Regs::new(DEVICE_VA + (row.base as usize & 0xfff)) };
    // SAFETY: `dma_alloc` mapped DMA_BYTES of zeroed, contiguous memory
    // at DMA_VA, physical `pa`, used for nothing else.
    let queue = unsafe { Queue::new(DMA_VA, pa as u64) };
    let mut disk =
        Disk::init(regs, queue, handle).map_err(|why| format!("{}: {why}", row.path()))?;
    println!(
        "vblk: {} at {:#x}, interrupt {irq}: virtio-blk, {} sectors ({} MiB), {}{}",
        row.path(),
        row.base,
        disk.capacity,
        disk.capacity / 2048,
        if disk.read_only {
            "read-only"
        } else {
            "read-write"
        },
        if disk.flush {
            ", write cache flushed on FLUSH"
        } else {
            ""
        }
    );
    let h = sys::shm_open(name, blkchan::CHANNEL_SIZE)
        .map_err(|e| format!("shm_open {name}: {}", e.name()))?;
    sys::shm_map(h, CHANNEL_VA, prot::READ | prot::WRITE)
        .map_err(|e| format!("shm_map {name}: {}", e.name()))?;
    // SAFETY: `shm_map` mapped the whole object (CHANNEL_SIZE bytes,
    // page-aligned) read-write at CHANNEL_VA for the rest of this process.
    let channel = unsafe { blkchan::Channel::new(CHANNEL_VA as *mut u8) };
    Ok(serve::run(&mut disk, &channel, name))
}
