//! The status API over real HTTP: the server the binary starts, requests
//! signed as a consumer signs them (subxt-signer's sr25519, the dev
//! accounts), answered from a board of the reactor's state.

mod common;

use common::http::{self, signed, Answer};
use dinfra_reactor::chain::Descriptor;
use dinfra_reactor::state::{Entry, Phase, State};
use dinfra_reactor::status::{Board, StatusService};
use dinfra_reactor_node::StatusServer;
use std::path::PathBuf;
use subxt_signer::sr25519::{dev, Keypair};

fn log_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dinfra-status-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn board(block: u32) -> Board {
    let mut state = State::fresh(0);
    let mut entry = Entry::new(
        1,
        Descriptor {
            hash: [1; 32],
            uri: "https://example.com/node.json".into(),
        },
        50,
    );
    entry.type_name = Some("substrate-node".into());
    entry.phase = Phase::Running;
    entry.consumer = Some(dev::alice().public_key().0);
    entry.access = vec!["wss://rpc.provider.example:30001".into()];
    entry.ready_at = Some(20);
    state.subscriptions.insert(4, entry);
    let dir = log_dir();
    // The tests run in parallel and share the file: written aside and
    // renamed over it, so that no test reads it truncated by another.
    static WRITES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let aside = dir.join(format!("4.log.{n}"));
    std::fs::write(&aside, "booting\nimported #1\nimported #2\n").unwrap();
    std::fs::rename(&aside, dir.join("4.log")).unwrap();
    Board::new(
        &state,
        block,
        |_| false,
        move |id| dir.join(format!("{id}.log")),
    )
}

fn get(server: &StatusServer, target: &str, signer: Option<(&Keypair, u32)>) -> Answer {
    let headers = signer.map_or_else(Vec::new, |(keys, block)| signed(keys, target, block));
    http::get(server.address(), target, &headers)
}

#[test]
fn the_consumer_reads_its_status_and_logs_and_nobody_else_does() {
    let server = StatusServer::start("127.0.0.1:0", StatusService::new(board(100), 10)).unwrap();
    let alice = dev::alice();

    let answer = get(&server, "/subscriptions/4", Some((&alice, 100)));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let status: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(status["phase"], "running");
    assert_eq!(status["health"], "down", "its process is not alive");
    assert_eq!(status["uris"][0], "wss://rpc.provider.example:30001");

    let logs = get(&server, "/subscriptions/4/logs?lines=2", Some((&alice, 99)));
    assert_eq!(
        (logs.status, logs.body.as_str()),
        (200, "imported #1\nimported #2\n")
    );

    // Bob signs well, but it is not his subscription.
    let answer = get(&server, "/subscriptions/4", Some((&dev::bob(), 100)));
    assert_eq!(answer.status, 403, "{}", answer.body);
    let answer = get(&server, "/subscriptions/4/logs", Some((&dev::bob(), 100)));
    assert_eq!(answer.status, 403);
    // Unsigned, or signed over a block too old.
    assert_eq!(get(&server, "/subscriptions/4", None).status, 401);
    assert_eq!(
        get(&server, "/subscriptions/4", Some((&alice, 80))).status,
        401
    );
    // The board moves on: a block fresh before is stale now.
    server.update(board(120));
    assert_eq!(
        get(&server, "/subscriptions/4", Some((&alice, 101))).status,
        401
    );
    assert_eq!(
        get(&server, "/subscriptions/4", Some((&alice, 119))).status,
        200
    );
    // Not served here.
    assert_eq!(
        get(&server, "/subscriptions/5", Some((&alice, 120))).status,
        404
    );
    // The document describing all this, unsigned.
    let document = get(&server, "/openapi.json", None);
    assert_eq!(document.status, 200);
    assert!(document.body.contains("\"/subscriptions/{id}/logs\""));
}

#[test]
fn a_captured_request_cannot_be_replayed() {
    let server = StatusServer::start("127.0.0.1:0", StatusService::new(board(100), 10)).unwrap();
    let alice = dev::alice();
    let headers = signed(&alice, "/subscriptions/4", 100);
    let send = || http::get(server.address(), "/subscriptions/4", &headers).status;
    assert_eq!(send(), 200);
    assert_eq!(send(), 401, "the same signature again");
}

#[test]
fn idle_connections_are_closed_and_do_not_pile_up() {
    use std::io::Read;
    let server = StatusServer::start("127.0.0.1:0", StatusService::new(board(100), 10)).unwrap();
    // Connections that never send a request: closed once the header
    // timeout passes.
    let mut idle: Vec<std::net::TcpStream> = (0..20)
        .map(|_| std::net::TcpStream::connect(server.address()).unwrap())
        .collect();
    let started = std::time::Instant::now();
    for stream in &mut idle {
        stream
            .set_read_timeout(Some(dinfra_reactor_node::status_server::HEADER_TIMEOUT * 3))
            .unwrap();
        let mut byte = [0u8; 1];
        // EOF (0 bytes) or a reset: the server let go of it.
        match stream.read(&mut byte) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("still open: {other:?}"),
        }
    }
    assert!(started.elapsed() < dinfra_reactor_node::status_server::HEADER_TIMEOUT * 3);
    // The server still answers.
    assert_eq!(get(&server, "/openapi.json", None).status, 200);
}
