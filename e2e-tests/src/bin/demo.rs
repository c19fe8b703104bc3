//! The main job on an embedded chain: one whole subscription, from a
//! provider's registration to the consumer's refund, on the real
//! pallet-contracts runtime in process (the drink sandbox), printing every
//! step with its block number, the events each contract emitted and the
//! balances that moved.
//!
//! Run by `deploy/demo.sh`.

use dinfra_e2e_tests::*;
use drink::AccountId32;
use ink::scale::Encode;
use std::collections::HashMap;
use std::sync::Arc;

/// Price per block of the provider's offer.
const RATE: u128 = 1_000_000;
/// The consumer's first deposit: 200 blocks.
const DEPOSIT: u128 = 200 * RATE;
/// The consumer's top-up: 100 more blocks.
const TOP_UP: u128 = 100 * RATE;

struct Demo {
    session: Sandbox,
    suite: Suite,
    /// Contract address → (its name, the transcoder that decodes its events).
    contracts: HashMap<
        AccountId32,
        (
            &'static str,
            Arc<drink::session::contract_transcode::ContractMessageTranscoder>,
        ),
    >,
    /// Accounts whose free balances each step prints.
    watched: Vec<(&'static str, AccountId32)>,
    last: HashMap<AccountId32, u128>,
}

impl Demo {
    /// Prints `what` as done at the current block, the events of the last
    /// call, and every watched balance that changed.
    fn step(&mut self, what: &str) {
        let block = block_number(&mut self.session);
        println!("\n[block {block:>4}] {what}");
        let mut lines = Vec::new();
        for record in self.session.record().last_event_batch().all_events() {
            if let drink::minimal::RuntimeEvent::Contracts(
                drink::pallet_contracts::Event::ContractEmitted { contract, data },
            ) = &record.event
            {
                let Some((name, transcoder)) = self.contracts.get(contract) else {
                    continue;
                };
                let Some(topic) = record.topics.first() else {
                    continue;
                };
                match transcoder.decode_contract_event(topic, &mut &*data.encode()) {
                    Ok(event) => lines.push(format!("    event  {name}: {event}")),
                    Err(error) => lines.push(format!("    event  {name}: (undecoded: {error})")),
                }
            }
        }
        for line in lines {
            println!("{line}");
        }
        self.balances();
    }

    fn balances(&mut self) {
        let watched = self.watched.clone();
        for (name, account) in watched {
            let now = free_balance(&mut self.session, &account);
            let before = self.last.insert(account.clone(), now).unwrap_or(now);
            if now != before {
                let delta = now as i128 - before as i128;
                println!("    balance {name:<9} {now:>22}  ({delta:+})");
            }
        }
    }

    fn as_actor(&mut self, who: &AccountId32) {
        self.session.set_actor(who.clone());
    }

    fn subscription_ok<T: ink::scale::Decode + std::fmt::Debug>(
        &mut self,
        message: &str,
        args: &[String],
        value: u128,
    ) -> T {
        let reply: Result<T, dinfra::traits::SubscriptionError> =
            subscription_call(&mut self.session, &self.suite, message, args, value);
        reply.unwrap_or_else(|e| panic!("{message} was refused: {e:?}"))
    }
}

fn main() {
    let started = std::time::Instant::now();
    let mut session = Sandbox::default();
    let suite = deploy_suite(&mut session).expect("deploying the suite");
    let admin = session.get_actor();
    let provider = funded_account(&mut session, 11);
    let consumer = funded_account(&mut session, 12);
    let keeper = funded_account(&mut session, 13);
    let contracts = [
        ("registry", &suite.registry, BundleProvider::DinfraRegistry),
        ("award", &suite.award, BundleProvider::DinfraAward),
        (
            "subscription",
            &suite.subscription,
            BundleProvider::DinfraSubscription,
        ),
        ("escrow", &suite.escrow, BundleProvider::DinfraEscrow),
    ]
    .into_iter()
    .map(|(name, address, which)| {
        let bundle = which.bundle().expect("a contract bundle");
        (address.clone(), (name, bundle.transcoder))
    })
    .collect();
    println!(
        "DINFRA demo on an embedded chain (drink sandbox: the pallet-contracts runtime in process)"
    );
    println!("  registry     {}", suite.registry);
    println!("  award        {}", suite.award);
    println!("  subscription {}", suite.subscription);
    println!("  escrow       {}", suite.escrow);
    println!("  admin {admin}\n  provider {provider}\n  consumer {consumer}\n  keeper {keeper}");
    let watched = vec![
        ("provider", provider.clone()),
        ("consumer", consumer.clone()),
        ("keeper", keeper.clone()),
        ("escrow", suite.escrow.clone()),
    ];
    let mut demo = Demo {
        session,
        suite: suite.clone(),
        contracts,
        watched,
        last: HashMap::new(),
    };
    demo.balances();

    demo.as_actor(&provider);
    let type_id = register_type(&mut demo.session, &suite, "substrate-rpc");
    demo.step(&format!(
        "provider registers deployment type {type_id} \"substrate-rpc\""
    ));
    let registered: Result<(), dinfra::traits::RegistryError> = call_with_value(
        &mut demo.session,
        &suite.registry,
        "register_provider",
        &[
            "\"Hetzner EU\"".into(),
            "\"wss://rpc.hetzner-eu.example\"".into(),
            attributes_arg(&attributes(&[
                ("region", "eu-west"),
                ("network", "hetzner"),
            ])),
        ],
        MIN_BOND,
    );
    registered.expect("registering the provider");
    demo.step(&format!("provider registers with a bond of {MIN_BOND}"));
    let terms = OfferSpec {
        price_per_block: RATE,
        capacity: 4,
        min_duration: 50,
        notice_blocks: 20,
        dynamic: false,
    };
    let offer: Result<u64, dinfra::traits::RegistryError> = call(
        &mut demo.session,
        &suite.registry,
        "publish_offer",
        &[type_id.to_string(), terms.arg()],
    );
    let offer = offer.expect("publishing the offer");
    demo.step(&format!(
        "provider publishes offer {offer}: {RATE} per block, at least 50 blocks, 20 blocks' notice"
    ));

    advance_blocks(&mut demo.session, 3);
    demo.as_actor(&consumer);
    let requirements = dinfra::traits::Requirements {
        max_price_per_block: 2 * RATE,
        required_attributes: attributes(&[("region", "eu-west")]),
        excluded_attributes: attributes(&[("network", "aws")]),
        min_duration: 100,
        ..Default::default()
    };
    let id: u64 = demo.subscription_ok(
        "create",
        &[
            type_id.to_string(),
            descriptor_arg(0xab, "ipfs://bafy-substrate-rpc-node"),
            requirements_arg(&requirements),
        ],
        DEPOSIT,
    );
    demo.step(&format!(
        "consumer creates subscription {id} (region=eu-west, not network=aws, ≤ {} per block), depositing {DEPOSIT}",
        2 * RATE
    ));

    advance_blocks(&mut demo.session, 5);
    demo.as_actor(&provider);
    demo.subscription_ok::<()>("mark_ready", &[id.to_string()], 0);
    demo.step("provider's agent deployed it and marks it ready: billing starts");

    advance_blocks(&mut demo.session, 60);
    let figures = details(&mut demo.session, &suite, id).figures;
    println!(
        "\n[block {:>4}] 60 blocks later, details({id}): accrued {}, withdrawable {}, refundable {}, money runs out at block {:?}",
        block_number(&mut demo.session),
        figures.accrued,
        figures.withdrawable,
        figures.refundable,
        figures.depletion_block
    );
    demo.as_actor(&provider);
    let claimed: u128 = demo.subscription_ok("claim", &[id.to_string()], 0);
    demo.step(&format!("provider claims {claimed}"));

    demo.as_actor(&consumer);
    demo.subscription_ok::<()>("top_up", &[id.to_string()], TOP_UP);
    demo.step(&format!("consumer tops up {TOP_UP}"));
    let figures = details(&mut demo.session, &suite, id).figures;
    println!(
        "    the money now runs out at block {:?}",
        figures.depletion_block
    );

    advance_blocks(&mut demo.session, 40);
    demo.as_actor(&consumer);
    demo.subscription_ok::<()>("cancel", &[id.to_string()], 0);
    demo.step(&format!(
        "consumer cancels: billing ends after its notice of {CONSUMER_NOTICE} blocks"
    ));

    advance_blocks(&mut demo.session, CONSUMER_NOTICE);
    demo.as_actor(&keeper);
    demo.subscription_ok::<()>("settle", &[id.to_string()], 0);
    demo.step(
        "a keeper settles: the provider is paid to the end block, the consumer refunded the rest",
    );

    let d = details(&mut demo.session, &suite, id);
    println!(
        "\nsummary: subscription {id} {:?} ({:?}); deposited {}, paid to the provider {}, refunded to the consumer {}, left in escrow {}",
        d.subscription.phase,
        d.subscription.closed,
        d.figures.deposited,
        d.figures.withdrawn,
        d.figures.refunded,
        d.figures.held
    );
    assert_eq!(
        d.figures.deposited,
        d.figures.withdrawn + d.figures.refunded,
        "every unit deposited was paid out or refunded"
    );
    println!("demo finished in {:.1} s", started.elapsed().as_secs_f64());
}
