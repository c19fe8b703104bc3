//! How a subscription ends: a cancel by the consumer or an exit by the
//! provider (at once before ready, else at the end block they schedule),
//! the settle reason for each stream status, the reputation outcome of
//! each close, and `close` itself.

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
fn cancel_before_ready_closes_at_once() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.cancel(consumer(), now, CONSUMER_NOTICE));
        assert_eq!(ending, Ending::Now(CloseReason::ConsumerCancelled));
    }
    // No end is computed, so no overflow either.
    let ending = keeps(&mut s, |s| s.cancel(consumer(), u32::MAX, u32::MAX));
    assert_eq!(ending, Ending::Now(CloseReason::ConsumerCancelled));
}

#[test]
fn cancel_after_ready_notice_wins() {
    // now + notice = 100 + 10 = 110 > ready + min_duration = 20 + 50 = 70.
    schedules(
        active(Pricing::Dynamic),
        |s| s.cancel(consumer(), 100, CONSUMER_NOTICE),
        110,
        CloseReason::ConsumerCancelled,
    );
}

#[test]
fn cancel_after_ready_min_duration_wins() {
    // now + notice = 30 + 10 = 40 < ready + min_duration = 70.
    schedules(
        active(Pricing::Fixed),
        |s| s.cancel(consumer(), 30, CONSUMER_NOTICE),
        70,
        CloseReason::ConsumerCancelled,
    );
}

#[test]
fn cancel_after_ready_tie_and_zero_notice() {
    let mut s = active(Pricing::Dynamic);
    assert_eq!(
        s.cancel(consumer(), 60, CONSUMER_NOTICE),
        Ok(Ending::At(70, CloseReason::ConsumerCancelled))
    );
    let mut s = active(Pricing::Dynamic);
    s.min_duration = 0;
    assert_eq!(
        s.cancel(consumer(), 90, 0),
        Ok(Ending::At(90, CloseReason::ConsumerCancelled))
    );
    assert_eq!(s.end, Some((90, CloseReason::ConsumerCancelled)));
}

#[test]
fn cancel_by_another_is_unauthorized() {
    for mut s in every_phase(Pricing::Dynamic) {
        unauthorized_for(&mut s, [provider(), stranger()], |s, caller| {
            s.cancel(caller, 100, CONSUMER_NOTICE)
        });
    }
}

#[test]
fn cancel_only_when_awarded_or_active() {
    use CloseReason::{ConsumerCancelled, FundsExhausted};
    for mut s in past_open(FundsExhausted, ConsumerCancelled) {
        assert_eq!(
            fails(&mut s, |s| s.cancel(consumer(), 100, CONSUMER_NOTICE)),
            WrongState
        );
    }
}

// ---- exit ------------------------------------------------------------------

#[test]
fn exit_before_ready_closes_at_once() {
    let mut s = awarded(Pricing::Dynamic);
    for now in [AWARDED_AT, DEADLINE, DEADLINE + 1, u32::MAX] {
        let ending = keeps(&mut s, |s| s.exit(provider(), now));
        assert_eq!(ending, Ending::Now(CloseReason::ProviderExited));
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
    use CloseReason::{Admin, ProviderExited};
    for mut s in past_open(Admin, ProviderExited) {
        assert_eq!(fails(&mut s, |s| s.exit(provider(), 100)), WrongState);
    }
}

// ---- settle ----------------------------------------------------------------

#[test]
fn settle_reason_for_every_status_and_end() {
    use CloseReason::{ConsumerCancelled, FundsExhausted, ProviderExited};
    // By status: Pending, Streaming, Exhausted, Ended, Closed.
    let table: [(Subscription, [Result<CloseReason, SubscriptionError>; 5]); 3] = [
        // Active, no end.
        (
            active(Pricing::Dynamic),
            [
                Err(TooEarly),
                Err(TooEarly),
                Ok(FundsExhausted),
                Err(TooEarly),
                Err(TooEarly),
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
                Err(TooEarly),
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
                Err(TooEarly),
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
fn settle_only_when_billing() {
    let mut records = vec![
        awarded(Pricing::Dynamic),
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
fn outcome_of_admin_close_is_none() {
    for s in every_phase(Pricing::Dynamic)
        .into_iter()
        .chain([ending_exited(), ending_cancelled()])
    {
        for now in [0, DEADLINE, DEADLINE + 1, u32::MAX] {
            assert_eq!(s.outcome(CloseReason::Admin, now), None);
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
        let Ending::Now(reason) = s.cancel(consumer(), now, CONSUMER_NOTICE).unwrap() else {
            panic!("not closed at once");
        };
        assert_eq!(s.outcome(reason, now), outcome);
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
        CloseReason::Admin,
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
    for reason in [CloseReason::Admin, CloseReason::ConsumerCancelled] {
        assert_eq!(fails(&mut s, |s| s.close(reason)), WrongState);
    }
    assert_eq!(s.closed, Some(CloseReason::ConsumerCancelled));
    assert_eq!(s.end, Some((70, CloseReason::ConsumerCancelled)));
    assert_eq!(s.ready_at, Some(READY));
}
