//! The application's event loop over the simulated network: it keeps what
//! the socket and timer callbacks asked for, hands ready sockets to
//! `socket_action` as a level-triggered poller would, fires the timer, and
//! moves virtual time on only when nothing is ready.

use std::cell::RefCell;
use std::fmt;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use starling::{Action, Easy, Events, Multi, What};

use crate::checker::{Checker, Expect};
use crate::env::SimEnv;
use crate::handler::Checked;
use crate::world::{NetConfig, NetStats, World};

/// Socket actions at one virtual instant before the loop calls it a
/// livelock (an engine that never consumes what is ready).
const MAX_ACTIONS_PER_INSTANT: u64 = 2_000_000;

/// One simulated run: a world, an engine on it, and the checker.
pub struct Sim {
    seed: u64,
    world: Rc<RefCell<World>>,
    checker: Rc<RefCell<Checker>>,
    multi: Option<Multi>,
    rng: fastrand::Rng,
    probe: Option<Box<dyn FnMut(usize)>>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The seed that replays it.
    pub seed: u64,
    /// Transfers added and ended.
    pub transfers: u64,
    /// Most transfers running at once.
    pub peak_running: usize,
    /// Virtual time the run took.
    pub virtual_time: Duration,
    /// Real time spent inside the engine's calls (`add`, `socket_action`),
    /// less the time the simulated network and the contract checker took
    /// within them (socket calls, callbacks).
    pub engine_time: Duration,
    /// Real time of the whole run.
    pub wall_time: Duration,
    /// Calls of `socket_action`.
    pub socket_actions: u64,
    /// Socket callbacks.
    pub socket_callbacks: u64,
    /// Timer callbacks.
    pub timer_callbacks: u64,
    /// What the network did.
    pub net: NetStats,
    /// Broken rules (empty when the run passed).
    pub violations: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = |n: u64| n as f64 / self.transfers.max(1) as f64;
        writeln!(
            f,
            "seed {}: {} transfers (at most {} at once) in {:?} virtual, {:?} real ({:?} in the engine, {:.2} us per transfer)",
            self.seed,
            self.transfers,
            self.peak_running,
            self.virtual_time,
            self.wall_time,
            self.engine_time,
            self.engine_time.as_secs_f64() * 1e6 / self.transfers.max(1) as f64
        )?;
        writeln!(
            f,
            "  per transfer: {:.2} socket actions, {:.2} socket callbacks, {:.2} timer callbacks",
            per(self.socket_actions),
            per(self.socket_callbacks),
            per(self.timer_callbacks)
        )?;
        write!(f, "  network: {:?}", self.net)?;
        for v in &self.violations {
            write!(f, "\n  VIOLATION: {v}")?;
        }
        if !self.violations.is_empty() {
            write!(
                f,
                "\n  replay: STARLING_SIM_SEED={} (the same seed replays this run exactly)",
                self.seed
            )?;
        }
        Ok(())
    }
}

impl Sim {
    /// A simulated network following `seed`, with an engine on it whose
    /// callbacks go to the checker.
    pub fn new(seed: u64, net: NetConfig) -> Sim {
        let world = Rc::new(RefCell::new(World::new(seed, net)));
        let checker = Rc::new(RefCell::new(Checker::default()));
        let mut multi = Multi::with_env(Box::new(SimEnv::new(world.clone())));
        let (w, c) = (world.clone(), checker.clone());
        multi.set_socket_callback(move |event, _| {
            let world = w.borrow();
            let open = world.readiness(event.socket).is_some();
            c.borrow_mut().socket(event, open, world.elapsed());
        });
        let (w, c) = (world.clone(), checker.clone());
        multi.set_timer_callback(move |after| c.borrow_mut().timer(after, w.borrow().elapsed()));
        Sim {
            seed,
            world,
            checker,
            multi: Some(multi),
            rng: fastrand::Rng::with_seed(seed ^ 0x5eed),
            probe: None,
        }
    }

    /// Calls `probe` with the number of running transfers once per turn of
    /// the loop (a benchmark samples its memory counters there).
    pub fn set_probe(&mut self, probe: impl FnMut(usize) + 'static) {
        self.probe = Some(Box::new(probe));
    }

    /// The network, to add hosts and servers before the run.
    pub fn world(&self) -> std::cell::RefMut<'_, World> {
        self.world.borrow_mut()
    }

    /// The engine, to set limits before the run.
    pub fn multi(&mut self) -> &mut Multi {
        self.multi.as_mut().expect("the engine lives until the run ends")
    }

    /// Runs `total` transfers, at most `max_open` at once; `plan(i, rng)`
    /// makes the i-th and says how it must end. The engine is dropped at
    /// the end and every socket must then be closed.
    pub fn run(
        mut self,
        total: u64,
        max_open: usize,
        mut plan: impl FnMut(u64, &mut fastrand::Rng) -> (Easy, Expect),
    ) -> Report {
        let started = Instant::now();
        let mut engine_time = Duration::ZERO;
        let mut added = 0u64;
        let mut peak = 0;
        let mut actions_now = 0u64;
        let mut last_instant = Duration::MAX;
        let mut candidates: Vec<RawFd> = Vec::new();
        let mut seen: Vec<bool> = Vec::new();
        let mut multi = self.multi.take().expect("run once");
        loop {
            // New transfers in (finished ones were taken after each call).
            while added < total && self.checker.borrow().running() < max_open {
                let (mut easy, expect) = plan(added, &mut self.rng);
                easy.handler(Checked::default());
                {
                    // Every add reports 0, even when the last report was.
                    let mut checker = self.checker.borrow_mut();
                    checker.timer_reset();
                    checker.call_begins();
                }
                let (t, sim) = (Instant::now(), crate::tag::simulator_time());
                let id = multi.add(easy);
                engine_time += t.elapsed().saturating_sub(crate::tag::simulator_time() - sim);
                self.checker.borrow_mut().added(id, expect);
                self.after_call(&mut multi);
                added += 1;
            }
            let running = self.checker.borrow().running();
            peak = peak.max(running);
            if let Some(probe) = self.probe.as_mut() {
                probe(running);
            }
            if running == 0 && added == total {
                break;
            }
            if !self.checker.borrow().violations.is_empty() {
                break;
            }
            let now = self.world.borrow().elapsed();
            if now != last_instant {
                last_instant = now;
                actions_now = 0;
            }
            // Sockets whose readiness or interest may have changed.
            candidates.clear();
            candidates.append(&mut self.world.borrow_mut().touched);
            candidates.append(&mut self.checker.borrow_mut().touched);
            candidates.retain(|&fd| {
                let i = fd as usize;
                if seen.len() <= i {
                    seen.resize(i + 1, false);
                }
                !std::mem::replace(&mut seen[i], true)
            });
            for &fd in &candidates {
                seen[fd as usize] = false;
            }
            self.rng.shuffle(&mut candidates);
            let mut acted = false;
            for &fd in &candidates {
                let Some(events) = self.ready_events(fd) else {
                    continue;
                };
                self.checker.borrow_mut().call_begins();
                let (t, sim) = (Instant::now(), crate::tag::simulator_time());
                multi.socket_action(Action::Socket(fd, events));
                engine_time += t.elapsed().saturating_sub(crate::tag::simulator_time() - sim);
                acted = true;
                actions_now += 1;
                self.after_call(&mut multi);
                // Level-triggered: still ready, it comes round again.
                self.checker.borrow_mut().touched.push(fd);
            }
            if acted {
                if actions_now > MAX_ACTIONS_PER_INSTANT {
                    self.checker.borrow_mut().violations.push(format!(
                        "at {now:?}: livelock: {actions_now} socket actions without time moving"
                    ));
                    break;
                }
                continue;
            }
            let timer = self.checker.borrow().timer;
            if timer.is_some_and(|t| t <= now) {
                {
                    let mut checker = self.checker.borrow_mut();
                    checker.timer = None;
                    checker.timer_reset();
                }
                self.checker.borrow_mut().call_begins();
                let (t, sim) = (Instant::now(), crate::tag::simulator_time());
                multi.socket_action(Action::Timeout);
                engine_time += t.elapsed().saturating_sub(crate::tag::simulator_time() - sim);
                actions_now += 1;
                self.after_call(&mut multi);
                continue;
            }
            let next = match (timer, self.world.borrow().next_event()) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => match a.or(b) {
                    Some(t) => t,
                    None => {
                        self.checker.borrow_mut().violations.push(format!(
                            "at {now:?}: hang: {running} transfers running, no timer, no socket ready and nothing on the network"
                        ));
                        break;
                    }
                },
            };
            let _sim = crate::tag::Simulating::begin();
            let mut world = self.world.borrow_mut();
            world.advance(next);
            world.run_due();
        }
        let counters = multi.counters();
        drop(multi);
        self.sockets_closed();
        let world = self.world.borrow();
        let mut checker = self.checker.borrow_mut();
        let now = world.elapsed();
        if world.open_descriptors() != 0 {
            let open = world.open_descriptors();
            checker.violations.push(format!(
                "at {now:?}: {open} descriptors still open after the engine was dropped"
            ));
        }
        if !checker.watched.is_empty() {
            let left: Vec<_> = checker.watched.keys().copied().collect();
            checker.violations.push(format!(
                "at {now:?}: descriptors still watched at the end: {left:?}"
            ));
        }
        Report {
            seed: self.seed,
            transfers: checker.ended,
            peak_running: peak,
            virtual_time: now,
            engine_time,
            wall_time: started.elapsed(),
            socket_actions: counters.socket_actions,
            socket_callbacks: checker.socket_callbacks,
            timer_callbacks: checker.timer_callbacks,
            net: world.stats,
            violations: checker.violations.clone(),
        }
    }

    /// What a poller would report for `fd` now, given what it watches.
    fn ready_events(&self, fd: RawFd) -> Option<Events> {
        let what = *self.checker.borrow().watched.get(&fd)?;
        let (readable, writable, error) = self.world.borrow().readiness(fd)?;
        let (want_in, want_out) = match what {
            What::In => (true, false),
            What::Out => (false, true),
            What::InOut => (true, true),
            What::Remove => return None,
        };
        let mut events = Events::NONE;
        if want_in && readable {
            events = events | Events::IN;
        }
        if want_out && writable {
            events = events | Events::OUT;
        }
        if error {
            events = events | Events::ERR;
        }
        (events != Events::NONE).then_some(events)
    }

    /// After each engine call: finished transfers are taken out (their
    /// outcomes checked), and the call's timer reports judged.
    fn after_call(&self, multi: &mut Multi) {
        self.sockets_closed();
        let now = self.world.borrow().elapsed();
        while let Some(msg) = multi.info_read() {
            let easy = multi.remove(msg.id).ok();
            self.checker.borrow_mut().finished(&msg, easy, now);
        }
        self.checker.borrow_mut().call_ended(now);
    }

    /// The sockets the engine closed must not be watched any more.
    fn sockets_closed(&self) {
        let mut world = self.world.borrow_mut();
        if world.closed.is_empty() {
            return;
        }
        let now = world.elapsed();
        self.checker.borrow_mut().closed(&world.closed, now);
        world.closed.clear();
    }
}
