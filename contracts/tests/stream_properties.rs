//! Property tests of `dinfra::stream`: random operation sequences against an
//! independent reference model.
//!
//! The model does not use snapshots: it is advanced on *every* block jump and
//! accrues `rate × blocks` capped at `held` each time (the cap rule), so it checks
//! the stream's lazy O(1) formula (`snapshot_debt + rate × elapsed`, capped only
//! at snapshots) against an eager computation, to the last unit. It also predicts
//! the exact error of every refused call, and the status.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use dinfra::stream::{Stream, StreamError, StreamStatus};
use dinfra::{AccountId, Balance, BlockNumber};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Moves the chain forward (saturating at `u32::MAX`).
    Advance(u32),
    Start,
    Deposit(Balance),
    SetRate(Balance),
    /// End block relative to now (negative: in the past).
    SetEnd(i64),
    Withdraw,
    Close,
    /// A close that charges the payer this fee out of its refund.
    CloseCharging(Balance),
    /// A mutation (picked by the index) at a block before the last snapshot.
    Stale(u8),
}

/// An amount or rate from two random words: often small, sometimes huge,
/// sometimes 0 or `u128::MAX`.
fn amount(a: u64, b: u64) -> Balance {
    match b % 10 {
        0 => 0,
        1..=4 => Balance::from(a % 1_000) + 1,
        5 | 6 => Balance::from(a),
        7 | 8 => (Balance::from(a) << 64) | Balance::from(b),
        _ => Balance::MAX,
    }
}

/// Decodes one op from three random words. Strategies are built from plain
/// tuples because proptest's combinators are slow in debug builds (10× here).
fn decode((kind, a, b): (u8, u64, u64)) -> Op {
    match kind % 32 {
        0..=5 => Op::Advance((a % 21) as u32),
        10 if b % 4 == 0 => Op::Advance(u32::MAX),
        6..=10 => Op::Advance((a % 1_000_001) as u32),
        11..=13 => Op::Start,
        14..=18 => Op::Deposit(amount(a, b)),
        19..=21 => Op::SetRate(amount(a, b)),
        22..=24 => Op::SetEnd(match b % 8 {
            0 => i64::from(u32::MAX),
            1..=3 => (a % 11) as i64 - 5,
            _ => (a % 2_001) as i64,
        }),
        30 if b % 4 == 0 => Op::Close,
        30 if b % 4 == 1 => Op::CloseCharging(amount(a, b >> 2)),
        25..=30 => Op::Withdraw,
        _ => Op::Stale((a % 7) as u8),
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(any::<(u8, u64, u64)>().prop_map(decode), 0..=40)
}

/// Eager reference: `owed` is the covered outstanding debt, kept current.
#[derive(Debug, Clone)]
struct Model {
    rate: Balance,
    start: Option<BlockNumber>,
    end: Option<BlockNumber>,
    now: BlockNumber,
    /// Block of the last successful mutation.
    touched: BlockNumber,
    owed: Balance,
    deposited: Balance,
    paid: Balance,
    refunded: Balance,
    closed: bool,
}

impl Model {
    fn held(&self) -> Balance {
        self.deposited - self.paid - self.refunded
    }

    fn ended(&self) -> bool {
        self.end.is_some_and(|end| self.now >= end)
    }

    fn advance(&mut self, to: BlockNumber) {
        if self.start.is_some() && !self.closed {
            let until = self.end.map_or(to, |end| to.min(end));
            if until > self.now {
                let earned = self.rate.saturating_mul(Balance::from(until - self.now));
                self.owed = self.owed.saturating_add(earned).min(self.held());
            }
        }
        self.now = to;
    }

    fn at(&self, block: BlockNumber) -> Balance {
        let mut future = self.clone();
        future.advance(block);
        future.owed
    }

    fn status(&self) -> StreamStatus {
        if self.closed {
            StreamStatus::Closed
        } else if self.start.is_none() {
            StreamStatus::Pending
        } else if self.ended() {
            StreamStatus::Ended
        } else if self.owed == self.held() {
            StreamStatus::Exhausted
        } else {
            StreamStatus::Streaming
        }
    }

    fn check_open(&self) -> Result<(), StreamError> {
        if self.closed {
            Err(StreamError::Closed)
        } else {
            Ok(())
        }
    }

    /// Pays the payee what it earned plus `fee` (at most the rest), refunds
    /// the rest, closes.
    fn close(&mut self, fee: Balance) -> (Balance, Balance) {
        let rest = self.held() - self.owed;
        let charged = fee.min(rest);
        let (paid, refund) = (self.owed + charged, rest - charged);
        self.paid += paid;
        self.refunded += refund;
        self.owed = 0;
        self.closed = true;
        (paid, refund)
    }

    /// Applies `op` at `self.now`; returns the expected result (amounts paid).
    fn apply(&mut self, op: &Op) -> Result<(Balance, Balance), StreamError> {
        use StreamError::*;
        self.check_open()?;
        let result = match *op {
            Op::Advance(_) | Op::Stale(_) => unreachable!(),
            Op::Start => {
                if self.start.is_some() {
                    return Err(AlreadyStarted);
                }
                self.start = Some(self.now);
                (0, 0)
            }
            Op::Deposit(amount) => {
                if amount == 0 {
                    return Err(ZeroAmount);
                }
                if self.ended() {
                    return Err(Ended);
                }
                self.deposited = self.deposited.checked_add(amount).ok_or(Overflow)?;
                (0, 0)
            }
            Op::SetRate(rate) => {
                if rate == 0 {
                    return Err(ZeroRate);
                }
                if self.ended() {
                    return Err(Ended);
                }
                self.rate = rate;
                (0, 0)
            }
            Op::SetEnd(offset) => {
                if self.start.is_none() {
                    return Err(NotStarted);
                }
                if self.ended() {
                    return Err(Ended);
                }
                let end = end_at(self.now, offset);
                if end < self.now {
                    return Err(EndInPast);
                }
                self.end = Some(end);
                (0, 0)
            }
            Op::Withdraw => {
                if self.start.is_none() {
                    return Err(NotStarted);
                }
                if self.owed == 0 {
                    return Err(NothingToWithdraw);
                }
                let paid = self.owed;
                self.paid += paid;
                self.owed = 0;
                (paid, 0)
            }
            Op::Close => self.close(0),
            Op::CloseCharging(fee) => self.close(fee),
        };
        self.touched = self.now;
        Ok(result)
    }
}

/// The end block `offset` blocks from `now`, clamped to the block range.
fn end_at(now: BlockNumber, offset: i64) -> BlockNumber {
    (i64::from(now) + offset).clamp(0, i64::from(u32::MAX)) as u32
}

/// Runs `op` on the stream the way the model does, normalising the result.
fn run(s: &mut Stream, op: &Op, now: BlockNumber) -> Result<(Balance, Balance), StreamError> {
    match *op {
        Op::Advance(_) | Op::Stale(_) => unreachable!(),
        Op::Start => s.start(now).map(|()| (0, 0)),
        Op::Deposit(amount) => s.deposit(amount, now).map(|()| (0, 0)),
        Op::SetRate(rate) => s.set_rate(rate, now).map(|()| (0, 0)),
        Op::SetEnd(offset) => s.set_end(end_at(now, offset), now).map(|()| (0, 0)),
        Op::Withdraw => s.withdraw(now).map(|paid| (paid, 0)),
        Op::Close => s.close(now),
        Op::CloseCharging(fee) => s.close_charging(now, fee),
    }
}

fn stale_op(index: u8) -> Op {
    match index {
        0 => Op::Start,
        1 => Op::Deposit(1),
        2 => Op::SetRate(1),
        3 => Op::SetEnd(1),
        4 => Op::Withdraw,
        5 => Op::Close,
        _ => Op::CloseCharging(1),
    }
}

/// Every invariant, at the model's current block.
fn check(s: &Stream, m: &Model, last_accrued: &mut Balance) -> Result<(), TestCaseError> {
    let now = m.now;
    let held = s.held();
    // Money is conserved, and the stream's totals match the model's.
    prop_assert_eq!(s.deposited(), m.deposited);
    prop_assert_eq!(s.withdrawn(), m.paid);
    prop_assert_eq!(s.refunded(), m.refunded);
    prop_assert_eq!(
        Some(m.deposited),
        m.paid
            .checked_add(m.refunded)
            .and_then(|x| x.checked_add(held))
    );
    // Withdrawable is exactly the eager model's covered debt, now and later.
    let withdrawable = s.withdrawable(now);
    prop_assert!(withdrawable <= held);
    prop_assert_eq!(withdrawable, m.owed, "withdrawable at {}", now);
    prop_assert_eq!(s.refundable(now), held - withdrawable);
    for later in [now.saturating_add(1), now.saturating_add(1_000), u32::MAX] {
        prop_assert_eq!(
            s.withdrawable(later),
            m.at(later),
            "withdrawable at {}",
            later
        );
    }
    // Accrued is withdrawn + withdrawable and never decreases.
    let accrued = s.accrued(now);
    prop_assert_eq!(accrued, m.paid + withdrawable);
    prop_assert!(accrued >= *last_accrued, "accrued went down");
    *last_accrued = accrued;
    prop_assert_eq!(s.status(now), m.status());
    // Depletion block agrees with withdrawable.
    match s.depletion_block(now) {
        Some(d) => {
            prop_assert!(m.start.is_some() && !m.closed);
            if d > now {
                prop_assert!(m.end.is_none_or(|end| d <= end));
                prop_assert!(s.withdrawable(d - 1) < held);
                prop_assert_eq!(s.withdrawable(d), held);
            } else {
                prop_assert_eq!(withdrawable, held);
            }
        }
        None if m.start.is_some() && !m.closed => {
            // Never depleted: not at the end, nor at the last representable block.
            prop_assert!(s.withdrawable(m.end.unwrap_or(u32::MAX)) < held);
        }
        None => {}
    }
    Ok(())
}

/// A close of `before` at `now` charging `fee` that returned `(paid,
/// refund)`: everything held is paid out or refunded, the payee gets what
/// it earned plus the fee, and the fee comes out of the refundable only.
fn check_charged(
    before: &Stream,
    now: BlockNumber,
    fee: Balance,
    paid: Balance,
    refund: Balance,
) -> Result<(), TestCaseError> {
    let (held, earned, refundable) = (
        before.held(),
        before.withdrawable(now),
        before.refundable(now),
    );
    prop_assert_eq!(paid.checked_add(refund), Some(held));
    prop_assert!(paid >= earned, "the fee took from what was earned");
    let charged = paid - earned;
    prop_assert!(charged <= refundable, "the fee exceeded the refundable");
    prop_assert!(charged <= fee);
    prop_assert_eq!(charged, fee.min(refundable));
    prop_assert_eq!(refund, refundable - charged);
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        // Never write regression files into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn stream_matches_model(
        (rate_a, rate_b, first) in any::<(u64, u64, u32)>(),
        ops in ops(),
    ) {
        let rate = amount(rate_a, rate_b).max(1);
        // Start near 0 or within 3M blocks of u32::MAX.
        let first = if first % 2 == 0 { first % 101 } else { u32::MAX - first % 3_000_001 };
        let mut s = Stream::open(AccountId::from([1; 32]), AccountId::from([2; 32]), rate).unwrap();
        let mut m = Model {
            rate, start: None, end: None, now: first, touched: 0,
            owed: 0, deposited: 0, paid: 0, refunded: 0, closed: false,
        };
        let mut last_accrued = 0;
        check(&s, &m, &mut last_accrued)?;
        for op in &ops {
            match *op {
                Op::Advance(blocks) => m.advance(m.now.saturating_add(blocks)),
                Op::Stale(index) => {
                    if m.touched == 0 {
                        continue;
                    }
                    let before = s.clone();
                    let expected = m.check_open().and(Err(StreamError::BlockInPast));
                    prop_assert_eq!(run(&mut s, &stale_op(index), m.touched - 1), expected);
                    prop_assert_eq!(&s, &before);
                }
                _ => {
                    let before = s.clone();
                    let expected = m.apply(op);
                    let got = run(&mut s, op, m.now);
                    prop_assert_eq!(got, expected, "{:?} at {}", op, m.now);
                    if got.is_err() {
                        prop_assert_eq!(&s, &before, "failed {:?} changed the stream", op);
                    }
                    if let (Op::CloseCharging(fee), Ok((paid, refund))) = (op, got) {
                        check_charged(&before, m.now, *fee, paid, refund)?;
                    }
                }
            }
            check(&s, &m, &mut last_accrued)?;
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// A close charging a fee, from a stream pending or started, partly
    /// withdrawn or not, ended or not: `paid + refunded = held`, the fee
    /// never above the refundable, and with no fee it is `close`.
    #[test]
    fn close_charging_conserves(
        (rate, deposit, fee) in any::<((u64, u64), (u64, u64), (u64, u64))>(),
        (started, start_at, withdraw_after, elapsed) in (any::<bool>(), 0..1_000u32, 0..2_000u32, 0..2_000u32),
        end_after in proptest::option::of(0..2_000u32),
    ) {
        let rate = amount(rate.0, rate.1).max(1);
        let deposit = amount(deposit.0, deposit.1);
        let fee = amount(fee.0, fee.1);
        let mut s = Stream::open(AccountId::from([1; 32]), AccountId::from([2; 32]), rate).unwrap();
        if deposit > 0 {
            s.deposit(deposit, 0).unwrap();
        }
        let mut now = start_at;
        if started {
            s.start(start_at).unwrap();
            if let Some(end) = end_after {
                s.set_end(start_at + end, start_at).unwrap();
            }
            now += withdraw_after;
            // Nothing to withdraw is fine: the point is a partial payout.
            s.withdraw(now).ok();
        }
        now += elapsed;
        let before = s.clone();
        let got = s.close_charging(now, fee);
        let (paid, refund) = got.unwrap();
        check_charged(&before, now, fee, paid, refund)?;
        prop_assert!(s.is_closed());
        prop_assert_eq!(s.held(), 0);
        prop_assert_eq!(s.withdrawn() + s.refunded(), s.deposited());
        prop_assert_eq!(s.withdrawn(), before.withdrawn() + paid);
        prop_assert_eq!(s.refunded(), before.refunded() + refund);
        // No fee: exactly `close`.
        let mut plain = before.clone();
        let mut free = before.clone();
        prop_assert_eq!(plain.close(now), free.close_charging(now, 0));
        prop_assert_eq!(&plain, &free);
        // Closed once: refused, unchanged.
        let closed = s.clone();
        prop_assert_eq!(s.close_charging(now, fee), Err(StreamError::Closed));
        prop_assert_eq!(&s, &closed);
    }
}
