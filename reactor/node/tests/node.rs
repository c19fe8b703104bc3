//! The reactor binary against a real node: `#[ignore]`d, run by
//! `deploy/test.sh` when substrate-contracts-node is installed, with
//!
//! - `CONTRACTS_NODE_URL`: the node (`deploy/node.sh start`), and
//! - `DINFRA_DEPLOYMENT`: a deployments file for a suite on it
//!   (`deploy/deploy.sh --name test`), deployed by `//Alice`.
//!
//! ```sh
//! CONTRACTS_NODE_URL=ws://127.0.0.1:9944 DINFRA_DEPLOYMENT=$PWD/../deploy/deployments/test.json \
//!   cargo test -p dinfra-reactor-node --test node -- --ignored --nocapture
//! ```
//!
//! Two subscriptions' whole life, with the provider's side done by the
//! `dinfra-reactor` process only: award → a real process each and
//! `mark_ready`; the reactor SIGKILLed and started again mid-way (the same
//! processes, one each, and no transaction from the provider); stopped while
//! the node prunes the blocks it has not read, and started again (it catches
//! up from the contract's state: the same processes; both periodic claims in
//! one `Escrow::withdraw_many`); a third subscription whose descriptor does
//! not match its hash → refused and declined by the reactor (closed `Declined`, a full
//! refund, no mark); cancel → each process stopped at its end block,
//! earnings claimed = rate × (end − ready) each; a settle refunds the rest.
//! Every account is fresh (derived from `//Alice` with a unique path), so
//! the test runs on a chain that other tests used.

mod common;

use common::{env, sorted, wait_until, write_descriptor, Market, ReactorProcess, World, RATE};
use dinfra::lifecycle::CloseReason;
use dinfra::traits::SubscriptionError;
use dinfra_reactor::chain::{Balance, BlockNumber, SubscriptionId};
use dinfra_reactor::fetch::{FetchPolicy, Fetcher};
use dinfra_reactor::process::{listening, processes_in, python3_executable};
use dinfra_reactor_node::client::{account_of, decoded, input};
use dinfra_reactor_node::node::subscription_ref;
use dinfra_subscription::subscription::{AwardDeclined, Closed, DeploymentReady};
use ink::codegen::TraitCallBuilder;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const FIRST_PORT: u16 = 31_200;
const CLAIM_PERIOD: BlockNumber = 200;

/// The pid and port the reactor's state file records for subscription `id`.
fn served(dir: &Path, id: SubscriptionId) -> (u32, u16) {
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("state.json")).expect("the reactor's state file"),
    )
    .expect("JSON");
    let entry = &state["subscriptions"][id.to_string()];
    let pid = entry["handle"]["pid"].as_u64().expect("a pid");
    let port = entry["port"].as_u64().expect("a port");
    (
        u32::try_from(pid).expect("a pid"),
        u16::try_from(port).expect("a port"),
    )
}

#[test]
#[ignore = "needs a node and a deployed suite: deploy/test.sh runs it"]
fn the_reactor_process_serves_a_subscription_on_a_node_and_survives_a_sigkill() {
    let url = env("CONTRACTS_NODE_URL");
    let mut world = World::from_env();
    // A deployment type of this run's own, so that the award can only go to
    // this run's provider. Its descriptors follow the catalogue's
    // `container` schema; two are served, one declined.
    let market = Market::open(&mut world, "static-site", "container", 3);
    let Market {
        ref provider,
        ref consumer,
        ref type_name,
        type_id,
        ref schema_path,
        ..
    } = market;

    // The provider's reactor: its config, key file and descriptor.
    let dir = market.reactor_dir("reactor-node");
    let python = python3_executable().expect("python3 runs");
    let config = serde_json::json!({
        "state_file": "state.json",
        "log_dir": "logs",
        "work_dir": "work",
        "ports": { "first": FIRST_PORT, "last": FIRST_PORT + 20 },
        // Due only after the pruning pause below, so that the SIGKILL
        // restart before it has nothing to send.
        "claim_period": CLAIM_PERIOD,
        "claim_margin": 0,
        "poll_interval_ms": 250,
        "chain": { "url": url, "key_file": "provider.key", "deployments": env("DINFRA_DEPLOYMENT") },
        // The test's descriptor is a local file.
        "fetch": { "schemes": ["file"] },
        // Where consumers reach the deployments: the access record.
        "public_host": "127.0.0.1",
        "types": { type_name.clone(): {
            "schema": schema_path,
            "access": ["http://{host}:{port}/"],
            "driver": "process",
            "command": format!("exec {python} -m http.server {{port}} --bind 127.0.0.1"),
            "health": "tcp",
            "health_timeout_secs": 20,
            "max_restarts": 2
        } }
    });
    let config_path = dir.0.join("reactor.json");
    std::fs::write(&config_path, config.to_string()).expect("writing the config");
    // A container descriptor the test's python HTTP server stands in for.
    let body = r#"{"image": "localhost/dinfra-busybox:latest", "resources": {"cpu": 0.1, "memory_mib": 16}}"#;
    let descriptor = write_descriptor(&dir.0, "descriptor.json", body);
    let reactor_log = dir.0.join("reactor.log");
    let reactor = ReactorProcess::start(&config_path, &reactor_log);

    // The consumer subscribes twice: both awarded to this run's provider.
    let subscription = world.deployment.subscription.address;
    // Enough for the pruning window below and the notice.
    let deposit = RATE * 2_000;
    let awarded_at = world.now() + 1;
    let subscribe =
        |world: &mut World, descriptor| world.subscribe(consumer, type_id, descriptor, deposit);
    let ids: Vec<SubscriptionId> = (0..2).map(|_| subscribe(&mut world, &descriptor)).collect();
    for id in &ids {
        let awarded = world.details(*id).subscription.provider;
        assert_eq!(AsRef::<[u8; 32]>::as_ref(&awarded), &account_of(&provider));
    }
    println!("block {awarded_at}..: subscriptions {ids:?} awarded to the test's provider");

    // The reactor deploys a process for each and marks them ready.
    wait_until("the reactor marked both subscriptions ready", 60, || {
        ids.iter()
            .all(|id| world.details(*id).subscription.ready_at.is_some())
    });
    let ready_at: Vec<BlockNumber> = ids
        .iter()
        .map(|id| world.details(*id).subscription.ready_at.expect("ready"))
        .collect();
    let served: Vec<(u32, u16)> = ids.iter().map(|id| served(&dir.0, *id)).collect();
    let pids = sorted(served.iter().map(|(pid, _)| *pid).collect());
    assert_eq!(sorted(processes_in(&dir.0)), pids, "one process each");
    for (_, port) in &served {
        assert!(listening(*port), "port {port} serves");
    }
    let now = world.now();
    let ready_events = world.events::<DeploymentReady>(awarded_at, now);
    assert_eq!(ready_events.len(), 2, "one DeploymentReady each");
    // The consumer reads how to reach each deployment from the chain and
    // reaches it there.
    for (id, (_, port)) in ids.iter().zip(&served) {
        let uri = format!("http://127.0.0.1:{port}/");
        let access = world.details(*id).access.expect("an access record");
        assert_eq!(access.uris, [uri.clone()]);
        assert!(
            ready_events
                .iter()
                .any(|(_, e)| e.id == *id && e.access == access),
            "DeploymentReady carries it"
        );
        // The consumer's HTTP client (here the reactor's fetcher, loopback
        // allowed: the test's provider is local).
        let mut policy = FetchPolicy::default();
        policy.allow_private_addresses = true;
        let body = Fetcher::new(policy).expect("a policy").fetch(&uri);
        assert!(body.is_ok_and(|b| !b.is_empty()), "{uri} answers");
    }
    println!("blocks {ready_at:?}: ready; processes and ports {served:?}");

    // Kill the reactor mid-way (SIGKILL: no chance to clean up) and start
    // it again: it adopts the same processes and sends nothing.
    for _ in 0..3 {
        world.block();
    }
    let nonce_before = world.nonce(account_of(&provider));
    let block_before = world.now();
    reactor.sigkill();
    assert!(
        served.iter().all(|(_, port)| listening(*port)),
        "the deployments outlive their reactor"
    );
    let reactor = ReactorProcess::start(&config_path, &reactor_log);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(sorted(processes_in(&dir.0)), pids, "the same processes");
    assert_eq!(
        world.nonce(account_of(&provider)),
        nonce_before,
        "the restarted reactor sent nothing"
    );
    assert_eq!(
        world.now(),
        block_before,
        "no block was made while the reactor restarted"
    );
    println!("block {block_before}: reactor SIGKILLed and restarted; still processes {pids:?}, nothing sent");
    let status = Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
        .args(["--config", &config_path.display().to_string(), "--status"])
        .output()
        .expect("dinfra-reactor --status");
    let status = String::from_utf8_lossy(&status.stdout);
    let (pid, port) = served[0];
    assert!(
        status.contains(&format!(
            "subscription {}: running; type {type_name:?}; pid {pid} (alive); port {port}; ready at block {}",
            ids[0], ready_at[0]
        )),
        "{status}"
    );

    // Stop the reactor and let the node prune the blocks it has not read
    // (a pruning node keeps the state, and so the events, of its last 256
    // blocks by default): started again, it finds its cursor's block gone
    // and catches up from the contract's state instead — adopting the same
    // processes. Both periodic claims are due by then: one
    // Escrow::withdraw_many transaction pays both.
    let cursor_block = block_before;
    reactor.terminate();
    let down_from = world.now();
    let mut pruned = false;
    for _ in 0..800 {
        world.block();
        if world
            .node
            .events_at(cursor_block)
            .expect("asking for a block")
            .is_none()
        {
            pruned = true;
            break;
        }
    }
    let restarted_at = world.now();
    assert!(
        pruned,
        "the node kept block {cursor_block}'s state 800 blocks on (an archive node?)"
    );
    assert!(restarted_at >= ready_at[1] + CLAIM_PERIOD, "claims are due");
    let nonce_before = world.nonce(account_of(&provider));
    let reactor = ReactorProcess::start(&config_path, &reactor_log);
    wait_until("the restarted reactor claimed", 30, || {
        world.nonce(account_of(&provider)) > nonce_before
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        world.nonce(account_of(&provider)),
        nonce_before + 1,
        "one transaction"
    );
    let now = world.now();
    let claims = world.claims(&ids, restarted_at, now);
    assert_eq!(claims.len(), 1, "one Withdrawn event");
    assert!(
        claims[0]
            .1
            .iter()
            .all(|paid| paid.is_some_and(|amount| amount > 0)),
        "both claimed in one Escrow::withdraw_many: {claims:?}"
    );
    assert_eq!(sorted(processes_in(&dir.0)), pids, "the same processes");
    println!(
        "blocks {down_from}..{restarted_at}: reactor stopped while the node pruned block \
         {cursor_block}; restarted, it caught up from the contract's state (still processes \
         {pids:?}) and claimed both in one Escrow::withdraw_many at block {}",
        claims[0].0
    );

    // A subscription whose descriptor is not the document at its URI: the
    // reactor refuses it and declines the award (in time, so no mark), and
    // with no other provider of this run's type it closes with a full
    // refund. Nothing is started for it.
    let mut wrong = descriptor.clone();
    wrong.hash[0] ^= 0xff;
    let declined_from = world.now() + 1;
    let refused = subscribe(&mut world, &wrong);
    wait_until("the reactor declined the mismatched award", 30, || {
        world.details(refused).subscription.closed.is_some()
    });
    let closed = world.details(refused);
    assert_eq!(closed.subscription.closed, Some(CloseReason::Declined));
    assert_eq!(closed.figures.refunded, deposit);
    let now = world.now();
    let declined = world.events::<AwardDeclined>(declined_from, now);
    assert_eq!(declined.len(), 1, "one AwardDeclined");
    assert_eq!(declined[0].1.id, refused);
    assert!(declined[0].0 <= closed.subscription.ready_deadline);
    let reputation = market.provider_record(&mut world).reputation;
    assert_eq!((reputation.exited_early, reputation.missed_ready), (0, 0));
    assert_eq!(sorted(processes_in(&dir.0)), pids, "nothing started for it");
    println!(
        "block {}: subscription {refused} (descriptor hash mismatch) declined by the reactor; \
         closed Declined, refunded {deposit}",
        declined[0].0
    );

    // The consumer cancels both: each process runs to its end block, then
    // stops, and the provider is paid rate × (end − ready) for each.
    let mut ends = Vec::new();
    for id in &ids {
        ends.push(world.cancel(consumer, *id));
    }
    println!("cancelled; ends at blocks {ends:?}");
    let first_end = *ends.iter().min().expect("two ends");
    let last_end = *ends.iter().max().expect("two ends");
    world.advance_to(first_end - 1);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        served.iter().all(|(_, port)| listening(*port)),
        "still serving at block {}",
        first_end - 1
    );
    world.advance_to(last_end);
    wait_until(
        "the reactor stopped the processes at their ends",
        30,
        || processes_in(&dir.0).is_empty(),
    );
    assert!(!served.iter().any(|(_, port)| listening(*port)));
    wait_until("the reactor claimed at the ends", 30, || {
        ids.iter()
            .all(|id| world.details(*id).figures.withdrawable == 0)
    });
    let now = world.now();
    let claims = world.claims(&ids, restarted_at, now);
    let mut paid = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        let claimed: Balance = claims.iter().filter_map(|(_, paid)| paid[index]).sum();
        let (end, ready) = (ends[index], ready_at[index]);
        assert_eq!(
            claimed,
            RATE * Balance::from(end - ready),
            "subscription {id}"
        );
        println!("subscription {id}: stopped at block {end}; claimed {claimed} = {RATE} × ({end} − {ready})");
        paid.push(claimed);
    }
    reactor.terminate();
    let log = std::fs::read_to_string(&reactor_log).unwrap_or_default();
    assert_eq!(
        log.matches("marked ready").count(),
        2,
        "mark_ready sent once each in three runs of the reactor"
    );

    // Anyone settles: the consumer gets back all that was not earned, and
    // the escrow holds nothing more for it.
    for (index, id) in ids.iter().enumerate() {
        let settled = world.node.call::<(), SubscriptionError>(
            &consumer,
            subscription,
            0,
            input(subscription_ref(subscription).call_mut().settle(*id)),
        );
        let events = match settled {
            Ok((_, events)) => events,
            Err(e) => panic!("settling failed: {e:?}"),
        };
        let closed = decoded::<Closed>(&events, subscription).expect("decoding Closed");
        assert_eq!(closed.len(), 1, "one Closed event");
        assert_eq!(closed[0].refunded, deposit - paid[index]);
        assert_eq!(world.details(*id).figures.held, 0);
        println!(
            "subscription {id} settled: refunded {} = deposit {deposit} − paid {}",
            closed[0].refunded, paid[index]
        );
    }

    println!("--- the reactor's log\n{log}");
}
