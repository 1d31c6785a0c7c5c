//! SP805 register offsets, bits and reset values, named as in the ARM
//! Watchdog Module (SP805) Technical Reference Manual, ARM DDI 0270B,
//! chapter 3 "Programmer's Model" (table 3-1, "Summary of registers").

/// Size of the register window (one 4 KiB page).
pub const WINDOW: u64 = 0x1000;

/// Load register: the value the counter counts down from (RW).
pub const WDOG_LOAD: u64 = 0x000;
/// Value register: the counter now (RO).
pub const WDOG_VALUE: u64 = 0x004;
/// Control register: [`CONTROL_INTEN`], [`CONTROL_RESEN`] (RW).
pub const WDOG_CONTROL: u64 = 0x008;
/// Interrupt clear register: any write clears the interrupt and reloads
/// the counter (WO).
pub const WDOG_INTCLR: u64 = 0x00C;
/// Raw interrupt status register, bit 0 (RO).
pub const WDOG_RIS: u64 = 0x010;
/// Masked interrupt status register: `WdogRIS & INTEN`, bit 0 (RO).
pub const WDOG_MIS: u64 = 0x014;
/// Lock register: [`LOCK_KEY`] unlocks the other registers for writing,
/// any other value locks them; reads bit 0 = locked (RW).
pub const WDOG_LOCK: u64 = 0xC00;
/// Integration test control register: [`ITCR_ENABLE`] (RW).
pub const WDOG_ITCR: u64 = 0xF00;
/// Integration test output set register: [`ITOP_WDOGRES`],
/// [`ITOP_WDOGINT`] (WO).
pub const WDOG_ITOP: u64 = 0xF04;
/// Peripheral identification register 0 (`0xFE0..=0xFEC`: 0..3).
pub const WDOG_PERIPH_ID0: u64 = 0xFE0;
/// PrimeCell identification register 0 (`0xFF0..=0xFFC`: 0..3).
pub const WDOG_PCELL_ID0: u64 = 0xFF0;

/// `WdogControl` bit 0: enable the counter and the interrupt (a change
/// from 0 to 1 reloads the counter from `WdogLoad`).
pub const CONTROL_INTEN: u32 = 1 << 0;
/// `WdogControl` bit 1: enable the reset output (`WDOGRES`).
pub const CONTROL_RESEN: u32 = 1 << 1;
/// The `WdogControl` bits that exist.
pub const CONTROL_MASK: u32 = CONTROL_INTEN | CONTROL_RESEN;
/// `WdogRIS`/`WdogMIS` bit 0: the interrupt.
pub const INT_STATUS: u32 = 1 << 0;
/// The value written to `WdogLock` that allows writes to the other
/// registers.
pub const LOCK_KEY: u32 = 0x1ACC_E551;
/// `WdogLock` read bit 0: writes to the other registers are ignored.
pub const LOCK_LOCKED: u32 = 1 << 0;
/// `WdogITCR` bit 0: integration test mode (the outputs follow
/// `WdogITOP`).
pub const ITCR_ENABLE: u32 = 1 << 0;
/// `WdogITOP` bit 0: the value of `WDOGRES` in integration test mode.
pub const ITOP_WDOGRES: u32 = 1 << 0;
/// `WdogITOP` bit 1: the value of `WDOGINT` in integration test mode.
pub const ITOP_WDOGINT: u32 = 1 << 1;
/// The `WdogITOP` bits that exist.
pub const ITOP_MASK: u32 = ITOP_WDOGRES | ITOP_WDOGINT;

/// `WdogLoad` and `WdogValue` after reset.
pub const LOAD_RESET: u32 = 0xFFFF_FFFF;

/// `WdogPeriphID3..0` = 0x00, 0x14, 0x18, 0x05: part number 0x805,
/// designer 0x41 (ARM), revision 1, configuration 0. Linux's AMBA bus
/// matches `sp805_wdt` on `0x00141805` under mask `0x00ffffff`.
pub const PERIPH_ID: u32 = 0x0014_1805;
