//! `peer` links between virtio-net cards of two VMs: which shared-memory
//! region a card's link lives in and which end of it the card is.
//!
//! Card `net0` of VM `a` with `peer b/net1`, and card `net1` of VM `b` with
//! `peer a/net0`, both name the link `vnet/a/net0+b/net1` (the two ends
//! sorted), so whichever `qvm` comes first creates the region and the other
//! finds it. The end that sorts first is end 0.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{Config, ConfigError, DeviceOptions, Peer, VdevConfig};

/// One card's end of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetLinkEnd {
    /// Name of the shared-memory region both ends open.
    pub region: String,
    /// 0 or 1: which end this card is.
    pub end: usize,
}

/// The link of card `name` of VM `system` to `peer`.
pub fn link_end(system: &str, name: &str, peer: &Peer) -> NetLinkEnd {
    let mine = format!("{system}/{name}");
    let theirs = format!("{}/{}", peer.vm, peer.name);
    let (end, lo, hi) = if mine <= theirs {
        (0, &mine, &theirs)
    } else {
        (1, &theirs, &mine)
    };
    NetLinkEnd {
        region: format!("vnet/{lo}+{hi}"),
        end,
    }
}

/// The `peer` of a card, if it has one.
pub fn peer_of(dev: &VdevConfig) -> Option<&Peer> {
    match &dev.options {
        DeviceOptions::Net { peer: Some(p), .. } => Some(p),
        _ => None,
    }
}

/// Checks every `peer`: the VM needs a `system` name and the card a
/// `name` (they name this end), a card cannot be its own peer, and no two
/// cards may name the same peer (the parser keeps names unique).
pub fn check(config: &Config) -> Result<(), ConfigError> {
    let mut seen: Vec<(&str, &Peer)> = Vec::new();
    for dev in &config.vdevs {
        let Some(peer) = peer_of(dev) else { continue };
        let at = &dev.origin;
        let Some(system) = config.system.as_deref() else {
            return Err(at.error(
                "vdev virtio-net with 'peer' needs the VM's 'system' name: the other VM names this card by it",
            ));
        };
        let Some(name) = dev.name.as_deref() else {
            return Err(at.error(
                "vdev virtio-net with 'peer' needs a 'name': the other VM names this card by it",
            ));
        };
        if peer.vm == system {
            return Err(at.error(format!(
                "'peer {}/{}' names this VM: a link joins two VMs",
                peer.vm, peer.name
            )));
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == peer) {
            return Err(at.error(format!(
                "vdev virtio-net (name {name}): the card named {other} has the same peer"
            )));
        }
        seen.push((name, peer));
    }
    Ok(())
}
