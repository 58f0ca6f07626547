//! Starling: an event-driven HTTP transfer engine in the shape of libcurl's
//! multi_socket interface.
//!
//! One [`Multi`] drives many transfers ([`Easy`] handles) inside the
//! application's own event loop: it tells the loop which sockets to watch
//! through a socket callback and asks for one timer through a timer
//! callback; the loop calls [`Multi::socket_action`] when a socket is ready
//! or the timer expires; finished transfers come out of
//! [`Multi::info_read`]. Programs without a loop of their own use
//! [`drive::perform_one`] or [`drive::Blocking`] (with the `tokio` feature,
//! `drive::tokio::Driver`).
//!
//! ```no_run
//! use starling::{Collect, Easy};
//!
//! let mut easy = Easy::new("http://127.0.0.1:8080/");
//! easy.handler(Collect::new());
//! let (easy, result) = starling::drive::perform_one(easy);
//! result.unwrap();
//! println!("{:?} {} bytes", easy.info().status, easy.handler_ref::<Collect>().unwrap().body().len());
//! ```
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub mod alt_svc;
mod auth;
#[cfg(feature = "tokio")]
pub mod client;
mod conn;
mod connect_to;
mod cookie;
mod counters;
mod current;
mod decode;
mod dns;
pub mod drive;
mod easy;
pub mod env;
mod error;
mod events;
#[cfg(test)]
mod fake_env;
mod fd_slots;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handler;
pub mod hsts;
pub mod http1;
mod http2;
pub mod http_date;
mod ids;
mod info;
mod location;
mod multi;
mod proxy;
#[cfg(any(test, feature = "fuzzing"))]
mod readers_input;
mod share;
mod socket_table;
mod sys;
mod target;
mod timer_queue;
mod tls;
mod trace;
#[cfg(feature = "tracing")]
mod trace_spans;
mod transfer;
pub mod ws;

/// The README's Rust blocks, compiled and run as doc tests (the async
/// client's needs the `tokio` feature).
#[cfg(all(doctest, feature = "tokio"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

pub use auth::{basic_credentials, AuthMethods};
#[cfg(feature = "tokio")]
pub use client::Client;
pub use cookie::CookieJar;
pub use current::{with_current, Current};
pub use dns::DnsConfig;
pub use easy::{
    BodyStyle, CertFormat, ClientCert, Easy, HttpVersion, IpResolve, KeepPost, NetrcMode, Schemes,
    TimeCondition, TlsSource, TlsVersion, TlsVersions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EXPECT_100_TIMEOUT,
    DEFAULT_HAPPY_EYEBALLS_TIMEOUT, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_REDIRECTS,
};
pub use error::{Error, ErrorKind};
pub use handler::{trace_to, Collect, Discard, Flow, Handler, Progress, ReadFlow, Trace};
pub use http::{self, HeaderMap, Method, StatusCode, Version};
pub use http1::{RequestHeaders, ResponseHeaders};
pub use ids::ConnectionRef;
pub use info::{Timings, TransferInfo};
pub use multi::{
    Action, Counters, Events, Limits, Message, Multi, Pause, SocketAssign, SocketEvent, TransferId, What,
};
pub use proxy::{ProxyKind, ProxySetting};
pub use share::{Share, ShareLock, Shared};
pub use sys::SystemEnv;
