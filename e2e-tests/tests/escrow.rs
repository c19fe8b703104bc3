//! The escrow moving real native balance on the pallet-contracts runtime:
//! every figure checked to the unit, and no unit created or lost by any
//! operation over a million blocks.

use dinfra::admin::AdminError;
use dinfra::stream::{StreamError, StreamStatus};
use dinfra::traits::{ClosedStream, EscrowError, StreamFigures};
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::*;
use ink::scale::Decode;
use std::fmt::Debug;

/// The accounts of one escrow scenario. `controller` stands in for the
/// subscription contract (the admin wires it as the escrow's controller).
struct Scene {
    escrow: AccountId32,
    admin: AccountId32,
    controller: AccountId32,
    payer: AccountId32,
    payee: AccountId32,
    sponsor: AccountId32,
    stranger: AccountId32,
    /// Σ total balance of every account above, which no operation may change.
    total: u128,
}

impl Scene {
    fn new(session: &mut Sandbox) -> Self {
        let suite = deploy_unwired(session).expect("deploying the suite");
        let admin = session.get_actor();
        let controller = funded_account(session, 10);
        // The escrow's first wiring: at once.
        wire(session, &suite.escrow, &controller);
        let mut scene = Scene {
            escrow: suite.escrow,
            admin,
            controller,
            payer: funded_account(session, 11),
            payee: funded_account(session, 12),
            sponsor: funded_account(session, 13),
            stranger: funded_account(session, 14),
            total: 0,
        };
        scene.total = scene.sum(session);
        scene
    }

    fn accounts(&self) -> [&AccountId32; 7] {
        [
            &self.escrow,
            &self.admin,
            &self.controller,
            &self.payer,
            &self.payee,
            &self.sponsor,
            &self.stranger,
        ]
    }

    fn sum(&self, session: &mut Sandbox) -> u128 {
        self.accounts()
            .into_iter()
            .map(|account| total_balance(session, account))
            .sum()
    }

    /// Calls the escrow as `actor` and checks that money was conserved.
    fn op<V: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        actor: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> V {
        session.set_actor(actor.clone());
        let result = call_with_value(session, &self.escrow, message, args, value);
        assert_eq!(
            self.sum(session),
            self.total,
            "{message} created or destroyed value"
        );
        result
    }

    fn figures(&self, session: &mut Sandbox) -> StreamFigures {
        let figures: Option<StreamFigures> =
            self.op(session, &self.stranger, "Escrow::figures", &["0".into()], 0);
        figures.expect("stream 0 exists")
    }

    /// The escrow's books match its balance: what it holds for streams is
    /// in its free balance (storage deposits are held separately).
    fn assert_books(&self, session: &mut Sandbox) {
        let held: u128 = self.op(session, &self.stranger, "total_held", &[], 0);
        let figures = self.figures(session);
        assert_eq!(held, figures.held, "one stream: Σ held is its held");
        assert_eq!(
            figures.deposited,
            figures.withdrawn + figures.refunded + figures.held,
            "deposits = paid + refunded + held"
        );
        let free = free_balance(session, &self.escrow);
        assert!(
            free >= held,
            "escrow free balance {free} below what it holds {held}"
        );
    }
}

#[test]
fn a_stream_over_a_million_blocks_pays_to_the_unit() {
    let mut session = Session::<DinfraSandbox>::default();
    let s = Scene::new(&mut session);
    let escrow_free_at_start = free_balance(&mut session, &s.escrow);
    let id = || vec!["0".to_string()];

    // 1. The controller opens a stream at 3 per block, no first deposit.
    let opened: Result<u64, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::open",
        &[
            s.payer.to_string(),
            s.payee.to_string(),
            "3".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        0,
    );
    assert_eq!(opened, Ok(0));
    // 2–3. The payer and a sponsor deposit.
    let payer_before = free_balance(&mut session, &s.payer);
    let r: Result<(), EscrowError> =
        s.op(&mut session, &s.payer, "Escrow::deposit", &id(), 1_000_000);
    assert_eq!(r, Ok(()));
    assert_eq!(
        free_balance(&mut session, &s.payer),
        payer_before - 1_000_000
    );
    let r: Result<(), EscrowError> =
        s.op(&mut session, &s.sponsor, "Escrow::deposit", &id(), 500_000);
    assert_eq!(r, Ok(()));
    assert_eq!(
        free_balance(&mut session, &s.escrow),
        escrow_free_at_start + 1_500_000
    );
    s.assert_books(&mut session);

    // 4. Nothing accrues before the deployment is ready.
    advance_blocks(&mut session, 10);
    assert_eq!(s.figures(&mut session).withdrawable, 0);
    assert_eq!(s.figures(&mut session).status, StreamStatus::Pending);
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Err(EscrowError::Stream(StreamError::NotStarted)));

    // 5–7. Started: after 100 blocks the payee withdraws exactly 300.
    let r: Result<(), EscrowError> = s.op(&mut session, &s.controller, "Escrow::start", &id(), 0);
    assert_eq!(r, Ok(()));
    let started_at = block_number(&mut session);
    advance_blocks(&mut session, 100);
    let payee_before = free_balance(&mut session, &s.payee);
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Ok(300));
    assert_eq!(free_balance(&mut session, &s.payee), payee_before + 300);
    // 8. Twice in one block: nothing more to take.
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Err(EscrowError::Stream(StreamError::NothingToWithdraw)));

    // 9–11. Rate 5 from now; 1,000 blocks later 5,000 are due.
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::set_rate",
        &[id()[0].clone(), "5".into()],
        0,
    );
    assert_eq!(r, Ok(()));
    advance_blocks(&mut session, 1_000);
    let f = s.figures(&mut session);
    assert_eq!(
        (f.withdrawable, f.accrued, f.status),
        (5_000, 5_300, StreamStatus::Streaming)
    );
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Ok(5_000));
    s.assert_books(&mut session);

    // 12. The payer tops up; the depletion block moves out accordingly.
    let r: Result<(), EscrowError> =
        s.op(&mut session, &s.payer, "Escrow::deposit", &id(), 2_000_000);
    assert_eq!(r, Ok(()));
    let f = s.figures(&mut session);
    let held = 1_500_000 + 2_000_000 - 5_300;
    assert_eq!(f.held, held);
    let now = block_number(&mut session);
    // held is a multiple of the rate: the money runs out exactly on a block
    // boundary, held / rate blocks from now.
    assert_eq!(held % 5, 0);
    assert_eq!(f.depletion_block, Some(now + (held / 5) as u32), "{f:?}");

    // A sponsor adds 300; 1,000 blocks on the payee takes its 5,000; a
    // stranger cannot touch the rate.
    let r: Result<(), EscrowError> = s.op(&mut session, &s.sponsor, "Escrow::deposit", &id(), 300);
    assert_eq!(r, Ok(()));
    advance_blocks(&mut session, 1_000);
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Ok(5_000));
    session.set_actor(s.stranger.clone());
    let error: EscrowError = expect_error(
        &mut session,
        &s.escrow,
        "Escrow::set_rate",
        &[id()[0].clone(), "1".into()],
        0,
    );
    assert_eq!(error, EscrowError::Unauthorized);
    assert_eq!(s.sum(&mut session), s.total);
    let held = held + 300 - 5_000;
    assert_eq!(s.figures(&mut session).held, held);

    // 13–14. 800,000 blocks later the money ran out: the payee gets all of
    // it and not a unit more.
    advance_blocks(&mut session, 800_000);
    let f = s.figures(&mut session);
    assert_eq!(f.status, StreamStatus::Exhausted);
    assert_eq!((f.withdrawable, f.refundable), (held, 0));
    let payee_before = free_balance(&mut session, &s.payee);
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Ok(held));
    assert_eq!(free_balance(&mut session, &s.payee), payee_before + held);
    assert_eq!(s.figures(&mut session).held, 0);

    // 15–17. A deposit after depletion streams again from its block; the
    // controller schedules the end 10 blocks on.
    let r: Result<(), EscrowError> = s.op(&mut session, &s.sponsor, "Escrow::deposit", &id(), 100);
    assert_eq!(r, Ok(()));
    let now = block_number(&mut session);
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::set_end",
        &[id()[0].clone(), (now + 10).to_string()],
        0,
    );
    assert_eq!(r, Ok(()));
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::set_end",
        &[id()[0].clone(), (now - 1).to_string()],
        0,
    );
    assert_eq!(r, Err(EscrowError::Stream(StreamError::EndInPast)));
    advance_blocks(&mut session, 50);
    let f = s.figures(&mut session);
    assert_eq!(
        (f.status, f.withdrawable, f.refundable),
        (StreamStatus::Ended, 50, 50)
    );
    assert!(block_number(&mut session) - started_at > 800_000);

    // 18. Close: 50 to the payee, 50 back to the payer.
    let payer_before = free_balance(&mut session, &s.payer);
    let payee_before = free_balance(&mut session, &s.payee);
    let withdrawn_before = s.figures(&mut session).withdrawn;
    let close = vec!["0".to_string(), "0".to_string()];
    let r: Result<ClosedStream, EscrowError> =
        s.op(&mut session, &s.controller, "Escrow::close", &close, 0);
    assert_eq!(
        r,
        Ok(ClosedStream {
            paid: 50,
            refunded: 50,
            payee_total: withdrawn_before + 50
        })
    );
    assert_eq!(free_balance(&mut session, &s.payer), payer_before + 50);
    assert_eq!(free_balance(&mut session, &s.payee), payee_before + 50);
    s.assert_books(&mut session);
    assert_eq!(
        free_balance(&mut session, &s.escrow),
        escrow_free_at_start,
        "nothing left behind"
    );

    // 19–20. A closed stream takes no more money and pays no more.
    let r: Result<(), EscrowError> = s.op(&mut session, &s.payer, "Escrow::deposit", &id(), 10);
    assert_eq!(r, Err(EscrowError::Stream(StreamError::Closed)));
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.payee, "Escrow::withdraw", &id(), 0);
    assert_eq!(r, Err(EscrowError::Stream(StreamError::Closed)));
    let f = s.figures(&mut session);
    assert_eq!(f.status, StreamStatus::Closed);
    assert_eq!(f.deposited, 3_500_400);
    assert_eq!(f.withdrawn + f.refunded, f.deposited);
}

#[test]
fn every_privileged_message_refuses_an_unauthorized_caller() {
    let mut session = Session::<DinfraSandbox>::default();
    let s = Scene::new(&mut session);
    let opened: Result<u64, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::open",
        &[
            s.payer.to_string(),
            s.payee.to_string(),
            "3".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        1_000,
    );
    assert_eq!(opened, Ok(0));
    let before: Option<StreamFigures> = s.op(
        &mut session,
        &s.stranger,
        "Escrow::figures",
        &["0".into()],
        0,
    );

    let steering: [(&str, Vec<String>, u128); 7] = [
        (
            "Escrow::open",
            vec![
                s.payer.to_string(),
                s.stranger.to_string(),
                "1".into(),
                CONSUMER_NOTICE.to_string(),
            ],
            0,
        ),
        (
            "Escrow::open",
            vec![
                s.payer.to_string(),
                s.stranger.to_string(),
                "1".into(),
                CONSUMER_NOTICE.to_string(),
            ],
            500,
        ),
        ("Escrow::start", vec!["0".into()], 0),
        ("Escrow::set_rate", vec!["0".into(), "1".into()], 0),
        ("Escrow::set_end", vec!["0".into(), "999".into()], 0),
        ("Escrow::close", vec!["0".into(), "0".into()], 0),
        ("Escrow::close", vec!["0".into(), "1000".into()], 0),
    ];
    for caller in [&s.stranger, &s.payer, &s.payee, &s.admin] {
        for (message, args, value) in &steering {
            let stranger_before = free_balance(&mut session, caller);
            session.set_actor((*caller).clone());
            let error: EscrowError = expect_error(&mut session, &s.escrow, message, args, *value);
            assert_eq!(error, EscrowError::Unauthorized, "{message} by {caller}");
            assert_eq!(s.sum(&mut session), s.total);
            assert_eq!(
                free_balance(&mut session, caller),
                stranger_before,
                "{message} moved value"
            );
        }
    }
    let r: Result<u128, EscrowError> = s.op(
        &mut session,
        &s.stranger,
        "Escrow::withdraw",
        &["0".into()],
        0,
    );
    assert_eq!(
        r,
        Err(EscrowError::Unauthorized),
        "only the payee withdraws"
    );
    // Only the payer reclaims a stream (here it could: the controller is
    // an account, not a contract that steers it); only the owner of a
    // credit withdraws it.
    for caller in [&s.stranger, &s.payee, &s.admin] {
        let r: Result<ClosedStream, EscrowError> =
            s.op(&mut session, caller, "reclaim", &["0".into()], 0);
        assert_eq!(r, Err(EscrowError::Unauthorized), "reclaim by {caller}");
    }
    let r: Result<u128, EscrowError> = s.op(&mut session, &s.stranger, "withdraw_credit", &[], 0);
    assert_eq!(r, Err(EscrowError::NoCredit));
    // The admin messages: rewiring and upgrading are the admin's to
    // schedule, withdrawing a change too; applying one is anyone's, once due.
    for change in [
        link_change("Controller", Some(&s.stranger)),
        link_change("Controller", None),
        code_change([0; 32]),
        "Delay(0)".to_string(),
    ] {
        let r: Result<u32, AdminError> = s.op(
            &mut session,
            &s.stranger,
            "Admin::schedule_change",
            &[change.clone()],
            0,
        );
        assert_eq!(r, Err(AdminError::Unauthorized), "{change}");
    }
    let r: Result<(), AdminError> = s.op(
        &mut session,
        &s.stranger,
        "Admin::cancel_change",
        &["0".into()],
        0,
    );
    assert_eq!(r, Err(AdminError::Unauthorized));
    let r: Result<(), AdminError> = s.op(
        &mut session,
        &s.stranger,
        "Admin::apply_change",
        &["0".into()],
        0,
    );
    assert_eq!(r, Err(AdminError::NoSuchChange));
    for (message, args) in [
        ("Admin::set_paused", vec!["true".to_string()]),
        ("Admin::transfer_admin", vec![s.stranger.to_string()]),
    ] {
        let r: Result<(), AdminError> = s.op(&mut session, &s.stranger, message, &args, 0);
        assert_eq!(r, Err(AdminError::Unauthorized), "{message}");
    }
    let r: Result<(), AdminError> = s.op(&mut session, &s.stranger, "Admin::accept_admin", &[], 0);
    assert_eq!(r, Err(AdminError::NoPendingTransfer));
    let after: Option<StreamFigures> = s.op(
        &mut session,
        &s.stranger,
        "Escrow::figures",
        &["0".into()],
        0,
    );
    assert_eq!(before, after, "refused calls changed nothing");
    let count: u64 = s.op(&mut session, &s.stranger, "stream_count", &[], 0);
    assert_eq!(count, 1);
}

#[test]
fn pause_stops_new_streams_but_never_deposits_withdrawals_or_refunds() {
    let mut session = Session::<DinfraSandbox>::default();
    let s = Scene::new(&mut session);
    let opened: Result<u64, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::open",
        &[
            s.payer.to_string(),
            s.payee.to_string(),
            "7".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        700,
    );
    assert_eq!(opened, Ok(0));
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::start",
        &["0".into()],
        0,
    );
    assert_eq!(r, Ok(()));
    let r: Result<(), AdminError> = s.op(
        &mut session,
        &s.admin,
        "Admin::set_paused",
        &["true".into()],
        0,
    );
    assert_eq!(r, Ok(()));
    let r: Result<u64, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::open",
        &[
            s.payer.to_string(),
            s.payee.to_string(),
            "7".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        0,
    );
    assert_eq!(r, Err(EscrowError::Paused));
    advance_blocks(&mut session, 20);
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.sponsor,
        "Escrow::deposit",
        &["0".into()],
        70,
    );
    assert_eq!(r, Ok(()));
    let r: Result<u128, EscrowError> =
        s.op(&mut session, &s.payee, "Escrow::withdraw", &["0".into()], 0);
    assert_eq!(r, Ok(140));
    advance_blocks(&mut session, 5);
    let r: Result<ClosedStream, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::close",
        &["0".into(), "0".into()],
        0,
    );
    assert_eq!(
        r,
        Ok(ClosedStream {
            paid: 35,
            refunded: 770 - 140 - 35,
            payee_total: 140 + 35
        })
    );
}

#[test]
fn set_code_keeps_every_stream() {
    let mut session = Session::<DinfraSandbox>::default();
    let s = Scene::new(&mut session);
    let opened: Result<u64, EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::open",
        &[
            s.payer.to_string(),
            s.payee.to_string(),
            "2".into(),
            CONSUMER_NOTICE.to_string(),
        ],
        500,
    );
    assert_eq!(opened, Ok(0));
    session.set_actor(s.admin.clone());
    let code_hash = session
        .upload_bundle(
            BundleProvider::DinfraEscrow
                .bundle()
                .expect("escrow bundle"),
        )
        .expect("uploading escrow code");
    let schedule = |session: &mut Sandbox, who: &AccountId32, code: [u8; 32]| {
        s.op::<Result<u32, AdminError>>(
            session,
            who,
            "Admin::schedule_change",
            &[code_change(code)],
            0,
        )
    };
    let apply = |session: &mut Sandbox, id: u32| {
        s.op::<Result<(), AdminError>>(
            session,
            &s.stranger,
            "Admin::apply_change",
            &[id.to_string()],
            0,
        )
    };
    // An upgrade is the admin's to schedule, and waits the delay.
    assert_eq!(
        schedule(&mut session, &s.stranger, code_hash.0),
        Err(AdminError::Unauthorized)
    );
    let unknown = schedule(&mut session, &s.admin, [0xee; 32]).expect("scheduled");
    let upgrade = schedule(&mut session, &s.admin, code_hash.0).expect("scheduled");
    assert_eq!(apply(&mut session, upgrade), Err(AdminError::NotDue));
    advance_blocks(&mut session, GOVERNANCE_DELAY);
    // Code the runtime does not know is refused when the change is applied,
    // and stays pending until the admin withdraws it.
    assert_eq!(
        apply(&mut session, unknown),
        Err(AdminError::CodeUpgradeFailed)
    );
    let withdrawn: Result<(), AdminError> = s.op(
        &mut session,
        &s.admin,
        "Admin::cancel_change",
        &[unknown.to_string()],
        0,
    );
    assert_eq!(withdrawn, Ok(()));
    let before = s.figures(&mut session);
    assert_eq!(apply(&mut session, upgrade), Ok(()));
    assert_eq!(
        s.figures(&mut session),
        before,
        "the stream survived the upgrade"
    );
    let pending: Vec<dinfra::governance::ScheduledChange> =
        s.op(&mut session, &s.stranger, "Admin::pending_changes", &[], 0);
    assert!(pending.is_empty());
    let r: Result<(), EscrowError> = s.op(
        &mut session,
        &s.controller,
        "Escrow::start",
        &["0".into()],
        0,
    );
    assert_eq!(
        r,
        Ok(()),
        "and the upgraded contract still obeys its controller"
    );
}
