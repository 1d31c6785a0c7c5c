//! A transmit-only virtio-console driver (virtio 1.2 §5.3, one port, no
//! multiport) on `virtio-drivers`' transport and split queues: its own
//! console driver needs a heap, which this guest does without.

use crate::hal::GuestHal;
use virtio_drivers::Error;
use virtio_drivers::device::common::Feature;
use virtio_drivers::queue::VirtQueue;
use virtio_drivers::transport::Transport;
use virtio_drivers::transport::mmio::MmioTransport;

/// Queue 0: input (set up, given no buffers).
const RECEIVEQ: u16 = 0;
/// Queue 1: output.
const TRANSMITQ: u16 = 1;
/// Entries per queue.
const QUEUE_SIZE: usize = 2;

/// A virtio console that sends.
pub struct Console {
    transport: MmioTransport<'static>,
    _receiveq: VirtQueue<GuestHal, QUEUE_SIZE>,
    transmitq: VirtQueue<GuestHal, QUEUE_SIZE>,
}

impl Console {
    /// Resets the device, negotiates `VIRTIO_F_VERSION_1` and
    /// `VIRTIO_F_EVENT_IDX` (when offered), and sets up both queues.
    pub fn new(mut transport: MmioTransport<'static>) -> Result<Console, Error> {
        let features = transport.begin_init(Feature::VERSION_1 | Feature::RING_EVENT_IDX);
        let event_idx = features.contains(Feature::RING_EVENT_IDX);
        let receiveq = VirtQueue::new(&mut transport, RECEIVEQ, false, event_idx)?;
        let transmitq = VirtQueue::new(&mut transport, TRANSMITQ, false, event_idx)?;
        transport.finish_init();
        Ok(Console {
            transport,
            _receiveq: receiveq,
            transmitq,
        })
    }

    /// Sends `bytes` and waits until the device took them.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.transmitq
            .add_notify_wait_pop(&[bytes], &mut [], &mut self.transport)
            .map(drop)
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // The device must not use the queues once their memory is freed.
        self.transport.queue_unset(RECEIVEQ);
        self.transport.queue_unset(TRANSMITQ);
    }
}
