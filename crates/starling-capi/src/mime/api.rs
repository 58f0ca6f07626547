//! The C functions of libcurl's MIME API: `curl_mime_init`,
//! `curl_mime_free`, `curl_mime_addpart` and the `curl_mime_*` setters of
//! a part, with libcurl 7.88's answers (a NULL part is
//! `CURLE_BAD_FUNCTION_ARGUMENT`; a NULL value clears).

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;

use super::encode::Encoding;
use super::tree::{Callbacks, Content, FileSource, FreeFn, Mime, Part, SeekFn};
use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};
use crate::guard;
use crate::handler::ReadFn;
use crate::slist::CurlSlist;

/// `CURLE_READ_ERROR`.
const CURLE_READ_ERROR: CurlCode = 26;
/// `CURL_ZERO_TERMINATED`: a data size that means "up to the NUL".
const ZERO_TERMINATED: usize = usize::MAX;

/// The bytes of a C string argument, or None for NULL.
///
/// # Safety
/// `s` is NULL or a C string.
unsafe fn bytes(s: *const c_char) -> Option<Vec<u8>> {
    // SAFETY: by the caller's contract.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_bytes().to_vec())
}

/// Runs `f` on the part behind `part`: `CURLE_BAD_FUNCTION_ARGUMENT` for
/// NULL, and no panic into C.
///
/// # Safety
/// `part` is NULL or a live part from `curl_mime_addpart`.
unsafe fn with_part(part: *mut Part, f: impl FnOnce(&mut Part) -> CurlCode) -> CurlCode {
    guard(CURLE_BAD_FUNCTION_ARGUMENT, || {
        // SAFETY: by the caller's contract.
        match unsafe { part.as_mut() } {
            Some(p) => f(p),
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    })
}

/// Sets a part's content to a copy of `len` bytes at `data` (NULL: no
/// content).
///
/// # Safety
/// `data` is NULL, a C string (`len` `CURL_ZERO_TERMINATED`) or `len`
/// readable bytes.
pub unsafe fn set_data(part: &mut Part, data: *const c_char, len: usize) {
    part.clear_content();
    if data.is_null() {
        return;
    }
    let bytes = match len {
        // SAFETY: without a length, a C string.
        ZERO_TERMINATED => unsafe { CStr::from_ptr(data) }.to_bytes(),
        // SAFETY: `len` readable bytes, by the caller's contract.
        n => unsafe { std::slice::from_raw_parts(data.cast::<u8>(), n) },
    };
    part.content = Content::Data(bytes.to_vec());
}

/// Sets a part's content to the named file, read when it is sent; the
/// part's file name becomes the path's last component. A file that
/// cannot be read now is `CURLE_READ_ERROR`, but is set all the same
/// (libcurl's answer: the transfer then fails when it reads it).
pub fn set_file(part: &mut Part, path: &[u8]) -> CurlCode {
    part.clear_content();
    let Ok(cpath) = CString::new(path) else {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    };
    let os = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path);
    let meta = std::fs::metadata(os);
    // SAFETY: a NUL-terminated path.
    let readable = unsafe { libc::access(cpath.as_ptr(), libc::R_OK) } == 0;
    let code = if meta.is_ok() && readable {
        CURLE_OK
    } else {
        CURLE_READ_ERROR
    };
    let size = meta.ok().filter(|m| m.is_file() && readable).map(|m| m.len());
    part.content = Content::File(FileSource {
        path: cpath,
        size,
        file: None,
    });
    part.filename = Some(base_name(path));
    code
}

/// The last component of a path, as POSIX `basename` gives it.
fn base_name(path: &[u8]) -> Vec<u8> {
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(last) => &path[..=last],
        None if path.is_empty() => return b".".to_vec(),
        None => return b"/".to_vec(),
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(slash) => trimmed[slash + 1..].to_vec(),
        None => trimmed.to_vec(),
    }
}

/// A new mime (the easy handle is not needed).
#[no_mangle]
pub extern "C" fn curl_mime_init(_easy: *mut c_void) -> *mut Mime {
    guard(ptr::null_mut(), Mime::new_raw)
}

/// Frees a mime and its parts; a mime still bound (as subparts, or to an
/// easy handle) is let go by its part first.
///
/// # Safety
/// `mime` is NULL or a live mime, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_free(mime: *mut Mime) {
    guard((), || {
        if !mime.is_null() {
            // SAFETY: made by `Box::into_raw`, freed once (the contract).
            drop(unsafe { Box::from_raw(mime) });
        }
    })
}

/// Appends a new part to `mime`.
///
/// # Safety
/// `mime` is NULL or a live mime.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_addpart(mime: *mut Mime) -> *mut Part {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        match unsafe { mime.as_mut() } {
            Some(m) => m.add_part(),
            None => ptr::null_mut(),
        }
    })
}

/// Sets (NULL: removes) the part's field name.
///
/// # Safety
/// `part` is NULL or a live part; `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_name(part: *mut Part, name: *const c_char) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.name = bytes(name);
            CURLE_OK
        })
    }
}

/// Sets (NULL: removes) the part's remote file name.
///
/// # Safety
/// `part` is NULL or a live part; `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_filename(part: *mut Part, filename: *const c_char) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.filename = bytes(filename);
            CURLE_OK
        })
    }
}

/// Sets (NULL: removes) the part's content type.
///
/// # Safety
/// `part` is NULL or a live part; `mimetype` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_type(part: *mut Part, mimetype: *const c_char) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.mimetype = bytes(mimetype);
            CURLE_OK
        })
    }
}

/// Sets the part's encoder by name (NULL: none); an unknown name is
/// `CURLE_BAD_FUNCTION_ARGUMENT` and leaves none.
///
/// # Safety
/// `part` is NULL or a live part; `encoding` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_encoder(part: *mut Part, encoding: *const c_char) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.encoder = None;
            match bytes(encoding) {
                None => CURLE_OK,
                Some(name) => match Encoding::from_name(&name) {
                    Some(e) => {
                        p.encoder = Some(e);
                        CURLE_OK
                    }
                    None => CURLE_BAD_FUNCTION_ARGUMENT,
                },
            }
        })
    }
}

/// Sets the part's content to a copy of `datasize` bytes
/// (`CURL_ZERO_TERMINATED`: up to the NUL); NULL: no content.
///
/// # Safety
/// `part` is NULL or a live part; `data` as for [`set_data`].
#[no_mangle]
pub unsafe extern "C" fn curl_mime_data(part: *mut Part, data: *const c_char, datasize: usize) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            set_data(p, data, datasize);
            CURLE_OK
        })
    }
}

/// Sets the part's content to a file, streamed from disk when sent; the
/// file name defaults to the path's base name.
///
/// # Safety
/// `part` is NULL or a live part; `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_filedata(part: *mut Part, filename: *const c_char) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| match bytes(filename) {
            Some(path) => set_file(p, &path),
            None => {
                p.clear_content();
                CURLE_OK
            }
        })
    }
}

/// Sets the part's content to the program's callbacks: `datasize` bytes
/// (-1: unknown, sent chunked) from `readfunc`, `seekfunc` to rewind,
/// `freefunc` called on `arg` when the content goes. A NULL read function
/// leaves no content.
///
/// # Safety
/// `part` is NULL or a live part; the callbacks of libcurl's types.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_data_cb(
    part: *mut Part,
    datasize: i64,
    readfunc: Option<ReadFn>,
    seekfunc: Option<SeekFn>,
    freefunc: Option<FreeFn>,
    arg: *mut c_void,
) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.clear_content();
            if let Some(read) = readfunc {
                p.content = Content::Callback(Callbacks {
                    size: datasize,
                    read,
                    seek: seekfunc,
                    free: freefunc,
                    arg,
                });
            }
            CURLE_OK
        })
    }
}

/// Makes `subparts` the part's content, owned by the part from now on
/// (NULL: no content). A mime already bound somewhere, or the part's own
/// tree, is refused.
///
/// # Safety
/// `part` is NULL or a live part; `subparts` NULL or a live mime.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_subparts(part: *mut Part, subparts: *mut Mime) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| match p.bind(subparts, true) {
            true => CURLE_OK,
            false => CURLE_BAD_FUNCTION_ARGUMENT,
        })
    }
}

/// Sets the part's own header lines; with `take_ownership` the part frees
/// the list when done with it.
///
/// # Safety
/// `part` is NULL or a live part; `headers` NULL or a list.
#[no_mangle]
pub unsafe extern "C" fn curl_mime_headers(
    part: *mut Part,
    headers: *mut CurlSlist,
    take_ownership: c_int,
) -> CurlCode {
    // SAFETY: by the caller's contract.
    unsafe {
        with_part(part, |p| {
            p.set_headers(headers, take_ownership != 0);
            CURLE_OK
        })
    }
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn base_names_as_posix_gives_them() {
        assert_eq!(base_name(b"/tmp/dir/file.txt"), b"file.txt");
        assert_eq!(base_name(b"file"), b"file");
        assert_eq!(base_name(b"dir/sub/"), b"sub");
        assert_eq!(base_name(b"///"), b"/");
        assert_eq!(base_name(b""), b".");
    }
}
