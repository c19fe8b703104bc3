//! The whole call chain subscription → award → registry, on the real
//! pallet-contracts runtime, across blocks.

use dinfra::lifecycle::Subscription;
use dinfra::traits::{AwardError, SubscriptionError};
use dinfra_e2e_tests::drink::sandbox_api::prelude::*;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::Awarded;

fn create(
    session: &mut Sandbox,
    suite: &Suite,
    max_price_per_block: u128,
) -> Result<u64, SubscriptionError> {
    create_subscription(session, suite, 0, &max_price(max_price_per_block), 1_000)
}

#[test]
fn subscription_is_awarded_through_award_and_registry_across_blocks(
) -> Result<(), Box<dyn std::error::Error>> {
    let mut session = Session::<DinfraSandbox>::default();
    let suite = deploy_suite(&mut session)?;
    let admin = session.get_actor();

    // A deployment type and two providers with one offer each (room for
    // two deployments each: a full offer would leave the award's view).
    assert_eq!(register_type(&mut session, &suite, "substrate-rpc"), 0);
    let cheap = funded_account(&mut session, 2);
    let dear = funded_account(&mut session, 3);
    provider_with_offer(&mut session, &suite, &cheap, &[], 0, 10, 2);
    provider_with_offer(&mut session, &suite, &dear, &[], 0, 20, 2);

    // Time passes; the award is stamped with the block it happened in.
    let before = block_number(&mut session);
    session.sandbox().build_blocks(100);
    let now = block_number(&mut session);
    assert_eq!(now, before + 100);

    let consumer = funded_account(&mut session, 4);
    session.set_actor(consumer.clone());
    assert_eq!(create(&mut session, &suite, 15), Ok(0));
    let awarded = the_event::<Awarded>(&session, &suite.subscription);
    assert_eq!(awarded.id, 0);
    assert_eq!(awarded.provider, ink_account(&cheap));
    assert_eq!(awarded.rate_per_block, 10);

    let stored: Option<Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["0".to_string()],
    );
    let stored = stored.expect("subscription 0 is stored");
    assert_eq!(stored.consumer, ink_account(&consumer));
    assert_eq!(stored.provider, ink_account(&cheap));
    assert_eq!(
        stored.awarded_at, now,
        "award happened at the advanced block"
    );

    // Round robin moved past the cheap offer: the next award goes to the
    // dear one if the consumer accepts its price, and nobody fits below 10.
    assert_eq!(create(&mut session, &suite, 25), Ok(1));
    let second: Option<Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["1".to_string()],
    );
    assert_eq!(second.map(|s| s.provider), Some(ink_account(&dear)));
    assert_eq!(
        create(&mut session, &suite, 5),
        Err(SubscriptionError::NoProvider)
    );
    let count: u64 = call(&mut session, &suite.subscription, "subscription_count", &[]);
    assert_eq!(count, 2, "a refused create writes nothing");

    // Only the subscription contract may ask the award contract to select.
    session.set_actor(admin);
    let direct: Result<dinfra::traits::AwardDecision, AwardError> = call(
        &mut session,
        &suite.award,
        "Award::select",
        &[
            requirements_arg(&max_price(100)),
            "0".to_string(),
            "9".to_string(),
        ],
    );
    assert_eq!(direct, Err(AwardError::Unauthorized));
    Ok(())
}
