//! The kernel's system-call interface, shared by the kernel and user programs.
//!
//! Calling convention (aarch64): `svc #0` with the call number in `x8` and up
//! to six arguments in `x0`..`x5`. The result comes back in `x0`: a value
//! `>= 0` is success, a negative value is `-(Error as isize)`. On x86-64:
//! `int 0x80` with the number in `rax`, the arguments in `rdi`, `rsi`,
//! `rdx`, `r10`, `r8`, `r9`, and the result in `rax`.
//!
//! Kernel objects are reached through handles: small integers that index the
//! calling process's handle table. Every handle carries [`Rights`]; a call
//! that needs a right the handle lacks fails with [`Error::AccessDenied`].
#![no_std]

pub mod aarch64;
mod device;
mod guest;
mod info;
pub mod x86_64;
pub use device::*;
pub use guest::*;
pub use info::*;

/// System-call numbers (`x8`).
#[repr(usize)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sys {
    /// `console_write(ptr, len) -> len`
    ConsoleWrite = 0,
    /// `console_read(ptr, len) -> n`: blocks until at least one byte is there.
    ConsoleRead = 1,
    /// `exit(status) -> !`: ends the calling process with `status`.
    Exit = 2,
    /// `process_spawn(path_ptr, path_len, args_ptr, args_len, shm_space,
    /// grants) -> handle` starts a program from the bootfs; `args` is
    /// NUL-separated; `shm_space` picks the child's shared-memory namespace
    /// (a namespace handle with DUPLICATE, [`SHM_SPACE_SAME`] or
    /// [`SHM_SPACE_PRIVATE`]); `grants` points at the [`Grants`] the child
    /// gets (0: none), a subset of the caller's.
    ProcessSpawn = 3,
    /// `process_wait(handle) -> status`: blocks until the process has ended.
    ProcessWait = 4,
    /// `thread_create(entry, stack_top, arg, priority, affinity) -> handle`
    /// (`affinity` 0 means every CPU).
    ThreadCreate = 5,
    /// `thread_exit() -> !`: ends the calling thread; the last thread to
    /// leave ends the process with status 0.
    ThreadExit = 6,
    /// `thread_wait(handle) -> 0`: blocks until the thread has ended.
    ThreadWait = 7,
    /// `futex_wait(addr, expected, timeout_ns) -> 0`: sleeps while the
    /// 32-bit word at `addr` equals `expected`; `timeout_ns` 0 means forever.
    FutexWait = 8,
    /// `futex_wake(addr, count) -> woken`
    FutexWake = 9,
    /// `yield() -> 0`
    Yield = 10,
    /// `clock() -> nanoseconds since boot`
    Clock = 11,
    /// `sleep(ns) -> 0`
    Sleep = 12,
    /// `mem_map(addr, len, prot) -> addr`: maps fresh zeroed memory at a
    /// page-aligned address of the caller's space.
    MemMap = 13,
    /// `mem_unmap(addr, len) -> 0`
    MemUnmap = 14,
    /// `handle_close(handle) -> 0`
    HandleClose = 15,
    /// `handle_dup(handle, rights) -> handle` with a subset of the rights.
    HandleDup = 16,
    /// `bootfs_read(path_ptr, path_len, buf, buf_len, offset) -> n`
    BootfsRead = 17,
    /// `sysinfo(ptr, len) -> len` fills a [`SysInfo`].
    SysInfo = 18,
    /// `cpu_id() -> the CPU the caller runs on`
    CpuId = 19,
    /// `process_kill(handle, status) -> 0`
    ProcessKill = 20,
    /// `process_list(ptr, len) -> count`: fills [`ProcessInfo`] records.
    ProcessList = 21,
    /// `vm_create() -> handle`: an empty VM (stage-2 space, virtual GIC)
    /// owned by the caller; it lives until the caller ends.
    VmCreate = 22,
    /// `vm_map_ram(vm, gpa, len, va, prot) -> 0`: fresh zeroed memory at
    /// guest-physical `gpa`, also mapped read-write at the caller's `va`
    /// (0: not mapped in the caller). `prot` is what the guest may do.
    VmMapRam = 23,
    /// `vcpu_create(vm, index) -> handle`: virtual CPU `index` (its MPIDR
    /// affinity 0), powered off until [`Sys::VcpuSetRegs`] or PSCI CPU_ON.
    VcpuCreate = 24,
    /// `vcpu_set_regs(vcpu, ptr, len) -> 0` with the architecture's register set ([`aarch64::VcpuRegs`]); powers the
    /// vCPU on.
    VcpuSetRegs = 25,
    /// `vcpu_run(vcpu, exit_ptr) -> kind`: runs the guest on the calling
    /// thread until something `qvm` must handle, described in the
    /// [`VcpuExit`] at `exit_ptr` (which also carries the answer to the
    /// previous exit).
    VcpuRun = 26,
    /// `vm_irq_line(vm, intid, level) -> 0`: drives a shared interrupt line
    /// of the virtual GIC.
    VmIrqLine = 27,
    /// `vm_configure(vm, ptr, len) -> 0` with a [`VmConfig`]: where the
    /// virtual GIC is and how many vCPUs there are; before any vCPU runs.
    VmConfigure = 28,
    /// `process_set_name(ptr, len) -> 0`: the name `process_list` and the
    /// console show for the caller (at most 31 bytes, UTF-8).
    ProcessSetName = 29,
    /// `shm_open(name_ptr, name_len, size) -> handle`: a handle to the
    /// shared memory object of that name in the caller's shared-memory
    /// namespace, made of `size` bytes (rounded up to pages) of zeroed
    /// memory if the namespace has no object of that name yet. Names in
    /// other namespaces are out of reach (see [`Sys::ShmSpaceCreate`]).
    ShmOpen = 30,
    /// `shm_map(handle, va, prot) -> 0`: maps the whole shared memory
    /// object at the caller's page-aligned `va`.
    ShmMap = 31,
    /// `shm_space_create() -> handle`: a new, empty shared-memory
    /// namespace. A process has exactly one, chosen by its parent at
    /// `process_spawn` (its `shm_space` argument: a handle to one of these,
    /// [`SHM_SPACE_SAME`] for the parent's own, or [`SHM_SPACE_PRIVATE`]
    /// for a new one nobody else has).
    ShmSpaceCreate = 32,
    /// `device_list(sel_ptr, sel_len, out_ptr, max_rows) -> rows`: the
    /// board's device regions that the selector names (empty: all), as
    /// [`DeviceInfo`] rows.
    DeviceList = 33,
    /// `device_map(index, va) -> size`: maps granted device region `index`
    /// (whole pages) at the caller's page-aligned `va`, device memory,
    /// read-write, never executable; the region is the caller's until it
    /// ends.
    DeviceMap = 34,
    /// `irq_attach(intid) -> handle`: the granted interrupt `intid`,
    /// enabled, delivered to [`Sys::IrqWait`].
    IrqAttach = 35,
    /// `irq_wait(handle) -> count`: blocks until the interrupt has arrived
    /// (it is then masked); the number of arrivals since attaching.
    IrqWait = 36,
    /// `irq_unmask(handle) -> 0`: lets the interrupt arrive again.
    IrqUnmask = 37,
    /// `vm_map_device(vm, index, gpa) -> size`: maps granted device region
    /// `index` (whole pages) into the VM at page-aligned guest-physical
    /// `gpa`, device memory, never executable (pass-through); the region
    /// is the VM's until it ends, and no other holder's meanwhile.
    VmMapDevice = 38,
    /// `vm_irq_pass(vm, intid, virq) -> 0`: granted interrupt `intid` (an
    /// SPI) becomes the VM's SPI `virq`, hardware-backed: it stays active
    /// from its arrival until the guest's EOI of `virq` (pass-through);
    /// the caller's until it ends, and no other holder's meanwhile.
    VmIrqPass = 39,
    /// `dma_alloc(va, len) -> pa`: maps `len` bytes (whole pages, at most
    /// [`DMA_SIZE_MAX`]) of fresh zeroed, physically contiguous memory
    /// read-write at the caller's page-aligned `va` and returns its
    /// physical address, for a host driver's DMA buffers; only for a
    /// process that holds a device region grant.
    DmaAlloc = 40,
    /// `thread_list(ptr, max_rows) -> count`: fills [`ThreadInfo`] rows,
    /// every live thread of every process; needs [`POWER_INFO`].
    ThreadList = 41,
    /// `process_regions(pid, ptr, max_rows) -> count`: fills [`RegionInfo`]
    /// rows, what process `pid` maps and what its VMs' stage 2 maps, in
    /// address order; another process's needs [`POWER_INFO`].
    ProcessRegions = 42,
    /// `irq_list(ptr, max_rows) -> count`: fills [`IrqInfo`] rows, the
    /// kernel's interrupts and every attached or passed one; needs
    /// [`POWER_INFO`].
    IrqList = 43,
    /// `phys_map(ptr, max_rows) -> count`: fills [`PhysArea`] rows, the
    /// physical memory map with who holds what; needs [`POWER_INFO`].
    PhysMap = 44,
    /// `process_open(pid, rights) -> handle`: a handle to process `pid`
    /// with `rights` (a subset of WAIT and KILL): the caller's own child,
    /// or any process with [`POWER_SLAY`].
    ProcessOpen = 45,
    /// `vcpu_get_regs(vcpu, ptr, len) -> 0`: writes the vCPU's registers
    /// ([`aarch64::VcpuRegs`], [`x86_64::VcpuRegs`]) at `ptr`, `len` their
    /// size; only between two `vcpu_run`s of its runner, by that thread
    /// (or before any), else [`Error::Busy`].
    VcpuGetRegs = 46,
    /// `vcpu_stop(vcpu) -> 0`: the vCPU's runner comes back from
    /// `vcpu_run` with [`ExitKind::Stopped`] as soon as it can (at once if
    /// it is in `qvm`: its next `vcpu_run` returns it without entering the
    /// guest), e.g. so that it can read its registers.
    VcpuStop = 47,
    /// `vm_map_shm(vm, handle, gpa, prot) -> 0`: maps the whole shared
    /// memory object `handle` into the VM at page-aligned guest-physical
    /// `gpa` (nothing mapped there yet), `prot` READ or READ|WRITE, never
    /// executable; the caller holds the object until it ends, after its
    /// VMs (`vdev shmem`).
    VmMapShm = 48,
    /// `process_pulse(process, code) -> 0`: queues the pulse `code` (below
    /// 2^32) for the process the handle names (the handle needs
    /// [`Rights::KILL`]: whoever may end a process may ask it something),
    /// or hands it to one of its threads waiting in `pulse_wait`; at most
    /// [`PULSE_QUEUE`] wait unread ([`Error::WouldBlock`] then). What a
    /// code means is the receiver's: [`PULSE_DUMP`] asks a `qvm` for a core
    /// dump of its guest.
    ProcessPulse = 49,
    /// `pulse_wait(timeout_ns) -> code`: the oldest pulse sent to the
    /// caller's process; blocks until one comes (0: no timeout, else
    /// [`Error::TimedOut`] after `timeout_ns`).
    PulseWait = 50,
}

/// Highest call number + 1.
pub const SYS_COUNT: usize = 51;

/// Pulses a process keeps unread (`process_pulse`).
pub const PULSE_QUEUE: usize = 8;

/// The pulse that asks a `qvm` to write a core dump of its guest to the
/// configuration's `dump DIR` (the host shell's `dump`).
pub const PULSE_DUMP: u32 = 1;

/// `process_spawn`'s `grants`: the child gets every grant the caller holds
/// (a supervisor that starts the same program again, `qvm`'s
/// `set on-reset restart`).
pub const GRANTS_SAME: usize = usize::MAX;
/// Largest [`Sys::DmaAlloc`] in one call, in bytes.
pub const DMA_SIZE_MAX: usize = 2 << 20;

/// `process_spawn`'s `shm_space`: the child gets a namespace of its own.
pub const SHM_SPACE_PRIVATE: usize = usize::MAX;
/// `process_spawn`'s `shm_space`: the child shares the caller's namespace.
pub const SHM_SPACE_SAME: usize = usize::MAX - 1;

/// Longest name of a shared memory object, in bytes ([`Sys::ShmOpen`]): room
/// for a `peer` link name of two 64-byte VM names and two 64-byte card names.
pub const SHM_NAME_MAX: usize = 512;
/// Largest shared memory object, in bytes ([`Sys::ShmOpen`]).
pub const SHM_SIZE_MAX: usize = 64 << 20;

impl Sys {
    /// The call for a number, if there is one.
    pub fn from_number(n: usize) -> Option<Sys> {
        use Sys::*;
        const ALL: [Sys; SYS_COUNT] = [
            ConsoleWrite,
            ConsoleRead,
            Exit,
            ProcessSpawn,
            ProcessWait,
            ThreadCreate,
            ThreadExit,
            ThreadWait,
            FutexWait,
            FutexWake,
            Yield,
            Clock,
            Sleep,
            MemMap,
            MemUnmap,
            HandleClose,
            HandleDup,
            BootfsRead,
            SysInfo,
            CpuId,
            ProcessKill,
            ProcessList,
            VmCreate,
            VmMapRam,
            VcpuCreate,
            VcpuSetRegs,
            VcpuRun,
            VmIrqLine,
            VmConfigure,
            ProcessSetName,
            ShmOpen,
            ShmMap,
            ShmSpaceCreate,
            DeviceList,
            DeviceMap,
            IrqAttach,
            IrqWait,
            IrqUnmask,
            VmMapDevice,
            VmIrqPass,
            DmaAlloc,
            ThreadList,
            ProcessRegions,
            IrqList,
            PhysMap,
            ProcessOpen,
            VcpuGetRegs,
            VcpuStop,
            VmMapShm,
            ProcessPulse,
            PulseWait,
        ];
        ALL.get(n).copied()
    }
}

/// Error codes, returned negated in `x0`.
#[repr(isize)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// No such system call.
    NoSys = 1,
    /// A handle that is not open in the caller's table, or of the wrong type.
    BadHandle = 2,
    /// The handle lacks a right the call needs.
    AccessDenied = 3,
    /// A pointer or range the caller does not have mapped as needed.
    Fault = 4,
    /// An argument out of range (length, alignment, flags, priority).
    InvalidArgument = 5,
    /// Out of memory, handles, VM identifiers or threads.
    NoMemory = 6,
    /// No such file in the bootfs.
    NotFound = 7,
    /// Not an executable the kernel can load.
    BadExecutable = 8,
    /// The futex word did not hold the expected value.
    WouldBlock = 9,
    /// A wait ran out of time.
    TimedOut = 10,
    /// The range is already mapped.
    AlreadyMapped = 11,
    /// The object is not in a state that allows the call (a vCPU already
    /// running on another thread, a VM configured twice).
    Busy = 12,
    /// One of the caller's quotas is used up (VMs, vCPUs, handles, threads,
    /// children, shared memory objects, mapped bytes); see `docs/security.md`.
    Limit = 13,
    /// The kernel's own device or interrupt (its console UART, the
    /// interrupt controller, its timers, SGIs and PPIs): never handed out.
    Reserved = 14,
    /// This CPU cannot do what the call asks (a VM with
    /// [`VM_FLAG_AARCH32`] on a CPU without AArch32 at EL1).
    NotSupported = 15,
}

impl Error {
    /// All codes, for decoding.
    pub const ALL: [Error; 15] = [
        Error::NoSys,
        Error::BadHandle,
        Error::AccessDenied,
        Error::Fault,
        Error::InvalidArgument,
        Error::NoMemory,
        Error::NotFound,
        Error::BadExecutable,
        Error::WouldBlock,
        Error::TimedOut,
        Error::AlreadyMapped,
        Error::Busy,
        Error::Limit,
        Error::Reserved,
        Error::NotSupported,
    ];

    /// Decodes a negative return value.
    pub fn from_return(value: isize) -> Option<Error> {
        Error::ALL.iter().copied().find(|e| -(*e as isize) == value)
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Error::NoSys => "ENOSYS",
            Error::BadHandle => "EBADF",
            Error::AccessDenied => "EACCES",
            Error::Fault => "EFAULT",
            Error::InvalidArgument => "EINVAL",
            Error::NoMemory => "ENOMEM",
            Error::NotFound => "ENOENT",
            Error::BadExecutable => "ENOEXEC",
            Error::WouldBlock => "EAGAIN",
            Error::TimedOut => "ETIMEDOUT",
            Error::AlreadyMapped => "EEXIST",
            Error::Busy => "EBUSY",
            Error::Limit => "EDQUOT",
            Error::Reserved => "EPERM",
            Error::NotSupported => "ENOTSUP",
        }
    }
}

/// Result of a system call as user code sees it.
pub type SysResult = Result<usize, Error>;

/// Turns a raw `x0` into a [`SysResult`].
pub fn decode_return(raw: usize) -> SysResult {
    let value = raw as isize;
    if value >= 0 {
        Ok(raw)
    } else {
        Err(Error::from_return(value).unwrap_or(Error::InvalidArgument))
    }
}

/// Turns a [`SysResult`] into the raw `x0`.
pub fn encode_return(result: SysResult) -> usize {
    match result {
        Ok(v) => v,
        Err(e) => (-(e as isize)) as usize,
    }
}

bitflags::bitflags! {
    /// Rights carried by a handle.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Rights: u32 {
        /// Wait for the object to end and read its status.
        const WAIT = 1 << 0;
        /// End the object.
        const KILL = 1 << 1;
        /// Duplicate the handle (or hand it to a child at spawn).
        const DUPLICATE = 1 << 2;
        /// Map shared memory readable.
        const READ = 1 << 3;
        /// Map shared memory writable.
        const WRITE = 1 << 4;
        /// Map shared memory at all.
        const MAP = 1 << 5;
        /// Every right.
        const ALL = Self::WAIT.bits()
            | Self::KILL.bits()
            | Self::DUPLICATE.bits()
            | Self::READ.bits()
            | Self::WRITE.bits()
            | Self::MAP.bits();
    }
}

/// Protection bits of `mem_map`.
pub mod prot {
    /// Readable.
    pub const READ: usize = 1;
    /// Writable.
    pub const WRITE: usize = 2;
    /// Executable.
    pub const EXEC: usize = 4;
}

/// Thread priorities: 0 is the lowest, [`PRIORITY_MAX`] the highest.
pub const PRIORITY_MAX: usize = 63;
/// The priority of a process's first thread.
pub const PRIORITY_DEFAULT: usize = 10;

/// Page size of user mappings.
pub const PAGE_SIZE: usize = 4096;
/// The user address window of the target: `[USER_BASE, USER_TOP)`.
///
/// On ARM a process's space is a stage-2 table of its own and the kernel
/// has a translation regime apart: the window is the whole 39-bit space.
/// On x86-64 every process's table also holds the kernel's identity map
/// in its first 512 GiB (supervisor-only), so user addresses start at
/// 512 GiB, in the second PML4 slot.
#[cfg(not(all(target_arch = "x86_64", target_os = "none")))]
mod layout {
    pub const USER_BASE: usize = 0;
    pub const USER_LOWEST: usize = super::PAGE_SIZE;
    pub const USER_TOP: usize = 1 << 39;
    pub const USER_STACK_TOP: usize = 0x7f_0000_0000;
    pub const USER_ELF_MACHINE: u16 = 183; // EM_AARCH64
}
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod layout {
    pub const USER_BASE: usize = 1 << 39;
    pub const USER_LOWEST: usize = USER_BASE;
    pub const USER_TOP: usize = 1 << 40;
    pub const USER_STACK_TOP: usize = 0xff_0000_0000;
    pub const USER_ELF_MACHINE: u16 = 62; // EM_X86_64
}
/// User addresses are at or above this.
pub const USER_BASE: usize = layout::USER_BASE;
/// User addresses are below this.
pub const USER_TOP: usize = layout::USER_TOP;
/// The lowest address a user mapping may start at: [`USER_BASE`], and
/// never page 0 (a null pointer faults).
pub const USER_LOWEST: usize = layout::USER_LOWEST;
/// Top of the first thread's stack.
pub const USER_STACK_TOP: usize = layout::USER_STACK_TOP;
/// The ELF `e_machine` of user programs.
pub const USER_ELF_MACHINE: u16 = layout::USER_ELF_MACHINE;
/// Size of the first thread's stack, and the most a program may ask for:
/// the space below [`USER_STACK_TOP`] kept free of ELF segments.
pub const USER_STACK_SIZE: usize = 256 * 1024;
/// The least first-thread stack a program may ask for. A program asks for
/// less than [`USER_STACK_SIZE`] with the `p_memsz` of its `PT_GNU_STACK`
/// program header (`ld -z stack-size=N`), rounded up to whole pages and
/// kept between this and [`USER_STACK_SIZE`]; 0 (what linkers write
/// without `-z stack-size`) means [`USER_STACK_SIZE`].
pub const USER_STACK_MIN: usize = 16 * 1024;

/// Per-process quotas: the most one process may hold at once. A call that
/// would go past one fails with [`Error::Limit`] and changes nothing.
/// Together with the VMID pools and the kernel heap's reserve they bound
/// what any one process can take from the others (`docs/security.md`).
pub mod quota {
    /// VMs (`vm_create`).
    pub const VMS: usize = 4;
    /// vCPUs over all its VMs (`vm_configure`'s `vcpus`).
    pub const VCPUS: usize = 64;
    /// Open handles.
    pub const HANDLES: usize = 1024;
    /// Live threads.
    pub const THREADS: usize = 256;
    /// Live child processes (`process_spawn`).
    pub const CHILDREN: usize = 32;
    /// Shared memory objects it holds a handle to or has mapped.
    pub const SHM_OBJECTS: usize = 32;
    /// Bytes of fresh memory mapped in its own space and its VMs' spaces
    /// (`mem_map`, `vm_map_ram`, its program image and stack).
    pub const MAPPED_BYTES: usize = 17 << 30;
}

/// What `sysinfo` reports.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SysInfo {
    /// CPUs running.
    pub cpus: u64,
    /// Bytes of RAM the kernel manages.
    pub total_memory: u64,
    /// Bytes of it free now.
    pub free_memory: u64,
    /// Live processes.
    pub processes: u64,
    /// Live threads.
    pub threads: u64,
    /// GIC version VMs get (that of the host GIC's virtual CPU interface;
    /// 0: the host cannot run VMs).
    pub vm_gic_version: u64,
    /// Bytes of kernel heap (bookkeeping: objects, handle tables, lists).
    pub heap_total: u64,
    /// Bytes of it free now.
    pub heap_free: u64,
    /// VMIDs free for host processes.
    pub free_process_vmids: u64,
    /// VMIDs free for VMs.
    pub free_vm_vmids: u64,
    /// Open handles, in all processes.
    pub handles: u64,
    /// Live VMs.
    pub vms: u64,
    /// Live shared memory objects.
    pub shm_objects: u64,
    /// The system counter's frequency in Hz when the host's device tree
    /// gives it (the timer node's `clock-frequency`: firmware that leaves
    /// `CNTFRQ_EL0` unset), which `qvm` then puts in its guests' trees;
    /// 0: the counter's own register holds it.
    pub tree_counter_hz: u64,
}

/// One row of `process_list`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ProcessInfo {
    /// Process id.
    pub pid: u64,
    /// Parent's id (0 for none).
    pub parent: u64,
    /// Live threads.
    pub threads: u64,
    /// Bytes of memory the process holds (pages and tables).
    pub memory: u64,
    /// Program name, NUL-padded.
    pub name: [u8; 32],
}

/// Process exit status used when the kernel ends a process for a fault.
pub const STATUS_FAULT: usize = 0x100;
/// Process exit status when killed through `process_kill` without a status.
pub const STATUS_KILLED: usize = 0x101;

/// What ended a `vcpu_run`: the neutral kinds every architecture shares.
/// What a kind leaves in the architecture words ([`VcpuExit::arch`]) is
/// the architecture's ([`aarch64::ExitDetail`]).
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitKind {
    /// A load or store of `size` bytes to guest-physical `address` that no
    /// memory backs; a store's `value`; the answer to a load in `value`.
    Mmio = 1,
    /// The guest powered the machine off (PSCI SYSTEM_OFF).
    PowerOff = 2,
    /// The guest asked for a reset (PSCI SYSTEM_RESET).
    Reset = 3,
    /// A hypervisor call the kernel does not handle: `args` are its first
    /// four argument registers; the answer in `args` goes back to them.
    Hypercall = 4,
    /// A trapped CPU register access the kernel does not emulate (an ARM
    /// system register; an x86 MSR): `address` names the register in the
    /// architecture's encoding, `write`, `value`; a read's answer in
    /// `value`.
    Register = 6,
    /// An abort or instruction the kernel cannot describe: `address` (if
    /// any) and `pc`; the syndrome is in the architecture words.
    Unhandled = 7,
    /// Reserved for x86: an I/O port access (`address` the port, `size`,
    /// `write`, `value`).
    PortIo = 8,
    /// `vcpu_stop` asked for this exit; nothing to answer.
    Stopped = 9,
}

impl ExitKind {
    /// Decodes a raw kind.
    pub fn from_raw(raw: u64) -> Option<ExitKind> {
        Some(match raw {
            1 => ExitKind::Mmio,
            2 => ExitKind::PowerOff,
            3 => ExitKind::Reset,
            4 => ExitKind::Hypercall,
            6 => ExitKind::Register,
            7 => ExitKind::Unhandled,
            8 => ExitKind::PortIo,
            9 => ExitKind::Stopped,
            _ => return None,
        })
    }
}

/// How `qvm` answers an exit (set in [`VcpuExit::response`] before the next
/// `vcpu_run`).
pub mod response {
    /// Complete the access: a read returns `value`; a hypercall returns
    /// `args`; the guest goes on after the instruction.
    pub const COMPLETE: u64 = 0;
    /// Inject a synchronous external abort (or an undefined-instruction
    /// exception for a register access) into the guest.
    pub const INJECT_ABORT: u64 = 1;
}

/// Words of [`VcpuExit::arch`].
pub const EXIT_ARCH_WORDS: usize = 2;

/// Most device interrupt line changes one answer carries
/// ([`VcpuExit::lines`]).
pub const EXIT_LINES: usize = 4;

/// A line change for [`VcpuExit::lines`]: SPI `intid` (32 and up) to
/// `level`.
pub const fn line_change(intid: u32, level: bool) -> u32 {
    (intid & LINE_INTID_MASK) | if level { LINE_LEVEL } else { 0 }
}

/// [`VcpuExit::lines`]: the level bit of an entry.
pub const LINE_LEVEL: u32 = 1 << 31;
/// [`VcpuExit::lines`]: the INTID bits of an entry.
pub const LINE_INTID_MASK: u32 = LINE_LEVEL - 1;

/// The exit record shared between `vcpu_run` and `qvm`: a neutral header
/// every architecture fills the same way, then words only the
/// architecture's own code reads.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct VcpuExit {
    /// [`ExitKind`] as a number.
    pub kind: u64,
    /// Guest-physical address (MMIO, aborts); the register (`Register`);
    /// the port (`PortIo`).
    pub address: u64,
    /// Access width in bytes.
    pub size: u64,
    /// 1 for a write.
    pub write: u64,
    /// The value written, or (set by `qvm`) the value a read returns.
    pub value: u64,
    /// Guest program counter of the instruction that exited.
    pub pc: u64,
    /// A hypercall's first four arguments, and the answer.
    pub args: [u64; 4],
    /// Set by `qvm`: one of [`response`].
    pub response: u64,
    /// The architecture's words ([`aarch64::ExitDetail`]).
    pub arch: [u64; EXIT_ARCH_WORDS],
    /// Set by `qvm` with its answer: device interrupt lines that changed
    /// while it handled the exit, each a [`line_change`] (0: none). The
    /// next `vcpu_run` applies them as `vm_irq_line` would, before the
    /// guest runs again; one it refuses fails the call with nothing
    /// applied. More changes than fit go through `vm_irq_line`.
    pub lines: [u32; EXIT_LINES],
}

/// Where the virtual interrupt controller sits and how many vCPUs the VM
/// has.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct VmConfig {
    /// GIC architecture version, 2 or 3; on x86 [`IRQ_CHIP_APIC`].
    pub gic_version: u64,
    /// Distributor base (guest-physical); the I/O APIC's.
    pub gicd: u64,
    /// GICv3: first redistributor; GICv2: CPU interface; the local
    /// APIC's.
    pub gicr_or_gicc: u64,
    /// vCPUs.
    pub vcpus: u64,
    /// Shared interrupts (SPIs) the distributor offers, a multiple of 32;
    /// the I/O APIC's pins.
    pub spis: u64,
    /// x86 ([`IRQ_CHIP_APIC`]): the I/O port of the VM's ACPI PM timer
    /// (PM_TMR), whose reads the kernel answers itself, without an exit
    /// to the VMM: [`x86_64::pm_timer_count`] of the host clock; 0 for
    /// none (the VMM's then, if any). 0 on ARM.
    pub pm_timer_port: u64,
    /// [`VM_FLAG_AARCH32`] or 0.
    pub flags: u64,
}

/// [`VmConfig::flags`]: the guest's EL1 runs in AArch32 (ARM's
/// `HCR_EL2.RW` clear: a 32-bit ARM kernel such as a Linux zImage). Its
/// vCPUs start in Supervisor mode and `vcpu_set_regs` takes only AArch32
/// modes. `vm_configure` fails with [`Error::NotSupported`] on a CPU without
/// AArch32 at EL1, and on x86 (a 32-bit x86 guest switches its own modes).
pub const VM_FLAG_AARCH32: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_record_layout_is_the_documented_one() {
        assert_eq!(core::mem::size_of::<VcpuExit>(), 120);
        assert_eq!(core::mem::offset_of!(VcpuExit, arch), 88);
        assert_eq!(core::mem::offset_of!(VcpuExit, lines), 104);
        assert_eq!(line_change(40, true), 40 | LINE_LEVEL);
        assert_eq!(line_change(40, false) & LINE_INTID_MASK, 40);
    }

    #[test]
    fn call_numbers_round_trip() {
        for n in 0..SYS_COUNT {
            assert_eq!(Sys::from_number(n).map(|s| s as usize), Some(n));
        }
        assert_eq!(Sys::from_number(SYS_COUNT), None);
        assert_eq!(Sys::from_number(30), Some(Sys::ShmOpen));
        assert_eq!(Sys::from_number(31), Some(Sys::ShmMap));
    }
}
