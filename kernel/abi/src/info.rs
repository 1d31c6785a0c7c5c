//! What the host shell's `pidin` reads: every thread with its state and
//! the vCPU it runs (`thread_list`), a process's memory as mapped runs
//! (`process_regions`), the interrupts and who has them (`irq_list`) and
//! the physical memory map with owners (`phys_map`). Reading other
//! processes' details needs [`POWER_INFO`]; opening another process to end
//! it needs [`POWER_SLAY`] (`process_open`). Both are powers a parent
//! hands on in [`crate::Grants::powers`], as it does device grants.

/// [`crate::Grants::powers`]: may read every process's threads and memory
/// map, the interrupt table and the physical memory map.
pub const POWER_INFO: u64 = 1 << 0;
/// [`crate::Grants::powers`]: may open any process (`process_open`) to end it.
pub const POWER_SLAY: u64 = 1 << 1;
/// Every power there is (what `init` starts with).
pub const POWERS_ALL: u64 = POWER_INFO | POWER_SLAY;

/// [`ThreadInfo::state`]: running on [`ThreadInfo::cpu`] (host code).
pub const THREAD_RUNNING: u32 = 1;
/// [`ThreadInfo::state`]: runnable, waiting for a CPU.
pub const THREAD_READY: u32 = 2;
/// [`ThreadInfo::state`]: in `sleep`.
pub const THREAD_SLEEP: u32 = 3;
/// [`ThreadInfo::state`]: in `futex_wait` (a mutex or condition).
pub const THREAD_FUTEX: u32 = 4;
/// [`ThreadInfo::state`]: in `console_read`.
pub const THREAD_CONSOLE: u32 = 5;
/// [`ThreadInfo::state`]: waiting for a process or thread to end, or for
/// an interrupt (`irq_wait`).
pub const THREAD_WAIT: u32 = 6;
/// [`ThreadInfo::state`]: its vCPU is in WFI with nothing pending.
pub const THREAD_WFI: u32 = 7;
/// [`ThreadInfo::state`]: its vCPU is powered off.
pub const THREAD_VCPU_OFF: u32 = 8;
/// [`ThreadInfo::state`]: running guest code of its vCPU on [`ThreadInfo::cpu`].
pub const THREAD_GUEST: u32 = 9;
/// [`ThreadInfo::state`]: ended, kept while a handle names it.
pub const THREAD_DEAD: u32 = 10;
/// [`ThreadInfo::state`]: in `pulse_wait`.
pub const THREAD_PULSE: u32 = 11;

/// [`ThreadInfo::vcpu`] of a thread that is no vCPU's runner.
pub const NO_VCPU: u32 = u32::MAX;

/// One row of `thread_list`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadInfo {
    /// Its process's id.
    pub pid: u64,
    /// Its number within the process, from 1 in creation order.
    pub tid: u32,
    /// One of the `THREAD_*` states.
    pub state: u32,
    /// Priority, 0..=[`crate::PRIORITY_MAX`].
    pub priority: u32,
    /// The CPU it runs on or last ran on.
    pub cpu: u32,
    /// The index of the vCPU it runs (`vcpu_run`), or [`NO_VCPU`].
    pub vcpu: u32,
    /// CPUs it may run on, a bit each.
    pub affinity: u32,
}

/// [`RegionInfo::kind`]: memory of the process's own (program, stack,
/// heap, `mem_map`).
pub const REGION_RAM: u32 = 1;
/// [`RegionInfo::kind`]: memory shared with another holder (a shared
/// memory object, a VM's RAM seen by its `qvm`).
pub const REGION_SHARED: u32 = 2;
/// [`RegionInfo::kind`]: a device region ([`RegionInfo::device`] is its
/// index in `device_list`).
pub const REGION_DEVICE: u32 = 3;
/// [`RegionInfo::flags`]: a guest-physical range of one of the process's
/// VMs ([`RegionInfo::vm`] says which), not the process's own space.
pub const REGION_VM: u32 = 1 << 0;
/// [`RegionInfo::flags`]: readable.
pub const REGION_READ: u32 = 1 << 1;
/// [`RegionInfo::flags`]: writable.
pub const REGION_WRITE: u32 = 1 << 2;
/// [`RegionInfo::flags`]: executable.
pub const REGION_EXEC: u32 = 1 << 3;

/// One row of `process_regions`: a run of pages mapped at consecutive
/// addresses to consecutive frames with the same permissions and kind.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RegionInfo {
    /// First address: virtual in the process, guest-physical in a VM.
    pub address: u64,
    /// Physical address of the first byte.
    pub physical: u64,
    /// Bytes (whole pages).
    pub size: u64,
    /// One of the `REGION_*` kinds.
    pub kind: u32,
    /// `REGION_VM`, `REGION_READ`, `REGION_WRITE`, `REGION_EXEC`.
    pub flags: u32,
    /// For [`REGION_VM`]: the VM's number within the process, from 0.
    pub vm: u32,
    /// For [`REGION_DEVICE`]: the device region's index (`device_list`).
    pub device: u32,
}

/// [`IrqInfo::owner`] of the kernel's own interrupts.
pub const OWNER_KERNEL: u64 = u64::MAX;

/// [`IrqInfo::kind`]: the kernel's own (its timer, console UART, IPIs).
pub const IRQ_KERNEL: u32 = 1;
/// [`IrqInfo::kind`]: attached by a host driver (`irq_attach`).
pub const IRQ_DRIVER: u32 = 2;
/// [`IrqInfo::kind`]: passed through to a VM (`vm_irq_pass`) as
/// [`IrqInfo::virq`].
pub const IRQ_PASSED: u32 = 3;

/// One row of `irq_list`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct IrqInfo {
    /// The physical INTID.
    pub intid: u32,
    /// One of the `IRQ_*` kinds.
    pub kind: u32,
    /// The pid of the process that holds it (for a VM's, its `qvm`), or
    /// [`OWNER_KERNEL`].
    pub owner: u64,
    /// Arrivals since it was attached or passed (0 for the kernel's own).
    pub count: u64,
    /// The CPU it is routed to.
    pub cpu: u32,
    /// For [`IRQ_PASSED`]: the guest's INTID.
    pub virq: u32,
    /// 1 while masked, waiting for its driver's `irq_unmask` or its
    /// guest's EOI.
    pub masked: u32,
    /// 1 when edge-triggered.
    pub edge: u32,
}

/// [`PhysArea::kind`]: a RAM bank of the board.
pub const AREA_RAM: u32 = 1;
/// [`PhysArea::kind`]: RAM the kernel keeps ([`PhysArea::name`] says for
/// what: its image and boot file system, the device tree, its heap).
pub const AREA_KERNEL: u32 = 2;
/// [`PhysArea::kind`]: RAM the firmware or device tree reserves.
pub const AREA_FIRMWARE: u32 = 3;
/// [`PhysArea::kind`]: a device region (name: its device-tree path).
pub const AREA_DEVICE: u32 = 4;
/// [`PhysArea::kind`]: RAM set aside for pass-through (`[reserve]`).
pub const AREA_RESERVED: u32 = 5;
/// [`PhysArea::kind`]: the frame pool processes and VMs get memory from
/// ([`PhysArea::size`] the whole pool, [`PhysArea::free`] what is left).
pub const AREA_POOL: u32 = 6;
/// [`PhysArea::flags`]: held by a VM of [`PhysArea::owner`] (in its stage 2).
pub const AREA_IN_VM: u32 = 1 << 0;
/// Bytes of [`PhysArea::name`] (NUL-padded).
pub const AREA_NAME_MAX: usize = 48;

/// One row of `phys_map`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PhysArea {
    /// First physical address (0 for [`AREA_POOL`], which is spread over
    /// the RAM banks).
    pub base: u64,
    /// Bytes.
    pub size: u64,
    /// For [`AREA_POOL`]: bytes free now.
    pub free: u64,
    /// Who holds it: a pid, [`OWNER_KERNEL`], or 0 (nobody).
    pub owner: u64,
    /// One of the `AREA_*` kinds.
    pub kind: u32,
    /// [`AREA_IN_VM`].
    pub flags: u32,
    /// What it is, NUL-padded.
    pub name: [u8; AREA_NAME_MAX],
}

impl PhysArea {
    /// An empty row, for buffers.
    pub const EMPTY: PhysArea = PhysArea {
        base: 0,
        size: 0,
        free: 0,
        owner: 0,
        kind: 0,
        flags: 0,
        name: [0; AREA_NAME_MAX],
    };

    /// The name as text.
    pub fn name(&self) -> &str {
        crate::device::text(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_layouts_are_the_documented_ones() {
        assert_eq!(core::mem::size_of::<ThreadInfo>(), 32);
        assert_eq!(core::mem::size_of::<RegionInfo>(), 40);
        assert_eq!(core::mem::size_of::<IrqInfo>(), 40);
        assert_eq!(core::mem::size_of::<PhysArea>(), 88);
        assert_eq!(POWERS_ALL, 3);
    }
}
