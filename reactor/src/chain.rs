//! What the reactor needs from the chain, as plain types (no ink! or subxt
//! dependency): the subscription contract's events and queries it follows
//! and the messages it sends (`mark_ready`, `decline`, `exit`, `claim`). A
//! back-end (the drink sandbox, a real node) implements [`Chain`]; the tests
//! use a scripted one.

use serde::{Deserialize, Serialize};
use std::fmt;

pub type AccountId = [u8; 32];
pub type Hash = [u8; 32];
pub type SubscriptionId = u64;
pub type BlockNumber = u32;
pub type Balance = u128;

/// What to deploy: the blake2-256 hash of the descriptor document and where
/// to fetch it (`file://` or `http://`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    pub hash: Hash,
    pub uri: String,
}

/// Why a subscription ended or is ending (the contract's `CloseReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseReason {
    ConsumerCancelled,
    ProviderExited,
    FundsExhausted,
    ReadyTimeout,
    /// The provider declined and no other provider took the award.
    Declined,
    /// The consumer reclaimed the stream from the escrow after its
    /// controller changed: nobody pays for the deployment any more.
    Reclaimed,
}

/// The subscription contract's events the reactor follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainEvent {
    Awarded {
        id: SubscriptionId,
        provider: AccountId,
        type_id: u32,
        descriptor: Descriptor,
        ready_deadline: BlockNumber,
    },
    /// `provider` missed its ready deadline; `Awarded` (to another
    /// provider) or `Closed` follows.
    AwardRevoked {
        id: SubscriptionId,
        provider: AccountId,
    },
    /// `provider` declined the award (no mark against it); `Awarded` (to
    /// another provider) or `Closed` (`Declined`) follows.
    AwardDeclined {
        id: SubscriptionId,
        provider: AccountId,
    },
    DeploymentReady {
        id: SubscriptionId,
        provider: AccountId,
        at: BlockNumber,
    },
    EndScheduled {
        id: SubscriptionId,
        end: BlockNumber,
        reason: CloseReason,
    },
    Closed {
        id: SubscriptionId,
        reason: CloseReason,
    },
    /// The subscription closed (the money moved), but the registry refused
    /// to release the capacity of `offer_id` or to record the outcome: its
    /// books may still count this deployment against the offer.
    RegistryRefused { id: SubscriptionId, offer_id: u64 },
}

/// A deployment type as the registry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeView {
    pub name: String,
    /// blake2-256 of the JSON Schema its descriptors follow.
    pub schema_hash: Hash,
}

/// A subscription as the contract's `details` query shows it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: SubscriptionId,
    /// Who pays: the only account the status API answers about it.
    pub consumer: AccountId,
    pub provider: AccountId,
    pub type_id: u32,
    pub descriptor: Descriptor,
    pub ready_deadline: BlockNumber,
    pub ready_at: Option<BlockNumber>,
    pub end: Option<BlockNumber>,
    pub closed: bool,
    pub withdrawable: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainError {
    /// The contract refused: its error variant's name, e.g. `"NothingToClaim"`.
    Contract(String),
    /// The call did not get through (connection, RPC, decoding, fees …).
    Transport(String),
}

impl ChainError {
    /// Whether the contract refused with this error variant.
    pub fn is(&self, variant: &str) -> bool {
        matches!(self, ChainError::Contract(name) if name == variant)
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Contract(name) => write!(f, "contract error {name}"),
            ChainError::Transport(why) => write!(f, "chain unreachable: {why}"),
        }
    }
}

impl std::error::Error for ChainError {}

/// The chain as the reactor sees it. Sending methods return once the
/// transaction is in a block (so a following `subscription()` shows it).
pub trait Chain {
    /// The account the reactor signs as.
    fn provider(&self) -> AccountId;
    fn block_number(&mut self) -> Result<BlockNumber, ChainError>;
    /// Subscription-contract events in blocks `from..=to` (to = the current
    /// block), in order, each with its block. The reactor asks for the
    /// current block again on its next step, so a back-end whose current
    /// block is still open (the drink sandbox) may return its events so far.
    fn events(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<(BlockNumber, ChainEvent)>, ChainError>;
    fn subscription(&mut self, id: SubscriptionId) -> Result<Option<SubscriptionView>, ChainError>;
    /// A deployment type's name and schema hash in the registry.
    fn deployment_type(&mut self, type_id: u32) -> Result<Option<TypeView>, ChainError>;
    /// Declares the deployment ready, publishing `access` (the URIs the
    /// consumer reaches it at) on chain.
    fn mark_ready(&mut self, id: SubscriptionId, access: &[String]) -> Result<(), ChainError>;
    /// Turns an award down: before ready and by its ready deadline, with no
    /// mark against the provider. The contract hands it to the next
    /// provider that fits (`AwardDeclined`, then `Awarded`), or closes it
    /// with a full refund (`AwardDeclined`, then `Closed`, `Declined`).
    fn decline(&mut self, id: SubscriptionId) -> Result<(), ChainError>;
    /// Leaves a subscription: after ready, billing ends after the offer's
    /// notice (`EndScheduled`, `ProviderExited`); counted against the
    /// provider.
    fn exit(&mut self, id: SubscriptionId) -> Result<(), ChainError>;
    fn claim(&mut self, id: SubscriptionId) -> Result<Balance, ChainError>;
    /// Claims several subscriptions (at most the contract's
    /// `MAX_CLAIM_BATCH`), each id's outcome as `claim` would give it. A
    /// back-end that can sends one `claim_many`; by default, one `claim`
    /// each.
    fn claim_many(
        &mut self,
        ids: &[SubscriptionId],
    ) -> Vec<(SubscriptionId, Result<Balance, ChainError>)> {
        ids.iter().map(|id| (*id, self.claim(*id))).collect()
    }
}

/// `0x` and two hex digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}
