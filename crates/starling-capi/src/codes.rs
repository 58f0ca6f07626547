//! libcurl's result codes as Starling returns them, and their messages.

use std::ffi::c_char;

use starling::ErrorKind;

/// `CURLcode`.
pub type CurlCode = i32;
/// `CURLMcode`.
pub type CurlMCode = i32;

pub const CURLE_OK: CurlCode = 0;
pub const CURLE_UNSUPPORTED_PROTOCOL: CurlCode = 1;
pub const CURLE_FAILED_INIT: CurlCode = 2;
pub const CURLE_NOT_BUILT_IN: CurlCode = 4;
pub const CURLE_OUT_OF_MEMORY: CurlCode = 27;
pub const CURLE_HTTP_RETURNED_ERROR: CurlCode = 22;
pub const CURLE_RANGE_ERROR: CurlCode = 33;
pub const CURLE_BAD_FUNCTION_ARGUMENT: CurlCode = 43;
pub const CURLE_UNKNOWN_OPTION: CurlCode = 48;

pub const CURLM_OK: CurlMCode = 0;
pub const CURLM_BAD_HANDLE: CurlMCode = 1;
pub const CURLM_BAD_EASY_HANDLE: CurlMCode = 2;
pub const CURLM_INTERNAL_ERROR: CurlMCode = 4;
pub const CURLM_BAD_SOCKET: CurlMCode = 5;
pub const CURLM_UNKNOWN_OPTION: CurlMCode = 6;
pub const CURLM_ADDED_ALREADY: CurlMCode = 7;
pub const CURLM_RECURSIVE_API_CALL: CurlMCode = 8;

/// The `CURLcode` of an engine error.
pub fn code_of(kind: ErrorKind) -> CurlCode {
    kind.code() as CurlCode
}

/// libcurl's text for a `CURLcode` (static, NUL-terminated).
pub fn easy_message(code: CurlCode) -> *const c_char {
    let text: &'static [u8] = match code {
        0 => b"No error\0",
        1 => b"Unsupported protocol\0",
        2 => b"Failed initialization\0",
        3 => b"URL using bad/illegal format or missing URL\0",
        4 => b"A requested feature, protocol or option was not found built-in in this libcurl due to a build-time decision.\0",
        6 => b"Could not resolve host name\0",
        7 => b"Couldn't connect to server\0",
        8 => b"Weird server reply\0",
        18 => b"Transferred a partial file\0",
        22 => b"HTTP response code said error\0",
        23 => b"Failed writing received data to disk/application\0",
        26 => b"Failed to open/read local data from file/application\0",
        27 => b"Out of memory\0",
        28 => b"Timeout was reached\0",
        33 => b"Requested range was not delivered by the server\0",
        35 => b"SSL connect error\0",
        42 => b"Operation was aborted by an application callback\0",
        43 => b"A libcurl function was given a bad argument\0",
        47 => b"Number of redirects hit maximum amount\0",
        48 => b"An unknown option was passed in to libcurl\0",
        49 => b"Malformed option provided in a setopt\0",
        52 => b"Server returned nothing (no headers, no data)\0",
        55 => b"Failed sending data to the peer\0",
        56 => b"Failure when receiving data from the peer\0",
        60 => b"SSL peer certificate or SSH remote key was not OK\0",
        61 => b"Unrecognized or bad HTTP Content or Transfer-Encoding\0",
        63 => b"Maximum file size exceeded\0",
        65 => b"Send failed since rewinding of the data stream failed\0",
        77 => b"Problem with the SSL CA cert (path? access rights?)\0",
        100 => b"A value or data field grew larger than allowed\0",
        _ => b"Unknown error\0",
    };
    text.as_ptr().cast()
}

/// libcurl's text for a `CURLMcode`.
pub fn multi_message(code: CurlMCode) -> *const c_char {
    let text: &'static [u8] = match code {
        -1 => b"Please call curl_multi_perform() soon\0",
        0 => b"No error\0",
        1 => b"Invalid multi handle\0",
        2 => b"Invalid easy handle\0",
        3 => b"Out of memory\0",
        4 => b"Internal error\0",
        5 => b"Invalid socket argument\0",
        6 => b"Unknown option\0",
        7 => b"The easy handle is already added to a multi handle\0",
        8 => b"API function called from within callback\0",
        _ => b"Unknown error\0",
    };
    text.as_ptr().cast()
}
