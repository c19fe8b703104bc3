//! The pool contract as a subscription's consumer, in the drink sandbox:
//! contributors fund one deployment, the governor runs it through the
//! `Subscription` trait, and when it closes every contributor gets back its
//! contribution less its share of what the provider was paid — to the unit.
//! Every call goes through the market's checks: no balance appears or
//! vanishes anywhere, and a refused call moves nothing.

#[path = "subscription_random/rng.rs"]
#[allow(dead_code)] // shared with the subscription test, which uses all of it
mod rng;

use dinfra::lifecycle::CloseReason;
use dinfra::pool::{PoolError, PoolPhase};
use dinfra_e2e_tests::market::{fixed, wants, Market};
use dinfra_e2e_tests::pool::Pool;
use dinfra_e2e_tests::*;
use dinfra_pool::pool::{PoolClosed, Spent, Withdrawn};
use drink::AccountId32;
use rng::{sequence_seed, Rng};

/// The offer's rate per block, minimum duration and notice.
const RATE: u128 = 10;
const MIN_DURATION: u32 = 100;
const NOTICE: u32 = 20;
/// The least deposit the offer takes: rate × minimum duration.
const MIN_DEPOSIT: u128 = RATE * MIN_DURATION as u128;

struct World {
    session: Sandbox,
    market: Market,
    pool: Pool,
    contributors: Vec<AccountId32>,
}

fn world(contributors: u8) -> World {
    let mut session = Sandbox::default();
    let mut market = Market::new(&mut session, &[fixed(RATE, MIN_DURATION, NOTICE)]);
    let governor = funded_account(&mut session, 40);
    let pool = Pool::deploy(&mut session, &mut market, governor, RATE);
    let contributors = (0..contributors)
        .map(|i| {
            let account = funded_account(&mut session, 41 + i);
            market.include(&mut session, account.clone());
            account
        })
        .collect();
    World {
        session,
        market,
        pool,
        contributors,
    }
}

impl World {
    fn contribute(&mut self, who: usize, amount: u128) {
        let account = self.contributors[who].clone();
        self.pool
            .contribute(&mut self.session, &self.market, &account, amount);
    }

    fn create(&mut self, deposit: u128) -> u64 {
        let id = self
            .pool
            .create(&mut self.session, &self.market, &wants(RATE), None, deposit)
            .expect("the governor creates the pool's subscription");
        let spent = the_event::<Spent>(&self.session, &self.pool.address);
        assert_eq!((spent.id, spent.amount), (id, deposit));
        let details = self.market.details(&mut self.session, id);
        assert_eq!(
            details.subscription.consumer,
            ink_account(&self.pool.address),
            "the pool is the consumer"
        );
        id
    }

    fn governor(&mut self, message: &str, args: &[String]) -> Result<(), PoolError> {
        let governor = self.pool.governor.clone();
        self.pool
            .act::<()>(&mut self.session, &self.market, &governor, message, args, 0)
            .0
    }

    /// The block subscription `id`'s billing ends at (scheduled).
    fn end_of(&mut self, id: u64) -> u32 {
        let details = self.market.details(&mut self.session, id);
        details.subscription.end.expect("an end").0
    }

    /// Builds blocks up to `block`.
    fn advance_to(&mut self, block: u32) {
        let now = block_number(&mut self.session);
        advance_blocks(&mut self.session, block - now);
    }

    /// Settles the subscription at its end (anyone), then closes the pool
    /// (anyone); returns the pool's `PoolClosed`.
    fn settle_and_close(&mut self, id: u64) -> PoolClosed {
        let stranger = self.market.stranger.clone();
        if self
            .market
            .details(&mut self.session, id)
            .subscription
            .closed
            .is_none()
        {
            self.market.on(&mut self.session, &stranger, "settle", id);
        }
        self.pool
            .ok::<()>(&mut self.session, &self.market, &stranger, "close", &[], 0);
        the_event::<PoolClosed>(&self.session, &self.pool.address)
    }

    /// Every contributor withdraws, in order; checks each payout against
    /// the rule computed here from the chain's figures: contribution less
    /// its share of what the provider was paid, rounded against the
    /// contributor, the dust to the last. Returns the payouts.
    fn withdraw_all(&mut self, id: u64, contributed: &[u128]) -> Vec<u128> {
        let figures = self.market.details(&mut self.session, id).figures;
        assert_eq!(
            figures.held, 0,
            "the escrow holds nothing of a closed stream"
        );
        let total: u128 = contributed.iter().sum();
        let books = self.pool.books(&mut self.session);
        assert_eq!(books.contributed, total);
        assert_eq!(
            books.sent, figures.deposited,
            "everything sent was deposited"
        );
        assert_eq!(books.refunded, figures.refunded);
        let paid = figures.deposited - figures.refunded;
        assert_eq!(books.distributable, total - paid, "what contributors share");
        let last = contributed.iter().rposition(|c| *c > 0);
        let mut payouts = Vec::new();
        for (who, c) in contributed.iter().enumerate() {
            let account = self.contributors[who].clone();
            if *c == 0 {
                self.pool.refused(
                    &mut self.session,
                    &self.market,
                    &account,
                    "withdraw",
                    &[],
                    0,
                    PoolError::NoContribution,
                );
                payouts.push(0);
                continue;
            }
            let preview = self.pool.withdrawable(&mut self.session, &account);
            let amount = self
                .pool
                .withdraw(&mut self.session, &self.market, &account);
            assert_eq!(amount, preview, "withdrawable said what withdraw paid");
            let event = the_event::<Withdrawn>(&self.session, &self.pool.address);
            let share_of_paid = (c * paid).div_ceil(total);
            if Some(who) == last {
                let earlier: u128 = payouts.iter().sum();
                assert_eq!(
                    amount,
                    books.distributable - earlier,
                    "the last takes the rest"
                );
                assert_eq!(event.dust, amount - (c - share_of_paid));
                assert!(
                    event.dust < contributed.len() as u128,
                    "dust under a unit each"
                );
            } else {
                assert_eq!(
                    amount,
                    c - share_of_paid,
                    "contribution less its share of the pay"
                );
                assert_eq!(event.dust, 0);
            }
            self.pool.refused(
                &mut self.session,
                &self.market,
                &account,
                "withdraw",
                &[],
                0,
                PoolError::AlreadyWithdrawn,
            );
            payouts.push(amount);
        }
        let books = self.pool.books(&mut self.session);
        assert_eq!(books.paid_out, books.distributable, "every unit paid out");
        assert_eq!(payouts.iter().sum::<u128>(), books.distributable);
        payouts
    }
}

#[test]
fn the_pool_runs_a_deployment_from_contributions_to_pro_rata_payouts() {
    let mut w = world(3);
    let stranger = w.market.stranger.clone();
    w.contribute(0, 3_000);
    w.contribute(1, 1_000);
    // Only the governor spends, and only within the terms.
    for message in ["cancel", "reject_price"] {
        let (reply, _) = w
            .pool
            .act::<()>(&mut w.session, &w.market, &stranger, message, &[], 0);
        assert_eq!(reply, Err(PoolError::NotGovernor), "{message}");
    }
    let dearer = w
        .pool
        .create(&mut w.session, &w.market, &wants(RATE + 1), None, 2_000);
    assert_eq!(dearer, Err(PoolError::OutsideTerms));
    let too_much = w
        .pool
        .create(&mut w.session, &w.market, &wants(RATE), None, 4_001);
    assert_eq!(too_much, Err(PoolError::InsufficientFunds));
    let short = w.pool.create(
        &mut w.session,
        &w.market,
        &wants(RATE),
        None,
        MIN_DEPOSIT - 1,
    );
    assert_eq!(
        short,
        Err(PoolError::Subscription(
            dinfra::traits::SubscriptionError::InsufficientDeposit
        )),
        "the subscription contract's refusal, through the trait"
    );

    let id = w.create(2_000);
    assert_eq!(w.pool.books(&mut w.session).phase, PoolPhase::Running(id));
    let again = w
        .pool
        .create(&mut w.session, &w.market, &wants(RATE), None, 1_000);
    assert_eq!(
        again,
        Err(PoolError::AlreadyStarted),
        "a pool funds one deployment"
    );
    let ready_at = w.market.ready(&mut w.session, id, 0);
    advance_blocks(&mut w.session, 50);

    // A newcomer funds the running deployment in the same call.
    let newcomer = w.contributors[2].clone();
    let (_, received) = w.pool.ok::<()>(
        &mut w.session,
        &w.market,
        &newcomer,
        "contribute_and_top_up",
        &[],
        500,
    );
    assert_eq!(received, -500);
    assert_eq!(
        w.market.details(&mut w.session, id).figures.deposited,
        2_500
    );
    // Contributions are committed while it runs.
    let first = w.contributors[0].clone();
    w.pool.refused(
        &mut w.session,
        &w.market,
        &first,
        "withdraw",
        &[],
        0,
        PoolError::Committed,
    );
    w.contribute(1, 1_000);
    assert_eq!(
        w.governor("top_up", &["3001".into()]),
        Err(PoolError::InsufficientFunds)
    );
    assert_eq!(w.governor("top_up", &["1000".into()]), Ok(()));
    assert_eq!(
        w.market.details(&mut w.session, id).figures.deposited,
        3_500
    );
    assert_eq!(
        w.governor("accept_price", &["11".into()]),
        Err(PoolError::OutsideTerms)
    );

    advance_blocks(&mut w.session, 100);
    assert_eq!(w.governor("cancel", &[]), Ok(()));
    let end = w.end_of(id);
    assert!(end >= ready_at + MIN_DURATION);
    let (early, _) = w
        .pool
        .act::<()>(&mut w.session, &w.market, &stranger, "close", &[], 0);
    assert_eq!(early, Err(PoolError::SubscriptionLive));
    w.advance_to(end);
    let closed = w.settle_and_close(id);
    assert_eq!(closed.sent, 3_500);
    assert_eq!(
        w.market.details(&mut w.session, id).subscription.closed,
        Some(CloseReason::ConsumerCancelled)
    );
    let payouts = w.withdraw_all(id, &[3_000, 2_000, 500]);
    assert!(payouts.iter().all(|p| *p > 0));
    w.pool.refused(
        &mut w.session,
        &w.market,
        &first,
        "contribute",
        &[],
        10,
        PoolError::PoolClosed,
    );
}

#[test]
fn a_provider_exit_ends_billing_and_the_rest_comes_back() {
    let mut w = world(2);
    w.contribute(0, 2_500);
    w.contribute(1, 1_500);
    let id = w.create(3_000);
    w.market.ready(&mut w.session, id, 0);
    advance_blocks(&mut w.session, 30);
    let provider = w.market.providers[0].clone();
    w.market.on(&mut w.session, &provider, "exit", id);
    let end = w.end_of(id);
    w.advance_to(end);
    w.settle_and_close(id);
    let payouts = w.withdraw_all(id, &[2_500, 1_500]);
    // Billed 30 + NOTICE blocks at RATE; unspent 1,000 never left the pool.
    assert_eq!(
        payouts.iter().sum::<u128>(),
        4_000 - (30 + NOTICE as u128) * RATE
    );
}

#[test]
fn when_the_money_runs_out_only_the_unspent_part_is_shared() {
    let mut w = world(3);
    w.contribute(0, 700);
    w.contribute(1, 700);
    w.contribute(2, 601);
    let id = w.create(MIN_DEPOSIT);
    w.market.ready(&mut w.session, id, 0);
    advance_blocks(&mut w.session, MIN_DURATION + 5);
    let closed = w.settle_and_close(id);
    assert_eq!((closed.refunded, closed.distributable), (0, 1_001));
    assert_eq!(
        w.market.details(&mut w.session, id).subscription.closed,
        Some(CloseReason::FundsExhausted)
    );
    // 1,001 shared 700 : 700 : 601 of 2,001 — rounding dust goes last.
    let payouts = w.withdraw_all(id, &[700, 700, 601]);
    assert_eq!(payouts, [350, 350, 301]);
}

#[test]
fn a_ready_timeout_refunds_every_contributor_in_full() {
    let mut w = world(2);
    w.contribute(0, 1_234);
    w.contribute(1, 4_321);
    let id = w.create(5_000);
    advance_blocks(&mut w.session, READY_TIMEOUT + 1);
    let stranger = w.market.stranger.clone();
    // The only provider missed its deadline: no one is left to award it to.
    w.market.on(&mut w.session, &stranger, "reaward", id);
    assert_eq!(
        w.market.details(&mut w.session, id).subscription.closed,
        Some(CloseReason::ReadyTimeout)
    );
    let closed = w.settle_and_close(id);
    assert_eq!(closed.refunded, 5_000);
    assert_eq!(w.withdraw_all(id, &[1_234, 4_321]), [1_234, 4_321]);
}

#[test]
fn before_the_start_contributors_come_and_go_freely() {
    let mut w = world(2);
    w.contribute(0, 900);
    let first = w.contributors[0].clone();
    assert_eq!(w.pool.withdraw(&mut w.session, &w.market, &first), 900);
    w.pool.refused(
        &mut w.session,
        &w.market,
        &first,
        "withdraw",
        &[],
        0,
        PoolError::NoContribution,
    );
    w.pool.refused(
        &mut w.session,
        &w.market,
        &first,
        "contribute_and_top_up",
        &[],
        100,
        PoolError::NotStarted,
    );
    assert_eq!(w.governor("close", &[]), Err(PoolError::NotStarted));
    assert_eq!(
        w.pool
            .create(&mut w.session, &w.market, &wants(RATE), None, MIN_DEPOSIT),
        Err(PoolError::InsufficientFunds),
        "the taken-back contribution is not the pool's to spend"
    );
    // The governor hands over in two steps; the old one loses its power.
    let heir = w.contributors[1].clone();
    let old = w.pool.governor.clone();
    assert_eq!(w.governor("transfer_governor", &[heir.to_string()]), Ok(()));
    let (stolen, _) =
        w.pool
            .act::<()>(&mut w.session, &w.market, &first, "accept_governor", &[], 0);
    assert_eq!(stolen, Err(PoolError::NotGovernor));
    w.pool
        .ok::<()>(&mut w.session, &w.market, &heir, "accept_governor", &[], 0);
    w.pool.governor = heir;
    w.contribute(1, MIN_DEPOSIT);
    let (refused, _) = w
        .pool
        .act::<()>(&mut w.session, &w.market, &old, "cancel", &[], 0);
    assert_eq!(refused, Err(PoolError::NotGovernor));
    w.create(MIN_DEPOSIT);
}

/// A governor colluding with a provider cannot let it take the pool's
/// money beyond the terms: not by a Dynamic repricing bound above
/// `max_rate`, not by a cancel fee (the terms allow none), not by
/// accepting a dearer price. Each attempt moves nothing.
#[test]
fn the_governor_cannot_reach_past_the_terms() {
    let mut w = world(1);
    w.contribute(0, 5_000);
    let reprice_dry = dinfra::traits::Requirements {
        max_rate: Some(1_000 * RATE),
        ..wants(RATE)
    };
    let fee = dinfra::traits::Requirements {
        max_cancel_fee: 4_000,
        ..wants(RATE)
    };
    for requirements in [reprice_dry, fee] {
        let reply = w
            .pool
            .create(&mut w.session, &w.market, &requirements, None, 2_000);
        assert_eq!(reply, Err(PoolError::OutsideTerms), "{requirements:?}");
    }
    let id = w.create(2_000);
    w.market.ready(&mut w.session, id, 0);
    assert_eq!(
        w.governor("accept_price", &[(RATE + 1).to_string()]),
        Err(PoolError::OutsideTerms)
    );
}

/// The admin key moves the escrow to another controller: the subscription
/// contract steers the pool's stream no more, so the governor cannot cancel
/// it — and anyone `reclaim`s it for the pool: the provider is paid what it
/// earned, the pool gets the rest, the record settles as `Reclaimed`, and
/// the contributors share what came back, to the unit.
#[test]
fn an_orphaned_stream_comes_back_to_the_pool() {
    let mut w = world(2);
    w.contribute(0, 2_000);
    w.contribute(1, 1_000);
    let id = w.create(3_000);
    w.market.ready(&mut w.session, id, 0);
    let stranger = w.market.stranger.clone();
    let (working, _) = w.pool.act::<dinfra::traits::ClosedStream>(
        &mut w.session,
        &w.market,
        &stranger,
        "reclaim",
        &[],
        0,
    );
    assert_eq!(
        working,
        Err(PoolError::Escrow(
            dinfra::traits::EscrowError::ControllerWorking
        )),
        "nothing to reclaim while the subscription contract steers the stream"
    );
    let admin = w.market.admin.clone();
    w.session.set_actor(admin.clone());
    let escrow = w.market.suite.escrow.clone();
    schedule_and_apply(
        &mut w.session,
        &escrow,
        link_change("Controller", Some(&admin)),
    );
    assert!(
        matches!(w.governor("cancel", &[]), Err(PoolError::Subscription(_))),
        "the old controller steers the stream no more"
    );
    let (reclaimed, _) = w.pool.act::<dinfra::traits::ClosedStream>(
        &mut w.session,
        &w.market,
        &stranger,
        "reclaim",
        &[],
        0,
    );
    let reclaimed = reclaimed.expect("anyone reclaims the pool's orphaned stream");
    let event = the_event::<dinfra_pool::pool::StreamReclaimed>(&w.session, &w.pool.address);
    assert_eq!(
        (event.paid, event.refunded),
        (reclaimed.paid, reclaimed.refunded)
    );
    assert!(reclaimed.paid > 0 && reclaimed.refunded > 0);
    let closed = w.settle_and_close(id);
    assert_eq!(
        w.market.details(&mut w.session, id).subscription.closed,
        Some(CloseReason::Reclaimed)
    );
    assert_eq!(closed.refunded, reclaimed.refunded);
    let payouts = w.withdraw_all(id, &[2_000, 1_000]);
    assert_eq!(payouts.iter().sum::<u128>(), 3_000 - reclaimed.paid);
}

/// Random sequences of contributions, take-backs, top-ups, governance and
/// lifecycle events: every call conserves every unit (the market's check),
/// and at the end each contributor's payout follows the rule.
#[test]
fn random_sequences_conserve_every_unit() {
    let base: u64 = std::env::var("POOL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0F_F00D);
    for index in 0..6 {
        let seed = sequence_seed(base, index);
        run_sequence(seed);
    }
}

fn run_sequence(seed: u64) {
    let mut rng = Rng(seed);
    let mut w = world(4);
    let mut contributed = [0u128; 4];
    let mut id: Option<u64> = None;
    let mut ready = false;
    for step in 0..40 {
        let who = rng.below(4) as usize;
        let account = w.contributors[who].clone();
        let books = w.pool.books(&mut w.session);
        match rng.below(10) {
            0 | 1 => {
                let amount = rng.range(1, 2_000) as u128;
                w.contribute(who, amount);
                contributed[who] += amount;
            }
            2 => {
                let amount = rng.range(1, 500) as u128;
                let (reply, _) = w.pool.act::<()>(
                    &mut w.session,
                    &w.market,
                    &account,
                    "contribute_and_top_up",
                    &[],
                    amount,
                );
                match (reply, id) {
                    (Ok(()), Some(_)) => contributed[who] += amount,
                    (Err(PoolError::NotStarted), None) => {}
                    (Err(PoolError::Subscription(_)), Some(_)) => {}
                    other => panic!("seed {seed} step {step}: contribute_and_top_up {other:?}"),
                }
            }
            3 => {
                let (reply, _) =
                    w.pool
                        .act::<u128>(&mut w.session, &w.market, &account, "withdraw", &[], 0);
                match (reply, books.phase) {
                    (Ok(amount), PoolPhase::Funding) => {
                        assert_eq!(amount, contributed[who]);
                        contributed[who] = 0;
                    }
                    (Err(PoolError::NoContribution), PoolPhase::Funding) => {
                        assert_eq!(contributed[who], 0)
                    }
                    (Err(PoolError::Committed), PoolPhase::Running(_)) => {}
                    other => panic!("seed {seed} step {step}: withdraw {other:?}"),
                }
            }
            4 if id.is_none() => {
                let deposit = rng.range(MIN_DEPOSIT as u64, 3_000) as u128;
                match w
                    .pool
                    .create(&mut w.session, &w.market, &wants(RATE), None, deposit)
                {
                    Ok(created) => id = Some(created),
                    Err(e) => assert_eq!(e, PoolError::InsufficientFunds, "seed {seed}"),
                }
            }
            4 | 5 => {
                let amount = rng.range(1, 1_500);
                let reply = w.governor("top_up", &[amount.to_string()]);
                let expected = match id {
                    None => Err(PoolError::NotStarted),
                    Some(_) if amount as u128 > books.unspent => Err(PoolError::InsufficientFunds),
                    Some(_) => Ok(()),
                };
                match (reply, expected) {
                    (reply, expected) if reply == expected => {}
                    // The subscription refused: it closed, or its end came.
                    (Err(PoolError::Subscription(_)), Ok(())) => {}
                    other => panic!("seed {seed} step {step}: top_up {amount}: {other:?}"),
                }
            }
            6 | 7 => {
                if let (Some(id), false) = (id, ready) {
                    if w.market
                        .details(&mut w.session, id)
                        .subscription
                        .closed
                        .is_none()
                    {
                        let who = &w.market.providers[0].clone();
                        let (reply, _) = w.market.act::<()>(
                            &mut w.session,
                            who,
                            "mark_ready",
                            &mark_ready_args(id),
                            0,
                        );
                        ready = reply.is_ok();
                    }
                }
            }
            8 => {
                advance_blocks(&mut w.session, rng.range(1, 60) as u32);
            }
            _ => {
                if rng.chance(40) {
                    let _ = w.governor("cancel", &[]);
                }
            }
        }
    }
    let books = w.pool.books(&mut w.session);
    println!(
        "seed {seed}: subscription {id:?}, ready {ready}, contributed {}, sent {}, unspent {}",
        books.contributed, books.sent, books.unspent
    );
    // Bring it to an end, whatever state it is in.
    let Some(id) = id else {
        for (who, c) in contributed.iter().enumerate() {
            let account = w.contributors[who].clone();
            if *c > 0 {
                assert_eq!(w.pool.withdraw(&mut w.session, &w.market, &account), *c);
            }
        }
        assert_eq!(w.pool.books(&mut w.session).unspent, 0, "seed {seed}");
        return;
    };
    let stranger = w.market.stranger.clone();
    if !ready
        && w.market
            .details(&mut w.session, id)
            .subscription
            .closed
            .is_none()
    {
        advance_blocks(&mut w.session, READY_TIMEOUT + 1);
        w.market.on(&mut w.session, &stranger, "reaward", id);
    }
    if w.market
        .details(&mut w.session, id)
        .subscription
        .closed
        .is_none()
    {
        let _ = w.governor("cancel", &[]);
        let figures = w.market.details(&mut w.session, id).figures;
        let until = match (figures.end, figures.depletion_block) {
            (Some(end), Some(d)) => end.min(d),
            (Some(end), None) => end,
            (None, Some(d)) => d,
            (None, None) => panic!("seed {seed}: a cancelled stream has an end"),
        };
        let now = block_number(&mut w.session);
        advance_blocks(&mut w.session, until.saturating_sub(now) + 1);
    }
    w.settle_and_close(id);
    w.withdraw_all(id, &contributed);
}

/// What the pool's messages cost in the sandbox (ref_time, proof size), to
/// print beside the direct calls — figures for the README, not asserted.
#[test]
fn gas_of_the_pool_s_messages() {
    let mut w = world(2);
    let mut figures = Vec::new();
    w.contribute(0, 3_000);
    figures.push(("pool contribute", last_gas(&w.session)));
    w.contribute(1, 1_000);
    let id = w
        .pool
        .create(&mut w.session, &w.market, &wants(RATE), None, 2_000)
        .expect("created");
    figures.push((
        "pool create (→ subscription → registry, escrow)",
        last_gas(&w.session),
    ));
    w.market.ready(&mut w.session, id, 0);
    let contributor = w.contributors[1].clone();
    w.pool.ok::<()>(
        &mut w.session,
        &w.market,
        &contributor,
        "contribute_and_top_up",
        &[],
        100,
    );
    figures.push(("pool contribute_and_top_up", last_gas(&w.session)));
    let consumer = w.market.consumer.clone();
    let (_, _) = w.market.ok::<()>(
        &mut w.session,
        &consumer,
        "Subscription::top_up",
        &[id.to_string()],
        100,
    );
    figures.push((
        "direct Subscription::top_up (yardstick)",
        last_gas(&w.session),
    ));
    assert_eq!(w.governor("cancel", &[]), Ok(()));
    figures.push(("pool cancel", last_gas(&w.session)));
    let end = w.end_of(id);
    w.advance_to(end);
    w.settle_and_close(id);
    figures.push(("pool close (reads details)", last_gas(&w.session)));
    for who in w.contributors.clone() {
        w.pool.withdraw(&mut w.session, &w.market, &who);
        figures.push(("pool withdraw", last_gas(&w.session)));
    }
    assert_eq!(
        w.pool.books(&mut w.session).held(),
        0,
        "everything paid out"
    );
    for (what, (ref_time, proof_size)) in figures {
        println!("gas: {what}: ref_time {ref_time}, proof_size {proof_size}");
    }
}
