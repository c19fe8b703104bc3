//! Upgrades that keep state: each contract is moved to changed code (its
//! `upgrade-fixture` build: a storage cell and two messages v1 does not
//! have) through the scheduled path, and every subscription, stream, offer,
//! provider, parameter and balance reads the same afterwards and goes on
//! working.

use super::*;
use dinfra_e2e_tests::market::{fixed, wants};
use drink::Sandbox as _;

const DEPOSIT: u128 = 100_000;

/// Every query `contract` answers without arguments, typed, as text.
fn query<T: ink::scale::Decode + std::fmt::Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    message: &str,
) -> String {
    let value: T = call(session, contract, message, &[]);
    format!("{contract} {message}: {value:?}")
}

/// Everything the suite's queries say, as text, to compare before and after.
fn snapshot(market: &Market, session: &mut Sandbox) -> Vec<String> {
    use ink::primitives::AccountId;
    let mut seen = Vec::new();
    let suite = &market.suite;
    let count: u64 = call(session, &suite.subscription, "subscription_count", &[]);
    for id in 0..count {
        let details: Option<dinfra::traits::Details> = call(
            session,
            &suite.subscription,
            "Subscription::details",
            &[id.to_string()],
        );
        seen.push(format!("subscription {id}: {details:?}"));
    }
    seen.push(query::<u64>(session, &suite.subscription, "live_count"));
    seen.push(query::<dinfra::lifecycle::Parameters>(
        session,
        &suite.subscription,
        "parameters",
    ));
    for link in ["award", "registry", "escrow"] {
        seen.push(query::<AccountId>(session, &suite.subscription, link));
    }
    let streams: u64 = call(session, &suite.escrow, "stream_count", &[]);
    for id in 0..streams {
        let stream: Option<dinfra::stream::Stream> =
            call(session, &suite.escrow, "stream", &[id.to_string()]);
        seen.push(format!("stream {id}: {stream:?}"));
    }
    seen.push(query::<u128>(session, &suite.escrow, "total_held"));
    seen.push(query::<u128>(session, &suite.escrow, "total_credited"));
    seen.push(query::<Option<AccountId>>(
        session,
        &suite.escrow,
        "subscription_contract",
    ));
    seen.push(query::<u32>(session, &suite.escrow, "controller_epoch"));
    for (index, provider) in market.providers.iter().enumerate() {
        let record: Option<dinfra_registry::data::Provider> = call(
            session,
            &suite.registry,
            "provider",
            &[provider.to_string()],
        );
        seen.push(format!("provider {index}: {record:?}"));
        let offers: Vec<(u64, dinfra_registry::data::Offer)> = call(
            session,
            &suite.registry,
            "offers_of_provider",
            &[provider.to_string()],
        );
        seen.push(format!("offers of {index}: {offers:?}"));
    }
    let listed: u32 = call(
        session,
        &suite.registry,
        "offer_count_of_type",
        &["0".into()],
    );
    seen.push(format!("listed: {listed}"));
    seen.push(query::<Option<AccountId>>(
        session,
        &suite.registry,
        "controller",
    ));
    seen.push(query::<dinfra_registry::data::Parameters>(
        session,
        &suite.registry,
        "parameters",
    ));
    seen.push(query::<dinfra::traits::AwardRules>(
        session,
        &suite.registry,
        "award_rules",
    ));
    let cursor: u32 = call(session, &suite.award, "cursor", &["0".into()]);
    seen.push(format!("award cursor: {cursor}"));
    seen.push(query::<Option<AccountId>>(
        session,
        &suite.award,
        "selector",
    ));
    seen.push(query::<u32>(session, &suite.award, "max_candidates"));
    seen.push(query::<dinfra::traits::Strategy>(
        session,
        &suite.award,
        "strategy",
    ));
    seen.push(query::<AccountId>(session, &suite.award, "registry"));
    for contract in suite.contracts() {
        seen.push(query::<AccountId>(session, &contract, "Admin::admin"));
        seen.push(query::<u32>(session, &contract, "Admin::governance_delay"));
        seen.push(query::<bool>(session, &contract, "Admin::paused"));
    }
    seen
}

fn code_hash_of(session: &mut Sandbox, contract: &AccountId32) -> [u8; 32] {
    let contract = contract.clone();
    session.sandbox().execute_with(|| {
        drink::pallet_contracts::Pallet::<DinfraSandboxRuntime>::code_hash(&contract)
            .expect("a contract")
            .0
    })
}

/// Moves `contract` to `v2` through the scheduled path, with a market in
/// every phase, and checks everything survived and goes on working.
fn upgrade_keeps_everything(
    session: &mut Sandbox,
    pick: fn(&Suite) -> AccountId32,
    v2: BundleProvider,
) {
    let market = Market::new(session, &[fixed(10, 20, 5), fixed(12, 0, 5)]);
    // Award rules other than the defaults, to be read the same after.
    session.set_actor(market.admin.clone());
    configure_award(session, &market.suite, MAX_CANDIDATES + 5, "RoundRobin");
    let consumer = market.consumer.clone();
    let sponsor = market.sponsor.clone();
    // Awarded, active with a claim, ending, closed.
    let awarded = market.create(session, &wants(10), DEPOSIT);
    let active = market
        .create_as(
            session,
            &sponsor,
            &wants(12),
            Some(market.offers[1]),
            DEPOSIT,
        )
        .unwrap();
    let ending = market.create(session, &wants(12), DEPOSIT);
    let closed = market.create(session, &wants(12), DEPOSIT);
    market.on(session, &consumer, "Subscription::cancel", closed);
    let provider_of = |market: &Market, session: &mut Sandbox, id: u64| -> usize {
        let provider = market.details(session, id).subscription.provider;
        market
            .providers
            .iter()
            .position(|p| ink_account(p) == provider)
            .expect("one of the market's providers")
    };
    let active_provider = provider_of(&market, session, active);
    let ending_provider = provider_of(&market, session, ending);
    market.ready(session, active, active_provider);
    market.ready(session, ending, ending_provider);
    advance_blocks(session, 7);
    market.claim(session, active, active_provider);
    market.on(session, &consumer, "Subscription::cancel", ending);

    let contract = pick(&market.suite);
    let admin = market.admin.clone();
    session.set_actor(admin.clone());
    let bundle = v2.bundle().expect("the v2 bundle");
    let code = session.upload_bundle(bundle.clone()).expect("uploading v2");
    let id: u32 = admin_call(
        &market,
        session,
        &admin,
        &contract,
        "Admin::schedule_change",
        &[code_change(code.0)],
    )
    .unwrap();
    let early: Result<(), AdminError> = admin_call(
        &market,
        session,
        &market.stranger.clone(),
        &contract,
        "Admin::apply_change",
        &[id.to_string()],
    );
    assert_eq!(early, Err(AdminError::NotDue));
    advance_blocks(session, GOVERNANCE_DELAY);
    let before = snapshot(&market, session);
    let applied: Result<(), AdminError> = admin_call(
        &market,
        session,
        &market.stranger.clone(),
        &contract,
        "Admin::apply_change",
        &[id.to_string()],
    );
    assert_eq!(applied, Ok(()));
    assert_eq!(
        code_hash_of(session, &contract),
        code.0,
        "the new code runs"
    );
    let after = snapshot(&market, session);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old, new, "changed by the upgrade");
    }
    assert_eq!(before.len(), after.len());

    // The new code's own storage cell and messages (the session learns
    // them from the new code's metadata: its calls are encoded by it).
    session.set_transcoder(contract.clone(), &bundle.transcoder);
    let note: Option<u32> = call(session, &contract, "upgrade_note", &[]);
    assert_eq!(note, None, "v1 never wrote it");
    let _: () = call(session, &contract, "set_upgrade_note", &["7".into()]);
    let note: Option<u32> = call(session, &contract, "upgrade_note", &[]);
    assert_eq!(note, Some(7));
    assert_eq!(
        snapshot(&market, session),
        after,
        "and it touched nothing else"
    );

    // Everything goes on working.
    let stranger = market.stranger.clone();
    let (reawarded, _) = market.act::<()>(session, &stranger, "reaward", &[awarded.to_string()], 0);
    assert_eq!(reawarded, Ok(()), "the missed award moves on");
    let claimed = market.claim(session, active, active_provider);
    assert!(claimed > 0);
    market.on(session, &stranger, "settle", ending);
    let fresh = market.create(session, &wants(12), DEPOSIT);
    let fresh_provider = provider_of(&market, session, fresh);
    market.ready(session, fresh, fresh_provider);
    let (published, _) = market.act_on::<u64, dinfra::traits::RegistryError>(
        session,
        &market.providers[1].clone(),
        &market.suite.registry,
        "publish_offer",
        &["0".into(), fixed(9, 0, 5).arg()],
        0,
    );
    assert!(published.is_ok());
}

#[test]
fn the_subscription_contract_upgrades_keeping_every_record() {
    let mut session = Session::<DinfraSandbox>::default();
    upgrade_keeps_everything(
        &mut session,
        |suite| suite.subscription.clone(),
        BundleProvider::DinfraSubscriptionV2,
    );
}

#[test]
fn the_escrow_upgrades_keeping_every_stream() {
    let mut session = Session::<DinfraSandbox>::default();
    upgrade_keeps_everything(
        &mut session,
        |suite| suite.escrow.clone(),
        BundleProvider::DinfraEscrowV2,
    );
}

#[test]
fn the_registry_upgrades_keeping_every_offer() {
    let mut session = Session::<DinfraSandbox>::default();
    upgrade_keeps_everything(
        &mut session,
        |suite| suite.registry.clone(),
        BundleProvider::DinfraRegistryV2,
    );
}

#[test]
fn the_award_upgrades_keeping_its_cursor_and_config() {
    let mut session = Session::<DinfraSandbox>::default();
    upgrade_keeps_everything(
        &mut session,
        |suite| suite.award.clone(),
        BundleProvider::DinfraAwardV2,
    );
}
