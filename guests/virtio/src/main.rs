//! `virtio`: finds every `virtio,mmio` node of the device tree and drives
//! the devices behind them with `virtio-drivers` (virtio-mmio transport,
//! polled requests), checking each one:
//!
//! - a read-only block device: `VIRTIO_BLK_F_RO`, sector 0 holds an arm64
//!   `Image` header (magic `ARM\x64` at 0x38), a write fails;
//! - a writable block device: a pattern written to sector 1 reads back
//!   (also within a two-sector read), the old contents go back, a write
//!   past the end fails, flush and `GET_ID` work;
//! - an entropy device: two 64-byte reads, neither constant, not equal;
//! - a console: a line sent through it.
//!
//! Each device's interrupt (the node's first, taken as level-triggered) is
//! enabled in the GIC; the handler reads `InterruptStatus` and writes it to
//! `InterruptACK`, and each device must have raised at least one. Block
//! devices are numbered in address order. Any failed check prints a
//! `virtio: FAIL: ...` line. QEMU `virt` has virtio-mmio transports with
//! no device behind them: they are skipped.
//!
//! Console lines under qvm (`boot/vm/virtio.qvmconf`; the console line
//! comes through virtio-console, the others through the PL011):
//! ```text
//! virtio: 4 devices: blk 0x1c0d0000 intid 41, blk 0x1c0d1000 intid 45, entropy 0x1c0e0000 intid 43, console 0x20000000 intid 42
//! virtio: blk0 read-only disk, 680 sectors, sector 0 has the Image magic
//! virtio: blk1 write/read/flush ok, 3 sectors, id "virtio.qvmconf"
//! virtio: entropy 128 bytes ok
//! virtio: hello through virtio-console
//! virtio: interrupts from all 4 devices (blk0 3, blk1 9, entropy 2, console 1)
//! virtio: done, powering off
//! ```
//! and bare on QEMU `virt` (no devices attached):
//! ```text
//! virtio: no virtio devices
//! virtio: done, powering off
//! ```
//!
//! QEMU's own devices work too (legacy or, with
//! `-global virtio-mmio.force-legacy=false`, modern transports): e.g.
//! `-drive file=ro.img,if=none,id=d0,format=raw,readonly=on -device
//! virtio-blk-device,drive=d0 -drive file=rw.img,if=none,id=d1,format=raw
//! -device virtio-blk-device,drive=d1 -device virtio-rng-device -device
//! virtio-serial-device -chardev file,id=vc,path=vc.out -device
//! virtconsole,chardev=vc` (QEMU lists them from the top address down, so
//! there blk0 is the writable one).
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod console;
#[cfg(target_os = "none")]
mod hal;
#[cfg(target_os = "none")]
mod line;

#[cfg(target_os = "none")]
gsupport::entry!(guest::main);

#[cfg(target_os = "none")]
mod guest {
    use crate::console::Console;
    use crate::hal::{self, GuestHal};
    use crate::line::Line;
    use core::fmt::Write;
    use core::ptr::NonNull;
    use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
    use gsupport::dt::{self, DeviceNode};
    use gsupport::gic::Trigger;
    use gsupport::{Platform, cpu, exceptions, gic, mmio, println, psci, timer};
    use virtio_drivers::Error;
    use virtio_drivers::device::blk::{SECTOR_SIZE, VirtIOBlk};
    use virtio_drivers::device::rng::VirtIORng;
    use virtio_drivers::transport::mmio::{MmioError, MmioTransport, VirtIOHeader};
    use virtio_drivers::transport::{DeviceType, Transport};

    /// Most `virtio,mmio` nodes looked at (QEMU `virt` has 32).
    const MAX_NODES: usize = 32;
    /// `InterruptStatus` and `InterruptACK` (virtio 1.2 §4.2.2).
    const INTERRUPT_STATUS: usize = 0x60;
    const INTERRUPT_ACK: usize = 0x64;
    /// How long to wait for a device's interrupt once its requests are done.
    const IRQ_WAIT_US: u64 = 100_000;
    /// The arm64 `Image` magic and where it is.
    const IMAGE_MAGIC: &[u8; 4] = b"ARM\x64";
    const IMAGE_MAGIC_AT: usize = 0x38;
    /// What goes through the console.
    const CONSOLE_LINE: &[u8] = b"virtio: hello through virtio-console\n";
    /// Bytes per entropy read.
    const ENTROPY_BYTES: usize = 64;

    /// Per device (index in address order): INTID (0: none), registers,
    /// interrupts taken with something pending.
    static INTIDS: [AtomicU32; MAX_NODES] = [const { AtomicU32::new(0) }; MAX_NODES];
    static BASES: [AtomicUsize; MAX_NODES] = [const { AtomicUsize::new(0) }; MAX_NODES];
    static TAKEN: [AtomicU32; MAX_NODES] = [const { AtomicU32::new(0) }; MAX_NODES];
    /// Interrupts of a device with nothing pending in `InterruptStatus`.
    static EMPTY: AtomicU32 = AtomicU32::new(0);
    /// Checks failed so far.
    static FAILURES: AtomicU32 = AtomicU32::new(0);

    fn failures() -> u32 {
        FAILURES.load(Ordering::SeqCst)
    }

    macro_rules! fail {
        ($($arg:tt)*) => {{
            FAILURES.fetch_add(1, Ordering::SeqCst);
            println!("virtio: FAIL: {}", format_args!($($arg)*));
        }};
    }

    /// A virtio-mmio node with a device behind it.
    #[derive(Clone, Copy)]
    struct Found {
        node: DeviceNode,
        kind: DeviceType,
    }

    fn kind_name(kind: DeviceType) -> &'static str {
        match kind {
            DeviceType::Block => "blk",
            DeviceType::EntropySource => "entropy",
            DeviceType::Console => "console",
            DeviceType::Network => "net",
            _ => "other",
        }
    }

    fn on_irq(intid: u32) {
        let Some(i) = INTIDS
            .iter()
            .position(|id| id.load(Ordering::Relaxed) == intid)
        else {
            fail!("unexpected interrupt {intid}");
            return;
        };
        let base = BASES[i].load(Ordering::Relaxed);
        // SAFETY: `base` is the register window of a virtio-mmio device of
        // the device tree, mapped as Device memory; reading the status and
        // acknowledging it is how its interrupt is cleared.
        let status = unsafe { mmio::read32(base + INTERRUPT_STATUS) };
        if status == 0 {
            EMPTY.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // SAFETY: as above.
        unsafe { mmio::write32(base + INTERRUPT_ACK, status) };
        TAKEN[i].fetch_add(1, Ordering::SeqCst);
    }

    /// The transport of the device at `node`.
    fn transport(node: &DeviceNode) -> Result<MmioTransport<'static>, MmioError> {
        let header = NonNull::new(node.reg.start as *mut VirtIOHeader)
            .ok_or(MmioError::MmioRegionTooSmall)?;
        // SAFETY: the device tree gives this register window to a
        // virtio-mmio device; the identity map has it as Device memory for
        // good, and only this transport (and the interrupt handler's
        // status/ack accesses) touch it while it lives.
        unsafe { MmioTransport::new(header, node.reg.end - node.reg.start) }
    }

    /// Waits a little for an interrupt of device `i` (its requests are
    /// done, so the device has raised it).
    fn wait_irq(i: usize, name: &str) {
        if INTIDS[i].load(Ordering::Relaxed) == 0 {
            return;
        }
        let limit = timer::counter() + timer::us_to_ticks(IRQ_WAIT_US);
        while TAKEN[i].load(Ordering::SeqCst) == 0 && timer::counter() < limit {
            core::hint::spin_loop();
        }
        if TAKEN[i].load(Ordering::SeqCst) == 0 {
            fail!(
                "no interrupt from {name} (INTID {}) in {IRQ_WAIT_US} us",
                INTIDS[i].load(Ordering::Relaxed)
            );
        }
    }

    fn test_readonly_blk(n: usize, blk: &mut VirtIOBlk<GuestHal, MmioTransport<'static>>) {
        let before = failures();
        let mut sector = [0u8; SECTOR_SIZE];
        if let Err(e) = blk.read_blocks(0, &mut sector) {
            fail!("blk{n}: reading sector 0: {e}");
            return;
        }
        if &sector[IMAGE_MAGIC_AT..IMAGE_MAGIC_AT + 4] != IMAGE_MAGIC {
            fail!(
                "blk{n}: sector 0 bytes {IMAGE_MAGIC_AT:#x}..{:#x} are {:02x?}, not the Image magic",
                IMAGE_MAGIC_AT + 4,
                &sector[IMAGE_MAGIC_AT..IMAGE_MAGIC_AT + 4]
            );
            return;
        }
        let mut junk = sector;
        junk[IMAGE_MAGIC_AT..IMAGE_MAGIC_AT + 4].copy_from_slice(b"junk");
        match blk.write_blocks(0, &junk) {
            Err(Error::IoError) => {}
            Ok(()) => fail!("blk{n}: a write to the read-only disk succeeded"),
            Err(e) => fail!("blk{n}: a write to the read-only disk: {e}, not an I/O error"),
        }
        let mut again = [0u8; SECTOR_SIZE];
        match blk.read_blocks(0, &mut again) {
            Ok(()) if again == sector => {}
            Ok(()) => fail!("blk{n}: sector 0 changed after the refused write"),
            Err(e) => fail!("blk{n}: reading sector 0 again: {e}"),
        }
        if failures() == before {
            println!(
                "virtio: blk{n} read-only disk, {} sectors, sector 0 has the Image magic",
                blk.capacity()
            );
        }
    }

    fn test_writable_blk(n: usize, blk: &mut VirtIOBlk<GuestHal, MmioTransport<'static>>) {
        let before = failures();
        let capacity = blk.capacity();
        if capacity < 2 {
            fail!("blk{n}: {capacity} sectors, sector 1 is needed");
            return;
        }
        let mut old = [0u8; SECTOR_SIZE];
        if let Err(e) = blk.read_blocks(1, &mut old) {
            fail!("blk{n}: reading sector 1: {e}");
            return;
        }
        let mut pattern = [0u8; SECTOR_SIZE];
        for (i, b) in pattern.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(7) ^ 0xa5 ^ (i >> 8) as u8;
        }
        if let Err(e) = blk.write_blocks(1, &pattern) {
            fail!("blk{n}: writing sector 1: {e}");
            return;
        }
        let mut back = [0u8; SECTOR_SIZE];
        match blk.read_blocks(1, &mut back) {
            Ok(()) if back == pattern => {}
            Ok(()) => {
                let at = back.iter().zip(&pattern).position(|(a, b)| a != b);
                fail!(
                    "blk{n}: sector 1 read back differs from what was written, first at byte {at:?}"
                );
                return;
            }
            Err(e) => {
                fail!("blk{n}: reading sector 1 back: {e}");
                return;
            }
        }
        // Sectors 0 and 1 in one request.
        let mut two = [0u8; 2 * SECTOR_SIZE];
        match blk.read_blocks(0, &mut two) {
            Ok(()) if two[SECTOR_SIZE..] == pattern => {}
            Ok(()) => fail!("blk{n}: a two-sector read does not show the pattern in sector 1"),
            Err(e) => fail!("blk{n}: reading sectors 0 and 1: {e}"),
        }
        if let Err(e) = blk.write_blocks(1, &old) {
            fail!("blk{n}: writing sector 1 back: {e}");
        }
        match blk.read_blocks(1, &mut back) {
            Ok(()) if back == old => {}
            Ok(()) => fail!("blk{n}: sector 1 does not read back as it was"),
            Err(e) => fail!("blk{n}: reading sector 1 again: {e}"),
        }
        match blk.write_blocks(capacity as usize, &pattern) {
            Err(Error::IoError) => {}
            Ok(()) => fail!("blk{n}: a write past the end (sector {capacity}) succeeded"),
            Err(e) => fail!("blk{n}: a write past the end: {e}, not an I/O error"),
        }
        if let Err(e) = blk.flush() {
            fail!("blk{n}: flush: {e}");
        }
        let mut id = [0u8; 20];
        let id = match blk.device_id(&mut id) {
            Ok(len) => core::str::from_utf8(&id[..len]).unwrap_or("?"),
            Err(Error::Unsupported) => "",
            Err(e) => {
                fail!("blk{n}: GET_ID: {e}");
                ""
            }
        };
        if failures() == before {
            println!("virtio: blk{n} write/read/flush ok, {capacity} sectors, id {id:?}");
        }
    }

    fn test_blk(n: usize, found: &Found) {
        let blk = transport(&found.node)
            .map_err(|e| fail!("blk{n}: transport: {e}"))
            .and_then(|t| {
                VirtIOBlk::<GuestHal, _>::new(t).map_err(|e| fail!("blk{n}: driver: {e}"))
            });
        let Ok(mut blk) = blk else { return };
        if blk.readonly() {
            test_readonly_blk(n, &mut blk);
        } else {
            test_writable_blk(n, &mut blk);
        }
    }

    fn test_entropy(found: &Found) {
        let rng = transport(&found.node)
            .map_err(|e| fail!("entropy: transport: {e}"))
            .and_then(|t| {
                VirtIORng::<GuestHal, _>::new(t).map_err(|e| fail!("entropy: driver: {e}"))
            });
        let Ok(mut rng) = rng else { return };
        let mut reads = [[0u8; ENTROPY_BYTES]; 2];
        for (i, buf) in reads.iter_mut().enumerate() {
            match rng.request_entropy(buf) {
                Ok(ENTROPY_BYTES) => {}
                Ok(got) => {
                    fail!("entropy: read {i} gave {got} bytes, not {ENTROPY_BYTES}");
                    return;
                }
                Err(e) => {
                    fail!("entropy: read {i}: {e}");
                    return;
                }
            }
            if buf.iter().all(|&b| b == buf[0]) {
                fail!(
                    "entropy: read {i} is {ENTROPY_BYTES} bytes of {:#04x}",
                    buf[0]
                );
                return;
            }
        }
        if reads[0] == reads[1] {
            fail!("entropy: both reads gave the same bytes");
            return;
        }
        println!("virtio: entropy {} bytes ok", 2 * ENTROPY_BYTES);
    }

    fn test_console(found: &Found) {
        let console = transport(&found.node)
            .map_err(|e| fail!("console: transport: {e}"))
            .and_then(|t| Console::new(t).map_err(|e| fail!("console: driver: {e}")));
        let Ok(mut console) = console else { return };
        if let Err(e) = console.send(CONSOLE_LINE) {
            fail!("console: send: {e}");
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        // SAFETY: the boot code mapped the device tree (identity) and
        // nothing writes it.
        let tree = unsafe {
            core::slice::from_raw_parts(
                platform.dtb.start as *const u8,
                platform.dtb.end - platform.dtb.start,
            )
        };
        let mut nodes = [DeviceNode::default(); MAX_NODES];
        let count = match dt::compatible_devices(tree, "virtio,mmio", &mut nodes) {
            Ok(n) => n,
            Err(e) => {
                fail!("device tree: {e}");
                psci::system_off()
            }
        };
        if count > MAX_NODES {
            println!("virtio: {count} virtio,mmio nodes, looking at the first {MAX_NODES}");
        }
        let nodes = &mut nodes[..count.min(MAX_NODES)];
        nodes.sort_unstable_by_key(|n| n.reg.start);

        let mut found: [Option<Found>; MAX_NODES] = [None; MAX_NODES];
        let mut devices = 0;
        for (slot, node) in found.iter_mut().zip(nodes.iter()) {
            match transport(node) {
                Ok(t) => {
                    *slot = Some(Found {
                        node: *node,
                        kind: t.device_type(),
                    });
                    devices += 1;
                }
                // An empty transport (QEMU `virt` has 32 of them).
                Err(MmioError::InvalidDeviceID(_)) => {}
                Err(e) => fail!("virtio,mmio at {:#x}: {e}", node.reg.start),
            }
        }
        if devices == 0 {
            println!("virtio: no virtio devices");
            finish()
        }

        let mut list = Line::new();
        for f in found.iter().flatten() {
            let sep = if list.is_empty() { "" } else { ", " };
            let _ = write!(
                list,
                "{sep}{} {:#x} intid {}",
                kind_name(f.kind),
                f.node.reg.start,
                f.node.intid.unwrap_or(0)
            );
        }
        println!("virtio: {devices} devices: {list}");

        // Interrupts: counted by the handler, checked after each device.
        if gic::init().is_some() {
            for (i, f) in found.iter().enumerate() {
                let Some(f) = f else { continue };
                let Some(intid) = f.node.intid else { continue };
                BASES[i].store(f.node.reg.start, Ordering::Relaxed);
                INTIDS[i].store(intid, Ordering::SeqCst);
            }
            exceptions::set_irq_handler(on_irq);
            for id in &INTIDS {
                let intid = id.load(Ordering::Relaxed);
                if intid != 0 {
                    gic::enable(intid, Trigger::Level);
                }
            }
            cpu::enable_irqs();
        } else {
            fail!("no GIC in the device tree: interrupts not checked");
        }

        let mut blks = 0;
        for (i, f) in found.iter().enumerate() {
            if let Some(f) = f.as_ref().filter(|f| f.kind == DeviceType::Block) {
                test_blk(blks, f);
                let mut name = Line::new();
                let _ = write!(name, "blk{blks}");
                wait_irq(i, &name);
                blks += 1;
            }
        }
        for (i, f) in found.iter().enumerate() {
            if let Some(f) = f.as_ref().filter(|f| f.kind == DeviceType::EntropySource) {
                test_entropy(f);
                wait_irq(i, "entropy");
            }
        }
        for (i, f) in found.iter().enumerate() {
            if let Some(f) = f.as_ref().filter(|f| f.kind == DeviceType::Console) {
                test_console(f);
                wait_irq(i, "console");
            }
        }
        for f in found.iter().flatten() {
            if !matches!(
                f.kind,
                DeviceType::Block | DeviceType::EntropySource | DeviceType::Console
            ) {
                println!(
                    "virtio: {:?} device at {:#x} not tested",
                    f.kind, f.node.reg.start
                );
            }
        }
        cpu::disable_irqs();

        if hal::pages_in_use() != 0 {
            fail!(
                "{} DMA pages still in use after every driver was dropped",
                hal::pages_in_use()
            );
        }

        let mut counts = Line::new();
        let (mut blk, mut with_irq, mut tested) = (0, 0, 0);
        for (i, f) in found.iter().enumerate() {
            let Some(f) = f else { continue };
            if INTIDS[i].load(Ordering::Relaxed) == 0
                || !matches!(
                    f.kind,
                    DeviceType::Block | DeviceType::EntropySource | DeviceType::Console
                )
            {
                continue;
            }
            tested += 1;
            let taken = TAKEN[i].load(Ordering::SeqCst);
            if taken > 0 {
                with_irq += 1;
            }
            let sep = if counts.is_empty() { "" } else { ", " };
            let _ = if f.kind == DeviceType::Block {
                blk += 1;
                write!(counts, "{sep}blk{} {taken}", blk - 1)
            } else {
                write!(counts, "{sep}{} {taken}", kind_name(f.kind))
            };
        }
        if tested > 0 && with_irq == tested {
            println!("virtio: interrupts from all {tested} devices ({counts})");
        }
        let empty = EMPTY.load(Ordering::Relaxed);
        if empty > 0 {
            println!("virtio: {empty} interrupts came with nothing pending");
        }
        finish()
    }

    fn finish() -> ! {
        let failed = failures();
        if failed > 0 {
            println!("virtio: FAIL: {failed} checks failed, powering off");
        } else {
            println!("virtio: done, powering off");
        }
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("virtio is a guest: `cargo xtask run --guest virtio --bare` boots it");
}
