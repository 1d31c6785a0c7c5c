//! `dma_alloc`: physically contiguous memory a host driver hands to its
//! device. Only a process holding a device region grant may ask: without
//! an IOMMU its device can reach all of memory anyway, so this gives it
//! nothing more, while a process without one learns no physical address.

use super::call::Caller;
use super::device::grants_of;
use crate::state::Kernel;
use abi::{DMA_SIZE_MAX, Error, SysResult};

pub fn alloc(k: &mut Kernel, c: &Caller, va: usize, len: usize) -> SysResult {
    let len = crate::space::Space::check_range(va, len)?;
    if len > DMA_SIZE_MAX {
        return Err(Error::InvalidArgument);
    }
    if !grants_of(k, c)?.any_device() {
        return Err(Error::AccessDenied);
    }
    crate::quota::mapped(k, c.process, len)?;
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_mut().ok_or(Error::Fault)?;
    space.map_contiguous(&mut k.frames, va, len)
}
