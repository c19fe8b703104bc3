//! The invariants checked after every step, on the storage before and after
//! it and the test's books: a refused call wrote nothing; the lifecycle
//! rules the books' model leans on; (1) no money appeared or vanished and
//! every account holds what the books say; (2) every subscription's money,
//! closed ones paid out exactly their deposits; (3) reserved capacity is the
//! live subscriptions; (4) the escrow holds what it owes.

use crate::books::Books;
use crate::execute::Outcome;
use crate::report::Tally;
use crate::storage::View;
use crate::world::World;
use dinfra::lifecycle::{CloseReason, Phase};
use dinfra::stream::StreamStatus;
use dinfra::traits::Pricing;
use dinfra_e2e_tests::*;

/// Books the step's money movements, then checks every invariant against
/// the storage `after` the step (`before` is the view the op was drawn on).
pub fn check_step(
    session: &mut Sandbox,
    world: &World,
    books: &mut Books,
    tally: &mut Tally,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    if !outcome.ok {
        refused_wrote_nothing(outcome, before, after);
    }
    // Only blocks passing (no call) earns; only calls move money.
    if !outcome.called() {
        books.accrue(before, after);
    }
    books.book(world, outcome, after);
    for event in &outcome.closed {
        *tally
            .closes
            .entry(format!("{:?}", event.reason))
            .or_default() += 1;
    }
    lifecycle(outcome, before, after);
    money(session, world, books);
    let held_by_live = subscriptions(books, before, after);
    closed_details(session, world, books, outcome);
    capacity(world, after);
    escrow(session, world, after, held_by_live);
}

/// All or nothing: a refused call wrote nothing anywhere.
fn refused_wrote_nothing(outcome: &Outcome, before: &View, after: &View) {
    assert!(
        outcome.claimed.is_empty() && outcome.closed.is_empty(),
        "a refused call left Claimed/Closed events"
    );
    assert_eq!(
        outcome.storage, 0,
        "a refused call charged a storage deposit"
    );
    assert_eq!(
        before.subs, after.subs,
        "a refused call changed a record or stream"
    );
    assert_eq!(
        before.offers, after.offers,
        "a refused call changed an offer"
    );
    assert_eq!(
        before.providers, after.providers,
        "a refused call changed a provider"
    );
    assert_eq!(
        (before.live, before.total_held),
        (after.live, after.total_held)
    );
}

/// The lifecycle rules the model relies on: billing starts at the ready
/// block, an end is scheduled once by the rule of its reason, and a rate
/// changes only by an announced price change or a new award (Dynamic
/// rates never above the consumer's bound).
fn lifecycle(outcome: &Outcome, before: &View, after: &View) {
    for (id, (old, _)) in before.subs.iter().enumerate() {
        let (new, _) = &after.subs[id];
        let id = id as u64;
        if old.ready_at != new.ready_at {
            assert_eq!(
                (old.ready_at, new.ready_at),
                (None, Some(after.now)),
                "sub {id}: ready block"
            );
        }
        match (old.end, new.end) {
            (None, Some((end, reason))) => {
                let ready = new.ready_at.expect("an end is only scheduled once ready");
                let rule = match reason {
                    CloseReason::ConsumerCancelled => {
                        (after.now + CONSUMER_NOTICE).max(ready + new.min_duration)
                    }
                    CloseReason::ProviderExited => after.now + new.notice_blocks,
                    other => panic!("sub {id}: end scheduled for {other:?}"),
                };
                assert_eq!(end, rule, "sub {id}: end block for {reason:?}");
            }
            (old_end, new_end) => assert_eq!(old_end, new_end, "sub {id}: end moved"),
        }
        if old.rate_per_block != new.rate_per_block {
            let announced = outcome
                .price_changed
                .iter()
                .any(|e| e.id == id && e.rate == new.rate_per_block && e.at == after.now)
                || outcome
                    .awarded
                    .iter()
                    .any(|e| e.id == id && e.rate_per_block == new.rate_per_block);
            assert!(announced, "sub {id}: rate changed silently");
        }
        if new.pricing == Pricing::Dynamic && new.is_live() {
            assert!(
                new.rate_per_block <= new.requirements.max_price_per_block,
                "sub {id}: Dynamic rate above the consumer's bound"
            );
        }
    }
}

/// Invariant 1, money: nothing appeared or vanished, and every account
/// holds what the books say.
fn money(session: &mut Sandbox, world: &World, books: &Books) {
    let accounts = world.accounts();
    assert_eq!(
        total_of(session, &accounts),
        books.total,
        "Σ free + held of all accounts and contracts changed"
    );
    for account in &accounts {
        assert_eq!(
            free_balance(session, account),
            books.free[account],
            "free balance of {account} differs from the books"
        );
    }
}

/// Invariant 2, every subscription's money; closed ones paid out exactly
/// their deposits. Returns what the escrow should hold for the live ones.
fn subscriptions(books: &Books, before: &View, after: &View) -> u128 {
    assert!(after.subs.len() >= before.subs.len(), "records vanished");
    let mut held_by_live = 0u128;
    for (id, (sub, stream)) in after.subs.iter().enumerate() {
        let id = id as u64;
        let deposited = books.deposits(id);
        let claimed = books.claims(id);
        assert_eq!(
            stream.deposited(),
            deposited,
            "sub {id}: escrow deposits ≠ what was sent"
        );
        assert_eq!(
            (stream.payer, stream.payee),
            (sub.consumer, sub.provider),
            "sub {id}: stream parties"
        );
        match books.closed.get(&id) {
            None => {
                assert_ne!(
                    sub.phase,
                    Phase::Closed,
                    "sub {id} closed without a Closed event"
                );
                assert!(!stream.is_closed(), "sub {id}: live with a closed stream");
                assert_eq!(
                    stream.withdrawn(),
                    claimed,
                    "sub {id}: escrow withdrawn ≠ claims"
                );
                assert_eq!(stream.refunded(), 0, "sub {id}: refunds while live");
                assert_eq!(
                    stream.rate(),
                    sub.rate_per_block,
                    "sub {id}: stream rate ≠ record rate"
                );
                assert_eq!(
                    stream.start_block(),
                    sub.ready_at,
                    "sub {id}: billing starts at ready"
                );
                if sub.phase == Phase::Awarded {
                    assert_eq!(stream.withdrawable(after.now), 0);
                }
                assert_eq!(
                    stream.withdrawable(after.now),
                    books.owed(id),
                    "sub {id}: escrow's withdrawable ≠ what the model says it earned"
                );
                held_by_live += deposited - claimed;
            }
            Some(&(paid, refunded)) => {
                assert_eq!(
                    sub.phase,
                    Phase::Closed,
                    "sub {id}: Closed event, record live"
                );
                assert!(stream.is_closed(), "sub {id}: closed record, open stream");
                assert_eq!(
                    deposited,
                    claimed + paid + refunded,
                    "sub {id}: deposits ≠ claims + paid + refunded"
                );
                assert_eq!(
                    stream.withdrawn(),
                    claimed + paid,
                    "sub {id}: escrow withdrawn"
                );
                assert_eq!(stream.refunded(), refunded, "sub {id}: escrow refunded");
                assert_eq!(stream.held(), 0, "sub {id}: closed with money held");
                if before
                    .subs
                    .get(id as usize)
                    .is_some_and(|(s, _)| s.phase == Phase::Closed)
                {
                    assert_eq!(
                        &before.subs[id as usize], &after.subs[id as usize],
                        "sub {id}: changed after close"
                    );
                }
            }
        }
    }
    held_by_live
}

/// The figures the contract reports, for each subscription this step
/// closed.
fn closed_details(session: &mut Sandbox, world: &World, books: &Books, outcome: &Outcome) {
    for event in &outcome.closed {
        let details = details(session, &world.suite, event.id);
        let f = details.figures;
        let deposited = books.deposits(event.id);
        let claimed = books.claims(event.id);
        assert_eq!(f.status, StreamStatus::Closed);
        assert_eq!(f.held, 0, "sub {}: closed with money held", event.id);
        assert_eq!(
            f.deposited, deposited,
            "sub {}: details deposited",
            event.id
        );
        assert_eq!(
            f.withdrawn,
            claimed + event.paid,
            "sub {}: details withdrawn",
            event.id
        );
        assert_eq!(
            f.refunded, event.refunded,
            "sub {}: details refunded",
            event.id
        );
        assert_eq!(f.deposited, f.withdrawn + f.refunded);
    }
}

/// Invariant 3, capacity: each offer's reservations are its live subscriptions.
fn capacity(world: &World, after: &View) {
    let mut live_total = 0u64;
    let mut per_provider = vec![0u32; world.providers.len()];
    for (i, ((offer_id, provider, _), offer)) in world.offers.iter().zip(&after.offers).enumerate()
    {
        let live_here = after
            .subs
            .iter()
            .filter(|(s, _)| s.offer_id == *offer_id && s.is_live())
            .count() as u32;
        assert_eq!(
            offer.reserved, live_here,
            "offer {i} ({offer_id}): reserved ≠ live subscriptions on it"
        );
        assert!(
            offer.reserved <= offer.capacity,
            "offer {offer_id} over capacity"
        );
        per_provider[*provider] += offer.reserved;
        live_total += u64::from(offer.reserved);
    }
    assert_eq!(live_total, after.live, "Σ reserved ≠ live_count");
    let live_records = after.subs.iter().filter(|(s, _)| s.is_live()).count() as u64;
    assert_eq!(after.live, live_records, "live_count ≠ live records");
    for (i, provider) in after.providers.iter().enumerate() {
        assert_eq!(
            provider.reserved, per_provider[i],
            "provider {i}: reserved ≠ Σ of its offers"
        );
    }
}

/// Invariant 4, the escrow holds what it owes: `held_by_live`, Σ (deposits
/// − claims) of the live subscriptions.
fn escrow(session: &mut Sandbox, world: &World, after: &View, held_by_live: u128) {
    assert_eq!(
        after.total_held, held_by_live,
        "total_held ≠ Σ (deposits − claims) of live subscriptions"
    );
    let escrow_free = free_balance(session, &world.suite.escrow);
    assert!(
        escrow_free >= after.total_held,
        "escrow free balance below total_held"
    );
}
