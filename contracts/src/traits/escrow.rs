//! The escrow as seen by the subscription contract: per-block payment
//! streams (see [`crate::stream`] for the money rules).

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module only declares types (no arithmetic of its own).
#![allow(clippy::cast_possible_truncation)]

use crate::admin::AdminError;
use crate::stream::{StreamError, StreamStatus};
use crate::types::{AccountId, Balance, BlockNumber, Invalid};
use ink::prelude::vec::Vec;

/// Id of a stream in the escrow.
pub type StreamId = u64;

/// Errors of the escrow contract.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscrowError {
    /// The caller may not do this (only the configured subscription contract
    /// may open and steer streams; only the payee, or that contract for it,
    /// withdraws).
    Unauthorized,
    /// No such stream.
    NotFound,
    /// Part of the input was refused; nothing was written.
    InvalidInput(Invalid),
    /// New streams are paused (deposits, withdrawals and refunds never are).
    Paused,
    /// The stream's money rules refused the change; nothing was written.
    Stream(StreamError),
    /// A native transfer failed; nothing was changed. (In `close` and
    /// `withdraw` a failed payment is credited to its owner instead.)
    TransferFailed,
    /// `reclaim` while the stream's controller still steers it.
    ControllerWorking,
    /// `withdraw_credit` with no credit.
    NoCredit,
    /// A counter or amount would overflow.
    Overflow,
    /// `open` with an exit notice longer than half the escrow's governance
    /// delay, or a shorter delay scheduled below twice the longest exit
    /// notice of a stream opened here: a payer could not be out before a
    /// change applies.
    NoticeTooLong,
}

impl From<AdminError> for EscrowError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Paused => EscrowError::Paused,
            AdminError::InvalidChange => EscrowError::InvalidInput(Invalid::Parameter),
            _ => EscrowError::Unauthorized,
        }
    }
}

impl From<StreamError> for EscrowError {
    fn from(error: StreamError) -> Self {
        match error {
            StreamError::Overflow => EscrowError::Overflow,
            other => EscrowError::Stream(other),
        }
    }
}

/// Every live figure of a stream at the current block.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamFigures {
    pub payer: AccountId,
    pub payee: AccountId,
    pub status: StreamStatus,
    pub rate: Balance,
    /// The ready block billing started at.
    pub start: Option<BlockNumber>,
    pub end: Option<BlockNumber>,
    /// First block at which the deposit is used up, if it comes before the end.
    pub depletion_block: Option<BlockNumber>,
    pub deposited: Balance,
    /// Paid to the payee so far.
    pub withdrawn: Balance,
    pub refunded: Balance,
    /// Still in the escrow: deposited − withdrawn − refunded.
    pub held: Balance,
    /// Earned by the payee so far: withdrawn + withdrawable.
    pub accrued: Balance,
    /// What the payee may withdraw now.
    pub withdrawable: Balance,
    /// What the payer would get back if the stream closed now.
    pub refundable: Balance,
}

/// What closing a stream paid out.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedStream {
    /// Paid to the payee at close: what it earned and had not withdrawn,
    /// plus any cancel fee.
    pub paid: Balance,
    /// Refunded to the payer.
    pub refunded: Balance,
    /// Paid to the payee over the stream's whole life (withdrawals and
    /// `paid`).
    pub payee_total: Balance,
}

/// The escrow interface. Only the configured subscription contract may open
/// and steer streams; anyone may deposit; withdrawals always pay the payee.
#[ink::trait_definition]
pub trait Escrow {
    /// Opens a pending stream from `payer` to `payee` at `rate` per block; the
    /// transferred value is its first deposit (credited to `payer`).
    /// `exit_notice` is the most blocks the payer may have to wait, once it
    /// asks, for the stream to end (the subscription's consumer notice): it
    /// must be at most half the escrow's governance delay
    /// (`NoticeTooLong`), and the delay can never be lowered below twice
    /// the longest exit notice of a stream opened here — so a payer who
    /// asks to leave when an upgrade is scheduled is always out before it.
    #[ink(message, payable)]
    fn open(
        &mut self,
        payer: AccountId,
        payee: AccountId,
        rate: Balance,
        exit_notice: BlockNumber,
    ) -> Result<StreamId, EscrowError>;

    /// Starts billing at the current block (the deployment is ready).
    #[ink(message)]
    fn start(&mut self, id: StreamId) -> Result<(), EscrowError>;

    /// Adds the transferred value to the stream (anyone may sponsor one).
    #[ink(message, payable)]
    fn deposit(&mut self, id: StreamId) -> Result<(), EscrowError>;

    /// Gives a stream that has not started a new payee and rate (the
    /// deployment was awarded to another provider before it was ready).
    #[ink(message)]
    fn reassign(
        &mut self,
        id: StreamId,
        payee: AccountId,
        rate: Balance,
    ) -> Result<(), EscrowError>;

    /// Changes the rate from the current block on.
    #[ink(message)]
    fn set_rate(&mut self, id: StreamId, rate: Balance) -> Result<(), EscrowError>;

    /// Sets the block billing stops at.
    #[ink(message)]
    fn set_end(&mut self, id: StreamId, end: BlockNumber) -> Result<(), EscrowError>;

    /// Pays what is covered to the payee, plus `fee` out of what is left
    /// (a pending stream's cancel fee; at most what is left), and refunds the
    /// rest to the payer. A payment the runtime refuses (say, below the
    /// existential deposit to a reaped account) is credited to its owner,
    /// so one party's account never holds up the other's money.
    #[ink(message)]
    fn close(&mut self, id: StreamId, fee: Balance) -> Result<ClosedStream, EscrowError>;

    /// Pays the payee what is covered now. The payee or the subscription
    /// contract (claiming for the payee) may call; the money always goes to
    /// the payee.
    #[ink(message)]
    fn withdraw(&mut self, id: StreamId) -> Result<Balance, EscrowError>;

    /// `withdraw` for each of `ids` in one call (the subscription
    /// contract's `claim_many`): returns what each stream paid, in order —
    /// 0 where nothing was covered. Any other refusal (not found, not the
    /// payee nor its controller, not started, closed) refuses the whole
    /// batch and nothing moves. Each payee gets its batch total in one
    /// transfer (credited if the runtime refuses it). 1 to
    /// [`MAX_BATCH`](crate::types::MAX_BATCH) ids, none twice.
    #[ink(message)]
    fn withdraw_many(&mut self, ids: Vec<StreamId>) -> Result<Vec<Balance>, EscrowError>;

    /// Every live figure of a stream, `None` if unknown.
    #[ink(message)]
    fn figures(&self, id: StreamId) -> Option<StreamFigures>;
}
