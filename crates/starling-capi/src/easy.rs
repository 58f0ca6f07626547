//! The easy handle: `curl_easy_*`.

use std::ffi::{c_char, c_long, c_void, CStr, CString};
use std::ptr;
use std::time::Duration;

use starling::{Easy, Method, TransferId};

use crate::codes::*;
use crate::guard;
use crate::handler::{CHandler, WriteFn};
use crate::multi::CMulti;
use crate::slist::{strings, CurlSlist};

// The option numbers implemented (libcurl's: family base + index).
const VERBOSE: i32 = 41;
const NOPROGRESS: i32 = 43;
const NOBODY: i32 = 44;
const FOLLOWLOCATION: i32 = 52;
const HTTPGET: i32 = 80;
const MAXREDIRS: i32 = 68;
const NOSIGNAL: i32 = 99;
const BUFFERSIZE: i32 = 98;
const HTTP_VERSION: i32 = 84;
const TIMEOUT: i32 = 13;
const CONNECTTIMEOUT: i32 = 78;
const TIMEOUT_MS: i32 = 155;
const CONNECTTIMEOUT_MS: i32 = 156;
const SSL_VERIFYPEER: i32 = 64;
const SSL_VERIFYHOST: i32 = 81;
const FORBID_REUSE: i32 = 75;
const TCP_NODELAY: i32 = 121;
const PIPEWAIT: i32 = 237;
const WRITEDATA: i32 = 10_001;
const URL: i32 = 10_002;
const ERRORBUFFER: i32 = 10_010;
const USERAGENT: i32 = 10_018;
const HTTPHEADER: i32 = 10_023;
const HEADERDATA: i32 = 10_029;
const CUSTOMREQUEST: i32 = 10_036;
const CAINFO: i32 = 10_065;
const ACCEPT_ENCODING: i32 = 10_102;
const PRIVATE: i32 = 10_103;
const WRITEFUNCTION: i32 = 20_011;
const HEADERFUNCTION: i32 = 20_079;

// Info numbers (type bits | index).
const INFO_EFFECTIVE_URL: i32 = 0x10_0001;
const INFO_RESPONSE_CODE: i32 = 0x20_0002;
const INFO_TOTAL_TIME: i32 = 0x30_0003;
const INFO_PRIVATE: i32 = 0x10_0015;
const INFO_REDIRECT_COUNT: i32 = 0x20_0014;
const INFO_TOTAL_TIME_T: i32 = 0x60_0032;
const INFO_SIZE_DOWNLOAD_T: i32 = 0x60_0008;

/// A C easy handle: the engine's handle while it is not in a multi handle,
/// or where to find it while it is.
pub struct CEasy {
    /// The handle, when not added to a multi handle.
    pub easy: Option<Easy>,
    /// The multi handle and the transfer, while added.
    pub multi: *mut CMulti,
    pub id: Option<TransferId>,
    pub private: *mut c_void,
    pub error_buffer: *mut c_char,
    /// Strings handed out by `curl_easy_getinfo`, valid until the next call.
    info_string: Option<CString>,
}

impl CEasy {
    /// The engine's handle, wherever it is.
    pub fn easy_mut(&mut self) -> Option<&mut Easy> {
        if let Some(easy) = self.easy.as_mut() {
            return Some(easy);
        }
        let id = self.id?;
        // SAFETY: `multi` is set while the handle is in that multi handle,
        // which outlives its membership.
        unsafe { self.multi.as_ref()?.easy_mut(id) }
    }

    fn handler(&mut self) -> Option<&mut CHandler> {
        self.easy_mut()?.handler_mut::<CHandler>()
    }

    /// Writes a failed transfer's message into the ERRORBUFFER, if set.
    pub fn set_error(&mut self, message: &str) {
        if self.error_buffer.is_null() {
            return;
        }
        // libcurl's CURL_ERROR_SIZE.
        let n = message.len().min(255);
        // SAFETY: the program gave a buffer of at least CURL_ERROR_SIZE bytes.
        unsafe {
            ptr::copy_nonoverlapping(message.as_ptr(), self.error_buffer.cast(), n);
            *self.error_buffer.add(n) = 0;
        }
    }
}

/// The handle behind a `CURL *`, or None for NULL.
///
/// # Safety
/// `handle` is NULL or a live handle from `curl_easy_init`.
pub unsafe fn easy_ref<'a>(handle: *mut c_void) -> Option<&'a mut CEasy> {
    // SAFETY: by the caller's contract.
    unsafe { handle.cast::<CEasy>().as_mut() }
}

/// A new easy handle.
#[no_mangle]
pub extern "C" fn curl_easy_init() -> *mut c_void {
    guard(ptr::null_mut(), || {
        let mut easy = Easy::new("");
        easy.handler(CHandler::default());
        Box::into_raw(Box::new(CEasy {
            easy: Some(easy),
            multi: ptr::null_mut(),
            id: None,
            private: ptr::null_mut(),
            error_buffer: ptr::null_mut(),
            info_string: None,
        }))
        .cast()
    })
}

/// Frees an easy handle (removing it from its multi handle first).
///
/// # Safety
/// `handle` is NULL or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_cleanup(handle: *mut c_void) {
    guard((), || {
        if handle.is_null() {
            return;
        }
        // SAFETY: a live handle made by `curl_easy_init`.
        let mut boxed = unsafe { Box::from_raw(handle.cast::<CEasy>()) };
        // SAFETY: set only while the handle is in that live multi handle.
        if let (Some(multi), Some(_)) = (unsafe { boxed.multi.as_ref() }, boxed.id) {
            multi.detach(&mut boxed);
        }
    })
}

/// The C string argument of an option.
///
/// # Safety
/// `value` is NULL or a C string.
unsafe fn string(value: *const c_void) -> Option<String> {
    // SAFETY: by the caller's contract.
    (!value.is_null()).then(|| {
        unsafe { CStr::from_ptr(value.cast()) }
            .to_string_lossy()
            .into_owned()
    })
}

/// Typed `curl_easy_setopt` for long options (called by the C shim).
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_setopt_long(
    handle: *mut c_void,
    option: i32,
    value: c_long,
) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let Some(easy) = h.easy_mut() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let secs = |v: c_long| Duration::from_secs(v.max(0) as u64);
        let millis = |v: c_long| Duration::from_millis(v.max(0) as u64);
        match option {
            FOLLOWLOCATION => {
                easy.follow_location(value != 0);
            }
            MAXREDIRS => {
                easy.max_redirects(if value < 0 { u32::MAX } else { value as u32 });
            }
            TIMEOUT if value > 0 => {
                easy.timeout(secs(value));
            }
            TIMEOUT_MS if value > 0 => {
                easy.timeout(millis(value));
            }
            CONNECTTIMEOUT if value > 0 => {
                easy.connect_timeout(secs(value));
            }
            CONNECTTIMEOUT_MS if value > 0 => {
                easy.connect_timeout(millis(value));
            }
            // Zero means "no limit" (total) or "the default" (connect).
            TIMEOUT | TIMEOUT_MS | CONNECTTIMEOUT | CONNECTTIMEOUT_MS => {}
            NOBODY => {
                easy.method(if value != 0 { Method::HEAD } else { Method::GET });
            }
            HTTPGET if value != 0 => {
                easy.method(Method::GET).no_body();
            }
            SSL_VERIFYPEER => {
                easy.verify_peer(value != 0);
            }
            SSL_VERIFYHOST => {
                easy.verify_host(value != 0);
            }
            FORBID_REUSE => {
                easy.forbid_reuse(value != 0);
            }
            // Accepted as in libcurl, with nothing to do in Starling: no
            // signals are used, TCP_NODELAY is always on, buffers are
            // sized by the engine.
            VERBOSE | NOPROGRESS | NOSIGNAL | BUFFERSIZE | HTTP_VERSION | TCP_NODELAY | PIPEWAIT
            | HTTPGET => {}
            _ => return CURLE_UNKNOWN_OPTION,
        }
        CURLE_OK
    })
}

/// Typed `curl_easy_setopt` for pointer options.
///
/// # Safety
/// `handle` is NULL or a live handle; `value` what the option expects.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_setopt_ptr(
    handle: *mut c_void,
    option: i32,
    value: *mut c_void,
) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        match option {
            PRIVATE => h.private = value,
            ERRORBUFFER => h.error_buffer = value.cast(),
            WRITEDATA => match h.handler() {
                Some(c) => c.write_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            HEADERDATA => match h.handler() {
                Some(c) => c.header_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            _ => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                // SAFETY: these options take a C string (or NULL).
                let text = unsafe { string(value) };
                match (option, text) {
                    (URL, Some(url)) => {
                        easy.url(url);
                    }
                    (USERAGENT, Some(agent)) => {
                        easy.headers_mut().remove("user-agent");
                        if easy.header("user-agent", &agent).is_err() {
                            return CURLE_BAD_FUNCTION_ARGUMENT;
                        }
                    }
                    (CUSTOMREQUEST, Some(method)) => match Method::from_bytes(method.as_bytes()) {
                        Ok(m) => {
                            easy.method(m);
                        }
                        Err(_) => return CURLE_BAD_FUNCTION_ARGUMENT,
                    },
                    (ACCEPT_ENCODING, text) => {
                        easy.accept_encoding(text.as_deref());
                    }
                    (CAINFO, Some(path)) => {
                        easy.cainfo(path);
                    }
                    (HTTPHEADER, _) => {
                        // SAFETY: HTTPHEADER takes a curl_slist (or NULL).
                        let lines = unsafe { strings(value.cast::<CurlSlist>()) };
                        easy.headers_mut().clear();
                        for line in lines {
                            let Some((name, v)) = line.split_once(':') else {
                                continue;
                            };
                            if easy.header(name.trim(), v.trim()).is_err() {
                                return CURLE_BAD_FUNCTION_ARGUMENT;
                            }
                        }
                    }
                    _ => return CURLE_UNKNOWN_OPTION,
                }
            }
        }
        CURLE_OK
    })
}

/// Typed `curl_easy_setopt` for function options.
///
/// # Safety
/// `handle` is NULL or a live handle; `value` a function of the type the
/// option expects.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_setopt_func(
    handle: *mut c_void,
    option: i32,
    value: Option<unsafe extern "C" fn()>,
) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY: the option's contract says which function type it is.
        let as_write = value.map(|f| unsafe { std::mem::transmute::<unsafe extern "C" fn(), WriteFn>(f) });
        let Some(c) = h.handler() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        match option {
            WRITEFUNCTION => c.write = as_write,
            HEADERFUNCTION => c.header = as_write,
            _ => return CURLE_UNKNOWN_OPTION,
        }
        CURLE_OK
    })
}

/// Typed `curl_easy_setopt` for curl_off_t options.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_setopt_off(
    handle: *mut c_void,
    _option: i32,
    _value: i64,
) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        if handle.is_null() {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        }
        CURLE_UNKNOWN_OPTION
    })
}

/// Typed `curl_easy_getinfo` (the shim passes the out pointer).
///
/// # Safety
/// `handle` is NULL or a live handle; `out` points to the type the info
/// number says.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_getinfo(handle: *mut c_void, info: i32, out: *mut c_void) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        if out.is_null() {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        }
        let private = h.private;
        let Some(easy) = h.easy_mut() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let info_data = easy.info();
        let status = info_data.status.map_or(0, |s| s.as_u16() as c_long);
        let total = info_data.timings.total;
        let redirects = info_data.redirect_count as c_long;
        let size = info_data.body_bytes_delivered as i64;
        let url = easy.effective_url().to_string();
        // SAFETY (all writes): `out` points to the info's type, as the
        // program's curl_easy_getinfo call promises.
        unsafe {
            match info {
                INFO_RESPONSE_CODE => *out.cast::<c_long>() = status,
                INFO_REDIRECT_COUNT => *out.cast::<c_long>() = redirects,
                INFO_TOTAL_TIME => *out.cast::<f64>() = total.as_secs_f64(),
                INFO_TOTAL_TIME_T => *out.cast::<i64>() = total.as_micros() as i64,
                INFO_SIZE_DOWNLOAD_T => *out.cast::<i64>() = size,
                INFO_PRIVATE => *out.cast::<*mut c_void>() = private,
                INFO_EFFECTIVE_URL => {
                    let s = CString::new(url).unwrap_or_default();
                    *out.cast::<*const c_char>() = s.as_ptr();
                    h.info_string = Some(s);
                }
                _ => return CURLE_UNKNOWN_OPTION,
            }
        }
        CURLE_OK
    })
}

/// libcurl's message for a `CURLcode`.
#[no_mangle]
pub extern "C" fn curl_easy_strerror(code: CurlCode) -> *const c_char {
    easy_message(code)
}

/// Runs the transfer to its end, blocking (`curl_easy_perform`).
///
/// # Safety
/// `handle` is NULL or a live handle not in a multi handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_perform(handle: *mut c_void) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let Some(easy) = h.easy.take() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let (easy, result) = starling::drive::perform_one(easy);
        h.easy = Some(easy);
        match result {
            Ok(()) => CURLE_OK,
            Err(e) => {
                h.set_error(e.message());
                code_of(e.kind())
            }
        }
    })
}
