//! Types and errors of the subscription contract, shared with its clients
//! (other dApps, the reactor).

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use super::award::{AwardError, Requirements};
use super::escrow::{EscrowError, StreamFigures};
use super::registry::RegistryError;
use crate::admin::AdminError;
use crate::selection::Reject;
use crate::stream::StreamError;
use crate::types::{
    check_len, AccountId, Balance, Hash32, Invalid, OfferId, Page, SubscriptionId, TypeId,
    MAX_ACCESS_URIS, MAX_ENDPOINT_LEN,
};
use ink::prelude::string::String;
use ink::prelude::vec::Vec;

/// Errors of the subscription contract.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionError {
    /// No such subscription.
    NotFound,
    /// The caller may not do this (e.g. not the consumer, not the provider).
    Unauthorized,
    /// Part of the input was refused; nothing was written.
    InvalidInput(Invalid),
    /// New subscriptions are paused (nothing else ever is).
    Paused,
    /// No offer satisfies the requirements; no funds were taken.
    NoProvider,
    /// The award contract refused for another reason.
    Award(AwardError),
    /// The registry refused (e.g. the awarded offer has no free capacity).
    Registry(RegistryError),
    /// The escrow refused (e.g. a top-up after the end block).
    Escrow(EscrowError),
    /// A cross-contract call failed (wrong address, trapped, out of gas).
    CallFailed,
    /// A counter or amount would overflow.
    Overflow,
    /// The subscription is not in a phase that allows this.
    WrongState,
    /// The deposit is below the offer's rate × its minimum duration.
    InsufficientDeposit,
    /// A Dynamic price proposal above the consumer's repricing bound.
    PriceAboveMax,
    /// The offer the registry reserved does not meet this requirement of the
    /// consumer's (on the registry's terms): nothing was taken.
    Unfit(Reject),
    /// `accept_price` with a rate other than the one pending: the provider
    /// replaced its proposal; nothing changed.
    ProposalChanged,
    /// A cancel would not end the subscription any sooner than it ends.
    AlreadyEnding,
    /// The provider's ready timeout has passed: the award can only be
    /// given to another provider (`reaward`) or cancelled.
    ReadyTimeoutPassed,
    /// Too early: the ready timeout, a price change's notice, or the end of
    /// the stream has not come yet.
    TooEarly,
    /// The provider has earned nothing since its last claim.
    NothingToClaim,
}

impl super::CallerError for SubscriptionError {
    fn call_failed() -> Self {
        SubscriptionError::CallFailed
    }
}

impl From<RegistryError> for SubscriptionError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::Overflow => SubscriptionError::Overflow,
            RegistryError::NoProvider => SubscriptionError::NoProvider,
            other => SubscriptionError::Registry(other),
        }
    }
}

impl From<EscrowError> for SubscriptionError {
    fn from(error: EscrowError) -> Self {
        match error {
            EscrowError::Overflow => SubscriptionError::Overflow,
            EscrowError::Stream(StreamError::NothingToWithdraw) => {
                SubscriptionError::NothingToClaim
            }
            other => SubscriptionError::Escrow(other),
        }
    }
}

impl From<AwardError> for SubscriptionError {
    fn from(error: AwardError) -> Self {
        match error {
            AwardError::NoProvider => SubscriptionError::NoProvider,
            other => SubscriptionError::Award(other),
        }
    }
}

impl From<AdminError> for SubscriptionError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Paused => SubscriptionError::Paused,
            AdminError::InvalidChange => SubscriptionError::InvalidInput(Invalid::Parameter),
            _ => SubscriptionError::Unauthorized,
        }
    }
}

impl From<Invalid> for SubscriptionError {
    fn from(what: Invalid) -> Self {
        SubscriptionError::InvalidInput(what)
    }
}

/// What to deploy: the blake2-256 hash of the descriptor document (a JSON
/// instance of the type's schema) and where the provider fetches it. The
/// provider's agent refuses a document whose hash differs.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub hash: Hash32,
    /// At most [`MAX_ENDPOINT_LEN`] bytes.
    pub uri: String,
}

impl Descriptor {
    pub fn validate(&self) -> Result<(), Invalid> {
        check_len(self.uri.as_bytes(), MAX_ENDPOINT_LEN, Invalid::Endpoint)
    }
}

/// How the consumer reaches a ready deployment, as its provider publishes
/// it with `mark_ready`: public URIs such as `wss://rpc.example:9944`.
/// Public like everything on chain: credentials and logs stay with the
/// provider's status API, which answers only the consumer.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRecord {
    /// At most [`MAX_ACCESS_URIS`], each 1 to [`MAX_ENDPOINT_LEN`] bytes,
    /// none twice; none for a deployment nobody connects to (a validator).
    pub uris: Vec<String>,
}

impl AccessRecord {
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.uris.len() > MAX_ACCESS_URIS {
            return Err(Invalid::Endpoint);
        }
        let mut rest = self.uris.as_slice();
        while let Some((uri, later)) = rest.split_first() {
            check_len(uri.as_bytes(), MAX_ENDPOINT_LEN, Invalid::Endpoint)?;
            if later.contains(uri) {
                return Err(Invalid::Duplicate);
            }
            rest = later;
        }
        Ok(())
    }
}

/// A subscription with its stream's live figures.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub subscription: crate::lifecycle::Subscription,
    /// Status, rate, ready block (`start`), end, depletion block,
    /// deposited, accrued, withdrawable, refundable … at this block.
    pub figures: StreamFigures,
    /// How to reach the deployment, as its provider published it when
    /// it marked it ready (`None` before).
    pub access: Option<AccessRecord>,
}

/// The subscription record, its phase and close reason, under names a
/// caller of the [`Subscription`] trait can import beside it.
pub use crate::lifecycle::{CloseReason, Phase, Subscription as SubscriptionRecord};

/// A page of an account's subscriptions: the total, and `(id, record)`s.
pub type SubscriptionPage = Page<(SubscriptionId, crate::lifecycle::Subscription)>;

/// What a consumer — a person's account or another contract — does with the
/// subscription contract: the interface other dApps call through
/// `ink::contract_ref!(Subscription)`.
///
/// The selectors are the ones the subscription contract published before it
/// implemented this trait (`blake2_256(name)[..4]` of the bare message name),
/// so encoded calls of older clients still reach the same messages; the
/// metadata labels them `Subscription::create` and so on.
///
/// A calling contract is the consumer: the payer of the escrow's stream.
/// Refunds (a cancel, a provider's exit, an unused deposit, a ready
/// timeout) reach it as plain balance transfers, which run none of its
/// code; it learns what came back from `details(id).figures.refunded`.
#[ink::trait_definition]
pub trait Subscription {
    /// Reserves one deployment of `offer_id`, or of the offer the award
    /// contract chooses when `None`, for a subscription of `type_id` that
    /// satisfies `requirements`, and escrows the transferred value. The
    /// registry's terms of that offer are checked against every
    /// requirement (`Unfit` names the first it fails), and the deposit
    /// must cover the offer's minimum duration at its rate. All or
    /// nothing: any error leaves the consumer's funds where they were.
    #[ink(message, payable, selector = 0xab700a1b)]
    fn create(
        &mut self,
        type_id: TypeId,
        descriptor: Descriptor,
        requirements: Requirements,
        offer_id: Option<OfferId>,
    ) -> Result<SubscriptionId, SubscriptionError>;

    /// Adds the transferred value to a live subscription's escrow
    /// (anyone may sponsor one). Refunds always go to the consumer.
    #[ink(message, payable, selector = 0x29b2765c)]
    fn top_up(&mut self, id: SubscriptionId) -> Result<(), SubscriptionError>;

    /// The consumer cancels. Before ready: closed at once, everything
    /// refunded but the offer's cancel fee (only within the provider's
    /// ready deadline). After: billing ends at
    /// `max(now + consumer_notice, ready + min_duration)`, or at
    /// `now + consumer_notice` after the provider's exit or while a
    /// governance change is pending (`governance_pending`). While
    /// ending, a cancel only brings the end nearer.
    #[ink(message, selector = 0x9796e9a7)]
    fn cancel(&mut self, id: SubscriptionId) -> Result<(), SubscriptionError>;

    /// The consumer accepts the Fixed-price proposal of `rate` — the one
    /// it saw: if the provider replaced it since, `ProposalChanged` and
    /// nothing changes. The new rate applies from this block.
    #[ink(message, selector = 0xaf4e4f7c)]
    fn accept_price(&mut self, id: SubscriptionId, rate: Balance) -> Result<(), SubscriptionError>;

    /// The consumer turns a Fixed-price proposal down; the rate stays.
    #[ink(message, selector = 0x9fbd3687)]
    fn reject_price(&mut self, id: SubscriptionId) -> Result<(), SubscriptionError>;

    /// A subscription with its stream's live figures at this block.
    #[ink(message, selector = 0x86b097c7)]
    fn details(&self, id: SubscriptionId) -> Option<Details>;

    /// A consumer's subscriptions, oldest first: at most `limit`
    /// (1..=100) from position `cursor`, and how many there are.
    #[ink(message, selector = 0x90f8dbd5)]
    fn subscriptions_of_consumer(
        &self,
        consumer: AccountId,
        cursor: u32,
        limit: u32,
    ) -> Result<SubscriptionPage, SubscriptionError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::string::ToString;

    fn record(uris: &[&str]) -> AccessRecord {
        AccessRecord {
            uris: uris.iter().map(|u| u.to_string()).collect(),
        }
    }

    #[test]
    fn an_access_record_is_bounded_and_has_no_uri_twice() {
        assert_eq!(record(&[]).validate(), Ok(()));
        assert_eq!(
            record(&["wss://rpc.example:443", "https://rpc.example/health"]).validate(),
            Ok(())
        );
        let longest = "x".repeat(MAX_ENDPOINT_LEN);
        assert_eq!(record(&[&longest, "a", "b", "c"]).validate(), Ok(()));
        assert_eq!(
            record(&["a", "b", "c", "d", "e"]).validate(),
            Err(Invalid::Endpoint),
            "more than MAX_ACCESS_URIS"
        );
        let too_long = "x".repeat(MAX_ENDPOINT_LEN + 1);
        assert_eq!(record(&["a", &too_long]).validate(), Err(Invalid::Endpoint));
        assert_eq!(record(&["a", ""]).validate(), Err(Invalid::Endpoint));
        assert_eq!(record(&["a", "b", "a"]).validate(), Err(Invalid::Duplicate));
    }
}
