//! The admin every DINFRA contract has: two-step transfer, pause of *new*
//! business, and governance with notice ([`crate::governance`]): code
//! upgrades, link changes and a shorter delay are scheduled and applied only
//! after the contract's governance delay.
//!
//! An admin may be a plain account or a DAO/multisig contract. The transfer is
//! two-step (propose, then the new admin accepts) so that a typo never locks a
//! contract forever; it takes effect at once because a new admin is bound by
//! the same delay. Pausing stops only new business (registrations, offers,
//! subscriptions, streams); withdrawals and refunds are never paused.
//!
//! [`AdminData`] and [`Governance`] are the plain rules; [`Governed`] keeps
//! them in storage cells of fixed keys, and [`schedule_change`],
//! [`apply_change`] and [`cancel_change`] are the glue every contract's
//! `Admin` messages call, with the contract's own links given by [`Links`].

use crate::governance::{
    Change, ChangeId, Governance, GovernanceError, Link, Scheduled, ScheduledChange,
};
use crate::types::{AccountId, BlockNumber, CodeHash};
use ink::prelude::vec::Vec;
use ink::storage::{traits::ManualKey, Lazy};

/// Storage key of every contract's [`AdminData`] cell.
pub const ADMIN_KEY: u32 = 0xad00_0001;
/// Storage key of every contract's [`Governance`] cell.
pub const GOVERNANCE_KEY: u32 = 0xad00_0002;

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
    /// No pending change has this id.
    NoSuchChange,
    /// The change's governance delay has not passed yet.
    NotDue,
    /// The most pending changes allowed are pending already.
    TooManyChanges,
    /// The contract has no such link, or the delay is out of range.
    InvalidChange,
    /// An id would overflow.
    Overflow,
}

impl From<GovernanceError> for AdminError {
    fn from(error: GovernanceError) -> Self {
        match error {
            GovernanceError::NoSuchChange => AdminError::NoSuchChange,
            GovernanceError::NotDue => AdminError::NotDue,
            GovernanceError::TooManyChanges => AdminError::TooManyChanges,
            GovernanceError::InvalidChange => AdminError::InvalidChange,
            GovernanceError::Overflow => AdminError::Overflow,
        }
    }
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

/// A change was scheduled: it may be applied from block `eta` on.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeScheduled {
    #[ink(topic)]
    pub id: ChangeId,
    pub change: Change,
    pub eta: BlockNumber,
}

/// A change took effect.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeApplied {
    #[ink(topic)]
    pub id: ChangeId,
    pub change: Change,
}

/// The admin withdrew a pending change.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCancelled {
    #[ink(topic)]
    pub id: ChangeId,
    pub change: Change,
}

/// What an admin message changed, for the contract shell to emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminEvent {
    TransferProposed(AdminTransferProposed),
    Changed(AdminChanged),
    PauseChanged(PauseChanged),
    ChangeScheduled(ChangeScheduled),
    ChangeApplied(ChangeApplied),
    ChangeCancelled(ChangeCancelled),
}

/// Who administers a contract and whether new business is paused.
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
}

/// The admin and governance cells of a contract, at keys no upgrade moves.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct Governed {
    admin: Lazy<AdminData, ManualKey<ADMIN_KEY>>,
    governance: Lazy<Governance, ManualKey<GOVERNANCE_KEY>>,
}

impl Governed {
    /// `admin` administers, with `delay` blocks of notice for every change.
    pub fn new(admin: AccountId, delay: BlockNumber) -> Result<Self, AdminError> {
        let mut governed = Self::default();
        governed.admin.set(&AdminData::new(admin));
        governed.governance.set(&Governance::new(delay)?);
        Ok(governed)
    }

    /// The admin record (written by the constructor, so always there).
    pub fn data(&self) -> AdminData {
        self.admin
            .get()
            .unwrap_or_else(|| unreachable!("set at instantiation"))
    }

    /// The governance record (written by the constructor, so always there).
    pub fn governance(&self) -> Governance {
        self.governance
            .get()
            .unwrap_or_else(|| unreachable!("set at instantiation"))
    }

    pub fn ensure_admin(&self, caller: AccountId) -> Result<(), AdminError> {
        self.data().ensure_admin(caller)
    }

    pub fn ensure_not_paused(&self) -> Result<(), AdminError> {
        self.data().ensure_not_paused()
    }

    /// Whether a change is pending here.
    pub fn any_change_pending(&self) -> bool {
        self.governance().any_pending()
    }

    pub fn pending_changes(&self) -> Vec<ScheduledChange> {
        self.governance().pending().to_vec()
    }

    pub fn transfer_admin(
        &mut self,
        caller: AccountId,
        proposed: AccountId,
    ) -> Result<(), AdminError> {
        self.update_admin(|data| data.propose(caller, proposed))
    }

    pub fn accept_admin(&mut self, caller: AccountId) -> Result<(), AdminError> {
        self.update_admin(|data| data.accept(caller))
    }

    pub fn set_paused(&mut self, caller: AccountId, paused: bool) -> Result<(), AdminError> {
        self.update_admin(|data| data.set_paused(caller, paused))
    }

    fn update_admin(
        &mut self,
        update: impl FnOnce(&mut AdminData) -> Result<Vec<AdminEvent>, AdminError>,
    ) -> Result<(), AdminError> {
        let mut data = self.data();
        let events = update(&mut data)?;
        self.admin.set(&data);
        emit(events);
        Ok(())
    }

    fn update_governance<T>(
        &mut self,
        update: impl FnOnce(&mut Governance) -> Result<T, GovernanceError>,
    ) -> Result<T, AdminError> {
        let mut governance = self.governance();
        let result = update(&mut governance)?;
        self.governance.set(&governance);
        Ok(result)
    }
}

/// What a contract adds to the shared governance glue: its cells, and the
/// links it has.
pub trait Links {
    fn governed(&mut self) -> &mut Governed;
    /// Where `link` points now, or `InvalidChange` if the contract has no
    /// such link.
    fn link(&self, link: Link) -> Result<Option<AccountId>, AdminError>;
    /// Points `link` at `to` (a due change being applied).
    fn set_link(&mut self, link: Link, to: Option<AccountId>);
    /// A contract's own bound on a new delay (the subscription contract
    /// keeps its consumer notice below it).
    fn check_delay(&self, _delay: BlockNumber) -> Result<(), AdminError> {
        Ok(())
    }
}

/// `schedule_change` of every contract: the admin schedules `change` at
/// `now`; a longer delay and a first wiring apply at once.
pub fn schedule_change<C: Links>(
    contract: &mut C,
    caller: AccountId,
    now: BlockNumber,
    change: Change,
) -> Result<ChangeId, AdminError> {
    contract.governed().ensure_admin(caller)?;
    let unset_link = match change {
        Change::Link(link, _) => contract.link(link)?.is_none(),
        Change::Delay(delay) => {
            contract.check_delay(delay)?;
            false
        }
        Change::Code(_) => false,
    };
    let scheduled = contract
        .governed()
        .update_governance(|governance| governance.schedule(change, now, unset_link))?;
    match scheduled {
        Scheduled::AtOnce(scheduled) => {
            apply(contract, scheduled)?;
            Ok(scheduled.id)
        }
        Scheduled::Pending(scheduled) => {
            emit(ink::prelude::vec![AdminEvent::ChangeScheduled(
                ChangeScheduled {
                    id: scheduled.id,
                    change: scheduled.change,
                    eta: scheduled.eta,
                }
            )]);
            Ok(scheduled.id)
        }
    }
}

/// `apply_change` of every contract: anyone may apply a change whose delay
/// has passed.
pub fn apply_change<C: Links>(
    contract: &mut C,
    id: ChangeId,
    now: BlockNumber,
) -> Result<(), AdminError> {
    let scheduled = contract
        .governed()
        .update_governance(|governance| governance.take_due(id, now))?;
    apply(contract, scheduled)
}

/// `cancel_change` of every contract: the admin withdraws a pending change.
pub fn cancel_change<C: Links>(
    contract: &mut C,
    caller: AccountId,
    id: ChangeId,
) -> Result<(), AdminError> {
    contract.governed().ensure_admin(caller)?;
    let cancelled = contract
        .governed()
        .update_governance(|governance| governance.cancel(id))?;
    emit(ink::prelude::vec![AdminEvent::ChangeCancelled(
        ChangeCancelled {
            id,
            change: cancelled.change,
        }
    )]);
    Ok(())
}

fn apply<C: Links>(contract: &mut C, scheduled: ScheduledChange) -> Result<(), AdminError> {
    match scheduled.change {
        Change::Code(code_hash) => set_code(code_hash)?,
        Change::Link(link, to) => {
            contract.link(link)?;
            contract.set_link(link, to);
        }
        Change::Delay(delay) => contract.check_delay(delay)?,
    }
    contract.governed().update_governance(|governance| {
        governance.applied(&scheduled.change);
        Ok(())
    })?;
    emit(ink::prelude::vec![AdminEvent::ChangeApplied(
        ChangeApplied {
            id: scheduled.id,
            change: scheduled.change,
        }
    )]);
    Ok(())
}

/// Replaces the calling contract's code; storage stays where it is (every
/// cell has a fixed key).
fn set_code(code_hash: CodeHash) -> Result<(), AdminError> {
    ink::env::set_code_hash::<ink::env::DefaultEnvironment>(&code_hash)
        .map_err(|_| AdminError::CodeUpgradeFailed)
}

/// Emits admin events from inside any contract.
pub fn emit(events: Vec<AdminEvent>) {
    use ink::env::{emit_event, DefaultEnvironment as E};
    for event in events {
        match event {
            AdminEvent::TransferProposed(e) => emit_event::<E, _>(e),
            AdminEvent::Changed(e) => emit_event::<E, _>(e),
            AdminEvent::PauseChanged(e) => emit_event::<E, _>(e),
            AdminEvent::ChangeScheduled(e) => emit_event::<E, _>(e),
            AdminEvent::ChangeApplied(e) => emit_event::<E, _>(e),
            AdminEvent::ChangeCancelled(e) => emit_event::<E, _>(e),
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
    /// Blocks every scheduled change waits before it may be applied.
    #[ink(message)]
    fn governance_delay(&self) -> BlockNumber;
    /// Every change scheduled and not yet applied or withdrawn.
    #[ink(message)]
    fn pending_changes(&self) -> Vec<ScheduledChange>;
    /// Schedules a code upgrade, a link change or a new delay (admin only);
    /// returns its id. It may be applied `governance_delay` blocks later; a
    /// longer delay and a contract's first wiring apply at once.
    #[ink(message)]
    fn schedule_change(&mut self, change: Change) -> Result<ChangeId, AdminError>;
    /// Applies a scheduled change whose delay has passed (anyone).
    #[ink(message)]
    fn apply_change(&mut self, id: ChangeId) -> Result<(), AdminError>;
    /// Withdraws a pending change (admin only).
    #[ink(message)]
    fn cancel_change(&mut self, id: ChangeId) -> Result<(), AdminError>;
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

    /// A contract with one link (its controller), unset at instantiation.
    struct Wired {
        governed: Governed,
        controller: Option<AccountId>,
    }

    impl Links for Wired {
        fn governed(&mut self) -> &mut Governed {
            &mut self.governed
        }
        fn link(&self, link: Link) -> Result<Option<AccountId>, AdminError> {
            match link {
                Link::Controller => Ok(self.controller),
                Link::Award => Err(AdminError::InvalidChange),
            }
        }
        fn set_link(&mut self, _link: Link, to: Option<AccountId>) {
            self.controller = to;
        }
    }

    #[ink::test]
    fn links_change_only_through_the_schedule() {
        let mut wired = Wired {
            governed: Governed::new(acc(1), 30).unwrap(),
            controller: None,
        };
        let wire = |to: u8| Change::Link(Link::Controller, Some(acc(to)));
        assert_eq!(
            schedule_change(&mut wired, acc(2), 5, wire(2)),
            Err(AdminError::Unauthorized)
        );
        assert_eq!(
            schedule_change(&mut wired, acc(1), 5, Change::Link(Link::Award, None)),
            Err(AdminError::InvalidChange),
            "a link the contract does not have"
        );
        schedule_change(&mut wired, acc(1), 5, wire(7)).unwrap();
        assert_eq!(
            wired.controller,
            Some(acc(7)),
            "the first wiring is at once"
        );
        let id = schedule_change(&mut wired, acc(1), 6, wire(8)).unwrap();
        assert_eq!(wired.controller, Some(acc(7)), "a rewiring waits");
        assert_eq!(apply_change(&mut wired, id, 35), Err(AdminError::NotDue));
        assert_eq!(
            cancel_change(&mut wired, acc(9), id),
            Err(AdminError::Unauthorized)
        );
        apply_change(&mut wired, id, 36).unwrap();
        assert_eq!(wired.controller, Some(acc(8)));
        assert!(!wired.governed.any_change_pending());
        let id =
            schedule_change(&mut wired, acc(1), 40, Change::Link(Link::Controller, None)).unwrap();
        cancel_change(&mut wired, acc(1), id).unwrap();
        assert_eq!(
            apply_change(&mut wired, id, 99),
            Err(AdminError::NoSuchChange)
        );
        assert_eq!(
            wired.controller,
            Some(acc(8)),
            "a withdrawn change never applies"
        );
    }
}
