//! virtio-console (virtio 1.2 §5.3) with one port and no multiport:
//! `receiveq` (0) and `transmitq` (1).
//!
//! Output (each transmit chain's readable bytes) goes to a [`CharSink`];
//! `VIRTIO_CONSOLE_F_EMERG_WRITE` is offered and `emerg_wr` writes go there
//! too. Input comes from [`Console::push_input`] through
//! [`VirtioMmio::push_input`](super::VirtioMmio): it is copied into receive
//! buffers at once, and what finds none waits in a FIFO of [`RX_FIFO`]
//! bytes until the driver adds buffers. Left out: `VIRTIO_CONSOLE_F_SIZE`,
//! multiport and its control queues.

use super::queue::{QueueError, Queues};
use super::{Backend, GuestMemory, VIRTIO_ID_CONSOLE, VirtioMmio, bit, copy_config};
use crate::chardev::CharSink;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Queue 0: input to the guest.
pub const RECEIVEQ: u16 = 0;
/// Queue 1: output from the guest.
pub const TRANSMITQ: u16 = 1;
/// Feature bit 2: `emerg_wr` in config space.
pub const VIRTIO_CONSOLE_F_EMERG_WRITE: u32 = 2;
/// Offset of `emerg_wr` in the config space (`cols`, `rows`,
/// `max_nr_ports` before it).
pub const EMERG_WR: usize = 8;
/// Bytes of input kept while the guest has no receive buffer.
pub const RX_FIFO: usize = 4096;
/// Most output bytes taken from one transmit chain at a time.
const CHUNK: usize = 256;

/// The virtio-console backend, writing to `S`.
pub struct Console<S: CharSink> {
    sink: S,
    pending: VecDeque<u8>,
}

impl<S: CharSink> Console<S> {
    /// A console writing its output to `sink`.
    pub fn new(sink: S) -> Self {
        Console {
            sink,
            pending: VecDeque::new(),
        }
    }

    /// The output sink.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Input bytes still waiting for receive buffers.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Free room for input (what `push_input` would take now).
    pub fn rx_space(&self) -> usize {
        RX_FIFO - self.pending.len()
    }

    /// Queues host input and delivers what fits in receive buffers.
    /// Returns how many bytes were taken (the rest: no room).
    pub fn push_input(&mut self, bytes: &[u8], q: &mut Queues<'_>) -> Result<usize, QueueError> {
        let n = bytes.len().min(self.rx_space());
        self.pending.extend(&bytes[..n]);
        self.deliver(q)?;
        Ok(n)
    }

    fn deliver(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        while !self.pending.is_empty() {
            let Some(c) = q.pop(RECEIVEQ)? else { break };
            let n = (c.writable_len().min(self.pending.len() as u64)) as usize;
            let bytes: Vec<u8> = self.pending.iter().take(n).copied().collect();
            let len = match c.write(q.mem(), 0, &bytes) {
                Ok(()) => {
                    self.pending.drain(..n);
                    n as u32
                }
                Err(_) => 0,
            };
            q.push_used(RECEIVEQ, c.head, len)?;
        }
        Ok(())
    }

    fn transmit(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        let mut buf = [0u8; CHUNK];
        while let Some(c) = q.pop(TRANSMITQ)? {
            let (len, mut off) = (c.readable_len(), 0);
            while off < len {
                let n = (len - off).min(CHUNK as u64) as usize;
                if c.read(q.mem() as &dyn GuestMemory, off, &mut buf[..n])
                    .is_err()
                {
                    break;
                }
                self.sink.write_bytes(&buf[..n]);
                off += n as u64;
            }
            q.push_used(TRANSMITQ, c.head, 0)?;
        }
        Ok(())
    }
}

impl<S: CharSink + 'static> Backend for Console<S> {
    fn kind(&self) -> &'static str {
        "virtio-console"
    }
    fn device_id(&self) -> u32 {
        VIRTIO_ID_CONSOLE
    }
    fn features(&self) -> u64 {
        bit(VIRTIO_CONSOLE_F_EMERG_WRITE)
    }
    fn num_queues(&self) -> u16 {
        2
    }
    fn read_config(&self, offset: usize, data: &mut [u8]) {
        // cols, rows (0: unknown), max_nr_ports (1), emerg_wr (reads 0).
        copy_config(&[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], offset, data);
    }
    fn write_config(&mut self, offset: usize, data: &[u8]) {
        if offset == EMERG_WR && !data.is_empty() {
            self.sink.write_bytes(&data[..1]);
        }
    }
    fn notify(&mut self, queue: u16, q: &mut Queues<'_>) -> Result<(), QueueError> {
        match queue {
            TRANSMITQ => self.transmit(q),
            _ => self.deliver(q),
        }
    }
    fn reset(&mut self) {
        // Input already taken stays for the next driver.
    }
}

impl<M: GuestMemory + 'static, S: CharSink + 'static> VirtioMmio<M, Console<S>> {
    /// Host input for the guest (see [`Console::push_input`]): how many
    /// bytes were taken. While the driver is not running, bytes wait in the
    /// FIFO.
    pub fn push_input(&mut self, bytes: &[u8]) -> usize {
        if !self.is_running() {
            return self.backend_mut().queue_input(bytes);
        }
        self.with_backend(|c, q| c.push_input(bytes, q))
            .unwrap_or(0)
    }
}

impl<S: CharSink> Console<S> {
    fn queue_input(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.rx_space());
        self.pending.extend(&bytes[..n]);
        n
    }
}
