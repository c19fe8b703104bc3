//! Costs that must not grow with time: the escrow's figures are O(1) in the
//! blocks elapsed (snapshot block + snapshot debt), so a withdrawal after a
//! million blocks costs what one after ten does. Prints both.

use dinfra::traits::EscrowError;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::*;

/// Opens and starts a stream, lets `blocks` pass, and returns the gas of
/// the payee's withdrawal.
fn withdraw_gas_after(blocks: u32) -> (u64, u64) {
    let mut session: Sandbox = Session::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let controller = funded_account(&mut session, 10);
    let payer = funded_account(&mut session, 11);
    let payee = funded_account(&mut session, 12);
    let wired: Result<(), EscrowError> = call(
        &mut session,
        &suite.escrow,
        "set_subscription_contract",
        &[format!("Some({controller})")],
    );
    assert_eq!(wired, Ok(()));
    session.set_actor(controller);
    let opened: Result<u64, EscrowError> = call_with_value(
        &mut session,
        &suite.escrow,
        "Escrow::open",
        &[payer.to_string(), payee.to_string(), "3".into()],
        10_000_000,
    );
    assert_eq!(opened, Ok(0));
    let started: Result<(), EscrowError> =
        call(&mut session, &suite.escrow, "Escrow::start", &["0".into()]);
    assert_eq!(started, Ok(()));
    advance_blocks(&mut session, blocks);
    session.set_actor(payee);
    let withdrawn: Result<u128, EscrowError> = call(
        &mut session,
        &suite.escrow,
        "Escrow::withdraw",
        &["0".into()],
    );
    assert_eq!(withdrawn, Ok(3 * u128::from(blocks)));
    last_gas(&session)
}

fn relative_difference(a: u64, b: u64) -> f64 {
    (a as f64 - b as f64).abs() / a.min(b) as f64
}

/// Prints the gas of `what` in two situations and fails if ref_time or
/// proof_size differ by `bound` (a fraction) or more.
fn assert_flat(what: &str, small: (&str, (u64, u64)), large: (&str, (u64, u64)), bound: f64) {
    for (label, (ref_time, proof_size)) in [small, large] {
        println!("gas: {what} {label}: ref_time {ref_time}, proof_size {proof_size}");
    }
    let ref_diff = relative_difference(small.1 .0, large.1 .0);
    let proof_diff = relative_difference(small.1 .1, large.1 .1);
    println!(
        "gas: {what} difference ref_time {:.3}%, proof_size {:.3}%",
        ref_diff * 100.0,
        proof_diff * 100.0
    );
    assert!(ref_diff < bound, "{what}: ref_time grew by {ref_diff}");
    assert!(
        proof_diff < bound,
        "{what}: proof_size grew by {proof_diff}"
    );
}

#[test]
fn withdraw_costs_the_same_after_ten_and_a_million_blocks() {
    assert_flat(
        "escrow withdraw",
        ("after 10 blocks", withdraw_gas_after(10)),
        ("after 1,000,000 blocks", withdraw_gas_after(1_000_000)),
        0.05,
    );
}

/// Publishes `offers` offers of type 0 (16 per provider, the most allowed)
/// and returns the gas of one award.
fn select_gas_with_offers(offers: u32) -> (u64, u64) {
    let mut session: Sandbox = Session::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let driver = funded_account(&mut session, 50);
    let configured: Result<(), dinfra::traits::AwardError> = call(
        &mut session,
        &suite.award,
        "configure",
        &[
            format!("Some({driver})"),
            MAX_CANDIDATES.to_string(),
            "RoundRobin".into(),
        ],
    );
    assert_eq!(configured, Ok(()));
    assert_eq!(register_type(&mut session, &suite, "substrate-rpc"), 0);
    let mut published = 0;
    let mut seed = 0u8;
    while published < offers {
        let provider = funded_account(&mut session, 100 + seed);
        seed += 1;
        provider_with_offer(&mut session, &suite, &provider, &[], 0, 10, 5);
        published += 1;
        session.set_actor(provider);
        while published < offers && published % 16 != 0 {
            let offer: Result<u64, dinfra::traits::RegistryError> = call(
                &mut session,
                &suite.registry,
                "publish_offer",
                &["0".into(), terms_arg(10, 5, 0, 10)],
            );
            assert!(offer.is_ok());
            published += 1;
        }
    }
    let count: u32 = call(
        &mut session,
        &suite.registry,
        "offer_count_of_type",
        &["0".into()],
    );
    assert_eq!(count, offers);
    session.set_actor(driver);
    let decision: Result<dinfra::traits::AwardDecision, dinfra::traits::AwardError> = call(
        &mut session,
        &suite.award,
        "Award::select",
        &[requirements_arg(&max_price(10)), "0".into(), "0".into()],
    );
    assert!(decision.is_ok(), "{decision:?}");
    last_gas(&session)
}

#[test]
fn award_costs_the_same_with_ten_and_a_thousand_offers() {
    assert_flat(
        "award select",
        ("with 10 offers", select_gas_with_offers(10)),
        ("with 1,000 offers", select_gas_with_offers(1_000)),
        0.10,
    );
}
