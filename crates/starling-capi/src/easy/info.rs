//! Getting information: the typed `curl_easy_getinfo` the C shim calls,
//! answered from the engine's handle or, inside one of the handle's own
//! callbacks, from the transfer the engine lends.

use std::ffi::{c_char, c_long, c_void, CString};
use std::ptr;
use std::time::Duration;

use starling::TransferInfo;

use super::easy_ref;
use crate::codes::*;
use crate::guard;

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
const INFO_TLS_SESSION: i32 = 0x40_002B;
const INFO_SSL_VERIFYRESULT: i32 = 0x20_000D;
const INFO_FILETIME: i32 = 0x20_000E;
const INFO_FILETIME_T: i32 = 0x60_000E;
const INFO_REDIRECT_TIME: i32 = 0x30_0013;
const INFO_REDIRECT_TIME_T: i32 = 0x60_0037;
const INFO_CONTENT_LENGTH_UPLOAD: i32 = 0x30_0010;
const INFO_CONTENT_LENGTH_UPLOAD_T: i32 = 0x60_0010;
const INFO_HTTPAUTH_AVAIL: i32 = 0x20_0017;
const INFO_PROXYAUTH_AVAIL: i32 = 0x20_0018;
const INFO_OS_ERRNO: i32 = 0x20_0019;
const INFO_SSL_ENGINES: i32 = 0x40_001B;
const INFO_COOKIELIST: i32 = 0x40_001C;
const INFO_LASTSOCKET: i32 = 0x20_001D;
const INFO_FTP_ENTRY_PATH: i32 = 0x10_001E;
const INFO_REDIRECT_URL: i32 = 0x10_001F;
// Infos of libcurl 8.x, answered as it answers them (7.88 knows none).
const INFO_XFER_ID: i32 = 0x60_003F;
const INFO_CONN_ID: i32 = 0x60_0040;
const INFO_QUEUE_TIME_T: i32 = 0x60_0041;
const INFO_USED_PROXY: i32 = 0x20_0042;
const INFO_POSTTRANSFER_TIME_T: i32 = 0x60_0043;
const INFO_EARLYDATA_SENT_T: i32 = 0x60_0044;
const INFO_CERTINFO: i32 = 0x40_0022;
const INFO_CONDITION_UNMET: i32 = 0x20_0023;
const INFO_RTSP_SESSION_ID: i32 = 0x10_0024;
const INFO_RTSP_CLIENT_CSEQ: i32 = 0x20_0025;
const INFO_RTSP_SERVER_CSEQ: i32 = 0x20_0026;
const INFO_RTSP_CSEQ_RECV: i32 = 0x20_0027;
const INFO_ACTIVESOCKET: i32 = 0x50_002C;
const INFO_PROXY_SSL_VERIFYRESULT: i32 = 0x20_002F;
const INFO_EFFECTIVE_METHOD: i32 = 0x10_003A;
const INFO_PROXY_ERROR: i32 = 0x20_003B;
const INFO_REFERER: i32 = 0x10_003C;
const INFO_CAINFO: i32 = 0x10_003D;
const INFO_CAPATH: i32 = 0x10_003E;

/// `struct curl_certinfo` with no certificates: CERTINFO is not built in.
#[repr(C)]
struct CertInfo {
    num_of_certs: std::ffi::c_int,
    certinfo: *mut c_void,
}

struct NoCerts(CertInfo);

// SAFETY: immutable, and its pointer is NULL.
unsafe impl Sync for NoCerts {}

static NO_CERTS: NoCerts = NoCerts(CertInfo {
    num_of_certs: 0,
    certinfo: ptr::null_mut(),
});

/// What the handle's options say about infos that depend on them.
pub(super) struct Asked<'a> {
    /// CURLOPT_FILETIME: the document's time is wanted.
    pub filetime: bool,
    /// CURLOPT_REFERER.
    pub referer: Option<&'a str>,
    /// The socket of the handle's last connection while it is open
    /// (CURLINFO_ACTIVESOCKET), or -1.
    pub active_socket: std::ffi::c_int,
    /// CURLOPT_UNIX_SOCKET_PATH: libcurl names it as the primary "IP".
    pub unix_socket: Option<&'a str>,
}

/// The port of an absolute URL (its scheme's when it names none), or 0.
fn url_port(url: &str) -> c_long {
    let Some((scheme, rest)) = url.split_once("://") else {
        return 0;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // "[::1]" has no port: what follows its last colon holds the bracket.
    let port = match host.rsplit_once(':') {
        Some((_, port)) if !port.contains(']') => port.parse::<c_long>().ok(),
        _ => None,
    };

    port.unwrap_or(if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    })
}

const INFO_TLS_SSL_PTR: i32 = 0x40_002D;

/// `struct curl_tlssessioninfo`: the TLS backend and its session object.
#[repr(C)]
struct TlsSessionInfo {
    backend: std::ffi::c_int,
    internals: *mut c_void,
}

/// What libcurl answers for a backend that hands out no session object:
/// the backend (`CURLSSLBACKEND_RUSTLS`) and NULL. The same for every
/// handle, so one immutable value serves them all.
struct Rustls(TlsSessionInfo);

// SAFETY: immutable, and its pointer is NULL.
unsafe impl Sync for Rustls {}

static RUSTLS_SESSION: Rustls = Rustls(TlsSessionInfo {
    backend: 14,
    internals: ptr::null_mut(),
});

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
        if info == INFO_TLS_SSL_PTR || info == INFO_TLS_SESSION {
            // SAFETY: the out parameter is a `struct curl_tlssessioninfo **`;
            // the program only reads through it.
            unsafe { *out.cast::<*const TlsSessionInfo>() = &RUSTLS_SESSION.0 };
            return CURLE_OK;
        }
        if info == INFO_COOKIELIST {
            // The jar's cookies as Netscape lines, a list the program
            // frees with curl_slist_free_all (none without a jar).
            let lines = h
                .easy_mut()
                .and_then(|e| e.with_cookie_jar(|jar| jar.lines()))
                .unwrap_or_default();
            let mut list: *mut crate::slist::CurlSlist = ptr::null_mut();
            for line in lines.into_iter().filter_map(|l| CString::new(l).ok()) {
                // SAFETY: `list` is NULL or this list; `line` a C string.
                list = unsafe { crate::slist::curl_slist_append(list, line.as_ptr()) };
            }
            // SAFETY: CURLINFO_COOKIELIST's out parameter is a
            // `struct curl_slist **`.
            unsafe { *out.cast::<*mut crate::slist::CurlSlist>() = list };
            return CURLE_OK;
        }
        let owner = h.owner_tag();
        let mut strings = std::mem::take(&mut h.info_strings);
        // Only the infos that need them pay for them (a copy, a lookup).
        let referer = (info == INFO_REFERER)
            .then(|| h.opts.fields.referer.clone())
            .flatten();
        let socket = matches!(info, INFO_ACTIVESOCKET | INFO_LASTSOCKET).then(|| h.active_socket());
        let unix = h.opts.unix_socket.clone();
        let asked = Asked {
            filetime: h.opts.filetime,
            referer: referer.as_deref(),
            active_socket: socket.flatten().unwrap_or(-1),
            unix_socket: unix.as_deref(),
        };
        let code = match h.easy_mut() {
            // SAFETY: `out` points to the info's type (the caller's contract).
            Some(easy) => unsafe {
                answer(
                    easy.info(),
                    easy.effective_url(),
                    None,
                    &asked,
                    info,
                    out,
                    &mut strings,
                )
            },
            // Inside one of this handle's own callbacks the engine lends
            // the transfer's facts.
            None => starling::with_current(|current| match current.filter(|c| c.private() == Some(owner)) {
                // SAFETY: as above.
                Some(c) => unsafe {
                    answer(
                        c.info(),
                        c.effective_url(),
                        Some(c.elapsed()),
                        &asked,
                        info,
                        out,
                        &mut strings,
                    )
                },
                None => CURLE_BAD_FUNCTION_ARGUMENT,
            }),
        };
        h.info_strings = strings;
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
    asked: &Asked<'_>,
    info: i32,
    out: *mut c_void,
    strings: &mut Vec<(i32, CString)>,
) -> CurlCode {
    let status = i.status.map_or(0, |s| s.as_u16() as c_long);
    let t = i.timings;
    let total = running.unwrap_or(t.total);
    let size = i.body_bytes_delivered as i64;
    let speed = (size as f64 / total.as_secs_f64().max(1e-9)) as i64;
    let uploaded = i.body_bytes_sent as i64;
    let upload_speed = (uploaded as f64 / total.as_secs_f64().max(1e-9)) as i64;
    let https = url.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    // libcurl's CURL_HTTP_VERSION_1_0, _1_1 and _2_0.
    let version = match i.version {
        Some(v) if v == starling::Version::HTTP_10 => 1,
        Some(v) if v == starling::Version::HTTP_2 => 3,
        Some(_) => 2,
        None => 0,
    };
    let retry_after = i.headers.get_str("retry-after").map_or(0, retry_after_secs);
    let length = i.content_length.map_or(-1, |n| n as i64);
    let (remote, local) = (i.remote_addr, i.local_addr);
    // Over a Unix socket libcurl names the socket, and the URL's port.
    let unix = asked.unix_socket.filter(|_| i.connection.is_some());
    // libcurl keeps times in microseconds: a time's double form is its
    // _T form in seconds.
    let micros = |d: Duration| d.as_micros() as i64;
    let secs = |d: Duration| micros(d) as f64 / 1e6;
    let upload_length = i.upload_length.map_or(-1, |n| n as i64);
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
            INFO_QUEUE_TIME_T => *out.cast::<i64>() = micros(t.queue),
            INFO_POSTTRANSFER_TIME_T => *out.cast::<i64>() = micros(t.posttransfer),
            INFO_XFER_ID => *out.cast::<i64>() = i.xfer_id.map_or(-1, |n| n as i64),
            INFO_CONN_ID => *out.cast::<i64>() = i.connection.map_or(-1, |c| c.id() as i64),
            INFO_USED_PROXY => *out.cast::<c_long>() = c_long::from(i.used_proxy),
            // No TLS early data.
            INFO_EARLYDATA_SENT_T => *out.cast::<i64>() = 0,
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
            // As libcurl counts: the heads, and the bodies sent with them.
            INFO_REQUEST_SIZE => {
                *out.cast::<c_long>() = (i.request_bytes_sent + i.body_bytes_with_head) as c_long
            }
            INFO_CONTENT_LENGTH_UPLOAD => *out.cast::<f64>() = upload_length as f64,
            INFO_CONTENT_LENGTH_UPLOAD_T => *out.cast::<i64>() = upload_length,
            // No proxy, so no CONNECT.
            INFO_HTTP_CONNECTCODE => *out.cast::<c_long>() = c_long::from(i.connect_code),
            INFO_HTTP_VERSION => *out.cast::<c_long>() = version,
            // CURLPROTO_HTTPS and CURLPROTO_HTTP.
            INFO_PROTOCOL => *out.cast::<c_long>() = if https { 2 } else { 1 },
            INFO_RETRY_AFTER => *out.cast::<i64>() = retry_after,
            INFO_PRIMARY_PORT => {
                *out.cast::<c_long>() = match (remote, unix) {
                    (Some(a), _) => a.port() as c_long,
                    (None, Some(_)) => url_port(url),
                    (None, None) => 0,
                }
            }
            INFO_LOCAL_PORT => *out.cast::<c_long>() = local.map_or(0, |a| a.port() as c_long),
            // Verification failures end the transfer; one that went on
            // passed (or was not asked for).
            INFO_SSL_VERIFYRESULT | INFO_PROXY_SSL_VERIFYRESULT => *out.cast::<c_long>() = 0,
            INFO_FILETIME | INFO_FILETIME_T => {
                let time = i
                    .headers
                    .get_str("last-modified")
                    .filter(|_| asked.filetime)
                    .and_then(|v| starling::http_date::parse(v.as_bytes()))
                    .unwrap_or(-1);
                match info {
                    INFO_FILETIME => *out.cast::<c_long>() = time as c_long,
                    _ => *out.cast::<i64>() = time,
                }
            }
            INFO_REDIRECT_TIME => *out.cast::<f64>() = secs(t.redirect),
            INFO_REDIRECT_TIME_T => *out.cast::<i64>() = micros(t.redirect),
            INFO_HTTPAUTH_AVAIL => *out.cast::<c_long>() = c_long::from(i.http_auth_available.bits()),
            INFO_PROXYAUTH_AVAIL => *out.cast::<c_long>() = c_long::from(i.proxy_auth_available.bits()),
            INFO_CONDITION_UNMET => *out.cast::<c_long>() = c_long::from(i.condition_unmet),
            INFO_PROXY_ERROR => *out.cast::<c_long>() = c_long::from(i.proxy_error),
            // No RTSP.
            INFO_RTSP_CLIENT_CSEQ | INFO_RTSP_SERVER_CSEQ | INFO_RTSP_CSEQ_RECV => *out.cast::<c_long>() = 0,
            INFO_OS_ERRNO => *out.cast::<c_long>() = i.os_errno.unwrap_or(0) as c_long,
            INFO_LASTSOCKET => *out.cast::<c_long>() = c_long::from(asked.active_socket),
            INFO_ACTIVESOCKET => *out.cast::<std::ffi::c_int>() = asked.active_socket,
            // No crypto engines, no cookie engine: empty lists.
            INFO_SSL_ENGINES | INFO_COOKIELIST => *out.cast::<*mut c_void>() = ptr::null_mut(),
            INFO_CERTINFO => *out.cast::<*const CertInfo>() = &NO_CERTS.0,
            INFO_EFFECTIVE_URL
            | INFO_PRIMARY_IP
            | INFO_LOCAL_IP
            | INFO_CONTENT_TYPE
            | INFO_SCHEME
            | INFO_REDIRECT_URL
            | INFO_EFFECTIVE_METHOD
            | INFO_REFERER
            | INFO_FTP_ENTRY_PATH
            | INFO_RTSP_SESSION_ID
            | INFO_CAINFO
            | INFO_CAPATH => {
                let text = match info {
                    // A redirect not followed: where it leads (libcurl
                    // keeps none after following one).
                    INFO_REDIRECT_URL => i
                        .status
                        .filter(|s| s.is_redirection() && i.redirect_url.is_none())
                        .and_then(|_| i.headers.get_str("location"))
                        .and_then(|location| crate::url_api::redirect::would_redirect(url, location.trim())),
                    INFO_EFFECTIVE_METHOD => {
                        Some(i.method.as_ref().map_or("GET", |m| m.as_str()).to_string())
                    }
                    INFO_REFERER => asked.referer.map(str::to_owned),
                    // No FTP, no RTSP; no CA file or directory built in
                    // (the system's store is found at run time).
                    INFO_FTP_ENTRY_PATH | INFO_RTSP_SESSION_ID | INFO_CAINFO | INFO_CAPATH => None,
                    INFO_EFFECTIVE_URL => Some(url.to_string()),
                    // As libcurl 7.88 names it.
                    INFO_SCHEME => Some(if https { "HTTPS" } else { "HTTP" }.to_string()),
                    // libcurl's are buffers: empty until a connection.
                    INFO_PRIMARY_IP => Some(
                        remote
                            .map(|a| a.ip().to_string())
                            .or(unix.map(str::to_owned))
                            .unwrap_or_default(),
                    ),
                    INFO_LOCAL_IP => Some(local.map(|a| a.ip().to_string()).unwrap_or_default()),
                    _ => i.headers.get_str("content-type").map(str::to_owned),
                };
                // libcurl answers NULL for a content type it has not got.
                let s = text.and_then(|t| CString::new(t).ok());
                *out.cast::<*const c_char>() = s.as_ref().map_or(ptr::null(), |s| s.as_ptr());
                // The string's bytes stay where they are when it moves.
                strings.retain(|(n, _)| *n != info);
                if let Some(s) = s {
                    strings.push((info, s));
                }
            }
            _ => return CURLE_UNKNOWN_OPTION,
        }
    }
    CURLE_OK
}

/// Retry-After as libcurl 7.88 reads it: the leading decimal number,
/// else an HTTP date as seconds from now (negative once past), else 0.
fn retry_after_secs(value: &str) -> i64 {
    let value = value.trim_start();
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    match value[..digits].parse::<i64>() {
        Ok(secs) if secs != 0 => secs,
        _ => starling::http_date::parse(value.as_bytes()).map_or(0, |date| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            date - now
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_a_number_or_a_date() {
        assert_eq!(retry_after_secs(" 120"), 120);
        assert_eq!(retry_after_secs("30 seconds"), 30);
        assert_eq!(retry_after_secs("soon"), 0);
        assert_eq!(retry_after_secs("0"), 0);
        // A date long past: far below zero, as libcurl stores it.
        assert!(retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT") < -300_000_000);
        let later = retry_after_secs("Fri, 31 Dec 2099 23:59:59 GMT");
        assert!(later > 2_000_000_000, "{later}");
    }
}
