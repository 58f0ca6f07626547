//! `GET /ws`: a WebSocket server (tungstenite's, an implementation other
//! than the client's under test) that echoes each text and binary message
//! and answers pings and closes, after an opening its query scripts:
//!
//! * `hello=TEXT`: a text message first;
//! * `ping=1`: a ping (`hi`) first; the pong that answers it is reported
//!   back as the text `pong:PAYLOAD`;
//! * `frag=1`: the text `fragmented` first, in two frames (`frag`, `mented`);
//! * `big=N`: a binary message of N bytes (byte i is `i % 251`) first;
//! * `close=1`: after the first message echoed, a close (1000, `bye`);
//! * `bye=1`: after the opening, a close (1000, `bye`) and the connection
//!   closed at once, without waiting for the client's close;
//! * `accept=bad`: a wrong `Sec-WebSocket-Accept` (no WebSocket follows);
//! * `status=CODE`: that status instead of the upgrade.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::header::{HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::query_param;
use crate::body::ServerBody;

/// The opening the query asks for.
#[derive(Default, Clone)]
struct Script {
    hello: Option<String>,
    ping: bool,
    frag: bool,
    big: Option<usize>,
    close: bool,
    bye: bool,
}

impl Script {
    fn of(query: Option<&str>) -> Script {
        Script {
            hello: query_param(query, "hello").map(str::to_owned),
            ping: query_param(query, "ping") == Some("1"),
            frag: query_param(query, "frag") == Some("1"),
            big: query_param(query, "big").and_then(|n| n.parse().ok()),
            close: query_param(query, "close") == Some("1"),
            bye: query_param(query, "bye") == Some("1"),
        }
    }
}

/// The handshake's answer; the WebSocket runs on a task of its own once
/// the connection is handed over.
pub(crate) fn upgrade(mut req: Request<Incoming>, query: Option<&str>) -> Response<ServerBody> {
    if let Some(code) = query_param(query, "status").and_then(|c| c.parse::<u16>().ok()) {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
        return super::text(status, Bytes::from_static(b"refused\n"), false);
    }
    let Some(key) = req.headers().get(SEC_WEBSOCKET_KEY).cloned() else {
        return super::bad_request("no Sec-WebSocket-Key\n", false);
    };
    let accept = match query_param(query, "accept") {
        Some("bad") => "AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned(),
        _ => derive_accept_key(key.as_bytes()),
    };
    let script = Script::of(query);
    let upgraded = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        if let Ok(io) = upgraded.await {
            let ws = WebSocketStream::from_raw_socket(TokioIo::new(io), Role::Server, None).await;
            let _ = run(ws, script).await;
        }
    });
    let mut response = Response::new(ServerBody::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(value) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, value);
    }
    response
}

/// The opening, then the echo until the client closes.
async fn run<S>(
    mut ws: WebSocketStream<S>,
    script: Script,
) -> Result<(), tokio_tungstenite::tungstenite::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Some(hello) = script.hello {
        ws.send(Message::text(hello)).await?;
    }
    if script.ping {
        ws.send(Message::Ping(Bytes::from_static(b"hi"))).await?;
    }
    if script.frag {
        let text = OpCode::Data(Data::Text);
        ws.send(Message::Frame(Frame::message(
            Bytes::from_static(b"frag"),
            text,
            false,
        )))
        .await?;
        let more = OpCode::Data(Data::Continue);
        ws.send(Message::Frame(Frame::message(
            Bytes::from_static(b"mented"),
            more,
            true,
        )))
        .await?;
    }
    if let Some(n) = script.big {
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        ws.send(Message::binary(data)).await?;
    }
    if script.bye {
        let bye = CloseFrame {
            code: 1000.into(),
            reason: "bye".into(),
        };
        return ws.send(Message::Close(Some(bye))).await;
    }
    while let Some(message) = ws.next().await {
        match message? {
            m @ (Message::Text(_) | Message::Binary(_)) => {
                ws.send(m).await?;
                if script.close {
                    let bye = CloseFrame {
                        code: 1000.into(),
                        reason: "bye".into(),
                    };
                    ws.send(Message::Close(Some(bye))).await?;
                }
            }
            Message::Pong(payload) => {
                let text = format!("pong:{}", String::from_utf8_lossy(&payload));
                ws.send(Message::text(text)).await?;
            }
            // tungstenite answers pings and closes itself.
            _ => {}
        }
    }
    Ok(())
}
