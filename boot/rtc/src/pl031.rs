//! The Arm PL031 real-time clock's registers (Arm DDI 0224): a seconds
//! counter, a match register that raises the interrupt when the counter
//! reaches it, and the interrupt's mask, status and clear registers.

/// Data register: the current count, in seconds.
const RTCDR: usize = 0x000;
/// Match register: the interrupt is raised when the count reaches it.
const RTCMR: usize = 0x004;
/// Interrupt mask set/clear: bit 0 lets the match interrupt out.
const RTCIMSC: usize = 0x010;
/// Masked interrupt status.
const RTCMIS: usize = 0x018;
/// Interrupt clear: writing bit 0 clears the match interrupt.
const RTCICR: usize = 0x01c;
/// The match interrupt's bit in RTCIMSC, RTCMIS and RTCICR.
const MATCH_INTERRUPT: u32 = 1 << 0;

/// A mapped PL031.
pub struct Pl031 {
    base: usize,
}

impl Pl031 {
    /// The clock whose registers are mapped at `base`.
    ///
    /// # Safety
    /// `base` must be the PL031's register page, mapped as device memory
    /// and used by nothing else.
    pub unsafe fn new(base: usize) -> Pl031 {
        Pl031 { base }
    }

    fn read(&self, offset: usize) -> u32 {
        // SAFETY: a register of the page `new` was given.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: a register of the page `new` was given.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// Seconds since 1970 (QEMU loads the host's wall clock).
    pub fn now(&self) -> u32 {
        self.read(RTCDR)
    }

    /// Raises the interrupt when the count reaches `at`.
    pub fn set_alarm(&self, at: u32) {
        self.write(RTCICR, MATCH_INTERRUPT);
        self.write(RTCMR, at);
        self.write(RTCIMSC, MATCH_INTERRUPT);
    }

    /// Whether the alarm's interrupt is raised.
    pub fn alarm_pending(&self) -> bool {
        self.read(RTCMIS) & MATCH_INTERRUPT != 0
    }

    /// Clears and masks the alarm's interrupt (the line drops).
    pub fn clear_alarm(&self) {
        self.write(RTCIMSC, 0);
        self.write(RTCICR, MATCH_INTERRUPT);
    }
}
