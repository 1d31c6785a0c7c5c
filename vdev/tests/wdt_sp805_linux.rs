//! The SP805 driven as Linux 6.1's `sp805_wdt` driver drives it
//! (drivers/watchdog/sp805_wdt.c): probe, a timeout of 6 s on a 25 MHz
//! clock, start, pings, the time left, then either a stop or no more
//! pings, which must bite 6 s after the last one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vdev::wdt::sp805::regs::*;
use vdev::wdt::{Sp805, Watchdog};
use vdev::{Bus, Vdev};

const HZ: u64 = 25_000_000;
const S: u64 = 1_000_000_000;
const BASE: u64 = 0x1c0f_0000;
/// `INT_ENABLE | RESET_ENABLE`.
const ENABLE: u32 = CONTROL_INTEN | CONTROL_RESEN;

/// The driver's view: the device on a bus, and the clock.
struct Driver {
    bus: Bus,
    now: Arc<AtomicU64>,
    /// `wdt->load_val`.
    load_val: u32,
}

impl Driver {
    fn probe() -> Driver {
        let now = Arc::new(AtomicU64::new(0));
        let clock = now.clone();
        let wdt = Sp805::new(Box::new(move || clock.load(Ordering::Relaxed)), HZ);
        let mut bus = Bus::new();
        bus.add(BASE, Sp805::SIZE, Box::new(wdt)).unwrap();
        let mut d = Driver {
            bus,
            now,
            load_val: 0,
        };
        // wdt_setload(DEFAULT_TIMEOUT), then wdt_is_running.
        d.set_timeout(60);
        assert_eq!(d.readl(WDOG_CONTROL) & ENABLE, 0, "not running");
        d
    }

    fn readl(&mut self, reg: u64) -> u32 {
        self.bus.read(BASE + reg, 4).unwrap() as u32
    }

    fn writel(&mut self, value: u32, reg: u64) {
        self.bus.write(BASE + reg, 4, value.into()).unwrap();
    }

    fn wdt(&self) -> &Sp805 {
        self.bus
            .downcast_ref::<Sp805>(self.bus.find(BASE).unwrap().0)
            .unwrap()
    }

    fn sleep(&self, ns: u64) {
        self.now.fetch_add(ns, Ordering::Relaxed);
    }

    /// `wdt_setload`: half the timeout per count.
    fn set_timeout(&mut self, timeout: u64) {
        let load = (HZ / 2 * timeout - 1).clamp(1, 0xFFFF_FFFF);
        self.load_val = load as u32;
    }

    /// `wdt_config(wdd, ping)`.
    fn config(&mut self, ping: bool) {
        self.writel(LOCK_KEY, WDOG_LOCK);
        self.writel(self.load_val, WDOG_LOAD);
        self.writel(INT_STATUS, WDOG_INTCLR);
        if !ping {
            self.writel(ENABLE, WDOG_CONTROL);
        }
        self.writel(1, WDOG_LOCK);
        assert_eq!(self.readl(WDOG_LOCK), LOCK_LOCKED, "the flushing read");
    }

    /// `wdt_timeleft`, in seconds.
    fn timeleft(&mut self) -> u64 {
        let mut load = u64::from(self.readl(WDOG_VALUE));
        if self.readl(WDOG_RIS) & INT_STATUS == 0 {
            load += u64::from(self.load_val) + 1;
        }
        load / HZ
    }

    /// `wdt_disable`.
    fn stop(&mut self) {
        self.writel(LOCK_KEY, WDOG_LOCK);
        self.writel(0, WDOG_CONTROL);
        self.writel(1, WDOG_LOCK);
        self.readl(WDOG_LOCK);
    }
}

#[test]
fn pinged_it_never_bites_left_alone_it_bites_after_the_timeout() {
    let mut d = Driver::probe();
    d.set_timeout(6);
    assert_eq!(d.load_val, 74_999_999);
    d.config(false);
    assert_eq!(d.timeleft(), 5, "a hair under 6 s");
    for _ in 0..20 {
        d.sleep(S);
        assert!(d.wdt().bite().is_none());
        d.config(true);
    }
    // The last ping at 20 s: the interrupt (not taken) after WdogLoad
    // clock periods of 40 ns, a hair under 3 s; the bite one reload and
    // WdogLoad periods later, a hair under 6 s.
    let tick = S / HZ;
    let load = u64::from(d.load_val);
    d.sleep(load * tick - 1);
    assert!(!d.wdt().irq_level());
    d.sleep(1);
    assert!(d.wdt().irq_level());
    assert_eq!(d.timeleft(), 0, "the counter at 0, about to reload");
    let bite = 20 * S + (2 * load + 1) * tick;
    assert_eq!(bite, 26 * S - tick);
    assert_eq!(d.wdt().next_event_ns(), Some(bite));
    d.sleep(S);
    assert_eq!(d.timeleft(), 2, "WdogValue alone once the interrupt is set");
    d.sleep((load + 1) * tick - S - 1);
    assert!(d.wdt().bite().is_none());
    d.sleep(1);
    assert!(d.wdt().bite().is_some());
}

#[test]
fn stopped_it_never_bites() {
    let mut d = Driver::probe();
    d.set_timeout(2);
    d.config(false);
    d.sleep(S);
    d.stop();
    assert_eq!(d.readl(WDOG_CONTROL), 0);
    d.sleep(3600 * S);
    assert!(d.wdt().bite().is_none());
    assert_eq!(d.wdt().next_event_ns(), None);
    // Opened again: started afresh.
    d.config(false);
    d.sleep(2 * S);
    assert!(d.wdt().bite().is_some());
}
