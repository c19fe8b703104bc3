//! The reactor binary running a `container` award in Podman against a real
//! node: `#[ignore]`d, run by `deploy/test.sh` when substrate-contracts-node
//! is installed, with `CONTRACTS_NODE_URL` and `DINFRA_DEPLOYMENT` as for
//! `tests/node.rs`:
//!
//! ```sh
//! CONTRACTS_NODE_URL=ws://127.0.0.1:9944 DINFRA_DEPLOYMENT=$PWD/../deploy/deployments/test.json \
//!   cargo test -p dinfra-reactor-node --test containers -- --ignored --nocapture
//! ```
//!
//! award → a container with the descriptor's limits (read back with
//! `podman inspect`) → `mark_ready` with the access record → the consumer
//! reaches the service through the URI it reads from the chain, and reads
//! its status from the status API with a request signed over the node's
//! block (another account, an unsigned request, a stale block and a replay
//! refused) → the reactor SIGKILLed and started again adopts the container,
//! starts none twice and sends nothing → a descriptor its type's schema
//! refuses is declined with the failing field in the log, nothing started →
//! cancel → the container runs until its end block and is gone after it; the
//! provider is paid rate × (end − ready).

mod common;

use common::http::{get, signed};
use common::{wait_until, write_descriptor, Market, ReactorProcess, World, RATE};
use dinfra::lifecycle::CloseReason;
use dinfra_reactor::chain::Balance;
use dinfra_reactor::fetch::{FetchPolicy, Fetcher};
use dinfra_reactor_node::client::account_of;
use dinfra_subscription::subscription::{AwardDeclined, DeploymentReady};
use std::path::{Path, PathBuf};
use std::time::Duration;

const FIRST_PORT: u16 = 31_240;

fn podman_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../podman")
}

/// The engine, as the test calls it (with the repository's containers.conf).
fn podman(args: &[&str]) -> String {
    let out = std::process::Command::new("podman")
        .args(args)
        .env("CONTAINERS_CONF", podman_dir().join("containers.conf"))
        .output()
        .expect("podman runs (deploy/setup.sh installs it)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Every container of a reactor instance; all removed when the test ends.
struct Containers(String);

impl Containers {
    fn ids(&self) -> Vec<String> {
        let label = format!("label=dinfra.instance={}", self.0);
        podman(&["ps", "--all", "--quiet", "--no-trunc", "--filter", &label])
            .split_whitespace()
            .map(String::from)
            .collect()
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        for id in self.ids() {
            podman(&["rm", "--force", "--volumes", "--time", "0", &id]);
        }
    }
}

#[test]
#[ignore = "needs a node, a deployed suite and podman: deploy/test.sh runs it"]
fn the_reactor_runs_a_container_award_on_a_node() {
    let images = std::process::Command::new("bash")
        .arg(podman_dir().join("test-images.sh"))
        .status()
        .expect("bash runs");
    assert!(images.success(), "reactor/podman/test-images.sh failed");

    let mut world = World::from_env();
    // One served, one declined.
    let market = Market::open(&mut world, "container", "container", 2);
    let dir = market.reactor_dir("containers-node");
    // An instance name is 1 to 16 of [a-z0-9].
    let instance = format!("n{}", market.unique % 1_000_000_000_000);
    let containers = Containers(instance.clone());
    // The status API on a free loopback port.
    let status_address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .to_string();
    let config = serde_json::json!({
        "state_file": "state.json",
        "log_dir": "logs",
        "work_dir": "work",
        "ports": { "first": FIRST_PORT, "last": FIRST_PORT + 9 },
        // Claims only at the end.
        "claim_period": 100_000,
        "claim_margin": 0,
        "poll_interval_ms": 250,
        "chain": {
            "url": common::env("CONTRACTS_NODE_URL"),
            "key_file": "provider.key",
            "deployments": common::env("DINFRA_DEPLOYMENT")
        },
        "fetch": { "schemes": ["file"] },
        "public_host": "127.0.0.1",
        "status": { "listen": status_address, "max_age_blocks": 10 },
        "containers": {
            "containers_conf": podman_dir().join("containers.conf"),
            "pull": "never",
            "stop_grace_secs": 1,
            "instance": instance
        },
        "types": { market.type_name.clone(): {
            "schema": market.schema_path,
            "access": ["http://{host}:{port}/"],
            "driver": "podman",
            "health": "tcp",
            "health_timeout_secs": 30,
            "max_restarts": 1
        } }
    });
    let config_path = dir.0.join("reactor.json");
    std::fs::write(&config_path, config.to_string()).expect("writing the config");
    let reactor_log = dir.0.join("reactor.log");
    let reactor = ReactorProcess::start(&config_path, &reactor_log);

    // The consumer subscribes with the catalogue's own example.
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../types/container/examples");
    let example = std::fs::read_to_string(catalogue.join("valid/busybox-httpd.json"))
        .expect("the catalogue's example");
    let descriptor = write_descriptor(&dir.0, "busybox-httpd.json", &example);
    let deposit = RATE * 200;
    let awarded_at = world.now() + 1;
    let id = world.subscribe(&market.consumer, market.type_id, &descriptor, deposit);
    wait_until("the reactor marked the subscription ready", 90, || {
        world.details(id).subscription.ready_at.is_some()
    });
    let ready_at = world.details(id).subscription.ready_at.expect("ready");

    // On the machine: one container of this instance, with the descriptor's
    // limits and the subscription's label.
    let ids = containers.ids();
    assert_eq!(ids.len(), 1, "one container: {ids:?}");
    let container = ids[0].clone();
    let inspected = podman(&[
        "container", "inspect", "--format",
        "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{index .Config.Labels \"dinfra.subscription\"}}",
        &container,
    ]);
    assert_eq!(
        inspected,
        format!("100000000 {} {} {id}", 16 << 20, 16 << 20),
        "cpu 0.1, 16 MiB, no swap beyond it, labelled with the subscription"
    );

    // On chain: the access record, in DeploymentReady and details; the
    // consumer reaches the service through it.
    let uris = world.details(id).access.expect("an access record").uris;
    assert_eq!(uris.len(), 1);
    let port: u16 = uris[0]
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("an http URI on loopback: {uris:?}"));
    assert!(
        (FIRST_PORT..=FIRST_PORT + 9).contains(&port),
        "in the provider's range"
    );
    let now = world.now();
    let ready_events = world.events::<DeploymentReady>(awarded_at, now);
    assert_eq!(ready_events.len(), 1);
    assert_eq!(ready_events[0].1.access.uris, uris);
    let consumer_http = Fetcher::new(FetchPolicy {
        allow_private_addresses: true,
        ..Default::default()
    })
    .expect("a policy");
    let page = consumer_http
        .fetch(&uris[0])
        .expect("the consumer reaches it");
    assert!(String::from_utf8_lossy(&page).contains("served by a DINFRA container"));
    println!(
        "block {ready_at}: subscription {id} ready in container {container}; {} answers",
        uris[0]
    );

    // The status API: the consumer, signing over the node's block, reads
    // its deployment's status; nobody else does.
    let target = format!("/subscriptions/{id}");
    let block = world.block();
    // The reactor follows the chain every 250 ms.
    std::thread::sleep(Duration::from_secs(1));
    let headers = signed(&market.consumer, &target, block);
    let answer = get(&status_address, &target, &headers);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let status: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    assert_eq!(status["phase"], "running", "{status}");
    assert_eq!(status["uris"], serde_json::json!(uris), "{status}");
    let code = get(&status_address, &target, &headers).status;
    assert_eq!(code, 401, "a replay of the same request");
    let code = get(
        &status_address,
        &target,
        &signed(&market.provider, &target, block),
    )
    .status;
    assert_eq!(code, 403, "another account");
    let code = get(&status_address, &target, &[]).status;
    assert_eq!(code, 401, "unsigned");
    let code = get(
        &status_address,
        &target,
        &signed(&market.consumer, &target, block - 11),
    )
    .status;
    assert_eq!(code, 401, "a block older than max_age_blocks");
    let logs = format!("{target}/logs");
    let code = get(
        &status_address,
        &logs,
        &signed(&market.consumer, &logs, block),
    )
    .status;
    assert_eq!(code, 200, "its logs");
    println!("block {block}: the status API answered the consumer and refused a replay, another account, no signature and a stale block");

    // SIGKILL the reactor (no chance to clean up) and start it again: it
    // adopts the container, starts none twice and sends nothing.
    world.block();
    let provider = account_of(&market.provider);
    let nonce_before = world.nonce(provider);
    reactor.sigkill();
    assert!(
        consumer_http.fetch(&uris[0]).is_ok(),
        "the container outlives its reactor"
    );
    let reactor = ReactorProcess::start(&config_path, &reactor_log);
    wait_until("the restarted reactor adopted the container", 30, || {
        std::fs::read_to_string(&reactor_log).is_ok_and(|log| log.contains("adopted container"))
    });
    world.block();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        containers.ids(),
        [container.clone()],
        "still the one container"
    );
    assert_eq!(world.nonce(provider), nonce_before, "nothing sent");
    println!(
        "block {}: reactor SIGKILLed and restarted; adopted container {container}",
        world.now()
    );

    // A descriptor its type's schema refuses (cpu 0): declined in time
    // with the failing field in the log; nothing started, no mark.
    let invalid = std::fs::read_to_string(catalogue.join("invalid/zero-cpu.json"))
        .expect("the catalogue's example");
    let invalid = write_descriptor(&dir.0, "zero-cpu.json", &invalid);
    let declined_from = world.now() + 1;
    let refused = world.subscribe(&market.consumer, market.type_id, &invalid, deposit);
    wait_until("the reactor declined the invalid descriptor", 30, || {
        world.details(refused).subscription.closed.is_some()
    });
    let closed = world.details(refused);
    assert_eq!(closed.subscription.closed, Some(CloseReason::Declined));
    assert_eq!(closed.figures.refunded, deposit);
    let now = world.now();
    assert_eq!(world.events::<AwardDeclined>(declined_from, now).len(), 1);
    let log = std::fs::read_to_string(&reactor_log).expect("the reactor's log");
    assert!(
        log.contains("/resources/cpu"),
        "the log names the field:\n{log}"
    );
    let reputation = market.provider_record(&mut world).reputation;
    assert_eq!((reputation.exited_early, reputation.missed_ready), (0, 0));
    assert_eq!(
        containers.ids(),
        [container.clone()],
        "nothing started for it"
    );
    println!("subscription {refused} (cpu 0) declined; refunded {deposit}");

    // Cancel: the container serves until its end block and is gone after it.
    let end = world.cancel(&market.consumer, id);
    world.advance_to(end - 1);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        containers.ids(),
        [container.clone()],
        "up until block {}",
        end - 1
    );
    world.advance_to(end);
    wait_until("the reactor removed the container at its end", 30, || {
        containers.ids().is_empty()
    });
    wait_until("the reactor claimed at the end", 30, || {
        world.details(id).figures.withdrawable == 0
    });
    let now = world.now();
    let claimed: Balance = world
        .claims(&[id], ready_at, now)
        .iter()
        .filter_map(|(_, paid)| paid[0])
        .sum();
    assert_eq!(claimed, RATE * Balance::from(end - ready_at));
    reactor.terminate();
    let log = std::fs::read_to_string(&reactor_log).expect("the reactor's log");
    assert_eq!(
        log.matches("marked ready").count(),
        1,
        "mark_ready sent once"
    );
    println!("block {end}: container removed; claimed {claimed} = {RATE} × ({end} − {ready_at})");
    println!("--- the reactor's log\n{log}");
}
