//! The scaling series, each group in a fresh sandbox: `create` (the
//! registry choosing, naming the offer, and through the award contract) and
//! `Award::select` with 10 to 1,000 offers of the type ([`with_offers`]); `claim`,
//! `settle` and `Escrow::withdraw` after 10 to 1,000,000 blocks of billing
//! ([`after_blocks`]); page queries with 10 and 1,000 subscriptions and
//! `claim_many` of 1 to 50 ([`many_subscriptions`]); and the checks that
//! the costs the design keeps flat stay flat ([`check_flatness`]).

use std::time::Instant;

use dinfra::traits::{AwardDecision, AwardError, EscrowError};
use dinfra_e2e_tests::*;

use crate::capacity::Limits;
use crate::market::*;
use crate::measure::{dry_run, send, Bench, Cost};
use crate::report::thousands;

/// `Award::select` (by a plain selector) and `create` with `offers` offers
/// of the type.
pub fn with_offers(bench: &mut Bench, limits: &Limits, offers: u32) {
    let Deployed {
        ref mut session,
        ref suite,
        ref admin,
    } = deployed(limits);
    let driver = actor(session, "selector", 50);
    let consumer = actor(session, "consumer", 51);
    let t0 = register_type(session, suite, "substrate-rpc");
    publish_offers(session, suite, t0, offers, 100);
    let label = format!("{} offers", thousands(offers));
    create(session, suite, &consumer, t0, 10, 10_000);
    bench.point("create", label.clone(), offers.into(), Cost::last(session));
    // The same subscription naming the offer: no award call at all.
    session.set_actor(consumer.id.clone());
    let named = create_with_offer(session, suite, t0, &max_price(10), Some(0), 10_000);
    assert!(named.is_ok(), "{named:?}");
    bench.point(
        "create naming the offer",
        label.clone(),
        offers.into(),
        Cost::last(session),
    );
    // The same through the award contract (the award link moved to it):
    // `Award::select`, then the registry reserves.
    session.set_actor(admin.id.clone());
    use_award_contract(session, suite);
    create(session, suite, &consumer, t0, 10, 10_000);
    bench.point(
        "create through the award contract",
        label.clone(),
        offers.into(),
        Cost::last(session),
    );
    session.set_actor(admin.id.clone());
    schedule_and_apply(
        session,
        &suite.award,
        link_change("Controller", Some(&driver.id)),
    );
    send::<AwardDecision, AwardError>(
        session,
        &suite.award,
        &driver,
        "Award::select",
        &select_args(t0),
    );
    let cost = Cost::last(session);
    bench.point("Award::select", label, offers.into(), cost);
}

/// A fresh sandbox ([`deployed`]) with a consumer, anyone and a provider
/// with one fixed offer (10 a block, `capacity`) of a new type, `t0`.
struct OneOffer {
    session: Sandbox,
    suite: Suite,
    consumer: Actor,
    anyone: Actor,
    provider: Actor,
    t0: u32,
}

fn one_offer(limits: &Limits, capacity: u32) -> OneOffer {
    let Deployed {
        mut session, suite, ..
    } = deployed(limits);
    let consumer = actor(&mut session, "consumer", 30);
    let anyone = actor(&mut session, "anyone", 32);
    let provider = actor(&mut session, "provider", 40);
    let t0 = register_type(&mut session, &suite, "substrate-rpc");
    provider_offering(&mut session, &suite, &provider, t0, fixed(10, capacity));
    OneOffer {
        session,
        suite,
        consumer,
        anyone,
        provider,
        t0,
    }
}

/// `claim`, `settle` and the payee's `Escrow::withdraw` after `blocks`
/// blocks of billing.
pub fn after_blocks(bench: &mut Bench, limits: &Limits, blocks: u32) {
    let OneOffer {
        ref mut session,
        ref suite,
        consumer,
        anyone,
        provider,
        t0,
    } = one_offer(limits, 5);
    let billed = 10 * u128::from(blocks);
    // Claimed after `blocks`; runs out exactly then (settled); withdrawn
    // from the escrow directly.
    let claimed = create(session, suite, &consumer, t0, 10, 2 * billed);
    let exhausted = create(session, suite, &consumer, t0, 10, billed);
    let withdrawn = create(session, suite, &consumer, t0, 10, 2 * billed);
    mark_ready(session, suite, &provider, [claimed, exhausted, withdrawn]);
    advance_blocks(session, blocks);
    let label = format!("after {} blocks", thousands(blocks));
    let amount: u128 = subscription_ok(session, suite, &provider, "claim", &id_arg(claimed));
    assert_eq!(amount, billed);
    bench.point("claim", label.clone(), blocks.into(), Cost::last(session));
    subscription_ok::<()>(session, suite, &anyone, "settle", &id_arg(exhausted));
    bench.point("settle", label.clone(), blocks.into(), Cost::last(session));
    let stream = stream_of(session, suite, withdrawn);
    let amount: u128 = send::<_, EscrowError>(
        session,
        &suite.escrow,
        &provider,
        "Escrow::withdraw",
        &id_arg(stream),
    );
    assert_eq!(amount, billed);
    let cost = Cost::last(session);
    bench.point("Escrow::withdraw", label, blocks.into(), cost);
}

/// The page queries measured with N subscriptions of one consumer: each
/// series is named after its message (the consumer's is a trait message:
/// its metadata label is `Subscription::subscriptions_of_consumer`).
const PAGES: [&str; 3] = [
    "subscriptions_of_consumer first 10",
    "subscriptions_of_consumer last 10",
    "subscriptions_of_provider first 10",
];

/// The metadata label of a page series' message.
fn page_message(series: &str) -> &'static str {
    if series.starts_with("subscriptions_of_consumer") {
        "Subscription::subscriptions_of_consumer"
    } else {
        "subscriptions_of_provider"
    }
}

/// One consumer's subscriptions: the paginated queries with 10 and 1,000 of
/// them, and claims of 1, 10 and 50 subscriptions in one `claim_many`, and
/// again as the reactor makes them: straight at the escrow, whose streams'
/// payee the provider is (`Escrow::withdraw_many`, no subscription code
/// loaded).
pub fn many_subscriptions(bench: &mut Bench, limits: &Limits) {
    let OneOffer {
        ref mut session,
        ref suite,
        consumer,
        anyone,
        provider,
        t0,
    } = one_offer(limits, 1_024);
    let mut count = 0u64;
    let mut create_up_to = |session: &mut Sandbox, n: u64| {
        let started = Instant::now();
        while count < n {
            create(session, suite, &consumer, t0, 10, 100_000);
            count += 1;
            // drink scans the block's events after every call: a new block
            // now and then keeps that short.
            if count % 25 == 0 {
                advance_blocks(session, 1);
            }
        }
        eprintln!(
            "bench: {n} subscriptions of one consumer ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    };
    let queries = |bench: &mut Bench, session: &mut Sandbox, total: u64| {
        let pages = [
            page(&consumer.id, 0),
            page(&consumer.id, total - 10),
            page(&provider.id, 0),
        ];
        for (series, args) in PAGES.into_iter().zip(pages) {
            let message = page_message(series);
            let cost = dry_run(session, &suite.subscription, &anyone, message, &args);
            let label = format!("{} subscriptions", thousands(total));
            bench.point(series, label, total, cost);
        }
    };
    create_up_to(session, 10);
    queries(bench, session, 10);

    // Claims: ids 0 (alone), 1..=10, 11..=60 and 61 (`claim`).
    create_up_to(session, 62);
    mark_ready(session, suite, &provider, 0..62);
    advance_blocks(session, 10);
    subscription_ok::<u128>(session, suite, &provider, "claim", &id_arg(61));
    bench.point("claim_many", "claim (1, alone)", 0, Cost::last(session));
    for range in [0..1u64, 1..11, 11..61] {
        let n = range.end - range.start;
        let total: u128 =
            subscription_ok(session, suite, &provider, "claim_many", &[ids_arg(range)]);
        assert_eq!(total, 100 * u128::from(n as u32));
        bench.point(
            "claim_many",
            format!("{n} subscription{}", if n == 1 { "" } else { "s" }),
            n,
            Cost::last(session),
        );
    }

    // The same claims 10 blocks later, as the reactor sends them.
    advance_blocks(session, 10);
    for range in [0..1u64, 1..11, 11..61] {
        let n = range.end - range.start;
        let streams: Vec<u64> = range.map(|id| stream_of(session, suite, id)).collect();
        let amounts: Vec<u128> = send::<_, EscrowError>(
            session,
            &suite.escrow,
            &provider,
            "Escrow::withdraw_many",
            &[ids_arg(streams)],
        );
        assert_eq!(amounts, vec![100; n as usize]);
        bench.point(
            "Escrow::withdraw_many",
            format!("{n} stream{}", if n == 1 { "" } else { "s" }),
            n,
            Cost::last(session),
        );
    }

    create_up_to(session, 1_000);
    queries(bench, session, 1_000);
}

/// Records that what the design keeps O(1) or O(limit) stayed so: within
/// 10% across the offers and subscriptions, 5% across the blocks.
pub fn check_flatness(bench: &mut Bench) {
    bench.check_flat("`create`", "create", 10, 1_000, 0.10);
    bench.check_flat("`Award::select`", "Award::select", 10, 1_000, 0.10);
    bench.check_flat(
        "`Escrow::withdraw`",
        "Escrow::withdraw",
        10,
        1_000_000,
        0.05,
    );
    bench.check_flat("`claim`", "claim", 10, 1_000_000, 0.05);
    bench.check_flat("`settle`", "settle", 10, 1_000_000, 0.05);
    for series in PAGES {
        bench.check_flat(series, series, 10, 1_000, 0.10);
    }
}
