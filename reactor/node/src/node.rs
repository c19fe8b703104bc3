//! [`NodeChain`]: the reactor's [`Chain`] on a real node — the [`Node`]
//! client signing as the provider, for the suite a deployments file names.

use crate::client::{account_of, decoded, emitted_by, input, CallError, Node};
use crate::contract::{chain_event, snapshot_events, subscription_view, variant_name};
use crate::deployment::Deployment;
use dinfra::lifecycle::Subscription;
use dinfra::stream::StreamError;
use dinfra::traits::{
    AccessRecord, Details, Escrow, EscrowError, StreamId, Subscription as _, SubscriptionError,
};
use dinfra_escrow::escrow::Withdrawn;
use std::collections::HashMap;

// The reactor checks access templates against the contract's bounds.
const _: () = assert!(
    dinfra_reactor::config::MAX_ACCESS_URIS == dinfra::types::MAX_ACCESS_URIS
        && dinfra_reactor::config::MAX_ACCESS_URI_LEN == dinfra::types::MAX_ENDPOINT_LEN
);
use dinfra::types::Page;
use dinfra_reactor::chain::{hex, AccountId, Balance, BlockNumber, SubscriptionId};
use dinfra_reactor::{Chain, ChainError, ChainEvent, SubscriptionView, TypeView};
use dinfra_registry::registry::RegistryContractRef;
use dinfra_registry::types::DeploymentType;
use dinfra_subscription::subscription::SubscriptionContractRef;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::env::DefaultEnvironment;
use scale::Decode;
use subxt_signer::sr25519::Keypair;

/// Each subscription's claim: its amount or why it was not paid.
type Claims = Vec<(SubscriptionId, Result<Balance, ChainError>)>;

/// Subscriptions per `subscriptions_of_provider` page (the contract's most).
const SNAPSHOT_PAGE: u32 = 100;

pub struct NodeChain {
    node: Node,
    signer: Keypair,
    deployment: Deployment,
    /// The connection (by [`Node::ensure_connected`]'s count) on which the
    /// chain and the suite were last checked.
    verified: u64,
    /// The escrow the subscription contract pays through, asked of that
    /// contract (whose code is checked) on each new connection.
    escrow: AccountId,
    /// Each subscription's stream in the escrow: fixed at `create` (a
    /// re-award moves the stream to the next provider, same id).
    streams: HashMap<SubscriptionId, StreamId>,
}

pub fn subscription_ref(address: AccountId) -> SubscriptionContractRef {
    <SubscriptionContractRef as FromAccountId<DefaultEnvironment>>::from_account_id(address.into())
}

pub fn escrow_ref(address: AccountId) -> ink::contract_ref!(Escrow, DefaultEnvironment) {
    ink::primitives::AccountId::from(address).into()
}

pub fn registry_ref(address: AccountId) -> RegistryContractRef {
    <RegistryContractRef as FromAccountId<DefaultEnvironment>>::from_account_id(address.into())
}

impl NodeChain {
    /// Connects to `url` and checks that the chain is the one `deployment`
    /// was made on (genesis hash) and that its registry and subscription
    /// contract are there with the code the file names. The check is made
    /// again whenever the connection had to be rebuilt: a node restarted on
    /// another chain (a `--dev --tmp` node has the same genesis every time,
    /// but not the contracts) is refused, not followed.
    pub fn connect(url: &str, signer: Keypair, deployment: Deployment) -> Result<Self, ChainError> {
        let mut chain = NodeChain {
            node: Node::connect(url)?,
            signer,
            deployment,
            verified: 0,
            escrow: [0; 32],
            streams: HashMap::new(),
        };
        chain.verified()?;
        Ok(chain)
    }

    /// Connects if needed, and checks the chain on every new connection.
    fn verified(&mut self) -> Result<(), ChainError> {
        let connection = self.node.ensure_connected()?;
        if connection == self.verified {
            return Ok(());
        }
        let url = self.node.url().to_string();
        let deployment = &self.deployment;
        let genesis = self.node.genesis_hash()?;
        if genesis != deployment.genesis_hash {
            return Err(ChainError::Transport(format!(
                "the deployments file {:?} is for the chain with genesis {}; {url} has genesis {}",
                deployment.name,
                hex(&deployment.genesis_hash),
                hex(&genesis)
            )));
        }
        for (name, contract) in [
            ("registry", &deployment.registry),
            ("subscription", &deployment.subscription),
        ] {
            let found = self.node.code_hash(contract.address)?;
            if found != Some(contract.code_hash) {
                return Err(ChainError::Transport(format!(
                    "the {name} contract {} does not have the code the deployments file names \
                     ({}; on chain: {})",
                    hex(&contract.address),
                    hex(&contract.code_hash),
                    found.map_or("no contract".into(), |h| hex(&h))
                )));
            }
        }
        let subscription = deployment.subscription.address;
        let data = input(subscription_ref(subscription).call_mut().escrow());
        let escrow: ink::primitives::AccountId =
            self.node
                .query(account_of(&self.signer), subscription, data)?;
        self.escrow = *escrow.as_ref();
        self.verified = connection;
        Ok(())
    }

    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    pub fn node(&mut self) -> &mut Node {
        &mut self.node
    }

    /// A subscription message as the provider; `Err(Contract(variant))` if
    /// the contract refused it (nothing sent).
    fn send<T: Decode>(
        &mut self,
        data: Vec<u8>,
    ) -> Result<(T, subxt::events::Events<subxt::PolkadotConfig>), ChainError> {
        self.verified()?;
        let contract = self.deployment.subscription.address;
        self.node
            .call::<T, SubscriptionError>(&self.signer, contract, 0, data)
            .map_err(|e| match e {
                CallError::Refused(error) => ChainError::Contract(variant_name(&error)),
                CallError::Chain(error) => error,
            })
    }
}

impl NodeChain {
    /// This provider's subscriptions, from the contract's current state, as
    /// the events that led there ([`snapshot_events`]), all given block
    /// `at`: what [`Chain::events`] returns when the node has pruned the
    /// blocks to read (a reactor down for longer than the node keeps state,
    /// or a fresh one on an old chain). Pages through
    /// `subscriptions_of_provider`.
    fn snapshot(&mut self, at: BlockNumber) -> Result<Vec<(BlockNumber, ChainEvent)>, ChainError> {
        let address = self.deployment.subscription.address;
        let me = self.provider();
        let now = self.node.block_number()?;
        let mut out = Vec::new();
        let mut cursor: u32 = 0;
        loop {
            let data = input(
                subscription_ref(address)
                    .call_mut()
                    .subscriptions_of_provider(me.into(), cursor, SNAPSHOT_PAGE),
            );
            let page: Result<Page<(SubscriptionId, Subscription)>, SubscriptionError> =
                self.node.query(me, address, data)?;
            let (total, entries) = page
                .map_err(|e| ChainError::Transport(format!("subscriptions_of_provider: {e:?}")))?;
            let read = u32::try_from(entries.len()).unwrap_or(u32::MAX);
            for (id, subscription) in &entries {
                out.extend(
                    snapshot_events(*id, subscription, &me, now)
                        .into_iter()
                        .map(|event| (at, event)),
                );
            }
            cursor = cursor.saturating_add(read);
            if read == 0 || cursor >= total {
                return Ok(out);
            }
        }
    }
}

impl Chain for NodeChain {
    fn provider(&self) -> AccountId {
        account_of(&self.signer)
    }

    // Each method checks a rebuilt connection first (`verified`: a counter
    // comparison when nothing was rebuilt).

    fn block_number(&mut self) -> Result<BlockNumber, ChainError> {
        self.verified()?;
        self.node.block_number()
    }

    fn events(
        &mut self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<(BlockNumber, ChainEvent)>, ChainError> {
        self.verified()?;
        let subscription = self.deployment.subscription.address;
        let mut out = Vec::new();
        for number in from..=to {
            let Some(events) = self.node.events_at(number)? else {
                // Pruned: this block's events are gone, and so are all
                // before it. The contract's state says where they led.
                eprintln!(
                    "blocks {number}..={to}: the node has pruned block {number}'s state, and \
                     with it the events; catching up from the subscription contract's state \
                     (its events are given block {to})"
                );
                return self.snapshot(to);
            };
            for (signature, data) in emitted_by(&events, subscription)? {
                let event = chain_event(signature, &data).map_err(|e| {
                    ChainError::Transport(format!("decoding an event in block {number}: {e}"))
                })?;
                out.extend(event.map(|event| (number, event)));
            }
        }
        Ok(out)
    }

    fn subscription(&mut self, id: SubscriptionId) -> Result<Option<SubscriptionView>, ChainError> {
        Ok(self.details(id)?.map(|d| subscription_view(id, d)))
    }

    fn deployment_type(&mut self, type_id: u32) -> Result<Option<TypeView>, ChainError> {
        self.verified()?;
        let address = self.deployment.registry.address;
        let data = input(registry_ref(address).call_mut().deployment_type(type_id));
        let found: Option<DeploymentType> = self.node.query(self.provider(), address, data)?;
        Ok(found.map(|t| TypeView {
            name: t.name,
            schema_hash: t.schema_hash,
        }))
    }

    fn mark_ready(&mut self, id: SubscriptionId, access: &[String]) -> Result<(), ChainError> {
        let address = self.deployment.subscription.address;
        let access = AccessRecord {
            uris: access.to_vec(),
        };
        self.send::<()>(input(
            subscription_ref(address).call_mut().mark_ready(id, access),
        ))
        .map(|_| ())
    }

    fn decline(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        let address = self.deployment.subscription.address;
        self.send::<()>(input(subscription_ref(address).call_mut().decline(id)))
            .map(|_| ())
    }

    fn exit(&mut self, id: SubscriptionId) -> Result<(), ChainError> {
        let address = self.deployment.subscription.address;
        self.send::<()>(input(subscription_ref(address).call_mut().exit(id)))
            .map(|_| ())
    }

    /// One `Escrow::withdraw_many` transaction for all of `ids`' streams:
    /// the provider is each stream's payee, so the escrow pays it without
    /// the subscription contract's code being loaded (about half the gas and
    /// proof of `claim_many`: see the README's benchmark). Each id's amount
    /// comes from the block's `Withdrawn` event (an id it leaves out had
    /// nothing to claim). If the escrow refuses the batch because one of
    /// them cannot be claimed, each is claimed alone, so the others are not
    /// held up.
    fn claim_many(&mut self, ids: &[SubscriptionId]) -> Claims {
        let mut out = Vec::with_capacity(ids.len());
        let mut batch = Vec::with_capacity(ids.len());
        for &id in ids {
            match self.stream_of(id) {
                Ok(stream) => batch.push((id, stream)),
                Err(e) => out.push((id, Err(e))),
            }
        }
        // One alone, or a batch the escrow refused: each claimed alone.
        let batched = (batch.len() >= 2).then(|| self.withdraw_batch(&batch));
        match batched {
            Some(Ok(amounts)) => out.extend(amounts),
            Some(Err(e)) if !matches!(e, ChainError::Contract(_)) => {
                out.extend(batch.iter().map(|&(id, _)| (id, Err(e.clone()))))
            }
            _ => {
                for (id, stream) in batch {
                    let amount = self.withdraw(id, stream);
                    out.push((id, amount));
                }
            }
        }
        out
    }

    fn claim(&mut self, id: SubscriptionId) -> Result<Balance, ChainError> {
        let stream = self.stream_of(id)?;
        self.withdraw(id, stream)
    }
}

impl NodeChain {
    /// The subscription contract's `details(id)`.
    fn details(&mut self, id: SubscriptionId) -> Result<Option<Details>, ChainError> {
        self.verified()?;
        let address = self.deployment.subscription.address;
        let data = input(subscription_ref(address).call_mut().details(id));
        self.node.query(self.provider(), address, data)
    }

    /// The stream `id` is paid from, asked of the subscription contract once.
    fn stream_of(&mut self, id: SubscriptionId) -> Result<StreamId, ChainError> {
        if let Some(stream) = self.streams.get(&id) {
            return Ok(*stream);
        }
        let stream = self
            .details(id)?
            .ok_or_else(|| ChainError::Contract(variant_name(&SubscriptionError::NotFound)))?
            .subscription
            .stream_id;
        self.streams.insert(id, stream);
        Ok(stream)
    }

    /// One subscription's claim: its amount, or `NothingToClaim` (as the
    /// subscription contract's `claim` names it) when it earned nothing.
    fn withdraw(&mut self, id: SubscriptionId, stream: StreamId) -> Result<Balance, ChainError> {
        let mut amounts = self.withdraw_batch(&[(id, stream)])?;
        match amounts.pop() {
            Some((_, amount)) => amount,
            None => Err(ChainError::Transport("no amount for the stream".into())),
        }
    }

    /// `Escrow::withdraw_many` of `batch`'s streams, as the provider; each
    /// subscription's amount from the block's `Withdrawn` event, or
    /// `NothingToClaim`. `Err(Contract(variant))` if the escrow refused the
    /// batch (nothing sent).
    fn withdraw_batch(
        &mut self,
        batch: &[(SubscriptionId, StreamId)],
    ) -> Result<Claims, ChainError> {
        self.verified()?;
        let escrow = self.escrow;
        let streams: Vec<StreamId> = batch.iter().map(|(_, stream)| *stream).collect();
        let data = input(escrow_ref(escrow).call_mut().withdraw_many(streams));
        let (_, events) = self
            .node
            .call::<Vec<Balance>, EscrowError>(&self.signer, escrow, 0, data)
            .map_err(|e| match e {
                CallError::Refused(error) => ChainError::Contract(escrow_refusal(&error)),
                CallError::Chain(error) => error,
            })?;
        let withdrawn = decoded::<Withdrawn>(&events, escrow)?;
        let provider = self.provider();
        Ok(batch
            .iter()
            .map(|&(id, stream)| {
                let amount = withdrawn_by(&withdrawn, &provider, stream)
                    .ok_or_else(|| ChainError::Contract("NothingToClaim".into()));
                (id, amount)
            })
            .collect())
    }
}

/// The escrow's refusal in the subscription contract's words where the
/// reactor acts on them: nothing earned yet is `NothingToClaim`.
fn escrow_refusal(error: &EscrowError) -> String {
    match error {
        EscrowError::Stream(StreamError::NothingToWithdraw) => "NothingToClaim".into(),
        EscrowError::Stream(stream) => variant_name(stream),
        other => variant_name(other),
    }
}

/// What `payee` was paid from `stream` in these `Withdrawn` events (one per
/// payee and withdrawal, each listing its streams).
fn withdrawn_by(withdrawn: &[Withdrawn], payee: &[u8; 32], stream: StreamId) -> Option<Balance> {
    withdrawn
        .iter()
        .filter(|e| AsRef::<[u8; 32]>::as_ref(&e.payee) == payee)
        .flat_map(|e| &e.streams)
        .find(|(paid, _)| *paid == stream)
        .map(|(_, amount)| *amount)
}
