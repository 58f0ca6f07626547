//! `curl_formadd`: the C shim (`src/form_shim.c`) reads the variadic
//! `CURLFORM_*` list (and `CURLFORM_ARRAY`s) and gives each option here
//! with its argument; the entry (or, with several `CURLFORM_FILE`s, the
//! entries) is checked and appended to the program's list at the end, with
//! libcurl 7.88's rules and answers (`CURLFORMcode`).

use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};
use std::ptr;

use super::form::{HttpPost, BUFFER, CALLBACK, FILENAME, LARGE, PTRBUFFER, PTRCONTENTS, PTRNAME, READFILE};
use super::headers::type_for_name;
use crate::guard;
use crate::slist::CurlSlist;

/// `CURLFORMcode`.
type FormCode = c_int;
/// `CURL_FORMADD_OK`.
const FORMADD_OK: FormCode = 0;
/// `CURL_FORMADD_MEMORY`.
const FORMADD_MEMORY: FormCode = 1;
/// `CURL_FORMADD_OPTION_TWICE`: an option given twice for one entry.
const FORMADD_OPTION_TWICE: FormCode = 2;
/// `CURL_FORMADD_NULL`: a NULL where a string was needed.
const FORMADD_NULL: FormCode = 3;
/// `CURL_FORMADD_UNKNOWN_OPTION`.
const FORMADD_UNKNOWN_OPTION: FormCode = 4;
/// `CURL_FORMADD_INCOMPLETE`: no name, no value, or options that clash.
const FORMADD_INCOMPLETE: FormCode = 5;

/// `CURLFORM_COPYNAME`.
const COPYNAME: c_int = 1;
/// `CURLFORM_PTRNAME`.
const PTRNAME_OPT: c_int = 2;
/// `CURLFORM_NAMELENGTH`.
const NAMELENGTH: c_int = 3;
/// `CURLFORM_COPYCONTENTS`.
const COPYCONTENTS: c_int = 4;
/// `CURLFORM_PTRCONTENTS`.
const PTRCONTENTS_OPT: c_int = 5;
/// `CURLFORM_CONTENTSLENGTH`.
const CONTENTSLENGTH: c_int = 6;
/// `CURLFORM_FILECONTENT`.
const FILECONTENT: c_int = 7;
/// `CURLFORM_FILE`.
const FILE: c_int = 10;
/// `CURLFORM_BUFFER`.
const BUFFER_OPT: c_int = 11;
/// `CURLFORM_BUFFERPTR`.
const BUFFERPTR: c_int = 12;
/// `CURLFORM_BUFFERLENGTH`.
const BUFFERLENGTH: c_int = 13;
/// `CURLFORM_CONTENTTYPE`.
const CONTENTTYPE: c_int = 14;
/// `CURLFORM_CONTENTHEADER`.
const CONTENTHEADER: c_int = 15;
/// `CURLFORM_FILENAME`.
const FILENAME_OPT: c_int = 16;
/// `CURLFORM_STREAM`.
const STREAM: c_int = 19;
/// `CURLFORM_CONTENTLEN`.
const CONTENTLEN: c_int = 20;

/// One entry being described (libcurl's `FormInfo`): the first, or one
/// more file of it. The fields are the options' values.
struct Info {
    name: *const c_char,
    namelength: usize,
    /// The program's pointer (copied at the end unless it says not to).
    value: *const c_char,
    /// A file name copied when given (`CURLFORM_FILE`, `FILECONTENT`).
    value_copy: Option<CString>,
    contentslength: i64,
    contenttype: Option<CString>,
    flags: c_long,
    buffer: *const c_char,
    bufferlength: usize,
    showfilename: Option<CString>,
    userp: *mut c_void,
    contentheader: *mut CurlSlist,
}

impl Info {
    /// An empty description with these flags.
    fn new(flags: c_long) -> Info {
        Info {
            name: ptr::null(),
            namelength: 0,
            value: ptr::null(),
            value_copy: None,
            contentslength: 0,
            contenttype: None,
            flags,
            buffer: ptr::null(),
            bufferlength: 0,
            showfilename: None,
            userp: ptr::null_mut(),
            contentheader: ptr::null_mut(),
        }
    }

    /// The contents pointer, whichever way it was given.
    fn value(&self) -> *const c_char {
        self.value_copy.as_ref().map_or(self.value, |c| c.as_ptr())
    }

    /// Whether contents were given (a pointer, a file, a buffer, a stream).
    fn has_value(&self) -> bool {
        !self.value().is_null()
    }
}

/// A `curl_formadd` call in progress.
pub struct Builder {
    infos: Vec<Info>,
}

/// A copy of a C string argument.
///
/// # Safety
/// `p` is a C string (checked for NULL by the caller).
unsafe fn copy(p: *const c_void) -> CString {
    // SAFETY: by the caller's contract.
    unsafe { CStr::from_ptr(p.cast()) }.to_owned()
}

/// A `malloc`ed copy of `len` bytes at `p`, NUL-terminated after them.
///
/// # Safety
/// `p` has `len` readable bytes.
unsafe fn c_dup(p: *const c_char, len: usize) -> *mut c_char {
    // SAFETY: a plain allocation, filled below.
    let out = unsafe { libc::malloc(len + 1) }.cast::<c_char>();
    if !out.is_null() {
        // SAFETY: `out` has room for the bytes and the NUL.
        unsafe {
            ptr::copy_nonoverlapping(p, out, len);
            *out.add(len) = 0;
        }
    }
    out
}

/// A `malloc`ed copy of a string the builder holds.
fn c_string(s: &Option<CString>) -> *mut c_char {
    match s {
        // SAFETY: the string's bytes are readable.
        Some(s) => unsafe { c_dup(s.as_ptr(), s.as_bytes().len()) },
        None => ptr::null_mut(),
    }
}

/// Starts a `curl_formadd` call (NULL when out of memory).
#[no_mangle]
pub extern "C" fn starling_formadd_begin() -> *mut Builder {
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::new(Builder {
            infos: vec![Info::new(0)],
        }))
    })
}

/// One option of a `curl_formadd` call with its argument: `ptr` for the
/// pointer options, `num` for the lengths, `off` for `CURLFORM_CONTENTLEN`
/// (in an array each is the entry's value, converted as libcurl does).
///
/// # Safety
/// `b` comes from `starling_formadd_begin`; `ptr` is what the option
/// takes.
#[no_mangle]
pub unsafe extern "C" fn starling_formadd_option(
    b: *mut Builder,
    option: c_int,
    ptr: *const c_void,
    num: c_long,
    off: i64,
) -> FormCode {
    guard(FORMADD_MEMORY, || {
        // SAFETY: by the caller's contract.
        let Some(b) = (unsafe { b.as_mut() }) else {
            return FORMADD_MEMORY;
        };
        // SAFETY: by the caller's contract.
        unsafe { b.option(option, ptr, num, off) }
    })
}

impl Builder {
    /// The entry being described.
    fn current(&mut self) -> &mut Info {
        self.infos.last_mut().expect("a builder starts with one entry")
    }

    /// libcurl's handling of one option.
    ///
    /// # Safety
    /// `ptr` is what the option takes.
    unsafe fn option(&mut self, option: c_int, ptr: *const c_void, num: c_long, off: i64) -> FormCode {
        let cur = self.current();
        match option {
            PTRNAME_OPT | COPYNAME => {
                if option == PTRNAME_OPT {
                    cur.flags |= PTRNAME;
                }
                match (cur.name.is_null(), ptr.is_null()) {
                    (false, _) => return FORMADD_OPTION_TWICE,
                    (true, true) => return FORMADD_NULL,
                    (true, false) => cur.name = ptr.cast(),
                }
            }
            NAMELENGTH if cur.namelength != 0 => return FORMADD_OPTION_TWICE,
            NAMELENGTH => cur.namelength = num as usize,
            PTRCONTENTS_OPT | COPYCONTENTS => {
                if option == PTRCONTENTS_OPT {
                    cur.flags |= PTRCONTENTS;
                }
                match (cur.has_value(), ptr.is_null()) {
                    (true, _) => return FORMADD_OPTION_TWICE,
                    (false, true) => return FORMADD_NULL,
                    (false, false) => cur.value = ptr.cast(),
                }
            }
            // `long` is narrower than `curl_off_t` on some systems.
            #[allow(clippy::unnecessary_cast)]
            CONTENTSLENGTH => cur.contentslength = num as i64,
            CONTENTLEN => {
                cur.flags |= LARGE;
                cur.contentslength = off;
            }
            FILECONTENT if cur.flags & (PTRCONTENTS | READFILE) != 0 => return FORMADD_OPTION_TWICE,
            FILECONTENT if ptr.is_null() => return FORMADD_NULL,
            FILECONTENT => {
                // SAFETY: a C string (checked for NULL).
                cur.value_copy = Some(unsafe { copy(ptr) });
                cur.flags |= READFILE;
            }
            FILE => match (cur.has_value(), cur.flags & FILENAME != 0, ptr.is_null()) {
                (_, _, true) if !cur.has_value() || cur.flags & FILENAME != 0 => return FORMADD_NULL,
                (true, false, _) => return FORMADD_OPTION_TWICE,
                (true, true, _) => {
                    // One more file for the same field.
                    let mut more = Info::new(FILENAME);
                    // SAFETY: a C string (checked for NULL).
                    more.value_copy = Some(unsafe { copy(ptr) });
                    self.infos.push(more);
                }
                (false, ..) => {
                    // SAFETY: a C string (checked for NULL).
                    cur.value_copy = Some(unsafe { copy(ptr) });
                    cur.flags |= FILENAME;
                }
            },
            BUFFERPTR => {
                cur.flags |= PTRBUFFER | BUFFER;
                match (cur.buffer.is_null(), ptr.is_null()) {
                    (false, _) => return FORMADD_OPTION_TWICE,
                    (true, true) => return FORMADD_NULL,
                    (true, false) => (cur.buffer, cur.value) = (ptr.cast(), ptr.cast()),
                }
            }
            BUFFERLENGTH if cur.bufferlength != 0 => return FORMADD_OPTION_TWICE,
            BUFFERLENGTH => cur.bufferlength = num as usize,
            STREAM => {
                cur.flags |= CALLBACK;
                match (cur.userp.is_null(), ptr.is_null()) {
                    (false, _) => return FORMADD_OPTION_TWICE,
                    (true, true) => return FORMADD_NULL,
                    (true, false) => (cur.userp, cur.value) = (ptr.cast_mut(), ptr.cast()),
                }
            }
            CONTENTTYPE => match (
                cur.contenttype.is_some(),
                cur.flags & FILENAME != 0,
                ptr.is_null(),
            ) {
                (_, _, true) if cur.contenttype.is_none() || cur.flags & FILENAME != 0 => {
                    return FORMADD_NULL
                }
                (true, false, _) => return FORMADD_OPTION_TWICE,
                (true, true, _) => {
                    // The type of one more file.
                    let mut more = Info::new(FILENAME);
                    // SAFETY: a C string (checked for NULL).
                    more.contenttype = Some(unsafe { copy(ptr) });
                    self.infos.push(more);
                }
                // SAFETY: a C string (checked for NULL).
                (false, ..) => cur.contenttype = Some(unsafe { copy(ptr) }),
            },
            CONTENTHEADER if !cur.contentheader.is_null() => return FORMADD_OPTION_TWICE,
            CONTENTHEADER => cur.contentheader = ptr.cast_mut().cast(),
            FILENAME_OPT | BUFFER_OPT => match (cur.showfilename.is_some(), ptr.is_null()) {
                (true, _) => return FORMADD_OPTION_TWICE,
                // libcurl would crash on NULL here.
                (false, true) => return FORMADD_NULL,
                // SAFETY: a C string (checked for NULL).
                (false, false) => cur.showfilename = Some(unsafe { copy(ptr) }),
            },
            _ => return FORMADD_UNKNOWN_OPTION,
        }
        FORMADD_OK
    }

    /// libcurl's checks of the finished description.
    ///
    /// # Safety
    /// The pointers given are valid.
    unsafe fn check(&mut self) -> FormCode {
        let mut prevtype: Option<CString> = None;
        for (i, form) in self.infos.iter_mut().enumerate() {
            let f = form.flags;
            let incomplete = (i == 0 && (form.name.is_null() || !form.has_value()))
                || (form.contentslength != 0 && f & FILENAME != 0)
                || (f & FILENAME != 0 && f & PTRCONTENTS != 0)
                || (form.buffer.is_null() && f & BUFFER != 0 && f & PTRBUFFER != 0)
                || (f & READFILE != 0 && f & PTRCONTENTS != 0);
            if incomplete {
                return FORMADD_INCOMPLETE;
            }
            if f & (FILENAME | BUFFER) != 0 && form.contenttype.is_none() {
                let named = match f & BUFFER {
                    0 => Some(form.value()),
                    _ => form.showfilename.as_ref().map(|s| s.as_ptr()),
                };
                // SAFETY: file names are C strings.
                let guessed = named
                    .filter(|p| !p.is_null())
                    .and_then(|p| type_for_name(unsafe { CStr::from_ptr(p) }.to_bytes()));
                let ty = match (guessed, &prevtype) {
                    (Some(t), _) => CString::new(t).ok(),
                    (None, Some(p)) => Some(p.clone()),
                    (None, None) => CString::new("application/octet-stream").ok(),
                };
                form.contenttype = ty;
            }
            if !form.name.is_null() && form.namelength != 0 {
                // SAFETY: the program says `namelength` bytes are there.
                let name = unsafe { std::slice::from_raw_parts(form.name.cast::<u8>(), form.namelength) };
                if name.contains(&0) {
                    return FORMADD_NULL;
                }
            }
            if form.contenttype.is_some() {
                prevtype.clone_from(&form.contenttype);
            }
        }
        FORMADD_OK
    }

    /// Appends the described entries to the program's list.
    ///
    /// # Safety
    /// The pointers given are valid; `first`/`last` a list's ends.
    unsafe fn append(&mut self, first: &mut *mut HttpPost, last: &mut *mut HttpPost) -> FormCode {
        let mut post: *mut HttpPost = ptr::null_mut();
        for (i, form) in self.infos.iter().enumerate() {
            let f = form.flags;
            let mut name = form.name.cast_mut();
            if f & PTRNAME == 0 && i == 0 {
                // Copied without a NUL of its own when a length is given.
                // SAFETY: a C string, or `namelength` bytes.
                name = unsafe {
                    match form.namelength {
                        0 => c_dup(name, libc::strlen(name) + 1),
                        n => c_dup(name, n),
                    }
                };
                if name.is_null() {
                    return FORMADD_MEMORY;
                }
            }
            let mut value = form.value().cast_mut();
            if f & (FILENAME | READFILE | PTRCONTENTS | PTRBUFFER | CALLBACK) == 0 && !value.is_null() {
                let len = match form.contentslength {
                    // SAFETY: a C string without a length.
                    0 => (unsafe { libc::strlen(value) }) + 1,
                    n => n as usize,
                };
                // SAFETY: `len` readable bytes, as the program says.
                value = unsafe { c_dup(value, len) };
            } else if form.value_copy.is_some() {
                value = c_string(&form.value_copy);
            }
            // SAFETY: a zeroed `curl_httppost` is a valid empty one.
            let node = unsafe { libc::calloc(1, std::mem::size_of::<HttpPost>()) }.cast::<HttpPost>();
            if node.is_null() {
                return FORMADD_MEMORY;
            }
            // SAFETY: just allocated; `post` and the list ends are live.
            unsafe {
                let n = &mut *node;
                n.name = name;
                n.namelength = match (form.namelength, name.is_null()) {
                    (0, false) => libc::strlen(name) as c_long,
                    (len, _) => len as c_long,
                };
                n.contents = value;
                n.contentlen = form.contentslength;
                n.buffer = form.buffer.cast_mut();
                n.bufferlength = form.bufferlength as c_long;
                n.contenttype = c_string(&form.contenttype);
                n.contentheader = form.contentheader;
                n.showfilename = c_string(&form.showfilename);
                n.userp = form.userp;
                n.flags = f | LARGE;
                if let Some(parent) = post.as_mut() {
                    n.more = parent.more;
                    parent.more = node;
                } else {
                    match last.as_mut() {
                        Some(l) => l.next = node,
                        None => *first = node,
                    }
                    *last = node;
                }
            }
            post = node;
        }
        FORMADD_OK
    }
}

/// Ends a `curl_formadd` call: `code` is the first option's failure, if
/// any; otherwise the description is checked and appended to the list.
/// The builder is freed.
///
/// # Safety
/// `b` comes from `starling_formadd_begin` (or is NULL) and is not used
/// afterwards; `httppost` and `last_post` point to the list's ends.
#[no_mangle]
pub unsafe extern "C" fn starling_formadd_end(
    b: *mut Builder,
    httppost: *mut *mut HttpPost,
    last_post: *mut *mut HttpPost,
    code: FormCode,
) -> FormCode {
    guard(FORMADD_MEMORY, || {
        if b.is_null() {
            return FORMADD_MEMORY;
        }
        // SAFETY: made by `starling_formadd_begin`, freed once here.
        let mut b = unsafe { Box::from_raw(b) };
        if code != FORMADD_OK {
            return code;
        }
        // SAFETY: by the caller's contract.
        let (Some(first), Some(last)) = (unsafe { httppost.as_mut() }, unsafe { last_post.as_mut() }) else {
            return FORMADD_NULL;
        };
        // SAFETY: the options' pointers are the program's, valid now.
        match unsafe { b.check() } {
            FORMADD_OK => unsafe { b.append(first, last) },
            failed => failed,
        }
    })
}
