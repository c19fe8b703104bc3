//! The main paths through ink!'s own end-to-end framework, with the
//! contracts' generated call builders, on both of its backends:
//!
//! * the **sandbox** backend (`runtime_only`: pallet-contracts in process,
//!   on the scenarios' runtime [`dinfra_e2e_tests::DinfraSandbox`], with a
//!   real existential deposit), part of the normal test command;
//! * the **node** backend, a `substrate-contracts-node` that ink_e2e starts
//!   (or the one at `CONTRACTS_NODE_URL`). These tests are `#[ignore]`d:
//!   `deploy/test.sh` runs them with `--ignored` when the node is installed
//!   and otherwise says that they were not run.
//!
//! The sandbox backend never advances the block number, so the paths whose
//! money depends on elapsed blocks (claims, the end of a notice, settling)
//! run on the node, where instant seal makes one block per transaction.

use dinfra::admin::Admin;
use dinfra::governance::{Change, Link};
use dinfra::lifecycle::Parameters;
use dinfra::lifecycle::{CloseReason, Phase};
use dinfra::pool::{PoolError, Terms};
use dinfra::stream::StreamStatus;
use dinfra::traits::{
    AccessRecord, Descriptor, Details, Pricing, Requirements, Subscription as _, SubscriptionError,
};
use dinfra_award::award::{AwardContract, AwardContractRef};
use dinfra_e2e_tests::{BundleProvider, DinfraSandbox, GOVERNANCE_DELAY, MAX_CANDIDATES};
use dinfra_escrow::escrow::{EscrowContract, EscrowContractRef};
use dinfra_pool::pool::{PoolContract, PoolContractRef};
use dinfra_registry::registry::{RegistryContract, RegistryContractRef};
use dinfra_registry::types::OfferTerms;
use dinfra_subscription::subscription::{SubscriptionContract, SubscriptionContractRef};
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink_e2e::subxt::dynamic::Value;
use ink_e2e::{ContractsBackend, E2EBackend, Keypair};
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::OnceLock;

type E2EResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const MIN_BOND: u128 = 1_000;
const UNBONDING_BLOCKS: u32 = 100;
const READY_TIMEOUT: u32 = 20;
const CONSUMER_NOTICE: u32 = 10;
const RATE: u128 = 1_000_000;
const MIN_DURATION: u32 = 5;
const DEPOSIT: u128 = 200 * RATE;
const TOP_UP: u128 = 100 * RATE;

struct Suite {
    registry: AccountId,
    escrow: AccountId,
    subscription: AccountId,
}

fn account(keypair: &Keypair) -> AccountId {
    AccountId::from(keypair.public_key().0)
}

/// Instantiates the four contracts as Alice, each with
/// [`GOVERNANCE_DELAY`], and wires them as `deploy/deploy.sh` does: the
/// subscription contract's award link names the registry; it becomes the
/// registry's and the escrow's controller and the award's selector through
/// `Admin::schedule_change` (a first wiring applies at once, nothing is left
/// pending).
async fn deploy<C: E2EBackend>(client: &mut C) -> E2EResult<Suite>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let alice = ink_e2e::alice();
    // The split contracts' cold parts first: their constructors require
    // them on chain (contracts/src/cold.rs).
    for (name, which) in [
        ("dinfra_registry", BundleProvider::DinfraRegistry),
        ("dinfra_escrow", BundleProvider::DinfraEscrow),
        ("dinfra_subscription", BundleProvider::DinfraSubscription),
        // Only the pool scenario instantiates one; its code is uploaded
        // with the suite's.
        ("dinfra_pool", BundleProvider::DinfraPool),
    ] {
        for n in 1..=which.cold_parts()?.len() {
            client
                .upload(&format!("{name}_cold{n}"), &alice)
                .submit()
                .await
                .map_err(|e| format!("uploading {name}'s cold part {n}: {e:?}"))?;
        }
    }
    let registry = client
        .instantiate(
            "dinfra_registry",
            &alice,
            &mut RegistryContractRef::new(MIN_BOND, UNBONDING_BLOCKS, GOVERNANCE_DELAY),
        )
        .submit()
        .await
        .expect("instantiating the registry");
    let escrow = client
        .instantiate(
            "dinfra_escrow",
            &alice,
            &mut EscrowContractRef::new(GOVERNANCE_DELAY),
        )
        .submit()
        .await
        .expect("instantiating the escrow");
    let award = client
        .instantiate(
            "dinfra_award",
            &alice,
            &mut AwardContractRef::new(registry.account_id, MAX_CANDIDATES, GOVERNANCE_DELAY),
        )
        .submit()
        .await
        .expect("instantiating the award");
    let subscription = client
        .instantiate(
            "dinfra_subscription",
            &alice,
            &mut SubscriptionContractRef::new(
                // The registry chooses (its own award rules); the award
                // contract stands by, as deploy.sh leaves it.
                registry.account_id,
                registry.account_id,
                escrow.account_id,
                Parameters {
                    ready_timeout: READY_TIMEOUT,
                    consumer_notice: CONSUMER_NOTICE,
                },
                GOVERNANCE_DELAY,
            ),
        )
        .submit()
        .await
        .expect("instantiating the subscription contract");
    let suite = Suite {
        registry: registry.account_id,
        escrow: escrow.account_id,
        subscription: subscription.account_id,
    };
    let wire = Change::Link(Link::Controller, Some(suite.subscription));
    let mut registry = registry.call_builder::<RegistryContract>();
    let wired = client
        .call(&alice, &registry.schedule_change(wire))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert!(wired.is_ok(), "wiring the registry: {wired:?}");
    let controller = client
        .call(&alice, &registry.controller())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(
        controller,
        Some(suite.subscription),
        "a first wiring applies at once"
    );
    let pending = client
        .call(&alice, &registry.pending_changes())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert!(pending.is_empty(), "nothing pending: {pending:?}");
    let mut award = award.call_builder::<AwardContract>();
    let wired = client
        .call(&alice, &award.schedule_change(wire))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert!(wired.is_ok(), "wiring the award: {wired:?}");
    let selector = client
        .call(&alice, &award.selector())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(selector, Some(suite.subscription));
    let reads = client
        .call(&alice, &award.registry())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(
        reads, suite.registry,
        "the award contract stands by, reading this registry"
    );
    let mut escrow = escrow.call_builder::<EscrowContract>();
    let wired = client
        .call(&alice, &escrow.schedule_change(wire))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert!(wired.is_ok(), "wiring the escrow: {wired:?}");
    let controller = client
        .call(&alice, &escrow.subscription_contract())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(controller, Some(suite.subscription));
    let delay = client
        .call(&alice, &escrow.governance_delay())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(delay, GOVERNANCE_DELAY);
    let subscription = subscription.call_builder::<SubscriptionContract>();
    let asks = client
        .call(&alice, &subscription.award())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(
        asks, suite.registry,
        "the subscription contract asks the registry to choose"
    );
    Ok(suite)
}

fn builder<T>(at: AccountId) -> T::Type
where
    T: ink::codegen::ContractCallBuilder + ink::env::ContractEnv<Env = DefaultEnvironment>,
    T::Type: ink::env::call::FromAccountId<DefaultEnvironment>,
{
    ink_e2e::create_call_builder::<T>(at)
}

/// The backends' own errors, as a test failure.
fn fail<E: Debug>(error: E) -> Box<dyn std::error::Error> {
    format!("{error:?}").into()
}

/// Alice registers a deployment type; Bob registers as a provider and
/// offers it at [`RATE`]. Returns (type id, offer id).
async fn provider_with_offer<C: E2EBackend>(client: &mut C, suite: &Suite) -> E2EResult<(u32, u64)>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let mut registry = builder::<RegistryContract>(suite.registry);
    let type_id = client
        .call(
            &ink_e2e::alice(),
            &registry.register_type("substrate-rpc".into(), [7; 32]),
        )
        .submit()
        .await
        .map_err(fail)?
        .return_value()
        .expect("registering the type");
    let registered = client
        .call(
            &ink_e2e::bob(),
            &registry.register_provider("infra".into(), "wss://rpc.example".into(), Vec::new()),
        )
        .value(MIN_BOND)
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(registered, Ok(()));
    let offer_id = client
        .call(
            &ink_e2e::bob(),
            &registry.publish_offer(
                type_id,
                OfferTerms {
                    price_per_block: RATE,
                    capacity: 2,
                    min_duration: MIN_DURATION,
                    notice_blocks: 10,
                    pricing: Pricing::Fixed,
                    cancel_fee: 0,
                },
            ),
        )
        .submit()
        .await
        .map_err(fail)?
        .return_value()
        .expect("publishing the offer");
    Ok((type_id, offer_id))
}

/// At most twice [`RATE`], committing to [`MIN_DURATION`]; the rest asks
/// for nothing (no cancel fee accepted, any notice, any pricing).
fn requirements() -> Requirements {
    Requirements {
        max_price_per_block: 2 * RATE,
        min_duration: MIN_DURATION,
        ..Default::default()
    }
}

fn descriptor() -> Descriptor {
    Descriptor {
        hash: [9; 32],
        uri: "ipfs://rpc-node".into(),
    }
}

/// Charlie subscribes with `deposit`, to `offer_id` or (`None`) the offer
/// the registry's own award chooses; returns the subscription id.
async fn subscribe<C: E2EBackend>(
    client: &mut C,
    suite: &Suite,
    type_id: u32,
    offer_id: Option<u64>,
    deposit: u128,
) -> E2EResult<u64>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let mut subscription = builder::<SubscriptionContract>(suite.subscription);
    let id = client
        .call(
            &ink_e2e::charlie(),
            &subscription.create(type_id, descriptor(), requirements(), offer_id),
        )
        .value(deposit)
        .submit()
        .await
        .map_err(fail)?
        .return_value()
        .expect("subscribing");
    Ok(id)
}

async fn details<C: E2EBackend>(client: &mut C, suite: &Suite, id: u64) -> E2EResult<Details>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let subscription = builder::<SubscriptionContract>(suite.subscription);
    let details = client
        .call(&ink_e2e::dave(), &subscription.details(id))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value()
        .expect("the subscription exists");
    Ok(details)
}

/// The path every backend can walk without blocks passing: deploy and wire,
/// register and offer, subscribe (awarded to Bob, deposit held, capacity
/// reserved), refused calls (too small a deposit, a stranger marking ready,
/// settling before the end), mark ready, top up, cancel (end scheduled at
/// ready + min_duration or now + notice), and a second subscription
/// cancelled before it is ready: closed at once with a full refund; a third,
/// naming the offer, that the provider declines: with no other provider,
/// closed at once (`Declined`) with a full refund and no mark against it.
/// Returns the suite and the first subscription, Ending.
async fn main_path<C: E2EBackend>(client: &mut C) -> E2EResult<(Suite, u64)>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let suite = deploy(client).await?;
    let (type_id, offer_id) = provider_with_offer(client, &suite).await?;
    let mut subscription = builder::<SubscriptionContract>(suite.subscription);
    let registry = builder::<RegistryContract>(suite.registry);
    let escrow = builder::<EscrowContract>(suite.escrow);

    // A deposit below rate × min_duration is refused before anything moves.
    let too_small = client
        .call(
            &ink_e2e::charlie(),
            &subscription.create(type_id, descriptor(), requirements(), None),
        )
        .value(RATE * u128::from(MIN_DURATION) - 1)
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(too_small, Err(SubscriptionError::InsufficientDeposit));

    let id = subscribe(client, &suite, type_id, None, DEPOSIT).await?;
    let awarded = details(client, &suite, id).await?;
    assert_eq!(awarded.subscription.provider, account(&ink_e2e::bob()));
    assert_eq!(awarded.subscription.consumer, account(&ink_e2e::charlie()));
    assert_eq!(awarded.subscription.offer_id, offer_id);
    assert_eq!(awarded.subscription.rate_per_block, RATE);
    assert_eq!(awarded.subscription.phase, Phase::Awarded);
    assert_eq!(awarded.figures.status, StreamStatus::Pending);
    assert_eq!(awarded.figures.held, DEPOSIT);
    assert_eq!(awarded.figures.withdrawable, 0);
    let reserved = client
        .call(&ink_e2e::dave(), &registry.offer(offer_id))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value()
        .expect("the offer exists")
        .reserved;
    assert_eq!(reserved, 1);

    // Only the awarded provider marks ready, publishing where the consumer
    // reaches the deployment; nothing is due before the end.
    let access = AccessRecord {
        uris: vec!["wss://rpc.e2e.example:443".into()],
    };
    let stranger = client
        .call(
            &ink_e2e::dave(),
            &subscription.mark_ready(id, access.clone()),
        )
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(stranger, Err(SubscriptionError::Unauthorized));
    let ready = client
        .call(
            &ink_e2e::bob(),
            &subscription.mark_ready(id, access.clone()),
        )
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(ready, Ok(()));
    let active = details(client, &suite, id).await?;
    assert_eq!(active.subscription.phase, Phase::Active);
    assert_eq!(
        active.access,
        Some(access),
        "the access record, from the node"
    );
    let ready_at = active.subscription.ready_at.expect("ready");
    assert_eq!(active.figures.start, Some(ready_at));
    let too_early = client
        .call(&ink_e2e::dave(), &subscription.settle(id))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(too_early, Err(SubscriptionError::TooEarly));

    // Anyone may top up; the depletion block moves out by TOP_UP / RATE.
    let depletion_before = active.figures.depletion_block.expect("a finite deposit");
    let topped = client
        .call(&ink_e2e::dave(), &subscription.top_up(id))
        .value(TOP_UP)
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(topped, Ok(()));
    let topped = details(client, &suite, id).await?;
    assert_eq!(topped.figures.deposited, DEPOSIT + TOP_UP);
    assert_eq!(
        topped.figures.depletion_block,
        Some(depletion_before + (TOP_UP / RATE) as u32)
    );

    // Cancelling after ready ends billing at max(now + notice, ready + min).
    let cancelled = client
        .call(&ink_e2e::charlie(), &subscription.cancel(id))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(cancelled, Ok(()));
    let ending = details(client, &suite, id).await?;
    assert_eq!(ending.subscription.phase, Phase::Ending);
    let (end, reason) = ending.subscription.end.expect("an end is scheduled");
    assert_eq!(reason, CloseReason::ConsumerCancelled);
    assert!(
        end >= ready_at + MIN_DURATION,
        "end {end} before ready {ready_at} + min"
    );
    assert_eq!(ending.figures.end, Some(end));

    // Cancelled before ready: closed at once, everything refunded.
    let second = subscribe(client, &suite, type_id, None, DEPOSIT).await?;
    let cancelled = client
        .call(&ink_e2e::charlie(), &subscription.cancel(second))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(cancelled, Ok(()));
    let closed = details(client, &suite, second).await?;
    assert_eq!(
        closed.subscription.closed,
        Some(CloseReason::ConsumerCancelled)
    );
    assert_eq!(closed.figures.refunded, DEPOSIT);
    assert_eq!(closed.figures.withdrawn, 0);

    // Naming the offer; the provider declines it (only it may, before
    // ready): nobody else offers the type, so it closes with a full refund.
    let third = subscribe(client, &suite, type_id, Some(offer_id), DEPOSIT).await?;
    assert_eq!(
        details(client, &suite, third).await?.subscription.offer_id,
        offer_id
    );
    let stranger = client
        .call(&ink_e2e::dave(), &subscription.decline(third))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(stranger, Err(SubscriptionError::Unauthorized));
    let declined = client
        .call(&ink_e2e::bob(), &subscription.decline(third))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(declined, Ok(()));
    let closed = details(client, &suite, third).await?;
    assert_eq!(closed.subscription.closed, Some(CloseReason::Declined));
    assert_eq!(closed.figures.refunded, DEPOSIT);
    assert_eq!(closed.figures.withdrawn, 0);
    let bob = client
        .call(
            &ink_e2e::dave(),
            &registry.provider(account(&ink_e2e::bob())),
        )
        .dry_run()
        .await
        .map_err(fail)?
        .return_value()
        .expect("Bob is registered");
    assert_eq!(
        (bob.reputation.exited_early, bob.reputation.missed_ready),
        (0, 0),
        "a decline is no mark"
    );
    let reserved = client
        .call(&ink_e2e::dave(), &registry.offer(offer_id))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value()
        .expect("the offer exists")
        .reserved;
    assert_eq!(reserved, 1, "only the first subscription's deployment");

    // The escrow holds exactly what the open subscription still has.
    let held = client
        .call(&ink_e2e::dave(), &escrow.total_held())
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(held, DEPOSIT + TOP_UP);
    Ok((suite, id))
}

/// One block on the node: instant seal seals a block per transaction.
async fn pass_block<C: E2EBackend>(client: &mut C) {
    client
        .runtime_call(
            &ink_e2e::ferdie(),
            "System",
            "remark",
            vec![Value::from_bytes(b"dinfra: a block passes")],
        )
        .await
        .unwrap_or_else(|_| panic!("System::remark failed"));
}

/// The four contracts' Wasm, as ink_e2e's clients load it (a file per
/// contract, named after it): the release code the drink scenarios run,
/// the bundles deploy/build.sh built (`BundleProvider`). Asking ink_e2e
/// to build them instead would compile every contract crate this crate
/// depends on (the fixtures too) once more, in debug — half an hour on a
/// fresh 2-core machine — for code the chain never runs.
fn contracts() -> Vec<PathBuf> {
    static WRITTEN: OnceLock<Vec<PathBuf>> = OnceLock::new();
    WRITTEN
        .get_or_init(|| {
            // This binary is <target>/debug/deps/ink_e2e-…
            let exe = std::env::current_exe().expect("the test binary's path");
            let target = exe.ancestors().nth(3).expect("a target directory");
            let dir = target.join("ink-e2e-contracts");
            std::fs::create_dir_all(&dir).expect("creating the contracts' directory");
            [
                ("dinfra_registry", BundleProvider::DinfraRegistry),
                ("dinfra_escrow", BundleProvider::DinfraEscrow),
                ("dinfra_award", BundleProvider::DinfraAward),
                ("dinfra_subscription", BundleProvider::DinfraSubscription),
                ("dinfra_pool", BundleProvider::DinfraPool),
            ]
            .into_iter()
            .flat_map(|(name, which)| {
                let bundle = which
                    .bundle()
                    .unwrap_or_else(|e| panic!("the {name} bundle: {e:?}"));
                // A split contract's cold parts (contracts/src/cold.rs) as
                // `<name>_cold1` …, uploaded before it is instantiated.
                let parts = which
                    .cold_parts()
                    .unwrap_or_else(|e| panic!("the {name} cold parts: {e:?}"));
                let named = parts
                    .into_iter()
                    .enumerate()
                    .map(|(i, part)| (format!("{name}_cold{}", i + 1), part.wasm));
                std::iter::once((name.to_string(), bundle.wasm))
                    .chain(named)
                    .map(|(name, wasm)| {
                        let path = dir.join(format!("{name}.wasm"));
                        std::fs::write(&path, &wasm)
                            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
                        path
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
        })
        .clone()
}

/// Runs `test` on a current-thread runtime, as `#[ink_e2e::test]` does.
fn run(test: impl std::future::Future<Output = E2EResult<()>>) -> E2EResult<()> {
    ink_e2e::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(test)
}

#[test]
fn main_path_on_the_sandbox() -> E2EResult<()> {
    run(async {
        let mut client = ink_e2e::SandboxClient::<_, _, DinfraSandbox>::new(contracts());
        main_path(&mut client).await?;
        Ok(())
    })
}

/// The main path on a real node, then the money that depends on blocks:
/// the provider's claim is rate × blocks since ready, the cancelled
/// subscription settles at its end block, the provider is paid for
/// exactly ready..end and the consumer gets the rest back.
#[test]
#[ignore = "needs substrate-contracts-node: deploy/test.sh runs it when the node is installed"]
fn main_path_on_the_node() -> E2EResult<()> {
    let _node = ONE_AT_A_TIME_ON_THE_NODE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    run(async {
        let (mut client, _spawned) = node_client().await?;
        paid_per_block(&mut client).await
    })
}

/// The node tests sign with the same dev accounts (Alice instantiates,
/// Bob, Charlie…): run at once, two of them send with the same nonce and the
/// node refuses one ("Priority is too low"). Each holds this while it runs.
static ONE_AT_A_TIME_ON_THE_NODE: std::sync::Mutex<()> = std::sync::Mutex::new(());

type NodeClient = ink_e2e::Client<ink_e2e::PolkadotConfig, ink::env::DefaultEnvironment>;
type SpawnedNode = ink_e2e::TestNodeProcess<ink_e2e::PolkadotConfig>;

/// A client of the node at CONTRACTS_NODE_URL (deploy/test.sh starts one
/// with deploy/node.sh), else of one that ink_e2e starts from
/// CONTRACTS_NODE or PATH for this test alone (kept alive by the second
/// value).
async fn node_client() -> E2EResult<(NodeClient, Option<SpawnedNode>)> {
    let mut spawned = None;
    let rpc = match std::env::var("CONTRACTS_NODE_URL") {
        Ok(url) => ink_e2e::RpcClient::from_url(&url)
            .await
            .map_err(|error| format!("connecting to {url}: {error:?}"))?,
        Err(_) => {
            let node = SpawnedNode::build_with_env_or_default()
                .spawn()
                .await
                .map_err(|error| format!("starting substrate-contracts-node: {error:?}"))?;
            spawned.insert(node).rpc()
        }
    };
    let client = NodeClient::new(rpc, contracts()).await?;
    Ok((client, spawned))
}

/// See [`main_path_on_the_node`].
async fn paid_per_block<Client: E2EBackend>(client: &mut Client) -> E2EResult<()>
where
    <Client as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let (suite, id) = main_path(client).await?;
    let mut subscription = builder::<SubscriptionContract>(suite.subscription);
    let ending = details(client, &suite, id).await?;
    let ready_at = ending.subscription.ready_at.expect("ready");
    let (end, _) = ending.subscription.end.expect("ending");

    // The claim's own block counts: accrued = RATE × (claim block − ready).
    let claimed = client
        .call(&ink_e2e::bob(), &subscription.claim(id))
        .submit()
        .await
        .map_err(fail)?
        .return_value()
        .expect("something to claim");
    assert!(claimed > 0 && claimed % RATE == 0, "claimed {claimed}");
    let claim_block = ready_at + (claimed / RATE) as u32;
    assert!(claim_block < end, "claimed past the end");

    // Settling waits for the end block.
    let early = client
        .call(&ink_e2e::dave(), &subscription.settle(id))
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(early, Err(SubscriptionError::TooEarly));
    loop {
        let now = details(client, &suite, id).await?;
        if now.figures.status == StreamStatus::Ended {
            break;
        }
        pass_block(client).await;
    }
    let settled = client
        .call(&ink_e2e::dave(), &subscription.settle(id))
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(settled, Ok(()));
    let closed = details(client, &suite, id).await?;
    assert_eq!(closed.subscription.phase, Phase::Closed);
    assert_eq!(
        closed.subscription.closed,
        Some(CloseReason::ConsumerCancelled)
    );
    let paid = RATE * u128::from(end - ready_at);
    assert_eq!(closed.figures.withdrawn, paid);
    assert_eq!(closed.figures.refunded, DEPOSIT + TOP_UP - paid);
    assert_eq!(closed.figures.held, 0);
    Ok(())
}

/// The pool as a consumer through the `Subscription` trait: two
/// contributors fund it, Eve (the governor) creates the subscription from
/// the pool and cancels it before it is ready (closed at once, refunded in
/// full to the pool), anyone closes the pool, and each contributor gets its
/// contribution back to the unit. No block needs to pass, so both backends
/// walk it.
async fn pool_path<C: E2EBackend>(client: &mut C) -> E2EResult<()>
where
    <C as ContractsBackend<DefaultEnvironment>>::Error: Debug,
{
    let suite = deploy(client).await?;
    let (type_id, _) = provider_with_offer(client, &suite).await?;
    let governor = ink_e2e::eve();
    let terms = Terms {
        type_id,
        max_rate: 2 * RATE,
        max_cancel_fee: 0,
    };
    let mut constructor = PoolContractRef::new(suite.subscription, account(&governor), terms);
    let pool = client
        .instantiate("dinfra_pool", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await
        .expect("instantiating the pool");
    let address = pool.account_id;
    let mut pool = pool.call_builder::<PoolContract>();
    let shares = [
        (ink_e2e::charlie(), 150 * RATE),
        (ink_e2e::dave(), 50 * RATE),
    ];
    for (who, amount) in &shares {
        let reply = client
            .call(who, &pool.contribute())
            .value(*amount)
            .submit()
            .await
            .map_err(fail)?
            .return_value();
        assert_eq!(reply, Ok(()));
    }
    let stranger = client
        .call(
            &ink_e2e::ferdie(),
            &pool.create(descriptor(), requirements(), None, DEPOSIT),
        )
        .dry_run()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(stranger, Err(PoolError::NotGovernor));
    let id = client
        .call(
            &governor,
            &pool.create(descriptor(), requirements(), None, DEPOSIT),
        )
        .submit()
        .await
        .map_err(fail)?
        .return_value()
        .expect("the governor creates the subscription");
    let awarded = details(client, &suite, id).await?;
    assert_eq!(
        awarded.subscription.consumer, address,
        "the pool is the consumer"
    );
    assert_eq!(awarded.figures.deposited, DEPOSIT);

    let cancelled = client
        .call(&governor, &pool.cancel())
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(cancelled, Ok(()));
    let closed = details(client, &suite, id).await?;
    assert_eq!(
        closed.subscription.closed,
        Some(CloseReason::ConsumerCancelled)
    );
    assert_eq!(
        closed.figures.refunded, DEPOSIT,
        "refunded in full before ready"
    );
    let pool_closed = client
        .call(&ink_e2e::ferdie(), &pool.close())
        .submit()
        .await
        .map_err(fail)?
        .return_value();
    assert_eq!(pool_closed, Ok(()));
    for (who, amount) in &shares {
        let paid = client
            .call(who, &pool.withdraw())
            .submit()
            .await
            .map_err(fail)?
            .return_value();
        assert_eq!(paid, Ok(*amount), "the whole contribution back");
        let again = client
            .call(who, &pool.withdraw())
            .dry_run()
            .await
            .map_err(fail)?
            .return_value();
        assert_eq!(again, Err(PoolError::AlreadyWithdrawn));
    }
    Ok(())
}

#[test]
fn pool_path_on_the_sandbox() -> E2EResult<()> {
    run(async {
        let mut client = ink_e2e::SandboxClient::<_, _, DinfraSandbox>::new(contracts());
        pool_path(&mut client).await
    })
}

/// [`pool_path`] on a real node.
#[test]
#[ignore = "needs substrate-contracts-node: deploy/test.sh runs it when the node is installed"]
fn pool_path_on_the_node() -> E2EResult<()> {
    let _node = ONE_AT_A_TIME_ON_THE_NODE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    run(async {
        let (mut client, _spawned) = node_client().await?;
        pool_path(&mut client).await
    })
}
