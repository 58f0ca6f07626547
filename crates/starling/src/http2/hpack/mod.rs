//! HPACK (RFC 7541), the header compression of HTTP/2: a decoder for
//! responses with the limits a client needs, and a stateless encoder for
//! requests. Written here rather than taken from a crate: the maintained
//! stand-alone HPACK crate (loona-hpack) decodes Huffman one bit at a time
//! through hash maps, allocates two vectors per table entry, and asserts
//! (panics) on a table size above its limit; `h2`'s codec is not public.

mod decoder;
mod encode_memo;
mod encoder;
mod huffman;
mod memo;
mod table;

pub(crate) use decoder::{Decoder, ListSize};
pub(crate) use encode_memo::EncodeMemo;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use encoder::encode_field;
