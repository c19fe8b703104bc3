//! `#[ink::test]` unit tests of the subscription contract. The off-chain
//! engine makes no cross-contract calls, so these cover what is refused
//! before any call; the drink scenarios in `e2e-tests/` cover the rest.

use crate::subscription::{SubscriptionContract, MAX_CLAIM_BATCH};
use dinfra::admin::{Admin, AdminError};
use dinfra::governance::{Change, Link, MAX_GOVERNANCE_DELAY};
use dinfra::lifecycle::Parameters;
use dinfra::traits::Subscription as _;
use dinfra::traits::{AccessRecord, Descriptor, Requirements, SubscriptionError};
use dinfra::types::{Invalid, SubscriptionId, MAX_ENDPOINT_LEN, MAX_TERM_BLOCKS};
use ink::env::{test, DefaultEnvironment as Env};

const PARAMETERS: Parameters = Parameters {
    ready_timeout: 20,
    consumer_notice: 10,
};

/// Blocks every governance change waits.
const DELAY: u32 = 50;

fn accounts() -> test::DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

/// A subscription contract (admin alice) whose award, registry and escrow
/// are charlie, django and eve: never called by these tests.
fn contract() -> SubscriptionContract {
    let a = accounts();
    test::set_caller::<Env>(a.alice);
    SubscriptionContract::new(a.charlie, a.django, a.eve, PARAMETERS, DELAY).unwrap()
}

fn descriptor(uri: &str) -> Descriptor {
    Descriptor {
        hash: [9; 32],
        uri: uri.into(),
    }
}

fn requirements(max_price_per_block: u128) -> Requirements {
    Requirements {
        max_price_per_block,
        ..Default::default()
    }
}

/// `create` as bob, sending `value`.
fn create(
    contract: &mut SubscriptionContract,
    descriptor: Descriptor,
    requirements: Requirements,
    value: u128,
) -> Result<SubscriptionId, SubscriptionError> {
    test::set_caller::<Env>(accounts().bob);
    test::set_value_transferred::<Env>(value);
    let created = contract.create(0, descriptor, requirements, None);
    test::set_value_transferred::<Env>(0);
    created
}

#[ink::test]
fn the_constructor_stores_its_wiring() {
    let a = accounts();
    let contract = contract();
    assert_eq!(contract.award(), a.charlie);
    assert_eq!(contract.registry(), a.django);
    assert_eq!(contract.escrow(), a.eve);
    assert_eq!(contract.parameters(), PARAMETERS);
    assert_eq!(contract.admin(), a.alice);
    assert_eq!(contract.pending_admin(), None);
    assert!(!contract.paused());
    assert_eq!(contract.subscription_count(), 0);
    assert_eq!(contract.live_count(), 0);
    assert_eq!(contract.governance_delay(), DELAY);
    assert!(contract.pending_changes().is_empty());
}

#[ink::test]
fn the_governance_delay_stays_at_least_twice_every_consumer_notice() {
    let a = accounts();
    let over_half = Parameters {
        ready_timeout: 20,
        consumer_notice: DELAY / 2 + 1,
    };
    assert!(
        SubscriptionContract::new(a.charlie, a.django, a.eve, over_half, DELAY).is_err(),
        "a consumer who cancels when a change is scheduled must be out before it applies, \
         with time to react"
    );
    assert!(SubscriptionContract::new(
        a.charlie,
        a.django,
        a.eve,
        PARAMETERS,
        MAX_GOVERNANCE_DELAY + 1
    )
    .is_err());
    let mut contract = contract();
    test::set_caller::<Env>(a.alice);
    assert_eq!(
        contract.configure(over_half),
        Err(SubscriptionError::InvalidInput(Invalid::Parameter))
    );
    assert_eq!(
        contract.longest_consumer_notice(),
        PARAMETERS.consumer_notice
    );
    assert_eq!(
        contract.schedule_change(Change::Delay(2 * PARAMETERS.consumer_notice - 1)),
        Err(AdminError::InvalidChange),
        "nor may the delay come below twice the notice"
    );
    let id = contract
        .schedule_change(Change::Delay(2 * PARAMETERS.consumer_notice))
        .unwrap();
    assert_eq!(contract.governance_delay(), DELAY, "a shorter delay waits");
    assert_eq!(contract.pending_changes()[0].id, id);
    assert_eq!(
        contract.schedule_change(Change::Delay(DELAY + 10)),
        Ok(id + 1)
    );
    assert_eq!(
        contract.governance_delay(),
        DELAY + 10,
        "a longer one is at once"
    );
    // A longer notice configured once binds the delay for good: running
    // subscriptions keep the notice they were created with.
    let half = Parameters {
        consumer_notice: (DELAY + 10) / 2,
        ..PARAMETERS
    };
    contract.configure(half).unwrap();
    contract.configure(PARAMETERS).unwrap();
    assert_eq!(contract.longest_consumer_notice(), (DELAY + 10) / 2);
    assert_eq!(
        contract.schedule_change(Change::Delay(2 * PARAMETERS.consumer_notice)),
        Err(AdminError::InvalidChange),
        "a subscription created under the longer notice still holds it"
    );
    assert_eq!(
        contract.pending_changes().len(),
        1,
        "refusals wrote nothing"
    );
    // The shorter delay scheduled before is checked again when it applies.
    for _ in 0..DELAY {
        test::advance_block::<Env>();
    }
    assert_eq!(contract.apply_change(id), Err(AdminError::InvalidChange));
    assert_eq!(contract.governance_delay(), DELAY + 10);
}

#[ink::test]
fn the_award_contract_changes_only_after_the_delay() {
    let a = accounts();
    let mut contract = contract();
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        contract.schedule_change(Change::Link(Link::Award, Some(a.frank))),
        Err(AdminError::Unauthorized)
    );
    test::set_caller::<Env>(a.alice);
    for refused in [
        Change::Link(Link::Award, None),
        Change::Link(Link::Controller, Some(a.frank)),
    ] {
        assert_eq!(
            contract.schedule_change(refused),
            Err(AdminError::InvalidChange),
            "{refused:?}"
        );
    }
    let id = contract
        .schedule_change(Change::Link(Link::Award, Some(a.frank)))
        .unwrap();
    assert_eq!(
        contract.award(),
        a.charlie,
        "the award is set at instantiation"
    );
    for _ in 0..DELAY - 1 {
        test::advance_block::<Env>();
    }
    assert_eq!(contract.apply_change(id), Err(AdminError::NotDue));
    test::advance_block::<Env>();
    test::set_caller::<Env>(a.django);
    assert_eq!(contract.apply_change(id), Ok(()));
    assert_eq!(contract.award(), a.frank);
    assert_eq!(
        contract.registry(),
        a.django,
        "the rest of the wiring stays"
    );
    assert_eq!(contract.escrow(), a.eve);
    assert_eq!(contract.apply_change(id), Err(AdminError::NoSuchChange));
}

#[ink::test]
fn create_refuses_bad_input_before_asking_the_award_contract() {
    let mut contract = contract();
    let good_uri = "ipfs://rpc-node";
    let too_long = "x".repeat(MAX_ENDPOINT_LEN + 1);
    assert_eq!(too_long.len(), 129);
    let cases = [
        (
            descriptor(""),
            requirements(10),
            1_000,
            SubscriptionError::InvalidInput(Invalid::Endpoint),
        ),
        (
            descriptor(&too_long),
            requirements(10),
            1_000,
            SubscriptionError::InvalidInput(Invalid::Endpoint),
        ),
        (
            descriptor(good_uri),
            requirements(0),
            1_000,
            SubscriptionError::InvalidInput(Invalid::Price),
        ),
        (
            descriptor(good_uri),
            Requirements {
                preferred_only: true,
                ..requirements(10)
            },
            1_000,
            SubscriptionError::InvalidInput(Invalid::Requirements),
        ),
        (
            descriptor(good_uri),
            Requirements {
                excluded_providers: vec![accounts().frank; 9],
                ..requirements(10)
            },
            1_000,
            SubscriptionError::InvalidInput(Invalid::Requirements),
        ),
        (
            descriptor(good_uri),
            requirements(10),
            0,
            SubscriptionError::InvalidInput(Invalid::Amount),
        ),
    ];
    for (descriptor, requirements, value, expected) in cases {
        let what = format!("{descriptor:?} {requirements:?} {value}");
        assert_eq!(
            create(&mut contract, descriptor, requirements, value),
            Err(expected),
            "{what}"
        );
    }
    assert_eq!(
        create(
            &mut contract,
            descriptor(&"x".repeat(MAX_ENDPOINT_LEN)),
            requirements(10),
            0
        ),
        Err(SubscriptionError::InvalidInput(Invalid::Amount)),
        "a 128-byte uri passes; the zero deposit is what is refused"
    );
    assert_eq!(contract.subscription_count(), 0);
    assert_eq!(contract.live_count(), 0);
    assert_eq!(contract.subscription(0), None);
    assert_eq!(test::recorded_events().count(), 0, "no event either");
}

#[ink::test]
fn create_is_refused_while_paused_before_any_check() {
    let a = accounts();
    let mut contract = contract();
    test::set_caller::<Env>(a.bob);
    assert_eq!(contract.set_paused(true), Err(AdminError::Unauthorized));
    assert!(!contract.paused());
    test::set_caller::<Env>(a.alice);
    assert_eq!(contract.set_paused(true), Ok(()));
    assert!(contract.paused());
    assert_eq!(
        create(
            &mut contract,
            descriptor("ipfs://x"),
            requirements(10),
            1_000
        ),
        Err(SubscriptionError::Paused)
    );
    assert_eq!(
        create(&mut contract, descriptor(""), requirements(0), 0),
        Err(SubscriptionError::Paused),
        "the pause is checked first"
    );
    assert_eq!(contract.subscription_count(), 0);
    test::set_caller::<Env>(a.alice);
    assert_eq!(contract.set_paused(false), Ok(()));
    assert_eq!(
        create(&mut contract, descriptor(""), requirements(10), 1_000),
        Err(SubscriptionError::InvalidInput(Invalid::Endpoint)),
        "resumed: back to the input checks"
    );
    assert_eq!(contract.subscription_count(), 0);
}

#[ink::test]
fn every_message_refuses_an_unknown_id() {
    let a = accounts();
    let mut contract = contract();
    let not_found = Err(SubscriptionError::NotFound);
    for caller in [a.alice, a.bob] {
        test::set_caller::<Env>(caller);
        for id in [0, 1, u64::MAX] {
            assert_eq!(
                contract.mark_ready(id, AccessRecord::default()),
                not_found,
                "mark_ready {id}"
            );
            test::set_value_transferred::<Env>(100);
            assert_eq!(contract.top_up(id), not_found, "top_up {id}");
            test::set_value_transferred::<Env>(0);
            assert_eq!(contract.top_up(id), not_found, "a zero top_up {id}");
            assert_eq!(contract.cancel(id), not_found, "cancel {id}");
            assert_eq!(contract.exit(id), not_found, "exit {id}");
            assert_eq!(
                contract.propose_price(id, 5),
                not_found,
                "propose_price {id}"
            );
            assert_eq!(contract.accept_price(id, 5), not_found, "accept_price {id}");
            assert_eq!(contract.decline(id), not_found, "decline {id}");
            assert_eq!(contract.reject_price(id), not_found, "reject_price {id}");
            assert_eq!(contract.apply_price(id), not_found, "apply_price {id}");
            assert_eq!(contract.claim(id), not_found.map(|()| 0), "claim {id}");
            assert_eq!(
                contract.claim_many(vec![id]),
                not_found.map(|()| 0),
                "claim_many {id}"
            );
            assert_eq!(contract.settle(id), not_found, "settle {id}");
            assert_eq!(contract.reaward(id), not_found, "reaward {id}");
            assert_eq!(contract.subscription(id), None);
            assert_eq!(contract.details(id), None);
        }
    }
    assert_eq!(contract.subscription_count(), 0);
    assert_eq!(contract.live_count(), 0);
    assert_eq!(test::recorded_events().count(), 0);
}

/// The access record is checked before anything is read: an unknown id or
/// a stranger gets the input error, and nothing is written.
#[ink::test]
fn mark_ready_refuses_a_bad_access_record_first() {
    let mut contract = contract();
    let uris = |list: &[&str]| AccessRecord {
        uris: list.iter().map(|u| u.to_string()).collect(),
    };
    let too_long = "w".repeat(MAX_ENDPOINT_LEN + 1);
    for (access, error) in [
        (uris(&["a", "b", "c", "d", "e"]), Invalid::Endpoint),
        (uris(&[too_long.as_str()]), Invalid::Endpoint),
        (uris(&[""]), Invalid::Endpoint),
        (uris(&["wss://x:1", "wss://x:1"]), Invalid::Duplicate),
    ] {
        assert_eq!(
            contract.mark_ready(0, access),
            Err(SubscriptionError::InvalidInput(error))
        );
    }
    assert_eq!(contract.details(0), None);
}

#[ink::test]
fn claim_many_takes_one_to_fifty_ids() {
    let mut contract = contract();
    test::set_caller::<Env>(accounts().bob);
    let limit = Err(SubscriptionError::InvalidInput(Invalid::Limit));
    assert_eq!(contract.claim_many(vec![]), limit);
    let too_many: Vec<SubscriptionId> = (0..u64::from(MAX_CLAIM_BATCH) + 1).collect();
    assert_eq!(too_many.len(), 51);
    assert_eq!(contract.claim_many(too_many), limit);
    assert_eq!(contract.claim_many(vec![0; 1_000]), limit);
    let fifty: Vec<SubscriptionId> = (0..u64::from(MAX_CLAIM_BATCH)).collect();
    assert_eq!(
        contract.claim_many(fifty),
        Err(SubscriptionError::NotFound),
        "fifty ids pass the limit; the first is unknown"
    );
    assert_eq!(
        contract.claim_many(vec![3]),
        Err(SubscriptionError::NotFound)
    );
}

#[ink::test]
fn pages_take_a_limit_of_one_to_a_hundred() {
    let a = accounts();
    let contract = contract();
    let limit = Err(SubscriptionError::InvalidInput(Invalid::Limit));
    assert_eq!(contract.subscriptions_of_consumer(a.bob, 0, 0), limit);
    assert_eq!(contract.subscriptions_of_consumer(a.bob, 0, 101), limit);
    assert_eq!(contract.subscriptions_of_provider(a.bob, 0, 0), limit);
    assert_eq!(contract.subscriptions_of_provider(a.bob, 0, 101), limit);
    assert_eq!(
        contract.subscriptions_of_consumer(a.bob, 0, 100),
        Ok((0, vec![]))
    );
    assert_eq!(
        contract.subscriptions_of_provider(a.bob, 7, 1),
        Ok((0, vec![]))
    );
}

#[ink::test]
fn only_the_admin_configures() {
    let a = accounts();
    let mut contract = contract();
    let new = Parameters {
        ready_timeout: 30,
        consumer_notice: 0,
    };
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        contract.configure(new),
        Err(SubscriptionError::Unauthorized)
    );
    assert_eq!(contract.parameters(), PARAMETERS);

    test::set_caller::<Env>(a.alice);
    for bad in [
        Parameters {
            ready_timeout: 0,
            consumer_notice: 10,
        },
        Parameters {
            ready_timeout: MAX_TERM_BLOCKS + 1,
            consumer_notice: 10,
        },
        Parameters {
            ready_timeout: 20,
            consumer_notice: MAX_TERM_BLOCKS + 1,
        },
    ] {
        assert_eq!(
            contract.configure(bad),
            Err(SubscriptionError::InvalidInput(Invalid::Parameter)),
            "{bad:?}"
        );
    }
    assert_eq!(contract.parameters(), PARAMETERS, "refusals wrote nothing");
    assert_eq!(test::recorded_events().count(), 0);

    assert_eq!(contract.configure(new), Ok(()));
    assert_eq!(contract.parameters(), new);
    let edge = Parameters {
        ready_timeout: MAX_TERM_BLOCKS,
        consumer_notice: DELAY / 2,
    };
    assert_eq!(contract.configure(edge), Ok(()), "the bounds are inclusive");
    assert_eq!(contract.parameters(), edge);
    assert_eq!(test::recorded_events().count(), 2);
}

#[ink::test]
fn the_admin_is_transferred_in_two_steps() {
    let a = accounts();
    let mut contract = contract();
    test::set_caller::<Env>(a.bob);
    assert_eq!(
        contract.transfer_admin(a.bob),
        Err(AdminError::Unauthorized)
    );
    assert_eq!(contract.accept_admin(), Err(AdminError::NoPendingTransfer));
    assert_eq!(contract.pending_admin(), None);

    test::set_caller::<Env>(a.alice);
    assert_eq!(contract.transfer_admin(a.frank), Ok(()));
    assert_eq!(
        contract.transfer_admin(a.bob),
        Ok(()),
        "a later proposal replaces it"
    );
    assert_eq!(contract.pending_admin(), Some(a.bob));
    assert_eq!(contract.admin(), a.alice, "not before it is accepted");
    test::set_caller::<Env>(a.frank);
    assert_eq!(contract.accept_admin(), Err(AdminError::Unauthorized));
    test::set_caller::<Env>(a.alice);
    assert_eq!(contract.accept_admin(), Err(AdminError::Unauthorized));

    test::set_caller::<Env>(a.bob);
    assert_eq!(contract.accept_admin(), Ok(()));
    assert_eq!(contract.admin(), a.bob);
    assert_eq!(contract.pending_admin(), None);
    assert_eq!(contract.accept_admin(), Err(AdminError::NoPendingTransfer));

    test::set_caller::<Env>(a.alice);
    assert_eq!(
        contract.configure(PARAMETERS),
        Err(SubscriptionError::Unauthorized),
        "the old admin lost its rights"
    );
    assert_eq!(contract.set_paused(true), Err(AdminError::Unauthorized));
    assert_eq!(
        contract.schedule_change(Change::Delay(DELAY + 1)),
        Err(AdminError::Unauthorized)
    );
    test::set_caller::<Env>(a.bob);
    assert_eq!(contract.set_paused(true), Ok(()));
    assert!(contract.paused());
    let new = Parameters {
        ready_timeout: 5,
        consumer_notice: 5,
    };
    assert_eq!(contract.configure(new), Ok(()));
    assert_eq!(contract.parameters(), new);
}
