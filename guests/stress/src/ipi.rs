//! IPIs: every CPU sends SGIs to every CPU (itself too), round robin,
//! each sender with an SGI of its own ([`sgi_of`]) so that the receiver
//! knows who sent it. A sender sends again to a CPU only once that CPU has
//! taken its previous SGI, so no two SGIs can merge while pending and the
//! counts are exact; it never waits for that, it goes on with the next
//! CPU. Before each SGI it writes the SGI's sequence number in shared
//! memory (then `dsb`); the receiver checks that the number is the next
//! one it expects from that sender: a lost SGI stalls the pair (the
//! sender fails after a bounded time), a duplicate or misrouted one shows
//! a number already taken.

use crate::{MAX_STRESS_CPUS as MAX, fail};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use gsupport::gic::{self, SgiSender, Trigger};
use gsupport::timer;

/// The SGI of CPU 0; CPU N sends `FIRST_SGI + N`.
const FIRST_SGI: u32 = 1;

/// `[from][to]`: the sequence number of the last SGI sent (written by the
/// sender only).
static SENT: [[AtomicU64; MAX]; MAX] = [const { [const { AtomicU64::new(0) }; MAX] }; MAX];
/// `[to][from]`: the sequence number of the last SGI taken (written by
/// the receiver only).
static RECEIVED: [[AtomicU64; MAX]; MAX] = [const { [const { AtomicU64::new(0) }; MAX] }; MAX];
/// Set by each CPU once it sends no more.
static DONE_SENDING: [AtomicBool; MAX] = [const { AtomicBool::new(false) }; MAX];

/// The SGI CPU `cpu` sends.
pub fn sgi_of(cpu: usize) -> u32 {
    FIRST_SGI + cpu as u32
}

/// Enables on this CPU the SGIs of `cpus` senders.
pub fn enable(cpus: usize) {
    for from in 0..cpus {
        gic::enable(sgi_of(from), Trigger::Edge);
    }
}

/// Takes SGI `intid` on CPU `me` (in the interrupt handler). Returns
/// false if it is not one of the senders' SGIs.
pub fn on_sgi(me: usize, intid: u32, cpus: usize) -> bool {
    let Some(from) = intid
        .checked_sub(FIRST_SGI)
        .map(|f| f as usize)
        .filter(|&f| f < cpus)
    else {
        return false;
    };
    let taken = RECEIVED[me][from].load(Ordering::Relaxed);
    let sequence = SENT[from][me].load(Ordering::Acquire);
    if sequence != taken + 1 {
        fail!(
            "SGI {intid} from cpu {from}: sequence number {sequence}, expected {} \
             (a duplicate, or one meant for another CPU)",
            taken + 1
        );
    }
    RECEIVED[me][from].store(taken + 1, Ordering::Release);
    true
}

/// One CPU's sending side.
pub struct Sender {
    me: usize,
    cpus: usize,
    next: usize,
    senders: [Option<SgiSender>; MAX],
    /// When the last SGI to each CPU was sent.
    sent_at: [u64; MAX],
}

impl Sender {
    /// The sender of CPU `me`, once every CPU has set up its GIC
    /// interface.
    pub fn new(me: usize, cpus: usize) -> Sender {
        let mut senders = [None; MAX];
        for (to, s) in senders.iter_mut().enumerate().take(cpus) {
            *s = gic::sgi_sender(sgi_of(me), to);
            if s.is_none() {
                fail!("no SGI route to cpu {to}");
            }
        }
        Sender {
            me,
            cpus,
            next: 0,
            senders,
            sent_at: [0; MAX],
        }
    }

    /// Sends an SGI to the next CPU in turn if it took the previous one;
    /// fails if it has not for `lost` ticks. Returns how many it sent.
    pub fn step(&mut self, now: u64, lost: u64) -> u64 {
        let (me, to) = (self.me, self.next);
        self.next = (to + 1) % self.cpus;
        let sent = SENT[me][to].load(Ordering::Relaxed);
        let taken = RECEIVED[to][me].load(Ordering::Acquire);
        if taken > sent {
            fail!(
                "cpu {to} took {taken} of SGI {} from this CPU, which sent {sent}",
                sgi_of(me)
            );
        }
        if taken != sent {
            if now.wrapping_sub(self.sent_at[to]) > lost {
                fail!(
                    "SGI {} number {sent} to cpu {to} not taken after {} ms (cpu {to} took {taken})",
                    sgi_of(me),
                    timer::ticks_to_us(lost) / 1000
                );
            }
            return 0;
        }
        SENT[me][to].store(sent + 1, Ordering::Release);
        self.sent_at[to] = now;
        // The sequence number must be visible before the SGI arrives.
        // SAFETY: a barrier only.
        unsafe { core::arch::asm!("dsb sy", options(nostack)) };
        if let Some(s) = self.senders[to] {
            s.send();
        }
        1
    }
}

/// CPU `me` sends no more.
pub fn done_sending(me: usize) {
    DONE_SENDING[me].store(true, Ordering::SeqCst);
}

/// Waits (interrupts on) until every CPU is done sending and CPU `me`
/// took every SGI sent to it; fails after `lost` ticks.
pub fn drain(me: usize, cpus: usize, lost: u64) {
    let limit = timer::counter() + lost;
    loop {
        let busy = (0..cpus).find(|&c| !DONE_SENDING[c].load(Ordering::SeqCst));
        let missing = (0..cpus).find(|&from| {
            SENT[from][me].load(Ordering::SeqCst) != RECEIVED[me][from].load(Ordering::SeqCst)
        });
        match (busy, missing) {
            (None, None) => return,
            _ if timer::counter() < limit => core::hint::spin_loop(),
            (Some(c), _) => fail!("cpu {c} still sending after the end of the run"),
            (None, Some(from)) => {
                let sent = SENT[from][me].load(Ordering::SeqCst);
                let taken = RECEIVED[me][from].load(Ordering::SeqCst);
                if taken > sent {
                    fail!(
                        "took {taken} of SGI {} from cpu {from}, which sent {sent}",
                        sgi_of(from)
                    );
                }
                fail!(
                    "SGI {} number {sent} from cpu {from} never taken (took {taken})",
                    sgi_of(from)
                );
            }
        }
    }
}

/// SGIs CPU `me` sent and took, over `cpus` CPUs.
pub fn counts(me: usize, cpus: usize) -> (u64, u64) {
    let sent = (0..cpus)
        .map(|to| SENT[me][to].load(Ordering::SeqCst))
        .sum();
    let taken = (0..cpus)
        .map(|from| RECEIVED[me][from].load(Ordering::SeqCst))
        .sum();
    (sent, taken)
}

/// After the run: every CPU sent at least one SGI to every CPU, and every
/// one sent was taken.
pub fn check_all(cpus: usize) {
    for from in 0..cpus {
        for to in 0..cpus {
            let sent = SENT[from][to].load(Ordering::SeqCst);
            let taken = RECEIVED[to][from].load(Ordering::SeqCst);
            if sent == 0 || sent != taken {
                fail!("cpu {from} sent {sent} SGIs to cpu {to}, which took {taken}");
            }
        }
    }
}
