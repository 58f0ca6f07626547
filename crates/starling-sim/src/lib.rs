//! A simulated network for Starling.
//!
//! It drives the real engine through the same multi_socket API an
//! application uses, on an [`starling::env::Env`] whose sockets, clock and
//! resolver are simulated:
//! - virtual time that moves only when nothing is ready, so a run of a
//!   million transfers takes seconds and a 30 s timeout costs nothing;
//! - one seed fixing every choice (short reads and writes, spurious
//!   EAGAINs, chunk sizes, the order ready sockets are handed over), so a
//!   failing seed replays exactly;
//! - HTTP/1.1 and HTTP/2 servers whose answers the request path chooses (see
//!   [`server`]), servers that refuse, vanish, reset, stall or close idle
//!   connections, names with lookup latency, failures and several
//!   addresses;
//! - a checker of the contract on every callback and message (see
//!   `checker.rs`).
//!
//! ```
//! use starling_sim::{Expect, HostEntry, Listener, NetConfig, ServerConfig, Sim};
//! use std::time::Duration;
//!
//! let sim = Sim::new(7, NetConfig::default());
//! sim.world().host("a.sim", HostEntry { addrs: vec!["10.0.0.1".parse().unwrap()], latency: Duration::from_millis(3), failure: None });
//! sim.world().listen("10.0.0.1:80".parse().unwrap(), Listener::Http(ServerConfig::default()));
//! let report = sim.run(100, 10, |_, _| {
//!     (starling::Easy::new("http://a.sim/size/1000"), Expect::Ok { status: 200, body: 1000 })
//! });
//! assert!(report.violations.is_empty(), "{report}");
//! ```

mod checker;
mod env;
mod handler;
mod run;
pub mod server;
pub mod tag;
mod world;

pub use checker::Expect;
pub use env::SimEnv;
pub use handler::Checked;
pub use run::{Report, Sim};
pub use server::ServerConfig;
pub use world::{HostEntry, Listener, NetConfig, NetStats, World};
