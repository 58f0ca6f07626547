//! The engine's view of the simulated network: [`starling::env::Env`] and
//! [`starling::env::Lookups`] over the shared [`World`].

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use starling::env::{ConnectState, Env, LookupDone, LookupJob, Lookups, Socket, SocketHooks, SocketOptions};

use crate::tag::Simulating;
use crate::world::World;

/// The simulated network as the engine's environment.
pub struct SimEnv {
    world: Rc<RefCell<World>>,
}

impl SimEnv {
    /// An environment over `world` (which the application's loop shares).
    pub fn new(world: Rc<RefCell<World>>) -> SimEnv {
        SimEnv { world }
    }
}

impl Env for SimEnv {
    fn now(&self) -> Instant {
        let _sim = Simulating::begin();
        self.world.borrow().now()
    }

    fn connect(
        &self,
        addr: SocketAddr,
        _options: &SocketOptions,
        _hooks: Option<&dyn SocketHooks>,
    ) -> io::Result<Socket> {
        let _sim = Simulating::begin();
        self.world.borrow_mut().connect(addr).map(Socket::from_raw)
    }

    fn connect_state(&self, socket: &Socket) -> ConnectState {
        let _sim = Simulating::begin();
        self.world.borrow().connect_state(socket.fd())
    }

    fn local_addr(&self, socket: &Socket) -> Option<SocketAddr> {
        let _sim = Simulating::begin();
        self.world.borrow().local_addr(socket.fd())
    }

    fn read(&self, socket: &Socket, buf: &mut [u8]) -> io::Result<usize> {
        let _sim = Simulating::begin();
        self.world.borrow_mut().read(socket.fd(), buf)
    }

    fn write(&self, socket: &Socket, buf: &[u8]) -> io::Result<usize> {
        let _sim = Simulating::begin();
        self.world.borrow_mut().write(socket.fd(), buf)
    }

    fn has_input(&self, socket: &Socket) -> bool {
        let _sim = Simulating::begin();
        self.world.borrow().has_input(socket.fd())
    }

    fn close(&self, socket: Socket) {
        let _sim = Simulating::begin();
        self.world.borrow_mut().close(socket.into_raw());
    }

    fn lookups(&self, _threads: usize, _idle_timeout: Duration) -> io::Result<Box<dyn Lookups>> {
        let _sim = Simulating::begin();
        let wake = self.world.borrow_mut().wake_fd();
        Ok(Box::new(SimLookups {
            world: self.world.clone(),
            wake,
        }))
    }
}

/// The simulated resolver: answers after each name's latency, from the
/// world's table.
struct SimLookups {
    world: Rc<RefCell<World>>,
    wake: RawFd,
}

impl Lookups for SimLookups {
    fn wake_fd(&self) -> RawFd {
        self.wake
    }

    fn submit(&self, job: LookupJob) -> io::Result<()> {
        let _sim = Simulating::begin();
        self.world.borrow_mut().submit(job);
        Ok(())
    }

    fn take_finished(&self, out: &mut Vec<LookupDone>) {
        let _sim = Simulating::begin();
        self.world.borrow_mut().take_finished(out);
    }
}

impl Drop for SimLookups {
    fn drop(&mut self) {
        // Like the system's eventfd, the wake descriptor goes with the
        // resolver (the engine told the application to stop watching it).
        if let Ok(mut world) = self.world.try_borrow_mut() {
            world.close(self.wake);
        }
    }
}
