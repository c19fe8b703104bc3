//! The admin — an account, and a 2-of-2 multisig contract — going after the
//! escrowed money by every route it has: the escrow's steering messages,
//! rewiring the escrow's or the registry's controller, a code upgrade. Each
//! route either is refused outright or waits the governance delay, during
//! which every consumer leaves with only the consumer notice, and after
//! which the new controller steers no stream it did not open, and the payers
//! of the streams left behind reclaim them.

use super::*;
use dinfra::admin::{ChangeApplied, ChangeScheduled};
use dinfra::governance::{Change, Link};
use dinfra::lifecycle::CloseReason;
use dinfra::traits::{EscrowError, RegistryError, SubscriptionError};
use dinfra_e2e_tests::market::{fixed, wants};
use dinfra_registry::registry::CapacityReleased;
use dinfra_subscription::subscription::{EndScheduled, RegistryRefused};

/// Rate, minimum duration and notice of the one offer.
const RATE: u128 = 10;
const MIN_DURATION: u32 = 100;
const NOTICE: u32 = 50;
const DEPOSIT: u128 = 10_000;

/// A market with one offer and two ready subscriptions of the consumer and
/// the sponsor; returns their ids and their ready blocks.
fn two_running(session: &mut Sandbox) -> (Market, [u64; 2], u32) {
    let market = Market::new(session, &[fixed(RATE, MIN_DURATION, NOTICE)]);
    let first = market.create(session, &wants(RATE), DEPOSIT);
    let sponsor = market.sponsor.clone();
    let second = market
        .create_as(session, &sponsor, &wants(RATE), None, DEPOSIT)
        .unwrap();
    let ready = market.ready(session, first, 0);
    assert_eq!(market.ready(session, second, 0), ready);
    advance_blocks(session, 5);
    (market, [first, second], ready)
}

/// Every steering message of the escrow on `stream`, as `who`: all must be
/// refused with `Unauthorized`, nothing moved.
fn steering_is_refused(market: &Market, session: &mut Sandbox, who: &AccountId32, stream: u64) {
    steering_of_is_refused(market, session, who, stream);
    opening_is_refused(market, session, who);
}

/// The steering messages of `stream`, as `who` (the controller of the
/// moment, say, when the stream was opened under another): all refused
/// with `Unauthorized`, nothing moved.
fn steering_of_is_refused(market: &Market, session: &mut Sandbox, who: &AccountId32, stream: u64) {
    let s = stream.to_string();
    let attempts: [(&str, Vec<String>); 7] = [
        (
            "Escrow::reassign",
            vec![s.clone(), who.to_string(), "1".into()],
        ),
        ("Escrow::set_rate", vec![s.clone(), DEPOSIT.to_string()]),
        ("Escrow::set_end", vec![s.clone(), "1000000".into()]),
        ("Escrow::close", vec![s.clone(), DEPOSIT.to_string()]),
        ("Escrow::withdraw", vec![s.clone()]),
        ("Escrow::withdraw_many", vec![ids_arg([stream])]),
        ("Escrow::start", vec![s]),
    ];
    for (message, args) in attempts {
        let (reply, _) =
            market.act_on::<(), EscrowError>(session, who, &market.suite.escrow, message, &args, 0);
        assert_eq!(reply, Err(EscrowError::Unauthorized), "{message} by {who}");
    }
}

/// `who`, not the escrow's controller, cannot open a stream either.
fn opening_is_refused(market: &Market, session: &mut Sandbox, who: &AccountId32) {
    let (reply, _) = market.act_on::<u64, EscrowError>(
        session,
        who,
        &market.suite.escrow,
        "Escrow::open",
        &[
            who.to_string(),
            who.to_string(),
            "1".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        DEPOSIT,
    );
    assert_eq!(
        reply,
        Err(EscrowError::Unauthorized),
        "Escrow::open by {who}"
    );
}

/// The consumer of `id` cancels; the end must be `now + consumer notice`
/// (the minimum duration waived) because a change is pending. Returns the end.
fn leaves_with_notice_only(
    market: &Market,
    session: &mut Sandbox,
    who: &AccountId32,
    id: u64,
) -> u32 {
    let pending: bool = call(
        session,
        &market.suite.subscription,
        "governance_pending",
        &[],
    );
    assert!(pending, "the consumer sees a change is scheduled");
    market.on(session, who, "Subscription::cancel", id);
    let end = the_event::<EndScheduled>(session, &market.suite.subscription);
    assert_eq!(end.end, block_number(session) + CONSUMER_NOTICE);
    end.end
}

#[test]
fn the_admin_account_cannot_take_a_deposit_by_any_route() {
    let mut session = Session::<DinfraSandbox>::default();
    let (market, [first, second], ready) = two_running(&mut session);
    let admin = market.admin.clone();
    let (stream, orphan) = (
        stream_of(&market, &mut session, first),
        stream_of(&market, &mut session, second),
    );

    // Route 1: steer the escrow directly.
    steering_is_refused(&market, &mut session, &admin, stream);

    // Route 2: make itself the escrow's controller. It is scheduled, visible,
    // and gives it no power before the delay.
    let change = link_change("Controller", Some(&admin));
    let id: u32 = admin_call(
        &market,
        &mut session,
        &admin,
        &market.suite.escrow,
        "Admin::schedule_change",
        &[change],
    )
    .unwrap();
    let scheduled = the_event::<ChangeScheduled>(&session, &market.suite.escrow);
    let eta = block_number(&mut session) + GOVERNANCE_DELAY;
    assert_eq!((scheduled.id, scheduled.eta), (id, eta));
    let pending: Vec<dinfra::governance::ScheduledChange> = call(
        &mut session,
        &market.suite.escrow,
        "Admin::pending_changes",
        &[],
    );
    assert_eq!(pending.len(), 1);
    steering_is_refused(&market, &mut session, &admin, stream);
    let refused: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        &market.suite.escrow,
        "Admin::apply_change",
        &[id.to_string()],
    );
    assert_eq!(refused, Err(AdminError::NotDue));

    // The consumer sees it and leaves with only the consumer notice; the
    // keeper settles before the change can apply.
    let consumer = market.consumer.clone();
    let end = leaves_with_notice_only(&market, &mut session, &consumer, first);
    assert!(end < eta && end < ready + MIN_DURATION);
    let now = block_number(&mut session);
    advance_blocks(&mut session, end - now);
    let stranger = market.stranger.clone();
    market.on(&mut session, &stranger, "settle", first);
    let closed = market.closed(&mut session);
    let paid = RATE * u128::from(end - ready);
    assert_eq!(closed.reason, CloseReason::ConsumerCancelled);
    assert_eq!((closed.paid, closed.refunded), (paid, DEPOSIT - paid));

    // After the delay the admin controls the escrow (it may open streams of
    // its own money now), and still steers no stream the subscription
    // contract opened.
    let now = block_number(&mut session);
    advance_blocks(&mut session, eta - now);
    let applied: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &stranger,
        &market.suite.escrow,
        "Admin::apply_change",
        &[id.to_string()],
    );
    assert_eq!(applied, Ok(()), "anyone applies a due change");
    assert_eq!(
        the_event::<ChangeApplied>(&session, &market.suite.escrow).id,
        id
    );
    steering_of_is_refused(&market, &mut session, &admin, orphan);

    // The sponsor, who stayed, can no longer cancel through the old
    // controller — and reclaims its stream from the escrow instead: the
    // provider is paid what it earned, the sponsor the rest.
    let sponsor = market.sponsor.clone();
    let (reply, _) = market.act::<()>(
        &mut session,
        &sponsor,
        "Subscription::cancel",
        &[second.to_string()],
        0,
    );
    assert_eq!(
        reply,
        Err(SubscriptionError::Escrow(EscrowError::Unauthorized))
    );
    let earned = RATE * u128::from(block_number(&mut session) - ready);
    let (reclaimed, received) = market.act_on::<dinfra::traits::ClosedStream, EscrowError>(
        &mut session,
        &sponsor,
        &market.suite.escrow,
        "reclaim",
        &[orphan.to_string()],
        0,
    );
    let reclaimed = reclaimed.expect("the payer reclaims an orphaned stream");
    assert_eq!(reclaimed.paid, earned);
    assert_eq!(reclaimed.refunded, DEPOSIT - earned);
    assert_eq!(received, (DEPOSIT - earned) as i128);
    let held: u128 = call(&mut session, &market.suite.escrow, "total_held", &[]);
    assert_eq!(held, 0, "every unit deposited left the escrow by the rules");
}

#[test]
fn the_payer_reclaims_only_a_stream_nobody_steers() {
    let mut session = Session::<DinfraSandbox>::default();
    let (market, [first, second], _) = two_running(&mut session);
    let stream = stream_of(&market, &mut session, first);
    let consumer = market.consumer.clone();
    for who in [&consumer, &market.stranger, &market.providers[0]] {
        let (reply, _) = market.act_on::<dinfra::traits::ClosedStream, EscrowError>(
            &mut session,
            who,
            &market.suite.escrow,
            "reclaim",
            &[stream.to_string()],
            0,
        );
        let expected = if *who == consumer {
            EscrowError::ControllerWorking
        } else {
            EscrowError::Unauthorized
        };
        assert_eq!(reply.map(|_| ()), Err(expected), "reclaim by {who}");
    }
    // The admin unsets the controller (so no refund could ever be closed
    // through it): after the delay every payer reclaims.
    session.set_actor(market.admin.clone());
    schedule_and_apply(
        &mut session,
        &market.suite.escrow,
        link_change("Controller", None),
    );
    let (reply, received) = market.act_on::<dinfra::traits::ClosedStream, EscrowError>(
        &mut session,
        &consumer,
        &market.suite.escrow,
        "reclaim",
        &[stream.to_string()],
        0,
    );
    let closed = reply.expect("reclaimed");
    assert_eq!(received, closed.refunded as i128);
    assert_eq!(closed.paid + closed.refunded, DEPOSIT);

    // The subscription records do not stay live for ever, holding the
    // provider's capacity and bond: `settle` closes a reclaimed one
    // (anyone; no money moves, nothing recorded against the provider).
    let refused = deregister(&market, &mut session);
    assert_eq!(refused.map(|_| ()), Err(RegistryError::CapacityReserved));
    let sponsor = market.sponsor.clone();
    let other = stream_of(&market, &mut session, second);
    let (reply, _) = market.act_on::<dinfra::traits::ClosedStream, EscrowError>(
        &mut session,
        &sponsor,
        &market.suite.escrow,
        "reclaim",
        &[other.to_string()],
        0,
    );
    reply.expect("the sponsor reclaims too");
    for id in [first, second] {
        let (settled, moved) = market.act::<()>(
            &mut session,
            &market.stranger,
            "settle",
            &[id.to_string()],
            0,
        );
        settled.expect("a reclaimed subscription settles");
        assert_eq!(moved, 0);
        let closed = market.closed(&mut session);
        assert_eq!(
            (closed.reason, closed.paid, closed.refunded),
            (CloseReason::Reclaimed, 0, 0)
        );
        assert!(
            events::<dinfra_registry::registry::OutcomeRecorded>(&session, &market.suite.registry)
                .is_empty(),
            "the rewiring is not the provider's doing"
        );
    }
    let live: u64 = call(&mut session, &market.suite.subscription, "live_count", &[]);
    assert_eq!(live, 0);
    let (again, _) = market.act::<()>(
        &mut session,
        &market.stranger,
        "settle",
        &[first.to_string()],
        0,
    );
    assert_eq!(again, Err(SubscriptionError::WrongState));
    deregister(&market, &mut session)
        .expect("capacity released: the provider may leave and later take its bond");
}

#[test]
fn a_rewired_registry_never_freezes_a_cancel_or_a_settle() {
    let mut session = Session::<DinfraSandbox>::default();
    let (market, [first, second], ready) = two_running(&mut session);
    let admin = market.admin.clone();
    session.set_actor(admin.clone());
    schedule_and_apply(
        &mut session,
        &market.suite.registry,
        link_change("Controller", Some(&admin)),
    );
    // The subscription contract reserves and records no more: a create is
    // refused and nothing moves.
    let consumer = market.consumer.clone();
    let count: u64 = market.subscription_count(&mut session);
    let refused = market.create_as(&mut session, &consumer, &wants(RATE), None, DEPOSIT);
    assert_eq!(
        refused,
        Err(SubscriptionError::Registry(RegistryError::Unauthorized))
    );
    let after: u64 = market.subscription_count(&mut session);
    assert_eq!(after, count);
    // It may still release what it reserved, so its subscriptions close and
    // the provider's capacity (and bond) is not frozen; the outcome goes
    // unrecorded, and the event says so. The money moves as always.
    market.on(&mut session, &consumer, "Subscription::cancel", first);
    let end = the_event::<EndScheduled>(&session, &market.suite.subscription).end;
    assert_eq!(
        end,
        ready + MIN_DURATION,
        "no change pending any more: the minimum holds"
    );
    let now = block_number(&mut session);
    advance_blocks(&mut session, end - now);
    let stranger = market.stranger.clone();
    market.on(&mut session, &stranger, "settle", first);
    assert_eq!(
        the_event::<RegistryRefused>(&session, &market.suite.subscription).id,
        first
    );
    assert_eq!(
        the_event::<CapacityReleased>(&session, &market.suite.registry).reserved,
        1
    );
    let closed = market.closed(&mut session);
    let paid = RATE * u128::from(end - ready);
    assert_eq!((closed.paid, closed.refunded), (paid, DEPOSIT - paid));
    // The other subscription too: cancel, settle, refund.
    let sponsor = market.sponsor.clone();
    market.on(&mut session, &sponsor, "Subscription::cancel", second);
    let end = the_event::<EndScheduled>(&session, &market.suite.subscription).end;
    let now = block_number(&mut session);
    advance_blocks(&mut session, end - now);
    market.on(&mut session, &stranger, "settle", second);
    assert_eq!(
        market.closed(&mut session).reason,
        CloseReason::ConsumerCancelled
    );
    let held: u128 = call(&mut session, &market.suite.escrow, "total_held", &[]);
    assert_eq!(held, 0);
    deregister(&market, &mut session).expect("every reservation released: the provider may leave");
}

/// The first provider deregisters (refused while any capacity is reserved).
fn deregister(market: &Market, session: &mut Sandbox) -> Result<(), RegistryError> {
    let provider = market.providers[0].clone();
    market
        .act_on::<(), RegistryError>(
            session,
            &provider,
            &market.suite.registry,
            "deregister",
            &[],
            0,
        )
        .0
}

/// `message(args)` of a `which` contract, encoded for the multisig to call:
/// its selector and its SCALE-encoded arguments.
fn encoded(which: BundleProvider, message: &str, args: &[String]) -> (String, String) {
    let bundle = which.bundle().expect("a bundle");
    let data = bundle
        .transcoder
        .encode(message, args)
        .unwrap_or_else(|e| panic!("encoding {message}: {e:?}"));
    (hex(&data[..4]), hex(&data[4..]))
}

/// Bytes as contract-transcode reads them: `0x…`, or `[]` when there are
/// none (its hex literal needs a digit).
fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "[]".to_string();
    }
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("0x{digits}")
}

type Approval = Result<bool, dinfra_multisig::multisig::MultisigError>;

/// The 2-of-2 multisig of `owners` proposes (first owner) and approves
/// (second owner) a call of `message` on `contract`; returns the second
/// approval's reply (`Ok(true)`: the call was made).
fn multisig_calls(
    market: &Market,
    session: &mut Sandbox,
    multisig: &AccountId32,
    owners: [&AccountId32; 2],
    contract: (&AccountId32, BundleProvider),
    message: &str,
    args: &[String],
) -> Approval {
    let (selector, input) = encoded(contract.1, message, args);
    let (proposed, _) = market.act_on::<u32, dinfra_multisig::multisig::MultisigError>(
        session,
        owners[0],
        multisig,
        "propose",
        &[contract.0.to_string(), selector, input],
        0,
    );
    let id = proposed.expect("an owner proposes");
    let (approved, _) = market.act_on::<bool, dinfra_multisig::multisig::MultisigError>(
        session,
        owners[1],
        multisig,
        "approve",
        &[id.to_string()],
        0,
    );
    approved
}

#[test]
fn a_multisig_admin_is_bound_by_the_same_delays() {
    let mut session = Session::<DinfraSandbox>::default();
    use dinfra_multisig::multisig::MultisigError::CallFailed;
    let (mut market, [first, second], _) = two_running(&mut session);
    let admin = market.admin.clone();
    let bob = funded_account(&mut session, 40);
    session.set_actor(admin.clone());
    let multisig = session
        .deploy_bundle(
            BundleProvider::DinfraMultisig
                .bundle()
                .expect("multisig bundle"),
            "new",
            &[format!("[{admin}, {bob}]"), "2".to_string()],
            drink::session::NO_SALT,
            drink::session::NO_ENDOWMENT,
        )
        .expect("deploying the multisig");
    market.include(&mut session, bob.clone());
    market.include(&mut session, multisig.clone());
    let owners = [&admin, &bob];
    let escrow = (&market.suite.escrow.clone(), BundleProvider::DinfraEscrow);

    // The escrow's admin becomes the multisig (two steps, the second one the
    // multisig's own call, made only with both owners' approval).
    let proposed: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        escrow.0,
        "Admin::transfer_admin",
        &[multisig.to_string()],
    );
    proposed.unwrap();
    let accepted = multisig_calls(
        &market,
        &mut session,
        &multisig,
        owners,
        escrow,
        "Admin::accept_admin",
        &[],
    );
    assert_eq!(accepted, Ok(true));
    let now_admin: ink::primitives::AccountId = call(&mut session, escrow.0, "Admin::admin", &[]);
    assert_eq!(now_admin, ink_account(&multisig));
    let refused: Result<u32, AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        escrow.0,
        "Admin::schedule_change",
        &[link_change("Controller", Some(&admin))],
    );
    assert_eq!(
        refused,
        Err(AdminError::Unauthorized),
        "the old admin key is powerless"
    );

    // Steering a stream through the multisig is refused like any caller's.
    let (stream, orphan) = (
        stream_of(&market, &mut session, first),
        stream_of(&market, &mut session, second),
    );
    for (message, args) in [
        (
            "Escrow::set_rate",
            vec![stream.to_string(), DEPOSIT.to_string()],
        ),
        (
            "Escrow::close",
            vec![stream.to_string(), DEPOSIT.to_string()],
        ),
        (
            "Escrow::reassign",
            vec![stream.to_string(), multisig.to_string(), "1".into()],
        ),
    ] {
        assert_eq!(
            multisig_calls(
                &market,
                &mut session,
                &multisig,
                owners,
                escrow,
                message,
                &args
            ),
            Err(CallFailed),
            "{message} through the multisig"
        );
    }

    // It schedules itself as controller: visible, waiting.
    let wire = Change::Link(Link::Controller, Some(ink_account(&multisig)));
    let scheduled = multisig_calls(
        &market,
        &mut session,
        &multisig,
        owners,
        escrow,
        "Admin::schedule_change",
        &[link_change("Controller", Some(&multisig))],
    );
    assert_eq!(scheduled, Ok(true));
    let pending: Vec<dinfra::governance::ScheduledChange> =
        call(&mut session, escrow.0, "Admin::pending_changes", &[]);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].change, wire);
    let early = multisig_calls(
        &market,
        &mut session,
        &multisig,
        owners,
        escrow,
        "Admin::apply_change",
        &[pending[0].id.to_string()],
    );
    assert_eq!(early, Err(CallFailed), "not before the delay");

    let consumer = market.consumer.clone();
    leaves_with_notice_only(&market, &mut session, &consumer, first);

    let now = block_number(&mut session);

    advance_blocks(&mut session, pending[0].eta - now);
    let stranger = market.stranger.clone();
    let applied: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &stranger,
        escrow.0,
        "Admin::apply_change",
        &[pending[0].id.to_string()],
    );
    assert_eq!(applied, Ok(()));
    for (message, args) in [
        (
            "Escrow::set_rate",
            vec![orphan.to_string(), DEPOSIT.to_string()],
        ),
        (
            "Escrow::close",
            vec![orphan.to_string(), DEPOSIT.to_string()],
        ),
        ("Escrow::withdraw", vec![orphan.to_string()]),
    ] {
        assert_eq!(
            multisig_calls(
                &market,
                &mut session,
                &multisig,
                owners,
                escrow,
                message,
                &args
            ),
            Err(CallFailed),
            "{message}: the new controller steers no stream it did not open"
        );
    }
    let sponsor = market.sponsor.clone();
    let (reclaimed, _) = market.act_on::<dinfra::traits::ClosedStream, EscrowError>(
        &mut session,
        &sponsor,
        escrow.0,
        "reclaim",
        &[orphan.to_string()],
        0,
    );
    let reclaimed = reclaimed.expect("the sponsor reclaims");
    assert_eq!(reclaimed.paid + reclaimed.refunded, DEPOSIT);
}

#[test]
fn no_delay_comes_below_twice_a_notice_someone_holds() {
    let mut session = Session::<DinfraSandbox>::default();
    // The escrow holds a stream whose payer may wait CONSUMER_NOTICE blocks
    // to leave: its delay may come down to twice that, never below — not
    // even to 0, after which an upgrade could apply in the block it is
    // scheduled in.
    let (market, [first, _], _) = two_running(&mut session);
    let admin = market.admin.clone();
    let escrow = market.suite.escrow.clone();
    let longest: u32 = call(&mut session, &escrow, "longest_exit_notice", &[]);
    assert_eq!(longest, CONSUMER_NOTICE);
    for delay in [0, 2 * CONSUMER_NOTICE - 1] {
        let refused: Result<u32, AdminError> = admin_call(
            &market,
            &mut session,
            &admin,
            &escrow,
            "Admin::schedule_change",
            &[format!("Delay({delay})")],
        );
        assert_eq!(refused, Err(AdminError::InvalidChange), "Delay({delay})");
    }
    let scheduled: Result<u32, AdminError> = admin_call(
        &market,
        &mut session,
        &admin,
        &escrow,
        "Admin::schedule_change",
        &[format!("Delay({})", 2 * CONSUMER_NOTICE)],
    );
    let id = scheduled.expect("twice the notice is allowed, after the delay");
    // Meanwhile the subscription contract grants a longer notice (at most
    // half its own delay): a create that would open a stream whose payer
    // could not leave in time once the escrow's delay shrinks is refused
    // later, and the shorter delay cannot apply over a longer notice given.
    let (configured, _) = market.act::<()>(
        &mut session,
        &admin,
        "configure",
        &[format!(
            "Parameters {{ ready_timeout: {READY_TIMEOUT}, consumer_notice: {} }}",
            GOVERNANCE_DELAY / 2
        )],
        0,
    );
    configured.expect("half the subscription contract's delay is allowed");
    let consumer = market.consumer.clone();
    let third = market
        .create_as(&mut session, &consumer, &wants(RATE), None, DEPOSIT)
        .expect("the escrow's delay is still twice the longer notice");
    assert!(third > first);
    let longest: u32 = call(&mut session, &escrow, "longest_exit_notice", &[]);
    assert_eq!(longest, GOVERNANCE_DELAY / 2);
    advance_blocks(&mut session, GOVERNANCE_DELAY);
    let applied: Result<(), AdminError> = admin_call(
        &market,
        &mut session,
        &market.stranger,
        &escrow,
        "Admin::apply_change",
        &[id.to_string()],
    );
    assert_eq!(
        applied,
        Err(AdminError::InvalidChange),
        "checked again when it applies: a stream now holds a longer notice"
    );
    let delay: u32 = call(&mut session, &escrow, "Admin::governance_delay", &[]);
    assert_eq!(delay, GOVERNANCE_DELAY);
}

#[test]
fn create_refuses_a_notice_the_escrows_delay_cannot_honour() {
    let mut session = Session::<DinfraSandbox>::default();
    // The escrow's delay is brought down to twice the notice, then the
    // subscription contract grants a longer one (it checks only its own
    // delay): the escrow refuses to open the stream, and nothing moves.
    let market = Market::new(&mut session, &[fixed(RATE, MIN_DURATION, NOTICE)]);
    session.set_actor(market.admin.clone());
    schedule_and_apply(
        &mut session,
        &market.suite.escrow,
        format!("Delay({})", 2 * CONSUMER_NOTICE),
    );
    let (configured, _) = market.act::<()>(
        &mut session,
        &market.admin,
        "configure",
        &[format!(
            "Parameters {{ ready_timeout: {READY_TIMEOUT}, consumer_notice: {} }}",
            CONSUMER_NOTICE + 1
        )],
        0,
    );
    configured.unwrap();
    let consumer = market.consumer.clone();
    let refused = market.create_as(&mut session, &consumer, &wants(RATE), None, DEPOSIT);
    assert_eq!(
        refused,
        Err(SubscriptionError::Escrow(EscrowError::NoticeTooLong))
    );
    let count: u64 = market.subscription_count(&mut session);
    assert_eq!(count, 0);
}
