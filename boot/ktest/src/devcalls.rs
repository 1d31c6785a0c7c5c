//! `ktest badcalls`, the device calls (33–37) and `process_spawn`'s
//! grants: ktest holds no grant, so every device and interrupt is refused
//! (`EACCES`), the kernel's own with `EPERM`; bad indexes, addresses,
//! selectors, pointers and handles are error codes.

use crate::badcalls::{ANY, Checks, KERNEL_RAM};
use abi::{DeviceInfo, Error, Grants, PAGE_SIZE, Sys, USER_TOP};
use ulib::{device, process, sys};

/// Where a device would be mapped.
const VA: usize = abi::USER_BASE + 0x60_0000_0000;

fn call(n: Sys, args: [usize; 6]) -> abi::SysResult {
    sys::call(n, args)
}

/// The first region `selector` names: its index and first interrupt.
fn first(selector: &str) -> Option<(usize, u32)> {
    let rows = device::list(selector).ok()?;
    rows.first().map(|r| (r.index as usize, r.irqs[0]))
}

fn list_calls(c: &mut Checks) {
    let mut row = DeviceInfo::EMPTY;
    let at = &raw mut row as usize;
    let long = [b'a'; abi::DEVICE_SELECTOR_MAX + 1];
    let bad: [(&str, [usize; 6], Error); 6] = [
        (
            "selector too long",
            [long.as_ptr() as usize, long.len(), at, 1, 0, 0],
            Error::InvalidArgument,
        ),
        (
            "selector unmapped",
            [KERNEL_RAM, 8, at, 1, 0, 0],
            Error::Fault,
        ),
        (
            "selector not UTF-8",
            [[0xffu8].as_ptr() as usize, 1, at, 1, 0, 0],
            Error::InvalidArgument,
        ),
        (
            "bad address selector",
            ["0xzz".as_ptr() as usize, 4, at, 1, 0, 0],
            Error::InvalidArgument,
        ),
        (
            "too many rows",
            [0, 0, at, abi::MAX_DEVICES + 1, 0, 0],
            Error::InvalidArgument,
        ),
        (
            "rows into kernel RAM",
            [0, 0, KERNEL_RAM, 1, 0, 0],
            Error::Fault,
        ),
    ];
    for (what, args, want) in bad {
        c.expect(
            &alloc::format!("device_list {what}"),
            call(Sys::DeviceList, args),
            Err(want),
        );
    }
    c.expect(
        "device_list count only",
        call(Sys::DeviceList, [0, 0, 0, 0, 0, 0]),
        ANY,
    );
    let none = "/nowhere";
    c.expect(
        "device_list a path that is not there",
        call(
            Sys::DeviceList,
            [none.as_ptr() as usize, none.len(), at, 1, 0, 0],
        ),
        Ok(0),
    );
}

fn map_and_irq_calls(c: &mut Checks) {
    c.expect(
        "device_map no such region",
        device::map(u32::MAX, VA),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "device_map index past u32",
        call(Sys::DeviceMap, [usize::MAX, VA, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "irq_attach 1020",
        device::irq_attach(1020),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "irq_attach past u32",
        call(Sys::IrqAttach, [usize::MAX, 0, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "irq_attach a PPI",
        device::irq_attach(27),
        Err(Error::Reserved),
    );
    c.expect(
        "irq_attach an SGI",
        device::irq_attach(0),
        Err(Error::Reserved),
    );
    // QEMU virt: the console UART is the kernel's; the clock is not, but
    // ktest was granted nothing.
    if let Some((uart, uart_irq)) = first("arm,pl011") {
        c.expect(
            "device_map the kernel's UART",
            device::map(uart as u32, VA),
            Err(Error::Reserved),
        );
        c.expect(
            "irq_attach the UART's",
            device::irq_attach(uart_irq),
            Err(Error::Reserved),
        );
    }
    if let Some((rtc, rtc_irq)) = first("arm,pl031") {
        c.expect(
            "device_map not granted",
            device::map(rtc as u32, VA),
            Err(Error::AccessDenied),
        );
        c.expect(
            "irq_attach not granted",
            device::irq_attach(rtc_irq),
            Err(Error::AccessDenied),
        );
        c.expect(
            "device_map unaligned",
            device::map(rtc as u32, VA + 8),
            Err(Error::InvalidArgument),
        );
        c.expect(
            "device_map past the user space",
            device::map(rtc as u32, USER_TOP - PAGE_SIZE / 2),
            Err(Error::InvalidArgument),
        );
    }
    if let Some((rtc, rtc_irq)) = first("arm,pl031")
        && let Ok(vm) = call(Sys::VmCreate, [0; 6])
    {
        c.expect(
            "vm_irq_pass not granted",
            device::vm_irq_pass(vm, rtc_irq, 40),
            Err(Error::AccessDenied),
        );
        c.expect(
            "vm_irq_pass not an INTID",
            device::vm_irq_pass(vm, 1020, 40),
            Err(Error::InvalidArgument),
        );
        c.expect(
            "vm_irq_pass a PPI",
            device::vm_irq_pass(vm, 27, 40),
            Err(Error::Reserved),
        );
        c.expect(
            "vm_map_device not granted",
            device::vm_map(vm, rtc as u32, 0x1000_0000),
            Err(Error::AccessDenied),
        );
        c.expect(
            "vm_map_device past the guest space",
            device::vm_map(vm, rtc as u32, 1 << 39),
            Err(Error::InvalidArgument),
        );
        c.expect(
            "vm_map_device no such region",
            device::vm_map(vm, u32::MAX, 0x1000_0000),
            Err(Error::InvalidArgument),
        );
    }
    if let Some((uart, _)) = first("arm,pl011")
        && let Ok(vm) = call(Sys::VmCreate, [0; 6])
    {
        c.expect(
            "vm_map_device the kernel's UART",
            device::vm_map(vm, uart as u32, 0x1000_0000),
            Err(Error::Reserved),
        );
    }
    if let Some((_, uart_irq)) = first("arm,pl011")
        && let Ok(vm) = call(Sys::VmCreate, [0; 6])
    {
        c.expect(
            "vm_irq_pass the UART's",
            device::vm_irq_pass(vm, uart_irq, 40),
            Err(Error::Reserved),
        );
    }
    c.expect(
        "vm_irq_pass bad handle",
        device::vm_irq_pass(4321, 40, 40),
        Err(Error::BadHandle),
    );
    c.expect(
        "vm_map_device bad handle",
        device::vm_map(4321, 0, 0x1000_0000),
        Err(Error::BadHandle),
    );
    for (what, h) in [
        ("bad handle", 4321),
        (
            "a namespace handle",
            sys::shm_space_create().unwrap_or(4321),
        ),
    ] {
        c.expect(
            &alloc::format!("irq_wait {what}"),
            device::irq_wait(h),
            Err(Error::BadHandle),
        );
        c.expect(
            &alloc::format!("irq_unmask {what}"),
            device::irq_unmask(h),
            Err(Error::BadHandle),
        );
    }
}

fn spawn_calls(c: &mut Checks) {
    let spawn = |grants: usize| {
        let path = "/bin/ktest";
        let args = b"ktest\0exit0\0";
        let space = abi::SHM_SPACE_PRIVATE;
        call(
            Sys::ProcessSpawn,
            [
                path.as_ptr() as usize,
                path.len(),
                args.as_ptr() as usize,
                args.len(),
                space,
                grants,
            ],
        )
    };
    let mut g = Grants::NONE;
    g.add_irq(34);
    c.expect(
        "spawn granting what it lacks",
        spawn(&raw const g as usize),
        Err(Error::AccessDenied),
    );
    c.expect(
        "spawn grants unmapped",
        spawn(KERNEL_RAM),
        Err(Error::Fault),
    );
    let nothing = Grants::NONE;
    match spawn(&raw const nothing as usize) {
        Ok(p) => {
            c.expect("spawn granting nothing: exits 0", process::wait(p), Ok(0));
            c.expect("close it", sys::handle_close(p), Ok(0));
        }
        Err(e) => c.expect("spawn granting nothing", Err(e), ANY),
    }
}

/// Every check of the device calls.
pub fn check(c: &mut Checks) {
    list_calls(c);
    map_and_irq_calls(c);
    spawn_calls(c);
}
