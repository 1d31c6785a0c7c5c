//! The guest's RAM as `qvm` sees it: each region mapped into `qvm`'s own
//! address space too, so images, the device tree and device models can
//! reach guest memory by guest-physical address.

use alloc::string::String;
use alloc::vec::Vec;
use core::ptr::NonNull;
use qvm::window::{Window, Word};
use vdev::virtio::{GuestMemory, MemError};

/// Where `qvm` maps guest memory in its own address space: a quarter of
/// the way into the process's range (256 GiB up on both architectures).
const WINDOW_BASE: usize = abi::USER_BASE + 0x40_0000_0000;

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
/// long as the process). Every access is volatile, through a
/// [`Window`](qvm::window::Window) per region: the guest's vCPUs change
/// this memory while a device reads it. The typed accesses the virtqueue
/// code makes for ring fields (`read_u16`, `write_u32`, ...) are single
/// loads and stores, untorn on aligned addresses; byte copies (buffers:
/// sectors, frames, request headers) read each byte once (module docs of
/// `qvm::window`, and "Guest memory" in `docs/vdevs.md`).
#[derive(Clone)]
pub struct GuestRam {
    regions: alloc::sync::Arc<Vec<(u64, Window)>>,
}

impl GuestRam {
    /// The region holding `[gpa, gpa + len)` and the offset of `gpa` in it.
    fn at(&self, gpa: u64, len: usize) -> Result<(&Window, usize), MemError> {
        let err = MemError { gpa };
        let end = gpa.checked_add(len as u64).ok_or(err)?;
        self.regions
            .iter()
            .find(|(base, w)| gpa >= *base && end <= base + w.len() as u64)
            .map(|(base, w)| (w, (gpa - base) as usize))
            .ok_or(err)
    }

    fn load<T: Word>(&self, gpa: u64) -> Result<T, MemError> {
        let (w, off) = self.at(gpa, size_of::<T>())?;
        w.load(off).map_err(|_| MemError { gpa })
    }

    fn store<T: Word>(&self, gpa: u64, value: T) -> Result<(), MemError> {
        let (w, off) = self.at(gpa, size_of::<T>())?;
        w.store(off, value).map_err(|_| MemError { gpa })
    }
}

impl GuestMemory for GuestRam {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let (w, off) = self.at(gpa, buf.len())?;
        w.read(off, buf).map_err(|_| MemError { gpa })
    }

    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), MemError> {
        let (w, off) = self.at(gpa, data.len())?;
        w.write(off, data).map_err(|_| MemError { gpa })
    }

    fn read_u16(&self, gpa: u64) -> Result<u16, MemError> {
        self.load(gpa)
    }
    fn read_u32(&self, gpa: u64) -> Result<u32, MemError> {
        self.load(gpa)
    }
    fn read_u64(&self, gpa: u64) -> Result<u64, MemError> {
        self.load(gpa)
    }
    fn write_u16(&mut self, gpa: u64, value: u16) -> Result<(), MemError> {
        self.store(gpa, value)
    }
    fn write_u32(&mut self, gpa: u64, value: u32) -> Result<(), MemError> {
        self.store(gpa, value)
    }
    fn write_u64(&mut self, gpa: u64, value: u64) -> Result<(), MemError> {
        self.store(gpa, value)
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

    /// Host RAM set aside for pass-through (region `index` of the host's
    /// device list, `size` bytes), already in the VM at `gpa`
    /// (`vm_map_device`): also mapped for `qvm` (`device_map`), to load
    /// the guest and serve its device models.
    pub fn add_reserved(&mut self, index: u32, gpa: u64, size: u64) -> Result<(), String> {
        let va = self.next_va;
        ulib::device::map(index, va).map_err(|e| {
            alloc::format!(
                "cannot map the reserved RAM at {gpa:#x} into qvm: {}",
                e.name()
            )
        })?;
        self.regions.push(Mapped { gpa, size, va });
        self.next_va = (va + size as usize).next_multiple_of(2 << 20) + (2 << 20);
        Ok(())
    }

    /// The bytes at `[gpa, gpa + len)`, if one region holds them all.
    /// Only while no vCPU runs (loading images and the device tree): a
    /// reference to memory the guest changes would be unsound; device
    /// models use [`GuestMem::ram`].
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

    /// Each region's guest-physical address and size, in the order given
    /// (a core dump's `PT_LOAD`s).
    pub fn regions(&self) -> Vec<qvm::dump::RamRegion> {
        self.regions
            .iter()
            .map(|r| qvm::dump::RamRegion {
                gpa: r.gpa,
                len: r.size,
            })
            .collect()
    }

    /// Guest RAM for device models.
    pub fn ram(&self) -> GuestRam {
        let windows = self.regions.iter().map(|r| {
            let base = NonNull::new(r.va as *mut u8).expect("guest RAM is mapped above 0");
            // SAFETY: `add` (or `add_reserved`) had the kernel map `size`
            // bytes at `va` read-write for the rest of the process (VM RAM
            // is never unmapped, a device region never given back); once
            // vCPUs run, `qvm` reaches it only through these windows.
            (r.gpa, unsafe { Window::new(base, r.size as usize) })
        });
        GuestRam {
            regions: alloc::sync::Arc::new(windows.collect()),
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
