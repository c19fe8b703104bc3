//! Pooled funding of one deployment, as plain logic: the books of the pool
//! contract (`pool/`), tested without a chain.
//!
//! Anyone contributes; a governor fixed at instantiation (an account, a
//! multisig, a DAO contract) spends the pool on **one** subscription —
//! creates it, tops it up, cancels it, answers price proposals — within the
//! terms the contributors saw at instantiation (the deployment type and the
//! highest rate per block). When that subscription has closed, whatever the
//! pool still holds (what it never sent, and what the escrow refunded) is
//! shared pro rata to what each contributor put in:
//!
//! ```text
//! share(c) = ⌊ contributed(c) × distributable / total_contributed ⌋
//! ```
//!
//! so each contributor's payout is its contribution less its share of what
//! the provider was paid (rounded against the contributor, by less than one
//! unit). The rounding dust — under one unit per contributor — goes to the
//! contributor who withdraws last, so the pool pays out exactly what it
//! holds and every unit is accounted for (the `Withdrawn` event says how much
//! of an amount was dust).
//!
//! Before the subscription exists a contributor may take its whole
//! contribution back at any time; while it runs, contributions stay in (they
//! fund the deployment the contributors asked for).

// parity-scale-codec-derive encodes enum indexes as `(N usize) as u8`.
#![allow(clippy::cast_possible_truncation)]

use crate::traits::{EscrowError, Requirements, SubscriptionError};
use crate::types::{AccountId, Balance, Invalid, SubscriptionId, TypeId};
use ink::prelude::vec::Vec;

type Result<T> = core::result::Result<T, PoolError>;

/// Errors of the pool contract.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// Only the governor may do this (or, for `accept_governor`, the
    /// proposed governor).
    NotGovernor,
    /// Part of the input was refused; nothing was written or moved.
    InvalidInput(Invalid),
    /// The pool has not created its subscription yet.
    NotStarted,
    /// The pool already created its subscription (a pool funds one).
    AlreadyStarted,
    /// The pool's subscription has closed and its books are final:
    /// nothing can be added or spent, only withdrawn.
    PoolClosed,
    /// The pool's subscription has not closed yet (settle or reaward it at
    /// the subscription contract first).
    SubscriptionLive,
    /// Contributions are committed while the subscription runs; they are
    /// paid out pro rata once it closes.
    Committed,
    /// More than the pool holds unspent.
    InsufficientFunds,
    /// The requirements (the price, the Dynamic repricing bound, the cancel
    /// fee) or an accepted rate go beyond the pool's terms, or the type is
    /// not the pool's.
    OutsideTerms,
    /// The caller has contributed nothing (or took it back).
    NoContribution,
    /// The caller's share was already paid out.
    AlreadyWithdrawn,
    /// The subscription contract refused.
    Subscription(SubscriptionError),
    /// The escrow refused a `reclaim` (e.g. `ControllerWorking`: the
    /// subscription contract still steers the stream; cancel instead).
    Escrow(EscrowError),
    /// The call to the subscription contract could not be made, or it
    /// returned nothing the pool can read.
    CallFailed,
    /// A transfer out of the pool failed.
    TransferFailed,
    /// An amount would overflow.
    Overflow,
}

impl crate::traits::CallerError for PoolError {
    fn call_failed() -> Self {
        PoolError::CallFailed
    }
}

impl From<SubscriptionError> for PoolError {
    fn from(error: SubscriptionError) -> Self {
        PoolError::Subscription(error)
    }
}

impl From<EscrowError> for PoolError {
    fn from(error: EscrowError) -> Self {
        PoolError::Escrow(error)
    }
}

impl From<Invalid> for PoolError {
    fn from(what: Invalid) -> Self {
        PoolError::InvalidInput(what)
    }
}

/// What the contributors agreed to fund, fixed at instantiation.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// The deployment type the subscription must be of.
    pub type_id: TypeId,
    /// The highest rate per block the governor may agree to: in the
    /// requirements of `create` (the price at the award and the bound of
    /// Dynamic repricing) and in `accept_price`.
    pub max_rate: Balance,
    /// The highest fee the governor may accept for cancelling before the
    /// deployment is ready (0: offers with a cancel fee are skipped).
    pub max_cancel_fee: Balance,
}

impl Terms {
    pub fn validate(&self) -> core::result::Result<(), Invalid> {
        if self.max_rate == 0 {
            return Err(Invalid::Price);
        }
        Ok(())
    }

    /// The subscription is of the pool's type and its requirements keep
    /// within the terms: the price at the award, the rate a Dynamic offer
    /// may be repriced to (a governor colluding with a provider could
    /// otherwise let it reprice the pool dry) and the cancel fee (money for
    /// nothing if the governor cancels before ready).
    pub fn check(&self, type_id: TypeId, requirements: &Requirements) -> Result<()> {
        if type_id != self.type_id
            || requirements.max_price_per_block > self.max_rate
            || requirements.repricing_bound() > self.max_rate
            || requirements.max_cancel_fee > self.max_cancel_fee
        {
            return Err(PoolError::OutsideTerms);
        }
        Ok(())
    }

    pub fn check_rate(&self, rate: Balance) -> Result<()> {
        if rate > self.max_rate {
            return Err(PoolError::OutsideTerms);
        }
        Ok(())
    }
}

/// Where the pool is.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PoolPhase {
    /// Collecting; contributors may take their contribution back.
    #[default]
    Funding,
    /// The subscription runs; contributions are committed.
    Running(SubscriptionId),
    /// The subscription closed; `distributable` is shared pro rata.
    Closed(SubscriptionId),
}

/// The pool's books (one storage cell; contributors' shares are kept
/// apart, one record each).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Books {
    pub phase: PoolPhase,
    /// Σ of every contribution not taken back.
    pub contributed: Balance,
    /// Held by the pool and not sent to the subscription.
    pub unspent: Balance,
    /// Sent to the subscription (its deposit and top-ups).
    pub sent: Balance,
    /// What the escrow refunded to the pool, read when it closed.
    pub refunded: Balance,
    /// `unspent + refunded` when the pool closed: what contributors share.
    pub distributable: Balance,
    /// Paid to contributors after the close.
    pub paid_out: Balance,
    /// Σ of the contributions whose share has been paid out.
    pub settled_contributions: Balance,
}

/// One contributor's record.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Share {
    pub contributed: Balance,
    /// Paid out after the close (once).
    pub withdrawn: Option<Balance>,
}

/// What a change of the books did, for the shell to emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolEvent {
    Contributed {
        contributor: AccountId,
        amount: Balance,
        /// The contributor's total.
        contributed: Balance,
    },
    /// A contribution taken back before the subscription existed.
    Refunded {
        contributor: AccountId,
        amount: Balance,
    },
    Spent {
        id: SubscriptionId,
        amount: Balance,
    },
    Closed {
        id: SubscriptionId,
        sent: Balance,
        refunded: Balance,
        distributable: Balance,
    },
    Withdrawn {
        contributor: AccountId,
        amount: Balance,
        /// Of `amount`, the rounding dust of every earlier share.
        dust: Balance,
    },
}

fn add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(PoolError::Overflow)
}

fn sub(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_sub(b).ok_or(PoolError::Overflow)
}

/// `⌊a × b / c⌋` without overflow for any `u128`s (the product is kept in
/// 256 bits); `None` when `c` is 0 or the quotient exceeds `u128`.
// Every operation below is bounded: 64 × 64-bit products, sums of at most
// three 64-bit halves, a high half below 2^128 (the product is below 2^256)
// and a remainder kept below `c` — the unit tests cover the extremes.
#[allow(clippy::arithmetic_side_effects)]
pub fn mul_div(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    // 256-bit product as (high, low) from four 64-bit partial products.
    const LOW: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & LOW);
    let (b_hi, b_lo) = (b >> 64, b & LOW);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let middle = (lo_lo >> 64) + (hi_lo & LOW) + (lo_hi & LOW);
    let low = (middle << 64) | (lo_lo & LOW);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (middle >> 64);
    if high >= c {
        return None;
    }
    // Long division of (high, low) by c, one bit at a time: the remainder
    // stays below c, so it fits after each shift with the carried-out bit.
    let (mut remainder, mut quotient) = (high, 0u128);
    for bit in (0..128).rev() {
        let carry = remainder >> 127;
        remainder = (remainder << 1) | ((low >> bit) & 1);
        quotient <<= 1;
        if carry == 1 || remainder >= c {
            remainder = remainder.wrapping_sub(c);
            quotient |= 1;
        }
    }
    Some(quotient)
}

impl Books {
    fn ensure_open(&self) -> Result<()> {
        match self.phase {
            PoolPhase::Closed(_) => Err(PoolError::PoolClosed),
            _ => Ok(()),
        }
    }

    /// The running subscription's id.
    pub fn running(&self) -> Result<SubscriptionId> {
        match self.phase {
            PoolPhase::Funding => Err(PoolError::NotStarted),
            PoolPhase::Running(id) => Ok(id),
            PoolPhase::Closed(_) => Err(PoolError::PoolClosed),
        }
    }

    /// `amount` from `contributor`, kept in the pool (`unspent`); when
    /// `forwarded`, sent on at once as a top-up of the running subscription.
    pub fn contribute(
        &mut self,
        share: &mut Share,
        contributor: AccountId,
        amount: Balance,
        forwarded: bool,
    ) -> Result<Vec<PoolEvent>> {
        self.ensure_open()?;
        if amount == 0 {
            return Err(Invalid::Amount.into());
        }
        let forwarded_to = if forwarded {
            Some(self.running()?)
        } else {
            None
        };
        let contributed = add(share.contributed, amount)?;
        let total = add(self.contributed, amount)?;
        let mut events = Vec::from([PoolEvent::Contributed {
            contributor,
            amount,
            contributed,
        }]);
        match forwarded_to {
            Some(id) => {
                self.sent = add(self.sent, amount)?;
                events.push(PoolEvent::Spent { id, amount });
            }
            None => self.unspent = add(self.unspent, amount)?,
        }
        self.contributed = total;
        share.contributed = contributed;
        Ok(events)
    }

    /// Before the subscription exists: the whole contribution back.
    pub fn take_back(
        &mut self,
        share: &mut Share,
        contributor: AccountId,
    ) -> Result<Vec<PoolEvent>> {
        match self.phase {
            PoolPhase::Funding => {}
            PoolPhase::Running(_) => return Err(PoolError::Committed),
            PoolPhase::Closed(_) => return Err(PoolError::PoolClosed),
        }
        let amount = share.contributed;
        if amount == 0 {
            return Err(PoolError::NoContribution);
        }
        self.contributed = sub(self.contributed, amount)?;
        self.unspent = sub(self.unspent, amount)?;
        share.contributed = 0;
        Ok(Vec::from([PoolEvent::Refunded {
            contributor,
            amount,
        }]))
    }

    /// Checks the governor may spend `amount` of the unspent funds.
    pub fn check_spend(&self, amount: Balance) -> Result<()> {
        self.ensure_open()?;
        if amount == 0 {
            return Err(Invalid::Amount.into());
        }
        if amount > self.unspent {
            return Err(PoolError::InsufficientFunds);
        }
        Ok(())
    }

    /// `amount` went to subscription `id`: its deposit (`Funding` →
    /// `Running`) or a top-up of the running one.
    pub fn spent(&mut self, id: SubscriptionId, amount: Balance) -> Result<Vec<PoolEvent>> {
        self.check_spend(amount)?;
        match self.phase {
            PoolPhase::Funding => self.phase = PoolPhase::Running(id),
            PoolPhase::Running(running) if running == id => {}
            _ => return Err(PoolError::AlreadyStarted),
        }
        self.unspent = sub(self.unspent, amount)?;
        self.sent = add(self.sent, amount)?;
        Ok(Vec::from([PoolEvent::Spent { id, amount }]))
    }

    /// The subscription closed and the escrow refunded `refunded` to the
    /// pool in all: the books are final.
    pub fn close(&mut self, refunded: Balance) -> Result<Vec<PoolEvent>> {
        let id = self.running()?;
        self.refunded = refunded;
        self.distributable = add(self.unspent, refunded)?;
        self.phase = PoolPhase::Closed(id);
        Ok(Vec::from([PoolEvent::Closed {
            id,
            sent: self.sent,
            refunded,
            distributable: self.distributable,
        }]))
    }

    /// A contributor's pro-rata share of `distributable`, rounded down.
    pub fn share_of(&self, contributed: Balance) -> Result<Balance> {
        mul_div(contributed, self.distributable, self.contributed).ok_or(PoolError::Overflow)
    }

    /// After the close: pays `share` its part, once; the last contributor
    /// to withdraw also takes the rounding dust, so the pool ends empty.
    pub fn withdraw(
        &mut self,
        share: &mut Share,
        contributor: AccountId,
    ) -> Result<Vec<PoolEvent>> {
        match self.phase {
            PoolPhase::Closed(_) => {}
            _ => return Err(PoolError::SubscriptionLive),
        }
        if share.contributed == 0 {
            return Err(PoolError::NoContribution);
        }
        if share.withdrawn.is_some() {
            return Err(PoolError::AlreadyWithdrawn);
        }
        let pro_rata = self.share_of(share.contributed)?;
        let settled = add(self.settled_contributions, share.contributed)?;
        let amount = if settled == self.contributed {
            sub(self.distributable, self.paid_out)?
        } else {
            pro_rata
        };
        let dust = sub(amount, pro_rata)?;
        self.settled_contributions = settled;
        self.paid_out = add(self.paid_out, amount)?;
        share.withdrawn = Some(amount);
        Ok(Vec::from([PoolEvent::Withdrawn {
            contributor,
            amount,
            dust,
        }]))
    }

    /// What the pool must hold for its books: unspent before the close,
    /// distributable less what was paid out after it.
    pub fn held(&self) -> Balance {
        match self.phase {
            PoolPhase::Closed(_) => self.distributable.saturating_sub(self.paid_out),
            _ => self.unspent,
        }
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn who(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn mul_div_is_exact_beyond_u128_products() {
        assert_eq!(mul_div(7, 3, 2), Some(10));
        assert_eq!(mul_div(0, 5, 1), Some(0));
        assert_eq!(mul_div(5, 5, 0), None);
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 2, 4), Some(u128::MAX / 2));
        assert_eq!(mul_div(u128::MAX, 3, 2), None, "the quotient exceeds u128");
        let big = 10u128.pow(30);
        assert_eq!(mul_div(big, big, big), Some(big));
        assert_eq!(mul_div(big + 1, big - 1, big), Some(big - 1));
    }

    #[test]
    fn shares_are_pro_rata_and_the_last_takes_the_dust() {
        let mut books = Books::default();
        let mut shares = [Share::default(); 3];
        for (i, share) in shares.iter_mut().enumerate() {
            books.contribute(share, who(i as u8), 100, false).unwrap();
        }
        books.spent(7, 250).unwrap();
        assert_eq!(
            books.take_back(&mut shares[0], who(0)),
            Err(PoolError::Committed)
        );
        books.close(100).unwrap();
        assert_eq!(books.distributable, 150);
        let mut paid = 0;
        for (i, share) in shares.iter_mut().enumerate() {
            let events = books.withdraw(share, who(i as u8)).unwrap();
            let PoolEvent::Withdrawn { amount, dust, .. } = events[0] else {
                panic!()
            };
            assert_eq!(amount, if i == 2 { 50 } else { 50 });
            assert_eq!(dust, 0);
            paid += amount;
        }
        assert_eq!(paid, 150);
        assert_eq!(books.held(), 0);
        assert_eq!(
            books.withdraw(&mut shares[0], who(0)),
            Err(PoolError::AlreadyWithdrawn)
        );
    }

    #[test]
    fn rounding_dust_is_bounded_and_paid_last() {
        let mut books = Books::default();
        let mut shares = [Share::default(); 3];
        for (i, share) in shares.iter_mut().enumerate() {
            books.contribute(share, who(i as u8), 1, false).unwrap();
        }
        books.spent(1, 1).unwrap();
        books.close(0).unwrap(); // 2 units shared by 3 equal contributors
        let amounts: Vec<_> = shares
            .iter_mut()
            .enumerate()
            .map(|(i, s)| match books.withdraw(s, who(i as u8)).unwrap()[0] {
                PoolEvent::Withdrawn { amount, dust, .. } => (amount, dust),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(amounts, [(0, 0), (0, 0), (2, 2)]);
    }

    #[test]
    fn a_contribution_comes_back_whole_before_the_start_only() {
        let mut books = Books::default();
        let mut share = Share::default();
        assert_eq!(
            books.contribute(&mut share, who(1), 0, false),
            Err(PoolError::InvalidInput(Invalid::Amount))
        );
        assert_eq!(
            books.contribute(&mut share, who(1), 5, true),
            Err(PoolError::NotStarted),
            "a forwarded contribution needs a running subscription"
        );
        assert_eq!(share, Share::default(), "nothing written on a refusal");
        books.contribute(&mut share, who(1), 40, false).unwrap();
        assert_eq!(books.take_back(&mut share, who(1)).unwrap().len(), 1);
        assert_eq!(
            (books.contributed, books.unspent, share.contributed),
            (0, 0, 0)
        );
        assert_eq!(
            books.take_back(&mut share, who(1)),
            Err(PoolError::NoContribution)
        );
        assert_eq!(books.check_spend(1), Err(PoolError::InsufficientFunds));
    }

    #[test]
    fn terms_bound_the_governor() {
        let terms = Terms {
            type_id: 3,
            max_rate: 10,
            max_cancel_fee: 5,
        };
        let asks = |max_price_per_block, max_rate, max_cancel_fee| Requirements {
            max_price_per_block,
            max_rate,
            max_cancel_fee,
            ..Default::default()
        };
        assert_eq!(terms.check(3, &asks(10, None, 5)), Ok(()));
        assert_eq!(terms.check(3, &asks(8, Some(10), 0)), Ok(()));
        assert_eq!(
            terms.check(3, &asks(11, None, 0)),
            Err(PoolError::OutsideTerms)
        );
        assert_eq!(
            terms.check(3, &asks(8, Some(11), 0)),
            Err(PoolError::OutsideTerms),
            "Dynamic repricing beyond the terms"
        );
        assert_eq!(
            terms.check(3, &asks(8, None, 6)),
            Err(PoolError::OutsideTerms)
        );
        assert_eq!(
            terms.check(4, &asks(1, None, 0)),
            Err(PoolError::OutsideTerms)
        );
        assert_eq!(terms.check_rate(11), Err(PoolError::OutsideTerms));
        let free = Terms {
            max_rate: 0,
            ..terms
        };
        assert_eq!(free.validate(), Err(Invalid::Price));
    }
}
