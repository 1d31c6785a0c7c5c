//! The devices driven by the `virtio-drivers` crate (0.13) as the guest
//! driver, through the software transport in `vd/`: its blk, console, rng
//! and net drivers negotiate features (with indirect descriptors and event
//! index), set up queues and move data.

mod vd;

use vd::{Soft, TestHal};
use vdev::virtio::blk::Blk;
use vdev::virtio::console::Console;
use vdev::virtio::net::Net;
use vdev::virtio::rng::{Rng, XorShift};
use virtio_drivers::device::blk::VirtIOBlk;
use virtio_drivers::device::console::VirtIOConsole;
use virtio_drivers::device::net::VirtIONet;
use virtio_drivers::device::rng::VirtIORng;

#[test]
fn blk_round_trip() {
    let disk: Vec<u8> = (0..64 * 512).map(|i| (i / 512) as u8).collect();
    let mut blk =
        VirtIOBlk::<TestHal, _>::new(Soft::new(Blk::new(disk, false, b"vd-blk")).0).unwrap();
    assert_eq!(blk.capacity(), 64);
    assert!(!blk.readonly());
    let mut buf = [0u8; 1024];
    blk.read_blocks(5, &mut buf).unwrap();
    assert!(buf[..512].iter().all(|&b| b == 5) && buf[512..].iter().all(|&b| b == 6));
    blk.write_blocks(10, &[0x5a; 2048]).unwrap();
    blk.flush().unwrap();
    let mut back = [0u8; 2048];
    blk.read_blocks(10, &mut back).unwrap();
    assert!(back.iter().all(|&b| b == 0x5a));
    let mut id = [0u8; 20];
    assert_eq!(blk.device_id(&mut id).unwrap(), 6);
    assert_eq!(&id[..6], b"vd-blk");
    assert!(blk.read_blocks(64, &mut buf).is_err());
}

#[test]
fn blk_read_only() {
    let mut blk =
        VirtIOBlk::<TestHal, _>::new(Soft::new(Blk::new(vec![1; 4096], true, b"")).0).unwrap();
    assert!(blk.readonly());
    assert!(blk.write_blocks(0, &[0; 512]).is_err());
}

#[test]
fn console_out_and_in() {
    let (soft, dev) = Soft::new(Console::new(Vec::new()));
    let mut con = VirtIOConsole::<TestHal, _>::new(soft).unwrap();
    con.send_bytes(b"hi from the guest").unwrap();
    con.emergency_write(b'!').unwrap();
    assert_eq!(dev.borrow().backend().sink(), b"hi from the guest!");
    assert_eq!(con.recv(true).unwrap(), None);
    assert_eq!(dev.borrow_mut().push_input(b"ok"), 2);
    assert!(con.ack_interrupt().unwrap());
    assert_eq!(con.recv(true).unwrap(), Some(b'o'));
    assert_eq!(con.recv(true).unwrap(), Some(b'k'));
    assert_eq!(con.recv(true).unwrap(), None);
}

#[test]
fn rng_fills() {
    let mut rng = VirtIORng::<TestHal, _>::new(Soft::new(Rng::new(XorShift::new(7))).0).unwrap();
    let mut buf = [0u8; 512];
    assert_eq!(rng.request_entropy(&mut buf).unwrap(), 512);
    assert!(buf.iter().filter(|&&b| b == 0).count() < 16);
}

#[test]
fn net_tx_rx() {
    let mac = [2, 0, 0, 0, 0, 1];
    let (soft, dev) = Soft::new(Net::new(mac, Vec::<Vec<u8>>::new()));
    let mut net = VirtIONet::<TestHal, _, 16>::new(soft, 2048).unwrap();
    assert_eq!(net.mac_address(), mac);
    let mut tx = net.new_tx_buffer(60);
    tx.packet_mut().copy_from_slice(&[0xee; 60]);
    net.send(tx).unwrap();
    assert_eq!(dev.borrow().backend().link(), &vec![vec![0xee; 60]]);
    assert!(!net.can_recv());
    let frame: Vec<u8> = (0..200).map(|i| i as u8).collect();
    assert!(dev.borrow_mut().push_packet(&frame));
    assert!(net.can_recv());
    let rx = net.receive().unwrap();
    assert_eq!(rx.packet(), &frame[..]);
    net.recycle_rx_buffer(rx).unwrap();
}

/// The device reads and writes the rings (indices, flags, heads,
/// descriptors, used elements, event indices) only through the typed
/// `GuestMemory` methods, never as byte copies: `qvm` makes each typed
/// access one volatile load or store the driver sees whole.
#[test]
fn ring_fields_go_through_typed_accesses() {
    let disk = vec![3u8; 16 * 512];
    let mut blk = VirtIOBlk::<TestHal, _>::new(Soft::new(Blk::new(disk, false, b"t")).0).unwrap();
    let mut buf = [0u8; 1024];
    for sector in 0..8 {
        blk.read_blocks(sector, &mut buf).unwrap();
        blk.write_blocks(sector, &buf).unwrap();
    }
    let mut rng = VirtIORng::<TestHal, _>::new(Soft::new(Rng::new(XorShift::new(1))).0).unwrap();
    assert_eq!(rng.request_entropy(&mut buf).unwrap(), 1024);
    let (soft, dev) = Soft::new(Net::new([2, 0, 0, 0, 0, 2], Vec::<Vec<u8>>::new()));
    let mut net = VirtIONet::<TestHal, _, 16>::new(soft, 2048).unwrap();
    for n in 0..40 {
        let mut tx = net.new_tx_buffer(60 + n);
        tx.packet_mut().fill(n as u8);
        net.send(tx).unwrap();
        assert!(dev.borrow_mut().push_packet(&[n as u8; 100]));
        let rx = net.receive().unwrap();
        assert_eq!(rx.packet(), &[n as u8; 100][..]);
        net.recycle_rx_buffer(rx).unwrap();
    }
    assert!(vd::typed_accesses() > 0);
    assert_eq!(vd::bulk_ring_accesses(), 0);
}
