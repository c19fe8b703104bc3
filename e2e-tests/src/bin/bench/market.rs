//! The market every measurement runs in: a fresh sandbox with the suite
//! deployed ([`deployed`]), the contracts and accounts the tables name, and
//! the unmeasured setup calls (types, providers and offers, subscriptions,
//! wiring) with the argument syntax they share.

use std::fmt::{Debug, Display};

use dinfra::traits::{RegistryError, SubscriptionError};
use dinfra_e2e_tests::*;
use drink::session::Session;
use drink::AccountId32;
use ink::scale::Decode;

use crate::capacity::Limits;
use crate::measure::send;

/// Offers per provider the registry allows.
const OFFERS_PER_PROVIDER: u32 = 16;

/// The four contracts, in the order of the tables, with the bundles drink
/// built of them.
pub const CONTRACTS: [(&str, BundleProvider); 4] = [
    ("registry", BundleProvider::DinfraRegistry),
    ("award", BundleProvider::DinfraAward),
    ("subscription", BundleProvider::DinfraSubscription),
    ("escrow", BundleProvider::DinfraEscrow),
];

/// A contract of the suite and its name in the tables.
#[derive(Clone)]
pub struct Contract {
    pub name: &'static str,
    pub address: AccountId32,
    pub bundle: BundleProvider,
}

/// An account and the role it calls in.
#[derive(Clone)]
pub struct Actor {
    pub role: &'static str,
    pub id: AccountId32,
}

/// The suite's contracts, in the order of [`CONTRACTS`].
pub fn contracts(suite: &Suite) -> [Contract; 4] {
    let addresses = [
        &suite.registry,
        &suite.award,
        &suite.subscription,
        &suite.escrow,
    ];
    std::array::from_fn(|i| Contract {
        name: CONTRACTS[i].0,
        address: addresses[i].clone(),
        bundle: CONTRACTS[i].1,
    })
}

/// A fresh sandbox with the suite deployed, and the suite's admin.
pub struct Deployed {
    pub session: Sandbox,
    pub suite: Suite,
    pub admin: Actor,
}

/// A fresh sandbox whose gas limit is what one normal extrinsic may use
/// (a 50-subscription `claim_many` needs more than drink's default), with
/// the suite deployed by its default actor, the admin. The limit does not
/// change what a call consumes.
pub fn deployed(limits: &Limits) -> Deployed {
    let mut session: Sandbox = Session::default();
    session.set_gas_limit(limits.normal_max_extrinsic);
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let admin = Actor {
        role: "admin",
        id: session.get_actor(),
    };
    Deployed {
        session,
        suite,
        admin,
    }
}

/// A funded account with seed byte `seed`, calling as `role`.
pub fn actor(session: &mut Sandbox, role: &'static str, seed: u8) -> Actor {
    Actor {
        role,
        id: funded_account(session, seed),
    }
}

/// Fixed-price terms: no minimum duration, 10 blocks' notice.
pub fn fixed(price_per_block: u128, capacity: u32) -> OfferSpec {
    OfferSpec {
        price_per_block,
        capacity,
        min_duration: 0,
        notice_blocks: 10,
        dynamic: false,
        cancel_fee: 0,
    }
}

pub fn id_arg(id: u64) -> Vec<String> {
    vec![id.to_string()]
}

/// The arguments of a page query: `key`'s entries from `start` on, 10 of them.
pub fn page(key: impl Display, start: u64) -> Vec<String> {
    vec![key.to_string(), start.to_string(), "10".into()]
}

/// The registry's `configure` arguments: the suite's parameters.
pub fn registry_configuration() -> Vec<String> {
    vec![format!(
        "Parameters {{ min_bond: {MIN_BOND}, unbonding_blocks: {UNBONDING_BLOCKS} }}"
    )]
}

/// The award's `configure` arguments: the suite's window, round robin.
pub fn award_configuration() -> Vec<String> {
    vec![MAX_CANDIDATES.to_string(), "RoundRobin".into()]
}

/// Points the award's selector and the registry's and the escrow's
/// controller at `controller` through the scheduled path (they are wired to
/// the subscription contract already): the governance delay passes.
pub fn rewire_controllers(
    session: &mut Sandbox,
    suite: &Suite,
    admin: &Actor,
    controller: &AccountId32,
) {
    session.set_actor(admin.id.clone());
    for contract in [&suite.award, &suite.registry, &suite.escrow] {
        schedule_and_apply(
            session,
            contract,
            link_change("Controller", Some(controller)),
        );
    }
}

/// The arguments of `Award::select` for a type at most 10 a block.
pub fn select_args(type_id: u32) -> Vec<String> {
    vec![
        requirements_arg(&max_price(10)),
        type_id.to_string(),
        "0".into(),
    ]
}

pub fn stream_of(session: &mut Sandbox, suite: &Suite, id: u64) -> u64 {
    details(session, suite, id).subscription.stream_id
}

/// `create` of a `type_id` subscription by `consumer` with `deposit`.
pub fn create(
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

/// Calls a subscription message as `who`, which must return `Ok`.
pub fn subscription_ok<T: Decode + Debug>(
    session: &mut Sandbox,
    suite: &Suite,
    who: &Actor,
    message: &str,
    args: &[String],
) -> T {
    send::<T, SubscriptionError>(session, &suite.subscription, who, message, args)
}

/// `mark_ready` of each of `ids` by `provider`.
pub fn mark_ready(
    session: &mut Sandbox,
    suite: &Suite,
    provider: &Actor,
    ids: impl IntoIterator<Item = u64>,
) {
    for id in ids {
        subscription_ok::<()>(session, suite, provider, "mark_ready", &mark_ready_args(id));
    }
}

/// Registers `provider` (bonding [`MIN_BOND`]) and publishes one offer of
/// `type_id` on `spec`.
pub fn provider_offering(
    session: &mut Sandbox,
    suite: &Suite,
    provider: &Actor,
    type_id: u32,
    spec: OfferSpec,
) {
    provider_with_terms(session, suite, &provider.id, &[], type_id, spec);
}

/// Publishes `offers` fixed-price offers of `type_id` from providers with
/// seeds from `first_seed` on, 16 each (the most one may have).
pub fn publish_offers(
    session: &mut Sandbox,
    suite: &Suite,
    type_id: u32,
    offers: u32,
    first_seed: u8,
) {
    let mut published = 0;
    let mut seed = first_seed;
    while published < offers {
        let provider = actor(session, "provider", seed);
        seed = seed.checked_add(1).expect("enough provider seeds");
        let batch = (offers - published).min(OFFERS_PER_PROVIDER);
        provider_offering(session, suite, &provider, type_id, fixed(10, 5));
        for _ in 1..batch {
            send::<u64, RegistryError>(
                session,
                &suite.registry,
                &provider,
                "publish_offer",
                &[type_id.to_string(), fixed(10, 5).arg()],
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
