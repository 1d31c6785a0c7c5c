//! The `vlapic` target: one vCPU's virtual local APIC (`kernel::vlapic`,
//! Intel SDM Vol. 3A chapter "Advanced Programmable Interrupt Controller")
//! of any ID, clock and feature set, driven by guest accesses of the xAPIC
//! page at any offset and of any MSR with any value (IA32_APIC_BASE mode
//! changes included), interrupts from devices and local sources with any
//! vector, injections, EOIs, INITs and host-timer expiries, with the TSC
//! moving forward between them.
//!
//! Checked after every step: nothing below vector 16 is ever requested or
//! in service; `pending` is the highest request, above the processor
//! priority class, and only while the APIC is enabled; the PPR is at least
//! the TPR and the in-service class; an injection moves that vector from
//! the IRR to the ISR; an EOI ends the highest in-service vector and
//! reports its TMR bit; a sent IPI carrying a vector carries a legal one
//! and is a valid ICR combination; a faulting WRMSR changes nothing; the
//! x2APIC MSRs work only in x2APIC mode and the page only in xAPIC mode; a
//! disabled APIC holds nothing, matches nothing and runs no timer; after
//! an expiry the next deadline is in the future; the current count never
//! exceeds the initial count; the ESR holds only errors the model logs.

use kernel::vlapic::regs::*;
use kernel::vlapic::{
    ApicMode, Delivery, DestMode, Destination, Effect, LapicConfig, Lvt, TimerClock, VLapic,
};

use crate::input::Input;

/// The ESR bits the model can log.
const ESR_LOGGED: u32 = ESR_SEND_ILLEGAL_VECTOR | ESR_RECEIVE_ILLEGAL_VECTOR | ESR_ILLEGAL_REGISTER;

/// An offset in (and a little past) the page: mostly a register's.
fn offset(inp: &mut Input) -> u64 {
    let off = inp.below(0x1100);
    match inp.u8() % 4 {
        0 => off,
        _ => off & !0xF,
    }
}

/// An MSR: mostly the APIC's.
fn msr(inp: &mut Input) -> u32 {
    match inp.u8() % 8 {
        0 => IA32_APIC_BASE,
        1 => IA32_TSC_DEADLINE,
        2 => inp.u32(),
        _ => X2APIC_MSR_BASE + u32::from(inp.u8()),
    }
}

/// A value: often small or a legal-looking register value.
fn value(inp: &mut Input) -> u64 {
    match inp.u8() % 4 {
        0 => inp.u64(),
        1 => u64::from(inp.u32()),
        2 => u64::from(inp.u8()),
        _ => u64::from(inp.u16()) | 0x100,
    }
}

/// An IA32_APIC_BASE value: mostly a mode change at the usual base.
fn apic_base(inp: &mut Input) -> u64 {
    match inp.u8() % 4 {
        0 => inp.u64(),
        _ => APIC_BASE_DEFAULT | (u64::from(inp.u8() & 3) << 10),
    }
}

/// What must hold of `l` at `now`, whatever happened.
fn invariants(l: &VLapic, now: u64) {
    assert!((0..16).all(|v| !l.irr().contains(v) && !l.isr().contains(v)));
    let ppr = l.ppr();
    assert!(ppr >= l.tpr(), "PPR {ppr:#x} below TPR {:#x}", l.tpr());
    if let Some(top) = l.isr().highest() {
        assert!(ppr >> 4 >= top >> 4, "PPR {ppr:#x} below ISR {top:#x}");
    }
    if let Some(v) = l.pending() {
        assert!(l.is_enabled(), "pending {v:#x} while disabled");
        assert_eq!(Some(v), l.irr().highest(), "pending not the highest");
        assert!(v >> 4 > ppr >> 4, "pending {v:#x} at or below PPR {ppr:#x}");
    }
    assert_eq!(l.esr() & !ESR_LOGGED, 0, "ESR {:#x}", l.esr());
    assert!(l.timer_current(now) <= l.timer_initial() || l.timer_initial() == 0);
    match l.mode() {
        ApicMode::Disabled => {
            assert!(l.irr().is_empty() && l.isr().is_empty());
            assert_eq!(l.timer_deadline(), None);
            assert!(!l.matches_destination(DestMode::Physical, X2APIC_BROADCAST));
        }
        ApicMode::XApic => {
            assert!(l.matches_destination(DestMode::Physical, XAPIC_BROADCAST));
            assert!(l.matches_destination(DestMode::Physical, l.xapic_id().into()));
        }
        ApicMode::X2Apic => {
            assert!(l.matches_destination(DestMode::Logical, X2APIC_BROADCAST));
            assert!(l.matches_destination(DestMode::Physical, l.x2apic_id()));
            assert!(l.matches_destination(DestMode::Logical, l.x2apic_ldr()));
            assert_eq!(l.ldr(), l.x2apic_ldr());
        }
    }
}

/// What a write's effect must be, given the state `before` it.
fn check_effect(before: &VLapic, e: Effect) {
    match e {
        Effect::Ipi(ipi) => {
            assert_ne!(ipi.delivery, Delivery::ExtInt, "{ipi:?}");
            if ipi.delivery.has_vector() {
                assert!(ipi.vector >= 16, "{ipi:?}");
            }
            if matches!(
                ipi.destination,
                Destination::SelfOnly | Destination::AllIncludingSelf
            ) {
                assert_eq!(ipi.delivery, Delivery::Fixed, "{ipi:?}");
            }
        }
        Effect::Eoi {
            vector,
            level,
            broadcast,
        } => {
            assert_eq!(before.isr().highest(), Some(vector), "EOI {vector:#x}");
            assert_eq!(before.tmr().contains(vector), level);
            assert!(!broadcast || level);
        }
        Effect::None | Effect::Timer => {}
    }
}

/// Runs the program in `data`.
pub fn vlapic(data: &[u8]) {
    let mut inp = Input::new(data);
    let Some(clock) = TimerClock::new(1 + u64::from(inp.u16()), 1 + u64::from(inp.u8())) else {
        return;
    };
    let flags = inp.u8();
    let mut cfg = LapicConfig::new(inp.u32(), flags & 1 != 0, clock);
    cfg.x2apic = flags & 2 == 0;
    cfg.tsc_deadline = flags & 4 == 0;
    cfg.eoi_suppression = flags & 8 == 0;
    cfg.phys_bits = 36 + inp.u8() % 17;
    let mut l = VLapic::with_config(cfg);
    let mut now: u64 = u64::from(inp.u16());
    let mut ops = 0;
    while !inp.is_empty() && ops < 1000 {
        ops += 1;
        now += match inp.u8() % 8 {
            0 => u64::from(inp.u32()),
            _ => u64::from(inp.u8()),
        };
        let before = l.clone();
        match inp.u8() % 16 {
            0 | 1 => {
                let off = offset(&mut inp);
                let v = l.read(off, now);
                if before.mode() != ApicMode::XApic {
                    assert_eq!(v, 0, "page read {off:#x} outside xAPIC mode");
                }
            }
            2 | 3 => {
                let off = offset(&mut inp);
                let e = l.write(off, inp.u32(), now);
                check_effect(&before, e);
                if before.mode() != ApicMode::XApic {
                    assert_eq!(l, before, "page write {off:#x} outside xAPIC mode");
                }
            }
            4 => {
                let m = msr(&mut inp);
                if let Ok(v) = l.read_msr(m, now)
                    && (X2APIC_MSR_BASE..=X2APIC_MSR_LAST).contains(&m)
                {
                    assert_eq!(before.mode(), ApicMode::X2Apic, "RDMSR {m:#x}");
                    assert!(m == X2APIC_ICR || v >> 32 == 0, "{m:#x}: {v:#x}");
                }
            }
            5 | 6 => {
                let m = msr(&mut inp);
                let v = if m == IA32_APIC_BASE {
                    apic_base(&mut inp)
                } else {
                    value(&mut inp)
                };
                match l.write_msr(m, v, now) {
                    Ok(e) => {
                        check_effect(&before, e);
                        if (X2APIC_MSR_BASE..=X2APIC_MSR_LAST).contains(&m) {
                            assert_eq!(before.mode(), ApicMode::X2Apic, "WRMSR {m:#x}");
                        }
                        if m == IA32_APIC_BASE {
                            assert_eq!(l.apic_base() & !APIC_BASE_BSP, v & !APIC_BASE_BSP);
                        }
                    }
                    Err(_) => assert_eq!(l, before, "faulting WRMSR {m:#x} = {v:#x}"),
                }
            }
            7 | 8 => {
                let v = inp.u8();
                let accepted = l.accept(v, inp.bool());
                assert_eq!(accepted, before.is_enabled() && v >= 16, "accept {v:#x}");
                assert!(!accepted || l.irr().contains(v));
            }
            9 | 10 => {
                let want = before.pending();
                assert_eq!(l.acknowledge(), want);
                if let Some(v) = want {
                    assert!(l.isr().contains(v) && !before.isr().contains(v));
                }
            }
            11 => {
                let e = l.eoi();
                check_effect(&before, e);
                if before.isr().is_empty() {
                    assert_eq!(e, Effect::None);
                }
            }
            12 => {
                let raised = l.timer_fire(now);
                if raised {
                    let vector = l.lvt(Lvt::Timer) as u8;
                    assert!(l.irr().contains(vector), "timer vector {vector:#x}");
                }
                if let Some(d) = l.timer_deadline() {
                    assert!(d > now, "deadline {d} not after {now}");
                }
            }
            13 => {
                let lvt = Lvt::ALL[usize::from(inp.u8() % 7)];
                let _ = l.local_interrupt(lvt);
            }
            14 => {
                l.reset();
                assert_eq!(l.apic_base(), before.apic_base());
                assert!(l.irr().is_empty() && l.isr().is_empty());
            }
            _ => {
                let mode = if inp.bool() {
                    DestMode::Logical
                } else {
                    DestMode::Physical
                };
                let _ = l.matches_destination(mode, inp.u32());
                l.set_cr8(u64::from(inp.u8() & 0xF));
            }
        }
        invariants(&l, now);
    }
}
