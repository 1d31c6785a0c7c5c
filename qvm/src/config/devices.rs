//! The options particular to each `vdev` type.

use alloc::string::ToString;

use super::parser::{Cursor, Opt, Parser};
use super::value::{self, Bad};
use super::vdev::{DeviceOptions, GicVersion, HostDev, HostDir, HostPath, Peer, VdevKind};
use super::{ConfigError, Origin};

impl Parser<'_> {
    /// `word` is one of `self.config.vdevs[i].kind.options()`.
    pub(super) fn device_option(
        &mut self,
        cur: &mut Cursor,
        i: usize,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        let kind = self.config.vdevs[i].kind;
        let form = match (kind, word) {
            (_, "version") => "2 or 3",
            (VdevKind::VirtioBlk, "hostdev") => "[<]<file>",
            (_, "hostdev") => "[<|>]<path> or >-",
            (_, "mac") => "<xx:xx:xx:xx:xx:xx>",
            (_, "peer") => "<vm>/<name>",
            (_, "create") => "<name>,<size>",
            (_, "allow" | "deny") => "<glob>",
            (_, "action") => "[dump,]terminate",
            _ => "<hz>",
        };
        let opt = self.opt(word, form, &at);
        let arg = self.arg(cur, &opt)?;
        let twice = |opt: &Opt| opt.fail(&at, "given twice");
        match (&mut self.config.vdevs[i].options, word) {
            (DeviceOptions::Gic { version }, "version") => {
                let v = match arg.text.as_str() {
                    "2" => GicVersion::V2,
                    "3" => GicVersion::V3,
                    _ => return Err(opt.bad(&arg, Bad::Form)),
                };
                if version.replace(v).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Serial { hostdev }, "hostdev") => {
                let (dir, path) = match arg.text.as_bytes().first() {
                    Some(b'<') => (HostDir::In, &arg.text[1..]),
                    Some(b'>') => (HostDir::Out, &arg.text[1..]),
                    _ => (HostDir::Both, arg.text.as_str()),
                };
                let path = match path {
                    "" => return Err(opt.bad(&arg, Bad::from("no path"))),
                    "-" => HostPath::Console,
                    p => HostPath::File(p.to_string()),
                };
                if hostdev.replace(HostDev { dir, path }).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Block { hostdev }, "hostdev") => {
                let (dir, path) = match arg.text.strip_prefix('<') {
                    Some(p) => (HostDir::In, p),
                    None => (HostDir::Both, arg.text.as_str()),
                };
                if path.is_empty() || path.starts_with('>') {
                    return Err(opt.bad(&arg, Bad::Form));
                }
                if path == "-" {
                    return Err(opt.bad(&arg, Bad::from("a disk cannot be the console")));
                }
                let dev = HostDev {
                    dir,
                    path: HostPath::File(path.to_string()),
                };
                if hostdev.replace(dev).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Net { mac, .. }, "mac") => {
                let m = value::mac(&arg.text)
                    .ok_or(Bad::Form)
                    .map_err(|e| opt.bad(&arg, e))?;
                if m[0] & 1 != 0 {
                    return Err(opt.bad(&arg, Bad::from("a multicast address")));
                }
                if mac.replace(m).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Net { peer, .. }, "peer") => {
                let (vm, name) = arg
                    .text
                    .split_once('/')
                    .ok_or(Bad::Form)
                    .map_err(|e| opt.bad(&arg, e))?;
                if !value::is_name(vm) || !value::is_name(name) {
                    return Err(opt.bad(&arg, Bad::Form));
                }
                let p = Peer {
                    vm: vm.to_string(),
                    name: name.to_string(),
                };
                if peer.replace(p).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Shmem { create, .. }, "create") => {
                let bad = |e| opt.bad(&arg, e);
                let (name, size) = arg.text.split_once(',').ok_or(Bad::Form).map_err(bad)?;
                if !value::is_name(name) {
                    return Err(bad(Bad::Form));
                }
                let size = value::number(size, true).map_err(bad)?;
                if size == 0 || !size.is_multiple_of(4096) {
                    return Err(bad(Bad::from(
                        "the size must be a non-zero multiple of 4 KiB",
                    )));
                }
                if create.replace((name.to_string(), size)).is_some() {
                    return Err(twice(&opt));
                }
            }
            (DeviceOptions::Shmem { allow, .. }, "allow") => allow.push(arg.text),
            (DeviceOptions::Shmem { deny, .. }, "deny") => deny.push(arg.text),
            (DeviceOptions::Watchdog { dump, .. }, "action") => {
                *dump = match arg.text.as_str() {
                    "terminate" => false,
                    "dump,terminate" => true,
                    _ => return Err(opt.bad(&arg, Bad::Form)),
                };
            }
            (DeviceOptions::Watchdog { frequency, .. }, _) => {
                let hz = value::number(&arg.text, true).map_err(|e| opt.bad(&arg, e))?;
                if hz == 0 || hz > u64::from(u32::MAX) {
                    return Err(opt.bad(&arg, Bad::from("not between 1 Hz and 4 GHz")));
                }
                if frequency.replace(hz).is_some() {
                    return Err(twice(&opt));
                }
            }
            _ => unreachable!("VdevKind::options lists only what DeviceOptions holds"),
        }
        Ok(())
    }
}
