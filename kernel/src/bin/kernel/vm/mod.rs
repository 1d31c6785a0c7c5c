//! Virtual machines and virtual CPUs: the kernel objects `qvm` drives. A VM
//! is a stage-2 space with its own VMID and a virtual GIC; a vCPU is the
//! register state of one virtual CPU, run by whichever `qvm` thread calls
//! `vcpu_run` on it. What must be fast stays here (the guest's state switch,
//! interrupt delivery, the virtual timer, WFI, PSCI, the GIC distributor);
//! everything else goes back to `qvm` as an exit.

pub mod apic;
pub mod appends;
pub mod deliver;
pub mod entry;
pub mod exit;
pub mod lifecycle;
pub mod passthrough;
pub mod psci;
pub mod record;
pub mod switch;

use crate::hw::{Arch, Frame, VcpuState};
use crate::space::Space;
use abi::VmConfig;
use alloc::boxed::Box;
use alloc::vec::Vec;
use arch::{Platform, Virtualization};
use kernel::exit_stats::ExitCounts;
use kernel::slab::Id;
use kernel::vapic::VmApic;
use kernel::vgic::{GicWindows, VGic};

pub use kernel::exit_record::Pending;

/// The interrupt of the guest's virtual timer.
pub const VTIMER_INTID: u32 = <Arch as Platform>::GUEST_TIMER_INTID;
/// The virtual CPU interface's maintenance interrupt.
pub const MAINTENANCE_INTID: u32 = <Arch as Platform>::MAINTENANCE_INTID;
/// Most list registers kept per vCPU.
pub const MAX_LRS: usize = 16;

/// Where a vCPU's runner keeps its exit record, as last looked up
/// (`record`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSlot {
    /// The record's address in the runner's space.
    pub va: usize,
    /// The runner's space generation when it was looked up.
    pub generation: u64,
    /// The record's address through the kernel's identity map.
    pub pa: usize,
}

/// A virtual machine.
pub struct Vm {
    /// Its guest-physical memory.
    pub space: Space,
    /// Its vCPUs by index.
    pub vcpus: Vec<Option<Id>>,
    /// Where the virtual GIC is.
    pub config: Option<VmConfig>,
    /// The virtual GIC, once configured.
    pub vgic: Option<VGic>,
    /// Where the guest finds the GIC the kernel emulates (set with
    /// `config`).
    pub gic: GicWindows,
    /// The local APICs and I/O APIC the kernel emulates (an x86 VM's,
    /// `abi::IRQ_CHIP_APIC`), once configured.
    pub apic: Option<VmApic>,
}

/// Most interrupts kept for a remote vCPU to append (`Vcpu::appends`);
/// with more, it is marked for the full refill.
pub const APPENDS_MAX: usize = 4;

/// A virtual CPU.
pub struct Vcpu {
    /// Its VM.
    pub vm: Id,
    /// Index in the VM, also its MPIDR affinity 0.
    pub index: usize,
    /// Guest registers while `qvm` holds the CPU.
    pub frame: Frame,
    /// The rest of its architectural state while off the CPU, and what
    /// its last exit needs to be completed; boxed, so that it stays where
    /// it is while loaded (x86 runs the guest from it) whatever the slab
    /// of vCPUs does.
    pub arch: Box<VcpuState>,
    /// Guest virtual CPU interface registers while off the CPU (VMCR and
    /// active priorities).
    pub cpu_if: [u64; 2],
    /// Its list registers while off the CPU.
    pub lrs: [u64; MAX_LRS],
    /// Powered on (PSCI).
    pub on: bool,
    /// The thread running it in `vcpu_run`, if any.
    pub runner: Option<Id>,
    /// The runner's own registers while the guest has the CPU.
    pub host_frame: Frame,
    /// Where the runner wants its exit record.
    pub exit_ptr: usize,
    /// The frame behind it, as last looked up (`record`).
    pub record: Option<RecordSlot>,
    /// What the next run completes.
    pub pending: Pending,
    /// Its virtual GIC state may differ from its list registers: sync and
    /// refill them before it runs again. Exits that touch no interrupt
    /// state (a PSCI call, an MMIO access) leave the list registers alone.
    pub lrs_stale: bool,
    /// The last refill left interrupts out (the underflow maintenance
    /// interrupt is wanted while it runs).
    pub lrs_overflow: bool,
    /// Interrupts another CPU made pending for it while it was loaded on
    /// its own CPU with its list registers current: that CPU, kicked,
    /// appends them before it enters the guest again
    /// (`entry::prepare_entry`, `appends::append_remote`) instead of a full
    /// sync and refill.
    pub appends: heapless::Vec<u32, APPENDS_MAX>,
    /// Its exits by kind (printed when the VM ends).
    pub exits: ExitCounts,
    /// The counter when `vcpu_run` first entered the guest on it (the
    /// VM's earliest is printed when the VM ends).
    pub first_entry: Option<u64>,
    /// Its VM's interrupt controllers are the emulated APICs: interrupts
    /// are injected before each entry (`apic::prepare_entry`) rather than
    /// listed.
    pub apic: bool,
    /// Its VM's ACPI PM timer port (`VmConfig::pm_timer_port`; 0 none),
    /// kept here so a port exit checks it without a look at the VM.
    pub pm_timer_port: u64,
    /// `vcpu_stop` asked for: its runner's `vcpu_run` ends with
    /// `ExitKind::Stopped` at the next chance (`exit::handle`, or at once
    /// when it calls `vcpu_run` again).
    pub stop: bool,
    /// An INIT IPI reached it while it was on (x86): carried out at its
    /// next exit, or its runner's next `vcpu_run`.
    pub init: InitWait,
    /// `stop` is set or `init` is not `None`: the one flag the exit path
    /// and `vcpu_run` test (each rarely set; kept by [`Vcpu::mark_stop`],
    /// [`Vcpu::mark_init`] and the code that clears them).
    pub attention: bool,
}

/// An INIT IPI that reached a vCPU while it was on (SDM Vol. 3A 10.6.1:
/// the processor is reset and waits for a start-up IPI), not yet carried
/// out: its runner was in the guest (made to exit: `apic::prepare_entry`),
/// asleep in HLT, or in `qvm`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InitWait {
    /// None.
    #[default]
    None,
    /// It goes off, to wait for a start-up IPI.
    Pending,
    /// A start-up IPI came too, for this page: it starts there at once.
    StartAt(u64),
}

impl Vcpu {
    /// A powered-off vCPU, number `index` of `vcpus`, of a VM configured
    /// with `flags` (`abi::VmConfig::flags`).
    pub fn new(vm: Id, index: usize, vcpus: usize, flags: u64) -> Vcpu {
        Vcpu {
            vm,
            index,
            frame: Frame::default(),
            arch: Box::new(Arch::new_state(index, vcpus, flags)),
            cpu_if: [0; 2],
            lrs: [0; MAX_LRS],
            on: false,
            runner: None,
            host_frame: Frame::default(),
            exit_ptr: 0,
            record: None,
            pending: Pending::None,
            lrs_stale: true,
            lrs_overflow: false,
            appends: heapless::Vec::new(),
            exits: ExitCounts::default(),
            first_entry: None,
            apic: false,
            pm_timer_port: 0,
            stop: false,
            init: InitWait::None,
            attention: false,
        }
    }

    /// Powers on as an x86 start-up IPI starts a processor: real mode at
    /// `page`.
    pub fn start_up(&mut self, page: u64) {
        Arch::start_up(&mut self.frame, &mut self.arch, page);
        self.pending = Pending::None;
        self.on = true;
    }

    /// Marks it for `vcpu_stop`.
    pub fn mark_stop(&mut self) {
        self.stop = true;
        self.attention = true;
    }

    /// `vcpu_stop` carried out (an INIT may still wait).
    pub fn clear_stop(&mut self) {
        self.stop = false;
        self.attention = self.init != InitWait::None;
    }

    /// An INIT reached it while on (x86).
    pub fn mark_init(&mut self) {
        self.init = InitWait::Pending;
        self.attention = true;
    }

    /// Carries out an INIT that reached it while on, its registers not on
    /// a CPU: off to wait for a start-up IPI, or started at the page of
    /// one that came meanwhile.
    pub fn take_init(&mut self) {
        self.attention = self.stop;
        match core::mem::take(&mut self.init) {
            InitWait::None => {}
            InitWait::Pending => {
                self.on = false;
                self.pending = Pending::None;
            }
            InitWait::StartAt(page) => self.start_up(page),
        }
    }

    /// Powers on at `pc` with `arg` in the first argument register, in
    /// the state the boot protocol requires (PSCI CPU_ON, Linux).
    pub fn power_on(&mut self, pc: u64, arg: u64) {
        Arch::power_on(&mut self.frame, &mut self.arch, pc, arg);
        self.cpu_if = [0; 2];
        self.lrs = [0; MAX_LRS];
        self.pending = Pending::None;
        self.lrs_stale = true;
        self.on = true;
    }
}
