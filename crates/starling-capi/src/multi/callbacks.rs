//! The engine's socket and timer callbacks of a multi handle: they keep
//! the watched sockets for `curl_multi_fdset`/`poll`/`wait` and call the
//! program's `CURLMOPT_SOCKETFUNCTION` and `CURLMOPT_TIMERFUNCTION`.

use std::ffi::{c_long, c_void};
use std::ptr;
use std::rc::Rc;
use std::time::Duration;

use starling::{Multi, What};

use super::shared::Shared;
use crate::guard;

/// Sets `multi`'s socket and timer callbacks, which reach only `shared`
/// (never the engine, which is running when they are called).
pub fn forward(multi: &mut Multi, shared: &Rc<Shared>) {
    let s = Rc::clone(shared);
    multi.set_socket_callback(move |event, sockets| {
        match event.what {
            What::Remove => s.watched.borrow_mut().remove(&event.socket),
            what => s.watched.borrow_mut().insert(event.socket, what),
        };
        let Some(f) = s.socket_fn.get().filter(|_| !s.quiet_sockets.get()) else {
            return;
        };
        let easy = event
            .transfer
            .and_then(|id| s.handles.borrow().get(&id).copied())
            .unwrap_or(ptr::null_mut());
        let what = match event.what {
            What::In => 1,
            What::Out => 2,
            What::InOut => 3,
            What::Remove => 4,
        };
        let socketp = event.data.map_or(ptr::null_mut(), |d| d as *mut c_void);
        s.in_callback.set(true);
        // SAFETY: the program set `f` as its curl_socket_callback.
        let _ = guard(0, || unsafe {
            f(easy.cast(), event.socket, what, s.socket_data.get(), socketp)
        });
        s.in_callback.set(false);
        for (fd, data) in s.assigns.borrow_mut().drain(..) {
            let _ = sockets.assign(fd, (!data.is_null()).then_some(data as usize));
        }
    });
    let s = Rc::clone(shared);
    multi.set_timer_callback(move |timeout| {
        let Some(f) = s.timer_fn.get() else { return };
        let ms = timeout.map_or(-1, |d: Duration| d.as_micros().div_ceil(1000) as c_long);
        s.in_callback.set(true);
        // SAFETY: the program set `f` as its curl_multi_timer_callback.
        let _ = guard(0, || unsafe { f(s.this.get(), ms, s.timer_data.get()) });
        s.in_callback.set(false);
    });
}
