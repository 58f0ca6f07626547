//! The encoders against known outputs, and the same bytes however the
//! content is cut.

use super::*;

fn encode(kind: Encoding, data: &[u8]) -> Vec<u8> {
    let mut e = Encoder::new(kind);
    let mut out = Vec::new();
    e.feed(data, &mut out).unwrap();
    e.finish(&mut out).unwrap();
    out
}

/// Feeds `data` in pieces of `cut` bytes.
fn encode_cut(kind: Encoding, data: &[u8], cut: usize) -> Vec<u8> {
    let mut e = Encoder::new(kind);
    let mut out = Vec::new();
    for piece in data.chunks(cut) {
        e.feed(piece, &mut out).unwrap();
    }
    e.finish(&mut out).unwrap();
    out
}

#[test]
fn names_and_lookup() {
    assert_eq!(Encoding::from_name(b"BASE64"), Some(Encoding::Base64));
    assert_eq!(
        Encoding::from_name(b"Quoted-Printable"),
        Some(Encoding::QuotedPrintable)
    );
    assert_eq!(Encoding::from_name(b"8bit"), Some(Encoding::EightBit));
    assert_eq!(Encoding::from_name(b"gzip"), None);
    assert_eq!(Encoding::SevenBit.name(), "7bit");
}

#[test]
fn base64_known_values() {
    let b = |s: &[u8]| String::from_utf8(encode(Encoding::Base64, s)).unwrap();
    assert_eq!(b(b""), "");
    assert_eq!(b(b"f"), "Zg==");
    assert_eq!(b(b"fo"), "Zm8=");
    assert_eq!(b(b"foo"), "Zm9v");
    assert_eq!(b(b"foobar"), "Zm9vYmFy");
    assert_eq!(b(&[0xff, 0xfe, 0x00]), "//4A");
}

#[test]
fn base64_lines_are_76_characters() {
    // 57 bytes fill one line exactly: no line end after it.
    let one = encode(Encoding::Base64, &[b'a'; 57]);
    assert_eq!(one.len(), 76);
    assert!(!one.contains(&b'\r'));
    // One more byte: a line break, then its padded group.
    let more = encode(Encoding::Base64, &[b'a'; 58]);
    assert_eq!(&more[76..78], b"\r\n");
    assert_eq!(&more[78..], b"YQ==");
    let long = encode(Encoding::Base64, &[7u8; 1000]);
    for line in long.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 76, "{}", line.len());
    }
}

#[test]
fn base64_size_is_the_size_written() {
    for n in 0..400u64 {
        let data = vec![0x5a; n as usize];
        let out = encode(Encoding::Base64, &data);
        assert_eq!(
            Encoding::Base64.encoded_size(Some(n)),
            Some(out.len() as u64),
            "{n}"
        );
    }
    assert_eq!(Encoding::Base64.encoded_size(None), None);
}

#[test]
fn plain_encodings_keep_the_bytes() {
    let data: Vec<u8> = (0..=255).collect();
    assert_eq!(encode(Encoding::Binary, &data), data);
    assert_eq!(encode(Encoding::EightBit, &data), data);
    assert_eq!(Encoding::EightBit.encoded_size(Some(9)), Some(9));
    let mut e = Encoder::new(Encoding::SevenBit);
    let mut out = Vec::new();
    assert_eq!(e.feed(b"ok\x80no", &mut out), Err(NotSevenBit));
    assert_eq!(out, b"ok");
}

#[test]
fn quoted_printable_rules() {
    let q = |s: &[u8]| String::from_utf8(encode(Encoding::QuotedPrintable, s)).unwrap();
    assert_eq!(q(b"plain text"), "plain text");
    assert_eq!(q(b"a=b"), "a=3Db");
    // Spacing before a line end or the end is escaped, elsewhere not.
    assert_eq!(q(b"a \r\nb\t\r\nc "), "a=20\r\nb=09\r\nc=20");
    // A lone CR or LF is escaped; a CRLF stays a line end.
    assert_eq!(q(b"x\ry\nz\r\n"), "x=0Dy=0Az\r\n");
    assert_eq!(q(&[0xe9, 0x00, 0x7f]), "=E9=00=7F");
    assert_eq!(Encoding::QuotedPrintable.encoded_size(Some(3)), None);
    assert_eq!(Encoding::QuotedPrintable.encoded_size(Some(0)), Some(0));
}

#[test]
fn quoted_printable_soft_breaks() {
    // 76 characters end a line only where the text's line ends.
    let exact = [b'a'; 76];
    assert_eq!(encode(Encoding::QuotedPrintable, &exact), exact);
    let mut with_crlf = exact.to_vec();
    with_crlf.extend_from_slice(b"\r\nb");
    assert_eq!(encode(Encoding::QuotedPrintable, &with_crlf), with_crlf);
    let out = encode(Encoding::QuotedPrintable, &[b'a'; 77]);
    let mut want = vec![b'a'; 75];
    want.extend_from_slice(b"=\r\naa");
    assert_eq!(out, want);
    // An escape does not straddle a soft break.
    let mut data = vec![b'a'; 74];
    data.push(b'=');
    data.push(b'z');
    let out = String::from_utf8(encode(Encoding::QuotedPrintable, &data)).unwrap();
    assert_eq!(out, format!("{}=\r\n=3Dz", "a".repeat(74)));
}

#[test]
fn the_cut_does_not_change_the_output() {
    let mut data = Vec::new();
    for i in 0..3000u32 {
        data.push((i * 7 % 251) as u8);
        if i % 50 == 0 {
            data.extend_from_slice(b" \r\n");
        }
        if i % 83 == 0 {
            data.extend_from_slice(b"\t\r");
        }
    }
    for kind in [Encoding::Base64, Encoding::QuotedPrintable, Encoding::Binary] {
        let whole = encode(kind, &data);
        for cut in [1, 2, 3, 4, 5, 7, 64, 1000] {
            assert_eq!(encode_cut(kind, &data, cut), whole, "{kind:?} cut {cut}");
        }
    }
}
