//! Passed-through interrupts: an SPI bound to a physical interrupt. The
//! kernel acknowledges the physical interrupt and only drops its priority,
//! so it stays active; [`VGic::hw_fired`] makes the virtual one pending,
//! and the list register carries the HW bit with the physical INTID, so
//! the guest's deactivation of the virtual interrupt deactivates the
//! physical one (IHI 0069 4.9; IHI 0048B 5.2). Until then the device
//! cannot interrupt again, and no host code runs on the guest's EOI.
//!
//! When the guest drops the interrupt another way (clears its pending or
//! active state through the distributor), nothing would ever deactivate
//! the physical one: [`VGic::take_hw_done`] names those for the kernel to
//! deactivate.

use super::{SPI_BASE, VGic};
use abi::Error;

impl VGic {
    /// Binds SPI `intid` to physical interrupt `pintid` (an SPI too):
    /// `InvalidArgument` if either is not an SPI of its side, `Busy` if
    /// `intid` is bound already, `NoMemory`.
    pub fn bind_hw(&mut self, intid: u32, pintid: u32) -> Result<(), Error> {
        let pintid = u16::try_from(pintid).map_err(|_| Error::InvalidArgument)?;
        if intid < SPI_BASE || u32::from(pintid) < SPI_BASE {
            return Err(Error::InvalidArgument);
        }
        let spi = (intid - SPI_BASE) as usize;
        match self.spis.get(spi) {
            None => return Err(Error::InvalidArgument),
            Some(irq) if irq.hw != 0 => return Err(Error::Busy),
            Some(_) => {}
        }
        // Each bound interrupt is in the list at most once.
        self.hw_done.try_reserve(1).map_err(|_| Error::NoMemory)?;
        self.spis[spi].hw = pintid;
        self.hw_bound += 1;
        Ok(())
    }

    /// Undoes [`VGic::bind_hw`] of `intid` (a binding whose physical side
    /// could not be set up; it never fired).
    pub fn unbind_hw(&mut self, intid: u32) {
        let Some(irq) = intid
            .checked_sub(SPI_BASE)
            .and_then(|spi| self.spis.get_mut(spi as usize))
        else {
            return;
        };
        if irq.hw != 0 {
            irq.hw = 0;
            irq.hw_active = false;
            self.hw_bound -= 1;
        }
    }

    /// The physical interrupt bound to `intid` arrived (the kernel took it
    /// and left it active): the virtual one becomes pending. Returns the
    /// vCPU to kick when it became deliverable.
    pub fn hw_fired(&mut self, intid: u32) -> Option<usize> {
        let irq = self.spis.get_mut(intid.checked_sub(SPI_BASE)? as usize)?;
        if irq.hw == 0 {
            return None;
        }
        irq.hw_active = true;
        self.drive(0, intid, None)
    }

    /// Whether the physical interrupt bound to `intid` is active (arrived,
    /// not deactivated since).
    pub fn hw_active(&self, intid: u32) -> bool {
        intid
            .checked_sub(SPI_BASE)
            .and_then(|spi| self.spis.get(spi as usize))
            .is_some_and(|irq| irq.hw != 0 && irq.hw_active)
    }

    /// Takes the physical interrupts the kernel must deactivate: the guest
    /// no longer holds their virtual interrupt pending, listed or active.
    pub fn take_hw_done(&mut self) -> impl Iterator<Item = u32> + '_ {
        self.hw_done.drain(..).map(u32::from)
    }

    /// Whether [`VGic::take_hw_done`] has something (a quick test for the
    /// exit path).
    #[inline]
    pub fn has_hw_done(&self) -> bool {
        !self.hw_done.is_empty()
    }

    /// After `intid`'s state changed: a bound interrupt whose physical
    /// interrupt is active while the guest holds nothing that will
    /// deactivate it goes to the list of [`VGic::take_hw_done`].
    pub(super) fn settle_hw(&mut self, vcpu: usize, intid: u32) {
        let Some(irq) = self.irq(vcpu, intid) else {
            return;
        };
        if irq.hw == 0 || !irq.hw_active || irq.listed.is_some() || irq.active || irq.pending() {
            return;
        }
        let pintid = irq.hw;
        if self.hw_done.len() < self.hw_bound {
            self.hw_done.push(pintid);
        }
        if let Some(irq) = self.irq_mut(vcpu, intid) {
            irq.hw_active = false;
        }
    }
}
