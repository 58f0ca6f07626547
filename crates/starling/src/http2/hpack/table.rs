//! HPACK's indexing tables (RFC 7541, section 2.3): the static table of 61
//! fields, and the dynamic table a header block's fields are added to,
//! bounded by a size in the RFC's accounting (name + value + 32 per entry).

use std::collections::VecDeque;

/// RFC 7541, Appendix A: index 1 is the first entry.
pub(crate) const STATIC: [(&str, &str); 61] = [
    (":authority", ""),
    (":method", "GET"),
    (":method", "POST"),
    (":path", "/"),
    (":path", "/index.html"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "200"),
    (":status", "204"),
    (":status", "206"),
    (":status", "304"),
    (":status", "400"),
    (":status", "404"),
    (":status", "500"),
    ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"),
    ("accept-language", ""),
    ("accept-ranges", ""),
    ("accept", ""),
    ("access-control-allow-origin", ""),
    ("age", ""),
    ("allow", ""),
    ("authorization", ""),
    ("cache-control", ""),
    ("content-disposition", ""),
    ("content-encoding", ""),
    ("content-language", ""),
    ("content-length", ""),
    ("content-location", ""),
    ("content-range", ""),
    ("content-type", ""),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("expect", ""),
    ("expires", ""),
    ("from", ""),
    ("host", ""),
    ("if-match", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("if-range", ""),
    ("if-unmodified-since", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("max-forwards", ""),
    ("proxy-authenticate", ""),
    ("proxy-authorization", ""),
    ("range", ""),
    ("referer", ""),
    ("refresh", ""),
    ("retry-after", ""),
    ("server", ""),
    ("set-cookie", ""),
    ("strict-transport-security", ""),
    ("transfer-encoding", ""),
    ("user-agent", ""),
    ("vary", ""),
    ("via", ""),
    ("www-authenticate", ""),
];

/// What the RFC counts per entry beyond its name and value.
pub(crate) const ENTRY_OVERHEAD: usize = 32;

/// The buffer's first size: the default table's.
const FIRST_BYTES: usize = 4096;

/// One dynamic entry: where its name and value lie in the table's bytes.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    name_len: usize,
    len: usize,
}

impl Entry {
    fn size(&self) -> usize {
        self.len + ENTRY_OVERHEAD
    }
}

/// The dynamic table of one direction of a connection; the newest entry
/// has the lowest index (62).
///
/// Names and values lie end to end in one buffer, oldest first, which is
/// moved down when it is full and its front was evicted: a server that
/// indexes a new `date` every second costs no allocation per entry. The
/// buffer takes a table's worth at the first entry (nothing for a server
/// that never indexes, as nginx), and grows at most once or twice more.
#[derive(Debug)]
pub(crate) struct DynamicTable {
    /// Newest first.
    entries: VecDeque<Entry>,
    bytes: Vec<u8>,
    /// Where the oldest entry's bytes begin (what lies before was evicted).
    live_start: usize,
    size: usize,
    max_size: usize,
}

impl DynamicTable {
    /// An empty table holding at most `max_size` (RFC accounting).
    pub fn new(max_size: usize) -> DynamicTable {
        DynamicTable {
            entries: VecDeque::new(),
            bytes: Vec::new(),
            live_start: 0,
            size: 0,
            max_size,
        }
    }

    /// The table's size in the RFC's accounting.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        self.size
    }

    /// A new maximum, evicting the oldest entries until the table fits.
    pub fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size;
        self.evict_to(max_size);
    }

    /// Adds a field as the newest entry. One larger than the whole table
    /// empties it and is not added (section 4.4).
    pub fn insert(&mut self, name: &[u8], value: &[u8]) {
        let len = name.len() + value.len();
        let size = len + ENTRY_OVERHEAD;
        if size > self.max_size {
            self.entries.clear();
            self.forget_bytes();
            self.size = 0;
            return;
        }
        self.evict_to(self.max_size - size);
        if self.bytes.capacity() == 0 {
            // The first entry: room for a table's worth (the default 4 KiB
            // at most) at once, not a growth step per new value.
            self.bytes.reserve_exact(self.max_size.min(FIRST_BYTES));
        }
        let live = self.bytes.len() - self.live_start;
        if self.bytes.len() + len > self.bytes.capacity() && self.live_start > live {
            // More evicted than live before: move the live bytes down
            // rather than grow.
            self.bytes.copy_within(self.live_start.., 0);
            self.bytes.truncate(live);
            for e in &mut self.entries {
                e.start -= self.live_start;
            }
            self.live_start = 0;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        self.bytes.extend_from_slice(value);
        self.entries.push_front(Entry {
            start,
            name_len: name.len(),
            len,
        });
        self.size += size;
    }

    /// The field at `index` of the whole address space (static then
    /// dynamic, from 1).
    pub fn get(&self, index: usize) -> Option<(&[u8], &[u8])> {
        match index {
            0 => None,
            1..=61 => {
                let (n, v) = STATIC[index - 1];
                Some((n.as_bytes(), v.as_bytes()))
            }
            _ => {
                let e = self.entries.get(index - 62)?;
                Some(self.bytes[e.start..e.start + e.len].split_at(e.name_len))
            }
        }
    }

    fn evict_to(&mut self, limit: usize) {
        while self.size > limit {
            let Some(old) = self.entries.pop_back() else {
                break;
            };
            self.size -= old.size();
            self.live_start = old.start + old.len;
        }
        if self.entries.is_empty() {
            self.forget_bytes();
        }
    }

    /// No entry is left: the buffer starts over (keeping its capacity).
    fn forget_bytes(&mut self) {
        self.bytes.clear();
        self.live_start = 0;
    }
}

/// The first static index of each name: entries of one name are
/// neighbours, so the encoder looks at those only.
fn first_static(name: &[u8]) -> Option<usize> {
    Some(match name {
        b":authority" => 1,
        b":method" => 2,
        b":path" => 4,
        b":scheme" => 6,
        b":status" => 8,
        b"accept-charset" => 15,
        b"accept-encoding" => 16,
        b"accept-language" => 17,
        b"accept-ranges" => 18,
        b"accept" => 19,
        b"access-control-allow-origin" => 20,
        b"age" => 21,
        b"allow" => 22,
        b"authorization" => 23,
        b"cache-control" => 24,
        b"content-disposition" => 25,
        b"content-encoding" => 26,
        b"content-language" => 27,
        b"content-length" => 28,
        b"content-location" => 29,
        b"content-range" => 30,
        b"content-type" => 31,
        b"cookie" => 32,
        b"date" => 33,
        b"etag" => 34,
        b"expect" => 35,
        b"expires" => 36,
        b"from" => 37,
        b"host" => 38,
        b"if-match" => 39,
        b"if-modified-since" => 40,
        b"if-none-match" => 41,
        b"if-range" => 42,
        b"if-unmodified-since" => 43,
        b"last-modified" => 44,
        b"link" => 45,
        b"location" => 46,
        b"max-forwards" => 47,
        b"proxy-authenticate" => 48,
        b"proxy-authorization" => 49,
        b"range" => 50,
        b"referer" => 51,
        b"refresh" => 52,
        b"retry-after" => 53,
        b"server" => 54,
        b"set-cookie" => 55,
        b"strict-transport-security" => 56,
        b"transfer-encoding" => 57,
        b"user-agent" => 58,
        b"vary" => 59,
        b"via" => 60,
        b"www-authenticate" => 61,
        _ => return None,
    })
}

/// The static index of a field with this exact name and value, or of the
/// first entry with this name (`exact` false), for the encoder.
pub(crate) fn find_static(name: &[u8], value: &[u8]) -> Option<(usize, bool)> {
    let first = first_static(name)?;
    let same = STATIC[first - 1..]
        .iter()
        .take_while(|(n, _)| n.as_bytes() == name);
    for (i, (_, v)) in same.enumerate() {
        if v.as_bytes() == value {
            return Some((first + i, true));
        }
    }
    Some((first, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_run_static_then_newest_first() {
        let mut t = DynamicTable::new(4096);
        assert_eq!(t.get(2), Some((&b":method"[..], &b"GET"[..])));
        assert_eq!(t.get(61).unwrap().0, b"www-authenticate");
        assert_eq!(t.get(62), None);
        assert_eq!(t.get(0), None);
        t.insert(b"a", b"1");
        t.insert(b"b", b"2");
        assert_eq!(t.get(62), Some((&b"b"[..], &b"2"[..])));
        assert_eq!(t.get(63), Some((&b"a"[..], &b"1"[..])));
        assert_eq!(t.size(), 2 * 34);
    }

    #[test]
    fn the_oldest_go_first_and_an_oversize_entry_empties_the_table() {
        let mut t = DynamicTable::new(100);
        t.insert(b"aaaa", b"1111"); // 40
        t.insert(b"bbbb", b"2222"); // 80
        t.insert(b"cccc", b"3333"); // 120 > 100: "aaaa" goes
        assert_eq!(t.size(), 80);
        assert_eq!(t.get(63).unwrap().0, b"bbbb");
        t.set_max_size(40);
        assert_eq!(t.size(), 40);
        assert_eq!(t.get(62).unwrap().0, b"cccc");
        t.insert(&[b'x'; 20], b"");
        assert_eq!((t.size(), t.get(62)), (0, None));
    }

    /// Many more entries than fit, of varied sizes, checked against a
    /// table of one allocation per entry; the bytes stay within about
    /// twice the table's size.
    #[test]
    fn entries_keep_their_bytes_as_the_buffer_moves_down() {
        let mut t = DynamicTable::new(300);
        let mut model: VecDeque<(Vec<u8>, Vec<u8>)> = VecDeque::new();
        let mut seed = 7u32;
        for i in 0..5_000u32 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let name = format!("n{i}").into_bytes();
            let value = vec![b'a' + (i % 26) as u8; (seed >> 16) as usize % 90];
            t.insert(&name, &value);
            model.push_front((name, value));
            let mut size: usize = model
                .iter()
                .map(|(n, v)| n.len() + v.len() + ENTRY_OVERHEAD)
                .sum();
            while size > 300 {
                let (n, v) = model.pop_back().unwrap();
                size -= n.len() + v.len() + ENTRY_OVERHEAD;
            }
            assert_eq!(t.size(), size);
            for (k, (n, v)) in model.iter().enumerate() {
                assert_eq!(t.get(62 + k), Some((&n[..], &v[..])), "entry {k} after {i}");
            }
            assert_eq!(t.get(62 + model.len()), None);
            assert!(t.bytes.capacity() <= 1024, "{} bytes kept", t.bytes.capacity());
        }
    }

    #[test]
    fn every_static_entry_is_found_at_its_index() {
        for (i, (n, v)) in STATIC.iter().enumerate() {
            let (index, exact) = find_static(n.as_bytes(), v.as_bytes()).unwrap();
            assert!(exact && STATIC[index - 1] == STATIC[i], "{n}: {v}");
        }
    }

    #[test]
    fn static_lookup_prefers_an_exact_match() {
        assert_eq!(find_static(b":method", b"POST"), Some((3, true)));
        assert_eq!(find_static(b":method", b"PUT"), Some((2, false)));
        assert_eq!(find_static(b"user-agent", b"x"), Some((58, false)));
        assert_eq!(find_static(b"x-custom", b""), None);
    }
}
