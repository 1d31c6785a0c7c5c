//! virtio-blk through the MMIO transport, driven by the test driver in
//! `vq/`: read/write/flush/get-id round trips, bounds, read-only, bad
//! chains, indirect descriptors.

mod vq;

use vdev::virtio::blk::*;
use vdev::virtio::*;
use vq::*;

fn disk(sectors: usize, ro: bool) -> Drv<Blk<Vec<u8>>> {
    let data: Vec<u8> = (0..sectors * 512).map(|i| (i / 512) as u8).collect();
    Drv::new(Blk::new(data, ro, b"qvm-disk-0"), !0)
}

fn hdr(kind: u32, sector: u64) -> Vec<u8> {
    let mut h = kind.to_le_bytes().to_vec();
    h.extend_from_slice(&[0; 4]);
    h.extend_from_slice(&sector.to_le_bytes());
    h
}

/// Submits a request; returns (status, used len, data buffer gpa).
fn request(
    d: &mut Drv<Blk<Vec<u8>>>,
    kind: u32,
    sector: u64,
    out: &[u8],
    inlen: u32,
) -> (u8, u32, u64) {
    let h = d.alloc(16, &hdr(kind, sector));
    let st = d.alloc(1, &[0xff]);
    let mut bufs = vec![(h, 16, false)];
    let data = if !out.is_empty() {
        let g = d.alloc(out.len(), out);
        bufs.push((g, out.len() as u32, false));
        g
    } else {
        let g = d.alloc(inlen as usize, &[]);
        if inlen > 0 {
            bufs.push((g, inlen, true));
        }
        g
    };
    bufs.push((st, 1, true));
    let head = d.chain(0, &bufs);
    d.notify(0);
    let (id, len) = d.used(0).expect("request completed");
    assert_eq!(id, u32::from(head));
    (d.get(st, 1)[0], len, data)
}

#[test]
fn config_and_features() {
    let mut d = disk(8, false);
    assert_eq!(d.r(0x008), VIRTIO_ID_BLOCK);
    assert_eq!(d.r(0x100), 8); // capacity low
    assert_eq!(d.r(0x104), 0);
    assert_eq!(vdev::Vdev::read(&mut d.dev, 0x100, 8), Ok(8));
    let f = d.features();
    assert_ne!(f & bit(VIRTIO_BLK_F_FLUSH), 0);
    assert_eq!(f & bit(VIRTIO_BLK_F_RO), 0);
    assert_ne!(disk(1, true).features() & bit(VIRTIO_BLK_F_RO), 0);
}

#[test]
fn read_write_flush_get_id() {
    let mut d = disk(8, false);
    let (st, len, g) = request(&mut d, VIRTIO_BLK_T_IN, 3, &[], 1024);
    assert_eq!((st, len), (VIRTIO_BLK_S_OK, 1025));
    let got = d.get(g, 1024);
    assert!(got[..512].iter().all(|&b| b == 3) && got[512..].iter().all(|&b| b == 4));
    assert_eq!(d.ack(), 1);

    let data: Vec<u8> = (0..512).map(|i| i as u8).collect();
    let (st, len, _) = request(&mut d, VIRTIO_BLK_T_OUT, 7, &data, 0);
    assert_eq!((st, len), (VIRTIO_BLK_S_OK, 1));
    assert_eq!(&d.dev.backend().storage()[7 * 512..], &data[..]);
    let (st, _, g) = request(&mut d, VIRTIO_BLK_T_IN, 7, &[], 512);
    assert_eq!((st, d.get(g, 512)), (VIRTIO_BLK_S_OK, data));

    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_FLUSH, 0, &[], 0).0,
        VIRTIO_BLK_S_OK
    );
    let (st, len, g) = request(&mut d, VIRTIO_BLK_T_GET_ID, 0, &[], 20);
    assert_eq!((st, len), (VIRTIO_BLK_S_OK, 21));
    assert_eq!(&d.get(g, 20)[..12], b"qvm-disk-0\0\0");
}

#[test]
fn bad_requests() {
    let mut d = disk(8, false);
    // Past the end, straddling the end, not a whole sector, huge sector.
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_IN, 8, &[], 512).0,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_IN, 7, &[], 1024).0,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_IN, 0, &[], 100).0,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_OUT, u64::MAX / 2, &[0; 512], 0).0,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(request(&mut d, 99, 0, &[], 0).0, VIRTIO_BLK_S_UNSUPP);
    // A data buffer outside guest RAM.
    let h = d.alloc(16, &hdr(VIRTIO_BLK_T_IN, 0));
    let st = d.alloc(1, &[0xff]);
    d.chain(0, &[(h, 16, false), (0x10, 512, true), (st, 1, true)]);
    d.notify(0);
    assert!(d.used(0).is_some());
    assert_eq!(d.get(st, 1)[0], VIRTIO_BLK_S_IOERR);
    // No status byte: returned with length 0.
    d.chain(0, &[(h, 16, false)]);
    d.notify(0);
    assert_eq!(d.used(0).map(|u| u.1), Some(0));
    assert!(d.dev.is_running());
}

#[test]
fn read_only_refuses_writes() {
    let mut d = disk(2, true);
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_OUT, 0, &[9; 512], 0).0,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(d.dev.backend().storage()[0], 0);
    assert_eq!(
        request(&mut d, VIRTIO_BLK_T_IN, 1, &[], 512).0,
        VIRTIO_BLK_S_OK
    );
}

#[test]
fn indirect_and_split_header() {
    let mut d = disk(4, false);
    let h = hdr(VIRTIO_BLK_T_IN, 2);
    let (h1, h2) = (d.alloc(5, &h[..5]), d.alloc(11, &h[5..]));
    let (a, b, st) = (d.alloc(100, &[]), d.alloc(412, &[]), d.alloc(1, &[0xff]));
    let bufs = [
        (h1, 5, false),
        (h2, 11, false),
        (a, 100, true),
        (b, 412, true),
        (st, 1, true),
    ];
    let head = d.chain_indirect(0, &bufs);
    d.notify(0);
    assert_eq!(d.used(0), Some((head.into(), 513)));
    assert_eq!(d.get(st, 1)[0], VIRTIO_BLK_S_OK);
    assert!(d.get(a, 100).iter().chain(&d.get(b, 412)).all(|&x| x == 2));
}

#[test]
fn indirect_refused_when_not_negotiated() {
    let data = vec![0u8; 1024];
    let mut d = Drv::new(Blk::new(data, false, b""), 0);
    let h = d.alloc(16, &hdr(VIRTIO_BLK_T_FLUSH, 0));
    let st = d.alloc(1, &[0xff]);
    d.chain_indirect(0, &[(h, 16, false), (st, 1, true)]);
    d.notify(0);
    assert_eq!(d.used(0).map(|u| u.1), Some(0));
    assert_eq!(d.get(st, 1)[0], 0xff);
    assert_eq!(d.dev.queue(0).unwrap().bad_chains(), 1);
}
