//! Errors of the escrow contract.

use crate::admin::AdminError;
use crate::types::Invalid;

/// Errors of the escrow contract.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscrowError {
    /// The caller may not do this (only the configured subscription contract
    /// may open and steer streams).
    Unauthorized,
    /// No such stream.
    NotFound,
    /// Part of the input was refused; nothing was written.
    InvalidInput(Invalid),
    /// New streams are paused (withdrawals and refunds never are).
    Paused,
    /// A native transfer failed; nothing was changed.
    TransferFailed,
    /// A counter or amount would overflow.
    Overflow,
}

impl From<AdminError> for EscrowError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Paused => EscrowError::Paused,
            _ => EscrowError::Unauthorized,
        }
    }
}
