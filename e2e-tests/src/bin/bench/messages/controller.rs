//! The controller-only messages of the per-message table (the rows whose
//! caller is `controller*`), in a suite of their own, with the escrow's
//! ways out that need one: a credit taken, a stream reclaimed.

use dinfra::traits::{
    AwardDecision, AwardError, ClosedStream, EscrowError, RegistryError, Reservation,
};
use dinfra_e2e_tests::*;
use drink::sandbox_api::prelude::*;

use crate::capacity::Limits;
use crate::market::*;
use crate::measure::{send, send_with_value, Bench};

/// The messages only a controller may call (registry reserve, release,
/// award and record; escrow open, start, reassign, set_rate, set_end, withdraw_many,
/// close; award select) as top-level calls: a suite whose controller, escrow
/// subscription contract and award selector is a plain account (rewired
/// through the scheduled path). Reached through the subscription contract
/// they are part of `create`, `mark_ready`, `settle` … rows. Then a payee's
/// `withdraw_credit` and a payer's `reclaim` after the controller changed.
pub fn controller_messages(bench: &mut Bench, limits: &Limits) {
    let Deployed {
        ref mut session,
        ref suite,
        ref admin,
    } = deployed(limits);
    let [registry, award, _, escrow] = contracts(suite);
    let controller = &actor(session, "controller*", 50);
    let payer = actor(session, "payer", 51);
    let payee = actor(session, "payee", 52);
    let other_payee = actor(session, "payee", 53);
    rewire_controllers(session, suite, admin, &controller.id);
    let t0 = register_type(session, suite, "substrate-rpc");
    publish_offers(session, suite, t0, 10, 60);

    let decision: AwardDecision = bench.call::<_, AwardError>(
        session,
        &award,
        controller,
        "Award::select",
        &select_args(t0),
    );
    let offer = [decision.offer_id.to_string()];
    let reserve = [decision.offer_id.to_string(), "[]".into()];
    bench.call::<Reservation, RegistryError>(
        session,
        &registry,
        controller,
        "Registry::reserve",
        &reserve,
    );
    bench.call::<(), RegistryError>(session, &registry, controller, "Registry::release", &offer);
    // The registry's own award (what `create` calls when no offer is named):
    // chosen by its rules and reserved in one call.
    let award = [
        t0.to_string(),
        requirements_arg(&max_price(10)),
        "7".into(),
        "None".into(),
    ];
    bench.call::<Reservation, RegistryError>(
        session,
        &registry,
        controller,
        "Registry::award",
        &award,
    );
    let record = [
        account_arg(&decision.provider),
        "Completed".into(),
        "1000".into(),
    ];
    bench.call::<(), RegistryError>(session, &registry, controller, "Registry::record", &record);

    let open = [
        payer.id.to_string(),
        payee.id.to_string(),
        "3".into(),
        CONSUMER_NOTICE.to_string(),
    ];
    let stream: u64 = bench.call_with_value::<_, EscrowError>(
        session,
        &escrow,
        controller,
        "Escrow::open",
        &open,
        10_000_000,
    );
    let reassign = [stream.to_string(), other_payee.id.to_string(), "4".into()];
    bench.call::<(), EscrowError>(session, &escrow, controller, "Escrow::reassign", &reassign);
    bench.call::<(), EscrowError>(
        session,
        &escrow,
        controller,
        "Escrow::start",
        &id_arg(stream),
    );
    advance_blocks(session, 10);
    let rate = [stream.to_string(), "5".into()];
    bench.call::<(), EscrowError>(session, &escrow, controller, "Escrow::set_rate", &rate);
    let end = [
        stream.to_string(),
        (block_number(session) + 100).to_string(),
    ];
    bench.call::<(), EscrowError>(session, &escrow, controller, "Escrow::set_end", &end);
    advance_blocks(session, 10);
    // A batch of one (claim_many's per-batch cost is in the series).
    let batch = [format!("[{stream}]")];
    bench.call::<Vec<u128>, EscrowError>(
        session,
        &escrow,
        controller,
        "Escrow::withdraw_many",
        &batch,
    );
    advance_blocks(session, 10);
    let close = [stream.to_string(), "0".into()];
    bench.call::<ClosedStream, EscrowError>(session, &escrow, controller, "Escrow::close", &close);

    // A payment the runtime refuses (30 to an account that does not exist,
    // below the existential deposit) becomes a credit, taken later.
    let unborn = Actor {
        role: "payee",
        id: drink::AccountId32::new([54; 32]),
    };
    let open = [
        payer.id.to_string(),
        unborn.id.to_string(),
        "3".into(),
        CONSUMER_NOTICE.to_string(),
    ];
    let credited: u64 = send_with_value::<_, EscrowError>(
        session,
        &suite.escrow,
        controller,
        "Escrow::open",
        &open,
        10_000,
    );
    send::<(), EscrowError>(
        session,
        &suite.escrow,
        controller,
        "Escrow::start",
        &id_arg(credited),
    );
    advance_blocks(session, 10);
    send::<u128, EscrowError>(
        session,
        &suite.escrow,
        controller,
        "Escrow::withdraw",
        &id_arg(credited),
    );
    session
        .sandbox()
        .mint_into(&unborn.id, EXISTENTIAL_DEPOSIT)
        .expect("funding the payee");
    bench.call::<u128, EscrowError>(session, &escrow, &unborn, "withdraw_credit", &[]);

    // The controller changes: the payer reclaims the stream it left behind.
    let left = send_with_value::<u64, EscrowError>(
        session,
        &suite.escrow,
        controller,
        "Escrow::open",
        &open,
        10_000,
    );
    session.set_actor(admin.id.clone());
    schedule_and_apply(
        session,
        &suite.escrow,
        link_change("Controller", Some(&payee.id)),
    );
    bench.call::<ClosedStream, EscrowError>(session, &escrow, &payer, "reclaim", &id_arg(left));
}
