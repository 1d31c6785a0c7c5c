//! The host-driver cases (`boot/boards/qemu-virt-devices.build`): the
//! `rtc` program, a PL031 driver in its own process, maps the clock
//! through its grant, reads the time (QEMU's PL031 counts the host's wall
//! clock: a plausible date), sets the alarm two seconds ahead and gets its
//! interrupt; each thing it asks for and was not given, or that the kernel
//! keeps, is refused with its error code. Without the grant it cannot map
//! the clock; `init` refuses startup lines that grant the kernel's UART or
//! its interrupt, or a device that is not there; after the first driver
//! ended, a second one gets the clock and the interrupt again. Then
//! `ktest devpass` puts the GPIO it was granted into one VM
//! (pass-through's bookkeeping) and is refused it anywhere else; a second
//! run gets it again after the first process and its VM ended. Last,
//! `ktest dma`, granted the GPIO, gets DMA memory (`dma_alloc`): zeroed,
//! writable, a 2 MiB run too; refused over a mapped page, past 2 MiB and
//! unaligned; all back after unmapping.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the cases boot.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-devices.build";

/// One case per host GIC version.
pub fn cases() -> Vec<Case> {
    [Gic::V3, Gic::V2].into_iter().map(case).collect()
}

/// The clock's line: found by its grant's selector.
const FOUND: &str = r"^rtc: /pl031@9010000 \(arm,pl031\) at 0x9010000, 4096 bytes, interrupt 34$";

/// A driver run with its grant: mapped, the time, the alarm's interrupt.
fn granted_run() -> Vec<&'static str> {
    vec![
        FOUND,
        r"^rtc: mapped at 0x6000000000 \(4096 bytes\)$",
        // Seconds since 1970 between 2023 and 2063, and the same as a date.
        r"^rtc: time (1[7-9]|2\d)\d{8} s since 1970: 20[2-6]\d-[01]\d-[0-3]\d [0-2]\d:[0-5]\d:[0-5]\d UTC$",
        r"^rtc: alarm set for \d+ \(2 s ahead\)$",
        r"^rtc: alarm interrupt 34 arrived \(arrival 1\) at \d+ s, [1-4] s after setting it, alarm pending$",
    ]
}

/// `ktest devpass`: the GPIO in one VM, and nowhere else.
const DEVPASS: [&str; 10] = [
    r"^ktest devpass: /pl061@9030000 into a VM at 0x10000000 \(4096 bytes\)$",
    r"^ktest devpass: refused: into ktest's own space too: EBUSY$",
    r"^ktest devpass: refused: into a second VM: EBUSY$",
    r"^ktest devpass: refused: over itself in the same VM: EEXIST$",
    r"^ktest devpass: refused: at an unaligned address: EINVAL$",
    r"^ktest devpass: refused: with a bad VM handle: EBADF$",
    r"^ktest devpass: refused: the kernel's UART: EPERM$",
    r"^ktest devpass: refused: the clock \(not granted\): EACCES$",
    r"^ktest devpass: the same VM may map it twice$",
    r"^ktest devpass: done$",
];

/// `ktest ramwipe`: reserved RAM, zero when it arrives.
const RAMWIPE: &str = r"^ktest ramwipe: /reserved-ram@7ff00000 \(1024 KiB\) mapped here and in a VM, all zero; filled$";

fn case(gic: Gic) -> Case {
    let mut lines = vec![STARTUP];
    lines.extend(granted_run());
    lines.extend([
        r"^rtc: refused: map the GPIO \(not granted\): EACCES$",
        r"^rtc: refused: attach interrupt 39 \(the GPIO's, not granted\): EACCES$",
        r"^rtc: refused: map the console UART \(the kernel's\): EPERM$",
        r"^rtc: refused: attach interrupt 33 \(the console UART's\): EPERM$",
        r"^rtc: refused: attach interrupt 27 \(a timer PPI\): EPERM$",
        r"^rtc: refused: attach interrupt 0 \(an SGI\): EPERM$",
        r"^rtc: refused: attach interrupt 34 again: EBUSY$",
        r"^rtc: refused: map the clock at an unaligned address: EINVAL$",
        r"^rtc: refused: map region 4096 \(no such region\): EINVAL$",
        r"^rtc: done$",
        // Without a grant.
        FOUND,
        r"^rtc: device_map /pl031@9010000: EACCES$",
        r"^init: 'rtc' exited with status 0x1$",
        // Lines init refuses.
        r"^init: cannot start 'dev=/pl011@9000000 rtc': dev=/pl011@9000000: /pl011@9000000 is the kernel's$",
        r"^init: cannot start 'irq=33 rtc': EACCES$",
        r"^init: cannot start 'dev=/nowhere@0 rtc': dev=/nowhere@0 names no device$",
    ]);
    // The first driver gave the clock and its interrupt back when it ended.
    lines.extend(granted_run());
    lines.push(r"^rtc: done$");
    // Twice: the first process's VM gave the GPIO back when it ended.
    for _ in 0..2 {
        lines.extend(DEVPASS);
    }
    lines.extend([
        r"^ktest dma: 3 pages at 0x6100000000, zeroed and writable, at a page-aligned physical address$",
        r"^ktest dma: refused: over a mapped page: EEXIST$",
        r"^ktest dma: refused: past DMA_SIZE_MAX: EINVAL$",
        r"^ktest dma: refused: at an unaligned address: EINVAL$",
        r"^ktest dma: a 2 MiB run$",
        r"^ktest dma: unmapped, the frames are back$",
    ]);
    // Reserved RAM: zero for the first holder and, wiped, for the second.
    lines.extend(std::iter::repeat_n(RAMWIPE, 2));
    lines.extend([STARTUP_DONE, INIT_EXIT_0]);
    Case::new(
        format!("devices-rtc-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile(BUILDFILE)
    .timeout(120)
    .lines(&lines)
}
