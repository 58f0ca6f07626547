//! A table keyed by file descriptor: descriptors are small dense integers
//! (the kernel hands out the lowest free one), so a vector indexed by the
//! descriptor gives O(1) lookups with no hashing on the hot path. The
//! engine's socket table and the tokio driver's registrations are both
//! one.

use std::os::fd::RawFd;

/// One `T` per open descriptor.
#[derive(Debug)]
pub(crate) struct FdSlots<T>(Vec<Option<T>>);

impl<T> Default for FdSlots<T> {
    fn default() -> Self {
        FdSlots(Vec::new())
    }
}

impl<T> FdSlots<T> {
    /// Puts `value` in `fd`'s slot, replacing what was there. A negative
    /// descriptor (never an open one) is ignored.
    pub fn insert(&mut self, fd: RawFd, value: T) {
        let Ok(i) = usize::try_from(fd) else {
            return;
        };
        if self.0.len() <= i {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i] = Some(value);
    }

    /// What `fd`'s slot holds.
    pub fn get(&self, fd: RawFd) -> Option<&T> {
        self.0.get(usize::try_from(fd).ok()?)?.as_ref()
    }

    /// What `fd`'s slot holds, mutably.
    pub fn get_mut(&mut self, fd: RawFd) -> Option<&mut T> {
        self.0.get_mut(usize::try_from(fd).ok()?)?.as_mut()
    }

    /// Empties `fd`'s slot and returns what it held.
    pub fn remove(&mut self, fd: RawFd) -> Option<T> {
        self.0.get_mut(usize::try_from(fd).ok()?)?.take()
    }
}

#[cfg(test)]
mod tests {
    use super::FdSlots;

    #[test]
    fn slots_hold_by_descriptor_and_ignore_negative_ones() {
        let mut slots = FdSlots::default();
        slots.insert(5, "five");
        slots.insert(-1, "never");
        assert_eq!(slots.get(5), Some(&"five"));
        assert_eq!(slots.get(4), None);
        assert_eq!(slots.get(-1), None);
        *slots.get_mut(5).unwrap() = "FIVE";
        assert_eq!(slots.remove(5), Some("FIVE"));
        assert_eq!(slots.remove(5), None);
    }
}
