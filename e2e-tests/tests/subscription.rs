//! One scenario per path of a subscription's lifecycle, across the four
//! contracts on the real pallet-contracts runtime. Each checks the records,
//! the events and the native balances to the unit: what the consumer sent,
//! what the provider received, what came back, and that the sum of every
//! balance in the market never changes (the shared [`Market`] checks it
//! around every call, and that a refused call moved nothing).

use dinfra::admin::AdminError;
use dinfra::lifecycle::{CloseReason, Parameters, Phase};
use dinfra::stream::StreamStatus;
use dinfra::traits::{Requirements, SubscriptionError};
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::market::{create_args, fixed, wants, Market, Reply};
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::{
    AwardRevoked, Awarded, Claimed, EndScheduled, PriceChanged, PriceProposed, PriceRejected,
    SubscriptionCreated, ToppedUp,
};

#[test]
fn happy_path_runs_to_exhaustion_and_a_stranger_settles() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 20, 5)]);
    let id = m.create(&mut session, &wants(10), 1_000);
    let created = the_event::<SubscriptionCreated>(&session, &m.suite.subscription);
    assert_eq!((created.id, created.deposit), (id, 1_000));
    let awarded = the_event::<Awarded>(&session, &m.suite.subscription);
    assert_eq!(awarded.provider, ink_account(&m.providers[0]));
    assert_eq!(awarded.descriptor_hash, [9; 32]);
    assert_eq!(awarded.descriptor_uri, "ipfs://rpc-node");
    assert_eq!(reserved(&mut session, &m.suite, m.offers[0]), 1);

    // Nothing is billed before the provider is ready.
    advance_blocks(&mut session, 5);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.subscription.phase, Phase::Awarded);
    assert_eq!(
        (d.figures.status, d.figures.accrued),
        (StreamStatus::Pending, 0)
    );

    let ready_at = m.ready(&mut session, id, 0);
    advance_blocks(&mut session, 30);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.subscription.ready_at, Some(ready_at));
    assert_eq!(d.figures.withdrawable, 300);
    assert_eq!(d.figures.refundable, 700);
    assert_eq!(d.figures.depletion_block, Some(ready_at + 100));
    assert_eq!(m.claim(&mut session, id, 0), 300);

    // The money runs out at ready + 100: nothing accrues after.
    advance_blocks(&mut session, 200);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.figures.status, StreamStatus::Exhausted);
    assert_eq!((d.figures.accrued, d.figures.refundable), (1_000, 0));

    let provider_before = free_balance(&mut session, &m.providers[0]);
    m.on(&mut session, &m.stranger, "settle", id);
    let closed = m.closed(&mut session);
    assert_eq!(closed.reason, CloseReason::FundsExhausted);
    assert_eq!((closed.paid, closed.refunded), (700, 0));
    assert_eq!(
        free_balance(&mut session, &m.providers[0]),
        provider_before + 700,
        "settle paid the provider the rest"
    );
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.subscription.phase, Phase::Closed);
    assert_eq!(d.subscription.closed, Some(CloseReason::FundsExhausted));
    assert_eq!(
        (d.figures.deposited, d.figures.withdrawn, d.figures.held),
        (1_000, 1_000, 0)
    );
    assert_eq!(reserved(&mut session, &m.suite, m.offers[0]), 0);
    let reputation = m.reputation(&mut session, 0);
    assert_eq!(
        (reputation.completed, reputation.completed_value),
        (1, 1_000),
        "a completion, worth everything the provider was paid"
    );
    let live: u64 = call(&mut session, &m.suite.subscription, "live_count", &[]);
    assert_eq!(live, 0);
    let (again, _) = m.act::<()>(&mut session, &m.stranger, "settle", &[id.to_string()], 0);
    assert_eq!(again, Err(SubscriptionError::WrongState));
}

#[test]
fn consumer_cancel_before_ready_refunds_everything() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 20, 5)]);
    let id = m.create(&mut session, &wants(10), 5_000);
    advance_blocks(&mut session, 3);
    let received = m.on(&mut session, &m.consumer, "Subscription::cancel", id);
    assert_eq!(received, 5_000, "the whole deposit came back");
    let closed = m.closed(&mut session);
    assert_eq!(
        (closed.reason, closed.paid, closed.refunded),
        (CloseReason::ConsumerCancelled, 0, 5_000)
    );
    assert_eq!(reserved(&mut session, &m.suite, m.offers[0]), 0);
    assert_eq!(
        m.reputation(&mut session, 0),
        Default::default(),
        "cancelling before the deadline says nothing about the provider"
    );
    let (late, _) = m.act::<()>(
        &mut session,
        &m.providers[0],
        "mark_ready",
        &mark_ready_args(id),
        0,
    );
    assert_eq!(late, Err(SubscriptionError::WrongState));
}

#[test]
fn consumer_cancel_after_ready_honours_min_duration_and_notice() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 50, 5)]);
    let requirements = Requirements {
        min_duration: 50,
        ..wants(10)
    };
    // Cancelled early: the minimum duration (50 from ready) is the later end.
    let early = m.create(&mut session, &requirements, 2_000);
    let ready_at = m.ready(&mut session, early, 0);
    advance_blocks(&mut session, 5);
    m.on(&mut session, &m.consumer, "Subscription::cancel", early);
    let scheduled = the_event::<EndScheduled>(&session, &m.suite.subscription);
    assert_eq!(
        (scheduled.end, scheduled.reason),
        (ready_at + 50, CloseReason::ConsumerCancelled)
    );
    // Cancelled late: the consumer's notice (10 from now) is the later end.
    let late = m.create(&mut session, &requirements, 2_000);
    let late_ready = m.ready(&mut session, late, 0);
    advance_blocks(&mut session, 80);
    let now = block_number(&mut session);
    m.on(&mut session, &m.consumer, "Subscription::cancel", late);
    let scheduled = the_event::<EndScheduled>(&session, &m.suite.subscription);
    assert_eq!(scheduled.end, now + CONSUMER_NOTICE);
    assert_eq!(
        details(&mut session, &m.suite, late).subscription.phase,
        Phase::Ending
    );
    // Cancelling again would not end it any sooner.
    let (twice, _) = m.act::<()>(
        &mut session,
        &m.consumer,
        "Subscription::cancel",
        &[late.to_string()],
        0,
    );
    assert_eq!(twice, Err(SubscriptionError::AlreadyEnding));

    // Settling before the end is too early; after it, both pay exactly
    // their billed blocks and refund the rest.
    let (early_settle, _) =
        m.act::<()>(&mut session, &m.stranger, "settle", &[late.to_string()], 0);
    assert_eq!(early_settle, Err(SubscriptionError::TooEarly));
    advance_blocks(&mut session, 20);
    let consumer_before = free_balance(&mut session, &m.consumer);
    m.on(&mut session, &m.stranger, "settle", early);
    let closed = m.closed(&mut session);
    assert_eq!(
        (closed.reason, closed.paid, closed.refunded),
        (CloseReason::ConsumerCancelled, 500, 1_500)
    );
    m.on(&mut session, &m.stranger, "settle", late);
    let closed = m.closed(&mut session);
    let billed = u128::from(now + CONSUMER_NOTICE - late_ready) * 10;
    assert_eq!((closed.paid, closed.refunded), (billed, 2_000 - billed));
    assert_eq!(
        free_balance(&mut session, &m.consumer),
        consumer_before + 1_500 + (2_000 - billed),
        "both refunds reached the consumer"
    );
    let reputation = m.reputation(&mut session, 0);
    assert_eq!(
        (reputation.completed, reputation.completed_value),
        (2, 500 + billed)
    );
}

#[test]
fn provider_exit_gives_the_offers_notice() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 0, 15)]);
    let id = m.create(&mut session, &wants(10), 10_000);
    let ready_at = m.ready(&mut session, id, 0);
    advance_blocks(&mut session, 10);
    let exit_at = block_number(&mut session);
    let (stranger_exit, _) = m.act::<()>(&mut session, &m.consumer, "exit", &[id.to_string()], 0);
    assert_eq!(stranger_exit, Err(SubscriptionError::Unauthorized));
    m.on(&mut session, &m.providers[0], "exit", id);
    let scheduled = the_event::<EndScheduled>(&session, &m.suite.subscription);
    assert_eq!(
        (scheduled.end, scheduled.reason),
        (exit_at + 15, CloseReason::ProviderExited)
    );
    // Billing continues through the notice, then stops.
    advance_blocks(&mut session, 50);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.figures.status, StreamStatus::Ended);
    let billed = u128::from(exit_at + 15 - ready_at) * 10;
    assert_eq!(d.figures.accrued, billed);
    let received = m.on(&mut session, &m.consumer, "settle", id);
    let closed = m.closed(&mut session);
    assert_eq!(
        (closed.reason, closed.paid, closed.refunded),
        (CloseReason::ProviderExited, billed, 10_000 - billed)
    );
    assert_eq!(received, (10_000 - billed) as i128);
    let reputation = m.reputation(&mut session, 0);
    assert_eq!((reputation.exited_early, reputation.completed), (1, 0));
    assert_eq!(
        reputation.exited_value, billed,
        "weighed by what it was paid"
    );
}

#[test]
fn ready_timeout_reawards_then_refunds_when_no_provider_is_left() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 0, 5), fixed(12, 0, 5)]);
    let id = m.create(&mut session, &wants(12), 3_000);
    let first = the_event::<Awarded>(&session, &m.suite.subscription);
    assert_eq!(first.provider, ink_account(&m.providers[0]));
    assert_eq!(
        first.ready_deadline,
        block_number(&mut session) + READY_TIMEOUT
    );

    // Until the deadline the award stands.
    advance_blocks(&mut session, READY_TIMEOUT);
    let (early, _) = m.act::<()>(&mut session, &m.stranger, "reaward", &[id.to_string()], 0);
    assert_eq!(early, Err(SubscriptionError::TooEarly));
    advance_blocks(&mut session, 1);
    let (late, _) = m.act::<()>(
        &mut session,
        &m.providers[0],
        "mark_ready",
        &mark_ready_args(id),
        0,
    );
    assert_eq!(late, Err(SubscriptionError::ReadyTimeoutPassed));

    // A keeper gives it to the next provider, at that provider's rate.
    m.on(&mut session, &m.stranger, "reaward", id);
    let revoked = the_event::<AwardRevoked>(&session, &m.suite.subscription);
    assert_eq!(revoked.provider, ink_account(&m.providers[0]));
    let second = the_event::<Awarded>(&session, &m.suite.subscription);
    assert_eq!(
        (second.provider, second.rate_per_block),
        (ink_account(&m.providers[1]), 12)
    );
    assert_eq!(reserved(&mut session, &m.suite, m.offers[0]), 0);
    assert_eq!(reserved(&mut session, &m.suite, m.offers[1]), 1);
    let reputation = m.reputation(&mut session, 0);
    assert_eq!(
        (reputation.missed_ready, reputation.missed_value),
        (1, 3_000),
        "weighed by what the consumer had at stake"
    );
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.figures.payee, ink_account(&m.providers[1]));
    assert_eq!(d.figures.rate, 12);
    let (old, _) = m.act::<()>(
        &mut session,
        &m.providers[0],
        "mark_ready",
        &mark_ready_args(id),
        0,
    );
    assert_eq!(old, Err(SubscriptionError::Unauthorized));

    // The second misses too; nobody is left, so everything is refunded.
    advance_blocks(&mut session, READY_TIMEOUT + 1);
    let received = m.on(&mut session, &m.consumer, "reaward", id);
    assert_eq!(received, 3_000);
    let closed = m.closed(&mut session);
    assert_eq!(
        (closed.reason, closed.paid, closed.refunded),
        (CloseReason::ReadyTimeout, 0, 3_000)
    );
    assert_eq!(reserved(&mut session, &m.suite, m.offers[1]), 0);
    let reputation = m.reputation(&mut session, 1);
    assert_eq!(
        (reputation.missed_ready, reputation.missed_value),
        (1, 3_000)
    );
}

#[test]
fn top_up_by_a_third_account_extends_the_depletion_block() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 10, 5)]);
    let id = m.create(&mut session, &wants(10), 1_000);
    let ready_at = m.ready(&mut session, id, 0);
    advance_blocks(&mut session, 40);
    let before = details(&mut session, &m.suite, id);
    assert_eq!(before.figures.depletion_block, Some(ready_at + 100));
    let (_, received) = m.ok::<()>(
        &mut session,
        &m.sponsor,
        "Subscription::top_up",
        &[id.to_string()],
        500,
    );
    assert_eq!(received, -500, "the sponsor paid exactly its top-up");
    let topped = the_event::<ToppedUp>(&session, &m.suite.subscription);
    assert_eq!((topped.from, topped.amount), (ink_account(&m.sponsor), 500));
    let after = details(&mut session, &m.suite, id);
    assert_eq!(after.figures.depletion_block, Some(ready_at + 150));
    assert_eq!(after.figures.deposited, 1_500);
    let (zero, _) = m.act::<()>(
        &mut session,
        &m.sponsor,
        "Subscription::top_up",
        &[id.to_string()],
        0,
    );
    assert_eq!(
        zero,
        Err(SubscriptionError::InvalidInput(
            dinfra::types::Invalid::Amount
        ))
    );
    // Refunds go to the consumer, whoever topped up.
    advance_blocks(&mut session, 10);
    let received = m.on(&mut session, &m.consumer, "Subscription::cancel", id);
    assert_eq!(received, 0, "after ready, a cancel schedules the end");
    advance_blocks(&mut session, CONSUMER_NOTICE);
    let received = m.on(&mut session, &m.stranger, "settle", id);
    assert_eq!(received, 0, "the keeper gets nothing");
    let closed = m.closed(&mut session);
    let billed = u128::from(40 + 10 + CONSUMER_NOTICE) * 10;
    assert_eq!((closed.paid, closed.refunded), (billed, 1_500 - billed));
}

#[test]
fn dynamic_reprice_applies_after_notice_within_the_bound() {
    let mut session = Session::<DinfraSandbox>::default();
    let spec = OfferSpec {
        dynamic: true,
        ..fixed(10, 0, 10)
    };
    let m = Market::new(&mut session, &[spec]);
    let id = m.create(&mut session, &wants(15), 10_000);
    let ready_at = m.ready(&mut session, id, 0);
    advance_blocks(&mut session, 5);
    let (above, _) = m.act::<()>(
        &mut session,
        &m.providers[0],
        "propose_price",
        &[id.to_string(), "16".into()],
        0,
    );
    assert_eq!(above, Err(SubscriptionError::PriceAboveMax));
    let proposed_at = block_number(&mut session);
    m.ok::<()>(
        &mut session,
        &m.providers[0],
        "propose_price",
        &[id.to_string(), "15".into()],
        0,
    );
    let proposed = the_event::<PriceProposed>(&session, &m.suite.subscription);
    assert_eq!(
        (proposed.rate, proposed.effective_at, proposed.needs_consent),
        (15, proposed_at + 10, false)
    );
    advance_blocks(&mut session, 9);
    let (early, _) = m.act::<()>(
        &mut session,
        &m.stranger,
        "apply_price",
        &[id.to_string()],
        0,
    );
    assert_eq!(early, Err(SubscriptionError::TooEarly));
    advance_blocks(&mut session, 1);
    m.on(&mut session, &m.stranger, "apply_price", id);
    let changed = the_event::<PriceChanged>(&session, &m.suite.subscription);
    assert_eq!((changed.rate, changed.at), (15, proposed_at + 10));
    advance_blocks(&mut session, 4);
    let d = details(&mut session, &m.suite, id);
    let old_rate_blocks = u128::from(proposed_at + 10 - ready_at);
    assert_eq!(d.figures.accrued, old_rate_blocks * 10 + 4 * 15);
    assert_eq!(d.subscription.rate_per_block, 15);
}

#[test]
fn fixed_price_change_needs_the_consumers_consent() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 0, 10)]);
    let id = m.create(&mut session, &wants(10), 10_000);
    let ready_at = m.ready(&mut session, id, 0);
    let propose = |session: &mut Sandbox, rate: u128| {
        m.ok::<()>(
            session,
            &m.providers[0],
            "propose_price",
            &[id.to_string(), rate.to_string()],
            0,
        );
        let proposed = the_event::<PriceProposed>(session, &m.suite.subscription);
        assert!(proposed.needs_consent);
    };
    propose(&mut session, 30);
    let (applied, _) = m.act::<()>(
        &mut session,
        &m.stranger,
        "apply_price",
        &[id.to_string()],
        0,
    );
    assert_eq!(
        applied,
        Err(SubscriptionError::WrongState),
        "only consent applies it"
    );
    m.on(&mut session, &m.consumer, "Subscription::reject_price", id);
    let rejected = the_event::<PriceRejected>(&session, &m.suite.subscription);
    assert_eq!(rejected.rate, 30);
    assert_eq!(
        details(&mut session, &m.suite, id)
            .subscription
            .rate_per_block,
        10
    );

    advance_blocks(&mut session, 5);
    propose(&mut session, 12);
    let (stranger, _) = m.act::<()>(
        &mut session,
        &m.stranger,
        "Subscription::accept_price",
        &[id.to_string(), "12".into()],
        0,
    );
    assert_eq!(stranger, Err(SubscriptionError::Unauthorized));
    // The consumer accepts the very rate it was shown.
    let (other_rate, _) = m.act::<()>(
        &mut session,
        &m.consumer,
        "Subscription::accept_price",
        &[id.to_string(), "30".into()],
        0,
    );
    assert_eq!(other_rate, Err(SubscriptionError::ProposalChanged));
    let accepted_at = block_number(&mut session);
    m.ok::<()>(
        &mut session,
        &m.consumer,
        "Subscription::accept_price",
        &[id.to_string(), "12".into()],
        0,
    );
    let changed = the_event::<PriceChanged>(&session, &m.suite.subscription);
    assert_eq!((changed.rate, changed.at), (12, accepted_at));
    advance_blocks(&mut session, 10);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.figures.rate, 12);
    assert_eq!(
        d.figures.accrued,
        u128::from(accepted_at - ready_at) * 10 + 10 * 12
    );
}

#[test]
fn claims_pay_one_or_many_subscriptions_and_queries_page_them() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let ids: Vec<u64> = (0..3)
        .map(|_| m.create(&mut session, &wants(10), 1_000))
        .collect();
    assert_eq!(ids, vec![0, 1, 2]);
    for id in &ids {
        m.ready(&mut session, *id, 0);
    }
    advance_blocks(&mut session, 10);
    // All ready in the same block: 10 blocks billed each.
    assert_eq!(m.claim(&mut session, 0, 0), 100);
    let list = ids_arg(ids.iter().copied());
    let (total, received) = m.ok::<u128>(
        &mut session,
        &m.providers[0],
        "claim_many",
        &[list.clone()],
        0,
    );
    assert_eq!(
        total, 200,
        "subscription 0 earned nothing since its claim: skipped"
    );
    assert_eq!(received, total as i128);
    let claimed = events::<Claimed>(&session, &m.suite.subscription);
    assert_eq!(claimed.len(), 1, "one Claimed for the batch");
    assert_eq!(claimed[0].amount, total);
    assert_eq!(
        claimed[0]
            .claims
            .iter()
            .map(|&(id, _)| id)
            .collect::<Vec<_>>(),
        ids[1..],
        "subscription 0 had nothing: left out"
    );
    let (nothing, _) = m.act::<u128>(&mut session, &m.providers[0], "claim_many", &[list], 0);
    assert_eq!(nothing, Err(SubscriptionError::NothingToClaim));

    let page: Reply<(u32, Vec<(u64, dinfra::lifecycle::Subscription)>)> = call(
        &mut session,
        &m.suite.subscription,
        "Subscription::subscriptions_of_consumer",
        &[m.consumer.to_string(), "1".into(), "5".into()],
    );
    let (total, entries) = page.expect("a page");
    assert_eq!(total, 3);
    assert_eq!(
        entries.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let page: Reply<(u32, Vec<(u64, dinfra::lifecycle::Subscription)>)> = call(
        &mut session,
        &m.suite.subscription,
        "subscriptions_of_provider",
        &[m.providers[0].to_string(), "0".into(), "2".into()],
    );
    let (total, entries) = page.expect("a page");
    assert_eq!((total, entries.len()), (3, 2));
    assert!(entries.iter().all(|(_, s)| s.phase == Phase::Active));
}

#[test]
fn pause_blocks_new_subscriptions_but_not_claims_cancels_or_refunds() {
    let mut session = Session::<DinfraSandbox>::default();
    let m = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let awarded = m.create(&mut session, &wants(10), 1_000);
    let active = m.create(&mut session, &wants(10), 1_000);
    m.ready(&mut session, active, 0);
    session.set_actor(m.admin.clone());
    let paused: Result<(), AdminError> = call(
        &mut session,
        &m.suite.subscription,
        "Admin::set_paused",
        &["true".into()],
    );
    assert_eq!(paused, Ok(()));

    let (refused, _) = m.act::<u64>(
        &mut session,
        &m.consumer,
        "Subscription::create",
        &create_args(0, &wants(10), None),
        1_000,
    );
    assert_eq!(refused, Err(SubscriptionError::Paused));
    advance_blocks(&mut session, 10);
    assert_eq!(m.claim(&mut session, active, 0), 100);
    m.ok::<()>(
        &mut session,
        &m.sponsor,
        "Subscription::top_up",
        &[active.to_string()],
        100,
    );
    assert_eq!(
        m.on(&mut session, &m.consumer, "Subscription::cancel", awarded),
        1_000,
        "refunded"
    );
    m.on(&mut session, &m.consumer, "Subscription::cancel", active);
    advance_blocks(&mut session, CONSUMER_NOTICE);
    m.on(&mut session, &m.stranger, "settle", active);
    assert_eq!(
        m.closed(&mut session).reason,
        CloseReason::ConsumerCancelled
    );
}

#[test]
fn set_code_keeps_every_subscription() {
    let mut session = Session::<DinfraSandbox>::default();
    let mut m = Market::new(&mut session, &[fixed(10, 0, 5)]);
    // An awarded subscription that outlives the governance delay and is
    // still within its ready deadline afterwards.
    let ready_timeout = READY_TIMEOUT + 2 * GOVERNANCE_DELAY;
    let parameters = Parameters {
        ready_timeout,
        consumer_notice: CONSUMER_NOTICE,
    };
    let configure = vec![format!(
        "Parameters {{ ready_timeout: {ready_timeout}, consumer_notice: {CONSUMER_NOTICE} }}"
    )];
    m.ok::<()>(&mut session, &m.admin, "configure", &configure, 0);
    let current: Parameters = call(&mut session, &m.suite.subscription, "parameters", &[]);
    assert_eq!(current, parameters);
    let awarded = m.create(&mut session, &wants(10), 1_000);
    let active = m.create(&mut session, &wants(10), 2_000);
    let ready_at = m.ready(&mut session, active, 0);
    advance_blocks(&mut session, 7);

    session.set_actor(m.admin.clone());
    let code_hash = session
        .upload_bundle(
            BundleProvider::DinfraSubscription
                .bundle()
                .expect("subscription bundle"),
        )
        .expect("uploading the subscription code");
    m.recount(&mut session);
    let schedule = vec![code_change(code_hash.0)];
    let (refused, _) = m.act_on::<u32, AdminError>(
        &mut session,
        &m.stranger,
        &m.suite.subscription,
        "Admin::schedule_change",
        &schedule,
        0,
    );
    assert_eq!(refused, Err(AdminError::Unauthorized));
    let (scheduled, _) = m.act_on::<u32, AdminError>(
        &mut session,
        &m.admin,
        &m.suite.subscription,
        "Admin::schedule_change",
        &schedule,
        0,
    );
    let change = scheduled.expect("the admin schedules the upgrade");
    let apply = vec![change.to_string()];
    let (early, _) = m.act_on::<(), AdminError>(
        &mut session,
        &m.stranger,
        &m.suite.subscription,
        "Admin::apply_change",
        &apply,
        0,
    );
    assert_eq!(early, Err(AdminError::NotDue));
    advance_blocks(&mut session, GOVERNANCE_DELAY);
    let before: Vec<_> = [awarded, active]
        .iter()
        .map(|id| details(&mut session, &m.suite, *id))
        .collect();
    let (upgraded, _) = m.act_on::<(), AdminError>(
        &mut session,
        &m.stranger,
        &m.suite.subscription,
        "Admin::apply_change",
        &apply,
        0,
    );
    assert_eq!(upgraded, Ok(()), "anyone applies a due change");
    let after: Vec<_> = [awarded, active]
        .iter()
        .map(|id| details(&mut session, &m.suite, *id))
        .collect();
    assert_eq!(after, before, "every subscription survived the upgrade");

    // And the upgraded contract carries on with them.
    let billed = u128::from(block_number(&mut session) - ready_at) * 10;
    assert_eq!(billed, 10 * u128::from(7 + GOVERNANCE_DELAY));
    assert_eq!(m.claim(&mut session, active, 0), billed);
    m.ready(&mut session, awarded, 0);
    let id = m.create(&mut session, &wants(10), 500);
    assert_eq!(id, 2, "ids continue");
}

#[test]
fn reaward_to_an_offer_the_deposit_does_not_cover_refunds() {
    let mut session = Session::<DinfraSandbox>::default();
    // The second offer needs 12 × 500 = 6,000; the subscription holds 3,000.
    let m = Market::new(&mut session, &[fixed(10, 0, 5), fixed(12, 500, 5)]);
    let id = m.create(&mut session, &wants(12), 3_000);
    advance_blocks(&mut session, READY_TIMEOUT + 1);
    let received = m.on(&mut session, &m.stranger, "reaward", id);
    assert_eq!(received, 0, "the keeper gets nothing");
    let closed = m.closed(&mut session);
    assert_eq!(
        (closed.reason, closed.paid, closed.refunded),
        (CloseReason::ReadyTimeout, 0, 3_000)
    );
    assert!(
        events::<Awarded>(&session, &m.suite.subscription).is_empty(),
        "not awarded to an offer it cannot pay for"
    );
    assert_eq!(reserved(&mut session, &m.suite, m.offers[0]), 0);
    assert_eq!(
        reserved(&mut session, &m.suite, m.offers[1]),
        0,
        "released again"
    );
    assert_eq!(m.reputation(&mut session, 0).missed_ready, 1);
}
