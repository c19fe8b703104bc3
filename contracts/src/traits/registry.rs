//! The provider registry as seen by other contracts.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use crate::admin::AdminError;
use crate::types::{AccountId, Attribute, Balance, BlockNumber, Invalid, OfferId, TypeId};
use ink::prelude::vec::Vec;

/// Errors of the registry.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryError {
    /// The caller may not do this.
    Unauthorized,
    /// No such deployment type, provider or offer.
    NotFound,
    /// A deployment type of that name, or a provider for that account, exists.
    AlreadyExists,
    /// Part of the input was refused; nothing was written.
    InvalidInput(Invalid),
    /// New registrations and offers are paused.
    Paused,
    /// The bond sent is below the minimum bond.
    InsufficientBond,
    /// The provider or offer is not in a state that allows this.
    WrongState,
    /// Deregistration while deployments are reserved.
    CapacityReserved,
    /// The bond is still unbonding.
    StillUnbonding,
    /// The offer has no free capacity.
    NoCapacity,
    /// The provider has the most live offers allowed.
    TooManyOffers,
    /// A native transfer failed; nothing was changed.
    TransferFailed,
    /// A counter or id would overflow.
    Overflow,
}

impl From<AdminError> for RegistryError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Paused => RegistryError::Paused,
            _ => RegistryError::Unauthorized,
        }
    }
}

impl From<Invalid> for RegistryError {
    fn from(what: Invalid) -> Self {
        RegistryError::InvalidInput(what)
    }
}

/// A provider's track record, kept by the registry on the subscription
/// contract's word.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reputation {
    /// Subscriptions served to their end (funds exhausted or consumer cancel).
    pub completed: u32,
    /// Subscriptions the provider left early.
    pub exited_early: u32,
    /// Awards the provider never marked ready in time.
    pub missed_ready: u32,
}

/// How a subscription ended, for its provider's reputation.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Served to its end (funds exhausted or the consumer cancelled).
    Completed,
    /// The provider left early.
    ExitedEarly,
    /// The provider never marked it ready in time.
    MissedReady,
}

/// How an offer's price may change during a subscription.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    /// A change needs the consumer's consent.
    Fixed,
    /// The provider may reprice within the consumer's bound, after notice.
    Dynamic,
}

/// The terms of the offer one deployment was reserved under, as the
/// registry holds them at that moment (the award's word is not taken for
/// the rate or the provider).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub provider: AccountId,
    pub price_per_block: Balance,
    /// The shortest subscription the offer accepts, in blocks.
    pub min_duration: BlockNumber,
    /// Blocks of notice the provider gives before leaving or repricing.
    pub notice_blocks: BlockNumber,
    pub pricing: Pricing,
}

/// What an attestor vouches for about a provider.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub attestor: AccountId,
    pub attributes: Vec<Attribute>,
}

/// A live offer an award may choose, with everything a filter needs about
/// its provider so the award makes one cross-contract call.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub offer_id: OfferId,
    pub provider: AccountId,
    pub price_per_block: Balance,
    /// Capacity not yet reserved by live subscriptions.
    pub free_capacity: u32,
    /// The shortest subscription the offer accepts, in blocks.
    pub min_duration: BlockNumber,
    /// The provider is registered, not paused and not leaving.
    pub provider_active: bool,
    /// The provider's self-declared attributes.
    pub attributes: Vec<Attribute>,
    /// Attestations of the provider by the attestors the caller asked about.
    pub attestations: Vec<Attestation>,
    pub reputation: Reputation,
}

/// One window of a deployment type's live offers.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePage {
    /// Live offers of the type in all; the window wraps around this many.
    pub total: u32,
    /// At most `limit` offers, starting at `cursor % total` and wrapping;
    /// fewer when their encoding would pass `MAX_REPLY_BYTES`.
    pub candidates: Vec<Candidate>,
}

#[ink::trait_definition]
pub trait Registry {
    /// At most `limit` live offers of `type_id`, starting at position
    /// `cursor % total` of the type's index and wrapping around, in O(limit):
    /// never a scan over all providers. The window ends early rather than
    /// pass `MAX_REPLY_BYTES` (ink!'s reply buffer is 16 KiB).
    /// Each candidate carries the attestations of its provider by
    /// `attestors` (at most `MAX_REQUIREMENT_ENTRIES`).
    #[ink(message)]
    fn candidates(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
        attestors: Vec<AccountId>,
    ) -> Result<CandidatePage, RegistryError>;

    /// Reserves one deployment of `offer_id` (the subscription contract
    /// only) and returns the offer's terms.
    #[ink(message)]
    fn reserve(&mut self, offer_id: OfferId) -> Result<Reservation, RegistryError>;

    /// Releases one deployment of `offer_id` (the subscription contract only).
    #[ink(message)]
    fn release(&mut self, offer_id: OfferId) -> Result<(), RegistryError>;

    /// Adds a subscription's outcome to `provider`'s reputation (the
    /// subscription contract only).
    #[ink(message)]
    fn record(&mut self, provider: AccountId, outcome: Outcome) -> Result<(), RegistryError>;
}
