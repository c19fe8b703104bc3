//! Reawards: once the ready deadline has passed, the requirements to ask
//! the award for the next provider (excluding the one that missed it, or
//! none left when the exclusions are full), and the record handed to that
//! provider, which alone can act from then on.

use super::*;
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use SubscriptionError::{ReadyTimeoutPassed, TooEarly, WrongState};

/// Reawards `s` (past its deadline) at block 115 to `next_reservation()`
/// with a 20-block timeout (deadline 135); returns the requirements asked.
fn reaward_at_115(s: &mut Subscription) -> Requirements {
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    s.reaward(asked.clone(), 77, &next_reservation(), 115, 20)
        .unwrap();
    asked
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
    let mut s = awarded(Pricing::Dynamic);
    // One slot left: the provider takes it.
    s.requirements.excluded_providers = (0..MAX_REQUIREMENT_ENTRIES - 1)
        .map(|i| acc(100 + i as u8))
        .collect();
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
    let expected = reawarded(&before, asked, 77, &next_reservation(), 115, 135);
    assert_eq!(s, expected);
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
    assert_eq!(fails(&mut s, |s| s.reaward_requirements(135)), TooEarly);
    assert_eq!(
        fails(&mut s, |s| s.mark_ready(next_provider(), 136)),
        ReadyTimeoutPassed
    );
    s.mark_ready(next_provider(), 135).unwrap();
    assert_eq!(s.ready_at, Some(135));
    assert_eq!(fails(&mut s, |s| s.check_claim(provider())), Unauthorized);
    keeps(&mut s, |s| s.check_claim(next_provider()));
}
