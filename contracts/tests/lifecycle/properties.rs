//! The property test: random operation sequences by random callers
//! (consumer, provider, a provider a reaward replaced, a stranger) at
//! increasing blocks, run the way the subscription contract does (a cancel
//! or exit before ready, a settle or a reaward with no provider left closes
//! the record). It predicts the exact result of every call and checks the
//! lifecycle invariants after every step. This file has the operations, the
//! invariants and the test; `rules` has what each call must return.

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
}

impl Terms {
    /// The reservation `provider` makes on these terms, its price reduced
    /// to `1..=max_price`, as an award would choose.
    fn reservation(self, provider: AccountId, max_price: Balance) -> Reservation {
        Reservation {
            provider,
            price_per_block: 1 + Balance::from(self.price) % max_price,
            min_duration: self.min_duration,
            notice_blocks: self.notice,
            pricing: if self.dynamic {
                Pricing::Dynamic
            } else {
                Pricing::Fixed
            },
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Moves the chain forward (saturating at `u32::MAX`).
    Advance(u32),
    MarkReady(Who),
    Cancel(Who),
    Exit(Who),
    Propose(Who, Balance),
    Accept(Who),
    Reject(Who),
    Apply,
    TopUp(Balance),
    Claim(Who),
    /// Settles with the stream in this status.
    Settle(usize),
    /// Reaward to the provider of these terms.
    Reaward(Terms),
    AdminClose,
}

fn who(word: u64) -> Who {
    match word % 9 {
        0..=2 => Who::Consumer,
        3..=6 => Who::Provider,
        7 => Who::First,
        _ => Who::Stranger,
    }
}

/// Decodes one op from three random words. Strategies are built from plain
/// tuples because proptest's combinators are slow in debug builds.
fn decode((kind, a, b): (u8, u64, u64)) -> Op {
    match kind % 32 {
        0 if b % 8 == 0 => Op::Advance(u32::MAX),
        29 if b % 4 == 0 => Op::AdminClose,
        0..=5 | 29..=31 => Op::Advance((a % 16) as u32),
        6..=8 => Op::MarkReady(who(a)),
        9 => Op::Cancel(who(a)),
        10 => Op::Exit(who(a)),
        11..=14 => Op::Propose(who(a), Balance::from(b % 26)),
        15 | 16 => Op::Accept(who(a)),
        17 => Op::Reject(who(a)),
        18..=20 => Op::Apply,
        21 => Op::TopUp(Balance::from(b % 3)),
        22 => Op::Claim(who(a)),
        23..=25 => Op::Settle((b % STATUSES.len() as u64) as usize),
        _ => Op::Reaward(Terms {
            price: a,
            min_duration: (b % 21) as u32,
            notice: ((b >> 8) % 11) as u32,
            dynamic: (b >> 16) % 2 == 0,
        }),
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
    was_ready: bool,
    went_ending: bool,
    reawards: u8,
}

/// The account `who` stands for, given the record `s`.
fn caller(who: Who, s: &Subscription) -> AccountId {
    match who {
        Who::Consumer => consumer(),
        Who::Provider => s.provider,
        Who::First => provider(),
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
    // Awarded → Closed (cancel or exit before ready, no provider left, admin)
    // or Active → Closed (funds exhausted, admin).
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
    // end is set iff it went through Ending, and never moves.
    prop_assert_eq!(s.end.is_some(), run.went_ending);
    prop_assert_eq!(s.phase == Phase::Ending, run.went_ending && s.is_live());
    if let (Some(end), Some(_)) = (before.end, before.ready_at) {
        prop_assert_eq!(s.end, Some(end));
        prop_assert!(end.0 >= s.ready_at.unwrap_or(0));
    }
    // closed is set iff Closed, and a closed record has no proposal.
    prop_assert_eq!(s.closed.is_some(), s.phase == Phase::Closed);
    if s.phase == Phase::Closed {
        prop_assert_eq!(s.price_change, None);
        if before.phase == Phase::Closed {
            prop_assert_eq!(s, before);
        }
    }
    // What never changes.
    prop_assert_eq!(s.consumer, before.consumer);
    prop_assert_eq!(s.type_id, before.type_id);
    prop_assert_eq!(&s.descriptor, &before.descriptor);
    prop_assert_eq!(s.stream_id, before.stream_id);
    prop_assert_eq!(
        s.requirements.max_price_per_block,
        before.requirements.max_price_per_block
    );
    // Dynamic rates (and proposals) stay within the consumer's bound.
    if s.pricing == Pricing::Dynamic {
        prop_assert!(s.rate_per_block <= s.requirements.max_price_per_block);
        if let Some(change) = s.price_change {
            prop_assert!(!change.needs_consent);
            prop_assert!(change.rate <= s.requirements.max_price_per_block);
        }
    }
    if let Some(change) = s.price_change {
        prop_assert!(change.rate > 0);
        prop_assert_eq!(change.needs_consent, s.pricing == Pricing::Fixed);
    }
    prop_assert!(s.rate_per_block > 0);
    prop_assert!(s.requirements.excluded_providers.len() <= MAX_REQUIREMENT_ENTRIES);
    prop_assert_eq!(s.ready_deadline, s.awarded_at + run.ready_timeout);
    Ok(())
}

/// The caller of `op` and the only account it may succeed for, given the
/// record before it (`None` for calls anyone may make).
fn caller_role(op: &Op, before: &Subscription) -> Option<(AccountId, AccountId)> {
    match *op {
        Op::MarkReady(who) | Op::Exit(who) | Op::Propose(who, _) | Op::Claim(who) => {
            Some((caller(who, before), before.provider))
        }
        Op::Cancel(who) | Op::Accept(who) | Op::Reject(who) => {
            Some((caller(who, before), consumer()))
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
        (first, near_max) in (0..=1_000u32, any::<bool>()),
        (ready_timeout, consumer_notice) in (1..=20u32, 0..=10u32),
        (max_price, rate, min_duration, notice, dynamic) in
            (1..=20u128, any::<u64>(), 0..=20u32, 0..=10u32, any::<bool>()),
        excluded in 0..=MAX_REQUIREMENT_ENTRIES,
        ops in ops(),
    ) {
        // Start near 0, or within 1,000 blocks of u32::MAX.
        let start = if near_max { u32::MAX - first } else { first };
        let requirements = Requirements {
            max_price_per_block: max_price,
            excluded_providers: (0..excluded).map(|i| acc(200 + i as u8)).collect(),
            ..Requirements::default()
        };
        let terms = Terms { price: rate, min_duration, notice, dynamic };
        let created = award(
            requirements, &terms.reservation(provider(), max_price), start, ready_timeout,
        );
        let Some(deadline) = start.checked_add(ready_timeout) else {
            prop_assert_eq!(created, Err(Overflow));
            return Ok(());
        };
        let mut s = created.unwrap();
        prop_assert_eq!(s.ready_deadline, deadline);
        prop_assert_eq!(s.phase, Phase::Awarded);
        let mut run = Run {
            now: start, ready_timeout, consumer_notice,
            was_ready: false, went_ending: false, reawards: 0,
        };
        for op in &ops {
            let before = s.clone();
            let bytes = before.encode();
            let succeeded = step(&mut s, &mut run, op)?;
            if succeeded == Some(false) {
                prop_assert_eq!(&s, &before, "refused {:?} changed the record", op);
                prop_assert_eq!(s.encode(), bytes);
            }
            if succeeded == Some(true) {
                // Only the role a call is for ever succeeds.
                if let Some((caller, role)) = caller_role(op, &before) {
                    prop_assert_eq!(caller, role, "{:?} by the wrong caller succeeded", op);
                }
            }
            check(&before, &s, &run)?;
        }
    }
}
