//! The property test: random operation sequences by random callers
//! (consumer, provider, a provider a reaward replaced, a stranger) at
//! increasing blocks, some on a subscription to oneself, run the way the
//! subscription contract does (a cancel or exit before ready, a settle, or
//! a reaward or decline with no provider left closes the record; a
//! decline hands it on). It predicts the exact result of every call —
//! and whether a cancel asks about pending governance changes — and
//! checks the lifecycle invariants after every step. This file has the
//! operations, the invariants and the test; `rules` has what each call
//! must return.

mod rules;

use super::*;
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use proptest::prelude::*;
use rules::step;
use SubscriptionError::Overflow;

/// Who calls.
#[derive(Debug, Clone, Copy)]
enum Who {
    Consumer,
    /// The current provider.
    Provider,
    /// The first provider (a stranger once a reaward replaced it).
    First,
    Stranger,
}

/// The terms of a reservation: the first award's or a reaward's.
#[derive(Debug, Clone, Copy)]
struct Terms {
    price: u64,
    min_duration: BlockNumber,
    notice: BlockNumber,
    dynamic: bool,
    cancel_fee: Balance,
}

impl Terms {
    /// Offer `offer_id` of `provider` on these terms, its price reduced to
    /// `1..=max_price`, as an award would choose.
    fn reservation(self, offer_id: u64, provider: AccountId, max_price: Balance) -> Reservation {
        let pricing = if self.dynamic {
            Pricing::Dynamic
        } else {
            Pricing::Fixed
        };
        Reservation {
            type_id: TYPE_ID,
            offer: offer(
                offer_id,
                provider,
                1 + Balance::from(self.price) % max_price,
                self.min_duration,
                self.notice,
                pricing,
                self.cancel_fee,
            ),
        }
    }
}

/// The rate a consumer's accept names.
#[derive(Debug, Clone, Copy)]
enum Seen {
    /// The rate pending now (the current rate when none is).
    Pending,
    /// The rate of the proposal the pending one replaced: a front-run
    /// accept (the current rate when none was replaced).
    Replaced,
    /// Any rate.
    Rate(Balance),
}

#[derive(Debug, Clone)]
enum Op {
    /// Moves the chain forward (saturating at `u32::MAX`).
    Advance(u32),
    MarkReady(Who),
    /// A cancel, with or without a governance change pending.
    Cancel(Who, bool),
    Exit(Who),
    Propose(Who, Balance),
    Accept(Who, Seen),
    Reject(Who),
    Apply,
    TopUp(Balance),
    Claim(Who),
    /// Settles with the stream in this status.
    Settle(usize),
    /// Reaward to the provider of these terms.
    Reaward(Terms),
    /// The provider declines; the award goes to the provider of these terms.
    Decline(Who, Terms),
}

fn who(word: u64) -> Who {
    match word % 9 {
        0..=2 => Who::Consumer,
        3..=6 => Who::Provider,
        7 => Who::First,
        _ => Who::Stranger,
    }
}

/// Terms from two random words (the low bits of `a` pick the caller).
fn terms(a: u64, b: u64) -> Terms {
    Terms {
        price: a >> 8,
        min_duration: (b % 21) as u32,
        notice: ((b >> 8) % 11) as u32,
        dynamic: (b >> 16) % 2 == 0,
        cancel_fee: Balance::from((b >> 24) % 4),
    }
}

/// Decodes one op from three random words. Strategies are built from plain
/// tuples because proptest's combinators are slow in debug builds.
fn decode((kind, a, b): (u8, u64, u64)) -> Op {
    match kind % 32 {
        0 if b % 8 == 0 => Op::Advance(u32::MAX),
        29 | 30 if b % 2 == 0 => Op::Decline(who(a), terms(a, b >> 1)),
        0..=4 | 29..=31 => Op::Advance((a % 16) as u32),
        6..=8 => Op::MarkReady(who(a)),
        // Mostly by whom they are for, so that Ending records see cancels.
        9 | 28 => Op::Cancel(
            if b % 4 == 0 { who(a) } else { Who::Consumer },
            (b >> 2) % 3 == 0,
        ),
        5 | 10 => Op::Exit(if b % 4 == 0 { who(a) } else { Who::Provider }),
        11..=14 => Op::Propose(who(a), Balance::from(b % 36)),
        15 | 16 => Op::Accept(
            who(a),
            match b % 4 {
                0 | 1 => Seen::Pending,
                2 => Seen::Replaced,
                _ => Seen::Rate(Balance::from((b >> 2) % 36)),
            },
        ),
        17 => Op::Reject(who(a)),
        18..=20 => Op::Apply,
        21 => Op::TopUp(Balance::from(b % 3)),
        22 => Op::Claim(who(a)),
        23..=25 => Op::Settle((b % STATUSES.len() as u64) as usize),
        _ => Op::Reaward(terms(a, b)),
    }
}

/// Up to 30 operations.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(any::<(u8, u64, u64)>().prop_map(decode), 0..=30)
}

/// What the test knows beyond the record.
struct Run {
    now: BlockNumber,
    ready_timeout: BlockNumber,
    consumer_notice: BlockNumber,
    /// The first award's provider (the consumer itself, for a
    /// subscription to oneself).
    first: AccountId,
    /// The rate of the proposal the pending one replaced, if any.
    replaced: Option<Balance>,
    was_ready: bool,
    went_ending: bool,
    reawards: u8,
}

/// The account `who` stands for, given the record `s`.
fn caller(who: Who, s: &Subscription, run: &Run) -> AccountId {
    match who {
        Who::Consumer => consumer(),
        Who::Provider => s.provider,
        Who::First => run.first,
        Who::Stranger => stranger(),
    }
}

fn in_phase(s: &Subscription, allowed: &[Phase]) -> bool {
    allowed.contains(&s.phase)
}

const LIVE: [Phase; 3] = [Phase::Awarded, Phase::Active, Phase::Ending];
const OPEN: [Phase; 2] = [Phase::Awarded, Phase::Active];
const BILLING: [Phase; 2] = [Phase::Active, Phase::Ending];

/// The invariants that hold after every step, `before` being the record
/// before it.
fn check(before: &Subscription, s: &Subscription, run: &Run) -> Result<(), TestCaseError> {
    // Phase moves forward only: Awarded → Active → Ending → Closed, or
    // Awarded → Closed (cancel or exit before ready, no provider left after
    // a missed deadline or a decline) or Active → Closed (funds exhausted).
    use Phase::{Active, Awarded, Closed, Ending};
    let moved = (before.phase, s.phase);
    prop_assert!(
        moved.0 == moved.1
            || matches!(
                moved,
                (Awarded, Active | Closed) | (Active, Ending | Closed) | (Ending, Closed)
            ),
        "phase moved {:?}",
        moved
    );
    // ready_at is set iff billing started.
    let billing = in_phase(s, &BILLING) || (s.phase == Phase::Closed && run.was_ready);
    prop_assert_eq!(s.ready_at.is_some(), billing);
    if let Some(ready_at) = s.ready_at {
        prop_assert!(ready_at >= s.awarded_at && ready_at <= s.ready_deadline);
        // Once ready, the provider and the terms are fixed.
        if before.ready_at.is_some() {
            prop_assert_eq!(s.ready_at, before.ready_at);
            prop_assert_eq!(s.provider, before.provider);
            prop_assert_eq!(s.offer_id, before.offer_id);
            prop_assert_eq!(s.pricing, before.pricing);
        }
    }
    // end is set iff it went through Ending; once set it only moves
    // nearer (a later cancel), never past the ready block, and keeps its
    // reason.
    prop_assert_eq!(s.end.is_some(), run.went_ending);
    prop_assert_eq!(s.phase == Phase::Ending, run.went_ending && s.is_live());
    if let Some((end, reason)) = before.end {
        prop_assert!(s.end.is_some(), "the end was unset");
        let (now_end, now_reason) = s.end.unwrap_or((end, reason));
        prop_assert!(now_end <= end, "the end moved later");
        prop_assert_eq!(now_reason, reason);
        prop_assert!(now_end >= s.ready_at.unwrap_or(0));
    }
    // closed is set iff Closed, and a closed record has no proposal.
    prop_assert_eq!(s.closed.is_some(), s.phase == Phase::Closed);
    if s.phase == Phase::Closed {
        prop_assert_eq!(s.price_change, None);
        if before.phase == Phase::Closed {
            prop_assert_eq!(s, before);
        }
    }
    // What never changes: the parties, the stream, the contract's
    // parameters, what the consumer asked (but the exclusions, which only
    // grow by the provider handed on from).
    prop_assert_eq!(s.consumer, before.consumer);
    prop_assert_eq!(s.type_id, before.type_id);
    prop_assert_eq!(&s.descriptor, &before.descriptor);
    prop_assert_eq!(s.stream_id, before.stream_id);
    prop_assert_eq!(s.ready_timeout, run.ready_timeout);
    prop_assert_eq!(s.consumer_notice, run.consumer_notice);
    let asked = |s: &Subscription| Requirements {
        excluded_providers: Vec::new(),
        ..s.requirements.clone()
    };
    prop_assert_eq!(asked(s), asked(before));
    let (excluded, excluded_before) = (
        &s.requirements.excluded_providers,
        &before.requirements.excluded_providers,
    );
    if excluded != excluded_before {
        prop_assert_eq!(&excluded[..excluded.len() - 1], &excluded_before[..]);
        prop_assert_eq!(excluded.last(), Some(&before.provider));
        prop_assert!(s.provider != before.provider);
    }
    prop_assert!(excluded.len() <= MAX_REQUIREMENT_ENTRIES);
    // Dynamic rates (and proposals) stay within the consumer's bound.
    let bound = s.requirements.repricing_bound();
    if s.pricing == Pricing::Dynamic {
        prop_assert!(s.rate_per_block <= bound);
        if let Some(change) = s.price_change {
            prop_assert!(!change.needs_consent);
            prop_assert!(change.rate <= bound);
        }
    }
    if let Some(change) = s.price_change {
        prop_assert!(change.rate > 0);
        prop_assert_eq!(change.needs_consent, s.pricing == Pricing::Fixed);
    }
    prop_assert!(s.rate_per_block > 0);
    prop_assert_eq!(s.ready_deadline, s.awarded_at + s.ready_timeout);
    prop_assert_eq!(s.records_misses(), s.consumer != s.provider);
    Ok(())
}

/// The caller of `op` and the only account it may succeed for, given the
/// record before it (`None` for calls anyone may make).
fn caller_role(op: &Op, before: &Subscription, run: &Run) -> Option<(AccountId, AccountId)> {
    match *op {
        Op::MarkReady(who)
        | Op::Exit(who)
        | Op::Propose(who, _)
        | Op::Claim(who)
        | Op::Decline(who, _) => Some((caller(who, before, run), before.provider)),
        Op::Cancel(who, _) | Op::Accept(who, _) | Op::Reject(who) => {
            Some((caller(who, before, run), consumer()))
        }
        _ => None,
    }
}

proptest! {
    // Never write regression files into the source tree.
    #![proptest_config(ProptestConfig {
        cases: 2_000, failure_persistence: None, ..ProptestConfig::default()
    })]

    #[test]
    fn lifecycle_follows_the_rules(
        (first, near_max, own) in (0..=1_000u32, any::<bool>(), 0..8u8),
        (ready_timeout, consumer_notice) in (1..=20u32, 0..=10u32),
        (max_price, rate, min_duration, notice, dynamic, cancel_fee) in
            (1..=20u128, any::<u64>(), 0..=20u32, 0..=10u32, any::<bool>(), 0..=3u128),
        (excluded, bound) in (0..=MAX_REQUIREMENT_ENTRIES, 0..=3u128),
        ops in ops(),
    ) {
        // Start near 0, or within 1,000 blocks of u32::MAX.
        let start = if near_max { u32::MAX - first } else { first };
        let requirements = Requirements {
            max_price_per_block: max_price,
            // A repricing bound above the award's, sometimes none.
            max_rate: bound.checked_sub(1).map(|extra| max_price + 5 * extra),
            excluded_providers: (0..excluded).map(|i| acc(200 + i as u8)).collect(),
            ..Requirements::default()
        };
        let terms = Terms { price: rate, min_duration, notice, dynamic, cancel_fee };
        // One in eight subscribes to its own offer.
        let first_provider = if own == 0 { consumer() } else { provider() };
        let parameters = Parameters { ready_timeout, consumer_notice };
        let created = award(
            requirements,
            &terms.reservation(OFFER_ID, first_provider, max_price),
            start,
            parameters,
        );
        let Some(deadline) = start.checked_add(ready_timeout) else {
            prop_assert_eq!(created, Err(Overflow));
            return Ok(());
        };
        let mut s = created.unwrap();
        prop_assert_eq!(s.ready_deadline, deadline);
        prop_assert_eq!(s.phase, Phase::Awarded);
        prop_assert_eq!(s.offer_id, OFFER_ID);
        prop_assert_eq!(s.cancel_fee, cancel_fee);
        prop_assert_eq!((s.ready_timeout, s.consumer_notice), (ready_timeout, consumer_notice));
        let mut run = Run {
            now: start, ready_timeout, consumer_notice, first: first_provider,
            replaced: None, was_ready: false, went_ending: false, reawards: 0,
        };
        for op in &ops {
            let before = s.clone();
            let bytes = before.encode();
            let role = caller_role(op, &before, &run);
            let succeeded = step(&mut s, &mut run, op)?;
            if succeeded == Some(false) {
                prop_assert_eq!(&s, &before, "refused {:?} changed the record", op);
                prop_assert_eq!(s.encode(), bytes);
            }
            if succeeded == Some(true) {
                // Only the role a call is for ever succeeds.
                if let Some((caller, role)) = role {
                    prop_assert_eq!(caller, role, "{:?} by the wrong caller succeeded", op);
                }
            }
            check(&before, &s, &run)?;
        }
    }
}
