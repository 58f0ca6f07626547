//! The handler every simulated transfer uses: it checks each body byte
//! against the server's pattern instead of keeping the body.

use starling::{Flow, Handler};

use crate::server::pattern_byte;

/// Counts body bytes and remembers the first that is not the pattern's.
#[derive(Debug, Default)]
pub struct Checked {
    /// Body bytes received (of the final response).
    pub received: u64,
    /// The offset of the first wrong byte, if any.
    pub mismatch: Option<u64>,
}

impl Handler for Checked {
    fn status(&mut self, _status: starling::StatusCode, _version: starling::Version) -> Flow {
        // A followed redirect's body is drained by the engine; the count
        // starts again with each response.
        self.received = 0;
        self.mismatch = None;
        Flow::Continue
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        if self.mismatch.is_none() {
            if let Some(i) = data
                .iter()
                .zip(self.received..)
                .position(|(&b, offset)| b != pattern_byte(offset))
            {
                self.mismatch = Some(self.received + i as u64);
            }
        }
        self.received += data.len() as u64;
        Flow::Continue
    }
}
