//! The deprecated form API over the MIME code: `struct curl_httppost`
//! (libcurl's layout, which programs may walk), `curl_formfree`,
//! `curl_formget`, and the conversion of a list into a MIME tree that
//! libcurl makes for every request (its `Curl_getformdata`).
//! `curl_formadd` is in `formadd.rs`.

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::ptr;

use super::api::{set_data, set_file};
use super::headers::Escape;
use super::stream::Stream;
use super::tree::{Callbacks, Content, Mime, Part};
use crate::codes::{CurlCode, CURLE_OK};
use crate::guard;
use crate::handler::ReadFn;
use crate::slist::CurlSlist;

/// `CURL_HTTPPOST_FILENAME`: the contents name a file to send.
pub const FILENAME: c_long = 1;
/// `CURL_HTTPPOST_READFILE`: the contents name a file sent as the value.
pub const READFILE: c_long = 1 << 1;
/// `CURL_HTTPPOST_PTRNAME`: the name is the program's (not freed).
pub const PTRNAME: c_long = 1 << 2;
/// `CURL_HTTPPOST_PTRCONTENTS`: the contents are the program's.
pub const PTRCONTENTS: c_long = 1 << 3;
/// `CURL_HTTPPOST_BUFFER`: sent from `buffer`, as a file.
pub const BUFFER: c_long = 1 << 4;
/// `CURL_HTTPPOST_PTRBUFFER`: the buffer is the program's.
pub const PTRBUFFER: c_long = 1 << 5;
/// `CURL_HTTPPOST_CALLBACK`: read with the read function from `userp`.
pub const CALLBACK: c_long = 1 << 6;
/// `CURL_HTTPPOST_LARGE`: the length is in `contentlen`.
pub const LARGE: c_long = 1 << 7;

/// `CURLE_READ_ERROR`.
const CURLE_READ_ERROR: CurlCode = 26;
/// `curl_formget` hands out the form in pieces of this size at most.
const FORMGET_PIECE: usize = 8192;

/// `struct curl_httppost`, with libcurl's layout.
/// (The fields are libcurl's, documented in its `curl.h`.)
#[repr(C)]
pub struct HttpPost {
    pub next: *mut HttpPost,
    pub name: *mut c_char,
    pub namelength: c_long,
    pub contents: *mut c_char,
    pub contentslength: c_long,
    pub buffer: *mut c_char,
    pub bufferlength: c_long,
    pub contenttype: *mut c_char,
    pub contentheader: *mut CurlSlist,
    pub more: *mut HttpPost,
    pub flags: c_long,
    pub showfilename: *mut c_char,
    pub userp: *mut c_void,
    pub contentlen: i64,
}

/// `curl_formget_callback`.
type FormGetFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize) -> usize;

extern "C" {
    /// The C library's standard input, for the file name `-`.
    static mut stdin: *mut libc::FILE;
}

/// libcurl's read function when the program set none: `fread` from the
/// `FILE *` it is given.
pub unsafe extern "C" fn fread_callback(buf: *mut c_char, size: usize, n: usize, file: *mut c_void) -> usize {
    // SAFETY: `file` is a `FILE *` by libcurl's contract for this case.
    unsafe { libc::fread(buf.cast(), size, n, file.cast()) }
}

/// `fseek` as a seek callback, for standard input.
unsafe extern "C" fn fseek_callback(file: *mut c_void, offset: i64, whence: c_int) -> c_int {
    // SAFETY: `file` is standard input's `FILE *`.
    unsafe { libc::fseek(file.cast(), offset as libc::c_long, whence) }
}

/// The bytes of a C string field (None for NULL).
///
/// # Safety
/// `s` is NULL or a C string.
unsafe fn text<'a>(s: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: by the caller's contract.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_bytes())
}

/// The field name of an entry: `namelength` bytes, or up to the NUL.
///
/// # Safety
/// `post` is a valid entry.
unsafe fn name_of(post: &HttpPost) -> Option<Vec<u8>> {
    if post.name.is_null() {
        return None;
    }
    Some(match post.namelength {
        // SAFETY: a C string without a length.
        0 => unsafe { CStr::from_ptr(post.name) }.to_bytes().to_vec(),
        // SAFETY: `namelength` bytes with a length.
        n => unsafe { std::slice::from_raw_parts(post.name.cast::<u8>(), n as usize) }.to_vec(),
    })
}

/// The MIME tree of a form list, as libcurl builds it for a request: a
/// top part with the list's entries as subparts (an entry with several
/// files becomes subparts of its own). `read` is the read function of
/// `CURLFORM_STREAM` entries (None: they are empty, as in
/// `curl_formget`). The caller owns the top part (`Box::from_raw`).
///
/// # Safety
/// `post` is NULL or a valid list.
pub unsafe fn to_tree(post: *const HttpPost, read: Option<ReadFn>) -> Result<*mut Part, CurlCode> {
    let top = Box::into_raw(Box::new(Part::new(ptr::null_mut())));
    // SAFETY: the list is valid (the caller's contract); the parts made
    // here are live until `top` is freed.
    let code = unsafe { fill(&mut *top, post, read) };
    if code != CURLE_OK {
        // SAFETY: made above, not handed out.
        drop(unsafe { Box::from_raw(top) });
        return Err(code);
    }
    Ok(top)
}

/// Fills `top` from the list (see [`to_tree`]).
///
/// # Safety
/// As for [`to_tree`].
unsafe fn fill(top: &mut Part, mut post: *const HttpPost, read: Option<ReadFn>) -> CurlCode {
    if post.is_null() {
        return CURLE_OK;
    }
    let form = Mime::new_raw();
    top.bind(form, true);
    // SAFETY: valid entries of a valid list, and parts of live mimes.
    unsafe {
        while let Some(entry) = post.as_ref() {
            let mut mime = form;
            if !entry.more.is_null() {
                let holder = &mut *(*form).add_part();
                holder.name = name_of(entry);
                mime = Mime::new_raw();
                holder.bind(mime, true);
            }
            let mut file = post;
            while let Some(f) = file.as_ref() {
                let part = &mut *(*mime).add_part();
                let code = fill_part(part, entry, f, read);
                if code != CURLE_OK {
                    return code;
                }
                file = f.more;
            }
            post = entry.next;
        }
    }
    CURLE_OK
}

/// One file of an entry (the entry itself, or one of its `more`): libcurl
/// takes the flags, lengths and shown file name from the entry, the
/// contents, type and headers from the file.
///
/// # Safety
/// Valid entries.
unsafe fn fill_part(part: &mut Part, entry: &HttpPost, file: &HttpPost, read: Option<ReadFn>) -> CurlCode {
    part.set_headers(file.contentheader, false);
    // SAFETY: C strings of valid entries (here and below).
    unsafe {
        part.mimetype = text(file.contenttype).map(<[u8]>::to_vec);
        if entry.more.is_null() {
            part.name = name_of(entry);
        }
        let flags = entry.flags;
        // `long` is narrower than `curl_off_t` on some systems.
        #[allow(clippy::unnecessary_cast)]
        let clen = match flags & LARGE {
            0 => entry.contentslength as i64,
            _ => entry.contentlen,
        };
        if flags & (FILENAME | READFILE) != 0 {
            let path = text(file.contents).unwrap_or_default();
            if path == b"-" {
                part.clear_content();
                part.content = Content::Callback(Callbacks {
                    size: -1,
                    read: fread_callback,
                    seek: Some(fseek_callback),
                    free: None,
                    arg: stdin.cast(),
                });
            } else {
                let code = set_file(part, path);
                if code != CURLE_OK {
                    return code;
                }
            }
            if flags & READFILE != 0 {
                part.filename = None;
            }
        } else if flags & BUFFER != 0 {
            let len = match entry.bufferlength {
                0 => usize::MAX,
                n => n as usize,
            };
            set_data(part, entry.buffer, len);
        } else if flags & CALLBACK != 0 {
            part.clear_content();
            if let Some(read) = read {
                part.content = Content::Callback(Callbacks {
                    size: if clen == 0 { -1 } else { clen },
                    read,
                    seek: None,
                    free: None,
                    arg: entry.userp,
                });
            }
        } else {
            let len = if clen == 0 { usize::MAX } else { clen as usize };
            set_data(part, entry.contents, len);
        }
        // The shown name applies to files, buffers and streams.
        let shows = !entry.more.is_null() || flags & (FILENAME | BUFFER | CALLBACK) != 0;
        if !entry.showfilename.is_null() && shows {
            part.filename = text(entry.showfilename).map(<[u8]>::to_vec);
        }
    }
    CURLE_OK
}

/// Frees a list made by `curl_formadd`, with what it copied.
///
/// # Safety
/// `form` is NULL or a list from `curl_formadd`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn curl_formfree(form: *mut HttpPost) {
    guard((), || {
        let mut post = form;
        // SAFETY: entries and strings allocated by `curl_formadd` with
        // malloc; what the flags say is the program's is left alone.
        unsafe {
            while !post.is_null() {
                let p = &*post;
                let next = p.next;
                curl_formfree(p.more);
                if p.flags & PTRNAME == 0 {
                    libc::free(p.name.cast());
                }
                if p.flags & (PTRCONTENTS | BUFFER | CALLBACK) == 0 {
                    libc::free(p.contents.cast());
                }
                libc::free(p.contenttype.cast());
                libc::free(p.showfilename.cast());
                libc::free(post.cast());
                post = next;
            }
        }
    })
}

/// Writes the form as libcurl would send it, its own `Content-Type` line
/// first, through `append` in pieces; 0 when done, else a `CURLcode`
/// (`CURLE_READ_ERROR` when `append` took less than it was given or a file
/// cannot be read).
///
/// # Safety
/// `form` is NULL or a valid list; `append` a `curl_formget_callback`.
#[no_mangle]
pub unsafe extern "C" fn curl_formget(
    form: *mut HttpPost,
    arg: *mut c_void,
    append: Option<FormGetFn>,
) -> c_int {
    guard(CURLE_READ_ERROR, || {
        // SAFETY: the list is valid (the caller's contract).
        let top = match unsafe { to_tree(form, None) } {
            Ok(top) => top,
            Err(code) => return code,
        };
        // SAFETY: just made; the stream owns it from here.
        let mut stream = Stream::whole(unsafe { &mut *top }, Some(b"multipart/form-data"), Escape::Form);
        stream.own(top);
        let mut buf = vec![0u8; FORMGET_PIECE];
        loop {
            let n = match stream.read(&mut buf) {
                starling::ReadFlow::Data(n) => n,
                starling::ReadFlow::End => return CURLE_OK,
                _ => return stream.failure.unwrap_or(CURLE_READ_ERROR),
            };
            let Some(append) = append else {
                return CURLE_READ_ERROR;
            };
            // SAFETY: the program's callback, given `n` readable bytes.
            if unsafe { append(arg, buf.as_ptr().cast(), n) } != n {
                return CURLE_READ_ERROR;
            }
        }
    })
}
