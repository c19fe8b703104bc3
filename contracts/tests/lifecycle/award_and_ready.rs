//! Creation and readiness: the record an award creates (the offer's terms
//! and the contract's parameters copied into it), the contract's
//! parameters, which phases are live, and `mark_ready` — only by the
//! provider, only while Awarded, at the latest at the ready deadline.

use super::*;
use dinfra::{Invalid, MAX_TERM_BLOCKS};
use SubscriptionError::{ReadyTimeoutPassed, WrongState};

// ---- creation and parameters -----------------------------------------------

#[test]
fn awarded_copies_the_reservation() {
    let s = awarded(Pricing::Fixed);
    let expected = Subscription {
        consumer: consumer(),
        type_id: TYPE_ID,
        descriptor: descriptor(),
        requirements: requirements(),
        offer_id: OFFER_ID,
        provider: provider(),
        stream_id: STREAM_ID,
        rate_per_block: RATE,
        pricing: Pricing::Fixed,
        min_duration: MIN_DURATION,
        notice_blocks: NOTICE,
        cancel_fee: CANCEL_FEE,
        consumer_notice: CONSUMER_NOTICE,
        ready_timeout: READY_TIMEOUT,
        awarded_at: AWARDED_AT,
        ready_deadline: DEADLINE,
        ready_at: None,
        end: None,
        price_change: None,
        phase: Phase::Awarded,
        closed: None,
    };
    assert_eq!(s, expected);
    assert!(s.is_live());
}

#[test]
fn awarded_takes_the_offer_id_from_the_reservation() {
    let mut r = reservation(Pricing::Dynamic);
    r.offer.offer_id = 1234;
    let s = award(requirements(), &r, AWARDED_AT, parameters()).unwrap();
    assert_eq!(s.offer_id, 1234);
    assert_eq!(s.pricing, Pricing::Dynamic);
}

#[test]
fn parameters_are_validated() {
    // Governance delays the consumer notice must stay below.
    const DELAY: BlockNumber = 50;
    let default = Parameters::default();
    assert_eq!(default.ready_timeout, 100);
    assert_eq!(default.consumer_notice, 10);
    assert_eq!(default.validate(DELAY), Ok(()));
    let zero_timeout = Parameters {
        ready_timeout: 0,
        consumer_notice: 10,
    };
    assert_eq!(zero_timeout.validate(DELAY), Err(Invalid::Parameter));
    let zero_notice = Parameters {
        ready_timeout: 1,
        consumer_notice: 0,
    };
    assert_eq!(zero_notice.validate(DELAY), Ok(()));
    // A zero notice fits any delay: leaving takes no time.
    assert_eq!(zero_notice.validate(1), Ok(()));
    assert_eq!(zero_notice.validate(0), Ok(()));
    let longest = Parameters {
        ready_timeout: MAX_TERM_BLOCKS,
        consumer_notice: MAX_TERM_BLOCKS,
    };
    assert_eq!(longest.validate(2 * MAX_TERM_BLOCKS), Ok(()));
    for too_long in [
        Parameters {
            ready_timeout: MAX_TERM_BLOCKS + 1,
            ..longest
        },
        Parameters {
            consumer_notice: MAX_TERM_BLOCKS + 1,
            ..longest
        },
    ] {
        assert_eq!(too_long.validate(u32::MAX), Err(Invalid::Parameter));
    }
}

#[test]
fn consumer_notice_is_at_most_half_the_governance_delay() {
    let p = |consumer_notice| Parameters {
        ready_timeout: 10,
        consumer_notice,
    };
    assert_eq!(p(25).validate(50), Ok(()));
    assert_eq!(p(26).validate(50), Err(Invalid::Parameter));
    assert_eq!(
        p(49).validate(50),
        Err(Invalid::Parameter),
        "shorter than the delay, but one block to react in"
    );
    assert_eq!(p(50).validate(50), Err(Invalid::Parameter), "equal");
}

#[test]
fn parameters_are_copied_at_creation() {
    let then = Parameters {
        ready_timeout: 30,
        consumer_notice: 3,
    };
    let mut s = award(requirements(), &reservation(Pricing::Dynamic), 10, then).unwrap();
    assert_eq!(s.ready_timeout, 30);
    assert_eq!(s.consumer_notice, 3);
    assert_eq!(s.ready_deadline, 40);
    // Whatever the contract is configured with later, the record's own
    // parameters rule it: the reaward deadline comes from its timeout...
    let mut reawarded = s.clone();
    let asked = reawarded.reaward_requirements(41).unwrap().unwrap();
    reawarded.reaward(asked, &next_reservation(), 45).unwrap();
    assert_eq!(reawarded.ready_deadline, 45 + 30);
    assert_eq!(reawarded.consumer_notice, 3);
    assert_eq!(reawarded.ready_timeout, 30);
    // ...and a cancel's notice from its consumer notice: 100 + 3, past the
    // minimum duration (ready 20 + 50).
    s.mark_ready(provider(), 20).unwrap();
    assert_eq!(
        s.cancel(consumer(), 100, no_change),
        Ok(Ending::At(103, CloseReason::ConsumerCancelled))
    );
}

#[test]
fn records_misses_unless_subscribed_to_oneself() {
    assert!(awarded(Pricing::Fixed).records_misses());
    let mut s = own_awarded();
    assert_eq!(s.provider, s.consumer);
    assert!(!s.records_misses());
    // Once handed on to another provider, a miss counts again.
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    s.reaward(asked, &next_reservation(), DEADLINE + 1).unwrap();
    assert!(s.records_misses());
}

#[test]
fn only_closed_is_not_live() {
    let [a, b, c, d] = every_phase(Pricing::Fixed);
    assert!(a.is_live() && b.is_live() && c.is_live());
    assert!(!d.is_live());
}

// ---- mark_ready ------------------------------------------------------------

#[test]
fn mark_ready_starts_billing() {
    let mut s = awarded(Pricing::Dynamic);
    let mut expected = s.clone();
    s.mark_ready(provider(), 50).unwrap();
    expected.ready_at = Some(50);
    expected.phase = Phase::Active;
    assert_eq!(s, expected);
}

#[test]
fn mark_ready_in_the_award_block() {
    let mut s = awarded(Pricing::Dynamic);
    s.mark_ready(provider(), AWARDED_AT).unwrap();
    assert_eq!(s.ready_at, Some(AWARDED_AT));
}

#[test]
fn mark_ready_at_the_deadline_but_not_after() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [DEADLINE + 1, u32::MAX] {
        assert_eq!(
            fails(&mut s, |s| s.mark_ready(provider(), now)),
            ReadyTimeoutPassed
        );
    }
    s.mark_ready(provider(), DEADLINE).unwrap();
    assert_eq!(s.ready_at, Some(DEADLINE));
    assert_eq!(s.phase, Phase::Active);
}

#[test]
fn mark_ready_by_another_is_unauthorized() {
    let mut s = awarded(Pricing::Dynamic);
    unauthorized_for(&mut s, [consumer(), stranger()], |s, caller| {
        s.mark_ready(caller, 50)
    });
    // The caller is checked before the deadline.
    assert_eq!(
        fails(&mut s, |s| s.mark_ready(stranger(), DEADLINE + 1)),
        Unauthorized
    );
}

#[test]
fn mark_ready_only_when_awarded() {
    let [_, mut ready, mut ending, mut done] = every_phase(Pricing::Dynamic);
    for s in [&mut ready, &mut ending, &mut done] {
        assert_eq!(fails(s, |s| s.mark_ready(provider(), 40)), WrongState);
        assert_eq!(fails(s, |s| s.mark_ready(stranger(), 40)), Unauthorized);
    }
    // Closed before ready.
    let mut s = closed(awarded(Pricing::Dynamic), CloseReason::ConsumerCancelled);
    assert_eq!(fails(&mut s, |s| s.mark_ready(provider(), 40)), WrongState);
}
