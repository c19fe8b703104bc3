//! The award interface: any contract implementing [`Award`] can be plugged
//! into the subscription contract by the admin.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use super::registry::RegistryError;
use crate::admin::AdminError;
use crate::types::{AccountId, Balance, Invalid, OfferId, SubscriptionId, TypeId};

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

impl From<RegistryError> for AwardError {
    fn from(error: RegistryError) -> Self {
        AwardError::Registry(error)
    }
}

impl From<AdminError> for AwardError {
    fn from(_: AdminError) -> Self {
        AwardError::Unauthorized
    }
}

impl From<Invalid> for AwardError {
    fn from(what: Invalid) -> Self {
        AwardError::InvalidInput(what)
    }
}

/// What a consumer demands of a provider. Every field is a hard requirement.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    /// The highest price per block the consumer accepts.
    pub max_price_per_block: Balance,
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
