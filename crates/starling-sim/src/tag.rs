//! Which side of the simulation is running: the simulated network or the
//! engine (with the application around it). A benchmark's allocator reads
//! it to tell the engine's memory from the simulator's.

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// True while simulator code runs on this thread.
pub fn in_simulator() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Marks simulator code until dropped.
pub(crate) struct Simulating(());

impl Simulating {
    pub fn begin() -> Simulating {
        DEPTH.with(|d| d.set(d.get() + 1));
        Simulating(())
    }
}

impl Drop for Simulating {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}
