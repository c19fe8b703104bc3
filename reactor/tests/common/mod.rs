//! Test support: a scripted chain (blocks you advance, events you push, the
//! calls the reactor made with their blocks), a per-test directory whose
//! processes are all killed when the test ends (even by a panic), and
//! /proc helpers.

#![allow(dead_code)]

use dinfra_reactor::chain::{AccountId, Balance, BlockNumber, Hash, SubscriptionId, TypeView};
use dinfra_reactor::config::{Config, DriverKind, HealthKind, PortRange, TypeConfig};
use dinfra_reactor::fetch::{blake2_256, Scheme};
#[allow(unused_imports)] // each test binary uses some
pub use dinfra_reactor::process::{alive, groups_in, listening, processes_in};
use dinfra_reactor::process::{kill_all_in, python3_executable, ProcessDriver};
use dinfra_reactor::{
    Chain, ChainError, ChainEvent, CloseReason, Descriptor, Driver, Drivers, Reactor,
    SubscriptionView,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub const ME: AccountId = [1; 32];
pub const OTHER: AccountId = [2; 32];
/// The consumer of every subscription the scripted chain awards.
pub const CONSUMER: AccountId = [3; 32];
pub const RATE: Balance = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    MarkReady(SubscriptionId, BlockNumber),
    Decline(SubscriptionId, BlockNumber),
    Exit(SubscriptionId, BlockNumber),
    /// With what it returned (an amount or the error's name).
    Claim(SubscriptionId, BlockNumber, Result<Balance, String>),
}

#[derive(Debug, Default)]
pub struct Ledger {
    pub block: BlockNumber,
    pub events: Vec<(BlockNumber, ChainEvent)>,
    pub views: BTreeMap<SubscriptionId, SubscriptionView>,
    /// Paid up to this block, per subscription.
    pub paid_to: BTreeMap<SubscriptionId, BlockNumber>,
    pub types: BTreeMap<u32, TypeView>,
    pub calls: Vec<Call>,
    /// The access record each `mark_ready` published.
    pub access: BTreeMap<SubscriptionId, Vec<String>>,
    /// The ids of each `claim_many` call, in order.
    pub batches: Vec<Vec<SubscriptionId>>,
    /// Blocks of notice for a consumer cancel and for a provider exit.
    pub consumer_notice: BlockNumber,
    pub exit_notice: BlockNumber,
    /// Who a decline hands the award to (`None`: nobody is left, it closes
    /// `Declined`).
    pub hand_on_to: Option<AccountId>,
    /// Blocks a provider that is handed an award has to be ready.
    pub ready_timeout: BlockNumber,
    /// The contract refuses every decline with this error (as it does when
    /// it cannot hand the award on).
    pub refuse_declines: Option<String>,
}

/// A chain the test scripts; clones share it (the reactor owns one).
#[derive(Clone, Default)]
pub struct FakeChain(pub Rc<RefCell<Ledger>>);

impl FakeChain {
    pub fn new() -> Self {
        let chain = Self::default();
        {
            let mut ledger = chain.0.borrow_mut();
            ledger.block = 1;
            ledger.consumer_notice = 5;
            ledger.exit_notice = 3;
            ledger.ready_timeout = 20;
        }
        chain
    }

    pub fn block(&self) -> BlockNumber {
        self.0.borrow().block
    }

    pub fn advance(&self, blocks: BlockNumber) {
        self.0.borrow_mut().block += blocks;
    }

    pub fn set_type(&self, type_id: u32, name: &str, schema_hash: Hash) {
        let view = TypeView {
            name: name.into(),
            schema_hash,
        };
        self.0.borrow_mut().types.insert(type_id, view);
    }

    fn emit(&self, event: ChainEvent) {
        let mut ledger = self.0.borrow_mut();
        let block = ledger.block;
        ledger.events.push((block, event));
    }

    /// Awards `id` to `provider` now, ready due `timeout` blocks later.
    pub fn award(
        &self,
        id: SubscriptionId,
        provider: AccountId,
        type_id: u32,
        descriptor: Descriptor,
        timeout: BlockNumber,
    ) {
        let ready_deadline = self.block() + timeout;
        self.0.borrow_mut().views.insert(
            id,
            SubscriptionView {
                id,
                consumer: CONSUMER,
                provider,
                type_id,
                descriptor: descriptor.clone(),
                ready_deadline,
                ready_at: None,
                end: None,
                closed: false,
                withdrawable: 0,
            },
        );
        self.emit(ChainEvent::Awarded {
            id,
            provider,
            type_id,
            descriptor,
            ready_deadline,
        });
    }

    /// The consumer cancels: closed at once before ready, else ends after
    /// the consumer notice.
    pub fn cancel(&self, id: SubscriptionId) -> Option<BlockNumber> {
        let (ready, notice) = {
            let ledger = self.0.borrow();
            (ledger.views[&id].ready_at, ledger.consumer_notice)
        };
        if ready.is_none() {
            self.close(id, CloseReason::ConsumerCancelled);
            return None;
        }
        let end = self.block() + notice;
        self.0.borrow_mut().views.get_mut(&id).unwrap().end = Some(end);
        self.emit(ChainEvent::EndScheduled {
            id,
            end,
            reason: CloseReason::ConsumerCancelled,
        });
        Some(end)
    }

    pub fn close(&self, id: SubscriptionId, reason: CloseReason) {
        self.0.borrow_mut().views.get_mut(&id).unwrap().closed = true;
        self.emit(ChainEvent::Closed { id, reason });
    }

    pub fn revoke(&self, id: SubscriptionId) {
        let provider = self.0.borrow().views[&id].provider;
        self.0.borrow_mut().views.get_mut(&id).unwrap().provider = OTHER;
        self.emit(ChainEvent::AwardRevoked { id, provider });
    }

    /// `provider` (another reactor with the same key, or someone by hand)
    /// declined the award, and nobody took it: as the contract's `decline`
    /// does for the reactor's own.
    pub fn declined_elsewhere(&self, id: SubscriptionId) {
        let provider = self.view(id).provider;
        self.emit(ChainEvent::AwardDeclined { id, provider });
        self.close(id, CloseReason::Declined);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.0.borrow().calls.clone()
    }

    pub fn mark_ready_calls(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c, Call::MarkReady(..)))
            .collect()
    }

    pub fn decline_calls(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c, Call::Decline(..)))
            .collect()
    }

    pub fn exit_calls(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c, Call::Exit(..)))
            .collect()
    }

    pub fn batches(&self) -> Vec<Vec<SubscriptionId>> {
        self.0.borrow().batches.clone()
    }

    pub fn claim_blocks(&self, id: SubscriptionId) -> Vec<BlockNumber> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                Call::Claim(i, block, _) if i == id => Some(block),
                _ => None,
            })
            .collect()
    }

    pub fn view(&self, id: SubscriptionId) -> SubscriptionView {
        self.0.borrow().views[&id].clone()
    }
}

fn contract(name: &str) -> ChainError {
    ChainError::Contract(name.into())
}

impl Chain for FakeChain {
    fn provider(&self) -> AccountId {
        ME
    }

    fn block_number(&mut self) -> Result<BlockNumber, ChainError> {
        Ok(self.block())
    }

    fn events(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<(BlockNumber, ChainEvent)>, ChainError> {
        assert!(
            from <= to && to <= self.block(),
            "events({from}, {to}) at block {}",
            self.block()
        );
        Ok(self
            .0
            .borrow()
            .events
            .iter()
            .filter(|(block, _)| (from..=to).contains(block))
            .cloned()
            .collect())
    }

    fn subscription(&mut self, id: SubscriptionId) -> Result<Option<SubscriptionView>, ChainError> {
        Ok(self.0.borrow().views.get(&id).cloned())
    }

    fn deployment_type(&mut self, type_id: u32) -> Result<Option<TypeView>, ChainError> {
        Ok(self.0.borrow().types.get(&type_id).cloned())
    }

    fn mark_ready(&mut self, id: SubscriptionId, access: &[String]) -> Result<(), ChainError> {
        let block = self.block();
        self.0.borrow_mut().calls.push(Call::MarkReady(id, block));
        self.0.borrow_mut().access.insert(id, access.to_vec());
        {
            let mut ledger = self.0.borrow_mut();
            let view = ledger
                .views
                .get_mut(&id)
                .ok_or_else(|| contract("NotFound"))?;
            if view.provider != ME {
                return Err(contract("Unauthorized"));
            }
            if view.ready_at.is_some() || view.closed {
                return Err(contract("WrongState"));
            }
            if block > view.ready_deadline {
                return Err(contract("ReadyTimeoutPassed"));
            }
            view.ready_at = Some(block);
            ledger.paid_to.insert(id, block);
        }
        self.emit(ChainEvent::DeploymentReady {
            id,
            provider: ME,
            at: block,
        });
        Ok(())
    }

    /// As the contract: only the provider, before ready, by the deadline;
    /// `AwardDeclined`, then `Awarded` to `hand_on_to` or `Closed`
    /// (`Declined`).
    fn decline(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        let block = self.block();
        self.0.borrow_mut().calls.push(Call::Decline(id, block));
        let (refusal, next, timeout) = {
            let ledger = self.0.borrow();
            (
                ledger.refuse_declines.clone(),
                ledger.hand_on_to,
                ledger.ready_timeout,
            )
        };
        if let Some(error) = refusal {
            return Err(contract(&error));
        }
        let Some(view) = self.0.borrow().views.get(&id).cloned() else {
            return Err(contract("NotFound"));
        };
        if view.provider != ME {
            return Err(contract("Unauthorized"));
        }
        if view.ready_at.is_some() || view.closed {
            return Err(contract("WrongState"));
        }
        if block > view.ready_deadline {
            return Err(contract("ReadyTimeoutPassed"));
        }
        self.emit(ChainEvent::AwardDeclined { id, provider: ME });
        match next {
            Some(provider) => {
                let ready_deadline = block + timeout;
                {
                    let mut ledger = self.0.borrow_mut();
                    let view = ledger.views.get_mut(&id).unwrap();
                    view.provider = provider;
                    view.ready_deadline = ready_deadline;
                }
                self.emit(ChainEvent::Awarded {
                    id,
                    provider,
                    type_id: view.type_id,
                    descriptor: view.descriptor,
                    ready_deadline,
                });
            }
            None => self.close(id, CloseReason::Declined),
        }
        Ok(())
    }

    fn exit(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        let block = self.block();
        self.0.borrow_mut().calls.push(Call::Exit(id, block));
        let view = self.view(id);
        if view.provider != ME {
            return Err(contract("Unauthorized"));
        }
        if view.closed || view.end.is_some() {
            return Err(contract("WrongState"));
        }
        if view.ready_at.is_none() {
            self.close(id, CloseReason::ProviderExited);
            return Ok(());
        }
        let end = block + self.0.borrow().exit_notice;
        self.0.borrow_mut().views.get_mut(&id).unwrap().end = Some(end);
        self.emit(ChainEvent::EndScheduled {
            id,
            end,
            reason: CloseReason::ProviderExited,
        });
        Ok(())
    }

    fn claim(&mut self, id: SubscriptionId) -> Result<Balance, ChainError> {
        let block = self.block();
        let result = {
            let mut ledger = self.0.borrow_mut();
            let view = ledger.views[&id].clone();
            if view.provider != ME {
                Err(contract("Unauthorized"))
            } else if view.ready_at.is_none() || view.closed {
                Err(contract("WrongState"))
            } else {
                let upto = view.end.map_or(block, |end| end.min(block));
                let from = ledger.paid_to[&id];
                if upto <= from {
                    Err(contract("NothingToClaim"))
                } else {
                    ledger.paid_to.insert(id, upto);
                    Ok(RATE * Balance::from(upto - from))
                }
            }
        };
        let recorded = result.clone().map_err(|e| match e {
            ChainError::Contract(name) | ChainError::Transport(name) => name,
        });
        self.0
            .borrow_mut()
            .calls
            .push(Call::Claim(id, block, recorded));
        result
    }

    /// Records the batch, then claims each (as the contract's `claim_many`
    /// does, with per-id outcomes).
    fn claim_many(
        &mut self,
        ids: &[SubscriptionId],
    ) -> Vec<(SubscriptionId, Result<Balance, ChainError>)> {
        self.0.borrow_mut().batches.push(ids.to_vec());
        ids.iter().map(|id| (*id, self.claim(*id))).collect()
    }
}

// ---- processes ---------------------------------------------------------

/// Kills every process that runs in the test's directory and removes it,
/// whatever way the test ends.
pub struct Guard(pub PathBuf);

impl Drop for Guard {
    fn drop(&mut self) {
        kill_all_in(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---- a test's set-up -----------------------------------------------------

/// The real python3 interpreter (see `process::python3_executable`).
pub fn python() -> String {
    python3_executable().expect("python3 runs")
}

/// The catalogue's schema of `name` (`types/<name>/schema.json`).
pub fn catalogue_schema(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../types")
        .join(name)
        .join("schema.json")
}

/// A `container` descriptor (the catalogue's type) the test's process
/// commands stand in for.
pub const DOC: &str = r#"{"image":"localhost/dinfra-busybox:latest","ports":[{"name":"http","port":8080}],"resources":{"cpu":0.1,"memory_mib":16}}"#;

/// `container` descriptors run by python's HTTP server on `{port}`.
pub fn http_server_type() -> TypeConfig {
    TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Process,
        command: format!("exec {} -m http.server {{port}} --bind 127.0.0.1", python()),
        health: HealthKind::Tcp,
        health_timeout_secs: 20,
        max_restarts: 2,
        access: Vec::new(),
    }
}

pub struct Harness {
    pub root: PathBuf,
    pub chain: FakeChain,
    pub config: Config,
    _guard: Guard,
}

pub type TestReactor = Reactor<FakeChain, ProcessDriver>;
/// A reactor with both drivers (containers through podman).
pub type ContainerReactor = Reactor<FakeChain, Drivers>;

impl Harness {
    /// A directory of its own, ports `first..first+9` (keep them below
    /// Linux's ephemeral range, 32768–60999, where an outgoing connection may
    /// hold one for a moment), and these types (registered on the chain as
    /// ids 1, 2, … in the order given).
    pub fn new(name: &str, first_port: u16, types: &[(&str, TypeConfig)]) -> Self {
        let root =
            std::env::temp_dir().join(format!("dinfra-reactor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let chain = FakeChain::new();
        for (index, (type_name, kind)) in types.iter().enumerate() {
            let schema = std::fs::read(&kind.schema).unwrap();
            chain.set_type(index as u32 + 1, type_name, blake2_256(&schema));
        }
        let ports = PortRange {
            first: first_port,
            last: first_port + 9,
        };
        let mut config = Config::rooted(&root, ports, 1000, types);
        config.poll_interval_ms = 50;
        // Probe a running deployment at most every 0.5 s (the tests step
        // every 50 ms).
        config.health_interval_ms = 500;
        // The tests' descriptors are local files (a provider's own).
        config.fetch.schemes.push(Scheme::File);
        Self {
            _guard: Guard(root.clone()),
            root,
            chain,
            config,
        }
    }

    /// A reactor from the state file as it is now (a fresh start or a
    /// restart).
    pub fn reactor(&self) -> TestReactor {
        Reactor::new(
            self.config.clone(),
            self.chain.clone(),
            ProcessDriver::new(Duration::from_secs(3)),
        )
        .unwrap()
    }

    /// Writes a descriptor document and returns it as the chain records it.
    pub fn descriptor(&self, name: &str, body: &str) -> Descriptor {
        let path = self.root.join(name);
        std::fs::write(&path, body).unwrap();
        Descriptor {
            hash: blake2_256(body.as_bytes()),
            uri: format!("file://{}", path.display()),
        }
    }

    pub fn work_dir(&self, id: SubscriptionId) -> PathBuf {
        self.config.work_dir.join(id.to_string())
    }
}

/// Steps until `done` holds (50 ms apart), returning every log line; panics
/// with the log after `timeout`.
pub fn step_until<D: Driver>(
    reactor: &mut Reactor<FakeChain, D>,
    timeout: Duration,
    mut done: impl FnMut(&Reactor<FakeChain, D>) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    let mut log = Vec::new();
    loop {
        log.extend(reactor.step().expect("step").log);
        if done(reactor) {
            return log;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out; log:\n{}",
            log.join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One step; its log lines.
pub fn step<D: Driver>(reactor: &mut Reactor<FakeChain, D>) -> Vec<String> {
    reactor.step().expect("step").log
}

pub fn phase<D: Driver>(
    reactor: &Reactor<FakeChain, D>,
    id: SubscriptionId,
) -> dinfra_reactor::Phase {
    reactor.state().subscriptions[&id].phase.clone()
}

/// A process deployment's group leader.
pub fn pid(handle: &dinfra_reactor::Handle) -> u32 {
    handle.pid().expect("a process")
}

pub fn handle<D: Driver>(
    reactor: &Reactor<FakeChain, D>,
    id: SubscriptionId,
) -> dinfra_reactor::Handle {
    reactor.state().subscriptions[&id]
        .handle
        .clone()
        .expect("a process")
}
