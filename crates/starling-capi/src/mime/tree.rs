//! The MIME tree libcurl's API builds: a `curl_mime` is a list of parts
//! and a boundary; a `curl_mimepart` has a name, a file name, a type, an
//! encoder, headers of its own and one content (bytes, a file, callbacks,
//! or another `curl_mime` as subparts). The C functions that build it are
//! in `api.rs`; how it is sent, in `stream.rs`.
//!
//! Parts and mimes are handed to C as raw pointers and kept here as raw
//! pointers too (never as `Box`es, whose uniqueness C's copies would
//! break); each is freed by its owner: a part by its mime, a mime by the
//! program (`curl_mime_free`) or, as subparts, by its part.

use std::ffi::{c_int, c_void, CString};
use std::fs::File;
use std::ptr;

use super::encode::Encoding;
use crate::handler::ReadFn;
use crate::slist::{curl_slist_free_all, CurlSlist};

/// `curl_seek_callback`.
pub type SeekFn = unsafe extern "C" fn(*mut c_void, i64, c_int) -> c_int;
/// `curl_free_callback`.
pub type FreeFn = unsafe extern "C" fn(*mut c_void);

/// `curl_mime`: parts in order, and the boundary between them.
pub struct Mime {
    /// Each made by `Box::into_raw`, freed with the mime.
    pub parts: Vec<*mut Part>,
    /// 24 dashes and 16 random hexadecimal digits, as libcurl 7.88 makes
    /// them.
    pub boundary: String,
    /// The part this mime is the content of (subparts, or an easy
    /// handle's MIMEPOST), or NULL: a mime is bound to one part at most.
    pub parent: *mut Part,
}

/// `curl_mimepart`.
pub struct Part {
    /// The mime it is a part of; NULL for an easy handle's own top part.
    pub owner: *mut Mime,
    /// `curl_mime_name`.
    pub name: Option<Vec<u8>>,
    /// `curl_mime_filename` (or the base name `curl_mime_filedata` gave).
    pub filename: Option<Vec<u8>>,
    /// `curl_mime_type`.
    pub mimetype: Option<Vec<u8>>,
    /// `curl_mime_encoder`.
    pub encoder: Option<Encoding>,
    /// `curl_mime_headers`' list, freed with the part when it was given
    /// with `take_ownership`.
    pub headers: *mut CurlSlist,
    /// The part frees `headers`.
    pub owns_headers: bool,
    pub content: Content,
    /// Sending has reached this part since it was last rewound: sending
    /// it again needs a seek (libcurl's part state past its start).
    pub touched: bool,
}

/// What a part's content comes from.
pub enum Content {
    /// Nothing: an empty content.
    None,
    /// `curl_mime_data`'s copy.
    Data(Vec<u8>),
    /// `curl_mime_filedata`: read while it is sent.
    File(FileSource),
    /// `curl_mime_data_cb`.
    Callback(Callbacks),
    /// `curl_mime_subparts`: another mime, owned by this part or (an easy
    /// handle's MIMEPOST) only bound to it.
    Subparts { mime: *mut Mime, owned: bool },
}

/// A named file, opened when it is first read and closed at its end.
pub struct FileSource {
    /// The path as the program gave it.
    pub path: CString,
    /// Its size when it was named, if it is a regular file (its length
    /// is then known and it can be rewound).
    pub size: Option<u64>,
    /// Open while it is being sent.
    pub file: Option<File>,
}

/// The program's callbacks for a part.
#[derive(Clone, Copy)]
pub struct Callbacks {
    /// The size announced; -1 when unknown (sent chunked).
    pub size: i64,
    /// Gives the content.
    pub read: ReadFn,
    /// Goes back to its start (None: it cannot).
    pub seek: Option<SeekFn>,
    /// Called on `arg` when the content goes.
    pub free: Option<FreeFn>,
    /// The program's pointer for the three.
    pub arg: *mut c_void,
}

impl Mime {
    /// A new empty mime with a fresh boundary, boxed for C.
    pub fn new_raw() -> *mut Mime {
        Box::into_raw(Box::new(Mime {
            parts: Vec::new(),
            boundary: new_boundary(),
            parent: ptr::null_mut(),
        }))
    }

    /// Appends a new empty part; the pointer stays valid until the mime
    /// is freed.
    pub fn add_part(&mut self) -> *mut Part {
        let part = Box::into_raw(Box::new(Part::new(self)));
        self.parts.push(part);
        part
    }

    /// The parts, in order.
    pub fn parts(&self) -> impl Iterator<Item = &Part> + '_ {
        // SAFETY: the mime owns its parts, alive until it is dropped.
        self.parts.iter().map(|&p| unsafe { &*p })
    }
}

impl Drop for Mime {
    fn drop(&mut self) {
        // Freed while bound (curl_mime_free on a MIMEPOST mime, or on
        // subparts): the part forgets it without freeing it again.
        if !self.parent.is_null() {
            // SAFETY: a bound mime's parent part outlives the binding.
            let parent = unsafe { &mut *self.parent };
            parent.content = Content::None;
            parent.touched = false;
        }
        for &part in &self.parts {
            // SAFETY: made by `Box::into_raw` in `add_part`, freed once.
            drop(unsafe { Box::from_raw(part) });
        }
    }
}

impl Part {
    /// An empty part of `owner` (NULL: an easy handle's top part).
    pub fn new(owner: *mut Mime) -> Part {
        Part {
            owner,
            name: None,
            filename: None,
            mimetype: None,
            encoder: None,
            headers: ptr::null_mut(),
            owns_headers: false,
            content: Content::None,
            touched: false,
        }
    }

    /// Drops the content (libcurl's cleanup of a part's data): the free
    /// callback is called, owned subparts are freed, bound ones let go.
    pub fn clear_content(&mut self) {
        match std::mem::replace(&mut self.content, Content::None) {
            Content::Callback(cb) => {
                if let Some(free) = cb.free {
                    // SAFETY: the program's free callback for its own arg.
                    unsafe { free(cb.arg) };
                }
            }
            Content::Subparts { mime, owned } => {
                // SAFETY: a bound mime lives while it is bound.
                unsafe { (*mime).parent = ptr::null_mut() };
                if owned {
                    // SAFETY: the part owns it (made by `Box::into_raw`).
                    drop(unsafe { Box::from_raw(mime) });
                }
            }
            _ => {}
        }
        self.touched = false;
    }

    /// Replaces the part's header list (libcurl's rules for ownership: the
    /// same list set again is not freed).
    pub fn set_headers(&mut self, headers: *mut CurlSlist, take_ownership: bool) {
        if self.owns_headers && self.headers != headers {
            // SAFETY: a list the part was given to own.
            unsafe { curl_slist_free_all(self.headers) };
        }
        self.headers = headers;
        self.owns_headers = !headers.is_null() && take_ownership;
    }

    /// The subparts' mime, for a part whose content they are.
    pub fn subparts(&self) -> Option<&Mime> {
        match self.content {
            // SAFETY: a bound mime lives while it is bound.
            Content::Subparts { mime, .. } => Some(unsafe { &*mime }),
            _ => None,
        }
    }

    /// Binds `mime` as this part's content (libcurl's checks: a mime is
    /// bound once, and never into its own tree). False when refused.
    pub fn bind(&mut self, mime: *mut Mime, owned: bool) -> bool {
        if let Content::Subparts { mime: current, .. } = self.content {
            if current == mime {
                return true;
            }
        }
        self.clear_content();
        if mime.is_null() {
            return true;
        }
        // SAFETY: the program passes a live mime.
        let m = unsafe { &mut *mime };
        if !m.parent.is_null() || self.root() == mime {
            return false;
        }
        m.parent = self;
        self.content = Content::Subparts { mime, owned };
        true
    }

    /// The top mime of the tree this part is in (NULL for an easy
    /// handle's part).
    fn root(&self) -> *mut Mime {
        let mut root = self.owner;
        // SAFETY: owners and parents up the tree are live while bound.
        unsafe {
            while !root.is_null() && !(*root).parent.is_null() && !(*(*root).parent).owner.is_null() {
                root = (*(*root).parent).owner;
            }
        }
        root
    }

    /// A deep copy for a duplicated easy handle (libcurl's
    /// `Curl_mime_duppart`): subparts are copied and owned by the copy;
    /// callbacks are shared (the free callback then runs for each copy,
    /// as in libcurl).
    pub fn duplicate_into(&self, dst: &mut Part) {
        dst.content = match &self.content {
            Content::None => Content::None,
            Content::Data(data) => Content::Data(data.clone()),
            Content::File(f) => Content::File(FileSource {
                path: f.path.clone(),
                size: f.size,
                file: None,
            }),
            Content::Callback(cb) => Content::Callback(*cb),
            Content::Subparts { mime, .. } => {
                let copy = Mime::new_raw();
                // SAFETY: both live: `copy` just made, `mime` bound.
                let (copy_ref, src) = unsafe { (&mut *copy, &**mime) };
                for part in src.parts() {
                    // SAFETY: just added to `copy`, which owns it.
                    part.duplicate_into(unsafe { &mut *copy_ref.add_part() });
                }
                copy_ref.parent = dst;
                Content::Subparts {
                    mime: copy,
                    owned: true,
                }
            }
        };
        if !self.headers.is_null() {
            // SAFETY: the part's list is valid while set.
            let lines = unsafe { super::slist_lines(self.headers) };
            let mut copy = ptr::null_mut();
            for line in lines {
                // SAFETY: `line` is NUL-terminated; `copy` is ours.
                copy = unsafe { crate::slist::curl_slist_append(copy, line.as_ptr()) };
            }
            dst.set_headers(copy, true);
        }
        dst.encoder = self.encoder;
        dst.mimetype.clone_from(&self.mimetype);
        dst.name.clone_from(&self.name);
        dst.filename.clone_from(&self.filename);
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        self.clear_content();
        self.set_headers(ptr::null_mut(), false);
    }
}

/// libcurl 7.88's boundary: 24 dashes, then 16 random lower-case
/// hexadecimal digits.
fn new_boundary() -> String {
    let mut random = [0u8; 8];
    // SAFETY: getrandom fills at most the buffer's length.
    let got = unsafe { libc::getrandom(random.as_mut_ptr().cast(), random.len(), 0) };
    if got != random.len() as isize {
        // No kernel randomness: the clock and an address still differ
        // from one mime to the next, which is all a boundary needs.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        random = (t ^ (&random as *const _ as u64).rotate_left(32)).to_le_bytes();
    }
    let mut b = "-".repeat(24);
    for byte in random {
        b.push_str(&format!("{byte:02x}"));
    }
    b
}
