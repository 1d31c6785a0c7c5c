//! The rows of `cargo xtask bench`'s table: what each measures, where its
//! figure comes from, the published figures it sits beside and the
//! footnotes.

/// A benchmark of the table.
#[derive(Clone, Copy, Debug)]
pub struct Benchmark {
    /// The name on the guest's line (and the row's name).
    pub name: &'static str,
    /// What it measures, in a few words.
    pub what: &'static str,
    /// Where its figure comes from.
    pub source: Source,
    /// The published figures it sits beside, if any.
    pub published: Option<Published>,
    /// Whether the bare run must have it (no VM switch without VMs).
    pub bare: bool,
    /// Footnote number, if it has one.
    pub note: Option<u8>,
}

/// Where a row's figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A `bench: NAME min X median Y mean Z` line of the `bench` guest, in
    /// counter ticks.
    Guest,
    /// The gaps of the two VM-switch VMs ([`super::switch_samples`]).
    Switches,
    /// `ktest vm-memory` (free memory before and while a VM runs) less the
    /// VM's RAM ([`super::memory`]).
    Memory,
}

/// Figures of another hypervisor for the same operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    /// The row's name where the figures come from.
    pub row: &'static str,
    /// KVM on ARM, if given.
    pub kvm_arm: Option<u64>,
    /// Xen on ARM, if given.
    pub xen_arm: Option<u64>,
    /// A footnote on the figures' source when it is not Dall et al. (the
    /// columns' own footnote 1).
    pub source_note: Option<u8>,
}

/// A row of Dall et al. (ISCA 2016): cycles on real hardware (X-Gene).
const fn isca(row: &'static str, kvm_arm: u64, xen_arm: u64) -> Published {
    Published {
        row,
        kvm_arm: Some(kvm_arm),
        xen_arm: Some(xen_arm),
        source_note: None,
    }
}

const HYPERCALL: Published = isca("hypercall", 6_500, 376);
const GIC_TRAP: Published = isca("interrupt controller trap", 7_370, 1_356);
const IO_OUT: Published = isca("I/O latency out", 6_024, 16_491);
const IO_IN: Published = isca("I/O latency in", 13_872, 15_650);
const IRQ_COMPLETION: Published = isca("virtual IRQ completion", 71, 71);
const VIRTUAL_IPI: Published = isca("virtual IPI", 11_557, 5_978);
const VM_SWITCH: Published = isca("VM switch", 10_387, 8_799);
/// The team's own measurement of Xen, not a published figure.
const XEN_VTIMER: Published = Published {
    row: "virtual timer interrupt (Xen: ours)",
    kvm_arm: None,
    xen_arm: Some(1_060),
    source_note: Some(7),
};

/// A row of the `bench` guest.
const fn guest(
    name: &'static str,
    what: &'static str,
    published: Option<Published>,
    note: Option<u8>,
) -> Benchmark {
    Benchmark {
        name,
        what,
        source: Source::Guest,
        published,
        bare: true,
        note,
    }
}

/// The rows of the table, in order.
pub const BENCHMARKS: &[Benchmark] = &[
    guest(
        "empty",
        "two counter reads, nothing between (the floor)",
        None,
        None,
    ),
    guest(
        "hvc",
        "null hypercall round trip (PSCI_VERSION, answered in the kernel)",
        Some(HYPERCALL),
        None,
    ),
    guest(
        "gicd-read",
        "GIC distributor register read (the kernel's virtual GIC)",
        Some(GIC_TRAP),
        None,
    ),
    guest(
        "mmio-read",
        "MMIO read round trip to the PL011 vdev in qvm",
        Some(IO_OUT),
        Some(2),
    ),
    guest(
        "mmio-write",
        "MMIO write round trip to the PL011 vdev in qvm",
        Some(IO_OUT),
        Some(2),
    ),
    guest(
        "irq",
        "virtual IRQ latency: the write that makes the vdev raise its line -> guest vector",
        Some(IO_IN),
        Some(3),
    ),
    guest(
        "irq-complete",
        "acknowledge + end of that (level-triggered) interrupt",
        Some(IRQ_COMPLETION),
        Some(4),
    ),
    guest(
        "ipi",
        "virtual IPI latency, vCPU 0 -> vCPU 1 running (other physical CPU)",
        Some(VIRTUAL_IPI),
        Some(5),
    ),
    guest(
        "ipi-complete",
        "acknowledge + end of that (edge-triggered) SGI",
        Some(IRQ_COMPLETION),
        Some(4),
    ),
    guest(
        "ipi-idle",
        "virtual IPI latency, vCPU 1 waiting in WFI",
        None,
        Some(5),
    ),
    guest(
        "vtimer",
        "virtual timer interrupt latency, vCPU 0 spinning: the timer's deadline -> guest vector",
        Some(XEN_VTIMER),
        Some(8),
    ),
    guest(
        "vtimer-wfi",
        "virtual timer interrupt latency, vCPU 0 waiting in WFI: deadline -> guest vector",
        None,
        Some(8),
    ),
    Benchmark {
        name: "vm-switch",
        what: "VM switch: two VMs on one CPU, last instruction of one -> first of the other",
        source: Source::Switches,
        published: Some(VM_SWITCH),
        bare: false,
        note: Some(6),
    },
    Benchmark {
        name: "vm-memory",
        what: "host memory a running VM takes beyond its guest RAM (kernel objects, page tables, qvm)",
        source: Source::Memory,
        published: None,
        bare: false,
        note: Some(9),
    },
];

/// The footnotes, by number.
pub const NOTES: &[(u8, &str)] = &[
    (
        1,
        "Published figures: Dall et al., ISCA 2016, in CPU cycles on real hardware \
         (X-Gene ARM). Ours are instructions executed under QEMU (-icount shift=0: \
         one counter tick per instruction), on a different machine: the columns \
         show orders of magnitude, they are not comparable 1:1.",
    ),
    (
        2,
        "Ours is the whole round trip: trap, kernel, the qvm process and back. \
         'I/O latency out' is one way, guest to the device model; KVM/ARM \
         (ASPLOS 2014) gives ~10,000 cycles for I/O to a user-space device model.",
    ),
    (
        3,
        "Ours includes the MMIO exit of the write that makes the device raise \
         its line (the 'out' leg), then vm_irq_line and the injection; 'I/O \
         latency in' is the device-to-guest leg only.",
    ),
    (
        4,
        "Acknowledge and end of interrupt as gsupport does them, each between \
         two counter reads (2 of the instructions each). Under the hypervisor \
         a level-triggered interrupt's list register gets the EOI bit (the line \
         is sampled again), so its end raises a maintenance interrupt; an SGI's \
         end does not trap.",
    ),
    (
        5,
        "QEMU runs all CPUs in one thread under -icount: the instructions of both \
         CPUs count. A CPU waiting for the kernel lock executes YIELD, at which \
         QEMU moves on to the next CPU, so waits cost little; if many samples \
         were inflated anyway, the minimum, the path alone, is given in \
         parentheses. One vCPU per host CPU; the guest skips the IPIs when \
         vCPU 1 does not run beside vCPU 0.",
    ),
    (
        6,
        "Two VMs pinned to host CPU 0 (the other CPU idle) read the physical \
         counter in a loop and record each gap; from one VM's last read before \
         a gap to the other VM's first read after its own gap. Includes the \
         timer interrupt that ends the time slice and up to one loop iteration \
         (10 instructions) on each side; median of the switches seen (at least 5).",
    ),
    (
        7,
        "Not from Dall et al.: our own measurement of Xen (Xen 4.17's virtual \
         timer interrupt to the guest's handler, about 1,060), made by the team \
         on the same kind of QEMU as ours; not a published figure.",
    ),
    (
        8,
        "From the deadline (CNTV_CVAL_EL0: the counter equals it when the timer \
         fires) to the counter read at the guest's IRQ vector, on vCPU 0 (vCPU 1 \
         waiting in WFI). The guest arms its EL1 virtual timer 2 us (spinning) or \
         50 us (WFI) ahead and keeps a sample only if the counter was still before \
         the deadline once armed; its handler stops the timer. Under the \
         hypervisor the timer's PPI 27 is taken by the kernel, which masks the \
         PPI at the host GIC and raises the virtual timer's line (a level); in \
         WFI the vCPU's thread is blocked and woken by the kernel's timer at the \
         deadline, which raises the line. vtimer-wfi waits with IRQs \
         masked, as an OS idle loop does: the figure includes the wake, a counter \
         check and the unmasking.",
    ),
    (
        9,
        "Measured, not computed: ktest vm-memory reads the kernel's free page \
         frames and free kernel heap (sysinfo) with no VM running, then while a VM \
         like the bench one (2 vCPUs, 64 MiB, GIC, PL011: \
         boot/vm/bench-memory.qvmconf) runs with its guest waiting in WFI after \
         printing its line, each once unchanged for 0.5 s; the row is what went \
         less the configuration's guest RAM: page tables (stage 2 and qvm's), \
         qvm's code, heap and stacks, and the kernel heap the VM allocated. Kernel \
         records that reuse slab slots the script's earlier VMs left free take no \
         new heap (see docs/benchmarks.md).",
    ),
];
