//! The subscription lifecycle's part of [`super::suite_messages`]: every
//! transition of a subscription (with the escrow's `deposit` and
//! `withdraw` of its stream) and the subscription contract's configuration.

use dinfra::traits::{EscrowError, SubscriptionError};
use dinfra_e2e_tests::*;

use super::{Cast, Types};
use crate::market::*;
use crate::measure::Bench;

/// Subscriptions, through every transition (with the escrow's `deposit`
/// and `withdraw` of one's stream), and the subscription contract's
/// configuration. Returns a cancelled and settled subscription and a live one.
pub(super) fn messages(
    bench: &mut Bench,
    session: &mut Sandbox,
    suite: &Suite,
    who: &Cast,
    types: &Types,
) -> (u64, u64) {
    let [_, _, subscription, escrow] = contracts(suite);
    let (consumer, provider, anyone) = (&who.consumer, &who.provider, &who.anyone);
    let t0 = types.fixed;
    let create_args = [
        t0.to_string(),
        descriptor_arg(9, "ipfs://rpc-node"),
        requirements_arg(&max_price(10)),
        "None".into(),
    ];
    let s0: u64 = bench.call_with_value::<_, SubscriptionError>(
        session,
        &subscription,
        consumer,
        "Subscription::create",
        &create_args,
        10_000,
    );
    let stream0 = stream_of(session, suite, s0);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        provider,
        "mark_ready",
        &mark_ready_args(s0),
    );
    bench.call_with_value::<(), SubscriptionError>(
        session,
        &subscription,
        &who.sponsor,
        "Subscription::top_up",
        &id_arg(s0),
        500,
    );
    bench.call_with_value::<(), EscrowError>(
        session,
        &escrow,
        &who.sponsor,
        "Escrow::deposit",
        &id_arg(stream0),
        500,
    );
    advance_blocks(session, 10);
    bench.call::<u128, SubscriptionError>(session, &subscription, provider, "claim", &id_arg(s0));
    advance_blocks(session, 5);
    bench.call::<u128, EscrowError>(
        session,
        &escrow,
        &who.payee,
        "Escrow::withdraw",
        &id_arg(stream0),
    );
    let propose = [s0.to_string(), "12".into()];
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        provider,
        "propose_price",
        &propose,
    );
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        consumer,
        "Subscription::reject_price",
        &id_arg(s0),
    );
    subscription_ok::<()>(session, suite, provider, "propose_price", &propose);
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        consumer,
        "Subscription::accept_price",
        &propose,
    );

    let s1 = create(session, suite, consumer, t0, 10, 10_000);
    mark_ready(session, suite, provider, [s1]);
    bench.call::<(), SubscriptionError>(session, &subscription, provider, "exit", &id_arg(s1));

    // Declined before ready: the type has no other provider, so it closes
    // with a full refund.
    let s2 = create(session, suite, consumer, t0, 10, 10_000);
    bench.call::<(), SubscriptionError>(session, &subscription, provider, "decline", &id_arg(s2));

    // Dynamic pricing: proposed, applied by anyone after the notice.
    let s3 = create(session, suite, consumer, types.dynamic, 15, 10_000);
    mark_ready(session, suite, &who.dynamic_provider, [s3]);
    let propose = [s3.to_string(), "15".into()];
    subscription_ok::<()>(
        session,
        suite,
        &who.dynamic_provider,
        "propose_price",
        &propose,
    );
    advance_blocks(session, 10);
    bench.call::<(), SubscriptionError>(session, &subscription, anyone, "apply_price", &id_arg(s3));

    // The awarded provider misses its deadline: the other one gets it.
    let s4 = create(session, suite, consumer, types.reaward, 10, 10_000);
    advance_blocks(session, READY_TIMEOUT + 1);
    bench.call::<(), SubscriptionError>(session, &subscription, anyone, "reaward", &id_arg(s4));

    let s5 = create(session, suite, consumer, t0, 10, 10_000);
    let s6 = create(session, suite, consumer, t0, 10, 10_000);
    mark_ready(session, suite, provider, [s5, s6]);
    advance_blocks(session, 5);
    let both = [format!("[{s5}, {s6}]")];
    bench.call::<u128, SubscriptionError>(session, &subscription, provider, "claim_many", &both);

    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        consumer,
        "Subscription::cancel",
        &id_arg(s0),
    );
    advance_blocks(session, CONSUMER_NOTICE);
    bench.call::<(), SubscriptionError>(session, &subscription, anyone, "settle", &id_arg(s0));
    let parameters = [format!(
        "Parameters {{ ready_timeout: {READY_TIMEOUT}, consumer_notice: {CONSUMER_NOTICE} }}"
    )];
    bench.call::<(), SubscriptionError>(
        session,
        &subscription,
        &who.admin,
        "configure",
        &parameters,
    );
    (s0, s5)
}
