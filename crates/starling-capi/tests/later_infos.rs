//! Infos libcurl added after 7.88 (`tests/c/later_infos.c`): XFER_ID,
//! CONN_ID, QUEUE_TIME_T, USED_PROXY, POSTTRANSFER_TIME_T and
//! EARLYDATA_SENT_T. Debian's 7.88 knows none of them
//! (CURLE_UNKNOWN_OPTION, checked here so the test shows they are
//! newer); Starling answers as libcurl 8.x documents them: a transfer's
//! number in its multi handle from 0 (each perform one more), the
//! connection's number, the time waited for a connection slot.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

#[test]
fn later_infos_answer_as_libcurl_8_documents_them() {
    let server = HttpServer::start();
    let args = vec![server.url("")];
    if have_libcurl() {
        let theirs = output_of("later_infos", Library::Libcurl, &args);
        assert!(theirs.starts_with("answers: 48 48 48 48 48 48\n"), "{theirs}");
    }
    let ours = output_of("later_infos", Library::Starling, &args);
    let expected = "\
answers: 0 0 0 0 0 0
before any transfer: xfer id -1, conn id -1, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
first perform: xfer id 0, conn id 0, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
second perform: xfer id 1, conn id 0, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
third perform, not kept: xfer id 2, conn id 0, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
fourth perform: xfer id 3, conn id 1, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
multi, first: xfer id 0, conn id 0, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued less than 150 ms
multi, second: xfer id 1, conn id 0, used proxy 0 (0), early data 0
  pretransfer <= posttransfer <= total: yes; queued 150 ms or more
";
    common::assert_same_lines(&ours, expected);
}
