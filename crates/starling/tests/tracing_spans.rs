//! The verbose trace's other outlet (the `tracing` feature): a span per
//! transfer and per connection, and the trace's lines as events in the
//! transfer's span, recorded by a subscriber of the test's own against a
//! server on 127.0.0.1. (That a subscriber not interested leaves a
//! transfer without a span, so no line is made for it, is a unit test of
//! `trace_spans.rs`: such a subscriber sees nothing either way.)
#![cfg(all(feature = "tracing", feature = "mio"))]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use starling::{Easy, Flow, Handler, Trace};
use starling_testserver::HttpServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// A span as the subscriber saw it.
#[derive(Debug, Clone)]
struct SpanSeen {
    name: &'static str,
    fields: BTreeMap<String, String>,
    follows_from: Vec<u64>,
}

/// An event: its parent span's id and its fields (`message` among them).
#[derive(Debug, Clone)]
struct EventSeen {
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Seen {
    spans: Vec<SpanSeen>,
    events: Vec<EventSeen>,
}

/// Records every span and event of target `starling`.
#[derive(Clone)]
struct Recorder {
    seen: Arc<Mutex<Seen>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn register_callsite(&self, _metadata: &'static Metadata<'static>) -> Interest {
        // Asked at every call: the tests run at once on threads of their
        // own, each with its own recorder, and an interest cached for one
        // would hold for the others.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("starling")
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = self.seen.lock().unwrap();
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        seen.spans.push(SpanSeen {
            name: attrs.metadata().name(),
            fields,
            follows_from: Vec::new(),
        });
        Id::from_u64(seen.spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut seen = self.seen.lock().unwrap();
        let fields = &mut seen.spans[span.into_u64() as usize - 1].fields;
        values.record(&mut Fields(fields));
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        let mut seen = self.seen.lock().unwrap();
        seen.spans[span.into_u64() as usize - 1]
            .follows_from
            .push(follows.into_u64());
    }

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.seen.lock().unwrap().events.push(EventSeen {
            parent: event.parent().map(Id::into_u64),
            fields,
        });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// Keeps the trace lines the handler is given, split into lines.
#[derive(Default)]
struct Lines(Vec<(Trace, String)>);

impl Handler for Lines {
    fn write(&mut self, _data: &[u8]) -> Flow {
        Flow::Continue
    }

    fn trace(&mut self, kind: Trace, data: &[u8]) {
        if matches!(kind, Trace::DataIn | Trace::DataOut) {
            return;
        }
        for line in String::from_utf8_lossy(data).lines() {
            self.0.push((kind, line.to_string()));
        }
    }
}

/// Runs one GET of `/bytes/10` under the recorder; gives what it saw and
/// the lines the handler was given.
fn traced_get(verbose: bool) -> (Seen, Vec<(Trace, String)>, String) {
    let server = HttpServer::start();
    let url = server.url("/bytes/10");
    let recorder = Recorder { seen: Arc::default() };
    let mut easy = Easy::new(url.clone());
    easy.handler(Lines::default()).verbose(verbose);
    let (easy, result) =
        tracing::subscriber::with_default(recorder.clone(), || starling::drive::perform_one(easy));
    result.unwrap();
    let lines = easy.handler_ref::<Lines>().unwrap().0.clone();
    let seen = std::mem::take(&mut *recorder.seen.lock().unwrap());
    (seen, lines, url)
}

/// The kind of line an event is (its `kind` field).
fn kind_of(kind: Trace) -> &'static str {
    match kind {
        Trace::Text => "text",
        Trace::HeaderIn => "header_in",
        Trace::HeaderOut => "header_out",
        Trace::DataIn => "data_in",
        Trace::DataOut => "data_out",
    }
}

#[test]
fn a_transfer_and_its_connection_have_spans_and_its_trace_is_their_events() {
    let (seen, handler_lines, url) = traced_get(false);
    assert!(handler_lines.is_empty(), "verbose is off: {handler_lines:?}");

    let transfer = seen
        .spans
        .iter()
        .position(|s| s.name == "transfer")
        .expect("a transfer span") as u64
        + 1;
    let fields = &seen.spans[transfer as usize - 1].fields;
    assert_eq!(fields["url"], url);
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["connection"], "0");

    let connection = seen
        .spans
        .iter()
        .find(|s| s.name == "connection")
        .expect("a connection span");
    assert_eq!(connection.fields["number"], "0");
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    assert_eq!(connection.fields["remote"], format!("127.0.0.1:{port}"));
    assert_eq!(connection.follows_from, [transfer], "opened for the transfer");

    let lines: Vec<(&str, &str)> = seen
        .events
        .iter()
        .filter(|e| e.parent == Some(transfer) && e.fields["kind"] != "data_in")
        .map(|e| (e.fields["kind"].as_str(), e.fields["message"].as_str()))
        .collect();
    assert!(
        lines.contains(&("header_out", "GET /bytes/10 HTTP/1.1")),
        "{lines:?}"
    );
    assert!(lines.contains(&("header_in", "HTTP/1.1 200 OK")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|(k, m)| *k == "text" && m.starts_with("Connected to 127.0.0.1")),
        "{lines:?}"
    );
    let data = seen
        .events
        .iter()
        .find(|e| e.fields["kind"] == "data_in")
        .expect("body data");
    assert_eq!(data.fields["bytes"], "10");
    assert!(!data.fields.contains_key("message"), "data is counted, not shown");
}

#[test]
fn with_verbose_on_the_handler_and_the_events_get_the_same_lines() {
    let (seen, handler_lines, _) = traced_get(true);
    let handler_lines: Vec<(&str, &str)> = handler_lines
        .iter()
        .map(|(k, l)| (kind_of(*k), l.as_str()))
        .collect();
    let events: Vec<(&str, &str)> = seen
        .events
        .iter()
        .filter(|e| e.fields.contains_key("message"))
        .map(|e| (e.fields["kind"].as_str(), e.fields["message"].as_str()))
        .collect();
    assert!(handler_lines.len() > 5, "{handler_lines:?}");
    assert_eq!(events, handler_lines);
}
