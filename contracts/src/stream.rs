//! Per-block stream accounting: a payer's escrowed deposit pays a payee a fixed
//! rate per block, as plain Rust (no ink! environment), so it is tested without
//! a chain and the escrow contract only stores a [`Stream`] per subscription.
//!
//! # Model
//! A stream is opened with a rate, started once (the deployment is ready: billing
//! starts at that block) and may get an end block. Like Sablier Flow it keeps a
//! *snapshot*: the outstanding (not yet withdrawn) debt at `snapshot_block`. At any
//! later block the debt is
//! `snapshot_debt + rate × (min(now, end) − snapshot_block)`, and
//! - `held = deposited − withdrawn − refunded` is what the escrow still holds;
//! - `withdrawable = min(held, debt)` is what the payee may take now (covered debt);
//! - `refundable = held − withdrawable` is what the payer gets back on close.
//!
//! Every figure is O(1) whatever the number of blocks elapsed: nothing iterates
//! over blocks and nothing needs a per-block call.
//!
//! # Cap rule (DINFRA)
//! From the depletion block (the first block where the debt reaches `held`) the
//! provider earns nothing more: unfunded blocks are not a debt of the payer. So
//! every snapshot stores the debt capped at `held` (`snapshot_debt = withdrawable`).
//! Consequence: a deposit after depletion restarts streaming from the deposit
//! block; the blocks in the gap are never paid.
//!
//! # Time
//! Every mutation takes the current block `now`. A change of rate, end or deposit
//! (and withdraw and close) snapshots first, at `now`. Time never goes backwards: a
//! mutation at a block before the last snapshot fails with
//! [`StreamError::BlockInPast`]; a view for such a block answers as at the last
//! snapshot. A failing call leaves the stream unchanged (validate, then mutate).

use crate::types::{AccountId, Balance, BlockNumber};

/// Why a stream refused a mutation.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamError {
    /// A rate of zero (a stream must pay something per block).
    ZeroRate,
    /// A deposit of zero.
    ZeroAmount,
    /// `start` was called on a stream already started.
    AlreadyStarted,
    /// `set_end` or `withdraw` on a stream not started yet.
    NotStarted,
    /// The stream was closed; it accepts no further mutation.
    Closed,
    /// `set_end` with an end block earlier than `now`.
    EndInPast,
    /// Deposit, rate or end change on a stream whose end has been reached.
    Ended,
    /// `withdraw` with nothing covered to pay (e.g. twice in the same block).
    NothingToWithdraw,
    /// `now` is earlier than the stream's last snapshot (or start).
    BlockInPast,
    /// A total would not fit in a `Balance` (e.g. cumulative deposits).
    Overflow,
}

/// Where a stream stands at a given block.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamStatus {
    /// Opened, not started: nothing accrues yet.
    Pending,
    /// Accruing, and the deposit still covers the debt.
    Streaming,
    /// The debt reached `held` before the end: the payee earns nothing more
    /// until a deposit.
    Exhausted,
    /// The end block has been reached.
    Ended,
    /// Closed: paid out and refunded.
    Closed,
}

/// One payer→payee stream. `payer` and `payee` are public; the accounting is
/// only changed through the methods, which keep
/// `withdrawn + refunded ≤ deposited` and `snapshot_debt ≤ held`.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// Who deposits and gets refunds.
    pub payer: AccountId,
    /// Who is paid per block (the provider).
    pub payee: AccountId,
    rate: Balance,
    start: Option<BlockNumber>,
    end: Option<BlockNumber>,
    snapshot_block: BlockNumber,
    snapshot_debt: Balance,
    deposited: Balance,
    withdrawn: Balance,
    refunded: Balance,
    closed: bool,
}

/// `⌈a / b⌉`, `None` if `b` is 0.
fn ceil_div(a: Balance, b: Balance) -> Option<Balance> {
    let quotient = a.checked_div(b)?;
    if a.checked_rem(b)? == 0 {
        Some(quotient)
    } else {
        // quotient < a ≤ Balance::MAX when b ≥ 2, so this never saturates.
        Some(quotient.saturating_add(1))
    }
}

impl Stream {
    /// Opens a pending stream paying `rate` per block once started.
    pub fn open(payer: AccountId, payee: AccountId, rate: Balance) -> Result<Self, StreamError> {
        if rate == 0 {
            return Err(StreamError::ZeroRate);
        }
        Ok(Self {
            payer,
            payee,
            rate,
            start: None,
            end: None,
            snapshot_block: 0,
            snapshot_debt: 0,
            deposited: 0,
            withdrawn: 0,
            refunded: 0,
            closed: false,
        })
    }

    // ---- views -------------------------------------------------------------

    /// Amount paid per block.
    pub fn rate(&self) -> Balance {
        self.rate
    }

    /// Block billing started at, `None` while pending.
    pub fn start_block(&self) -> Option<BlockNumber> {
        self.start
    }

    /// Last billed block boundary, if an end was set.
    pub fn end_block(&self) -> Option<BlockNumber> {
        self.end
    }

    /// Block of the last snapshot (the last mutation).
    pub fn snapshot_block(&self) -> BlockNumber {
        self.snapshot_block
    }

    /// Outstanding debt at the last snapshot (never above `held`).
    pub fn snapshot_debt(&self) -> Balance {
        self.snapshot_debt
    }

    /// Total ever deposited.
    pub fn deposited(&self) -> Balance {
        self.deposited
    }

    /// Total paid to the payee.
    pub fn withdrawn(&self) -> Balance {
        self.withdrawn
    }

    /// Total refunded to the payer.
    pub fn refunded(&self) -> Balance {
        self.refunded
    }

    /// Whether the stream was closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// What the escrow holds for this stream: `deposited − withdrawn − refunded`.
    pub fn held(&self) -> Balance {
        // Never saturates: every mutation keeps withdrawn + refunded ≤ deposited.
        self.deposited
            .saturating_sub(self.withdrawn)
            .saturating_sub(self.refunded)
    }

    /// Outstanding debt at `now`, uncapped; 0 before start.
    fn debt(&self, now: BlockNumber) -> Balance {
        if self.start.is_none() {
            return 0;
        }
        let until = self.end.map_or(now, |end| now.min(end));
        let blocks = Balance::from(until.saturating_sub(self.snapshot_block));
        // rate × blocks can exceed u128 (rate up to u128::MAX, blocks up to
        // u32::MAX). Saturating is exact for every use: the debt is only ever
        // read capped at `held` ≤ u128::MAX.
        self.snapshot_debt
            .saturating_add(self.rate.saturating_mul(blocks))
    }

    /// Covered debt the payee may withdraw at `now`: `min(held, debt)`.
    pub fn withdrawable(&self, now: BlockNumber) -> Balance {
        self.debt(now).min(self.held())
    }

    /// What closing at `now` would refund the payer: `held − withdrawable`.
    pub fn refundable(&self, now: BlockNumber) -> Balance {
        self.held().saturating_sub(self.withdrawable(now))
    }

    /// Total earned by the payee up to `now`: `withdrawn + withdrawable`.
    pub fn accrued(&self, now: BlockNumber) -> Balance {
        // ≤ deposited, so never saturates.
        self.withdrawn.saturating_add(self.withdrawable(now))
    }

    /// First block at which the withdrawable amount reaches `held`, i.e.
    /// `snapshot_block + ⌈(held − snapshot_debt) / rate⌉`.
    ///
    /// `None` if pending or closed, if the end comes first, or if the block
    /// would not fit in a `BlockNumber`. Once exhausted the answer is ≤ the last
    /// snapshot (not necessarily the historical first block, which a snapshot
    /// forgets). The answer does not depend on `now`, which is taken for
    /// symmetry with the other views.
    pub fn depletion_block(&self, _now: BlockNumber) -> Option<BlockNumber> {
        if self.closed {
            return None;
        }
        self.start?;
        let remaining = self.held().saturating_sub(self.snapshot_debt);
        if remaining == 0 {
            // Already exhausted at the last snapshot, which may lie past the end.
            return Some(
                self.end
                    .map_or(self.snapshot_block, |end| end.min(self.snapshot_block)),
            );
        }
        let blocks = BlockNumber::try_from(ceil_div(remaining, self.rate)?).ok()?;
        let block = self.snapshot_block.checked_add(blocks)?;
        match self.end {
            Some(end) if block > end => None,
            _ => Some(block),
        }
    }

    /// Where the stream stands at `now` (see [`StreamStatus`]). A block before
    /// the last snapshot is answered as at the last snapshot.
    pub fn status(&self, now: BlockNumber) -> StreamStatus {
        if self.closed {
            return StreamStatus::Closed;
        }
        if self.start.is_none() {
            return StreamStatus::Pending;
        }
        let now = now.max(self.snapshot_block);
        if self.has_ended(now) {
            return StreamStatus::Ended;
        }
        match self.depletion_block(now) {
            Some(depletion) if now >= depletion => StreamStatus::Exhausted,
            _ => StreamStatus::Streaming,
        }
    }

    // ---- mutations ---------------------------------------------------------

    fn has_ended(&self, now: BlockNumber) -> bool {
        self.end.is_some_and(|end| now >= end)
    }

    /// Refuses any mutation of a closed stream or at a block in the past.
    fn ensure_open(&self, now: BlockNumber) -> Result<(), StreamError> {
        if self.closed {
            return Err(StreamError::Closed);
        }
        if now < self.snapshot_block {
            return Err(StreamError::BlockInPast);
        }
        Ok(())
    }

    /// Moves the snapshot to `now`, capping the debt at `held` (the cap rule).
    fn snapshot(&mut self, now: BlockNumber) {
        self.snapshot_debt = self.withdrawable(now);
        self.snapshot_block = now;
    }

    /// Starts billing at `now` (once).
    pub fn start(&mut self, now: BlockNumber) -> Result<(), StreamError> {
        self.ensure_open(now)?;
        if self.start.is_some() {
            return Err(StreamError::AlreadyStarted);
        }
        self.start = Some(now);
        self.snapshot_block = now;
        self.snapshot_debt = 0;
        Ok(())
    }

    /// Adds `amount` to the escrow, before or after start, until the end.
    /// `Overflow` if the cumulative `deposited` would not fit in a `Balance`.
    pub fn deposit(&mut self, amount: Balance, now: BlockNumber) -> Result<(), StreamError> {
        self.ensure_open(now)?;
        if amount == 0 {
            return Err(StreamError::ZeroAmount);
        }
        if self.has_ended(now) {
            return Err(StreamError::Ended);
        }
        let deposited = self
            .deposited
            .checked_add(amount)
            .ok_or(StreamError::Overflow)?;
        self.snapshot(now);
        self.deposited = deposited;
        Ok(())
    }

    /// Gives a pending stream (nothing accrued yet) a new payee and rate: the
    /// deployment was awarded again before it was ready.
    pub fn reassign(
        &mut self,
        payee: AccountId,
        rate: Balance,
        now: BlockNumber,
    ) -> Result<(), StreamError> {
        self.ensure_open(now)?;
        if self.start.is_some() {
            return Err(StreamError::AlreadyStarted);
        }
        if rate == 0 {
            return Err(StreamError::ZeroRate);
        }
        self.payee = payee;
        self.rate = rate;
        Ok(())
    }

    /// Changes the rate from `now` on (also allowed while pending).
    pub fn set_rate(&mut self, rate: Balance, now: BlockNumber) -> Result<(), StreamError> {
        self.ensure_open(now)?;
        if rate == 0 {
            return Err(StreamError::ZeroRate);
        }
        if self.has_ended(now) {
            return Err(StreamError::Ended);
        }
        self.snapshot(now);
        self.rate = rate;
        Ok(())
    }

    /// Sets (or moves) the end block: billing stops at `end`. Requires a started
    /// stream whose current end has not been reached, and `end ≥ now`.
    pub fn set_end(&mut self, end: BlockNumber, now: BlockNumber) -> Result<(), StreamError> {
        self.ensure_open(now)?;
        if self.start.is_none() {
            return Err(StreamError::NotStarted);
        }
        if self.has_ended(now) {
            return Err(StreamError::Ended);
        }
        if end < now {
            return Err(StreamError::EndInPast);
        }
        self.snapshot(now);
        self.end = Some(end);
        Ok(())
    }

    /// Takes everything withdrawable at `now`; returns the amount to pay the
    /// payee. Allowed after the end.
    pub fn withdraw(&mut self, now: BlockNumber) -> Result<Balance, StreamError> {
        self.ensure_open(now)?;
        if self.start.is_none() {
            return Err(StreamError::NotStarted);
        }
        let amount = self.withdrawable(now);
        if amount == 0 {
            return Err(StreamError::NothingToWithdraw);
        }
        // Cannot overflow (amount ≤ held), checked all the same.
        let withdrawn = self
            .withdrawn
            .checked_add(amount)
            .ok_or(StreamError::Overflow)?;
        self.snapshot_block = now;
        self.snapshot_debt = 0;
        self.withdrawn = withdrawn;
        Ok(amount)
    }

    /// Closes the stream at `now`, in any state but closed: pays the payee what
    /// is withdrawable and refunds the rest. Returns `(paid, refunded)`.
    pub fn close(&mut self, now: BlockNumber) -> Result<(Balance, Balance), StreamError> {
        self.close_charging(now, 0)
    }

    /// As [`Self::close`], and the payee also takes `fee` out of what would
    /// be refunded (at most all of it): a consumer's fee for cancelling an
    /// award before it was ready. Returns `(paid, refunded)`.
    pub fn close_charging(
        &mut self,
        now: BlockNumber,
        fee: Balance,
    ) -> Result<(Balance, Balance), StreamError> {
        self.ensure_open(now)?;
        let refundable = self.refundable(now);
        let fee = fee.min(refundable);
        // withdrawable + refundable = held, so neither saturates.
        let paid = self.withdrawable(now).saturating_add(fee);
        let refund = refundable.saturating_sub(fee);
        // Cannot overflow (paid + refund = held), checked all the same.
        let withdrawn = self
            .withdrawn
            .checked_add(paid)
            .ok_or(StreamError::Overflow)?;
        let refunded = self
            .refunded
            .checked_add(refund)
            .ok_or(StreamError::Overflow)?;
        self.withdrawn = withdrawn;
        self.refunded = refunded;
        self.snapshot_block = now;
        self.snapshot_debt = 0;
        self.closed = true;
        Ok((paid, refund))
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use StreamError::*;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    fn stream(rate: Balance) -> Stream {
        Stream::open(acc(1), acc(2), rate).unwrap()
    }

    #[test]
    fn a_cancel_fee_comes_out_of_the_refund_only() {
        let mut s = stream(10);
        s.deposit(100, 1).unwrap();
        assert_eq!(s.clone().close_charging(3, 30), Ok((30, 70)));
        assert_eq!(
            s.clone().close_charging(3, 500),
            Ok((100, 0)),
            "at most held"
        );
        s.start(5).unwrap();
        assert_eq!(
            s.clone().close_charging(7, 30),
            Ok((50, 50)),
            "earned 20, then the fee"
        );
        assert_eq!(
            s.close_charging(20, 30),
            Ok((100, 0)),
            "nothing left to charge"
        );
        assert_eq!(s.withdrawn() + s.refunded(), s.deposited());
    }

    #[test]
    fn reassign_only_while_pending() {
        let mut s = stream(10);
        s.deposit(100, 1).unwrap();
        assert_eq!(fails(&mut s, |s| s.reassign(acc(3), 0, 2)), ZeroRate);
        s.reassign(acc(3), 20, 2).unwrap();
        assert_eq!((s.payee, s.rate()), (acc(3), 20));
        assert_eq!(s.withdrawable(50), 0, "nothing accrues before start");
        s.start(5).unwrap();
        assert_eq!(s.withdrawable(7), 40);
        assert_eq!(fails(&mut s, |s| s.reassign(acc(4), 5, 8)), AlreadyStarted);
        s.close(9).unwrap();
        assert_eq!(fails(&mut s, |s| s.reassign(acc(4), 5, 9)), Closed);
    }

    /// Runs a call that must fail, checks the stream is unchanged, returns the error.
    fn fails<T: core::fmt::Debug>(
        s: &mut Stream,
        call: impl FnOnce(&mut Stream) -> Result<T, StreamError>,
    ) -> StreamError {
        let before = s.clone();
        let err = call(s).unwrap_err();
        assert_eq!(*s, before, "failed call ({err:?}) changed the stream");
        err
    }

    #[test]
    fn zero_rate_refused() {
        assert_eq!(Stream::open(acc(1), acc(2), 0), Err(ZeroRate));
        let mut s = stream(1);
        assert_eq!(fails(&mut s, |s| s.set_rate(0, 0)), ZeroRate);
    }

    #[test]
    fn deposit_before_start_accrues_nothing() {
        let mut s = stream(10);
        s.deposit(100, 3).unwrap();
        assert_eq!(s.withdrawable(1_000), 0);
        assert_eq!(s.refundable(1_000), 100);
        assert_eq!(s.status(1_000), StreamStatus::Pending);
        assert_eq!(s.depletion_block(1_000), None);
        assert_eq!(fails(&mut s, |s| s.withdraw(50)), NotStarted);
        assert_eq!(fails(&mut s, |s| s.set_end(60, 50)), NotStarted);
        s.start(50).unwrap();
        assert_eq!(s.withdrawable(53), 30);
        assert_eq!(fails(&mut s, |s| s.start(60)), AlreadyStarted);
    }

    #[test]
    fn depletion_on_block_boundary() {
        let mut s = stream(10);
        s.deposit(100, 0).unwrap();
        s.start(5).unwrap();
        assert_eq!(s.depletion_block(5), Some(15));
        assert_eq!(s.withdrawable(14), 90);
        assert_eq!(s.status(14), StreamStatus::Streaming);
        assert_eq!(s.withdrawable(15), 100);
        assert_eq!(s.refundable(15), 0);
        assert_eq!(s.status(15), StreamStatus::Exhausted);
        assert_eq!(s.withdrawable(1_000), 100);
        // Not a multiple of the rate: the last block is partly covered.
        let mut s = stream(10);
        s.deposit(95, 0).unwrap();
        s.start(5).unwrap();
        assert_eq!(s.depletion_block(5), Some(15));
        assert_eq!((s.withdrawable(14), s.withdrawable(15)), (90, 95));
        // Started with nothing: exhausted at once.
        let mut s = stream(10);
        s.start(7).unwrap();
        assert_eq!(s.depletion_block(7), Some(7));
        assert_eq!(s.status(7), StreamStatus::Exhausted);
    }

    #[test]
    fn end_before_depletion() {
        let mut s = stream(10);
        s.deposit(100, 0).unwrap();
        s.start(0).unwrap();
        assert_eq!(fails(&mut s, |s| s.set_end(1, 2)), EndInPast);
        s.set_end(5, 2).unwrap();
        assert_eq!(s.depletion_block(2), None);
        assert_eq!(s.status(4), StreamStatus::Streaming);
        assert_eq!(s.status(5), StreamStatus::Ended);
        assert_eq!(s.withdrawable(5), 50);
        assert_eq!(s.withdrawable(500), 50);
        assert_eq!(fails(&mut s, |s| s.deposit(1, 5)), Ended);
        assert_eq!(fails(&mut s, |s| s.set_rate(1, 6)), Ended);
        assert_eq!(fails(&mut s, |s| s.set_end(9, 7)), Ended);
        assert_eq!(s.withdraw(8), Ok(50));
        assert_eq!(s.close(9), Ok((0, 50)));
        assert_eq!((s.withdrawn(), s.refunded(), s.held()), (50, 50, 0));
    }

    #[test]
    fn end_may_be_now_or_moved_before_it_passes() {
        let mut s = stream(1);
        s.deposit(100, 0).unwrap();
        s.start(0).unwrap();
        s.set_end(10, 0).unwrap();
        s.set_end(20, 9).unwrap();
        assert_eq!(s.withdrawable(30), 20);
        s.set_end(12, 12).unwrap();
        assert_eq!(s.status(12), StreamStatus::Ended);
        assert_eq!(s.withdrawable(30), 12);
    }

    #[test]
    fn rate_change_mid_stream() {
        let mut s = stream(10);
        s.deposit(1_000, 0).unwrap();
        s.start(0).unwrap();
        s.set_rate(20, 10).unwrap();
        assert_eq!((s.snapshot_block(), s.snapshot_debt()), (10, 100));
        assert_eq!(s.withdrawable(10), 100);
        assert_eq!(s.withdrawable(15), 200);
        assert_eq!(s.depletion_block(15), Some(55));
        assert_eq!(s.withdrawable(54), 980);
        assert_eq!(s.withdrawable(55), 1_000);
    }

    #[test]
    fn withdraw_twice_in_a_block() {
        let mut s = stream(10);
        s.deposit(1_000, 0).unwrap();
        s.start(0).unwrap();
        assert_eq!(s.withdraw(7), Ok(70));
        assert_eq!(fails(&mut s, |s| s.withdraw(7)), NothingToWithdraw);
        assert_eq!(s.withdraw(8), Ok(10));
        assert_eq!((s.held(), s.accrued(8), s.withdrawable(8)), (920, 80, 0));
    }

    #[test]
    fn close_after_exhaustion() {
        let mut s = stream(10);
        s.deposit(100, 0).unwrap();
        s.start(0).unwrap();
        assert_eq!(s.close(50), Ok((100, 0)));
        assert_eq!(s.status(50), StreamStatus::Closed);
        assert_eq!((s.held(), s.withdrawable(60), s.accrued(60)), (0, 0, 100));
        assert_eq!(s.depletion_block(60), None);
        assert_eq!(fails(&mut s, |s| s.deposit(1, 60)), Closed);
        assert_eq!(fails(&mut s, |s| s.set_rate(1, 60)), Closed);
        assert_eq!(fails(&mut s, |s| s.set_end(70, 60)), Closed);
        assert_eq!(fails(&mut s, |s| s.withdraw(60)), Closed);
        assert_eq!(fails(&mut s, |s| s.start(60)), Closed);
        assert_eq!(fails(&mut s, |s| s.close(60)), Closed);
    }

    #[test]
    fn close_before_start_refunds_everything() {
        let mut s = stream(10);
        s.deposit(100, 0).unwrap();
        assert_eq!(s.close(9), Ok((0, 100)));
        assert_eq!((s.deposited(), s.withdrawn(), s.refunded()), (100, 0, 100));
    }

    #[test]
    fn deposit_after_depletion_leaves_gap_unpaid() {
        let mut s = stream(10);
        s.deposit(100, 0).unwrap();
        s.start(0).unwrap();
        assert_eq!(s.status(20), StreamStatus::Exhausted);
        s.deposit(100, 20).unwrap();
        assert_eq!((s.snapshot_block(), s.snapshot_debt()), (20, 100));
        assert_eq!(s.status(20), StreamStatus::Streaming);
        assert_eq!(s.withdrawable(20), 100, "blocks 10..20 are not owed");
        assert_eq!(s.withdrawable(25), 150);
        assert_eq!(s.depletion_block(25), Some(30));
        assert_eq!(s.accrued(40), 200);
        // Same after a rate change at depletion: the cap is kept.
        s.set_rate(1, 40).unwrap();
        assert_eq!((s.snapshot_debt(), s.depletion_block(40)), (200, Some(40)));
    }

    #[test]
    fn extremes_do_not_panic() {
        let max = BlockNumber::MAX;
        let mut s = stream(Balance::MAX);
        s.deposit(Balance::MAX, 0).unwrap();
        assert_eq!(fails(&mut s, |s| s.deposit(1, 1)), Overflow);
        s.start(max - 1).unwrap();
        assert_eq!(s.depletion_block(max), Some(max));
        assert_eq!(s.withdrawable(max), Balance::MAX);
        assert_eq!(s.withdraw(max), Ok(Balance::MAX));
        // Held is back to 0 but the cumulative total cannot grow.
        assert_eq!(fails(&mut s, |s| s.deposit(1, max)), Overflow);
        s.set_end(max, max).unwrap();
        assert_eq!(s.status(max), StreamStatus::Ended);
        assert_eq!(s.close(max), Ok((0, 0)));

        // Rate 1 over the whole block range: depletion does not fit in u32.
        let mut s = stream(1);
        s.deposit(Balance::MAX, 0).unwrap();
        s.start(0).unwrap();
        assert_eq!(s.depletion_block(0), None);
        assert_eq!(s.status(max), StreamStatus::Streaming);
        assert_eq!(s.withdrawable(max), Balance::from(max));
        s.set_rate(Balance::MAX, max).unwrap();
        assert_eq!(s.withdrawable(max), Balance::from(max));
        assert_eq!(s.depletion_block(max), None, "next block is past u32::MAX");
        assert_eq!(
            s.close(max),
            Ok((Balance::from(max), Balance::MAX - Balance::from(max)))
        );
    }

    #[test]
    fn time_never_goes_backwards() {
        let mut s = stream(10);
        s.deposit(100, 10).unwrap();
        assert_eq!(fails(&mut s, |s| s.start(9)), BlockInPast);
        s.start(20).unwrap();
        assert_eq!(fails(&mut s, |s| s.deposit(1, 19)), BlockInPast);
        assert_eq!(fails(&mut s, |s| s.set_rate(1, 19)), BlockInPast);
        assert_eq!(fails(&mut s, |s| s.set_end(30, 19)), BlockInPast);
        assert_eq!(fails(&mut s, |s| s.withdraw(19)), BlockInPast);
        assert_eq!(fails(&mut s, |s| s.close(19)), BlockInPast);
        s.withdraw(25).unwrap();
        // Views for an earlier block answer as at the last snapshot.
        assert_eq!(
            (s.withdrawable(21), s.status(21)),
            (0, StreamStatus::Streaming)
        );
        assert_eq!(fails(&mut s, |s| s.deposit(0, 25)), ZeroAmount);
    }
}
