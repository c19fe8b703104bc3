//! Reputation and capacity that cost something: outcomes weigh what was
//! paid (a subscription to oneself records nothing), a consumer who holds a
//! provider's capacity and cancels before ready pays the offer's cancel fee,
//! and a provider may decline an award without a mark against it.

use super::*;
use dinfra::lifecycle::{CloseReason, Phase};
use dinfra::traits::{Reputation, Requirements, SubscriptionError};
use dinfra_e2e_tests::market::{fixed, wants};
use dinfra_registry::registry::OutcomeRecorded;
use dinfra_subscription::subscription::{AwardDeclined, Awarded, EndScheduled};

const DEPOSIT: u128 = 100_000;

/// Cancels `id` as its consumer after ready and settles it at its end;
/// returns what the provider was paid at close.
fn cancel_and_settle(
    market: &Market,
    session: &mut Sandbox,
    consumer: &AccountId32,
    id: u64,
) -> u128 {
    market.on(session, consumer, "Subscription::cancel", id);
    let end = the_event::<EndScheduled>(session, &market.suite.subscription).end;
    let now = block_number(session);
    advance_blocks(session, end - now);
    market.on(session, &market.stranger, "settle", id);
    market.closed(session).paid
}

#[test]
fn reputation_weighs_what_was_paid_and_a_self_subscription_earns_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(1, 0, 5)]);
    let provider = market.providers[0].clone();
    // The provider farms: subscriptions to itself at a price of 1.
    for _ in 0..3 {
        let id = market
            .create_as(
                &mut session,
                &provider,
                &wants(1),
                Some(market.offers[0]),
                100,
            )
            .unwrap();
        market.ready(&mut session, id, 0);
        advance_blocks(&mut session, 20);
        cancel_and_settle(&market, &mut session, &provider, id);
        assert!(
            events::<OutcomeRecorded>(&session, &market.suite.registry).is_empty(),
            "nothing recorded"
        );
    }
    assert_eq!(market.reputation(&mut session, 0), Reputation::default());
    // A real consumer's subscription counts what it paid.
    let consumer = market.consumer.clone();
    let id = market.create(&mut session, &wants(1), DEPOSIT);
    let ready = market.ready(&mut session, id, 0);
    advance_blocks(&mut session, 30);
    let claimed = market.claim(&mut session, id, 0);
    let paid_at_close = cancel_and_settle(&market, &mut session, &consumer, id);
    // Read from the settle's events, before a query replaces them.
    let recorded = the_event::<OutcomeRecorded>(&session, &market.suite.registry);
    let end = market.details(&mut session, id).subscription.end.unwrap().0;
    assert_eq!(claimed + paid_at_close, u128::from(end - ready));
    assert_eq!(recorded.value, claimed + paid_at_close);
    let reputation = market.reputation(&mut session, 0);
    assert_eq!(
        (reputation.completed, reputation.completed_value),
        (1, claimed + paid_at_close)
    );
}

#[test]
fn holding_capacity_and_cancelling_before_ready_costs_the_cancel_fee() {
    let mut session = Session::<DinfraSandbox>::default();
    let fee = 50;
    let market = Market::new(
        &mut session,
        &[OfferSpec {
            cancel_fee: fee,
            ..fixed(10, 0, 5)
        }],
    );
    let consumer = market.consumer.clone();
    let provider = market.providers[0].clone();
    let accepting = Requirements {
        max_cancel_fee: fee,
        ..wants(10)
    };
    let id = market
        .create_as(&mut session, &consumer, &accepting, None, DEPOSIT)
        .unwrap();
    let provider_before = free_balance(&mut session, &provider);
    let received = market.on(&mut session, &consumer, "Subscription::cancel", id);
    assert_eq!(
        received,
        (DEPOSIT - fee) as i128,
        "all but the fee came back at once"
    );
    let closed = market.closed(&mut session);
    assert_eq!((closed.paid, closed.refunded), (fee, DEPOSIT - fee));
    assert_eq!(free_balance(&mut session, &provider) - provider_before, fee);
    assert!(events::<OutcomeRecorded>(&session, &market.suite.registry).is_empty());
    // Past the ready deadline the provider is the one at fault: no fee, and
    // the miss counts, weighed by the deposit at stake.
    let late = market
        .create_as(&mut session, &consumer, &accepting, None, DEPOSIT)
        .unwrap();
    advance_blocks(&mut session, READY_TIMEOUT + 1);
    let received = market.on(&mut session, &consumer, "Subscription::cancel", late);
    assert_eq!(received, DEPOSIT as i128, "a full refund");
    let reputation = market.reputation(&mut session, 0);
    assert_eq!(
        (reputation.missed_ready, reputation.missed_value),
        (1, DEPOSIT)
    );
}

#[test]
fn a_provider_declines_without_a_mark_and_the_award_moves_on() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(10, 0, 5), fixed(10, 0, 5)]);
    let id = market.create(&mut session, &wants(10), DEPOSIT);
    let first = market.details(&mut session, id).subscription.provider;
    let (declining, other) = if first == ink_account(&market.providers[0]) {
        (0, 1)
    } else {
        (1, 0)
    };
    let stranger = market.stranger.clone();
    market.refused(
        &mut session,
        &stranger,
        "decline",
        &[id.to_string()],
        0,
        SubscriptionError::Unauthorized,
    );
    let received = market.on(
        &mut session,
        &market.providers[declining].clone(),
        "decline",
        id,
    );
    assert_eq!(received, 0);
    assert_eq!(
        the_event::<AwardDeclined>(&session, &market.suite.subscription).provider,
        first
    );
    let awarded = the_event::<Awarded>(&session, &market.suite.subscription);
    assert_eq!(awarded.provider, ink_account(&market.providers[other]));
    assert_eq!(
        market.reputation(&mut session, declining),
        Reputation::default()
    );
    // The other declines too: none left, everything back to the consumer.
    let consumer_before = free_balance(&mut session, &market.consumer);
    market.on(
        &mut session,
        &market.providers[other].clone(),
        "decline",
        id,
    );
    let closed = market.closed(&mut session);
    assert_eq!(closed.reason, CloseReason::Declined);
    assert_eq!((closed.paid, closed.refunded), (0, DEPOSIT));
    assert_eq!(
        free_balance(&mut session, &market.consumer) - consumer_before,
        DEPOSIT
    );
    assert_eq!(
        market.details(&mut session, id).subscription.phase,
        Phase::Closed
    );
    assert_eq!(
        market.reputation(&mut session, other),
        Reputation::default()
    );
    // Past the deadline a provider cannot decline its way out of the miss.
    let late = market.create(&mut session, &wants(10), DEPOSIT);
    let awarded_to = market.details(&mut session, late).subscription.provider;
    let index = if awarded_to == ink_account(&market.providers[0]) {
        0
    } else {
        1
    };
    advance_blocks(&mut session, READY_TIMEOUT + 1);
    market.refused(
        &mut session,
        &market.providers[index].clone(),
        "decline",
        &[late.to_string()],
        0,
        SubscriptionError::ReadyTimeoutPassed,
    );
}
