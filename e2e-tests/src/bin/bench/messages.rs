//! The per-message table: every public message of the four contracts,
//! measured once by the caller it is meant for in one wired suite
//! ([`suite_messages`]: its cast and order here, with the queries and each
//! contract's Admin interface; the registry's and the subscription
//! lifecycle's committed calls in `messages/registry.rs` and
//! `messages/subscription.rs`), and the controller-only messages as
//! top-level calls in a suite wired to a plain account
//! (`messages/controller.rs`).

mod controller;
mod registry;
mod subscription;

pub use controller::controller_messages;

use dinfra::admin::AdminError;
use dinfra::traits::{AwardError, RegistryError};
use dinfra_e2e_tests::*;

use crate::capacity::Limits;
use crate::market::*;
use crate::measure::{send, Bench};

/// Everyone who calls in [`suite_messages`], funded in this order.
struct Cast {
    admin: Actor,
    consumer: Actor,
    sponsor: Actor,
    anyone: Actor,
    new_admin: Actor,
    provider: Actor,
    dynamic_provider: Actor,
    reaward_providers: [Actor; 2],
    leaving: Actor,
    payee: Actor,
}

impl Cast {
    fn new(session: &mut Sandbox, admin: &Actor) -> Self {
        let consumer = actor(session, "consumer", 30);
        let sponsor = actor(session, "anyone", 31);
        let anyone = actor(session, "anyone", 32);
        let new_admin = actor(session, "proposed admin", 33);
        let provider = actor(session, "provider", 40);
        let dynamic_provider = actor(session, "provider", 41);
        let reaward_providers = [
            actor(session, "provider", 42),
            actor(session, "provider", 43),
        ];
        let leaving = actor(session, "provider", 44);
        let payee = Actor {
            role: "payee (provider)",
            id: provider.id.clone(),
        };
        Self {
            admin: admin.clone(),
            consumer,
            sponsor,
            anyone,
            new_admin,
            provider,
            dynamic_provider,
            reaward_providers,
            leaving,
            payee,
        }
    }
}

/// The deployment types of [`suite_messages`]: fixed-price offers (the
/// main one, ten offers: the award window), a dynamic-price offer, and two
/// providers for `reaward`.
struct Types {
    fixed: u32,
    dynamic: u32,
    reaward: u32,
}

/// Every message of the four contracts in one wired suite, each by the
/// caller it is meant for, except the controller-only ones (see
/// [`controller_messages`]).
pub fn suite_messages(bench: &mut Bench, limits: &Limits) {
    let Deployed {
        ref mut session,
        ref suite,
        ref admin,
    } = deployed(limits);
    let who = Cast::new(session, admin);
    let [registry, award, _, _] = contracts(suite);

    let types = registry::messages(bench, session, suite, &who);
    let (s0, s5) = subscription::messages(bench, session, suite, &who, &types);

    // The leaving provider's bond, once unbonded.
    advance_blocks(session, UNBONDING_BLOCKS + 1);
    bench.call::<u128, RegistryError>(session, &registry, &who.leaving, "withdraw_bond", &[]);

    // The award's configuration (admin; window and strategy, at once).
    let configuration = award_configuration();
    bench.call::<(), AwardError>(session, &award, &who.admin, "configure", &configuration);
    let rules = format!(
        "AwardRules {{ max_candidates: {}, strategy: {} }}",
        configuration[0], configuration[1]
    );
    bench.call::<(), RegistryError>(session, &registry, &who.admin, "configure_award", &[rules]);

    queries(bench, session, suite, &who, types.fixed, s0, s5);
    admin_messages(bench, session, suite, &who);
}

/// Every query, dry-run by anyone: `s0` is a settled subscription, `s5` a
/// live one.
fn queries(
    bench: &mut Bench,
    session: &mut Sandbox,
    suite: &Suite,
    who: &Cast,
    t0: u32,
    s0: u64,
    s5: u64,
) {
    let [registry, award, subscription, escrow] = contracts(suite);
    let p = who.provider.id.to_string();
    let stream5 = id_arg(stream_of(session, suite, s5));
    let queries: Vec<(&Contract, &str, Vec<String>)> = vec![
        (&registry, "deployment_type", vec![t0.to_string()]),
        (
            &registry,
            "type_id_by_name",
            vec!["\"substrate-rpc\"".into()],
        ),
        (&registry, "types", vec!["0".into(), "10".into()]),
        (&registry, "provider", vec![p.clone()]),
        (&registry, "providers", vec!["0".into(), "10".into()]),
        (
            &registry,
            "attestation",
            vec![p.clone(), who.anyone.id.to_string()],
        ),
        (&registry, "offer", vec!["0".into()]),
        (&registry, "offers_of_type", page(t0, 0)),
        (&registry, "offer_count_of_type", vec![t0.to_string()]),
        (&registry, "parameters", vec![]),
        (&registry, "controller", vec![]),
        (&registry, "award_rules", vec![]),
        (
            &registry,
            "Registry::candidates",
            [
                page(t0, 0),
                vec!["1".into(), requirements_arg(&max_price(10))],
            ]
            .concat(),
        ),
        (&registry, "offers_of_provider", vec![p.clone()]),
        (&award, "strategy", vec![]),
        (&award, "registry", vec![]),
        (&award, "selector", vec![]),
        (&award, "max_candidates", vec![]),
        (&award, "cursor", vec![t0.to_string()]),
        (&subscription, "subscription", id_arg(s0)),
        (&subscription, "Subscription::details", id_arg(s5)),
        (
            &subscription,
            "Subscription::subscriptions_of_consumer",
            page(&who.consumer.id, 0),
        ),
        (&subscription, "subscriptions_of_provider", page(&p, 0)),
        (&subscription, "subscription_count", vec![]),
        (&subscription, "live_count", vec![]),
        (&subscription, "parameters", vec![]),
        (&subscription, "award", vec![]),
        (&subscription, "registry", vec![]),
        (&subscription, "escrow", vec![]),
        (&subscription, "governance_pending", vec![]),
        (&escrow, "subscription_contract", vec![]),
        (&escrow, "controller_epoch", vec![]),
        (&escrow, "credit_of", vec![p.clone()]),
        (&escrow, "total_credited", vec![]),
        (&escrow, "stream", stream5.clone()),
        (&escrow, "stream_count", vec![]),
        (&escrow, "total_held", vec![]),
        (&escrow, "Escrow::figures", stream5),
    ];
    for (contract, message, args) in &queries {
        bench.query(session, contract, &who.anyone, message, args);
    }
}

/// The Admin interface of each contract: its queries, a transfer to a new
/// admin (and back), a pause (and resume), a change scheduled and withdrawn,
/// and an upgrade to the same code through the scheduled path (applied by
/// anyone once the delay passed).
fn admin_messages(bench: &mut Bench, session: &mut Sandbox, suite: &Suite, who: &Cast) {
    let (admin, new_admin) = (&who.admin, &who.new_admin);
    for contract in contracts(suite) {
        for message in [
            "Admin::admin",
            "Admin::pending_admin",
            "Admin::paused",
            "Admin::governance_delay",
            "Admin::pending_changes",
        ] {
            bench.query(session, &contract, &who.anyone, message, &[]);
        }
        let to_new = [new_admin.id.to_string()];
        bench.call::<(), AdminError>(session, &contract, admin, "Admin::transfer_admin", &to_new);
        bench.call::<(), AdminError>(session, &contract, new_admin, "Admin::accept_admin", &[]);
        // And back.
        let address = &contract.address;
        let back = [admin.id.to_string()];
        send::<(), AdminError>(session, address, new_admin, "Admin::transfer_admin", &back);
        send::<(), AdminError>(session, address, admin, "Admin::accept_admin", &[]);
        let paused = ["true".to_string()];
        bench.call::<(), AdminError>(session, &contract, admin, "Admin::set_paused", &paused);
        send::<(), AdminError>(
            session,
            address,
            admin,
            "Admin::set_paused",
            &["false".into()],
        );
        // A shorter delay, scheduled and withdrawn.
        let shorter = [format!("Delay({})", GOVERNANCE_DELAY - 1)];
        let withdrawn: u32 =
            send::<u32, AdminError>(session, address, admin, "Admin::schedule_change", &shorter);
        bench.call::<(), AdminError>(
            session,
            &contract,
            admin,
            "Admin::cancel_change",
            &[withdrawn.to_string()],
        );
        // An upgrade to the same code (already uploaded: no deposit).
        session.set_actor(admin.id.clone());
        let code_hash = session
            .upload_bundle(contract.bundle.bundle().expect("the contract's bundle"))
            .expect("uploading the contract's code");
        let code = [code_change(code_hash.0)];
        let id: u32 = bench.call::<u32, AdminError>(
            session,
            &contract,
            admin,
            "Admin::schedule_change",
            &code,
        );
        advance_blocks(session, GOVERNANCE_DELAY);
        bench.call::<(), AdminError>(
            session,
            &contract,
            &who.anyone,
            "Admin::apply_change",
            &[id.to_string()],
        );
    }
}
