//! The vocabulary between the engine and the application's event loop.

use std::ops::BitOr;
use std::os::fd::RawFd;

use crate::error::Error;
use crate::ids::TransferId;

/// What the engine waits for on a socket (the `what` of libcurl's socket
/// callback: CURL_POLL_IN, OUT, INOUT, REMOVE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum What {
    /// Wait until the socket is readable.
    In,
    /// Wait until the socket is writable.
    Out,
    /// Wait until it is readable or writable.
    InOut,
    /// Stop watching the socket. It may be announced again later (a pooled
    /// connection); it does not mean the socket is closed.
    Remove,
}

/// What the application's loop saw on a socket: a bitmask of
/// [`Events::IN`], [`Events::OUT`] and [`Events::ERR`]. The engine treats it
/// as a hint and always tries the non-blocking operation it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Events(u8);

impl Events {
    /// Nothing in particular (the engine tries whatever it needs).
    pub const NONE: Events = Events(0);
    /// Readable (CURL_CSELECT_IN).
    pub const IN: Events = Events(1);
    /// Writable (CURL_CSELECT_OUT).
    pub const OUT: Events = Events(2);
    /// Error or hang-up (CURL_CSELECT_ERR).
    pub const ERR: Events = Events(4);

    /// True when every bit of `other` is set in `self`.
    pub fn contains(self, other: Events) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when any bit of `other` is set in `self`.
    pub fn intersects(self, other: Events) -> bool {
        self.0 & other.0 != 0
    }

    /// The raw bits, numbered as libcurl's CURL_CSELECT_* values.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From libcurl's CURL_CSELECT_* bits; unknown bits are dropped.
    pub fn from_bits(bits: u8) -> Events {
        Events(bits & 7)
    }
}

impl Events {
    /// From what any loop reports: readable, writable, and an error or a
    /// hang-up (count a peer's close of its side as readable: the engine
    /// reads and learns what happened).
    pub fn from_readiness(readable: bool, writable: bool, error: bool) -> Events {
        let mut bits = Events::NONE;
        if readable {
            bits = bits | Events::IN;
        }
        if writable {
            bits = bits | Events::OUT;
        }
        if error {
            bits = bits | Events::ERR;
        }
        bits
    }
}

impl Events {
    /// From an epoll event mask (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`,
    /// `EPOLLHUP`), for loops written on raw epoll.
    pub fn from_epoll(mask: u32) -> Events {
        let mut bits = Events::NONE;
        if mask & libc::EPOLLIN as u32 != 0 {
            bits = bits | Events::IN;
        }
        if mask & libc::EPOLLOUT as u32 != 0 {
            bits = bits | Events::OUT;
        }
        if mask & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
            bits = bits | Events::ERR;
        }
        bits
    }
}

impl BitOr for Events {
    type Output = Events;
    fn bitor(self, rhs: Events) -> Events {
        Events(self.0 | rhs.0)
    }
}

/// Which directions of a transfer are paused (libcurl's `CURLPAUSE_RECV`
/// and `CURLPAUSE_SEND`), for [`Multi::set_pause`](crate::Multi::set_pause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Pause {
    /// Receiving is paused: the socket is not read.
    pub recv: bool,
    /// Sending the request body is paused.
    pub send: bool,
}

impl Pause {
    /// Nothing paused.
    pub const NONE: Pause = Pause {
        recv: false,
        send: false,
    };
    /// Receiving paused.
    pub const RECV: Pause = Pause {
        recv: true,
        send: false,
    };
    /// Sending paused.
    pub const SEND: Pause = Pause {
        recv: false,
        send: true,
    };
    /// Both directions paused.
    pub const ALL: Pause = Pause {
        recv: true,
        send: true,
    };
}

/// What the application tells [`Multi::socket_action`](crate::Multi::socket_action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The timer expired (libcurl's CURL_SOCKET_TIMEOUT). Also the kick-off
    /// after adding transfers. Harmless when called early.
    Timeout,
    /// Something happened on this socket.
    Socket(RawFd, Events),
}

/// One call of the socket callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketEvent {
    /// The transfer the socket serves right now, when there is one (an idle
    /// pooled connection serves none).
    pub transfer: Option<TransferId>,
    /// The socket.
    pub socket: RawFd,
    /// What to wait for from now on.
    pub what: What,
    /// The data the application attached with `assign`, if any.
    pub data: Option<usize>,
}

/// A finished transfer, from [`Multi::info_read`](crate::Multi::info_read)
/// (libcurl's CURLMSG_DONE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The transfer that finished.
    pub id: TransferId,
    /// How it ended.
    pub result: Result<(), Error>,
}
