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
mod reservation;

use core::fmt::Debug;
use dinfra::lifecycle::{CloseReason, Ending, Parameters, Phase, Subscription};
use dinfra::stream::StreamStatus;
use dinfra::traits::{
    Candidate, Descriptor, Pricing, Reputation, Requirements, Reservation, SubscriptionError,
};
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
/// The fixture offer's fee for a cancel before ready (the consumer accepts it).
const CANCEL_FEE: Balance = 15;
/// The offer a reaward hands the subscription to.
const NEXT_OFFER_ID: u64 = 77;
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
        max_cancel_fee: CANCEL_FEE,
        ..Requirements::default()
    }
}

/// The contract's parameters the fixture's records are created on.
fn parameters() -> Parameters {
    Parameters {
        ready_timeout: READY_TIMEOUT,
        consumer_notice: CONSUMER_NOTICE,
    }
}

/// An offer as the registry holds it: active, one deployment free, no
/// attributes, no history.
fn offer(
    offer_id: u64,
    provider: AccountId,
    price_per_block: Balance,
    min_duration: BlockNumber,
    notice_blocks: BlockNumber,
    pricing: Pricing,
    cancel_fee: Balance,
) -> Candidate {
    Candidate {
        offer_id,
        provider,
        price_per_block,
        free_capacity: 1,
        min_duration,
        notice_blocks,
        pricing,
        cancel_fee,
        provider_active: true,
        attributes: Vec::new(),
        attestations: Vec::new(),
        reputation: Reputation::default(),
    }
}

/// The fixture's offer `OFFER_ID` of `provider()`, reserved for `TYPE_ID`
/// (it meets `requirements()`).
fn reservation(pricing: Pricing) -> Reservation {
    Reservation {
        type_id: TYPE_ID,
        offer: offer(
            OFFER_ID,
            provider(),
            RATE,
            MIN_DURATION,
            NOTICE,
            pricing,
            CANCEL_FEE,
        ),
    }
}

/// The offer `NEXT_OFFER_ID` a reaward hands to `next_provider()`.
fn next_reservation() -> Reservation {
    Reservation {
        type_id: TYPE_ID,
        offer: offer(NEXT_OFFER_ID, next_provider(), 6, 30, 4, Pricing::Fixed, 3),
    }
}

/// The consumer's subscription (the fixture's type, descriptor and stream)
/// awarded at `now` on `reservation`, on the contract's `parameters`.
fn award(
    requirements: Requirements,
    reservation: &Reservation,
    now: BlockNumber,
    parameters: Parameters,
) -> Result<Subscription, SubscriptionError> {
    Subscription::awarded(
        consumer(),
        TYPE_ID,
        descriptor(),
        requirements,
        reservation,
        STREAM_ID,
        now,
        parameters,
    )
}

/// The `cancel` argument when no governance change is pending.
fn no_change() -> bool {
    false
}

/// The `cancel` argument when a governance change is pending.
fn change_pending() -> bool {
    true
}

/// The `cancel` argument where the minimum duration cannot bind: it must
/// not be asked.
fn never_asked() -> bool {
    panic!("change_pending asked although the minimum duration does not bind")
}

/// Awarded at `AWARDED_AT`, deadline `DEADLINE`.
fn awarded(pricing: Pricing) -> Subscription {
    award(
        requirements(),
        &reservation(pricing),
        AWARDED_AT,
        parameters(),
    )
    .unwrap()
}

/// Awarded like `awarded`, on an offer of the consumer's own: a
/// subscription to oneself.
fn own_awarded() -> Subscription {
    let mut r = reservation(Pricing::Fixed);
    r.offer.provider = consumer();
    award(requirements(), &r, AWARDED_AT, parameters()).unwrap()
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
        s.cancel(consumer(), 30, no_change),
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
        closed(active(pricing), CloseReason::FundsExhausted),
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
/// must leave it: the offer's terms, the same consumer, stream, phase and
/// contract parameters.
fn reawarded(
    s: &Subscription,
    asked: Requirements,
    reservation: &Reservation,
    now: BlockNumber,
    ready_deadline: BlockNumber,
) -> Subscription {
    let offer = &reservation.offer;
    Subscription {
        requirements: asked,
        offer_id: offer.offer_id,
        provider: offer.provider,
        rate_per_block: offer.price_per_block,
        pricing: offer.pricing,
        min_duration: offer.min_duration,
        notice_blocks: offer.notice_blocks,
        cancel_fee: offer.cancel_fee,
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
