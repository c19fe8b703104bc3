//! Creation and readiness: the record an award creates, the contract's
//! parameters, which phases are live, and `mark_ready` — only by the
//! provider, only while Awarded, at the latest at the ready deadline.

use super::*;
use dinfra::lifecycle::Parameters;
use dinfra::Invalid;
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
fn parameters() {
    let default = Parameters::default();
    assert_eq!(default.ready_timeout, 100);
    assert_eq!(default.consumer_notice, 10);
    assert_eq!(default.validate(), Ok(()));
    let zero_timeout = Parameters {
        ready_timeout: 0,
        consumer_notice: 10,
    };
    assert_eq!(zero_timeout.validate(), Err(Invalid::Parameter));
    let zero_notice = Parameters {
        ready_timeout: 1,
        consumer_notice: 0,
    };
    assert_eq!(zero_notice.validate(), Ok(()));
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
