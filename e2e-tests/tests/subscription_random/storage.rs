//! Reading the contracts' storage directly, which is what makes checking
//! every step cheap: the root keys of the figures from the bundles'
//! metadata, raw reads through pallet-contracts, the `View` of everything
//! the checks look at after a step, and the cross-check of that reading
//! against the contracts' own messages.

use crate::world::World;
use dinfra::admin::AdminData;
use dinfra::lifecycle::{Parameters, Subscription};
use dinfra::stream::Stream;
use dinfra::types::BlockNumber;
use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;
use dinfra_escrow::data::EscrowData;
use dinfra_registry::data::{Offer, Provider};
use dinfra_subscription::data::SubscriptionData;
use ink::metadata::layout::Layout;
use ink::scale::{Decode, Encode};

/// Storage keys of the figures the checks read, from the bundles' metadata.
pub struct Keys {
    subscriptions: u32,
    streams: u32,
    offers: u32,
    providers: u32,
}

impl Keys {
    pub fn from_metadata() -> Self {
        Self {
            subscriptions: root_key(
                BundleProvider::DinfraSubscription,
                &["data", "subscriptions"],
            ),
            streams: root_key(BundleProvider::DinfraEscrow, &["data", "streams"]),
            offers: root_key(BundleProvider::DinfraRegistry, &["data", "offers"]),
            providers: root_key(BundleProvider::DinfraRegistry, &["data", "providers"]),
        }
    }
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

/// Reads the root struct of the `name` contract, which starts with its
/// `AdminData`; `rest` decodes the fields after it, which must be all.
fn read_root<T>(
    session: &mut Sandbox,
    contract: &AccountId32,
    name: &str,
    rest: impl FnOnce(&mut &[u8]) -> T,
) -> T {
    let bytes = read_raw(session, contract, 0u32.encode()).expect("root");
    let input = &mut &bytes[..];
    AdminData::decode(input).expect("admin");
    let value = rest(input);
    assert!(input.is_empty(), "{name} root struct not fully read");
    value
}

/// `next_id` and `live` of the subscription contract (its root struct:
/// admin, award, registry, escrow, parameters, data).
fn subscription_root(session: &mut Sandbox, world: &World) -> (u64, u64) {
    read_root(
        session,
        &world.suite.subscription,
        "subscription",
        |input| {
            for _ in 0..3 {
                ink::primitives::AccountId::decode(input).expect("a contract address");
            }
            Parameters::decode(input).expect("parameters");
            let data = <SubscriptionData as ink::storage::traits::Storable>::decode(input)
                .expect("subscription data");
            (data.next_id(), data.live())
        },
    )
}

/// `total_held` of the escrow (its root struct: admin, controller, data).
fn escrow_total_held(session: &mut Sandbox, world: &World) -> u128 {
    read_root(session, &world.suite.escrow, "escrow", |input| {
        Option::<ink::primitives::AccountId>::decode(input).expect("controller");
        let data =
            <EscrowData as ink::storage::traits::Storable>::decode(input).expect("escrow data");
        data.total_held()
    })
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
    /// Per world provider.
    pub providers: Vec<Provider>,
    pub total_held: u128,
}

pub fn read_view(session: &mut Sandbox, world: &World) -> View {
    let subscription = |session: &mut Sandbox, id: u64| -> Option<Subscription> {
        read_entry(
            session,
            &world.suite.subscription,
            world.keys.subscriptions,
            id,
        )
    };
    let (next_id, live) = subscription_root(session, world);
    let mut subs = Vec::new();
    for id in 0..next_id {
        let sub = subscription(session, id)
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
        subscription(session, next_id),
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
