//! `struct curl_slist`: libcurl's linked list of strings.

use std::ffi::{c_char, CStr};
use std::ptr;

use crate::guard;

/// The C layout of one list node.
#[repr(C)]
pub struct CurlSlist {
    pub data: *mut c_char,
    pub next: *mut CurlSlist,
}

/// Appends a copy of `string` to `list` (NULL: a new list); returns the
/// list's head, or NULL when out of memory (the list is then unchanged).
///
/// # Safety
/// `list` is NULL or a list made by this function; `string` a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_slist_append(list: *mut CurlSlist, string: *const c_char) -> *mut CurlSlist {
    guard(ptr::null_mut(), || {
        if string.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: the caller passes a NUL-terminated string.
        let copy = unsafe { libc::strdup(string) };
        if copy.is_null() {
            return ptr::null_mut();
        }
        let node = Box::into_raw(Box::new(CurlSlist {
            data: copy,
            next: ptr::null_mut(),
        }));
        if list.is_null() {
            return node;
        }
        let mut last = list;
        // SAFETY: `list` is a valid list; its nodes' `next` end in NULL.
        unsafe {
            while !(*last).next.is_null() {
                last = (*last).next;
            }
            (*last).next = node;
        }
        list
    })
}

/// Frees a whole list.
///
/// # Safety
/// `list` is NULL or a list made by `curl_slist_append`, not used after.
#[no_mangle]
pub unsafe extern "C" fn curl_slist_free_all(list: *mut CurlSlist) {
    guard((), || {
        let mut node = list;
        while !node.is_null() {
            // SAFETY: every node was made by `Box::into_raw` and every
            // string by `strdup` in `curl_slist_append`.
            unsafe {
                let boxed = Box::from_raw(node);
                libc::free(boxed.data.cast());
                node = boxed.next;
            }
        }
    })
}

/// The strings of a list, in order (invalid UTF-8 replaced).
///
/// # Safety
/// `list` is NULL or a valid list.
pub unsafe fn strings(list: *const CurlSlist) -> Vec<String> {
    let mut out = Vec::new();
    let mut node = list;
    while !node.is_null() {
        // SAFETY: a valid list node with a C string (or NULL data).
        unsafe {
            if !(*node).data.is_null() {
                out.push(CStr::from_ptr((*node).data).to_string_lossy().into_owned());
            }
            node = (*node).next;
        }
    }
    out
}
