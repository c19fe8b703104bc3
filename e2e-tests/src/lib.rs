//! The DINFRA suite in the drink sandbox: deploys the four contract bundles,
//! wires them as a real deployment would, and offers typed calls whose
//! results decode into the contracts' own types.
//!
//! Every message's `Result` comes back as it is, whether the contract
//! returned `Ok` or reverted with an `Err`, so tests can assert on the exact
//! error variant.

use std::fmt::Debug;

pub use dinfra;
pub use dinfra_reactor;
pub use drink;
use drink::sandbox_api::prelude::*;
use drink::session::{Session, NO_ENDOWMENT, NO_SALT};
use drink::AccountId32;
use drink::Sandbox as _;
use ink::scale::Decode;

pub mod bundles;
pub mod market;
pub mod pool;
pub mod reactor_chain;
pub mod sandbox;

pub use sandbox::{DinfraSandbox, DinfraSandboxRuntime, EXISTENTIAL_DEPOSIT};

pub use bundles::{artifacts_dir, BundleProvider};

/// The sandbox session all scenario tests open (`Session::<DinfraSandbox>::
/// default()` in each `#[test]`): pallet-contracts with a real existential
/// deposit ([`sandbox`]).
pub type Sandbox = Session<DinfraSandbox>;

/// Free balance every test account starts with.
pub const INITIAL_BALANCE: u128 = 1_000_000_000_000_000;

/// Candidate window the suite's award contract is deployed with, and the
/// registry's own awards' default (at least `MIN_AWARD_WINDOW`: more than one
/// provider's offers).
pub const MAX_CANDIDATES: u32 = dinfra::traits::DEFAULT_AWARD_WINDOW;

/// Blocks every governance change of the suite waits.
pub const GOVERNANCE_DELAY: u32 = 50;

/// Minimum provider bond the suite's registry is deployed with.
pub const MIN_BOND: u128 = 1_000;

/// Blocks between a provider's deregistration and its bond's return.
pub const UNBONDING_BLOCKS: u32 = 100;

/// Blocks an awarded provider has to mark a deployment ready, in the suite.
pub const READY_TIMEOUT: u32 = 20;

/// Blocks of notice a consumer gives when cancelling, in the suite.
pub const CONSUMER_NOTICE: u32 = 10;

/// What one extrinsic may use on a parachain: 75% (the normal class) of a
/// 2 s block's ref_time and of a 5 MiB proof of validity. drink's default
/// limit for one call (10¹¹ ref_time, 3 MiB) is lower.
pub const PARACHAIN_EXTRINSIC_LIMIT: drink::frame_support::weights::Weight =
    drink::frame_support::weights::Weight::from_parts(1_500_000_000_000, 3_932_160);

/// Addresses of a deployed, wired suite.
#[derive(Debug, Clone)]
pub struct Suite {
    pub registry: AccountId32,
    pub award: AccountId32,
    pub subscription: AccountId32,
    pub escrow: AccountId32,
}

impl Suite {
    /// The four contract accounts (each holds balance: storage deposits,
    /// escrowed funds, bonds).
    pub fn contracts(&self) -> [AccountId32; 4] {
        [
            self.registry.clone(),
            self.award.clone(),
            self.subscription.clone(),
            self.escrow.clone(),
        ]
    }
}

/// Converts a sandbox account into the contracts' `AccountId`.
pub fn ink_account(account: &AccountId32) -> ink::primitives::AccountId {
    let bytes: &[u8; 32] = account.as_ref();
    ink::primitives::AccountId::from(*bytes)
}

/// A funded test account with a fixed seed byte.
pub fn funded_account(session: &mut Sandbox, seed: u8) -> AccountId32 {
    let account = AccountId32::new([seed; 32]);
    session
        .sandbox()
        .mint_into(&account, INITIAL_BALANCE)
        .expect("minting into a test account");
    account
}

/// Formats a value as contract-transcode's argument syntax for `[u8; 32]`.
pub fn hex32(bytes: [u8; 32]) -> String {
    let mut out = String::from("0x");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Deploys registry, escrow, award and subscription from the default actor
/// (who becomes admin of each) and wires them as `deploy/deploy.sh` does:
/// the subscription contract's award link names the registry (its own award
/// rules, chosen and reserved in one call); the award contract reads the
/// registry and only the subscription contract may ask it to select, ready
/// for a scheduled `Link::Award` change ([`use_award_contract`]); the escrow
/// obeys only the subscription contract, and so does the registry for
/// reservations.
pub fn deploy_suite(session: &mut Sandbox) -> Result<Suite, drink::session::error::SessionError> {
    let suite = deploy_unwired(session)?;
    let subscription = suite.subscription.clone();
    wire_controllers(session, &suite, &subscription);
    Ok(suite)
}

/// The four contracts deployed by the session's actor, the award, the
/// registry and the escrow not wired to any controller yet.
pub fn deploy_unwired(session: &mut Sandbox) -> Result<Suite, drink::session::error::SessionError> {
    upload_cold_parts(session, BundleProvider::DinfraRegistry)?;
    let registry = instantiate_registry(session)?;
    upload_cold_parts(session, BundleProvider::DinfraEscrow)?;
    let escrow = session.deploy_bundle(
        bundle(BundleProvider::DinfraEscrow),
        "new",
        &[GOVERNANCE_DELAY.to_string()],
        NO_SALT,
        NO_ENDOWMENT,
    )?;
    let award = session.deploy_bundle(
        bundle(BundleProvider::DinfraAward),
        "new",
        &[
            registry.to_string(),
            MAX_CANDIDATES.to_string(),
            GOVERNANCE_DELAY.to_string(),
        ],
        NO_SALT,
        NO_ENDOWMENT,
    )?;
    upload_cold_parts(session, BundleProvider::DinfraSubscription)?;
    let subscription = session.deploy_bundle(
        bundle(BundleProvider::DinfraSubscription),
        "new",
        &[
            // The registry chooses: the award contract is the alternative.
            registry.to_string(),
            registry.to_string(),
            escrow.to_string(),
            format!(
                "Parameters {{ ready_timeout: {READY_TIMEOUT}, consumer_notice: {CONSUMER_NOTICE} }}"
            ),
            GOVERNANCE_DELAY.to_string(),
        ],
        NO_SALT,
        NO_ENDOWMENT,
    )?;
    Ok(Suite {
        registry,
        award,
        subscription,
        escrow,
    })
}

/// Makes `controller` the award's selector and the registry's and the
/// escrow's controller, as the session's actor (their admin). This first
/// wiring applies at once (nothing can depend on an unset link); every
/// later change waits the governance delay.
pub fn wire_controllers(session: &mut Sandbox, suite: &Suite, controller: &AccountId32) {
    for contract in [&suite.award, &suite.registry, &suite.escrow] {
        wire(session, contract, controller);
    }
}

/// Makes `controller` the controller (the award's selector) of one
/// `contract` not wired yet, as the session's actor (its admin): a first
/// wiring, applied at once.
pub fn wire(session: &mut Sandbox, contract: &AccountId32, controller: &AccountId32) {
    let wired: Result<u32, dinfra::admin::AdminError> = call(
        session,
        contract,
        "Admin::schedule_change",
        &[link_change("Controller", Some(controller))],
    );
    wired.unwrap_or_else(|e| panic!("wiring {contract} → {controller}: {e:?}"));
}

/// Sets the award window and strategy (contract-transcode syntax, e.g.
/// `"RoundRobin"`) of both choosers — the registry's own award rules and the
/// award contract — as the session's actor (their admin), so a scenario
/// gets the same choice whichever the subscription contract's award link
/// names.
pub fn configure_award(session: &mut Sandbox, suite: &Suite, max_candidates: u32, strategy: &str) {
    let rules = format!("AwardRules {{ max_candidates: {max_candidates}, strategy: {strategy} }}");
    let configured: Result<(), dinfra::traits::RegistryError> =
        call(session, &suite.registry, "configure_award", &[rules]);
    configured.unwrap_or_else(|e| panic!("configuring the registry's awards ({strategy}): {e:?}"));
    let configured: Result<(), dinfra::traits::AwardError> = call(
        session,
        &suite.award,
        "configure",
        &[max_candidates.to_string(), strategy.to_string()],
    );
    configured.unwrap_or_else(|e| panic!("configuring the award ({strategy}): {e:?}"));
}

/// Points the subscription contract's award link at the award contract (a
/// scheduled change, applied after the governance delay), so that offers
/// are chosen by `Award::select` and reserved by the registry.
pub fn use_award_contract(session: &mut Sandbox, suite: &Suite) {
    schedule_and_apply(
        session,
        &suite.subscription,
        link_change("Award", Some(&suite.award)),
    );
    let award: ink::primitives::AccountId = call(session, &suite.subscription, "award", &[]);
    assert_eq!(award, ink_account(&suite.award), "the award link moved");
}

/// A `Change::Link` argument as contract-transcode reads it.
pub fn link_change(link: &str, to: Option<&AccountId32>) -> String {
    match to {
        Some(account) => format!("Link({link}, Some({account}))"),
        None => format!("Link({link}, None)"),
    }
}

/// A `Change::Code` argument as contract-transcode reads it.
pub fn code_change(code_hash: [u8; 32]) -> String {
    format!("Code({})", hex32(code_hash))
}

/// Schedules `change` on `contract` as the session's actor (its admin), lets
/// the governance delay pass and applies it; returns the change's id.
pub fn schedule_and_apply(session: &mut Sandbox, contract: &AccountId32, change: String) -> u32 {
    let id: Result<u32, dinfra::admin::AdminError> = call(
        session,
        contract,
        "Admin::schedule_change",
        &[change.clone()],
    );
    let id = id.unwrap_or_else(|e| panic!("scheduling {change}: {e:?}"));
    advance_blocks(session, GOVERNANCE_DELAY);
    let applied: Result<(), dinfra::admin::AdminError> =
        call(session, contract, "Admin::apply_change", &[id.to_string()]);
    applied.unwrap_or_else(|e| panic!("applying {change}: {e:?}"));
    id
}

/// The registry's constructor with the scenarios' parameters, as the
/// session's actor (its cold parts must be on chain: [`upload_cold_parts`]).
pub fn instantiate_registry(
    session: &mut Sandbox,
) -> Result<AccountId32, drink::session::error::SessionError> {
    session.deploy_bundle(
        bundle(BundleProvider::DinfraRegistry),
        "new",
        &[
            MIN_BOND.to_string(),
            UNBONDING_BLOCKS.to_string(),
            GOVERNANCE_DELAY.to_string(),
        ],
        NO_SALT,
        NO_ENDOWMENT,
    )
}

/// Uploads the cold parts of a split contract (see `contracts/src/cold.rs`;
/// nothing for the others), which its constructor requires on chain. Code
/// already on chain is left as it is.
pub fn upload_cold_parts(
    session: &mut Sandbox,
    which: BundleProvider,
) -> Result<(), drink::session::error::SessionError> {
    let parts = which
        .cold_parts()
        .unwrap_or_else(|e| panic!("loading the {which:?} cold parts: {e}"));
    for part in parts {
        session.upload_bundle(part)?;
    }
    Ok(())
}

fn bundle(which: BundleProvider) -> drink::session::ContractBundle {
    which
        .bundle()
        .unwrap_or_else(|e| panic!("loading the {which:?} bundle: {e}"))
}

/// Calls `message` on `contract` as the session's actor and returns what the
/// message returned, `Ok` or `Err` alike. Panics on anything else (a trap,
/// an encoding error, a `LangError`): those are never expected.
pub fn call<V: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    message: &str,
    args: &[String],
) -> V {
    call_with_value(session, contract, message, args, 0)
}

/// As [`call`], transferring `value` with the call.
pub fn call_with_value<V: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    message: &str,
    args: &[String],
    value: u128,
) -> V {
    let endowment = (value > 0).then_some(value);
    match session.call_with_address::<_, V>(contract.clone(), message, args, endowment) {
        Ok(result) => result.unwrap_or_else(|e| panic!("{message}: LangError {e:?}")),
        Err(error) => error
            .decode_revert::<V>()
            .unwrap_or_else(|e| panic!("{message}: call failed: {e:?}"))
            .unwrap_or_else(|e| panic!("{message}: LangError {e:?}")),
    }
}

/// The raw data of every contract event emitted by the last call.
pub fn last_contract_events(session: &Sandbox) -> Vec<Vec<u8>> {
    // drink's `contract_events` exists for its own minimal runtime only.
    session
        .record()
        .last_event_batch()
        .all_events()
        .iter()
        .filter_map(|record| match &record.event {
            sandbox::RuntimeEvent::Contracts(drink::pallet_contracts::Event::ContractEmitted {
                data,
                ..
            }) => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// The current block number of the sandbox chain.
pub fn block_number(session: &mut Sandbox) -> u32 {
    session.sandbox().block_number()
}

/// Free balance of `account`.
pub fn free_balance(session: &mut Sandbox, account: &AccountId32) -> u128 {
    session.sandbox().free_balance(account)
}

/// Free plus held balance of `account`: storage deposits move free balance
/// from the caller into holds on the contract, so conservation of money is
/// checked on this figure.
pub fn total_balance(session: &mut Sandbox, account: &AccountId32) -> u128 {
    use drink::frame_support::traits::fungible::Inspect;
    session.sandbox().execute_with(|| {
        drink::pallet_balances::Pallet::<DinfraSandboxRuntime>::total_balance(account)
    })
}

/// Advances the chain by `n` blocks. Up to [`BUILT_BLOCKS`] blocks are built one
/// by one with `build_blocks`; beyond that the block number jumps to
/// `n - BUILT_BLOCKS` ahead first (building a million empty blocks, each with
/// a storage-root computation, would take minutes and exercise nothing the
/// contracts can see: they read only the block number).
pub fn advance_blocks(session: &mut Sandbox, n: u32) -> u32 {
    let jump = n.saturating_sub(BUILT_BLOCKS);
    if jump > 0 {
        let target = block_number(session) + jump;
        session.sandbox().execute_with(|| {
            ink_sandbox::frame_system::Pallet::<DinfraSandboxRuntime>::set_block_number(target)
        });
    }
    session.sandbox().build_blocks(n - jump)
}

/// Blocks [`advance_blocks`] builds one by one at most.
pub const BUILT_BLOCKS: u32 = 100;

/// Calls `message`, which must revert with an `Err`, and returns the error
/// (whatever the message's `Ok` type: an `Err` encodes the same either way).
pub fn expect_error<E: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    message: &str,
    args: &[String],
    value: u128,
) -> E {
    let endowment = (value > 0).then_some(value);
    let reverted = session
        .call_with_address::<_, Result<(), E>>(contract.clone(), message, args, endowment)
        .expect_err("the call must revert");
    reverted
        .decode_revert::<Result<(), E>>()
        .unwrap_or_else(|e| panic!("{message}: call failed: {e:?}"))
        .unwrap_or_else(|e| panic!("{message}: LangError {e:?}"))
        .expect_err("a reverted call returns Err")
}

/// Gas (ref_time, proof_size) the last call consumed.
pub fn last_gas(session: &Sandbox) -> (u64, u64) {
    let consumed = session.record().last_call_result().gas_consumed;
    (consumed.ref_time(), consumed.proof_size())
}

/// An account id as contract-transcode reads it (SS58).
pub fn account_arg(account: &ink::primitives::AccountId) -> String {
    let bytes: &[u8; 32] = account.as_ref();
    AccountId32::new(*bytes).to_string()
}

/// Ids (subscriptions, streams) as a list contract-transcode reads:
/// `[0, 1, 2]`.
/// An access record (`mark_ready`'s second argument) as contract-transcode
/// reads it.
pub fn access_arg(uris: &[String]) -> String {
    let quoted: Vec<String> = uris.iter().map(|uri| format!("{uri:?}")).collect();
    format!("AccessRecord {{ uris: [{}] }}", quoted.join(", "))
}

/// `mark_ready`'s arguments: the id, and an access record of one URI
/// naming the subscription (what the scenarios' providers publish).
pub fn mark_ready_args(id: u64) -> Vec<String> {
    vec![id.to_string(), access_arg(&[access_uri(id)])]
}

/// The URI the scenarios' providers publish for subscription `id`.
pub fn access_uri(id: u64) -> String {
    format!("wss://node-{id}.provider.test:443")
}

pub fn ids_arg(ids: impl IntoIterator<Item = u64>) -> String {
    let items: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// Attributes as contract-transcode reads them.
pub fn attributes_arg(attributes: &[dinfra::types::Attribute]) -> String {
    let items: Vec<String> = attributes
        .iter()
        .map(|a| format!("Attribute {{ key: {:?}, value: {:?} }}", a.key, a.value))
        .collect();
    format!("[{}]", items.join(", "))
}

/// `key=value` attributes.
pub fn attributes(pairs: &[(&str, &str)]) -> Vec<dinfra::types::Attribute> {
    pairs
        .iter()
        .map(|(key, value)| dinfra::types::Attribute {
            key: key.to_string(),
            value: value.to_string(),
        })
        .collect()
}

/// Requirements as contract-transcode reads them.
pub fn requirements_arg(r: &dinfra::traits::Requirements) -> String {
    let accounts = |list: &[ink::primitives::AccountId]| {
        format!(
            "[{}]",
            list.iter().map(account_arg).collect::<Vec<_>>().join(", ")
        )
    };
    format!(
        "Requirements {{ max_price_per_block: {}, required_attributes: {}, excluded_attributes: {}, \
         preferred_providers: {}, preferred_only: {}, excluded_providers: {}, \
         trusted_attestors: {}, min_duration: {}, fixed_price_only: {}, max_rate: {}, \
         max_notice_blocks: {}, min_reprice_notice: {}, max_cancel_fee: {} }}",
        r.max_price_per_block,
        attributes_arg(&r.required_attributes),
        attributes_arg(&r.excluded_attributes),
        accounts(&r.preferred_providers),
        r.preferred_only,
        accounts(&r.excluded_providers),
        accounts(&r.trusted_attestors),
        r.min_duration,
        r.fixed_price_only,
        option_arg(r.max_rate),
        option_arg(r.max_notice_blocks),
        r.min_reprice_notice,
        r.max_cancel_fee,
    )
}

/// Requirements demanding only a price ceiling.
pub fn max_price(max_price_per_block: u128) -> dinfra::traits::Requirements {
    dinfra::traits::Requirements {
        max_price_per_block,
        ..Default::default()
    }
}

/// Fixed-price offer terms as contract-transcode reads them.
pub fn terms_arg(
    price_per_block: u128,
    capacity: u32,
    min_duration: u32,
    notice_blocks: u32,
) -> String {
    OfferSpec {
        price_per_block,
        capacity,
        min_duration,
        notice_blocks,
        dynamic: false,
        cancel_fee: 0,
    }
    .arg()
}

/// The terms of an offer to publish.
#[derive(Debug, Clone, Copy)]
pub struct OfferSpec {
    pub price_per_block: u128,
    pub capacity: u32,
    pub min_duration: u32,
    pub notice_blocks: u32,
    /// Dynamic pricing (the provider reprices within the consumer's bound)
    /// rather than Fixed.
    pub dynamic: bool,
    /// What a consumer pays the provider for cancelling before ready.
    pub cancel_fee: u128,
}

impl OfferSpec {
    /// The terms as contract-transcode reads them.
    pub fn arg(&self) -> String {
        let pricing = if self.dynamic { "Dynamic" } else { "Fixed" };
        format!(
            "OfferTerms {{ price_per_block: {}, capacity: {}, min_duration: {}, \
             notice_blocks: {}, pricing: {pricing}, cancel_fee: {} }}",
            self.price_per_block,
            self.capacity,
            self.min_duration,
            self.notice_blocks,
            self.cancel_fee
        )
    }
}

/// A descriptor argument whose hash is `[seed; 32]`.
pub fn descriptor_arg(seed: u8, uri: &str) -> String {
    format!("Descriptor {{ hash: {}, uri: {uri:?} }}", hex32([seed; 32]))
}

/// `create` as the session's actor, sending `deposit`: the award contract
/// chooses the offer.
pub fn create_subscription(
    session: &mut Sandbox,
    suite: &Suite,
    type_id: u32,
    requirements: &dinfra::traits::Requirements,
    deposit: u128,
) -> Result<u64, dinfra::traits::SubscriptionError> {
    create_with_offer(session, suite, type_id, requirements, None, deposit)
}

/// `create` as the session's actor, sending `deposit`, naming `offer_id`
/// (or, `None`, letting the award choose).
pub fn create_with_offer(
    session: &mut Sandbox,
    suite: &Suite,
    type_id: u32,
    requirements: &dinfra::traits::Requirements,
    offer_id: Option<u64>,
    deposit: u128,
) -> Result<u64, dinfra::traits::SubscriptionError> {
    call_with_value(
        session,
        &suite.subscription,
        "Subscription::create",
        &[
            type_id.to_string(),
            descriptor_arg(9, "ipfs://rpc-node"),
            requirements_arg(requirements),
            option_arg(offer_id),
        ],
        deposit,
    )
}

/// An `Option` argument as contract-transcode reads it.
pub fn option_arg<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or("None".to_string(), |v| format!("Some({v})"))
}

/// Registers `provider` (bonding [`MIN_BOND`]) with `attrs` and publishes one
/// Fixed-price offer of `type_id` (no minimum duration, 10 blocks' notice);
/// returns the offer id.
pub fn provider_with_offer(
    session: &mut Sandbox,
    suite: &Suite,
    provider: &AccountId32,
    attrs: &[(&str, &str)],
    type_id: u32,
    price_per_block: u128,
    capacity: u32,
) -> u64 {
    provider_with_terms(
        session,
        suite,
        provider,
        attrs,
        type_id,
        OfferSpec {
            price_per_block,
            capacity,
            min_duration: 0,
            notice_blocks: 10,
            dynamic: false,
            cancel_fee: 0,
        },
    )
}

/// Registers `provider` (bonding [`MIN_BOND`]) with `attrs` and publishes one
/// offer of `type_id` on `spec`; returns the offer id.
pub fn provider_with_terms(
    session: &mut Sandbox,
    suite: &Suite,
    provider: &AccountId32,
    attrs: &[(&str, &str)],
    type_id: u32,
    spec: OfferSpec,
) -> u64 {
    let actor = session.set_actor(provider.clone());
    let registered: Result<(), dinfra::traits::RegistryError> = call_with_value(
        session,
        &suite.registry,
        "register_provider",
        &[
            "\"infra\"".to_string(),
            "\"wss://rpc.example\"".to_string(),
            attributes_arg(&attributes(attrs)),
        ],
        MIN_BOND,
    );
    assert_eq!(registered, Ok(()));
    let offer: Result<u64, dinfra::traits::RegistryError> = call(
        session,
        &suite.registry,
        "publish_offer",
        &[type_id.to_string(), spec.arg()],
    );
    session.set_actor(actor);
    offer.expect("publishing an offer")
}

/// Registers a deployment type `name` as the session's actor; returns its id.
/// Its schema hash is a placeholder: for the contracts' own scenarios, where
/// no descriptor is checked against it.
pub fn register_type(session: &mut Sandbox, suite: &Suite, name: &str) -> u32 {
    register_type_with_schema(session, suite, name, [7; 32])
}

/// Registers a deployment type `name` whose descriptors follow the schema
/// with blake2-256 `schema_hash`; returns its id.
pub fn register_type_with_schema(
    session: &mut Sandbox,
    suite: &Suite,
    name: &str,
    schema_hash: [u8; 32],
) -> u32 {
    let type_id: Result<u32, dinfra::traits::RegistryError> = call(
        session,
        &suite.registry,
        "register_type",
        &[format!("{name:?}"), hex32(schema_hash)],
    );
    type_id.expect("registering a type")
}

/// Events of type `E` that `contract` emitted during the last call, matched
/// by `E`'s signature topic (so an event of another type with the same
/// layout is never mistaken for one), or, for an anonymous `E`, by having
/// no topic.
pub fn events<E: ink::env::Event + Decode>(session: &Sandbox, contract: &AccountId32) -> Vec<E> {
    // An anonymous event has no signature topic: its records are the
    // contract's with no topic at all (the registry's `OfferAwarded`, its
    // only such event).
    let signature = E::SIGNATURE_TOPIC;
    session
        .record()
        .last_event_batch()
        .all_events()
        .iter()
        .filter_map(|record| match &record.event {
            sandbox::RuntimeEvent::Contracts(drink::pallet_contracts::Event::ContractEmitted {
                contract: from,
                data,
            }) if from == contract
                && match signature {
                    Some(signature) => {
                        record.topics.first().map(|topic| topic.as_ref()) == Some(&signature[..])
                    }
                    None => record.topics.is_empty(),
                } =>
            {
                Some(E::decode(&mut &data[..]).expect("an event with its signature decodes"))
            }
            _ => None,
        })
        .collect()
}

/// The one event of type `E` that `contract` emitted during the last call.
pub fn the_event<E: ink::env::Event + Decode>(session: &Sandbox, contract: &AccountId32) -> E {
    let mut found = events::<E>(session, contract);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {}",
        std::any::type_name::<E>()
    );
    found.remove(0)
}

/// Net storage deposit the caller paid in the last call (negative: refunded).
/// A call's caller pays it out of its free balance into holds on the
/// contracts, so exact free-balance checks subtract it.
pub fn storage_charge(session: &Sandbox) -> i128 {
    match session.record().last_call_result().storage_deposit {
        drink::pallet_contracts::StorageDeposit::Charge(amount) => amount as i128,
        drink::pallet_contracts::StorageDeposit::Refund(amount) => -(amount as i128),
    }
}

/// Σ free + held balance of `accounts`: no call may change it.
pub fn total_of(session: &mut Sandbox, accounts: &[AccountId32]) -> u128 {
    accounts
        .iter()
        .map(|account| total_balance(session, account))
        .sum()
}

/// A subscription with its stream's live figures.
pub fn details(session: &mut Sandbox, suite: &Suite, id: u64) -> dinfra::traits::Details {
    let details: Option<dinfra::traits::Details> = call(
        session,
        &suite.subscription,
        "Subscription::details",
        &[id.to_string()],
    );
    details.unwrap_or_else(|| panic!("subscription {id} has details"))
}

/// Calls a subscription message as the session's actor, sending `value`.
pub fn subscription_call<T: Decode + Debug>(
    session: &mut Sandbox,
    suite: &Suite,
    message: &str,
    args: &[String],
    value: u128,
) -> Result<T, dinfra::traits::SubscriptionError> {
    call_with_value(session, &suite.subscription, message, args, value)
}

/// The registry's count of reserved deployments of `offer_id`.
pub fn reserved(session: &mut Sandbox, suite: &Suite, offer_id: u64) -> u32 {
    let offer: Option<dinfra_registry::data::Offer> =
        call(session, &suite.registry, "offer", &[offer_id.to_string()]);
    offer.expect("the offer exists").reserved
}
