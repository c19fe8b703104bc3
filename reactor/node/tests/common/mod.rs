//! What the node tests share: the node and the deployed suite they read
//! from the environment, fresh accounts, a market of one provider for a
//! deployment type of the run's own, and the `dinfra-reactor` process.
//!
//! - `CONTRACTS_NODE_URL`: the node (`deploy/node.sh start`), and
//! - `DINFRA_DEPLOYMENT`: a deployments file for a suite on it
//!   (`deploy/deploy.sh --name test`), deployed by `//Alice`.

// Each test binary uses a part of this module.
#![allow(dead_code)]

pub mod http;

use dinfra::traits::{
    Descriptor, Details, Pricing, RegistryError, Requirements, Subscription as _, SubscriptionError,
};
use dinfra_escrow::escrow::Withdrawn;
use dinfra_reactor::chain::{AccountId, Balance, BlockNumber, SubscriptionId};
use dinfra_reactor::fetch::blake2_256;
use dinfra_reactor::process::kill_all_in;
use dinfra_reactor_node::client::{account_of, decoded, input};
use dinfra_reactor_node::node::{registry_ref, subscription_ref};
use dinfra_reactor_node::{keypair, Deployment, Node};
use dinfra_registry::types::OfferTerms;
use ink::codegen::TraitCallBuilder;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use subxt_signer::sr25519::Keypair;

pub const RATE: Balance = 1_000_000;
pub const MIN_DURATION: BlockNumber = 12;
pub const NOTICE: BlockNumber = 4;
/// Enough for the provider's bond and every transaction's fee and storage
/// deposit on the dev chain.
pub const FUNDS: Balance = 1_000_000_000_000_000;

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: this test runs against a node (see the file's header)")
    })
}

/// Polls `done` every 200 ms for up to `secs` seconds.
pub fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out after {secs} s waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A number no other run of the tests on this chain has used.
pub fn unique() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos()
}

/// The reactor's directory: everything running in it is killed and it is
/// removed when the test ends, however it ends.
pub struct Dir(pub PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        kill_all_in(&self.0);
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A running `dinfra-reactor`; SIGKILLed if the test ends with it running.
pub struct ReactorProcess(Child);

impl ReactorProcess {
    pub fn start(config: &Path, log: &Path) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("opening the reactor's log");
        let child = Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
            .arg("--config")
            .arg(config)
            .stdout(log.try_clone().expect("a second handle"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("starting dinfra-reactor");
        Self(child)
    }

    pub fn sigkill(mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaping the reactor");
    }

    /// SIGTERM: it finishes its step and exits 0.
    pub fn terminate(mut self) {
        let pid = libc::pid_t::try_from(self.0.id()).expect("a pid");
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let status = self.0.wait().expect("waiting for the reactor");
        assert!(
            status.success(),
            "the reactor exited with {status} on SIGTERM"
        );
    }
}

impl Drop for ReactorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items
}

pub struct World {
    pub node: Node,
    pub deployment: Deployment,
    pub alice: Keypair,
}

impl World {
    /// The node and suite named by the environment.
    pub fn from_env() -> Self {
        let url = env("CONTRACTS_NODE_URL");
        let deployment = Deployment::load(Path::new(&env("DINFRA_DEPLOYMENT")))
            .expect("reading DINFRA_DEPLOYMENT");
        Self {
            node: Node::connect(&url).expect("connecting to the node"),
            deployment,
            alice: keypair("//Alice").expect("Alice"),
        }
    }

    pub fn details(&mut self, id: SubscriptionId) -> Details {
        let address = self.deployment.subscription.address;
        let data = input(subscription_ref(address).call_mut().details(id));
        let found: Option<Details> = self
            .node
            .query(account_of(&self.alice), address, data)
            .expect("querying details");
        found.expect("the subscription exists")
    }

    /// One more block (instant seal: one per transaction).
    pub fn block(&mut self) -> BlockNumber {
        self.node.remark(&self.alice).expect("a remark");
        self.now()
    }

    pub fn now(&mut self) -> BlockNumber {
        self.node.block_number().expect("the block number")
    }

    /// Makes blocks until the chain is at `block`.
    pub fn advance_to(&mut self, block: BlockNumber) {
        while self.now() < block {
            self.block();
        }
    }

    pub fn nonce(&mut self, account: AccountId) -> u64 {
        self.node.nonce(account).expect("reading a nonce")
    }

    /// The subscription contract's events of type `E` in `from..=to`.
    pub fn events<E: ink::env::Event + scale::Decode>(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Vec<(BlockNumber, E)> {
        let address = self.deployment.subscription.address;
        self.events_of(address, from, to)
    }

    /// Events `E` that `contract` emitted in blocks `from..=to`.
    pub fn events_of<E: ink::env::Event + scale::Decode>(
        &mut self,
        contract: AccountId,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Vec<(BlockNumber, E)> {
        let mut out = Vec::new();
        for number in from..=to {
            let events = self
                .node
                .events_at(number)
                .expect("a block's events")
                .unwrap_or_else(|| panic!("block {number}'s state is pruned already"));
            for event in decoded::<E>(&events, contract).expect("decoding events") {
                out.push((number, event));
            }
        }
        out
    }

    /// The provider's claims in blocks `from..=to`, as the reactor makes
    /// them — straight at the escrow (`Escrow::withdraw_many`): per
    /// `Withdrawn` event, its block and what each of `ids` was paid in it
    /// (`None` for one it did not pay).
    pub fn claims(
        &mut self,
        ids: &[SubscriptionId],
        from: BlockNumber,
        to: BlockNumber,
    ) -> Vec<(BlockNumber, Vec<Option<Balance>>)> {
        let address = self.deployment.subscription.address;
        let data = input(subscription_ref(address).call_mut().escrow());
        let escrow: ink::primitives::AccountId = self
            .node
            .query(account_of(&self.alice), address, data)
            .expect("asking the subscription contract for its escrow");
        let streams: Vec<u64> = ids
            .iter()
            .map(|id| self.details(*id).subscription.stream_id)
            .collect();
        self.events_of::<Withdrawn>(*escrow.as_ref(), from, to)
            .into_iter()
            .map(|(block, withdrawn)| {
                let paid = streams
                    .iter()
                    .map(|stream| {
                        withdrawn
                            .streams
                            .iter()
                            .find(|(paid, _)| paid == stream)
                            .map(|(_, amount)| *amount)
                    })
                    .collect();
                (block, paid)
            })
            .collect()
    }

    pub fn registry_call<T: scale::Decode>(
        &mut self,
        signer: &Keypair,
        value: Balance,
        data: Vec<u8>,
    ) -> T {
        let registry = self.deployment.registry.address;
        match self
            .node
            .call::<T, RegistryError>(signer, registry, value, data)
        {
            Ok((returned, _)) => returned,
            Err(e) => panic!("registry call failed: {e:?}"),
        }
    }

    /// `consumer` subscribes to `type_id` with `deposit`; the award can
    /// only go to the run's own provider.
    pub fn subscribe(
        &mut self,
        consumer: &Keypair,
        type_id: u32,
        descriptor: &Descriptor,
        deposit: Balance,
    ) -> SubscriptionId {
        let subscription = self.deployment.subscription.address;
        let created = self.node.call::<SubscriptionId, SubscriptionError>(
            consumer,
            subscription,
            deposit,
            input(subscription_ref(subscription).call_mut().create(
                type_id,
                descriptor.clone(),
                Requirements {
                    max_price_per_block: RATE,
                    min_duration: MIN_DURATION,
                    ..Default::default()
                },
                None,
            )),
        );
        match created {
            Ok((id, _)) => id,
            Err(e) => panic!("subscribing failed: {e:?}"),
        }
    }

    /// `consumer` cancels `id`; returns its end block.
    pub fn cancel(&mut self, consumer: &Keypair, id: SubscriptionId) -> BlockNumber {
        let subscription = self.deployment.subscription.address;
        let cancelled = self.node.call::<(), SubscriptionError>(
            consumer,
            subscription,
            0,
            input(subscription_ref(subscription).call_mut().cancel(id)),
        );
        if let Err(e) = cancelled {
            panic!("cancelling failed: {e:?}");
        }
        self.details(id).subscription.end.expect("an end block").0
    }
}

/// A market of the run's own: fresh, funded provider and consumer keys, a
/// deployment type no other run offers (named `{name}-{unique}`, the
/// catalogue's `schema` type's hash), and the provider's one offer of it.
pub struct Market {
    pub unique: u128,
    pub provider_uri: String,
    pub provider: Keypair,
    pub consumer: Keypair,
    pub type_name: String,
    pub type_id: u32,
    pub schema_path: PathBuf,
}

impl Market {
    pub fn open(world: &mut World, name: &str, schema: &str, capacity: u32) -> Self {
        let parameters: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(env("DINFRA_DEPLOYMENT")).expect("reading DINFRA_DEPLOYMENT"),
        )
        .expect("a JSON file");
        let min_bond = parameters["parameters"]["min_bond"]
            .as_u64()
            .expect("parameters.min_bond");
        let unique = unique();
        let provider_uri = format!("//Alice//{name}-provider-{unique}");
        let provider = keypair(&provider_uri).expect("a provider key");
        let consumer = keypair(&format!("//Alice//{name}-consumer-{unique}")).expect("a key");
        for account in [&provider, &consumer] {
            let alice = world.alice.clone();
            world
                .node
                .transfer(&alice, account_of(account), FUNDS)
                .expect("funding an account");
        }

        let type_name = format!("{name}-{unique}");
        let schema_path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../types/{schema}/schema.json"));
        let schema_hash = blake2_256(&std::fs::read(&schema_path).expect("the catalogue's schema"));
        let registry = world.deployment.registry.address;
        let alice = world.alice.clone();
        let type_id: u32 = world.registry_call(
            &alice,
            0,
            input(
                registry_ref(registry)
                    .call_mut()
                    .register_type(type_name.clone(), schema_hash),
            ),
        );
        let () = world.registry_call(
            &provider,
            min_bond.into(),
            input(registry_ref(registry).call_mut().register_provider(
                format!("{name} test"),
                "https://provider.example".into(),
                Vec::new(),
            )),
        );
        let _offer_id: u64 = world.registry_call(
            &provider,
            0,
            input(registry_ref(registry).call_mut().publish_offer(
                type_id,
                OfferTerms {
                    price_per_block: RATE,
                    capacity,
                    min_duration: MIN_DURATION,
                    notice_blocks: NOTICE,
                    pricing: Pricing::Fixed,
                    cancel_fee: 0,
                },
            )),
        );
        Self {
            unique,
            provider_uri,
            provider,
            consumer,
            type_name,
            type_id,
            schema_path,
        }
    }

    /// The provider's reactor directory, with its key file.
    pub fn reactor_dir(&self, name: &str) -> Dir {
        let dir = Dir(std::env::temp_dir().join(format!("dinfra-{name}-{}", self.unique)));
        std::fs::create_dir_all(&dir.0).expect("creating the test's directory");
        std::fs::write(
            dir.0.join("provider.key"),
            format!("{}\n", self.provider_uri),
        )
        .expect("writing the key file");
        dir
    }

    /// The provider's registered state (its reputation counters).
    pub fn provider_record(&self, world: &mut World) -> dinfra_registry::types::Provider {
        let registry = world.deployment.registry.address;
        let found: Option<dinfra_registry::types::Provider> = world
            .node
            .query(
                account_of(&world.alice),
                registry,
                input(
                    registry_ref(registry)
                        .call_mut()
                        .provider(account_of(&self.provider).into()),
                ),
            )
            .expect("querying the provider");
        found.expect("the provider is registered")
    }
}

/// A descriptor file in `dir` and its on-chain reference.
pub fn write_descriptor(dir: &Path, name: &str, body: &str) -> Descriptor {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("writing the descriptor");
    Descriptor {
        hash: blake2_256(body.as_bytes()),
        uri: format!("file://{}", path.display()),
    }
}
