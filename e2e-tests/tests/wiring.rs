//! The whole call chain subscription → award → registry, on the real
//! pallet-contracts runtime, across blocks.

use dinfra::traits::{AwardError, RegistryError, SubscriptionError};
use dinfra_e2e_tests::drink::sandbox_api::prelude::*;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::{Awarded, Subscription};
use ink::scale::Decode;

const SCHEMA: [u8; 32] = [7; 32];

fn create(session: &mut Sandbox, suite: &Suite, max_price: u128) -> Result<u64, SubscriptionError> {
    call(
        session,
        &suite.subscription,
        "create",
        &[
            "0".to_string(),
            format!("Descriptor {{ hash: {}, uri: \"ipfs://rpc-node\" }}", hex32([9; 32])),
            format!("Requirements {{ max_price_per_block: {max_price} }}"),
        ],
    )
}

#[drink::test]
fn subscription_is_awarded_through_award_and_registry_across_blocks(
    mut session: Session,
) -> Result<(), Box<dyn std::error::Error>> {
    let suite = deploy_suite(&mut session)?;
    let admin = session.get_actor();

    // A deployment type and two providers with one offer each.
    let type_id: Result<u32, RegistryError> = call(
        &mut session,
        &suite.registry,
        "register_type",
        &["\"substrate-rpc\"".to_string(), hex32(SCHEMA)],
    );
    assert_eq!(type_id, Ok(0));
    let cheap = funded_account(&mut session, 1);
    let dear = funded_account(&mut session, 2);
    for (provider, price) in [(&cheap, 10u128), (&dear, 20u128)] {
        session.set_actor(provider.clone());
        let registered: Result<(), RegistryError> = call(
            &mut session,
            &suite.registry,
            "register_provider",
            &["\"infra\"".to_string(), "\"wss://rpc.example\"".to_string()],
        );
        assert_eq!(registered, Ok(()));
        let offer: Result<u64, RegistryError> = call(
            &mut session,
            &suite.registry,
            "publish_offer",
            &["0".to_string(), price.to_string(), "1".to_string()],
        );
        assert!(offer.is_ok(), "{offer:?}");
    }

    // Time passes; the award is stamped with the block it happened in.
    let before = block_number(&mut session);
    session.sandbox().build_blocks(100);
    let now = block_number(&mut session);
    assert_eq!(now, before + 100);

    let consumer = funded_account(&mut session, 3);
    session.set_actor(consumer.clone());
    assert_eq!(create(&mut session, &suite, 15), Ok(0));
    let events = last_contract_events(&session);
    let awarded = events
        .iter()
        .find_map(|data| Awarded::decode(&mut &data[..]).ok().filter(|a| a.id == 0))
        .expect("an Awarded event");
    assert_eq!(awarded.provider, ink_account(&cheap));
    assert_eq!(awarded.rate_per_block, 10);

    let stored: Option<Subscription> =
        call(&mut session, &suite.subscription, "subscription", &["0".to_string()]);
    let stored = stored.expect("subscription 0 is stored");
    assert_eq!(stored.consumer, ink_account(&consumer));
    assert_eq!(stored.provider, ink_account(&cheap));
    assert_eq!(stored.awarded_at, now, "award happened at the advanced block");

    // Round robin moved past the cheap offer: the next award goes to the
    // dear one if the consumer accepts its price, and nobody fits below 10.
    assert_eq!(create(&mut session, &suite, 25), Ok(1));
    let second: Option<Subscription> =
        call(&mut session, &suite.subscription, "subscription", &["1".to_string()]);
    assert_eq!(second.map(|s| s.provider), Some(ink_account(&dear)));
    assert_eq!(create(&mut session, &suite, 5), Err(SubscriptionError::NoProvider));
    let count: u64 = call(&mut session, &suite.subscription, "subscription_count", &[]);
    assert_eq!(count, 2, "a refused create writes nothing");

    // Only the subscription contract may ask the award contract to select.
    session.set_actor(admin);
    let direct: Result<dinfra::traits::AwardDecision, AwardError> = call(
        &mut session,
        &suite.award,
        "Award::select",
        &[
            "Requirements { max_price_per_block: 100 }".to_string(),
            "0".to_string(),
            "9".to_string(),
        ],
    );
    assert_eq!(direct, Err(AwardError::Unauthorized));
    Ok(())
}
