//! The header fields of a handle's transfer, kept from the head lines the
//! handler gets, the way libcurl 7.88 keeps them for its header API: every
//! field of every head (interim ones marked `CURLH_1XX`), with the number
//! of the request it answered, the name as sent and the value trimmed; the
//! status lines and the empty lines are not kept, but an HTTP/2 head's
//! status is, as the `:status` pseudo-header (`CURLH_PSEUDO`).
//!
//! The bytes go into a few chunks that never move (a chunk is never grown
//! past its capacity), so the name and value pointers handed to C stay
//! valid while more fields arrive, until the next transfer starts, as
//! libcurl's do.

use std::ffi::{c_char, c_void};

use super::curl_header::CurlHeader;

/// `CURLH_HEADER`: a field of a response head.
const ORIGIN_HEADER: u8 = 1 << 0;
/// `CURLH_TRAILER`: a trailer of a chunked body.
const ORIGIN_TRAILER: u8 = 1 << 1;
/// `CURLH_1XX`: a field of an interim head.
const ORIGIN_1XX: u8 = 1 << 3;
/// `CURLH_PSEUDO`: an HTTP/2 pseudo-header (`:status`).
const ORIGIN_PSEUDO: u8 = 1 << 4;
/// Every origin bit libcurl 7.88 defines (`CURLH_HEADER` to `CURLH_PSEUDO`).
const ALL_ORIGINS: u32 = 0x1f;
/// A bit libcurl sets in every `origin` it hands out, so that programs
/// test the bits instead of comparing the whole value.
const RESERVED_ORIGIN_BIT: u32 = 1 << 27;

/// `CURLHcode`: found.
pub const CURLHE_OK: u32 = 0;
/// The name is there, not that many times.
pub const CURLHE_BADINDEX: u32 = 1;
/// No field of that name (in those origins and that request).
pub const CURLHE_MISSING: u32 = 2;
/// No fields at all (yet).
pub const CURLHE_NOHEADERS: u32 = 3;
/// No request of that number was made.
pub const CURLHE_NOREQUEST: u32 = 4;
/// A NULL argument, or an origin or request number out of range.
pub const CURLHE_BAD_ARGUMENT: u32 = 6;

/// The smallest chunk: a whole common head fits in one or two.
const FIRST_CHUNK: usize = 256;

/// One kept field.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The chunk holding `name\0value\0`.
    chunk: u32,
    /// Where the name starts in it.
    name: u32,
    /// Where the value starts in it.
    value: u32,
    /// The request (0, 1, ...) whose response carried it.
    request: i32,
    /// Its `CURLH_*` bit.
    origin: u8,
}

/// A field found: which one, and its place among the fields of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// The field's place among all kept.
    entry: usize,
    /// Its place among the fields of its name (of those origins and that
    /// request).
    pub index: usize,
    /// How many fields of its name there are.
    pub amount: usize,
}

/// The fields of one transfer, and the two structs handed to C.
#[derive(Default)]
pub struct Headers {
    /// `name\0value\0` of each field, in chunks filled up to their
    /// capacity and never grown (pointers into them stay valid).
    chunks: Vec<Vec<u8>>,
    /// The fields, in the order received.
    entries: Vec<Entry>,
    /// libcurl's request counter: the request whose heads arrive now,
    /// which `-1` names.
    request: i32,
    /// Inside a head: its origin; `None` between heads (the next line is
    /// a status line).
    head: Option<u8>,
    /// A head that was not interim ended: the next head answers the next
    /// request (a redirect followed, or a request sent again).
    final_done: bool,
    /// The struct both functions hand out, overwritten by each call of
    /// either (libcurl 7.88 has one per handle too).
    out: CurlHeader,
}

impl Headers {
    /// Forgets the last transfer's fields (a new transfer starts); the
    /// largest chunk is kept for the next one.
    pub fn clear(&mut self) {
        let biggest = self
            .chunks
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| c.capacity())
            .map(|(i, _)| i);
        let kept = biggest.map(|i| self.chunks.swap_remove(i));
        self.chunks.clear();
        if let Some(mut chunk) = kept {
            chunk.clear();
            self.chunks.push(chunk);
        }
        self.entries.clear();
        self.request = 0;
        self.head = None;
        self.final_done = false;
    }

    /// Takes one head line as received (status line, field line or the
    /// empty line, with its line end).
    pub fn record(&mut self, line: &[u8]) {
        let Some(origin) = self.head else {
            self.head_starts(line);
            return;
        };
        if matches!(line.first(), None | Some(b'\r' | b'\n')) {
            self.head = None;
            self.final_done |= origin != ORIGIN_1XX;
            return;
        }
        self.field(line, origin);
    }

    /// Takes a trailer line of the last response's chunked body.
    pub fn record_trailer(&mut self, line: &[u8]) {
        self.field(line, ORIGIN_TRAILER);
    }

    /// Keeps a field line of `origin`.
    fn field(&mut self, line: &[u8], origin: u8) {
        // libcurl keeps a line up to its first CR (else its LF), that byte
        // included: trimming the value never removes its first byte, so a
        // field with an empty value has the value "\r".
        let end = line.iter().position(|&b| b == b'\r');
        let Some(end) = end.or_else(|| line.iter().position(|&b| b == b'\n')) else {
            return;
        };
        let line = &line[..=end];
        if blank(line[0]) {
            self.unfold(line);
            return;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return;
        };
        let mut start = colon + 1;
        while blank(line[start]) {
            start += 1;
        }
        let mut last = line.len() - 1;
        while last > start && space(line[last]) {
            last -= 1;
        }
        self.push(&line[..colon], &line[start..=last], origin);
    }

    /// A status line opens a head: interim, or the response to this
    /// request or (after a final head) to the next one.
    fn head_starts(&mut self, status_line: &[u8]) {
        if self.final_done {
            self.request += 1;
            self.final_done = false;
        }
        let code = status_code(status_line);
        let interim = code.is_some_and(|code| (100..200).contains(&code));
        self.head = Some(if interim { ORIGIN_1XX } else { ORIGIN_HEADER });
        // An HTTP/2 head's status came as the `:status` pseudo-header,
        // which libcurl keeps, first, apart from the fields.
        if let (true, Some(code)) = (status_line.starts_with(b"HTTP/2 "), code) {
            self.push(b":status", code.to_string().as_bytes(), ORIGIN_PSEUDO);
        }
    }

    /// Keeps a field.
    fn push(&mut self, name: &[u8], value: &[u8], origin: u8) {
        let chunk = self.room(name.len() + value.len() + 2);
        let bytes = &mut self.chunks[chunk];
        let at = bytes.len();
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(value);
        bytes.push(0);
        self.entries.push(Entry {
            chunk: chunk as u32,
            name: at as u32,
            value: (at + name.len() + 1) as u32,
            request: self.request,
            origin,
        });
    }

    /// A line starting with white space continues the last field's value
    /// (obs-fold): libcurl appends it without its trailing white space and
    /// with one leading white-space byte, the last of its run.
    fn unfold(&mut self, line: &[u8]) {
        let Some(last) = self.entries.last().copied() else {
            return;
        };
        let mut more = line;
        while let [rest @ .., end] = more {
            if !space(*end) {
                break;
            }
            more = rest;
        }
        while more.len() > 1 && space(more[0]) && space(more[1]) {
            more = &more[1..];
        }
        let bytes = &mut self.chunks[last.chunk as usize];
        if bytes.capacity() - bytes.len() >= more.len() {
            // The last field ends its chunk: its value grows in place.
            bytes.pop();
            bytes.extend_from_slice(more);
            bytes.push(0);
            return;
        }
        let old = bytes[last.name as usize..bytes.len() - 1].to_vec();
        let chunk = self.room(old.len() + more.len() + 1);
        let bytes = &mut self.chunks[chunk];
        let at = bytes.len();
        bytes.extend_from_slice(&old);
        bytes.extend_from_slice(more);
        bytes.push(0);
        let moved = self.entries.last_mut().expect("checked above");
        moved.chunk = chunk as u32;
        moved.value = (at + (last.value - last.name) as usize) as u32;
        moved.name = at as u32;
    }

    /// A chunk with room for `need` more bytes without growing.
    fn room(&mut self, need: usize) -> usize {
        if let Some(last) = self.chunks.last() {
            if last.capacity() - last.len() >= need {
                return self.chunks.len() - 1;
            }
        }
        let size = need.max(FIRST_CHUNK << self.chunks.len().min(6));
        self.chunks.push(Vec::with_capacity(size));
        self.chunks.len() - 1
    }

    /// A field's name, without its NUL.
    fn name(&self, e: &Entry) -> &[u8] {
        let bytes = &self.chunks[e.chunk as usize];
        &bytes[e.name as usize..e.value as usize - 1]
    }

    /// A field's value, without its NUL.
    #[cfg(test)]
    fn value(&self, e: &Entry) -> &[u8] {
        let bytes = &self.chunks[e.chunk as usize][e.value as usize..];
        &bytes[..bytes.iter().position(|&b| b == 0).unwrap()]
    }

    /// The number of the last request: the one whose heads arrive now,
    /// or a later one `followed` (the redirects followed so far) says was
    /// made. libcurl counts a redirect's request when it follows it, before
    /// any of its response (which may never come); the heads show it only
    /// when they come.
    fn last_request(&self, followed: u32) -> i32 {
        self.request.max(i32::try_from(followed).unwrap_or(i32::MAX))
    }

    /// `curl_easy_header`'s search, with its answers in libcurl's order of
    /// checks: the arguments, any field at all, the request number, the
    /// name, the index. `followed`: see [`Headers::last_request`].
    pub fn find(
        &self,
        name: &[u8],
        index: usize,
        origin: u32,
        request: i32,
        followed: u32,
    ) -> Result<Found, u32> {
        if origin == 0 || origin > ALL_ORIGINS || request < -1 {
            return Err(CURLHE_BAD_ARGUMENT);
        }
        if self.entries.is_empty() {
            return Err(CURLHE_NOHEADERS);
        }
        let last = self.last_request(followed);
        if request > last {
            return Err(CURLHE_NOREQUEST);
        }
        let request = if request == -1 { last } else { request };
        let matching = || {
            self.entries.iter().enumerate().filter(move |(_, e)| {
                e.request == request
                    && u32::from(e.origin) & origin != 0
                    && self.name(e).eq_ignore_ascii_case(name)
            })
        };
        let amount = matching().count();
        if amount == 0 {
            return Err(CURLHE_MISSING);
        }
        let Some((entry, _)) = matching().nth(index) else {
            return Err(CURLHE_BADINDEX);
        };
        Ok(Found { entry, index, amount })
    }

    /// `curl_easy_nextheader`'s search: the first field after entry
    /// `after` (from the start for `None`) of these origins and request.
    /// As in libcurl the origin bits are not checked here: bits no field
    /// has simply match nothing.
    pub fn next(&self, origin: u32, request: i32, after: Option<usize>, followed: u32) -> Option<Found> {
        let last = self.last_request(followed);
        if request > last {
            return None;
        }
        let request = if request == -1 { last } else { request };
        let wanted = |e: &Entry| e.request == request && u32::from(e.origin) & origin != 0;
        let first = after.map_or(0, |a| a.saturating_add(1));
        let (entry, picked) = self
            .entries
            .iter()
            .enumerate()
            .skip(first)
            .find(|(_, e)| wanted(e))?;
        let name = self.name(picked);
        let same = |e: &&Entry| wanted(e) && self.name(e).eq_ignore_ascii_case(name);
        let index = self.entries[..entry].iter().filter(same).count();
        let amount = index + self.entries[entry..].iter().filter(same).count();
        Some(Found { entry, index, amount })
    }

    /// Writes a found field into the handle's struct and hands it out. Its
    /// `anchor` is the field's place plus one (never NULL), which
    /// `curl_easy_nextheader` reads back from `prev`.
    pub fn hand_out(&mut self, found: Found) -> *mut CurlHeader {
        let e = self.entries[found.entry];
        let base = self.chunks[e.chunk as usize].as_mut_ptr();
        // SAFETY: both offsets are inside the chunk (they were written
        // there), and the chunk's buffer never moves while it is kept.
        let (name, value) = unsafe { (base.add(e.name as usize), base.add(e.value as usize)) };
        self.out = CurlHeader {
            name: name.cast::<c_char>(),
            value: value.cast::<c_char>(),
            amount: found.amount,
            index: found.index,
            origin: u32::from(e.origin) | RESERVED_ORIGIN_BIT,
            anchor: (found.entry + 1) as *mut c_void,
        };
        &mut self.out
    }
}

/// libcurl's ISBLANK.
fn blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// libcurl's ISSPACE (with the vertical tab Rust's ASCII white space
/// leaves out).
fn space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The code of a status line such as `HTTP/1.1 100 Continue`.
fn status_code(line: &[u8]) -> Option<u16> {
    let rest = &line[line.iter().position(|&b| b == b' ')? + 1..];
    let digits = rest.get(..3)?;
    digits.iter().try_fold(0u16, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
    })
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
