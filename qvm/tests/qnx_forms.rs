//! QNX's forms that configurations written for QNX's `qvm` carry (issue 14
//! item 5): the `logger` level `internal` and destination `slog`, `sched`
//! with `o` and the sporadic server, the common vdev options `hostvector`
//! and `delayed`, `$asinfo_start{NAME}`/`$asinfo_length{NAME}`: each parsed,
//! then honoured, warned about or refused by name with its `FILE:LINE`.

// The AArch64 guest's checks (`vdev gic`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use common::{BASE, err, parse, refused, warnings};
use qvm::config::{Delay, LogDest, LogLevel, SchedPolicy, parse_args, parse_args_with_asinfo};

#[test]
fn logger_takes_internal_and_slog() {
    let c = parse("logger fatal,internal,error,warn,info slog\nlogger debug stderr\n");
    assert_eq!(
        c.loggers[0].levels,
        [
            LogLevel::Fatal,
            LogLevel::Internal,
            LogLevel::Error,
            LogLevel::Warn,
            LogLevel::Info
        ]
    );
    assert_eq!(c.loggers[0].dest, LogDest::Slog);
    assert!(warnings("logger debug,info,error slog\n").is_empty());
    assert_eq!(
        err("logger error syslog"),
        "t.qvmconf:1: 'logger' expects <level>[,<level>...] stdout|stderr|slog|none (levels: \
         fatal, internal, error, warn, info, debug, verbose), got 'syslog': not stdout, \
         stderr, slog or none"
    );
}

#[test]
fn sched_o_is_honoured_as_round_robin() {
    let c = parse("cpu sched 10o\n");
    let sched = c.cpus[0].sched.unwrap();
    assert_eq!(sched.policy, Some(SchedPolicy::Other));
    assert_eq!(sched.describe(), "10o");
    assert!(warnings("cpu sched 10o\ncpu sched 12r\ncpu sched 9\n").is_empty());
    // FIFO still runs, as round robin, with a warning naming it.
    let w = warnings("cpu sched 10f\n");
    assert_eq!(w.len(), 1);
    assert!(
        w[0].starts_with("t.qvmconf:3: cpu sched 10f: FIFO is not honoured"),
        "{w:?}"
    );
}

#[test]
fn sporadic_sched_is_refused_by_name() {
    assert_eq!(
        refused("cpu sched 20,8,5,1000000,200000s runmask 0\n"),
        "t.qvmconf:3: cpu sched 20,8,5,1000000,200000s: sporadic scheduling is not honoured: \
         the host scheduler has no sporadic server (no budget drops the vCPU to priority 8); \
         give 'sched 20r' or 'sched 8r'"
    );
    // QNX's priorities above the host's parse in the sporadic form, to be
    // refused by name, not by number.
    assert!(refused("cpu sched 200,100,5,1000000,200000s\n").contains("sporadic scheduling"));
}

#[test]
fn hostvector_is_refused_by_name() {
    let c = parse(&format!("{BASE}vdev virtio-net\n  hostvector 77\n"));
    assert_eq!(c.vdevs[1].common.hostvector.as_ref().unwrap().0, 77);
    assert_eq!(
        refused("vdev virtio-net\n  hostvector 77\n"),
        "t.qvmconf:4: vdev virtio-net: 'hostvector 77' is not honoured: qvm's device models \
         are not driven by host interrupts; a host device's interrupt reaches the guest by \
         'pass intr gic:<intid>=<host interrupt>'"
    );
}

#[test]
fn delayed_on_a_disk_is_warned_about_elsewhere_refused() {
    let c = parse(&format!(
        "{BASE}vdev virtio-blk hostdev /dev/vblk0 delayed forever\n"
    ));
    assert_eq!(
        c.vdevs[1].common.delayed.as_ref().unwrap().0,
        Delay::Forever
    );
    let w = warnings("vdev virtio-blk hostdev /dev/vblk0\n  delayed 5\n");
    assert_eq!(
        w,
        [
            "t.qvmconf:4: vdev virtio-blk: 'delayed 5': qvm opens the disk before the guest \
          starts (waiting up to 10 s for its driver), not at the guest's first access"
        ]
    );
    let w = warnings("vdev virtio-blk hostdev </disk.img delayed forever\n");
    assert!(w[0].contains("(a bootfs file, always there)"), "{w:?}");
    assert!(
        refused("vdev virtio-blk hostdev /dev/vblk0 delayed forever\n").starts_with(
            "t.qvmconf:3: vdev virtio-blk: 'delayed forever' is not honoured: qvm opens the \
             disk before the guest starts and waits at most 10 s"
        )
    );
    assert!(refused("vdev virtio-blk hostdev /dev/vblk0 delayed 11\n").contains("'delayed 11'"));
    assert_eq!(
        refused("vdev pl011 delayed 0\n"),
        "t.qvmconf:3: vdev pl011: 'delayed 0' is not honoured: qvm builds every device before \
         the guest starts and opens nothing later; leave 'delayed' out"
    );
}

#[test]
fn asinfo_variables_come_from_the_hosts_map() {
    let text = "ram 64M\npass loc mem:$asinfo_start{sysram},$asinfo_length{sysram},rwxcm\n";
    let mut read = |_: &str| Ok(String::from(text));
    let map = |name: &str| (name == "sysram").then_some((0x7ff0_0000, 0x10_0000));
    let c = parse_args_with_asinfo(&["@t.qvmconf"], &mut read, &map).unwrap();
    assert!(matches!(
        c.passes[0].kind,
        qvm::config::PassKind::Mem {
            gpa: 0x7ff0_0000,
            len: 0x10_0000,
            hpa: 0x7ff0_0000,
            ..
        }
    ));
    // Without the host's map (the build host), the variable is named.
    let e = parse_args(&["@t.qvmconf"], &mut read)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "t.qvmconf:2: pass: 'loc': '$asinfo_start{sysram}': the host's memory map \
             (asinfo) is not known here"
        ),
        "{e}"
    );
    // An area the host does not have.
    let text = "ram 64M\npass loc mem:$asinfo_start{nothing},4K,rw\n";
    let mut read = |_: &str| Ok(String::from(text));
    let e = parse_args_with_asinfo(&["@t.qvmconf"], &mut read, &map).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.qvmconf:2: pass: 'loc': '$asinfo_start{nothing}': the host's memory map has no \
         area 'nothing' (pidin syspage=asinfo lists them)"
    );
}
