//! The provider registry as seen by other contracts.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use super::award::Requirements;
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
    /// No offer of the type fits the requirements (`award`); nothing was
    /// reserved.
    NoProvider,
}

impl From<AdminError> for RegistryError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Paused => RegistryError::Paused,
            AdminError::InvalidChange => RegistryError::InvalidInput(Invalid::Parameter),
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
/// contract's word. The counts say how often; the values say how much was at
/// stake, which is what the Scored strategy weighs: a subscription at a price
/// of 1 (or to oneself, which is never recorded) earns nothing worth having.
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
    /// Σ paid to the provider by the subscriptions it served to their end.
    pub completed_value: Balance,
    /// Σ paid by the subscriptions it left early.
    pub exited_value: Balance,
    /// Σ held by the awards it missed: what their consumers had at stake.
    pub missed_value: Balance,
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

/// What an attestor vouches for about a provider.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub attestor: AccountId,
    pub attributes: Vec<Attribute>,
}

/// An offer with everything a consumer's requirements are checked against:
/// its terms as the registry holds them, and its provider's standing.
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
    /// Blocks of notice the provider gives before leaving or repricing.
    pub notice_blocks: BlockNumber,
    pub pricing: Pricing,
    /// What a consumer pays the provider if it cancels before the
    /// deployment is ready (and before the ready deadline).
    pub cancel_fee: Balance,
    /// The provider is registered, not paused and not leaving.
    pub provider_active: bool,
    /// The provider's self-declared attributes.
    pub attributes: Vec<Attribute>,
    /// Attestations of the provider by the attestors the caller asked about.
    pub attestations: Vec<Attestation>,
    pub reputation: Reputation,
}

/// The offer one deployment was reserved under, as the registry holds it
/// at that moment (the award's word is taken for nothing): the subscription
/// contract checks it against the consumer's requirements itself.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub type_id: TypeId,
    /// Its terms and its provider, before this reservation (so
    /// `free_capacity` ≥ 1).
    pub offer: Candidate,
}

/// The offers of one window of a type's index that fit a consumer's
/// requirements.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePage {
    /// Offers of the type that can be awarded now (listed in its index); the
    /// window wraps around this many.
    pub total: u32,
    /// The fitting offers, each with its position in the index, in the order
    /// scanned from `cursor % total`.
    pub fitting: Vec<(u32, Candidate)>,
}

#[ink::trait_definition]
pub trait Registry {
    /// The offers of `type_id` that fit `requirements` among at most `limit`
    /// positions of the type's index from `cursor % total`, wrapping; at most
    /// `want` of them (the scan stops there), fewer when their encoding would
    /// pass `MAX_REPLY_BYTES`. The index holds only offers that can be
    /// awarded now — a paused or leaving provider's, a withdrawn or a full
    /// offer leave it and come back when they can be awarded again — so no
    /// account can fill a window with dead offers. Reads O(limit) records:
    /// never a scan over the market.
    #[ink(message)]
    fn candidates(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
        want: u32,
        requirements: Requirements,
    ) -> Result<CandidatePage, RegistryError>;

    /// Reserves one deployment of `offer_id`, which must be awardable now
    /// (the subscription contract only), and returns the offer as it stands,
    /// with its provider's attestations by `attestors`.
    #[ink(message)]
    fn reserve(
        &mut self,
        offer_id: OfferId,
        attestors: Vec<AccountId>,
    ) -> Result<Reservation, RegistryError>;

    /// Reserves one deployment for a new subscription (the subscription
    /// contract only) and returns what `reserve` returns: of
    /// `offer_id` when one is named (by the consumer, or chosen by a custom
    /// award contract), which the subscription contract checks against the
    /// requirements itself; otherwise of the offer of `type_id` the
    /// registry's own award chooses by its
    /// [`AwardRules`](super::award::AwardRules) — the scan of `candidates`
    /// from the type's rotating cursor and the pick of the stock award
    /// contract — moving the cursor past it, or `NoProvider` when nothing
    /// fits. One call, one code load: `create` reads the registry once.
    /// `seed`: the Random strategy's, which the subscription contract derives
    /// from the subscription id and the block
    /// ([`random_seed`](crate::selection::random_seed)).
    #[ink(message)]
    fn award(
        &mut self,
        type_id: TypeId,
        requirements: Requirements,
        seed: u64,
        offer_id: Option<OfferId>,
    ) -> Result<Reservation, RegistryError>;

    /// Releases one deployment of `offer_id` (the subscription contract,
    /// or one the registry was rewired away from: its subscriptions still
    /// close and free their capacity).
    #[ink(message)]
    fn release(&mut self, offer_id: OfferId) -> Result<(), RegistryError>;

    /// Adds a subscription's outcome, worth `value`, to `provider`'s
    /// reputation (the subscription contract only).
    #[ink(message)]
    fn record(
        &mut self,
        provider: AccountId,
        outcome: Outcome,
        value: Balance,
    ) -> Result<(), RegistryError>;
}
