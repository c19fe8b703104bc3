//! The world every sequence starts from, set up once per sandbox before its
//! snapshot is taken: the deployed suite, one deployment type with five
//! offers by three providers, one type nobody offers, three consumers, a
//! stranger (keeper, sponsor) and the admin; and who counts as whom.

use crate::storage::Keys;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::*;

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

/// What the test sets up once: the suite, one deployment type with five
/// offers by three providers, one type nobody offers, three consumers, a
/// stranger (keeper, sponsor) and the admin.
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
    pub keys: Keys,
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
        Self {
            suite,
            admin,
            providers,
            consumers,
            stranger,
            type_id,
            empty_type,
            offers,
            keys: Keys::from_metadata(),
        }
    }

    /// Every account whose balance the test watches: people, then contracts.
    pub fn accounts(&self) -> Vec<AccountId32> {
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
    pub fn people(&self) -> Vec<AccountId32> {
        let mut all = vec![self.admin.clone(), self.stranger.clone()];
        all.extend(self.providers.iter().cloned());
        all.extend(self.consumers.iter().cloned());
        all
    }
}

/// Converts the contracts' `AccountId` into a sandbox account.
pub fn account_of(account: &ink::primitives::AccountId) -> AccountId32 {
    let bytes: &[u8; 32] = account.as_ref();
    AccountId32::new(*bytes)
}
