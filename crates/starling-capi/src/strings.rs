//! `curl_strequal` and `curl_strnequal`: libcurl's ASCII case-insensitive
//! comparisons, kept for the programs that still call them.

use std::ffi::{c_char, c_int, CStr};

/// Non-zero when the two C strings are equal ignoring ASCII case; two
/// NULLs are equal, a NULL and a string are not.
///
/// # Safety
/// Each argument is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_strequal(s1: *const c_char, s2: *const c_char) -> c_int {
    crate::guard(0, || match (s1.is_null(), s2.is_null()) {
        (false, false) => {
            // SAFETY: both are C strings, by the caller's contract.
            let (a, b) = unsafe { (CStr::from_ptr(s1), CStr::from_ptr(s2)) };
            c_int::from(a.to_bytes().eq_ignore_ascii_case(b.to_bytes()))
        }
        (null1, null2) => c_int::from(null1 && null2),
    })
}

/// Non-zero when the first `n` bytes of the two C strings are equal
/// ignoring ASCII case (shorter strings compare up to their end, which
/// must then be the same); two NULLs are equal when `n` is not 0.
///
/// # Safety
/// Each argument is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_strnequal(s1: *const c_char, s2: *const c_char, n: usize) -> c_int {
    crate::guard(0, || match (s1.is_null(), s2.is_null()) {
        (false, false) => {
            // SAFETY: both are C strings, by the caller's contract.
            let (a, b) = unsafe { (CStr::from_ptr(s1).to_bytes(), CStr::from_ptr(s2).to_bytes()) };
            let (a, b) = (&a[..a.len().min(n)], &b[..b.len().min(n)]);
            c_int::from(a.eq_ignore_ascii_case(b))
        }
        (null1, null2) => c_int::from(null1 && null2 && n != 0),
    })
}
