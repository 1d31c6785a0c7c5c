//! Writes the seed corpus `fuzz/corpus/NAME/seed-*`: well-formed inputs for
//! each target (example VM configurations, device trees qvm builds, small
//! ELF and `Image` files, bootfs images, driver programs that make valid
//! virtio requests), so mutation starts from the interesting paths. Run by
//! hand after changing a format:
//!
//! ```text
//! cargo test -p fuzz-harness --test corpus -- --ignored
//! ```
//!
//! (The `regress-*` files next to them are inputs that once failed; this
//! test leaves them alone.)

use std::path::PathBuf;

use boot::BootfsWriter;
use qvm::config::parse_str;
use qvm::fdt::{Chosen, Node, build};
use qvm::layout::place;

fn corpus(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, file: &str, bytes: &[u8]) {
    std::fs::write(corpus(name).join(format!("seed-{file}")), bytes).unwrap();
}

fn qvm_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../qvm/tests")
}

/// Config texts: the example files and the one-line cases of the error
/// tables.
fn configs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in ["hello", "full", "linux", "common", "include"] {
        let p = qvm_tests().join(format!("{f}.qvmconf"));
        out.push((f.to_string(), std::fs::read_to_string(p).unwrap()));
    }
    for table in ["errors.txt", "placement_errors.txt"] {
        let text = std::fs::read_to_string(qvm_tests().join(table)).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some((cfg, _)) = line.split_once(" => ")
                && !line.starts_with('#')
            {
                let stem = table.trim_end_matches(".txt");
                out.push((format!("{stem}-{i}"), cfg.replace("\\n", "\n")));
            }
        }
    }
    out
}

/// A minimal ELF64 AArch64 executable: one PT_LOAD of `code` at `vaddr`.
fn elf(vaddr: u64, code: &[u8], etype: u16) -> Vec<u8> {
    let mut f = vec![0u8; 0x78];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2;
    f[5] = 1;
    f[6] = 1;
    f[16..18].copy_from_slice(&etype.to_le_bytes());
    f[18..20].copy_from_slice(&183u16.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..32].copy_from_slice(&vaddr.to_le_bytes());
    f[32..40].copy_from_slice(&64u64.to_le_bytes());
    f[52..54].copy_from_slice(&64u16.to_le_bytes());
    f[54..56].copy_from_slice(&56u16.to_le_bytes());
    f[56..58].copy_from_slice(&1u16.to_le_bytes());
    let p = &mut f[64..120];
    p[0..4].copy_from_slice(&1u32.to_le_bytes());
    p[4..8].copy_from_slice(&5u32.to_le_bytes());
    p[8..16].copy_from_slice(&0x78u64.to_le_bytes());
    p[16..24].copy_from_slice(&vaddr.to_le_bytes());
    p[24..32].copy_from_slice(&vaddr.to_le_bytes());
    p[32..40].copy_from_slice(&(code.len() as u64).to_le_bytes());
    p[40..48].copy_from_slice(&(code.len() as u64 + 0x1000).to_le_bytes());
    p[48..56].copy_from_slice(&0x1000u64.to_le_bytes());
    f.extend_from_slice(code);
    f
}

/// A minimal ELF32 executable for `machine` (i386, as a multiboot kernel
/// is, or ARM): one PT_LOAD of `code` at `paddr` (linked 3 GiB higher)
/// with 4 KiB of BSS, its entry `entry` bytes in.
fn elf32(machine: u16, paddr: u32, entry: u32, code: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 52 + 32];
    f[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    f[16..18].copy_from_slice(&2u16.to_le_bytes());
    f[18..20].copy_from_slice(&machine.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..28].copy_from_slice(&(paddr + entry).to_le_bytes());
    f[28..32].copy_from_slice(&52u32.to_le_bytes());
    f[40..42].copy_from_slice(&52u16.to_le_bytes());
    f[42..44].copy_from_slice(&32u16.to_le_bytes());
    f[44..46].copy_from_slice(&1u16.to_le_bytes());
    let size = code.len() as u32;
    let fields = [
        1,
        84,
        paddr.wrapping_add(0xC000_0000),
        paddr,
        size,
        size + 0x1000,
        5,
        4,
    ];
    for (i, v) in fields.into_iter().enumerate() {
        f[52 + 4 * i..56 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(code);
    f
}

/// An arm64 `Image` header and a little code.
fn arm64_image(text_offset: u64, image_size: u64, flags: u64) -> Vec<u8> {
    let mut f = vec![0u8; 0x80];
    f[8..16].copy_from_slice(&text_offset.to_le_bytes());
    f[16..24].copy_from_slice(&image_size.to_le_bytes());
    f[24..32].copy_from_slice(&flags.to_le_bytes());
    f[0x38..0x3c].copy_from_slice(b"ARM\x64");
    f.extend_from_slice(&[0x1f, 0x20, 0x03, 0xd5]);
    f
}

/// A 32-bit ARM zImage header (eight `mov r0, r0`, a branch over the
/// magic, start 0, end, the little-endian flag) and a little code.
fn zimage() -> Vec<u8> {
    let mut f = Vec::new();
    for _ in 0..8 {
        f.extend_from_slice(&0xE1A0_0000u32.to_le_bytes());
    }
    f.extend_from_slice(&0xEA00_0002u32.to_le_bytes()); // b past the header
    f.extend_from_slice(&0x016F_2818u32.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&0x40u32.to_le_bytes());
    f.extend_from_slice(&0x0403_0201u32.to_le_bytes());
    f.resize(0x40, 0);
    f
}

/// The RAM header of a `qvm_loader` input: base, pages, mode, address.
fn loader_header(base: u64, pages: u32, mode: u8, at: u64) -> Vec<u8> {
    let mut v = base.to_le_bytes().to_vec();
    v.extend_from_slice(&pages.to_le_bytes());
    v.push(mode);
    v.extend_from_slice(&at.to_le_bytes());
    v
}

/// Encodes driver programs for the virtio targets (the byte layout
/// `virtio::run` reads).
struct Prog(Vec<u8>);

impl Prog {
    /// Header: accept every feature, queues of 16, no RAM fill, set up.
    fn new(queues: usize) -> Self {
        let mut v = u64::MAX.to_le_bytes().to_vec();
        v.extend(std::iter::repeat_n(4u8, queues)); // 1 << 4 = 16
        // Fill at 0 (two bytes) with one byte (0: its own length byte);
        // then 0: set the device up.
        v.extend_from_slice(&[0, 0, 0, 0]);
        Prog(v)
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Descriptor `idx` of queue `q`: a buffer at RAM + 0xc000 + `off`.
    fn desc(&mut self, q: u8, idx: u16, off: u16, len4: u8, flags: u16, next: u16) {
        self.0.extend_from_slice(&[0, q]);
        self.u16(idx);
        self.0.push(3);
        self.u16(off);
        self.0.extend_from_slice(&[2, len4]);
        self.u16(flags);
        self.u16(next);
        self.0.push(0);
    }
    fn publish(&mut self, q: u8, head: u16) {
        self.0.extend_from_slice(&[1, q]);
        self.u16(head);
    }
    fn notify(&mut self, q: u8) {
        self.0.extend_from_slice(&[4, 0, q]);
    }
    /// Driver bytes at RAM + 0xc000 + `off`.
    fn put(&mut self, off: u16, bytes: &[u8]) {
        self.0.extend_from_slice(&[8, 3]);
        self.u16(off);
        self.0.push(bytes.len() as u8);
        self.0.extend_from_slice(bytes);
    }
    fn extra(&mut self, bytes: &[u8]) {
        self.0.push(10);
        self.0.extend_from_slice(bytes);
    }
}

#[test]
#[ignore = "writes the seed corpus; run by hand"]
fn write_seed_corpus() {
    for (name, text) in configs() {
        write("qvm_config", &name, text.as_bytes());
    }
    // Device trees qvm builds, and a small overlay.
    for (name, text) in configs().into_iter().take(5) {
        let Ok(cfg) = parse_str("t.qvmconf", &text) else {
            continue;
        };
        let Ok(layout) = place(&cfg) else { continue };
        if let Ok(dtb) = build(&layout, &Chosen::from_config(&cfg)) {
            write("fdt_overlay", &name, &dtb);
        }
    }
    let mut root = Node::new("");
    let mut chosen = Node::new("chosen");
    chosen.set_str("bootargs", "console=hvc0");
    root.add(chosen);
    let mut dev = Node::new("extra@1c0f0000");
    dev.set_str("compatible", "vendor,thing");
    dev.set("reg", qvm::fdt::cells64(&[0x1c0f_0000, 0x1000]));
    dev.set_u32("phandle", 7);
    root.add(dev);
    write("fdt_overlay", "overlay", &root.to_dtb().unwrap());
    // A `dtc -@` overlay (fragments, `__overlay__`), if dtc is installed.
    let dts = qvm_tests().join("overlay.dts");
    let out = std::env::temp_dir().join("fuzz-overlay.dtb");
    let dtc = std::process::Command::new("dtc")
        .args(["-@", "-I", "dts", "-O", "dtb", "-o"])
        .arg(&out)
        .arg(&dts)
        .status();
    if dtc.is_ok_and(|s| s.success()) {
        write("fdt_overlay", "dtc-overlay", &std::fs::read(&out).unwrap());
    }

    let code = [0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6];
    let ram = 0x8000_0000;
    let cases: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
        (
            "elf",
            loader_header(ram, 0x4000, 0, 0),
            elf(ram + 0x1000, &code, 2),
        ),
        (
            "image",
            loader_header(ram, 0x4000, 0, 0),
            arm64_image(0, 0x10000, 8),
        ),
        (
            "image-at",
            loader_header(ram, 0x4000, 2, 0x20_0000),
            arm64_image(0x8_0000, 0, 8),
        ),
        (
            "image-fixed",
            loader_header(ram, 0x4000, 3, ram),
            arm64_image(0, 0x1000, 0),
        ),
        (
            "elf32",
            loader_header(0, 0x4000, 0, 0),
            elf32(3, 0x10_0000, 0, &[0xfa, 0xf4]),
        ),
        (
            "elf32-arm-thumb",
            loader_header(ram, 0x4000, 0, 0),
            elf32(40, 0x8000_8000, 1, &[0x00, 0xbf, 0xfe, 0xe7]),
        ),
        ("zimage", loader_header(ram, 0x4000, 0, 0), zimage()),
        ("zimage-at", loader_header(ram, 0x4000, 1, 0x8000), zimage()),
        ("raw", loader_header(ram, 0x10, 1, 0x100), code.to_vec()),
        (
            "gzip",
            loader_header(ram, 0x10, 0, 0),
            vec![0x1f, 0x8b, 8, 0],
        ),
    ];
    for (name, head, body) in cases {
        let mut v = head;
        v.extend_from_slice(&body);
        write("qvm_loader", name, &v);
    }
    write("elf_load", "exec", &elf(0x40_0000, &code, 2));
    write("elf_load", "dyn", &elf(0x40_0000, &code, 3));

    let mut w = BootfsWriter::new();
    w.add("/bin/init", code.to_vec(), 1).unwrap();
    w.add("/etc/startup", b"qvm @/etc/vm/a.qvmconf &\n".to_vec(), 0)
        .unwrap();
    w.add("/etc/vm/a.qvmconf", b"ram 64M\n".to_vec(), 0)
        .unwrap();
    write("bootfs", "three-files", &w.finish());
    write("bootfs", "empty", &BootfsWriter::new().finish());
    write(
        "reserve_list",
        "two",
        b"ram 0x70000000,128M\nram 0x1000,4K\n",
    );
    write(
        "reserve_list",
        "overlap",
        b"ram 0x1000,0x2000\nram 0x2000,4K\n",
    );

    // virtio: one well-formed request per device.
    let mut p = Prog::new(1);
    p.desc(0, 0, 0x100, 16, 2, 0);
    p.publish(0, 0);
    p.notify(0);
    write("virtio_rng", "read", &p.0);

    for (name, t, sector) in [
        ("read", 0u32, 3u64),
        ("write", 1, 5),
        ("id", 8, 0),
        ("flush", 4, 0),
    ] {
        let mut p = Prog::new(1);
        let mut hdr = t.to_le_bytes().to_vec();
        hdr.extend_from_slice(&[0; 4]);
        hdr.extend_from_slice(&sector.to_le_bytes());
        p.put(0, &hdr);
        p.desc(0, 0, 0, 4, 1, 1);
        p.desc(0, 1, 0x200, 128, if t == 1 { 1 } else { 3 }, 2);
        p.desc(0, 2, 0x400, 1, 2, 0);
        p.publish(0, 0);
        p.notify(0);
        write("virtio_blk", name, &p.0);
    }

    let mut p = Prog::new(2);
    p.desc(1, 0, 0x800, 64, 0, 0);
    p.publish(1, 0);
    p.notify(1);
    p.desc(0, 0, 0x1000, 255, 2, 0);
    p.publish(0, 0);
    p.notify(0);
    p.extra(&[1, 0x40, 0]);
    p.extra(&[0, 1, 0x3c, 0]);
    write("virtio_net", "tx-rx", &p.0);

    let mut p = Prog::new(2);
    p.put(0x800, b"hello\n");
    p.desc(1, 0, 0x800, 2, 0, 0);
    p.publish(1, 0);
    p.notify(1);
    p.desc(0, 0, 0x1000, 16, 2, 0);
    p.publish(0, 0);
    p.notify(0);
    p.extra(&[2, b'h', b'i', b'\n', 0, 0, 0, 0, 0]);
    write("virtio_console", "tx-rx", &p.0);

    // Rings, GIC: random programs are as good as any; one each to start.
    let mut ring = vec![0u8, 3, 0];
    for i in 0..64u8 {
        ring.extend_from_slice(&[2 + (i % 6), i, 1, i]);
    }
    write("net_ring", "traffic", &ring);
    let mut gic = vec![1u8, 3, 1, 2];
    for i in 0..64u8 {
        gic.extend_from_slice(&[
            i % 4,
            2,
            i % 12,
            i,
            i.wrapping_mul(37),
            0xff,
            0xff,
            0,
            0,
            1,
            0,
            0,
            0,
        ]);
    }
    write("vgic", "v3", &gic);
    gic[0] = 0;
    write("vgic", "v2", &gic);
}
