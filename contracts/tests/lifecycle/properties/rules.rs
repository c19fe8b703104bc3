//! The rules the property test checks every call against: from the record
//! before a call, the exact result it must return and the record it must
//! leave, closing the record where the subscription contract would.

use super::*;
use dinfra::lifecycle::PriceChange;
use dinfra::traits::Outcome;
use dinfra::Invalid;
use SubscriptionError::{
    InvalidInput, Overflow, PriceAboveMax, ReadyTimeoutPassed, TooEarly, WrongState,
};

/// `Err(Unauthorized)` unless `caller` is `role`.
fn role(caller: AccountId, role: AccountId) -> Result<(), SubscriptionError> {
    if caller == role {
        Ok(())
    } else {
        Err(Unauthorized)
    }
}

/// `Err(WrongState)` unless the record is in one of `allowed`.
fn phase(s: &Subscription, allowed: &[Phase]) -> Result<(), SubscriptionError> {
    if in_phase(s, allowed) {
        Ok(())
    } else {
        Err(WrongState)
    }
}

/// `Err(err)` if `refused`.
fn unless(refused: bool, err: SubscriptionError) -> Result<(), SubscriptionError> {
    if refused {
        Err(err)
    } else {
        Ok(())
    }
}

/// The Fixed-price proposal waiting for the consumer, or `WrongState`.
fn consent_pending(s: &Subscription) -> Result<PriceChange, SubscriptionError> {
    match s.price_change {
        Some(change) if change.needs_consent => Ok(change),
        _ => Err(WrongState),
    }
}

/// The reputation entry the rules give a close for `reason` at `now`.
fn expected_outcome(s: &Subscription, reason: CloseReason, now: BlockNumber) -> Option<Outcome> {
    let exit_scheduled = matches!(s.end, Some((_, CloseReason::ProviderExited)));
    match reason {
        CloseReason::Admin => None,
        CloseReason::ReadyTimeout => Some(Outcome::MissedReady),
        _ if reason == CloseReason::ProviderExited || exit_scheduled => Some(Outcome::ExitedEarly),
        _ if s.ready_at.is_some() => Some(Outcome::Completed),
        _ if now > s.ready_deadline => Some(Outcome::MissedReady),
        _ => None,
    }
}

/// Closes the record for `reason` the way the contract does.
fn close(s: &mut Subscription, reason: CloseReason, now: BlockNumber) -> Result<(), TestCaseError> {
    let outcome = s.outcome(reason, now);
    prop_assert_eq!(outcome, expected_outcome(s, reason, now));
    let expected = closed_as(s, reason);
    prop_assert_eq!(s.close(reason), Ok(()));
    prop_assert_eq!(&*s, &expected);
    Ok(())
}

/// A cancel or an exit after ready: `Ok(end)` or the error.
fn scheduled(
    s: &Subscription,
    caller: AccountId,
    role_of: AccountId,
    end: impl FnOnce(BlockNumber) -> Option<BlockNumber>,
) -> Result<Option<BlockNumber>, SubscriptionError> {
    role(caller, role_of)?;
    phase(s, &OPEN)?;
    match s.ready_at {
        None => Ok(None),
        Some(ready_at) => end(ready_at).map(Some).ok_or(Overflow),
    }
}

/// Checks the result `got` of a cancel or an exit (for `reason`) against
/// `expected` (from `scheduled`), closing the record if it ended at once.
/// Returns whether the call succeeded.
fn ended(
    s: &mut Subscription,
    run: &mut Run,
    reason: CloseReason,
    got: Result<Ending, SubscriptionError>,
    expected: Result<Option<BlockNumber>, SubscriptionError>,
    before: &Subscription,
) -> Result<bool, TestCaseError> {
    match (got, expected) {
        (Ok(Ending::Now(got_reason)), Ok(None)) => {
            prop_assert_eq!(got_reason, reason);
            prop_assert_eq!(&*s, before);
            close(s, reason, run.now)?;
        }
        (Ok(Ending::At(end, why)), Ok(Some(expected_end))) => {
            prop_assert_eq!(end, expected_end);
            prop_assert_eq!(why, reason);
            prop_assert!(end >= run.now);
            prop_assert_eq!(s.end, Some((end, reason)));
            prop_assert_eq!(s.phase, Phase::Ending);
            run.went_ending = true;
        }
        (Err(err), Err(expected_err)) => {
            prop_assert_eq!(err, expected_err);
            return Ok(false);
        }
        (got, expected) => {
            return Err(TestCaseError::fail(format!(
                "{reason:?}: got {got:?}, expected {expected:?}"
            )))
        }
    }
    Ok(true)
}

/// Runs one operation, checking its result against the rules. Returns
/// whether its call succeeded (`None` for a block advance).
pub(super) fn step(
    s: &mut Subscription,
    run: &mut Run,
    op: &Op,
) -> Result<Option<bool>, TestCaseError> {
    let now = run.now;
    let before = s.clone();
    let succeeded = match *op {
        Op::Advance(blocks) => {
            run.now = now.saturating_add(blocks);
            return Ok(None);
        }
        Op::MarkReady(who) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider)
                .and(phase(s, &[Phase::Awarded]))
                .and(unless(now > s.ready_deadline, ReadyTimeoutPassed));
            let got = s.mark_ready(caller, now);
            prop_assert_eq!(got, expected);
            if got.is_ok() {
                prop_assert_eq!(s.ready_at, Some(now));
                prop_assert_eq!(s.phase, Phase::Active);
                run.was_ready = true;
            }
            got.is_ok()
        }
        Op::Cancel(who) => {
            let caller = caller(who, s);
            let notice = run.consumer_notice;
            let expected = scheduled(s, caller, consumer(), |ready_at| {
                Some(
                    now.checked_add(notice)?
                        .max(ready_at.checked_add(s.min_duration)?),
                )
            });
            let got = s.cancel(caller, now, notice);
            ended(
                s,
                run,
                CloseReason::ConsumerCancelled,
                got,
                expected,
                &before,
            )?
        }
        Op::Exit(who) => {
            let caller = caller(who, s);
            let notice = s.notice_blocks;
            let expected = scheduled(s, caller, s.provider, |_| now.checked_add(notice));
            let got = s.exit(caller, now);
            ended(s, run, CloseReason::ProviderExited, got, expected, &before)?
        }
        Op::Propose(who, rate) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider)
                .and(phase(s, &OPEN))
                .and_then(|()| {
                    if rate == 0 || rate == s.rate_per_block {
                        return Err(InvalidInput(Invalid::Price));
                    }
                    match s.pricing {
                        Pricing::Dynamic if rate > s.requirements.max_price_per_block => {
                            Err(PriceAboveMax)
                        }
                        Pricing::Dynamic => Ok(PriceChange {
                            rate,
                            effective_at: now.checked_add(s.notice_blocks).ok_or(Overflow)?,
                            needs_consent: false,
                        }),
                        Pricing::Fixed => Ok(PriceChange {
                            rate,
                            effective_at: now,
                            needs_consent: true,
                        }),
                    }
                });
            let got = s.propose_price(caller, rate, now);
            prop_assert_eq!(got, expected);
            if let Ok(change) = got {
                prop_assert_eq!(s.price_change, Some(change));
            }
            got.is_ok()
        }
        Op::Accept(who) => {
            let caller = caller(who, s);
            let expected = role(caller, consumer())
                .and(phase(s, &OPEN))
                .and(consent_pending(s).map(|change| change.rate));
            let got = s.accept_price(caller);
            prop_assert_eq!(got, expected);
            if let Ok(rate) = got {
                prop_assert_eq!(s.rate_per_block, rate);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::Reject(who) => {
            let caller = caller(who, s);
            let expected = role(caller, consumer())
                .and(phase(s, &LIVE))
                .and(consent_pending(s));
            let got = s.reject_price(caller);
            prop_assert_eq!(got, expected);
            if got.is_ok() {
                prop_assert_eq!(s.rate_per_block, before.rate_per_block);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::Apply => {
            let expected = phase(s, &LIVE).and(match s.price_change {
                Some(change) if !change.needs_consent && now < change.effective_at => Err(TooEarly),
                Some(change) if !change.needs_consent => Ok(change.rate),
                _ => Err(WrongState),
            });
            let got = s.apply_price(now);
            prop_assert_eq!(got, expected);
            if let Ok(rate) = got {
                prop_assert_eq!(s.rate_per_block, rate);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::TopUp(amount) => {
            let expected = if amount == 0 {
                Err(InvalidInput(Invalid::Amount))
            } else {
                phase(s, &LIVE)
            };
            let got = s.check_top_up(amount);
            prop_assert_eq!(got, expected);
            got.is_ok()
        }
        Op::Claim(who) => {
            let caller = caller(who, s);
            let expected = role(caller, s.provider).and(phase(s, &BILLING));
            let got = s.check_claim(caller);
            prop_assert_eq!(got, expected);
            got.is_ok()
        }
        Op::Settle(index) => {
            let status = STATUSES[index];
            let expected = phase(s, &BILLING).and(match (status, s.end) {
                (StreamStatus::Ended, Some((_, reason))) => Ok(reason),
                (StreamStatus::Exhausted, _) => Ok(CloseReason::FundsExhausted),
                _ => Err(TooEarly),
            });
            let got = s.settle_reason(status);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(&*s, &before);
            if let Ok(reason) = got {
                close(s, reason, now)?;
            }
            got.is_ok()
        }
        Op::Reaward(terms) => {
            let expected = phase(s, &[Phase::Awarded]).and_then(|()| {
                if now <= s.ready_deadline {
                    return Err(TooEarly);
                }
                if s.requirements.excluded_providers.len() >= MAX_REQUIREMENT_ENTRIES {
                    return Ok(None);
                }
                let mut asked = s.requirements.clone();
                asked.excluded_providers.push(s.provider);
                Ok(Some(asked))
            });
            let got = s.reaward_requirements(now);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&*s, &before);
            match got {
                Err(_) => false,
                Ok(None) => {
                    close(s, CloseReason::ReadyTimeout, now)?;
                    true
                }
                Ok(Some(asked)) => {
                    run.reawards += 1;
                    let max = s.requirements.max_price_per_block;
                    let reservation = terms.reservation(acc(10 + run.reawards), max);
                    let offer_id = 1_000 + u64::from(run.reawards);
                    let got = s.reaward(
                        asked.clone(),
                        offer_id,
                        &reservation,
                        now,
                        run.ready_timeout,
                    );
                    match now.checked_add(run.ready_timeout) {
                        None => {
                            prop_assert_eq!(got, Err(Overflow));
                            false
                        }
                        Some(deadline) => {
                            prop_assert_eq!(got, Ok(()));
                            let expected =
                                reawarded(&before, asked, offer_id, &reservation, now, deadline);
                            prop_assert_eq!(&*s, &expected);
                            true
                        }
                    }
                }
            }
        }
        Op::AdminClose => {
            if s.is_live() {
                close(s, CloseReason::Admin, now)?;
                true
            } else {
                prop_assert_eq!(s.close(CloseReason::Admin), Err(WrongState));
                false
            }
        }
    };
    Ok(Some(succeeded))
}
