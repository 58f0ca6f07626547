//! The transfer layer: transfers (`state.rs`, `aside.rs`), the engine
//! state they share with their connections (`core.rs`), and everything that
//! drives a transfer over a connection: its start, lookup and connection
//! (`start.rs`, `connect.rs`), the deadlines of connections
//! (`conn_timers.rs`), one event on a connection (`drive.rs`), the
//! request (`send.rs`), the response and what it means for the transfer
//! (`receive.rs`), a time condition's verdict on it (`condition.rs`),
//! redirects (`redirect.rs`), authentication (`auth.rs`, `netrc.rs`),
//! cookies (`cookies.rs`), HSTS (`hsts.rs`), alternative services
//! (`alt_svc.rs`), connections held for a
//! connect-only transfer's application (`held.rs`), streams switched to
//! another protocol (`upgraded.rs`), a streamed body sent
//! again (`rewind.rs`),
//! the body to the handler (`deliver.rs`), progress (`meter.rs`) and
//! speed limits (`rate.rs`); what a handle with a share does differently
//! (`shared.rs`).
//!
//! Below it, `conn/` holds connections without knowing what their bytes
//! mean; above it, `multi/` is the public API and tells the application
//! what changed.

mod alt_svc;
mod aside;
mod auth;
mod condition;
mod conn_timers;
mod connect;
mod cookies;
pub(crate) mod core;
mod deliver;
mod drive;
mod held;
mod hsts;
mod meter;
mod multiplex;
mod multiplex_drive;
mod netrc;
mod rate;
mod receive;
mod redirect;
mod response_head;
mod rewind;
mod send;
mod shared;
mod start;
mod state;
#[cfg(test)]
mod tests;
mod tunnel;
mod upgraded;
