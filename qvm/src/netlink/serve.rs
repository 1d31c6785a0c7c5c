//! The thread that serves a linked card whenever the other end rings:
//! frames for the guest, room for a frame that waited, and the peer
//! counted as down when it stops reading.

use super::{LinkedNet, ShmRegion};
use crate::vm::{Vm, raise_changed_lines};
use ulib::sys;
use vdev::bus::DeviceId;
use vdev::virtio::net::ring::Waiter;

/// How long a frame may wait for the other end to make room before the
/// link counts that end as down (its VM ended or hangs) and drops frames
/// that find no room, so the guest's transmit queue never stalls for good.
const PEER_DOWN_NS: u64 = 2_000_000_000;

/// Serves card `id` whenever the other end rings: frames for the guest,
/// room for a frame that waited. Runs for the life of the VM.
pub fn serve(vm: &Vm, id: DeviceId, waiter: Waiter<ShmRegion>) {
    loop {
        let value = waiter.value();
        let stalled = {
            let mut shared = vm.shared.lock();
            let stalled = match shared.bus.downcast_mut::<LinkedNet>(id) {
                Some(card) => {
                    card.poll_link();
                    card.backend().tx_stalled()
                }
                None => false,
            };
            raise_changed_lines(vm, &mut shared);
            stalled
        };
        if waiter.should_sleep(value) {
            let bell = waiter.memory().word(waiter.bell());
            let timeout = if stalled { PEER_DOWN_NS } else { 0 };
            let waited = sys::futex_wait(bell, value, timeout);
            waiter.woke();
            if stalled && waited == Err(abi::Error::TimedOut) {
                let mut shared = vm.shared.lock();
                if let Some(card) = shared.bus.downcast_mut::<LinkedNet>(id) {
                    card.backend_mut().link_mut().set_peer_down();
                    log::warn!(
                        "qvm: {}: network peer not reading: dropping frames",
                        vm.name
                    );
                }
            }
        }
    }
}
