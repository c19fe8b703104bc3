//! The award interface: any contract implementing [`Award`] can be plugged
//! into the subscription contract by the admin.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use super::registry::RegistryError;
use crate::admin::AdminError;
use crate::types::{
    AccountId, Attribute, Balance, BlockNumber, Invalid, OfferId, SubscriptionId, TypeId,
    MAX_TERM_BLOCKS,
};
use ink::prelude::vec::Vec;

/// Errors of an award.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardError {
    /// No live offer satisfies every requirement; the consumer's funds never leave.
    NoProvider,
    /// The caller may not do this.
    Unauthorized,
    /// Part of the input was refused.
    InvalidInput(Invalid),
    /// The registry refused the candidate query.
    Registry(RegistryError),
    /// A cross-contract call failed (wrong address, trapped, out of gas).
    CallFailed,
    /// A counter would overflow.
    Overflow,
}

impl super::CallerError for AwardError {
    fn call_failed() -> Self {
        AwardError::CallFailed
    }
}

impl From<RegistryError> for AwardError {
    fn from(error: RegistryError) -> Self {
        AwardError::Registry(error)
    }
}

impl From<AdminError> for AwardError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::InvalidChange => AwardError::InvalidInput(Invalid::Parameter),
            _ => AwardError::Unauthorized,
        }
    }
}

impl From<Invalid> for AwardError {
    fn from(what: Invalid) -> Self {
        AwardError::InvalidInput(what)
    }
}

/// What a consumer demands of a provider. Every field is a hard requirement,
/// checked by the registry when it lists candidates and again by the
/// subscription contract against the registry's own terms when it reserves
/// the chosen offer; empty lists demand nothing.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirements {
    /// The highest price per block the consumer accepts at the award.
    pub max_price_per_block: Balance,
    /// Attributes the provider must have, e.g. `region=eu-west`. When
    /// `trusted_attestors` is not empty, each must be attested by one of them.
    pub required_attributes: Vec<Attribute>,
    /// Attribute values the provider must not have, e.g. `network=aws`
    /// (self-declared or attested by anyone the consumer trusts).
    pub excluded_attributes: Vec<Attribute>,
    /// Providers the consumer prefers (a bonus under the Scored strategy).
    pub preferred_providers: Vec<AccountId>,
    /// Only `preferred_providers` may be chosen.
    pub preferred_only: bool,
    /// Providers never to choose (the subscription contract adds a provider
    /// that missed its ready timeout or declined before it asks again).
    pub excluded_providers: Vec<AccountId>,
    /// Attestors whose word the consumer takes for `required_attributes`.
    pub trusted_attestors: Vec<AccountId>,
    /// Blocks the consumer commits to: offers whose minimum duration is
    /// longer are skipped.
    pub min_duration: BlockNumber,
    /// Only offers whose price needs the consumer's consent to change.
    pub fixed_price_only: bool,
    /// The highest rate a Dynamic offer may be repriced to during the
    /// subscription; at least `max_price_per_block`. `None`:
    /// `max_price_per_block` bounds repricing too.
    pub max_rate: Option<Balance>,
    /// Offers whose notice (before the provider leaves) is longer are
    /// skipped. `None`: any notice.
    pub max_notice_blocks: Option<BlockNumber>,
    /// Dynamic offers whose notice (before a new price applies) is shorter
    /// are skipped.
    pub min_reprice_notice: BlockNumber,
    /// Offers charging more than this to cancel before the deployment is
    /// ready are skipped.
    pub max_cancel_fee: Balance,
}

/// Most entries in each list of [`Requirements`].
pub const MAX_REQUIREMENT_ENTRIES: usize = 8;

impl Requirements {
    /// Bounded lists, well-formed attributes, a price above zero, terms in
    /// range and not contradicting each other.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.max_price_per_block == 0 {
            return Err(Invalid::Price);
        }
        for list_len in [
            self.required_attributes.len(),
            self.excluded_attributes.len(),
            self.preferred_providers.len(),
            self.excluded_providers.len(),
            self.trusted_attestors.len(),
        ] {
            if list_len > MAX_REQUIREMENT_ENTRIES {
                return Err(Invalid::Requirements);
            }
        }
        if self.preferred_only && self.preferred_providers.is_empty() {
            return Err(Invalid::Requirements);
        }
        if self
            .max_rate
            .is_some_and(|max_rate| max_rate < self.max_price_per_block)
        {
            return Err(Invalid::Price);
        }
        if self.min_duration > MAX_TERM_BLOCKS
            || self.min_reprice_notice > MAX_TERM_BLOCKS
            || self
                .max_notice_blocks
                .is_some_and(|notice| notice > MAX_TERM_BLOCKS)
        {
            return Err(Invalid::Duration);
        }
        // A Dynamic offer would need a notice both at least the repricing
        // notice and at most the longest notice.
        if !self.fixed_price_only
            && self
                .max_notice_blocks
                .is_some_and(|notice| notice < self.min_reprice_notice)
        {
            return Err(Invalid::Requirements);
        }
        for attribute in self
            .required_attributes
            .iter()
            .chain(&self.excluded_attributes)
        {
            attribute.validate()?;
        }
        Ok(())
    }

    /// The highest rate Dynamic repricing may reach.
    pub fn repricing_bound(&self) -> Balance {
        self.max_rate.unwrap_or(self.max_price_per_block)
    }

    /// The attestors whose attestations a check of these requirements
    /// reads: the trusted ones when an attribute is required or excluded,
    /// none otherwise (so no attestation is read for nothing).
    pub fn attestors_to_read(&self) -> &[AccountId] {
        if self.required_attributes.is_empty() && self.excluded_attributes.is_empty() {
            &[]
        } else {
            &self.trusted_attestors
        }
    }
}

/// How the award contract picks among the candidates that fit.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// The first fitting offer from a cursor that rotates per type.
    RoundRobin,
    /// A pseudo-random fitting offer, from the subscription id and the block
    /// number. Deterministic and predictable: NOT secure against a consumer
    /// or block author who wants a particular provider.
    Random,
    /// The fitting offer with the most free capacity.
    Capacity,
    /// The fitting offer with the highest weighted score.
    Scored(Weights),
}

/// Admin-set weights of the Scored strategy. Each term is normalised to
/// 0..=1_000 over the window before weighting.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weights {
    /// Cheaper is better.
    pub price: u32,
    /// More free capacity is better.
    pub capacity: u32,
    /// A better completion record is better.
    pub reputation: u32,
    /// Bonus for a provider the consumer prefers.
    pub preferred: u32,
}

/// How an award chooses: among up to `max_candidates` fitting offers read
/// from the type's rotating cursor, by `strategy`. The registry keeps one
/// set for its own awards (`Registry::award`); the stock award contract
/// keeps its own.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRules {
    pub max_candidates: u32,
    pub strategy: Strategy,
}

/// The window a deployment starts with until its admin changes it.
pub const DEFAULT_AWARD_WINDOW: u32 = 20;

impl Default for AwardRules {
    fn default() -> Self {
        AwardRules {
            max_candidates: DEFAULT_AWARD_WINDOW,
            strategy: Strategy::RoundRobin,
        }
    }
}

impl AwardRules {
    /// `MIN_AWARD_WINDOW..=MAX_PAGE` fitting offers compared: more than one
    /// provider can publish, so a strategy always weighs another provider's
    /// offer against them when one fits.
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(crate::types::MIN_AWARD_WINDOW..=crate::types::MAX_PAGE).contains(&self.max_candidates)
        {
            return Err(Invalid::Parameter);
        }
        Ok(())
    }

    /// How many fitting offers the registry's scan collects: round robin
    /// takes the first, the other strategies compare the window.
    pub fn wanted(&self) -> u32 {
        match self.strategy {
            Strategy::RoundRobin => 1,
            _ => self.max_candidates,
        }
    }
}

/// The offer an award chose.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardDecision {
    pub offer_id: OfferId,
    pub provider: AccountId,
    /// The rate the subscription will pay per block.
    pub price_per_block: Balance,
}

#[ink::trait_definition]
pub trait Award {
    /// Chooses an offer of `type_id` that satisfies `requirements` for
    /// subscription `subscription_id`, or `NoProvider`.
    #[ink(message)]
    fn select(
        &mut self,
        requirements: Requirements,
        type_id: TypeId,
        subscription_id: SubscriptionId,
    ) -> Result<AwardDecision, AwardError>;
}
