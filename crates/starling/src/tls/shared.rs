//! TLS sessions kept in a [`Share`]: a connection of a handle that shares
//! them resumes with sessions any handle of the share saved, in any multi
//! handle. rustls lets a client configuration take any session store; the
//! share's is rustls's own memory cache, reached through [`SharedSessions`],
//! which calls the application's lock around each use as libcurl does.

use std::sync::Arc;

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

use crate::share::{Share, Shared};

/// The share's session cache as one connection uses it: `owner` (the
/// private data of the handle that opened the connection) is whom the
/// lock calls name.
#[derive(Debug)]
struct SharedSessions {
    share: Share,
    owner: Option<usize>,
}

impl SharedSessions {
    /// Runs `f` on the share's cache inside the application's lock.
    fn with<R>(&self, f: impl FnOnce(&dyn ClientSessionStore) -> R) -> R {
        let store = self.share.sessions();
        self.share
            .bracket(Shared::TlsSessions, self.owner, || f(&**store))
    }
}

impl ClientSessionStore for SharedSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.with(|s| s.set_kx_hint(server_name, group));
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.with(|s| s.kx_hint(server_name))
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.with(|s| s.set_tls12_session(server_name, value));
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.with(|s| s.tls12_session(server_name))
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.with(|s| s.remove_tls12_session(server_name));
    }

    fn insert_tls13_ticket(&self, server_name: ServerName<'static>, value: Tls13ClientSessionValue) {
        self.with(|s| s.insert_tls13_ticket(server_name, value));
    }

    fn take_tls13_ticket(&self, server_name: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.with(|s| s.take_tls13_ticket(server_name))
    }
}

/// The share's session cache for one connection, whose lock calls name
/// `owner`.
pub(super) fn session_store(share: Share, owner: Option<usize>) -> Arc<dyn ClientSessionStore> {
    Arc::new(SharedSessions { share, owner })
}
