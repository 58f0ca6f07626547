use starling::drive::Blocking;
use starling::{Collect, Easy};
use starling_testserver::{pattern, HttpServer};

#[test]
fn one_get() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/bytes/1000?seed=3"));
    easy.handler(Collect::new());
    let (easy, result) = starling::drive::perform_one(easy);
    result.unwrap();
    assert_eq!(easy.info().status.unwrap().as_u16(), 200);
    assert_eq!(
        easy.handler_ref::<Collect>().unwrap().body(),
        &pattern(3, 1000)[..]
    );
    let mut d = Blocking::with_new_multi().unwrap();
    for i in 0..50 {
        let mut e = Easy::new(server.url(&format!("/bytes/{}?seed={i}", i * 100)));
        e.handler(Collect::new());
        d.add(e);
    }
    let mut n = 0;
    d.perform_with(|m, msg| {
        msg.result.unwrap();
        let e = m.remove(msg.id).unwrap();
        assert!(e.info().body_bytes_received > 0 || e.get_url().contains("/bytes/0"));
        n += 1;
    })
    .unwrap();
    assert_eq!(n, 50);
}
