//! Benchmarks of the DINFRA suite in the drink sandbox (the real
//! pallet-contracts runtime, in process): for every public message of the
//! four contracts the ref_time and proof_size it consumed and the storage
//! deposit its caller was charged; how the costs that must not grow scale;
//! how many `create` and `claim` calls fit in one block of the sandbox
//! runtime; and each contract's Wasm size against the code size limits.
//!
//! Every figure is read from the runtime: `gas_consumed` and
//! `storage_deposit` of each call's result, the runtime's `BlockWeights`,
//! `MaxCodeLen` and pallet-contracts' base weight of a `call` extrinsic.
//!
//! ```sh
//! cargo run --bin bench -- --out ../artifacts   # writes bench.md and bench.json
//! ```
//! (`deploy/bench.sh` runs it with the right target directory.)

use std::fmt::{Debug, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use dinfra::admin::AdminError;
use dinfra::traits::{
    AwardDecision, AwardError, EscrowError, RegistryError, Reservation, SubscriptionError,
};
use dinfra_e2e_tests::*;
use drink::frame_support::dispatch::DispatchClass;
use drink::frame_support::traits::Get;
use drink::minimal::MinimalSandboxRuntime as Runtime;
use drink::session::Session;
use drink::{AccountId32, Weight};
use ink::scale::Decode;

/// Offers per provider the registry allows.
const OFFERS_PER_PROVIDER: u32 = 16;

/// pallet-contracts' default code size limit on substrate-contracts-node.
const NODE_CODE_LIMIT: u64 = 256 * 1024;

// ---- what is measured ------------------------------------------------------

/// What one call consumed, from its `ContractResult`.
#[derive(Debug, Clone, Copy)]
struct Cost {
    ref_time: u64,
    proof_size: u64,
    /// The gas limit the call needs (≥ consumed; equal unless pre-charged).
    required_ref_time: u64,
    required_proof_size: u64,
    /// Net storage deposit charged to the caller (negative: refunded).
    deposit: i128,
}

impl Cost {
    fn of<R, E>(result: &drink::pallet_contracts::ContractResult<R, u128, E>) -> Self {
        let deposit = match result.storage_deposit {
            drink::pallet_contracts::StorageDeposit::Charge(amount) => amount as i128,
            drink::pallet_contracts::StorageDeposit::Refund(amount) => -(amount as i128),
        };
        Self {
            ref_time: result.gas_consumed.ref_time(),
            proof_size: result.gas_consumed.proof_size(),
            required_ref_time: result.gas_required.ref_time(),
            required_proof_size: result.gas_required.proof_size(),
            deposit,
        }
    }

    /// The last call of `session`.
    fn last(session: &Sandbox) -> Self {
        Self::of(session.record().last_call_result())
    }
}

/// One row of the per-message table.
struct Row {
    contract: &'static str,
    message: String,
    caller: &'static str,
    /// `call` (a committed call) or `dry-run` (a query).
    how: &'static str,
    cost: Cost,
}

/// One point of a scaling series.
struct Point {
    series: &'static str,
    label: String,
    /// The scaling variable (offers, blocks, subscriptions).
    n: u64,
    cost: Cost,
}

/// A flatness check: the cost at `large` within `bound` of the cost at `small`.
struct Check {
    what: &'static str,
    small: String,
    large: String,
    ref_diff: f64,
    proof_diff: f64,
    bound: f64,
}

impl Check {
    fn passed(&self) -> bool {
        self.ref_diff < self.bound && self.proof_diff < self.bound
    }
}

#[derive(Default)]
struct Bench {
    rows: Vec<Row>,
    series: Vec<Point>,
    checks: Vec<Check>,
}

/// A contract of the suite and its name in the tables.
#[derive(Clone)]
struct Contract {
    name: &'static str,
    address: AccountId32,
}

/// An account and the role it calls in.
#[derive(Clone)]
struct Actor {
    role: &'static str,
    id: AccountId32,
}

fn contracts(suite: &Suite) -> [Contract; 4] {
    [
        Contract {
            name: "registry",
            address: suite.registry.clone(),
        },
        Contract {
            name: "award",
            address: suite.award.clone(),
        },
        Contract {
            name: "subscription",
            address: suite.subscription.clone(),
        },
        Contract {
            name: "escrow",
            address: suite.escrow.clone(),
        },
    ]
}

/// Calls `message` as `who`, which must return `Ok`; returns the value.
fn send<T: Decode + Debug, E: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    who: &Actor,
    message: &str,
    args: &[String],
    value: u128,
) -> T {
    session.set_actor(who.id.clone());
    let reply: Result<T, E> = call_with_value(session, contract, message, args, value);
    reply.unwrap_or_else(|e| panic!("{message} as {}: {e:?}", who.role))
}

/// A dry run of `message` as `who`; it must not revert.
fn dry_run(
    session: &mut Sandbox,
    contract: &AccountId32,
    who: &Actor,
    message: &str,
    args: &[String],
) -> Cost {
    session.set_actor(who.id.clone());
    let result = session
        .dry_run_call(contract.clone(), message, args, None)
        .unwrap_or_else(|e| panic!("{message}: dry run failed: {e:?}"));
    match &result.result {
        Ok(value) if !value.did_revert() => {}
        other => panic!("{message}: the dry run reverted or failed: {other:?}"),
    }
    Cost::of(&result)
}

impl Bench {
    /// Calls `message` (which must succeed) and records a row.
    #[allow(clippy::too_many_arguments)]
    fn call<T: Decode + Debug, E: Decode + Debug>(
        &mut self,
        session: &mut Sandbox,
        contract: &Contract,
        who: &Actor,
        message: &str,
        args: &[String],
        value: u128,
    ) -> T {
        let result = send::<T, E>(session, &contract.address, who, message, args, value);
        self.rows.push(Row {
            contract: contract.name,
            message: message.to_string(),
            caller: who.role,
            how: "call",
            cost: Cost::last(session),
        });
        result
    }

    /// Dry-runs a query and records a row.
    fn query(
        &mut self,
        session: &mut Sandbox,
        contract: &Contract,
        who: &Actor,
        message: &str,
        args: &[String],
    ) {
        let cost = dry_run(session, &contract.address, who, message, args);
        self.rows.push(Row {
            contract: contract.name,
            message: message.to_string(),
            caller: who.role,
            how: "dry-run",
            cost,
        });
    }

    fn point(&mut self, series: &'static str, label: impl Into<String>, n: u64, cost: Cost) {
        let label = label.into();
        eprintln!(
            "bench: {series} {label}: ref_time {}, proof_size {}",
            cost.ref_time, cost.proof_size
        );
        self.series.push(Point {
            series,
            label,
            n,
            cost,
        });
    }

    fn cost(&self, contract: &str, message: &str) -> Cost {
        self.rows
            .iter()
            .find(|row| row.contract == contract && row.message == message)
            .unwrap_or_else(|| panic!("{contract}.{message} was measured"))
            .cost
    }

    fn series_cost(&self, series: &str, n: u64) -> (&str, Cost) {
        let point = self
            .series
            .iter()
            .find(|p| p.series == series && p.n == n)
            .unwrap_or_else(|| panic!("{series} at {n} was measured"));
        (&point.label, point.cost)
    }

    /// Records that `series` at `large` is within `bound` of it at `small`.
    fn check_flat(&mut self, what: &'static str, series: &str, small: u64, large: u64, bound: f64) {
        let (small_label, a) = self.series_cost(series, small);
        let (large_label, b) = self.series_cost(series, large);
        let check = Check {
            what,
            small: small_label.to_string(),
            large: large_label.to_string(),
            ref_diff: relative_difference(a.ref_time, b.ref_time),
            proof_diff: relative_difference(a.proof_size, b.proof_size),
            bound,
        };
        self.checks.push(check);
    }
}

fn relative_difference(a: u64, b: u64) -> f64 {
    (a as f64 - b as f64).abs() / a.min(b).max(1) as f64
}

// ---- the runtime's limits ----------------------------------------------------

/// The limits of the sandbox runtime, read from its configuration.
struct Limits {
    max_block: Weight,
    /// `BlockWeights::get(Normal).max_total`: what normal extrinsics (every
    /// contract call) may fill of a block.
    normal_max_total: Weight,
    normal_max_extrinsic: Weight,
    /// Weight frame-system charges every extrinsic.
    base_extrinsic: Weight,
    /// pallet-contracts' weight of a `call` extrinsic on top of the gas consumed.
    call_base: Weight,
    /// pallet-contracts' `MaxCodeLen` of the sandbox runtime.
    max_code_len: u64,
}

fn limits() -> Limits {
    use drink::pallet_contracts::WeightInfo as _;
    let weights: ink_sandbox::frame_system::limits::BlockWeights =
        <<Runtime as ink_sandbox::frame_system::Config>::BlockWeights as Get<_>>::get();
    let normal = weights.get(DispatchClass::Normal);
    let max_total = normal.max_total.unwrap_or(weights.max_block);
    Limits {
        max_block: weights.max_block,
        normal_max_total: max_total,
        normal_max_extrinsic: normal.max_extrinsic.unwrap_or(max_total),
        base_extrinsic: normal.base_extrinsic,
        call_base: <<Runtime as drink::pallet_contracts::Config>::WeightInfo>::call(),
        max_code_len: u64::from(
            <<Runtime as drink::pallet_contracts::Config>::MaxCodeLen as Get<u32>>::get(),
        ),
    }
}

/// A fresh sandbox whose gas limit is what one normal extrinsic may use
/// (a 50-subscription `claim_many` needs more than drink's default).
/// The limit does not change what a call consumes.
fn new_session(limits: &Limits) -> Sandbox {
    let mut session: Sandbox = Session::default();
    session.set_gas_limit(limits.normal_max_extrinsic);
    session
}

// ---- the market -------------------------------------------------------------

fn actor(session: &mut Sandbox, role: &'static str, seed: u8) -> Actor {
    Actor {
        role,
        id: funded_account(session, seed),
    }
}

fn fixed(price_per_block: u128, capacity: u32) -> OfferSpec {
    OfferSpec {
        price_per_block,
        capacity,
        min_duration: 0,
        notice_blocks: 10,
        dynamic: false,
    }
}

fn id_arg(id: u64) -> Vec<String> {
    vec![id.to_string()]
}

fn stream_of(session: &mut Sandbox, suite: &Suite, id: u64) -> u64 {
    details(session, suite, id).subscription.stream_id
}

/// `create` of a `type_id` subscription by `consumer` with `deposit`.
fn create(
    session: &mut Sandbox,
    suite: &Suite,
    consumer: &Actor,
    type_id: u32,
    max_price_per_block: u128,
    deposit: u128,
) -> u64 {
    session.set_actor(consumer.id.clone());
    create_subscription(
        session,
        suite,
        type_id,
        &max_price(max_price_per_block),
        deposit,
    )
    .unwrap_or_else(|e| panic!("create: {e:?}"))
}

fn subscription_ok<T: Decode + Debug>(
    session: &mut Sandbox,
    suite: &Suite,
    who: &Actor,
    message: &str,
    args: &[String],
    value: u128,
) -> T {
    send::<T, SubscriptionError>(session, &suite.subscription, who, message, args, value)
}

/// Publishes `offers` fixed-price offers of `type_id` from providers with
/// seeds from `first_seed` on, 16 each (the most one may have).
fn publish_offers(session: &mut Sandbox, suite: &Suite, type_id: u32, offers: u32, first_seed: u8) {
    let mut published = 0;
    let mut seed = first_seed;
    while published < offers {
        let provider = actor(session, "provider", seed);
        seed = seed.checked_add(1).expect("enough provider seeds");
        let batch = (offers - published).min(OFFERS_PER_PROVIDER);
        provider_with_terms(session, suite, &provider.id, &[], type_id, fixed(10, 5));
        for _ in 1..batch {
            send::<u64, RegistryError>(
                session,
                &suite.registry,
                &provider,
                "publish_offer",
                &[type_id.to_string(), fixed(10, 5).arg()],
                0,
            );
        }
        published += batch;
        // drink scans the block's events after every call: keep blocks short.
        advance_blocks(session, 1);
    }
    let count: u32 = call(
        session,
        &suite.registry,
        "offer_count_of_type",
        &[type_id.to_string()],
    );
    assert_eq!(count, offers, "offers of type {type_id}");
}

// ---- every message ---------------------------------------------------------

/// Every message of the four contracts in one wired suite, each by the
/// caller it is meant for, except the controller-only ones (see
/// [`controller_messages`]).
fn suite_messages(bench: &mut Bench, limits: &Limits) {
    let session = &mut new_session(limits);
    let suite = deploy_suite(session).expect("deploying the suite");
    let [registry, award, subscription, escrow] = contracts(&suite);
    let admin = Actor {
        role: "admin",
        id: session.get_actor(),
    };
    let consumer = actor(session, "consumer", 30);
    let sponsor = actor(session, "anyone", 31);
    let anyone = actor(session, "anyone", 32);
    let new_admin = actor(session, "proposed admin", 33);
    let provider = actor(session, "provider", 40);
    let dynamic_provider = actor(session, "provider", 41);
    let reaward_providers = [
        actor(session, "provider", 42),
        actor(session, "provider", 43),
    ];
    let leaving = actor(session, "provider", 44);
    let payee = Actor {
        role: "payee (provider)",
        id: provider.id.clone(),
    };

    // Registry: types, providers, offers, attestations.
    let t0: u32 = bench.call::<_, RegistryError>(
        session,
        &registry,
        &anyone,
        "register_type",
        &["\"substrate-rpc\"".into(), hex32([7; 32])],
        0,
    );
    let t1 = register_type(session, &suite, "substrate-rpc-dynamic");
    let t2 = register_type(session, &suite, "substrate-rpc-reaward");
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &provider,
        "register_provider",
        &[
            "\"infra\"".into(),
            "\"wss://rpc.example\"".into(),
            attributes_arg(&attributes(&[("region", "eu-west")])),
        ],
        MIN_BOND,
    );
    let terms = fixed(10, 20).arg();
    bench.call::<u64, RegistryError>(
        session,
        &registry,
        &provider,
        "publish_offer",
        &[t0.to_string(), terms.clone()],
        0,
    );
    // Ten offers of the type in all (the award window), and a spare.
    let mut spare = 0;
    for _ in 0..10 {
        spare = send::<u64, RegistryError>(
            session,
            &registry.address,
            &provider,
            "publish_offer",
            &[t0.to_string(), terms.clone()],
            0,
        );
    }
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &provider,
        "update_offer",
        &[spare.to_string(), fixed(11, 20).arg()],
        0,
    );
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &provider,
        "withdraw_offer",
        &id_arg(spare),
        0,
    );
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &provider,
        "update_provider",
        &[
            "\"infra\"".into(),
            "\"wss://rpc2.example\"".into(),
            attributes_arg(&attributes(&[("region", "eu-west"), ("network", "own")])),
        ],
        0,
    );
    bench.call::<(), RegistryError>(session, &registry, &provider, "pause_provider", &[], 0);
    bench.call::<(), RegistryError>(session, &registry, &provider, "resume_provider", &[], 0);
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &anyone,
        "attest",
        &[
            provider.id.to_string(),
            attributes_arg(&attributes(&[("region", "eu-west")])),
        ],
        0,
    );
    provider_with_terms(
        session,
        &suite,
        &dynamic_provider.id,
        &[],
        t1,
        OfferSpec {
            dynamic: true,
            ..fixed(10, 5)
        },
    );
    for p in &reaward_providers {
        provider_with_terms(session, &suite, &p.id, &[], t2, fixed(10, 5));
    }
    provider_with_terms(session, &suite, &leaving.id, &[], t1, fixed(10, 5));
    bench.call::<(), RegistryError>(session, &registry, &leaving, "deregister", &[], 0);
    let registry_parameters =
        format!("Parameters {{ min_bond: {MIN_BOND}, unbonding_blocks: {UNBONDING_BLOCKS} }}");
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &admin,
        "configure",
        &[
            registry_parameters.clone(),
            format!("Some({})", suite.subscription),
        ],
        0,
    );

    // Subscriptions, through every transition.
    let s0: u64 = bench.call::<_, SubscriptionError>(
        session,
        &subscription,
        &consumer,
        "create",
        &[
            t0.to_string(),
            descriptor_arg(9, "ipfs://rpc-node"),
            requirements_arg(&max_price(10)),
        ],
        10_000,
    );
    let stream0 = stream_of(session, &suite, s0);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &provider,
        "mark_ready",
        &id_arg(s0),
        0,
    );
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &sponsor,
        "top_up",
        &id_arg(s0),
        500,
    );
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &sponsor,
        "Escrow::deposit",
        &id_arg(stream0),
        500,
    );
    advance_blocks(session, 10);
    bench.call::<u128, SubscriptionError>(
        session,
        &subscription,
        &provider,
        "claim",
        &id_arg(s0),
        0,
    );
    advance_blocks(session, 5);
    bench.call::<u128, EscrowError>(
        session,
        &escrow,
        &payee,
        "Escrow::withdraw",
        &id_arg(stream0),
        0,
    );
    let propose = [s0.to_string(), "12".into()];
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &provider,
        "propose_price",
        &propose,
        0,
    );
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &consumer,
        "reject_price",
        &id_arg(s0),
        0,
    );
    subscription_ok::<()>(session, &suite, &provider, "propose_price", &propose, 0);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &consumer,
        "accept_price",
        &id_arg(s0),
        0,
    );

    let s1 = create(session, &suite, &consumer, t0, 10, 10_000);
    subscription_ok::<()>(session, &suite, &provider, "mark_ready", &id_arg(s1), 0);
    bench.call::<(), SubscriptionError>(session, &subscription, &provider, "exit", &id_arg(s1), 0);

    let s2 = create(session, &suite, &consumer, t0, 10, 10_000);
    subscription_ok::<()>(session, &suite, &provider, "mark_ready", &id_arg(s2), 0);
    advance_blocks(session, 2);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &admin,
        "admin_close",
        &id_arg(s2),
        0,
    );

    // Dynamic pricing: proposed, applied by anyone after the notice.
    let s3 = create(session, &suite, &consumer, t1, 15, 10_000);
    subscription_ok::<()>(
        session,
        &suite,
        &dynamic_provider,
        "mark_ready",
        &id_arg(s3),
        0,
    );
    subscription_ok::<()>(
        session,
        &suite,
        &dynamic_provider,
        "propose_price",
        &[s3.to_string(), "15".into()],
        0,
    );
    advance_blocks(session, 10);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &anyone,
        "apply_price",
        &id_arg(s3),
        0,
    );

    // The awarded provider misses its deadline: the other one gets it.
    let s4 = create(session, &suite, &consumer, t2, 10, 10_000);
    advance_blocks(session, READY_TIMEOUT + 1);
    bench.call::<(), SubscriptionError>(session, &subscription, &anyone, "reaward", &id_arg(s4), 0);

    let s5 = create(session, &suite, &consumer, t0, 10, 10_000);
    let s6 = create(session, &suite, &consumer, t0, 10, 10_000);
    for id in [s5, s6] {
        subscription_ok::<()>(session, &suite, &provider, "mark_ready", &id_arg(id), 0);
    }
    advance_blocks(session, 5);
    bench.call::<u128, SubscriptionError>(
        session,
        &subscription,
        &provider,
        "claim_many",
        &[format!("[{s5}, {s6}]")],
        0,
    );

    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &consumer,
        "cancel",
        &id_arg(s0),
        0,
    );
    advance_blocks(session, CONSUMER_NOTICE);
    bench.call::<(), SubscriptionError>(session, &subscription, &anyone, "settle", &id_arg(s0), 0);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &admin,
        "configure",
        &[format!(
            "Parameters {{ ready_timeout: {READY_TIMEOUT}, consumer_notice: {CONSUMER_NOTICE} }}"
        )],
        0,
    );
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &admin,
        "set_award",
        &[suite.award.to_string()],
        0,
    );

    // The leaving provider's bond, once unbonded.
    advance_blocks(session, UNBONDING_BLOCKS + 1);
    bench.call::<u128, RegistryError>(session, &registry, &leaving, "withdraw_bond", &[], 0);

    // Award and escrow configuration (admin), rewired as they were.
    bench.call::<(), AwardError>(
        session,
        &award,
        &admin,
        "configure",
        &[
            format!("Some({})", suite.subscription),
            MAX_CANDIDATES.to_string(),
            "RoundRobin".into(),
        ],
        0,
    );
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &admin,
        "set_subscription_contract",
        &[format!("Some({})", suite.subscription)],
        0,
    );

    // Queries, dry-run.
    let p = provider.id.to_string();
    let c = consumer.id.to_string();
    let queries: Vec<(&Contract, &str, Vec<String>)> = vec![
        (&registry, "deployment_type", vec![t0.to_string()]),
        (
            &registry,
            "type_id_by_name",
            vec!["\"substrate-rpc\"".into()],
        ),
        (&registry, "types", vec!["0".into(), "10".into()]),
        (&registry, "provider", vec![p.clone()]),
        (&registry, "providers", vec!["0".into(), "10".into()]),
        (
            &registry,
            "attestation",
            vec![p.clone(), anyone.id.to_string()],
        ),
        (&registry, "offer", vec!["0".into()]),
        (
            &registry,
            "offers_of_type",
            vec![t0.to_string(), "0".into(), "10".into()],
        ),
        (&registry, "offer_count_of_type", vec![t0.to_string()]),
        (&registry, "parameters", vec![]),
        (&registry, "controller", vec![]),
        (
            &registry,
            "Registry::candidates",
            vec![t0.to_string(), "0".into(), "10".into(), "[]".into()],
        ),
        (&award, "strategy", vec![]),
        (&award, "registry", vec![]),
        (&award, "selector", vec![]),
        (&award, "max_candidates", vec![]),
        (&award, "cursor", vec![t0.to_string()]),
        (&subscription, "subscription", id_arg(s0)),
        (&subscription, "details", id_arg(s5)),
        (
            &subscription,
            "subscriptions_of_consumer",
            vec![c.clone(), "0".into(), "10".into()],
        ),
        (
            &subscription,
            "subscriptions_of_provider",
            vec![p.clone(), "0".into(), "10".into()],
        ),
        (&subscription, "subscription_count", vec![]),
        (&subscription, "live_count", vec![]),
        (&subscription, "parameters", vec![]),
        (&subscription, "award", vec![]),
        (&subscription, "registry", vec![]),
        (&subscription, "escrow", vec![]),
        (&escrow, "subscription_contract", vec![]),
        (&escrow, "stream", id_arg(stream_of(session, &suite, s5))),
        (&escrow, "stream_count", vec![]),
        (&escrow, "total_held", vec![]),
        (
            &escrow,
            "Escrow::figures",
            id_arg(stream_of(session, &suite, s5)),
        ),
    ];
    for (contract, message, args) in &queries {
        bench.query(session, contract, &anyone, message, args);
    }

    // The Admin interface of each contract.
    let bundles = [
        BundleProvider::DinfraRegistry,
        BundleProvider::DinfraAward,
        BundleProvider::DinfraSubscription,
        BundleProvider::DinfraEscrow,
    ];
    for (contract, bundle) in contracts(&suite).iter().zip(bundles) {
        for message in ["Admin::admin", "Admin::pending_admin", "Admin::paused"] {
            bench.query(session, contract, &anyone, message, &[]);
        }
        bench.call::<(), AdminError>(
            session,
            contract,
            &admin,
            "Admin::transfer_admin",
            &[new_admin.id.to_string()],
            0,
        );
        bench.call::<(), AdminError>(session, contract, &new_admin, "Admin::accept_admin", &[], 0);
        // And back.
        let back = [admin.id.to_string()];
        send::<(), AdminError>(
            session,
            &contract.address,
            &new_admin,
            "Admin::transfer_admin",
            &back,
            0,
        );
        send::<(), AdminError>(
            session,
            &contract.address,
            &admin,
            "Admin::accept_admin",
            &[],
            0,
        );
        bench.call::<(), AdminError>(
            session,
            contract,
            &admin,
            "Admin::set_paused",
            &["true".into()],
            0,
        );
        send::<(), AdminError>(
            session,
            &contract.address,
            &admin,
            "Admin::set_paused",
            &["false".into()],
            0,
        );
        // An upgrade to the same code (already uploaded: no deposit).
        session.set_actor(admin.id.clone());
        let code_hash = session
            .upload_bundle(bundle.bundle().expect("the contract's bundle"))
            .expect("uploading the contract's code");
        bench.call::<(), AdminError>(
            session,
            contract,
            &admin,
            "Admin::set_code",
            &[hex32(code_hash.0)],
            0,
        );
    }
}

/// The messages only a controller may call (registry reserve, release and
/// record; escrow open, start, reassign, set_rate, set_end, close; award
/// select) as top-level calls: a suite whose controller, escrow
/// subscription contract and award selector is a plain account. Reached
/// through the subscription contract they are part of `create`,
/// `mark_ready`, `settle` … rows.
fn controller_messages(bench: &mut Bench, limits: &Limits) {
    let session = &mut new_session(limits);
    let suite = deploy_suite(session).expect("deploying the suite");
    let [registry, award, _, escrow] = contracts(&suite);
    let admin = Actor {
        role: "admin",
        id: session.get_actor(),
    };
    let controller = actor(session, "controller*", 50);
    let payer = actor(session, "payer", 51);
    let payee = actor(session, "payee", 52);
    let other_payee = actor(session, "payee", 53);
    let wire = format!("Some({})", controller.id);
    send::<(), RegistryError>(
        session,
        &suite.registry,
        &admin,
        "configure",
        &[
            format!("Parameters {{ min_bond: {MIN_BOND}, unbonding_blocks: {UNBONDING_BLOCKS} }}"),
            wire.clone(),
        ],
        0,
    );
    send::<(), EscrowError>(
        session,
        &suite.escrow,
        &admin,
        "set_subscription_contract",
        &[wire.clone()],
        0,
    );
    send::<(), AwardError>(
        session,
        &suite.award,
        &admin,
        "configure",
        &[wire, MAX_CANDIDATES.to_string(), "RoundRobin".into()],
        0,
    );
    let t0 = register_type(session, &suite, "substrate-rpc");
    publish_offers(session, &suite, t0, 10, 60);

    let decision: AwardDecision = bench.call::<_, AwardError>(
        session,
        &award,
        &controller,
        "Award::select",
        &[requirements_arg(&max_price(10)), t0.to_string(), "0".into()],
        0,
    );
    let offer = decision.offer_id.to_string();
    bench.call::<Reservation, RegistryError>(
        session,
        &registry,
        &controller,
        "Registry::reserve",
        &[offer.clone()],
        0,
    );
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &controller,
        "Registry::release",
        &[offer],
        0,
    );
    bench.call::<(), RegistryError>(
        session,
        &registry,
        &controller,
        "Registry::record",
        &[decision_provider(&decision), "Completed".into()],
        0,
    );

    let stream: u64 = bench.call::<_, EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::open",
        &[payer.id.to_string(), payee.id.to_string(), "3".into()],
        10_000_000,
    );
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::reassign",
        &[stream.to_string(), other_payee.id.to_string(), "4".into()],
        0,
    );
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::start",
        &id_arg(stream),
        0,
    );
    advance_blocks(session, 10);
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::set_rate",
        &[stream.to_string(), "5".into()],
        0,
    );
    let end = block_number(session) + 100;
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::set_end",
        &[stream.to_string(), end.to_string()],
        0,
    );
    advance_blocks(session, 10);
    bench.call::<(u128, u128), EscrowError>(
        session,
        &escrow,
        &controller,
        "Escrow::close",
        &id_arg(stream),
        0,
    );
}

fn decision_provider(decision: &AwardDecision) -> String {
    account_arg(&decision.provider)
}

// ---- scaling series -------------------------------------------------------

/// `Award::select` (by a plain selector) and `create` with `offers` offers
/// of the type.
fn with_offers(bench: &mut Bench, limits: &Limits, offers: u32) {
    let session = &mut new_session(limits);
    let suite = deploy_suite(session).expect("deploying the suite");
    let admin = Actor {
        role: "admin",
        id: session.get_actor(),
    };
    let driver = actor(session, "selector", 50);
    let consumer = actor(session, "consumer", 51);
    let t0 = register_type(session, &suite, "substrate-rpc");
    publish_offers(session, &suite, t0, offers, 100);
    let wire = |session: &mut Sandbox, selector: &AccountId32| {
        send::<(), AwardError>(
            session,
            &suite.award,
            &admin,
            "configure",
            &[
                format!("Some({selector})"),
                MAX_CANDIDATES.to_string(),
                "RoundRobin".into(),
            ],
            0,
        )
    };
    wire(session, &driver.id);
    send::<AwardDecision, AwardError>(
        session,
        &suite.award,
        &driver,
        "Award::select",
        &[requirements_arg(&max_price(10)), t0.to_string(), "0".into()],
        0,
    );
    bench.point(
        "Award::select",
        format!("{} offers", thousands(offers)),
        offers.into(),
        Cost::last(session),
    );
    wire(session, &suite.subscription);
    create(session, &suite, &consumer, t0, 10, 10_000);
    bench.point(
        "create",
        format!("{} offers", thousands(offers)),
        offers.into(),
        Cost::last(session),
    );
}

/// `claim`, `settle` and the payee's `Escrow::withdraw` after `blocks`
/// blocks of billing.
fn after_blocks(bench: &mut Bench, limits: &Limits, blocks: u32) {
    let session = &mut new_session(limits);
    let suite = deploy_suite(session).expect("deploying the suite");
    let consumer = actor(session, "consumer", 30);
    let anyone = actor(session, "anyone", 32);
    let provider = actor(session, "provider", 40);
    let t0 = register_type(session, &suite, "substrate-rpc");
    provider_with_terms(session, &suite, &provider.id, &[], t0, fixed(10, 5));
    let billed = 10 * u128::from(blocks);
    // Claimed after `blocks`; runs out exactly then (settled); withdrawn
    // from the escrow directly.
    let claimed = create(session, &suite, &consumer, t0, 10, 2 * billed);
    let exhausted = create(session, &suite, &consumer, t0, 10, billed);
    let withdrawn = create(session, &suite, &consumer, t0, 10, 2 * billed);
    for id in [claimed, exhausted, withdrawn] {
        subscription_ok::<()>(session, &suite, &provider, "mark_ready", &id_arg(id), 0);
    }
    advance_blocks(session, blocks);
    let label = format!("after {} blocks", thousands(blocks));
    let amount: u128 = subscription_ok(session, &suite, &provider, "claim", &id_arg(claimed), 0);
    assert_eq!(amount, billed);
    bench.point("claim", label.clone(), blocks.into(), Cost::last(session));
    subscription_ok::<()>(session, &suite, &anyone, "settle", &id_arg(exhausted), 0);
    bench.point("settle", label.clone(), blocks.into(), Cost::last(session));
    let stream = stream_of(session, &suite, withdrawn);
    let amount: u128 = send::<_, EscrowError>(
        session,
        &suite.escrow,
        &provider,
        "Escrow::withdraw",
        &id_arg(stream),
        0,
    );
    assert_eq!(amount, billed);
    bench.point(
        "Escrow::withdraw",
        label,
        blocks.into(),
        Cost::last(session),
    );
}

/// One consumer's subscriptions: the paginated queries with 10 and 1,000 of
/// them, and claims of 1, 10 and 50 subscriptions in one `claim_many`.
fn many_subscriptions(bench: &mut Bench, limits: &Limits) {
    let session = &mut new_session(limits);
    let suite = deploy_suite(session).expect("deploying the suite");
    let consumer = actor(session, "consumer", 30);
    let anyone = actor(session, "anyone", 32);
    let provider = actor(session, "provider", 40);
    let t0 = register_type(session, &suite, "substrate-rpc");
    provider_with_terms(session, &suite, &provider.id, &[], t0, fixed(10, 1_024));
    let mut count = 0u64;
    let mut create_up_to = |session: &mut Sandbox, n: u64| {
        let started = Instant::now();
        while count < n {
            create(session, &suite, &consumer, t0, 10, 100_000);
            count += 1;
            // drink scans the block's events after every call: a new block
            // now and then keeps that short.
            if count % 25 == 0 {
                advance_blocks(session, 1);
            }
        }
        eprintln!(
            "bench: {n} subscriptions of one consumer ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    };
    let queries = |bench: &mut Bench, session: &mut Sandbox, total: u64| {
        let c = consumer.id.to_string();
        let p = provider.id.to_string();
        let last = (total - 10).to_string();
        let pages: [(&'static str, Vec<String>); 3] = [
            (
                "subscriptions_of_consumer first 10",
                vec![c.clone(), "0".into(), "10".into()],
            ),
            (
                "subscriptions_of_consumer last 10",
                vec![c.clone(), last, "10".into()],
            ),
            (
                "subscriptions_of_provider first 10",
                vec![p.clone(), "0".into(), "10".into()],
            ),
        ];
        for (series, args) in pages {
            let message = series.split(' ').next().expect("a message name");
            let cost = dry_run(session, &suite.subscription, &anyone, message, &args);
            let label = format!("{} subscriptions", thousands(total));
            bench.point(series, label, total, cost);
        }
    };
    create_up_to(session, 10);
    queries(bench, session, 10);

    // Claims: ids 0 (alone), 1..=10, 11..=60 and 61 (`claim`).
    create_up_to(session, 62);
    for id in 0..62 {
        subscription_ok::<()>(session, &suite, &provider, "mark_ready", &id_arg(id), 0);
    }
    advance_blocks(session, 10);
    subscription_ok::<u128>(session, &suite, &provider, "claim", &id_arg(61), 0);
    bench.point("claim_many", "claim (1, alone)", 0, Cost::last(session));
    for range in [0..1u64, 1..11, 11..61] {
        let n = range.end - range.start;
        let ids: Vec<String> = range.map(|id| id.to_string()).collect();
        let total: u128 = subscription_ok(
            session,
            &suite,
            &provider,
            "claim_many",
            &[format!("[{}]", ids.join(", "))],
            0,
        );
        assert_eq!(total, 100 * u128::from(n as u32));
        bench.point(
            "claim_many",
            format!("{n} subscription{}", if n == 1 { "" } else { "s" }),
            n,
            Cost::last(session),
        );
    }

    create_up_to(session, 1_000);
    queries(bench, session, 1_000);
}

// ---- report ------------------------------------------------------------------

/// `1234567` → `1,234,567`.
fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_cost(cost: &Cost) -> String {
    format!(
        "\"ref_time\": {}, \"proof_size\": {}, \"required_ref_time\": {}, \
         \"required_proof_size\": {}, \"storage_deposit\": {}",
        cost.ref_time,
        cost.proof_size,
        cost.required_ref_time,
        cost.required_proof_size,
        cost.deposit
    )
}

/// How many calls fit in the normal class of one block. frame-system
/// admits an extrinsic when the block's weight plus its pre-dispatch weight
/// (the extrinsic base + pallet-contracts' `call` base + the gas limit, at
/// least `gas_required`) stays within `max_total`, then counts what it
/// consumed (the gas consumed instead of the limit): n calls fit when
/// (n − 1) × consumed + required ≤ max_total.
struct Capacity {
    what: String,
    per_call: Cost,
    /// Units of work one call does (subscriptions claimed).
    units: u64,
    /// What one call extrinsic weighs once dispatched.
    extrinsic: Weight,
    by_ref_time: u64,
    by_proof_size: u64,
}

/// Calls of `consumed` each, the last admitted on `required`, within `max`.
fn fitting(max: u64, consumed: u64, required: u64) -> u64 {
    match max.checked_sub(required) {
        None => 0,
        Some(room) => room / consumed.max(1) + 1,
    }
}

impl Capacity {
    fn new(limits: &Limits, what: impl Into<String>, per_call: Cost, units: u64) -> Self {
        let base = limits.base_extrinsic.saturating_add(limits.call_base);
        let extrinsic =
            base.saturating_add(Weight::from_parts(per_call.ref_time, per_call.proof_size));
        let admitted = base.saturating_add(Weight::from_parts(
            per_call.required_ref_time,
            per_call.required_proof_size,
        ));
        let max = limits.normal_max_total;
        Self {
            what: what.into(),
            per_call,
            units,
            extrinsic,
            by_ref_time: fitting(max.ref_time(), extrinsic.ref_time(), admitted.ref_time()),
            by_proof_size: fitting(
                max.proof_size(),
                extrinsic.proof_size(),
                admitted.proof_size(),
            ),
        }
    }

    fn calls(&self) -> u64 {
        self.by_ref_time.min(self.by_proof_size)
    }

    fn binding(&self) -> &'static str {
        if self.by_ref_time <= self.by_proof_size {
            "ref_time"
        } else {
            "proof_size"
        }
    }
}

struct WasmSize {
    contract: &'static str,
    artifact: Option<u64>,
    /// `None` when the bundle could not be read (rebuilt meanwhile).
    bundle: Option<u64>,
}

fn wasm_sizes(artifacts: &Path) -> Vec<WasmSize> {
    let bundles = [
        ("registry", BundleProvider::DinfraRegistry),
        ("award", BundleProvider::DinfraAward),
        ("subscription", BundleProvider::DinfraSubscription),
        ("escrow", BundleProvider::DinfraEscrow),
    ];
    bundles
        .into_iter()
        .map(|(contract, provider)| {
            let bundle = provider.bundle().ok().map(|b| b.wasm.len() as u64);
            let artifact = std::fs::metadata(artifacts.join(format!("dinfra_{contract}.wasm")))
                .ok()
                .map(|m| m.len());
            WasmSize {
                contract,
                artifact,
                bundle,
            }
        })
        .collect()
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn markdown(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    artifacts: &Path,
) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# DINFRA benchmarks (drink sandbox)\n");
    let _ = writeln!(
        w,
        "Read from the runtime by `deploy/bench.sh` (`e2e-tests/src/bin/bench.rs`): \
         `gas_consumed` (ref_time in picoseconds, proof_size in bytes) and `storage_deposit` \
         of each call's result in drink's `MinimalSandbox` (pallet-contracts with \
         `DepositPerByte` = `DepositPerItem` = 1, so a deposit is bytes + items stored; \
         positive: charged to the caller, negative: refunded). Committed calls are made by \
         the caller the message is meant for; queries are dry runs. The weight of a call \
         extrinsic adds pallet-contracts' `call` base ({} ref_time, {} proof_size) and the \
         extrinsic base ({} ref_time) to the figures below.\n",
        thousands(limits.call_base.ref_time()),
        thousands(limits.call_base.proof_size()),
        thousands(limits.base_extrinsic.ref_time()),
    );

    let _ = writeln!(w, "## Every message\n");
    let _ = writeln!(
        w,
        "\\* controller-only message, called by a plain account the registry, escrow and \
         award were wired to (a top-level call; through the subscription contract it is \
         part of `create`, `mark_ready`, `settle` …).\n"
    );
    let _ = writeln!(
        w,
        "| contract | message | caller | how | ref_time | proof_size | storage deposit |"
    );
    let _ = writeln!(w, "|---|---|---|---|---:|---:|---:|");
    for contract in ["registry", "award", "subscription", "escrow"] {
        for row in bench.rows.iter().filter(|r| r.contract == contract) {
            let _ = writeln!(
                w,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                row.contract,
                row.message,
                row.caller,
                row.how,
                thousands(row.cost.ref_time),
                thousands(row.cost.proof_size),
                thousands(row.cost.deposit),
            );
        }
    }

    let _ = writeln!(w, "\n## Scaling\n");
    let _ = writeln!(
        w,
        "Each group in a fresh sandbox: `create` (subscription → award → registry → \
         escrow) and `Award::select` with N live offers of the type (award window {}); \
         `claim`, `settle` (money ran out exactly then) and the payee's `Escrow::withdraw` \
         after N blocks of billing (beyond 100 blocks the block number jumps); \
         page queries (10 entries) with N subscriptions of one consumer (and provider) \
         and `claim_many` of N subscriptions (these two in one sandbox).\n",
        MAX_CANDIDATES
    );
    let _ = writeln!(
        w,
        "| series | point | ref_time | proof_size | storage deposit | ref_time vs first |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|");
    let mut names: Vec<&str> = Vec::new();
    for point in &bench.series {
        if !names.contains(&point.series) {
            names.push(point.series);
        }
    }
    for name in names {
        let points: Vec<&Point> = bench.series.iter().filter(|p| p.series == name).collect();
        let base = points[0].cost.ref_time;
        for point in points {
            let change = (point.cost.ref_time as f64 - base as f64) / base as f64 * 100.0;
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | {} | {} | {:+.2}% |",
                point.series,
                point.label,
                thousands(point.cost.ref_time),
                thousands(point.cost.proof_size),
                thousands(point.cost.deposit),
                change
            );
        }
    }
    if let (Some(one), Some(fifty)) = (
        bench
            .series
            .iter()
            .find(|p| p.series == "claim_many" && p.n == 1),
        bench
            .series
            .iter()
            .find(|p| p.series == "claim_many" && p.n == 50),
    ) {
        let _ = writeln!(
            w,
            "\n`claim_many`: each subscription past the first adds {} ref_time, {} proof_size.",
            thousands((fifty.cost.ref_time - one.cost.ref_time) / 49),
            thousands((fifty.cost.proof_size - one.cost.proof_size) / 49)
        );
    }

    let _ = writeln!(w, "\n## Flat where the design says O(1) or O(limit)\n");
    let _ = writeln!(
        w,
        "| cost | small | large | ref_time diff | proof_size diff | bound | |"
    );
    let _ = writeln!(w, "|---|---|---|---:|---:|---:|---|");
    for check in &bench.checks {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.3}% | {:.3}% | {:.0}% | {} |",
            check.what,
            check.small,
            check.large,
            check.ref_diff * 100.0,
            check.proof_diff * 100.0,
            check.bound * 100.0,
            if check.passed() { "flat" } else { "**GREW**" }
        );
    }

    let _ = writeln!(w, "\n## Calls per block (sandbox runtime)\n");
    let _ = writeln!(
        w,
        "`frame_system::Config::BlockWeights` of `MinimalSandboxRuntime`: max_block {} \
         ref_time, {} proof_size; the normal class (every contract call) may fill \
         `max_total` = {} ref_time, {} proof_size (75% of the block). A call extrinsic \
         weighs the gas it consumed + pallet-contracts' `call` base + the extrinsic base, \
         and is admitted while the block's weight + its gas limit (`gas_required`) + those \
         bases stays within `max_total`: n calls fit when (n − 1) × weight + admitted ≤ \
         `max_total`, by ref_time and by proof_size; the smaller binds.\n",
        thousands(limits.max_block.ref_time()),
        thousands(limits.max_block.proof_size()),
        thousands(limits.normal_max_total.ref_time()),
        thousands(limits.normal_max_total.proof_size()),
    );
    let _ = writeln!(
        w,
        "| call | extrinsic ref_time | extrinsic proof_size | per block by ref_time | by proof_size | fit | binding |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
    for c in capacity {
        let fit = if c.units > 1 {
            format!(
                "{} ({} subscriptions)",
                thousands(c.calls()),
                thousands(c.calls() * c.units)
            )
        } else {
            thousands(c.calls())
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.what,
            thousands(c.extrinsic.ref_time()),
            thousands(c.extrinsic.proof_size()),
            thousands(c.by_ref_time),
            if limits.max_block.proof_size() == u64::MAX {
                "no bound (max_block proof_size is u64::MAX)".to_string()
            } else {
                thousands(c.by_proof_size)
            },
            fit,
            c.binding()
        );
    }

    let _ = writeln!(w, "\n## Wasm size\n");
    let _ = writeln!(
        w,
        "Optimized Wasm (`cargo contract build --release`): `{}/dinfra_*.wasm` when \
         `deploy/build.sh` made them, and the bundle drink built and deployed here, against \
         substrate-contracts-node's {} limit and the sandbox runtime's `MaxCodeLen` ({}).\n",
        artifacts.display(),
        kib(NODE_CODE_LIMIT),
        kib(limits.max_code_len)
    );
    let _ = writeln!(
        w,
        "| contract | artifacts | drink bundle | of {} | of {} |",
        kib(NODE_CODE_LIMIT),
        kib(limits.max_code_len)
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for size in sizes {
        let bytes = size.artifact.or(size.bundle).unwrap_or(0);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1}% | {:.1}% |",
            size.contract,
            size.artifact
                .map_or("not built".to_string(), |b| format!("{} ({})", kib(b), b)),
            size.bundle
                .map_or("unreadable".to_string(), |b| format!("{} ({})", kib(b), b)),
            bytes as f64 / NODE_CODE_LIMIT as f64 * 100.0,
            bytes as f64 / limits.max_code_len as f64 * 100.0
        );
    }
    md
}

fn json(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    seconds: f64,
) -> String {
    let mut out = String::from("{\n");
    let weight = |w: Weight| {
        format!(
            "{{\"ref_time\": {}, \"proof_size\": {}}}",
            w.ref_time(),
            w.proof_size()
        )
    };
    let _ = writeln!(
        out,
        "  \"runtime\": {{\"name\": \"drink::minimal::MinimalSandboxRuntime\", \
         \"max_block\": {}, \"normal_max_total\": {}, \"normal_max_extrinsic\": {}, \
         \"base_extrinsic\": {}, \"contracts_call_base\": {}, \"max_code_len\": {}, \
         \"node_code_limit\": {}}},",
        weight(limits.max_block),
        weight(limits.normal_max_total),
        weight(limits.normal_max_extrinsic),
        weight(limits.base_extrinsic),
        weight(limits.call_base),
        limits.max_code_len,
        NODE_CODE_LIMIT
    );
    let messages: Vec<String> = bench
        .rows
        .iter()
        .map(|row| {
            format!(
                "    {{\"contract\": {}, \"message\": {}, \"caller\": {}, \"how\": {}, {}}}",
                json_string(row.contract),
                json_string(&row.message),
                json_string(row.caller),
                json_string(row.how),
                json_cost(&row.cost)
            )
        })
        .collect();
    let _ = writeln!(out, "  \"messages\": [\n{}\n  ],", messages.join(",\n"));
    let series: Vec<String> = bench
        .series
        .iter()
        .map(|p| {
            format!(
                "    {{\"series\": {}, \"point\": {}, \"n\": {}, {}}}",
                json_string(p.series),
                json_string(&p.label),
                p.n,
                json_cost(&p.cost)
            )
        })
        .collect();
    let _ = writeln!(out, "  \"series\": [\n{}\n  ],", series.join(",\n"));
    let checks: Vec<String> = bench
        .checks
        .iter()
        .map(|c| {
            format!(
                "    {{\"what\": {}, \"small\": {}, \"large\": {}, \"ref_time_diff\": {:.6}, \
                 \"proof_size_diff\": {:.6}, \"bound\": {}, \"flat\": {}}}",
                json_string(c.what),
                json_string(&c.small),
                json_string(&c.large),
                c.ref_diff,
                c.proof_diff,
                c.bound,
                c.passed()
            )
        })
        .collect();
    let _ = writeln!(out, "  \"flatness\": [\n{}\n  ],", checks.join(",\n"));
    let blocks: Vec<String> = capacity
        .iter()
        .map(|c| {
            format!(
                "    {{\"call\": {}, \"units_per_call\": {}, {}, \"extrinsic\": {}, \
                 \"per_block_by_ref_time\": {}, \"per_block_by_proof_size\": {}, \
                 \"per_block\": {}, \"binding\": {}}}",
                json_string(&c.what),
                c.units,
                json_cost(&c.per_call),
                weight(c.extrinsic),
                c.by_ref_time,
                c.by_proof_size,
                c.calls(),
                json_string(c.binding())
            )
        })
        .collect();
    let _ = writeln!(out, "  \"block_capacity\": [\n{}\n  ],", blocks.join(",\n"));
    let wasm: Vec<String> = sizes
        .iter()
        .map(|s| {
            format!(
                "    {{\"contract\": {}, \"artifact_bytes\": {}, \"bundle_bytes\": {}}}",
                json_string(s.contract),
                s.artifact.map_or("null".to_string(), |b| b.to_string()),
                s.bundle.map_or("null".to_string(), |b| b.to_string())
            )
        })
        .collect();
    let _ = writeln!(out, "  \"wasm\": [\n{}\n  ],", wasm.join(",\n"));
    let _ = writeln!(out, "  \"seconds\": {seconds:.1}");
    out.push_str("}\n");
    out
}

fn main() {
    let mut out = PathBuf::from("../artifacts");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().expect("--out DIR")),
            "-h" | "--help" => {
                println!("usage: bench [--out DIR]   (writes DIR/bench.md and DIR/bench.json)");
                return;
            }
            other => panic!("unknown argument {other:?} (usage: bench [--out DIR])"),
        }
    }
    let started = Instant::now();
    let limits = limits();
    let mut bench = Bench::default();
    // The bundles drink built, read before anything else can rebuild them.
    let sizes = wasm_sizes(&out);

    let step = |what: &str| eprintln!("bench: {what} ({:.0} s)", started.elapsed().as_secs_f64());
    step("every message");
    suite_messages(&mut bench, &limits);
    controller_messages(&mut bench, &limits);
    step("create and select with 10, 100, 1,000 offers");
    for offers in [10, 100, 1_000] {
        with_offers(&mut bench, &limits, offers);
    }
    step("claim, settle and withdraw after 10, 1,000, 1,000,000 blocks");
    for blocks in [10, 1_000, 1_000_000] {
        after_blocks(&mut bench, &limits, blocks);
    }
    step("claim_many and page queries with 10 and 1,000 subscriptions");
    many_subscriptions(&mut bench, &limits);

    bench.check_flat("`create`", "create", 10, 1_000, 0.10);
    bench.check_flat("`Award::select`", "Award::select", 10, 1_000, 0.10);
    bench.check_flat(
        "`Escrow::withdraw`",
        "Escrow::withdraw",
        10,
        1_000_000,
        0.05,
    );
    bench.check_flat("`claim`", "claim", 10, 1_000_000, 0.05);
    bench.check_flat("`settle`", "settle", 10, 1_000_000, 0.05);
    for series in [
        "subscriptions_of_consumer first 10",
        "subscriptions_of_consumer last 10",
        "subscriptions_of_provider first 10",
    ] {
        bench.check_flat(series, series, 10, 1_000, 0.10);
    }

    let claim_many_50 = bench.series_cost("claim_many", 50).1;
    let capacity = vec![
        Capacity::new(
            &limits,
            "`create` (10 offers of the type)",
            bench.cost("subscription", "create"),
            1,
        ),
        Capacity::new(&limits, "`claim`", bench.cost("subscription", "claim"), 1),
        Capacity::new(&limits, "`claim_many` of 50", claim_many_50, 50),
    ];
    let seconds = started.elapsed().as_secs_f64();
    let md = markdown(&bench, &limits, &capacity, &sizes, &out);
    let js = json(&bench, &limits, &capacity, &sizes, seconds);
    std::fs::create_dir_all(&out).expect("creating the output directory");
    std::fs::write(out.join("bench.md"), &md).expect("writing bench.md");
    std::fs::write(out.join("bench.json"), &js).expect("writing bench.json");
    println!("{md}");
    println!(
        "bench: wrote {} and {} in {seconds:.0} s",
        out.join("bench.md").display(),
        out.join("bench.json").display()
    );
    if bench.checks.iter().any(|c| !c.passed()) {
        eprintln!("bench: a cost that must stay flat grew (see the flatness table)");
        std::process::exit(1);
    }
}
