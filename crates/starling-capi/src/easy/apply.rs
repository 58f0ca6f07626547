//! Options the C handle keeps apart and hands to the engine combined:
//! the socket callbacks, the time condition, the share.

use std::ffi::c_void;
use std::sync::Arc;

use starling::env::SocketHooks;

use super::CEasy;
use crate::codes::*;
use crate::share::share_ref;

impl CEasy {
    /// The socket callbacks as the engine's hooks (none when none is set).
    pub(super) fn apply_socket_hooks(&mut self) -> CurlCode {
        let sockets = self.opts.sockets;
        let hooks = sockets
            .any()
            .then(|| Arc::new(sockets) as Arc<dyn SocketHooks + Send + Sync>);
        match self.easy_mut() {
            Some(easy) => {
                easy.socket_hooks(hooks);
                CURLE_OK
            }
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    }

    /// TIMECONDITION with TIMEVALUE(_LARGE) as the engine's condition.
    pub(super) fn apply_time_condition(&mut self) -> CurlCode {
        let (kind, time) = self.opts.time_condition;
        let condition = match kind {
            1 => Some(starling::TimeCondition::ModifiedSince(time)),
            2 => Some(starling::TimeCondition::UnmodifiedSince(time)),
            3 => Some(starling::TimeCondition::LastModified(time)),
            _ => None,
        };
        match self.easy_mut() {
            Some(easy) => {
                easy.time_condition(condition);
                CURLE_OK
            }
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    }

    /// `CURLOPT_SHARE`: leaves the share in use, if any, then uses
    /// `share` if it is a live one (NULL, or a pointer that is no share,
    /// only leaves), calling the share's lock callbacks as libcurl does.
    pub fn set_share(&mut self, share: *mut c_void) {
        let this = self.owner_tag() as *mut c_void;
        // SAFETY: a share in use by a handle is live: its cleanup refuses
        // while any handle uses it.
        if let Some(old) = unsafe { share_ref(self.share) } {
            old.detach(this);
        }
        self.share = std::ptr::null_mut();
        // SAFETY: the program passes NULL or a `CURLSH *`; a freed or
        // foreign one fails the magic check, as in libcurl.
        let engine = unsafe { share_ref(share) }.map(|new| {
            new.attach(this);
            new.engine()
        });
        if engine.is_some() {
            self.share = share;
        }
        if let Some(easy) = self.easy_mut() {
            easy.share(engine);
        }
    }
}
