//! The HTTP/2 rows of the hostile-server catalogue (H2-01 to H2-30) that
//! the protocol decides alone, each against the client connection: the
//! error each row asks for, and the other streams going on where the row
//! is a stream error. What the engine does with an event (retrying a
//! refused stream, the CURLcode a transfer ends with) is tested where the
//! engine drives this machine.

use super::{client, client_with, data, events, headers, raw, sent, GET};
use crate::http2::connection::{Http2, LocalSettings};
use crate::http2::frame::{self, ErrorCode};

const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;

fn repeat(frame: &[u8], times: usize) -> Vec<u8> {
    frame.iter().copied().cycle().take(frame.len() * times).collect()
}

/// `input` ends the connection with `code`.
fn conn_error(input: &[u8], code: ErrorCode) {
    let mut c = client();
    c.open_stream(GET, false);
    c.open_stream(GET, false);
    let (_, err) = events(&mut c, input);
    assert_eq!(err.map(|e| e.code), Some(code), "{} bytes", input.len());
    assert_eq!(sent(&mut c).last().map(|f| f.0), Some(0x7), "GOAWAY");
}

/// `input` resets stream 1 with `code`, and stream 3 completes after it.
fn stream_error(input: &[u8], code: ErrorCode) {
    let mut c = client();
    c.open_stream(GET, false);
    c.open_stream(GET, false);
    let (seen, err) = events(&mut c, input);
    assert_eq!(err, None, "{} bytes", input.len());
    assert_eq!(
        seen.last(),
        Some(&format!("reset 1 {code}")),
        "{} bytes",
        input.len()
    );
    let (seen, err) = events(&mut c, &headers(3, &[(":status", "200")], true));
    assert_eq!(
        (seen, err),
        (vec!["head 3 200".to_string(), "end 3".to_string()], None)
    );
}

fn ok_head() -> Vec<u8> {
    headers(1, &[(":status", "200")], false)
}

#[test]
fn h2_01_continuation_floods_of_small_or_large_frames() {
    let mut small = ok_head();
    small[4] = 0; // HEADERS without END_HEADERS
    small.extend(repeat(&raw(0, CONTINUATION, 0, 1, b""), 1000));
    conn_error(&small, ErrorCode::ENHANCE_YOUR_CALM);
    let mut large = ok_head();
    large[4] = 0;
    large.extend(repeat(&raw(16_384, CONTINUATION, 0, 1, &[0x88; 16_384]), 20));
    conn_error(&large, ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn h2_02_an_hpack_bomb_ends_its_stream_only() {
    // A 4,000-byte entry, then 10,000 one-byte references to it.
    let mut block = vec![0x88, 0x40, 0x01, b'x', 0x7f, 0xa1, 0x1e];
    block.extend([b'v'; 4000]);
    block.extend([0xbe; 10_000]);
    let mut input = Vec::new();
    frame::write::headers(1, &block, false, 16_384, &mut input);
    stream_error(&input, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_03_malformed_hpack_is_a_compression_error() {
    let blocks: [&[u8]; 7] = [
        &[0x3f],                                     // an integer cut off
        &[0x80],                                     // index 0
        &[0xbe],                                     // beyond the table
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], // an integer past 32 bits
        &[0x00, 0x81, 0xff, 0x00],                   // Huffman padding of 8 bits
        &[0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00], // Huffman EOS
        &[0x3f, 0xe2, 0x1f],                         // a table of 4,097 bytes
    ];
    for block in blocks {
        let mut input = Vec::new();
        frame::write::headers(1, block, false, 16_384, &mut input);
        conn_error(&input, ErrorCode::COMPRESSION_ERROR);
    }
}

#[test]
fn h2_04_a_head_over_the_announced_list_size_ends_its_stream() {
    let big = "v".repeat(60_000);
    let input = headers(1, &[(":status", "200"), ("a", &big), ("b", &big)], false);
    stream_error(&input, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_05_thousands_of_tiny_fields_are_capped() {
    let mut block = vec![0x88];
    for _ in 0..20_000 {
        block.extend([0x00, 0x01, b'a', 0x00]); // "a: "
    }
    let mut input = Vec::new();
    frame::write::headers(1, &block, false, 16_384, &mut input);
    stream_error(&input, ErrorCode::PROTOCOL_ERROR);
    let mut empty_names = vec![0x88];
    empty_names.extend([0x00, 0x00, 0x00]);
    let mut input = Vec::new();
    frame::write::headers(1, &empty_names, false, 16_384, &mut input);
    stream_error(&input, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_06_07_ping_and_settings_floods() {
    conn_error(
        &repeat(&raw(8, PING, 0, 0, &[1; 8]), 1001),
        ErrorCode::ENHANCE_YOUR_CALM,
    );
    conn_error(
        &repeat(&raw(0, SETTINGS, 0, 0, b""), 1001),
        ErrorCode::ENHANCE_YOUR_CALM,
    );
    // One SETTINGS frame naming one setting 32 times is one ack; 33 times
    // is a flood, as nghttp2 counts it.
    let mut c = client();
    let pairs = repeat(&[0, 3, 0, 0, 0, 9], 32);
    assert_eq!(events(&mut c, &raw(pairs.len(), SETTINGS, 0, 0, &pairs)).1, None);
    assert_eq!(sent(&mut c), [(SETTINGS, 1, 0)]);
    let pairs = repeat(&[0, 3, 0, 0, 0, 9], 33);
    conn_error(
        &raw(pairs.len(), SETTINGS, 0, 0, &pairs),
        ErrorCode::ENHANCE_YOUR_CALM,
    );
}

#[test]
fn h2_08_floods_of_empty_frames() {
    let mut input = ok_head();
    input.extend(repeat(&data(1, b"", false), 101));
    conn_error(&input, ErrorCode::ENHANCE_YOUR_CALM);
    // Empty HEADERS: the first is a head without :status (a reset); the
    // rest, on a stream now closed, are decoded for the table's sake and
    // dropped, each at a constant cost, nothing queued.
    let mut c = client();
    c.open_stream(GET, true);
    sent(&mut c);
    let (seen, err) = events(&mut c, &repeat(&raw(0, 0x1, 0x4, 1, b""), 10_000));
    assert_eq!((seen, err), (vec!["reset 1 PROTOCOL_ERROR".to_string()], None));
    assert_eq!(sent(&mut c), [(0x3, 0, 1)]);
}

#[test]
fn h2_09_a_server_provoking_resets_is_cut_off() {
    let mut c = client();
    c.open_stream(GET, true);
    // DATA on stream 1 before its head, then again and again (each one a
    // local reset of a stream that is gone).
    let input = repeat(&data(1, b"x", false), 150);
    let (seen, err) = events(&mut c, &input);
    assert_eq!(seen[0], "reset 1 PROTOCOL_ERROR");
    assert_eq!(err.map(|e| e.code), Some(ErrorCode::ENHANCE_YOUR_CALM));
}

#[test]
fn h2_10_11_resets_by_the_server() {
    // REFUSED_STREAM is handed up with its code (the engine retries).
    stream_error(
        &raw(4, 0x3, 0, 1, &ErrorCode::REFUSED_STREAM.0.to_be_bytes()),
        ErrorCode::REFUSED_STREAM,
    );
    let mid = [
        ok_head(),
        data(1, b"part", false),
        raw(4, 0x3, 0, 1, &ErrorCode::INTERNAL_ERROR.0.to_be_bytes()),
    ]
    .concat();
    stream_error(&mid, ErrorCode::INTERNAL_ERROR);
    // A complete response and then RST_STREAM(NO_ERROR): the response stands.
    let mut c = client();
    c.open_stream(GET, true);
    let input = [
        headers(1, &[(":status", "200")], false),
        data(1, b"all", true),
        raw(4, 0x3, 0, 1, &0u32.to_be_bytes()),
    ]
    .concat();
    let (seen, err) = events(&mut c, &input);
    assert_eq!(
        (seen, err),
        (
            vec!["head 1 200".into(), "data 1 all".into(), "end 1".into()],
            None
        )
    );
}

#[test]
fn h2_13_window_updates_that_overflow_or_add_nothing() {
    let max = frame::MAX_WINDOW.to_be_bytes();
    stream_error(&raw(4, WINDOW_UPDATE, 0, 1, &max), ErrorCode::FLOW_CONTROL_ERROR);
    stream_error(&raw(4, WINDOW_UPDATE, 0, 1, &[0; 4]), ErrorCode::PROTOCOL_ERROR);
    conn_error(&raw(4, WINDOW_UPDATE, 0, 0, &[0; 4]), ErrorCode::PROTOCOL_ERROR);
    conn_error(&raw(0, WINDOW_UPDATE, 0, 0, b""), ErrorCode::FRAME_SIZE_ERROR);
    conn_error(&raw(4, WINDOW_UPDATE, 0, 0, &max), ErrorCode::FLOW_CONTROL_ERROR);
}

#[test]
fn h2_14_15_16_settings_out_of_range() {
    conn_error(
        &raw(6, SETTINGS, 0, 0, &[0, 4, 0x80, 0, 0, 0]),
        ErrorCode::FLOW_CONTROL_ERROR,
    );
    conn_error(
        &raw(6, SETTINGS, 0, 0, &[0, 5, 0, 0, 0, 0]),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn_error(
        &raw(6, SETTINGS, 0, 0, &[0, 5, 1, 0, 0, 0]),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn_error(
        &raw(6, SETTINGS, 0, 0, &[0, 2, 0, 0, 0, 1]),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn_error(
        &raw(6, SETTINGS, 0, 0, &[0, 2, 0, 0, 0, 2]),
        ErrorCode::PROTOCOL_ERROR,
    );
    // A window lowered below what is in flight goes negative, and sending
    // waits until the server opens it again.
    let mut c = client();
    let id = c.open_stream(GET, false).unwrap();
    assert_eq!(c.send_data(id, &[0; 1000], false), 1000);
    events(&mut c, &raw(6, SETTINGS, 0, 0, &[0, 4, 0, 0, 0, 100]));
    assert_eq!(c.send_capacity(id), 0);
    events(&mut c, &raw(4, WINDOW_UPDATE, 0, id, &1000u32.to_be_bytes()));
    assert_eq!(c.send_capacity(id), 100);
}

#[test]
fn h2_17_push_promise_with_push_off() {
    conn_error(&raw(4, 0x5, 0x4, 1, &[0, 0, 0, 2]), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_18_an_oversized_frame_fails_on_its_header() {
    let mut c = client();
    let (_, err) = events(&mut c, &[0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1]);
    assert_eq!(err.map(|e| e.code), Some(ErrorCode::FRAME_SIZE_ERROR));
}

#[test]
fn h2_19_20_21_malformed_heads() {
    for fields in starling_testserver::h2_hostile::MALFORMED_HEADS {
        stream_error(&headers(1, fields, false), ErrorCode::PROTOCOL_ERROR);
    }
    // Leading and trailing blanks are let through, as curl does.
    let mut c = client();
    c.open_stream(GET, true);
    let (seen, _) = events(
        &mut c,
        &headers(1, &[(":status", "200"), ("x", " padded ")], true),
    );
    assert_eq!(seen, ["head 1 200", "end 1"]);
}

#[test]
fn h2_22_heads_in_the_wrong_place() {
    stream_error(
        &headers(1, &[(":status", "103")], true),
        ErrorCode::PROTOCOL_ERROR,
    );
    let second = [ok_head(), headers(1, &[("x", "1")], false)].concat();
    stream_error(&second, ErrorCode::PROTOCOL_ERROR);
    let status_trailer = [ok_head(), headers(1, &[(":status", "200")], true)].concat();
    stream_error(&status_trailer, ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_23_frames_between_headers_and_continuation() {
    for between in [
        data(1, b"x", false),
        raw(5, 0x2, 0, 1, &[0; 5]),
        headers(3, &[(":status", "200")], false),
    ] {
        let mut input = ok_head();
        input[4] = 0;
        input.extend(between);
        input.extend(raw(0, CONTINUATION, 0x4, 1, b""));
        conn_error(&input, ErrorCode::PROTOCOL_ERROR);
    }
}

#[test]
fn h2_24_frames_on_streams_never_opened_or_ended() {
    conn_error(
        &headers(2, &[(":status", "200")], true),
        ErrorCode::PROTOCOL_ERROR,
    );
    conn_error(&data(7, b"x", false), ErrorCode::PROTOCOL_ERROR);
    let mut c = client();
    c.open_stream(GET, true);
    let input = [headers(1, &[(":status", "200")], true), data(1, b"late", false)].concat();
    let (seen, err) = events(&mut c, &input);
    assert_eq!(err, None);
    assert_eq!(seen, ["head 1 200", "end 1", "reset 1 STREAM_CLOSED"]);
}

#[test]
fn h2_25_data_past_the_windows_or_all_padding() {
    let local = LocalSettings {
        stream_window: 10,
        ..LocalSettings::default()
    };
    let mut c = client_with(local);
    c.open_stream(GET, false);
    c.open_stream(GET, false);
    let input = [ok_head(), data(1, &[b'x'; 11], false)].concat();
    let (seen, err) = events(&mut c, &input);
    assert_eq!(
        (seen.last().map(String::as_str), err),
        (Some("reset 1 FLOW_CONTROL_ERROR"), None)
    );
    let local = LocalSettings {
        connection_window: 65_535,
        ..LocalSettings::default()
    };
    let mut c = client_with(local);
    c.open_stream(GET, false);
    // Nothing handed on (a paused transfer): no window comes back.
    let body = [b'x'; 16_384];
    let input = [ok_head(), repeat(&data(1, &body, false), 5)].concat();
    let mut pos = 0;
    let err = loop {
        match c.poll(&input[pos..]) {
            Ok(Some((_, used))) => pos += used,
            Ok(None) => break None,
            Err(e) => break Some(e.code),
        }
    };
    assert_eq!(err, Some(ErrorCode::FLOW_CONTROL_ERROR));
    conn_error(&raw(3, 0x0, 0x8, 1, &[3, b'a', b'b']), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn h2_26_no_stream_may_open_until_the_server_allows_one() {
    let mut c = client();
    events(&mut c, &raw(6, SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 0]));
    assert_eq!((c.streams_free(), c.open_stream(GET, true)), (0, None));
    events(&mut c, &raw(6, SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 1]));
    assert_eq!(c.open_stream(GET, true), Some(1));
    assert_eq!(c.streams_free(), 0);
}

#[test]
fn h2_28_a_server_that_answers_in_http_1_1() {
    let mut c = Http2::new(LocalSettings::default());
    c.open_stream(GET, true);
    let (_, err) = events(&mut c, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let err = err.expect("a connection error");
    assert_eq!(err.code, ErrorCode::PROTOCOL_ERROR);
    assert!(err.reason.contains("not SETTINGS"), "{}", err.reason);
}

#[test]
fn h2_29_priority_floods_cost_nothing() {
    let mut c = client();
    c.open_stream(GET, true);
    sent(&mut c);
    let (seen, err) = events(&mut c, &repeat(&raw(5, 0x2, 0, 1, &[0, 0, 0, 3, 9]), 10_000));
    assert_eq!((seen.len(), err), (0, None));
    assert_eq!(sent(&mut c), []);
}

#[test]
fn h2_30_a_closed_transport_ends_every_open_stream() {
    let mut c = client();
    for _ in 0..10 {
        c.open_stream(GET, true);
    }
    let input = [ok_head(), data(1, b"part", false)].concat();
    events(&mut c, &input);
    let ended: Vec<(u32, bool)> = c.transport_ended().collect();
    assert_eq!(ended.len(), 10);
    assert_eq!(ended[0], (1, true), "stream 1 had its head");
    assert!(ended[1..].iter().all(|&(_, head)| !head));
    assert_eq!(c.streams_free(), 0);
}
