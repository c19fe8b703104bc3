//! Randomized lifecycles: hundreds of seeded random sequences of operations
//! (create, ready, top-up, cancel, exit, repricing, blocks passing, claims,
//! settle, reaward, admin close) by three consumers, three providers (Fixed
//! and Dynamic offers of various price, capacity, minimum duration and
//! notice), a stranger (keeper, sponsor) and the admin, against the deployed
//! suite. Many calls are refused (wrong caller, wrong phase, too early, no
//! provider fits, deposit below the minimum, …); that is expected. What must
//! hold after EVERY step:
//!
//! 1. no native balance appeared or vanished: Σ free + held over every
//!    account and the four contracts is unchanged, and every account's free
//!    balance is exactly what the test's own books say (what it sent, what it
//!    was paid or refunded, storage deposits);
//! 2. every closed subscription paid out exactly its deposits: create
//!    deposit + top-ups = claims + paid at close + refunded, on the escrow's
//!    figures (`details` when it closes, the stream record at every step)
//!    and on the test's books;
//! 3. the registry's reserved capacity of each offer is the number of live
//!    subscriptions on it (per the subscription records), Σ = `live_count`,
//!    and each provider's reserved count is the sum of its offers';
//! 4. the escrow's free balance is what the books say and at least its
//!    `total_held`, which is Σ (deposits − claims) of live subscriptions.
//!
//! Beyond conservation, the test models the money rules itself: a
//! subscription earns its rate per block from its ready block to its end,
//! never more than it holds (nothing after depletion); every claim takes
//! exactly that, every close pays it and refunds the rest, and the escrow's
//! `withdrawable` matches the model after every step. It also checks the
//! lifecycle rules the model leans on (ready block, end block of a cancel or
//! an exit, rates only changed by an announced price change or a new award,
//! Dynamic rates within the consumer's bound) and that a refused call wrote
//! nothing.
//!
//! Cheap enough to run on every change: the suite is deployed once per
//! thread and each sequence starts from a snapshot of the sandbox's storage;
//! blocks pass by setting the block number (the contracts only read it); the
//! per-step checks read the contracts' storage directly (root keys from the
//! bundles' metadata) instead of a contract call per figure, and every few
//! sequences that reading is cross-checked against the contracts' own
//! messages (`details`, `live_count`, `offer`, `total_held`).
//!
//! A failing sequence prints its operations and its seed; replay only it
//! with `SUBSCRIPTION_RANDOM_SEED=0x… cargo test --test subscription_random
//! -- --nocapture`. `SUBSCRIPTION_RANDOM_SEQUENCES=n` runs n sequences,
//! `SUBSCRIPTION_RANDOM_THREADS=n` on n threads (default: the CPUs, at most
//! 4); the seeds, not the threads, decide what each sequence does.

use dinfra::admin::AdminData;
use dinfra::lifecycle::{CloseReason, Parameters, Phase, Subscription};
use dinfra::stream::{Stream, StreamStatus};
use dinfra::traits::{Pricing, Requirements, SubscriptionError};
use dinfra::types::BlockNumber;
use dinfra_e2e_tests::drink::sandbox_api::prelude::*;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;
use dinfra_escrow::data::EscrowData;
use dinfra_registry::data::{Offer, Provider};
use dinfra_subscription::data::SubscriptionData;
use dinfra_subscription::subscription::{
    Awarded, Claimed, Closed, PriceChanged, SubscriptionCreated,
};
use ink::metadata::layout::Layout;
use ink::scale::{Decode, Encode};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Sequences run by default, and the fewest operations in each.
const SEQUENCES: u64 = 200;
const MIN_OPS: u64 = 30;
/// Operations added at random to each sequence's minimum (0..EXTRA_OPS).
const EXTRA_OPS: u64 = 2;
/// Seed of the whole run; sequence `i` runs on `sequence_seed(BASE_SEED, i)`.
const BASE_SEED: u64 = 0xD1F7_A5EE_D000_0001;
/// Every this many sequences (and on the last), the storage reading is
/// cross-checked against the contracts' messages.
const CROSS_CHECK_EVERY: u64 = 25;
/// Most sandboxes (threads) the sequences are spread over.
const MAX_THREADS: usize = 4;

// ---- a small deterministic PRNG ------------------------------------------

/// splitmix64: tiny, fast, and good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
}

fn sequence_seed(base: u64, index: u64) -> u64 {
    Rng(base ^ index.wrapping_mul(0xA24B_AED4_963E_E407)).next()
}

// ---- the operations -------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Create,
    MarkReady,
    TopUp,
    Cancel,
    Exit,
    ProposePrice,
    AcceptPrice,
    RejectPrice,
    ApplyPrice,
    Advance,
    Claim,
    ClaimMany,
    Settle,
    Reaward,
    AdminClose,
}

/// How often each operation is drawn (out of the sum).
const WEIGHTS: [(Kind, u64); 15] = [
    (Kind::Create, 7),
    (Kind::MarkReady, 9),
    (Kind::TopUp, 6),
    (Kind::Cancel, 6),
    (Kind::Exit, 4),
    (Kind::ProposePrice, 8),
    (Kind::AcceptPrice, 6),
    (Kind::RejectPrice, 4),
    (Kind::ApplyPrice, 8),
    (Kind::Advance, 15),
    (Kind::Claim, 7),
    (Kind::ClaimMany, 3),
    (Kind::Settle, 7),
    (Kind::Reaward, 4),
    (Kind::AdminClose, 1),
];

/// One drawn operation, ready to run.
#[derive(Debug, Clone)]
enum Op {
    Create {
        consumer: usize,
        type_id: u32,
        requirements: Requirements,
        deposit: u128,
    },
    /// A subscription message on one id, by `actor`, sending `value`.
    OnId {
        kind: Kind,
        actor: AccountId32,
        id: u64,
        value: u128,
        rate: Option<u128>,
    },
    ClaimMany {
        actor: AccountId32,
        ids: Vec<u64>,
    },
    Advance(BlockNumber),
}

// ---- the market -------------------------------------------------------------

/// Offers of the one deployment type, as (provider index, terms).
fn offer_specs() -> Vec<(usize, OfferSpec)> {
    let spec = |price, capacity, min_duration, notice_blocks, dynamic| OfferSpec {
        price_per_block: price,
        capacity,
        min_duration,
        notice_blocks,
        dynamic,
    };
    vec![
        (0, spec(3, 2, 0, 5, false)),
        (0, spec(5, 1, 20, 0, true)),
        (1, spec(2, 2, 10, 6, true)),
        (2, spec(7, 3, 50, 30, false)),
        (2, spec(4, 2, 5, 3, true)),
    ]
}

/// Storage keys of the figures the checks read, from the bundles' metadata.
struct Keys {
    subscriptions: u32,
    streams: u32,
    offers: u32,
    providers: u32,
}

/// The root key of the storage field at `path` in a bundle's layout.
fn root_key(which: BundleProvider, path: &[&str]) -> u32 {
    fn find(layout: &Layout<ink::scale_info::form::PortableForm>, path: &[&str]) -> Option<u32> {
        match layout {
            Layout::Root(root) if path.is_empty() => Some(*root.root_key().key()),
            Layout::Root(root) => find(root.layout(), path),
            Layout::Struct(layout) => {
                let (head, rest) = path.split_first()?;
                let field = layout.fields().iter().find(|f| f.name() == head)?;
                find(field.layout(), rest)
            }
            _ => None,
        }
    }
    let bundle = which.bundle().expect("loading a bundle");
    find(bundle.transcoder.metadata().layout(), path)
        .unwrap_or_else(|| panic!("no storage field {path:?} in {which:?}"))
}

/// What the test sets up once: the suite, one deployment type with five
/// offers by three providers, one type nobody offers, three consumers, a
/// stranger (keeper, sponsor) and the admin.
struct World {
    suite: Suite,
    admin: AccountId32,
    providers: Vec<AccountId32>,
    consumers: Vec<AccountId32>,
    stranger: AccountId32,
    type_id: u32,
    empty_type: u32,
    /// (offer id, provider index, terms)
    offers: Vec<(u64, usize, OfferSpec)>,
    keys: Keys,
}

impl World {
    fn new(session: &mut Sandbox) -> Self {
        let suite = deploy_suite(session).expect("deploying the suite");
        let admin = session.get_actor();
        let type_id = register_type(session, &suite, "substrate-rpc");
        let empty_type = register_type(session, &suite, "nobody-offers-this");
        let providers: Vec<AccountId32> = (0..3).map(|i| funded_account(session, 21 + i)).collect();
        let mut offers = Vec::new();
        let mut registered = [false; 3];
        for (provider, spec) in offer_specs() {
            let offer_id = if registered[provider] {
                let actor = session.set_actor(providers[provider].clone());
                let published: Result<u64, dinfra::traits::RegistryError> = call(
                    session,
                    &suite.registry,
                    "publish_offer",
                    &[type_id.to_string(), spec.arg()],
                );
                session.set_actor(actor);
                published.expect("publishing a second offer")
            } else {
                registered[provider] = true;
                provider_with_terms(session, &suite, &providers[provider], &[], type_id, spec)
            };
            offers.push((offer_id, provider, spec));
        }
        let consumers = (0..3).map(|i| funded_account(session, 31 + i)).collect();
        let stranger = funded_account(session, 40);
        let keys = Keys {
            subscriptions: root_key(
                BundleProvider::DinfraSubscription,
                &["data", "subscriptions"],
            ),
            streams: root_key(BundleProvider::DinfraEscrow, &["data", "streams"]),
            offers: root_key(BundleProvider::DinfraRegistry, &["data", "offers"]),
            providers: root_key(BundleProvider::DinfraRegistry, &["data", "providers"]),
        };
        Self {
            suite,
            admin,
            providers,
            consumers,
            stranger,
            type_id,
            empty_type,
            offers,
            keys,
        }
    }

    /// Every account whose balance the test watches: people, then contracts.
    fn accounts(&self) -> Vec<AccountId32> {
        let mut all = vec![self.admin.clone()];
        all.extend(self.providers.iter().cloned());
        all.extend(self.consumers.iter().cloned());
        all.push(self.stranger.clone());
        all.extend([
            self.suite.registry.clone(),
            self.suite.award.clone(),
            self.suite.subscription.clone(),
            self.suite.escrow.clone(),
        ]);
        all
    }

    /// Anyone who may send a transaction.
    fn people(&self) -> Vec<AccountId32> {
        let mut all = vec![self.admin.clone(), self.stranger.clone()];
        all.extend(self.providers.iter().cloned());
        all.extend(self.consumers.iter().cloned());
        all
    }
}

// ---- reading the contracts' storage -----------------------------------------

fn read_raw(session: &mut Sandbox, contract: &AccountId32, key: Vec<u8>) -> Option<Vec<u8>> {
    let contract = contract.clone();
    session.sandbox().execute_with(|| {
        drink::pallet_contracts::Pallet::<drink::minimal::MinimalSandboxRuntime>::get_storage(
            contract, key,
        )
        .expect("reading a contract's storage")
    })
}

fn read_entry<K: Encode, V: Decode>(
    session: &mut Sandbox,
    contract: &AccountId32,
    root: u32,
    key: K,
) -> Option<V> {
    read_raw(session, contract, (root, key).encode()).map(|bytes| {
        let mut input = &bytes[..];
        let value = V::decode(&mut input).expect("decoding a storage entry");
        assert!(input.is_empty(), "storage entry longer than its type");
        value
    })
}

/// `next_id` and `live` of the subscription contract (its root struct:
/// admin, award, registry, escrow, parameters, data).
fn subscription_root(session: &mut Sandbox, world: &World) -> (u64, u64) {
    let bytes = read_raw(session, &world.suite.subscription, 0u32.encode()).expect("root");
    let input = &mut &bytes[..];
    AdminData::decode(input).expect("admin");
    for _ in 0..3 {
        ink::primitives::AccountId::decode(input).expect("a contract address");
    }
    Parameters::decode(input).expect("parameters");
    let data = <SubscriptionData as ink::storage::traits::Storable>::decode(input)
        .expect("subscription data");
    assert!(input.is_empty(), "subscription root struct not fully read");
    (data.next_id(), data.live())
}

/// `total_held` of the escrow (its root struct: admin, controller, data).
fn escrow_total_held(session: &mut Sandbox, world: &World) -> u128 {
    let bytes = read_raw(session, &world.suite.escrow, 0u32.encode()).expect("root");
    let input = &mut &bytes[..];
    AdminData::decode(input).expect("admin");
    Option::<ink::primitives::AccountId>::decode(input).expect("controller");
    let data = <EscrowData as ink::storage::traits::Storable>::decode(input).expect("escrow data");
    assert!(input.is_empty(), "escrow root struct not fully read");
    data.total_held()
}

/// Everything the checks look at, read from storage after a step.
#[derive(Debug, Clone)]
struct View {
    now: BlockNumber,
    live: u64,
    /// Subscription records by id (`0..next_id`), each with its stream.
    subs: Vec<(Subscription, Stream)>,
    /// Per world offer.
    offers: Vec<Offer>,
    /// Per world provider.
    providers: Vec<Provider>,
    total_held: u128,
}

fn read_view(session: &mut Sandbox, world: &World) -> View {
    let (next_id, live) = subscription_root(session, world);
    let mut subs = Vec::new();
    for id in 0..next_id {
        let sub: Subscription = read_entry(
            session,
            &world.suite.subscription,
            world.keys.subscriptions,
            id,
        )
        .unwrap_or_else(|| panic!("subscription {id} < next_id has no record"));
        let stream: Stream = read_entry(
            session,
            &world.suite.escrow,
            world.keys.streams,
            sub.stream_id,
        )
        .unwrap_or_else(|| panic!("subscription {id}'s stream {} missing", sub.stream_id));
        subs.push((sub, stream));
    }
    assert_eq!(
        read_entry::<_, Subscription>(
            session,
            &world.suite.subscription,
            world.keys.subscriptions,
            next_id
        ),
        None,
        "a record beyond next_id"
    );
    let offers = world
        .offers
        .iter()
        .map(|(offer_id, _, _)| {
            read_entry(session, &world.suite.registry, world.keys.offers, *offer_id)
                .expect("offer record")
        })
        .collect();
    let providers = world
        .providers
        .iter()
        .map(|p| {
            read_entry(
                session,
                &world.suite.registry,
                world.keys.providers,
                ink_account(p),
            )
            .expect("provider record")
        })
        .collect();
    View {
        now: block_number(session),
        live,
        subs,
        offers,
        providers,
        total_held: escrow_total_held(session, world),
    }
}

// ---- the test's books ---------------------------------------------------------

/// What the test itself knows about the money of one sequence.
#[derive(Debug, Default)]
struct Books {
    /// Per subscription: create deposit + successful top-ups.
    deposited: BTreeMap<u64, u128>,
    /// Per subscription: Σ claims.
    claimed: BTreeMap<u64, u128>,
    /// Per live subscription: earned and not yet claimed, by the test's
    /// own model of the stream rules.
    owed: BTreeMap<u64, u128>,
    /// Per closed subscription: (paid at close, refunded) from `Closed`.
    closed: BTreeMap<u64, (u128, u128)>,
    /// Every watched account's expected free balance.
    free: BTreeMap<AccountId32, u128>,
    /// Σ free + held of every watched account at the start.
    total: u128,
}

impl Books {
    /// What the escrow should hold for a live subscription.
    fn held(&self, id: u64) -> u128 {
        self.deposited.get(&id).copied().unwrap_or(0) - self.claimed.get(&id).copied().unwrap_or(0)
    }

    fn credit(&mut self, account: &AccountId32, amount: u128) {
        *self.free.get_mut(account).expect("a watched account") += amount;
    }

    fn debit(&mut self, account: &AccountId32, amount: u128) {
        let free = self.free.get_mut(account).expect("a watched account");
        *free = free.checked_sub(amount).expect("books: debit below zero");
    }
}

/// Counts per operation kind.
#[derive(Default)]
struct Tally {
    tried: BTreeMap<Kind, u64>,
    succeeded: BTreeMap<Kind, u64>,
    errors: BTreeMap<String, u64>,
    closes: BTreeMap<String, u64>,
    ops: u64,
    sequences: u64,
    max_subscriptions: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        fn add<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            for (key, count) in from {
                *into.entry(key).or_default() += count;
            }
        }
        add(&mut self.tried, other.tried);
        add(&mut self.succeeded, other.succeeded);
        add(&mut self.errors, other.errors);
        add(&mut self.closes, other.closes);
        self.ops += other.ops;
        self.sequences += other.sequences;
        self.max_subscriptions = self.max_subscriptions.max(other.max_subscriptions);
    }
}

fn account_of(account: &ink::primitives::AccountId) -> AccountId32 {
    let bytes: &[u8; 32] = account.as_ref();
    AccountId32::new(*bytes)
}

// ---- drawing an operation ---------------------------------------------------------

/// Whether an operation of `kind` on `sub` (with its `stream`, at `now`)
/// has a chance to succeed: what the draws aim at most of the time.
fn promising(kind: Kind, sub: &Subscription, stream: &Stream, now: BlockNumber) -> bool {
    let settleable = matches!(
        stream.status(now),
        StreamStatus::Ended | StreamStatus::Exhausted
    );
    match kind {
        Kind::MarkReady => sub.phase == Phase::Awarded && now <= sub.ready_deadline,
        Kind::Reaward => sub.phase == Phase::Awarded && now > sub.ready_deadline,
        Kind::Cancel | Kind::Exit | Kind::ProposePrice => live_phase(sub),
        Kind::TopUp | Kind::AdminClose => sub.phase != Phase::Closed,
        Kind::AcceptPrice | Kind::RejectPrice => {
            live_phase(sub) && sub.price_change.is_some_and(|c| c.needs_consent)
        }
        Kind::ApplyPrice => {
            sub.is_live()
                && sub
                    .price_change
                    .is_some_and(|c| !c.needs_consent && c.effective_at <= now)
        }
        Kind::Claim | Kind::ClaimMany => billed(sub) && stream.withdrawable(now) > 0,
        Kind::Settle => billed(sub) && settleable,
        Kind::Create | Kind::Advance => true,
    }
}

/// A subscription id to act on: usually a promising one, else any id,
/// sometimes one that does not exist. `None` (draw another kind) most of
/// the time when none is promising.
fn target(rng: &mut Rng, view: &View, kind: Kind) -> Option<u64> {
    let matching: Vec<u64> = view
        .subs
        .iter()
        .enumerate()
        .filter(|(_, (sub, stream))| promising(kind, sub, stream, view.now))
        .map(|(id, _)| id as u64)
        .collect();
    if matching.is_empty() && rng.chance(90) {
        return None;
    }
    if !matching.is_empty() && rng.chance(94) {
        return Some(rng.pick(&matching));
    }
    let count = view.subs.len() as u64;
    if count == 0 || rng.chance(5) {
        return Some(count + rng.below(2));
    }
    Some(rng.below(count))
}

/// The rightful actor most of the time, anyone else otherwise.
fn actor(
    rng: &mut Rng,
    world: &World,
    rightful: Option<ink::primitives::AccountId>,
) -> AccountId32 {
    match rightful {
        Some(account) if rng.chance(92) => account_of(&account),
        _ => rng.pick(&world.people()),
    }
}

fn live_phase(sub: &Subscription) -> bool {
    matches!(sub.phase, Phase::Awarded | Phase::Active)
}

fn billed(sub: &Subscription) -> bool {
    matches!(sub.phase, Phase::Active | Phase::Ending)
}

fn draw_kind(rng: &mut Rng) -> Kind {
    let total: u64 = WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (kind, weight) in WEIGHTS {
        if roll < weight {
            return kind;
        }
        roll -= weight;
    }
    unreachable!("the roll is below the sum of the weights")
}

fn draw(rng: &mut Rng, world: &World, view: &View) -> Op {
    loop {
        if let Some(op) = draw_one(rng, world, view) {
            return op;
        }
    }
}

/// An operation of a random kind, or `None` when the kind has nothing
/// promising to act on this time.
fn draw_one(rng: &mut Rng, world: &World, view: &View) -> Option<Op> {
    let kind = draw_kind(rng);
    let sub_of = |id: u64| view.subs.get(id as usize).map(|(sub, _)| sub.clone());
    let on_id = |actor, id, value, rate| {
        Some(Op::OnId {
            kind,
            actor,
            id,
            value,
            rate,
        })
    };
    match kind {
        Kind::Create => {
            let max_price = rng.pick(&[1u128, 2, 3, 4, 5, 6, 7, 8, 10, 20]);
            let min_duration = rng.pick(&[0u32, 5, 10, 20, 50, 60, 200]);
            let mut excluded = Vec::new();
            if rng.chance(15) {
                for p in &world.providers {
                    if rng.chance(40) {
                        excluded.push(ink_account(p));
                    }
                }
            }
            let requirements = Requirements {
                max_price_per_block: max_price,
                excluded_providers: excluded,
                min_duration,
                ..Default::default()
            };
            // Enough for any offer that fits these requirements.
            let floor = max_price * u128::from(min_duration.max(1));
            let deposit = match rng.below(100) {
                0..=4 => 0,
                5..=19 => rng.range(1, (floor as u64 / 3).max(2)) as u128,
                20..=94 => floor + rng.below((max_price * 300) as u64) as u128,
                _ => rng.range(100_000, 2_000_000) as u128,
            };
            let type_id = if rng.chance(5) {
                world.empty_type
            } else {
                world.type_id
            };
            Some(Op::Create {
                consumer: rng.below(world.consumers.len() as u64) as usize,
                type_id,
                requirements,
                deposit,
            })
        }
        Kind::MarkReady | Kind::Exit | Kind::Claim => {
            let id = target(rng, view, kind)?;
            let who = actor(rng, world, sub_of(id).map(|s| s.provider));
            on_id(who, id, 0, None)
        }
        Kind::Cancel | Kind::AcceptPrice | Kind::RejectPrice => {
            let id = target(rng, view, kind)?;
            let who = actor(rng, world, sub_of(id).map(|s| s.consumer));
            on_id(who, id, 0, None)
        }
        Kind::TopUp => {
            let id = target(rng, view, kind)?;
            let rate = sub_of(id).map_or(3, |s| s.rate_per_block);
            let value = match rng.below(100) {
                0..=6 => 0,
                7..=94 => rate * rng.range(1, 120) as u128,
                _ => rng.range(10_000, 500_000) as u128,
            };
            on_id(rng.pick(&world.people()), id, value, None)
        }
        Kind::ProposePrice => {
            let id = target(rng, view, kind)?;
            let sub = sub_of(id);
            let who = actor(rng, world, sub.as_ref().map(|s| s.provider));
            let (current, max) = sub.map_or((3, 10), |s| {
                (s.rate_per_block, s.requirements.max_price_per_block)
            });
            let rate = match rng.below(100) {
                0..=3 => 0,
                4..=7 => current,
                8..=64 => rng.range(1, max as u64) as u128,
                65..=79 => max + rng.range(1, 5) as u128,
                _ => rng.range(1, 40) as u128,
            };
            on_id(who, id, 0, Some(rate))
        }
        Kind::ApplyPrice | Kind::Settle | Kind::Reaward => {
            let id = target(rng, view, kind)?;
            let who = if rng.chance(70) {
                world.stranger.clone()
            } else {
                rng.pick(&world.people())
            };
            on_id(who, id, 0, None)
        }
        Kind::AdminClose => {
            let id = target(rng, view, kind)?;
            let who = if rng.chance(85) {
                world.admin.clone()
            } else {
                rng.pick(&world.people())
            };
            on_id(who, id, 0, None)
        }
        Kind::ClaimMany => {
            let owed: Vec<usize> = (0..world.providers.len())
                .filter(|p| {
                    let mine = ink_account(&world.providers[*p]);
                    view.subs.iter().any(|(s, stream)| {
                        s.provider == mine && promising(kind, s, stream, view.now)
                    })
                })
                .collect();
            if owed.is_empty() && rng.chance(80) {
                return None;
            }
            let provider = if !owed.is_empty() && rng.chance(90) {
                rng.pick(&owed)
            } else {
                rng.below(world.providers.len() as u64) as usize
            };
            let mine = ink_account(&world.providers[provider]);
            let mut ids: Vec<u64> = view
                .subs
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| s.provider == mine && billed(s) && rng.chance(85))
                .map(|(id, _)| id as u64)
                .collect();
            if ids.is_empty() || rng.chance(8) {
                ids.push(rng.below(view.subs.len() as u64 + 1));
            }
            if rng.chance(5) {
                ids.push(ids[0]);
            }
            if rng.chance(3) {
                ids.clear();
            }
            Some(Op::ClaimMany {
                actor: world.providers[provider].clone(),
                ids,
            })
        }
        Kind::Advance => Some(Op::Advance(match rng.below(100) {
            0..=39 => rng.range(1, 3),
            40..=74 => rng.range(4, 25),
            75..=94 => rng.range(26, 150),
            _ => rng.range(500, 20_000),
        } as BlockNumber)),
    }
}

fn kind_of(op: &Op) -> Kind {
    match op {
        Op::Create { .. } => Kind::Create,
        Op::OnId { kind, .. } => *kind,
        Op::ClaimMany { .. } => Kind::ClaimMany,
        Op::Advance(_) => Kind::Advance,
    }
}

// ---- running an operation ---------------------------------------------------------

fn message(kind: Kind) -> &'static str {
    match kind {
        Kind::MarkReady => "mark_ready",
        Kind::TopUp => "top_up",
        Kind::Cancel => "cancel",
        Kind::Exit => "exit",
        Kind::ProposePrice => "propose_price",
        Kind::AcceptPrice => "accept_price",
        Kind::RejectPrice => "reject_price",
        Kind::ApplyPrice => "apply_price",
        Kind::Claim => "claim",
        Kind::Settle => "settle",
        Kind::Reaward => "reaward",
        Kind::AdminClose => "admin_close",
        _ => unreachable!("{kind:?} is not a message on one id"),
    }
}

fn run<T: Decode + Debug>(
    session: &mut Sandbox,
    world: &World,
    actor: &AccountId32,
    message: &str,
    args: &[String],
    value: u128,
) -> Result<T, SubscriptionError> {
    session.set_actor(actor.clone());
    subscription_call(session, &world.suite, message, args, value)
}

/// What one step did to the money, as the calls reported it.
struct Outcome {
    ok: bool,
    error: Option<SubscriptionError>,
    actor: Option<AccountId32>,
    /// Value the actor sent that the contracts kept (0 when refused).
    sent: u128,
    /// The subscription the value went to.
    sent_to: Option<u64>,
    /// Net storage deposit the actor paid.
    storage: i128,
}

/// Runs `op` and returns what it did.
fn execute(session: &mut Sandbox, world: &World, op: &Op) -> Outcome {
    let outcome = |result: Result<(), SubscriptionError>,
                   actor: &AccountId32,
                   sent,
                   sent_to,
                   session: &Sandbox| Outcome {
        ok: result.is_ok(),
        error: result.err(),
        actor: Some(actor.clone()),
        sent: if result.is_ok() { sent } else { 0 },
        sent_to,
        storage: storage_charge(session),
    };
    match op {
        Op::Advance(blocks) => {
            let target = block_number(session) + blocks;
            session.sandbox().execute_with(|| {
                ink_sandbox::frame_system::Pallet::<drink::minimal::MinimalSandboxRuntime>::set_block_number(target)
            });
            Outcome {
                ok: true,
                error: None,
                actor: None,
                sent: 0,
                sent_to: None,
                storage: 0,
            }
        }
        Op::Create {
            consumer,
            type_id,
            requirements,
            deposit,
        } => {
            let consumer = &world.consumers[*consumer];
            session.set_actor(consumer.clone());
            let result =
                create_subscription(session, &world.suite, *type_id, requirements, *deposit);
            let id = result.as_ref().ok().copied();
            if let Some(id) = id {
                let created = the_event::<SubscriptionCreated>(session, &world.suite.subscription);
                assert_eq!(
                    (created.id, created.deposit),
                    (id, *deposit),
                    "SubscriptionCreated"
                );
            }
            outcome(result.map(|_| ()), consumer, *deposit, id, session)
        }
        Op::OnId {
            kind,
            actor,
            id,
            value,
            rate,
        } => {
            let mut args = vec![id.to_string()];
            if let Some(rate) = rate {
                args.push(rate.to_string());
            }
            let result: Result<(), SubscriptionError> = if *kind == Kind::Claim {
                let claimed: Result<u128, _> = run(session, world, actor, "claim", &args, 0);
                if let Ok(amount) = claimed {
                    let events = events::<Claimed>(session, &world.suite.subscription);
                    assert_eq!(events.len(), 1, "one Claimed per claim");
                    assert_eq!((events[0].id, events[0].amount), (*id, amount), "Claimed");
                    assert!(amount > 0, "a claim of nothing succeeded");
                }
                claimed.map(|_| ())
            } else {
                run(session, world, actor, message(*kind), &args, *value)
            };
            let sent_to = (*kind == Kind::TopUp).then_some(*id);
            outcome(result, actor, *value, sent_to, session)
        }
        Op::ClaimMany { actor, ids } => {
            let list = format!(
                "[{}]",
                ids.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let claimed: Result<u128, _> = run(session, world, actor, "claim_many", &[list], 0);
            if let Ok(total) = claimed {
                let events = events::<Claimed>(session, &world.suite.subscription);
                let sum: u128 = events.iter().map(|e| e.amount).sum();
                assert_eq!(sum, total, "claim_many returns Σ of its Claimed events");
                assert!(total > 0);
            }
            outcome(claimed.map(|_| ()), actor, 0, None, session)
        }
    }
}

// ---- the invariants -----------------------------------------------------------------

/// Books the step's money movements, then checks every invariant against
/// the storage `after` the step (`before` is the view the op was drawn on).
fn check_step(
    session: &mut Sandbox,
    world: &World,
    books: &mut Books,
    tally: &mut Tally,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    let subscription = &world.suite.subscription;
    // Advancing blocks makes no call: the last batch of events is an older
    // step's.
    let called = outcome.actor.is_some();
    let claimed = if called {
        events::<Claimed>(session, subscription)
    } else {
        Vec::new()
    };
    let closed = if called {
        events::<Closed>(session, subscription)
    } else {
        Vec::new()
    };
    if !outcome.ok {
        assert!(
            claimed.is_empty() && closed.is_empty(),
            "a refused call left Claimed/Closed events"
        );
        assert_eq!(
            outcome.storage, 0,
            "a refused call charged a storage deposit"
        );
        // All or nothing: a refused call wrote nothing anywhere.
        assert_eq!(
            before.subs, after.subs,
            "a refused call changed a record or stream"
        );
        assert_eq!(
            before.offers, after.offers,
            "a refused call changed an offer"
        );
        assert_eq!(
            before.providers, after.providers,
            "a refused call changed a provider"
        );
        assert_eq!(
            (before.live, before.total_held),
            (after.live, after.total_held)
        );
    }

    // The stream rules, modelled by the test: a ready subscription earns
    // its rate per block from its ready block until its end, and never more
    // than the escrow holds for it (nothing after depletion; a top-up after
    // depletion streams again from its block). Only `Advance` moves time.
    if !called {
        for (id, (sub, _)) in before.subs.iter().enumerate() {
            let id = id as u64;
            if !sub.is_live() || sub.ready_at.is_none() {
                continue;
            }
            let until = sub.end.map_or(after.now, |(end, _)| end.min(after.now));
            let blocks = until.saturating_sub(before.now);
            let held = books.held(id);
            let owed = books.owed.entry(id).or_default();
            *owed = (*owed + sub.rate_per_block * u128::from(blocks)).min(held);
        }
    }

    // What moved, per the calls and their events.
    if let Some(actor) = &outcome.actor {
        books.debit(actor, outcome.sent);
        if outcome.storage >= 0 {
            books.debit(actor, outcome.storage as u128);
        } else {
            books.credit(actor, outcome.storage.unsigned_abs());
        }
    }
    if outcome.sent > 0 {
        let id = outcome.sent_to.expect("value went to a subscription");
        *books.deposited.entry(id).or_default() += outcome.sent;
        books.credit(&world.suite.escrow, outcome.sent);
    }
    for event in &claimed {
        let (sub, _) = &after.subs[event.id as usize];
        assert_eq!(event.provider, sub.provider, "Claimed names the provider");
        let owed = books.owed.insert(event.id, 0).unwrap_or(0);
        assert_eq!(
            event.amount, owed,
            "sub {}: claim ≠ what it earned",
            event.id
        );
        *books.claimed.entry(event.id).or_default() += event.amount;
        books.credit(&account_of(&sub.provider), event.amount);
        books.debit(&world.suite.escrow, event.amount);
    }
    for event in &closed {
        let (sub, _) = &after.subs[event.id as usize];
        let owed = books.owed.insert(event.id, 0).unwrap_or(0);
        let held = books.held(event.id);
        assert_eq!(
            (event.paid, event.refunded),
            (owed, held - owed),
            "sub {}: close must pay what was earned and refund the rest",
            event.id
        );
        assert!(
            books
                .closed
                .insert(event.id, (event.paid, event.refunded))
                .is_none(),
            "subscription {} closed twice",
            event.id
        );
        assert_eq!(
            sub.closed,
            Some(event.reason),
            "Closed reason is the record's"
        );
        books.credit(&account_of(&sub.provider), event.paid);
        books.credit(&account_of(&sub.consumer), event.refunded);
        books.debit(&world.suite.escrow, event.paid + event.refunded);
        *tally
            .closes
            .entry(format!("{:?}", event.reason))
            .or_default() += 1;
    }

    // The lifecycle rules the model relies on: billing starts at the ready
    // block, an end is scheduled once by the rule of its reason, and a rate
    // changes only by an announced price change or a new award (Dynamic
    // rates never above the consumer's bound).
    let price_changed = if called {
        events::<PriceChanged>(session, subscription)
    } else {
        Vec::new()
    };
    let awarded = if called {
        events::<Awarded>(session, subscription)
    } else {
        Vec::new()
    };
    for (id, (old, _)) in before.subs.iter().enumerate() {
        let (new, _) = &after.subs[id];
        let id = id as u64;
        if old.ready_at != new.ready_at {
            assert_eq!(
                (old.ready_at, new.ready_at),
                (None, Some(after.now)),
                "sub {id}: ready block"
            );
        }
        match (old.end, new.end) {
            (None, Some((end, reason))) => {
                let ready = new.ready_at.expect("an end is only scheduled once ready");
                let rule = match reason {
                    CloseReason::ConsumerCancelled => {
                        (after.now + CONSUMER_NOTICE).max(ready + new.min_duration)
                    }
                    CloseReason::ProviderExited => after.now + new.notice_blocks,
                    other => panic!("sub {id}: end scheduled for {other:?}"),
                };
                assert_eq!(end, rule, "sub {id}: end block for {reason:?}");
            }
            (old_end, new_end) => assert_eq!(old_end, new_end, "sub {id}: end moved"),
        }
        if old.rate_per_block != new.rate_per_block {
            let announced = price_changed
                .iter()
                .any(|e| e.id == id && e.rate == new.rate_per_block && e.at == after.now)
                || awarded
                    .iter()
                    .any(|e| e.id == id && e.rate_per_block == new.rate_per_block);
            assert!(announced, "sub {id}: rate changed silently");
        }
        if new.pricing == Pricing::Dynamic && new.is_live() {
            assert!(
                new.rate_per_block <= new.requirements.max_price_per_block,
                "sub {id}: Dynamic rate above the consumer's bound"
            );
        }
    }

    // 1. Money: nothing appeared or vanished, and every account holds what
    // the books say.
    let accounts = world.accounts();
    assert_eq!(
        total_of(session, &accounts),
        books.total,
        "Σ free + held of all accounts and contracts changed"
    );
    for account in &accounts {
        assert_eq!(
            free_balance(session, account),
            books.free[account],
            "free balance of {account} differs from the books"
        );
    }

    // 2. Every subscription's money; closed ones paid out exactly their
    // deposits.
    assert!(after.subs.len() >= before.subs.len(), "records vanished");
    let mut held_by_live = 0u128;
    for (id, (sub, stream)) in after.subs.iter().enumerate() {
        let id = id as u64;
        let deposited = books.deposited.get(&id).copied().unwrap_or(0);
        let claimed = books.claimed.get(&id).copied().unwrap_or(0);
        assert_eq!(
            stream.deposited(),
            deposited,
            "sub {id}: escrow deposits ≠ what was sent"
        );
        assert_eq!(
            (stream.payer, stream.payee),
            (sub.consumer, sub.provider),
            "sub {id}: stream parties"
        );
        match books.closed.get(&id) {
            None => {
                assert_ne!(
                    sub.phase,
                    Phase::Closed,
                    "sub {id} closed without a Closed event"
                );
                assert!(!stream.is_closed(), "sub {id}: live with a closed stream");
                assert_eq!(
                    stream.withdrawn(),
                    claimed,
                    "sub {id}: escrow withdrawn ≠ claims"
                );
                assert_eq!(stream.refunded(), 0, "sub {id}: refunds while live");
                assert_eq!(
                    stream.rate(),
                    sub.rate_per_block,
                    "sub {id}: stream rate ≠ record rate"
                );
                assert_eq!(
                    stream.start_block(),
                    sub.ready_at,
                    "sub {id}: billing starts at ready"
                );
                if sub.phase == Phase::Awarded {
                    assert_eq!(stream.withdrawable(after.now), 0);
                }
                assert_eq!(
                    stream.withdrawable(after.now),
                    books.owed.get(&id).copied().unwrap_or(0),
                    "sub {id}: escrow's withdrawable ≠ what the model says it earned"
                );
                held_by_live += deposited - claimed;
            }
            Some(&(paid, refunded)) => {
                assert_eq!(
                    sub.phase,
                    Phase::Closed,
                    "sub {id}: Closed event, record live"
                );
                assert!(stream.is_closed(), "sub {id}: closed record, open stream");
                assert_eq!(
                    deposited,
                    claimed + paid + refunded,
                    "sub {id}: deposits ≠ claims + paid + refunded"
                );
                assert_eq!(
                    stream.withdrawn(),
                    claimed + paid,
                    "sub {id}: escrow withdrawn"
                );
                assert_eq!(stream.refunded(), refunded, "sub {id}: escrow refunded");
                assert_eq!(stream.held(), 0, "sub {id}: closed with money held");
                if before
                    .subs
                    .get(id as usize)
                    .is_some_and(|(s, _)| s.phase == Phase::Closed)
                {
                    assert_eq!(
                        &before.subs[id as usize], &after.subs[id as usize],
                        "sub {id}: changed after close"
                    );
                }
            }
        }
    }
    // The figures the contract reports, for each subscription this step
    // closed.
    for event in &closed {
        let details = details(session, &world.suite, event.id);
        let f = details.figures;
        let deposited = books.deposited.get(&event.id).copied().unwrap_or(0);
        let claimed = books.claimed.get(&event.id).copied().unwrap_or(0);
        assert_eq!(f.status, StreamStatus::Closed);
        assert_eq!(f.held, 0, "sub {}: closed with money held", event.id);
        assert_eq!(
            f.deposited, deposited,
            "sub {}: details deposited",
            event.id
        );
        assert_eq!(
            f.withdrawn,
            claimed + event.paid,
            "sub {}: details withdrawn",
            event.id
        );
        assert_eq!(
            f.refunded, event.refunded,
            "sub {}: details refunded",
            event.id
        );
        assert_eq!(f.deposited, f.withdrawn + f.refunded);
    }

    // 3. Capacity: each offer's reservations are its live subscriptions.
    let mut live_total = 0u64;
    let mut per_provider = vec![0u32; world.providers.len()];
    for (i, ((offer_id, provider, _), offer)) in world.offers.iter().zip(&after.offers).enumerate()
    {
        let live_here = after
            .subs
            .iter()
            .filter(|(s, _)| s.offer_id == *offer_id && s.is_live())
            .count() as u32;
        assert_eq!(
            offer.reserved, live_here,
            "offer {i} ({offer_id}): reserved ≠ live subscriptions on it"
        );
        assert!(
            offer.reserved <= offer.capacity,
            "offer {offer_id} over capacity"
        );
        per_provider[*provider] += offer.reserved;
        live_total += u64::from(offer.reserved);
    }
    assert_eq!(live_total, after.live, "Σ reserved ≠ live_count");
    let live_records = after.subs.iter().filter(|(s, _)| s.is_live()).count() as u64;
    assert_eq!(after.live, live_records, "live_count ≠ live records");
    for (i, provider) in after.providers.iter().enumerate() {
        assert_eq!(
            provider.reserved, per_provider[i],
            "provider {i}: reserved ≠ Σ of its offers"
        );
    }

    // 4. The escrow holds what it owes.
    assert_eq!(
        after.total_held, held_by_live,
        "total_held ≠ Σ (deposits − claims) of live subscriptions"
    );
    let escrow_free = free_balance(session, &world.suite.escrow);
    assert!(
        escrow_free >= after.total_held,
        "escrow free balance below total_held"
    );
}

/// The storage reading agrees with the contracts' own messages.
fn cross_check(session: &mut Sandbox, world: &World, view: &View) {
    session.set_actor(world.stranger.clone());
    let live: u64 = call(session, &world.suite.subscription, "live_count", &[]);
    assert_eq!(live, view.live, "live_count message vs storage");
    let count: u64 = call(
        session,
        &world.suite.subscription,
        "subscription_count",
        &[],
    );
    assert_eq!(count, view.subs.len() as u64);
    let held: u128 = call(session, &world.suite.escrow, "total_held", &[]);
    assert_eq!(held, view.total_held, "total_held message vs storage");
    for ((offer_id, _, _), offer) in world.offers.iter().zip(&view.offers) {
        assert_eq!(reserved(session, &world.suite, *offer_id), offer.reserved);
    }
    for (id, (sub, stream)) in view.subs.iter().enumerate() {
        let details = details(session, &world.suite, id as u64);
        assert_eq!(&details.subscription, sub, "details vs storage record");
        let f = details.figures;
        assert_eq!(
            (f.deposited, f.withdrawn, f.refunded, f.held),
            (
                stream.deposited(),
                stream.withdrawn(),
                stream.refunded(),
                stream.held()
            )
        );
        assert_eq!(
            f.withdrawable,
            if stream.is_closed() {
                0
            } else {
                stream.withdrawable(view.now)
            }
        );
    }
}

// ---- the sequences -------------------------------------------------------------------

fn run_sequence(
    session: &mut Sandbox,
    world: &World,
    seed: u64,
    tally: &mut Tally,
    log: &mut Vec<String>,
    cross: bool,
) {
    let mut rng = Rng(seed);
    let accounts = world.accounts();
    let mut books = Books {
        total: total_of(session, &accounts),
        ..Default::default()
    };
    for account in &accounts {
        let free = free_balance(session, account);
        books.free.insert(account.clone(), free);
    }
    let mut view = read_view(session, world);
    assert!(view.subs.is_empty() && view.total_held == 0);
    let ops = MIN_OPS + rng.below(EXTRA_OPS);
    for step in 0..ops {
        let op = draw(&mut rng, world, &view);
        let kind = kind_of(&op);
        let outcome = execute(session, world, &op);
        let after = read_view(session, world);
        log.push(format!(
            "step {step} @{}: {op:?} -> {}",
            view.now,
            match &outcome.error {
                None => "Ok".to_string(),
                Some(e) => format!("{e:?}"),
            }
        ));
        check_step(session, world, &mut books, tally, &outcome, &view, &after);
        *tally.tried.entry(kind).or_default() += 1;
        if outcome.ok {
            *tally.succeeded.entry(kind).or_default() += 1;
        }
        if let Some(error) = outcome.error {
            *tally
                .errors
                .entry(format!("{kind:?}: {error:?}"))
                .or_default() += 1;
        }
        tally.ops += 1;
        view = after;
    }
    tally.max_subscriptions = tally.max_subscriptions.max(view.subs.len());
    if cross {
        cross_check(session, world, &view);
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={value} is not a number")))
}

/// Runs the sequences `index ≡ worker (mod workers)` on its own sandbox:
/// deploys the suite once, then starts each sequence from a snapshot of it.
fn worker(
    session: &mut Sandbox,
    worker: usize,
    workers: usize,
    seeds: &[u64],
    failed: &AtomicBool,
) -> Tally {
    let world = World::new(session);
    session.sandbox().reset_events();
    let snapshot = session.sandbox().take_snapshot();
    let mut tally = Tally::default();
    for (index, seed) in seeds.iter().enumerate().skip(worker).step_by(workers) {
        if failed.load(Ordering::Relaxed) {
            break;
        }
        session.sandbox().restore_snapshot(snapshot.clone());
        let mut log = Vec::new();
        let cross = index as u64 % CROSS_CHECK_EVERY == 0 || index + 1 == seeds.len();
        let result = catch_unwind(AssertUnwindSafe(|| {
            run_sequence(session, &world, *seed, &mut tally, &mut log, cross)
        }));
        if let Err(panic) = result {
            failed.store(true, Ordering::Relaxed);
            eprintln!(
                "---- sequence {index} (seed {seed:#x}) failed at its last step; its operations:\n  {}",
                log.join("\n  ")
            );
            eprintln!(
                "---- replay it with SUBSCRIPTION_RANDOM_SEED={seed:#x} \
                 cargo test --test subscription_random -- --nocapture"
            );
            resume_unwind(panic);
        }
        tally.sequences += 1;
    }
    tally
}

#[drink::test]
fn random_sequences_conserve_money_and_capacity(mut session: Session) {
    let started = Instant::now();
    let seeds: Vec<u64> = match env_u64("SUBSCRIPTION_RANDOM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let n = env_u64("SUBSCRIPTION_RANDOM_SEQUENCES").unwrap_or(SEQUENCES);
            (0..n).map(|i| sequence_seed(BASE_SEED, i)).collect()
        }
    };
    // Sequences are independent: spread them over a few sandboxes, one per
    // thread (each sequence's seed, not the thread, decides what it does).
    let workers = env_u64("SUBSCRIPTION_RANDOM_THREADS")
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, MAX_THREADS)
        .min(seeds.len().max(1));
    let failed = AtomicBool::new(false);
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers)
            .map(|w| {
                let (seeds, failed) = (&seeds, &failed);
                scope.spawn(move || worker(&mut Sandbox::default(), w, workers, seeds, failed))
            })
            .collect();
        tally.merge(worker(&mut session, 0, workers, &seeds, &failed));
        for handle in handles {
            match handle.join() {
                Ok(other) => tally.merge(other),
                Err(panic) => resume_unwind(panic),
            }
        }
    });

    let elapsed = started.elapsed();
    println!(
        "subscription_random: {} sequences × ≥ {MIN_OPS} operations = {} operations \
         ({} subscriptions at most in one sequence), {workers} thread(s), {elapsed:.1?}",
        tally.sequences, tally.ops, tally.max_subscriptions
    );
    println!("  {:<13} {:>6} {:>6}", "operation", "tried", "ok");
    for (kind, tried) in &tally.tried {
        let ok = tally.succeeded.get(kind).copied().unwrap_or(0);
        println!("  {:<13} {tried:>6} {ok:>6}", format!("{kind:?}"));
    }
    println!("  closed: {:?}", tally.closes);
    println!("  refused:");
    for (error, count) in &tally.errors {
        println!("    {count:>5}  {error}");
    }
    assert_eq!(tally.sequences, seeds.len() as u64);
    if seeds.len() as u64 >= SEQUENCES {
        for (kind, _) in WEIGHTS {
            assert!(
                tally.succeeded.get(&kind).copied().unwrap_or(0) > 0,
                "{kind:?} never succeeded: the draws miss it"
            );
        }
    }
}
