//! The HTTP/2 rows of the hostile-server catalogue (H2-01 to H2-30 but
//! H2-27, which needs `Upgrade: h2c`), as cases that any client can be run
//! through: the engine's tests run them on Starling's Rust API, the C
//! interface's tests on Starling's and Debian's libcurl and compare.
//!
//! Each case is three transfers on one multi handle: `/bad` and `/good`
//! share one connection to a [`H2ScriptServer`] (with `pipewait`, `/good`
//! added first: it gets stream 1, `/bad` stream 3), and a third fetches
//! 100,000 bytes from another, well-behaved HTTP/2 server. The script
//! starts `/good`'s answer ([`GOOD_LEN`] pattern bytes of seed
//! [`GOOD_SEED`]), does the row's harm to `/bad` or to the connection, and
//! ends `/good`'s answer. Then a transfer of `/next` (answered `next` at
//! once) shows whether the connection went back to the pool.

use std::sync::Arc;
use std::time::Duration;

use crate::h2_frames::{self as f, kind, END_HEADERS, PADDED};
use crate::{pattern, H2Request, H2ScriptServer, H2Step, ServerCert};

/// The seed of `/good`'s pattern body.
pub const GOOD_SEED: u64 = 7;
/// The length of `/good`'s body: its first half comes before the harm.
pub const GOOD_LEN: usize = 40_000;
const REFUSED_STREAM: u32 = 0x7;
const INTERNAL_ERROR: u32 = 0x2;

/// How a transfer ends: well, or with a libcurl code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// CURLE_OK.
    Ok,
    /// This CURLcode.
    Code(u32),
}

/// How `/bad` is set up besides prior knowledge, `pipewait` and a 20 s
/// timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTransfer {
    /// A plain GET.
    Plain,
    /// A GET whose write callback takes the first piece of the body and
    /// then pauses for good, so its stream gets no window back.
    PausedAfterFirstWrite,
    /// A GET with a 1.5 s timeout.
    ShortTimeout,
    /// A POST of 200,000 bytes with a 1.5 s timeout.
    ShortUpload,
}

impl BadTransfer {
    /// The transfer's timeout.
    pub fn timeout(self) -> Duration {
        match self {
            BadTransfer::Plain | BadTransfer::PausedAfterFirstWrite => Duration::from_secs(20),
            BadTransfer::ShortTimeout | BadTransfer::ShortUpload => Duration::from_millis(1500),
        }
    }
}

/// The streams of one connection that a script answers.
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    /// Index of the connection (0: the first one).
    pub conn: usize,
    /// `/good`'s stream, when it came on this connection.
    pub good: Option<u32>,
    /// `/bad`'s stream, when it came on this connection.
    pub bad: Option<u32>,
}

impl Streams {
    fn bad(&self) -> u32 {
        self.bad.expect("a /bad stream")
    }

    /// `/good`'s head and the first half of its body (nothing on a
    /// connection `/good` is not on).
    fn good_start(&self) -> H2Step {
        let Some(good) = self.good else {
            return H2Step::Send(Vec::new());
        };
        let body = pattern(GOOD_SEED, GOOD_LEN);
        let length = GOOD_LEN.to_string();
        let mut out = f::head(good, &[(":status", "200"), ("content-length", &length)], false);
        out.extend(f::data_frames(good, &body[..GOOD_LEN / 2], false));
        H2Step::Send(out)
    }

    /// The rest of `/good`'s body, ending its stream.
    fn good_end(&self) -> H2Step {
        let Some(good) = self.good else {
            return H2Step::Send(Vec::new());
        };
        let body = pattern(GOOD_SEED, GOOD_LEN);
        H2Step::Send(f::data_frames(good, &body[GOOD_LEN / 2..], true))
    }
}

type Steps = dyn Fn(Streams) -> Vec<H2Step> + Send + Sync;

/// One row of the catalogue, or one variant of a row, with what Starling
/// does in it.
pub struct H2HostileCase {
    /// The row and the variant, as "H2-03 index 0".
    pub row: String,
    greeting: Vec<u8>,
    steps: Arc<Steps>,
    /// How `/bad` is set up.
    pub bad_transfer: BadTransfer,
    /// How `/bad` ends on Starling.
    pub bad: End,
    /// Words `/bad`'s error has on Starling.
    pub words: &'static str,
    /// How `/good` ends on Starling.
    pub sibling: End,
    /// Connections the server accepted once `/next` completed on
    /// Starling: 1 when the connection stayed in the pool, 2 when it was
    /// closed. `None` when `/next` is not run (it cannot succeed).
    pub connections_after: Option<usize>,
}

impl std::fmt::Debug for H2HostileCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H2HostileCase").field("row", &self.row).finish()
    }
}

impl H2HostileCase {
    /// A fresh server for this case (prior knowledge).
    pub fn server(&self) -> H2ScriptServer {
        let steps = Arc::clone(&self.steps);
        H2ScriptServer::start(self.greeting.clone(), move |pending| script(&*steps, pending))
    }

    /// A fresh server for this case over TLS with `cert`.
    pub fn server_tls(&self, cert: &ServerCert) -> H2ScriptServer {
        let steps = Arc::clone(&self.steps);
        H2ScriptServer::start_tls(cert, self.greeting.clone(), move |pending| {
            script(&*steps, pending)
        })
    }

    fn new(row: impl Into<String>, steps: impl Fn(Streams) -> Vec<H2Step> + Send + Sync + 'static) -> Self {
        H2HostileCase {
            row: row.into(),
            greeting: f::settings(&[]),
            steps: Arc::new(steps),
            bad_transfer: BadTransfer::Plain,
            bad: End::Ok,
            words: "",
            sibling: End::Ok,
            connections_after: Some(1),
        }
    }

    /// `bad(stream)` harms `/bad` alone, between the halves of `/good`:
    /// `/bad` fails with 92 and `words`; the rest goes on.
    fn stream(
        row: impl Into<String>,
        words: &'static str,
        bad: impl Fn(u32) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        H2HostileCase {
            bad: End::Code(92),
            words,
            ..Self::new(row, move |s| {
                vec![s.good_start(), H2Step::Send(bad(s.bad())), s.good_end()]
            })
        }
    }

    /// `bad(stream)` breaks the connection in the middle of `/good`: both
    /// fail with 16 and `words`, and the connection is not used again.
    fn connection(
        row: impl Into<String>,
        words: &'static str,
        bad: impl Fn(u32) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        H2HostileCase {
            bad: End::Code(16),
            words,
            sibling: End::Code(16),
            connections_after: Some(2),
            ..Self::new(row, move |s| vec![s.good_start(), H2Step::Send(bad(s.bad()))])
        }
    }

    /// The server's first bytes are `greeting`: both fail with 16 (and so
    /// would any later transfer to it).
    fn greeting(row: impl Into<String>, words: &'static str, greeting: Vec<u8>) -> Self {
        H2HostileCase {
            greeting,
            connections_after: None,
            ..Self::connection(row, words, |_| Vec::new())
        }
    }

    /// `/bad` completes after `bad(stream)`, and so does the rest.
    fn harmless(row: impl Into<String>, bad: impl Fn(u32) -> Vec<u8> + Send + Sync + 'static) -> Self {
        Self::new(row, move |s| {
            vec![s.good_start(), H2Step::Send(bad(s.bad())), s.good_end()]
        })
    }
}

/// The script: `/next` gets a plain answer at once; on the first
/// connection the case acts once `/good` and `/bad` are both there, on any
/// later one (a retry) once `/bad` is.
fn script(steps: &Steps, pending: &[H2Request]) -> Vec<H2Step> {
    let find = |path: &str| pending.iter().find(|r| r.path == path).map(|r| r.stream);
    if let Some(next) = find("/next") {
        return vec![H2Step::Send(f::response(next, 200, b"next"))];
    }
    let s = Streams {
        conn: pending[0].connection,
        good: find("/good"),
        bad: find("/bad"),
    };
    match (s.conn, s.good, s.bad) {
        (0, Some(_), Some(_)) | (1.., _, Some(_)) => steps(s),
        _ => Vec::new(),
    }
}

/// Response heads RFC 9113 calls malformed (H2-19, H2-20, H2-21): no or
/// a bad `:status`, a request pseudo-field, a pseudo-field after a field or
/// twice, a name with upper case, SP or `:`, a value with NUL or CR, and
/// connection-specific fields.
pub const MALFORMED_HEADS: [&[(&str, &str)]; 17] = [
    &[("x-a", "1")],
    &[(":status", "20")],
    &[(":status", "abc")],
    &[(":status", "2000")],
    &[(":status", "200"), (":path", "/")],
    &[("x-a", "1"), (":status", "200")],
    &[(":status", "200"), (":status", "200")],
    &[(":status", "200"), ("X-Upper", "1")],
    &[(":status", "200"), ("a b", "1")],
    &[(":status", "200"), ("a:b", "1")],
    &[(":status", "200"), ("x", "a\0b")],
    &[(":status", "200"), ("x", "a\rb")],
    &[(":status", "200"), ("connection", "keep-alive")],
    &[(":status", "200"), ("keep-alive", "timeout=5")],
    &[(":status", "200"), ("proxy-connection", "x")],
    &[(":status", "200"), ("transfer-encoding", "chunked")],
    &[(":status", "200"), ("upgrade", "h2c")],
];

fn status_200(stream: u32) -> Vec<u8> {
    f::head(stream, &[(":status", "200")], false)
}

/// Every case, in the catalogue's order.
pub fn h2_hostile_cases() -> Vec<H2HostileCase> {
    type Case = H2HostileCase;
    let mut cases = vec![
        Case::connection("H2-01 small CONTINUATIONs", "ENHANCE_YOUR_CALM", |b| {
            let mut out = f::frame(kind::HEADERS, 0, b, &[0x88]);
            out.extend(f::frame(kind::CONTINUATION, 0, b, &[]).repeat(1000));
            out
        }),
        Case::connection("H2-01 large CONTINUATIONs", "ENHANCE_YOUR_CALM", |b| {
            let mut out = f::frame(kind::HEADERS, 0, b, &[0x88]);
            out.extend(f::frame(kind::CONTINUATION, 0, b, &[0x88; 16_384]).repeat(20));
            out
        }),
        Case::stream("H2-02 an HPACK bomb", "PROTOCOL_ERROR", |b| {
            // A 4,000-byte entry in the table, then 10,000 references to it.
            let mut block = vec![0x88, 0x40, 0x01, b'x', 0x7f, 0xa1, 0x1e];
            block.extend([b'v'; 4000]);
            block.extend([0xbe; 10_000]);
            f::headers(b, &block, false)
        }),
    ];
    let blocks: [(&str, &[u8]); 7] = [
        ("an integer cut off", &[0x3f]),
        ("index 0", &[0x80]),
        ("beyond the table", &[0xbe]),
        (
            "an integer past 32 bits",
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
        ),
        ("Huffman padding of 8 bits", &[0x00, 0x81, 0xff, 0x00]),
        ("Huffman EOS", &[0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]),
        ("a table of 4,097 bytes", &[0x3f, 0xe2, 0x1f]),
    ];
    for (what, block) in blocks {
        let block = block.to_vec();
        cases.push(Case::connection(
            format!("H2-03 {what}"),
            "COMPRESSION_ERROR",
            move |b| f::headers(b, &block, false),
        ));
    }
    cases.extend([
        Case::stream("H2-04 a head over the list size", "PROTOCOL_ERROR", |b| {
            let big = "v".repeat(60_000);
            f::head(b, &[(":status", "200"), ("a", &big), ("b", &big)], false)
        }),
        Case::stream("H2-05 20,000 tiny fields", "PROTOCOL_ERROR", |b| {
            let mut block = vec![0x88];
            for _ in 0..20_000 {
                block.extend([0x00, 0x01, b'a', 0x00]);
            }
            f::headers(b, &block, false)
        }),
        Case::stream("H2-05 an empty name", "PROTOCOL_ERROR", |b| {
            f::headers(b, &[0x88, 0x00, 0x00, 0x00], false)
        }),
    ]);
    // Floods of frames that need an answer, from a server that reads none
    // of the answers: once they fill the socket, the queue is capped.
    for (row, frame, times) in [
        ("H2-06 a PING flood", f::ping([1; 8]), 2_000_000),
        ("H2-07 a SETTINGS flood", f::settings(&[]), 3_000_000),
    ] {
        cases.push(Case {
            bad: End::Code(16),
            words: "ENHANCE_YOUR_CALM",
            sibling: End::Code(16),
            connections_after: Some(2),
            ..Case::new(row, move |s| {
                vec![
                    s.good_start(),
                    H2Step::StopReading,
                    H2Step::Repeat(frame.clone(), times),
                ]
            })
        });
    }
    cases.extend([
        Case::harmless("H2-07 one SETTINGS, one setting 32 times", |b| {
            let mut out = f::settings(&[(3, 100); 32]);
            out.extend(f::response(b, 200, b"fine"));
            out
        }),
        Case::connection(
            "H2-07 one SETTINGS, one setting 33 times",
            "ENHANCE_YOUR_CALM",
            |_| f::settings(&[(3, 100); 33]),
        ),
        Case::connection("H2-08 empty DATA frames", "ENHANCE_YOUR_CALM", |b| {
            [status_200(b), f::data(b, b"", false).repeat(101)].concat()
        }),
        // The first empty HEADERS is a head without :status (its stream is
        // reset), the rest land on a closed stream and are dropped.
        Case::stream("H2-08 empty HEADERS frames", "PROTOCOL_ERROR", |b| {
            f::frame(kind::HEADERS, END_HEADERS, b, &[]).repeat(10_000)
        }),
        // Each DATA before a head is a reset the server provoked.
        Case {
            bad: End::Code(92),
            words: "PROTOCOL_ERROR",
            ..Case::connection("H2-09 provoked resets", "", |b| {
                f::data(b, b"x", false).repeat(150)
            })
        },
        // Refused every time: five retries, each on a new connection, then
        // the refusal's code.
        Case {
            bad: End::Code(56),
            words: "tried 5 times",
            connections_after: Some(7),
            ..Case::new("H2-10 refused every time", |s| match s.conn {
                0 => vec![
                    s.good_start(),
                    H2Step::Send(f::rst_stream(s.bad(), REFUSED_STREAM)),
                    s.good_end(),
                ],
                _ => vec![H2Step::Send(f::rst_stream(s.bad(), REFUSED_STREAM))],
            })
        },
        Case {
            connections_after: Some(2),
            ..Case::new("H2-10 refused once", |s| match s.conn {
                0 => vec![
                    s.good_start(),
                    H2Step::Send(f::rst_stream(s.bad(), REFUSED_STREAM)),
                    s.good_end(),
                ],
                _ => vec![H2Step::Send(f::response(s.bad(), 200, b"fine"))],
            })
        },
        Case::stream("H2-10 reset mid-body", "INTERNAL_ERROR", |b| {
            [
                status_200(b),
                f::data(b, b"part", false),
                f::rst_stream(b, INTERNAL_ERROR),
            ]
            .concat()
        }),
        Case::harmless("H2-11 NO_ERROR after a whole response", |b| {
            [f::response(b, 200, b"fine"), f::rst_stream(b, 0)].concat()
        }),
        Case::stream("H2-11 NO_ERROR before any head", "NO_ERROR", |b| {
            f::rst_stream(b, 0)
        }),
        Case {
            connections_after: Some(2),
            ..Case::new("H2-12 GOAWAY below a stream", |s| match s.conn {
                0 => vec![
                    s.good_start(),
                    H2Step::Send(f::goaway(s.good.expect("/good"), 0)),
                    s.good_end(),
                ],
                _ => vec![H2Step::Send(f::response(s.bad(), 200, b"fine"))],
            })
        },
        Case::stream("H2-13 a stream window past 2^31-1", "FLOW_CONTROL_ERROR", |b| {
            f::window_update(b, 0x7fff_ffff)
        }),
        Case::stream("H2-13 a stream increment of 0", "PROTOCOL_ERROR", |b| {
            f::window_update(b, 0)
        }),
        Case::connection("H2-13 a connection increment of 0", "PROTOCOL_ERROR", |_| {
            f::window_update(0, 0)
        }),
        Case::connection("H2-13 an increment without its bytes", "FRAME_SIZE_ERROR", |_| {
            f::frame(kind::WINDOW_UPDATE, 0, 0, &[])
        }),
        Case::connection(
            "H2-13 a connection window past 2^31-1",
            "FLOW_CONTROL_ERROR",
            |_| f::window_update(0, 0x7fff_ffff),
        ),
        Case::connection(
            "H2-14 an initial window past 2^31-1",
            "FLOW_CONTROL_ERROR",
            |_| f::settings(&[(4, 0x8000_0000)]),
        ),
        Case::greeting(
            "H2-15 a frame size of 0",
            "PROTOCOL_ERROR",
            f::settings(&[(5, 0)]),
        ),
        Case::greeting(
            "H2-15 a frame size past 2^24-1",
            "PROTOCOL_ERROR",
            f::settings(&[(5, 0x0100_0000)]),
        ),
        Case::greeting("H2-16 push enabled", "PROTOCOL_ERROR", f::settings(&[(2, 1)])),
        Case::greeting("H2-16 push set to 2", "PROTOCOL_ERROR", f::settings(&[(2, 2)])),
        Case::connection("H2-17 a PUSH_PROMISE with push off", "PROTOCOL_ERROR", |b| {
            f::frame(kind::PUSH_PROMISE, END_HEADERS, b, &[0, 0, 0, 2, 0x82])
        }),
        Case::connection("H2-18 a frame of 16 MiB announced", "FRAME_SIZE_ERROR", |b| {
            [f::frame_header(0xff_ffff, kind::DATA, 0, b), vec![b'x'; 100]].concat()
        }),
    ]);
    for fields in MALFORMED_HEADS {
        let row = format!("H2-19..21 {fields:?}");
        cases.push(Case::stream(row, "PROTOCOL_ERROR", move |b| {
            f::head(b, fields, false)
        }));
    }
    type Frame = fn(u32) -> Vec<u8>;
    let between: [(&str, Frame); 3] = [
        ("DATA", |b| f::data(b, b"x", false)),
        ("PRIORITY", |b| f::frame(kind::PRIORITY, 0, b, &[0; 5])),
        ("HEADERS of another stream", |b| status_200(b + 2)),
    ];
    cases.extend([
        // Blanks around a value are let through, as curl lets them through.
        Case::harmless("H2-20 a value with blanks around it", |b| {
            [
                f::head(b, &[(":status", "200"), ("x", " padded ")], false),
                f::data(b, b"fine", true),
            ]
            .concat()
        }),
        Case::stream("H2-22 a 103 ending the stream", "PROTOCOL_ERROR", |b| {
            f::head(b, &[(":status", "103")], true)
        }),
        Case::stream("H2-22 a second head", "PROTOCOL_ERROR", |b| {
            [status_200(b), f::head(b, &[("x", "1")], false)].concat()
        }),
        Case::stream("H2-22 :status in trailers", "PROTOCOL_ERROR", |b| {
            [status_200(b), f::head(b, &[(":status", "200")], true)].concat()
        }),
    ]);
    for (what, frame) in between {
        cases.push(Case::connection(
            format!("H2-23 {what} inside a header block"),
            "PROTOCOL_ERROR",
            move |b| {
                [
                    f::frame(kind::HEADERS, 0, b, &[0x88]),
                    frame(b),
                    f::frame(kind::CONTINUATION, END_HEADERS, b, &[]),
                ]
                .concat()
            },
        ));
    }
    cases.extend([
        Case::connection("H2-24 HEADERS on an even stream", "PROTOCOL_ERROR", |_| {
            f::head(2, &[(":status", "200")], true)
        }),
        Case::connection("H2-24 DATA on an idle stream", "PROTOCOL_ERROR", |b| {
            f::data(b + 96, b"x", false)
        }),
        Case::harmless("H2-24 DATA after the end", |b| {
            [f::response(b, 200, b"fine"), f::data(b, b"late", false)].concat()
        }),
        // A paused transfer returns no window: a megabyte and a frame more
        // is past what its stream allows.
        Case {
            bad_transfer: BadTransfer::PausedAfterFirstWrite,
            ..Case::stream("H2-25 DATA past the stream's window", "FLOW_CONTROL_ERROR", |b| {
                let mut out = status_200(b);
                out.extend(f::data(b, &[b'x'; 16_384], false).repeat(65));
                out
            })
        },
        Case::connection("H2-25 DATA all padding", "PROTOCOL_ERROR", |b| {
            [status_200(b), f::frame(kind::DATA, PADDED, b, &[3, b'a', b'b'])].concat()
        }),
        // No stream allowed: both wait and time out; the other origin is
        // not held up.
        Case {
            greeting: f::settings(&[(3, 0)]),
            bad_transfer: BadTransfer::ShortTimeout,
            bad: End::Code(28),
            words: "timed out",
            sibling: End::Code(28),
            connections_after: None,
            ..Case::new("H2-26 no stream allowed", |_| Vec::new())
        },
        Case {
            bad_transfer: BadTransfer::ShortUpload,
            bad: End::Code(28),
            words: "timed out",
            ..Case::new("H2-26 an upload's window never opened", |s| {
                vec![s.good_start(), s.good_end()]
            })
        },
        Case::greeting(
            "H2-28 an answer in HTTP/1.1",
            "not SETTINGS",
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
        ),
        Case::harmless("H2-29 a PRIORITY flood", |b| {
            [
                f::frame(kind::PRIORITY, 0, b, &[0, 0, 0, 0, 9]).repeat(10_000),
                f::response(b, 200, b"fine"),
            ]
            .concat()
        }),
        Case::stream("H2-29 a stream depending on itself", "PROTOCOL_ERROR", |b| {
            let mut priority = b.to_be_bytes().to_vec();
            priority.push(9);
            f::frame(kind::PRIORITY, 0, b, &priority)
        }),
        Case {
            bad: End::Code(18),
            words: "cut",
            sibling: End::Code(18),
            connections_after: Some(2),
            ..Case::new("H2-30 a close mid-body", |s| {
                vec![
                    s.good_start(),
                    H2Step::Send([status_200(s.bad()), f::data(s.bad(), b"part", false)].concat()),
                    H2Step::Close,
                ]
            })
        },
    ]);
    cases
}
