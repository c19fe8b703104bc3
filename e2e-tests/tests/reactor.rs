//! The provider's reactor end to end on the embedded chain: the real
//! contracts in the drink sandbox, the reactor signing as the provider
//! through `SandboxChain`, real processes (`python3 -m http.server`, `sh`)
//! started by its process driver. The test acts as the consumer and keeper
//! on the same session and advances blocks between the reactor's steps;
//! each test checks the chain (details, events with their blocks, balances,
//! reputation) and the machine (processes, ports), and kills whatever runs
//! in its directory when it ends, a panic included.

use dinfra::lifecycle::{CloseReason, Phase as ChainPhase};
use dinfra::traits::SubscriptionError;
use dinfra_e2e_tests::dinfra_reactor::config::{DriverKind, HealthKind, TypeConfig};
use dinfra_e2e_tests::dinfra_reactor::{
    Config, Descriptor, Drivers, Handle, Phase, Reactor, State, TypeView, Unit,
};
use dinfra_e2e_tests::reactor_chain::*;
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::{
    AwardDeclined, AwardRevoked, Awarded, Claimed, Closed, DeploymentReady, EndScheduled,
};
use drink::AccountId32;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The provider's price per block.
const RATE: u128 = 1_000;
/// The consumer's deposit: 1,000 blocks.
const DEPOSIT: u128 = 1_000 * RATE;
/// Blocks of notice of the provider's offer (for its exits).
const NOTICE: u32 = 5;
const LONG: Duration = Duration::from_secs(30);
/// A `container` descriptor (the catalogue's type), which the tests'
/// process commands stand in for.
const DOC: &str = r#"{"image":"localhost/dinfra-busybox:latest","ports":[{"name":"http","port":8080}],"resources":{"cpu":0.1,"memory_mib":16}}"#;

/// Both drivers: a process, or (for a `podman` type) a container.
type TestReactor = Reactor<SandboxChain, Drivers>;

/// The suite on a fresh embedded chain with one deployment type, a provider
/// (whose reactor the test runs) with one offer of it, a consumer and a
/// keeper; and a directory of its own for the reactor.
struct World {
    chain: SharedSandbox,
    suite: Suite,
    provider: AccountId32,
    consumer: AccountId32,
    keeper: AccountId32,
    type_id: u32,
    config: Config,
    /// Dropped last: kills every process left in the directory.
    dir: ReactorDir,
}

impl World {
    /// `kind` is registered on chain as `type_name`; the reactor gets ports
    /// `first_port..first_port + 9` (keep them below Linux's ephemeral range,
    /// 32768–60999, where an outgoing connection may hold one for a moment).
    fn new(name: &str, first_port: u16, type_name: &str, kind: TypeConfig) -> Self {
        let dir = ReactorDir::new(&format!("dinfra-e2e-reactor-{name}"));
        let mut session = Sandbox::default();
        let suite = deploy_suite(&mut session).expect("deploying the suite");
        let type_id = register_type_with_schema(
            &mut session,
            &suite,
            type_name,
            schema_hash_of(&kind.schema),
        );
        let provider = funded_account(&mut session, 20);
        provider_with_terms(&mut session, &suite, &provider, &[], type_id, offer());
        let consumer = funded_account(&mut session, 21);
        let keeper = funded_account(&mut session, 22);
        let config = dir.config((first_port, first_port + 9), &[(type_name, kind)]);
        Self {
            chain: SharedSandbox::new(session, suite.clone()),
            suite,
            provider,
            consumer,
            keeper,
            type_id,
            config,
            dir,
        }
    }

    /// Another provider with the same offer (no reactor runs for it): the
    /// one an award the test's provider declines goes on to. Add it after
    /// the consumer subscribed, or the award contract may choose it first.
    fn second_provider(&self) -> AccountId32 {
        let mut session = self.chain.session();
        let other = funded_account(&mut session, 23);
        provider_with_terms(
            &mut session,
            &self.suite,
            &other,
            &[],
            self.type_id,
            offer(),
        );
        other
    }

    /// A reactor from the state file as it is now: a fresh start, or a
    /// restart.
    fn reactor(&self) -> TestReactor {
        let drivers =
            Drivers::for_config(&self.config, Duration::from_secs(3)).expect("the drivers");
        Reactor::new(
            self.config.clone(),
            self.chain.chain_for(&self.provider),
            drivers,
        )
        .expect("a reactor")
    }

    /// Writes the descriptor document and returns it as the chain is to
    /// record it.
    fn descriptor(&self, name: &str) -> Descriptor {
        write_descriptor(&self.dir.path().join(name), DOC)
    }

    /// The consumer subscribes with `descriptor`, depositing [`DEPOSIT`].
    fn subscribe(&self, descriptor: &Descriptor) -> u64 {
        let mut session = self.chain.session();
        session.set_actor(self.consumer.clone());
        let id: Result<u64, SubscriptionError> = call_with_value(
            &mut session,
            &self.suite.subscription,
            "Subscription::create",
            &[
                self.type_id.to_string(),
                descriptor_arg_of(descriptor),
                requirements_arg(&max_price(2 * RATE)),
                option_arg(None::<u64>),
            ],
            DEPOSIT,
        );
        id.expect("the consumer subscribes")
    }

    /// A subscription message as `who`.
    fn send<T: ink::scale::Decode + std::fmt::Debug>(
        &self,
        who: &AccountId32,
        message: &str,
        id: u64,
    ) -> Result<T, SubscriptionError> {
        let mut session = self.chain.session();
        session.set_actor(who.clone());
        subscription_call(&mut session, &self.suite, message, &[id.to_string()], 0)
    }

    fn details(&self, id: u64) -> dinfra::traits::Details {
        details(&mut self.chain.session(), &self.suite, id)
    }

    fn free(&self, account: &AccountId32) -> u128 {
        free_balance(&mut self.chain.session(), account)
    }

    fn reputation(&self) -> dinfra::traits::Reputation {
        self.reputation_of(&self.provider)
    }

    fn reputation_of(&self, provider: &AccountId32) -> dinfra::traits::Reputation {
        let provider: Option<dinfra_registry::types::Provider> = call(
            &mut self.chain.session(),
            &self.suite.registry,
            "provider",
            &[provider.to_string()],
        );
        provider.expect("the provider is registered").reputation
    }

    fn work_dir(&self, id: u64) -> PathBuf {
        self.config.work_dir.join(id.to_string())
    }

    fn events<E: ink::env::Event + ink::scale::Decode>(&self) -> Vec<(u32, E)> {
        self.chain.events_of::<E>(&self.suite.subscription)
    }
}

/// The provider's offer: [`RATE`], capacity 4, no minimum duration,
/// [`NOTICE`], Fixed, no cancel fee.
fn offer() -> OfferSpec {
    OfferSpec {
        price_per_block: RATE,
        capacity: 4,
        min_duration: 0,
        notice_blocks: NOTICE,
        dynamic: false,
        cancel_fee: 0,
    }
}

/// One step; its log lines.
fn step(reactor: &mut TestReactor) -> Vec<String> {
    reactor.step().expect("a step").log
}

/// Steps (50 ms apart, in the current block) until `done` holds; returns
/// every log line. Panics with the log after [`LONG`].
fn step_until(
    reactor: &mut TestReactor,
    mut done: impl FnMut(&TestReactor) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    let mut log = Vec::new();
    loop {
        log.extend(step(reactor));
        if done(reactor) {
            return log;
        }
        assert!(
            started.elapsed() < LONG,
            "timed out; log:\n{}",
            log.join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn phase(reactor: &TestReactor, id: u64) -> Phase {
    reactor.state().subscriptions[&id].phase.clone()
}

/// A process deployment's group leader.
fn pid(handle: &Handle) -> u32 {
    handle.pid().expect("a process")
}

fn handle(reactor: &TestReactor, id: u64) -> Handle {
    reactor.state().subscriptions[&id]
        .handle
        .clone()
        .expect("a process")
}

/// The process groups (deployments) running in `dir`.
fn groups_in(dir: &std::path::Path) -> BTreeSet<u32> {
    processes_in(dir)
        .into_iter()
        .filter_map(|pid| Some(dinfra_reactor::process::stat(pid)?.pgrp))
        .collect()
}

fn http_server() -> TypeConfig {
    TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Process,
        command: format!("exec {} -m http.server {{port}} --bind 127.0.0.1", python()),
        health: HealthKind::Tcp,
        health_timeout_secs: 20,
        max_restarts: 2,
        access: Vec::new(),
    }
}

/// Subscribes, builds a block, and steps the reactor in it until the
/// deployment runs; returns the subscription, its ready block and process.
fn deploy(w: &World, reactor: &mut TestReactor) -> (u64, u32, Handle, Vec<String>) {
    let id = w.subscribe(&w.descriptor(&format!("descriptor-{}.json", w.chain.block())));
    let ready = w.chain.advance(1);
    let log = step_until(reactor, |r| {
        r.state()
            .subscriptions
            .get(&id)
            .is_some_and(|e| e.phase == Phase::Running)
    });
    (id, ready, handle(reactor, id), log)
}

#[test]
fn an_award_deploys_a_listening_process_and_the_reactor_marks_it_ready() {
    let w = World::new("deploy", 22100, "http", http_server());
    let mut reactor = w.reactor();
    w.chain.advance(1);
    let (id, block, process, log) = deploy(&w, &mut reactor);

    // On the machine: one process, listening on the port it was given.
    assert!(alive(pid(&process)));
    let port = process.port.expect("a port");
    assert!((22100..=22109).contains(&port));
    assert!(listening(port), "it serves on its port");
    assert_eq!(
        groups_in(&w.work_dir(id)),
        [pid(&process)].into(),
        "one deployment"
    );
    assert_eq!(
        std::fs::read_to_string(w.config.work_dir.join(format!("{id}.descriptor.json"))).unwrap(),
        DOC,
        "the verified descriptor is there for it"
    );

    // On chain: awarded to the provider, then ready at the block the
    // reactor stepped in, marked by the provider.
    let awarded = w.events::<Awarded>();
    assert_eq!(awarded.len(), 1);
    assert_eq!(awarded[0].0, block - 1);
    assert_eq!(awarded[0].1.provider, ink_account(&w.provider));
    let ready = w.events::<DeploymentReady>();
    assert_eq!(ready.len(), 1);
    assert_eq!(
        ready[0].0, block,
        "emitted in the block the reactor stepped"
    );
    assert_eq!(ready[0].1.at, block);
    assert_eq!(ready[0].1.provider, ink_account(&w.provider));
    let d = w.details(id);
    assert_eq!(d.subscription.phase, ChainPhase::Active);
    assert_eq!(d.subscription.ready_at, Some(block));
    assert_eq!(
        d.figures.start,
        Some(block),
        "billing starts at the ready block"
    );
    let marks = w.chain.sent_for(id, Message::MarkReady);
    assert_eq!(marks.len(), 1);
    assert_eq!((marks[0].block, marks[0].outcome.clone()), (block, Ok(0)));
    assert!(
        log.iter().any(|l| l.starts_with(&format!(
            "[block {block}] subscription {id} is healthy: marked ready"
        ))),
        "{log:#?}"
    );

    // Blocks later: billed per block, nothing sent again.
    w.chain.advance(3);
    step(&mut reactor);
    step(&mut reactor);
    assert_eq!(w.chain.sent().len(), 1, "only the mark_ready");
    assert_eq!(w.details(id).figures.accrued, 3 * RATE);
    assert_eq!(reactor.state().subscriptions[&id].ready_at, Some(block));
    assert!(alive(pid(&process)));
}

#[test]
fn a_consumer_cancel_tears_the_deployment_down_at_the_end_block_and_the_provider_is_paid_to_it() {
    let mut w = World::new("cancel", 22110, "http", http_server());
    w.config.claim_margin = 3;
    let mut reactor = w.reactor();
    let provider_before = w.free(&w.provider);
    w.chain.advance(1);
    let (id, ready, process, _) = deploy(&w, &mut reactor);

    w.chain.advance(7);
    let cancelled_at = w.chain.block();
    assert_eq!(
        w.send::<()>(&w.consumer.clone(), "Subscription::cancel", id),
        Ok(())
    );
    let end = cancelled_at + CONSUMER_NOTICE;
    let scheduled = w.events::<EndScheduled>();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].0, cancelled_at);
    assert_eq!(
        (scheduled[0].1.end, scheduled[0].1.reason),
        (end, CloseReason::ConsumerCancelled)
    );

    let mut log = Vec::new();
    while w.chain.block() < end {
        log.extend(step(&mut reactor));
        assert!(
            alive(pid(&process)) && listening(process.port.unwrap()),
            "still up at block {} (end {end}): {log:#?}",
            w.chain.block()
        );
        w.chain.advance(1);
    }
    assert_eq!(w.chain.block(), end);
    log.extend(step(&mut reactor));
    assert!(!alive(pid(&process)), "down at the end block {end}");
    assert!(processes_in(w.dir.path()).is_empty(), "nothing of it left");
    assert!(!listening(process.port.unwrap()));
    assert!(matches!(phase(&reactor, id), Phase::Stopped { .. }));
    assert!(
        log.iter().any(|l| l.starts_with(&format!(
            "[block {end}] subscription {id} stopped: ended at block {end}"
        ))),
        "{log:#?}"
    );

    // Claimed within the margin before the end, then at the end (before
    // stopping): every block from ready to end, once.
    let claims = w.chain.sent_for(id, Message::Claim);
    let blocks: Vec<u32> = claims.iter().map(|c| c.block).collect();
    assert_eq!(blocks, [end - 3, end]);
    let claimed: u128 = claims.iter().map(|c| c.outcome.clone().unwrap()).sum();
    assert_eq!(claimed, RATE * u128::from(end - ready));
    let events: Vec<(u32, u128)> = w
        .events::<Claimed>()
        .into_iter()
        .map(|(block, e)| (block, e.amount))
        .collect();
    assert_eq!(
        events,
        [
            (end - 3, RATE * u128::from(end - 3 - ready)),
            (end, 3 * RATE)
        ]
    );

    // A keeper settles: nothing left to pay, the rest refunded.
    assert_eq!(w.send::<()>(&w.keeper.clone(), "settle", id), Ok(()));
    let closed = w.events::<Closed>();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].1.reason, CloseReason::ConsumerCancelled);
    assert_eq!(closed[0].1.paid, 0, "the reactor had claimed everything");
    let paid = RATE * u128::from(end - ready);
    assert_eq!(closed[0].1.refunded, DEPOSIT - paid);
    let d = w.details(id);
    assert_eq!(d.subscription.phase, ChainPhase::Closed);
    assert_eq!(
        d.figures.withdrawn, paid,
        "paid exactly rate × (end − ready)"
    );
    assert_eq!(
        d.figures.deposited,
        d.figures.withdrawn + d.figures.refunded
    );
    let storage: i128 = w.chain.sent().iter().map(|s| s.storage_deposit).sum();
    assert_eq!(
        w.free(&w.provider) as i128 - provider_before as i128,
        paid as i128 - storage,
        "the provider's balance grew by what it was paid (less its storage deposits)"
    );
    assert_eq!(w.reputation().completed, 1);

    // The reactor sees the close and sends nothing more.
    let sent = w.chain.sent().len();
    w.chain.advance(1);
    step(&mut reactor);
    step(&mut reactor);
    assert_eq!(w.chain.sent().len(), sent);
    assert!(reactor.state().subscriptions[&id].closed);
}

/// Before the decline existed the award was left to time out, and a
/// keeper's `reaward` then closed it and marked the provider's miss; now
/// the reactor declines it in the block it reads the award, and with no
/// other provider the consumer gets everything back at once, no mark.
#[test]
fn a_descriptor_hash_mismatch_is_refused_and_declined_with_a_full_refund_and_no_mark() {
    let w = marker_world("mismatch", 22120);
    let mut descriptor = w.descriptor("descriptor.json");
    let document = descriptor.hash;
    descriptor.hash[0] ^= 0xff; // the chain records another document's hash
    let why = format!(
        "descriptor hash mismatch (chain {}, fetched {})",
        hex32(descriptor.hash),
        hex32(document)
    );
    refused_and_declined(&w, &descriptor, &why);
}

/// A descriptor its type's schema refuses (a host path, no limits): the
/// log names each refused field; nothing starts; declined, full refund.
#[test]
fn an_invalid_descriptor_is_refused_naming_its_fields_and_declined_with_a_full_refund() {
    let w = marker_world("invalid", 22125);
    let body = r#"{"image":"localhost/x","volumes":[{"name":"etc","mount_path":"/etc","host_path":"/etc","size_mib":1}]}"#;
    let descriptor = write_descriptor(&w.dir.path().join("invalid.json"), body);
    refused_and_declined(
        &w,
        &descriptor,
        "its descriptor is not a valid marker: invalid at /: \"resources\" is a required property; \
         at /volumes/0: Additional properties are not allowed ('host_path' was unexpected)",
    );
}

/// A world whose one type (`marker`, a `container`) leaves a file behind
/// if it is ever started.
fn marker_world(name: &str, first_port: u16) -> World {
    let marker = TypeConfig {
        command: "touch ../started; exec sleep 30 # {port}".into(),
        ..http_server()
    };
    World::new(name, first_port, "marker", marker)
}

/// The consumer subscribes with `descriptor`; the reactor refuses it for
/// `why` and declines at once; nothing starts, the consumer gets its
/// deposit back, no mark against the provider.
fn refused_and_declined(w: &World, descriptor: &Descriptor, why: &str) {
    let mut reactor = w.reactor();
    let consumer_before = w.free(&w.consumer);
    let id = w.subscribe(descriptor);
    let awarded_at = w.chain.block();

    let read_at = w.chain.advance(1);
    let mut log = step(&mut reactor);
    let line = format!("[block {read_at}] refused subscription {id}: {why}");
    assert!(log.contains(&line), "{line}\nnot in {log:#?}");
    assert!(
        log.iter().any(|l| l.starts_with(&format!(
            "[block {read_at}] declined subscription {id}: {why}"
        ))),
        "{log:#?}"
    );
    for _ in 0..3 {
        w.chain.advance(1);
        log.extend(step(&mut reactor));
    }
    assert!(matches!(phase(&reactor, id), Phase::Refused { .. }));
    let sent: Vec<_> = w
        .chain
        .sent()
        .into_iter()
        .map(|s| (s.block, s.message, s.id, s.outcome))
        .collect();
    assert_eq!(
        sent,
        [(read_at, Message::Decline, id, Ok(0))],
        "one decline, nothing else"
    );
    assert!(
        !w.config.work_dir.join("started").exists(),
        "nothing started"
    );
    assert!(!w.work_dir(id).exists());
    assert!(processes_in(w.dir.path()).is_empty());
    assert!(w.events::<DeploymentReady>().is_empty());

    // On chain: declined well within the deadline, by this provider, and
    // with no other provider it closed at once with a full refund.
    assert!(read_at <= awarded_at + READY_TIMEOUT);
    let declined = w.events::<AwardDeclined>();
    assert_eq!(declined.len(), 1);
    assert_eq!(declined[0].0, read_at);
    assert_eq!(declined[0].1.provider, ink_account(&w.provider));
    assert!(w.events::<AwardRevoked>().is_empty());
    let closed = w.events::<Closed>();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].0, read_at);
    assert_eq!(closed[0].1.reason, CloseReason::Declined);
    assert_eq!((closed[0].1.paid, closed[0].1.refunded), (0, DEPOSIT));
    let d = w.details(id);
    assert_eq!(d.subscription.phase, ChainPhase::Closed);
    assert_eq!(d.subscription.closed, Some(CloseReason::Declined));
    assert_eq!(d.figures.refunded, DEPOSIT);
    let reputation = w.reputation();
    assert_eq!(
        (
            reputation.completed,
            reputation.exited_early,
            reputation.missed_ready
        ),
        (0, 0, 0),
        "a decline is no mark against the provider"
    );
    // Only the storage deposit of `create` stays away from the consumer.
    let storage = consumer_before - w.free(&w.consumer);
    assert!(storage < 1_000, "the deposit came back (kept: {storage})");
    assert_eq!(
        w.send::<()>(&w.keeper.clone(), "reaward", id),
        Err(SubscriptionError::WrongState),
        "nothing left to reaward"
    );

    w.chain.advance(1);
    step(&mut reactor);
    assert_eq!(w.chain.sent().len(), 1);
    assert!(processes_in(w.dir.path()).is_empty());
    assert!(reactor.state().subscriptions[&id].closed);
}

/// Ended in the provider's `exit` before the decline existed (closed with
/// a full refund, an ExitedEarly mark); now the reactor declines, and the
/// award goes on to the next provider with no mark against this one.
#[test]
fn a_crash_loop_before_ready_ends_in_a_decline_and_the_award_goes_to_another_provider() {
    let crashing = TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Process,
        // Tcp health needs {port}: a port it never listens on.
        command: "echo start >> starts; exit 3 # {port}".into(),
        health: HealthKind::Tcp,
        health_timeout_secs: 20,
        max_restarts: 2,
        access: Vec::new(),
    };
    let w = World::new("crash", 22130, "crash", crashing);
    let mut reactor = w.reactor();
    let id = w.subscribe(&w.descriptor("descriptor.json"));
    let other = w.second_provider();
    let block = w.chain.advance(1);
    let log = step_until(&mut reactor, |r| r.state().subscriptions[&id].decline_sent);
    for _ in 0..3 {
        w.chain.advance(1);
        step(&mut reactor);
    }

    let starts = std::fs::read_to_string(w.work_dir(id).join("starts")).unwrap();
    assert_eq!(starts.lines().count(), 3, "the first start and 2 restarts");
    assert!(
        log.iter().any(
            |l| l.starts_with(&format!("[block {block}] declined subscription {id}: "))
                && l.contains("gave up after 2 restarts")
        ),
        "{log:#?}"
    );
    let declines = w.chain.sent_for(id, Message::Decline);
    assert_eq!(declines.len(), 1, "exactly one decline");
    assert_eq!(
        (declines[0].block, declines[0].outcome.clone()),
        (block, Ok(0))
    );
    assert!(w.chain.sent_for(id, Message::Exit).is_empty(), "no exit");
    assert!(w.chain.sent_for(id, Message::MarkReady).is_empty());
    assert!(processes_in(w.dir.path()).is_empty());

    // Declined, then awarded to the other provider in the same block, with
    // a fresh ready deadline; nothing closed, nothing refunded yet.
    let declined = w.events::<AwardDeclined>();
    assert_eq!(declined.len(), 1);
    assert_eq!(
        (declined[0].0, declined[0].1.provider),
        (block, ink_account(&w.provider))
    );
    let awarded = w.events::<Awarded>();
    assert_eq!(awarded.len(), 2);
    assert_eq!(
        (awarded[1].0, awarded[1].1.provider),
        (block, ink_account(&other))
    );
    assert_eq!(awarded[1].1.ready_deadline, block + READY_TIMEOUT);
    assert!(w.events::<Closed>().is_empty());
    assert!(w.events::<AwardRevoked>().is_empty());
    let d = w.details(id);
    assert_eq!(d.subscription.phase, ChainPhase::Awarded);
    assert_eq!(d.subscription.provider, ink_account(&other));
    assert_eq!(
        d.subscription.requirements.excluded_providers,
        [ink_account(&w.provider)],
        "never offered to the decliner again"
    );
    assert_eq!(d.figures.held, DEPOSIT);
    let reputation = w.reputation();
    assert_eq!(
        (reputation.exited_early, reputation.missed_ready),
        (0, 0),
        "no mark"
    );
    assert_eq!(w.reputation_of(&other).missed_ready, 0);
    assert!(
        matches!(phase(&reactor, id), Phase::Failed { ref why } if why.contains("gave up after 2 restarts"))
    );

    // The other provider's award means nothing to this reactor; the
    // consumer, who cancels before it is ready, gets everything back.
    assert_eq!(
        w.send::<()>(&w.consumer.clone(), "Subscription::cancel", id),
        Ok(())
    );
    let closed = w.events::<Closed>();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].1.reason, CloseReason::ConsumerCancelled);
    assert_eq!((closed[0].1.paid, closed[0].1.refunded), (0, DEPOSIT));
    w.chain.advance(1);
    step(&mut reactor);
    assert_eq!(w.chain.sent().len(), 1, "only the decline");
}

#[test]
fn a_deployment_not_healthy_near_its_ready_deadline_is_declined_before_it() {
    // Never listens; its health timeout is longer than the ready timeout.
    let silent = TypeConfig {
        command: "exec sleep 60 # {port}".into(),
        health_timeout_secs: 600,
        ..http_server()
    };
    let w = World::new("deadline", 22180, "silent", silent);
    let mut reactor = w.reactor();
    let id = w.subscribe(&w.descriptor("descriptor.json"));
    let deadline = w.details(id).subscription.ready_deadline;
    w.chain.advance(1);
    step(&mut reactor);
    assert_eq!(phase(&reactor, id), Phase::Starting);
    let process = handle(&reactor, id);
    let margin = w.config.decline_margin;
    assert_eq!(margin, 2);
    while w.chain.block() < deadline - margin - 1 {
        w.chain.advance(1);
        step(&mut reactor);
        assert!(
            alive(pid(&process)),
            "given its chance at block {}",
            w.chain.block()
        );
    }
    assert!(w.chain.sent().is_empty());
    let declined_at = w.chain.advance(1);
    let log = step(&mut reactor);
    assert_eq!(declined_at, deadline - margin);
    assert!(
        !alive(pid(&process)),
        "stopped {margin} blocks before the deadline"
    );
    assert!(
        log.iter().any(|l| l.starts_with(&format!(
            "[block {declined_at}] declined subscription {id}: not healthy {margin} blocks before its ready deadline (block {deadline}"
        ))),
        "{log:#?}"
    );
    let sent = w.chain.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].block, sent[0].message, sent[0].outcome.clone()),
        (declined_at, Message::Decline, Ok(0))
    );
    let closed = w.events::<Closed>();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].1.reason, CloseReason::Declined);
    assert_eq!(closed[0].1.refunded, DEPOSIT);
    assert_eq!(w.reputation().missed_ready, 0, "no miss recorded");
    while w.chain.block() <= deadline + 1 {
        w.chain.advance(1);
        step(&mut reactor);
    }
    assert_eq!(w.chain.sent().len(), 1);
    assert!(processes_in(w.dir.path()).is_empty());
}

#[test]
fn a_crash_loop_after_ready_exits_with_notice_and_is_paid_to_the_end() {
    // Healthy the first time; every restart crashes at once.
    let flaky = TypeConfig {
        command: format!(
            "if [ -e starts ]; then echo crash >> starts; exit 3; fi; echo start >> starts; \
             exec {} -m http.server {{port}} --bind 127.0.0.1",
            python()
        ),
        ..http_server()
    };
    let w = World::new("flaky", 22140, "flaky", flaky);
    let mut reactor = w.reactor();
    let (id, ready, process, _) = deploy(&w, &mut reactor);
    w.chain.advance(4);
    step(&mut reactor);
    kill_group(pid(&process));

    let exit_at = w.chain.advance(1);
    let log = step_until(&mut reactor, |r| r.state().subscriptions[&id].exit_sent);
    assert!(
        log.iter().any(|l| l.contains(&format!(
            "restarting subscription {id} (2/2): process exited"
        ))),
        "{log:#?}"
    );
    let exits = w.chain.sent_for(id, Message::Exit);
    assert_eq!(exits.len(), 1);
    assert_eq!((exits[0].block, exits[0].outcome.clone()), (exit_at, Ok(0)));
    let end = exit_at + NOTICE;
    let scheduled = w.events::<EndScheduled>();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].0, exit_at);
    assert_eq!(
        (scheduled[0].1.end, scheduled[0].1.reason),
        (end, CloseReason::ProviderExited)
    );
    assert_eq!(w.details(id).subscription.phase, ChainPhase::Ending);

    // It still claims what it earned, at the end.
    while w.chain.block() < end {
        w.chain.advance(1);
        step(&mut reactor);
    }
    let claims = w.chain.sent_for(id, Message::Claim);
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].block, end);
    assert_eq!(claims[0].outcome, Ok(RATE * u128::from(end - ready)));
    assert_eq!(w.send::<()>(&w.keeper.clone(), "settle", id), Ok(()));
    let closed = w.events::<Closed>();
    assert_eq!(closed[0].1.reason, CloseReason::ProviderExited);
    assert_eq!(
        closed[0].1.refunded,
        DEPOSIT - RATE * u128::from(end - ready)
    );
    assert_eq!(w.reputation().exited_early, 1);
    assert_eq!(w.chain.sent_for(id, Message::MarkReady).len(), 1);
    assert!(processes_in(w.dir.path()).is_empty());
    let starts = std::fs::read_to_string(w.work_dir(id).join("starts")).unwrap();
    assert_eq!(
        starts.lines().collect::<Vec<_>>(),
        ["start", "crash", "crash"]
    );
}

/// SIGKILLs the process group `pgid` (a deployment: its leader's pid).
fn kill_group(pgid: u32) {
    let killed = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .expect("kill runs");
    assert!(killed.success());
}

#[test]
fn a_restarted_reactor_resumes_without_deploying_or_sending_anything_twice() {
    // Slow to listen, so the first reactor is dropped while it starts.
    let slow = TypeConfig {
        command: format!(
            "sleep 1; exec {} -m http.server {{port}} --bind 127.0.0.1",
            python()
        ),
        ..http_server()
    };
    let w = World::new("restart", 22150, "slow", slow);
    let mut reactor = w.reactor();
    let id = w.subscribe(&w.descriptor("descriptor.json"));
    w.chain.advance(1);
    step(&mut reactor);
    assert_eq!(phase(&reactor, id), Phase::Starting);
    let process = handle(&reactor, id);
    drop(reactor); // killed while its deployment starts: it runs on

    // A new reactor from the same state adopts it and marks it ready once.
    let block = w.chain.advance(1);
    let mut reactor = w.reactor();
    let log = step_until(&mut reactor, |r| {
        r.state().subscriptions[&id].phase == Phase::Running
    });
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("subscription {id}: adopted pid {}", pid(&process)))),
        "{log:#?}"
    );
    assert_eq!(handle(&reactor, id), process, "the same process");
    assert_eq!(groups_in(&w.work_dir(id)), [pid(&process)].into());
    assert_eq!(w.details(id).subscription.ready_at, Some(block));

    // Killed again mid-subscription, started again blocks later.
    w.chain.advance(1);
    step(&mut reactor);
    let state = reactor.state().clone();
    drop(reactor);
    let sent = w.chain.sent();
    assert_eq!(sent.len(), 1, "the mark_ready");
    w.chain.advance(3);
    let mut reactor = w.reactor();
    let log = step(&mut reactor);
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("subscription {id}: adopted pid {}", pid(&process)))),
        "{log:#?}"
    );
    step(&mut reactor);
    assert_eq!(handle(&reactor, id), process);
    assert_eq!(
        groups_in(&w.work_dir(id)),
        [pid(&process)].into(),
        "no second process"
    );
    assert_eq!(w.chain.sent(), sent, "nothing sent again");
    assert_eq!(reactor.state().subscriptions, state.subscriptions);

    // The whole event history read again (the cursor back to block 0, the
    // rest of the state as it is) changes nothing either.
    drop(reactor);
    let mut saved = State::load(&w.config.state_file, 0).unwrap();
    saved.next_block = 0;
    saved.save(&w.config.state_file).unwrap();
    let mut reactor = w.reactor();
    let report = reactor.step().expect("a step");
    assert!(
        report.events >= 2,
        "it read the Awarded and DeploymentReady again"
    );
    step(&mut reactor);
    assert_eq!(groups_in(&w.work_dir(id)), [pid(&process)].into());
    assert_eq!(w.chain.sent(), sent);
    assert_eq!(w.events::<DeploymentReady>().len(), 1);
    assert_eq!(reactor.state().subscriptions, state.subscriptions);

    // It still claims at the end and stops the process then.
    let ready = w.details(id).subscription.ready_at.unwrap();
    assert_eq!(
        w.send::<()>(&w.consumer.clone(), "Subscription::cancel", id),
        Ok(())
    );
    let end = w.chain.block() + CONSUMER_NOTICE;
    while w.chain.block() < end {
        step(&mut reactor);
        assert!(alive(pid(&process)));
        w.chain.advance(1);
    }
    step(&mut reactor);
    assert!(!alive(pid(&process)));
    assert!(processes_in(w.dir.path()).is_empty());
    let claims = w.chain.sent_for(id, Message::Claim);
    assert_eq!(claims.len(), 1, "one claim, at the end");
    assert_eq!(
        (claims[0].block, claims[0].outcome.clone()),
        (end, Ok(RATE * u128::from(end - ready)))
    );
    assert_eq!(w.chain.sent_for(id, Message::MarkReady).len(), 1);
    assert!(w.chain.sent_for(id, Message::Exit).is_empty());
}

#[test]
fn the_sandbox_chain_maps_views_and_refusals_and_keeps_the_actor() {
    use dinfra_e2e_tests::dinfra_reactor::{Chain, ChainError, ChainEvent};
    let w = World::new("chain", 22160, "http", http_server());
    let descriptor = w.descriptor("descriptor.json");
    let id = w.subscribe(&descriptor);
    let awarded_at = w.chain.block();
    let mut chain = w.chain.chain_for(&w.provider);
    let actor = w.chain.session().get_actor();

    assert_eq!(
        chain.deployment_type(w.type_id),
        Ok(Some(TypeView {
            name: "http".to_string(),
            schema_hash: schema_hash_of(&catalogue_schema("container")),
        }))
    );
    assert_eq!(chain.deployment_type(99), Ok(None));
    assert_eq!(chain.subscription(99), Ok(None));
    let view = chain.subscription(id).unwrap().expect("a view");
    assert_eq!(view.provider, chain.provider());
    assert_eq!(view.descriptor, descriptor);
    assert_eq!(view.ready_deadline, awarded_at + READY_TIMEOUT);
    assert_eq!((view.ready_at, view.end, view.closed), (None, None, false));
    match &chain.events(0, awarded_at).unwrap()[..] {
        [(
            block,
            ChainEvent::Awarded {
                id: i,
                provider,
                descriptor: d,
                ..
            },
        )] => {
            assert_eq!(
                (*block, *i, *provider, d),
                (awarded_at, id, chain.provider(), &descriptor)
            );
        }
        other => panic!("{other:?}"),
    }

    // Refusals come back as the contract's variant names.
    fn contract<T>(name: &str) -> Result<T, ChainError> {
        Err(ChainError::Contract(name.into()))
    }
    assert_eq!(chain.claim(id), contract("WrongState"), "not ready yet");
    assert_eq!(
        w.chain.chain_for(&w.keeper).mark_ready(id, &[]),
        contract("Unauthorized")
    );
    assert_eq!(
        w.chain.chain_for(&w.keeper).decline(id),
        contract("Unauthorized"),
        "only the awarded provider declines"
    );
    w.chain.advance(1);
    let five: Vec<String> = (0..5).map(|n| format!("wss://x:{n}")).collect();
    assert_eq!(
        chain.mark_ready(id, &five),
        contract("InvalidInput"),
        "at most 4 URIs"
    );
    let access = ["wss://rpc.example:443".to_string()];
    assert_eq!(chain.mark_ready(id, &access), Ok(()));
    assert_eq!(
        w.details(id).access.map(|a| a.uris),
        Some(access.to_vec()),
        "published"
    );
    assert_eq!(chain.mark_ready(id, &access), contract("WrongState"));
    assert_eq!(chain.decline(id), contract("WrongState"), "ready: too late");
    assert_eq!(
        chain.claim(id),
        contract("NothingToClaim"),
        "nothing earned in its ready block"
    );
    w.chain.advance(2);
    assert_eq!(chain.claim(id), Ok(2 * RATE));
    assert_eq!(chain.exit(id), Ok(()));
    let view = chain.subscription(id).unwrap().unwrap();
    assert_eq!(view.end, Some(w.chain.block() + NOTICE));
    assert_eq!(chain.exit(id), contract("WrongState"));
    assert_eq!(
        w.chain.session().get_actor(),
        actor,
        "the session's actor is restored"
    );
    let outcomes: Vec<_> = w
        .chain
        .sent()
        .into_iter()
        .map(|s| (s.message, s.outcome))
        .collect();
    assert_eq!(outcomes.len(), 11);
    assert_eq!(outcomes[2], (Message::Decline, Err("Unauthorized".into())));
    assert_eq!(
        outcomes[3],
        (Message::MarkReady, Err("InvalidInput".into()))
    );
    assert_eq!(outcomes[6], (Message::Decline, Err("WrongState".into())));
    assert_eq!(outcomes[8], (Message::Claim, Ok(2 * RATE)));

    // The current block's events are there as soon as the call is made,
    // and stay tagged with their block after blocks pass.
    let now = w.chain.block();
    let events = chain.events(now, now).unwrap();
    assert!(
        matches!(events[..], [(_, ChainEvent::EndScheduled { .. })]),
        "{events:?}"
    );
    w.chain.advance(5);
    assert_eq!(chain.events(now, now).unwrap(), events);

    // A decline maps to AwardDeclined, then the award to the next provider
    // (or, none left, `Closed` with `Declined`).
    let second = w.subscribe(&descriptor);
    let other = w.second_provider();
    let at = w.chain.block();
    assert_eq!(chain.decline(second), Ok(()));
    assert_eq!(
        chain.decline(second),
        contract("Unauthorized"),
        "not ours now"
    );
    let events: Vec<ChainEvent> = chain
        .events(at, at)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| matches!(e, ChainEvent::AwardDeclined { id, .. } | ChainEvent::Awarded { id, .. } if *id == second))
        .collect();
    match &events[..] {
        [ChainEvent::Awarded { .. }, ChainEvent::AwardDeclined { provider, .. }, ChainEvent::Awarded { provider: next, .. }] =>
        {
            assert_eq!(*provider, chain.provider());
            assert_eq!(next, AsRef::<[u8; 32]>::as_ref(&other));
        }
        other => panic!("{other:?}"),
    }
    let view = chain.subscription(second).unwrap().unwrap();
    assert_eq!(&view.provider, AsRef::<[u8; 32]>::as_ref(&other));
    assert!(!view.closed);
    let mut others = w.chain.chain_for(&other);
    assert_eq!(others.decline(second), Ok(()));
    let view = chain.subscription(second).unwrap().unwrap();
    assert!(view.closed, "nobody left: closed");
    assert_eq!(
        w.details(second).subscription.closed,
        Some(CloseReason::Declined)
    );
}

#[test]
#[should_panic(expected = "advance blocks only with SharedSandbox::advance")]
fn building_blocks_behind_the_logs_back_is_caught() {
    let w = World::new("behind", 22170, "http", http_server());
    w.subscribe(&w.descriptor("descriptor.json"));
    advance_blocks(&mut w.chain.session(), 1);
    w.chain.harvest();
}

// ---- a container (podman) on the embedded chain ----------------------------

/// The engine, as the test calls it (with the repository's containers.conf).
fn podman(args: &[&str]) -> (bool, String) {
    let conf =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reactor/podman/containers.conf");
    let out = std::process::Command::new("podman")
        .args(args)
        .env("CONTAINERS_CONF", conf)
        .output()
        .expect("podman runs (deploy/setup.sh installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// Removes every container of a reactor instance when the test ends.
struct Containers(String);

impl Containers {
    fn ids(&self) -> Vec<String> {
        let label = format!("label=dinfra.instance={}", self.0);
        let (_, ids) = podman(&["ps", "--all", "--quiet", "--no-trunc", "--filter", &label]);
        ids.split_whitespace().map(String::from).collect()
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        for id in self.ids() {
            podman(&["rm", "--force", "--time", "0", &id]);
        }
    }
}

#[test]
fn a_container_award_runs_in_podman_with_its_limits_and_the_consumer_reaches_it_through_the_chain()
{
    let podman_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reactor/podman");
    let images = std::process::Command::new("bash")
        .arg(podman_dir.join("test-images.sh"))
        .status()
        .expect("bash runs");
    assert!(images.success(), "reactor/podman/test-images.sh failed");
    let kind = TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Podman,
        command: String::new(),
        health: HealthKind::Tcp,
        health_timeout_secs: 30,
        max_restarts: 1,
        access: vec!["http://{host}:{port}/".into()],
    };
    let mut w = World::new("container", 22200, "container", kind);
    w.config.public_host = Some("127.0.0.1".into());
    w.config.containers.containers_conf = Some(podman_dir.join("containers.conf"));
    w.config.containers.pull = "never".into();
    w.config.containers.stop_grace_secs = 1;
    w.config.containers.instance = Some(format!("e{}", std::process::id()));
    let containers = Containers(w.config.instance());
    let mut reactor = w.reactor();
    w.chain.advance(1);

    // The consumer subscribes with the catalogue's own example.
    let example =
        std::fs::read_to_string(catalogue().join("container/examples/valid/busybox-httpd.json"))
            .unwrap();
    let descriptor = write_descriptor(&w.dir.path().join("busybox-httpd.json"), &example);
    let id = w.subscribe(&descriptor);
    let ready = w.chain.advance(1);
    step_until(&mut reactor, |r| {
        r.state()
            .subscriptions
            .get(&id)
            .is_some_and(|e| e.phase == Phase::Running)
    });

    // On the machine: one container, with the descriptor's limits.
    let running = handle(&reactor, id);
    let Unit::Container { container_id, .. } = &running.unit else {
        panic!("not a container: {:?}", running.unit)
    };
    assert_eq!(containers.ids(), [container_id.clone()]);
    let (_, limits) = podman(&[
        "container", "inspect", "--format",
        "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{index .Config.Labels \"dinfra.subscription\"}}",
        container_id,
    ]);
    assert_eq!(limits, format!("100000000 {} {id}", 16 << 20));

    // On chain: ready, with the access record; the consumer reads it and
    // reaches the service through it.
    let d = w.details(id);
    assert_eq!(d.subscription.ready_at, Some(ready));
    let uris = d.access.expect("an access record").uris;
    let port = running.port.expect("a host port");
    assert!((22200..=22209).contains(&port));
    assert_eq!(uris, [format!("http://127.0.0.1:{port}/")]);
    let page = dinfra_e2e_tests::dinfra_reactor::fetch::Fetcher::new(
        dinfra_e2e_tests::dinfra_reactor::fetch::FetchPolicy {
            allow_private_addresses: true,
            ..Default::default()
        },
    )
    .unwrap()
    .fetch(&uris[0])
    .expect("the consumer reaches it");
    assert!(String::from_utf8_lossy(&page).contains("DINFRA"));

    // The reactor killed without a chance to clean up, then started again:
    // it adopts the container and starts none twice.
    drop(reactor);
    let mut reactor = w.reactor();
    let log = step(&mut reactor);
    assert!(
        log.iter().any(|l| l.contains("adopted container")),
        "{log:#?}"
    );
    w.chain.advance(2);
    step(&mut reactor);
    assert_eq!(
        containers.ids(),
        [container_id.clone()],
        "still the one container"
    );

    // The consumer cancels: the container is gone at the end block.
    assert_eq!(
        w.send::<()>(&w.consumer.clone(), "Subscription::cancel", id),
        Ok(())
    );
    let end = w.details(id).subscription.end.expect("an end").0;
    while w.chain.block() < end {
        step(&mut reactor);
        assert_eq!(containers.ids().len(), 1, "up until the end block");
        w.chain.advance(1);
    }
    step_until(&mut reactor, |r| {
        r.state().subscriptions[&id].handle.is_none()
    });
    assert!(containers.ids().is_empty(), "removed at the end block");
}
