//! The system environment's lookups: a bounded pool of threads that runs
//! blocking lookups off the engine's thread and hands the results back
//! through a queue and an eventfd.
//!
//! Everything the threads touch lives in one [`Shared`] behind an `Arc`,
//! the eventfd included: it is closed only when the last thread lets go,
//! so a lookup that finishes after the engine is gone never writes to a
//! closed (and possibly reused) descriptor number.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, ToSocketAddrs};
use std::os::fd::RawFd;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::eventfd::EventFd;
use crate::env::{LookupDone as Finished, LookupJob as Job, Lookups};

/// The state shared between the engine and its resolver threads.
pub(crate) struct Shared {
    /// Signalled when `State::done` goes from empty to non-empty, drained
    /// when it is emptied: readable exactly while results wait.
    wake: EventFd,
    /// Queue, results and bookkeeping.
    state: Mutex<State>,
    /// Wakes idle threads for a new job or for shutdown.
    work: Condvar,
    /// How long a thread waits for work before it exits.
    idle_timeout: Duration,
}

/// What the lock protects.
#[derive(Default)]
struct State {
    /// Jobs no thread has taken yet.
    queue: VecDeque<Job>,
    /// Results the engine has not taken yet.
    done: Vec<Finished>,
    /// Threads alive (or being started).
    threads: usize,
    /// Threads waiting on `work`.
    idle: usize,
    /// Threads at most.
    max_threads: usize,
    /// Set when the engine is gone: threads exit after their current job.
    shutdown: bool,
}

impl Shared {
    /// Creates the wake-up eventfd; no thread starts yet.
    pub fn new(max_threads: usize, idle_timeout: Duration) -> io::Result<Arc<Shared>> {
        let wake = EventFd::new()?;
        let state = State {
            max_threads: max_threads.max(1),
            ..State::default()
        };
        Ok(Arc::new(Shared {
            wake,
            state: Mutex::new(state),
            work: Condvar::new(),
            idle_timeout,
        }))
    }

    /// The wake-up fd; the same for the life of this value.
    pub fn wake_fd(&self) -> RawFd {
        self.wake.fd()
    }

    /// Changes the thread limit; threads beyond it exit when they go idle.
    pub fn set_max_threads(&self, max_threads: usize) {
        self.lock().max_threads = max_threads.max(1);
    }

    /// Queues `job`, waking an idle thread or starting a new one if the
    /// limit allows. Fails only if no thread is alive to run the job and
    /// none could be started; the job is then dropped.
    pub fn submit(self: &Arc<Self>, job: Job) -> io::Result<()> {
        let mut state = self.lock();
        state.queue.push_back(job);
        // Every idle thread will take one queued job once it wakes; start a
        // thread only for a job none of them will get to.
        if state.idle >= state.queue.len() {
            drop(state);
            self.work.notify_one();
            return Ok(());
        }
        if state.threads >= state.max_threads {
            return Ok(());
        }
        state.threads += 1;
        drop(state);
        let shared = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("starling-dns".into())
            .spawn(move || shared.run());
        match spawned {
            Ok(_) => Ok(()),
            Err(e) => {
                let mut state = self.lock();
                state.threads -= 1;
                if state.threads == 0 {
                    // Nobody would ever run what is queued: hand it back as
                    // a failure rather than leave transfers waiting forever.
                    state.queue.clear();
                    return Err(e);
                }
                Ok(())
            }
        }
    }

    /// Moves the finished lookups into `out`. Drains the eventfd under the
    /// same lock the threads signal it under, so it is readable exactly
    /// while `done` is non-empty: never spuriously, never missed.
    pub fn take_finished(&self, out: &mut Vec<Finished>) {
        let mut state = self.lock();
        if state.done.is_empty() {
            return;
        }
        self.wake.drain();
        out.append(&mut state.done);
    }

    /// Stops the threads: queued jobs are dropped, running ones finish and
    /// their threads exit without waiting for more.
    pub fn shutdown(&self) {
        let mut state = self.lock();
        state.shutdown = true;
        state.queue.clear();
        drop(state);
        self.work.notify_all();
    }

    /// The lock, also after a panic elsewhere: the state stays consistent
    /// because no user code runs while it is held.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A resolver thread: runs jobs until shut down, or until idle for
    /// `idle_timeout` (so an idle program holds no threads).
    fn run(&self) {
        let mut state = self.lock();
        let mut idle_since = Instant::now();
        loop {
            if state.shutdown {
                break;
            }
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                let finished = run_job(job);
                state = self.lock();
                if state.shutdown {
                    break;
                }
                if state.done.is_empty() {
                    self.wake.signal();
                }
                state.done.push(finished);
                idle_since = Instant::now();
                continue;
            }
            if state.threads > state.max_threads {
                break;
            }
            let waited = idle_since.elapsed();
            if waited >= self.idle_timeout {
                break;
            }
            state.idle += 1;
            let (guard, _) = self
                .work
                .wait_timeout(state, self.idle_timeout - waited)
                .unwrap_or_else(PoisonError::into_inner);
            state = guard;
            state.idle -= 1;
        }
        state.threads -= 1;
    }
}

/// The engine's handle on the pool: dropping it (with the resolver) tells
/// the threads to stop without joining them, since a system lookup can
/// block for long and the threads own everything they still touch.
pub(crate) struct ThreadLookups(pub Arc<Shared>);

impl Lookups for ThreadLookups {
    fn wake_fd(&self) -> RawFd {
        self.0.wake_fd()
    }

    fn submit(&self, job: Job) -> io::Result<()> {
        self.0.submit(job)
    }

    fn take_finished(&self, out: &mut Vec<Finished>) {
        self.0.take_finished(out)
    }

    fn set_max_threads(&self, threads: usize) {
        self.0.set_max_threads(threads)
    }

    fn threads(&self) -> usize {
        self.0.lock().threads
    }
}

impl Drop for ThreadLookups {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}

/// Runs one lookup. A panicking custom lookup function becomes a failed
/// lookup: its waiters must still hear back, and the thread lives on.
fn run_job(job: Job) -> Finished {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| match &job.lookup {
        Some(lookup) => lookup(&job.name).map_err(|e| e.to_string()),
        None => system_lookup(&job.name),
    }));
    let result = match outcome {
        Ok(Ok(addrs)) => {
            let mut unique: Vec<IpAddr> = Vec::with_capacity(addrs.len());
            for ip in addrs {
                if !unique.contains(&ip) {
                    unique.push(ip);
                }
            }
            if unique.is_empty() {
                Err("no address for this name".to_owned())
            } else {
                Ok(Arc::from(unique))
            }
        }
        Ok(Err(reason)) => Err(reason),
        Err(_) => Err("the lookup function panicked".to_owned()),
    };
    Finished { key: job.key, result }
}

/// The system resolver (getaddrinfo, so /etc/hosts and nsswitch apply),
/// addresses in its order (RFC 6724 on glibc).
fn system_lookup(name: &str) -> Result<Vec<IpAddr>, String> {
    match (name, 0).to_socket_addrs() {
        Ok(addrs) => Ok(addrs.map(|a| a.ip()).collect()),
        Err(e) => Err(short_reason(&e)),
    }
}

/// The resolver's own words (e.g. "Name or service not known") without
/// the prefix the standard library adds.
fn short_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("failed to lookup address information: ") {
        Some(reason) => reason.to_owned(),
        None => text,
    }
}
