//! The socket table: file descriptor → connection, what was last reported
//! to the application, and the application's data for the socket.
//!
//! Kept in [`FdSlots`]: a slot per descriptor, no hashing on the hot path.

use std::os::fd::RawFd;

use crate::error::{Error, ErrorKind};
use crate::events::What;
use crate::fd_slots::FdSlots;
use crate::ids::ConnKey;

/// What a socket of the engine belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A connection (its socket, or its happy-eyeballs racer).
    Conn(ConnKey),
    /// The resolver's wake-up descriptor.
    Resolver,
}

/// One socket the engine owns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SocketEntry {
    /// What the socket belongs to.
    pub owner: Owner,
    /// The interest last announced with the socket callback; `None` when the
    /// socket was never announced or its last report was REMOVE.
    pub reported: Option<What>,
    /// The application's data (`assign`).
    pub data: Option<usize>,
}

/// All sockets of one multi handle.
#[derive(Debug, Default)]
pub(crate) struct SocketTable {
    slots: FdSlots<SocketEntry>,
}

impl SocketTable {
    /// Registers a new socket, not yet announced.
    pub fn insert(&mut self, fd: RawFd, owner: Owner) {
        let entry = SocketEntry {
            owner,
            reported: None,
            data: None,
        };
        self.slots.insert(fd, entry);
    }

    /// The entry of `fd`, when the engine owns that socket.
    pub fn get(&self, fd: RawFd) -> Option<&SocketEntry> {
        self.slots.get(fd)
    }

    /// The entry of `fd`, mutably.
    pub fn get_mut(&mut self, fd: RawFd) -> Option<&mut SocketEntry> {
        self.slots.get_mut(fd)
    }

    /// Forgets `fd` and returns what was known of it.
    pub fn remove(&mut self, fd: RawFd) -> Option<SocketEntry> {
        self.slots.remove(fd)
    }
}

/// Lets the socket callback attach data to a socket while it runs (the one
/// engine call libcurl allows from inside its callbacks).
pub struct SocketAssign<'a> {
    pub(crate) table: &'a mut SocketTable,
}

impl SocketAssign<'_> {
    /// Attaches `data` to `socket` (`None` clears it); it is handed back in
    /// every later socket callback for that socket.
    pub fn assign(&mut self, socket: RawFd, data: Option<usize>) -> Result<(), Error> {
        assign(self.table, socket, data)
    }
}

/// Shared by [`SocketAssign::assign`] and [`Multi::assign`](crate::Multi::assign).
pub(crate) fn assign(table: &mut SocketTable, socket: RawFd, data: Option<usize>) -> Result<(), Error> {
    match table.get_mut(socket) {
        Some(entry) => {
            entry.data = data;
            Ok(())
        }
        None => Err(Error::new(
            ErrorKind::UnknownHandle,
            format!("socket {socket} is not a socket of this multi handle"),
        )),
    }
}
