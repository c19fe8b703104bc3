//! Reawards: once the ready deadline has passed — or before it, when the
//! provider declines — the requirements to ask the award for the next
//! provider (excluding the one that missed or declined, or none left when
//! the exclusions are full), and the record handed to that provider, which
//! alone can act from then on, on the ready timeout the record was created
//! with.

use super::*;
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use dinfra::traits::Outcome;
use SubscriptionError::{ReadyTimeoutPassed, TooEarly, WrongState};

/// The deadline of a reaward at block 115: the record's own timeout later.
const REAWARD_DEADLINE: BlockNumber = 115 + READY_TIMEOUT;

/// Reawards `s` (past its deadline) at block 115 to `next_reservation()`
/// (deadline `REAWARD_DEADLINE`); returns the requirements asked.
fn reaward_at_115(s: &mut Subscription) -> Requirements {
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    s.reaward(asked.clone(), &next_reservation(), 115).unwrap();
    asked
}

/// `s` with exclusions that leave `free` slots.
fn with_free_exclusions(mut s: Subscription, free: usize) -> Subscription {
    s.requirements.excluded_providers = (0..MAX_REQUIREMENT_ENTRIES - free)
        .map(|i| acc(100 + i as u8))
        .collect();
    s
}

#[test]
fn reaward_requirements_after_the_deadline() {
    let s = awarded(Pricing::Dynamic);
    assert_eq!(s.reaward_requirements(AWARDED_AT), Err(TooEarly));
    assert_eq!(s.reaward_requirements(DEADLINE), Err(TooEarly));
    let mut expected = requirements();
    expected.excluded_providers.push(provider());
    for now in [DEADLINE + 1, u32::MAX] {
        assert_eq!(s.reaward_requirements(now), Ok(Some(expected.clone())));
    }
    assert_eq!(s, awarded(Pricing::Dynamic));
}

#[test]
fn reaward_requirements_only_when_awarded() {
    let [_, mut b, mut c, mut d] = every_phase(Pricing::Dynamic);
    let mut e = closed(awarded(Pricing::Dynamic), CloseReason::ConsumerCancelled);
    for s in [&mut b, &mut c, &mut d, &mut e] {
        for now in [DEADLINE + 1, DEADLINE] {
            assert_eq!(fails(s, |s| s.reaward_requirements(now)), WrongState);
        }
    }
}

#[test]
fn reaward_requirements_when_the_exclusions_are_full() {
    // One slot left: the provider takes it.
    let mut s = with_free_exclusions(awarded(Pricing::Dynamic), 1);
    let asked = keeps(&mut s, |s| s.reaward_requirements(DEADLINE + 1)).unwrap();
    assert_eq!(asked.excluded_providers.len(), MAX_REQUIREMENT_ENTRIES);
    assert_eq!(asked.excluded_providers.last(), Some(&provider()));
    assert_eq!(asked.validate(), Ok(()));
    // Full: none is left to ask.
    s.requirements.excluded_providers.push(acc(200));
    assert_eq!(
        keeps(&mut s, |s| s.reaward_requirements(DEADLINE + 1)),
        None
    );
    // Still too early at the deadline, even when full.
    assert_eq!(
        fails(&mut s, |s| s.reaward_requirements(DEADLINE)),
        TooEarly
    );
}

#[test]
fn reaward_resets_the_terms() {
    let mut s = awarded(Pricing::Dynamic);
    s.propose_price(provider(), 8, 12).unwrap();
    let before = s.clone();
    let asked = reaward_at_115(&mut s);
    let expected = reawarded(&before, asked, &next_reservation(), 115, REAWARD_DEADLINE);
    assert_eq!(s, expected);
    assert_eq!(s.offer_id, NEXT_OFFER_ID);
    assert_eq!(s.cancel_fee, next_reservation().offer.cancel_fee);
    // The contract's parameters stay those of the creation.
    assert_eq!(s.ready_timeout, READY_TIMEOUT);
    assert_eq!(s.consumer_notice, CONSUMER_NOTICE);
    assert_eq!(s.phase, Phase::Awarded);
    assert_eq!(s.ready_at, None);
    assert_eq!(s.consumer, consumer());
    assert_eq!(s.stream_id, STREAM_ID);
}

#[test]
fn after_a_reaward_only_the_new_provider_acts() {
    let mut s = awarded(Pricing::Dynamic);
    reaward_at_115(&mut s);
    assert_eq!(
        fails(&mut s, |s| s.mark_ready(provider(), 120)),
        Unauthorized
    );
    assert_eq!(fails(&mut s, |s| s.exit(provider(), 120)), Unauthorized);
    assert_eq!(
        fails(&mut s, |s| s.propose_price(provider(), 8, 120)),
        Unauthorized
    );
    assert_eq!(
        fails(&mut s, |s| s.decline_requirements(provider(), 120)),
        Unauthorized
    );
    assert_eq!(
        fails(&mut s, |s| s.reaward_requirements(REAWARD_DEADLINE)),
        TooEarly
    );
    assert_eq!(
        fails(&mut s, |s| s
            .mark_ready(next_provider(), REAWARD_DEADLINE + 1)),
        ReadyTimeoutPassed
    );
    s.mark_ready(next_provider(), REAWARD_DEADLINE).unwrap();
    assert_eq!(s.ready_at, Some(REAWARD_DEADLINE));
    assert_eq!(fails(&mut s, |s| s.check_claim(provider())), Unauthorized);
    keeps(&mut s, |s| s.check_claim(next_provider()));
}

// ---- decline ---------------------------------------------------------------

#[test]
fn decline_requirements_exclude_the_provider() {
    let mut s = awarded(Pricing::Dynamic);
    let mut expected = requirements();
    expected.excluded_providers.push(provider());
    // From the award block to the deadline, both included.
    for now in [AWARDED_AT, AWARDED_AT + 1, DEADLINE] {
        assert_eq!(
            keeps(&mut s, |s| s.decline_requirements(provider(), now)),
            Some(expected.clone()),
            "at {now}"
        );
    }
    assert_eq!(expected.validate(), Ok(()));
}

#[test]
fn decline_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic) {
        let others = [consumer(), stranger(), next_provider()];
        unauthorized_for(&mut s, others, |s, caller| {
            s.decline_requirements(caller, 50)
        });
        // The caller is checked before the deadline.
        unauthorized_for(&mut s, others, |s, caller| {
            s.decline_requirements(caller, DEADLINE + 1)
        });
    }
}

#[test]
fn decline_only_while_awarded() {
    let [_, mut b, mut c, mut d] = every_phase(Pricing::Dynamic);
    let mut e = closed(awarded(Pricing::Dynamic), CloseReason::ConsumerCancelled);
    let mut f = ending_cancelled();
    for s in [&mut b, &mut c, &mut d, &mut e, &mut f] {
        for now in [50, DEADLINE + 1] {
            assert_eq!(
                fails(s, |s| s.decline_requirements(provider(), now)),
                WrongState
            );
        }
    }
}

#[test]
fn decline_after_the_deadline_is_refused() {
    // Past it the award goes on by `reaward_requirements`, which counts
    // the miss.
    let mut s = awarded(Pricing::Dynamic);
    for now in [DEADLINE + 1, u32::MAX] {
        assert_eq!(
            fails(&mut s, |s| s.decline_requirements(provider(), now)),
            ReadyTimeoutPassed
        );
    }
    // Even when none could be excluded any more.
    let mut s = with_free_exclusions(awarded(Pricing::Dynamic), 0);
    assert_eq!(
        fails(&mut s, |s| s.decline_requirements(provider(), DEADLINE + 1)),
        ReadyTimeoutPassed
    );
}

#[test]
fn decline_when_the_exclusions_are_full() {
    let mut s = with_free_exclusions(awarded(Pricing::Dynamic), 1);
    let asked = keeps(&mut s, |s| s.decline_requirements(provider(), 50)).unwrap();
    assert_eq!(asked.excluded_providers.len(), MAX_REQUIREMENT_ENTRIES);
    assert_eq!(asked.excluded_providers.last(), Some(&provider()));
    assert_eq!(asked.validate(), Ok(()));
    // Full: none is left to ask; the contract closes it as declined, which
    // earns no outcome.
    let mut s = with_free_exclusions(awarded(Pricing::Dynamic), 0);
    assert_eq!(
        keeps(&mut s, |s| s.decline_requirements(provider(), 50)),
        None
    );
    assert_eq!(s.outcome(CloseReason::Declined, 50), None);
    let expected = closed_as(&s, CloseReason::Declined);
    s.close(CloseReason::Declined).unwrap();
    assert_eq!(s, expected);
}

#[test]
fn a_declined_award_goes_to_the_next_provider() {
    let mut s = awarded(Pricing::Dynamic);
    s.propose_price(provider(), 8, 12).unwrap();
    let before = s.clone();
    let asked = s.decline_requirements(provider(), 50).unwrap().unwrap();
    assert_eq!(s, before);
    s.reaward(asked.clone(), &next_reservation(), 50).unwrap();
    let deadline = 50 + READY_TIMEOUT;
    assert_eq!(
        s,
        reawarded(&before, asked, &next_reservation(), 50, deadline)
    );
    // The provider that declined has no say any more; the next one may
    // decline in turn, and both are then excluded.
    assert_eq!(
        fails(&mut s, |s| s.decline_requirements(provider(), 60)),
        Unauthorized
    );
    let again = keeps(&mut s, |s| {
        s.decline_requirements(next_provider(), deadline)
    })
    .unwrap();
    assert_eq!(
        again.excluded_providers,
        vec![acc(9), provider(), next_provider()]
    );
    // Its deadline is the new one.
    assert_eq!(
        fails(&mut s, |s| s
            .decline_requirements(next_provider(), deadline + 1)),
        ReadyTimeoutPassed
    );
}

#[test]
fn a_decline_is_no_miss() {
    // Closed as declined, within the deadline: no reputation entry,
    // whereas a cancel after the deadline counts a miss.
    let s = awarded(Pricing::Dynamic);
    assert_eq!(s.outcome(CloseReason::Declined, DEADLINE), None);
    assert_eq!(
        s.outcome(CloseReason::ConsumerCancelled, DEADLINE + 1),
        Some(Outcome::MissedReady)
    );
}
