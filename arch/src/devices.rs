//! The devices the kernel drives through the architecture: the host
//! interrupt controller, its virtual CPU interface and the console UART.

/// The interrupt controller of the host.
pub trait IrqChip {
    /// Sets up this CPU's interface; the distributor is set up by CPU 0.
    fn init_cpu(&mut self, cpu: usize);
    /// Enables interrupt `intid`, level-triggered or edge, routed to CPU
    /// `cpu` (for shared interrupts) or on CPU `cpu` (for private ones).
    fn enable(&mut self, intid: u32, cpu: usize, edge: bool);
    /// Disables interrupt `intid`.
    fn disable(&mut self, intid: u32, cpu: usize);
    /// Stops (`masked`) or lets again the signalling of private interrupt
    /// `intid` (16..32) on this CPU, whose index is `cpu`, its
    /// configuration kept: one register write, for a line that stays
    /// asserted while a guest handles what it stands for (the virtual
    /// timer's PPI).
    fn set_masked(&mut self, intid: u32, cpu: usize, masked: bool);
    /// Takes the highest-priority pending interrupt, if any.
    fn acknowledge(&mut self) -> Option<u32>;
    /// Ends the handling of `intid` (as [`IrqChip::acknowledge`] returned
    /// it): drops the running priority and deactivates it.
    fn end_of_interrupt(&mut self, intid: u32);
    /// Drops the running priority of `intid` only: it stays active (no
    /// new arrival is signalled) until [`IrqChip::deactivate`] or a
    /// guest's EOI of the virtual interrupt a list register binds to it
    /// (the HW bit) deactivates it.
    fn drop_priority(&mut self, intid: u32);
    /// Deactivates interrupt `intid`, which is active (a shared one may
    /// have been acknowledged on another CPU).
    fn deactivate(&mut self, intid: u32);
    /// Clears the active state of shared interrupt `intid` at the
    /// distributor, whether or not it is active (nothing for SGIs, PPIs and
    /// special INTIDs).
    fn clear_active(&mut self, intid: u32);
    /// Sends the software interrupt `sgi` to CPU `cpu`.
    fn send_ipi(&mut self, cpu: usize, sgi: u32);
    /// The controller's name for the banner ("GICv3", "APIC").
    fn name(&self) -> &'static str;
}

/// A serial port used as the host console.
pub trait Uart {
    /// Sends one byte, waiting for room.
    fn put(&mut self, byte: u8);
    /// A received byte, if one is waiting.
    fn get(&mut self) -> Option<u8>;
    /// Raises the UART's interrupt when input arrives.
    fn enable_rx_interrupt(&mut self);
}

/// The hardware virtual CPU interface of the GIC: list registers through
/// which the kernel hands virtual interrupts to the guest that runs, and
/// the guest's own interface state kept while it is off the CPU.
pub trait VirtualCpuInterface {
    /// Number of list registers.
    fn list_registers(&self) -> usize;
    /// Reads list register `n`.
    fn read_lr(&self, n: usize) -> u64;
    /// Writes list register `n`.
    fn write_lr(&self, n: usize, value: u64);
    /// Turns the virtual interface on; with `underflow`, also the
    /// maintenance interrupt when at most one list register is valid.
    fn enable(&self, underflow: bool);
    /// Turns it off (no maintenance interrupts while a host thread runs).
    fn disable(&self);
    /// The maintenance interrupt's causes now asserted (GICv3
    /// ICH_MISR_EL2, GICv2 GICH_MISR); 0: none.
    fn maintenance_status(&self) -> u32;
    /// The list registers that hold no interrupt: bit n set when list
    /// register n is in the invalid state and raises no maintenance
    /// interrupt on its way there (GICv3 ICH_ELRSR_EL2, GICv2
    /// GICH_ELRSR0; IHI 0069 12.5.10, IHI 0048 5.3.8).
    fn empty_lrs(&self) -> u64;
    /// Saves the guest's interface state (VMCR, active priorities).
    fn save(&self) -> [u64; 2];
    /// Restores it.
    fn restore(&self, state: [u64; 2]);
    /// The GIC architecture version of the CPU interface guests see.
    fn guest_version(&self) -> u32;
    /// Where the hardware's virtual CPU interface frame is, for a VM's
    /// table to map at the guest's CPU interface (GICv2's GICV); `None`
    /// when guests reach it through system registers.
    fn guest_frame(&self) -> Option<usize>;
}
