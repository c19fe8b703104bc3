//! [`Node`]: a small pallet-contracts client over subxt — what the reactor's
//! node back-end ([`crate::node::NodeChain`]) and the node tests need, no
//! more.
//!
//! - **Dry runs** go through pallet-contracts' runtime API
//!   (`ContractsApi_call` by `state_call`) at the best block.
//! - **Calls** are dry-run first: a contract's refusal comes back as
//!   [`CallError::Refused`] and nothing is sent. Otherwise a `Contracts::call`
//!   extrinsic is signed, with the dry run's gas plus a margin, and the call
//!   returns once it is in a best block (substrate-contracts-node's instant
//!   seal does not finalize), or with the dispatch error it failed with.
//! - **Events** are read per block: `Contracts::ContractEmitted` of one
//!   contract, with the first topic (ink! 5's signature topic).
//!
//! Call data comes from the contracts' ink!-generated call builders
//! ([`input`]), so selectors and arguments cannot drift from the contracts.
//! On a transport error the connection is dropped and rebuilt by the next
//! call.

use dinfra_reactor::chain::{AccountId, Balance, BlockNumber, Hash};
use dinfra_reactor::ChainError;
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::str::FromStr;
use std::time::Duration;
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::events::Events;
use subxt::tx::TxStatus;
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

type Config = PolkadotConfig;

/// How much more gas than the dry run asked for a transaction may use: a
/// claim sent a block later settles one block more.
const GAS_MARGIN_PERCENT: u64 = 25;

/// How long a transaction may take to reach a block before the call gives
/// up (the reactor tries again on a later step; its checks of the chain's
/// view keep a late inclusion from being acted on twice).
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

/// A keypair from a secret URI (`//Alice`, a mnemonic with an optional
/// `//derivation`, a `0x` seed).
pub fn keypair(suri: &str) -> Result<Keypair, String> {
    let uri = SecretUri::from_str(suri.trim()).map_err(|e| format!("not a secret URI: {e}"))?;
    Keypair::from_uri(&uri).map_err(|e| format!("not a usable key: {e}"))
}

pub fn account_of(signer: &Keypair) -> AccountId {
    signer.public_key().0
}

/// A fully built ink! call (callee, input and return type set), as the
/// contracts' call builders give it: `contract.call_mut().claim(id)`.
pub type Message<Args, R> = ink::env::call::CallBuilder<
    ink::env::DefaultEnvironment,
    ink::env::call::utils::Set<ink::env::call::Call<ink::env::DefaultEnvironment>>,
    ink::env::call::utils::Set<ink::env::call::ExecutionInput<Args>>,
    ink::env::call::utils::Set<ink::env::call::utils::ReturnType<R>>,
>;

/// A message's call data (selector and SCALE-encoded arguments):
/// `input(contract.call_mut().claim(id))`.
pub fn input<Args: Encode, R>(call: Message<Args, R>) -> Vec<u8> {
    call.params().exec_input().encode()
}

/// An event as `Contracts::ContractEmitted` carries it: its first topic
/// (ink! 5's signature topic) and its SCALE-encoded fields.
pub type Emitted = (Option<Hash>, Vec<u8>);

/// The weight the contracts pallet measures a call in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Weight {
    #[codec(compact)]
    pub ref_time: u64,
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    fn with_margin(self) -> Self {
        let grow = |v: u64| v.saturating_add(v / 100 * GAS_MARGIN_PERCENT);
        Weight {
            ref_time: grow(self.ref_time),
            proof_size: grow(self.proof_size),
        }
    }
}

#[derive(Decode)]
#[allow(dead_code)] // decoded to get past it
enum StorageDeposit {
    Refund(Balance),
    Charge(Balance),
}

/// What a dry run returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRun {
    pub gas_required: Weight,
    pub reverted: bool,
    /// The message's SCALE-encoded `MessageResult`.
    pub data: Vec<u8>,
}

/// Why a [`Node::call`] did not happen: the contract said no, or the chain
/// could not be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError<E> {
    Refused(E),
    Chain(ChainError),
}

impl<E> From<ChainError> for CallError<E> {
    fn from(e: ChainError) -> Self {
        CallError::Chain(e)
    }
}

/// Cheap to clone: both are handles to one RPC client.
#[derive(Clone)]
struct Connection {
    client: OnlineClient<Config>,
    rpc: LegacyRpcMethods<Config>,
}

pub(crate) fn transport(what: &str) -> impl Fn(subxt::Error) -> ChainError + '_ {
    move |e| ChainError::Transport(format!("{what}: {e}"))
}

/// A node, reached over WebSocket; every method blocks until the node
/// answered.
pub struct Node {
    runtime: tokio::runtime::Runtime,
    url: String,
    /// `None` after a transport error, until the next call reconnects.
    connection: Option<Connection>,
    /// How many connections were made: a user that checks the chain once
    /// per connection (the reactor's back-end) compares it.
    connections: u64,
}

impl Node {
    pub fn connect(url: &str) -> Result<Self, ChainError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ChainError::Transport(format!("starting the async runtime: {e}")))?;
        let mut node = Node {
            runtime,
            url: url.to_string(),
            connection: None,
            connections: 0,
        };
        node.connection()?;
        Ok(node)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connects if not connected; returns how many connections were made so
    /// far (a new number: the node may have restarted meanwhile).
    pub fn ensure_connected(&mut self) -> Result<u64, ChainError> {
        self.connection()?;
        Ok(self.connections)
    }

    fn connection(&mut self) -> Result<Connection, ChainError> {
        if let Some(connection) = &self.connection {
            return Ok(connection.clone());
        }
        let url = self.url.clone();
        let connection = self.runtime.block_on(async move {
            // ws:// is allowed: a provider's reactor usually talks to its own
            // node on localhost.
            let rpc = RpcClient::from_insecure_url(&url)
                .await
                .map_err(transport(&format!("connecting to {url}")))?;
            let client = OnlineClient::<Config>::from_rpc_client(rpc.clone())
                .await
                .map_err(transport(&format!("reading {url}'s metadata")))?;
            Ok::<_, ChainError>(Connection {
                client,
                rpc: LegacyRpcMethods::new(rpc),
            })
        })?;
        self.connection = Some(connection.clone());
        self.connections += 1;
        Ok(connection)
    }

    /// Runs `f` on (a handle to) the connection; a transport error drops
    /// the connection so that the next call connects again — safe whatever
    /// failed, as every call reads or sends afresh.
    fn with<T, F, Fut>(&mut self, f: F) -> Result<T, ChainError>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: std::future::Future<Output = Result<T, ChainError>>,
    {
        let connection = self.connection()?;
        let result = self.runtime.block_on(f(connection));
        if matches!(result, Err(ChainError::Transport(_))) {
            self.connection = None;
        }
        result
    }

    pub fn genesis_hash(&mut self) -> Result<Hash, ChainError> {
        self.with(|c| async move {
            let hash = c
                .rpc
                .genesis_hash()
                .await
                .map_err(transport("reading the genesis hash"))?;
            Ok(hash.0)
        })
    }

    /// The best block's number.
    pub fn block_number(&mut self) -> Result<BlockNumber, ChainError> {
        self.with(|c| async move {
            let header = c
                .rpc
                .chain_get_header(None)
                .await
                .map_err(transport("reading the best block"))?
                .ok_or_else(|| ChainError::Transport("the node has no best block".into()))?;
            Ok(header.number)
        })
    }

    /// The next transaction index of `account` (its pool's included).
    pub fn nonce(&mut self, account: AccountId) -> Result<u64, ChainError> {
        self.with(|c| async move {
            c.rpc
                .system_account_next_index(&subxt::utils::AccountId32(account))
                .await
                .map_err(transport("reading a nonce"))
        })
    }

    /// The code hash of the contract at `address`, if there is one.
    pub fn code_hash(&mut self, address: AccountId) -> Result<Option<Hash>, ChainError> {
        self.with(|c| async move {
            let query = subxt::dynamic::storage(
                "Contracts",
                "ContractInfoOf",
                vec![Value::from_bytes(address)],
            );
            // At the best block: `at_latest` is the finalized one, which
            // an instant-seal node leaves behind.
            let best = c
                .rpc
                .chain_get_block_hash(None)
                .await
                .map_err(transport("reading the best block"))?
                .ok_or_else(|| ChainError::Transport("the node has no best block".into()))?;
            let found = c
                .client
                .storage()
                .at(best)
                .fetch(&query)
                .await
                .map_err(transport("reading ContractInfoOf"))?;
            let Some(info) = found else {
                return Ok(None);
            };
            // `ContractInfo` starts with its `trie_id` (bytes), then the
            // `code_hash`: decode just that prefix.
            let (_trie_id, code_hash) = <(Vec<u8>, Hash)>::decode(&mut info.encoded())
                .map_err(|e| ChainError::Transport(format!("decoding ContractInfoOf: {e}")))?;
            Ok(Some(code_hash))
        })
    }

    /// Dry-runs a call of `contract` with `data` and `value` as `origin`.
    pub fn dry_run(
        &mut self,
        origin: AccountId,
        contract: AccountId,
        value: Balance,
        data: Vec<u8>,
    ) -> Result<DryRun, ChainError> {
        self.with(|c| async move {
            // pallet-contracts' `ContractsApi::call(origin, dest, value,
            // gas_limit, storage_deposit_limit, input_data)`.
            let params = (
                origin,
                contract,
                value,
                None::<Weight>,
                None::<Balance>,
                data,
            )
                .encode();
            let bytes = c
                .rpc
                .state_call("ContractsApi_call", Some(&params), None)
                .await
                .map_err(transport("ContractsApi_call"))?;
            decode_dry_run(&bytes, &c.client.metadata())
        })
    }

    /// A read-only message's reply (as `origin`).
    pub fn query<R: Decode>(
        &mut self,
        origin: AccountId,
        contract: AccountId,
        data: Vec<u8>,
    ) -> Result<R, ChainError> {
        let dry = self.dry_run(origin, contract, 0, data)?;
        if dry.reverted {
            return Err(ChainError::Transport("the query reverted".into()));
        }
        let reply: ink::MessageResult<R> = Decode::decode(&mut &dry.data[..])
            .map_err(|e| ChainError::Transport(format!("decoding the reply: {e}")))?;
        reply.map_err(|e| ChainError::Transport(format!("{e:?}")))
    }

    /// A message returning `Result<T, E>`: dry-run, and if the contract
    /// accepts it, signed by `signer` and sent with `value`. Returns the dry
    /// run's `T` and the events of the block it landed in.
    pub fn call<T: Decode, E: Decode + Debug>(
        &mut self,
        signer: &Keypair,
        contract: AccountId,
        value: Balance,
        data: Vec<u8>,
    ) -> Result<(T, Events<Config>), CallError<E>> {
        let dry = self.dry_run(account_of(signer), contract, value, data.clone())?;
        let reply: ink::MessageResult<Result<T, E>> = Decode::decode(&mut &dry.data[..])
            .map_err(|e| ChainError::Transport(format!("decoding the reply: {e}")))?;
        let returned = match reply {
            Ok(Ok(returned)) if !dry.reverted => returned,
            Ok(Ok(_)) => return Err(ChainError::Transport("the call reverted".into()).into()),
            Ok(Err(e)) => return Err(CallError::Refused(e)),
            Err(lang) => return Err(ChainError::Transport(format!("{lang:?}")).into()),
        };
        let payload = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(contract)]),
                Value::u128(value),
                weight_value(dry.gas_required.with_margin()),
                Value::unnamed_variant("None", []),
                Value::from_bytes(data),
            ],
        );
        let events = self.submit(signer, payload)?;
        Ok((returned, events))
    }

    /// Moves `value` from `signer` to `to` (`Balances::transfer_keep_alive`).
    pub fn transfer(
        &mut self,
        signer: &Keypair,
        to: AccountId,
        value: Balance,
    ) -> Result<(), ChainError> {
        let payload = subxt::dynamic::tx(
            "Balances",
            "transfer_keep_alive",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(to)]),
                Value::u128(value),
            ],
        );
        self.submit(signer, payload).map(|_| ())
    }

    /// Produces a block on an instant-seal node (`System::remark`).
    pub fn remark(&mut self, signer: &Keypair) -> Result<(), ChainError> {
        let payload = subxt::dynamic::tx("System", "remark", vec![Value::from_bytes(b"dinfra")]);
        self.submit(signer, payload).map(|_| ())
    }

    /// Signs and sends `payload` and waits for it to be in a block; returns
    /// that block's events.
    fn submit(
        &mut self,
        signer: &Keypair,
        payload: subxt::tx::DynamicPayload,
    ) -> Result<Events<Config>, ChainError> {
        let signer = signer.clone();
        self.with(|c| async move {
            let included = async {
                // The nonce from the pool-aware RPC, not subxt's default
                // (read at the finalized block, which an instant-seal node
                // leaves behind: "Transaction is outdated"). Immortal, for
                // the same reason.
                let nonce = c
                    .rpc
                    .system_account_next_index(&subxt::utils::AccountId32(account_of(&signer)))
                    .await
                    .map_err(transport("reading the nonce"))?;
                let params = DefaultExtrinsicParamsBuilder::<Config>::new()
                    .nonce(nonce)
                    .build();
                let mut progress = c
                    .client
                    .tx()
                    .create_signed_offline(&payload, &signer, params)
                    .map_err(transport("signing"))?
                    .submit_and_watch()
                    .await
                    .map_err(transport("submitting"))?;
                while let Some(status) = progress.next().await {
                    match status.map_err(transport("watching the transaction"))? {
                        TxStatus::InBestBlock(in_block) | TxStatus::InFinalizedBlock(in_block) => {
                            let block = in_block.block_hash();
                            in_block.wait_for_success().await.map_err(|e| {
                                ChainError::Transport(format!("the call failed: {e}"))
                            })?;
                            return c
                                .client
                                .events()
                                .at(block)
                                .await
                                .map_err(transport("reading the block's events"));
                        }
                        TxStatus::Error { message }
                        | TxStatus::Invalid { message }
                        | TxStatus::Dropped { message } => {
                            return Err(ChainError::Transport(format!(
                                "the transaction was not included: {message}"
                            )))
                        }
                        _ => continue,
                    }
                }
                Err(ChainError::Transport(
                    "the node stopped reporting on the transaction".into(),
                ))
            };
            tokio::time::timeout(INCLUSION_TIMEOUT, included)
                .await
                .map_err(|_| {
                    ChainError::Transport(format!(
                        "the transaction was not in a block within {} s",
                        INCLUSION_TIMEOUT.as_secs()
                    ))
                })?
        })
    }

    /// The events of block `number`, or `None` if the node no longer has
    /// that block's state (events are kept in state, which a pruning node —
    /// the default — keeps for its last 256 blocks only).
    pub fn events_at(&mut self, number: BlockNumber) -> Result<Option<Events<Config>>, ChainError> {
        self.with(|c| async move {
            let hash = c
                .rpc
                .chain_get_block_hash(Some(number.into()))
                .await
                .map_err(transport("reading a block hash"))?
                .ok_or_else(|| ChainError::Transport(format!("the node has no block {number}")))?;
            match c.client.events().at(hash).await {
                Ok(events) => Ok(Some(events)),
                Err(e) if is_pruned(&e) => Ok(None),
                Err(e) => Err(transport("reading a block's events")(e)),
            }
        })
    }
}

/// The node's answer for a block whose state it has discarded.
fn is_pruned(error: &subxt::Error) -> bool {
    let text = error.to_string();
    text.contains("State already discarded") || text.contains("UnknownBlock")
}

/// `contract`'s events among `events`: (first topic, data) each.
pub fn emitted_by(
    events: &Events<Config>,
    contract: AccountId,
) -> Result<Vec<Emitted>, ChainError> {
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.map_err(transport("decoding an event"))?;
        if event.pallet_name() != "Contracts" || event.variant_name() != "ContractEmitted" {
            continue;
        }
        let (emitter, data) = <(AccountId, Vec<u8>)>::decode(&mut event.field_bytes())
            .map_err(|e| ChainError::Transport(format!("decoding ContractEmitted: {e}")))?;
        if emitter == contract {
            out.push((event.topics().first().map(|topic| topic.0), data));
        }
    }
    Ok(out)
}

/// `contract`'s events of type `E` among `events`, matched by signature.
pub fn decoded<E: ink::env::Event + Decode>(
    events: &Events<Config>,
    contract: AccountId,
) -> Result<Vec<E>, ChainError> {
    emitted_by(events, contract)?
        .into_iter()
        .filter(|(signature, _)| E::SIGNATURE_TOPIC.is_some() && *signature == E::SIGNATURE_TOPIC)
        .map(|(_, data)| {
            E::decode(&mut &data[..])
                .map_err(|e| ChainError::Transport(format!("decoding an event: {e}")))
        })
        .collect()
}

fn weight_value(weight: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(weight.ref_time.into())),
        ("proof_size", Value::u128(weight.proof_size.into())),
    ])
}

/// Decodes pallet-contracts' `ContractExecResult` as far as its `result`:
/// `gas_consumed`, `gas_required`, `storage_deposit`, `debug_message`, then
/// `Ok(ExecReturnValue { flags, data })` or `Err(DispatchError)`.
fn decode_dry_run(bytes: &[u8], metadata: &subxt::Metadata) -> Result<DryRun, ChainError> {
    let bad = |e: scale::Error| ChainError::Transport(format!("decoding the dry run: {e}"));
    let input = &mut &bytes[..];
    let _gas_consumed = Weight::decode(input).map_err(bad)?;
    let gas_required = Weight::decode(input).map_err(bad)?;
    let _storage_deposit = StorageDeposit::decode(input).map_err(bad)?;
    let debug_message = Vec::<u8>::decode(input).map_err(bad)?;
    match u8::decode(input).map_err(bad)? {
        0 => {
            // `ReturnFlags`: bit 0 is REVERT.
            let flags = u32::decode(input).map_err(bad)?;
            let data = Vec::<u8>::decode(input).map_err(bad)?;
            Ok(DryRun {
                gas_required,
                reverted: flags & 1 == 1,
                data,
            })
        }
        1 => {
            let error = subxt::error::DispatchError::decode_from(*input, metadata.clone())
                .map_or_else(|e| format!("(undecodable: {e})"), |e| e.to_string());
            let debug = String::from_utf8_lossy(&debug_message);
            Err(ChainError::Transport(format!(
                "the dry run failed: {error}{}{debug}",
                if debug.is_empty() { "" } else { "; " }
            )))
        }
        tag => Err(ChainError::Transport(format!(
            "decoding the dry run: result tag {tag}"
        ))),
    }
}
