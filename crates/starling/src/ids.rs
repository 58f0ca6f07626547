//! The small ids the engine's layers share: transfers, connections and
//! hosts refer to each other by these, never by reference.

/// A transfer added to a [`Multi`](crate::Multi): a slab index plus a
/// generation, so an id kept after its transfer was removed is detected as
/// stale instead of naming a newer transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl TransferId {
    /// A number unique among the transfers of one multi handle at one time
    /// (the slot index), for use as a key in the application's own tables.
    pub fn slot(self) -> usize {
        self.index as usize
    }
}

/// A connection of a multi handle: slab index plus generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConnKey {
    pub index: u32,
    pub generation: u32,
}

/// A connection of a multi handle, as the application may name it: the
/// one a transfer's last request went on ([`TransferInfo::connection`](crate::TransferInfo::connection)).
/// A reference kept after its connection closed is stale, never another
/// connection's (the slot's generation tells them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionRef {
    pub(crate) key: ConnKey,
    number: u32,
}

impl ConnectionRef {
    /// The reference to connection `key`, whose number is `number`.
    pub(crate) fn new(key: ConnKey, number: u32) -> ConnectionRef {
        ConnectionRef { key, number }
    }

    /// The connection's number: the multi handle's connections count from
    /// 0 in the order they were opened, as libcurl's (its CONN_ID, the
    /// `#n` of the verbose trace).
    pub fn id(self) -> u64 {
        self.number.into()
    }
}

/// A stream of a connection: one request and its response. HTTP/1.1
/// carries one at a time (always stream 1); a multiplexing protocol numbers
/// its streams (HTTP/2's client streams are odd, from 1). Never zero, so
/// that an `Option` of it costs no more than the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StreamId(pub std::num::NonZeroU32);

/// A host (scheme, host and port, and how it is reached) of a multi
/// handle: its slot in the connection pool.
pub(crate) type HostId = u32;
