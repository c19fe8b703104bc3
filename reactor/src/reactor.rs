//! The reactor: each `step` reads the subscription contract's events since
//! the last step, applies those for this provider, then looks after every
//! subscription it holds — starts, health-checks, marks ready, restarts,
//! claims, declines or exits, and tears down. An award it cannot serve
//! before it is ready (refused, a crash loop, not started or not healthy
//! near its deadline) is declined — no mark against the provider, and the
//! consumer is handed on at once; a deployment that fails after ready is
//! exited, with the offer's notice. Everything it does is recorded in the state
//! file before the next thing is done, and everything it sends is checked
//! against the chain first, so replaying events after a crash deploys
//! nothing twice and sends nothing twice.

use crate::chain::{hex, AccountId, BlockNumber, Chain, ChainError, ChainEvent, SubscriptionId};
use crate::config::{render, render_access, Config, ConfigError, DriverKind, Vars};
use crate::descriptor::DeploymentType;
use crate::driver::{Driver, Handle, Health, Spec, Workload};
use crate::fetch::{blake2_256, FetchError, Fetcher};
use crate::podman::Runnable;
use crate::state::{Entry, Phase, State, StateError};
use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The chain's block at the start of the step.
    pub block: BlockNumber,
    /// Events read (all providers').
    pub events: usize,
    /// The log lines of this step.
    pub log: Vec<String>,
}

#[derive(Debug)]
pub enum ReactorError {
    Config(ConfigError),
    /// Reading the block number or the events failed; nothing was applied.
    Chain(ChainError),
    /// The state could not be read or written: stop rather than forget.
    State(StateError),
}

impl fmt::Display for ReactorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReactorError::Config(e) => write!(f, "config: {e}"),
            ReactorError::Chain(e) => write!(f, "{e}"),
            ReactorError::State(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReactorError {}

impl From<ChainError> for ReactorError {
    fn from(e: ChainError) -> Self {
        ReactorError::Chain(e)
    }
}

impl From<StateError> for ReactorError {
    fn from(e: StateError) -> Self {
        ReactorError::State(e)
    }
}

type Saved = Result<(), StateError>;

/// Subscriptions claimed per [`Chain::claim_many`] call: the subscription
/// contract's `MAX_CLAIM_BATCH`.
pub const CLAIM_BATCH: usize = 50;

/// Why a deployment is not started: refused for good, not yet (try again
/// next step), or no longer to be run (it moves to this phase).
enum Problem {
    Refuse(String),
    Retry(String),
    Over(Phase),
}

pub struct Reactor<C: Chain, D: Driver> {
    chain: C,
    driver: D,
    config: Config,
    me: AccountId,
    state: State,
    /// The state as last written.
    saved: State,
    reconciled: bool,
    /// Print log lines to stderr as they happen.
    echo: bool,
    block: BlockNumber,
    log: Vec<String>,
    /// Subscriptions this step found a claim due for (claimed together at
    /// the end of the step).
    due_claims: Vec<SubscriptionId>,
    /// When each running deployment's health was last probed (in memory:
    /// a restart probes at once).
    last_probe_ms: BTreeMap<SubscriptionId, u64>,
    /// Each configured type's schema, compiled once.
    schemas: BTreeMap<String, DeploymentType>,
    /// Fetches descriptors under the config's policy.
    fetcher: Fetcher,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl<C: Chain, D: Driver> Reactor<C, D> {
    /// Loads the state file (a missing one is a fresh start, a corrupt one
    /// an error). Processes recorded there are adopted or restarted by the
    /// first `step`.
    pub fn new(config: Config, chain: C, driver: D) -> Result<Self, ReactorError> {
        config.validate().map_err(ReactorError::Config)?;
        let state = State::load(&config.state_file, config.start_block)?;
        let mut schemas = BTreeMap::new();
        for (name, kind) in &config.types {
            let schema = kind.load_schema(name).map_err(ReactorError::Config)?;
            schemas.insert(name.clone(), schema);
        }
        let fetcher = Fetcher::new(config.fetch.clone())
            .map_err(|why| ReactorError::Config(ConfigError::Fetch(why)))?;
        Ok(Self {
            schemas,
            fetcher,
            me: chain.provider(),
            chain,
            driver,
            config,
            saved: state.clone(),
            state,
            reconciled: false,
            echo: false,
            block: 0,
            log: Vec::new(),
            due_claims: Vec::new(),
            last_probe_ms: BTreeMap::new(),
        })
    }

    /// Also print each log line to stderr as it happens.
    pub fn with_echo(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn chain(&mut self) -> &mut C {
        &mut self.chain
    }

    pub fn driver(&mut self) -> &mut D {
        &mut self.driver
    }

    /// Steps every `poll_interval_ms` while `keep_going()`; errors are
    /// printed and the next step tries again.
    pub fn run(&mut self, mut keep_going: impl FnMut() -> bool) {
        self.echo = true;
        while keep_going() {
            if let Err(e) = self.step() {
                eprintln!("[block {}] step failed: {e}", self.block);
            }
            std::thread::sleep(Duration::from_millis(self.config.poll_interval_ms));
        }
    }

    pub fn step(&mut self) -> Result<StepReport, ReactorError> {
        let now = self.chain.block_number()?;
        self.block = now;
        if !self.reconciled {
            self.reconcile();
            self.reconciled = true;
        }
        let mut count = 0;
        if self.state.next_block <= now {
            let last = self
                .state
                .next_block
                .saturating_add(self.config.max_blocks_per_step - 1)
                .min(now);
            let events = self.chain.events(self.state.next_block, last)?;
            count = events.len();
            for (block, event) in events {
                self.apply(block, event, now)?;
            }
            // The current block is read again next step: a back-end whose
            // current block is still open (the drink sandbox) may add to it.
            // Applying an event twice changes nothing.
            self.state.next_block = if last == now {
                now
            } else {
                last.saturating_add(1)
            };
            self.save()?;
        }
        let ids: Vec<SubscriptionId> = self.state.subscriptions.keys().copied().collect();
        for id in ids {
            let mut entry = self.state.subscriptions[&id].clone();
            if !done(&entry) {
                self.tick(id, &mut entry, now)?;
                self.commit(id, &entry)?;
            }
        }
        self.claim_due_subscriptions(now)?;
        self.save()?;
        Ok(StepReport {
            block: now,
            events: count,
            log: std::mem::take(&mut self.log),
        })
    }

    // ---- events ------------------------------------------------------

    fn apply(&mut self, block: BlockNumber, event: ChainEvent, now: BlockNumber) -> Saved {
        match event {
            ChainEvent::Awarded {
                id,
                provider,
                type_id,
                descriptor,
                ready_deadline,
            } if provider == self.me => {
                if self.state.subscriptions.contains_key(&id) {
                    return Ok(()); // a replay after a restart
                }
                self.say(format!(
                    "subscription {id} awarded at block {block} (type {type_id}, {}, ready by block {ready_deadline})",
                    descriptor.uri
                ));
                let mut entry = Entry::new(type_id, descriptor, ready_deadline);
                self.commit(id, &entry)?;
                self.launch_or_give_up(id, &mut entry, now)?;
                self.commit(id, &entry)
            }
            ChainEvent::AwardRevoked { id, provider } if provider == self.me => {
                self.award_left(id, format!("award revoked at block {block}"))
            }
            // Declined by this reactor (then its entry is final already), or
            // by someone else with the provider's key: either way the award
            // is not this provider's any more.
            ChainEvent::AwardDeclined { id, provider } if provider == self.me => {
                self.award_left(id, format!("award declined at block {block}"))
            }
            ChainEvent::DeploymentReady { id, provider, at } if provider == self.me => {
                self.update(id, |_, entry| {
                    entry.ready_at = Some(at);
                    if entry.phase == Phase::Starting {
                        entry.phase = Phase::Running; // marked before a crash
                    }
                })
            }
            ChainEvent::EndScheduled { id, end, reason } => self.update(id, |reactor, entry| {
                if entry.end != Some(end) {
                    reactor.say(format!(
                        "subscription {id} ends at block {end} ({reason:?})"
                    ));
                    entry.end = Some(end);
                }
            }),
            ChainEvent::RegistryRefused { id, offer_id } => self.update(id, |reactor, _| {
                reactor.say(format!(
                    "subscription {id} closed, but the registry refused to release offer \
                     {offer_id}'s capacity or to record the outcome: it may still count this \
                     deployment as reserved"
                ))
            }),
            ChainEvent::Closed { id, reason } => self.update(id, |reactor, entry| {
                if !entry.closed {
                    entry.closed = true;
                    if entry.phase.is_final() {
                        reactor.say(format!("subscription {id} closed ({reason:?})"));
                    } else {
                        let why = format!("closed at block {block} ({reason:?})");
                        reactor.teardown(id, entry, Phase::Stopped { why });
                    }
                }
            }),
            _ => Ok(()), // another provider's
        }
    }

    /// The award went to another provider (or closed): stops whatever was
    /// started for it.
    fn award_left(&mut self, id: SubscriptionId, why: String) -> Saved {
        self.update(id, |reactor, entry| {
            if !entry.phase.is_final() {
                reactor.teardown(id, entry, Phase::Stopped { why });
            }
        })
    }

    /// Runs `change` on a tracked subscription's entry and records it;
    /// untracked ids are not this provider's.
    fn update(&mut self, id: SubscriptionId, change: impl FnOnce(&mut Self, &mut Entry)) -> Saved {
        let Some(entry) = self.state.subscriptions.get(&id) else {
            return Ok(());
        };
        let mut entry = entry.clone();
        change(self, &mut entry);
        self.commit(id, &entry)
    }

    // ---- after a restart ---------------------------------------------

    /// On the first step: says which recorded processes are still ours
    /// (adopted as they are) and which are gone; the step's ticks restart
    /// the gone ones (within `max_restarts`) once the events since are
    /// applied, so one that ended meanwhile is not started again. Drops
    /// nothing.
    fn reconcile(&mut self) {
        let running: Vec<(SubscriptionId, Option<Handle>)> = self
            .state
            .subscriptions
            .iter()
            .filter(|(_, entry)| matches!(entry.phase, Phase::Starting | Phase::Running))
            .map(|(id, entry)| (*id, entry.handle.clone()))
            .collect();
        for (id, handle) in running {
            match handle {
                Some(handle) if self.driver.adopt(&handle) => {
                    self.say(format!(
                        "subscription {id}: adopted {} (still running)",
                        handle.unit
                    ));
                }
                Some(handle) => self.say(format!(
                    "subscription {id}: {} was gone when the reactor started",
                    handle.unit
                )),
                None => self.say(format!("subscription {id}: no process recorded")),
            }
        }
    }

    // ---- each step, each subscription --------------------------------

    fn tick(&mut self, id: SubscriptionId, entry: &mut Entry, now: BlockNumber) -> Saved {
        if self.claim_due(entry, now) {
            self.due_claims.push(id);
        }
        if let Some(end) = entry.end.filter(|end| now >= *end) {
            if !entry.phase.is_final() {
                self.teardown(
                    id,
                    entry,
                    Phase::Stopped {
                        why: format!("ended at block {end}"),
                    },
                );
            }
        }
        match entry.phase.clone() {
            Phase::Pending { .. } => self.launch_or_give_up(id, entry, now)?,
            Phase::Starting => self.check_starting(id, entry, now)?,
            Phase::Running => self.check_running(id, entry)?,
            _ if entry.handle.is_some() => {
                let phase = entry.phase.clone();
                self.teardown(id, entry, phase); // a stop that failed before
            }
            _ => {}
        }
        if entry.decline_wanted && !entry.decline_sent {
            self.send_decline(id, entry, now);
        }
        if entry.exit_wanted && !entry.exit_sent {
            self.send_exit(id, entry, now);
        }
        Ok(())
    }

    /// Not ready yet, its ready deadline within `decline_margin` blocks (and
    /// not passed: then a decline is refused).
    fn near_deadline(&self, entry: &Entry, now: BlockNumber) -> bool {
        entry.ready_at.is_none()
            && now <= entry.ready_deadline
            && now.saturating_add(self.config.decline_margin) >= entry.ready_deadline
    }

    /// A pending award: started, or — within `decline_margin` of its ready
    /// deadline, too late to get healthy — declined.
    fn launch_or_give_up(
        &mut self,
        id: SubscriptionId,
        entry: &mut Entry,
        now: BlockNumber,
    ) -> Saved {
        let Phase::Pending { why } = &entry.phase else {
            return Ok(());
        };
        if self.near_deadline(entry, now) {
            let why = format!(
                "not started {} blocks before its ready deadline (block {}): {why}",
                entry.ready_deadline - now,
                entry.ready_deadline
            );
            self.give_up_before_ready(id, entry, why);
            return Ok(());
        }
        self.try_launch(id, entry, now)
    }

    /// Stops what was started and declines the award.
    fn give_up_before_ready(&mut self, id: SubscriptionId, entry: &mut Entry, why: String) {
        self.teardown(id, entry, Phase::Failed { why });
        entry.decline_wanted = true;
    }

    /// Checks the award, fetches and verifies the descriptor, finds the
    /// type's driver and a port, and starts the deployment. Leaves the entry
    /// Pending (try again next step), Refused, Failed, Stopped or Starting.
    fn try_launch(&mut self, id: SubscriptionId, entry: &mut Entry, now: BlockNumber) -> Saved {
        match self.prepare(id, entry, now) {
            Ok(()) => match self.spawn(id, entry) {
                Ok(()) => self.commit(id, entry),
                Err(why) => self.restart_or_give_up(id, entry, why),
            },
            Err(Problem::Refuse(why)) => {
                self.refuse(id, entry, why);
                Ok(())
            }
            Err(Problem::Retry(why)) => {
                self.pending(id, entry, why);
                Ok(())
            }
            Err(Problem::Over(phase)) => {
                self.teardown(id, entry, phase);
                Ok(())
            }
        }
    }

    /// Everything before the start: the award still ours and in time, the
    /// type's driver, the verified descriptor, a port.
    fn prepare(
        &mut self,
        id: SubscriptionId,
        entry: &mut Entry,
        now: BlockNumber,
    ) -> Result<(), Problem> {
        let stopped = |why: &str| Problem::Over(Phase::Stopped { why: why.into() });
        if entry.ready_at.is_none() && now > entry.ready_deadline {
            let why = format!(
                "ready deadline {} passed before it could start",
                entry.ready_deadline
            );
            return Err(Problem::Over(Phase::Failed { why }));
        }
        let view = match self.chain.subscription(id) {
            Ok(Some(view)) => view,
            Ok(None) => return Err(stopped("not found on chain")),
            Err(e) => {
                return Err(Problem::Retry(format!(
                    "cannot read it from the chain: {e}"
                )))
            }
        };
        if view.provider != self.me {
            return Err(stopped("awarded to another provider since"));
        }
        entry.consumer = Some(view.consumer);
        if view.closed {
            return Err(stopped("closed before it could start"));
        }
        if view.ready_at.is_none() && now > view.ready_deadline {
            return Err(stopped("its ready deadline passed before it could start"));
        }
        entry.ready_at = view.ready_at;
        entry.end = view.end;
        entry.ready_deadline = view.ready_deadline;
        if let Some(end) = view.end.filter(|end| now >= *end) {
            let why = format!("its end block {end} passed before it could start");
            return Err(stopped(&why));
        }

        if entry.type_name.is_none() {
            let type_id = entry.type_id;
            let registered = match self.chain.deployment_type(type_id) {
                Ok(Some(registered)) => registered,
                Ok(None) => {
                    return Err(Problem::Refuse(format!("type {type_id} is not registered")))
                }
                Err(e) => {
                    return Err(Problem::Retry(format!(
                        "cannot look up type {type_id}: {e}"
                    )))
                }
            };
            // A name is anyone's to register first: the provider runs only
            // the type whose schema it configured, not a namesake.
            if let Some(schema) = self.schemas.get(&registered.name) {
                if schema.schema_hash != registered.schema_hash {
                    return Err(Problem::Refuse(format!(
                        "type {type_id} ({:?}) is registered with schema {}, not the {} of {}",
                        registered.name,
                        hex(&registered.schema_hash),
                        hex(&schema.schema_hash),
                        schema.schema_path.display()
                    )));
                }
            }
            entry.type_name = Some(registered.name);
        }
        let name = entry.type_name.clone().unwrap_or_default();
        let Some(kind) = self.type_config(entry) else {
            return Err(Problem::Refuse(format!(
                "no driver configured for type {name:?}"
            )));
        };
        let descriptor = self.fetch_descriptor(id, entry)?;
        if let Some(schema) = self.schemas.get(&name) {
            if let Err(error) = schema.check(&descriptor) {
                return Err(Problem::Refuse(format!(
                    "its descriptor is not a valid {name}: {error}"
                )));
            }
        }
        let range = self.config.ports;
        let no_port =
            || Problem::Retry(format!("no free port in {}..={}", range.first, range.last));
        if kind.driver == DriverKind::Podman {
            let runnable = Runnable::parse(&descriptor).map_err(|why| {
                Problem::Refuse(format!(
                    "its descriptor is not a container or pod to run: {why}"
                ))
            })?;
            self.config.containers.admits(&runnable).map_err(|why| {
                Problem::Refuse(format!("its descriptor asks for too much: {why}"))
            })?;
            if entry.ports.len() != runnable.port_count() {
                entry.ports = self.free_ports(runnable.port_count()).ok_or_else(no_port)?;
                entry.port = runnable.first_tcp_port(&entry.ports);
            }
        } else if kind.uses_port() && entry.port.is_none() {
            entry.port = Some(self.free_ports(1).ok_or_else(no_port)?[0]);
        }
        Ok(())
    }

    fn check_starting(&mut self, id: SubscriptionId, entry: &mut Entry, now: BlockNumber) -> Saved {
        if entry.ready_at.is_none() && now > entry.ready_deadline {
            let why = format!(
                "not healthy by its ready deadline (block {})",
                entry.ready_deadline
            );
            self.teardown(id, entry, Phase::Failed { why });
            return Ok(());
        }
        let Some(handle) = entry.handle.clone() else {
            return self.restart_or_give_up(id, entry, "no process recorded".into());
        };
        match self.driver.healthy(&handle) {
            Health::Healthy => self.send_ready(id, entry),
            Health::Dead => {
                let why = format!(
                    "process exited during start-up (log: {})",
                    handle.log.display()
                );
                self.restart_or_give_up(id, entry, why)?;
            }
            Health::Waiting if self.near_deadline(entry, now) => {
                let why = format!(
                    "not healthy {} blocks before its ready deadline (block {}; log: {})",
                    entry.ready_deadline - now,
                    entry.ready_deadline,
                    handle.log.display()
                );
                self.give_up_before_ready(id, entry, why);
            }
            Health::Waiting => {
                let timeout = self
                    .type_config(entry)
                    .map_or(0, |kind| kind.health_timeout_secs);
                let started = *entry.started_at_ms.get_or_insert_with(now_ms);
                if now_ms().saturating_sub(started) > timeout.saturating_mul(1000) {
                    let why = format!(
                        "not healthy after {timeout} s (log: {})",
                        handle.log.display()
                    );
                    self.restart_or_give_up(id, entry, why)?;
                }
            }
        }
        Ok(())
    }

    /// A ready deployment is checked as long as it runs: one that exits,
    /// or fails its health check for longer than the type's health timeout,
    /// is restarted, and after `max_restarts` given up on (exited).
    fn check_running(&mut self, id: SubscriptionId, entry: &mut Entry) -> Saved {
        // Alive is checked every step; the probe (a connection to the
        // deployment, an engine call) every `health_interval_ms`.
        let now = now_ms();
        let interval = self.config.health_interval_ms;
        let probed_lately = self
            .last_probe_ms
            .get(&id)
            .is_some_and(|at| now.saturating_sub(*at) < interval);
        if probed_lately {
            if entry.handle.as_ref().is_some_and(|h| self.driver.alive(h)) {
                return Ok(());
            }
            let why = format!("process exited (log: {})", self.log_path(id).display());
            return self.restart_or_give_up(id, entry, why);
        }
        self.last_probe_ms.insert(id, now);
        let health = entry
            .handle
            .clone()
            .map(|handle| self.driver.healthy(&handle));
        match health {
            Some(Health::Healthy) => {
                if entry.unhealthy_since_ms.take().is_some() {
                    self.say(format!("subscription {id} passes its health check again"));
                }
            }
            Some(Health::Waiting) => {
                let timeout = self
                    .type_config(entry)
                    .map_or(0, |kind| kind.health_timeout_secs);
                let since = match entry.unhealthy_since_ms {
                    Some(since) => since,
                    None => {
                        self.say(format!("subscription {id} fails its health check"));
                        *entry.unhealthy_since_ms.insert(now_ms())
                    }
                };
                if now_ms().saturating_sub(since) > timeout.saturating_mul(1000) {
                    let why = format!(
                        "failed its health check for more than {timeout} s after ready (log: {})",
                        self.log_path(id).display()
                    );
                    return self.restart_or_give_up(id, entry, why);
                }
            }
            Some(Health::Dead) | None => {
                let why = format!("process exited (log: {})", self.log_path(id).display());
                return self.restart_or_give_up(id, entry, why);
            }
        }
        Ok(())
    }

    /// `mark_ready`, unless the chain already shows it ready (a replay).
    fn send_ready(&mut self, id: SubscriptionId, entry: &mut Entry) {
        let view = match self.chain.subscription(id) {
            Ok(Some(view)) => view,
            Ok(None) => {
                return self.teardown(
                    id,
                    entry,
                    Phase::Stopped {
                        why: "not found on chain".into(),
                    },
                )
            }
            Err(e) => {
                return self.say(format!(
                    "subscription {id}: cannot read it before mark_ready: {e}; will retry"
                ))
            }
        };
        if view.provider != self.me || view.closed {
            let why = "closed or awarded to another provider before it was ready".to_string();
            return self.teardown(id, entry, Phase::Stopped { why });
        }
        if let Some(at) = view.ready_at {
            self.say(format!(
                "subscription {id} is already ready on chain (block {at}); not marking it again"
            ));
            entry.ready_at = Some(at);
            entry.phase = Phase::Running;
            return;
        }
        let access = self.access_of(id, entry);
        match self.chain.mark_ready(id, &access) {
            Ok(()) => {
                let published = if access.is_empty() {
                    String::new()
                } else {
                    format!("; access {}", access.join(", "))
                };
                self.say(format!(
                    "subscription {id} is healthy: marked ready{published}"
                ));
                entry.ready_sent = true;
                entry.access = access;
                entry.ready_at = Some(self.block); // until DeploymentReady gives the block
                entry.phase = Phase::Running;
            }
            Err(ChainError::Transport(e)) => self.say(format!(
                "subscription {id}: mark_ready failed: {e}; will retry"
            )),
            Err(ChainError::Contract(e)) => {
                let why = format!("mark_ready refused: {e}");
                self.teardown(id, entry, Phase::Failed { why });
            }
        }
    }

    /// After a crash or a failed health check: stop what is left and start
    /// again, or after `max_restarts` give up: decline the award if it is
    /// not ready yet, exit the subscription if it is.
    fn restart_or_give_up(
        &mut self,
        id: SubscriptionId,
        entry: &mut Entry,
        mut why: String,
    ) -> Saved {
        if let Some(handle) = entry.handle.take() {
            if let Err(e) = self.driver.stop(&handle) {
                self.say(format!(
                    "subscription {id}: cannot stop {}: {e}",
                    handle.unit
                ));
                entry.handle = Some(handle);
            }
        }
        entry.last_error = Some(why.clone());
        let max = self.type_config(entry).map_or(0, |kind| kind.max_restarts);
        while entry.handle.is_none() && entry.restarts < max {
            entry.restarts += 1;
            self.say(format!(
                "restarting subscription {id} ({}/{max}): {why}",
                entry.restarts
            ));
            match self.spawn(id, entry) {
                Ok(()) => return self.commit(id, entry),
                Err(e) => why = e,
            }
        }
        let why = format!("{why}; gave up after {} restarts", entry.restarts);
        self.say(format!("giving up on subscription {id}: {why}"));
        if entry.handle.is_none() {
            self.release(id);
        }
        entry.phase = Phase::Failed { why };
        if entry.ready_at.is_some() {
            entry.exit_wanted = true;
        } else {
            entry.decline_wanted = true;
        }
        self.commit(id, entry)
    }

    /// `decline`, unless the chain shows the award handed on, closed, ready
    /// (then it is exited instead) or past its ready deadline (a reaward
    /// serves the consumer then). A decline the contract refuses otherwise
    /// (it could not hand the award on: a rewired registry, an award
    /// contract that fails) falls back to `exit`, which closes a
    /// subscription not ready yet with a full refund — counted against the
    /// provider, but the consumer is not left waiting for the deadline.
    fn send_decline(&mut self, id: SubscriptionId, entry: &mut Entry, now: BlockNumber) {
        let why = match &entry.phase {
            Phase::Failed { why } | Phase::Refused { why } => why.clone(),
            other => format!("{other:?}"),
        };
        let skip = match self.chain.subscription(id) {
            Ok(Some(view)) if view.provider != self.me || view.closed => {
                Some("it is closed or awarded to another provider".to_string())
            }
            Ok(Some(view)) if view.ready_at.is_some() => {
                self.say(format!(
                    "subscription {id} is ready on chain (block {}): exiting it rather than declining",
                    view.ready_at.unwrap_or_default()
                ));
                entry.decline_sent = true;
                entry.exit_wanted = true;
                return;
            }
            Ok(Some(view)) if now > view.ready_deadline => {
                Some("its ready deadline passed; it is left to a reaward".to_string())
            }
            Ok(Some(_)) => None,
            Ok(None) => Some("it is not on chain".to_string()),
            Err(e) => {
                return self.say(format!(
                    "subscription {id}: cannot read it before decline: {e}; will retry"
                ))
            }
        };
        if let Some(skip) = skip {
            self.say(format!("not declining subscription {id}: {skip}"));
            entry.decline_sent = true;
            return;
        }
        match self.chain.decline(id) {
            Ok(()) => {
                self.say(format!("declined subscription {id}: {why}"));
                entry.decline_sent = true;
            }
            Err(e) if e.is("ReadyTimeoutPassed") => {
                self.say(format!(
                    "decline of subscription {id} refused: its ready deadline passed; it is left to a reaward"
                ));
                entry.decline_sent = true;
            }
            Err(ChainError::Contract(e)) => {
                self.say(format!(
                    "decline of subscription {id} refused: {e}; exiting it instead"
                ));
                entry.decline_sent = true;
                entry.exit_wanted = true;
            }
            Err(ChainError::Transport(e)) => self.say(format!(
                "subscription {id}: decline failed: {e}; will retry"
            )),
        }
    }

    /// `exit`, unless the chain shows it ending, closed, or past its ready
    /// deadline (then a reaward serves the consumer better).
    fn send_exit(&mut self, id: SubscriptionId, entry: &mut Entry, now: BlockNumber) {
        let why = match &entry.phase {
            Phase::Failed { why } => why.clone(),
            other => format!("{other:?}"),
        };
        let skip = match self.chain.subscription(id) {
            Ok(Some(view)) if view.provider != self.me || view.closed || view.end.is_some() => {
                Some("it is already ending, closed or not ours".to_string())
            }
            Ok(Some(view)) if view.ready_at.is_none() && now > view.ready_deadline => {
                Some("its ready deadline passed; it is left to a reaward".to_string())
            }
            Ok(Some(_)) => None,
            Ok(None) => Some("it is not on chain".to_string()),
            Err(e) => {
                return self.say(format!(
                    "subscription {id}: cannot read it before exit: {e}; will retry"
                ))
            }
        };
        if let Some(skip) = skip {
            self.say(format!("not exiting subscription {id}: {skip}"));
            entry.exit_sent = true;
            return;
        }
        match self.chain.exit(id) {
            Ok(()) => {
                self.say(format!("exited subscription {id}: {why}"));
                entry.exit_sent = true;
            }
            Err(ChainError::Contract(e)) => {
                self.say(format!("exit of subscription {id} refused: {e}"));
                entry.exit_sent = true;
            }
            Err(ChainError::Transport(e)) => {
                self.say(format!("subscription {id}: exit failed: {e}; will retry"))
            }
        }
    }

    /// Whether a claim is due: every `claim_period` blocks after the last
    /// claim (or the ready block), once within `claim_margin` of the end,
    /// and at the end.
    fn claim_due(&self, entry: &Entry, now: BlockNumber) -> bool {
        let Some(ready) = entry.ready_at.filter(|_| !entry.closed) else {
            return false;
        };
        let base = entry.last_claim.unwrap_or(ready);
        if entry.end.is_some_and(|end| base >= end) {
            return false; // claimed after the end: nothing more accrues
        }
        let periodic = now >= base.saturating_add(self.config.claim_period);
        let before_end = entry.end.is_some_and(|end| {
            let from = end.saturating_sub(self.config.claim_margin);
            now >= from && base < from
        });
        let at_end = entry.end.is_some_and(|end| now >= end);
        periodic || before_end || at_end
    }

    /// Claims what this step found due, [`CLAIM_BATCH`] subscriptions per
    /// call ([`Chain::claim_many`]: one transaction where the back-end can).
    fn claim_due_subscriptions(&mut self, now: BlockNumber) -> Saved {
        let due = std::mem::take(&mut self.due_claims);
        for batch in due.chunks(CLAIM_BATCH) {
            for (id, outcome) in self.chain.claim_many(batch) {
                self.update(id, |reactor, entry| match outcome {
                    Ok(amount) => {
                        reactor.say(format!("claimed {amount} for subscription {id}"));
                        entry.last_claim = Some(now);
                    }
                    Err(e) if e.is("NothingToClaim") => entry.last_claim = Some(now),
                    Err(ChainError::Contract(e)) => {
                        reactor.say(format!("claim for subscription {id} refused: {e}"));
                        entry.last_claim = Some(now);
                    }
                    Err(ChainError::Transport(e)) => {
                        reactor.say(format!("subscription {id}: claim failed: {e}; will retry"))
                    }
                })?;
            }
        }
        Ok(())
    }

    // ---- helpers -----------------------------------------------------

    /// Stops its process (if any) and moves it to `phase`.
    fn teardown(&mut self, id: SubscriptionId, entry: &mut Entry, phase: Phase) {
        let had_handle = entry.handle.is_some();
        if let Some(handle) = entry.handle.take() {
            match self.driver.stop(&handle) {
                Ok(()) => self.say(format!("subscription {id}: stopped {}", handle.unit)),
                Err(e) => {
                    self.say(format!(
                        "subscription {id}: cannot stop {}: {e}; will retry",
                        handle.unit
                    ));
                    entry.handle = Some(handle);
                }
            }
        }
        if entry.handle.is_none() && (had_handle || !entry.phase.is_final()) {
            self.release(id);
        }
        if entry.phase != phase {
            match &phase {
                Phase::Stopped { why } => self.say(format!("subscription {id} stopped: {why}")),
                Phase::Failed { why } => self.say(format!("subscription {id} failed: {why}")),
                _ => {}
            }
            entry.phase = phase;
        }
    }

    /// Removes what outlives a stop (a container's volumes) once the
    /// subscription is over for this reactor.
    fn release(&mut self, id: SubscriptionId) {
        if let Err(e) = self.driver.release(id) {
            self.say(format!(
                "subscription {id}: cannot remove what it kept: {e}"
            ));
        }
    }

    /// Not deployed, on purpose: the award is declined (this step).
    fn refuse(&mut self, id: SubscriptionId, entry: &mut Entry, why: String) {
        self.say(format!("refused subscription {id}: {why}"));
        entry.phase = Phase::Refused { why };
        entry.decline_wanted = true;
    }

    /// Not started yet; logged when the reason changes.
    fn pending(&mut self, id: SubscriptionId, entry: &mut Entry, why: String) {
        if entry.phase != (Phase::Pending { why: why.clone() }) {
            self.say(format!("subscription {id} waits: {why}"));
            entry.phase = Phase::Pending { why };
        }
    }

    /// Fetches the descriptor to its file unless a verified copy is there;
    /// returns its bytes.
    fn fetch_descriptor(&mut self, id: SubscriptionId, entry: &Entry) -> Result<Vec<u8>, Problem> {
        let path = self.descriptor_path(id);
        let expected = entry.descriptor.hash;
        if let Ok(bytes) = std::fs::read(&path) {
            if blake2_256(&bytes) == expected {
                return Ok(bytes);
            }
        }
        let bytes = self
            .fetcher
            .fetch(&entry.descriptor.uri)
            .map_err(|e| match e {
                FetchError::Unsupported(why) => Problem::Refuse(why),
                FetchError::Failed(why) => {
                    Problem::Retry(format!("cannot fetch its descriptor yet: {why}"))
                }
            })?;
        let fetched = blake2_256(&bytes);
        if fetched != expected {
            return Err(Problem::Refuse(format!(
                "descriptor hash mismatch (chain {}, fetched {})",
                hex(&expected),
                hex(&fetched)
            )));
        }
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.config.work_dir)?;
            let temp = path.with_extension("tmp");
            std::fs::write(&temp, &bytes)?;
            std::fs::rename(&temp, &path)
        };
        write().map_err(|e| Problem::Retry(format!("cannot write {}: {e}", path.display())))?;
        Ok(bytes)
    }

    fn spawn(&mut self, id: SubscriptionId, entry: &mut Entry) -> Result<(), String> {
        let kind = self
            .type_config(entry)
            .ok_or_else(|| format!("no driver configured for type {:?}", entry.type_name))?;
        let dir = self.config.work_dir.join(id.to_string());
        let descriptor = self.descriptor_path(id);
        let (workload, port, health) = match kind.driver {
            DriverKind::Process => {
                let vars = Vars {
                    port: entry.port,
                    id,
                    dir: &dir,
                    descriptor: &descriptor,
                };
                let command = render(&kind.command, &vars)
                    .map_err(|e| format!("bad command template: {e:?}"))?;
                (Workload::Command(command), entry.port, kind.health.clone())
            }
            DriverKind::Podman => {
                let bytes = std::fs::read(&descriptor)
                    .map_err(|e| format!("cannot read {}: {e}", descriptor.display()))?;
                let runnable = Runnable::parse(&bytes)?;
                let (port, health) = runnable.health(&entry.ports, &kind.health);
                (runnable.into_workload(), port, health)
            }
        };
        let spec = Spec {
            id,
            workload,
            dir: dir.clone(),
            log: self.log_path(id),
            port,
            ports: entry.ports.clone(),
            health,
        };
        let handle = self
            .driver
            .start(&spec)
            .map_err(|e| format!("cannot start: {e}"))?;
        let ports = match (&entry.ports[..], entry.port) {
            ([_, _, ..], _) => {
                let ports: Vec<String> = entry.ports.iter().map(u16::to_string).collect();
                format!(", ports {}", ports.join(", "))
            }
            (_, Some(port)) => format!(", port {port}"),
            (_, None) => String::new(),
        };
        self.say(format!(
            "started subscription {id}: {}{ports}, log {}",
            handle.unit,
            spec.log.display()
        ));
        entry.handle = Some(handle);
        entry.started_at_ms = Some(now_ms());
        entry.unhealthy_since_ms = None;
        if entry.phase != Phase::Running {
            entry.phase = Phase::Starting;
        }
        Ok(())
    }

    /// The access record to publish: the type's templates rendered for
    /// this deployment (checked when the config was loaded).
    fn access_of(&self, id: SubscriptionId, entry: &Entry) -> Vec<String> {
        let host = self.config.public_host.as_deref().unwrap_or_default();
        self.type_config(entry).map_or_else(Vec::new, |kind| {
            kind.access
                .iter()
                .filter_map(|template| render_access(template, host, entry.port, id).ok())
                .collect()
        })
    }

    fn type_config(&self, entry: &Entry) -> Option<crate::config::TypeConfig> {
        self.config.types.get(entry.type_name.as_ref()?).cloned()
    }

    /// `count` ports of the range that no live subscription holds and
    /// nothing listens on, or `None` if there are not that many.
    fn free_ports(&self, count: usize) -> Option<Vec<u16>> {
        let taken: Vec<u16> = self
            .state
            .subscriptions
            .values()
            .filter(|e| !e.phase.is_final() || e.handle.is_some())
            .flat_map(|e| e.port.into_iter().chain(e.ports.iter().copied()))
            .collect();
        let free: Vec<u16> = (self.config.ports.first..=self.config.ports.last)
            .filter(|port| !taken.contains(port))
            // Free for both: a container may publish udp on it too.
            .filter(|port| TcpListener::bind((Ipv4Addr::UNSPECIFIED, *port)).is_ok())
            .filter(|port| UdpSocket::bind((Ipv4Addr::UNSPECIFIED, *port)).is_ok())
            .take(count)
            .collect();
        (free.len() == count).then_some(free)
    }

    /// What the status API answers from, as of the last step.
    pub fn status_board(&self) -> crate::status::Board {
        crate::status::Board::new(
            &self.state,
            self.block,
            |handle| self.driver.alive(handle),
            |id| self.log_path(id),
        )
    }

    pub fn log_path(&self, id: SubscriptionId) -> PathBuf {
        self.config.log_dir.join(format!("{id}.log"))
    }

    pub fn descriptor_path(&self, id: SubscriptionId) -> PathBuf {
        self.config.work_dir.join(format!("{id}.descriptor.json"))
    }

    fn commit(&mut self, id: SubscriptionId, entry: &Entry) -> Saved {
        self.state.subscriptions.insert(id, entry.clone());
        self.save()
    }

    fn save(&mut self) -> Saved {
        if self.state != self.saved {
            self.state.save(&self.config.state_file)?;
            self.saved = self.state.clone();
        }
        Ok(())
    }

    fn say(&mut self, line: String) {
        let line = format!("[block {}] {line}", self.block);
        if self.echo {
            eprintln!("{line}");
        }
        self.log.push(line);
    }
}

/// Nothing left to do for it: final, nothing running, nothing to send, and
/// nothing more to claim.
fn done(entry: &Entry) -> bool {
    let claims_over = entry.closed
        || entry.ready_at.is_none()
        || entry
            .end
            .is_some_and(|end| entry.last_claim.is_some_and(|last| last >= end));
    entry.phase.is_final()
        && entry.handle.is_none()
        && (!entry.exit_wanted || entry.exit_sent)
        && (!entry.decline_wanted || entry.decline_sent)
        && claims_over
}
