//! The main job on an embedded chain: one whole subscription, from a
//! provider's registration to the consumer's refund, on the real
//! pallet-contracts runtime in process (the drink sandbox), printing every
//! step with its block number, the events each contract emitted and the
//! balances that moved. The provider's side is its reactor
//! (`dinfra-reactor`): on the award it fetches and checks the descriptor,
//! starts the deployment as a real process (`python3 -m http.server`, a
//! stand-in for the node), marks it ready once it listens, claims as blocks
//! pass, and stops it at the end block; its log lines are printed with
//! their blocks between the demo's steps.
//!
//! Run by `deploy/demo.sh`.

use dinfra_e2e_tests::dinfra_reactor::config::{DriverKind, HealthKind, TypeConfig};
use dinfra_e2e_tests::dinfra_reactor::fetch::{FetchPolicy, Fetcher};
use dinfra_e2e_tests::dinfra_reactor::{Phase, ProcessDriver, Reactor};
use dinfra_e2e_tests::reactor_chain::{
    alive, catalogue, catalogue_schema, descriptor_arg_of, listening, processes_in, python,
    schema_hash_of, write_descriptor, Message, ReactorDir, SandboxChain, SharedSandbox,
};
use dinfra_e2e_tests::*;
use drink::session::contract_transcode::{Map, Tuple, Value};
use drink::AccountId32;
use ink::scale::Encode;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Price per block of the provider's offer.
const RATE: u128 = 1_000_000;
/// The consumer's first deposit: 200 blocks.
const DEPOSIT: u128 = 200 * RATE;
/// The consumer's top-up: 100 more blocks.
const TOP_UP: u128 = 100 * RATE;
/// The reactor claims every this many blocks.
const CLAIM_PERIOD: u32 = 50;
/// The deployment type: the catalogue's (`types/substrate-node`).
const TYPE_NAME: &str = "substrate-node";
/// The deployment descriptor the consumer publishes (its blake2-256 goes on
/// chain): a dev-chain RPC node, from the catalogue's examples.
const DESCRIPTOR: &str = "substrate-node/examples/valid/contracts-dev.json";

type DemoReactor = Reactor<SandboxChain, ProcessDriver>;

struct Demo {
    chain: SharedSandbox,
    suite: Suite,
    /// Contract address → (its name, the transcoder that decodes its events).
    contracts: HashMap<
        AccountId32,
        (
            &'static str,
            Arc<drink::session::contract_transcode::ContractMessageTranscoder>,
        ),
    >,
    /// Accounts whose free balances each step prints.
    watched: Vec<(&'static str, AccountId32)>,
    last: HashMap<AccountId32, u128>,
    /// Contract events printed so far.
    printed: usize,
    /// Whether the last line printed was one of the reactor's (its next
    /// lines follow without a blank line).
    reactor_spoke: bool,
}

impl Demo {
    fn block(&self) -> u32 {
        self.chain.block()
    }

    /// Prints `what` as done at the current block, the events emitted since
    /// the last print, and every watched balance that changed.
    fn step(&mut self, what: &str) {
        self.reactor_spoke = false;
        println!("\n[block {:>4}] {what}", self.block());
        self.events_and_balances();
    }

    fn events_and_balances(&mut self) {
        let emitted = self.chain.emitted();
        for event in &emitted[self.printed..] {
            let Some((name, transcoder)) = self.contracts.get(&event.contract) else {
                continue;
            };
            let Some(topic) = event.signature else {
                continue;
            };
            match transcoder.decode_contract_event(&topic, &mut &*event.data.encode()) {
                Ok(decoded) => println!("    event  {name}: {}", bytes_as_hex(decoded)),
                Err(error) => println!("    event  {name}: (undecoded: {error})"),
            }
            self.reactor_spoke = false;
        }
        self.printed = emitted.len();
        self.balances();
    }

    fn balances(&mut self) {
        let watched = self.watched.clone();
        for (name, account) in watched {
            let now = free_balance(&mut self.chain.session(), &account);
            let before = self.last.insert(account.clone(), now).unwrap_or(now);
            if now != before {
                let delta = now as i128 - before as i128;
                let sign = if delta < 0 { "-" } else { "+" };
                println!(
                    "    balance {name:<9} {:>27}  ({sign}{})",
                    units(now),
                    units(delta.unsigned_abs())
                );
                self.reactor_spoke = false;
            }
        }
    }

    /// Prints a line of the demo's own.
    fn say(&mut self, line: String) {
        self.reactor_spoke = false;
        println!("{line}");
    }

    fn as_actor(&mut self, who: &AccountId32) {
        self.chain.session().set_actor(who.clone());
    }

    fn subscription_ok<T: ink::scale::Decode + std::fmt::Debug>(
        &mut self,
        message: &str,
        args: &[String],
        value: u128,
    ) -> T {
        let reply: Result<T, dinfra::traits::SubscriptionError> =
            subscription_call(&mut self.chain.session(), &self.suite, message, args, value);
        reply.unwrap_or_else(|e| panic!("{message} was refused: {e:?}"))
    }

    /// One step of the reactor: its log lines (with their blocks), then the
    /// events of what it sent and the balances that moved.
    fn react(&mut self, reactor: &mut DemoReactor) -> usize {
        let report = reactor.step().expect("a reactor step");
        if !report.log.is_empty() && !self.reactor_spoke {
            println!();
        }
        for line in &report.log {
            let (block, text) = line
                .strip_prefix("[block ")
                .and_then(|rest| rest.split_once("] "))
                .unwrap_or(("?", line));
            println!("[block {block:>4}] reactor: {text}");
            self.reactor_spoke = true;
        }
        self.events_and_balances();
        report.log.len()
    }

    /// Builds `n` blocks, the reactor stepping in each.
    fn blocks_pass(&mut self, reactor: &mut DemoReactor, n: u32) {
        for _ in 0..n {
            self.chain.advance(1);
            self.react(reactor);
        }
    }
}

/// The status line of `GET /` on 127.0.0.1:`port`.
/// The consumer's side: a GET of an access URI, as any HTTP client does
/// (the reactor's fetcher, loopback allowed: the demo's provider is local).
fn reach(uri: &str) -> String {
    let mut policy = FetchPolicy::default();
    policy.allow_private_addresses = true;
    let fetcher = Fetcher::new(policy).expect("a fetch policy");
    match fetcher.fetch(uri) {
        Ok(body) => format!("answered, {} bytes", body.len()),
        Err(e) => format!("no answer: {e}"),
    }
}

fn main() {
    let started = std::time::Instant::now();
    // The reactor's state, logs and work directories; whatever runs in it is
    // killed when the demo ends, however it ends (dropped last).
    let dir = ReactorDir::new("dinfra-demo");
    let mut session = Sandbox::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let admin = session.get_actor();
    let provider = funded_account(&mut session, 11);
    let consumer = funded_account(&mut session, 12);
    let keeper = funded_account(&mut session, 13);
    let contracts = [
        ("registry", &suite.registry, BundleProvider::DinfraRegistry),
        ("award", &suite.award, BundleProvider::DinfraAward),
        (
            "subscription",
            &suite.subscription,
            BundleProvider::DinfraSubscription,
        ),
        ("escrow", &suite.escrow, BundleProvider::DinfraEscrow),
    ]
    .into_iter()
    .map(|(name, address, which)| {
        let bundle = which.bundle().expect("a contract bundle");
        (address.clone(), (name, bundle.transcoder))
    })
    .collect();
    println!(
        "DINFRA demo on an embedded chain (drink sandbox: the pallet-contracts runtime in process)"
    );
    println!("  registry     {}", suite.registry);
    println!("  award        {}", suite.award);
    println!("  subscription {}", suite.subscription);
    println!("  escrow       {}", suite.escrow);
    println!("  admin {admin}\n  provider {provider}\n  consumer {consumer}\n  keeper {keeper}");
    println!(
        "  governance delay {GOVERNANCE_DELAY} blocks (every contract); ready timeout {READY_TIMEOUT}, \
         consumer notice {CONSUMER_NOTICE} blocks; existential deposit {EXISTENTIAL_DEPOSIT}"
    );
    println!(
        "  amounts are in the embedded chain's smallest unit (it declares no token); \
         blocks are counted, not timed: it makes a block when the demo asks for one"
    );
    let watched = vec![
        ("provider", provider.clone()),
        ("consumer", consumer.clone()),
        ("keeper", keeper.clone()),
        ("escrow", suite.escrow.clone()),
    ];
    // The session is shared from here on by the demo (acting as each
    // account) and the provider's reactor (signing as the provider).
    let chain = SharedSandbox::new(session, suite.clone());
    let printed = chain.emitted().len();
    let mut demo = Demo {
        chain,
        suite: suite.clone(),
        contracts,
        watched,
        last: HashMap::new(),
        printed,
        reactor_spoke: false,
    };
    demo.balances();

    demo.as_actor(&provider);
    let schema = catalogue_schema(TYPE_NAME);
    let schema_hash = schema_hash_of(&schema);
    let type_id =
        register_type_with_schema(&mut demo.chain.session(), &suite, TYPE_NAME, schema_hash);
    demo.step(&format!(
        "provider registers deployment type {type_id} \"{TYPE_NAME}\" (the catalogue's schema, blake2-256 {})",
        hex32(schema_hash)
    ));
    let registered: Result<(), dinfra::traits::RegistryError> = call_with_value(
        &mut demo.chain.session(),
        &suite.registry,
        "register_provider",
        &[
            "\"Hetzner EU\"".into(),
            "\"wss://rpc.hetzner-eu.example\"".into(),
            attributes_arg(&attributes(&[
                ("region", "eu-west"),
                ("network", "hetzner"),
            ])),
        ],
        MIN_BOND,
    );
    registered.expect("registering the provider");
    demo.step(&format!(
        "provider registers with a bond of {}",
        units(MIN_BOND)
    ));
    let terms = OfferSpec {
        price_per_block: RATE,
        capacity: 4,
        min_duration: 50,
        notice_blocks: 20,
        dynamic: false,
        cancel_fee: 0,
    };
    let offer: Result<u64, dinfra::traits::RegistryError> = call(
        &mut demo.chain.session(),
        &suite.registry,
        "publish_offer",
        &[type_id.to_string(), terms.arg()],
    );
    let offer = offer.expect("publishing the offer");
    demo.step(&format!(
        "provider publishes offer {offer}: {} per block, at least 50 blocks, 20 blocks' notice",
        units(RATE)
    ));

    // The provider's reactor: one deployment type, run as a local process.
    let command = format!("exec {} -m http.server {{port}} --bind 127.0.0.1", python());
    let mut config = dir.config(
        (30000, 30099),
        &[(
            TYPE_NAME,
            TypeConfig {
                schema,
                driver: DriverKind::Process,
                command,
                health: HealthKind::Tcp,
                health_timeout_secs: 20,
                max_restarts: 3,
                // What the provider publishes with mark_ready.
                access: vec!["http://{host}:{port}/".into()],
            },
        )],
    );
    config.claim_period = CLAIM_PERIOD;
    config.public_host = Some("127.0.0.1".into());
    let mut reactor = Reactor::new(
        config,
        demo.chain.chain_for(&provider),
        ProcessDriver::new(Duration::from_secs(5)),
    )
    .expect("starting the reactor");
    demo.say(format!(
        "\n[block {:>4}] the provider's reactor starts: it checks each \"{TYPE_NAME}\" descriptor against the type's schema \
         and deploys it as `python3 -m http.server {{port}}` (a stand-in for the node) on a port of 30000-30099, claims every {CLAIM_PERIOD} blocks; \
         its state, logs and work directories are in {}",
        demo.block(),
        dir.path().display()
    ));
    demo.react(&mut reactor);

    demo.chain.advance(3);
    demo.as_actor(&consumer);
    let requirements = dinfra::traits::Requirements {
        max_price_per_block: 2 * RATE,
        required_attributes: attributes(&[("region", "eu-west")]),
        excluded_attributes: attributes(&[("network", "aws")]),
        min_duration: 100,
        ..Default::default()
    };
    let document = catalogue().join(DESCRIPTOR);
    let document = std::fs::read_to_string(&document)
        .unwrap_or_else(|e| panic!("reading {}: {e}", document.display()));
    let descriptor = write_descriptor(&dir.path().join("descriptor.json"), &document);
    let id: u64 = demo.subscription_ok(
        "Subscription::create",
        &[
            type_id.to_string(),
            descriptor_arg_of(&descriptor),
            requirements_arg(&requirements),
            // No offer named: the award contract chooses.
            option_arg(None::<u64>),
        ],
        DEPOSIT,
    );
    demo.step(&format!(
        "consumer creates subscription {id} (region=eu-west, not network=aws, ≤ {} per block), depositing {}; \
         its descriptor is {} (blake2-256 {})",
        units(2 * RATE),
        units(DEPOSIT),
        descriptor.uri,
        hex32(descriptor.hash)
    ));

    // The reactor sees the award in the next block, deploys, and marks the
    // deployment ready once it listens (it polls within the block).
    demo.chain.advance(1);
    let polling = std::time::Instant::now();
    loop {
        demo.react(&mut reactor);
        match &reactor.state().subscriptions[&id].phase {
            Phase::Running => break,
            Phase::Starting | Phase::Pending { .. } => {}
            other => panic!("the reactor did not deploy subscription {id}: {other:?}"),
        }
        assert!(
            polling.elapsed() < Duration::from_secs(30),
            "subscription {id} not ready after 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let process = reactor.state().subscriptions[&id]
        .handle
        .clone()
        .expect("a process");
    let port = process.port.expect("a port");
    let process_pid = process.pid().expect("a process");
    let on_chain = details(&mut demo.chain.session(), &suite, id);
    let ready = on_chain.subscription.ready_at.expect("ready on chain");
    let access = on_chain.access.expect("an access record").uris;
    demo.say(format!(
        "    process pid {} listens on port {port}; the chain's access record for subscription {id}: {}",
        process_pid,
        access.join(", ")
    ));
    for uri in &access {
        demo.say(format!(
            "    the consumer reaches its deployment at {uri}: {}",
            reach(uri)
        ));
    }
    demo.say(format!("    billing starts at block {ready}"));

    demo.blocks_pass(&mut reactor, 60);
    let figures = details(&mut demo.chain.session(), &suite, id).figures;
    demo.say(format!(
        "\n[block {:>4}] 60 blocks later, details({id}): accrued {}, withdrawable {}, refundable {}, {}",
        demo.block(),
        units(figures.accrued),
        units(figures.withdrawable),
        units(figures.refundable),
        runs_out(figures.depletion_block)
    ));

    demo.as_actor(&consumer);
    demo.subscription_ok::<()>("Subscription::top_up", &[id.to_string()], TOP_UP);
    demo.step(&format!("consumer tops up {}", units(TOP_UP)));
    let figures = details(&mut demo.chain.session(), &suite, id).figures;
    demo.say(format!("    now {}", runs_out(figures.depletion_block)));

    demo.blocks_pass(&mut reactor, 40);
    demo.as_actor(&consumer);
    demo.subscription_ok::<()>("Subscription::cancel", &[id.to_string()], 0);
    demo.step(&format!(
        "consumer cancels: billing ends after its notice of {CONSUMER_NOTICE} blocks"
    ));
    let end = reactor_end(&mut demo, &mut reactor, id);

    demo.blocks_pass(&mut reactor, end - 1 - demo.block());
    demo.say(format!(
        "\n[block {:>4}] one block before the end: pid {} {} on port {port}",
        demo.block(),
        process_pid,
        if alive(process_pid) && listening(port) {
            "still serves"
        } else {
            "is NOT serving"
        }
    ));
    assert!(
        alive(process_pid),
        "the deployment runs until its end block"
    );
    demo.blocks_pass(&mut reactor, 1);
    demo.say(format!(
        "    pid {}: {}",
        process_pid,
        if alive(process_pid) {
            "still running"
        } else {
            "gone"
        }
    ));
    assert!(!alive(process_pid), "the reactor stops it at the end block");
    assert!(processes_in(dir.path()).is_empty());

    demo.as_actor(&keeper);
    demo.subscription_ok::<()>("settle", &[id.to_string()], 0);
    demo.step(
        "a keeper settles: the provider is paid to the end block, the consumer refunded the rest",
    );
    demo.react(&mut reactor);

    let d = details(&mut demo.chain.session(), &suite, id);
    let claims = demo.chain.sent_for(id, Message::Claim);
    let claimed: u128 = claims.iter().filter_map(|c| c.outcome.clone().ok()).sum();
    demo.say(format!(
        "\nreactor: deployed at block {ready}, stopped at block {end}; {} claims brought {} = {} × ({end} − {ready})",
        claims.len(),
        units(claimed),
        units(RATE)
    ));
    assert_eq!(
        d.figures.withdrawn,
        RATE * u128::from(end - ready),
        "the provider is paid every block from ready to end"
    );
    demo.say(format!(
        "summary: subscription {id} {} ({}); deposited {}, paid to the provider {}, refunded to the consumer {}, left in escrow {}",
        phase_words(d.subscription.phase),
        d.subscription.closed.map_or("open", reason_words),
        units(d.figures.deposited),
        units(d.figures.withdrawn),
        units(d.figures.refunded),
        units(d.figures.held)
    ));
    assert_eq!(
        d.figures.deposited,
        d.figures.withdrawn + d.figures.refunded,
        "every unit deposited was paid out or refunded"
    );
    demo.say(format!(
        "demo finished in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
}

/// The reactor's step right after the cancel (it learns the end block);
/// returns the end block.
fn reactor_end(demo: &mut Demo, reactor: &mut DemoReactor, id: u64) -> u32 {
    demo.react(reactor);
    reactor.state().subscriptions[&id]
        .end
        .expect("the reactor knows the end block")
}

/// An amount with its digits grouped: `200,000,000`.
fn units(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// When the deposit is used up, in words.
fn runs_out(depletion_block: Option<u32>) -> String {
    match depletion_block {
        Some(block) => format!("the money runs out at block {block}"),
        None => "the money lasts to the end block".to_string(),
    }
}

fn phase_words(phase: dinfra::lifecycle::Phase) -> &'static str {
    use dinfra::lifecycle::Phase::*;
    match phase {
        Awarded => "awarded, not ready yet",
        Active => "active",
        Ending => "ending",
        Closed => "closed",
    }
}

fn reason_words(reason: dinfra::lifecycle::CloseReason) -> &'static str {
    use dinfra::lifecycle::CloseReason::*;
    match reason {
        ConsumerCancelled => "the consumer cancelled",
        ProviderExited => "the provider exited",
        FundsExhausted => "the money ran out",
        ReadyTimeout => "no provider was ready in time",
        Declined => "the provider declined",
        Reclaimed => "the payer reclaimed its stream from the escrow",
    }
}

/// A decoded event with every byte array (a hash, say) shown as `0x…` hex
/// rather than a list of numbers.
fn bytes_as_hex(value: Value) -> Value {
    match value {
        Value::Seq(seq) => {
            let bytes: Option<Vec<u8>> = seq
                .elems()
                .iter()
                .map(|e| match e {
                    Value::UInt(b) => u8::try_from(*b).ok(),
                    _ => None,
                })
                .collect();
            match bytes {
                Some(bytes) if bytes.len() >= 16 => {
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    Value::Hex(format!("0x{hex}").parse().expect("hex digits"))
                }
                _ => Value::Seq(
                    seq.elems()
                        .iter()
                        .cloned()
                        .map(bytes_as_hex)
                        .collect::<Vec<_>>()
                        .into(),
                ),
            }
        }
        Value::Map(map) => Value::Map(Map::new(
            map.ident().as_deref(),
            map.iter()
                .map(|(k, v)| (k.clone(), bytes_as_hex(v.clone())))
                .collect(),
        )),
        Value::Tuple(tuple) => Value::Tuple(Tuple::new(
            tuple.ident().as_deref(),
            tuple.values().cloned().map(bytes_as_hex).collect(),
        )),
        other => other,
    }
}
