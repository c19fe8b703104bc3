//! Terms a consumer can rely on: the price it accepted is the price it
//! pays, the offer's terms are checked against its requirements on the
//! registry's word (not the award contract's, not a front-run
//! `update_offer`'s), a provider's exit never takes its cancel away, and the
//! contract's parameters never reach a running subscription.

use super::*;
use dinfra::lifecycle::CloseReason;
use dinfra::selection::Reject;
use dinfra::traits::{Requirements, SubscriptionError};
use dinfra_e2e_tests::market::{fixed, wants};
use dinfra_subscription::subscription::{EndScheduled, PriceChanged, PriceProposed};

const DEPOSIT: u128 = 100_000;

fn dynamic(price_per_block: u128, notice_blocks: u32) -> OfferSpec {
    OfferSpec {
        dynamic: true,
        ..fixed(price_per_block, 0, notice_blocks)
    }
}

#[test]
fn a_provider_cannot_front_run_an_acceptance() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let id = market.create(&mut session, &wants(10), DEPOSIT);
    market.ready(&mut session, id, 0);
    let provider = market.providers[0].clone();
    let consumer = market.consumer.clone();
    let propose = |rate: u128| vec![id.to_string(), rate.to_string()];
    market.ok::<()>(&mut session, &provider, "propose_price", &propose(12), 0);
    assert!(the_event::<PriceProposed>(&session, &market.suite.subscription).needs_consent);
    // The consumer saw 12; the provider slips in 10,000 before its call.
    market.ok::<()>(
        &mut session,
        &provider,
        "propose_price",
        &propose(10_000),
        0,
    );
    market.refused(
        &mut session,
        &consumer,
        "Subscription::accept_price",
        &propose(12),
        0,
        SubscriptionError::ProposalChanged,
    );
    assert_eq!(
        market.details(&mut session, id).figures.rate,
        10,
        "the rate stayed"
    );
    market.ok::<()>(
        &mut session,
        &consumer,
        "Subscription::reject_price",
        &[id.to_string()],
        0,
    );
    market.ok::<()>(&mut session, &provider, "propose_price", &propose(12), 0);
    market.ok::<()>(
        &mut session,
        &consumer,
        "Subscription::accept_price",
        &propose(12),
        0,
    );
    assert_eq!(
        the_event::<PriceChanged>(&session, &market.suite.subscription).rate,
        12
    );
    assert_eq!(market.details(&mut session, id).figures.rate, 12);
}

#[test]
fn pricing_mode_repricing_bound_and_notices_are_the_consumers_to_demand() {
    let mut session = Session::<DinfraSandbox>::default();
    // 0: Dynamic, notice 3 · 1: Dynamic, notice 40 · 2: Fixed, notice 500.
    let market = Market::new(
        &mut session,
        &[dynamic(10, 3), dynamic(10, 40), fixed(10, 0, 500)],
    );
    let consumer = market.consumer.clone();
    let cases: [(Requirements, u64, Reject); 3] = [
        (
            Requirements {
                fixed_price_only: true,
                ..wants(10)
            },
            0,
            Reject::NotFixedPrice,
        ),
        (
            Requirements {
                min_reprice_notice: 10,
                ..wants(10)
            },
            0,
            Reject::RepriceNoticeTooShort,
        ),
        (
            Requirements {
                max_notice_blocks: Some(100),
                ..wants(10)
            },
            2,
            Reject::NoticeTooLong,
        ),
    ];
    for (requirements, offer, reject) in &cases {
        let named = market.create_as(
            &mut session,
            &consumer,
            requirements,
            Some(market.offers[*offer as usize]),
            DEPOSIT,
        );
        assert_eq!(named, Err(SubscriptionError::Unfit(*reject)), "{reject:?}");
    }
    // The award finds the one offer that fits all three.
    let all = Requirements {
        max_notice_blocks: Some(100),
        min_reprice_notice: 10,
        max_rate: Some(15),
        ..wants(10)
    };
    let id = market
        .create_as(&mut session, &consumer, &all, None, DEPOSIT)
        .unwrap();
    assert_eq!(
        market.details(&mut session, id).subscription.offer_id,
        market.offers[1]
    );
    market.ready(&mut session, id, 1);
    let provider = market.providers[1].clone();
    let propose = |rate: u128| vec![id.to_string(), rate.to_string()];
    market.refused(
        &mut session,
        &provider,
        "propose_price",
        &propose(16),
        0,
        SubscriptionError::PriceAboveMax,
    );
    market.ok::<()>(&mut session, &provider, "propose_price", &propose(15), 0);
    let proposed = the_event::<PriceProposed>(&session, &market.suite.subscription);
    assert_eq!(
        proposed.effective_at,
        block_number(&mut session) + 40,
        "a rise of up to max_rate, after the offer's notice"
    );
    let fixed_only = Requirements {
        fixed_price_only: true,
        ..wants(10)
    };
    let fixed_id = market
        .create_as(&mut session, &consumer, &fixed_only, None, DEPOSIT)
        .unwrap();
    assert_eq!(
        market.details(&mut session, fixed_id).subscription.offer_id,
        market.offers[2]
    );
}

#[test]
fn terms_that_moved_since_the_consumer_looked_are_refused() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let consumer = market.consumer.clone();
    let provider = market.providers[0].clone();
    let offer = market.offers[0];
    // The consumer looked at a price of 10; the provider raises it to 50
    // (and adds a cancel fee) just before the consumer's create.
    let raised: Result<(), dinfra::traits::RegistryError> = market
        .act_on(
            &mut session,
            &provider,
            &market.suite.registry,
            "update_offer",
            &[
                offer.to_string(),
                OfferSpec {
                    price_per_block: 50,
                    cancel_fee: 500,
                    ..fixed(50, 0, 5)
                }
                .arg(),
            ],
            0,
        )
        .0;
    raised.unwrap();
    let named = market.create_as(&mut session, &consumer, &wants(10), Some(offer), DEPOSIT);
    assert_eq!(named, Err(SubscriptionError::Unfit(Reject::TooExpensive)));
    let awarded = market.create_as(&mut session, &consumer, &wants(10), None, DEPOSIT);
    assert_eq!(awarded, Err(SubscriptionError::NoProvider));
    let accepting_price = Requirements {
        max_price_per_block: 50,
        ..wants(50)
    };
    let named = market.create_as(
        &mut session,
        &consumer,
        &accepting_price,
        Some(offer),
        DEPOSIT,
    );
    assert_eq!(
        named,
        Err(SubscriptionError::Unfit(Reject::CancelFeeTooHigh)),
        "nor a cancel fee the consumer did not accept"
    );
}

#[test]
fn a_hostile_award_cannot_break_a_requirement() {
    let mut session = Session::<DinfraSandbox>::default();
    let mut market = Market::new(&mut session, &[fixed(10, 0, 5), fixed(90, 0, 5)]);
    let admin = market.admin.clone();
    session.set_actor(admin.clone());
    let hostile = session
        .deploy_bundle(
            BundleProvider::PriciestAward
                .bundle()
                .expect("award fixture"),
            "new",
            &[market.suite.registry.to_string()],
            drink::session::NO_SALT,
            drink::session::NO_ENDOWMENT,
        )
        .expect("deploying the hostile award");
    market.include(&mut session, hostile.clone());
    schedule_and_apply(
        &mut session,
        &market.suite.subscription,
        link_change("Award", Some(&hostile)),
    );
    // It answers the 90-per-block offer to a consumer asking ≤ 10.
    let choice = format!("Some(({}, {}, 10))", market.offers[1], market.providers[1]);
    let _: () = call(&mut session, &hostile, "set_choice", &[choice]);
    let consumer = market.consumer.clone();
    let created = market.create_as(&mut session, &consumer, &wants(10), None, DEPOSIT);
    assert_eq!(created, Err(SubscriptionError::Unfit(Reject::TooExpensive)));
    let excluding = Requirements {
        excluded_providers: vec![ink_account(&market.providers[1])],
        ..wants(100)
    };
    let created = market.create_as(&mut session, &consumer, &excluding, None, DEPOSIT);
    assert_eq!(
        created,
        Err(SubscriptionError::Unfit(Reject::ExcludedProvider))
    );
    let count: u64 = market.subscription_count(&mut session);
    assert_eq!(count, 0);
}

#[test]
fn an_exit_never_takes_the_consumers_cancel_away() {
    let mut session = Session::<DinfraSandbox>::default();
    // Minimum duration 500, a notice of 2,000 blocks.
    let market = Market::new(&mut session, &[fixed(10, 500, 2_000)]);
    let id = market.create(&mut session, &wants(10), DEPOSIT);
    let ready = market.ready(&mut session, id, 0);
    advance_blocks(&mut session, 20);
    let provider = market.providers[0].clone();
    market.on(&mut session, &provider, "exit", id);
    let exit_end = the_event::<EndScheduled>(&session, &market.suite.subscription).end;
    assert_eq!(exit_end, block_number(&mut session) + 2_000);
    // The provider may tear it down any time now; the consumer need not pay
    // to the end of the notice (nor to its own minimum duration).
    let consumer = market.consumer.clone();
    market.on(&mut session, &consumer, "Subscription::cancel", id);
    let scheduled = the_event::<EndScheduled>(&session, &market.suite.subscription);
    let end = block_number(&mut session) + CONSUMER_NOTICE;
    assert_eq!(
        (scheduled.end, scheduled.reason),
        (end, CloseReason::ProviderExited)
    );
    market.refused(
        &mut session,
        &consumer,
        "Subscription::cancel",
        &[id.to_string()],
        0,
        SubscriptionError::AlreadyEnding,
    );
    advance_blocks(&mut session, CONSUMER_NOTICE);
    let stranger = market.stranger.clone();
    market.on(&mut session, &stranger, "settle", id);
    let closed = market.closed(&mut session);
    let paid = 10 * u128::from(end - ready);
    assert_eq!(closed.reason, CloseReason::ProviderExited);
    assert_eq!((closed.paid, closed.refunded), (paid, DEPOSIT - paid));
    assert_eq!(market.reputation(&mut session, 0).exited_early, 1);
}

#[test]
fn the_contracts_parameters_never_reach_a_running_subscription() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let id = market.create(&mut session, &wants(10), DEPOSIT);
    let before = market.details(&mut session, id).subscription;
    let admin = market.admin.clone();
    let configured: Result<(), SubscriptionError> = market
        .act(
            &mut session,
            &admin,
            "configure",
            &["Parameters { ready_timeout: 1, consumer_notice: 25 }".to_string()],
            0,
        )
        .0;
    configured.unwrap();
    let after = market.details(&mut session, id).subscription;
    assert_eq!(after, before, "the record is as it was");
    assert_eq!(
        (after.consumer_notice, after.ready_timeout),
        (CONSUMER_NOTICE, READY_TIMEOUT)
    );
    market.ready(&mut session, id, 0);
    let consumer = market.consumer.clone();
    market.on(&mut session, &consumer, "Subscription::cancel", id);
    assert_eq!(
        the_event::<EndScheduled>(&session, &market.suite.subscription).end,
        block_number(&mut session) + CONSUMER_NOTICE,
        "the notice it was created with"
    );
}

#[test]
fn a_pending_upgrade_lets_every_consumer_leave_with_the_notice_only() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(10, 1_000, 5)]);
    let id = market.create(&mut session, &wants(10), DEPOSIT);
    let ready = market.ready(&mut session, id, 0);
    let admin = market.admin.clone();
    session.set_actor(admin.clone());
    let code = session
        .upload_bundle(BundleProvider::DinfraEscrowV2.bundle().expect("escrow v2"))
        .expect("uploading");
    let scheduled: Result<u32, AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        &market.suite.escrow,
        "Admin::schedule_change",
        &[code_change(code.0)],
    );
    let change = scheduled.unwrap();
    let consumer = market.consumer.clone();
    market.on(&mut session, &consumer, "Subscription::cancel", id);
    let end = the_event::<EndScheduled>(&session, &market.suite.subscription).end;
    assert_eq!(end, block_number(&mut session) + CONSUMER_NOTICE);
    assert!(end < ready + 1_000, "the minimum duration was waived");
    // Once withdrawn, nothing is pending and the minimum binds again.
    let cancelled: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        &market.suite.escrow,
        "Admin::cancel_change",
        &[change.to_string()],
    );
    cancelled.unwrap();
    let sponsor = market.sponsor.clone();
    let other = market
        .create_as(&mut session, &sponsor, &wants(10), None, DEPOSIT)
        .unwrap();
    let other_ready = market.ready(&mut session, other, 0);
    market.on(&mut session, &sponsor, "Subscription::cancel", other);
    assert_eq!(
        the_event::<EndScheduled>(&session, &market.suite.subscription).end,
        other_ready + 1_000
    );
}
