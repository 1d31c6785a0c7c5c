//! A spin lock that also masks interrupts on this CPU while it is held, so
//! an interrupt handler that takes the same lock cannot deadlock with the
//! code it interrupted (DAIF.I on aarch64, RFLAGS.IF on x86_64).

/// A value behind a spin lock taken with IRQs masked.
pub struct IrqMutex<T> {
    inner: spin::Mutex<T>,
}

impl<T> IrqMutex<T> {
    /// A lock around `value`.
    pub const fn new(value: T) -> IrqMutex<T> {
        IrqMutex {
            inner: spin::Mutex::new(value),
        }
    }

    /// Runs `f` on the value with IRQs masked and the lock held.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let saved = mask_irqs();
        let result = f(&mut self.inner.lock());
        restore_irqs(saved);
        result
    }
}

impl<T> IrqMutex<T> {
    /// Like [`IrqMutex::with`], but gives up (returning `None`) if the lock
    /// stays taken for about a million tries.
    pub fn try_with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let saved = mask_irqs();
        let mut result = None;
        for _ in 0..1_000_000 {
            if let Some(mut guard) = self.inner.try_lock() {
                result = Some(f(&mut guard));
                break;
            }
            core::hint::spin_loop();
        }
        restore_irqs(saved);
        result
    }

    /// Releases the lock whoever holds it.
    ///
    /// # Safety
    /// The holder must never use the value again (or only in ways that
    /// tolerate the overlap), as when the machine is going down.
    pub unsafe fn force_unlock(&self) {
        // SAFETY: the caller accepts that the holder may still run.
        unsafe { self.inner.force_unlock() }
    }
}

/// Masks IRQs; returns the previous DAIF.
#[cfg(target_arch = "aarch64")]
pub fn mask_irqs() -> u64 {
    let daif: u64;
    // SAFETY: reading DAIF and masking IRQs only changes this CPU's
    // interrupt state, which `restore_irqs` puts back.
    unsafe {
        core::arch::asm!("mrs {0}, daif", "msr daifset, #2", out(reg) daif, options(nostack));
    }
    daif
}

/// Puts back the DAIF that [`mask_irqs`] returned.
#[cfg(target_arch = "aarch64")]
pub fn restore_irqs(daif: u64) {
    // SAFETY: restores this CPU's own earlier interrupt state.
    unsafe { core::arch::asm!("msr daif, {0}", in(reg) daif, options(nostack)) };
}

/// Masks interrupts; returns the previous RFLAGS.
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub fn mask_irqs() -> u64 {
    let rflags: u64;
    // SAFETY: saving RFLAGS and clearing IF only changes this CPU's
    // interrupt state, which `restore_irqs` puts back.
    unsafe { core::arch::asm!("pushfq", "pop {0}", "cli", out(reg) rflags) };
    rflags
}

/// Sets interrupts back on if the RFLAGS [`mask_irqs`] returned had IF.
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub fn restore_irqs(rflags: u64) {
    if rflags & (1 << 9) != 0 {
        // SAFETY: restores this CPU's own earlier interrupt state.
        unsafe { core::arch::asm!("sti", options(nomem, nostack)) };
    }
}

/// Masks IRQs (nothing to do on the build host).
#[cfg(not(any(target_arch = "aarch64", target_os = "none")))]
pub fn mask_irqs() -> u64 {
    0
}

/// Puts back the interrupt state (nothing to do on the build host).
#[cfg(not(any(target_arch = "aarch64", target_os = "none")))]
pub fn restore_irqs(_daif: u64) {}
