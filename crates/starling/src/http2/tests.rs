//! The client connection against a scripted server: frames written with
//! the module's own writers (and HPACK encoder), events read back as text.

use super::connection::{ConnError, Event, Http2, LocalSettings};
use super::frame::{self, ErrorCode, PREFACE};
use super::hpack;

mod hostile;
mod interop;

const GET: [(&[u8], &[u8]); 4] = [
    (b":method", b"GET"),
    (b":scheme", b"https"),
    (b":authority", b"example.com"),
    (b":path", b"/"),
];

fn headers(stream: u32, fields: &[(&str, &str)], end_stream: bool) -> Vec<u8> {
    let mut block = Vec::new();
    for (n, v) in fields {
        hpack::encode_field(n.as_bytes(), v.as_bytes(), &mut block);
    }
    let mut out = Vec::new();
    frame::write::headers(stream, &block, end_stream, frame::MIN_MAX_FRAME_SIZE, &mut out);
    out
}

fn data(stream: u32, bytes: &[u8], end_stream: bool) -> Vec<u8> {
    let mut out = Vec::new();
    frame::write::data_header(stream, bytes.len(), end_stream, &mut out);
    out.extend_from_slice(bytes);
    out
}

fn raw(len: usize, ty: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::write::header(len, ty, flags, stream, &mut out);
    out.extend_from_slice(payload);
    out
}

/// Every event of `input`, as text; the connection error that ended it.
fn events(c: &mut Http2, input: &[u8]) -> (Vec<String>, Option<ConnError>) {
    let mut seen = Vec::new();
    let mut pos = 0;
    loop {
        match c.poll(&input[pos..]) {
            Ok(None) => return (seen, None),
            Err(e) => return (seen, Some(e)),
            Ok(Some((event, used))) => {
                let text = match event {
                    Event::Nothing => None,
                    Event::Interim { stream, status } => {
                        Some(format!("interim {stream} {}", status.as_u16()))
                    }
                    Event::Head { stream, head } => Some(format!("head {stream} {}", head.status.as_u16())),
                    Event::Data { stream, range } => {
                        let bytes = &input[pos..][range.clone()];
                        c.consumed(stream, range.len());
                        Some(format!("data {stream} {}", String::from_utf8_lossy(bytes)))
                    }
                    Event::Trailers { stream, lines } => Some(format!(
                        "trailers {stream} {}",
                        String::from_utf8_lossy(&lines).trim_end()
                    )),
                    Event::End { stream } => Some(format!("end {stream}")),
                    Event::Reset { stream, code, .. } => Some(format!("reset {stream} {code}")),
                    Event::GoAway { last_stream, code } => Some(format!("goaway {last_stream} {code}")),
                };
                seen.extend(text);
                pos += used;
            }
        }
    }
}

/// Frames in the output after the preface, as (type, flags, stream).
fn sent(c: &mut Http2) -> Vec<(u8, u8, u32)> {
    let out = c.output().to_vec();
    c.sent(out.len());
    let mut rest = out.strip_prefix(PREFACE).unwrap_or(&out);
    let mut frames = Vec::new();
    while rest.len() >= frame::HEADER_LEN {
        let len = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]) as usize;
        frames.push((
            rest[3],
            rest[4],
            u32::from_be_bytes([rest[5], rest[6], rest[7], rest[8]]),
        ));
        rest = &rest[frame::HEADER_LEN + len..];
    }
    frames
}

fn client() -> Http2 {
    client_with(LocalSettings::default())
}

/// A connection past both prefaces, its output drained.
fn client_with(local: LocalSettings) -> Http2 {
    let mut c = Http2::new(local);
    assert!(c.output().starts_with(PREFACE));
    // SETTINGS, then the connection window's first update (when raised).
    let first = sent(&mut c);
    assert_eq!(first[0], (0x4, 0, 0));
    assert_eq!(events(&mut c, &raw(0, 0x4, 0, 0, b"")), (vec![], None));
    assert_eq!(
        sent(&mut c),
        [(0x4, 0x1, 0)],
        "the server's SETTINGS acknowledged"
    );
    c
}

#[test]
fn a_get_gets_its_head_body_and_end_and_acknowledges_settings() {
    let mut c = client();
    assert_eq!(c.open_stream(GET, true), Some(1));
    assert_eq!(sent(&mut c), [(0x1, 0x5, 1)]);
    let mut input = raw(6, 0x4, 0, 0, b"\0\x03\0\0\0\x02");
    input.extend(headers(1, &[(":status", "200"), ("content-length", "5")], false));
    input.extend(data(1, b"hel", false));
    input.extend(data(1, b"lo", true));
    let (seen, err) = events(&mut c, &input);
    assert_eq!(
        (seen, err),
        (
            vec!["head 1 200", "data 1 hel", "data 1 lo", "end 1"]
                .into_iter()
                .map(String::from)
                .collect(),
            None
        )
    );
    assert_eq!(sent(&mut c), [(0x4, 0x1, 0)]);
    // The server allows two streams at once.
    assert_eq!(c.streams_free(), 2);
}

#[test]
fn streams_interleave_and_a_reset_ends_only_its_own() {
    let mut c = client();
    let (a, b) = (
        c.open_stream(GET, true).unwrap(),
        c.open_stream(GET, true).unwrap(),
    );
    assert_eq!((a, b), (1, 3));
    let mut input = headers(1, &[(":status", "200")], false);
    input.extend(headers(3, &[(":status", "404")], false));
    input.extend(data(3, b"x", false));
    input.extend(data(1, b"a", false));
    input.extend(raw(4, 0x3, 0, 3, &ErrorCode::CANCEL.0.to_be_bytes()));
    input.extend(data(1, b"b", true));
    let (seen, err) = events(&mut c, &input);
    assert_eq!(err, None);
    assert_eq!(
        seen,
        [
            "head 1 200",
            "head 3 404",
            "data 3 x",
            "data 1 a",
            "reset 3 CANCEL",
            "data 1 b",
            "end 1"
        ]
    );
}

#[test]
fn after_goaway_streams_below_the_last_finish_and_none_open() {
    let mut c = client();
    c.open_stream(GET, true);
    c.open_stream(GET, true);
    let mut input = raw(8, 0x7, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0]);
    input.extend(headers(1, &[(":status", "200")], true));
    let (seen, err) = events(&mut c, &input);
    assert_eq!(err, None);
    assert_eq!(seen, ["goaway 1 NO_ERROR", "head 1 200", "end 1"]);
    assert_eq!(c.streams_free(), 0);
    assert_eq!(c.open_stream(GET, true), None);
}

#[test]
fn informational_heads_and_trailers() {
    let mut c = client();
    c.open_stream(GET, false);
    let mut input = headers(1, &[(":status", "100")], false);
    input.extend(headers(1, &[(":status", "200")], false));
    input.extend(data(1, b"z", false));
    input.extend(headers(1, &[("grpc-status", "0")], true));
    let (seen, err) = events(&mut c, &input);
    assert_eq!(err, None);
    assert_eq!(
        seen,
        [
            "interim 1 100",
            "head 1 200",
            "data 1 z",
            "trailers 1 grpc-status: 0",
            "end 1"
        ]
    );
}

#[test]
fn windows_open_again_once_half_is_used() {
    let local = LocalSettings {
        stream_window: 100,
        connection_window: 65_535,
        ..LocalSettings::default()
    };
    let mut c = client_with(local);
    c.open_stream(GET, true);
    sent(&mut c);
    let mut input = headers(1, &[(":status", "200")], false);
    input.extend(data(1, &[b'a'; 49], false));
    events(&mut c, &input);
    assert_eq!(sent(&mut c), []);
    events(&mut c, &data(1, b"b", false));
    assert_eq!(sent(&mut c), [(0x8, 0, 1)]);
    // 50 returned: the server may send 100 more, not 101.
    let (seen, _) = events(&mut c, &data(1, &[b'c'; 101], false));
    assert_eq!(seen, ["reset 1 FLOW_CONTROL_ERROR"]);
}

#[test]
fn sending_stays_within_both_windows_and_follows_settings() {
    let mut c = client();
    let id = c.open_stream(GET, false).unwrap();
    sent(&mut c);
    assert_eq!(c.send_capacity(id), 16_384);
    let body = vec![b'x'; 70_000];
    let mut total = 0;
    while total < body.len() {
        let n = c.send_data(id, &body[total..], true);
        if n == 0 {
            break;
        }
        total += n;
    }
    assert_eq!(total, 65_535);
    // The server's SETTINGS lower the initial window: the stream owes.
    events(&mut c, &raw(6, 0x4, 0, 0, b"\0\x04\0\0\0\0"));
    assert_eq!(c.send_capacity(id), 0);
    // The connection's window is 0: 1 + (2^31 - 1) overflows it.
    let overflow = [
        raw(4, 0x8, 0, 0, &1u32.to_be_bytes()),
        raw(4, 0x8, 0, 0, &frame::MAX_WINDOW.to_be_bytes()),
    ]
    .concat();
    let (_, err) = events(&mut c, &overflow);
    assert_eq!(err.unwrap().code, ErrorCode::FLOW_CONTROL_ERROR);
}

#[test]
fn malformed_responses_end_their_stream_only() {
    let cases: [(Vec<u8>, &str); 4] = [
        (
            headers(1, &[("content-type", "x")], false),
            "reset 1 PROTOCOL_ERROR",
        ),
        (
            headers(1, &[(":status", "200"), ("connection", "close")], false),
            "reset 1 PROTOCOL_ERROR",
        ),
        (data(1, b"early", false), "reset 1 PROTOCOL_ERROR"),
        (
            [
                headers(1, &[(":status", "200"), ("content-length", "3")], false),
                data(1, b"toolong", false),
            ]
            .concat(),
            "reset 1 PROTOCOL_ERROR",
        ),
    ];
    for (input, want) in cases {
        let mut c = client();
        c.open_stream(GET, true);
        c.open_stream(GET, true);
        let (seen, err) = events(&mut c, &input);
        assert_eq!(err, None);
        assert_eq!(seen.last().map(String::as_str), Some(want));
        // Stream 3 goes on.
        let (seen, err) = events(&mut c, &headers(3, &[(":status", "200")], true));
        assert_eq!(
            (seen, err),
            (vec!["head 3 200".to_string(), "end 3".to_string()], None)
        );
    }
    let mut c = client();
    c.open_stream(GET, true);
    let input = [
        headers(1, &[(":status", "200"), ("content-length", "3")], false),
        data(1, b"ab", true),
    ]
    .concat();
    assert_eq!(
        events(&mut c, &input).0,
        ["head 1 200", "data 1 ab", "reset 1 PROTOCOL_ERROR"]
    );
}

#[test]
fn protocol_violations_end_the_connection_with_goaway() {
    let mut push = Vec::new();
    frame::write::header(4, 0x5, 0x4, 1, &mut push);
    push.extend_from_slice(&[0, 0, 0, 2]);
    let cases: [(Vec<u8>, ErrorCode); 5] = [
        (headers(2, &[(":status", "200")], true), ErrorCode::PROTOCOL_ERROR),
        (headers(5, &[(":status", "200")], true), ErrorCode::PROTOCOL_ERROR),
        (push, ErrorCode::PROTOCOL_ERROR),
        (raw(2, 0x1, 0x4, 1, &[0xbf, 0x7f]), ErrorCode::COMPRESSION_ERROR),
        (
            [raw(1, 0x1, 0, 1, &[0x88]), raw(8, 0x6, 0, 0, &[0; 8])].concat(),
            ErrorCode::PROTOCOL_ERROR,
        ),
    ];
    for (input, code) in cases {
        let mut c = client();
        c.open_stream(GET, true);
        let (_, err) = events(&mut c, &input);
        assert_eq!(err.map(|e| e.code), Some(code));
        assert_eq!(sent(&mut c).last().map(|f| f.0), Some(0x7), "a GOAWAY goes out");
        assert_eq!(c.streams_free(), 0);
    }
}

#[test]
fn floods_are_cut_off() {
    let ping = raw(8, 0x6, 0, 0, &[7; 8]);
    let pings: Vec<u8> = ping.iter().copied().cycle().take(ping.len() * 1001).collect();
    let empty = data(1, b"", false);
    let empties: Vec<u8> = empty.iter().copied().cycle().take(empty.len() * 101).collect();
    let mut continuations = headers(1, &[(":status", "200")], false);
    continuations[4] = 0; // no END_HEADERS
    for _ in 0..64 {
        continuations.extend(raw(0, 0x9, 0, 1, b""));
    }
    let cases = [
        pings,
        [headers(1, &[(":status", "200")], false), empties].concat(),
        continuations,
    ];
    for input in cases {
        let mut c = client();
        c.open_stream(GET, true);
        let (_, err) = events(&mut c, &input);
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::ENHANCE_YOUR_CALM));
    }
    // Pings answered as the output drains are no flood.
    let mut c = client();
    for _ in 0..2000 {
        assert_eq!(events(&mut c, &ping).1, None);
        assert_eq!(sent(&mut c), [(0x6, 0x1, 0)]);
    }
}

#[test]
fn a_header_list_over_the_limit_resets_and_keeps_the_table_in_step() {
    let local = LocalSettings {
        max_header_list: 400,
        ..LocalSettings::default()
    };
    let mut c = client_with(local);
    c.open_stream(GET, true);
    c.open_stream(GET, true);
    // Stream 1's block adds a 300-byte entry to the table and names it
    // again (708 bytes in all); stream 3's names it once (375).
    let mut block = vec![0x88, 0x40, 0x01, b'x', 0x7f, 0xad, 0x01];
    block.extend([b'v'; 300]);
    block.push(0xbe);
    let mut input = Vec::new();
    frame::write::headers(1, &block, false, frame::MIN_MAX_FRAME_SIZE, &mut input);
    let (seen, err) = events(&mut c, &input);
    assert_eq!((seen, err), (vec!["reset 1 PROTOCOL_ERROR".to_string()], None));
    let mut input = Vec::new();
    frame::write::headers(3, &[0x88, 0xbe], true, frame::MIN_MAX_FRAME_SIZE, &mut input);
    assert_eq!(events(&mut c, &input).0, ["head 3 200", "end 3"]);
}
