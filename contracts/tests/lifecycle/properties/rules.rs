//! The rules the property test checks every call against: from the record
//! before a call, the exact result it must return and the record it must
//! leave, closing the record where the subscription contract would.

use super::*;
use core::cell::Cell;
use dinfra::lifecycle::PriceChange;
use dinfra::traits::Outcome;
use dinfra::Invalid;
use SubscriptionError::{
    AlreadyEnding, InvalidInput, Overflow, PriceAboveMax, ProposalChanged, ReadyTimeoutPassed,
    TooEarly, WrongState,
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

/// `now + blocks`, or `Overflow`.
fn after(now: BlockNumber, blocks: BlockNumber) -> Result<BlockNumber, SubscriptionError> {
    now.checked_add(blocks).ok_or(Overflow)
}

/// The Fixed-price proposal waiting for the consumer, or `WrongState`.
fn consent_pending(s: &Subscription) -> Result<PriceChange, SubscriptionError> {
    match s.price_change {
        Some(change) if change.needs_consent => Ok(change),
        _ => Err(WrongState),
    }
}

/// The requirements that hand the award on from the current provider, or
/// `None` when the exclusions are full.
fn excluding_provider(s: &Subscription) -> Option<Requirements> {
    if s.requirements.excluded_providers.len() >= MAX_REQUIREMENT_ENTRIES {
        return None;
    }
    let mut asked = s.requirements.clone();
    asked.excluded_providers.push(s.provider);
    Some(asked)
}

/// The reputation entry the rules give a close for `reason` at `now`.
fn expected_outcome(s: &Subscription, reason: CloseReason, now: BlockNumber) -> Option<Outcome> {
    let exit_scheduled = matches!(s.end, Some((_, CloseReason::ProviderExited)));
    if s.consumer == s.provider {
        // A subscription to oneself proves nothing.
        return None;
    }
    match reason {
        // The provider declined in time, or the admin rewired the escrow.
        CloseReason::Declined | CloseReason::Reclaimed => None,
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

/// What a cancel by `caller` at `now` must return, given whether a
/// governance change is `pending`, and whether it must ask about one.
fn expected_cancel(
    s: &Subscription,
    caller: AccountId,
    now: BlockNumber,
    pending: bool,
) -> (Result<Ending, SubscriptionError>, bool) {
    let mut asks = false;
    let mut expected = || -> Result<Ending, SubscriptionError> {
        role(caller, consumer())?;
        phase(s, &LIVE)?;
        let Some(ready_at) = s.ready_at else {
            // Before ready: the fee only to a provider still in time, and
            // not while a governance change is pending (asked only then).
            asks = now <= s.ready_deadline && s.cancel_fee > 0;
            let fee = if asks && !pending { s.cancel_fee } else { 0 };
            return Ok(Ending::Now {
                reason: CloseReason::ConsumerCancelled,
                fee,
            });
        };
        let notice_end = after(now, s.consumer_notice)?;
        let committed_end = after(ready_at, s.min_duration)?;
        let exited = matches!(s.end, Some((_, CloseReason::ProviderExited)));
        // After ready: the minimum duration binds unless the provider is
        // leaving, and only then is a pending change asked about (it
        // waives it).
        asks = !exited && committed_end > notice_end;
        let end = if exited || pending {
            notice_end
        } else {
            notice_end.max(committed_end)
        };
        match s.end {
            None => Ok(Ending::At(end, CloseReason::ConsumerCancelled)),
            Some((current, reason)) if end < current => Ok(Ending::At(end, reason)),
            Some(_) => Err(AlreadyEnding),
        }
    };
    let result = expected();
    (result, asks)
}

/// What an exit by `caller` at `now` must return.
fn expected_exit(
    s: &Subscription,
    caller: AccountId,
    now: BlockNumber,
) -> Result<Ending, SubscriptionError> {
    role(caller, s.provider)?;
    phase(s, &OPEN)?;
    if s.ready_at.is_none() {
        return Ok(Ending::Now {
            reason: CloseReason::ProviderExited,
            fee: 0,
        });
    }
    Ok(Ending::At(
        after(now, s.notice_blocks)?,
        CloseReason::ProviderExited,
    ))
}

/// Checks the result `got` of a cancel or an exit against `expected`,
/// closing the record if it ended at once. Returns whether it succeeded.
fn ended(
    s: &mut Subscription,
    run: &mut Run,
    got: Result<Ending, SubscriptionError>,
    expected: Result<Ending, SubscriptionError>,
    before: &Subscription,
) -> Result<bool, TestCaseError> {
    prop_assert_eq!(got, expected);
    match got {
        Ok(Ending::Now { reason, fee }) => {
            prop_assert_eq!(&*s, before);
            prop_assert!(fee <= s.cancel_fee);
            close(s, reason, run.now)?;
        }
        Ok(Ending::At(end, reason)) => {
            prop_assert!(end >= run.now);
            prop_assert_eq!(s.end, Some((end, reason)));
            prop_assert_eq!(s.phase, Phase::Ending);
            prop_assert_eq!(
                Subscription {
                    end: before.end,
                    phase: before.phase,
                    ..s.clone()
                },
                before.clone(),
                "a scheduled end changed more than the end"
            );
            run.went_ending = true;
        }
        Err(_) => return Ok(false),
    }
    Ok(true)
}

/// Hands the award on with `asked` (from a reaward or a decline) to the
/// next provider, on `terms`; returns whether it succeeded.
fn hand_on(
    s: &mut Subscription,
    run: &mut Run,
    asked: Requirements,
    terms: Terms,
    before: &Subscription,
) -> Result<bool, TestCaseError> {
    let now = run.now;
    run.reawards += 1;
    let max = s.requirements.max_price_per_block;
    let offer_id = 1_000 + u64::from(run.reawards);
    let reservation = terms.reservation(offer_id, acc(10 + run.reawards), max);
    let got = s.reaward(asked.clone(), &reservation, now);
    // The deadline comes from the record's own ready timeout.
    match now.checked_add(run.ready_timeout) {
        None => {
            prop_assert_eq!(got, Err(Overflow));
            Ok(false)
        }
        Some(deadline) => {
            prop_assert_eq!(got, Ok(()));
            let expected = reawarded(before, asked, &reservation, now, deadline);
            prop_assert_eq!(&*s, &expected);
            run.replaced = None;
            Ok(true)
        }
    }
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
            let caller = caller(who, s, run);
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
        Op::Cancel(who, pending) => {
            let caller = caller(who, s, run);
            let (expected, asks) = expected_cancel(s, caller, now, pending);
            let asked = Cell::new(0u8);
            let got = s.cancel(caller, now, || {
                asked.set(asked.get() + 1);
                pending
            });
            prop_assert_eq!(
                asked.get(),
                u8::from(asks),
                "asked about pending changes {} times",
                asked.get()
            );
            ended(s, run, got, expected, &before)?
        }
        Op::Exit(who) => {
            let caller = caller(who, s, run);
            let expected = expected_exit(s, caller, now);
            let got = s.exit(caller, now);
            ended(s, run, got, expected, &before)?
        }
        Op::Propose(who, rate) => {
            let caller = caller(who, s, run);
            let expected = role(caller, s.provider)
                .and(phase(s, &OPEN))
                .and_then(|()| {
                    if rate == 0 || rate == s.rate_per_block {
                        return Err(InvalidInput(Invalid::Price));
                    }
                    match s.pricing {
                        Pricing::Dynamic if rate > s.requirements.repricing_bound() => {
                            Err(PriceAboveMax)
                        }
                        Pricing::Dynamic => Ok(PriceChange {
                            rate,
                            effective_at: after(now, s.notice_blocks)?,
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
                run.replaced = before.price_change.map(|c| c.rate);
            }
            got.is_ok()
        }
        Op::Accept(who, seen) => {
            let caller = caller(who, s, run);
            let rate = match seen {
                Seen::Pending => s.price_change.map_or(s.rate_per_block, |c| c.rate),
                Seen::Replaced => run.replaced.unwrap_or(s.rate_per_block),
                Seen::Rate(rate) => rate,
            };
            let expected = role(caller, consumer())
                .and(phase(s, &OPEN))
                .and(consent_pending(s))
                .and_then(|change| {
                    unless(change.rate != rate, ProposalChanged).map(|()| change.rate)
                });
            let got = s.accept_price(caller, rate);
            prop_assert_eq!(got, expected);
            if let Ok(rate) = got {
                prop_assert_eq!(s.rate_per_block, rate);
                prop_assert_eq!(s.price_change, None);
            }
            got.is_ok()
        }
        Op::Reject(who) => {
            let caller = caller(who, s, run);
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
            let caller = caller(who, s, run);
            let expected = role(caller, s.provider).and(phase(s, &BILLING));
            let got = s.check_claim(caller);
            prop_assert_eq!(got, expected);
            got.is_ok()
        }
        Op::Settle(index) => {
            let status = STATUSES[index];
            let expected = if status == StreamStatus::Closed {
                // The payer reclaimed the stream: closed from any live phase.
                phase(s, &LIVE).map(|()| CloseReason::Reclaimed)
            } else {
                phase(s, &BILLING).and(match (status, s.end) {
                    (StreamStatus::Ended, Some((_, reason))) => Ok(reason),
                    (StreamStatus::Exhausted, _) => Ok(CloseReason::FundsExhausted),
                    _ => Err(TooEarly),
                })
            };
            let got = s.settle_reason(status);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(&*s, &before);
            if let Ok(reason) = got {
                close(s, reason, now)?;
            }
            got.is_ok()
        }
        Op::Reaward(terms) => {
            let expected = phase(s, &[Phase::Awarded])
                .and(unless(now <= s.ready_deadline, TooEarly))
                .map(|()| excluding_provider(s));
            let got = s.reaward_requirements(now);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&*s, &before);
            match got {
                Err(_) => false,
                Ok(None) => {
                    close(s, CloseReason::ReadyTimeout, now)?;
                    true
                }
                Ok(Some(asked)) => hand_on(s, run, asked, terms, &before)?,
            }
        }
        Op::Decline(who, terms) => {
            let caller = caller(who, s, run);
            let expected = role(caller, s.provider)
                .and(phase(s, &[Phase::Awarded]))
                .and(unless(now > s.ready_deadline, ReadyTimeoutPassed))
                .map(|()| excluding_provider(s));
            let got = s.decline_requirements(caller, now);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&*s, &before);
            match got {
                Err(_) => false,
                Ok(None) => {
                    close(s, CloseReason::Declined, now)?;
                    true
                }
                Ok(Some(asked)) => hand_on(s, run, asked, terms, &before)?,
            }
        }
    };
    Ok(Some(succeeded))
}
