//! The admin every DINFRA contract has: two-step transfer, pause of *new*
//! business, and code upgrades, as plain Rust plus thin ink! glue.
//!
//! An admin may be a plain account or a DAO/multisig contract. The transfer is
//! two-step (propose, then the new admin accepts) so that a typo never locks a
//! contract forever. Pausing stops only new business (registrations, offers,
//! subscriptions, streams); withdrawals and refunds are never paused.

use crate::types::{AccountId, CodeHash};
use ink::prelude::vec::Vec;

/// Errors of the admin messages.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminError {
    /// The caller is not the admin (or, for `accept_admin`, not the proposed admin).
    Unauthorized,
    /// `accept_admin` was called with no transfer proposed.
    NoPendingTransfer,
    /// The contract is paused for new business.
    Paused,
    /// The runtime refused the new code hash (unknown code).
    CodeUpgradeFailed,
}

/// Emitted when the admin proposes a new admin.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminTransferProposed {
    #[ink(topic)]
    pub admin: AccountId,
    #[ink(topic)]
    pub proposed: AccountId,
}

/// Emitted when the proposed admin accepted.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminChanged {
    #[ink(topic)]
    pub previous: AccountId,
    #[ink(topic)]
    pub admin: AccountId,
}

/// Emitted when new business is paused or resumed.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseChanged {
    pub paused: bool,
}

/// Emitted after the contract's code was replaced.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeUpgraded {
    pub code_hash: CodeHash,
}

/// What an admin message changed, for the contract shell to emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminEvent {
    TransferProposed(AdminTransferProposed),
    Changed(AdminChanged),
    PauseChanged(PauseChanged),
    CodeUpgraded(CodeUpgraded),
}

/// Admin state kept in each contract's storage.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminData {
    admin: AccountId,
    pending: Option<AccountId>,
    paused: bool,
}

impl AdminData {
    pub fn new(admin: AccountId) -> Self {
        Self {
            admin,
            pending: None,
            paused: false,
        }
    }

    pub fn admin(&self) -> AccountId {
        self.admin
    }

    pub fn pending(&self) -> Option<AccountId> {
        self.pending
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn ensure_admin(&self, caller: AccountId) -> Result<(), AdminError> {
        if caller != self.admin {
            return Err(AdminError::Unauthorized);
        }
        Ok(())
    }

    /// Refuses new business while paused.
    pub fn ensure_not_paused(&self) -> Result<(), AdminError> {
        if self.paused {
            return Err(AdminError::Paused);
        }
        Ok(())
    }

    /// Step one: the admin proposes `proposed`; a later proposal replaces it.
    pub fn propose(
        &mut self,
        caller: AccountId,
        proposed: AccountId,
    ) -> Result<Vec<AdminEvent>, AdminError> {
        self.ensure_admin(caller)?;
        self.pending = Some(proposed);
        Ok(ink::prelude::vec![AdminEvent::TransferProposed(
            AdminTransferProposed {
                admin: caller,
                proposed,
            }
        )])
    }

    /// Step two: the proposed account accepts and becomes admin.
    pub fn accept(&mut self, caller: AccountId) -> Result<Vec<AdminEvent>, AdminError> {
        let pending = self.pending.ok_or(AdminError::NoPendingTransfer)?;
        if caller != pending {
            return Err(AdminError::Unauthorized);
        }
        let previous = self.admin;
        self.admin = pending;
        self.pending = None;
        Ok(ink::prelude::vec![AdminEvent::Changed(AdminChanged {
            previous,
            admin: pending,
        })])
    }

    pub fn set_paused(
        &mut self,
        caller: AccountId,
        paused: bool,
    ) -> Result<Vec<AdminEvent>, AdminError> {
        self.ensure_admin(caller)?;
        self.paused = paused;
        Ok(ink::prelude::vec![AdminEvent::PauseChanged(PauseChanged {
            paused
        })])
    }

    /// Replaces the calling contract's code. Storage layouts must stay
    /// compatible (or be migrated by the new code); this only checks who asks.
    pub fn set_code(
        &self,
        caller: AccountId,
        code_hash: CodeHash,
    ) -> Result<Vec<AdminEvent>, AdminError> {
        self.ensure_admin(caller)?;
        ink::env::set_code_hash::<ink::env::DefaultEnvironment>(&code_hash)
            .map_err(|_| AdminError::CodeUpgradeFailed)?;
        Ok(ink::prelude::vec![AdminEvent::CodeUpgraded(CodeUpgraded {
            code_hash
        })])
    }
}

/// Emits admin events from inside any contract.
pub fn emit(events: Vec<AdminEvent>) {
    use ink::env::{emit_event, DefaultEnvironment as E};
    for event in events {
        match event {
            AdminEvent::TransferProposed(e) => emit_event::<E, _>(e),
            AdminEvent::Changed(e) => emit_event::<E, _>(e),
            AdminEvent::PauseChanged(e) => emit_event::<E, _>(e),
            AdminEvent::CodeUpgraded(e) => emit_event::<E, _>(e),
        }
    }
}

/// The admin interface every DINFRA contract implements.
#[ink::trait_definition]
pub trait Admin {
    /// The current admin.
    #[ink(message)]
    fn admin(&self) -> AccountId;
    /// The proposed admin, if a transfer is under way.
    #[ink(message)]
    fn pending_admin(&self) -> Option<AccountId>;
    /// Step one of a transfer (admin only).
    #[ink(message)]
    fn transfer_admin(&mut self, proposed: AccountId) -> Result<(), AdminError>;
    /// Step two of a transfer (the proposed admin only).
    #[ink(message)]
    fn accept_admin(&mut self) -> Result<(), AdminError>;
    /// Pauses or resumes new business (admin only).
    #[ink(message)]
    fn set_paused(&mut self, paused: bool) -> Result<(), AdminError>;
    /// Whether new business is paused.
    #[ink(message)]
    fn paused(&self) -> bool;
    /// Replaces the contract's code, keeping its storage (admin only).
    #[ink(message)]
    fn set_code(&mut self, code_hash: CodeHash) -> Result<(), AdminError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn two_step_transfer() {
        let mut data = AdminData::new(acc(1));
        assert_eq!(data.propose(acc(2), acc(3)), Err(AdminError::Unauthorized));
        assert_eq!(data.accept(acc(3)), Err(AdminError::NoPendingTransfer));
        data.propose(acc(1), acc(3)).unwrap();
        assert_eq!(data.admin(), acc(1), "proposal alone changes nothing");
        assert_eq!(data.accept(acc(2)), Err(AdminError::Unauthorized));
        let events = data.accept(acc(3)).unwrap();
        assert_eq!(
            events,
            vec![AdminEvent::Changed(AdminChanged {
                previous: acc(1),
                admin: acc(3)
            })]
        );
        assert_eq!(data.admin(), acc(3));
        assert_eq!(data.pending(), None);
    }

    #[test]
    fn pause_only_by_admin() {
        let mut data = AdminData::new(acc(1));
        assert_eq!(data.set_paused(acc(2), true), Err(AdminError::Unauthorized));
        assert!(data.ensure_not_paused().is_ok());
        data.set_paused(acc(1), true).unwrap();
        assert_eq!(data.ensure_not_paused(), Err(AdminError::Paused));
    }
}
