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
//! One subscription's whole life, with the provider's side done by the
//! `dinfra-reactor` process only: award → a real process and `mark_ready`;
//! the reactor SIGKILLed and started again mid-way (exactly one process, the
//! same one, and no transaction from the provider); stopped while the node
//! prunes the blocks it has not read, and started again (it catches up from
//! the contract's state: the same process, nothing sent); cancel → the process
//! stopped at the end block, earnings claimed = rate × (end − ready); a
//! settle refunds the rest.
//! Every account is fresh (derived from `//Alice` with a unique path), so
//! the test runs on a chain that other tests used.

use dinfra::traits::{Descriptor, Pricing, RegistryError, Requirements, SubscriptionError};
use dinfra_reactor::chain::{AccountId, Balance, BlockNumber, SubscriptionId};
use dinfra_reactor::fetch::blake2_256;
use dinfra_reactor::process::{kill_all_in, listening, processes_in};
use dinfra_reactor_node::client::{account_of, decoded, input};
use dinfra_reactor_node::node::{registry_ref, subscription_ref};
use dinfra_reactor_node::{keypair, Deployment, Node};
use dinfra_registry::types::OfferTerms;
use dinfra_subscription::subscription::{Claimed, Closed, DeploymentReady, Details};
use ink::codegen::TraitCallBuilder;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use subxt_signer::sr25519::Keypair;

const RATE: Balance = 1_000_000;
const MIN_DURATION: BlockNumber = 12;
const NOTICE: BlockNumber = 4;
const FIRST_PORT: u16 = 31_200;
/// Enough for the provider's bond and every transaction's fee and storage
/// deposit on the dev chain.
const FUNDS: Balance = 1_000_000_000_000_000;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: this test runs against a node (see the file's header)")
    })
}

/// Polls `done` every 200 ms for up to `secs` seconds.
fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out after {secs} s waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The reactor's directory: everything running in it is killed and it is
/// removed when the test ends, however it ends.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        kill_all_in(&self.0);
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A running `dinfra-reactor`; SIGKILLed if the test ends with it running.
struct ReactorProcess(Child);

impl ReactorProcess {
    fn start(config: &Path, log: &Path) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("opening the reactor's log");
        let child = Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
            .arg("--config")
            .arg(config)
            .stdout(log.try_clone().expect("a second handle"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("starting dinfra-reactor");
        Self(child)
    }

    fn sigkill(mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaping the reactor");
    }

    /// SIGTERM: it finishes its step and exits 0.
    fn terminate(mut self) {
        let pid = libc::pid_t::try_from(self.0.id()).expect("a pid");
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let status = self.0.wait().expect("waiting for the reactor");
        assert!(
            status.success(),
            "the reactor exited with {status} on SIGTERM"
        );
    }
}

impl Drop for ReactorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct World {
    node: Node,
    deployment: Deployment,
    alice: Keypair,
}

impl World {
    fn details(&mut self, id: SubscriptionId) -> Details {
        let address = self.deployment.subscription.address;
        let data = input(subscription_ref(address).call_mut().details(id));
        let found: Option<Details> = self
            .node
            .query(account_of(&self.alice), address, data)
            .expect("querying details");
        found.expect("the subscription exists")
    }

    /// One more block (instant seal: one per transaction).
    fn block(&mut self) -> BlockNumber {
        self.node.remark(&self.alice).expect("a remark");
        self.node.block_number().expect("the block number")
    }

    fn nonce(&mut self, account: AccountId) -> u64 {
        self.node.nonce(account).expect("reading a nonce")
    }

    /// The subscription contract's events of type `E` in `from..=to`.
    fn events<E: ink::env::Event + scale::Decode>(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Vec<(BlockNumber, E)> {
        let address = self.deployment.subscription.address;
        let mut out = Vec::new();
        for number in from..=to {
            let events = self
                .node
                .events_at(number)
                .expect("a block's events")
                .unwrap_or_else(|| panic!("block {number}'s state is pruned already"));
            for event in decoded::<E>(&events, address).expect("decoding events") {
                out.push((number, event));
            }
        }
        out
    }
}

fn registry_call<T: scale::Decode>(
    world: &mut World,
    signer: &Keypair,
    value: Balance,
    data: Vec<u8>,
) -> T {
    let registry = world.deployment.registry.address;
    match world
        .node
        .call::<T, RegistryError>(signer, registry, value, data)
    {
        Ok((returned, _)) => returned,
        Err(e) => panic!("registry call failed: {e:?}"),
    }
}

#[test]
#[ignore = "needs a node and a deployed suite: deploy/test.sh runs it"]
fn the_reactor_process_serves_a_subscription_on_a_node_and_survives_a_sigkill() {
    let url = env("CONTRACTS_NODE_URL");
    let deployment =
        Deployment::load(Path::new(&env("DINFRA_DEPLOYMENT"))).expect("reading DINFRA_DEPLOYMENT");
    let parameters: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env("DINFRA_DEPLOYMENT")).expect("reading DINFRA_DEPLOYMENT"),
    )
    .expect("a JSON file");
    let min_bond = parameters["parameters"]["min_bond"]
        .as_u64()
        .expect("parameters.min_bond");
    let mut world = World {
        node: Node::connect(&url).expect("connecting to the node"),
        deployment,
        alice: keypair("//Alice").expect("Alice"),
    };
    let unique = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos();
    let provider_uri = format!("//Alice//reactor-provider-{unique}");
    let provider = keypair(&provider_uri).expect("a provider key");
    let consumer = keypair(&format!("//Alice//reactor-consumer-{unique}")).expect("a key");
    for account in [&provider, &consumer] {
        let alice = world.alice.clone();
        world
            .node
            .transfer(&alice, account_of(account), FUNDS)
            .expect("funding an account");
    }

    // A deployment type of this run's own, so that the award can only go to
    // this run's provider.
    let type_name = format!("static-site-{unique}");
    let registry = world.deployment.registry.address;
    let alice = world.alice.clone();
    let type_id: u32 = registry_call(
        &mut world,
        &alice,
        0,
        input(
            registry_ref(registry)
                .call_mut()
                .register_type(type_name.clone(), [1; 32]),
        ),
    );
    let () = registry_call(
        &mut world,
        &provider,
        min_bond.into(),
        input(registry_ref(registry).call_mut().register_provider(
            "reactor test".into(),
            "https://provider.example".into(),
            Vec::new(),
        )),
    );
    let _offer_id: u64 = registry_call(
        &mut world,
        &provider,
        0,
        input(registry_ref(registry).call_mut().publish_offer(
            type_id,
            OfferTerms {
                price_per_block: RATE,
                capacity: 1,
                min_duration: MIN_DURATION,
                notice_blocks: NOTICE,
                pricing: Pricing::Fixed,
            },
        )),
    );

    // The provider's reactor: its config, key file and descriptor.
    let dir = Dir(std::env::temp_dir().join(format!("dinfra-reactor-node-{unique}")));
    std::fs::create_dir_all(&dir.0).expect("creating the test's directory");
    let key_file = dir.0.join("provider.key");
    std::fs::write(&key_file, format!("{provider_uri}\n")).expect("writing the key file");
    let python = String::from_utf8(
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs")
            .stdout,
    )
    .expect("a path");
    let config = serde_json::json!({
        "state_file": "state.json",
        "log_dir": "logs",
        "work_dir": "work",
        "ports": { "first": FIRST_PORT, "last": FIRST_PORT + 20 },
        // Claims at the end only, so that the restart below has nothing due.
        "claim_period": 1000,
        "claim_margin": 0,
        "poll_interval_ms": 250,
        "chain": { "url": url, "key_file": "provider.key", "deployments": env("DINFRA_DEPLOYMENT") },
        "types": { type_name.clone(): {
            "driver": "process",
            "command": format!("exec {} -m http.server {{port}} --bind 127.0.0.1", python.trim()),
            "health": "tcp",
            "health_timeout_secs": 20,
            "max_restarts": 2
        } }
    });
    let config_path = dir.0.join("reactor.json");
    std::fs::write(&config_path, config.to_string()).expect("writing the config");
    let body = format!("{{\"kind\": \"{type_name}\", \"serve\": \"work dir\"}}");
    let descriptor_path = dir.0.join("descriptor.json");
    std::fs::write(&descriptor_path, &body).expect("writing the descriptor");
    let descriptor = Descriptor {
        hash: blake2_256(body.as_bytes()),
        uri: format!("file://{}", descriptor_path.display()),
    };
    let reactor_log = dir.0.join("reactor.log");
    let reactor = ReactorProcess::start(&config_path, &reactor_log);

    // The consumer subscribes: awarded to this run's provider.
    let subscription = world.deployment.subscription.address;
    // Enough for the pruning window below and the notice.
    let deposit = RATE * 2_000;
    let created = world.node.call::<SubscriptionId, SubscriptionError>(
        &consumer,
        subscription,
        deposit,
        input(subscription_ref(subscription).call_mut().create(
            type_id,
            descriptor,
            Requirements {
                max_price_per_block: RATE,
                required_attributes: Vec::new(),
                excluded_attributes: Vec::new(),
                preferred_providers: Vec::new(),
                preferred_only: false,
                excluded_providers: Vec::new(),
                trusted_attestors: Vec::new(),
                min_duration: MIN_DURATION,
            },
        )),
    );
    let id = match created {
        Ok((id, _)) => id,
        Err(e) => panic!("subscribing failed: {e:?}"),
    };
    let awarded_at = world.node.block_number().expect("the block number");
    let awarded = world.details(id);
    assert_eq!(
        AsRef::<[u8; 32]>::as_ref(&awarded.subscription.provider),
        &account_of(&provider)
    );
    println!("block {awarded_at}: subscription {id} awarded to the test's provider");

    // The reactor deploys the process and marks the subscription ready.
    wait_until("the reactor marked the subscription ready", 60, || {
        world.details(id).subscription.ready_at.is_some()
    });
    let ready_at = world.details(id).subscription.ready_at.expect("ready");
    let groups = processes_in(&dir.0);
    assert_eq!(groups.len(), 1, "one deployment process: {groups:?}");
    let deployment_pid = groups[0];
    let port = (FIRST_PORT..=FIRST_PORT + 20)
        .find(|port| listening(*port))
        .expect("the deployment listens on a port of the range");
    let now = world.node.block_number().expect("the block number");
    let ready_events = world.events::<DeploymentReady>(awarded_at, now);
    assert_eq!(ready_events.len(), 1, "one DeploymentReady");
    assert_eq!(ready_events[0].1.at, ready_at);
    println!("block {ready_at}: ready; process {deployment_pid} listens on port {port}");

    // Kill the reactor mid-way (SIGKILL: no chance to clean up) and start
    // it again: it adopts the same process and sends nothing.
    for _ in 0..3 {
        world.block();
    }
    let nonce_before = world.nonce(account_of(&provider));
    let block_before = world.node.block_number().expect("the block number");
    reactor.sigkill();
    assert!(listening(port), "the deployment outlives its reactor");
    let reactor = ReactorProcess::start(&config_path, &reactor_log);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        processes_in(&dir.0),
        vec![deployment_pid],
        "the same, single process"
    );
    assert_eq!(
        world.nonce(account_of(&provider)),
        nonce_before,
        "the restarted reactor sent nothing"
    );
    assert_eq!(
        world.node.block_number().expect("the block number"),
        block_before,
        "no block was made while the reactor restarted"
    );
    println!("block {block_before}: reactor SIGKILLed and restarted; still process {deployment_pid}, nothing sent");
    let status = Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
        .args(["--config", &config_path.display().to_string(), "--status"])
        .output()
        .expect("dinfra-reactor --status");
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains(&format!(
            "subscription {id}: running; type {type_name:?}; pid {deployment_pid} (alive); port {port}; ready at block {ready_at}"
        )),
        "{status}"
    );

    // Stop the reactor and let the node prune the blocks it has not read
    // (a pruning node keeps the state, and so the events, of its last 256
    // blocks by default): started again, it finds its cursor's block gone
    // and catches up from the contract's state instead — adopting the same
    // process and sending nothing.
    let cursor_block = block_before;
    reactor.terminate();
    let down_from = world.node.block_number().expect("the block number");
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
    let now = world.node.block_number().expect("the block number");
    assert!(
        pruned,
        "the node kept block {cursor_block}'s state 800 blocks on (an archive node?)"
    );
    let nonce_before = world.nonce(account_of(&provider));
    let reactor = ReactorProcess::start(&config_path, &reactor_log);
    wait_until(
        "the restarted reactor caught up past the pruned blocks",
        30,
        || {
            std::fs::read_to_string(dir.0.join("state.json")).is_ok_and(|state| {
                serde_json::from_str::<serde_json::Value>(&state).is_ok_and(|v| {
                    v["next_block"]
                        .as_u64()
                        .is_some_and(|next| next >= u64::from(now))
                })
            })
        },
    );
    assert_eq!(
        processes_in(&dir.0),
        vec![deployment_pid],
        "the same, single process"
    );
    assert!(listening(port));
    assert_eq!(
        world.nonce(account_of(&provider)),
        nonce_before,
        "nothing sent"
    );
    println!(
        "blocks {down_from}..{now}: reactor stopped while the node pruned block {cursor_block}; \
         restarted, it caught up from the contract's state: still process {deployment_pid}, nothing sent"
    );

    // The consumer cancels: the process runs to the end block, then stops,
    // and the provider is paid rate × (end − ready).
    let cancelled = world.node.call::<(), SubscriptionError>(
        &consumer,
        subscription,
        0,
        input(subscription_ref(subscription).call_mut().cancel(id)),
    );
    if let Err(e) = cancelled {
        panic!("cancelling failed: {e:?}");
    }
    let cancelled_at = world.node.block_number().expect("the block number");
    let (end, _) = world.details(id).subscription.end.expect("an end block");
    println!(
        "block {}: cancelled; ends at block {end}",
        world.node.block_number().expect("the block number")
    );
    while world.node.block_number().expect("the block number") < end - 1 {
        world.block();
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        listening(port),
        "still serving at block {} (end {end})",
        end - 1
    );
    world.block();
    wait_until(
        "the reactor stopped the process at the end block",
        30,
        || processes_in(&dir.0).is_empty(),
    );
    assert!(!listening(port));
    wait_until("the reactor claimed at the end", 30, || {
        world.details(id).figures.withdrawable == 0
    });
    let now = world.node.block_number().expect("the block number");
    let claimed: Balance = world
        .events::<Claimed>(cancelled_at, now)
        .into_iter()
        .filter(|(_, e)| e.id == id)
        .map(|(_, e)| e.amount)
        .sum();
    assert_eq!(claimed, RATE * Balance::from(end - ready_at));
    println!("block {end}: process stopped; claimed {claimed} = {RATE} × ({end} − {ready_at})");
    reactor.terminate();
    let log = std::fs::read_to_string(&reactor_log).unwrap_or_default();
    assert_eq!(
        log.matches("marked ready").count(),
        1,
        "mark_ready sent once in three runs of the reactor"
    );

    // Anyone settles: the consumer gets back all that was not earned, and
    // the escrow holds nothing more for it.
    let settled = world.node.call::<(), SubscriptionError>(
        &consumer,
        subscription,
        0,
        input(subscription_ref(subscription).call_mut().settle(id)),
    );
    let events = match settled {
        Ok((_, events)) => events,
        Err(e) => panic!("settling failed: {e:?}"),
    };
    let closed = decoded::<Closed>(&events, subscription).expect("decoding Closed");
    assert_eq!(closed.len(), 1, "one Closed event");
    assert_eq!(closed[0].refunded, deposit - claimed);
    let figures = world.details(id).figures;
    assert_eq!(figures.held, 0);
    println!(
        "settled: refunded {} = deposit {deposit} − paid {claimed}",
        closed[0].refunded
    );

    println!("--- the reactor's log\n{log}");
}
