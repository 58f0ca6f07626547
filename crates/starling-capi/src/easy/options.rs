//! Setting options: the typed forms of `curl_easy_setopt` that the C shim
//! calls, one per argument type (long, pointer, function, curl_off_t).

use std::ffi::{c_long, c_void, CStr};
use std::time::Duration;

use starling::http1::HeaderEntry;
use starling::{AuthMethods, Method, NetrcMode, ProxyKind, ProxySetting};

use super::{easy_ref, PostFields};
use crate::codes::*;
use crate::fields::Listed;
use crate::guard;
use crate::handler::{CHandler, DebugFn, PrereqFn, ProgressFn, ReadFn, SeekFn, WriteFn, XferInfoFn};
use crate::known::{not_built_in_message, unimplemented_easy_option, Given};
use crate::protocols;
use crate::slist::{strings, CurlSlist};
use crate::socket_hooks::{CloseFn, OpenFn, SockoptFn};

use super::option_ids::*;

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

/// Puts the reason for a `CURLE_NOT_BUILT_IN` answer into the handle's
/// error buffer (called by the C shim after any setopt that answered so).
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn starling_easy_explain_not_built_in(handle: *mut c_void, option: i32) {
    guard((), || {
        // SAFETY: by the caller's contract.
        if let Some(h) = unsafe { easy_ref(handle) } {
            h.set_error(&not_built_in_message(option));
        }
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
            // libcurl takes up to 2 (2 asks for a WebSocket upgrade: for
            // http:// the whole transfer), stored in a byte.
            CONNECT_ONLY if value > 2 => return CURLE_BAD_FUNCTION_ARGUMENT,
            CONNECT_ONLY => h.opts.connect_only = value as u8,
            FRESH_CONNECT => h.opts.fresh_connect = value != 0,
            WS_OPTIONS => {
                h.opts.ws_options = value;
                return CURLE_OK;
            }
            UPKEEP_INTERVAL_MS if value < 0 => return CURLE_BAD_FUNCTION_ARGUMENT,
            UPKEEP_INTERVAL_MS => {
                h.opts.upkeep_interval_ms = value;
                return CURLE_OK;
            }
            _ => {}
        }
        match option {
            HTTPPROXYTUNNEL => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.proxy_tunnel(value != 0);
                return CURLE_OK;
            }
            PROXYPORT if !(0..=65_535).contains(&value) => return CURLE_BAD_FUNCTION_ARGUMENT,
            PROXYPORT => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.proxy_port(value as u16);
                return CURLE_OK;
            }
            // libcurl 7.88's kinds; any other number is refused, as
            // libcurl refuses it.
            PROXYTYPE => {
                let kind = match value {
                    // CURLPROXY_HTTP, CURLPROXY_HTTP_1_0 (an HTTP proxy).
                    0 | 1 => ProxyKind::Http,
                    2 => ProxyKind::Https,
                    4 => ProxyKind::Socks4,
                    5 => ProxyKind::Socks5,
                    6 => ProxyKind::Socks4a,
                    7 => ProxyKind::Socks5Hostname,
                    // Between HTTPS and SOCKS4: no kind in libcurl 7.88
                    // (8.x's HTTPS2), accepted there and meaningless.
                    3 => return CURLE_NOT_BUILT_IN,
                    _ => return CURLE_BAD_FUNCTION_ARGUMENT,
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.proxy_type(kind);
                return CURLE_OK;
            }
            RESUME_FROM => {
                h.opts.fields.resume_from = (value > 0).then_some(value as u64);
                return h.apply_fields();
            }
            MIME_OPTIONS => {
                h.opts.mime.options = value;
                return CURLE_OK;
            }
            FILETIME => {
                h.opts.filetime = value != 0;
                return CURLE_OK;
            }
            // CURLHSTS_ENABLE turns the cache on (off: it is dropped),
            // CURLHSTS_READONLYFILE keeps its file unwritten.
            HSTS_CTRL => {
                let hsts = &mut h.opts.hsts;
                hsts.read_only = value & 2 != 0;
                if value & 1 == 0 {
                    hsts.cache = None;
                }
                let cache = (value & 1 != 0).then(|| hsts.cache());
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.hsts(cache);
                return CURLE_OK;
            }
            // The CURLALTSVC_* bits: the versions alternatives may use
            // (Starling speaks HTTP/1.1 only), CURLALTSVC_READONLYFILE. 0
            // is refused, as libcurl refuses it.
            ALTSVC_CTRL if value == 0 => return CURLE_BAD_FUNCTION_ARGUMENT,
            ALTSVC_CTRL => {
                let alt = &mut h.opts.alt_svc;
                alt.read_only = value & 4 != 0;
                let cache = alt.cache();
                if let Ok(mut c) = cache.lock() {
                    c.set_versions(value as u8 & 8);
                }
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.alt_svc(Some(cache));
                return CURLE_OK;
            }
            // CURL_TIMECOND_NONE to _LASTMOD; libcurl refuses the others.
            TIMECONDITION if !(0..=3).contains(&value) => return CURLE_BAD_FUNCTION_ARGUMENT,
            TIMECONDITION => {
                h.opts.time_condition.0 = value;
                return h.apply_time_condition();
            }
            TIMEVALUE => {
                // A `long` is narrower than 64 bits on some targets.
                #[allow(clippy::useless_conversion)]
                let time = i64::from(value);
                h.opts.time_condition.1 = time;
                return h.apply_time_condition();
            }
            TCP_NODELAY | TCP_KEEPALIVE | TCP_KEEPIDLE | TCP_KEEPINTVL | LOCALPORT | LOCALPORTRANGE => {
                let tcp = &mut h.opts.tcp;
                match option {
                    TCP_NODELAY => tcp.nodelay = value != 0,
                    TCP_KEEPALIVE => tcp.keepalive = value != 0,
                    // libcurl takes 0 to 65535 for both (a range of 0 as 1).
                    LOCALPORT | LOCALPORTRANGE => match u16::try_from(value) {
                        Ok(v) if option == LOCALPORT => tcp.local_port = v,
                        Ok(v) => tcp.port_range = v.max(1),
                        Err(_) => return CURLE_BAD_FUNCTION_ARGUMENT,
                    },
                    // libcurl refuses a negative time and caps a huge one.
                    _ if value < 0 => return CURLE_BAD_FUNCTION_ARGUMENT,
                    TCP_KEEPIDLE => tcp.idle = value.min(c_long::from(i32::MAX)),
                    _ => tcp.interval = value.min(c_long::from(i32::MAX)),
                }
                let options = tcp.options();
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.socket_options(options);
                return CURLE_OK;
            }
            COOKIESESSION => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.cookie_session(value != 0);
                return CURLE_OK;
            }
            SOCKS5_AUTH => {
                // CURLAUTH_BASIC and CURLAUTH_GSSAPI (not built in, so
                // never offered); any other bit is libcurl's "not built in".
                if value as u64 & !(1 | 4) != 0 {
                    return CURLE_NOT_BUILT_IN;
                }
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.socks5_basic_auth(value & 1 != 0);
                return CURLE_OK;
            }
            NETRC => {
                let mode = match value {
                    0 => NetrcMode::Ignored,
                    1 => NetrcMode::Optional,
                    2 => NetrcMode::Required,
                    _ => return CURLE_BAD_FUNCTION_ARGUMENT,
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.netrc(mode);
                return CURLE_OK;
            }
            HEADEROPT => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                // CURLHEADER_SEPARATE is bit 0; unified without it.
                easy.unified_headers(value & 1 == 0);
                return CURLE_OK;
            }
            HTTPAUTH | PROXYAUTH | UNRESTRICTED_AUTH => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                // libcurl's bits are an unsigned long; those above 31 name
                // no method.
                let methods = AuthMethods::from_bits(value as u64 as u32);
                let set = match option {
                    HTTPAUTH => easy.http_auth(methods).map(drop),
                    PROXYAUTH => easy.proxy_auth(methods).map(drop),
                    _ => {
                        easy.unrestricted_auth(value != 0);
                        Ok(())
                    }
                };
                // No method left that Starling speaks: libcurl's answer.
                return match set {
                    Ok(()) => CURLE_OK,
                    Err(_) => CURLE_NOT_BUILT_IN,
                };
            }
            _ => {}
        }
        let (low_speed, connect_only, fresh_connect) =
            (h.opts.low_speed, h.opts.connect_only, h.opts.fresh_connect);
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
            PROXY_SSL_VERIFYPEER => {
                easy.proxy_verify_peer(value != 0);
            }
            PROXY_SSL_VERIFYHOST => {
                easy.proxy_verify_host(value != 0);
            }
            FORBID_REUSE => {
                easy.forbid_reuse(value != 0);
            }
            // With CONNECT_ONLY set at all, libcurl reuses no connection.
            // 2 on a ws:// URL: the transfer ends once upgraded.
            FRESH_CONNECT | CONNECT_ONLY => {
                easy.connect_only(connect_only == 1);
                easy.upgrade_only(connect_only > 1);
                easy.fresh_connect(fresh_connect || connect_only != 0);
            }
            PROTOCOLS => {
                easy.protocols(protocols::from_mask(value));
            }
            REDIR_PROTOCOLS => {
                easy.redirect_protocols(protocols::from_mask(value));
            }
            // CURL_REDIR_POST_301, _302 and _303; other bits are ignored,
            // as libcurl ignores them.
            POSTREDIR if value < 0 => return CURLE_BAD_FUNCTION_ARGUMENT,
            POSTREDIR => {
                easy.keep_post(starling::KeepPost {
                    on_301: value & 1 != 0,
                    on_302: value & 2 != 0,
                    on_303: value & 4 != 0,
                });
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
            // signals are used, buffers are sized by the engine.
            VERBOSE => {
                easy.verbose(value != 0);
            }
            // QUICK_EXIT asks libcurl not to wait for its resolver threads
            // at cleanup; Starling never waits for them.
            NOSIGNAL | BUFFERSIZE | QUICK_EXIT => {}
            PIPEWAIT => {
                easy.pipewait(value != 0);
            }
            // libcurl's CURL_HTTP_VERSION_*: 1_0 and 1_1 speak HTTP/1.1
            // (Starling sends no HTTP/1.0 requests); NONE (the default, as
            // in a libcurl built with HTTP/2), 2_0 and 2TLS offer h2 in
            // ALPN; 2_PRIOR_KNOWLEDGE speaks HTTP/2 at once;
            // 3, 3ONLY and
            // any other fail as in a libcurl built without HTTP/3.
            HTTP_VERSION => {
                let version = match value {
                    1 | 2 => starling::HttpVersion::Http11,
                    0 | 3 | 4 => starling::HttpVersion::Http2,
                    5 => starling::HttpVersion::Http2PriorKnowledge,
                    v if v < 0 => return CURLE_BAD_FUNCTION_ARGUMENT,
                    _ => return CURLE_UNSUPPORTED_PROTOCOL,
                };
                easy.http_version(version);
            }
            _ => {
                return super::tls::setopt_long(h, option, value)
                    .unwrap_or_else(|| unimplemented_easy_option(option, Given::Long(value)))
            }
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
        // SAFETY: the option's number says what `value` is.
        if let Some(code) = unsafe { super::tls::setopt_ptr(h, option, value) } {
            return code;
        }
        match option {
            PRIVATE => h.opts.private = value,
            SHARE => h.set_share(value),
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
            SEEKDATA => match h.handler() {
                Some(c) => c.seek_data = value,
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
            OPENSOCKETDATA | SOCKOPTDATA | CLOSESOCKETDATA => {
                let sockets = &mut h.opts.sockets;
                match option {
                    OPENSOCKETDATA => sockets.open_data = value,
                    SOCKOPTDATA => sockets.sockopt_data = value,
                    _ => sockets.close_data = value,
                }
                return h.apply_socket_hooks();
            }
            PREREQDATA => match h.handler() {
                Some(c) => c.prereq_data = value,
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
            // A MIME body makes a POST (its stream is made when a
            // transfer starts); libcurl refuses a mime bound elsewhere.
            MIMEPOST => {
                // SAFETY: MIMEPOST takes a curl_mime (or NULL).
                let code = unsafe { h.opts.mime.set_mime(value.cast()) };
                if code != CURLE_OK {
                    return code;
                }
                h.opts.post = true;
                h.apply_request();
            }
            HTTPPOST => {
                h.opts.mime.set_form(value.cast());
                h.opts.post = true;
                h.apply_request();
            }
            USERAGENT | REFERER | COOKIE | RANGE => {
                // SAFETY: these options take a C string (or NULL).
                let text = unsafe { string(value) };
                let f = &mut h.opts.fields;
                match option {
                    USERAGENT => f.user_agent = text,
                    REFERER => f.referer = text,
                    COOKIE => f.cookie = text,
                    _ => f.range = text,
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
            USERPWD | PROXYUSERPWD => {
                // SAFETY: these options take a C string (or NULL).
                let text = unsafe { string(value) };
                // `user:password`; without a colon, a user alone.
                let (user, password) = match text.as_deref().map(|t| t.split_once(':')) {
                    Some(Some((u, p))) => (Some(u), Some(p)),
                    Some(None) => (text.as_deref(), None),
                    None => (None, None),
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                let (user, password) = (user.map(str::as_bytes), password.map(str::as_bytes));
                match option {
                    USERPWD => easy.username(user).password(password),
                    _ => easy.proxy_username(user).proxy_password(password),
                };
            }
            PROXYHEADER => {
                // SAFETY: PROXYHEADER takes a curl_slist (or NULL).
                let lines = unsafe { strings(value.cast::<CurlSlist>()) };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                let fields = easy.proxy_headers_mut();
                fields.clear();
                for entry in lines.iter().filter_map(|line| HeaderEntry::read(line)) {
                    if fields.append_entry(&entry).is_err() {
                        return CURLE_BAD_FUNCTION_ARGUMENT;
                    }
                }
                return CURLE_OK;
            }
            HTTPHEADER => {
                // SAFETY: HTTPHEADER takes a curl_slist (or NULL).
                let lines = unsafe { strings(value.cast::<CurlSlist>()) };
                h.opts.fields.list = lines.iter().filter_map(|line| Listed::read(line)).collect();
                return h.apply_fields();
            }
            PROTOCOLS_STR | REDIR_PROTOCOLS_STR => {
                // SAFETY: these options take a C string (or NULL).
                let list = (!value.is_null()).then(|| unsafe { CStr::from_ptr(value.cast()) });
                let schemes = match protocols::from_list(list.map(CStr::to_bytes)) {
                    Ok(schemes) => schemes,
                    Err(code) => return code,
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                if option == PROTOCOLS_STR {
                    easy.protocols(schemes);
                } else {
                    easy.redirect_protocols(schemes);
                }
            }
            HSTS => {
                // SAFETY: HSTS takes a C string (or NULL).
                let file = unsafe { string(value) };
                let hsts = &mut h.opts.hsts;
                // A file turns the cache on and is read now; NULL drops
                // both, as libcurl's setopt does.
                let cache = match &file {
                    Some(path) => {
                        hsts.load(path);
                        Some(hsts.cache())
                    }
                    None => {
                        hsts.cache = None;
                        None
                    }
                };
                hsts.file = file;
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.hsts(cache);
            }
            // A file is read now; the cache is on either way (NULL only
            // forgets the file), as libcurl's setopt does.
            ALTSVC => {
                // SAFETY: ALTSVC takes a C string (or NULL).
                let file = unsafe { string(value) };
                let alt = &mut h.opts.alt_svc;
                if let Some(path) = &file {
                    alt.load(path);
                }
                alt.file = file;
                let cache = alt.cache();
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.alt_svc(Some(cache));
            }
            UNIX_SOCKET_PATH | ABSTRACT_UNIX_SOCKET => {
                use std::os::unix::ffi::OsStrExt;
                // SAFETY: both take a C string (or NULL: TCP).
                let name = (!value.is_null()).then(|| unsafe { CStr::from_ptr(value.cast()) }.to_bytes());
                // An abstract socket's name is a path that starts with a
                // NUL byte (Linux's form); libcurl names it as "" in
                // CURLINFO_PRIMARY_IP.
                let path: Option<Vec<u8>> = name.map(|n| match option {
                    ABSTRACT_UNIX_SOCKET => [&[0u8][..], n].concat(),
                    _ => n.to_vec(),
                });
                h.opts.unix_socket = match option {
                    ABSTRACT_UNIX_SOCKET => name.map(|_| String::new()),
                    _ => name.map(|n| String::from_utf8_lossy(n).into_owned()),
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.unix_socket(
                    path.as_deref()
                        .map(|p| std::path::Path::new(std::ffi::OsStr::from_bytes(p))),
                );
            }
            INTERFACE => {
                // SAFETY: INTERFACE takes a C string (or NULL: not bound).
                h.opts.tcp.interface = unsafe { string(value) };
                let options = h.opts.tcp.options();
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.socket_options(options);
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
                    (PROXY_CAINFO, Some(path)) => {
                        easy.proxy_cainfo(path);
                    }
                    (PROXY_CAPATH, Some(path)) => {
                        easy.proxy_capath(path);
                    }
                    (DEFAULT_PROTOCOL, text) => {
                        easy.default_protocol(text.as_deref());
                    }
                    // NULL: the environment's proxy, as by default; "": none.
                    (PROXY, text) => {
                        easy.proxy(match text {
                            None => ProxySetting::Environment,
                            Some(text) if text.is_empty() => ProxySetting::Off,
                            Some(text) => ProxySetting::Url(text),
                        });
                    }
                    (NOPROXY, text) => {
                        easy.noproxy(text.as_deref());
                    }
                    (PRE_PROXY, text) => {
                        easy.pre_proxy(text.as_deref());
                    }
                    (USERNAME, text) => {
                        easy.username(text.as_deref().map(str::as_bytes));
                    }
                    (PASSWORD, text) => {
                        easy.password(text.as_deref().map(str::as_bytes));
                    }
                    (PROXYUSERNAME, text) => {
                        easy.proxy_username(text.as_deref().map(str::as_bytes));
                    }
                    (PROXYPASSWORD, text) => {
                        easy.proxy_password(text.as_deref().map(str::as_bytes));
                    }
                    (XOAUTH2_BEARER, text) => {
                        easy.bearer_token(text.as_deref());
                    }
                    (NETRC_FILE, text) => {
                        easy.netrc_file(text.map(Into::into));
                    }
                    // A file to read at the next transfer; "" only turns
                    // the cookie engine on.
                    (COOKIEFILE, Some(path)) => {
                        if path.is_empty() {
                            if easy.get_cookie_jar().is_none() {
                                easy.cookie_jar(Some(Default::default()));
                            }
                        } else {
                            easy.cookie_file(path);
                        }
                    }
                    (COOKIEFILE, None) => {}
                    (COOKIEJAR, path) => {
                        if easy.get_cookie_jar().is_none() {
                            easy.cookie_jar(Some(Default::default()));
                        }
                        h.opts.cookie_jar_file = path.map(Into::into);
                    }
                    (COOKIELIST, Some(command)) => return cookie_list(h, &command),
                    (COOKIELIST, None) => {}
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
                    _ => {
                        return unimplemented_easy_option(
                            option,
                            Given::Pointer {
                                null: value.is_null(),
                            },
                        )
                    }
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
        type Raw = unsafe extern "C" fn();
        if matches!(option, OPENSOCKETFUNCTION | SOCKOPTFUNCTION | CLOSESOCKETFUNCTION) {
            let sockets = &mut h.opts.sockets;
            // SAFETY (each transmute): the option's number says which
            // function type the program passed.
            unsafe {
                match option {
                    OPENSOCKETFUNCTION => sockets.open = value.map(|f| std::mem::transmute::<Raw, OpenFn>(f)),
                    SOCKOPTFUNCTION => {
                        sockets.sockopt = value.map(|f| std::mem::transmute::<Raw, SockoptFn>(f))
                    }
                    _ => sockets.close = value.map(|f| std::mem::transmute::<Raw, CloseFn>(f)),
                }
            }
            return h.apply_socket_hooks();
        }
        let Some(c) = h.handler() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY (each transmute): the option's number says which function
        // type the program passed, as libcurl's contract has it.
        unsafe {
            match option {
                WRITEFUNCTION => c.write = value.map(|f| std::mem::transmute::<Raw, WriteFn>(f)),
                HEADERFUNCTION => c.header = value.map(|f| std::mem::transmute::<Raw, WriteFn>(f)),
                READFUNCTION => c.read = value.map(|f| std::mem::transmute::<Raw, ReadFn>(f)),
                SEEKFUNCTION => c.seek = value.map(|f| std::mem::transmute::<Raw, SeekFn>(f)),
                XFERINFOFUNCTION => c.xferinfo = value.map(|f| std::mem::transmute::<Raw, XferInfoFn>(f)),
                PROGRESSFUNCTION => c.progress = value.map(|f| std::mem::transmute::<Raw, ProgressFn>(f)),
                DEBUGFUNCTION => c.debug = value.map(|f| std::mem::transmute::<Raw, DebugFn>(f)),
                PREREQFUNCTION => c.prereq = value.map(|f| std::mem::transmute::<Raw, PrereqFn>(f)),
                _ => {
                    return unimplemented_easy_option(
                        option,
                        Given::Pointer {
                            null: value.is_none(),
                        },
                    )
                }
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
            TIMEVALUE_LARGE => {
                h.opts.time_condition.1 = value;
                return h.apply_time_condition();
            }
            INFILESIZE_LARGE => h.opts.infilesize = size,
            POSTFIELDSIZE_LARGE => h.opts.postfieldsize = size,
            MAX_SEND_SPEED_LARGE | MAX_RECV_SPEED_LARGE => {
                let Some(limit) = size else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                if option == MAX_SEND_SPEED_LARGE {
                    easy.max_send_speed(Some(limit));
                } else {
                    easy.max_recv_speed(Some(limit));
                }
                return CURLE_OK;
            }
            MAXFILESIZE_LARGE => {
                let Some(easy) = h.easy_mut() else {
                    return CURLE_BAD_FUNCTION_ARGUMENT;
                };
                easy.max_filesize(size.filter(|&n| n > 0));
                return CURLE_OK;
            }
            _ => return unimplemented_easy_option(option, Given::Off(value)),
        }
        h.apply_request();
        CURLE_OK
    })
}

/// CURLOPT_COOKIELIST: `ALL` forgets every cookie, `SESS` the session
/// ones, `FLUSH` writes the jar to its COOKIEJAR file, `RELOAD` reads the
/// COOKIEFILE files not read yet; anything else is a cookie line
/// (`Set-Cookie: …` or a Netscape file line) for the jar, made if need be.
fn cookie_list(h: &mut super::CEasy, command: &str) -> CurlCode {
    let jar_file = h.opts.cookie_jar_file.clone();
    let Some(easy) = h.easy_mut() else {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    };
    let upper = command.to_ascii_uppercase();
    if upper == "RELOAD" {
        easy.load_cookie_files_now();
        return CURLE_OK;
    }
    if easy.get_cookie_jar().is_none() {
        if matches!(upper.as_str(), "ALL" | "SESS" | "FLUSH") {
            return CURLE_OK;
        }
        // A cookie line turns the engine on.
        easy.cookie_jar(Some(Default::default()));
    }
    let said = easy
        .with_cookie_jar(|jar| match upper.as_str() {
            "ALL" => {
                jar.clear();
                None
            }
            "SESS" => {
                jar.clear_session();
                None
            }
            "FLUSH" => {
                if let Some(path) = &jar_file {
                    // libcurl writes what it can and says nothing of a
                    // failure.
                    let _ = jar.save_file(path);
                }
                None
            }
            _ => jar.add_line(command.as_bytes()),
        })
        .flatten();
    if let Some(said) = said {
        easy.verbose_text(&said);
    }
    CURLE_OK
}
