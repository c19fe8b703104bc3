//! Repricing by the provider. Dynamic: a proposal up to the consumer's
//! maximum that anyone applies after the offer's notice. Fixed: a proposal
//! at any rate that only the consumer's accept applies (or reject drops).
//! Who may propose, accept and reject, and in which phases.

use super::*;
use dinfra::lifecycle::PriceChange;
use dinfra::Invalid;
use SubscriptionError::{InvalidInput, PriceAboveMax, TooEarly, WrongState};

/// Active, with the provider's proposal of `rate` made at block 40.
fn proposed(pricing: Pricing, rate: Balance) -> (Subscription, PriceChange) {
    let mut s = active(pricing);
    let change = s.propose_price(provider(), rate, 40).unwrap();
    (s, change)
}

/// Checks that the consumer can neither accept nor reject a proposal now.
#[track_caller]
fn nothing_to_consent_to(s: &mut Subscription) {
    assert_eq!(fails(s, |s| s.accept_price(consumer())), WrongState);
    assert_eq!(fails(s, |s| s.reject_price(consumer())), WrongState);
}

// ---- proposals -------------------------------------------------------------

#[test]
fn dynamic_proposal_up_to_the_max_after_notice() {
    let mut s = active(Pricing::Dynamic);
    let change = PriceChange {
        rate: MAX_PRICE,
        effective_at: 40 + NOTICE,
        needs_consent: false,
    };
    let mut expected = s.clone();
    assert_eq!(s.propose_price(provider(), MAX_PRICE, 40), Ok(change));
    expected.price_change = Some(change);
    assert_eq!(s, expected);
    // Lower rates too.
    let mut s = active(Pricing::Dynamic);
    assert_eq!(s.propose_price(provider(), 1, 40).map(|c| c.rate), Ok(1));
}

#[test]
fn dynamic_proposal_above_the_max_refused() {
    let mut s = active(Pricing::Dynamic);
    for rate in [MAX_PRICE + 1, Balance::MAX] {
        assert_eq!(
            fails(&mut s, |s| s.propose_price(provider(), rate, 40)),
            PriceAboveMax
        );
    }
}

#[test]
fn zero_or_same_rate_refused() {
    for pricing in [Pricing::Dynamic, Pricing::Fixed] {
        let mut s = active(pricing);
        for rate in [0, RATE] {
            assert_eq!(
                fails(&mut s, |s| s.propose_price(provider(), rate, 40)),
                InvalidInput(Invalid::Price)
            );
        }
    }
}

#[test]
fn a_proposal_replaces_the_earlier_one() {
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 8, 40).unwrap();
    s.propose_price(provider(), 9, 45).unwrap();
    assert_eq!(
        s.price_change,
        Some(PriceChange {
            rate: 9,
            effective_at: 45 + NOTICE,
            needs_consent: false
        })
    );
    // A refused proposal leaves the pending one in place.
    assert_eq!(
        fails(&mut s, |s| s.propose_price(provider(), 99, 46)),
        PriceAboveMax
    );
    assert_eq!(s.price_change.map(|c| c.rate), Some(9));
}

#[test]
fn propose_by_another_is_unauthorized() {
    for pricing in [Pricing::Dynamic, Pricing::Fixed] {
        for mut s in every_phase(pricing) {
            unauthorized_for(&mut s, [consumer(), stranger()], |s, caller| {
                s.propose_price(caller, 8, 40)
            });
        }
    }
}

#[test]
fn propose_only_when_awarded_or_active() {
    for pricing in [Pricing::Dynamic, Pricing::Fixed] {
        let [mut fresh, mut ready, mut ending, mut done] = every_phase(pricing);
        assert_eq!(
            fresh.propose_price(provider(), 8, 12).map(|c| c.rate),
            Ok(8)
        );
        assert_eq!(
            ready.propose_price(provider(), 8, 40).map(|c| c.rate),
            Ok(8)
        );
        for s in [&mut ending, &mut done] {
            assert_eq!(fails(s, |s| s.propose_price(provider(), 8, 40)), WrongState);
        }
    }
}

// ---- Dynamic: apply after the notice ---------------------------------------

#[test]
fn apply_price_after_the_notice() {
    let (mut s, _) = proposed(Pricing::Dynamic, 8);
    let effective = 40 + NOTICE;
    assert_eq!(fails(&mut s, |s| s.apply_price(40)), TooEarly);
    assert_eq!(fails(&mut s, |s| s.apply_price(effective - 1)), TooEarly);
    let mut expected = s.clone();
    assert_eq!(s.apply_price(effective), Ok(8));
    expected.rate_per_block = 8;
    expected.price_change = None;
    assert_eq!(s, expected);
    // Nothing left to apply.
    assert_eq!(fails(&mut s, |s| s.apply_price(effective + 1)), WrongState);
}

#[test]
fn apply_price_later_than_the_notice() {
    let (mut s, _) = proposed(Pricing::Dynamic, 3);
    assert_eq!(s.apply_price(u32::MAX), Ok(3));
    assert_eq!(s.rate_per_block, 3);
    assert_eq!(s.price_change, None);
}

#[test]
fn apply_price_with_zero_notice_at_once() {
    let mut s = active(Pricing::Dynamic);
    s.notice_blocks = 0;
    let change = s.propose_price(provider(), 8, 40).unwrap();
    assert_eq!(change.effective_at, 40);
    assert_eq!(s.apply_price(40), Ok(8));
}

#[test]
fn apply_price_in_every_live_phase_but_not_closed() {
    // Awarded.
    let mut s = awarded(Pricing::Dynamic);
    s.propose_price(provider(), 8, 12).unwrap();
    assert_eq!(s.apply_price(12 + NOTICE), Ok(8));
    // Ending: a proposal made while Active still applies.
    let (mut s, _) = proposed(Pricing::Dynamic, 8);
    s.cancel(consumer(), 41, CONSUMER_NOTICE).unwrap();
    assert_eq!(s.phase, Phase::Ending);
    assert_eq!(fails(&mut s, |s| s.apply_price(46)), TooEarly);
    assert_eq!(s.apply_price(47), Ok(8));
    // Closed: the proposal went with the close.
    let (s, _) = proposed(Pricing::Dynamic, 8);
    let mut s = closed(s, CloseReason::Admin);
    assert_eq!(fails(&mut s, |s| s.apply_price(100)), WrongState);
    // Closed even with a proposal left in the record.
    s.price_change = Some(PriceChange {
        rate: 8,
        effective_at: 0,
        needs_consent: false,
    });
    assert_eq!(fails(&mut s, |s| s.apply_price(100)), WrongState);
}

#[test]
fn dynamic_proposals_cannot_be_accepted_or_rejected() {
    let (mut s, _) = proposed(Pricing::Dynamic, 8);
    nothing_to_consent_to(&mut s);
}

// ---- Fixed: the consumer's consent -----------------------------------------

#[test]
fn fixed_proposal_needs_consent_at_any_rate() {
    let mut s = active(Pricing::Fixed);
    let change = PriceChange {
        rate: MAX_PRICE * 3,
        effective_at: 40,
        needs_consent: true,
    };
    let mut expected = s.clone();
    assert_eq!(s.propose_price(provider(), MAX_PRICE * 3, 40), Ok(change));
    expected.price_change = Some(change);
    assert_eq!(s, expected);
    // Not applied by anyone but the consumer.
    assert_eq!(fails(&mut s, |s| s.apply_price(u32::MAX)), WrongState);
}

#[test]
fn accept_applies_the_rate() {
    let (mut s, _) = proposed(Pricing::Fixed, 9);
    let mut expected = s.clone();
    assert_eq!(s.accept_price(consumer()), Ok(9));
    expected.rate_per_block = 9;
    expected.price_change = None;
    assert_eq!(s, expected);
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer())), WrongState);
}

#[test]
fn accept_while_awarded() {
    let mut s = awarded(Pricing::Fixed);
    s.propose_price(provider(), 9, 12).unwrap();
    assert_eq!(s.accept_price(consumer()), Ok(9));
    assert_eq!(s.rate_per_block, 9);
}

#[test]
fn reject_keeps_the_rate() {
    let (mut s, change) = proposed(Pricing::Fixed, 9);
    let mut expected = s.clone();
    assert_eq!(s.reject_price(consumer()), Ok(change));
    expected.price_change = None;
    assert_eq!(s, expected);
    assert_eq!(s.rate_per_block, RATE);
    assert_eq!(fails(&mut s, |s| s.reject_price(consumer())), WrongState);
}

#[test]
fn accept_or_reject_without_a_proposal() {
    for pricing in [Pricing::Fixed, Pricing::Dynamic] {
        for mut s in every_phase(pricing) {
            nothing_to_consent_to(&mut s);
        }
    }
}

#[test]
fn accept_or_reject_by_another_is_unauthorized() {
    let (mut s, _) = proposed(Pricing::Fixed, 9);
    let others = [provider(), stranger()];
    unauthorized_for(&mut s, others, |s, caller| s.accept_price(caller));
    unauthorized_for(&mut s, others, |s, caller| s.reject_price(caller));
}

#[test]
fn fixed_proposal_once_ending_can_be_rejected_not_accepted() {
    let (mut s, change) = proposed(Pricing::Fixed, 9);
    s.exit(provider(), 41).unwrap();
    assert_eq!(s.phase, Phase::Ending);
    assert_eq!(s.price_change, Some(change));
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer())), WrongState);
    assert_eq!(s.reject_price(consumer()), Ok(change));
    assert_eq!(s.price_change, None);
    assert_eq!(s.rate_per_block, RATE);
}

#[test]
fn accept_or_reject_once_closed() {
    let (s, change) = proposed(Pricing::Fixed, 9);
    let mut s = closed(s, CloseReason::Admin);
    assert_eq!(s.price_change, None);
    // Even with the proposal left in the record.
    s.price_change = Some(change);
    nothing_to_consent_to(&mut s);
    assert_eq!(fails(&mut s, |s| s.reject_price(stranger())), Unauthorized);
}
