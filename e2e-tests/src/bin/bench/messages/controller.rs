//! The controller-only messages of the per-message table (the rows whose
//! caller is `controller*`), in a suite of their own.

use dinfra::traits::{AwardDecision, AwardError, EscrowError, RegistryError, Reservation};
use dinfra_e2e_tests::*;

use crate::capacity::Limits;
use crate::market::*;
use crate::measure::{send, Bench};

/// The messages only a controller may call (registry reserve, release and
/// record; escrow open, start, reassign, set_rate, set_end, close; award
/// select) as top-level calls: a suite whose controller, escrow
/// subscription contract and award selector is a plain account. Reached
/// through the subscription contract they are part of `create`,
/// `mark_ready`, `settle` … rows.
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
    let to = &controller.id;
    send::<(), RegistryError>(
        session,
        &suite.registry,
        admin,
        "configure",
        &registry_configuration(to),
    );
    send::<(), EscrowError>(
        session,
        &suite.escrow,
        admin,
        "set_subscription_contract",
        &[some(to)],
    );
    send::<(), AwardError>(
        session,
        &suite.award,
        admin,
        "configure",
        &award_configuration(to),
    );
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
    bench.call::<Reservation, RegistryError>(
        session,
        &registry,
        controller,
        "Registry::reserve",
        &offer,
    );
    bench.call::<(), RegistryError>(session, &registry, controller, "Registry::release", &offer);
    let record = [account_arg(&decision.provider), "Completed".into()];
    bench.call::<(), RegistryError>(session, &registry, controller, "Registry::record", &record);

    let open = [payer.id.to_string(), payee.id.to_string(), "3".into()];
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
    let close = id_arg(stream);
    bench.call::<(u128, u128), EscrowError>(session, &escrow, controller, "Escrow::close", &close);
}
