//! The registry's state and rules as a plain Rust type: every mutation
//! validates all of its input first, then writes, and returns the events the
//! contract shell emits. Testable without a chain. Providers and their bonds
//! are in `providers.rs`, offers and the per-type index in `offers.rs`.

pub use crate::types::{
    DeploymentType, Offer, OfferTerms, Parameters, Pricing, Provider, ProviderStatus,
};
use dinfra::traits::{Outcome, RegistryError, Reputation};
use dinfra::types::{
    check_len, AccountId, Attribute, Balance, BlockNumber, Hash32, Invalid, OfferId, TypeId,
    MAX_NAME_LEN,
};

/// A provider's or attestor's attribute list.
pub type Attributes = Vec<Attribute>;

pub use dinfra::types::{check_limit, page_range, within_reply, Page};
use ink::prelude::{string::String, vec::Vec};
use ink::storage::Mapping;

/// Most offers one provider may have live at once (bounds deregistration).
pub const MAX_OFFERS_PER_PROVIDER: usize = 16;

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
        reputation: Reputation,
    },
}

pub(crate) type Result<T> = core::result::Result<T, RegistryError>;

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct RegistryData {
    pub(crate) parameters: Parameters,
    pub(crate) types: Mapping<TypeId, DeploymentType>,
    pub(crate) type_by_name: Mapping<String, TypeId>,
    pub(crate) type_count: TypeId,
    pub(crate) providers: Mapping<AccountId, Provider>,
    /// Dense list of registered providers, for pagination: position → account.
    pub(crate) provider_at: Mapping<u32, AccountId>,
    pub(crate) provider_position: Mapping<AccountId, u32>,
    pub(crate) provider_count: u32,
    /// (provider, attestor) → what the attestor vouches for.
    pub(crate) attestations: Mapping<(AccountId, AccountId), Attributes>,
    pub(crate) offers: Mapping<OfferId, Offer>,
    pub(crate) offer_count: OfferId,
    /// Per-type index of live offers: position → offer id. Kept dense
    /// (withdrawal swaps the last entry into the hole) so a window of it is
    /// read in O(window), whatever the size of the market.
    pub(crate) type_offers: Mapping<(TypeId, u32), OfferId>,
    pub(crate) type_offer_count: Mapping<TypeId, u32>,
}

impl RegistryData {
    pub fn new(parameters: Parameters) -> Self {
        Self {
            parameters,
            ..Default::default()
        }
    }

    pub fn parameters(&self) -> Parameters {
        self.parameters
    }

    pub fn set_parameters(&mut self, parameters: Parameters) {
        self.parameters = parameters;
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
        let type_id = self.type_count;
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
        self.type_count = next;
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
        let page = within_reply(
            page_range(cursor, limit, self.type_count)
                .filter_map(|id| self.types.get(id).map(|t| (id, t))),
        );
        Ok((self.type_count, page))
    }
}
