//! Money and arithmetic limits: top-ups and claims (who, in which phase),
//! the minimum deposit, and `Overflow` of every block computation near
//! `u32::MAX` (the ready deadline, a cancel's or an exit's end, a Dynamic
//! proposal's effective block, a reaward's deadline) — refused, not wrapped.

use super::*;
use dinfra::lifecycle::minimum_deposit;
use dinfra::Invalid;
use SubscriptionError::{InvalidInput, Overflow, WrongState};

/// Parameters with a ready timeout of `ready_timeout`.
fn timeout(ready_timeout: BlockNumber) -> Parameters {
    Parameters {
        ready_timeout,
        ..parameters()
    }
}

/// Awarded at `u32::MAX - 10` with a deadline of `u32::MAX - 5`.
fn near_max(pricing: Pricing) -> Subscription {
    award(
        requirements(),
        &reservation(pricing),
        u32::MAX - 10,
        timeout(5),
    )
    .unwrap()
}

// ---- top-up and claim ------------------------------------------------------

#[test]
fn top_up() {
    let [mut a, mut b, mut c, mut d] = every_phase(Pricing::Fixed);
    for s in [&mut a, &mut b, &mut c] {
        keeps(s, |s| s.check_top_up(1));
        keeps(s, |s| s.check_top_up(Balance::MAX));
        assert_eq!(
            fails(s, |s| s.check_top_up(0)),
            InvalidInput(Invalid::Amount)
        );
    }
    assert_eq!(fails(&mut d, |s| s.check_top_up(1)), WrongState);
    // The amount is checked first.
    assert_eq!(
        fails(&mut d, |s| s.check_top_up(0)),
        InvalidInput(Invalid::Amount)
    );
}

#[test]
fn claim_only_by_the_provider_once_billing_started() {
    let [mut a, mut b, mut c, mut d] = every_phase(Pricing::Dynamic);
    for s in [&mut b, &mut c] {
        keeps(s, |s| s.check_claim(provider()));
    }
    for s in [&mut a, &mut d] {
        assert_eq!(fails(s, |s| s.check_claim(provider())), WrongState);
    }
    for s in [&mut a, &mut b, &mut c, &mut d] {
        unauthorized_for(s, [consumer(), stranger()], |s, caller| {
            s.check_claim(caller)
        });
    }
    let mut s = ending_cancelled();
    keeps(&mut s, |s| s.check_claim(provider()));
}

// ---- minimum deposit -------------------------------------------------------

#[test]
fn minimum_deposit_is_rate_times_min_duration() {
    let mut r = reservation(Pricing::Fixed);
    assert_eq!(minimum_deposit(&r), Ok(RATE * Balance::from(MIN_DURATION)));
    r.offer.min_duration = 1;
    assert_eq!(minimum_deposit(&r), Ok(RATE));
    // A minimum duration of 0 counts as one block.
    r.offer.min_duration = 0;
    assert_eq!(minimum_deposit(&r), Ok(RATE));
    r.offer.min_duration = u32::MAX;
    assert_eq!(minimum_deposit(&r), Ok(RATE * Balance::from(u32::MAX)));
    r.offer.price_per_block = Balance::MAX / Balance::from(u32::MAX);
    assert_eq!(
        minimum_deposit(&r),
        Ok(Balance::MAX / Balance::from(u32::MAX) * Balance::from(u32::MAX))
    );
    r.offer.price_per_block += 1;
    assert_eq!(minimum_deposit(&r), Err(Overflow));
    r.offer.price_per_block = Balance::MAX;
    r.offer.min_duration = 2;
    assert_eq!(minimum_deposit(&r), Err(Overflow));
    r.offer.min_duration = 0;
    assert_eq!(minimum_deposit(&r), Ok(Balance::MAX));
}

#[test]
fn minimum_deposit_ignores_the_cancel_fee() {
    let mut r = reservation(Pricing::Fixed);
    r.offer.cancel_fee = Balance::MAX;
    assert_eq!(minimum_deposit(&r), Ok(RATE * Balance::from(MIN_DURATION)));
}

// ---- overflow near u32::MAX ------------------------------------------------

#[test]
fn awarded_deadline_overflow() {
    let at = |now, ready_timeout| {
        award(
            requirements(),
            &reservation(Pricing::Dynamic),
            now,
            timeout(ready_timeout),
        )
    };
    assert_eq!(at(u32::MAX - 10, 11), Err(Overflow));
    assert_eq!(at(u32::MAX, 1), Err(Overflow));
    assert_eq!(at(u32::MAX - 10, 10).unwrap().ready_deadline, u32::MAX);
    assert_eq!(at(u32::MAX, 0).unwrap().ready_deadline, u32::MAX);
}

#[test]
fn cancel_overflow() {
    // now + consumer_notice overflows.
    let mut s = active(Pricing::Dynamic);
    s.consumer_notice = 6;
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), u32::MAX - 5, no_change)),
        Overflow
    );
    s.consumer_notice = 5;
    assert_eq!(
        s.cancel(consumer(), u32::MAX - 5, never_asked),
        Ok(Ending::At(u32::MAX, CloseReason::ConsumerCancelled))
    );
    // ready + min_duration overflows while now + notice does not.
    let mut s = near_max(Pricing::Dynamic);
    s.consumer_notice = 0;
    s.mark_ready(provider(), u32::MAX - 5).unwrap();
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), u32::MAX - 5, no_change)),
        Overflow
    );
}

#[test]
fn exit_overflow() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        fails(&mut s, |s| s.exit(provider(), u32::MAX - NOTICE + 1)),
        Overflow
    );
    assert_eq!(
        s.exit(provider(), u32::MAX - NOTICE),
        Ok(Ending::At(u32::MAX, CloseReason::ProviderExited))
    );
}

#[test]
fn dynamic_proposal_overflow() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        fails(&mut s, |s| s.propose_price(
            provider(),
            8,
            u32::MAX - NOTICE + 1
        )),
        Overflow
    );
    assert_eq!(
        s.propose_price(provider(), 8, u32::MAX - NOTICE)
            .map(|c| c.effective_at),
        Ok(u32::MAX)
    );
    // Fixed proposals take effect on consent: nothing to overflow.
    let mut s = active(Pricing::Fixed);
    assert_eq!(
        s.propose_price(provider(), 8, u32::MAX)
            .map(|c| c.effective_at),
        Ok(u32::MAX)
    );
}

#[test]
fn reaward_overflow() {
    // The new deadline is now + the record's own ready timeout (5).
    let mut s = near_max(Pricing::Dynamic);
    let now = u32::MAX - 4;
    let asked = s.reaward_requirements(now).unwrap().unwrap();
    assert_eq!(
        fails(&mut s, |s| s.reaward(
            asked.clone(),
            &next_reservation(),
            now
        )),
        Overflow
    );
    s.ready_timeout = 4;
    s.reaward(asked, &next_reservation(), now).unwrap();
    assert_eq!(s.ready_deadline, u32::MAX);
}
