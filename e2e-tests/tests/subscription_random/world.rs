//! The world every sequence starts from, set up once per sandbox before its
//! snapshot is taken: the deployed suite, one deployment type with six
//! offers by three providers (Fixed and Dynamic, with and without a cancel
//! fee), one type nobody offers, three consumers, a stranger (keeper,
//! sponsor, and the account a drained account's balance goes to) and the
//! admin; each contract's code hash (a `Code` change to it rewires nothing);
//! and who counts as whom.

use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;

/// Offers of the one deployment type, as (provider index, terms).
fn offer_specs() -> Vec<(usize, OfferSpec)> {
    let spec = |price, capacity, min_duration, notice_blocks, dynamic, cancel_fee| OfferSpec {
        price_per_block: price,
        capacity,
        min_duration,
        notice_blocks,
        dynamic,
        cancel_fee,
    };
    vec![
        (0, spec(3, 2, 0, 5, false, 0)),
        (0, spec(5, 1, 20, 0, true, 50)),
        (1, spec(2, 2, 10, 6, true, 0)),
        (2, spec(7, 3, 50, 30, false, 300)),
        (2, spec(4, 2, 5, 3, true, 40)),
        (1, spec(1, 1, 0, 2, false, 100)),
    ]
}

/// The four contracts of the suite, in the order the view keeps their
/// governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Contract {
    Registry,
    Award,
    Subscription,
    Escrow,
}

pub const CONTRACTS: [Contract; 4] = [
    Contract::Registry,
    Contract::Award,
    Contract::Subscription,
    Contract::Escrow,
];

impl Contract {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether a change pending here waives the minimum duration of a
    /// consumer's cancel (the award's changes only touch awards to come).
    pub fn waives(self) -> bool {
        self != Contract::Award
    }
}

/// What the test sets up once: the suite, one deployment type with six
/// offers by three providers, one type nobody offers, three consumers, a
/// stranger and the admin.
pub struct World {
    pub suite: Suite,
    pub admin: AccountId32,
    pub providers: Vec<AccountId32>,
    pub consumers: Vec<AccountId32>,
    pub stranger: AccountId32,
    pub type_id: u32,
    pub empty_type: u32,
    /// (offer id, provider index, terms)
    pub offers: Vec<(u64, usize, OfferSpec)>,
    /// Each contract's code hash, by [`Contract::index`].
    pub code_hashes: [[u8; 32]; 4],
}

impl World {
    pub fn new(session: &mut Sandbox) -> Self {
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
        let mut world = Self {
            suite,
            admin,
            providers,
            consumers,
            stranger,
            type_id,
            empty_type,
            offers,
            code_hashes: [[0; 32]; 4],
        };
        for contract in CONTRACTS {
            world.code_hashes[contract.index()] =
                code_hash(session, world.address(contract)).expect("a deployed contract has code");
        }
        world
    }

    pub fn address(&self, contract: Contract) -> &AccountId32 {
        match contract {
            Contract::Registry => &self.suite.registry,
            Contract::Award => &self.suite.award,
            Contract::Subscription => &self.suite.subscription,
            Contract::Escrow => &self.suite.escrow,
        }
    }

    /// Every account whose balance the test watches: people, then contracts.
    pub fn accounts(&self) -> Vec<AccountId32> {
        let mut all = self.people();
        all.extend(self.suite.contracts());
        all
    }

    /// Anyone who may send a transaction (and hold a credit).
    pub fn people(&self) -> Vec<AccountId32> {
        let mut all = vec![self.admin.clone(), self.stranger.clone()];
        all.extend(self.providers.iter().cloned());
        all.extend(self.consumers.iter().cloned());
        all
    }

    /// The people whose balance a sequence may drain: consumers and
    /// providers (never the admin or the stranger, who receives it).
    pub fn drainable(&self) -> Vec<AccountId32> {
        let mut all = self.providers.clone();
        all.extend(self.consumers.iter().cloned());
        all
    }

    /// The world offer with id `offer_id`, as (index, provider index, terms).
    pub fn offer(&self, offer_id: u64) -> Option<(usize, usize, OfferSpec)> {
        self.offers
            .iter()
            .enumerate()
            .find(|(_, (id, _, _))| *id == offer_id)
            .map(|(i, (_, provider, spec))| (i, *provider, *spec))
    }
}

/// The code hash of the contract at `account`, as pallet-contracts holds it.
pub fn code_hash(session: &mut Sandbox, account: &AccountId32) -> Option<[u8; 32]> {
    session.sandbox().execute_with(|| {
        drink::pallet_contracts::Pallet::<DinfraSandboxRuntime>::code_hash(account).map(|h| h.0)
    })
}

/// Converts the contracts' `AccountId` into a sandbox account.
pub fn account_of(account: &ink::primitives::AccountId) -> AccountId32 {
    let bytes: &[u8; 32] = account.as_ref();
    AccountId32::new(*bytes)
}
