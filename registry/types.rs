//! The registry's stored records and their terms.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

pub use dinfra::traits::Pricing;
use dinfra::traits::Reputation;
use dinfra::types::{
    AccountId, Attribute, Balance, BlockNumber, Hash32, Invalid, OfferId, TypeId,
    MAX_CANCEL_FEE_BLOCKS, MAX_TERM_BLOCKS,
};
use ink::prelude::{string::String, vec::Vec};

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

/// Where a provider stands.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderStatus {
    /// Takes new subscriptions.
    Active,
    /// Takes no new subscriptions; live ones continue.
    Paused,
    /// Deregistered: its bond comes back from `unbonds_at`.
    Leaving { unbonds_at: BlockNumber },
}

/// A registered provider.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    /// Where consumers and the provider's agent reach it (a URL).
    pub endpoint: String,
    /// Self-declared attributes (`region=eu-west`, `network=hetzner`, …).
    pub attributes: Vec<Attribute>,
    /// Native balance bonded at registration.
    pub bond: Balance,
    /// Blocks between its deregistration and its bond's return: the
    /// registry's parameter when it registered (a later `configure` does not
    /// reach a bond already given).
    pub unbonding_blocks: BlockNumber,
    pub status: ProviderStatus,
    pub registered_at: BlockNumber,
    /// Live offers (withdrawn ones leave this list).
    pub offers: Vec<OfferId>,
    /// Deployments reserved across all its offers.
    pub reserved: u32,
    pub reputation: Reputation,
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
    /// The shortest subscription accepted, in blocks.
    pub min_duration: BlockNumber,
    /// Blocks of notice the provider gives before leaving a subscription or
    /// (Dynamic) before a new price applies.
    pub notice_blocks: BlockNumber,
    pub pricing: Pricing,
    /// What a consumer pays the provider for cancelling before ready.
    pub cancel_fee: Balance,
    /// Taken off the market by its provider (reserved subscriptions go on to
    /// their end).
    pub withdrawn: bool,
    /// Position in its type's index while it can be awarded: not withdrawn,
    /// its provider active, capacity free. `None` otherwise.
    pub position: Option<u32>,
}

impl Offer {
    pub fn free_capacity(&self) -> u32 {
        self.capacity.saturating_sub(self.reserved)
    }

    /// Whether an award may choose it, given its provider's status.
    pub fn awardable(&self, provider_status: ProviderStatus) -> bool {
        !self.withdrawn && provider_status == ProviderStatus::Active && self.free_capacity() > 0
    }
}

/// The terms of an offer, as published or updated.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferTerms {
    pub price_per_block: Balance,
    pub capacity: u32,
    pub min_duration: BlockNumber,
    pub notice_blocks: BlockNumber,
    pub pricing: Pricing,
    /// What a consumer pays for cancelling before ready, within the ready
    /// deadline: at most [`MAX_CANCEL_FEE_BLOCKS`] blocks of the price.
    pub cancel_fee: Balance,
}

impl OfferTerms {
    pub fn validate(&self) -> core::result::Result<(), Invalid> {
        if self.price_per_block == 0 {
            return Err(Invalid::Price);
        }
        if self.capacity == 0 {
            return Err(Invalid::Capacity);
        }
        if self.min_duration > MAX_TERM_BLOCKS || self.notice_blocks > MAX_TERM_BLOCKS {
            return Err(Invalid::Duration);
        }
        let max_fee = self
            .price_per_block
            .saturating_mul(Balance::from(MAX_CANCEL_FEE_BLOCKS));
        if self.cancel_fee > max_fee {
            return Err(Invalid::Fee);
        }
        Ok(())
    }
}

/// Admin-set parameters.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parameters {
    /// Smallest bond a provider registers with.
    pub min_bond: Balance,
    /// Blocks between deregistration and the bond's return, for providers
    /// registering from now on.
    pub unbonding_blocks: BlockNumber,
}

impl Parameters {
    /// An unbonding period of at most [`MAX_TERM_BLOCKS`].
    pub fn validate(&self) -> core::result::Result<(), Invalid> {
        if self.unbonding_blocks > MAX_TERM_BLOCKS {
            return Err(Invalid::Parameter);
        }
        Ok(())
    }
}
