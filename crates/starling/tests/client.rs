//! The async client (`starling::Client`, the `tokio` feature) against
//! servers the test starts on 127.0.0.1: heads and bodies as sent,
//! a thousand futures on a multi-thread runtime sharing one engine,
//! redirects, uploads, dropped futures and bodies removing their
//! transfers, a slow reader pausing its transfer, and errors.
#![cfg(feature = "tokio")]

use std::future::{poll_fn, Future};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use starling::{Client, ErrorKind, StatusCode, Version};
use starling_testserver::{fnv1a64, pattern, HttpServer, RawServer, Script};

/// Awaits `future` on a current-thread runtime, within 60 s.
fn bounded<F: Future>(future: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { tokio::time::timeout(Duration::from_secs(60), future).await })
        .expect("done within 60 s")
}

#[test]
fn a_get_gives_the_head_and_the_body_as_sent() {
    let server = HttpServer::start();
    let client = Client::new();
    let response = bounded(client.get(server.url("/bytes/300000?seed=7")).send()).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()["content-length"], "300000");
    let body = bounded(response.into_body().bytes()).unwrap();
    assert_eq!(&body[..], &pattern(7, 300000)[..]);
}

#[test]
fn a_thousand_futures_on_a_multi_thread_runtime_share_one_engine() {
    let server = HttpServer::start();
    let client = Client::builder()
        .multi(|multi| {
            multi.set_limits(starling::Limits {
                max_host_connections: Some(50),
                ..Default::default()
            })
        })
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let done = rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..1000u64 {
            let client = client.clone();
            let url = server.url(&format!("/bytes/{}?seed={i}", 100 + i));
            // Spawned: the futures and bodies are Send.
            tasks.spawn(async move {
                let response = client.get(url).send().await?;
                let body = response.into_body().bytes().await?;
                assert_eq!(&body[..], &pattern(i, 100 + i as usize)[..], "{i}");
                Ok::<_, starling::Error>(())
            });
        }
        let mut done = 0;
        let all = async {
            while let Some(joined) = tasks.join_next().await {
                joined.unwrap().unwrap();
                done += 1;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), all)
            .await
            .expect("within 60 s");
        done
    });
    assert_eq!(done, 1000);
    // One engine, one pool: the limit held across every future.
    assert!(
        server.connections_accepted() <= 50,
        "{}",
        server.connections_accepted()
    );
}

#[test]
fn redirects_are_followed_up_to_the_limit_and_the_final_head_is_the_response() {
    let server = HttpServer::start();
    let client = Client::new();
    let response = bounded(client.get(server.url("/chain/3")).send()).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The redirects' fields are not the response's.
    assert!(response.headers().get("location").is_none());
    assert_eq!(bounded(response.into_body().text()).unwrap(), "chain end\n");

    let not_following = Client::builder().redirects(0).build().unwrap();
    let response = bounded(not_following.get(server.url("/chain/3")).send()).unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/chain/2");

    let too_many = bounded(client.get(server.url("/chain/11")).send()).unwrap_err();
    assert_eq!(too_many.kind(), ErrorKind::TooManyRedirects, "{too_many}");
}

#[test]
fn a_post_sends_its_body_and_headers() {
    let server = HttpServer::start();
    let client = Client::new();
    let payload = pattern(3, 100_000);
    let response = bounded(
        client
            .post(server.url("/inspect"))
            .header("x-test", "yes")
            .body(payload.clone())
            .send(),
    )
    .unwrap();
    let text = bounded(response.into_body().text()).unwrap();
    assert!(text.contains("method POST\n"), "{text}");
    assert!(text.contains("body-len 100000\n"), "{text}");
    assert!(
        text.contains(&format!("body-fnv {:016x}\n", fnv1a64(&payload))),
        "{text}"
    );
    assert!(text.contains("header x-test: yes\n"), "{text}");
}

#[test]
fn the_body_is_a_stream_of_bytes_and_an_http_body() {
    let server = HttpServer::start();
    let client = Client::new();
    bounded(async {
        let mut body = client
            .get(server.url("/chunked/200000?seed=2"))
            .send()
            .await
            .unwrap()
            .into_body();
        let mut all = Vec::new();
        while let Some(piece) = poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut body), cx)).await {
            all.extend_from_slice(&piece.unwrap());
        }
        assert_eq!(all, pattern(2, 200000));

        let mut body = client
            .get(server.url("/bytes/5000"))
            .send()
            .await
            .unwrap()
            .into_body();
        let mut all = Vec::new();
        while let Some(frame) = poll_fn(|cx| http_body::Body::poll_frame(Pin::new(&mut body), cx)).await {
            all.extend_from_slice(&frame.unwrap().into_data().unwrap());
        }
        assert!(http_body::Body::is_end_stream(&body));
        assert_eq!(all, pattern(0, 5000));
    });
}

#[test]
fn dropping_the_future_before_the_head_removes_the_transfer() {
    let server = RawServer::start(Script::NeverAnswer);
    let client = Client::new();
    let waited = bounded(async {
        tokio::time::timeout(Duration::from_millis(300), client.get(server.url("/")).send()).await
    });
    assert!(waited.is_err(), "the server never answers");
    assert_eq!(server.connections_accepted(), 1);
    // Dropped with the timeout: the engine closed the connection.
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(10)), 0);
}

#[test]
fn dropping_the_body_midway_removes_the_transfer() {
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".to_vec();
    answer.extend_from_slice(&pattern(0, 1000));
    let server = RawServer::start(Script::RespondThenHold(answer));
    let client = Client::new();
    bounded(async {
        let mut body = client.get(server.url("/")).send().await.unwrap().into_body();
        let first = body.chunk().await.unwrap().unwrap();
        assert_eq!(&first[..], &pattern(0, first.len())[..]);
    });
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(10)), 0);
}

#[test]
fn a_reader_that_falls_behind_pauses_its_transfer_and_resumes_it() {
    const LEN: usize = 64 << 20;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let written = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&written);
    // A server that writes as fast as the client reads, counting.
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        socket.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = [0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut head).unwrap();
            assert!(n > 0, "the request head ended early");
            got.extend_from_slice(&head[..n]);
        }
        write!(socket, "HTTP/1.1 200 OK\r\nContent-Length: {LEN}\r\n\r\n").unwrap();
        let body = pattern(1, LEN);
        for piece in body.chunks(64 * 1024) {
            socket.write_all(piece).unwrap();
            counted.fetch_add(piece.len() as u64, Ordering::SeqCst);
        }
    });
    let client = Client::builder().body_buffer(64 * 1024).build().unwrap();
    bounded(async {
        let mut body = client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap()
            .into_body();
        // Not read for a while: the engine stops reading the socket once
        // its buffer is full, and the server is held back by TCP (the
        // kernel's buffers hold a few MiB; unpaused, the whole 64 MiB
        // would be in the client's memory by now).
        tokio::time::sleep(Duration::from_millis(500)).await;
        let held = written.load(Ordering::SeqCst);
        assert!(
            held < 24 << 20,
            "the server wrote {held} bytes to a reader that read none"
        );
        let mut all = Vec::with_capacity(LEN);
        while let Some(piece) = body.chunk().await.unwrap() {
            all.extend_from_slice(&piece);
        }
        assert_eq!(all.len(), LEN);
        assert!(all == pattern(1, LEN), "the body arrived changed");
    });
    server.join().unwrap();
}

#[test]
fn errors_before_the_head_fail_the_future_with_their_kind() {
    let client = Client::new();
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = bounded(client.get(format!("http://127.0.0.1:{port}/")).send()).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::CouldntConnect, "{refused}");

    let bad = bounded(client.get("http://127.0.0.1/").header("bad name", "x").send()).unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::BadFunctionArgument, "{bad}");

    let server = RawServer::start(Script::NeverAnswer);
    let late = bounded(
        client
            .get(server.url("/"))
            .timeout(Duration::from_millis(200))
            .send(),
    )
    .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::TimedOut, "{late}");
}

#[test]
fn an_error_after_the_head_ends_the_body_with_it() {
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec();
    answer.extend_from_slice(&pattern(0, 1000));
    let server = RawServer::start(Script::RespondThenClose(answer));
    let client = Client::new();
    let error = bounded(async {
        let response = client.get(server.url("/")).send().await.unwrap();
        response.into_body().bytes().await.unwrap_err()
    });
    assert_eq!(error.kind(), ErrorKind::PartialFile, "{error}");
}

#[test]
fn every_easy_option_is_reachable_per_client_and_per_request() {
    let server = HttpServer::start();
    let client = Client::builder()
        .configure(|easy| {
            easy.header("x-from-client", "1").unwrap();
        })
        .build()
        .unwrap();
    let response = bounded(
        client
            .get(server.url("/inspect"))
            .configure(|easy| {
                easy.header("x-from-request", "2").unwrap();
            })
            .send(),
    )
    .unwrap();
    let text = bounded(response.into_body().text()).unwrap();
    assert!(text.contains("header x-from-client: 1\n"), "{text}");
    assert!(text.contains("header x-from-request: 2\n"), "{text}");
}

#[test]
fn the_engine_thread_ends_with_the_last_client_and_closes_its_pool() {
    let server = HttpServer::start();
    let client = Client::new();
    let response = bounded(client.get(server.url("/bytes/10")).send()).unwrap();
    bounded(response.into_body().bytes()).unwrap();
    // The connection is pooled, open, while the client lives.
    assert_eq!(server.wait_for_open_connections(1, Duration::from_secs(10)), 1);
    drop(client);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(10)), 0);
}

#[test]
fn a_configure_closure_that_panics_fails_its_request_and_not_the_client() {
    let server = HttpServer::start();
    let client = Client::new();
    let failed = bounded(
        client
            .get(server.url("/bytes/10"))
            .configure(|_| panic!("a bad option"))
            .send(),
    )
    .unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::BadFunctionArgument, "{failed}");
    // The engine thread lives on.
    let response = bounded(client.get(server.url("/bytes/10")).send()).unwrap();
    assert_eq!(bounded(response.into_body().bytes()).unwrap().len(), 10);
}

#[test]
fn a_local_engine_runs_as_a_task_beside_its_requests_and_ends_with_them() {
    let server = HttpServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let done = local.block_on(&rt, async {
        let (client, engine) = Client::builder().build_local();
        let engine = tokio::task::spawn_local(engine);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200u64 {
            let client = client.clone();
            let url = server.url(&format!("/bytes/{}?seed={i}", 50 + i));
            tasks.spawn_local(async move {
                let body = client.get(url).send().await?.into_body().bytes().await?;
                assert_eq!(&body[..], &pattern(i, 50 + i as usize)[..], "{i}");
                Ok::<_, starling::Error>(())
            });
        }
        drop(client);
        let mut done = 0;
        let all = async {
            while let Some(joined) = tasks.join_next().await {
                joined.unwrap().unwrap();
                done += 1;
            }
            // The last client, future and body are gone: the engine ends.
            engine.await.unwrap();
        };
        tokio::time::timeout(Duration::from_secs(60), all)
            .await
            .expect("within 60 s");
        done
    });
    assert_eq!(done, 200);
}
