//! Tests of `dinfra::lifecycle`: the subscription record and the rules of
//! every lifecycle transition, without a chain.
//!
//! The unit tests go through every method and every error path: the wrong
//! caller (`Unauthorized`), the wrong phase (`WrongState`), the ready
//! deadline, the end block a cancel or an exit schedules, Dynamic and Fixed
//! repricing, the settle reason for each stream status, the reputation
//! outcome of each close, reawards, the minimum deposit and `Overflow` near
//! `u32::MAX`. Every refused call is checked to leave the record unchanged,
//! to the byte of its SCALE encoding.
//!
//! The property test drives random operation sequences by random callers
//! (consumer, provider, a provider a reaward replaced, a stranger) at
//! increasing blocks, the way the subscription contract does (a cancel or
//! exit before ready, a settle or a reaward with no provider left closes
//! the record), predicts the exact result of every call and checks the
//! lifecycle invariants after every step.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use core::fmt::Debug;
use dinfra::lifecycle::{
    minimum_deposit, CloseReason, Ending, Parameters, Phase, PriceChange, Subscription,
};
use dinfra::stream::StreamStatus;
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use dinfra::traits::{Descriptor, Outcome, Pricing, Requirements, Reservation, SubscriptionError};
use dinfra::{AccountId, Balance, BlockNumber, Invalid};
use ink::scale::Encode;
use proptest::prelude::*;

use SubscriptionError::{
    InvalidInput, Overflow, PriceAboveMax, ReadyTimeoutPassed, TooEarly, Unauthorized, WrongState,
};

// ---- fixture ---------------------------------------------------------------

fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn consumer() -> AccountId {
    acc(1)
}
fn provider() -> AccountId {
    acc(2)
}
fn stranger() -> AccountId {
    acc(3)
}
/// The provider a reaward hands the subscription to.
fn next_provider() -> AccountId {
    acc(4)
}

const TYPE_ID: u32 = 3;
const OFFER_ID: u64 = 9;
const STREAM_ID: u64 = 42;
const AWARDED_AT: BlockNumber = 10;
const READY_TIMEOUT: BlockNumber = 100;
/// `AWARDED_AT + READY_TIMEOUT`.
const DEADLINE: BlockNumber = 110;
const RATE: Balance = 5;
const MAX_PRICE: Balance = 20;
const MIN_DURATION: BlockNumber = 50;
const NOTICE: BlockNumber = 7;
const CONSUMER_NOTICE: BlockNumber = 10;
/// The block the fixture's provider marks ready at.
const READY: BlockNumber = 20;

fn descriptor() -> Descriptor {
    Descriptor {
        hash: [7; 32],
        uri: "https://example.org/deployment.json".into(),
    }
}

fn requirements() -> Requirements {
    Requirements {
        max_price_per_block: MAX_PRICE,
        excluded_providers: vec![acc(9)],
        min_duration: 60,
        ..Requirements::default()
    }
}

fn reservation(pricing: Pricing) -> Reservation {
    Reservation {
        provider: provider(),
        price_per_block: RATE,
        min_duration: MIN_DURATION,
        notice_blocks: NOTICE,
        pricing,
    }
}

/// Awarded at `AWARDED_AT`, deadline `DEADLINE`.
fn awarded(pricing: Pricing) -> Subscription {
    Subscription::awarded(
        consumer(),
        TYPE_ID,
        descriptor(),
        requirements(),
        OFFER_ID,
        &reservation(pricing),
        STREAM_ID,
        AWARDED_AT,
        READY_TIMEOUT,
    )
    .unwrap()
}

/// Marked ready at `READY`.
fn active(pricing: Pricing) -> Subscription {
    let mut s = awarded(pricing);
    s.mark_ready(provider(), READY).unwrap();
    s
}

/// Ready, then cancelled by the consumer at block 30 (ends at 70).
fn ending_cancelled() -> Subscription {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        s.cancel(consumer(), 30, CONSUMER_NOTICE),
        Ok(Ending::At(READY + MIN_DURATION))
    );
    s
}

/// Ready, then left by the provider at block 30 (ends at 37).
fn ending_exited() -> Subscription {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(s.exit(provider(), 30), Ok(Ending::At(30 + NOTICE)));
    s
}

fn closed(mut s: Subscription, reason: CloseReason) -> Subscription {
    s.close(reason).unwrap();
    s
}

/// One record of each phase (Closed from Active).
fn every_phase(pricing: Pricing) -> [Subscription; 4] {
    let mut ending = active(pricing);
    ending.exit(provider(), 30).unwrap();
    [
        awarded(pricing),
        active(pricing),
        ending,
        closed(active(pricing), CloseReason::Admin),
    ]
}

/// Runs a call that must fail, checks the record is unchanged (as a value
/// and as encoded bytes), returns the error.
#[track_caller]
fn fails<T: Debug>(
    s: &mut Subscription,
    call: impl FnOnce(&mut Subscription) -> Result<T, SubscriptionError>,
) -> SubscriptionError {
    let before = s.clone();
    let bytes = before.encode();
    let err = match call(s) {
        Ok(value) => panic!("expected an error, got Ok({value:?})"),
        Err(err) => err,
    };
    assert_eq!(*s, before, "failed call ({err:?}) changed the record");
    assert_eq!(s.encode(), bytes, "failed call ({err:?}) changed the bytes");
    err
}

/// Runs a call that must succeed without changing the record.
#[track_caller]
fn keeps<T: Debug>(
    s: &mut Subscription,
    call: impl FnOnce(&mut Subscription) -> Result<T, SubscriptionError>,
) -> T {
    let before = s.clone();
    let value = call(s).unwrap();
    assert_eq!(*s, before, "call ({value:?}) changed the record");
    value
}

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
fn awarded_deadline_overflow() {
    let award = |now, timeout| {
        Subscription::awarded(
            consumer(),
            TYPE_ID,
            descriptor(),
            requirements(),
            OFFER_ID,
            &reservation(Pricing::Dynamic),
            STREAM_ID,
            now,
            timeout,
        )
    };
    assert_eq!(award(u32::MAX - 10, 11), Err(Overflow));
    assert_eq!(award(u32::MAX, 1), Err(Overflow));
    assert_eq!(award(u32::MAX - 10, 10).unwrap().ready_deadline, u32::MAX);
    assert_eq!(award(u32::MAX, 0).unwrap().ready_deadline, u32::MAX);
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
    assert_eq!(
        fails(&mut s, |s| s.mark_ready(provider(), DEADLINE + 1)),
        ReadyTimeoutPassed
    );
    assert_eq!(
        fails(&mut s, |s| s.mark_ready(provider(), u32::MAX)),
        ReadyTimeoutPassed
    );
    s.mark_ready(provider(), DEADLINE).unwrap();
    assert_eq!(s.ready_at, Some(DEADLINE));
    assert_eq!(s.phase, Phase::Active);
}

#[test]
fn mark_ready_by_another_is_unauthorized() {
    let mut s = awarded(Pricing::Dynamic);
    for caller in [consumer(), stranger()] {
        assert_eq!(fails(&mut s, |s| s.mark_ready(caller, 50)), Unauthorized);
    }
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

// ---- cancel ------------------------------------------------------------------

#[test]
fn cancel_before_ready_closes_at_once() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.cancel(consumer(), now, CONSUMER_NOTICE));
        assert_eq!(ending, Ending::Now(CloseReason::ConsumerCancelled));
    }
    // No end is computed, so no overflow either.
    let ending = keeps(&mut s, |s| s.cancel(consumer(), u32::MAX, u32::MAX));
    assert_eq!(ending, Ending::Now(CloseReason::ConsumerCancelled));
}

#[test]
fn cancel_after_ready_notice_wins() {
    // now + notice = 100 + 10 = 110 > ready + min_duration = 20 + 50 = 70.
    let mut s = active(Pricing::Dynamic);
    let mut expected = s.clone();
    assert_eq!(
        s.cancel(consumer(), 100, CONSUMER_NOTICE),
        Ok(Ending::At(110))
    );
    expected.end = Some((110, CloseReason::ConsumerCancelled));
    expected.phase = Phase::Ending;
    assert_eq!(s, expected);
}

#[test]
fn cancel_after_ready_min_duration_wins() {
    // now + notice = 30 + 10 = 40 < ready + min_duration = 70.
    let mut s = active(Pricing::Fixed);
    let mut expected = s.clone();
    assert_eq!(
        s.cancel(consumer(), 30, CONSUMER_NOTICE),
        Ok(Ending::At(70))
    );
    expected.end = Some((70, CloseReason::ConsumerCancelled));
    expected.phase = Phase::Ending;
    assert_eq!(s, expected);
}

#[test]
fn cancel_after_ready_tie_and_zero_notice() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        s.cancel(consumer(), 60, CONSUMER_NOTICE),
        Ok(Ending::At(70))
    );
    let mut s = active(Pricing::Dynamic);
    s.min_duration = 0;
    assert_eq!(s.cancel(consumer(), 90, 0), Ok(Ending::At(90)));
    assert_eq!(s.end, Some((90, CloseReason::ConsumerCancelled)));
}

#[test]
fn cancel_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic) {
        for caller in [provider(), stranger()] {
            assert_eq!(
                fails(&mut s, |s| s.cancel(caller, 100, CONSUMER_NOTICE)),
                Unauthorized
            );
        }
    }
}

#[test]
fn cancel_only_when_awarded_or_active() {
    for mut s in [
        ending_cancelled(),
        ending_exited(),
        closed(active(Pricing::Dynamic), CloseReason::FundsExhausted),
        closed(awarded(Pricing::Dynamic), CloseReason::ConsumerCancelled),
    ] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), 100, CONSUMER_NOTICE)),
            WrongState
        );
    }
}

#[test]
fn cancel_overflow() {
    // now + consumer_notice overflows.
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), u32::MAX - 5, 6)),
        Overflow
    );
    assert_eq!(
        s.cancel(consumer(), u32::MAX - 5, 5),
        Ok(Ending::At(u32::MAX))
    );
    // ready + min_duration overflows while now + notice does not.
    let mut s = near_max(Pricing::Dynamic);
    s.mark_ready(provider(), u32::MAX - 5).unwrap();
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), u32::MAX - 5, 0)),
        Overflow
    );
}

/// Awarded at `u32::MAX - 10` with a deadline of `u32::MAX - 5`.
fn near_max(pricing: Pricing) -> Subscription {
    Subscription::awarded(
        consumer(),
        TYPE_ID,
        descriptor(),
        requirements(),
        OFFER_ID,
        &reservation(pricing),
        STREAM_ID,
        u32::MAX - 10,
        5,
    )
    .unwrap()
}

// ---- exit ------------------------------------------------------------------

#[test]
fn exit_before_ready_closes_at_once() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.exit(provider(), now));
        assert_eq!(ending, Ending::Now(CloseReason::ProviderExited));
    }
}

#[test]
fn exit_after_ready_gives_notice() {
    let mut s = active(Pricing::Fixed);
    let mut expected = s.clone();
    // The notice counts from now, whatever the minimum duration.
    assert_eq!(s.exit(provider(), 25), Ok(Ending::At(25 + NOTICE)));
    expected.end = Some((25 + NOTICE, CloseReason::ProviderExited));
    expected.phase = Phase::Ending;
    assert_eq!(s, expected);

    let mut s = active(Pricing::Dynamic);
    s.notice_blocks = 0;
    assert_eq!(s.exit(provider(), 500), Ok(Ending::At(500)));
    assert_eq!(s.end, Some((500, CloseReason::ProviderExited)));
}

#[test]
fn exit_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic) {
        for caller in [consumer(), stranger()] {
            assert_eq!(fails(&mut s, |s| s.exit(caller, 100)), Unauthorized);
        }
    }
}

#[test]
fn exit_only_when_awarded_or_active() {
    for mut s in [
        ending_cancelled(),
        ending_exited(),
        closed(active(Pricing::Dynamic), CloseReason::Admin),
        closed(awarded(Pricing::Dynamic), CloseReason::ProviderExited),
    ] {
        assert_eq!(fails(&mut s, |s| s.exit(provider(), 100)), WrongState);
    }
}

#[test]
fn exit_overflow() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        fails(&mut s, |s| s.exit(provider(), u32::MAX - NOTICE + 1)),
        Overflow
    );
    assert_eq!(
        s.exit(provider(), u32::MAX - NOTICE),
        Ok(Ending::At(u32::MAX))
    );
}

// ---- repricing: Dynamic ----------------------------------------------------

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
    assert_eq!(
        fails(&mut s, |s| s.propose_price(provider(), MAX_PRICE + 1, 40)),
        PriceAboveMax
    );
    assert_eq!(
        fails(&mut s, |s| s.propose_price(provider(), Balance::MAX, 40)),
        PriceAboveMax
    );
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
            for caller in [consumer(), stranger()] {
                assert_eq!(
                    fails(&mut s, |s| s.propose_price(caller, 8, 40)),
                    Unauthorized
                );
            }
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

#[test]
fn dynamic_proposal_overflow() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        fails(&mut s, |s| s.propose_price(
            provider(),
            8,
            u32::MAX - NOTICE + 1
        )),
        Overflow
    );
    assert_eq!(
        s.propose_price(provider(), 8, u32::MAX - NOTICE)
            .map(|c| c.effective_at),
        Ok(u32::MAX)
    );
    // Fixed proposals take effect on consent: nothing to overflow.
    let mut s = active(Pricing::Fixed);
    assert_eq!(
        s.propose_price(provider(), 8, u32::MAX)
            .map(|c| c.effective_at),
        Ok(u32::MAX)
    );
}

#[test]
fn apply_price_after_the_notice() {
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 8, 40).unwrap();
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
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 3, 40).unwrap();
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
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 8, 40).unwrap();
    s.cancel(consumer(), 41, CONSUMER_NOTICE).unwrap();
    assert_eq!(s.phase, Phase::Ending);
    assert_eq!(fails(&mut s, |s| s.apply_price(46)), TooEarly);
    assert_eq!(s.apply_price(47), Ok(8));
    // Closed: the proposal went with the close.
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 8, 40).unwrap();
    s.close(CloseReason::Admin).unwrap();
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
    let mut s = active(Pricing::Dynamic);
    s.propose_price(provider(), 8, 40).unwrap();
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer())), WrongState);
    assert_eq!(fails(&mut s, |s| s.reject_price(consumer())), WrongState);
}

// ---- repricing: Fixed ------------------------------------------------------

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
    let mut s = active(Pricing::Fixed);
    s.propose_price(provider(), 9, 40).unwrap();
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
    let mut s = active(Pricing::Fixed);
    let change = s.propose_price(provider(), 9, 40).unwrap();
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
            assert_eq!(fails(&mut s, |s| s.accept_price(consumer())), WrongState);
            assert_eq!(fails(&mut s, |s| s.reject_price(consumer())), WrongState);
        }
    }
}

#[test]
fn accept_or_reject_by_another_is_unauthorized() {
    let mut s = active(Pricing::Fixed);
    s.propose_price(provider(), 9, 40).unwrap();
    for caller in [provider(), stranger()] {
        assert_eq!(fails(&mut s, |s| s.accept_price(caller)), Unauthorized);
        assert_eq!(fails(&mut s, |s| s.reject_price(caller)), Unauthorized);
    }
}

#[test]
fn fixed_proposal_once_ending_can_be_rejected_not_accepted() {
    let mut s = active(Pricing::Fixed);
    let change = s.propose_price(provider(), 9, 40).unwrap();
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
    let mut s = active(Pricing::Fixed);
    s.propose_price(provider(), 9, 40).unwrap();
    s.close(CloseReason::Admin).unwrap();
    assert_eq!(s.price_change, None);
    // Even with a proposal left in the record.
    s.price_change = Some(PriceChange {
        rate: 9,
        effective_at: 40,
        needs_consent: true,
    });
    assert_eq!(fails(&mut s, |s| s.accept_price(consumer())), WrongState);
    assert_eq!(fails(&mut s, |s| s.reject_price(consumer())), WrongState);
    assert_eq!(fails(&mut s, |s| s.reject_price(stranger())), Unauthorized);
}

// ---- top-up and claim ------------------------------------------------------

#[test]
fn top_up() {
    let [mut a, mut b, mut c, mut d] = every_phase(Pricing::Fixed);
    for s in [&mut a, &mut b, &mut c] {
        keeps(s, |s| s.check_top_up(1));
        keeps(s, |s| s.check_top_up(Balance::MAX));
        assert_eq!(
            fails(s, |s| s.check_top_up(0)),
            InvalidInput(Invalid::Amount)
        );
    }
    assert_eq!(fails(&mut d, |s| s.check_top_up(1)), WrongState);
    // The amount is checked first.
    assert_eq!(
        fails(&mut d, |s| s.check_top_up(0)),
        InvalidInput(Invalid::Amount)
    );
}

#[test]
fn claim_only_by_the_provider_once_billing_started() {
    let [mut a, mut b, mut c, mut d] = every_phase(Pricing::Dynamic);
    for s in [&mut b, &mut c] {
        keeps(s, |s| s.check_claim(provider()));
    }
    for s in [&mut a, &mut d] {
        assert_eq!(fails(s, |s| s.check_claim(provider())), WrongState);
    }
    for s in [&mut a, &mut b, &mut c, &mut d] {
        for caller in [consumer(), stranger()] {
            assert_eq!(fails(s, |s| s.check_claim(caller)), Unauthorized);
        }
    }
    let mut s = ending_cancelled();
    keeps(&mut s, |s| s.check_claim(provider()));
}

// ---- settle ----------------------------------------------------------------

const STATUSES: [StreamStatus; 5] = [
    StreamStatus::Pending,
    StreamStatus::Streaming,
    StreamStatus::Exhausted,
    StreamStatus::Ended,
    StreamStatus::Closed,
];

#[test]
fn settle_reason_for_every_status_and_end() {
    use CloseReason::{ConsumerCancelled, FundsExhausted, ProviderExited};
    let table: [(Subscription, [Result<CloseReason, SubscriptionError>; 5]); 3] = [
        // Active, no end.
        (
            active(Pricing::Dynamic),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Err(TooEarly),
                Err(TooEarly),
            ],
        ),
        // Ending, cancelled.
        (
            ending_cancelled(),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Ok(ConsumerCancelled),
                Err(TooEarly),
            ],
        ),
        // Ending, exited.
        (
            ending_exited(),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Ok(ProviderExited),
                Err(TooEarly),
            ],
        ),
    ];
    for (mut s, expected) in table {
        for (status, expected) in STATUSES.into_iter().zip(expected) {
            let got = match expected {
                Ok(_) => Ok(keeps(&mut s, |s| s.settle_reason(status))),
                Err(_) => Err(fails(&mut s, |s| s.settle_reason(status))),
            };
            assert_eq!(got, expected, "{:?} with end {:?}", status, s.end);
        }
    }
}

#[test]
fn settle_only_when_billing() {
    let mut records = vec![
        awarded(Pricing::Dynamic),
        closed(active(Pricing::Dynamic), CloseReason::FundsExhausted),
        closed(ending_exited(), CloseReason::ProviderExited),
        closed(awarded(Pricing::Dynamic), CloseReason::ReadyTimeout),
    ];
    for s in &mut records {
        for status in STATUSES {
            assert_eq!(fails(s, |s| s.settle_reason(status)), WrongState);
        }
    }
}

// ---- outcome -----------------------------------------------------------------

#[test]
fn outcome_of_admin_close_is_none() {
    for s in every_phase(Pricing::Dynamic)
        .into_iter()
        .chain([ending_exited(), ending_cancelled()])
    {
        for now in [0, DEADLINE, DEADLINE + 1, u32::MAX] {
            assert_eq!(s.outcome(CloseReason::Admin, now), None);
        }
    }
}

#[test]
fn outcome_of_ready_timeout_is_missed_ready() {
    let s = awarded(Pricing::Dynamic);
    for now in [DEADLINE + 1, u32::MAX] {
        assert_eq!(
            s.outcome(CloseReason::ReadyTimeout, now),
            Some(Outcome::MissedReady)
        );
    }
}

#[test]
fn outcome_of_provider_exit_is_exited_early() {
    // Before ready (closed at once), before or after the deadline.
    let s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1] {
        assert_eq!(
            s.outcome(CloseReason::ProviderExited, now),
            Some(Outcome::ExitedEarly)
        );
    }
    // After ready, settled at the end block.
    let s = ending_exited();
    let reason = s.settle_reason(StreamStatus::Ended).unwrap();
    assert_eq!(reason, CloseReason::ProviderExited);
    assert_eq!(s.outcome(reason, 37), Some(Outcome::ExitedEarly));
}

#[test]
fn outcome_of_exit_when_funds_ran_out_first_is_exited_early() {
    let s = ending_exited();
    let reason = s.settle_reason(StreamStatus::Exhausted).unwrap();
    assert_eq!(reason, CloseReason::FundsExhausted);
    assert_eq!(s.outcome(reason, 35), Some(Outcome::ExitedEarly));
}

#[test]
fn outcome_of_service_to_its_end_is_completed() {
    // Funds ran out while Active.
    let s = active(Pricing::Dynamic);
    let reason = s.settle_reason(StreamStatus::Exhausted).unwrap();
    assert_eq!(s.outcome(reason, 500), Some(Outcome::Completed));
    // The consumer cancelled after ready: at the end block, or funds ran out first.
    let s = ending_cancelled();
    for status in [StreamStatus::Ended, StreamStatus::Exhausted] {
        let reason = s.settle_reason(status).unwrap();
        assert_eq!(s.outcome(reason, 70), Some(Outcome::Completed));
    }
    // Ready, even after the deadline: the deadline no longer matters.
    let s = active(Pricing::Dynamic);
    assert_eq!(
        s.outcome(CloseReason::ConsumerCancelled, u32::MAX),
        Some(Outcome::Completed)
    );
}

#[test]
fn outcome_of_cancel_before_ready() {
    let mut s = awarded(Pricing::Dynamic);
    // Before the deadline or at it: the provider may still be ready in time.
    for now in [AWARDED_AT, DEADLINE] {
        let Ending::Now(reason) = s.cancel(consumer(), now, CONSUMER_NOTICE).unwrap() else {
            panic!("not closed at once");
        };
        assert_eq!(s.outcome(reason, now), None);
    }
    // After it: the provider missed.
    for now in [DEADLINE + 1, u32::MAX] {
        let Ending::Now(reason) = s.cancel(consumer(), now, CONSUMER_NOTICE).unwrap() else {
            panic!("not closed at once");
        };
        assert_eq!(s.outcome(reason, now), Some(Outcome::MissedReady));
    }
}

// ---- reaward -----------------------------------------------------------------

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
        assert_eq!(
            fails(s, |s| s.reaward_requirements(DEADLINE + 1)),
            WrongState
        );
        assert_eq!(fails(s, |s| s.reaward_requirements(DEADLINE)), WrongState);
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

fn next_reservation() -> Reservation {
    Reservation {
        provider: next_provider(),
        price_per_block: 6,
        min_duration: 30,
        notice_blocks: 4,
        pricing: Pricing::Fixed,
    }
}

#[test]
fn reaward_resets_the_terms() {
    let mut s = awarded(Pricing::Dynamic);
    s.propose_price(provider(), 8, 12).unwrap();
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    let mut expected = s.clone();
    s.reaward(asked.clone(), 77, &next_reservation(), 115, 20)
        .unwrap();
    expected.requirements = asked;
    expected.offer_id = 77;
    expected.provider = next_provider();
    expected.rate_per_block = 6;
    expected.pricing = Pricing::Fixed;
    expected.min_duration = 30;
    expected.notice_blocks = 4;
    expected.awarded_at = 115;
    expected.ready_deadline = 135;
    expected.price_change = None;
    assert_eq!(s, expected);
    assert_eq!(s.phase, Phase::Awarded);
    assert_eq!(s.ready_at, None);
    assert_eq!(s.consumer, consumer());
    assert_eq!(s.stream_id, STREAM_ID);
}

#[test]
fn after_a_reaward_only_the_new_provider_acts() {
    let mut s = awarded(Pricing::Dynamic);
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    s.reaward(asked, 77, &next_reservation(), 115, 20).unwrap();
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

#[test]
fn reaward_overflow() {
    let mut s = near_max(Pricing::Dynamic);
    let now = u32::MAX - 4;
    let asked = s.reaward_requirements(now).unwrap().unwrap();
    assert_eq!(
        fails(&mut s, |s| s.reaward(
            asked.clone(),
            77,
            &next_reservation(),
            now,
            5
        )),
        Overflow
    );
    s.reaward(asked, 77, &next_reservation(), now, 4).unwrap();
    assert_eq!(s.ready_deadline, u32::MAX);
}

// ---- close -------------------------------------------------------------------

#[test]
fn close_from_every_live_phase() {
    let reasons = [
        CloseReason::ConsumerCancelled,
        CloseReason::ProviderExited,
        CloseReason::FundsExhausted,
        CloseReason::ReadyTimeout,
        CloseReason::Admin,
    ];
    let [a, b, c, _] = every_phase(Pricing::Fixed);
    for mut s in [a, b, c] {
        s.propose_price(s.provider, 9, 40).ok();
        for reason in reasons {
            let mut closed = s.clone();
            let mut expected = s.clone();
            closed.close(reason).unwrap();
            expected.phase = Phase::Closed;
            expected.closed = Some(reason);
            expected.price_change = None;
            assert_eq!(closed, expected);
            assert!(!closed.is_live());
        }
    }
}

#[test]
fn close_twice_refused() {
    let mut s = closed(ending_cancelled(), CloseReason::ConsumerCancelled);
    for reason in [CloseReason::Admin, CloseReason::ConsumerCancelled] {
        assert_eq!(fails(&mut s, |s| s.close(reason)), WrongState);
    }
    assert_eq!(s.closed, Some(CloseReason::ConsumerCancelled));
    assert_eq!(s.end, Some((70, CloseReason::ConsumerCancelled)));
    assert_eq!(s.ready_at, Some(READY));
}

// ---- minimum deposit -------------------------------------------------------

#[test]
fn minimum_deposit_is_rate_times_min_duration() {
    let mut r = reservation(Pricing::Fixed);
    assert_eq!(minimum_deposit(&r), Ok(RATE * Balance::from(MIN_DURATION)));
    r.min_duration = 1;
    assert_eq!(minimum_deposit(&r), Ok(RATE));
    // A minimum duration of 0 counts as one block.
    r.min_duration = 0;
    assert_eq!(minimum_deposit(&r), Ok(RATE));
    r.min_duration = u32::MAX;
    assert_eq!(minimum_deposit(&r), Ok(RATE * Balance::from(u32::MAX)));
    r.price_per_block = Balance::MAX / Balance::from(u32::MAX);
    assert_eq!(
        minimum_deposit(&r),
        Ok(Balance::MAX / Balance::from(u32::MAX) * Balance::from(u32::MAX))
    );
    r.price_per_block += 1;
    assert_eq!(minimum_deposit(&r), Err(Overflow));
    r.price_per_block = Balance::MAX;
    r.min_duration = 2;
    assert_eq!(minimum_deposit(&r), Err(Overflow));
    r.min_duration = 0;
    assert_eq!(minimum_deposit(&r), Ok(Balance::MAX));
}

// ---- property test ---------------------------------------------------------

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

/// The terms of the reservation a reaward gets (`price` is reduced to
/// `1..=max_price_per_block`, as an award would choose).
#[derive(Debug, Clone, Copy)]
struct Terms {
    price: u64,
    min_duration: BlockNumber,
    notice: BlockNumber,
    dynamic: bool,
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

/// `Err(Unauthorized)` unless `caller` is `role`.
fn role(caller: AccountId, role: AccountId) -> Result<(), SubscriptionError> {
    if caller == role {
        Ok(())
    } else {
        Err(Unauthorized)
    }
}

/// `Err(WrongState)` unless the record is in one of `allowed`.
fn phase(s: &Subscription, allowed: &[Phase]) -> Result<(), SubscriptionError> {
    if in_phase(s, allowed) {
        Ok(())
    } else {
        Err(WrongState)
    }
}

/// `Err(err)` if `refused`.
fn unless(refused: bool, err: SubscriptionError) -> Result<(), SubscriptionError> {
    if refused {
        Err(err)
    } else {
        Ok(())
    }
}

/// The Fixed-price proposal waiting for the consumer, or `WrongState`.
fn consent_pending(s: &Subscription) -> Result<PriceChange, SubscriptionError> {
    match s.price_change {
        Some(change) if change.needs_consent => Ok(change),
        _ => Err(WrongState),
    }
}

const LIVE: [Phase; 3] = [Phase::Awarded, Phase::Active, Phase::Ending];
const OPEN: [Phase; 2] = [Phase::Awarded, Phase::Active];
const BILLING: [Phase; 2] = [Phase::Active, Phase::Ending];

/// The reputation entry the rules give a close for `reason` at `now`.
fn expected_outcome(s: &Subscription, reason: CloseReason, now: BlockNumber) -> Option<Outcome> {
    let exit_scheduled = matches!(s.end, Some((_, CloseReason::ProviderExited)));
    match reason {
        CloseReason::Admin => None,
        CloseReason::ReadyTimeout => Some(Outcome::MissedReady),
        _ if reason == CloseReason::ProviderExited || exit_scheduled => Some(Outcome::ExitedEarly),
        _ if s.ready_at.is_some() => Some(Outcome::Completed),
        _ if now > s.ready_deadline => Some(Outcome::MissedReady),
        _ => None,
    }
}

/// Closes the record for `reason` the way the contract does.
fn close(s: &mut Subscription, reason: CloseReason, now: BlockNumber) -> Result<(), TestCaseError> {
    let outcome = s.outcome(reason, now);
    prop_assert_eq!(outcome, expected_outcome(s, reason, now));
    let mut expected = s.clone();
    expected.phase = Phase::Closed;
    expected.closed = Some(reason);
    expected.price_change = None;
    prop_assert_eq!(s.close(reason), Ok(()));
    prop_assert_eq!(&*s, &expected);
    Ok(())
}

/// A cancel or an exit after ready: `Ok(end)` or the error.
fn scheduled(
    s: &Subscription,
    caller: AccountId,
    role_of: AccountId,
    end: impl FnOnce(BlockNumber) -> Option<BlockNumber>,
) -> Result<Option<BlockNumber>, SubscriptionError> {
    role(caller, role_of)?;
    phase(s, &OPEN)?;
    match s.ready_at {
        None => Ok(None),
        Some(ready_at) => end(ready_at).map(Some).ok_or(Overflow),
    }
}

/// Runs one operation, checking its result against the rules. Returns
/// whether its call succeeded (`None` for a block advance).
fn step(s: &mut Subscription, run: &mut Run, op: &Op) -> Result<Option<bool>, TestCaseError> {
    let now = run.now;
    let before = s.clone();
    let succeeded = match *op {
        Op::Advance(blocks) => {
            run.now = now.saturating_add(blocks);
            return Ok(None);
        }
        Op::MarkReady(who) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider)
                .and(phase(s, &[Phase::Awarded]))
                .and(unless(now > s.ready_deadline, ReadyTimeoutPassed));
            let got = s.mark_ready(caller, now);
            prop_assert_eq!(got, expected);
            if got.is_ok() {
                prop_assert_eq!(s.ready_at, Some(now));
                prop_assert_eq!(s.phase, Phase::Active);
                run.was_ready = true;
            }
            got.is_ok()
        }
        Op::Cancel(who) => {
            let caller = caller(who, s);
            let notice = run.consumer_notice;
            let expected = scheduled(s, caller, consumer(), |ready_at| {
                Some(
                    now.checked_add(notice)?
                        .max(ready_at.checked_add(s.min_duration)?),
                )
            });
            let got = s.cancel(caller, now, notice);
            match (got, expected) {
                (Ok(Ending::Now(reason)), Ok(None)) => {
                    prop_assert_eq!(reason, CloseReason::ConsumerCancelled);
                    prop_assert_eq!(&*s, &before);
                    close(s, reason, now)?;
                    true
                }
                (Ok(Ending::At(end)), Ok(Some(expected_end))) => {
                    prop_assert_eq!(end, expected_end);
                    prop_assert!(end >= now);
                    prop_assert_eq!(s.end, Some((end, CloseReason::ConsumerCancelled)));
                    prop_assert_eq!(s.phase, Phase::Ending);
                    run.went_ending = true;
                    true
                }
                (Err(err), Err(expected_err)) => {
                    prop_assert_eq!(err, expected_err);
                    false
                }
                (got, expected) => {
                    return Err(TestCaseError::fail(format!(
                        "cancel: got {got:?}, expected {expected:?}"
                    )))
                }
            }
        }
        Op::Exit(who) => {
            let caller = caller(who, s);
            let notice = s.notice_blocks;
            let expected = scheduled(s, caller, s.provider, |_| now.checked_add(notice));
            let got = s.exit(caller, now);
            match (got, expected) {
                (Ok(Ending::Now(reason)), Ok(None)) => {
                    prop_assert_eq!(reason, CloseReason::ProviderExited);
                    prop_assert_eq!(&*s, &before);
                    close(s, reason, now)?;
                    true
                }
                (Ok(Ending::At(end)), Ok(Some(expected_end))) => {
                    prop_assert_eq!(end, expected_end);
                    prop_assert_eq!(s.end, Some((end, CloseReason::ProviderExited)));
                    prop_assert_eq!(s.phase, Phase::Ending);
                    run.went_ending = true;
                    true
                }
                (Err(err), Err(expected_err)) => {
                    prop_assert_eq!(err, expected_err);
                    false
                }
                (got, expected) => {
                    return Err(TestCaseError::fail(format!(
                        "exit: got {got:?}, expected {expected:?}"
                    )))
                }
            }
        }
        Op::Propose(who, rate) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider)
                .and(phase(s, &OPEN))
                .and_then(|()| {
                    if rate == 0 || rate == s.rate_per_block {
                        return Err(InvalidInput(Invalid::Price));
                    }
                    match s.pricing {
                        Pricing::Dynamic if rate > s.requirements.max_price_per_block => {
                            Err(PriceAboveMax)
                        }
                        Pricing::Dynamic => Ok(PriceChange {
                            rate,
                            effective_at: now.checked_add(s.notice_blocks).ok_or(Overflow)?,
                            needs_consent: false,
                        }),
                        Pricing::Fixed => Ok(PriceChange {
                            rate,
                            effective_at: now,
                            needs_consent: true,
                        }),
                    }
                });
            let got = s.propose_price(caller, rate, now);
            prop_assert_eq!(got, expected);
            if let Ok(change) = got {
                prop_assert_eq!(s.price_change, Some(change));
            }
            got.is_ok()
        }
        Op::Accept(who) => {
            let caller = caller(who, s);
            let expected = role(caller, consumer())
                .and(phase(s, &OPEN))
                .and(consent_pending(s).map(|change| change.rate));
            let got = s.accept_price(caller);
            prop_assert_eq!(got, expected);
            if let Ok(rate) = got {
                prop_assert_eq!(s.rate_per_block, rate);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::Reject(who) => {
            let caller = caller(who, s);
            let expected = role(caller, consumer())
                .and(phase(s, &LIVE))
                .and(consent_pending(s));
            let got = s.reject_price(caller);
            prop_assert_eq!(got, expected);
            if got.is_ok() {
                prop_assert_eq!(s.rate_per_block, before.rate_per_block);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::Apply => {
            let expected = phase(s, &LIVE).and(match s.price_change {
                Some(change) if !change.needs_consent && now < change.effective_at => Err(TooEarly),
                Some(change) if !change.needs_consent => Ok(change.rate),
                _ => Err(WrongState),
            });
            let got = s.apply_price(now);
            prop_assert_eq!(got, expected);
            if let Ok(rate) = got {
                prop_assert_eq!(s.rate_per_block, rate);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::TopUp(amount) => {
            let expected = if amount == 0 {
                Err(InvalidInput(Invalid::Amount))
            } else {
                phase(s, &LIVE)
            };
            let got = s.check_top_up(amount);
            prop_assert_eq!(got, expected);
            got.is_ok()
        }
        Op::Claim(who) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider).and(phase(s, &BILLING));
            let got = s.check_claim(caller);
            prop_assert_eq!(got, expected);
            got.is_ok()
        }
        Op::Settle(index) => {
            let status = STATUSES[index];
            let expected = phase(s, &BILLING).and(match (status, s.end) {
                (StreamStatus::Ended, Some((_, reason))) => Ok(reason),
                (StreamStatus::Exhausted, _) => Ok(CloseReason::FundsExhausted),
                _ => Err(TooEarly),
            });
            let got = s.settle_reason(status);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(&*s, &before);
            if let Ok(reason) = got {
                close(s, reason, now)?;
            }
            got.is_ok()
        }
        Op::Reaward(terms) => {
            let expected = phase(s, &[Phase::Awarded]).and_then(|()| {
                if now <= s.ready_deadline {
                    return Err(TooEarly);
                }
                if s.requirements.excluded_providers.len() >= MAX_REQUIREMENT_ENTRIES {
                    return Ok(None);
                }
                let mut asked = s.requirements.clone();
                asked.excluded_providers.push(s.provider);
                Ok(Some(asked))
            });
            let got = s.reaward_requirements(now);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&*s, &before);
            match got {
                Err(_) => false,
                Ok(None) => {
                    close(s, CloseReason::ReadyTimeout, now)?;
                    true
                }
                Ok(Some(asked)) => {
                    run.reawards += 1;
                    let max = s.requirements.max_price_per_block;
                    let reservation = Reservation {
                        provider: acc(10 + run.reawards),
                        price_per_block: 1 + Balance::from(terms.price) % max,
                        min_duration: terms.min_duration,
                        notice_blocks: terms.notice,
                        pricing: if terms.dynamic {
                            Pricing::Dynamic
                        } else {
                            Pricing::Fixed
                        },
                    };
                    let offer_id = 1_000 + u64::from(run.reawards);
                    let got = s.reaward(
                        asked.clone(),
                        offer_id,
                        &reservation,
                        now,
                        run.ready_timeout,
                    );
                    match now.checked_add(run.ready_timeout) {
                        None => {
                            prop_assert_eq!(got, Err(Overflow));
                            false
                        }
                        Some(deadline) => {
                            prop_assert_eq!(got, Ok(()));
                            let mut expected = before.clone();
                            expected.requirements = asked;
                            expected.offer_id = offer_id;
                            expected.provider = reservation.provider;
                            expected.rate_per_block = reservation.price_per_block;
                            expected.pricing = reservation.pricing;
                            expected.min_duration = reservation.min_duration;
                            expected.notice_blocks = reservation.notice_blocks;
                            expected.awarded_at = now;
                            expected.ready_deadline = deadline;
                            expected.price_change = None;
                            prop_assert_eq!(&*s, &expected);
                            true
                        }
                    }
                }
            }
        }
        Op::AdminClose => {
            if s.is_live() {
                close(s, CloseReason::Admin, now)?;
                true
            } else {
                prop_assert_eq!(s.close(CloseReason::Admin), Err(WrongState));
                false
            }
        }
    };
    Ok(Some(succeeded))
}

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

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2_000,
        // Never write regression files into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

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
        let reservation = Reservation {
            provider: provider(),
            price_per_block: 1 + Balance::from(rate) % max_price,
            min_duration,
            notice_blocks: notice,
            pricing: if dynamic { Pricing::Dynamic } else { Pricing::Fixed },
        };
        let award = Subscription::awarded(
            consumer(), TYPE_ID, descriptor(), requirements, OFFER_ID,
            &reservation, STREAM_ID, start, ready_timeout,
        );
        let Some(deadline) = start.checked_add(ready_timeout) else {
            prop_assert_eq!(award, Err(Overflow));
            return Ok(());
        };
        let mut s = award.unwrap();
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
