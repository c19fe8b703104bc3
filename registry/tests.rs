//! `#[ink::test]` unit tests of the registry contract (off-chain engine).

use crate::data::{OfferTerms, Parameters, Pricing, ProviderStatus};
use crate::registry::RegistryContract;
use dinfra::admin::{Admin, AdminError};
use dinfra::traits::{Outcome, Registry as _, RegistryError};
use dinfra::types::{Attribute, Invalid};
use ink::env::{test, DefaultEnvironment as Env};

const BOND: u128 = 1_000;
const UNBONDING: u32 = 5;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn attr(key: &str, value: &str) -> Attribute {
    Attribute {
        key: key.into(),
        value: value.into(),
    }
}

fn terms(price: u128, capacity: u32) -> OfferTerms {
    OfferTerms {
        price_per_block: price,
        capacity,
        min_duration: 10,
        notice_blocks: 5,
        pricing: Pricing::Fixed,
    }
}

/// A registry (admin alice, controller charlie) with type 0 and bob
/// registered as a provider.
fn registry_with_bob() -> RegistryContract {
    let a = accounts();
    let mut registry = RegistryContract::new(BOND, UNBONDING);
    registry
        .configure(
            Parameters {
                min_bond: BOND,
                unbonding_blocks: UNBONDING,
            },
            Some(a.charlie),
        )
        .unwrap();
    registry
        .register_type("substrate-rpc".into(), [7; 32])
        .unwrap();
    register(&mut registry, a.bob);
    registry
}

fn register(registry: &mut RegistryContract, who: ink::primitives::AccountId) {
    test::set_caller::<Env>(who);
    test::set_value_transferred::<Env>(BOND);
    registry
        .register_provider("infra".into(), "wss://x".into(), vec![attr("region", "eu")])
        .unwrap();
    test::set_value_transferred::<Env>(0);
}

#[ink::test]
fn bad_input_gets_its_error_and_writes_nothing() {
    let a = accounts();
    let mut registry = registry_with_bob();
    assert_eq!(
        registry.register_type(String::new(), [0; 32]),
        Err(RegistryError::InvalidInput(Invalid::Name))
    );
    assert_eq!(
        registry.register_type("x".repeat(33), [0; 32]),
        Err(RegistryError::InvalidInput(Invalid::Name))
    );
    assert_eq!(
        registry.register_type("substrate-rpc".into(), [0; 32]),
        Err(RegistryError::AlreadyExists)
    );
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        registry.register_provider("again".into(), "wss://x".into(), vec![]),
        Err(RegistryError::InsufficientBond)
    );
    test::set_value_transferred::<Env>(BOND);
    assert_eq!(
        registry.register_provider("again".into(), "wss://x".into(), vec![]),
        Err(RegistryError::AlreadyExists)
    );
    test::set_value_transferred::<Env>(0);
    let too_many: Vec<Attribute> = (0..17).map(|i| attr(&format!("k{i}"), "v")).collect();
    assert_eq!(
        registry.update_provider("n".into(), "wss://x".into(), too_many),
        Err(RegistryError::InvalidInput(Invalid::Attributes))
    );
    assert_eq!(
        registry.update_provider(
            "n".into(),
            "wss://x".into(),
            vec![attr("k", &"v".repeat(33))]
        ),
        Err(RegistryError::InvalidInput(Invalid::Attributes))
    );
    assert_eq!(
        registry.update_provider(
            "n".into(),
            "wss://x".into(),
            vec![attr("k", "1"), attr("k", "2")]
        ),
        Err(RegistryError::InvalidInput(Invalid::Attributes)),
        "a key twice"
    );
    assert_eq!(
        registry.publish_offer(0, terms(0, 1)),
        Err(RegistryError::InvalidInput(Invalid::Price))
    );
    assert_eq!(
        registry.publish_offer(0, terms(1, 0)),
        Err(RegistryError::InvalidInput(Invalid::Capacity))
    );
    assert_eq!(
        registry.publish_offer(9, terms(1, 1)),
        Err(RegistryError::NotFound)
    );
    let bob = registry.provider(a.bob).unwrap();
    assert_eq!(
        bob.attributes,
        vec![attr("region", "eu")],
        "refused updates wrote nothing"
    );
    assert!(bob.offers.is_empty());
    assert_eq!(registry.offer_count_of_type(0), 0);
    test::set_caller::<Env>(a.django);
    assert_eq!(
        registry.publish_offer(0, terms(1, 1)),
        Err(RegistryError::NotFound),
        "unregistered accounts publish nothing"
    );
}

#[ink::test]
fn withdrawal_keeps_the_index_dense_and_windows_wrap() {
    let a = accounts();
    let mut registry = registry_with_bob();
    test::set_caller::<Env>(a.bob);
    for price in 1..=5u128 {
        registry.publish_offer(0, terms(price, 2)).unwrap();
    }
    registry.withdraw_offer(1).unwrap();
    assert_eq!(registry.offer(1).unwrap().position, None);
    assert_eq!(registry.offer_count_of_type(0), 4);
    let page = registry.candidates(0, 0, 10, vec![]).unwrap();
    let ids: Vec<u64> = page.candidates.iter().map(|c| c.offer_id).collect();
    assert_eq!(ids, vec![0, 4, 2, 3], "the last offer moved into the hole");
    let page = registry.candidates(0, 3, 2, vec![]).unwrap();
    let ids: Vec<u64> = page.candidates.iter().map(|c| c.offer_id).collect();
    assert_eq!(ids, vec![3, 0], "windows wrap");
    let (total, page) = registry.offers_of_type(0, 1, 2).unwrap();
    assert_eq!(total, 4);
    assert_eq!(
        page.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![4, 2]
    );
    assert_eq!(page[0].1.price_per_block, 5);
    assert_eq!(
        registry.offers_of_type(9, 0, 2),
        Err(RegistryError::NotFound)
    );
    assert_eq!(registry.withdraw_offer(1), Err(RegistryError::WrongState));
    test::set_caller::<Env>(a.django);
    assert_eq!(registry.withdraw_offer(0), Err(RegistryError::Unauthorized));
}

#[ink::test]
fn candidates_carry_attestations_by_the_asked_attestors_only() {
    let a = accounts();
    let mut registry = registry_with_bob();
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 1)).unwrap();
    test::set_caller::<Env>(a.eve);
    registry
        .attest(a.bob, vec![attr("network", "hetzner")])
        .unwrap();
    test::set_caller::<Env>(a.frank);
    registry
        .attest(a.bob, vec![attr("network", "aws")])
        .unwrap();
    let page = registry.candidates(0, 0, 1, vec![a.eve]).unwrap();
    let candidate = &page.candidates[0];
    assert_eq!(candidate.attestations.len(), 1);
    assert_eq!(candidate.attestations[0].attestor, a.eve);
    assert_eq!(candidate.attributes, vec![attr("region", "eu")]);
    assert!(candidate.provider_active);
    registry.attest(a.bob, vec![]).unwrap();
    assert!(
        registry.attestation(a.bob, a.frank).is_empty(),
        "an empty list revokes"
    );
    assert_eq!(
        registry.attest(a.django, vec![]),
        Err(RegistryError::NotFound)
    );
}

#[ink::test]
fn only_the_controller_reserves_releases_and_records() {
    let a = accounts();
    let mut registry = registry_with_bob();
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 1)).unwrap();
    assert_eq!(registry.reserve(0), Err(RegistryError::Unauthorized));
    assert_eq!(
        registry.record(a.bob, Outcome::Completed),
        Err(RegistryError::Unauthorized)
    );
    test::set_caller::<Env>(a.charlie);
    registry.reserve(0).unwrap();
    assert_eq!(registry.reserve(0), Err(RegistryError::NoCapacity));
    assert_eq!(
        registry.candidates(0, 0, 1, vec![]).unwrap().candidates[0].free_capacity,
        0
    );
    registry.record(a.bob, Outcome::ExitedEarly).unwrap();
    assert_eq!(registry.provider(a.bob).unwrap().reputation.exited_early, 1);
    registry.release(0).unwrap();
    assert_eq!(
        registry.release(0),
        Err(RegistryError::WrongState),
        "nothing reserved"
    );
    test::set_caller::<Env>(a.bob);
    assert_eq!(registry.release(0), Err(RegistryError::Unauthorized));
}

#[ink::test]
fn deregistration_waits_for_reservations_then_unbonds() {
    let a = accounts();
    let mut registry = registry_with_bob();
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 2)).unwrap();
    test::set_caller::<Env>(a.charlie);
    registry.reserve(0).unwrap();
    test::set_caller::<Env>(a.bob);
    assert_eq!(registry.deregister(), Err(RegistryError::CapacityReserved));
    test::set_caller::<Env>(a.charlie);
    registry.release(0).unwrap();
    test::set_caller::<Env>(a.bob);
    registry.deregister().unwrap();
    assert_eq!(
        registry.offer_count_of_type(0),
        0,
        "its offers left the market"
    );
    assert!(matches!(
        registry.provider(a.bob).unwrap().status,
        ProviderStatus::Leaving { .. }
    ));
    assert_eq!(registry.withdraw_bond(), Err(RegistryError::StillUnbonding));
    assert_eq!(
        registry.publish_offer(0, terms(3, 2)),
        Err(RegistryError::WrongState)
    );
    for _ in 0..UNBONDING {
        test::advance_block::<Env>();
    }
    assert_eq!(registry.withdraw_bond(), Ok(BOND));
    assert_eq!(registry.provider(a.bob), None);
    assert_eq!(registry.providers(0, 10).unwrap().0, 0);
}

#[ink::test]
fn providers_page_and_pause() {
    let a = accounts();
    let mut registry = registry_with_bob();
    register(&mut registry, a.django);
    register(&mut registry, a.eve);
    let (total, page) = registry.providers(1, 5).unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        page.iter().map(|(acc, _)| *acc).collect::<Vec<_>>(),
        vec![a.django, a.eve]
    );
    assert_eq!(
        registry.providers(0, 0),
        Err(RegistryError::InvalidInput(Invalid::Limit))
    );
    test::set_caller::<Env>(a.eve);
    registry.publish_offer(0, terms(3, 2)).unwrap();
    registry.pause_provider().unwrap();
    assert_eq!(registry.pause_provider(), Err(RegistryError::WrongState));
    assert!(!registry.candidates(0, 0, 1, vec![]).unwrap().candidates[0].provider_active);
    test::set_caller::<Env>(a.charlie);
    assert_eq!(
        registry.reserve(0),
        Err(RegistryError::WrongState),
        "paused providers get no new work"
    );
    test::set_caller::<Env>(a.eve);
    registry.resume_provider().unwrap();
    test::set_caller::<Env>(a.bob);
    assert_eq!(registry.set_paused(true), Err(AdminError::Unauthorized));
    test::set_caller::<Env>(a.alice);
    registry.set_paused(true).unwrap();
    test::set_caller::<Env>(a.eve);
    assert_eq!(
        registry.publish_offer(0, terms(3, 2)),
        Err(RegistryError::Paused)
    );
    assert_eq!(registry.deregister(), Ok(()), "leaving is never paused");
}
