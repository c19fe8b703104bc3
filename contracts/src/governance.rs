//! Governance with notice, as plain Rust: nothing the admin does that could
//! move escrowed money or change a running subscription takes effect at once.
//!
//! A code upgrade, a change of the contract's links (the escrow's and the
//! registry's controller, the award's selector, the subscription contract's
//! award) and a shorter governance delay are *scheduled*: they are listed by
//! `pending_changes`, announced by `ChangeScheduled`, and may be applied
//! (`ChangeApplied`, by anyone) only `delay` blocks later; the admin may
//! withdraw one before that (`ChangeCancelled`). While any change is pending,
//! every consumer may cancel with only the consumer notice (the subscription
//! contract waives the minimum duration), so nobody is carried into new
//! rules without a way out.
//!
//! Two changes apply at once, because neither can hurt anyone: a *longer*
//! delay, and the first wiring of a link the contract was instantiated
//! without (no stream can be opened, no capacity reserved and nothing
//! selected before the link exists).

// parity-scale-codec-derive 3.7.5 encodes the index of a data-carrying enum
// variant as `(Nusize) as u8` without allowing the lint; cargo-contract builds
// deny it. This module's own arithmetic is all checked.
#![allow(clippy::cast_possible_truncation)]

use crate::types::{AccountId, BlockNumber, CodeHash, MAX_TERM_BLOCKS};
use ink::prelude::vec::Vec;

/// Id of a scheduled change, unique per contract.
pub type ChangeId = u32;

/// Most changes pending at once in one contract.
pub const MAX_PENDING_CHANGES: usize = 8;

/// Longest governance delay, in blocks (as every other term: 10 years of
/// 6-second blocks).
pub const MAX_GOVERNANCE_DELAY: BlockNumber = MAX_TERM_BLOCKS;

/// Whether a way out that takes `notice` blocks (a consumer's cancel, a
/// payer's stream ending) fits a governance delay of `delay` blocks: at most
/// half of it. Someone who asks to leave within `delay − notice` blocks of a
/// change being scheduled is out before it can apply, so with a notice of at
/// most half the delay there are always at least `notice` blocks to react
/// in — not one block, as `notice < delay` alone would allow.
pub fn notice_fits_delay(notice: BlockNumber, delay: BlockNumber) -> bool {
    notice.checked_mul(2).is_some_and(|twice| twice <= delay)
}

/// Errors of the governance rules.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GovernanceError {
    /// No pending change has this id.
    NoSuchChange,
    /// The change's delay has not passed yet.
    NotDue,
    /// [`MAX_PENDING_CHANGES`] changes are pending already.
    TooManyChanges,
    /// A delay above [`MAX_GOVERNANCE_DELAY`], or a link this contract does
    /// not have.
    InvalidChange,
    /// An id would overflow.
    Overflow,
}

/// A link of one contract to another, which only a scheduled change moves.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The account allowed to steer the contract: the escrow's and the
    /// registry's subscription contract, the award's selector.
    Controller,
    /// The award contract the subscription contract asks for offers.
    Award,
}

/// What an admin may change, only with notice.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Replace the contract's code, keeping its storage.
    Code(CodeHash),
    /// Point a link at another account (`None`: at nothing).
    Link(Link, Option<AccountId>),
    /// A new governance delay, in blocks.
    Delay(BlockNumber),
}

/// A change waiting for its delay.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledChange {
    pub id: ChangeId,
    pub change: Change,
    pub scheduled_at: BlockNumber,
    /// First block it may be applied in.
    pub eta: BlockNumber,
}

/// Whether a change applies now or waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduled {
    /// Listed as pending until its `eta`.
    Pending(ScheduledChange),
    /// To be applied at once (a longer delay, or a first wiring).
    AtOnce(ScheduledChange),
}

/// A contract's governance state: its delay, the changes waiting for it,
/// and whether any link was ever wired.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Governance {
    delay: BlockNumber,
    pending: Vec<ScheduledChange>,
    next_id: ChangeId,
    /// A link was set since instantiation: from now on every link change
    /// waits for the delay, setting an unset one included.
    wired: bool,
}

impl Governance {
    /// Governance with `delay` blocks of notice. The delay is a term of the
    /// contract fixed at instantiation: only a scheduled change shortens it.
    pub fn new(delay: BlockNumber) -> Result<Self, GovernanceError> {
        check_delay(delay)?;
        Ok(Self {
            delay,
            pending: Vec::new(),
            next_id: 0,
            wired: false,
        })
    }

    pub fn delay(&self) -> BlockNumber {
        self.delay
    }

    /// Every pending change, oldest first.
    pub fn pending(&self) -> &[ScheduledChange] {
        &self.pending
    }

    /// Whether any change is pending (consumers may then cancel with only
    /// the consumer notice).
    pub fn any_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Schedules `change` at `now` (the caller checked it is the admin's
    /// and that the contract has the link). `unset_link` says the change
    /// sets a link that is unset: before the first wiring that applies at
    /// once, as does a delay that is not shorter.
    pub fn schedule(
        &mut self,
        change: Change,
        now: BlockNumber,
        unset_link: bool,
    ) -> Result<Scheduled, GovernanceError> {
        let at_once = match change {
            Change::Delay(delay) => {
                check_delay(delay)?;
                delay >= self.delay
            }
            Change::Link(..) => unset_link && !self.wired,
            Change::Code(_) => false,
        };
        if !at_once && self.pending.len() >= MAX_PENDING_CHANGES {
            return Err(GovernanceError::TooManyChanges);
        }
        let id = self.next_id;
        let next_id = id.checked_add(1).ok_or(GovernanceError::Overflow)?;
        let eta = if at_once {
            now
        } else {
            now.checked_add(self.delay)
                .ok_or(GovernanceError::Overflow)?
        };
        let scheduled = ScheduledChange {
            id,
            change,
            scheduled_at: now,
            eta,
        };
        self.next_id = next_id;
        if at_once {
            return Ok(Scheduled::AtOnce(scheduled));
        }
        self.pending.push(scheduled);
        Ok(Scheduled::Pending(scheduled))
    }

    /// Takes pending change `id` off the list if its delay has passed at
    /// `now`, for the contract to apply (then [`Self::applied`]).
    pub fn take_due(
        &mut self,
        id: ChangeId,
        now: BlockNumber,
    ) -> Result<ScheduledChange, GovernanceError> {
        let index = self.index_of(id)?;
        if now < self.pending[index].eta {
            return Err(GovernanceError::NotDue);
        }
        Ok(self.pending.remove(index))
    }

    /// Withdraws pending change `id`.
    pub fn cancel(&mut self, id: ChangeId) -> Result<ScheduledChange, GovernanceError> {
        let index = self.index_of(id)?;
        Ok(self.pending.remove(index))
    }

    /// Records what an applied change did to governance itself.
    pub fn applied(&mut self, change: &Change) {
        match *change {
            Change::Delay(delay) => self.delay = delay,
            Change::Link(..) => self.wired = true,
            Change::Code(_) => {}
        }
    }

    fn index_of(&self, id: ChangeId) -> Result<usize, GovernanceError> {
        self.pending
            .iter()
            .position(|scheduled| scheduled.id == id)
            .ok_or(GovernanceError::NoSuchChange)
    }
}

fn check_delay(delay: BlockNumber) -> Result<(), GovernanceError> {
    if delay > MAX_GOVERNANCE_DELAY {
        return Err(GovernanceError::InvalidChange);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn a_notice_fits_at_most_half_the_delay() {
        assert!(notice_fits_delay(0, 0));
        assert!(notice_fits_delay(10, 20));
        assert!(!notice_fits_delay(11, 20));
        assert!(
            !notice_fits_delay(19, 20),
            "one block to react is not a way out"
        );
        assert!(notice_fits_delay(BlockNumber::MAX / 2, BlockNumber::MAX));
        assert!(
            !notice_fits_delay(BlockNumber::MAX / 2 + 1, BlockNumber::MAX),
            "no overflow"
        );
    }

    fn code(n: u8) -> Change {
        Change::Code(CodeHash::from([n; 32]))
    }

    fn pending(scheduled: Scheduled) -> ScheduledChange {
        match scheduled {
            Scheduled::Pending(change) => change,
            Scheduled::AtOnce(change) => panic!("{change:?} applied at once"),
        }
    }

    #[test]
    fn a_change_waits_for_the_delay() {
        let mut gov = Governance::new(50).unwrap();
        let scheduled = pending(gov.schedule(code(1), 10, false).unwrap());
        assert_eq!(scheduled.eta, 60);
        assert!(gov.any_pending());
        assert_eq!(gov.take_due(scheduled.id, 59), Err(GovernanceError::NotDue));
        assert_eq!(gov.pending(), &[scheduled], "a refused apply keeps it");
        assert_eq!(gov.take_due(scheduled.id, 60), Ok(scheduled));
        assert!(!gov.any_pending());
        assert_eq!(
            gov.take_due(scheduled.id, 61),
            Err(GovernanceError::NoSuchChange),
            "applied once only"
        );
    }

    #[test]
    fn only_a_longer_delay_applies_at_once() {
        let mut gov = Governance::new(50).unwrap();
        assert!(matches!(
            gov.schedule(Change::Delay(80), 1, false),
            Ok(Scheduled::AtOnce(_))
        ));
        assert!(matches!(
            gov.schedule(Change::Delay(50), 1, false),
            Ok(Scheduled::AtOnce(_)),
        ));
        let shorter = pending(gov.schedule(Change::Delay(5), 1, false).unwrap());
        assert_eq!(shorter.eta, 51, "shortening waits for the current delay");
        assert_eq!(
            gov.schedule(Change::Delay(MAX_GOVERNANCE_DELAY + 1), 1, false),
            Err(GovernanceError::InvalidChange)
        );
    }

    #[test]
    fn only_the_first_wiring_of_an_unset_link_applies_at_once() {
        let mut gov = Governance::new(50).unwrap();
        let wire = Change::Link(Link::Controller, Some(acc(7)));
        assert!(matches!(
            gov.schedule(wire, 1, false),
            Ok(Scheduled::Pending(_))
        ));
        let Scheduled::AtOnce(first) = gov.schedule(wire, 1, true).unwrap() else {
            panic!("the first wiring waits");
        };
        gov.applied(&first.change);
        assert!(
            matches!(gov.schedule(wire, 2, true), Ok(Scheduled::Pending(_))),
            "once wired, unsetting and setting again both wait"
        );
    }

    #[test]
    fn pending_changes_are_bounded_and_can_be_withdrawn() {
        let mut gov = Governance::new(10).unwrap();
        let ids: Vec<ChangeId> = (0..MAX_PENDING_CHANGES)
            .map(|n| pending(gov.schedule(code(n as u8), 3, false).unwrap()).id)
            .collect();
        assert_eq!(
            gov.schedule(code(99), 3, false),
            Err(GovernanceError::TooManyChanges)
        );
        assert_eq!(gov.cancel(ids[2]).map(|c| c.id), Ok(ids[2]));
        assert_eq!(gov.cancel(ids[2]), Err(GovernanceError::NoSuchChange));
        let again = pending(gov.schedule(code(99), 4, false).unwrap());
        assert!(!ids.contains(&again.id), "ids are never reused");
    }

    #[test]
    fn a_delay_beyond_the_bound_is_refused_at_instantiation() {
        assert_eq!(
            Governance::new(MAX_GOVERNANCE_DELAY + 1),
            Err(GovernanceError::InvalidChange)
        );
        assert!(Governance::new(0).is_ok(), "a dev chain may choose none");
    }
}
