//! The registry's state and rules as a plain Rust type: every mutation
//! validates all of its input first, then writes, and returns the events the
//! contract shell emits. Testable without a chain.

use dinfra::traits::{Candidate, CandidatePage, RegistryError};
use dinfra::types::{
    check_len, AccountId, Balance, BlockNumber, Hash32, Invalid, OfferId, TypeId,
    MAX_ENDPOINT_LEN, MAX_NAME_LEN, MAX_PAGE,
};
use ink::prelude::{string::String, vec::Vec};
use ink::storage::Mapping;

/// A kind of deployment consumers can ask for (e.g. `substrate-rpc`).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentType {
    pub name: String,
    /// blake2-256 of the JSON Schema that descriptors of this type follow.
    pub schema_hash: Hash32,
    pub registered_by: AccountId,
}

/// A registered provider.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    /// Where consumers and the provider's agent reach it (a URL).
    pub endpoint: String,
    pub registered_at: BlockNumber,
}

/// A provider's offer to serve one deployment type.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub provider: AccountId,
    pub type_id: TypeId,
    pub price_per_block: Balance,
    /// Concurrent deployments the provider will run under this offer.
    pub capacity: u32,
    /// Deployments currently reserved against `capacity`.
    pub reserved: u32,
}

impl Offer {
    pub fn free_capacity(&self) -> u32 {
        self.capacity.saturating_sub(self.reserved)
    }
}

/// What a mutation changed, for the contract shell to emit.
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
    },
    OfferPublished {
        offer_id: OfferId,
        provider: AccountId,
        type_id: TypeId,
        price_per_block: Balance,
        capacity: u32,
    },
}

type Result<T> = core::result::Result<T, RegistryError>;

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct RegistryData {
    types: Mapping<TypeId, DeploymentType>,
    type_by_name: Mapping<String, TypeId>,
    type_count: TypeId,
    providers: Mapping<AccountId, Provider>,
    offers: Mapping<OfferId, Offer>,
    offer_count: OfferId,
    /// Per-type index of live offers: position → offer id. Kept dense so a
    /// window of it is read in O(window), whatever the size of the market.
    type_offers: Mapping<(TypeId, u32), OfferId>,
    type_offer_count: Mapping<TypeId, u32>,
}

impl RegistryData {
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

    /// Registers the caller as a provider.
    pub fn register_provider(
        &mut self,
        caller: AccountId,
        name: String,
        endpoint: String,
        now: BlockNumber,
    ) -> Result<Vec<RegistryEvent>> {
        check_len(name.as_bytes(), MAX_NAME_LEN, Invalid::Name)?;
        check_len(endpoint.as_bytes(), MAX_ENDPOINT_LEN, Invalid::Endpoint)?;
        if self.providers.contains(caller) {
            return Err(RegistryError::AlreadyExists);
        }
        self.providers.insert(
            caller,
            &Provider {
                name: name.clone(),
                endpoint: endpoint.clone(),
                registered_at: now,
            },
        );
        Ok(ink::prelude::vec![RegistryEvent::ProviderRegistered {
            provider: caller,
            name,
            endpoint
        }])
    }

    /// Publishes an offer of the caller (a registered provider) and adds it
    /// to its type's index.
    pub fn publish_offer(
        &mut self,
        caller: AccountId,
        type_id: TypeId,
        price_per_block: Balance,
        capacity: u32,
    ) -> Result<Vec<RegistryEvent>> {
        if price_per_block == 0 {
            return Err(Invalid::Price.into());
        }
        if capacity == 0 {
            return Err(Invalid::Capacity.into());
        }
        if !self.types.contains(type_id) || !self.providers.contains(caller) {
            return Err(RegistryError::NotFound);
        }
        let offer_id = self.offer_count;
        let next_offer = offer_id.checked_add(1).ok_or(RegistryError::Overflow)?;
        let position = self.type_offer_count.get(type_id).unwrap_or(0);
        let next_position = position.checked_add(1).ok_or(RegistryError::Overflow)?;
        self.offers.insert(
            offer_id,
            &Offer {
                provider: caller,
                type_id,
                price_per_block,
                capacity,
                reserved: 0,
            },
        );
        self.type_offers.insert((type_id, position), &offer_id);
        self.type_offer_count.insert(type_id, &next_position);
        self.offer_count = next_offer;
        Ok(ink::prelude::vec![RegistryEvent::OfferPublished {
            offer_id,
            provider: caller,
            type_id,
            price_per_block,
            capacity
        }])
    }

    /// A window of at most `limit` live offers of `type_id`, from position
    /// `cursor % total`, wrapping. Reads `limit` index entries, no more.
    pub fn candidates(&self, type_id: TypeId, cursor: u32, limit: u32) -> Result<CandidatePage> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Invalid::Limit.into());
        }
        if !self.types.contains(type_id) {
            return Err(RegistryError::NotFound);
        }
        let total = self.type_offer_count.get(type_id).unwrap_or(0);
        let mut candidates = Vec::new();
        if total == 0 {
            return Ok(CandidatePage { total, candidates });
        }
        let first = cursor.checked_rem(total).ok_or(RegistryError::Overflow)?;
        let mut position = first;
        for _ in 0..limit.min(total) {
            let offer_id = self
                .type_offers
                .get((type_id, position))
                .ok_or(RegistryError::NotFound)?;
            let offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
            candidates.push(Candidate {
                offer_id,
                provider: offer.provider,
                price_per_block: offer.price_per_block,
                free_capacity: offer.free_capacity(),
            });
            // Wraps to 0 at `total`; `position < total <= u32::MAX` so +1 fits.
            position = position.checked_add(1).ok_or(RegistryError::Overflow)?;
            if position == total {
                position = 0;
            }
        }
        Ok(CandidatePage { total, candidates })
    }

    pub fn deployment_type(&self, type_id: TypeId) -> Option<DeploymentType> {
        self.types.get(type_id)
    }

    pub fn type_id_by_name(&self, name: String) -> Option<TypeId> {
        self.type_by_name.get(name)
    }

    pub fn provider(&self, account: AccountId) -> Option<Provider> {
        self.providers.get(account)
    }

    pub fn offer(&self, offer_id: OfferId) -> Option<Offer> {
        self.offers.get(offer_id)
    }
}
