//! The invariants checked after every step, on the storage before and after
//! it and the test's books: the answers the model predicts exactly (create
//! naming an offer, the award's choice, cancel with and without the
//! governance waiver, exit, decline, governance, configure, credit
//! withdrawal); a refused call wrote nothing; the lifecycle rules the books'
//! model leans on (ready block, end of a cancel or an exit, rates, the terms
//! and parameters copied into a subscription, hand-overs); reputation;
//! governance state; (1) no money appeared or vanished and every account
//! holds what the books say; (2) every subscription's money, closed ones
//! paid out exactly their deposits; (3) reserved capacity is the live
//! subscriptions, and the registry lists exactly the offers with room; (4)
//! the escrow holds what it owes, to the unit: its balance is what it held
//! at the start + `total_held` + `total_credited`.

use crate::books::{self, cancel_end, created_id, fitting, min_deposit, named_create, Books};
use crate::draw::{GovAction, Kind, Op, FUNDED};
use crate::execute::{Outcome, Refusal, Returned};
use crate::report::Tally;
use crate::storage::{Gov, View};
use crate::world::{account_of, Contract, World, CONTRACTS};
use dinfra::admin::AdminError;
use dinfra::governance::{
    notice_fits_delay, Change, ScheduledChange, MAX_GOVERNANCE_DELAY, MAX_PENDING_CHANGES,
};
use dinfra::lifecycle::{CloseReason, Phase, Subscription};
use dinfra::stream::StreamStatus;
use dinfra::traits::{EscrowError, Outcome as Mark, Pricing, Reputation, SubscriptionError};
use dinfra::types::{Invalid, MAX_TERM_BLOCKS};
use dinfra_e2e_tests::*;
use std::collections::BTreeMap;

/// Checks what the step answered against the model, books its money
/// movements, then checks every invariant against the storage `after` the
/// step (`before` is the view the op was drawn on).
#[allow(clippy::too_many_arguments)]
pub fn check_step(
    session: &mut Sandbox,
    world: &World,
    books: &mut Books,
    tally: &mut Tally,
    op: &Op,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    if let Some(Refusal::Runtime(error)) = &outcome.error {
        let actor = outcome.actor.as_ref().expect("a refused call");
        assert!(
            books.free(actor) < FUNDED,
            "the runtime refused a funded account's call: {error}"
        );
        tally.note("a drained account's call refused by the runtime");
    } else {
        answers(world, books, tally, op, outcome, before, after);
    }
    if !outcome.ok {
        refused_wrote_nothing(outcome, before, after);
    }
    // Only blocks passing (no call) earns; only calls move money.
    if !outcome.called() {
        books.accrue(before, after);
    }
    let fees = cancel_fees(op, outcome, before);
    for (id, fee) in &fees {
        if *fee > 0 && books.held(*id) > 0 {
            tally.note("a cancel before ready paid the offer's cancel fee");
        }
    }
    if let (
        Op::OnId {
            kind: Kind::Cancel,
            id,
            ..
        },
        true,
    ) = (op, outcome.ok)
    {
        if let Some((sub, _)) = before.subs.get(*id as usize) {
            if sub.phase == Phase::Awarded
                && before.now <= sub.ready_deadline
                && sub.cancel_fee > 0
                && before.waiver()
            {
                tally.note("a cancel before ready while a change was pending paid no fee");
            }
        }
    }
    let credited = books.book(world, outcome, after, &fees);
    tally.add(
        "a payment the runtime refused was credited",
        credited as u64,
    );
    if !outcome.credit_withdrawn.is_empty() {
        tally.note("a credit was withdrawn");
    }
    for event in &outcome.closed {
        *tally
            .closes
            .entry(format!("{:?}", event.reason))
            .or_default() += 1;
    }
    lifecycle(world, books, tally, op, outcome, before, after);
    reputation(world, tally, op, outcome, before, after);
    governance(world, op, outcome, before, after);
    money(session, world, books, after);
    let held_by_live = subscriptions(books, before, after);
    closed_details(session, world, books, outcome);
    capacity(world, after);
    escrow(session, world, books, after, held_by_live);
}

/// The cancel fee the model says a close of this step pays the provider:
/// the offer's, for a consumer's cancel before ready within the deadline
/// while no governance change is pending.
fn cancel_fees(op: &Op, outcome: &Outcome, before: &View) -> BTreeMap<u64, u128> {
    let mut fees = BTreeMap::new();
    if let Op::OnId {
        kind: Kind::Cancel,
        id,
        ..
    } = op
    {
        if let (true, Some((sub, _))) = (outcome.ok, before.subs.get(*id as usize)) {
            // Leaving before a pending change is free.
            if sub.phase == Phase::Awarded && before.now <= sub.ready_deadline && !before.waiver() {
                fees.insert(*id, sub.cancel_fee);
            }
        }
    }
    fees
}

/// The step's answer, where the model predicts it exactly.
fn answers(
    world: &World,
    books: &Books,
    tally: &mut Tally,
    op: &Op,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    let answered: Result<(), Refusal> = match &outcome.error {
        None => Ok(()),
        Some(error) => Err(error.clone()),
    };
    let sub_error = |e: SubscriptionError| -> Result<(), Refusal> { Err(Refusal::Subscription(e)) };
    let expected: Option<Result<(), Refusal>> = match op {
        Op::Create {
            consumer,
            type_id,
            requirements,
            offer: Some(offer),
            deposit,
        } => {
            let model = named_create(world, before, *type_id, requirements, *offer, *deposit);
            match (&model, created_id(outcome.returned)) {
                (Ok(index), Some(id)) => {
                    assert_eq!(after.subs[id as usize].0.offer_id, world.offers[*index].0);
                    assert_eq!(after.subs[id as usize].0.consumer, ink_account(consumer));
                }
                (Err(SubscriptionError::Unfit(_)), _) => {
                    tally.note("a named offer that does not fit was refused (Unfit)")
                }
                (Err(SubscriptionError::Registry(_)), _) => {
                    tally.note("a named offer the registry cannot reserve was refused")
                }
                _ => {}
            }
            Some(model.map(|_| ()).map_err(Refusal::Subscription))
        }
        Op::Create {
            type_id,
            requirements,
            offer: None,
            deposit,
            ..
        } => {
            let fit = fitting(world, before, *type_id, requirements);
            let early = requirements
                .validate()
                .map_err(SubscriptionError::from)
                .and_then(|()| {
                    if *deposit == 0 {
                        Err(Invalid::Amount.into())
                    } else if fit.is_empty() {
                        Err(SubscriptionError::NoProvider)
                    } else {
                        Ok(())
                    }
                });
            match (early, &outcome.error) {
                (Err(e), _) => Some(sub_error(e)),
                (Ok(()), None) => {
                    let id = created_id(outcome.returned).expect("a create returns its id");
                    let sub = &after.subs[id as usize].0;
                    let (index, _, spec) = world.offer(sub.offer_id).expect("a world offer");
                    assert!(
                        fit.contains(&index),
                        "the award chose offer {} that does not fit",
                        sub.offer_id
                    );
                    assert!(*deposit >= min_deposit(&spec), "deposit below the minimum");
                    None
                }
                (
                    Ok(()),
                    Some(Refusal::Subscription(SubscriptionError::Escrow(
                        EscrowError::NoticeTooLong,
                    ))),
                ) => {
                    assert!(
                        !notice_fits_delay(
                            before.params.consumer_notice,
                            before.gov(Contract::Escrow).delay
                        ),
                        "NoticeTooLong though the escrow's delay is twice the notice"
                    );
                    tally.note("a create the escrow's delay could not honour was refused");
                    None
                }
                (Ok(()), Some(Refusal::Subscription(SubscriptionError::InsufficientDeposit))) => {
                    assert!(
                        fit.iter()
                            .any(|i| min_deposit(&world.offers[*i].2) > *deposit),
                        "InsufficientDeposit though every fitting offer is covered"
                    );
                    None
                }
                (Ok(()), Some(other)) => panic!("create refused with {other:?}: offers fit"),
            }
        }
        Op::OnId {
            kind, actor, id, ..
        } => {
            let actor = ink_account(actor);
            before.subs.get(*id as usize).and_then(|(sub, _)| {
                on_id(tally, *kind, actor, sub, before).map(|r| r.map_err(Refusal::Subscription))
            })
        }
        Op::Governance {
            actor,
            contract,
            action,
        } => Some(
            governance_answer(world, before, actor, *contract, *action)
                .map(|_| ())
                .map_err(Refusal::Admin),
        ),
        Op::Configure { actor, parameters } => Some(if *actor != world.admin {
            sub_error(SubscriptionError::Unauthorized)
        } else if parameters.ready_timeout == 0
            || parameters.ready_timeout > MAX_TERM_BLOCKS
            || parameters.consumer_notice > MAX_TERM_BLOCKS
            || !notice_fits_delay(
                parameters.consumer_notice,
                before.gov(Contract::Subscription).delay,
            )
        {
            sub_error(Invalid::Parameter.into())
        } else {
            Ok(())
        }),
        Op::WithdrawCredit(who) => {
            let model = books.withdrawal(who);
            if let Ok(amount) = model {
                assert_eq!(
                    outcome.returned,
                    Returned::Amount(amount),
                    "withdraw_credit"
                );
            }
            Some(model.map(|_| ()).map_err(Refusal::Escrow))
        }
        _ => None,
    };
    if let Some(expected) = expected {
        assert_eq!(answered, expected, "the answer to {op:?}");
    }
}

/// What a message on an existing subscription must answer, where the model
/// says exactly: the consumer's cancel (with and without the waiver), the
/// provider's exit, mark_ready and decline.
fn on_id(
    tally: &mut Tally,
    kind: Kind,
    actor: ink::primitives::AccountId,
    sub: &Subscription,
    before: &View,
) -> Option<Result<(), SubscriptionError>> {
    let now = before.now;
    let live = |phases: &[Phase]| -> Result<(), SubscriptionError> {
        if phases.contains(&sub.phase) {
            Ok(())
        } else {
            Err(SubscriptionError::WrongState)
        }
    };
    match kind {
        Kind::Cancel if actor == sub.consumer => Some(
            live(&[Phase::Awarded, Phase::Active, Phase::Ending]).and_then(|()| {
                if sub.ready_at.is_none() {
                    return Ok(());
                }
                let exited = sub.end.map(|(_, r)| r) == Some(CloseReason::ProviderExited);
                match cancel_end(sub, now, before.waiver()) {
                    Ok((_, _, waived)) => {
                        let committed = sub.ready_at.unwrap_or(0) + sub.min_duration;
                        if waived {
                            tally.note(
                                "a cancel while a change was pending waived the minimum duration",
                            );
                        } else if exited {
                            tally.note("a cancel after the provider's exit brought the end nearer");
                        } else if committed > now + sub.consumer_notice {
                            tally.note(
                                "a cancel with no change pending was held to the minimum duration",
                            );
                        }
                        if sub.end.is_some() && !exited {
                            tally.note("a cancel while ending brought the end nearer");
                        }
                        Ok(())
                    }
                    Err(e) => {
                        tally
                            .note("a cancel that would not end sooner was refused (AlreadyEnding)");
                        Err(e)
                    }
                }
            }),
        ),
        Kind::Exit if actor == sub.provider => Some(live(&[Phase::Awarded, Phase::Active])),
        Kind::MarkReady | Kind::Decline if actor == sub.provider => {
            Some(live(&[Phase::Awarded]).and_then(|()| {
                if now > sub.ready_deadline {
                    Err(SubscriptionError::ReadyTimeoutPassed)
                } else {
                    Ok(())
                }
            }))
        }
        Kind::Cancel | Kind::Exit | Kind::MarkReady | Kind::Decline => {
            Some(Err(SubscriptionError::Unauthorized))
        }
        _ => None,
    }
}

/// What a governance message must answer, by the rules of
/// `dinfra::governance` as the test reads them; `Ok` carries whether a
/// schedule applied at once.
fn governance_answer(
    world: &World,
    before: &View,
    actor: &drink::AccountId32,
    contract: Contract,
    action: GovAction,
) -> Result<bool, AdminError> {
    let gov = before.gov(contract);
    // Each delay stays at least twice the longest notice its contract has
    // promised: the subscription contract's consumer notices, the escrow's
    // exit notices.
    let longest = match contract {
        Contract::Subscription => before.longest_notice,
        Contract::Escrow => before.longest_exit_notice,
        _ => 0,
    };
    let delay_ok = |delay: u32| -> Result<(), AdminError> {
        if !notice_fits_delay(longest, delay) {
            return Err(AdminError::InvalidChange);
        }
        Ok(())
    };
    match action {
        GovAction::Schedule(change) => {
            if *actor != world.admin {
                return Err(AdminError::Unauthorized);
            }
            let at_once = match change {
                Change::Delay(delay) => {
                    delay_ok(delay)?;
                    if delay > MAX_GOVERNANCE_DELAY {
                        return Err(AdminError::InvalidChange);
                    }
                    delay >= gov.delay
                }
                _ => false,
            };
            if !at_once && gov.pending.len() >= MAX_PENDING_CHANGES {
                return Err(AdminError::TooManyChanges);
            }
            Ok(at_once)
        }
        GovAction::Apply(id) => {
            let scheduled = gov.find(id).ok_or(AdminError::NoSuchChange)?;
            if before.now < scheduled.eta {
                return Err(AdminError::NotDue);
            }
            match scheduled.change {
                Change::Code(hash) => {
                    if !world.code_hashes.contains(&<[u8; 32]>::from(hash)) {
                        return Err(AdminError::CodeUpgradeFailed);
                    }
                }
                Change::Delay(delay) => delay_ok(delay)?,
                Change::Link(..) => unreachable!("never scheduled"),
            }
            Ok(false)
        }
        GovAction::Cancel(id) => {
            if *actor != world.admin {
                return Err(AdminError::Unauthorized);
            }
            gov.find(id).ok_or(AdminError::NoSuchChange)?;
            Ok(false)
        }
    }
}

/// All or nothing: a refused call wrote nothing anywhere.
fn refused_wrote_nothing(outcome: &Outcome, before: &View, after: &View) {
    assert!(
        outcome.claimed.is_empty() && outcome.closed.is_empty() && outcome.credited.is_empty(),
        "a refused call left Claimed/Closed/Credited events"
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
        before.listed, after.listed,
        "a refused call moved the index"
    );
    assert_eq!(
        before.providers, after.providers,
        "a refused call changed a provider"
    );
    assert_eq!(
        (before.live, before.total_held, before.total_credited),
        (after.live, after.total_held, after.total_credited)
    );
    assert_eq!(
        before.credits, after.credits,
        "a refused call moved a credit"
    );
    assert_eq!(
        before.governance, after.governance,
        "a refused call changed governance"
    );
    assert_eq!(before.params, after.params);
}

/// The lifecycle rules the model relies on: billing starts at the ready
/// block; an end is scheduled by the rule of its reason — a cancel's with
/// the governance waiver exactly when a change is pending on the
/// subscription contract, the registry or the escrow — and only a cancel
/// moves it, only nearer; a rate changes only by an announced price change
/// or a new award (Dynamic rates never above the consumer's repricing
/// bound); the offer's terms and the contract's parameters are copied at
/// create and never change after; a hand-over (reaward, decline) excludes
/// the previous provider and goes to an offer that fits and that the
/// deposit covers, or closes only when none fits or the chosen one needs
/// more.
#[allow(clippy::too_many_arguments)]
fn lifecycle(
    world: &World,
    books: &Books,
    tally: &mut Tally,
    op: &Op,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    let now = after.now;
    let on_this = |id: u64, kinds: &[Kind]| match op {
        Op::OnId {
            kind, id: target, ..
        } => *target == id && kinds.contains(kind),
        _ => false,
    };
    for (id, (new, _)) in after.subs.iter().enumerate() {
        let (index, provider, spec) = world
            .offer(new.offer_id)
            .unwrap_or_else(|| panic!("sub {id}: offer {} is not the world's", new.offer_id));
        assert_eq!(
            (
                new.provider,
                new.type_id,
                new.min_duration,
                new.notice_blocks,
                new.pricing == Pricing::Dynamic,
                new.cancel_fee
            ),
            (
                ink_account(&world.providers[provider]),
                world.type_id,
                spec.min_duration,
                spec.notice_blocks,
                spec.dynamic,
                spec.cancel_fee
            ),
            "sub {id}: the terms of offer {index} copied"
        );
        if id >= before.subs.len() {
            assert!(
                matches!(op, Op::Create { .. }),
                "sub {id}: created by a create"
            );
            assert_eq!(
                (new.consumer_notice, new.ready_timeout),
                (before.params.consumer_notice, before.params.ready_timeout),
                "sub {id}: the contract's parameters copied at create"
            );
            assert_eq!(
                (new.awarded_at, new.ready_deadline, new.phase),
                (now, now + new.ready_timeout, Phase::Awarded),
                "sub {id}: a new award"
            );
            assert_eq!(new.rate_per_block, spec.price_per_block, "sub {id}: rate");
            if new.consumer == new.provider {
                tally.note("a self-subscription was created");
            }
        }
    }
    for (id, (old, old_stream)) in before.subs.iter().enumerate() {
        let (new, _) = &after.subs[id];
        let id = id as u64;
        assert_eq!(
            (new.consumer_notice, new.ready_timeout, new.consumer),
            (old.consumer_notice, old.ready_timeout, old.consumer),
            "sub {id}: copied parameters changed"
        );
        if old.ready_at != new.ready_at {
            assert_eq!(
                (old.ready_at, new.ready_at),
                (None, Some(now)),
                "sub {id}: ready block"
            );
        }
        match (old.end, new.end) {
            (None, Some((end, reason))) => {
                new.ready_at.expect("an end is only scheduled once ready");
                let rule = match reason {
                    CloseReason::ConsumerCancelled => {
                        assert!(
                            on_this(id, &[Kind::Cancel]),
                            "sub {id}: end without a cancel"
                        );
                        cancel_end(old, now, before.waiver())
                            .unwrap_or_else(|e| panic!("sub {id}: cancel model says {e:?}"))
                            .0
                    }
                    CloseReason::ProviderExited => {
                        assert!(on_this(id, &[Kind::Exit]), "sub {id}: end without an exit");
                        now + old.notice_blocks
                    }
                    other => panic!("sub {id}: end scheduled for {other:?}"),
                };
                assert_eq!(end, rule, "sub {id}: end block for {reason:?}");
            }
            (Some((old_end, old_reason)), Some((end, reason))) if old_end != end => {
                assert!(
                    on_this(id, &[Kind::Cancel]),
                    "sub {id}: end moved without a cancel"
                );
                assert!(end < old_end, "sub {id}: a cancel moved the end later");
                let (rule, rule_reason, _) = cancel_end(old, now, before.waiver())
                    .unwrap_or_else(|e| panic!("sub {id}: cancel model says {e:?}"));
                assert_eq!(
                    (end, reason),
                    (rule, rule_reason),
                    "sub {id}: a cancel while ending ({old_reason:?} at {old_end})"
                );
            }
            (old_end, new_end) => assert_eq!(old_end, new_end, "sub {id}: end moved"),
        }
        if old.rate_per_block != new.rate_per_block {
            let announced = outcome
                .price_changed
                .iter()
                .any(|e| e.id == id && e.rate == new.rate_per_block && e.at == now)
                || outcome
                    .awarded
                    .iter()
                    .any(|e| e.id == id && e.rate_per_block == new.rate_per_block);
            assert!(announced, "sub {id}: rate changed silently");
        }
        if new.pricing == Pricing::Dynamic && new.is_live() {
            assert!(
                new.rate_per_block <= new.requirements.repricing_bound(),
                "sub {id}: Dynamic rate above the consumer's repricing bound"
            );
        }
        hand_over(
            world,
            books,
            tally,
            op,
            id,
            old,
            old_stream.held(),
            new,
            after,
        );
    }
}

/// A reaward or a decline of `old` (holding `held`): handed to another
/// provider on the rules, or closed only when nothing else fits.
#[allow(clippy::too_many_arguments)]
fn hand_over(
    world: &World,
    books: &Books,
    tally: &mut Tally,
    op: &Op,
    id: u64,
    old: &Subscription,
    held: u128,
    new: &Subscription,
    after: &View,
) {
    let now = after.now;
    let handed = new.provider != old.provider;
    let Op::OnId {
        kind: kind @ (Kind::Reaward | Kind::Decline),
        id: target,
        ..
    } = op
    else {
        assert!(!handed, "sub {id}: provider changed without a hand-over");
        return;
    };
    if *target != id || old.phase != Phase::Awarded || !(handed || new.phase == Phase::Closed) {
        assert!(!handed, "sub {id}: provider changed without a hand-over");
        return;
    }
    assert_eq!(
        held,
        books.deposits(id),
        "sub {id}: nothing claimed before ready"
    );
    let mut requirements = old.requirements.clone();
    requirements.excluded_providers.push(old.provider);
    let name = if *kind == Kind::Reaward {
        "reaward"
    } else {
        "decline"
    };
    if handed {
        let (_, _, spec) = world.offer(new.offer_id).expect("a world offer");
        assert_eq!(
            new.requirements, requirements,
            "sub {id}: a hand-over excludes the previous provider"
        );
        assert!(
            books::rejection(&spec, &account_of(&new.provider), &requirements, 1).is_none(),
            "sub {id}: handed to an offer that does not fit"
        );
        assert!(
            held >= min_deposit(&spec),
            "sub {id}: handed to an offer the deposit does not cover"
        );
        assert_eq!(
            (
                new.phase,
                new.awarded_at,
                new.ready_deadline,
                new.rate_per_block,
                new.price_change
            ),
            (
                Phase::Awarded,
                now,
                now + old.ready_timeout,
                spec.price_per_block,
                None
            ),
            "sub {id}: the new award (deadline from the ready timeout it was created with)"
        );
        tally.note(if *kind == Kind::Reaward {
            "a reaward handed the award over"
        } else {
            "a decline handed the award over"
        });
    } else {
        let reason = if *kind == Kind::Reaward {
            CloseReason::ReadyTimeout
        } else {
            CloseReason::Declined
        };
        assert_eq!(new.closed, Some(reason), "sub {id}: {name} closed it");
        let fit = fitting(world, after, old.type_id, &requirements);
        assert!(
            fit.is_empty() || fit.iter().any(|i| min_deposit(&world.offers[*i].2) > held),
            "sub {id}: {name} closed it though {fit:?} fit and are covered"
        );
        tally.note(if *kind == Kind::Reaward {
            "a reaward found nobody and closed it"
        } else {
            "a decline found nobody and closed it"
        });
    }
}

/// Reputation is value-weighted and recorded on the provider's word only
/// by the rules: a close records Completed, ExitedEarly (an exit, or any
/// close after one) or MissedReady (a cancel before ready after the
/// deadline; worth what the consumer had at stake) — a reaward records the
/// miss before handing over, a decline nothing — worth what the provider
/// was paid over the whole subscription; a self-subscription records
/// nothing.
fn reputation(
    world: &World,
    tally: &mut Tally,
    op: &Op,
    outcome: &Outcome,
    before: &View,
    after: &View,
) {
    let mut expected: Vec<Reputation> = before.providers.iter().map(|p| p.reputation).collect();
    let index_of = |account: &ink::primitives::AccountId| {
        world
            .providers
            .iter()
            .position(|p| ink_account(p) == *account)
            .expect("a world provider")
    };
    let mut record = |provider: &ink::primitives::AccountId, mark: Mark, value: u128| {
        let r = &mut expected[index_of(provider)];
        let (count, total) = match mark {
            Mark::Completed => (&mut r.completed, &mut r.completed_value),
            Mark::ExitedEarly => (&mut r.exited_early, &mut r.exited_value),
            Mark::MissedReady => (&mut r.missed_ready, &mut r.missed_value),
        };
        *count += 1;
        *total += value;
    };
    let hand_over = matches!(
        op,
        Op::OnId {
            kind: Kind::Reaward | Kind::Decline,
            ..
        }
    );
    if let (
        true,
        Op::OnId {
            kind: Kind::Reaward,
            id,
            ..
        },
    ) = (outcome.ok, op)
    {
        let (old, stream) = &before.subs[*id as usize];
        if old.consumer != old.provider {
            record(&old.provider, Mark::MissedReady, stream.held());
        }
    }
    for event in &outcome.closed {
        let (old, _) = &before.subs[event.id as usize];
        let (_, stream) = &after.subs[event.id as usize];
        if old.consumer == old.provider {
            tally.note("a self-subscription closed (no reputation)");
            continue;
        }
        if hand_over {
            continue;
        }
        let exited = old.end.map(|(_, r)| r) == Some(CloseReason::ProviderExited);
        let mark = match event.reason {
            CloseReason::ProviderExited => Some(Mark::ExitedEarly),
            _ if exited => Some(Mark::ExitedEarly),
            _ if old.ready_at.is_none() => {
                (after.now > old.ready_deadline).then_some(Mark::MissedReady)
            }
            _ => Some(Mark::Completed),
        };
        match mark {
            Some(Mark::MissedReady) => record(
                &old.provider,
                Mark::MissedReady,
                event.paid + event.refunded,
            ),
            Some(mark) => record(&old.provider, mark, stream.withdrawn()),
            None => {}
        }
    }
    for (i, provider) in after.providers.iter().enumerate() {
        assert_eq!(
            provider.reputation, expected[i],
            "provider {i}: reputation ≠ the outcomes recorded"
        );
    }
}

/// Governance never moves but by the messages, on the rules: a schedule
/// adds the change with its delay's eta (or applies a longer delay at once),
/// an apply or a cancel takes it off; the code and the escrow's controller
/// never change (the test never rewires the suite).
fn governance(world: &World, op: &Op, outcome: &Outcome, before: &View, after: &View) {
    let mut expected: Vec<Gov> = before.governance.clone();
    if let (
        true,
        Op::Governance {
            contract, action, ..
        },
    ) = (outcome.ok, op)
    {
        let gov = &mut expected[contract.index()];
        match action {
            GovAction::Schedule(change) => {
                let id = gov.next_id;
                assert_eq!(outcome.returned, Returned::Change(id), "the change's id");
                gov.next_id += 1;
                match change {
                    Change::Delay(delay) if *delay >= gov.delay => {
                        gov.delay = *delay;
                        assert!(
                            outcome.applied.iter().any(|e| e.id == id),
                            "a longer delay applies at once"
                        );
                    }
                    _ => {
                        let eta = before.now + gov.delay;
                        gov.pending.push(ScheduledChange {
                            id,
                            change: *change,
                            scheduled_at: before.now,
                            eta,
                        });
                        assert!(
                            outcome
                                .scheduled
                                .iter()
                                .any(|e| e.id == id && e.change == *change && e.eta == eta),
                            "ChangeScheduled"
                        );
                    }
                }
            }
            GovAction::Apply(id) | GovAction::Cancel(id) => {
                let at = gov
                    .pending
                    .iter()
                    .position(|c| c.id == *id)
                    .expect("pending");
                let change = gov.pending.remove(at).change;
                if let (GovAction::Apply(_), Change::Delay(delay)) = (action, change) {
                    gov.delay = delay;
                }
                let announced = match action {
                    GovAction::Apply(_) => outcome.applied.iter().any(|e| e.id == *id),
                    _ => outcome.cancelled.iter().any(|e| e.id == *id),
                };
                assert!(announced, "ChangeApplied / ChangeCancelled");
            }
        }
    }
    assert_eq!(after.governance, expected, "governance moved off the rules");
    let expected_params = match (outcome.ok, op) {
        (true, Op::Configure { parameters, .. }) => *parameters,
        _ => before.params,
    };
    assert_eq!(after.params, expected_params, "parameters");
    for contract in CONTRACTS {
        assert_eq!(
            after.code_hashes[contract.index()],
            world.code_hashes[contract.index()],
            "{contract:?}: its code changed"
        );
    }
    assert_eq!(
        (after.controller, after.controller_epoch),
        (before.controller, before.controller_epoch),
        "the escrow was rewired"
    );
    assert_eq!(
        after.controller,
        Some(ink_account(&world.suite.subscription))
    );
}

/// Invariant 1, money: nothing appeared or vanished, every account holds
/// what the books say, and every credit is what they say.
fn money(session: &mut Sandbox, world: &World, books: &Books, after: &View) {
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
    for (person, credit) in world.people().iter().zip(&after.credits) {
        assert_eq!(*credit, books.credit(person), "credit of {person}");
    }
    let credits: u128 = books.credits.values().sum();
    assert_eq!(after.total_credited, credits, "total_credited ≠ Σ credits");
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
                assert_eq!(
                    stream.end_block(),
                    sub.end.map(|(end, _)| end),
                    "sub {id}: stream end ≠ record end"
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

/// Invariant 3, capacity: each offer's reservations are its live
/// subscriptions, and the registry's index lists exactly the offers with
/// room (their providers are all active).
fn capacity(world: &World, after: &View) {
    let mut live_total = 0u64;
    let mut per_provider = vec![0u32; world.providers.len()];
    let mut listed = 0usize;
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
        match offer.position {
            Some(position) => {
                assert!(
                    offer.reserved < offer.capacity,
                    "offer {offer_id}: full, listed"
                );
                assert_eq!(
                    after.listed.get(position as usize),
                    Some(offer_id),
                    "offer {offer_id}: its index position"
                );
                listed += 1;
            }
            None => assert_eq!(
                offer.reserved, offer.capacity,
                "offer {offer_id}: room, not listed"
            ),
        }
        per_provider[*provider] += offer.reserved;
        live_total += u64::from(offer.reserved);
    }
    assert_eq!(after.listed.len(), listed, "the index lists other offers");
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
/// − claims) of the live subscriptions, plus every credit — its balance is
/// exactly what it held at the start plus both.
fn escrow(session: &mut Sandbox, world: &World, books: &Books, after: &View, held_by_live: u128) {
    for (contract, longest) in [
        (Contract::Subscription, after.longest_notice),
        (Contract::Escrow, after.longest_exit_notice),
    ] {
        assert!(
            notice_fits_delay(longest, after.gov(contract).delay),
            "{contract:?}: governance delay {} below twice the longest notice {longest}",
            after.gov(contract).delay
        );
    }
    assert_eq!(
        after.total_held, held_by_live,
        "total_held ≠ Σ (deposits − claims) of live subscriptions"
    );
    let escrow_free = free_balance(session, &world.suite.escrow);
    assert!(
        escrow_free >= after.total_held + after.total_credited,
        "escrow free balance below total_held + total_credited"
    );
    assert_eq!(
        escrow_free,
        books.escrow_base + after.total_held + after.total_credited,
        "escrow balance ≠ its base + total_held + total_credited"
    );
}
