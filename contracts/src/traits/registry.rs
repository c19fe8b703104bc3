//! The provider registry as seen by other contracts.

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use crate::admin::AdminError;
use crate::types::{AccountId, Balance, Invalid, OfferId, TypeId};
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

/// A live offer an award may choose.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub offer_id: OfferId,
    pub provider: AccountId,
    pub price_per_block: Balance,
    /// Capacity not yet reserved by live subscriptions.
    pub free_capacity: u32,
}

/// One window of a deployment type's live offers.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePage {
    /// Live offers of the type in all; the window wraps around this many.
    pub total: u32,
    /// At most `limit` offers, starting at `cursor % total` and wrapping.
    pub candidates: Vec<Candidate>,
}

#[ink::trait_definition]
pub trait Registry {
    /// At most `limit` live offers of `type_id`, starting at position
    /// `cursor % total` of the type's index and wrapping around, in O(limit):
    /// never a scan over all providers.
    #[ink(message)]
    fn candidates(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
    ) -> Result<CandidatePage, RegistryError>;
}
