//! Devices for host drivers: the board's device regions a selector names,
//! mapping a granted one, attached interrupts and DMA memory (see `abi`'s
//! `DeviceInfo` and `Grants`, and `docs/syscalls.md`).

use abi::{DeviceInfo, MAX_DEVICES, Sys, SysResult};
use alloc::vec::Vec;

/// The device regions `selector` names (`""`: all): a DT path
/// (`/pl031@9010000`), an address (`0x9010000`), a range
/// (`0xa000000,0x4000`) or a `compatible` string (`arm,pl031`).
pub fn list(selector: &str) -> Result<Vec<DeviceInfo>, abi::Error> {
    let mut rows = alloc::vec![DeviceInfo::EMPTY; MAX_DEVICES];
    let n = crate::sys::call(
        Sys::DeviceList,
        [
            selector.as_ptr() as usize,
            selector.len(),
            rows.as_mut_ptr() as usize,
            rows.len(),
            0,
            0,
        ],
    )?;
    rows.truncate(n);
    Ok(rows)
}

/// `device_map`: maps granted region `index` at `va`; its size in bytes
/// (whole pages).
pub fn map(index: u32, va: usize) -> SysResult {
    crate::sys::call(Sys::DeviceMap, [index as usize, va, 0, 0, 0, 0])
}

/// `irq_attach`: a handle to granted interrupt `intid`, enabled.
pub fn irq_attach(intid: u32) -> SysResult {
    crate::sys::call(Sys::IrqAttach, [intid as usize, 0, 0, 0, 0, 0])
}

/// `irq_wait`: blocks until the interrupt arrives (it is then masked);
/// the arrivals since it was attached.
pub fn irq_wait(handle: usize) -> SysResult {
    crate::sys::call(Sys::IrqWait, [handle, 0, 0, 0, 0, 0])
}

/// `irq_unmask`: lets the interrupt arrive again.
pub fn irq_unmask(handle: usize) -> SysResult {
    crate::sys::call(Sys::IrqUnmask, [handle, 0, 0, 0, 0, 0])
}

/// `vm_irq_pass`: granted interrupt `intid` raises VM `vm`'s SPI `virq`,
/// hardware-backed (pass-through).
pub fn vm_irq_pass(vm: usize, intid: u32, virq: u32) -> SysResult {
    crate::sys::call(Sys::VmIrqPass, [vm, intid as usize, virq as usize, 0, 0, 0])
}

/// `vm_map_device`: maps granted region `index` into VM `vm` at
/// guest-physical `gpa` (pass-through); its size in bytes (whole pages).
pub fn vm_map(vm: usize, index: u32, gpa: usize) -> SysResult {
    crate::sys::call(Sys::VmMapDevice, [vm, index as usize, gpa, 0, 0, 0])
}

/// `dma_alloc`: maps `len` bytes of zeroed, physically contiguous memory
/// read-write at `va` (for a granted device's DMA); its physical address.
pub fn dma_alloc(va: usize, len: usize) -> SysResult {
    crate::sys::call(Sys::DmaAlloc, [va, len, 0, 0, 0, 0])
}
