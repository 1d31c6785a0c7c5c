//! The guest's RAM as `qvm` sees it: each region mapped into `qvm`'s own
//! address space too, so images, the device tree and device models can
//! reach guest memory by guest-physical address.

use alloc::string::String;
use alloc::vec::Vec;

/// Where `qvm` maps guest memory in its own address space.
const WINDOW_BASE: usize = 0x40_0000_0000;

/// One region of guest memory.
#[derive(Clone, Copy, Debug)]
pub struct Mapped {
    /// Guest-physical base.
    pub gpa: u64,
    /// Bytes.
    pub size: u64,
    /// Where `qvm` sees it.
    pub va: usize,
}

/// Guest RAM as device models reach it (copyable; the mappings live as
/// long as the process).
#[derive(Clone)]
pub struct GuestRam {
    regions: alloc::sync::Arc<Vec<Mapped>>,
}

impl GuestRam {
    fn at(&self, gpa: u64, len: usize) -> Result<usize, vdev::virtio::MemError> {
        let end = gpa
            .checked_add(len as u64)
            .ok_or(vdev::virtio::MemError { gpa })?;
        self.regions
            .iter()
            .find(|r| gpa >= r.gpa && end <= r.gpa + r.size)
            .map(|r| r.va + (gpa - r.gpa) as usize)
            .ok_or(vdev::virtio::MemError { gpa })
    }
}

impl vdev::virtio::GuestMemory for GuestRam {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), vdev::virtio::MemError> {
        let at = self.at(gpa, buf.len())?;
        // SAFETY: `at..at + len` lies in a region the kernel mapped read-write
        // into this process for its whole life. The guest may change it at
        // any time, which a byte copy tolerates.
        unsafe { core::ptr::copy_nonoverlapping(at as *const u8, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), vdev::virtio::MemError> {
        let at = self.at(gpa, data.len())?;
        // SAFETY: as in `read`.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), at as *mut u8, data.len()) };
        Ok(())
    }
}

/// All guest memory.
#[derive(Default)]
pub struct GuestMem {
    regions: Vec<Mapped>,
    next_va: usize,
}

impl GuestMem {
    /// No memory yet.
    pub fn new() -> GuestMem {
        GuestMem {
            regions: Vec::new(),
            next_va: WINDOW_BASE,
        }
    }

    /// Gives the VM `size` bytes at `gpa`, also mapped for `qvm`.
    pub fn add(&mut self, vm: usize, gpa: u64, size: u64, prot: usize) -> Result<(), String> {
        let va = self.next_va;
        ulib::sys::call(
            abi::Sys::VmMapRam,
            [vm, gpa as usize, size as usize, va, prot, 0],
        )
        .map_err(|e| {
            alloc::format!(
                "cannot give the VM {size:#x} bytes at {gpa:#x}: {}",
                e.name()
            )
        })?;
        self.regions.push(Mapped { gpa, size, va });
        self.next_va = (va + size as usize).next_multiple_of(2 << 20) + (2 << 20);
        Ok(())
    }

    /// The bytes at `[gpa, gpa + len)`, if one region holds them all.
    pub fn slice_mut(&mut self, gpa: u64, len: u64) -> Option<&mut [u8]> {
        let r = self.regions.iter().find(|r| {
            gpa >= r.gpa
                && gpa
                    .checked_add(len)
                    .is_some_and(|end| end <= r.gpa + r.size)
        })?;
        let at = r.va + (gpa - r.gpa) as usize;
        // SAFETY: the range lies in a region the kernel mapped read-write
        // into this process for the VM's lifetime (= this process's).
        Some(unsafe { core::slice::from_raw_parts_mut(at as *mut u8, len as usize) })
    }

    /// Guest RAM for device models.
    pub fn ram(&self) -> GuestRam {
        GuestRam {
            regions: alloc::sync::Arc::new(self.regions.clone()),
        }
    }

    /// Copies `data` to guest-physical `gpa`.
    pub fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), String> {
        let dst = self.slice_mut(gpa, data.len() as u64).ok_or_else(|| {
            alloc::format!("{} bytes at {gpa:#x} are not inside guest RAM", data.len())
        })?;
        dst.copy_from_slice(data);
        Ok(())
    }
}
