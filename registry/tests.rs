//! `#[ink::test]` unit tests of the registry contract (off-chain engine).

use crate::data::{OfferTerms, Parameters, Pricing, ProviderStatus};
use crate::registry::RegistryContract;
use dinfra::admin::{Admin, AdminError};
use dinfra::governance::{Change, Link};
use dinfra::traits::{CandidatePage, Outcome, Registry as _, RegistryError, Requirements};
use dinfra::types::{Attribute, Invalid, MAX_CANCEL_FEE_BLOCKS};
use ink::env::{test, DefaultEnvironment as Env};

const BOND: u128 = 1_000;
const UNBONDING: u32 = 5;
const DELAY: u32 = 30;

/// Requirements any offer of the tests fits (price up to 100).
fn any() -> Requirements {
    Requirements {
        max_price_per_block: 100,
        min_duration: 10,
        ..Default::default()
    }
}

/// Ids of the offers a page found fitting, in scan order.
fn ids(page: &CandidatePage) -> Vec<u64> {
    page.fitting.iter().map(|(_, c)| c.offer_id).collect()
}

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
        cancel_fee: 0,
    }
}

/// A registry (admin alice, controller charlie) with type 0 and bob
/// registered as a provider.
fn registry_with_bob() -> RegistryContract {
    let a = accounts();
    let mut registry = RegistryContract::new(BOND, UNBONDING, DELAY).unwrap();
    registry
        .configure(Parameters {
            min_bond: BOND,
            unbonding_blocks: UNBONDING,
        })
        .unwrap();
    registry
        .schedule_change(Change::Link(Link::Controller, Some(a.charlie)))
        .unwrap();
    assert_eq!(
        registry.controller(),
        Some(a.charlie),
        "the first wiring is at once"
    );
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
    let max_fee = 2 * u128::from(MAX_CANCEL_FEE_BLOCKS);
    assert_eq!(
        registry.publish_offer(
            0,
            OfferTerms {
                cancel_fee: max_fee + 1,
                ..terms(2, 1)
            }
        ),
        Err(RegistryError::InvalidInput(Invalid::Fee)),
        "a cancel fee is at most MAX_CANCEL_FEE_BLOCKS blocks of the price"
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
    let page = registry.candidates(0, 0, 10, 10, any()).unwrap();
    assert_eq!(
        ids(&page),
        vec![0, 4, 2, 3],
        "the last offer moved into the hole"
    );
    assert_eq!(
        page.fitting.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        vec![0, 1, 2, 3],
        "each with its position"
    );
    let page = registry.candidates(0, 3, 2, 2, any()).unwrap();
    assert_eq!(ids(&page), vec![3, 0], "windows wrap");
    let page = registry.candidates(0, 0, 10, 1, any()).unwrap();
    assert_eq!(
        ids(&page),
        vec![0],
        "the scan stops at `want` fitting offers"
    );
    let cheap = Requirements {
        max_price_per_block: 3,
        ..any()
    };
    let page = registry.candidates(0, 1, 4, 4, cheap).unwrap();
    assert_eq!(
        ids(&page),
        vec![2, 0],
        "offers that do not fit (4 and 3, above the price) cost nothing in the reply"
    );
    assert_eq!(
        registry.candidates(0, 0, 2, 3, any()),
        Err(RegistryError::InvalidInput(Invalid::Limit)),
        "want beyond the window"
    );
    assert_eq!(
        registry.candidates(0, 0, 2, 1, Requirements::default()),
        Err(RegistryError::InvalidInput(Invalid::Price)),
        "requirements are validated"
    );
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
    let wants_hetzner = Requirements {
        required_attributes: vec![attr("network", "hetzner")],
        trusted_attestors: vec![a.eve],
        ..any()
    };
    let page = registry.candidates(0, 0, 1, 1, wants_hetzner).unwrap();
    let candidate = &page.fitting[0].1;
    assert_eq!(candidate.attestations.len(), 1);
    assert_eq!(candidate.attestations[0].attestor, a.eve);
    assert_eq!(candidate.attributes, vec![attr("region", "eu")]);
    assert!(candidate.provider_active);
    let page = registry
        .candidates(
            0,
            0,
            1,
            1,
            Requirements {
                trusted_attestors: vec![a.eve],
                ..any()
            },
        )
        .unwrap();
    assert!(
        page.fitting[0].1.attestations.is_empty(),
        "no attribute requirement reads no attestation"
    );
    let banned = Requirements {
        excluded_attributes: vec![attr("network", "aws")],
        trusted_attestors: vec![a.frank],
        ..any()
    };
    assert!(registry
        .candidates(0, 0, 1, 1, banned)
        .unwrap()
        .fitting
        .is_empty());
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
    assert_eq!(
        registry.reserve(0, vec![]),
        Err(RegistryError::Unauthorized)
    );
    assert_eq!(
        registry.record(a.bob, Outcome::Completed, 1),
        Err(RegistryError::Unauthorized)
    );
    test::set_caller::<Env>(a.charlie);
    let reservation = registry.reserve(0, vec![]).unwrap();
    assert_eq!(reservation.type_id, 0);
    assert_eq!(reservation.offer.free_capacity, 1, "as it stood before");
    assert_eq!(reservation.offer.price_per_block, 3);
    assert_eq!(registry.reserve(0, vec![]), Err(RegistryError::NoCapacity));
    assert_eq!(
        registry.offer_count_of_type(0),
        0,
        "a full offer leaves the index"
    );
    assert!(registry
        .candidates(0, 0, 1, 1, any())
        .unwrap()
        .fitting
        .is_empty());
    registry.record(a.bob, Outcome::ExitedEarly, 70).unwrap();
    registry.record(a.bob, Outcome::ExitedEarly, 30).unwrap();
    let reputation = registry.provider(a.bob).unwrap().reputation;
    assert_eq!((reputation.exited_early, reputation.exited_value), (2, 100));
    registry.release(0).unwrap();
    assert_eq!(
        registry.offer_count_of_type(0),
        1,
        "and comes back when released"
    );
    assert_eq!(
        registry.release(0),
        Err(RegistryError::WrongState),
        "nothing reserved"
    );
    test::set_caller::<Env>(a.bob);
    assert_eq!(registry.release(0), Err(RegistryError::Unauthorized));
}

#[ink::test]
fn the_index_holds_only_offers_that_can_be_awarded() {
    let a = accounts();
    let mut registry = registry_with_bob();
    register(&mut registry, a.eve);
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 1)).unwrap(); // 0
    registry.publish_offer(0, terms(4, 2)).unwrap(); // 1
    test::set_caller::<Env>(a.eve);
    registry.publish_offer(0, terms(5, 1)).unwrap(); // 2
    assert_eq!(registry.offer_count_of_type(0), 3);
    test::set_caller::<Env>(a.bob);
    registry.pause_provider().unwrap();
    assert_eq!(
        registry.offer_count_of_type(0),
        1,
        "a paused provider's offers leave"
    );
    assert_eq!(
        ids(&registry.candidates(0, 0, 17, 17, any()).unwrap()),
        vec![2]
    );
    registry.publish_offer(0, terms(6, 1)).unwrap(); // 3, while paused
    assert_eq!(registry.offer(3).unwrap().position, None);
    assert_eq!(
        registry.offers_of_provider(a.bob).len(),
        3,
        "still its offers"
    );
    test::set_caller::<Env>(a.charlie);
    assert_eq!(registry.reserve(1, vec![]), Err(RegistryError::WrongState));
    test::set_caller::<Env>(a.bob);
    registry.resume_provider().unwrap();
    assert_eq!(
        registry.offer_count_of_type(0),
        4,
        "and come back on resume"
    );
    test::set_caller::<Env>(a.charlie);
    registry.reserve(2, vec![]).unwrap();
    assert_eq!(registry.offer_count_of_type(0), 3, "a full offer leaves");
    test::set_caller::<Env>(a.eve);
    registry.update_offer(2, terms(5, 2)).unwrap();
    assert_eq!(
        registry.offer_count_of_type(0),
        4,
        "more capacity brings it back"
    );
    registry.update_offer(2, terms(5, 1)).unwrap();
    assert_eq!(registry.offer_count_of_type(0), 3, "and less takes it out");
    assert_eq!(
        registry.update_offer(2, terms(5, 0)),
        Err(RegistryError::InvalidInput(Invalid::Capacity))
    );
    test::set_caller::<Env>(a.bob);
    registry.withdraw_offer(0).unwrap();
    assert!(registry.offer(0).unwrap().withdrawn);
    assert_eq!(registry.offer_count_of_type(0), 2);
    assert_eq!(
        registry.update_offer(0, terms(1, 1)),
        Err(RegistryError::WrongState)
    );
    let listed = registry.candidates(0, 0, 17, 17, any()).unwrap();
    let mut listed_ids = ids(&listed);
    listed_ids.sort();
    assert_eq!(listed_ids, vec![1, 3]);
    for (position, candidate) in &listed.fitting {
        assert_eq!(
            registry.offer(candidate.offer_id).unwrap().position,
            Some(*position),
            "every listed offer knows its position"
        );
    }
}

#[ink::test]
fn deregistration_waits_for_reservations_then_unbonds() {
    let a = accounts();
    let mut registry = registry_with_bob();
    // A longer unbonding period from now on does not reach bob's bond.
    test::set_caller::<Env>(a.alice);
    registry
        .configure(Parameters {
            min_bond: BOND,
            unbonding_blocks: 1_000_000,
        })
        .unwrap();
    assert_eq!(
        registry.configure(Parameters {
            min_bond: BOND,
            unbonding_blocks: dinfra::types::MAX_TERM_BLOCKS + 1,
        }),
        Err(RegistryError::InvalidInput(Invalid::Parameter))
    );
    assert_eq!(
        registry.provider(a.bob).unwrap().unbonding_blocks,
        UNBONDING
    );
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 2)).unwrap();
    test::set_caller::<Env>(a.charlie);
    registry.reserve(0, vec![]).unwrap();
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
    assert_eq!(
        registry.withdraw_bond(),
        Ok(BOND),
        "a later configure never reaches a bond already given"
    );
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
    assert!(registry
        .candidates(0, 0, 1, 1, any())
        .unwrap()
        .fitting
        .is_empty());
    test::set_caller::<Env>(a.charlie);
    assert_eq!(
        registry.reserve(0, vec![]),
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

#[ink::test]
fn the_controller_changes_only_after_the_delay() {
    let a = accounts();
    let mut registry = registry_with_bob();
    let rewire = Change::Link(Link::Controller, Some(a.django));
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        registry.schedule_change(rewire),
        Err(AdminError::Unauthorized)
    );
    test::set_caller::<Env>(a.alice);
    let id = registry.schedule_change(rewire).unwrap();
    assert_eq!(registry.controller(), Some(a.charlie));
    let now = ink::env::block_number::<Env>();
    assert_eq!(registry.pending_changes()[0].eta, now + DELAY);
    for _ in 0..DELAY - 1 {
        test::advance_block::<Env>();
    }
    assert_eq!(registry.apply_change(id), Err(AdminError::NotDue));
    test::advance_block::<Env>();
    test::set_caller::<Env>(a.frank);
    registry.apply_change(id).unwrap();
    assert_eq!(
        registry.controller(),
        Some(a.django),
        "anyone applies a due change"
    );
    assert!(registry.pending_changes().is_empty());
    assert_eq!(
        registry.schedule_change(Change::Link(Link::Award, None)),
        Err(AdminError::Unauthorized)
    );
    test::set_caller::<Env>(a.alice);
    assert_eq!(
        registry.schedule_change(Change::Link(Link::Award, None)),
        Err(AdminError::InvalidChange),
        "the registry has no award link"
    );
}

#[ink::test]
fn a_former_controller_only_releases_and_a_rewiring_back_makes_it_whole() {
    let a = accounts();
    let mut registry = registry_with_bob();
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 2)).unwrap();
    test::set_caller::<Env>(a.charlie);
    registry.reserve(0, vec![]).unwrap();
    rewire(&mut registry, a.django);
    test::set_caller::<Env>(a.charlie);
    assert_eq!(
        registry.reserve(0, vec![]),
        Err(RegistryError::Unauthorized),
        "a former controller reserves no more"
    );
    assert_eq!(
        registry.record(a.bob, Outcome::Completed, 1),
        Err(RegistryError::Unauthorized),
        "nor records"
    );
    registry.release(0).unwrap();
    assert_eq!(registry.provider(a.bob).unwrap().reserved, 0);
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        registry.release(0),
        Err(RegistryError::Unauthorized),
        "a provider never was a controller"
    );
    registry.deregister().unwrap();
}

/// Schedules `registry`'s controller to become `to` and applies it when due.
fn rewire(registry: &mut RegistryContract, to: ink::primitives::AccountId) {
    test::set_caller::<Env>(accounts().alice);
    let id = registry
        .schedule_change(Change::Link(Link::Controller, Some(to)))
        .unwrap();
    for _ in 0..DELAY {
        test::advance_block::<Env>();
    }
    registry.apply_change(id).unwrap();
}

#[ink::test]
fn a_controller_rewired_back_is_whole_again_and_the_other_only_releases() {
    let a = accounts();
    let mut registry = registry_with_bob();
    rewire(&mut registry, a.django);
    rewire(&mut registry, a.charlie);
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 2)).unwrap();
    test::set_caller::<Env>(a.charlie);
    registry.reserve(0, vec![]).unwrap();
    registry.record(a.bob, Outcome::Completed, 1).unwrap();
    test::set_caller::<Env>(a.django);
    assert_eq!(
        registry.reserve(0, vec![]),
        Err(RegistryError::Unauthorized)
    );
    registry.release(0).unwrap();
}

/// The offer the registry's own award reserves for `requirements`.
fn awarded(
    registry: &mut RegistryContract,
    requirements: Requirements,
) -> Result<u64, RegistryError> {
    registry
        .award(0, requirements, 0, None)
        .map(|reservation| reservation.offer.offer_id)
}

#[ink::test]
fn the_registrys_own_award_rotates_reserves_and_writes_nothing_when_it_refuses() {
    let a = accounts();
    let mut registry = registry_with_bob();
    register(&mut registry, a.django);
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 5)).unwrap(); // 0
    registry.publish_offer(0, terms(50, 5)).unwrap(); // 1: too dear below
    test::set_caller::<Env>(a.django);
    registry.publish_offer(0, terms(4, 5)).unwrap(); // 2
    let cheap = Requirements {
        max_price_per_block: 10,
        ..any()
    };

    assert_eq!(
        awarded(&mut registry, cheap.clone()),
        Err(RegistryError::Unauthorized),
        "only the controller awards: anyone else would spin the cursor and hold capacity"
    );
    test::set_caller::<Env>(a.charlie);
    // Round robin: the first fitting offer from the cursor, then past it;
    // the dear offer never holds the cursor.
    assert_eq!(awarded(&mut registry, cheap.clone()), Ok(0));
    assert_eq!(awarded(&mut registry, cheap.clone()), Ok(2));
    assert_eq!(awarded(&mut registry, cheap.clone()), Ok(0));
    assert_eq!(registry.offer(0).unwrap().reserved, 2);
    assert_eq!(registry.offer(2).unwrap().reserved, 1);

    // Nothing fits: NoProvider, and neither the cursor nor a reservation
    // moved (the next fitting award goes on from where it was).
    let none = Requirements {
        max_price_per_block: 1,
        ..any()
    };
    assert_eq!(awarded(&mut registry, none), Err(RegistryError::NoProvider));
    assert_eq!(awarded(&mut registry, cheap.clone()), Ok(2));

    // A named offer is reserved as it stands (its fit is the subscription
    // contract's to check) and moves no cursor.
    let named = registry.award(0, cheap.clone(), 0, Some(1)).unwrap();
    assert_eq!(named.offer.price_per_block, 50);
    assert_eq!(awarded(&mut registry, cheap), Ok(0), "the cursor stayed");
}

#[ink::test]
fn the_award_rules_are_the_admins_and_bounded() {
    use dinfra::traits::{AwardRules, Strategy};
    use dinfra::types::{MAX_PAGE, MIN_AWARD_WINDOW};
    let a = accounts();
    let mut registry = registry_with_bob();
    assert_eq!(registry.award_rules(), AwardRules::default());
    let capacity = AwardRules {
        max_candidates: MIN_AWARD_WINDOW,
        strategy: Strategy::Capacity,
    };
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        registry.configure_award(capacity.clone()),
        Err(RegistryError::Unauthorized)
    );
    test::set_caller::<Env>(a.alice);
    for max_candidates in [MIN_AWARD_WINDOW - 1, MAX_PAGE + 1] {
        assert_eq!(
            registry.configure_award(AwardRules {
                max_candidates,
                ..capacity.clone()
            }),
            Err(RegistryError::InvalidInput(Invalid::Parameter)),
            "fewer offers compared than one provider can publish, or more than a page"
        );
    }
    assert_eq!(
        registry.award_rules(),
        AwardRules::default(),
        "refused: unchanged"
    );
    registry.configure_award(capacity.clone()).unwrap();
    assert_eq!(registry.award_rules(), capacity);

    // Capacity: the fitting offer with the most free capacity wins.
    test::set_caller::<Env>(a.bob);
    registry.publish_offer(0, terms(3, 2)).unwrap(); // 0
    registry.publish_offer(0, terms(3, 9)).unwrap(); // 1
    test::set_caller::<Env>(a.charlie);
    assert_eq!(awarded(&mut registry, any()), Ok(1));
}
