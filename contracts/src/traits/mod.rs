//! The interfaces the DINFRA contracts call each other through: one module per
//! interface, each with its error enum and the `From` conversions a caller
//! needs. Callers hold plain `AccountId`s and call through `contract_ref!`, so
//! any contract implementing an interface (another award strategy, say) can be
//! swapped in without redeploying its callers.

pub mod award;
pub mod call;
pub mod registry;

pub use crate::admin::Admin;
pub use award::{
    Award, AwardDecision, AwardError, AwardRules, Requirements, Strategy, Weights,
    DEFAULT_AWARD_WINDOW,
};
pub use call::{CallerError, Invoked};
pub use registry::{
    Attestation, Candidate, CandidatePage, Outcome, Pricing, Registry, RegistryError, Reputation,
    Reservation,
};
pub mod escrow;
pub mod subscription;

pub use escrow::{ClosedStream, Escrow, EscrowError, StreamFigures, StreamId};
pub use subscription::{
    AccessRecord, Descriptor, Details, Subscription, SubscriptionError, SubscriptionPage,
    SubscriptionRecord,
};
