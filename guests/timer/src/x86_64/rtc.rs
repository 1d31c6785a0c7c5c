//! The RTC's interrupts on an x86_64 PC: the MC146818A (Motorola
//! datasheet, "Real-Time Clock Plus RAM") at ports 0x70/0x71, its ISA IRQ
//! 8 routed through the I/O APIC (through the MADT's interrupt source
//! override if it has one, with its polarity and trigger mode) to
//! [`VECTOR`] on this CPU, with the periodic interrupt at 16 Hz (register
//! A: the 32.768 kHz time base, rate select 1100) and the update-ended
//! interrupt once a second (PIE and UIE in register B). Each interrupt
//! reads register C, which says which flags rose and clears them (the
//! line falls). The periodic interrupts between two update-ended ones are
//! counted: the RTC's own second is the yardstick, so the check needs no
//! other clock (the TSC's rate, measured against the 8254 through a
//! hypervisor's exits, can be off by more than the test could allow).

use core::sync::atomic::{AtomicU32, Ordering};
use gsupport::x86_64::port;
use gsupport::{Platform, cpu, ioapic, power, println, tsc};

/// The interrupt's vector.
pub const VECTOR: u8 = 0x41;
/// The periodic rate.
pub const RATE_HZ: u32 = 16;
/// The RTC's index and data ports.
const RTC_INDEX: u16 = 0x70;
const RTC_DATA: u16 = 0x71;
/// Registers A, B and C.
const REG_A: u8 = 0x0A;
const REG_B: u8 = 0x0B;
const REG_C: u8 = 0x0C;
/// Register A: DV2-DV0 = 010 (32.768 kHz time base), RS3-RS0 = 1100 (a
/// periodic interrupt every 62.5 ms: [`RATE_HZ`]).
const REG_A_32K_16HZ: u8 = 0b0010_1100;
/// Register B: PIE (periodic) and UIE (update-ended interrupt enable).
const REG_B_PIE: u8 = 1 << 6;
const REG_B_UIE: u8 = 1 << 4;
/// Register C: PF (periodic) and UF (update-ended) flags.
const REG_C_PF: u8 = 1 << 6;
const REG_C_UF: u8 = 1 << 4;
/// The RTC's ISA interrupt.
const RTC_IRQ: u8 = 8;
/// Give up after this long (two RTC seconds are needed).
const LIMIT_US: u64 = 10_000_000;

/// Update-ended interrupts seen; periodic ones seen; periodic ones at the
/// first and at the second update-ended one.
static UPDATES: AtomicU32 = AtomicU32::new(0);
static PERIODIC: AtomicU32 = AtomicU32::new(0);
static AT_UPDATE: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];

/// Reads RTC register or CMOS RAM byte `reg`.
pub fn read(reg: u8) -> u8 {
    // SAFETY: the RTC's index then data port; NMIs stay enabled (bit 7
    // clear), and reading a register only clears register C's flags.
    unsafe {
        port::outb(RTC_INDEX, reg);
        port::inb(RTC_DATA)
    }
}

fn write(reg: u8, value: u8) {
    // SAFETY: as in `read`; the caller picks what it sets.
    unsafe {
        port::outb(RTC_INDEX, reg);
        port::outb(RTC_DATA, value);
    }
}

/// Takes one interrupt: reads register C (lowering the line) and counts
/// what it says rose.
pub fn on_irq() {
    let c = read(REG_C);
    if c & REG_C_PF != 0 {
        PERIODIC.fetch_add(1, Ordering::SeqCst);
    }
    if c & REG_C_UF != 0 {
        let n = UPDATES.fetch_add(1, Ordering::SeqCst) as usize;
        if let Some(slot) = AT_UPDATE.get(n) {
            slot.store(PERIODIC.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }
}

/// Routes ISA IRQ 8 to [`VECTOR`] on this CPU (or masks it); `None` if
/// there is no I/O APIC for it.
fn route(platform: &Platform, masked: bool) -> Option<()> {
    ioapic::route(platform, ioapic::isa_irq(platform, RTC_IRQ), VECTOR, masked)
}

/// Runs the test: the periodic interrupts counted over one RTC second.
pub fn run(platform: &Platform) -> u32 {
    if route(platform, false).is_none() {
        println!("timer: FAIL: rtc: no I/O APIC for IRQ {RTC_IRQ}");
        power::system_off()
    }
    write(REG_A, REG_A_32K_16HZ);
    let _ = read(REG_C);
    let reg_b = read(REG_B);
    write(REG_B, reg_b | REG_B_PIE | REG_B_UIE);
    // Spinning, not halted: lost interrupts must end in the limit's FAIL
    // line, not a CPU halted for ever.
    let limit = tsc::now() + tsc::us_to_ticks(LIMIT_US);
    cpu::enable_irqs();
    while UPDATES.load(Ordering::SeqCst) < 2 && tsc::now() < limit {
        core::hint::spin_loop();
    }
    cpu::disable_irqs();
    write(REG_B, reg_b & !(REG_B_PIE | REG_B_UIE));
    let _ = route(platform, true);
    let (updates, periodic) = (
        UPDATES.load(Ordering::SeqCst),
        PERIODIC.load(Ordering::SeqCst),
    );
    if updates < 2 {
        println!(
            "timer: FAIL: rtc: {updates} update-ended and {periodic} periodic interrupts in {LIMIT_US} us"
        );
        power::system_off()
    }
    AT_UPDATE[1].load(Ordering::SeqCst) - AT_UPDATE[0].load(Ordering::SeqCst)
}
