//! Sans-IO HTTP/1.1 client codec: request-head encoding and an incremental
//! response parser. No sockets, no clock; the body path neither copies nor
//! allocates (body bytes are reported as ranges of the caller's buffer).
//!
//! # Order of calls
//!
//! 1. Encode the request with [`encode_request_head`] (and, for a chunked
//!    upload, [`encode_chunk`] ... [`encode_last_chunk`]) and send it.
//! 2. Create a [`ResponseParser`] (or [`ResponseParser::reset`] the
//!    connection's parser) for the response.
//! 3. Each time bytes arrive, append them to the connection's buffer of
//!    unconsumed input and call [`ResponseParser::parse`] on that buffer in a
//!    loop; after each call drop the consumed bytes from the front. Stop at
//!    [`Parsed::NeedMore`] (read more) or [`Parsed::Done`].
//! 4. When a read returns 0 (peer closed), call [`ResponseParser::eof`]: it
//!    ends a close-delimited body or reports a truncated response.
//! 5. After `Done { reusable: true }`, bytes left in the buffer are the start
//!    of the next response on the connection.
//!
//! # States of a response
//!
//! ```text
//!                      parse(): Interim(1xx), consumed = interim head
//!                            +--------+
//!                            v        |
//!   new()/reset() ----> [ head ] -----+      101 -> UnexpectedSwitchingProtocols
//!   (nothing consumed   |  | | |               (after expect_upgrade(): Head,
//!    until the empty    |  | | |                the rest until the close)
//!    line has arrived)  |  | | |             eof() -> EmptyReply / TruncatedHead
//!                       |  | | |  parse(): Head(ResponseHead), consumed = head
//!          +------------+  | | +-----------------------+
//!          |           +---+ +--------+                |
//!          v           v              v                v
//!     [ no body ]  [ length N ]  [ chunked ]      [ until close ]
//!     HEAD, 204,   Body ranges   Body ranges       Body ranges
//!     304, CL: 0   until N bytes (size lines,      until eof()
//!          |           |          CRLFs eaten)          |
//!          |           v              |                 |
//!          +----> [ complete ]        |                 |
//!                      |              |                 |
//!                      | next parse():| last chunk and   | eof():
//!                      | Done         | trailers: Done   | Done{reusable: false}
//!                      v              v                 v
//!                  [ finished ] <-----+-----------------+
//!                  parse() -> (0, NeedMore); reset() -> [ head ]
//!
//!   eof() in [ length N ] or [ chunked ] -> BodyTruncated
//!   Any error is final: later calls repeat it; close the connection.
//! ```

mod chunked;
mod error;
mod framing;
mod headers;
mod lines;
mod request;
mod request_headers;
mod response;
#[cfg(test)]
mod tests;

pub use chunked::MAX_TRAILER_BYTES;
// The fuzz targets drive the chunked decoder on its own.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use chunked::{ChunkedDecoder, Decoded};
pub use error::Http1Error;
pub use framing::MAX_TRANSFER_CODINGS;
pub(crate) use headers::Field;
pub use headers::ResponseHeaders;
pub(crate) use lines::{breaks_line, lines};
pub use request::{
    encode_chunk, encode_last_chunk, encode_request_head, AddedFields, BodyFraming, OptionFields,
};
pub use request_headers::{HeaderEntry, InvalidField, RequestHeaders};
pub use response::{Parsed, ResponseHead, ResponseParser, DEFAULT_MAX_HEADER_BYTES, MAX_HEADER_LINES};
