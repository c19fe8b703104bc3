//! The reactor ([`dinfra_reactor`]) on the embedded chain: a
//! [`dinfra_reactor::Chain`] over a drink session that the test or demo
//! shares with it.
//!
//! [`SharedSandbox`] owns the session (and the suite's addresses) behind an
//! `Rc<RefCell<…>>`; the test acts through it as consumer, keeper or admin
//! ([`SharedSandbox::session`]), and [`SharedSandbox::chain_for`] gives the
//! reactor a [`SandboxChain`] that signs as the provider. drink keeps each
//! call's runtime events in a batch of `session.record()`, and the runtime's
//! own event storage is reset with every new block, so the handle keeps an
//! event log: it *harvests* the record's new batches, tagging them with the
//! current block, whenever the reactor reads events and before any block is
//! built. **Blocks must be advanced only with [`SharedSandbox::advance`]**
//! (a harvest that finds new batches after the block number moved behind
//! its back panics rather than tagging them with the wrong block).

use crate::{advance_blocks, storage_charge, Sandbox, Suite};
use dinfra::traits::Details;
use dinfra::traits::SubscriptionError;
use dinfra_reactor::chain::{AccountId, Balance, BlockNumber, SubscriptionId};
pub use dinfra_reactor::process::{alive, kill_all_in, listening, processes_in};
use dinfra_reactor::{Chain, ChainError, ChainEvent, Descriptor, SubscriptionView, TypeView};
use dinfra_reactor_node::contract::{chain_event, subscription_view, variant_name};
use drink::sandbox_api::prelude::*;
use drink::AccountId32;
use ink::scale::Decode;
use std::cell::{RefCell, RefMut};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A contract event as the runtime emitted it, with the block it was
/// emitted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    pub block: BlockNumber,
    pub contract: AccountId32,
    /// The first topic: the event's signature topic (ink! 5).
    pub signature: Option<[u8; 32]>,
    pub data: Vec<u8>,
}

/// A message the reactor sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    MarkReady,
    Decline,
    Exit,
    Claim,
}

/// One message a [`SandboxChain`] sent, at which block, as whom, and what
/// came back (`Ok(amount)` for a claim, `Ok(0)` otherwise; `Err(variant)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub block: BlockNumber,
    pub provider: AccountId,
    pub message: Message,
    pub id: SubscriptionId,
    pub outcome: Result<Balance, String>,
    /// Storage deposit the provider paid for it (negative: refunded).
    pub storage_deposit: i128,
}

struct Inner {
    session: Sandbox,
    suite: Suite,
    /// Every contract event harvested so far.
    emitted: Vec<Emitted>,
    /// Record batches already harvested.
    harvested: usize,
    /// The block of the last harvest or advance.
    block: BlockNumber,
    sent: Vec<Sent>,
}

impl Inner {
    fn harvest(&mut self) {
        let now = self.session.sandbox().block_number();
        let batches = self.session.record().event_batches();
        if batches.len() == self.harvested {
            self.block = now;
            return;
        }
        assert_eq!(
            now, self.block,
            "the block number moved from {} to {now} with events not harvested: \
             advance blocks only with SharedSandbox::advance",
            self.block
        );
        for batch in &batches[self.harvested..] {
            for record in batch.all_events() {
                if let crate::sandbox::RuntimeEvent::Contracts(
                    drink::pallet_contracts::Event::ContractEmitted { contract, data },
                ) = &record.event
                {
                    let signature = record.topics.first().map(|topic| {
                        let bytes: &[u8] = topic.as_ref();
                        bytes.try_into().expect("a 32-byte topic")
                    });
                    self.emitted.push(Emitted {
                        block: now,
                        contract: contract.clone(),
                        signature,
                        data: data.clone(),
                    });
                }
            }
        }
        self.harvested = batches.len();
    }
}

/// The drink session shared by a test (or the demo) and the reactors it
/// runs; clones share it.
#[derive(Clone)]
pub struct SharedSandbox(Rc<RefCell<Inner>>);

impl SharedSandbox {
    /// Takes over `session`, where `suite` is deployed. Events already in
    /// its record are taken as emitted in the current block: build the
    /// handle before advancing any block past events the reactor must see.
    pub fn new(session: Sandbox, suite: Suite) -> Self {
        let mut inner = Inner {
            session,
            suite,
            emitted: Vec::new(),
            harvested: 0,
            block: 0,
            sent: Vec::new(),
        };
        inner.block = inner.session.sandbox().block_number();
        inner.harvest();
        Self(Rc::new(RefCell::new(inner)))
    }

    /// The session, to act on the chain as anyone (`set_actor`) and to
    /// query it. Drop the guard before stepping a reactor; never build
    /// blocks through it (use [`Self::advance`]).
    pub fn session(&self) -> RefMut<'_, Sandbox> {
        RefMut::map(self.0.borrow_mut(), |inner| &mut inner.session)
    }

    pub fn suite(&self) -> Suite {
        self.0.borrow().suite.clone()
    }

    pub fn block(&self) -> BlockNumber {
        self.session().sandbox().block_number()
    }

    /// Harvests the events of the calls made so far (in the current block),
    /// then builds `n` blocks; returns the new block number.
    pub fn advance(&self, n: BlockNumber) -> BlockNumber {
        let mut inner = self.0.borrow_mut();
        inner.harvest();
        let block = advance_blocks(&mut inner.session, n);
        inner.block = block;
        block
    }

    /// Takes the events of the calls made since the last harvest into the
    /// log, as emitted in the current block.
    pub fn harvest(&self) {
        self.0.borrow_mut().harvest();
    }

    /// Every contract event so far (harvesting first), in order.
    pub fn emitted(&self) -> Vec<Emitted> {
        let mut inner = self.0.borrow_mut();
        inner.harvest();
        inner.emitted.clone()
    }

    /// The events of type `E` that `contract` emitted so far, with their
    /// blocks, matched by `E`'s signature topic.
    pub fn events_of<E: ink::env::Event + Decode>(
        &self,
        contract: &AccountId32,
    ) -> Vec<(BlockNumber, E)> {
        let Some(signature) = E::SIGNATURE_TOPIC else {
            return Vec::new();
        };
        self.emitted()
            .into_iter()
            .filter(|e| &e.contract == contract && e.signature == Some(signature))
            .map(|e| {
                let event =
                    E::decode(&mut &e.data[..]).expect("an event with its signature decodes");
                (e.block, event)
            })
            .collect()
    }

    /// The subscription contract's events as the reactor reads them, with
    /// their blocks, in `from..=to`.
    pub fn chain_events(
        &self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Vec<(BlockNumber, ChainEvent)> {
        let subscription = self.suite().subscription;
        self.emitted()
            .into_iter()
            .filter(|e| e.contract == subscription && (from..=to).contains(&e.block))
            .filter_map(|e| {
                let event =
                    chain_event(e.signature, &e.data).expect("an event with its signature decodes");
                Some((e.block, event?))
            })
            .collect()
    }

    /// Every message the reactors sent through this session.
    pub fn sent(&self) -> Vec<Sent> {
        self.0.borrow().sent.clone()
    }

    /// The messages of one kind sent for subscription `id`.
    pub fn sent_for(&self, id: SubscriptionId, message: Message) -> Vec<Sent> {
        self.sent()
            .into_iter()
            .filter(|s| s.id == id && s.message == message)
            .collect()
    }

    /// A [`Chain`] for a reactor that signs as `provider`.
    pub fn chain_for(&self, provider: &AccountId32) -> SandboxChain {
        SandboxChain {
            shared: self.clone(),
            provider: provider.clone(),
        }
    }
}

/// A query (a dry run: nothing is written, nothing recorded) as the
/// session's actor.
fn query<V: Decode>(
    session: &mut Sandbox,
    contract: &AccountId32,
    message: &str,
    args: &[String],
) -> Result<V, ChainError> {
    let transport = |why: String| ChainError::Transport(format!("{message}: {why}"));
    let result = session
        .dry_run_call(contract.clone(), message, args, None)
        .map_err(|e| transport(format!("{e:?}")))?;
    let returned = result.result.map_err(|e| transport(format!("{e:?}")))?;
    if returned.did_revert() {
        return Err(transport("the query reverted".into()));
    }
    let reply: ink::MessageResult<V> =
        Decode::decode(&mut &returned.data[..]).map_err(|e| transport(format!("decoding: {e}")))?;
    reply.map_err(|e| transport(format!("{e:?}")))
}

/// The reactor's view of the embedded chain, signing as one provider.
#[derive(Clone)]
pub struct SandboxChain {
    shared: SharedSandbox,
    provider: AccountId32,
}

impl SandboxChain {
    pub fn shared(&self) -> &SharedSandbox {
        &self.shared
    }

    /// Sends a subscription message as the provider (restoring the
    /// session's actor after) and records it.
    fn send<T: Decode + Debug>(
        &mut self,
        message: Message,
        name: &str,
        id: SubscriptionId,
        more_args: &[String],
        amount: impl Fn(&T) -> Balance,
    ) -> Result<T, ChainError> {
        let mut inner = self.shared.0.borrow_mut();
        let subscription = inner.suite.subscription.clone();
        let block = inner.session.sandbox().block_number();
        let actor = inner.session.set_actor(self.provider.clone());
        let result = inner
            .session
            .call_with_address::<_, Result<T, SubscriptionError>>(
                subscription,
                name,
                &[&[id.to_string()], more_args].concat(),
                None,
            );
        inner.session.set_actor(actor);
        let reply = match result {
            Ok(Ok(reply)) => reply,
            Ok(Err(lang)) => return Err(ChainError::Transport(format!("{name}: {lang:?}"))),
            Err(error) => match error.decode_revert::<Result<T, SubscriptionError>>() {
                Ok(Ok(reply)) => reply,
                Ok(Err(lang)) => return Err(ChainError::Transport(format!("{name}: {lang:?}"))),
                Err(error) => return Err(ChainError::Transport(format!("{name}: {error:?}"))),
            },
        };
        let reply = reply.map_err(|e| ChainError::Contract(variant_name(&e)));
        let storage_deposit = if reply.is_ok() {
            storage_charge(&inner.session)
        } else {
            0
        };
        inner.sent.push(Sent {
            block,
            provider: *self.provider.as_ref(),
            message,
            id,
            outcome: match &reply {
                Ok(value) => Ok(amount(value)),
                Err(ChainError::Contract(name) | ChainError::Transport(name)) => Err(name.clone()),
            },
            storage_deposit,
        });
        reply
    }
}

impl Chain for SandboxChain {
    fn provider(&self) -> AccountId {
        *self.provider.as_ref()
    }

    fn block_number(&mut self) -> Result<BlockNumber, ChainError> {
        Ok(self.shared.block())
    }

    fn events(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<(BlockNumber, ChainEvent)>, ChainError> {
        Ok(self.shared.chain_events(from, to))
    }

    fn subscription(&mut self, id: SubscriptionId) -> Result<Option<SubscriptionView>, ChainError> {
        let subscription = self.shared.suite().subscription;
        let details: Option<Details> = query(
            &mut self.shared.session(),
            &subscription,
            "Subscription::details",
            &[id.to_string()],
        )?;
        Ok(details.map(|d| subscription_view(id, d)))
    }

    fn deployment_type(&mut self, type_id: u32) -> Result<Option<TypeView>, ChainError> {
        let registry = self.shared.suite().registry;
        let found: Option<dinfra_registry::types::DeploymentType> = query(
            &mut self.shared.session(),
            &registry,
            "deployment_type",
            &[type_id.to_string()],
        )?;
        Ok(found.map(|t| TypeView {
            name: t.name,
            schema_hash: t.schema_hash,
        }))
    }

    fn mark_ready(&mut self, id: SubscriptionId, access: &[String]) -> Result<(), ChainError> {
        let access = crate::access_arg(access);
        self.send::<()>(Message::MarkReady, "mark_ready", id, &[access], |_| 0)
    }

    fn decline(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        self.send::<()>(Message::Decline, "decline", id, &[], |_| 0)
    }

    fn exit(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        self.send::<()>(Message::Exit, "exit", id, &[], |_| 0)
    }

    fn claim(&mut self, id: SubscriptionId) -> Result<Balance, ChainError> {
        self.send::<Balance>(Message::Claim, "claim", id, &[], |amount| *amount)
    }
}

// ---- descriptors, processes, a reactor's directory ------------------------

/// Writes `body` to `path` and returns the descriptor the chain is to
/// record for it: its blake2-256 and a `file://` URI.
pub fn write_descriptor(path: &Path, body: &str) -> Descriptor {
    std::fs::write(path, body).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    Descriptor {
        hash: dinfra_reactor::fetch::blake2_256(body.as_bytes()),
        uri: format!("file://{}", path.display()),
    }
}

/// The catalogue of deployment types (`types/`).
pub fn catalogue() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../types")
}

/// The catalogue's schema of deployment type `name`
/// (`types/<name>/schema.json`).
pub fn catalogue_schema(name: &str) -> PathBuf {
    catalogue().join(name).join("schema.json")
}

/// blake2-256 of a schema file: the `schema_hash` its type registers.
pub fn schema_hash_of(path: &Path) -> [u8; 32] {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    dinfra_reactor::fetch::blake2_256(&bytes)
}

/// A descriptor as contract-transcode reads it.
pub fn descriptor_arg_of(descriptor: &Descriptor) -> String {
    format!(
        "Descriptor {{ hash: {}, uri: {:?} }}",
        crate::hex32(descriptor.hash),
        descriptor.uri
    )
}

/// The real python3 interpreter (see `process::python3_executable`).
pub fn python() -> String {
    dinfra_reactor::process::python3_executable().expect("python3 runs")
}

/// A directory of its own for a reactor (state, logs, work directories,
/// descriptors): created empty, and when dropped — however the test or demo
/// ends, a panic included — every process running in it is killed and it is
/// removed.
pub struct ReactorDir(pub PathBuf);

impl ReactorDir {
    pub fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("creating the reactor's directory");
        Self(root)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A reactor config rooted here (`Config::rooted`: `state.json`,
    /// `logs/`, `work/`), claiming every 1000 blocks, polling every 50 ms.
    pub fn config(
        &self,
        ports: (u16, u16),
        types: &[(&str, dinfra_reactor::config::TypeConfig)],
    ) -> dinfra_reactor::Config {
        let ports = dinfra_reactor::config::PortRange {
            first: ports.0,
            last: ports.1,
        };
        let mut config = dinfra_reactor::Config::rooted(&self.0, ports, 1000, types);
        config.poll_interval_ms = 50;
        // Consumer and provider share this machine: descriptors are files.
        config
            .fetch
            .schemes
            .push(dinfra_reactor::fetch::Scheme::File);
        config
    }
}

impl Drop for ReactorDir {
    fn drop(&mut self) {
        kill_all_in(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
