//! The registry's state and rules as a plain Rust type: every mutation
//! validates all of its input first, then writes, and returns the events the
//! contract shell emits. Testable without a chain. Providers and their bonds
//! are in `providers.rs`, offers and the per-type index in `offers.rs`.

pub use crate::types::{
    DeploymentType, Offer, OfferTerms, Parameters, Pricing, Provider, ProviderStatus,
};
use dinfra::traits::{AwardRules, Outcome, RegistryError, Reputation};
use dinfra::types::{
    check_len, AccountId, Attribute, Balance, BlockNumber, Hash32, Invalid, OfferId, TypeId,
    MAX_NAME_LEN,
};

/// A provider's or attestor's attribute list.
pub type Attributes = Vec<Attribute>;

pub use dinfra::types::{check_limit, page_range, within_reply, Page};
use ink::prelude::{string::String, vec::Vec};
use ink::storage::{traits::ManualKey, Lazy, Mapping};

/// Most offers one provider may have live at once.
pub const MAX_OFFERS_PER_PROVIDER: usize = dinfra::types::MAX_OFFERS_PER_PROVIDER as usize;

/// The registry's storage keys: fixed, so that upgraded code finds every
/// record where this code left it (a new field gets a new key).
pub mod keys {
    pub const CONTROLLER: u32 = 0x7265_0001;
    pub const PARAMETERS: u32 = 0x7265_0002;
    pub const TYPES: u32 = 0x7265_0003;
    pub const TYPE_BY_NAME: u32 = 0x7265_0004;
    pub const TYPE_COUNT: u32 = 0x7265_0005;
    pub const PROVIDERS: u32 = 0x7265_0006;
    pub const PROVIDER_AT: u32 = 0x7265_0007;
    pub const PROVIDER_POSITION: u32 = 0x7265_0008;
    pub const PROVIDER_COUNT: u32 = 0x7265_0009;
    pub const ATTESTATIONS: u32 = 0x7265_000a;
    pub const OFFERS: u32 = 0x7265_000b;
    pub const OFFER_COUNT: u32 = 0x7265_000c;
    pub const TYPE_OFFERS: u32 = 0x7265_000d;
    pub const TYPE_OFFER_COUNT: u32 = 0x7265_000e;
    pub const RETIRED_CONTROLLERS: u32 = 0x7265_0010;
    pub const AWARD_RULES: u32 = 0x7265_0011;
    pub const AWARD_CURSORS: u32 = 0x7265_0012;
    /// Only in the upgrade fixture (`fixtures/upgraded/`): a field that v1
    /// storage does not have.
    pub const UPGRADE_NOTE: u32 = 0x7265_000f;
}

/// What a mutation changed, for the contract shell to emit (and pay out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryEvent {
    TypeRegistered {
        type_id: TypeId,
        name: String,
        schema_hash: Hash32,
    },
    ProviderRegistered {
        provider: AccountId,
        name: String,
        endpoint: String,
        bond: Balance,
    },
    ProviderUpdated {
        provider: AccountId,
        name: String,
        endpoint: String,
    },
    ProviderStatusChanged {
        provider: AccountId,
        status: ProviderStatus,
    },
    ProviderDeregistered {
        provider: AccountId,
        unbonds_at: BlockNumber,
    },
    /// Pay `amount` back to `provider`.
    BondWithdrawn {
        provider: AccountId,
        amount: Balance,
    },
    Attested {
        provider: AccountId,
        attestor: AccountId,
        attributes: Vec<Attribute>,
    },
    OfferPublished {
        offer_id: OfferId,
        provider: AccountId,
        type_id: TypeId,
        terms: OfferTerms,
    },
    OfferUpdated {
        offer_id: OfferId,
        terms: OfferTerms,
    },
    OfferWithdrawn {
        offer_id: OfferId,
        provider: AccountId,
        type_id: TypeId,
    },
    CapacityReserved {
        offer_id: OfferId,
        reserved: u32,
    },
    CapacityReleased {
        offer_id: OfferId,
        reserved: u32,
    },
    OutcomeRecorded {
        provider: AccountId,
        outcome: Outcome,
        value: Balance,
        reputation: Reputation,
    },
}

pub(crate) type Result<T> = core::result::Result<T, RegistryError>;

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct RegistryData {
    pub(crate) parameters: Lazy<Parameters, ManualKey<{ keys::PARAMETERS }>>,
    pub(crate) types: Mapping<TypeId, DeploymentType, ManualKey<{ keys::TYPES }>>,
    pub(crate) type_by_name: Mapping<String, TypeId, ManualKey<{ keys::TYPE_BY_NAME }>>,
    pub(crate) type_count: Lazy<TypeId, ManualKey<{ keys::TYPE_COUNT }>>,
    pub(crate) providers: Mapping<AccountId, Provider, ManualKey<{ keys::PROVIDERS }>>,
    /// Dense list of registered providers, for pagination: position → account.
    pub(crate) provider_at: Mapping<u32, AccountId, ManualKey<{ keys::PROVIDER_AT }>>,
    pub(crate) provider_position: Mapping<AccountId, u32, ManualKey<{ keys::PROVIDER_POSITION }>>,
    pub(crate) provider_count: Lazy<u32, ManualKey<{ keys::PROVIDER_COUNT }>>,
    /// (provider, attestor) → what the attestor vouches for.
    pub(crate) attestations:
        Mapping<(AccountId, AccountId), Attributes, ManualKey<{ keys::ATTESTATIONS }>>,
    pub(crate) offers: Mapping<OfferId, Offer, ManualKey<{ keys::OFFERS }>>,
    pub(crate) offer_count: Lazy<OfferId, ManualKey<{ keys::OFFER_COUNT }>>,
    /// Per-type index of the offers that can be awarded now: position →
    /// offer id. Kept dense (an offer leaving swaps the last entry into its
    /// hole) so a window of it is read in O(window), whatever the size of the
    /// market; an offer leaves it when its provider pauses or leaves, when it
    /// is withdrawn or full, and comes back when it can be awarded again.
    pub(crate) type_offers: Mapping<(TypeId, u32), OfferId, ManualKey<{ keys::TYPE_OFFERS }>>,
    pub(crate) type_offer_count: Mapping<TypeId, u32, ManualKey<{ keys::TYPE_OFFER_COUNT }>>,
    /// How the registry's own awards choose (`award.rs`); the defaults while
    /// unset.
    pub(crate) award_rules: Lazy<AwardRules, ManualKey<{ keys::AWARD_RULES }>>,
    /// Per type, the index position the next award reads from.
    pub(crate) award_cursors: Mapping<TypeId, u32, ManualKey<{ keys::AWARD_CURSORS }>>,
}

impl RegistryData {
    pub fn new(parameters: Parameters) -> Self {
        let mut data = Self::default();
        data.parameters.set(&parameters);
        data
    }

    pub fn parameters(&self) -> Parameters {
        self.parameters.get_or_default()
    }

    pub fn set_parameters(&mut self, parameters: Parameters) {
        self.parameters.set(&parameters);
    }

    /// Registers a deployment type; names are unique.
    pub fn register_type(
        &mut self,
        caller: AccountId,
        name: String,
        schema_hash: Hash32,
    ) -> Result<Vec<RegistryEvent>> {
        check_len(name.as_bytes(), MAX_NAME_LEN, Invalid::Name)?;
        if self.type_by_name.contains(&name) {
            return Err(RegistryError::AlreadyExists);
        }
        let type_id = self.type_count.get_or_default();
        let next = type_id.checked_add(1).ok_or(RegistryError::Overflow)?;
        self.types.insert(
            type_id,
            &DeploymentType {
                name: name.clone(),
                schema_hash,
                registered_by: caller,
            },
        );
        self.type_by_name.insert(&name, &type_id);
        self.type_count.set(&next);
        Ok(ink::prelude::vec![RegistryEvent::TypeRegistered {
            type_id,
            name,
            schema_hash
        }])
    }

    pub fn deployment_type(&self, type_id: TypeId) -> Option<DeploymentType> {
        self.types.get(type_id)
    }

    pub fn type_id_by_name(&self, name: String) -> Option<TypeId> {
        self.type_by_name.get(name)
    }

    /// Types `cursor..cursor+limit` (ids are dense) and the total.
    pub fn types(&self, cursor: u32, limit: u32) -> Result<Page<(TypeId, DeploymentType)>> {
        check_limit(limit)?;
        let count = self.type_count.get_or_default();
        let page = within_reply(
            page_range(cursor, limit, count).filter_map(|id| self.types.get(id).map(|t| (id, t))),
        );
        Ok((count, page))
    }
}
