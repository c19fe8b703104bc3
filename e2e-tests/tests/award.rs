//! The award contract on the real runtime: every strategy picks what the
//! rules say, hard requirements are never broken, capacity is respected, bad
//! registry input is refused with nothing written, and the award contract
//! can be swapped for any other implementation of the `Award` trait.

use dinfra::traits::{
    AwardDecision, AwardError, RegistryError, Requirements, Reservation, SubscriptionError,
};
use dinfra::types::Invalid;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::*;
use dinfra_registry::data::Provider;

/// A suite whose award and registry obey `driver` directly (standing in for
/// the subscription contract: their first wiring), with type 0 registered.
fn driven_suite(session: &mut Sandbox, strategy: &str) -> (Suite, AccountId32) {
    let suite = deploy_unwired(session).expect("deploying the suite");
    let driver = funded_account(session, 50);
    wire_controllers(session, &suite, &driver);
    configure_award(session, &suite, MAX_CANDIDATES, strategy);
    assert_eq!(register_type(session, &suite, "substrate-rpc"), 0);
    (suite, driver)
}

fn select(
    session: &mut Sandbox,
    suite: &Suite,
    driver: &AccountId32,
    requirements: &Requirements,
    subscription_id: u64,
) -> Result<AwardDecision, AwardError> {
    let actor = session.set_actor(driver.clone());
    let decision = call(
        session,
        &suite.award,
        "Award::select",
        &[
            requirements_arg(requirements),
            "0".into(),
            subscription_id.to_string(),
        ],
    );
    session.set_actor(actor);
    decision
}

/// `attestor` vouches for `pairs` of `provider`.
fn attest(
    session: &mut Sandbox,
    suite: &Suite,
    attestor: &AccountId32,
    provider: &AccountId32,
    pairs: &[(&str, &str)],
) {
    let actor = session.set_actor(attestor.clone());
    let attested: Result<(), RegistryError> = call(
        session,
        &suite.registry,
        "attest",
        &[provider.to_string(), attributes_arg(&attributes(pairs))],
    );
    assert_eq!(attested, Ok(()));
    session.set_actor(actor);
}

/// Each `(message, args, value, error)` must be refused with that error.
fn assert_refused(
    session: &mut Sandbox,
    suite: &Suite,
    cases: Vec<(&str, Vec<String>, u128, RegistryError)>,
) {
    for (message, args, value, expected) in cases {
        let error: RegistryError = expect_error(session, &suite.registry, message, &args, value);
        assert_eq!(error, expected, "{message}");
    }
}

fn providers(session: &mut Sandbox, n: u8) -> Vec<AccountId32> {
    (0..n).map(|i| funded_account(session, 100 + i)).collect()
}

#[test]
fn round_robin_spreads_awards_over_equal_providers() {
    let mut session = Session::<DinfraSandbox>::default();
    let (suite, driver) = driven_suite(&mut session, "RoundRobin");
    let accounts = providers(&mut session, 4);
    for account in &accounts {
        provider_with_offer(&mut session, &suite, account, &[], 0, 10, 100);
    }
    let mut chosen: Vec<_> = (0..4)
        .map(|id| {
            select(&mut session, &suite, &driver, &max_price(10), id)
                .unwrap()
                .provider
        })
        .collect();
    chosen.sort();
    chosen.dedup();
    assert_eq!(chosen.len(), 4, "4 awards went to 4 different providers");
}

#[test]
fn each_strategy_picks_what_the_rules_say() {
    let mut session = Session::<DinfraSandbox>::default();
    let (suite, driver) = driven_suite(&mut session, "Capacity");
    let a = providers(&mut session, 4);
    provider_with_offer(&mut session, &suite, &a[0], &[], 0, 30, 2);
    provider_with_offer(&mut session, &suite, &a[1], &[], 0, 10, 5);
    provider_with_offer(&mut session, &suite, &a[2], &[], 0, 20, 9);
    provider_with_offer(&mut session, &suite, &a[3], &[], 0, 40, 1);
    let pick = |session: &mut Sandbox, r: &Requirements| {
        select(session, &suite, &driver, r, 7).unwrap().provider
    };

    assert_eq!(
        pick(&mut session, &max_price(100)),
        ink_account(&a[2]),
        "most free capacity"
    );
    assert_eq!(
        pick(&mut session, &max_price(15)),
        ink_account(&a[1]),
        "only a[1] fits 15"
    );

    configure_award(
        &mut session,
        &suite,
        MAX_CANDIDATES,
        "Scored(Weights { price: 1, capacity: 0, reputation: 0, preferred: 0 })",
    );
    assert_eq!(
        pick(&mut session, &max_price(100)),
        ink_account(&a[1]),
        "cheapest"
    );

    // The registry's controller records a good record for a[3] and a bad
    // one for the others, each worth the same.
    session.set_actor(driver.clone());
    for (who, outcome) in [
        (&a[3], "Completed"),
        (&a[0], "ExitedEarly"),
        (&a[1], "MissedReady"),
        (&a[2], "ExitedEarly"),
    ] {
        let r: Result<(), RegistryError> = call(
            &mut session,
            &suite.registry,
            "Registry::record",
            &[who.to_string(), outcome.into(), "1000".into()],
        );
        assert_eq!(r, Ok(()));
    }
    configure_session_admin(&mut session);
    configure_award(
        &mut session,
        &suite,
        MAX_CANDIDATES,
        "Scored(Weights { price: 0, capacity: 0, reputation: 1, preferred: 0 })",
    );
    assert_eq!(
        pick(&mut session, &max_price(100)),
        ink_account(&a[3]),
        "best record"
    );

    configure_award(
        &mut session,
        &suite,
        MAX_CANDIDATES,
        "Scored(Weights { price: 0, capacity: 0, reputation: 0, preferred: 1 })",
    );
    let prefers_a0 = Requirements {
        preferred_providers: vec![ink_account(&a[0])],
        ..max_price(100)
    };
    assert_eq!(
        pick(&mut session, &prefers_a0),
        ink_account(&a[0]),
        "preferred bonus"
    );
    let only_a0 = Requirements {
        preferred_only: true,
        ..prefers_a0
    };
    configure_award(&mut session, &suite, MAX_CANDIDATES, "RoundRobin");
    for id in 0..4 {
        let decision = select(&mut session, &suite, &driver, &only_a0, id).unwrap();
        assert_eq!(decision.provider, ink_account(&a[0]), "preferred only");
    }

    configure_award(&mut session, &suite, MAX_CANDIDATES, "Random");
    let mut seen = Vec::new();
    for id in 0..12 {
        let decision = select(&mut session, &suite, &driver, &max_price(25), id).unwrap();
        assert!(
            decision.price_per_block <= 25,
            "random picks only what fits"
        );
        seen.push(decision.provider);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len(),
        2,
        "both fitting providers come up over 12 awards"
    );
}

/// The default actor is the admin of every contract of the suite.
fn configure_session_admin(session: &mut Sandbox) {
    session.set_actor(<DinfraSandbox as drink::Sandbox>::default_actor());
}

#[test]
fn hard_requirements_are_never_broken() {
    let mut session = Session::<DinfraSandbox>::default();
    let (suite, driver) = driven_suite(&mut session, "RoundRobin");
    let a = providers(&mut session, 3);
    let attestor = funded_account(&mut session, 60);
    let stranger = funded_account(&mut session, 61);
    provider_with_offer(
        &mut session,
        &suite,
        &a[0],
        &[("network", "aws"), ("region", "eu")],
        0,
        5,
        10,
    );
    provider_with_offer(
        &mut session,
        &suite,
        &a[1],
        &[("network", "hetzner"), ("region", "eu")],
        0,
        5,
        10,
    );
    provider_with_offer(
        &mut session,
        &suite,
        &a[2],
        &[("network", "ovh"), ("region", "us")],
        0,
        5,
        10,
    );

    let no_aws = Requirements {
        excluded_attributes: attributes(&[("network", "aws")]),
        ..max_price(10)
    };
    for strategy in [
        "RoundRobin",
        "Random",
        "Capacity",
        "Scored(Weights { price: 1, capacity: 1, reputation: 1, preferred: 1 })",
    ] {
        configure_award(&mut session, &suite, MAX_CANDIDATES, strategy);
        for id in 0..6 {
            let decision = select(&mut session, &suite, &driver, &no_aws, id).unwrap();
            assert_ne!(
                decision.provider,
                ink_account(&a[0]),
                "{strategy} chose a banned network"
            );
        }
    }

    // region=eu vouched for by a trusted attestor: self-declared is not enough.
    configure_award(&mut session, &suite, MAX_CANDIDATES, "RoundRobin");
    let attested_eu = Requirements {
        required_attributes: attributes(&[("region", "eu")]),
        trusted_attestors: vec![ink_account(&attestor)],
        ..no_aws.clone()
    };
    assert_eq!(
        select(&mut session, &suite, &driver, &attested_eu, 0),
        Err(AwardError::NoProvider)
    );
    attest(&mut session, &suite, &stranger, &a[1], &[("region", "eu")]);
    assert_eq!(
        select(&mut session, &suite, &driver, &attested_eu, 1),
        Err(AwardError::NoProvider),
        "an untrusted attestor does not count"
    );
    attest(&mut session, &suite, &attestor, &a[1], &[("region", "eu")]);
    for id in 2..6 {
        let decision = select(&mut session, &suite, &driver, &attested_eu, id).unwrap();
        assert_eq!(decision.provider, ink_account(&a[1]));
    }
    assert_eq!(
        select(&mut session, &suite, &driver, &max_price(4), 9),
        Err(AwardError::NoProvider),
        "nothing under the price ceiling"
    );
    let invalid = Requirements {
        preferred_only: true,
        ..max_price(10)
    };
    assert_eq!(
        select(&mut session, &suite, &driver, &invalid, 9),
        Err(AwardError::InvalidInput(Invalid::Requirements))
    );
}

#[test]
fn capacity_is_respected() {
    let mut session = Session::<DinfraSandbox>::default();
    let (suite, driver) = driven_suite(&mut session, "RoundRobin");
    let a = providers(&mut session, 1);
    let offer = provider_with_offer(&mut session, &suite, &a[0], &[], 0, 5, 2);
    session.set_actor(driver.clone());
    let reserve = |session: &mut Sandbox| -> Result<Reservation, RegistryError> {
        call(
            session,
            &suite.registry,
            "Registry::reserve",
            &[offer.to_string(), "[]".into()],
        )
    };
    for free in [2, 1] {
        assert!(select(&mut session, &suite, &driver, &max_price(5), 0).is_ok());
        let reservation = reserve(&mut session).expect("reserved");
        assert_eq!(
            (
                reservation.type_id,
                reservation.offer.offer_id,
                reservation.offer.free_capacity
            ),
            (0, offer, free),
            "the registry's terms of the offer, before this reservation"
        );
    }
    assert_eq!(
        select(&mut session, &suite, &driver, &max_price(5), 0),
        Err(AwardError::NoProvider)
    );
    let count: u32 = call(
        &mut session,
        &suite.registry,
        "offer_count_of_type",
        &["0".into()],
    );
    assert_eq!(count, 0, "a full offer leaves the award's view");
    session.set_actor(driver.clone());
    assert_eq!(
        reserve(&mut session).map(|_| ()),
        Err(RegistryError::NoCapacity)
    );
    let r: Result<(), RegistryError> = call(
        &mut session,
        &suite.registry,
        "Registry::release",
        &[offer.to_string()],
    );
    assert_eq!(r, Ok(()));
    assert!(
        select(&mut session, &suite, &driver, &max_price(5), 0).is_ok(),
        "released capacity is free again"
    );
}

#[test]
fn bad_registry_input_gets_its_error_and_writes_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    let (suite, driver) = driven_suite(&mut session, "RoundRobin");
    let a = providers(&mut session, 2);
    let offer = provider_with_offer(&mut session, &suite, &a[0], &[], 0, 5, 2);
    session.set_actor(a[1].clone());
    let balance_before = free_balance(&mut session, &a[1]);
    let too_many: Vec<(String, String)> = (0..17)
        .map(|i| (format!("k{i}"), "v".to_string()))
        .collect();
    let too_many: Vec<(&str, &str)> = too_many
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let cases: Vec<(&str, Vec<String>, u128, RegistryError)> = vec![
        (
            "register_type",
            vec!["\"\"".into(), hex32([1; 32])],
            0,
            RegistryError::InvalidInput(Invalid::Name),
        ),
        (
            "register_type",
            vec!["\"substrate-rpc\"".into(), hex32([1; 32])],
            0,
            RegistryError::AlreadyExists,
        ),
        (
            "register_provider",
            vec!["\"\"".into(), "\"wss://x\"".into(), "[]".into()],
            MIN_BOND,
            RegistryError::InvalidInput(Invalid::Name),
        ),
        (
            "register_provider",
            vec![
                "\"n\"".into(),
                "\"wss://x\"".into(),
                attributes_arg(&attributes(&too_many)),
            ],
            MIN_BOND,
            RegistryError::InvalidInput(Invalid::Attributes),
        ),
        (
            "register_provider",
            vec!["\"n\"".into(), "\"wss://x\"".into(), "[]".into()],
            MIN_BOND - 1,
            RegistryError::InsufficientBond,
        ),
        (
            "publish_offer",
            vec!["0".into(), terms_arg(5, 1, 0, 0)],
            0,
            RegistryError::NotFound,
        ),
    ];
    assert_refused(&mut session, &suite, cases);
    assert_eq!(
        free_balance(&mut session, &a[1]),
        balance_before,
        "no bond was kept"
    );
    let nobody: Option<Provider> = call(
        &mut session,
        &suite.registry,
        "provider",
        &[a[1].to_string()],
    );
    assert_eq!(nobody, None);

    session.set_actor(a[0].clone());
    let cases: Vec<(&str, Vec<String>, u128, RegistryError)> = vec![
        (
            "register_provider",
            vec!["\"n\"".into(), "\"wss://x\"".into(), "[]".into()],
            MIN_BOND,
            RegistryError::AlreadyExists,
        ),
        (
            "publish_offer",
            vec!["0".into(), terms_arg(5, 0, 0, 0)],
            0,
            RegistryError::InvalidInput(Invalid::Capacity),
        ),
        (
            "publish_offer",
            vec!["0".into(), terms_arg(0, 1, 0, 0)],
            0,
            RegistryError::InvalidInput(Invalid::Price),
        ),
        (
            "publish_offer",
            vec!["9".into(), terms_arg(5, 1, 0, 0)],
            0,
            RegistryError::NotFound,
        ),
        (
            "update_offer",
            vec![offer.to_string(), terms_arg(0, 1, 0, 0)],
            0,
            RegistryError::InvalidInput(Invalid::Price),
        ),
    ];
    assert_refused(&mut session, &suite, cases);
    let count: u32 = call(
        &mut session,
        &suite.registry,
        "offer_count_of_type",
        &["0".into()],
    );
    assert_eq!(count, 1, "no offer was added");

    session.set_actor(driver.clone());
    let r: Result<Reservation, RegistryError> = call(
        &mut session,
        &suite.registry,
        "Registry::reserve",
        &[offer.to_string(), "[]".into()],
    );
    assert_eq!(r.map(|r| r.offer.offer_id), Ok(offer));
    session.set_actor(a[0].clone());
    let error: RegistryError = expect_error(&mut session, &suite.registry, "deregister", &[], 0);
    assert_eq!(error, RegistryError::CapacityReserved);
    let still: Option<Provider> = call(
        &mut session,
        &suite.registry,
        "provider",
        &[a[0].to_string()],
    );
    assert_eq!(
        still.map(|p| p.offers.len()),
        Some(1),
        "deregistration wrote nothing"
    );

    // Controller-only messages refuse everyone else.
    for (message, args) in [
        ("Registry::reserve", vec![offer.to_string(), "[]".into()]),
        ("Registry::release", vec![offer.to_string()]),
        (
            "Registry::record",
            vec![a[0].to_string(), "Completed".into(), "1000".into()],
        ),
    ] {
        let error: RegistryError = expect_error(&mut session, &suite.registry, message, &args, 0);
        assert_eq!(error, RegistryError::Unauthorized, "{message}");
    }
}

#[test]
fn the_award_contract_is_swapped_without_redeploying_anything_else() {
    let mut session = Session::<DinfraSandbox>::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    assert_eq!(register_type(&mut session, &suite, "substrate-rpc"), 0);
    let a = providers(&mut session, 3);
    for (account, price) in a.iter().zip([10u128, 30, 20]) {
        provider_with_offer(&mut session, &suite, account, &[], 0, price, 5);
    }
    let create = |session: &mut Sandbox| -> Result<u64, SubscriptionError> {
        create_subscription(session, &suite, 0, &max_price(100), 1_000)
    };
    let consumer = funded_account(&mut session, 70);
    session.set_actor(consumer.clone());
    assert_eq!(create(&mut session), Ok(0));

    configure_session_admin(&mut session);
    let priciest = session
        .deploy_bundle(
            BundleProvider::PriciestAward
                .bundle()
                .expect("fixture bundle"),
            "new",
            &[suite.registry.to_string()],
            vec![1],
            None,
        )
        .expect("deploying the test-only award");
    // A scheduled change of the subscription contract's award link, applied
    // after the governance delay.
    schedule_and_apply(
        &mut session,
        &suite.subscription,
        link_change("Award", Some(&priciest)),
    );
    let award: ink::primitives::AccountId = call(&mut session, &suite.subscription, "award", &[]);
    assert_eq!(award, ink_account(&priciest));

    session.set_actor(consumer);
    assert_eq!(create(&mut session), Ok(1));
    let second: Option<dinfra::lifecycle::Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["1".into()],
    );
    let second = second.expect("subscription 1");
    assert_eq!(
        second.provider,
        ink_account(&a[1]),
        "the new award picked the priciest"
    );
    assert_eq!(second.rate_per_block, 30);
    let first: Option<dinfra::lifecycle::Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["0".into()],
    );
    assert_eq!(
        first.map(|s| s.rate_per_block),
        Some(10),
        "existing subscriptions untouched"
    );
}

/// The registry's own award (what `create` uses as deployed: the award link
/// names the registry) and the award contract choose alike. Under each
/// strategy, round after round, the offer `create` is awarded is the one
/// `Award::select` picks for the same subscription id in the same block from
/// the same registry state: the same scan, the same pick, and both cursors
/// move past it.
#[test]
fn the_registrys_own_award_chooses_what_the_award_contract_chooses() {
    let strategies = [
        "RoundRobin",
        "Random",
        "Capacity",
        "Scored(Weights { price: 3, capacity: 1, reputation: 1, preferred: 0 })",
    ];
    for strategy in strategies {
        let mut session = Session::<DinfraSandbox>::default();
        let suite = deploy_unwired(&mut session).expect("deploying the suite");
        let driver = funded_account(&mut session, 50);
        wire(&mut session, &suite.registry, &suite.subscription);
        wire(&mut session, &suite.escrow, &suite.subscription);
        wire(&mut session, &suite.award, &driver);
        configure_award(&mut session, &suite, MAX_CANDIDATES, strategy);
        assert_eq!(register_type(&mut session, &suite, "substrate-rpc"), 0);
        let a = providers(&mut session, 4);
        for (provider, (price, capacity)) in a.iter().zip([(30, 2), (10, 5), (20, 9), (10, 9)]) {
            provider_with_offer(&mut session, &suite, provider, &[], 0, price, capacity);
        }
        let mut providers_awarded = Vec::new();
        for id in 0..8u64 {
            let selected = select(&mut session, &suite, &driver, &max_price(30), id)
                .unwrap_or_else(|e| panic!("{strategy}, round {id}: the award contract: {e:?}"));
            let created = create_subscription(&mut session, &suite, 0, &max_price(30), 10_000)
                .unwrap_or_else(|e| panic!("{strategy}, round {id}: create: {e:?}"));
            assert_eq!(created, id);
            let chosen: Vec<dinfra_registry::registry::OfferAwarded> =
                events(&session, &suite.registry);
            let awarded = details(&mut session, &suite, id).subscription;
            assert_eq!(
                chosen.iter().map(|e| e.offer_id).collect::<Vec<_>>(),
                vec![awarded.offer_id],
                "{strategy}, round {id}: the registry said which offer it chose"
            );
            assert_eq!(
                (awarded.offer_id, awarded.provider),
                (selected.offer_id, selected.provider),
                "{strategy}, round {id}"
            );
            providers_awarded.push(awarded.provider);
        }
        providers_awarded.sort();
        providers_awarded.dedup();
        assert!(
            providers_awarded.len() > 1,
            "{strategy}: awards spread ({providers_awarded:?})"
        );
    }
}
