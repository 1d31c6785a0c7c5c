//! VMIDs, the tags of stage-2 TLB entries, in two pools: one for host
//! processes and one for VMs, so neither kind can take the other's. With
//! 8-bit VMIDs (every ARMv8.0 core) processes get 1..=127 (0 is the
//! kernel's own, the empty stage-2 a CPU runs when idle) and VMs
//! 128..=255. One process can hold at most its VM quota of the VM pool.

/// Which pool a VMID comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmidKind {
    /// A host process's address space.
    Process,
    /// A VM's stage-2 space.
    Vm,
}

/// VMIDs for processes: `1..VM_FIRST` (0 is the kernel's).
pub const PROCESS_FIRST: u16 = 1;
/// The first VMID for VMs; the pool runs to 255.
pub const VM_FIRST: u16 = 128;
/// One past the last VMID (8-bit VMIDs).
pub const END: u16 = 256;

impl VmidKind {
    /// The pool `vmid` belongs to (`None`: VMID 0, the kernel's, or past
    /// the end).
    pub fn of(vmid: u16) -> Option<VmidKind> {
        match vmid {
            PROCESS_FIRST..VM_FIRST => Some(VmidKind::Process),
            VM_FIRST..END => Some(VmidKind::Vm),
            _ => None,
        }
    }
}

/// The VMIDs in use, a bit each.
pub struct VmidPool {
    used: [u64; END as usize / 64],
}

impl Default for VmidPool {
    fn default() -> Self {
        Self::new()
    }
}

impl VmidPool {
    /// A pool with only VMID 0 (the kernel's) taken.
    pub const fn new() -> Self {
        let mut used = [0; END as usize / 64];
        used[0] = 1;
        VmidPool { used }
    }

    fn range(kind: VmidKind) -> core::ops::Range<u16> {
        match kind {
            VmidKind::Process => PROCESS_FIRST..VM_FIRST,
            VmidKind::Vm => VM_FIRST..END,
        }
    }

    fn is_used(&self, vmid: u16) -> bool {
        self.used[vmid as usize / 64] & (1 << (vmid % 64)) != 0
    }

    /// Takes the lowest free VMID of `kind`'s pool.
    pub fn alloc(&mut self, kind: VmidKind) -> Option<u16> {
        let vmid = Self::range(kind).find(|&v| !self.is_used(v))?;
        self.used[vmid as usize / 64] |= 1 << (vmid % 64);
        Some(vmid)
    }

    /// Gives `vmid` back (after its TLB entries were flushed). VMID 0 and
    /// VMIDs out of range are left alone.
    pub fn free(&mut self, vmid: u16) {
        if (PROCESS_FIRST..END).contains(&vmid) {
            self.used[vmid as usize / 64] &= !(1 << (vmid % 64));
        }
    }

    /// Free VMIDs left in `kind`'s pool.
    pub fn free_count(&self, kind: VmidKind) -> usize {
        Self::range(kind).filter(|&v| !self.is_used(v)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_apart_and_come_back() {
        let mut pool = VmidPool::new();
        let processes = pool.free_count(VmidKind::Process);
        let vms = pool.free_count(VmidKind::Vm);
        assert_eq!((processes, vms), (127, 128));
        let mut taken = Vec::new();
        while let Some(v) = pool.alloc(VmidKind::Process) {
            assert!((1..128).contains(&v));
            taken.push(v);
        }
        assert_eq!(taken.len(), 127);
        // Processes exhausted: VMs still get theirs.
        let vm = pool.alloc(VmidKind::Vm).unwrap();
        assert!(vm >= 128);
        for v in taken {
            pool.free(v);
        }
        pool.free(vm);
        pool.free(0);
        pool.free(999);
        assert_eq!(pool.free_count(VmidKind::Process), processes);
        assert_eq!(pool.free_count(VmidKind::Vm), vms);
        assert_eq!(pool.alloc(VmidKind::Process), Some(1));
    }

    #[test]
    fn a_vmid_names_its_pool() {
        assert_eq!(VmidKind::of(0), None);
        assert_eq!(VmidKind::of(1), Some(VmidKind::Process));
        assert_eq!(VmidKind::of(127), Some(VmidKind::Process));
        assert_eq!(VmidKind::of(128), Some(VmidKind::Vm));
        assert_eq!(VmidKind::of(255), Some(VmidKind::Vm));
        assert_eq!(VmidKind::of(256), None);
    }
}
