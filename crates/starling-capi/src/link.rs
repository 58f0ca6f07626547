//! The link between an easy handle and the multi handle it is added to.
//!
//! A program may still call `curl_easy_setopt`, `curl_easy_pause` and
//! `curl_easy_cleanup` on a handle it added to a multi handle, and those
//! must reach the transfer the multi handle now owns. The easy handle
//! holds a [`Link`] and asks its multi handle only what [`LinkedMulti`]
//! offers; the multi handle implements that. So the multi handle may use
//! the easy handle's type, but not the other way round: both import this
//! module, and the easy handle never names the multi handle's type.

use std::ffi::c_void;

use starling::{Easy, Multi, Pause, TransferId};

/// A multi handle as the easy handles added to it see it.
pub trait LinkedMulti {
    /// The engine's handle of transfer `id`; none while a callback of the
    /// multi handle runs (the engine is lent out then).
    ///
    /// # Safety
    /// The caller calls nothing of this multi handle while it uses the
    /// reference.
    #[allow(clippy::mut_from_ref)]
    unsafe fn easy_mut(&self, id: TransferId) -> Option<&mut Easy>;

    /// Pauses or resumes transfer `id` (`curl_easy_pause`): at once
    /// outside callbacks, after the engine returns inside them.
    fn pause(&self, id: TransferId, pause: Pause);

    /// Takes transfer `id` out of the multi handle, with any unread
    /// message about `handle` (its `CURL *`), and gives back the engine's
    /// handle. `close_held`: the connection a connect-only transfer left
    /// held is closed too (libcurl's rule: the handle cannot reach it
    /// once out).
    fn remove(&self, id: TransferId, handle: *const c_void, close_held: bool) -> Option<Easy>;

    /// Runs `f` on the engine outside its calls and callbacks (raw bytes
    /// on a connection the handle's transfer left, its socket); false,
    /// with `f` not run, inside a callback of the multi handle.
    fn with_engine(&self, f: &mut dyn FnMut(&mut Multi)) -> bool;
}

/// Where an easy handle's transfer is while it is added: which multi
/// handle, and which transfer in it.
#[derive(Clone, Copy)]
pub struct Link {
    multi: *const dyn LinkedMulti,
    id: TransferId,
}

impl Link {
    /// The link to transfer `id` of `multi`. The multi handle must stay
    /// alive while the link is kept: it takes its handles out (dropping
    /// their links) before it is freed.
    pub fn new(multi: &(dyn LinkedMulti + 'static), id: TransferId) -> Link {
        Link { multi, id }
    }

    /// The transfer in the multi handle.
    pub fn id(&self) -> TransferId {
        self.id
    }

    /// Whether this is a link into the multi handle at `multi` (a `CURLM *`).
    pub fn is_into(&self, multi: *const c_void) -> bool {
        std::ptr::addr_eq(self.multi, multi)
    }

    /// The multi handle.
    ///
    /// # Safety
    /// The multi handle is still alive (as it is while the easy handle
    /// keeps the link, see [`Link::new`]).
    pub unsafe fn multi<'a>(&self) -> &'a dyn LinkedMulti {
        // SAFETY: by the caller's contract the multi handle is alive, and
        // it is only ever reached through shared references.
        unsafe { &*self.multi }
    }
}
