//! Replies never outgrow ink!'s 16 KiB reply buffer: pages and candidate
//! windows of records with the largest attributes and descriptors come back
//! shorter instead of trapping, and paging by the entries returned still
//! reaches every entry once.

use dinfra::lifecycle::Subscription;
use dinfra::traits::{CandidatePage, RegistryError, SubscriptionError};
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::*;
use dinfra_registry::data::Provider;
use std::collections::BTreeSet;

/// 16 attributes of the longest key and value.
fn largest_attributes(tag: u8) -> Vec<(String, String)> {
    (0..16)
        .map(|i| {
            (
                format!("{i:02}{}", "k".repeat(30)),
                format!("{tag:03}{}", "v".repeat(29)),
            )
        })
        .collect()
}

#[test]
fn large_records_page_and_award_without_trapping() {
    let mut session = Session::<DinfraSandbox>::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let admin = session.get_actor();
    assert_eq!(register_type(&mut session, &suite, "substrate-rpc"), 0);
    let providers: Vec<_> = (0..30)
        .map(|i| funded_account(&mut session, 100 + i))
        .collect();
    for (i, provider) in providers.iter().enumerate() {
        let owned = largest_attributes(i as u8);
        let attrs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        provider_with_offer(&mut session, &suite, provider, &attrs, 0, 10, 200);
    }

    // A page of 100 providers would be ~40 KiB: it comes back shorter, and
    // paging on by what came back reaches all 30 once.
    let mut seen = BTreeSet::new();
    let mut cursor = 0u32;
    let mut pages = 0;
    while cursor < 30 {
        let page: Result<(u32, Vec<(ink::primitives::AccountId, Provider)>), RegistryError> = call(
            &mut session,
            &suite.registry,
            "providers",
            &[cursor.to_string(), "100".into()],
        );
        let (total, entries) = page.expect("a page, not a trap");
        assert_eq!(total, 30);
        assert!(
            !entries.is_empty() && entries.len() < 30,
            "{} entries",
            entries.len()
        );
        for (account, _) in &entries {
            assert!(seen.insert(*account), "an entry came twice");
        }
        cursor += entries.len() as u32;
        pages += 1;
    }
    assert_eq!(seen.len(), 30);
    println!("providers: 30 of the largest records in {pages} pages");

    // The award may ask for the largest window the admin allows: the
    // registry cuts the fitting offers to what fits in a reply instead of
    // trapping.
    configure_award(&mut session, &suite, 100, "RoundRobin");
    let everyone: Result<CandidatePage, RegistryError> = call(
        &mut session,
        &suite.registry,
        "Registry::candidates",
        &[
            "0".into(),
            "0".into(),
            "100".into(),
            "100".into(),
            requirements_arg(&max_price(10)),
        ],
    );
    let everyone = everyone.expect("a window, not a trap");
    assert_eq!(everyone.total, 30);
    assert!(
        !everyone.fitting.is_empty() && everyone.fitting.len() < 30,
        "{} of 30 fitting offers in one reply",
        everyone.fitting.len()
    );
    println!(
        "candidates: {} of 30 of the largest fitting offers in one reply",
        everyone.fitting.len()
    );
    let consumer = funded_account(&mut session, 90);
    session.set_actor(consumer.clone());
    let requirements = dinfra::traits::Requirements {
        required_attributes: attributes(&[(
            &format!("00{}", "k".repeat(30)),
            &format!("005{}", "v".repeat(29)),
        )]),
        ..max_price(10)
    };
    // Subscriptions with the longest descriptor and full requirements: the
    // first asks for the one provider with an attribute (round robin); the
    // others, under a strategy that wants every fitting offer of the
    // window, get a window of 30 large offers cut to fit the reply.
    let uri = format!("ipfs://{}", "x".repeat(121));
    for expected in 0..100u64 {
        if expected == 1 {
            session.set_actor(admin.clone());
            configure_award(&mut session, &suite, 100, "Capacity");
            session.set_actor(consumer.clone());
        }
        let id: Result<u64, SubscriptionError> = call_with_value(
            &mut session,
            &suite.subscription,
            "Subscription::create",
            &[
                "0".into(),
                descriptor_arg(1, &uri),
                requirements_arg(&if expected == 0 {
                    requirements.clone()
                } else {
                    max_price(10)
                }),
                "None".into(),
            ],
            100,
        );
        assert_eq!(id, Ok(expected));
    }
    let first: Option<Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["0".into()],
    );
    assert_eq!(
        first.map(|s| s.provider),
        Some(ink_account(&providers[5])),
        "the only provider with the attribute, from the largest window"
    );

    let mut seen = BTreeSet::new();
    let mut cursor = 0u32;
    while cursor < 100 {
        let page: Result<(u32, Vec<(u64, Subscription)>), SubscriptionError> = call(
            &mut session,
            &suite.subscription,
            "Subscription::subscriptions_of_consumer",
            &[consumer.to_string(), cursor.to_string(), "100".into()],
        );
        let (total, entries) = page.expect("a page, not a trap");
        assert_eq!(total, 100);
        assert!(!entries.is_empty());
        for (id, _) in &entries {
            assert!(seen.insert(*id));
        }
        cursor += entries.len() as u32;
    }
    assert_eq!(seen.len(), 100);
    session.set_actor(admin);
}
