//! One scenario per path of a subscription's lifecycle, across the four
//! contracts on the real pallet-contracts runtime. Each checks the records,
//! the events and the native balances to the unit: what the consumer sent,
//! what the provider received, what came back, and that the sum of every
//! balance in the market never changes.

use dinfra::admin::AdminError;
use dinfra::lifecycle::{CloseReason, Phase};
use dinfra::stream::StreamStatus;
use dinfra::traits::{Requirements, SubscriptionError};
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::{
    AwardRevoked, Awarded, Claimed, Closed, DeploymentReady, EndScheduled, PriceChanged,
    PriceProposed, PriceRejected, SubscriptionCreated, ToppedUp,
};
use drink::AccountId32;
use ink::scale::Decode;
use std::fmt::Debug;

type Reply<T> = Result<T, SubscriptionError>;

/// A market: one deployment type, providers with one offer each, a
/// consumer, a sponsor, a stranger (keeper) and the admin.
struct Market {
    suite: Suite,
    admin: AccountId32,
    consumer: AccountId32,
    sponsor: AccountId32,
    stranger: AccountId32,
    providers: Vec<AccountId32>,
    offers: Vec<u64>,
    /// Σ free + held of every account and contract: never changes.
    total: u128,
}

impl Market {
    fn new(session: &mut Sandbox, specs: &[OfferSpec]) -> Self {
        let suite = deploy_suite(session).expect("deploying the suite");
        let admin = session.get_actor();
        assert_eq!(register_type(session, &suite, "substrate-rpc"), 0);
        let mut providers = Vec::new();
        let mut offers = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let provider = funded_account(session, 10 + i as u8);
            offers.push(provider_with_terms(
                session,
                &suite,
                &provider,
                &[],
                0,
                *spec,
            ));
            providers.push(provider);
        }
        let mut market = Self {
            suite,
            admin,
            consumer: funded_account(session, 30),
            sponsor: funded_account(session, 31),
            stranger: funded_account(session, 32),
            providers,
            offers,
            total: 0,
        };
        market.total = market.sum(session);
        market
    }

    fn everyone(&self) -> Vec<AccountId32> {
        let mut all = vec![
            self.admin.clone(),
            self.consumer.clone(),
            self.sponsor.clone(),
            self.stranger.clone(),
        ];
        all.extend(self.suite.contracts());
        all.extend(self.providers.iter().cloned());
        all
    }

    fn sum(&self, session: &mut Sandbox) -> u128 {
        total_of(session, &self.everyone())
    }

    /// Calls a subscription message as `who`, sending `value`, and returns
    /// the reply with what `who` received net of storage deposits (negative
    /// when it paid). Checks that no balance appeared or vanished, and that
    /// a refused call moved nothing at all.
    fn act<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (Reply<T>, i128) {
        session.set_actor(who.clone());
        let before = free_balance(session, who);
        let reply: Reply<T> = subscription_call(session, &self.suite, message, args, value);
        let after = free_balance(session, who);
        assert_eq!(
            self.sum(session),
            self.total,
            "{message}: money appeared or vanished"
        );
        if reply.is_err() {
            assert_eq!(after, before, "{message}: a refused call moved value");
            return (reply, 0);
        }
        let received = after as i128 - before as i128 + storage_charge(session);
        (reply, received)
    }

    /// As [`Market::act`] for a call that must succeed.
    fn ok<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (T, i128) {
        let (reply, received) = self.act(session, who, message, args, value);
        (
            reply.unwrap_or_else(|e| panic!("{message}: {e:?}")),
            received,
        )
    }

    /// `create` by the consumer with `deposit`; checks the consumer paid
    /// exactly the deposit.
    fn create(&self, session: &mut Sandbox, requirements: &Requirements, deposit: u128) -> u64 {
        let (id, received) = self.ok::<u64>(
            session,
            &self.consumer,
            "create",
            &[
                "0".into(),
                descriptor_arg(9, "ipfs://rpc-node"),
                requirements_arg(requirements),
            ],
            deposit,
        );
        assert_eq!(
            received,
            -(deposit as i128),
            "the consumer paid its deposit"
        );
        id
    }

    /// `message(id)` as `who`, which must succeed; returns what `who` received.
    fn on(&self, session: &mut Sandbox, who: &AccountId32, message: &str, id: u64) -> i128 {
        self.ok::<()>(session, who, message, &[id.to_string()], 0).1
    }

    fn ready(&self, session: &mut Sandbox, id: u64, provider: usize) -> u32 {
        self.on(session, &self.providers[provider], "mark_ready", id);
        let ready = the_event::<DeploymentReady>(session, &self.suite.subscription);
        assert_eq!(ready.id, id);
        ready.at
    }

    fn claim(&self, session: &mut Sandbox, id: u64, provider: usize) -> u128 {
        let (amount, received) = self.ok::<u128>(
            session,
            &self.providers[provider],
            "claim",
            &[id.to_string()],
            0,
        );
        assert_eq!(received, amount as i128, "the provider received its claim");
        let claimed = the_event::<Claimed>(session, &self.suite.subscription);
        assert_eq!((claimed.id, claimed.amount), (id, amount));
        amount
    }

    fn reputation(&self, session: &mut Sandbox, provider: usize) -> dinfra::traits::Reputation {
        let record: Option<dinfra_registry::data::Provider> = call(
            session,
            &self.suite.registry,
            "provider",
            &[self.providers[provider].to_string()],
        );
        record.expect("a registered provider").reputation
    }

    fn closed(&self, session: &mut Sandbox) -> Closed {
        the_event::<Closed>(session, &self.suite.subscription)
    }
}

/// Requirements of a consumer paying at most `max_price_per_block` who
/// commits to 1,000 blocks (so offers' minimum durations fit).
fn wants(max_price_per_block: u128) -> Requirements {
    Requirements {
        min_duration: 1_000,
        ..max_price(max_price_per_block)
    }
}

fn fixed(price_per_block: u128, min_duration: u32, notice_blocks: u32) -> OfferSpec {
    OfferSpec {
        price_per_block,
        capacity: 5,
        min_duration,
        notice_blocks,
        dynamic: false,
    }
}

#[drink::test]
fn happy_path_runs_to_exhaustion_and_a_stranger_settles(mut session: Session) {
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
    assert_eq!(m.reputation(&mut session, 0).completed, 1);
    let live: u64 = call(&mut session, &m.suite.subscription, "live_count", &[]);
    assert_eq!(live, 0);
    let (again, _) = m.act::<()>(&mut session, &m.stranger, "settle", &[id.to_string()], 0);
    assert_eq!(again, Err(SubscriptionError::WrongState));
}

#[drink::test]
fn consumer_cancel_before_ready_refunds_everything(mut session: Session) {
    let m = Market::new(&mut session, &[fixed(10, 20, 5)]);
    let id = m.create(&mut session, &wants(10), 5_000);
    advance_blocks(&mut session, 3);
    let received = m.on(&mut session, &m.consumer, "cancel", id);
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
        &[id.to_string()],
        0,
    );
    assert_eq!(late, Err(SubscriptionError::WrongState));
}

#[drink::test]
fn consumer_cancel_after_ready_honours_min_duration_and_notice(mut session: Session) {
    let m = Market::new(&mut session, &[fixed(10, 50, 5)]);
    let requirements = Requirements {
        min_duration: 50,
        ..wants(10)
    };
    // Cancelled early: the minimum duration (50 from ready) is the later end.
    let early = m.create(&mut session, &requirements, 2_000);
    let ready_at = m.ready(&mut session, early, 0);
    advance_blocks(&mut session, 5);
    m.on(&mut session, &m.consumer, "cancel", early);
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
    m.on(&mut session, &m.consumer, "cancel", late);
    let scheduled = the_event::<EndScheduled>(&session, &m.suite.subscription);
    assert_eq!(scheduled.end, now + CONSUMER_NOTICE);
    assert_eq!(
        details(&mut session, &m.suite, late).subscription.phase,
        Phase::Ending
    );
    let (twice, _) = m.act::<()>(&mut session, &m.consumer, "cancel", &[late.to_string()], 0);
    assert_eq!(twice, Err(SubscriptionError::WrongState));

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
    assert_eq!(m.reputation(&mut session, 0).completed, 2);
}

#[drink::test]
fn provider_exit_gives_the_offers_notice(mut session: Session) {
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
}

#[drink::test]
fn ready_timeout_reawards_then_refunds_when_no_provider_is_left(mut session: Session) {
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
        &[id.to_string()],
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
    assert_eq!(m.reputation(&mut session, 0).missed_ready, 1);
    let d = details(&mut session, &m.suite, id);
    assert_eq!(d.figures.payee, ink_account(&m.providers[1]));
    assert_eq!(d.figures.rate, 12);
    let (old, _) = m.act::<()>(
        &mut session,
        &m.providers[0],
        "mark_ready",
        &[id.to_string()],
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
    assert_eq!(m.reputation(&mut session, 1).missed_ready, 1);
}

#[drink::test]
fn top_up_by_a_third_account_extends_the_depletion_block(mut session: Session) {
    let m = Market::new(&mut session, &[fixed(10, 10, 5)]);
    let id = m.create(&mut session, &wants(10), 1_000);
    let ready_at = m.ready(&mut session, id, 0);
    advance_blocks(&mut session, 40);
    let before = details(&mut session, &m.suite, id);
    assert_eq!(before.figures.depletion_block, Some(ready_at + 100));
    let (_, received) = m.ok::<()>(&mut session, &m.sponsor, "top_up", &[id.to_string()], 500);
    assert_eq!(received, -500, "the sponsor paid exactly its top-up");
    let topped = the_event::<ToppedUp>(&session, &m.suite.subscription);
    assert_eq!((topped.from, topped.amount), (ink_account(&m.sponsor), 500));
    let after = details(&mut session, &m.suite, id);
    assert_eq!(after.figures.depletion_block, Some(ready_at + 150));
    assert_eq!(after.figures.deposited, 1_500);
    let (zero, _) = m.act::<()>(&mut session, &m.sponsor, "top_up", &[id.to_string()], 0);
    assert_eq!(
        zero,
        Err(SubscriptionError::InvalidInput(
            dinfra::types::Invalid::Amount
        ))
    );
    // Refunds go to the consumer, whoever topped up.
    advance_blocks(&mut session, 10);
    let received = m.on(&mut session, &m.consumer, "cancel", id);
    assert_eq!(received, 0, "after ready, a cancel schedules the end");
    advance_blocks(&mut session, CONSUMER_NOTICE);
    let received = m.on(&mut session, &m.stranger, "settle", id);
    assert_eq!(received, 0, "the keeper gets nothing");
    let closed = m.closed(&mut session);
    let billed = u128::from(40 + 10 + CONSUMER_NOTICE) * 10;
    assert_eq!((closed.paid, closed.refunded), (billed, 1_500 - billed));
}

#[drink::test]
fn dynamic_reprice_applies_after_notice_within_the_bound(mut session: Session) {
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

#[drink::test]
fn fixed_price_change_needs_the_consumers_consent(mut session: Session) {
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
    m.on(&mut session, &m.consumer, "reject_price", id);
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
        "accept_price",
        &[id.to_string()],
        0,
    );
    assert_eq!(stranger, Err(SubscriptionError::Unauthorized));
    let accepted_at = block_number(&mut session);
    m.on(&mut session, &m.consumer, "accept_price", id);
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

#[drink::test]
fn claims_pay_one_or_many_subscriptions_and_queries_page_them(mut session: Session) {
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
    let list = format!(
        "[{}]",
        ids.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
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
    assert_eq!(events::<Claimed>(&session, &m.suite.subscription).len(), 2);
    let (nothing, _) = m.act::<u128>(&mut session, &m.providers[0], "claim_many", &[list], 0);
    assert_eq!(nothing, Err(SubscriptionError::NothingToClaim));

    let page: Reply<(u32, Vec<(u64, dinfra::lifecycle::Subscription)>)> = call(
        &mut session,
        &m.suite.subscription,
        "subscriptions_of_consumer",
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

#[drink::test]
fn pause_blocks_new_subscriptions_but_not_claims_cancels_or_refunds(mut session: Session) {
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
        "create",
        &[
            "0".into(),
            descriptor_arg(9, "ipfs://rpc-node"),
            requirements_arg(&wants(10)),
        ],
        1_000,
    );
    assert_eq!(refused, Err(SubscriptionError::Paused));
    advance_blocks(&mut session, 10);
    assert_eq!(m.claim(&mut session, active, 0), 100);
    m.ok::<()>(
        &mut session,
        &m.sponsor,
        "top_up",
        &[active.to_string()],
        100,
    );
    assert_eq!(
        m.on(&mut session, &m.consumer, "cancel", awarded),
        1_000,
        "refunded"
    );
    m.on(&mut session, &m.consumer, "cancel", active);
    advance_blocks(&mut session, CONSUMER_NOTICE);
    m.on(&mut session, &m.stranger, "settle", active);
    assert_eq!(
        m.closed(&mut session).reason,
        CloseReason::ConsumerCancelled
    );
}

#[drink::test]
fn set_code_keeps_every_subscription(mut session: Session) {
    let m = Market::new(&mut session, &[fixed(10, 0, 5)]);
    let awarded = m.create(&mut session, &wants(10), 1_000);
    let active = m.create(&mut session, &wants(10), 2_000);
    m.ready(&mut session, active, 0);
    advance_blocks(&mut session, 7);
    let before: Vec<_> = [awarded, active]
        .iter()
        .map(|id| details(&mut session, &m.suite, *id))
        .collect();

    session.set_actor(m.admin.clone());
    let code_hash = session
        .upload_bundle(
            BundleProvider::DinfraSubscription
                .bundle()
                .expect("subscription bundle"),
        )
        .expect("uploading the subscription code");
    session.set_actor(m.stranger.clone());
    let refused: Result<(), AdminError> = call(
        &mut session,
        &m.suite.subscription,
        "Admin::set_code",
        &[hex32(code_hash.0)],
    );
    assert_eq!(refused, Err(AdminError::Unauthorized));
    session.set_actor(m.admin.clone());
    let upgraded: Result<(), AdminError> = call(
        &mut session,
        &m.suite.subscription,
        "Admin::set_code",
        &[hex32(code_hash.0)],
    );
    assert_eq!(upgraded, Ok(()));
    let after: Vec<_> = [awarded, active]
        .iter()
        .map(|id| details(&mut session, &m.suite, *id))
        .collect();
    assert_eq!(after, before, "every subscription survived the upgrade");

    // And the upgraded contract carries on with them.
    assert_eq!(m.claim(&mut session, active, 0), 70);
    m.ready(&mut session, awarded, 0);
    let id = m.create(&mut session, &wants(10), 500);
    assert_eq!(id, 2, "ids continue");
}

#[drink::test]
fn reaward_to_an_offer_the_deposit_does_not_cover_refunds(mut session: Session) {
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
