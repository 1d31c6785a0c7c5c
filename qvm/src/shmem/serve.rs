//! The thread of each `vdev shmem` device: waits on this VM's bell
//! counter in the doorbell page and, whenever another VM rings, takes the
//! pending doorbells into the device's `STATUS` and drives its line.

use super::{BELL, Bells, ShmemDev};
use crate::vm::{Vm, raise_changed_lines};
use core::sync::atomic::Ordering::SeqCst;
use ulib::sys;
use vdev::bus::DeviceId;

/// Raises this VM's shmem interrupt whenever another VM rings device
/// `id`. Runs for the life of the VM.
pub fn serve(vm: &Vm, id: DeviceId, bells: Bells, index: u32) {
    let bell = bells.word(BELL + index as usize);
    loop {
        let value = bell.load(SeqCst);
        {
            let mut shared = vm.shared.lock();
            if let Some(dev) = shared.bus.downcast_mut::<ShmemDev>(id) {
                dev.poll();
            }
            raise_changed_lines(vm, &mut shared);
        }
        let _ = sys::futex_wait(bell, value, 0);
    }
}
