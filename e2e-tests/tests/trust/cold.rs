//! A contract split into hot code and cold parts (`contracts/src/cold.rs`):
//! the parts' code is as permanent as the contract's own. Whoever uploaded
//! it cannot remove it from under a deployed contract (the contract holds a
//! delegate dependency on each part), and a contract cannot be instantiated
//! before its parts are on chain — so no call of a deployed contract can
//! find its code missing. Which parts a contract runs is compiled into its
//! hot code: the admin changes them only by an upgrade, behind the
//! governance delay (the upgrade scenarios move the registry to new hot code
//! that forwards to the same parts).

use super::*;
use dinfra_e2e_tests::sandbox::DEFAULT_ACCOUNT;
use drink::frame_support::sp_runtime::traits::{BlakeTwo256, Hash as _};
use drink::Sandbox as _;
use ink_sandbox::pallet_contracts::{Error as ContractsError, Pallet as Contracts};
use ink_sandbox::{DispatchError, H256};

type Origin = <DinfraSandboxRuntime as ink_sandbox::frame_system::Config>::RuntimeOrigin;

/// The code hash pallet-contracts gives `wasm` (blake2-256).
fn code_hash(wasm: &[u8]) -> H256 {
    BlakeTwo256::hash(wasm)
}

/// `remove_code` of `wasm`'s code, signed by its uploader (the default actor,
/// who deployed the suite).
fn remove(session: &mut Sandbox, wasm: &[u8]) -> Result<(), DispatchError> {
    let hash = code_hash(wasm);
    session
        .sandbox()
        .execute_with(|| {
            Contracts::<DinfraSandboxRuntime>::remove_code(Origin::signed(DEFAULT_ACCOUNT), hash)
        })
        .map(|_| ())
        .map_err(|e| e.error)
}

#[test]
fn the_uploader_cannot_remove_a_cold_part_a_deployed_contract_runs() {
    let mut session = Session::<DinfraSandbox>::default();
    let split = [
        BundleProvider::DinfraRegistry,
        BundleProvider::DinfraEscrow,
        BundleProvider::DinfraSubscription,
    ];
    let parts: Vec<_> = split
        .iter()
        .flat_map(|which| which.cold_parts().expect("the cold parts"))
        .collect();
    assert!(
        parts.len() >= 9,
        "the registry, the escrow and the subscription contract are split"
    );
    // Code nobody instantiated or holds: its uploader may take it back (the
    // attack would work on parts nothing held).
    let spare = session.upload_bundle(parts[0].clone()).expect("uploading");
    assert_eq!(spare, code_hash(&parts[0].wasm));
    remove(&mut session, &parts[0].wasm).expect("an unheld part can be removed");

    let suite = deploy_suite(&mut session).expect("deploying the suite");
    for part in &parts {
        assert_eq!(
            remove(&mut session, &part.wasm),
            Err(ContractsError::<DinfraSandboxRuntime>::CodeInUse.into()),
            "a part a deployed contract holds"
        );
    }
    // And the parts still answer through their contracts: a query of the
    // registry's parts 3, 2 and 4, of the escrow's part, and of the
    // subscription contract's parts 1 to 3 (part 1's `subscription` takes an
    // argument the hot code forwards undecoded: `cold_args!`). The parts'
    // other messages write; the scenarios call them.
    let parameters: dinfra_registry::types::Parameters =
        call(&mut session, &suite.registry, "parameters", &[]);
    assert_eq!(parameters.min_bond, MIN_BOND);
    let offers: u32 = call(
        &mut session,
        &suite.registry,
        "offer_count_of_type",
        &["0".into()],
    );
    assert_eq!(offers, 0);
    let rules: dinfra::traits::AwardRules = call(&mut session, &suite.registry, "award_rules", &[]);
    assert_eq!(rules, dinfra::traits::AwardRules::default());
    // Part 4: a page of candidates (an unknown type: refused there, by the
    // part's own code).
    let page: Result<dinfra::traits::CandidatePage, dinfra::traits::RegistryError> = call(
        &mut session,
        &suite.registry,
        "Registry::candidates",
        &[
            "9".into(),
            "0".into(),
            "10".into(),
            "1".into(),
            requirements_arg(&max_price(10)),
        ],
    );
    assert_eq!(page, Err(dinfra::traits::RegistryError::NotFound));
    let held: u128 = call(&mut session, &suite.escrow, "total_held", &[]);
    assert_eq!(held, 0);
    let count: u64 = call(&mut session, &suite.subscription, "subscription_count", &[]);
    assert_eq!(count, 0);
    let none: Option<dinfra::lifecycle::Subscription> = call(
        &mut session,
        &suite.subscription,
        "subscription",
        &["7".into()],
    );
    assert_eq!(none, None);
    let pending: bool = call(&mut session, &suite.subscription, "governance_pending", &[]);
    assert!(!pending);
    let details: Option<dinfra::traits::Details> = call(
        &mut session,
        &suite.subscription,
        "Subscription::details",
        &["7".into()],
    );
    assert!(details.is_none());
}

#[test]
fn a_registry_cannot_be_instantiated_before_its_cold_parts_are_on_chain() {
    let mut session = Session::<DinfraSandbox>::default();
    assert!(
        instantiate_registry(&mut session).is_err(),
        "instantiated without its cold parts"
    );
    upload_cold_parts(&mut session, BundleProvider::DinfraRegistry).expect("uploading the parts");
    let registry =
        instantiate_registry(&mut session).expect("instantiated once its parts are on chain");
    let admin: ink::primitives::AccountId = call(&mut session, &registry, "Admin::admin", &[]);
    assert_eq!(
        admin,
        ink::primitives::AccountId::from(<[u8; 32]>::from(DEFAULT_ACCOUNT))
    );
}
