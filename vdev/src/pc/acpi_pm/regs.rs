//! The PM1 block's layout from its base port and its registers' bits
//! (ACPI 6.4 §4.8.4.1 "PM1 Event Grouping", Tables 4.11 and 4.12;
//! §4.8.4.2 "PM1 Control Grouping", Table 4.13; §4.8.4.3 "Power
//! Management Timer"), and the PC's Reset Control Register at 0xCF9.

/// Offset of PM1_STS (PM1a_EVT_BLK + 0), 16 bits.
pub const PM1_STS: u64 = 0;
/// Offset of PM1_EN (PM1a_EVT_BLK + PM1_EVT_LEN / 2), 16 bits.
pub const PM1_EN: u64 = 2;
/// Offset of PM1_CNT (PM1a_CNT_BLK), 16 bits.
pub const PM1_CNT: u64 = 4;
/// Offset of PM_TMR (PM_TMR_BLK), 32 bits.
pub const PM_TMR: u64 = 8;
/// Ports the block takes (offsets 6 and 7 are no register).
pub const WINDOW: u64 = 12;

/// PM1_STS: the PM timer's most significant bit toggled.
pub const TMR_STS: u16 = 1 << 0;
/// PM1_STS: a bus master requested the system (never set here).
pub const BM_STS: u16 = 1 << 4;
/// PM1_STS: the firmware released the global lock (never set here).
pub const GBL_STS: u16 = 1 << 5;
/// PM1_STS: the fixed power button was pressed.
pub const PWRBTN_STS: u16 = 1 << 8;
/// PM1_STS: the fixed sleep button was pressed (never set here).
pub const SLPBTN_STS: u16 = 1 << 9;
/// PM1_STS: the RTC alarm fired (never set here).
pub const RTC_STS: u16 = 1 << 10;
/// PM1_STS: a PCIe wake event (never set here).
pub const PCIEXP_WAKE_STS: u16 = 1 << 14;
/// PM1_STS: the system woke from a sleeping state (never set here).
pub const WAK_STS: u16 = 1 << 15;

/// PM1_EN: TMR_STS raises the SCI.
pub const TMR_EN: u16 = 1 << 0;
/// PM1_EN: GBL_STS raises the SCI.
pub const GBL_EN: u16 = 1 << 5;
/// PM1_EN: PWRBTN_STS raises the SCI.
pub const PWRBTN_EN: u16 = 1 << 8;
/// PM1_EN: SLPBTN_STS raises the SCI.
pub const SLPBTN_EN: u16 = 1 << 9;
/// PM1_EN: RTC_STS raises the SCI.
pub const RTC_EN: u16 = 1 << 10;
/// PM1_EN: PCIe wake events are disabled.
pub const PCIEXP_WAKE_DIS: u16 = 1 << 14;
/// PM1_EN bits that exist (the rest are reserved and read 0).
pub const EN_WRITABLE: u16 = TMR_EN | GBL_EN | PWRBTN_EN | SLPBTN_EN | RTC_EN | PCIEXP_WAKE_DIS;
/// PM1_EN bits whose status, with the enable set, raises the SCI.
pub const SCI_EVENTS: u16 = TMR_EN | GBL_EN | PWRBTN_EN | SLPBTN_EN | RTC_EN;

/// PM1_CNT: the SCI is on (ACPI mode): always 1, there is no legacy mode.
pub const SCI_EN: u16 = 1 << 0;
/// PM1_CNT: bus master requests wake from C3 (stored only).
pub const BM_RLD: u16 = 1 << 1;
/// PM1_CNT: write-only, tells firmware the global lock is free (no
/// firmware here: ignored, reads 0).
pub const GBL_RLS: u16 = 1 << 2;
/// PM1_CNT: the sleep type field's first bit (bits 12:10).
pub const SLP_TYP_SHIFT: u32 = 10;
/// PM1_CNT: the sleep type field.
pub const SLP_TYP_MASK: u16 = 0b111 << SLP_TYP_SHIFT;
/// PM1_CNT: write-only, enter the sleep state SLP_TYP says (reads 0).
pub const SLP_EN: u16 = 1 << 13;
/// PM1_CNT bits stored and read back (besides SCI_EN).
pub const CNT_STORED: u16 = BM_RLD | SLP_TYP_MASK;

/// The PM timer's rate: 3.579545 MHz.
pub const PM_TIMER_HZ: u64 = 3_579_545;
/// TMR_STS is set each time this bit of the (32-bit) count toggles.
pub const PM_TIMER_MSB: u32 = 31;

/// Reset Control Register: SYS_RST, a full system reset on RST_CPU
/// (stored).
pub const RST_SYS: u8 = 1 << 1;
/// Reset Control Register: RST_CPU, the reset happens when it goes from 0
/// to 1.
pub const RST_CPU: u8 = 1 << 2;
/// Reset Control Register: FULL_RST, power cycled during the reset
/// (stored).
pub const RST_FULL: u8 = 1 << 3;
