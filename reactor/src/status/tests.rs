use super::*;
use crate::chain::Descriptor;
use crate::config::HealthKind;
use crate::driver::Unit;
use crate::state::Entry;
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};

fn keypair(seed: u8) -> Keypair {
    MiniSecretKey::from_bytes(&[seed; 32])
        .unwrap()
        .expand_to_keypair(ExpansionMode::Ed25519)
}

fn account(keys: &Keypair) -> AccountId {
    keys.public.to_bytes()
}

fn sign(keys: &Keypair, message: &[u8]) -> String {
    hex(&keys.sign_simple(SIGNING_CONTEXT, message).to_bytes())
}

const CONSUMER: u8 = 1;
const STRANGER: u8 = 2;

fn log_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dinfra-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn state() -> State {
    let mut state = State::fresh(0);
    let descriptor = Descriptor {
        hash: [7; 32],
        uri: "https://example.com/d.json".into(),
    };
    let mut running = Entry::new(1, descriptor.clone(), 40);
    running.type_name = Some("container".into());
    running.phase = Phase::Running;
    running.consumer = Some(account(&keypair(CONSUMER)));
    running.handle = Some(Handle {
        unit: Unit::Process {
            pid: 1,
            start_time: 1,
        },
        port: Some(30001),
        log: "/x".into(),
        health: HealthKind::Tcp,
    });
    running.port = Some(30001);
    running.ports = vec![30001, 30002];
    running.access = vec!["http://203.0.113.7:30001/".into()];
    running.restarts = 1;
    running.last_error = Some("process exited".into());
    running.ready_at = Some(12);
    state.subscriptions.insert(7, running);
    let mut unread = Entry::new(1, descriptor, 40);
    unread.phase = Phase::Pending {
        why: "just awarded".into(),
    };
    state.subscriptions.insert(8, unread);
    state
}

fn service(block: BlockNumber) -> StatusService {
    let dir = log_dir();
    // The tests run in parallel and share the file: written aside and
    // renamed over it, so that no test reads it truncated by another.
    static WRITES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let aside = dir.join(format!("7.log.{n}"));
    std::fs::write(
        &aside,
        (1..=150).map(|n| format!("line {n}\n")).collect::<String>(),
    )
    .unwrap();
    std::fs::rename(&aside, dir.join("7.log")).unwrap();
    let board = Board::new(
        &state(),
        block,
        |_| true,
        |id| dir.join(format!("{id}.log")),
    );
    StatusService::new(board, 10)
}

/// A request for `target` signed by `keys` at `block`.
fn ask(service: &mut StatusService, keys: &Keypair, target: &str, block: BlockNumber) -> Response {
    let message = format!("GET {target} {block}");
    let account = hex(&account(keys));
    let signature = sign(keys, message.as_bytes());
    let block = block.to_string();
    service.answer(&Request {
        method: "GET",
        target,
        account: Some(&account),
        block: Some(&block),
        signature: Some(&signature),
    })
}

#[test]
fn the_consumer_gets_the_status() {
    let mut service = service(100);
    let answer = ask(&mut service, &keypair(CONSUMER), "/subscriptions/7", 99);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["phase"], "running");
    assert_eq!(body["health"], "up");
    assert_eq!(body["uris"][0], "http://203.0.113.7:30001/");
    assert_eq!(body["ports"], serde_json::json!([30001, 30002]));
    assert_eq!(body["restarts"], 1);
    assert_eq!(body["last_error"], "process exited");
    assert_eq!(body["ready_at"], 12);
    assert_eq!(body["type"], "container");
}

#[test]
fn the_log_tail_has_the_lines_asked_for() {
    let mut service = service(100);
    let keys = keypair(CONSUMER);
    let answer = ask(&mut service, &keys, "/subscriptions/7/logs?lines=3", 100);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "line 148\nline 149\nline 150\n");
    let answer = ask(&mut service, &keys, "/subscriptions/7/logs", 100);
    assert_eq!(answer.body.lines().count(), DEFAULT_LOG_LINES);
    for bad in ["?lines=0", "?lines=1001", "?lines=x", "?tail=3"] {
        let answer = ask(
            &mut service,
            &keys,
            &format!("/subscriptions/7/logs{bad}"),
            100,
        );
        assert_eq!(answer.status, 400, "{bad}");
    }
}

#[test]
fn another_account_is_forbidden_and_an_unknown_consumer_too() {
    let mut service = service(100);
    let answer = ask(&mut service, &keypair(STRANGER), "/subscriptions/7", 100);
    assert_eq!(answer.status, 403, "{}", answer.body);
    let answer = ask(
        &mut service,
        &keypair(STRANGER),
        "/subscriptions/7/logs",
        100,
    );
    assert_eq!(answer.status, 403);
    // Not read from the chain yet: nobody is answered.
    let answer = ask(&mut service, &keypair(CONSUMER), "/subscriptions/8", 100);
    assert_eq!(answer.status, 403);
    let answer = ask(&mut service, &keypair(CONSUMER), "/subscriptions/9", 100);
    assert_eq!(answer.status, 404);
    assert!(service.seen.is_empty(), "refused requests take no memory");
}

#[test]
fn unsigned_badly_signed_stale_future_and_replayed_requests_are_unauthorized() {
    let mut service = service(100);
    let keys = keypair(CONSUMER);
    let unsigned = service.answer(&Request {
        method: "GET",
        target: "/subscriptions/7",
        ..Request::default()
    });
    assert_eq!(unsigned.status, 401);
    assert!(unsigned.body.contains(SIGNATURE_HEADER));

    // Signed over another path: the signature does not match this one.
    let account = hex(&account(&keys));
    let other = sign(&keys, b"GET /subscriptions/8 100");
    let answer = service.answer(&Request {
        method: "GET",
        target: "/subscriptions/7",
        account: Some(&account),
        block: Some("100"),
        signature: Some(&other),
    });
    assert_eq!(answer.status, 401);
    // The stranger's signature under the consumer's account.
    let forged = sign(&keypair(STRANGER), b"GET /subscriptions/7 100");
    let answer = service.answer(&Request {
        method: "GET",
        target: "/subscriptions/7",
        account: Some(&account),
        block: Some("100"),
        signature: Some(&forged),
    });
    assert_eq!(answer.status, 401);

    assert_eq!(
        ask(&mut service, &keys, "/subscriptions/7", 89).status,
        401,
        "11 blocks old"
    );
    assert_eq!(
        ask(&mut service, &keys, "/subscriptions/7", 90).status,
        200,
        "10 blocks old"
    );
    assert_eq!(
        ask(&mut service, &keys, "/subscriptions/7", 102).status,
        401,
        "ahead"
    );

    // A replay of an accepted request: refused.
    let message = b"GET /subscriptions/7 101";
    let signature = sign(&keys, message);
    let request = Request {
        method: "GET",
        target: "/subscriptions/7",
        account: Some(&account),
        block: Some("101"),
        signature: Some(&signature),
    };
    assert_eq!(service.answer(&request).status, 200);
    let replay = service.answer(&request);
    assert_eq!(replay.status, 401);
    assert!(replay.body.contains("used before"));

    for (account, block, signature) in [
        ("0x12", "100", signature.as_str()),
        (account.as_str(), "a hundred", signature.as_str()),
        (account.as_str(), "100", "0xzz"),
    ] {
        let answer = service.answer(&Request {
            method: "GET",
            target: "/subscriptions/7",
            account: Some(account),
            block: Some(block),
            signature: Some(signature),
        });
        assert_eq!(answer.status, 401, "{account} {block} {signature}");
    }
}

#[test]
fn a_wallets_wrapped_signature_is_accepted() {
    let mut service = service(100);
    let keys = keypair(CONSUMER);
    let account = hex(&account(&keys));
    let signature = sign(&keys, b"<Bytes>GET /subscriptions/7 100</Bytes>");
    let answer = service.answer(&Request {
        method: "GET",
        target: "/subscriptions/7",
        account: Some(&account),
        block: Some("100"),
        signature: Some(&signature),
    });
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn seen_signatures_are_forgotten_once_stale_anyway() {
    let mut service = service(100);
    let keys = keypair(CONSUMER);
    assert_eq!(
        ask(&mut service, &keys, "/subscriptions/7", 100).status,
        200
    );
    assert_eq!(service.seen.len(), 1);
    service.update(Board::new(&state(), 111, |_| true, |_| PathBuf::new()));
    assert!(service.seen.is_empty());
}

#[test]
fn the_openapi_document_is_served_unsigned_and_other_paths_are_not_found() {
    let mut service = service(100);
    let answer = service.answer(&Request {
        method: "GET",
        target: "/openapi.json",
        ..Request::default()
    });
    assert_eq!(answer.status, 200);
    let document: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/subscriptions/{id}/logs"].is_object());
    for target in [
        "/",
        "/subscriptions",
        "/subscriptions/",
        "/subscriptions/x",
        "/subscriptions/7/env",
    ] {
        let answer = service.answer(&Request {
            method: "GET",
            target,
            ..Request::default()
        });
        assert_eq!(answer.status, 404, "{target}");
    }
    let post = service.answer(&Request {
        method: "POST",
        target: "/subscriptions/7",
        ..Request::default()
    });
    assert_eq!(post.status, 405);
}

/// Signatures polkadot.js made (`@polkadot/keyring`, `//Alice`, sr25519)
/// of "GET /subscriptions/7 100", raw and as a wallet wraps it
/// (`u8aWrapBytes`): what the TypeScript client and browser wallets send.
#[test]
fn signatures_made_by_polkadot_js_verify() {
    let alice: AccountId =
        unhex("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d").unwrap();
    let message = b"GET /subscriptions/7 100";
    for signature in [
        "0x6e1ac5acaa6be8374feccb9cbb143431dbb56837777451009cc6b4e135fbd84893b00502c1369dbd89b88c24dd71959870c0a42ed86d8691dd564f1911724e8d",
        "0x00d96c3d67b52ab4ec63c1e14ffb3501777593f4a251ee5a7c5821cd0ef2760ff4e824243fe70a8e029502eafe11ece41412030137f7191a1260710df9ca158c",
    ] {
        let signature: [u8; 64] = unhex(signature).unwrap();
        assert!(verify(&alice, message, &signature));
        assert!(!verify(&alice, b"GET /subscriptions/8 100", &signature));
    }
}
