//! virtio-console and virtio-net through the transport, driven by the test
//! driver in `vq/`: output, input (with buffering until the driver adds
//! buffers), emergency write, frames out and in.

mod vq;

use vdev::Vdev;
use vdev::virtio::console::{self, Console};
use vdev::virtio::net::{self, Net, VIRTIO_NET_HDR_LEN};
use vdev::virtio::*;
use vq::*;

#[test]
fn console_output_and_emergency_write() {
    let mut d = Drv::new(Console::new(Vec::new()), !0);
    assert_eq!(d.r(0x008), VIRTIO_ID_CONSOLE);
    let (a, b) = (d.alloc(6, b"hello "), d.alloc(5, b"world"));
    d.chain(console::TRANSMITQ, &[(a, 6, false), (b, 5, false)]);
    d.notify(console::TRANSMITQ);
    assert_eq!(d.used(console::TRANSMITQ).map(|u| u.1), Some(0));
    assert_eq!(d.dev.backend().sink(), b"hello world");
    d.dev
        .write(0x100 + console::EMERG_WR as u64, 4, u64::from(b'!'))
        .unwrap();
    assert_eq!(d.dev.backend().sink(), b"hello world!");
    assert_eq!(d.dev.read(0x104, 4), Ok(1)); // max_nr_ports
}

#[test]
fn console_input() {
    let mut d = Drv::raw(Console::new(Vec::new()));
    // Before the driver runs, input waits.
    assert_eq!(d.dev.push_input(b"early"), 5);
    d = {
        let mut n = Drv::new(Console::new(Vec::new()), !0);
        assert_eq!(n.dev.push_input(b"ab"), 2);
        assert_eq!(n.dev.backend().pending(), 2);
        n
    };
    let buf = d.alloc(4, &[]);
    d.chain(console::RECEIVEQ, &[(buf, 4, true)]);
    d.notify(console::RECEIVEQ);
    assert_eq!(d.used(console::RECEIVEQ).map(|u| u.1), Some(2));
    assert_eq!(d.get(buf, 2), b"ab");
    assert_eq!(d.ack(), 1);
    // Input larger than the buffer: the rest waits for the next one.
    d.chain(console::RECEIVEQ, &[(buf, 4, true)]);
    assert_eq!(d.dev.push_input(b"123456"), 6);
    assert_eq!(d.used(console::RECEIVEQ).map(|u| u.1), Some(4));
    assert_eq!(d.get(buf, 4), b"1234");
    assert!(d.dev.irq_level());
    d.chain(console::RECEIVEQ, &[(buf, 4, true)]);
    d.notify(console::RECEIVEQ);
    assert_eq!(d.used(console::RECEIVEQ).map(|u| u.1), Some(2));
    assert_eq!(d.get(buf, 2), b"56");
    // The FIFO is bounded.
    let big = vec![b'x'; console::RX_FIFO + 10];
    assert_eq!(d.dev.push_input(&big), console::RX_FIFO);
}

const MAC: [u8; 6] = [0x52, 0x54, 0, 0x12, 0x34, 0x56];

#[test]
fn net_config_and_tx() {
    let mut d = Drv::new(Net::new(MAC, Vec::<Vec<u8>>::new()), !0);
    assert_eq!(d.r(0x008), VIRTIO_ID_NET);
    assert_ne!(d.features() & bit(net::VIRTIO_NET_F_MAC), 0);
    let mac: Vec<u8> = (0..6)
        .map(|i| d.dev.read(0x100 + i, 1).unwrap() as u8)
        .collect();
    assert_eq!(mac, MAC);
    assert_eq!(
        d.dev.read(0x106, 2),
        Ok(u64::from(net::VIRTIO_NET_S_LINK_UP))
    );
    let frame: Vec<u8> = (0..60).collect();
    let (h, f) = (d.alloc(VIRTIO_NET_HDR_LEN, &[]), d.alloc(60, &frame));
    d.chain(net::TRANSMITQ, &[(h, 12, false), (f, 60, false)]);
    // A chain shorter than the header is dropped.
    d.chain(net::TRANSMITQ, &[(h, 4, false)]);
    d.notify(net::TRANSMITQ);
    assert!(d.used(net::TRANSMITQ).is_some() && d.used(net::TRANSMITQ).is_some());
    assert_eq!(d.dev.backend().link(), &vec![frame]);
    let s = d.dev.backend().stats();
    assert_eq!((s.tx, s.dropped), (1, 1));
}

#[test]
fn net_rx() {
    let mut d = Drv::new(Net::new(MAC, Vec::<Vec<u8>>::new()), !0);
    let frame = vec![0xab; 100];
    // No buffer yet: the frame waits, then lands when buffers come.
    assert!(d.dev.push_packet(&frame));
    let buf = d.alloc(1526, &[0xff; 12]);
    d.chain(net::RECEIVEQ, &[(buf, 1526, true)]);
    d.notify(net::RECEIVEQ);
    assert_eq!(d.used(net::RECEIVEQ).map(|u| u.1), Some(112));
    let got = d.get(buf, 112);
    assert_eq!(&got[..12], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(&got[12..], &frame[..]);
    // Into a buffer too small: dropped, buffer back with length 0.
    let small = d.alloc(50, &[]);
    d.chain(net::RECEIVEQ, &[(small, 50, true)]);
    assert!(d.dev.push_packet(&frame));
    assert_eq!(d.used(net::RECEIVEQ).map(|u| u.1), Some(0));
    assert_eq!(d.dev.backend().stats().rx, 1);
    assert_eq!(d.dev.backend().stats().dropped, 1);
    // Too long for any buffer, and after reset the card is down.
    assert!(!d.dev.push_packet(&vec![0; net::MAX_FRAME + 1]));
    d.w(0x070, 0);
    assert!(!d.dev.push_packet(&frame));
}
