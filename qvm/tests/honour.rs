//! What `qvm` refuses or warns about because it cannot carry an option out
//! (`qvm::honour`), with the exact messages.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use common::{refused, warnings};
use qvm::honour::check;

#[test]
fn honoured_options_say_nothing() {
    let all = "system vm\ncpu sched 10r runmask 0\ncpu sched 12\nload /a.img\n\
               initrd load /r.cpio\nfdt load 0x80000000,/a.dtb\nfdt load 0x80000000,/b.dtb\n\
               data load 0x90000000,/d.bin\ncmdline x\nvdev pl011 hostdev >-\n\
               vdev virtio-console hostdev <-\nvdev virtio-blk hostdev </disk.img\n\
               vdev virtio-net mac 52:54:00:00:00:01\nvdev virtio-entropy\n\
               vdev wdt-sp805 action terminate frequency 32768\n\
               reserve loc mem:0x1000,0x1000\nunsupported instruction abort\n\
               unsupported register ignore\nunsupported reference ignore\nlogger warn stdout\n\
               set exit-on-halt off\nset on-reset restart\ndryrun\n";
    assert_eq!(warnings(all), Vec::<String>::new());
}

#[test]
fn refusals_name_the_option_file_and_line() {
    let cases = [
        (
            "set exit-on-halt yes",
            "t.qvmconf:3: 'set exit-on-halt' (ending the VM when every vCPU has halted) is not honoured: the host kernel does not tell qvm when every vCPU is halted or off; leave it out or set it off",
        ),
        (
            "vdev pl011 hostdev /dev/ser2",
            "t.qvmconf:3: vdev pl011: 'hostdev /dev/ser2' is not honoured: the host has no character devices or writable files; 'hostdev >-' is the VM's console",
        ),
        (
            "vdev pl011\nvdev virtio-console hostdev </in.txt",
            "t.qvmconf:4: vdev virtio-console: 'hostdev </in.txt' is not honoured: the host has no character devices or writable files; 'hostdev >-' is the VM's console",
        ),
        (
            "vdev pl011 hostdev >/log.txt",
            "t.qvmconf:3: vdev pl011: 'hostdev >/log.txt' is not honoured: the host has no character devices or writable files; 'hostdev >-' is the VM's console",
        ),
        (
            "vdev ser8250",
            "t.qvmconf:3: vdev ser8250 is not implemented in qvm yet (no device model); leave it out",
        ),
        (
            "vdev shmem allow vm*",
            "t.qvmconf:3: vdev shmem: needs 'create <name>,<size>' (qvm opens the region by the name it creates; joining one without it is not supported)",
        ),
        (
            "vdev wdt-sp805 action dump,terminate\ndump /dev/vblk0@8,",
            "t.qvmconf:4: '/dev/vblk0@8,': a range of a driver's disk is '/dev/vblk0@FIRST,SECTORS' (512-byte sectors, SECTORS at least 1)",
        ),
        (
            "vdev wdt-ib700",
            "t.qvmconf:3: vdev wdt-ib700 is not implemented in qvm yet (no device model); leave it out",
        ),
        (
            "vdev virtio-blk",
            "t.qvmconf:3: vdev virtio-blk: needs 'hostdev [<]/dev/<disk>' (a host block driver's disk) or 'hostdev [<]<file>' (a bootfs file)",
        ),
        (
            "data load /d.bin",
            "t.qvmconf:3: 'data load /d.bin' needs an address: 'data load <gpa>,<file>' (qvm does not place data files)",
        ),
        (
            "fdt load 0x80000004,/a.dtb",
            "t.qvmconf:3: 'fdt load 0x80000004,/a.dtb': the device tree goes at that address, which must be a multiple of 8",
        ),
        (
            "fdt load 0x80000000,/a.dtb\nfdt load /b.dtb\nfdt load 0x81000000,/c.dtb",
            "t.qvmconf:5: 'fdt load 0x81000000,/c.dtb': the device tree already goes at 0x80000000 (t.qvmconf:3); the VM has one tree",
        ),
        (
            "pass loc mem:0x31000000,1M,rm\n",
            "t.qvmconf:3: pass loc mem:0x31000000,0x100000,rm=0x31000000: host RAM ('m') goes into the VM read-write: give 'rw'",
        ),
        (
            "pass loc mem:0x31000000,0x1000,rwc=0x9010000\n",
            "t.qvmconf:3: pass loc mem:0x31000000,0x1000,rwc=0x9010000: 'c' is not honoured: a device region goes into the VM as device memory (Device-nGnRE), never cacheable; leave 'c' out",
        ),
        (
            "pass loc mem:0x31000000,0x1000,r=0x9010000\n",
            "t.qvmconf:3: pass loc mem:0x31000000,0x1000,r=0x9010000: the host kernel maps a device region read-write only; give 'rw' (a guest cannot be kept from writing it)",
        ),
    ];
    for (extra, message) in cases {
        assert_eq!(refused(extra), message, "{extra}");
    }
}

#[test]
fn warnings_name_the_option_file_and_line() {
    let w = warnings(
        "cpu sched 20f\nvdev virtio-blk hostdev /disk.img\n\
         pass loc mem:0x30000000,0x10000,rw=0x9000000\npass loc mem:0x31000000,0x1000,rwx=0x9010000 intr gic:80=120\n\
         set fdt-dump-file /tmp/g.dtb\nset counter-offset 0x1000\nset vendor-thing 1\n\
         dump /var/dumps\nunsupported instruction ignore\n",
    );
    let expected = [
        "t.qvmconf:3: cpu sched 20f: FIFO is not honoured: the host scheduler shares a CPU round robin between threads of one priority; the vCPU runs as 'sched 20r'",
        "t.qvmconf:4: vdev virtio-blk: 'hostdev /disk.img': the guest's writes stay in a RAM copy of the bootfs file and are lost when the VM ends ('hostdev /dev/<disk>' puts the disk on a host block driver, persistent; 'hostdev </disk.img' makes it read-only)",
        "t.qvmconf:6: pass loc mem:0x31000000,0x1000,rwx=0x9010000: 'x' is not honoured: device memory is never executable in a VM",
        "t.qvmconf:7: 'set fdt-dump-file /tmp/g.dtb' is not honoured: the host has no writable files ('cargo xtask qvm-check FILE --dtb OUT' writes the tree on the build host)",
        "t.qvmconf:8: 'set counter-offset 0x1000' is not honoured: the host kernel has no call to set a VM's counter offset; the guest's virtual counter reads the host's",
        "t.qvmconf:9: 'set vendor-thing 1': qvm knows no variable 'vendor-thing': ignored",
        "t.qvmconf:11: 'unsupported instruction ignore' acts as 'fail': an instruction qvm cannot emulate cannot be stepped over (the kernel reports no length for it), so the guest gets an undefined-instruction exception",
        "t.qvmconf:10: 'dump /var/dumps' is not honoured: the host has no file systems, so no core is written; give a host block driver's disk, 'dump /dev/<disk>'",
    ];
    assert_eq!(w, expected);
}

#[test]
fn later_settings_decide() {
    // The last `set` of a variable counts, and names its own line.
    assert_eq!(
        warnings("set exit-on-halt on\nset exit-on-halt 0\n"),
        Vec::<String>::new()
    );
    let w = warnings("set counter-offset 1\n\nset counter-offset 2\n");
    assert_eq!(w.len(), 1);
    assert!(
        w[0].starts_with("t.qvmconf:5: 'set counter-offset 0x2'"),
        "{w:?}"
    );
    // `unsupported instruction ignore` overridden by a later `fail`.
    let w = warnings("unsupported instruction ignore\nunsupported instruction fail\n");
    assert_eq!(w, Vec::<String>::new());
}

#[test]
fn every_example_config_is_checked() {
    // The all-defaults example runs as written; the spec's example with one
    // warning, for its writable disk.
    assert_eq!(check(&common::example("hello.qvmconf")), Ok(Vec::new()));
    let w = check(&common::example("linux.qvmconf")).unwrap();
    assert_eq!(w.len(), 1);
    assert!(w[0].to_string().starts_with("linux.qvmconf:"), "{w:?}");
    assert!(w[0].message.contains("hostdev /data/disk0.img"), "{w:?}");
    // `full.qvmconf` has every option: the first refusal is the pl011 with a
    // host file, on its line 16.
    let c = common::example("full.qvmconf");
    let e = check(&c).unwrap_err().to_string();
    assert!(
        e.starts_with("full.qvmconf:16: vdev pl011: 'hostdev </dev/ser2'"),
        "{e}"
    );
}

#[test]
fn every_configuration_the_repository_boots_runs() {
    // `boot/vm/` and the Linux guest's, as `/etc/vm/NAME` in the images.
    let root = common::data_dir().join("../..");
    let dirs = [root.join("boot/vm"), root.join("guests/linux")];
    let mut read = |name: &str| {
        let file = name.rsplit('/').next().unwrap_or(name);
        dirs.iter()
            .map(|d| d.join(file))
            .find(|p| p.exists())
            .ok_or_else(|| format!("no {name}"))
            .and_then(|p| std::fs::read_to_string(p).map_err(|e| e.to_string()))
    };
    let mut checked = 0;
    for dir in &dirs {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "qvmconf") {
                continue;
            }
            // x86 VMs' files: `tests/x86_placement.rs`.
            if path.to_string_lossy().ends_with("-x86.qvmconf") {
                continue;
            }
            let arg = format!("@{}", path.display());
            let config = qvm::config::parse_args(&[&arg], &mut read)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if let Err(e) = check(&config) {
                panic!("qvm would refuse {}: {e}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} configurations found");
}

#[test]
fn disks_on_a_host_block_driver_are_honoured() {
    assert!(warnings("vdev virtio-blk hostdev /dev/vblk0\n").is_empty());
    assert!(warnings("vdev virtio-blk hostdev </dev/vblk0\n").is_empty());
    // Not a driver's disk: a bootfs file under /dev/x/, warned about.
    assert_eq!(warnings("vdev virtio-blk hostdev /dev/x/d.img\n").len(), 1);
    assert!(warnings("vdev virtio-blk hostdev /dev/vblk0@2048,4096\n").is_empty());
    assert_eq!(
        refused("vdev virtio-blk hostdev /dev/vblk0@2048\n"),
        "t.qvmconf:3: vdev virtio-blk: hostdev '/dev/vblk0@2048': a range of a driver's disk is \
         '/dev/vblk0@FIRST,SECTORS' (512-byte sectors, SECTORS at least 1)"
    );
}

#[test]
fn dumps_go_to_a_drivers_disk() {
    assert_eq!(
        warnings("vdev wdt-sp805 action dump,terminate\ndump /dev/vblk0\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings("vdev wdt-sp805 action dump,terminate\ndump /dev/vblk0@2048,1M\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings("vdev wdt-sp805 action dump,terminate\n"),
        [
            "t.qvmconf:3: vdev wdt-sp805: 'action dump,terminate' without 'dump DIR': a bite writes no core, it only ends the VM"
        ]
    );
}
