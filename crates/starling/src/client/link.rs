//! What a client, its futures and its bodies hold of the engine thread:
//! the channel to it, and the settings a request takes along.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use super::order::Command;
use crate::error::{Error, ErrorKind};

/// The way to one engine thread.
#[derive(Debug)]
pub(crate) struct Link {
    commands: UnboundedSender<Command>,
    next_key: AtomicU64,
    /// Unread body bytes a transfer buffers before it pauses.
    pub(crate) body_buffer: usize,
}

impl Link {
    pub(crate) fn new(commands: UnboundedSender<Command>, body_buffer: usize) -> Link {
        Link {
            commands,
            next_key: AtomicU64::new(0),
            body_buffer,
        }
    }

    /// A key no other request of this engine has.
    pub(crate) fn next_key(&self) -> u64 {
        self.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends a command to the engine thread.
    pub(crate) fn command(&self, command: Command) -> Result<(), Error> {
        self.commands
            .send(command)
            .map_err(|_| Error::new(ErrorKind::RecvError, "the client's engine thread has stopped"))
    }
}
