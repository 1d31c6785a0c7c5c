//! The kernel's state and the one lock that guards it. The kernel is not
//! preemptible and runs with interrupts masked; one lock serializes the
//! CPUs (as seL4 does), so every handler sees a consistent state and no
//! finer locking is needed.
//!
//! The lock is a test-and-test-and-set spin lock, not a ticket lock: when
//! the kernel's own CPUs are threads of another host (QEMU, a nested
//! hypervisor), a ticket lock hands the lock in order to waiters whose
//! CPU may not be running, and every CPU behind them waits for it too. A
//! `hostile` VM's exits then held a well-behaved VM's MMIO round trip to
//! 20-40 ms under QEMU on two host cores (its ticker ticked at a third of
//! its rate); with this lock it stays under a few milliseconds there. The
//! price is fairness: no CPU is promised a turn, which the kernel's short
//! critical sections make a cache-arbitration question on hardware.

use crate::hw::{Arch, Frame};
use crate::input::ConsoleInput;
use crate::interrupts::Interrupts;
use crate::relax::SpinHint;
use crate::space::Space;
use abi::Rights;
use alloc::vec::Vec;
use arch::Cpu as _;
use boot::Bootfs;
use core::ops::{Deref, DerefMut};
use kernel::handles::HandleTable;
use kernel::mem::frames::FrameAllocator;
use kernel::runqueue::RunQueue;
use kernel::shm::Shm;
use kernel::slab::{Id, Slab};
use kernel::timeq::TimeQueue;
use kernel::vmid::VmidPool;
use spin::mutex::{SpinMutex, SpinMutexGuard};

/// What a handle names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    /// A process.
    Process(Id),
    /// A thread.
    Thread(Id),
    /// A virtual machine.
    Vm(Id),
    /// A virtual CPU.
    Vcpu(Id),
    /// A named shared memory object.
    Shm(Id),
    /// A shared-memory namespace (its number; nothing to free).
    ShmSpace(u64),
    /// An interrupt attached by a host driver (its INTID; attached until
    /// the process ends).
    Irq(u32),
}

/// Why a thread is not running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// `sleep` until its deadline.
    Sleep,
    /// `futex_wait` on the word at this physical address.
    Futex(usize),
    /// `console_read` with no input.
    ConsoleRead,
    /// `process_wait` / `thread_wait` on this object.
    Object(Object),
    /// A vCPU in WFI with nothing pending.
    Wfi,
    /// `vcpu_run` on a vCPU that is powered off.
    VcpuOff,
    /// `pulse_wait` with no pulse queued.
    Pulse,
}

/// A thread's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// In a run queue.
    Ready,
    /// On this CPU.
    Running(usize),
    /// Waiting.
    Blocked(Block),
    /// Ended; kept while handles name it.
    Dead,
}

/// A thread of a host process.
pub struct Thread {
    /// Its process.
    pub process: Id,
    /// Saved registers while not running.
    pub ctx: Frame,
    /// State.
    pub state: ThreadState,
    /// Priority, 0..=63.
    pub priority: usize,
    /// CPUs it may run on (bit per CPU index).
    pub affinity: u64,
    /// The CPU it last ran or was queued on.
    pub cpu: usize,
    /// Ended by its process's death while running on another CPU.
    pub killed: bool,
    /// Handles naming it.
    pub refs: usize,
    /// The vCPU it runs in `vcpu_run`, while the guest has the CPU.
    pub guest: Option<Id>,
    /// Its number within its process, from 1 in creation order (`pidin`).
    pub number: u32,
}

/// A host process.
pub struct Process {
    /// Process id shown to users.
    pub pid: u64,
    /// Program name.
    pub name: [u8; 32],
    /// Parent's pid.
    pub parent: u64,
    /// Its memory, until it ends.
    pub space: Option<Space>,
    /// Its handles.
    pub handles: HandleTable<Object>,
    /// Its live threads.
    pub threads: Vec<Id>,
    /// Exit status once ending.
    pub status: Option<usize>,
    /// Handles naming it.
    pub refs: usize,
    /// VMs it created (they end with it).
    pub vms: Vec<Id>,
    /// Shared memory objects it has mapped, each once: one reference
    /// each, dropped when it ends (after its TLB entries are gone).
    pub shms: Vec<Id>,
    /// The shared-memory namespace its `shm_open` names are looked up in.
    pub shm_space: u64,
    /// The counter (`Arch::counter`) when it was spawned.
    pub started: u64,
    /// The device regions and interrupts it may take (`device_map`,
    /// `irq_attach`) and hand on to its children.
    pub grants: abi::Grants,
    /// Threads it has made so far (the next one's [`Thread::number`] is
    /// one more).
    pub threads_made: u32,
    /// Pulses sent to it that no thread has taken yet, oldest first.
    pub pulses: heapless::Deque<u32, { abi::PULSE_QUEUE }>,
}

impl Process {
    /// Program name as text.
    pub fn name(&self) -> &str {
        let len = self
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..len]).unwrap_or("?")
    }
}

/// Per-CPU scheduling state.
pub struct Cpu {
    /// Runnable threads placed on this CPU.
    pub queue: RunQueue<Id>,
    /// The thread on the CPU, if any.
    pub current: Option<Id>,
    /// When the current thread's time slice ends (counter ticks).
    pub slice_end: u64,
    /// Pick again before returning to user mode.
    pub need_resched: bool,
    /// Started and taking work.
    pub online: bool,
    /// Waiting in the idle loop (a wake-up needs an IPI).
    pub idle: bool,
    /// Top of its kernel stack.
    pub stack_top: usize,
    /// The vCPU whose state is loaded in this CPU's EL1 and GIC registers.
    pub loaded_vcpu: Option<Id>,
    /// The loaded vCPU is parked: its runner thread runs in its host
    /// process, with the host's configuration on the CPU
    /// (`vm::switch::park`).
    pub parked: bool,
    /// The vCPU whose FP/SIMD values are in this CPU's registers (they
    /// stay there while host processes run: those trap FP).
    pub fp_owner: Option<Id>,
    /// The guests' timer PPI is masked at this CPU's interrupt controller:
    /// the loaded vCPU's timer interrupt line is high in its virtual GIC
    /// (`vm::switch::mask_vtimer`).
    pub vtimer_masked: bool,
    /// The loaded vCPU's emulated timer (an x86 local APIC's), as a
    /// counter deadline the host timer is programmed for too.
    pub guest_deadline: Option<u64>,
}

impl Cpu {
    /// A CPU that is not started yet.
    pub const fn new() -> Cpu {
        Cpu {
            queue: RunQueue::new(),
            current: None,
            slice_end: 0,
            need_resched: false,
            online: false,
            idle: false,
            stack_top: 0,
            loaded_vcpu: None,
            parked: false,
            fp_owner: None,
            vtimer_masked: false,
            guest_deadline: None,
        }
    }
}

/// Everything the kernel keeps.
pub struct Kernel {
    /// Physical frames.
    pub frames: FrameAllocator<'static>,
    /// Processes.
    pub processes: Slab<Process>,
    /// Threads.
    pub threads: Slab<Thread>,
    /// Virtual machines.
    pub vms: Slab<crate::vm::Vm>,
    /// Virtual CPUs.
    pub vcpus: Slab<crate::vm::Vcpu>,
    /// Named shared memory objects.
    pub shms: Slab<Shm>,
    /// The board's device regions, who holds them, attached interrupts.
    pub devices: kernel::devices::Devices,
    /// CPUs by index.
    pub cpus: Vec<Cpu>,
    /// Sleeping threads (and futex waits with a timeout) by deadline.
    pub sleepers: TimeQueue<Id>,
    /// Threads in `futex_wait`, with the word's physical address.
    pub futex_waiters: Vec<(usize, Id)>,
    /// Threads in `process_wait` / `thread_wait`.
    pub object_waiters: Vec<(Object, Id)>,
    /// Console input and which reader has it.
    pub input: ConsoleInput,
    /// VMIDs: one pool for processes, one for VMs.
    pub vmids: VmidPool,
    /// The interrupt controller and where its interrupts go.
    pub irqs: Interrupts,
    /// The boot file system.
    pub bootfs: Bootfs<'static>,
    /// Next process id.
    pub next_pid: u64,
    /// Next shared-memory namespace number (never reused).
    pub next_shm_space: u64,
    /// The `init` process.
    pub init: Option<Id>,
    /// The root of an empty space, active while a CPU runs no process.
    pub null_root: u64,
    /// Counter ticks per second.
    pub counter_hz: u64,
    /// `counter_hz` is the device tree's `clock-frequency`, not what the
    /// counter's register says (VMs' trees then carry it too).
    pub counter_hz_from_tree: bool,
    /// Ticks per time slice.
    pub slice_ticks: u64,
    /// The physical memory map as it was after boot (`physmap.rs`).
    pub memory_map: Vec<abi::PhysArea>,
}

impl Kernel {
    /// A new shared-memory namespace's number.
    pub fn new_shm_space(&mut self) -> u64 {
        self.next_shm_space += 1;
        self.next_shm_space
    }

    /// Asks CPU `cpu` to look at its run queue and the vCPU it runs.
    pub fn gic_send_reschedule(&mut self, cpu: usize) {
        use arch::IrqChip;
        self.irqs.chip.send_ipi(cpu, crate::percpu::SGI_RESCHEDULE);
    }

    /// Bit mask of online CPUs.
    pub fn online_mask(&self) -> u64 {
        self.cpus
            .iter()
            .enumerate()
            .filter(|(_, c)| c.online)
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// Nanoseconds since boot.
    pub fn now_ns(&self) -> u64 {
        ticks_to_ns(Arch::counter(), self.counter_hz)
    }

    /// Handle rights check on the caller's table.
    pub fn handle(&self, process: Id, handle: usize, rights: Rights) -> Result<Object, abi::Error> {
        self.processes
            .get(process)
            .ok_or(abi::Error::BadHandle)?
            .handles
            .get(handle, rights)
    }
}

/// Counter ticks to nanoseconds.
pub fn ticks_to_ns(ticks: u64, hz: u64) -> u64 {
    (ticks as u128 * 1_000_000_000 / hz.max(1) as u128) as u64
}

/// Nanoseconds to counter ticks.
pub fn ns_to_ticks(ns: u64, hz: u64) -> u64 {
    (ns as u128 * hz as u128 / 1_000_000_000) as u64
}

/// The big kernel lock around the state (see the module comment for why
/// a spin lock rather than a ticket lock).
pub struct KernelLock(SpinMutex<Option<Kernel>, SpinHint>);

/// A held lock.
pub struct Guard(SpinMutexGuard<'static, Option<Kernel>, SpinHint>);

/// The kernel's state.
pub static KERNEL: KernelLock = KernelLock(SpinMutex::new(None));

impl KernelLock {
    /// Takes the lock. The state is checked to be there once here, so
    /// that a deref (several on every exit path) is a plain load.
    pub fn lock(&'static self) -> Guard {
        let guard = self.0.lock();
        assert!(guard.is_some(), "kernel state used before boot finished");
        Guard(guard)
    }

    /// Installs the state at boot.
    pub fn install(&'static self, kernel: Kernel) {
        *self.0.lock() = Some(kernel);
    }
}

impl Deref for Guard {
    type Target = Kernel;
    #[inline(always)]
    fn deref(&self) -> &Kernel {
        // SAFETY: a guard is made only by `KernelLock::lock`, which checked
        // that the state is there, and nothing takes it out again (`install`
        // only puts it in); the guard holds the lock throughout.
        unsafe { self.0.as_ref().unwrap_unchecked() }
    }
}

impl DerefMut for Guard {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Kernel {
        // SAFETY: as in `deref`.
        unsafe { self.0.as_mut().unwrap_unchecked() }
    }
}
