//! Register offsets, MSR numbers and bit fields of the local APIC, named
//! as in the Intel SDM Vol. 3A chapter "Advanced Programmable Interrupt
//! Controller (APIC)" (chapter 10 in the editions this module cites:
//! Table 10-1 for the xAPIC page, Table 10-6 for the x2APIC MSRs, Figures
//! 10-5 to 10-28 for the fields).

// ---- xAPIC page offsets (Table 10-1) --------------------------------------

/// Local APIC ID Register.
pub const APIC_ID: u64 = 0x020;
/// Local APIC Version Register.
pub const APIC_VERSION: u64 = 0x030;
/// Task Priority Register (TPR).
pub const APIC_TPR: u64 = 0x080;
/// Arbitration Priority Register (APR).
pub const APIC_APR: u64 = 0x090;
/// Processor Priority Register (PPR).
pub const APIC_PPR: u64 = 0x0A0;
/// EOI Register.
pub const APIC_EOI: u64 = 0x0B0;
/// Remote Read Register (RRD).
pub const APIC_RRD: u64 = 0x0C0;
/// Logical Destination Register (LDR).
pub const APIC_LDR: u64 = 0x0D0;
/// Destination Format Register (DFR).
pub const APIC_DFR: u64 = 0x0E0;
/// Spurious Interrupt Vector Register (SVR).
pub const APIC_SVR: u64 = 0x0F0;
/// In-Service Register (ISR), eight registers 16 bytes apart.
pub const APIC_ISR: u64 = 0x100;
/// Trigger Mode Register (TMR), eight registers 16 bytes apart.
pub const APIC_TMR: u64 = 0x180;
/// Interrupt Request Register (IRR), eight registers 16 bytes apart.
pub const APIC_IRR: u64 = 0x200;
/// Error Status Register (ESR).
pub const APIC_ESR: u64 = 0x280;
/// LVT Corrected Machine Check Interrupt (CMCI) Register.
pub const APIC_LVT_CMCI: u64 = 0x2F0;
/// Interrupt Command Register (ICR), bits 0-31.
pub const APIC_ICR_LOW: u64 = 0x300;
/// Interrupt Command Register (ICR), bits 32-63.
pub const APIC_ICR_HIGH: u64 = 0x310;
/// LVT Timer Register.
pub const APIC_LVT_TIMER: u64 = 0x320;
/// LVT Thermal Sensor Register.
pub const APIC_LVT_THERMAL: u64 = 0x330;
/// LVT Performance Monitoring Counters Register.
pub const APIC_LVT_PERF: u64 = 0x340;
/// LVT LINT0 Register.
pub const APIC_LVT_LINT0: u64 = 0x350;
/// LVT LINT1 Register.
pub const APIC_LVT_LINT1: u64 = 0x360;
/// LVT Error Register.
pub const APIC_LVT_ERROR: u64 = 0x370;
/// Initial Count Register (for Timer).
pub const APIC_TIMER_INITIAL: u64 = 0x380;
/// Current Count Register (for Timer).
pub const APIC_TIMER_CURRENT: u64 = 0x390;
/// Divide Configuration Register (for Timer).
pub const APIC_TIMER_DIVIDE: u64 = 0x3E0;
/// Size of the xAPIC register page.
pub const APIC_PAGE_SIZE: u64 = 0x1000;

// ---- MSRs (Table 10-6; Vol. 4 Table 2-2) -----------------------------------

/// IA32_APIC_BASE.
pub const IA32_APIC_BASE: u32 = 0x1B;
/// IA32_TSC_DEADLINE.
pub const IA32_TSC_DEADLINE: u32 = 0x6E0;
/// First MSR of the x2APIC range; MSR `0x800 + offset / 16` is the
/// register at xAPIC `offset`.
pub const X2APIC_MSR_BASE: u32 = 0x800;
/// Last MSR of the x2APIC range.
pub const X2APIC_MSR_LAST: u32 = 0x8FF;
/// x2APIC ICR: the whole 64-bit register (MSR 0x830).
pub const X2APIC_ICR: u32 = 0x830;
/// x2APIC SELF IPI (MSR 0x83F, write-only; no xAPIC counterpart).
pub const X2APIC_SELF_IPI: u32 = 0x83F;

// ---- IA32_APIC_BASE (Figure 10-5) ------------------------------------------

/// BSP flag.
pub const APIC_BASE_BSP: u64 = 1 << 8;
/// x2APIC mode enable (EXTD).
pub const APIC_BASE_EXTD: u64 = 1 << 10;
/// APIC global enable (EN).
pub const APIC_BASE_EN: u64 = 1 << 11;
/// The base address field starts at bit 12.
pub const APIC_BASE_ADDR_SHIFT: u32 = 12;
/// The power-up base address.
pub const APIC_BASE_DEFAULT: u64 = 0xFEE0_0000;

// ---- Version (Figure 10-7) -------------------------------------------------

/// An integrated xAPIC.
pub const VERSION_XAPIC: u32 = 0x14;
/// Max LVT Entry is bits 23:16: entries minus one.
pub const VERSION_MAX_LVT_SHIFT: u32 = 16;
/// Support for EOI-broadcast suppression.
pub const VERSION_EOI_SUPPRESSION: u32 = 1 << 24;

// ---- SVR (Figure 10-23) ----------------------------------------------------

/// Spurious vector.
pub const SVR_VECTOR: u32 = 0xFF;
/// APIC software enable.
pub const SVR_APIC_ENABLED: u32 = 1 << 8;
/// Focus processor checking (1: disabled).
pub const SVR_FOCUS_DISABLED: u32 = 1 << 9;
/// EOI-broadcast suppression.
pub const SVR_EOI_SUPPRESSION: u32 = 1 << 12;
/// SVR after reset.
pub const SVR_RESET: u32 = 0xFF;

// ---- DFR (Figure 10-14) and LDR (Figure 10-13) -----------------------------

/// DFR model, bits 31:28.
pub const DFR_MODEL_SHIFT: u32 = 28;
/// Flat model.
pub const DFR_MODEL_FLAT: u32 = 0xF;
/// Cluster model.
pub const DFR_MODEL_CLUSTER: u32 = 0x0;
/// The reserved DFR bits 27:0, which read as ones.
pub const DFR_RESERVED_ONES: u32 = 0x0FFF_FFFF;
/// xAPIC LDR: logical APIC ID, bits 31:24.
pub const LDR_XAPIC_MASK: u32 = 0xFF00_0000;

// ---- ESR (Figure 10-9) -----------------------------------------------------

/// Send Checksum Error (P6 and Pentium only).
pub const ESR_SEND_CHECKSUM: u32 = 1 << 0;
/// Receive Checksum Error (P6 and Pentium only).
pub const ESR_RECEIVE_CHECKSUM: u32 = 1 << 1;
/// Send Accept Error (P6 and Pentium only).
pub const ESR_SEND_ACCEPT: u32 = 1 << 2;
/// Receive Accept Error (P6 and Pentium only).
pub const ESR_RECEIVE_ACCEPT: u32 = 1 << 3;
/// Redirectable IPI (lowest-priority IPIs unsupported).
pub const ESR_REDIRECTABLE_IPI: u32 = 1 << 4;
/// Send Illegal Vector.
pub const ESR_SEND_ILLEGAL_VECTOR: u32 = 1 << 5;
/// Receive Illegal Vector.
pub const ESR_RECEIVE_ILLEGAL_VECTOR: u32 = 1 << 6;
/// Illegal Register Address (xAPIC mode only).
pub const ESR_ILLEGAL_REGISTER: u32 = 1 << 7;

// ---- LVT entries (Figure 10-8) ---------------------------------------------

/// Vector.
pub const LVT_VECTOR: u32 = 0xFF;
/// Delivery Mode, bits 10:8 (not in the timer and error entries).
pub const LVT_DELIVERY_MODE: u32 = 0x700;
/// Delivery Status (read-only).
pub const LVT_DELIVERY_STATUS: u32 = 1 << 12;
/// Interrupt Input Pin Polarity (LINT0 and LINT1).
pub const LVT_POLARITY: u32 = 1 << 13;
/// Remote IRR flag (LINT0 and LINT1, read-only).
pub const LVT_REMOTE_IRR: u32 = 1 << 14;
/// Trigger Mode, 1: level (LINT0 and LINT1).
pub const LVT_LEVEL_TRIGGER: u32 = 1 << 15;
/// Mask.
pub const LVT_MASKED: u32 = 1 << 16;
/// Timer Mode, bits 18:17 (timer entry).
pub const LVT_TIMER_MODE: u32 = 3 << 17;
/// Timer Mode field shift.
pub const LVT_TIMER_MODE_SHIFT: u32 = 17;
/// Timer mode 00: one-shot.
pub const TIMER_ONE_SHOT: u32 = 0;
/// Timer mode 01: periodic.
pub const TIMER_PERIODIC: u32 = 1;
/// Timer mode 10: TSC-deadline.
pub const TIMER_TSC_DEADLINE: u32 = 2;
/// An LVT entry after reset: masked, everything else 0.
pub const LVT_RESET: u32 = LVT_MASKED;

// ---- Delivery modes (ICR, LVT, I/O APIC redirection entries) ---------------

/// 000: Fixed.
pub const DM_FIXED: u32 = 0b000;
/// 001: Lowest Priority (ICR only).
pub const DM_LOWEST_PRIORITY: u32 = 0b001;
/// 010: SMI.
pub const DM_SMI: u32 = 0b010;
/// 100: NMI.
pub const DM_NMI: u32 = 0b100;
/// 101: INIT.
pub const DM_INIT: u32 = 0b101;
/// 110: Start-Up (ICR only).
pub const DM_STARTUP: u32 = 0b110;
/// 111: ExtINT (LVT LINT0/LINT1 only).
pub const DM_EXTINT: u32 = 0b111;
/// Delivery Mode field shift.
pub const DM_SHIFT: u32 = 8;

// ---- ICR (Figures 10-12 and 10-28) -----------------------------------------

/// Vector.
pub const ICR_VECTOR: u32 = 0xFF;
/// Delivery Mode, bits 10:8.
pub const ICR_DELIVERY_MODE: u32 = 0x700;
/// Destination Mode, 1: logical.
pub const ICR_DEST_LOGICAL: u32 = 1 << 11;
/// Delivery Status (xAPIC, read-only; 0: idle).
pub const ICR_DELIVERY_STATUS: u32 = 1 << 12;
/// Level, 1: assert.
pub const ICR_LEVEL_ASSERT: u32 = 1 << 14;
/// Trigger Mode, 1: level.
pub const ICR_LEVEL_TRIGGER: u32 = 1 << 15;
/// Destination Shorthand, bits 19:18.
pub const ICR_SHORTHAND: u32 = 3 << 18;
/// Destination Shorthand field shift.
pub const ICR_SHORTHAND_SHIFT: u32 = 18;
/// The bits of ICR low software writes.
pub const ICR_LOW_WRITABLE: u32 = ICR_VECTOR
    | ICR_DELIVERY_MODE
    | ICR_DEST_LOGICAL
    | ICR_LEVEL_ASSERT
    | ICR_LEVEL_TRIGGER
    | ICR_SHORTHAND;
/// xAPIC ICR high: Destination Field, bits 63:56.
pub const ICR_HIGH_XAPIC_DEST: u32 = 0xFF00_0000;
/// x2APIC ICR bits that must be 0: 13, 17:16 and 31:20. Bit 12 (the
/// xAPIC Delivery Status) is reserved too but, as on Intel parts, a write
/// of it is ignored rather than faulted.
pub const X2APIC_ICR_RESERVED: u64 = 1 << 13 | 3 << 16 | 0xFFF << 20;

// ---- Divide Configuration (Figure 10-10) -----------------------------------

/// The divide value bits: 3, 1 and 0.
pub const DCR_DIVIDE: u32 = 0b1011;

// ---- Destinations ----------------------------------------------------------

/// xAPIC broadcast destination.
pub const XAPIC_BROADCAST: u32 = 0xFF;
/// x2APIC broadcast destination.
pub const X2APIC_BROADCAST: u32 = 0xFFFF_FFFF;

/// The MSR of the register at xAPIC `offset` (x2APIC mode).
pub const fn msr_of(offset: u64) -> u32 {
    X2APIC_MSR_BASE + (offset >> 4) as u32
}
