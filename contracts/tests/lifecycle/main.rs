//! Tests of `dinfra::lifecycle`: the subscription record and the rules of
//! every lifecycle transition, without a chain. The unit tests, a module per
//! concern, go through every method and every error path, each refused call
//! checked (by `fails`) to leave the record unchanged to the byte of its
//! SCALE encoding; `properties` runs random operation sequences. This file
//! holds the shared fixture and checks.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod award_and_ready;
mod ending;
mod money_and_overflow;
mod pricing;
mod properties;
mod reaward;

use core::fmt::Debug;
use dinfra::lifecycle::{CloseReason, Ending, Phase, Subscription};
use dinfra::stream::StreamStatus;
use dinfra::traits::{Descriptor, Pricing, Requirements, Reservation, SubscriptionError};
use dinfra::{AccountId, Balance, BlockNumber};
use ink::scale::Encode;

use SubscriptionError::Unauthorized;

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

/// Every stream status, in the order of the settle tables.
const STATUSES: [StreamStatus; 5] = [
    StreamStatus::Pending,
    StreamStatus::Streaming,
    StreamStatus::Exhausted,
    StreamStatus::Ended,
    StreamStatus::Closed,
];

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

/// The terms a reaward hands to `next_provider()`.
fn next_reservation() -> Reservation {
    Reservation {
        provider: next_provider(),
        price_per_block: 6,
        min_duration: 30,
        notice_blocks: 4,
        pricing: Pricing::Fixed,
    }
}

/// The consumer's subscription (the fixture's type, descriptor, offer and
/// stream) awarded at `now` on `reservation`.
fn award(
    requirements: Requirements,
    reservation: &Reservation,
    now: BlockNumber,
    ready_timeout: BlockNumber,
) -> Result<Subscription, SubscriptionError> {
    Subscription::awarded(
        consumer(),
        TYPE_ID,
        descriptor(),
        requirements,
        OFFER_ID,
        reservation,
        STREAM_ID,
        now,
        ready_timeout,
    )
}

/// Awarded at `AWARDED_AT`, deadline `DEADLINE`.
fn awarded(pricing: Pricing) -> Subscription {
    award(
        requirements(),
        &reservation(pricing),
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
        Ok(Ending::At(
            READY + MIN_DURATION,
            CloseReason::ConsumerCancelled
        ))
    );
    s
}

/// Ready, then left by the provider at block 30 (ends at 37).
fn ending_exited() -> Subscription {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        s.exit(provider(), 30),
        Ok(Ending::At(30 + NOTICE, CloseReason::ProviderExited))
    );
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

/// `s` as closing it for `reason` must leave it.
fn closed_as(s: &Subscription, reason: CloseReason) -> Subscription {
    let mut expected = s.clone();
    expected.phase = Phase::Closed;
    expected.closed = Some(reason);
    expected.price_change = None;
    expected
}

/// `s` as a reaward at `now` to `reservation` (deadline `ready_deadline`)
/// must leave it: new terms, the same consumer, stream and phase.
fn reawarded(
    s: &Subscription,
    asked: Requirements,
    offer_id: u64,
    reservation: &Reservation,
    now: BlockNumber,
    ready_deadline: BlockNumber,
) -> Subscription {
    Subscription {
        requirements: asked,
        offer_id,
        provider: reservation.provider,
        rate_per_block: reservation.price_per_block,
        pricing: reservation.pricing,
        min_duration: reservation.min_duration,
        notice_blocks: reservation.notice_blocks,
        awarded_at: now,
        ready_deadline,
        price_change: None,
        ..s.clone()
    }
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

/// Checks that `call` by each of `callers` fails as `Unauthorized`,
/// leaving the record unchanged.
#[track_caller]
fn unauthorized_for<T: Debug>(
    s: &mut Subscription,
    callers: impl IntoIterator<Item = AccountId>,
    call: impl Fn(&mut Subscription, AccountId) -> Result<T, SubscriptionError>,
) {
    for caller in callers {
        assert_eq!(fails(s, |s| call(s, caller)), Unauthorized, "{caller:?}");
    }
}
