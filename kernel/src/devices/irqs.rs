//! Interrupts attached by host drivers (`irq_attach`): which INTIDs a
//! process may take, and the state of each attached line. The kernel
//! masks a line at the interrupt controller when it arrives, marks it
//! pending and wakes the driver's waiting thread; the driver clears its
//! device's cause and unmasks it.

use crate::slab::Id;
use abi::{Error, Grants, MAX_INTID};
use alloc::vec::Vec;

/// The first shared interrupt (SPI); below are SGIs and PPIs, per CPU and
/// the kernel's (reschedule IPI, timers, the GIC's maintenance interrupt).
pub const FIRST_SPI: u32 = 32;

/// Whether a process holding `grants` may attach `intid`: `InvalidArgument`
/// (not an INTID: 1020 and up), `Reserved` (an SGI or PPI, or one of
/// `kernel`'s), `AccessDenied` (not granted).
pub fn check_irq(intid: u32, kernel: &[u32], grants: &Grants) -> Result<(), Error> {
    if intid as usize >= MAX_INTID {
        return Err(Error::InvalidArgument);
    }
    if intid < FIRST_SPI || kernel.contains(&intid) {
        return Err(Error::Reserved);
    }
    if !grants.irq(intid as usize) {
        return Err(Error::AccessDenied);
    }
    Ok(())
}

/// An attached interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqLine {
    /// Its INTID.
    pub intid: u32,
    /// The process that attached it (it stays attached until that ends).
    pub owner: Id,
    /// The CPU it is routed to.
    pub cpu: usize,
    /// Arrived and not yet waited for.
    pub pending: bool,
    /// Masked at the controller (arrived, not yet unmasked).
    pub masked: bool,
    /// Arrivals since it was attached.
    pub count: u64,
    /// Passed through to a VM: the VM and the virtual SPI it raises
    /// (`vm_irq_pass`); none for a host driver's line.
    pub vm: Option<(Id, u32)>,
}

/// Every attached interrupt.
#[derive(Clone, Debug, Default)]
pub struct IrqLines {
    lines: Vec<IrqLine>,
}

impl IrqLines {
    /// Attaches `intid` for `owner` (the caller has checked
    /// [`check_irq`]): `Busy` if it is attached already, `NoMemory`.
    pub fn attach(&mut self, intid: u32, owner: Id, cpu: usize) -> Result<(), Error> {
        if self.get(intid).is_some() {
            return Err(Error::Busy);
        }
        self.lines.try_reserve(1).map_err(|_| Error::NoMemory)?;
        self.lines.push(IrqLine {
            intid,
            owner,
            cpu,
            pending: false,
            masked: false,
            count: 0,
            vm: None,
        });
        Ok(())
    }

    /// Attaches `intid` for `owner` (checked as for [`IrqLines::attach`])
    /// passed through to virtual SPI `virq` of `vm`.
    pub fn attach_to_vm(
        &mut self,
        intid: u32,
        owner: Id,
        cpu: usize,
        (vm, virq): (Id, u32),
    ) -> Result<(), Error> {
        self.attach(intid, owner, cpu)?;
        if let Some(line) = self.lines.last_mut() {
            line.vm = Some((vm, virq));
        }
        Ok(())
    }

    /// The line of `intid`, if attached.
    pub fn get(&self, intid: u32) -> Option<&IrqLine> {
        self.lines.iter().find(|l| l.intid == intid)
    }

    /// The line of `intid` if `owner` attached it.
    pub fn owned(&mut self, intid: u32, owner: Id) -> Option<&mut IrqLine> {
        self.lines
            .iter_mut()
            .find(|l| l.intid == intid && l.owner == owner)
    }

    /// `intid` arrived: if attached, it is now masked and pending; its
    /// line (to mask at the controller and wake the waiter).
    pub fn arrived(&mut self, intid: u32) -> Option<IrqLine> {
        let line = self.lines.iter_mut().find(|l| l.intid == intid)?;
        line.pending = true;
        line.masked = true;
        line.count += 1;
        Some(*line)
    }

    /// Takes a pending arrival of `owner`'s `intid`: the arrival count if
    /// one was pending (now cleared), `None` if the thread must wait.
    pub fn take_pending(&mut self, intid: u32, owner: Id) -> Option<u64> {
        let line = self.owned(intid, owner)?;
        if !line.pending {
            return None;
        }
        line.pending = false;
        Some(line.count)
    }

    /// Detaches `intid` (an attach whose handle could not be made).
    pub fn detach(&mut self, intid: u32) -> Option<IrqLine> {
        let i = self.lines.iter().position(|l| l.intid == intid)?;
        Some(self.lines.swap_remove(i))
    }

    /// Detaches the first line of `owner` (ended); the caller disables it
    /// at the controller. Called until `None`: allocates nothing.
    pub fn detach_one(&mut self, owner: Id) -> Option<IrqLine> {
        let i = self.lines.iter().position(|l| l.owner == owner)?;
        Some(self.lines.swap_remove(i))
    }

    /// Attached lines.
    pub fn iter(&self) -> impl Iterator<Item = &IrqLine> {
        self.lines.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(index: u32) -> Id {
        Id {
            index,
            generation: 0,
        }
    }

    #[test]
    fn who_may_attach_what() {
        let mut g = Grants::NONE;
        g.add_irq(34);
        g.add_irq(33);
        g.add_irq(27);
        let kernel = [33];
        assert_eq!(check_irq(34, &kernel, &g), Ok(()));
        assert_eq!(check_irq(35, &kernel, &g), Err(Error::AccessDenied));
        assert_eq!(check_irq(33, &kernel, &g), Err(Error::Reserved));
        assert_eq!(check_irq(27, &kernel, &g), Err(Error::Reserved));
        assert_eq!(check_irq(1, &kernel, &g), Err(Error::Reserved));
        assert_eq!(check_irq(1020, &kernel, &g), Err(Error::InvalidArgument));
        assert_eq!(
            check_irq(u32::MAX, &kernel, &g),
            Err(Error::InvalidArgument)
        );
    }

    #[test]
    fn arrival_wait_and_detach() {
        let mut l = IrqLines::default();
        let (a, b) = (id(1), id(2));
        l.attach(34, a, 0).unwrap();
        assert_eq!(l.attach(34, b, 0), Err(Error::Busy));
        assert_eq!(l.take_pending(34, a), None, "nothing arrived yet");
        assert!(l.arrived(40).is_none(), "not attached");
        let line = l.arrived(34).unwrap();
        assert!(line.masked && line.pending && line.count == 1);
        assert_eq!(l.take_pending(34, b), None, "not b's");
        assert_eq!(l.take_pending(34, a), Some(1));
        assert_eq!(l.take_pending(34, a), None);
        l.attach(35, a, 1).unwrap();
        l.attach(36, b, 1).unwrap();
        let mut gone = [
            l.detach_one(a).unwrap().intid,
            l.detach_one(a).unwrap().intid,
        ];
        gone.sort();
        assert_eq!(gone, [34, 35]);
        assert!(l.detach_one(a).is_none());
        assert_eq!(l.iter().count(), 1);
        l.attach(34, b, 0).unwrap();
        assert_eq!(l.detach(34).map(|l| l.owner), Some(b));
        assert!(l.detach(34).is_none());
    }
}
