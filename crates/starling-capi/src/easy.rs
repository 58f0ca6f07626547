//! The easy handle: `curl_easy_*`.

use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};
use std::ptr;
use std::time::Duration;

use starling::drive::Blocking;
use starling::{Easy, Method, TransferInfo};

use crate::codes::*;
use crate::fields::{RequestFields, AUTH_BASIC};
use crate::guard;
use crate::handler::{CHandler, DebugFn, ProgressFn, ReadFn, WriteFn, XferInfoFn};
use crate::known::unimplemented_easy_option;
use crate::link::Link;
use crate::slist::{strings, CurlSlist};

// The option numbers implemented (libcurl's: family base + index).
const VERBOSE: i32 = 41;
const NOPROGRESS: i32 = 43;
const NOBODY: i32 = 44;
const TRANSFER_ENCODING: i32 = 207;
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
const READDATA: i32 = 10_009;
const READFUNCTION: i32 = 20_012;
const INFILESIZE: i32 = 14;
const INFILESIZE_LARGE: i32 = 30_115;
const POSTFIELDS: i32 = 10_015;
const COPYPOSTFIELDS: i32 = 10_165;
const POSTFIELDSIZE: i32 = 60;
const POSTFIELDSIZE_LARGE: i32 = 30_120;
const POST: i32 = 47;
const UPLOAD: i32 = 46;
const LOW_SPEED_LIMIT: i32 = 19;
const LOW_SPEED_TIME: i32 = 20;
const FAILONERROR: i32 = 45;
const PROGRESSFUNCTION: i32 = 20_056;
const XFERINFOFUNCTION: i32 = 20_219;
const XFERINFODATA: i32 = 10_057;
const RESOLVE: i32 = 10_203;
const CONNECT_TO: i32 = 10_243;
const MAXFILESIZE: i32 = 114;
const MAXFILESIZE_LARGE: i32 = 30_117;
const CAPATH: i32 = 10_097;
const DEFAULT_PROTOCOL: i32 = 10_238;
const STDERR: i32 = 10_037;
const USERPWD: i32 = 10_005;
const RANGE: i32 = 10_007;
const REFERER: i32 = 10_016;
const COOKIE: i32 = 10_022;
const USERNAME: i32 = 10_173;
const PASSWORD: i32 = 10_174;
const RESUME_FROM: i32 = 21;
const RESUME_FROM_LARGE: i32 = 30_116;
const HEADER: i32 = 42;
const HTTPAUTH: i32 = 107;
const FRESH_CONNECT: i32 = 74;
const IPRESOLVE: i32 = 113;
const DEBUGFUNCTION: i32 = 20_094;
const DEBUGDATA: i32 = 10_095;

// Info numbers (type bits | index).
const INFO_EFFECTIVE_URL: i32 = 0x10_0001;
const INFO_RESPONSE_CODE: i32 = 0x20_0002;
const INFO_TOTAL_TIME: i32 = 0x30_0003;
const INFO_PRIVATE: i32 = 0x10_0015;
const INFO_REDIRECT_COUNT: i32 = 0x20_0014;
const INFO_TOTAL_TIME_T: i32 = 0x60_0032;
const INFO_SIZE_DOWNLOAD_T: i32 = 0x60_0008;
const INFO_NAMELOOKUP_TIME: i32 = 0x30_0004;
const INFO_CONNECT_TIME: i32 = 0x30_0005;
const INFO_PRETRANSFER_TIME: i32 = 0x30_0006;
const INFO_SIZE_DOWNLOAD: i32 = 0x30_0008;
const INFO_SPEED_DOWNLOAD: i32 = 0x30_0009;
const INFO_SPEED_DOWNLOAD_T: i32 = 0x60_0009;
const INFO_CONTENT_LENGTH_DOWNLOAD: i32 = 0x30_000F;
const INFO_CONTENT_LENGTH_DOWNLOAD_T: i32 = 0x60_000F;
const INFO_STARTTRANSFER_TIME: i32 = 0x30_0011;
const INFO_CONTENT_TYPE: i32 = 0x10_0012;
const INFO_NUM_CONNECTS: i32 = 0x20_001A;
const INFO_PRIMARY_IP: i32 = 0x10_0020;
const INFO_APPCONNECT_TIME: i32 = 0x30_0021;
const INFO_PRIMARY_PORT: i32 = 0x20_0028;
const INFO_LOCAL_IP: i32 = 0x10_0029;
const INFO_LOCAL_PORT: i32 = 0x20_002A;
const INFO_NAMELOOKUP_TIME_T: i32 = 0x60_0033;
const INFO_CONNECT_TIME_T: i32 = 0x60_0034;
const INFO_PRETRANSFER_TIME_T: i32 = 0x60_0035;
const INFO_STARTTRANSFER_TIME_T: i32 = 0x60_0036;
const INFO_APPCONNECT_TIME_T: i32 = 0x60_0038;
const INFO_SIZE_UPLOAD: i32 = 0x30_0007;
const INFO_SIZE_UPLOAD_T: i32 = 0x60_0007;
const INFO_SPEED_UPLOAD: i32 = 0x30_000A;
const INFO_SPEED_UPLOAD_T: i32 = 0x60_000A;
const INFO_HEADER_SIZE: i32 = 0x20_000B;
const INFO_REQUEST_SIZE: i32 = 0x20_000C;
const INFO_HTTP_CONNECTCODE: i32 = 0x20_0016;
const INFO_HTTP_VERSION: i32 = 0x20_002E;
const INFO_PROTOCOL: i32 = 0x20_0030;
const INFO_SCHEME: i32 = 0x10_0031;
const INFO_RETRY_AFTER: i32 = 0x60_0039;

/// A C easy handle: the engine's handle while it is not in a multi handle,
/// or where to find it while it is.
pub struct CEasy {
    /// `EASY_MAGIC` while the handle lives: a pointer that is not a live
    /// handle of this library is refused, as libcurl does.
    magic: u32,
    /// The handle, when not added to a multi handle.
    pub easy: Option<Easy>,
    /// The multi handle and the transfer, while added.
    pub link: Option<Link>,
    /// Strings handed out by `curl_easy_getinfo`, valid until the next call.
    info_string: Option<CString>,
    /// The options the C handle keeps itself (the engine's handle keeps
    /// the rest): reset together, duplicated together.
    opts: Kept,
    /// `curl_easy_perform`'s driver, kept from one call to the next so
    /// that its connections are reused, as libcurl's easy handle keeps its
    /// connection cache (made on first use).
    driver: Option<Box<Blocking>>,
}

impl CEasy {
    /// The engine's handle, wherever it is.
    pub fn easy_mut(&mut self) -> Option<&mut Easy> {
        if let Some(easy) = self.easy.as_mut() {
            return Some(easy);
        }
        let link = self.link?;
        // SAFETY: the link is kept while the handle is in that multi
        // handle, which outlives its membership; nothing of the multi
        // handle is called while the caller holds the reference.
        unsafe { link.multi().easy_mut(link.id()) }
    }

    /// What the engine's handle carries as its private data: this
    /// handle's address, by which a callback's `curl_easy_getinfo` finds
    /// the transfer the engine lends (see `starling::with_current`).
    fn owner_tag(&self) -> usize {
        self as *const CEasy as usize
    }

    /// Gives the engine's handle (not in a multi handle) its tag and, if
    /// it has none yet, the C callbacks.
    fn retag(&mut self) {
        let tag = self.owner_tag();
        if let Some(easy) = self.easy.as_mut() {
            easy.private(Some(tag));
            if easy.handler_ref::<CHandler>().is_none() {
                easy.handler(CHandler::default());
            }
        }
    }

    /// Sets the request's header fields from the options that make them.
    fn apply_fields(&mut self) -> CurlCode {
        let fields = std::mem::take(&mut self.opts.fields);
        let code = match self.easy_mut() {
            Some(easy) => fields.apply(easy),
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        };
        self.opts.fields = fields;
        code
    }

    fn handler(&mut self) -> Option<&mut CHandler> {
        self.easy_mut()?.handler_mut::<CHandler>()
    }

    /// Sets the method and body from the options that decide them
    /// (UPLOAD, NOBODY, POST, POSTFIELDS, HTTPGET, CUSTOMREQUEST), which
    /// libcurl lets the program give in any order. The program's
    /// POSTFIELDS buffer is not read here: its size may come later.
    fn apply_request(&mut self) {
        let o = &self.opts;
        let fields = !matches!(o.postfields, PostFields::None);
        // A size set after the copy still says how much of it is sent.
        let copied = match &o.postfields {
            PostFields::Copied(data) => {
                let len = o
                    .postfieldsize
                    .map_or(data.len(), |n| (n as usize).min(data.len()));
                Some(data[..len].to_vec())
            }
            _ => None,
        };
        let method = match (&o.custom, o.upload, o.nobody, o.post || fields) {
            (Some(custom), ..) => custom.clone(),
            (None, true, ..) => Method::PUT,
            (None, false, true, _) => Method::HEAD,
            (None, false, false, true) => Method::POST,
            _ => Method::GET,
        };
        let (upload, infilesize) = (o.upload, o.infilesize);
        let Some(easy) = self.easy_mut() else { return };
        easy.method(method);
        match (upload, copied) {
            (true, _) => {
                easy.body_from_handler(infilesize);
            }
            (false, Some(data)) => {
                easy.body(data);
            }
            // A POSTFIELDS buffer is read when the transfer starts.
            (false, None) if fields => {}
            (false, None) => {
                easy.no_body();
            }
        }
    }

    /// A transfer starts: the last one's failure is forgotten, and a
    /// POSTFIELDS buffer is read now, as libcurl reads it while the transfer
    /// runs (its size, or up to its NUL).
    pub fn start(&mut self) {
        if let Some(c) = self.handler() {
            c.http_failed = false;
        }
        let PostFields::Borrowed(fields) = self.opts.postfields else {
            return;
        };
        if self.opts.upload {
            return;
        }
        let len = match self.opts.postfieldsize {
            Some(n) => n as usize,
            // SAFETY: without a size POSTFIELDS is a C string.
            None => unsafe { libc::strlen(fields.cast()) },
        };
        // SAFETY: the program's buffer holds `len` bytes (its size, or the
        // string's length) while the transfer runs, as libcurl requires.
        let data = unsafe { std::slice::from_raw_parts(fields.cast::<u8>(), len) }.to_vec();
        if let Some(easy) = self.easy_mut() {
            easy.body(data);
        }
    }

    /// The `CURLcode` of a finished transfer (its message goes to the
    /// ERRORBUFFER): 22 when FAILONERROR stopped it, as libcurl answers.
    pub fn finish(&mut self, result: &Result<(), starling::Error>) -> CurlCode {
        let failed_status = match self.easy_mut() {
            Some(easy) => {
                let failed = easy.handler_ref::<CHandler>().is_some_and(|c| c.http_failed);
                failed.then(|| easy.info().status.map_or(0, |s| s.as_u16()))
            }
            None => None,
        };
        if let Some(status) = failed_status {
            self.set_error(&format!("The requested URL returned error: {status}"));
            return CURLE_HTTP_RETURNED_ERROR;
        }
        match result {
            Ok(()) => CURLE_OK,
            Err(e) => {
                self.set_error(e.message());
                code_of(e.kind())
            }
        }
    }

    /// Writes a failed transfer's message into the ERRORBUFFER, if set.
    pub fn set_error(&mut self, message: &str) {
        if self.opts.error_buffer.is_null() {
            return;
        }
        // libcurl's CURL_ERROR_SIZE.
        let n = message.len().min(255);
        // SAFETY: the program gave a buffer of at least CURL_ERROR_SIZE bytes.
        unsafe {
            ptr::copy_nonoverlapping(message.as_ptr(), self.opts.error_buffer.cast(), n);
            *self.opts.error_buffer.add(n) = 0;
        }
    }
}

/// The options a C handle keeps beside the engine's handle: those libcurl
/// lets a program set in any order and that become engine settings only
/// together, and the program's own pointers.
#[derive(Clone)]
struct Kept {
    private: *mut c_void,
    error_buffer: *mut c_char,
    /// Upload settings, applied together whatever their order.
    upload: bool,
    infilesize: Option<u64>,
    /// POSTFIELDS or COPYPOSTFIELDS, with POSTFIELDSIZE.
    postfields: PostFields,
    postfieldsize: Option<u64>,
    /// POST set (a POST even without POSTFIELDS).
    post: bool,
    /// NOBODY set: a HEAD.
    nobody: bool,
    /// CUSTOMREQUEST: the method sent whatever the other options imply.
    custom: Option<Method>,
    low_speed: (c_long, c_long),
    /// The options that make request header fields (HTTPHEADER,
    /// USERAGENT, COOKIE, …), kept apart and combined on each change.
    fields: RequestFields,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            private: ptr::null_mut(),
            error_buffer: ptr::null_mut(),
            upload: false,
            infilesize: None,
            postfields: PostFields::None,
            postfieldsize: None,
            post: false,
            nobody: false,
            custom: None,
            low_speed: (0, 0),
            fields: RequestFields::default(),
        }
    }
}

/// A POSTFIELDS body.
#[derive(Clone)]
enum PostFields {
    None,
    /// The program's buffer (POSTFIELDS), read when a transfer starts.
    Borrowed(*const c_void),
    /// COPYPOSTFIELDS' copy.
    Copied(Vec<u8>),
}

/// The handle behind a `CURL *`, or None for NULL.
///
/// # Safety
/// `handle` is NULL or a live handle from `curl_easy_init`.
pub unsafe fn easy_ref<'a>(handle: *mut c_void) -> Option<&'a mut CEasy> {
    // SAFETY: by the caller's contract.
    unsafe { handle.cast::<CEasy>().as_mut() }.filter(|h| h.magic == EASY_MAGIC)
}

/// Marks a live easy handle.
const EASY_MAGIC: u32 = 0x5354_4c45;

/// A new easy handle.
#[no_mangle]
pub extern "C" fn curl_easy_init() -> *mut c_void {
    guard(ptr::null_mut(), || {
        into_handle(CEasy {
            magic: EASY_MAGIC,
            easy: Some(Easy::new("")),
            link: None,
            info_string: None,
            opts: Kept::default(),
            driver: None,
        })
    })
}

/// Boxes a handle for the program and gives its engine handle the C
/// callbacks (a fresh set unless it has some) and the tag that finds it
/// again inside them.
fn into_handle(h: CEasy) -> *mut c_void {
    let raw = Box::into_raw(Box::new(h));
    // SAFETY: just made from a box; nothing else refers to it yet.
    let h = unsafe { &mut *raw };
    h.retag();
    raw.cast()
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
        if unsafe { easy_ref(handle) }.is_none() {
            return;
        }
        // SAFETY: a live handle made by `curl_easy_init` (checked above).
        let mut boxed = unsafe { Box::from_raw(handle.cast::<CEasy>()) };
        // A stale pointer used after this is refused, not obeyed.
        boxed.magic = 0;
        if let Some(link) = boxed.link.take() {
            // SAFETY: a link is kept only while the handle is in that live
            // multi handle.
            boxed.easy = unsafe { link.multi() }.remove(link.id(), handle);
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
        let secs = |v: c_long| Duration::from_secs(v.max(0) as u64);
        let millis = |v: c_long| Duration::from_millis(v.max(0) as u64);
        match option {
            UPLOAD => h.opts.upload = value != 0,
            INFILESIZE => h.opts.infilesize = (value >= 0).then_some(value as u64),
            POSTFIELDSIZE => h.opts.postfieldsize = (value >= 0).then_some(value as u64),
            NOBODY => h.opts.nobody = value != 0,
            POST => h.opts.post = value != 0,
            // A GET drops the POST body and the rest, as libcurl's does.
            HTTPGET if value != 0 => {
                let o = &mut h.opts;
                (o.postfields, o.post, o.nobody, o.upload) = (PostFields::None, false, false, false);
            }
            LOW_SPEED_LIMIT => h.opts.low_speed.0 = value,
            LOW_SPEED_TIME => h.opts.low_speed.1 = value,
            _ => {}
        }
        match option {
            RESUME_FROM => {
                h.opts.fields.resume_from = (value > 0).then_some(value as u64);
                return h.apply_fields();
            }
            HTTPAUTH => {
                // Of libcurl's methods only Basic is built in.
                if value as u64 & AUTH_BASIC == 0 {
                    return CURLE_NOT_BUILT_IN;
                }
                h.opts.fields.auth = value as u64;
                return h.apply_fields();
            }
            _ => {}
        }
        let low_speed = h.opts.low_speed;
        if matches!(
            option,
            UPLOAD | INFILESIZE | POSTFIELDSIZE | NOBODY | POST | HTTPGET
        ) {
            h.apply_request();
            return CURLE_OK;
        }
        let Some(easy) = h.easy_mut() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        match option {
            LOW_SPEED_LIMIT | LOW_SPEED_TIME => {
                easy.low_speed_limit(low_speed.0.max(0) as u64, secs(low_speed.1));
            }
            NOPROGRESS => {
                easy.progress(value == 0);
            }
            MAXFILESIZE => {
                easy.max_filesize((value > 0).then_some(value as u64));
            }
            FAILONERROR => match easy.handler_mut::<CHandler>() {
                Some(c) => c.fail_on_error = value != 0,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            HEADER => match easy.handler_mut::<CHandler>() {
                Some(c) => c.head_in_body = value != 0,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            FOLLOWLOCATION => {
                easy.follow_location(value != 0);
            }
            TRANSFER_ENCODING => {
                easy.transfer_encoding(value != 0);
            }
            MAXREDIRS => {
                easy.max_redirects(if value < 0 { u32::MAX } else { value as u32 });
            }
            // Zero (or less) means "no limit" for the total and "the
            // default" for the connect, in libcurl and in the engine.
            TIMEOUT => {
                easy.timeout(secs(value));
            }
            TIMEOUT_MS => {
                easy.timeout(millis(value));
            }
            CONNECTTIMEOUT => {
                easy.connect_timeout(secs(value));
            }
            CONNECTTIMEOUT_MS => {
                easy.connect_timeout(millis(value));
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
            FRESH_CONNECT => {
                easy.fresh_connect(value != 0);
            }
            // CURL_IPRESOLVE_WHATEVER, _V4 and _V6.
            IPRESOLVE => match value {
                0 => {
                    easy.ip_resolve(starling::IpResolve::Whatever);
                }
                1 => {
                    easy.ip_resolve(starling::IpResolve::V4);
                }
                2 => {
                    easy.ip_resolve(starling::IpResolve::V6);
                }
                _ => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            // Accepted as in libcurl, with nothing to do in Starling: no
            // signals are used, TCP_NODELAY is always on, buffers are
            // sized by the engine.
            VERBOSE => {
                easy.verbose(value != 0);
            }
            NOSIGNAL | BUFFERSIZE | HTTP_VERSION | TCP_NODELAY | PIPEWAIT => {}
            _ => return unimplemented_easy_option(option),
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
            PRIVATE => h.opts.private = value,
            ERRORBUFFER => h.opts.error_buffer = value.cast(),
            WRITEDATA => match h.handler() {
                Some(c) => c.write_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            HEADERDATA => match h.handler() {
                Some(c) => c.header_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            READDATA => match h.handler() {
                Some(c) => c.read_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            XFERINFODATA => match h.handler() {
                Some(c) => c.progress_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            DEBUGDATA => match h.handler() {
                Some(c) => c.debug_data = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            STDERR => match h.handler() {
                Some(c) => c.stderr_file = value,
                None => return CURLE_BAD_FUNCTION_ARGUMENT,
            },
            POSTFIELDS => {
                h.opts.postfields = match value.is_null() {
                    true => PostFields::None,
                    false => PostFields::Borrowed(value),
                };
                h.apply_request();
            }
            COPYPOSTFIELDS => {
                // Copied now: with the size set before, else up to the NUL.
                h.opts.postfields = match value.is_null() {
                    true => PostFields::None,
                    false => {
                        let len = match h.opts.postfieldsize {
                            Some(n) => n as usize,
                            // SAFETY: without a size it is a C string.
                            None => unsafe { libc::strlen(value.cast()) },
                        };
                        // SAFETY: the program's buffer holds `len` bytes.
                        let data = unsafe { std::slice::from_raw_parts(value.cast::<u8>(), len) };
                        PostFields::Copied(data.to_vec())
                    }
                };
                h.apply_request();
            }
            USERAGENT | REFERER | COOKIE | RANGE | USERNAME | PASSWORD => {
                // SAFETY: these options take a C string (or NULL).
                let text = unsafe { string(value) };
                let f = &mut h.opts.fields;
                match option {
                    USERAGENT => f.user_agent = text,
                    REFERER => f.referer = text,
                    COOKIE => f.cookie = text,
                    RANGE => f.range = text,
                    USERNAME => f.user = text,
                    _ => f.password = text,
                }
                return h.apply_fields();
            }
            CUSTOMREQUEST => {
                // SAFETY: CUSTOMREQUEST takes a C string (or NULL: the
                // method the other options imply).
                h.opts.custom = match unsafe { string(value) } {
                    Some(name) => match Method::from_bytes(name.as_bytes()) {
                        Ok(m) => Some(m),
                        Err(_) => return CURLE_BAD_FUNCTION_ARGUMENT,
                    },
                    None => None,
                };
                h.apply_request();
            }
            USERPWD => {
                // SAFETY: USERPWD takes a C string (or NULL).
                let text = unsafe { string(value) };
                let (user, password) = match text.as_deref().map(|t| t.split_once(':')) {
                    Some(Some((u, p))) => (Some(u.to_string()), Some(p.to_string())),
                    Some(None) => (text, None),
                    None => (None, None),
                };
                (h.opts.fields.user, h.opts.fields.password) = (user, password);
                return h.apply_fields();
            }
            HTTPHEADER => {
                // SAFETY: HTTPHEADER takes a curl_slist (or NULL).
                let lines = unsafe { strings(value.cast::<CurlSlist>()) };
                h.opts.fields.list = lines
                    .iter()
                    .filter_map(|line| line.split_once(':'))
                    .map(|(name, v)| (name.trim().to_string(), v.trim().to_string()))
                    .collect();
                return h.apply_fields();
            }
            CONNECT_TO => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                // SAFETY: CONNECT_TO takes a curl_slist (or NULL, which
                // clears the list).
                let entries = unsafe { strings(value.cast::<CurlSlist>()) };
                // libcurl's setopt keeps the list as given and reads an
                // entry when a request meets it: perform fails with
                // CURLE_SETOPT_OPTION_SYNTAX on a malformed entry that
                // applies, and one that cannot be read never applies.
                easy.connect_to_as_libcurl(entries);
            }
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
                    (ACCEPT_ENCODING, text) => {
                        easy.accept_encoding(text.as_deref());
                    }
                    (CAINFO, Some(path)) => {
                        easy.cainfo(path);
                    }
                    (CAPATH, Some(path)) => {
                        easy.capath(path);
                    }
                    (DEFAULT_PROTOCOL, text) => {
                        easy.default_protocol(text.as_deref());
                    }
                    (RESOLVE, _) => {
                        // SAFETY: RESOLVE takes a curl_slist (or NULL).
                        for entry in unsafe { strings(value.cast::<CurlSlist>()) } {
                            // `-HOST:PORT` removes an entry in libcurl; a
                            // handle's overrides only ever grow here.
                            if entry.starts_with('-') {
                                continue;
                            }
                            if easy.resolve_str(entry.trim_start_matches('+')).is_err() {
                                return CURLE_BAD_FUNCTION_ARGUMENT;
                            }
                        }
                    }
                    _ => return unimplemented_easy_option(option),
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
        let Some(c) = h.handler() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        type Raw = unsafe extern "C" fn();
        // SAFETY (each transmute): the option's number says which function
        // type the program passed, as libcurl's contract has it.
        unsafe {
            match option {
                WRITEFUNCTION => c.write = value.map(|f| std::mem::transmute::<Raw, WriteFn>(f)),
                HEADERFUNCTION => c.header = value.map(|f| std::mem::transmute::<Raw, WriteFn>(f)),
                READFUNCTION => c.read = value.map(|f| std::mem::transmute::<Raw, ReadFn>(f)),
                XFERINFOFUNCTION => c.xferinfo = value.map(|f| std::mem::transmute::<Raw, XferInfoFn>(f)),
                PROGRESSFUNCTION => c.progress = value.map(|f| std::mem::transmute::<Raw, ProgressFn>(f)),
                DEBUGFUNCTION => c.debug = value.map(|f| std::mem::transmute::<Raw, DebugFn>(f)),
                _ => return unimplemented_easy_option(option),
            }
        }
        CURLE_OK
    })
}

/// Typed `curl_easy_setopt` for curl_off_t options.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_setopt_off(handle: *mut c_void, option: i32, value: i64) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let size = (value >= 0).then_some(value as u64);
        match option {
            RESUME_FROM_LARGE => {
                h.opts.fields.resume_from = size;
                return h.apply_fields();
            }
            INFILESIZE_LARGE => h.opts.infilesize = size,
            POSTFIELDSIZE_LARGE => h.opts.postfieldsize = size,
            MAXFILESIZE_LARGE => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.max_filesize(size.filter(|&n| n > 0));
                return CURLE_OK;
            }
            _ => return unimplemented_easy_option(option),
        }
        h.apply_request();
        CURLE_OK
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
        let private = h.opts.private;
        if info == INFO_PRIVATE {
            // Kept by the C handle itself: answered inside callbacks too.
            // SAFETY: CURLINFO_PRIVATE's out parameter is a `char **`.
            unsafe { *out.cast::<*mut c_void>() = private };
            return CURLE_OK;
        }
        let owner = h.owner_tag();
        let mut strings = h.info_string.take();
        let code = match h.easy_mut() {
            // SAFETY: `out` points to the info's type (the caller's contract).
            Some(easy) => unsafe { answer(easy.info(), easy.effective_url(), None, info, out, &mut strings) },
            // Inside one of this handle's own callbacks the engine lends
            // the transfer's facts.
            None => starling::with_current(|current| match current.filter(|c| c.private() == Some(owner)) {
                // SAFETY: as above.
                Some(c) => unsafe {
                    answer(
                        c.info(),
                        c.effective_url(),
                        Some(c.elapsed()),
                        info,
                        out,
                        &mut strings,
                    )
                },
                None => CURLE_BAD_FUNCTION_ARGUMENT,
            }),
        };
        h.info_string = strings;
        code
    })
}

/// Writes one info of a transfer to `out`; a string goes to `strings`,
/// where it lives until the next call, as libcurl's do. `running`: the
/// time so far of a transfer still running (its total time until then).
///
/// # Safety
/// `out` points to the type the info number says.
unsafe fn answer(
    i: &TransferInfo,
    url: &str,
    running: Option<Duration>,
    info: i32,
    out: *mut c_void,
    strings: &mut Option<CString>,
) -> CurlCode {
    let status = i.status.map_or(0, |s| s.as_u16() as c_long);
    let t = i.timings;
    let total = running.unwrap_or(t.total);
    let size = i.body_bytes_delivered as i64;
    let speed = (size as f64 / total.as_secs_f64().max(1e-9)) as i64;
    let uploaded = i.body_bytes_sent as i64;
    let upload_speed = (uploaded as f64 / total.as_secs_f64().max(1e-9)) as i64;
    let https = url.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    // libcurl's CURL_HTTP_VERSION_1_0 and _1_1.
    let version = match i.version {
        Some(v) if v == starling::Version::HTTP_10 => 1,
        Some(_) => 2,
        None => 0,
    };
    // Retry-After in seconds (its HTTP-date form is not read).
    let retry_after = i
        .headers
        .get_str("retry-after")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let length = i.content_length.map_or(-1, |n| n as i64);
    let (remote, local) = (i.remote_addr, i.local_addr);
    let secs = |d: Duration| d.as_secs_f64();
    let micros = |d: Duration| d.as_micros() as i64;
    // SAFETY (all writes): `out` points to the info's type, by the
    // caller's contract.
    unsafe {
        match info {
            INFO_RESPONSE_CODE => *out.cast::<c_long>() = status,
            INFO_REDIRECT_COUNT => *out.cast::<c_long>() = i.redirect_count as c_long,
            INFO_TOTAL_TIME => *out.cast::<f64>() = secs(total),
            INFO_TOTAL_TIME_T => *out.cast::<i64>() = micros(total),
            INFO_SIZE_DOWNLOAD_T => *out.cast::<i64>() = size,
            INFO_NAMELOOKUP_TIME => *out.cast::<f64>() = secs(t.namelookup),
            INFO_CONNECT_TIME => *out.cast::<f64>() = secs(t.connect),
            INFO_APPCONNECT_TIME => *out.cast::<f64>() = secs(t.appconnect),
            INFO_PRETRANSFER_TIME => *out.cast::<f64>() = secs(t.pretransfer),
            INFO_STARTTRANSFER_TIME => *out.cast::<f64>() = secs(t.starttransfer),
            INFO_NAMELOOKUP_TIME_T => *out.cast::<i64>() = micros(t.namelookup),
            INFO_CONNECT_TIME_T => *out.cast::<i64>() = micros(t.connect),
            INFO_APPCONNECT_TIME_T => *out.cast::<i64>() = micros(t.appconnect),
            INFO_PRETRANSFER_TIME_T => *out.cast::<i64>() = micros(t.pretransfer),
            INFO_STARTTRANSFER_TIME_T => *out.cast::<i64>() = micros(t.starttransfer),
            INFO_SIZE_DOWNLOAD => *out.cast::<f64>() = size as f64,
            INFO_SPEED_DOWNLOAD => *out.cast::<f64>() = speed as f64,
            INFO_SPEED_DOWNLOAD_T => *out.cast::<i64>() = speed,
            INFO_CONTENT_LENGTH_DOWNLOAD => *out.cast::<f64>() = length as f64,
            INFO_CONTENT_LENGTH_DOWNLOAD_T => *out.cast::<i64>() = length,
            INFO_NUM_CONNECTS => *out.cast::<c_long>() = i.new_connections as c_long,
            INFO_SIZE_UPLOAD => *out.cast::<f64>() = uploaded as f64,
            INFO_SIZE_UPLOAD_T => *out.cast::<i64>() = uploaded,
            INFO_SPEED_UPLOAD => *out.cast::<f64>() = upload_speed as f64,
            INFO_SPEED_UPLOAD_T => *out.cast::<i64>() = upload_speed,
            INFO_HEADER_SIZE => *out.cast::<c_long>() = i.header_bytes_received as c_long,
            INFO_REQUEST_SIZE => *out.cast::<c_long>() = (i.request_bytes_sent + i.body_bytes_sent) as c_long,
            // No proxy, so no CONNECT.
            INFO_HTTP_CONNECTCODE => *out.cast::<c_long>() = 0,
            INFO_HTTP_VERSION => *out.cast::<c_long>() = version,
            // CURLPROTO_HTTPS and CURLPROTO_HTTP.
            INFO_PROTOCOL => *out.cast::<c_long>() = if https { 2 } else { 1 },
            INFO_RETRY_AFTER => *out.cast::<i64>() = retry_after,
            INFO_PRIMARY_PORT => *out.cast::<c_long>() = remote.map_or(0, |a| a.port() as c_long),
            INFO_LOCAL_PORT => *out.cast::<c_long>() = local.map_or(0, |a| a.port() as c_long),
            INFO_EFFECTIVE_URL | INFO_PRIMARY_IP | INFO_LOCAL_IP | INFO_CONTENT_TYPE | INFO_SCHEME => {
                let text = match info {
                    INFO_EFFECTIVE_URL => Some(url.to_string()),
                    // As libcurl 7.88 names it.
                    INFO_SCHEME => Some(if https { "HTTPS" } else { "HTTP" }.to_string()),
                    INFO_PRIMARY_IP => remote.map(|a| a.ip().to_string()),
                    INFO_LOCAL_IP => local.map(|a| a.ip().to_string()),
                    _ => i.headers.get_str("content-type").map(str::to_owned),
                };
                // libcurl answers NULL for a content type it has not got.
                let s = text.and_then(|t| CString::new(t).ok());
                *out.cast::<*const c_char>() = s.as_ref().map_or(ptr::null(), |s| s.as_ptr());
                *strings = s;
            }
            _ => return CURLE_UNKNOWN_OPTION,
        }
    }
    CURLE_OK
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
        h.start();
        let Some(easy) = h.easy.take() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let mut driver = match h.driver.take() {
            Some(driver) => driver,
            None => match Blocking::with_new_multi() {
                Ok(driver) => Box::new(driver),
                Err(e) => {
                    h.easy = Some(easy);
                    h.set_error(&format!("cannot create a poller: {e}"));
                    return CURLE_OUT_OF_MEMORY;
                }
            },
        };
        // The handle is not touched while the transfer runs: its callbacks
        // may reach it.
        let (easy, result) = driver.perform_one(easy);
        // SAFETY: the same live handle.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        h.driver = Some(driver);
        h.easy = Some(easy);
        h.finish(&result)
    })
}

/// Pauses or resumes a transfer (`CURLPAUSE_RECV` 1, `CURLPAUSE_SEND` 4);
/// from inside a callback it applies when the engine returns.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_pause(handle: *mut c_void, bitmask: c_int) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let pause = starling::Pause {
            recv: bitmask & 1 != 0,
            send: bitmask & 4 != 0,
        };
        if let Some(link) = h.link {
            // SAFETY: a link is kept only while the handle is in that live
            // multi handle.
            unsafe { link.multi() }.pause(link.id(), pause);
        }
        CURLE_OK
    })
}

/// Sets every option back to its default (`curl_easy_reset`); the handle
/// stays usable. A handle inside a multi handle is left as it is.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_reset(handle: *mut c_void) {
    guard((), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return;
        };
        if h.easy.is_none() {
            return;
        }
        h.easy = Some(Easy::new(""));
        h.retag();
        h.opts = Kept::default();
    })
}

/// A new handle with the same options as `handle` (`curl_easy_duphandle`);
/// NULL for a NULL handle or one whose transfer is running.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_duphandle(handle: *mut c_void) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return ptr::null_mut();
        };
        let opts = h.opts.clone();
        let Some(easy) = h.easy_mut() else {
            return ptr::null_mut();
        };
        let callbacks = easy.handler_ref::<CHandler>().cloned().unwrap_or_default();
        // As libcurl: the copy starts with no results (and its first start
        // forgets any failure the callbacks' state recorded).
        let copy = easy.duplicate(callbacks);
        into_handle(CEasy {
            magic: EASY_MAGIC,
            easy: Some(copy),
            link: None,
            info_string: None,
            opts,
            driver: None,
        })
    })
}
