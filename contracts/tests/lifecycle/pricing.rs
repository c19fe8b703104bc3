//! Repricing by the provider. Dynamic: a proposal up to the consumer's
//! repricing bound (`max_rate`, else `max_price_per_block`) that anyone
//! applies after the offer's notice. Fixed: a proposal at any rate that
//! only the consumer's accept of that very rate applies (or reject drops).
//! Who may propose, accept and reject, and in which phases.

use super::*;
use dinfra::lifecycle::PriceChange;
use dinfra::Invalid;
use SubscriptionError::{InvalidInput, PriceAboveMax, ProposalChanged, TooEarly, WrongState};

/// Active, with the provider's proposal of `rate` made at block 40.
fn proposed(pricing: Pricing, rate: Balance) -> (Subscription, PriceChange) {
    let mut s = active(pricing);
    let change = s.propose_price(provider(), rate, 40).unwrap();
    (s, change)
}

/// Checks that the consumer can neither accept (whatever rate) nor reject
/// a proposal now.
#[track_caller]
fn nothing_to_consent_to(s: &mut Subscription) {
    for rate in [RATE, 8, 9] {
        assert_eq!(fails(s, |s| s.accept_price(consumer(), rate)), WrongState);
    }
    assert_eq!(fails(s, |s| s.reject_price(consumer())), WrongState);
}

/// Active on a Dynamic offer, for a consumer whose repricing bound is
/// `max_rate` (its award price bound staying `MAX_PRICE`).
fn active_with_max_rate(max_rate: Option<Balance>) -> Subscription {
    let asked = Requirements {
        max_rate,
        ..requirements()
    };
    assert_eq!(asked.validate(), Ok(()));
    let mut s = award(
        asked,
        &reservation(Pricing::Dynamic),
        AWARDED_AT,
        parameters(),
    )
    .unwrap();
    s.mark_ready(provider(), READY).unwrap();
    s
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
fn max_rate_bounds_dynamic_repricing_instead_of_the_max_price() {
    let bound = MAX_PRICE + 10;
    let mut s = active_with_max_rate(Some(bound));
    assert_eq!(s.requirements.repricing_bound(), bound);
    // Above the award bound, up to the repricing bound.
    for rate in [MAX_PRICE + 1, bound] {
        let mut s = s.clone();
        assert_eq!(
            s.propose_price(provider(), rate, 40),
            Ok(PriceChange {
                rate,
                effective_at: 40 + NOTICE,
                needs_consent: false
            })
        );
        assert_eq!(s.apply_price(40 + NOTICE), Ok(rate));
    }
    for rate in [bound + 1, Balance::MAX] {
        assert_eq!(
            fails(&mut s, |s| s.propose_price(provider(), rate, 40)),
            PriceAboveMax
        );
    }
    // A repricing bound equal to the award bound, or none at all: the
    // award bound.
    for max_rate in [Some(MAX_PRICE), None] {
        let mut s = active_with_max_rate(max_rate);
        assert_eq!(s.requirements.repricing_bound(), MAX_PRICE);
        assert!(s.clone().propose_price(provider(), MAX_PRICE, 40).is_ok());
        assert_eq!(
            fails(&mut s, |s| s.propose_price(provider(), MAX_PRICE + 1, 40)),
            PriceAboveMax
        );
    }
}

#[test]
fn max_rate_does_not_bound_fixed_proposals() {
    let asked = Requirements {
        max_rate: Some(MAX_PRICE),
        ..requirements()
    };
    let mut s = award(
        asked,
        &reservation(Pricing::Fixed),
        AWARDED_AT,
        parameters(),
    )
    .unwrap();
    let change = s.propose_price(provider(), MAX_PRICE * 5, 12).unwrap();
    assert!(change.needs_consent);
    assert_eq!(s.accept_price(consumer(), MAX_PRICE * 5), Ok(MAX_PRICE * 5));
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
    s.cancel(consumer(), 41, no_change).unwrap();
    assert_eq!(s.phase, Phase::Ending);
    assert_eq!(fails(&mut s, |s| s.apply_price(46)), TooEarly);
    assert_eq!(s.apply_price(47), Ok(8));
    // Closed: the proposal went with the close.
    let (s, _) = proposed(Pricing::Dynamic, 8);
    let mut s = closed(s, CloseReason::FundsExhausted);
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
    assert_eq!(s.accept_price(consumer(), 9), Ok(9));
    expected.rate_per_block = 9;
    expected.price_change = None;
    assert_eq!(s, expected);
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer(), 9)), WrongState);
}

#[test]
fn accept_of_a_replaced_proposal_is_refused() {
    // The consumer saw 9; the provider replaced it by 12 before the accept
    // landed.
    let (mut s, _) = proposed(Pricing::Fixed, 9);
    let replaced = s.propose_price(provider(), 12, 41).unwrap();
    for stale in [9, RATE, 13, 0] {
        assert_eq!(
            fails(&mut s, |s| s.accept_price(consumer(), stale)),
            ProposalChanged,
            "accepting {stale}"
        );
    }
    assert_eq!(s.rate_per_block, RATE);
    assert_eq!(s.price_change, Some(replaced));
    // The rate now pending is accepted.
    assert_eq!(s.accept_price(consumer(), 12), Ok(12));
    assert_eq!(s.rate_per_block, 12);
    assert_eq!(s.price_change, None);
    // Back to the proposal seen first: accepting that rate applies it.
    let (mut s, _) = proposed(Pricing::Fixed, 9);
    s.propose_price(provider(), 12, 41).unwrap();
    s.propose_price(provider(), 9, 42).unwrap();
    assert_eq!(s.accept_price(consumer(), 9), Ok(9));
}

#[test]
fn accept_checks_caller_and_phase_before_the_rate() {
    let (mut s, _) = proposed(Pricing::Fixed, 9);
    assert_eq!(
        fails(&mut s, |s| s.accept_price(stranger(), 8)),
        Unauthorized
    );
    s.exit(provider(), 41).unwrap();
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer(), 8)), WrongState);
}

#[test]
fn accept_while_awarded() {
    let mut s = awarded(Pricing::Fixed);
    s.propose_price(provider(), 9, 12).unwrap();
    assert_eq!(s.accept_price(consumer(), 9), Ok(9));
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
    unauthorized_for(&mut s, others, |s, caller| s.accept_price(caller, 9));
    unauthorized_for(&mut s, others, |s, caller| s.reject_price(caller));
}

#[test]
fn fixed_proposal_once_ending_can_be_rejected_not_accepted() {
    let (mut s, change) = proposed(Pricing::Fixed, 9);
    s.exit(provider(), 41).unwrap();
    assert_eq!(s.phase, Phase::Ending);
    assert_eq!(s.price_change, Some(change));
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer(), 9)), WrongState);
    assert_eq!(s.reject_price(consumer()), Ok(change));
    assert_eq!(s.price_change, None);
    assert_eq!(s.rate_per_block, RATE);
}

#[test]
fn accept_or_reject_once_closed() {
    let (s, change) = proposed(Pricing::Fixed, 9);
    let mut s = closed(s, CloseReason::FundsExhausted);
    assert_eq!(s.price_change, None);
    // Even with the proposal left in the record.
    s.price_change = Some(change);
    nothing_to_consent_to(&mut s);
    assert_eq!(fails(&mut s, |s| s.reject_price(stranger())), Unauthorized);
}
