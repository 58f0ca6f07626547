//! Which side of the simulation is running: the simulated network (and
//! the contract checker) or the engine (with the application around it).
//! A benchmark's allocator reads it to tell the engine's memory from the
//! simulator's, and the run subtracts the simulator's time from the time
//! spent in engine calls.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
    static SPENT: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// True while simulator code runs on this thread.
pub fn in_simulator() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Time this thread spent in simulator code so far (outermost scopes
/// only; each scope adds two clock reads, about 50 ns, that fall half
/// inside, half outside it).
pub fn simulator_time() -> Duration {
    SPENT.with(Cell::get)
}

/// Marks simulator code until dropped.
pub(crate) struct Simulating(());

impl Simulating {
    pub fn begin() -> Simulating {
        let depth = DEPTH.with(|d| d.replace(d.get() + 1));
        if depth == 0 {
            SINCE.with(|s| s.set(Some(Instant::now())));
        }
        Simulating(())
    }
}

impl Drop for Simulating {
    fn drop(&mut self) {
        let depth = DEPTH.with(|d| {
            d.set(d.get() - 1);
            d.get()
        });
        if depth == 0 {
            if let Some(since) = SINCE.with(Cell::take) {
                SPENT.with(|s| s.set(s.get() + since.elapsed()));
            }
        }
    }
}
