//! How a subscription ends: a cancel by the consumer or an exit by the
//! provider (at once before ready — a cancel then paying the offer's fee
//! within the deadline — else at the end block they schedule; a cancel
//! may bring a scheduled end nearer, after an exit or while a governance
//! change is pending), the settle reason for each stream status, the
//! reputation outcome of each close, and `close` itself.

use super::*;
use dinfra::traits::Outcome;
use SubscriptionError::{TooEarly, WrongState};

/// Runs `call` (a cancel or an exit after ready) on `s` and checks that it
/// schedules the end at `end` for `reason`, changing nothing else.
#[track_caller]
fn schedules(
    mut s: Subscription,
    call: impl FnOnce(&mut Subscription) -> Result<Ending, SubscriptionError>,
    end: BlockNumber,
    reason: CloseReason,
) {
    let mut expected = s.clone();
    assert_eq!(call(&mut s), Ok(Ending::At(end, reason)));
    expected.end = Some((end, reason));
    expected.phase = Phase::Ending;
    assert_eq!(s, expected);
}

/// Records past the point a cancel or an exit applies: Ending (cancelled,
/// exited), closed after ready for `after_ready`, closed before it for
/// `before_ready`.
fn past_open(after_ready: CloseReason, before_ready: CloseReason) -> [Subscription; 4] {
    [
        ending_cancelled(),
        ending_exited(),
        closed(active(Pricing::Dynamic), after_ready),
        closed(awarded(Pricing::Dynamic), before_ready),
    ]
}

// ---- cancel ----------------------------------------------------------------

#[test]
fn cancel_before_ready_charges_the_fee_within_the_deadline() {
    use CloseReason::ConsumerCancelled;
    let mut s = awarded(Pricing::Dynamic);
    // The provider may still be ready in time: it keeps the offer's fee.
    for now in [AWARDED_AT, DEADLINE - 1, DEADLINE] {
        let ending = keeps(&mut s, |s| s.cancel(consumer(), now, no_change));
        assert_eq!(
            ending,
            Ending::Now {
                reason: ConsumerCancelled,
                fee: CANCEL_FEE
            },
            "at {now}"
        );
    }
    // It missed its deadline: no fee.
    for now in [DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.cancel(consumer(), now, never_asked));
        assert_eq!(
            ending,
            Ending::Now {
                reason: ConsumerCancelled,
                fee: 0
            },
            "at {now}"
        );
    }
    // No end is computed, so no overflow either.
    s.consumer_notice = u32::MAX;
    let ending = keeps(&mut s, |s| s.cancel(consumer(), u32::MAX, never_asked));
    assert_eq!(
        ending,
        Ending::Now {
            reason: ConsumerCancelled,
            fee: 0
        }
    );
}

#[test]
fn cancel_before_ready_of_a_fee_free_offer() {
    let mut r = reservation(Pricing::Fixed);
    r.offer.cancel_fee = 0;
    let mut s = award(requirements(), &r, AWARDED_AT, parameters()).unwrap();
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1] {
        assert_eq!(
            keeps(&mut s, |s| s.cancel(consumer(), now, never_asked)),
            Ending::Now {
                reason: CloseReason::ConsumerCancelled,
                fee: 0
            }
        );
    }
}

#[test]
fn cancel_fee_after_a_reaward_is_the_new_offers() {
    let mut s = awarded(Pricing::Dynamic);
    let asked = s.reaward_requirements(DEADLINE + 1).unwrap().unwrap();
    s.reaward(asked, &next_reservation(), 115).unwrap();
    let deadline = 115 + READY_TIMEOUT;
    assert_eq!(s.ready_deadline, deadline);
    let fee = next_reservation().offer.cancel_fee;
    for (now, expected) in [(115, fee), (deadline, fee), (deadline + 1, 0)] {
        assert_eq!(
            keeps(&mut s, |s| s.cancel(consumer(), now, no_change)),
            Ending::Now {
                reason: CloseReason::ConsumerCancelled,
                fee: expected
            },
            "at {now}"
        );
    }
}

#[test]
fn cancel_after_ready_notice_wins() {
    // now + notice = 100 + 10 = 110 > ready + min_duration = 20 + 50 = 70:
    // the minimum duration does not bind, so no governance change is asked.
    schedules(
        active(Pricing::Dynamic),
        |s| s.cancel(consumer(), 100, never_asked),
        110,
        CloseReason::ConsumerCancelled,
    );
}

#[test]
fn cancel_after_ready_min_duration_wins() {
    // now + notice = 30 + 10 = 40 < ready + min_duration = 70.
    schedules(
        active(Pricing::Fixed),
        |s| s.cancel(consumer(), 30, no_change),
        70,
        CloseReason::ConsumerCancelled,
    );
}

#[test]
fn cancel_after_ready_tie_and_zero_notice() {
    // 60 + 10 = 70 = 20 + 50: the minimum duration does not bind.
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        s.cancel(consumer(), 60, never_asked),
        Ok(Ending::At(70, CloseReason::ConsumerCancelled))
    );
    let mut s = active(Pricing::Dynamic);
    s.min_duration = 0;
    s.consumer_notice = 0;
    assert_eq!(
        s.cancel(consumer(), 90, never_asked),
        Ok(Ending::At(90, CloseReason::ConsumerCancelled))
    );
    assert_eq!(s.end, Some((90, CloseReason::ConsumerCancelled)));
}

#[test]
fn a_pending_governance_change_waives_the_minimum_duration() {
    // At 30 the minimum duration binds (70 > 40); with a change pending the
    // consumer is out after its notice alone.
    schedules(
        active(Pricing::Fixed),
        |s| s.cancel(consumer(), 30, change_pending),
        30 + CONSUMER_NOTICE,
        CloseReason::ConsumerCancelled,
    );
    // Asked exactly once where it binds.
    let asked = core::cell::Cell::new(0);
    let mut s = active(Pricing::Dynamic);
    let ending = s.cancel(consumer(), 30, || {
        asked.set(asked.get() + 1);
        false
    });
    assert_eq!(ending, Ok(Ending::At(70, CloseReason::ConsumerCancelled)));
    assert_eq!(asked.get(), 1);
    // Never where it does not (the tie, the notice past it), nor before
    // ready: `never_asked` panics if it is.
    for now in [60, 61, 100] {
        schedules(
            active(Pricing::Dynamic),
            |s| s.cancel(consumer(), now, never_asked),
            now + CONSUMER_NOTICE,
            CloseReason::ConsumerCancelled,
        );
    }
    // Before ready it is asked only where a fee is due (within the
    // deadline), and a pending change waives the fee.
    let mut s = awarded(Pricing::Dynamic);
    assert_eq!(
        keeps(&mut s, |s| s.cancel(consumer(), 30, change_pending)),
        Ending::Now {
            reason: CloseReason::ConsumerCancelled,
            fee: 0
        },
        "leaving before new rules is free"
    );
    keeps(&mut s, |s| s.cancel(consumer(), DEADLINE + 1, never_asked));
    s.cancel_fee = 0;
    keeps(&mut s, |s| s.cancel(consumer(), 30, never_asked));
}

#[test]
fn a_pending_change_also_shortens_a_cancel_already_scheduled() {
    // Cancelled at 30, ending at 70 (the minimum duration); a change is
    // scheduled later: a new cancel ends it after the notice.
    let mut s = ending_cancelled();
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), 35, no_change)),
        SubscriptionError::AlreadyEnding
    );
    schedules(
        s.clone(),
        |s| s.cancel(consumer(), 35, change_pending),
        45,
        CloseReason::ConsumerCancelled,
    );
    // Not when the notice alone reaches the end already.
    for now in [60, 65] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), now, change_pending)),
            SubscriptionError::AlreadyEnding,
            "at {now}"
        );
    }
}

#[test]
fn a_second_cancel_is_already_ending() {
    // Ending at 70 (the minimum duration): no cancel ends it sooner.
    let mut s = ending_cancelled();
    for now in [30, 31, 59, 60, 70, 100, u32::MAX - CONSUMER_NOTICE] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), now, no_change)),
            SubscriptionError::AlreadyEnding,
            "at {now}"
        );
    }
    // Ending at 110 (the notice): nor a second cancel in the same block or later.
    let mut s = active(Pricing::Dynamic);
    s.cancel(consumer(), 100, never_asked).unwrap();
    assert_eq!(s.end, Some((110, CloseReason::ConsumerCancelled)));
    for now in [100, 101, 200] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), now, never_asked)),
            SubscriptionError::AlreadyEnding,
            "at {now}"
        );
    }
}

/// Ready at `READY` on an offer whose notice (60) is longer than the
/// consumer's (10), left by the provider at 30: ends at 90.
fn exited_with_long_notice() -> Subscription {
    let mut r = reservation(Pricing::Dynamic);
    r.offer.notice_blocks = 60;
    let mut s = award(requirements(), &r, AWARDED_AT, parameters()).unwrap();
    s.mark_ready(provider(), READY).unwrap();
    assert_eq!(
        s.exit(provider(), 30),
        Ok(Ending::At(90, CloseReason::ProviderExited))
    );
    s
}

#[test]
fn cancel_after_an_exit_ends_sooner_and_stays_an_exit() {
    // 40 + 10 = 50 < 90: the consumer leaves sooner. The minimum duration
    // (70) no longer binds once the provider is leaving, so no governance
    // change is asked; the end keeps its reason.
    let mut s = exited_with_long_notice();
    let mut expected = s.clone();
    assert_eq!(
        s.cancel(consumer(), 40, never_asked),
        Ok(Ending::At(50, CloseReason::ProviderExited))
    );
    expected.end = Some((50, CloseReason::ProviderExited));
    assert_eq!(s, expected);
    assert_eq!(s.phase, Phase::Ending);
    // Settled, it is the provider's exit.
    let reason = s.settle_reason(StreamStatus::Ended).unwrap();
    assert_eq!(reason, CloseReason::ProviderExited);
    assert_eq!(s.outcome(reason, 50), Some(Outcome::ExitedEarly));
    // A cancel ending no sooner is refused, in the same block or later.
    for now in [40, 41, 80] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), now, never_asked)),
            SubscriptionError::AlreadyEnding,
            "at {now}"
        );
    }
}

#[test]
fn cancel_after_an_exit_that_ends_sooner_is_already_ending() {
    // Exited at 30, ending at 37: the consumer's notice ends no sooner.
    let mut s = ending_exited();
    for now in [30, 31, 100] {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), now, never_asked)),
            SubscriptionError::AlreadyEnding,
            "at {now}"
        );
    }
    // At the same end it is refused too (the tie).
    let mut s = exited_with_long_notice();
    assert_eq!(
        fails(&mut s, |s| s.cancel(consumer(), 80, never_asked)),
        SubscriptionError::AlreadyEnding
    );
}

#[test]
fn cancel_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic)
        .into_iter()
        .chain([ending_cancelled()])
    {
        unauthorized_for(&mut s, [provider(), stranger()], |s, caller| {
            s.cancel(caller, 100, never_asked)
        });
    }
}

#[test]
fn cancel_refused_once_closed() {
    use CloseReason::{ConsumerCancelled, FundsExhausted, ProviderExited};
    let mut records = [
        closed(active(Pricing::Dynamic), FundsExhausted),
        closed(awarded(Pricing::Dynamic), ConsumerCancelled),
        closed(ending_cancelled(), ConsumerCancelled),
        closed(ending_exited(), ProviderExited),
    ];
    for s in &mut records {
        for now in [30, 100] {
            assert_eq!(
                fails(s, |s| s.cancel(consumer(), now, never_asked)),
                WrongState
            );
        }
    }
}

// ---- exit ------------------------------------------------------------------

#[test]
fn exit_before_ready_closes_at_once() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.exit(provider(), now));
        // The offer's cancel fee is the consumer's to pay, never on an exit.
        assert_eq!(
            ending,
            Ending::Now {
                reason: CloseReason::ProviderExited,
                fee: 0
            }
        );
    }
}

#[test]
fn exit_after_ready_gives_notice() {
    // The notice counts from now, whatever the minimum duration.
    schedules(
        active(Pricing::Fixed),
        |s| s.exit(provider(), 25),
        25 + NOTICE,
        CloseReason::ProviderExited,
    );

    let mut s = active(Pricing::Dynamic);
    s.notice_blocks = 0;
    assert_eq!(
        s.exit(provider(), 500),
        Ok(Ending::At(500, CloseReason::ProviderExited))
    );
    assert_eq!(s.end, Some((500, CloseReason::ProviderExited)));
}

#[test]
fn exit_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic) {
        unauthorized_for(&mut s, [consumer(), stranger()], |s, caller| {
            s.exit(caller, 100)
        });
    }
}

#[test]
fn exit_only_when_awarded_or_active() {
    use CloseReason::{FundsExhausted, ProviderExited};
    for mut s in past_open(FundsExhausted, ProviderExited) {
        assert_eq!(fails(&mut s, |s| s.exit(provider(), 100)), WrongState);
    }
}

// ---- settle ----------------------------------------------------------------

#[test]
fn settle_reason_for_every_status_and_end() {
    use CloseReason::{ConsumerCancelled, FundsExhausted, ProviderExited, Reclaimed};
    // By status: Pending, Streaming, Exhausted, Ended, Closed (a stream
    // closed behind the contract's back: its payer reclaimed it).
    let table: [(Subscription, [Result<CloseReason, SubscriptionError>; 5]); 4] = [
        // Awarded: only a reclaimed stream is settled.
        (
            awarded(Pricing::Dynamic),
            [
                Err(WrongState),
                Err(WrongState),
                Err(WrongState),
                Err(WrongState),
                Ok(Reclaimed),
            ],
        ),
        // Active, no end.
        (
            active(Pricing::Dynamic),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Err(TooEarly),
                Ok(Reclaimed),
            ],
        ),
        // Ending, cancelled.
        (
            ending_cancelled(),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Ok(ConsumerCancelled),
                Ok(Reclaimed),
            ],
        ),
        // Ending, exited.
        (
            ending_exited(),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Ok(ProviderExited),
                Ok(Reclaimed),
            ],
        ),
    ];
    for (mut s, expected) in table {
        for (status, expected) in STATUSES.into_iter().zip(expected) {
            let got = match expected {
                Ok(_) => Ok(keeps(&mut s, |s| s.settle_reason(status))),
                Err(_) => Err(fails(&mut s, |s| s.settle_reason(status))),
            };
            assert_eq!(got, expected, "{:?} with end {:?}", status, s.end);
        }
    }
}

#[test]
fn settle_only_when_billing_or_reclaimed() {
    let mut records = vec![
        closed(active(Pricing::Dynamic), CloseReason::FundsExhausted),
        closed(ending_exited(), CloseReason::ProviderExited),
        closed(awarded(Pricing::Dynamic), CloseReason::ReadyTimeout),
    ];
    for s in &mut records {
        for status in STATUSES {
            assert_eq!(fails(s, |s| s.settle_reason(status)), WrongState);
        }
    }
}

// ---- outcome ---------------------------------------------------------------

#[test]
fn outcome_of_declined_or_reclaimed_is_none() {
    for s in every_phase(Pricing::Dynamic)
        .into_iter()
        .chain([ending_exited(), ending_cancelled()])
    {
        for now in [0, DEADLINE, DEADLINE + 1, u32::MAX] {
            assert_eq!(s.outcome(CloseReason::Declined, now), None);
            assert_eq!(
                s.outcome(CloseReason::Reclaimed, now),
                None,
                "the admin's rewiring is neither side's doing"
            );
        }
    }
}

#[test]
fn outcome_of_a_subscription_to_oneself_is_none() {
    use CloseReason::{ConsumerCancelled, Declined, FundsExhausted, ProviderExited, ReadyTimeout};
    let me = consumer();
    let fresh = own_awarded();
    let mut ready = fresh.clone();
    ready.mark_ready(me, READY).unwrap();
    let mut exited = ready.clone();
    exited.exit(me, 30).unwrap();
    let mut cancelled = ready.clone();
    cancelled.cancel(me, 30, no_change).unwrap();
    for s in [fresh, ready, exited, cancelled] {
        for reason in [
            ConsumerCancelled,
            ProviderExited,
            FundsExhausted,
            ReadyTimeout,
            Declined,
        ] {
            for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
                assert_eq!(s.outcome(reason, now), None, "{reason:?} at {now}");
            }
        }
    }
}

#[test]
fn outcome_of_ready_timeout_is_missed_ready() {
    let s = awarded(Pricing::Dynamic);
    for now in [DEADLINE + 1, u32::MAX] {
        assert_eq!(
            s.outcome(CloseReason::ReadyTimeout, now),
            Some(Outcome::MissedReady)
        );
    }
}

#[test]
fn outcome_of_provider_exit_is_exited_early() {
    // Before ready (closed at once), before or after the deadline.
    let s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1] {
        assert_eq!(
            s.outcome(CloseReason::ProviderExited, now),
            Some(Outcome::ExitedEarly)
        );
    }
    // After ready, settled at the end block.
    let s = ending_exited();
    let reason = s.settle_reason(StreamStatus::Ended).unwrap();
    assert_eq!(reason, CloseReason::ProviderExited);
    assert_eq!(s.outcome(reason, 37), Some(Outcome::ExitedEarly));
}

#[test]
fn outcome_of_exit_when_funds_ran_out_first_is_exited_early() {
    let s = ending_exited();
    let reason = s.settle_reason(StreamStatus::Exhausted).unwrap();
    assert_eq!(reason, CloseReason::FundsExhausted);
    assert_eq!(s.outcome(reason, 35), Some(Outcome::ExitedEarly));
}

#[test]
fn outcome_of_service_to_its_end_is_completed() {
    // Funds ran out while Active.
    let s = active(Pricing::Dynamic);
    let reason = s.settle_reason(StreamStatus::Exhausted).unwrap();
    assert_eq!(s.outcome(reason, 500), Some(Outcome::Completed));
    // The consumer cancelled after ready: at the end block, or funds ran out first.
    let s = ending_cancelled();
    for status in [StreamStatus::Ended, StreamStatus::Exhausted] {
        let reason = s.settle_reason(status).unwrap();
        assert_eq!(s.outcome(reason, 70), Some(Outcome::Completed));
    }
    // Ready, even after the deadline: the deadline no longer matters.
    let s = active(Pricing::Dynamic);
    assert_eq!(
        s.outcome(CloseReason::ConsumerCancelled, u32::MAX),
        Some(Outcome::Completed)
    );
}

#[test]
fn outcome_of_cancel_before_ready() {
    let mut s = awarded(Pricing::Dynamic);
    for (now, outcome) in [
        // Before the deadline or at it: the provider may still be ready in time.
        (AWARDED_AT, None),
        (DEADLINE, None),
        // After it: the provider missed.
        (DEADLINE + 1, Some(Outcome::MissedReady)),
        (u32::MAX, Some(Outcome::MissedReady)),
    ] {
        let Ending::Now { reason, fee } = s.cancel(consumer(), now, no_change).unwrap() else {
            panic!("not closed at once");
        };
        assert_eq!(s.outcome(reason, now), outcome);
        // The fee goes to a provider that may still be ready in time; one
        // that missed gets the miss instead.
        assert_eq!(fee, if outcome.is_none() { CANCEL_FEE } else { 0 });
    }
}

// ---- close -----------------------------------------------------------------

#[test]
fn close_from_every_live_phase() {
    let reasons = [
        CloseReason::ConsumerCancelled,
        CloseReason::ProviderExited,
        CloseReason::FundsExhausted,
        CloseReason::ReadyTimeout,
        CloseReason::Declined,
    ];
    let [a, b, c, _] = every_phase(Pricing::Fixed);
    for mut s in [a, b, c] {
        s.propose_price(s.provider, 9, 40).ok();
        for reason in reasons {
            let mut closed = s.clone();
            closed.close(reason).unwrap();
            assert_eq!(closed, closed_as(&s, reason));
            assert!(!closed.is_live());
        }
    }
}

#[test]
fn close_twice_refused() {
    let mut s = closed(ending_cancelled(), CloseReason::ConsumerCancelled);
    for reason in [CloseReason::Declined, CloseReason::ConsumerCancelled] {
        assert_eq!(fails(&mut s, |s| s.close(reason)), WrongState);
    }
    assert_eq!(s.closed, Some(CloseReason::ConsumerCancelled));
    assert_eq!(s.end, Some((70, CloseReason::ConsumerCancelled)));
    assert_eq!(s.ready_at, Some(READY));
}
