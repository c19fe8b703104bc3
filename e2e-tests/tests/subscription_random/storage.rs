//! Reading the contracts' storage directly, which is what makes checking
//! every step cheap. Every field of every contract has a fixed key
//! (`ManualKey`): a plain value is a `Lazy` cell stored at its key's
//! encoding (the 4 bytes of the `u32`, little-endian), a mapping's entry at
//! the encoding of `(key, map key)`; pallet-contracts' `get_storage` takes
//! that encoding as a variable-length key, as `seal_get_storage` does. This
//! module reads them raw, builds the `View` of everything the checks look
//! at after a step, and cross-checks that reading against the contracts'
//! own messages.

use crate::world::{code_hash, Contract, World, CONTRACTS};
use dinfra::admin::GOVERNANCE_KEY;
use dinfra::governance::{ChangeId, ScheduledChange};
use dinfra::lifecycle::{Parameters, Subscription};
use dinfra::stream::Stream;
use dinfra::types::BlockNumber;
use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;
use dinfra_escrow::data::keys as escrow_keys;
use dinfra_registry::data::{keys as registry_keys, Offer, Provider};
use dinfra_subscription::data::keys as subscription_keys;
use ink::scale::{Decode, Encode};

fn read_raw(session: &mut Sandbox, contract: &AccountId32, key: Vec<u8>) -> Option<Vec<u8>> {
    let contract = contract.clone();
    session.sandbox().execute_with(|| {
        drink::pallet_contracts::Pallet::<DinfraSandboxRuntime>::get_storage(contract, key)
            .expect("reading a contract's storage")
    })
}

fn decode_all<V: Decode>(bytes: Vec<u8>, what: &str) -> V {
    let mut input = &bytes[..];
    let value = V::decode(&mut input).unwrap_or_else(|e| panic!("decoding {what}: {e:?}"));
    assert!(
        input.is_empty(),
        "{what}: storage value longer than its type"
    );
    value
}

/// The `Lazy` cell at `key` of `contract`.
fn cell<V: Decode>(session: &mut Sandbox, contract: &AccountId32, key: u32) -> Option<V> {
    read_raw(session, contract, key.encode()).map(|bytes| decode_all(bytes, "a cell"))
}

/// The entry `map_key` of the mapping at `key` of `contract`.
fn entry<K: Encode, V: Decode>(
    session: &mut Sandbox,
    contract: &AccountId32,
    key: u32,
    map_key: K,
) -> Option<V> {
    read_raw(session, contract, (key, map_key).encode()).map(|bytes| decode_all(bytes, "an entry"))
}

/// A contract's governance cell, decoded field by field (the contracts'
/// `Governance` keeps `next_id` and `wired` private): its delay, the changes
/// waiting for it, the next change's id, and whether a link was wired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gov {
    pub delay: BlockNumber,
    pub pending: Vec<ScheduledChange>,
    pub next_id: ChangeId,
    pub wired: bool,
}

impl Decode for Gov {
    fn decode<I: ink::scale::Input>(input: &mut I) -> Result<Self, ink::scale::Error> {
        Ok(Self {
            delay: Decode::decode(input)?,
            pending: Decode::decode(input)?,
            next_id: Decode::decode(input)?,
            wired: Decode::decode(input)?,
        })
    }
}

impl Gov {
    pub fn find(&self, id: ChangeId) -> Option<&ScheduledChange> {
        self.pending.iter().find(|c| c.id == id)
    }
}

/// Everything the checks look at, read from storage after a step.
#[derive(Debug, Clone)]
pub struct View {
    pub now: BlockNumber,
    pub live: u64,
    /// Subscription records by id (`0..next_id`), each with its stream.
    pub subs: Vec<(Subscription, Stream)>,
    /// Per world offer.
    pub offers: Vec<Offer>,
    /// The registry's index of awardable offers of the world's type, by
    /// position.
    pub listed: Vec<u64>,
    /// Per world provider.
    pub providers: Vec<Provider>,
    pub total_held: u128,
    pub total_credited: u128,
    /// The escrow's credit of each of `World::people`.
    pub credits: Vec<u128>,
    /// The escrow's controller and how many times it changed.
    pub controller: Option<ink::primitives::AccountId>,
    pub controller_epoch: u32,
    /// Each contract's governance and code hash, by `Contract::index`.
    pub governance: Vec<Gov>,
    pub code_hashes: Vec<[u8; 32]>,
    /// The subscription contract's parameters (copied into each new
    /// subscription).
    pub params: Parameters,
    /// The longest consumer notice the subscription contract was ever
    /// configured with, and the longest exit notice a stream of the escrow
    /// was opened with: each contract's delay stays at least twice it.
    pub longest_notice: BlockNumber,
    pub longest_exit_notice: BlockNumber,
}

impl View {
    /// Whether a change is pending on the subscription contract, the
    /// registry or the escrow: a consumer's cancel then waives the minimum
    /// duration.
    pub fn waiver(&self) -> bool {
        CONTRACTS
            .iter()
            .any(|c| c.waives() && !self.governance[c.index()].pending.is_empty())
    }

    pub fn gov(&self, contract: Contract) -> &Gov {
        &self.governance[contract.index()]
    }
}

pub fn read_view(session: &mut Sandbox, world: &World) -> View {
    let subscription = world.suite.subscription.clone();
    let escrow = world.suite.escrow.clone();
    let registry = world.suite.registry.clone();
    let next_id: u64 = cell(session, &subscription, subscription_keys::NEXT_ID).unwrap_or(0);
    let live: u64 = cell(session, &subscription, subscription_keys::LIVE).unwrap_or(0);
    let mut subs = Vec::new();
    for id in 0..next_id {
        let sub: Subscription = entry(session, &subscription, subscription_keys::SUBSCRIPTIONS, id)
            .unwrap_or_else(|| panic!("subscription {id} < next_id has no record"));
        let stream: Stream = entry(session, &escrow, escrow_keys::STREAMS, sub.stream_id)
            .unwrap_or_else(|| panic!("subscription {id}'s stream {} missing", sub.stream_id));
        subs.push((sub, stream));
    }
    assert_eq!(
        entry::<_, Subscription>(
            session,
            &subscription,
            subscription_keys::SUBSCRIPTIONS,
            next_id
        ),
        None,
        "a record beyond next_id"
    );
    let offers = world
        .offers
        .iter()
        .map(|(offer_id, _, _)| {
            entry(session, &registry, registry_keys::OFFERS, *offer_id).expect("offer record")
        })
        .collect();
    let listed_count: u32 = entry(
        session,
        &registry,
        registry_keys::TYPE_OFFER_COUNT,
        world.type_id,
    )
    .unwrap_or(0);
    let listed = (0..listed_count)
        .map(|position| {
            entry(
                session,
                &registry,
                registry_keys::TYPE_OFFERS,
                (world.type_id, position),
            )
            .unwrap_or_else(|| panic!("index position {position} < count is empty"))
        })
        .collect();
    let providers = world
        .providers
        .iter()
        .map(|p| {
            entry(session, &registry, registry_keys::PROVIDERS, ink_account(p))
                .expect("provider record")
        })
        .collect();
    let credits = world
        .people()
        .iter()
        .map(|p| entry(session, &escrow, escrow_keys::CREDITS, ink_account(p)).unwrap_or(0))
        .collect();
    let governance = CONTRACTS
        .iter()
        .map(|c| cell(session, world.address(*c), GOVERNANCE_KEY).expect("a governance cell"))
        .collect();
    let code_hashes = CONTRACTS
        .iter()
        .map(|c| code_hash(session, world.address(*c)).expect("code"))
        .collect();
    let params: Parameters =
        cell(session, &subscription, subscription_keys::PARAMETERS).expect("parameters cell");
    let longest_notice =
        cell::<BlockNumber>(session, &subscription, subscription_keys::LONGEST_NOTICE)
            .unwrap_or(0)
            .max(params.consumer_notice);
    View {
        now: block_number(session),
        live,
        subs,
        offers,
        listed,
        providers,
        total_held: cell(session, &escrow, escrow_keys::TOTAL_HELD).unwrap_or(0),
        total_credited: cell(session, &escrow, escrow_keys::TOTAL_CREDITED).unwrap_or(0),
        credits,
        controller: cell(session, &escrow, escrow_keys::CONTROLLER).expect("controller cell"),
        controller_epoch: cell(session, &escrow, escrow_keys::CONTROLLER_EPOCH).unwrap_or(0),
        governance,
        code_hashes,
        params,
        longest_notice,
        longest_exit_notice: cell(session, &escrow, escrow_keys::LONGEST_EXIT_NOTICE).unwrap_or(0),
    }
}

/// The storage reading agrees with the contracts' own messages.
pub fn cross_check(session: &mut Sandbox, world: &World, view: &View) {
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
    let credited: u128 = call(session, &world.suite.escrow, "total_credited", &[]);
    assert_eq!(credited, view.total_credited, "total_credited vs storage");
    for (person, credit) in world.people().iter().zip(&view.credits) {
        let message: u128 = call(
            session,
            &world.suite.escrow,
            "credit_of",
            &[person.to_string()],
        );
        assert_eq!(message, *credit, "credit_of {person} vs storage");
    }
    let controller: Option<ink::primitives::AccountId> =
        call(session, &world.suite.escrow, "subscription_contract", &[]);
    assert_eq!(controller, view.controller, "escrow controller vs storage");
    let params: Parameters = call(session, &world.suite.subscription, "parameters", &[]);
    assert_eq!(params, view.params, "parameters vs storage");
    let longest: BlockNumber = call(
        session,
        &world.suite.subscription,
        "longest_consumer_notice",
        &[],
    );
    assert_eq!(
        longest, view.longest_notice,
        "longest_consumer_notice vs storage"
    );
    let longest: BlockNumber = call(session, &world.suite.escrow, "longest_exit_notice", &[]);
    assert_eq!(
        longest, view.longest_exit_notice,
        "longest_exit_notice vs storage"
    );
    let pending: bool = call(
        session,
        &world.suite.subscription,
        "governance_pending",
        &[],
    );
    assert_eq!(pending, view.waiver(), "governance_pending vs storage");
    for contract in CONTRACTS {
        let address = world.address(contract).clone();
        let changes: Vec<ScheduledChange> = call(session, &address, "Admin::pending_changes", &[]);
        assert_eq!(
            changes,
            view.gov(contract).pending,
            "{contract:?}: pending_changes vs storage"
        );
        let delay: BlockNumber = call(session, &address, "Admin::governance_delay", &[]);
        assert_eq!(delay, view.gov(contract).delay, "{contract:?}: delay");
    }
    for ((offer_id, _, _), offer) in world.offers.iter().zip(&view.offers) {
        let message: Option<Offer> = call(
            session,
            &world.suite.registry,
            "offer",
            &[offer_id.to_string()],
        );
        assert_eq!(message.as_ref(), Some(offer), "offer {offer_id} vs storage");
    }
    for (provider, record) in world.providers.iter().zip(&view.providers) {
        let message: Option<Provider> = call(
            session,
            &world.suite.registry,
            "provider",
            &[provider.to_string()],
        );
        assert_eq!(message.as_ref(), Some(record), "provider vs storage");
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
