//! Running one drawn operation against the suite, and its `Outcome`: whether
//! it was refused (by which contract's error, or by the runtime itself), who
//! sent what into which subscription, the storage deposit, what moved
//! outside the contracts (a drain, a revival), and the events of the call
//! that the books and the checks read. Also checks what the create, claim,
//! schedule and credit messages return against their own events.

use crate::draw::{GovAction, Kind, Op};
use crate::world::World;
use dinfra::admin::{AdminError, ChangeApplied, ChangeCancelled, ChangeScheduled};
use dinfra::traits::{EscrowError, SubscriptionError};
use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;
use dinfra_escrow::escrow::{CreditWithdrawn, Credited};
use dinfra_subscription::subscription::{
    Awarded, Claimed, Closed, PriceChanged, SubscriptionCreated,
};
use ink::scale::Decode;
use std::fmt::Debug;

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Subscription(SubscriptionError),
    Admin(AdminError),
    Escrow(EscrowError),
    /// The runtime refused the call itself (not a contract's `Err`): a
    /// drained account cannot pay a storage deposit, say.
    Runtime(String),
}

/// What a call returned when it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Nothing,
    Id(u64),
    Amount(u128),
    Change(u32),
}

/// What one step did to the money, as the calls reported it.
pub struct Outcome {
    pub ok: bool,
    pub error: Option<Refusal>,
    pub returned: Returned,
    /// Who sent the call; `None` when the step made no call.
    pub actor: Option<AccountId32>,
    /// Value the actor sent that the contracts kept (0 when refused).
    pub sent: u128,
    /// The subscription the value went to.
    pub sent_to: Option<u64>,
    /// Net storage deposit the actor paid.
    pub storage: i128,
    /// A transfer outside the contracts: (from, to, amount).
    pub moved: Option<(AccountId32, AccountId32, u128)>,
    /// The events of the call (none without a call: the last batch of
    /// events is then an older step's).
    pub claimed: Vec<Claimed>,
    pub closed: Vec<Closed>,
    pub price_changed: Vec<PriceChanged>,
    pub awarded: Vec<Awarded>,
    pub credited: Vec<Credited>,
    pub credit_withdrawn: Vec<CreditWithdrawn>,
    /// Governance events of the contract the call went to.
    pub scheduled: Vec<ChangeScheduled>,
    pub applied: Vec<ChangeApplied>,
    pub cancelled: Vec<ChangeCancelled>,
}

impl Outcome {
    /// Whether the step called a contract.
    pub fn called(&self) -> bool {
        self.actor.is_some()
    }

    /// A step that called no contract.
    fn no_call() -> Self {
        Self {
            ok: true,
            error: None,
            returned: Returned::Nothing,
            actor: None,
            sent: 0,
            sent_to: None,
            storage: 0,
            moved: None,
            claimed: Vec::new(),
            closed: Vec::new(),
            price_changed: Vec::new(),
            awarded: Vec::new(),
            credited: Vec::new(),
            credit_withdrawn: Vec::new(),
            scheduled: Vec::new(),
            applied: Vec::new(),
            cancelled: Vec::new(),
        }
    }

    /// The last call, to `contract` by `actor` sending `sent` to `sent_to`,
    /// which answered `reply`.
    fn of_call(
        session: &Sandbox,
        world: &World,
        contract: &AccountId32,
        reply: Result<Returned, Refusal>,
        actor: &AccountId32,
        sent: u128,
        sent_to: Option<u64>,
    ) -> Self {
        let subscription = &world.suite.subscription;
        let escrow = &world.suite.escrow;
        let ok = reply.is_ok();
        Self {
            ok,
            returned: *reply.as_ref().unwrap_or(&Returned::Nothing),
            error: reply.err(),
            actor: Some(actor.clone()),
            sent: if ok { sent } else { 0 },
            sent_to,
            storage: storage_charge(session),
            moved: None,
            claimed: events(session, subscription),
            closed: events(session, subscription),
            price_changed: events(session, subscription),
            awarded: events(session, subscription),
            credited: events(session, escrow),
            credit_withdrawn: events(session, escrow),
            scheduled: events(session, contract),
            applied: events(session, contract),
            cancelled: events(session, contract),
        }
    }
}

/// Calls `message` on `contract` as `actor` sending `value`: the contract's
/// `Ok` or `Err`, or the runtime's refusal of the call itself. Panics on a
/// trap or a `LangError`, which are never expected.
fn try_call<T: Decode + Debug, E: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    actor: &AccountId32,
    message: &str,
    args: &[String],
    value: u128,
) -> Result<Result<T, E>, String> {
    session.set_actor(actor.clone());
    let endowment = (value > 0).then_some(value);
    match session.call_with_address::<_, Result<T, E>>(contract.clone(), message, args, endowment) {
        Ok(result) => Ok(result.unwrap_or_else(|e| panic!("{message}: LangError {e:?}"))),
        Err(error) => match error.decode_revert::<Result<T, E>>() {
            Ok(reverted) => {
                let reply = reverted.unwrap_or_else(|e| panic!("{message}: LangError {e:?}"));
                assert!(reply.is_err(), "{message}: reverted with Ok");
                Ok(reply)
            }
            Err(failed) => Err(runtime_error(&format!("{failed:?}"))),
        },
    }
}

/// The name of a runtime error, from its debug text.
fn runtime_error(text: &str) -> String {
    match text.split("message: Some(\"").nth(1) {
        Some(rest) => rest.split('"').next().unwrap_or(rest).to_string(),
        None => text.chars().take(80).collect(),
    }
}

fn message(kind: Kind) -> &'static str {
    match kind {
        Kind::MarkReady => "mark_ready",
        Kind::Decline => "decline",
        Kind::TopUp => "Subscription::top_up",
        Kind::Cancel => "Subscription::cancel",
        Kind::Exit => "exit",
        Kind::ProposePrice => "propose_price",
        Kind::AcceptPrice => "Subscription::accept_price",
        Kind::RejectPrice => "Subscription::reject_price",
        Kind::ApplyPrice => "apply_price",
        Kind::Claim => "claim",
        Kind::Settle => "settle",
        Kind::Reaward => "reaward",
        _ => unreachable!("{kind:?} is not a message on one id"),
    }
}

/// A subscription message's reply as the outcome reads it.
fn subscription_reply<T>(
    reply: Result<Result<T, SubscriptionError>, String>,
    returned: impl FnOnce(T) -> Returned,
) -> Result<Returned, Refusal> {
    match reply {
        Ok(Ok(value)) => Ok(returned(value)),
        Ok(Err(error)) => Err(Refusal::Subscription(error)),
        Err(runtime) => Err(Refusal::Runtime(runtime)),
    }
}

/// Moves `amount` of `from`'s balance (everything, reaping it, if `all`)
/// to `to`, outside the contracts.
fn transfer(session: &mut Sandbox, from: &AccountId32, to: &AccountId32, all: bool, amount: u128) {
    let (from, to) = (from.clone(), to.clone());
    session.sandbox().execute_with(|| {
        let origin = dinfra_e2e_tests::sandbox::RuntimeOrigin::signed(from.clone());
        if all {
            drink::pallet_balances::Pallet::<DinfraSandboxRuntime>::transfer_all(
                origin,
                to.into(),
                false,
            )
            .expect("draining an account");
            assert!(
                !ink_sandbox::frame_system::Pallet::<DinfraSandboxRuntime>::account_exists(&from),
                "a drained account is reaped"
            );
        } else {
            drink::pallet_balances::Pallet::<DinfraSandboxRuntime>::transfer_keep_alive(
                origin,
                to.into(),
                amount,
            )
            .expect("reviving an account");
        }
    });
}

/// Runs `op` and returns what it did.
pub fn execute(session: &mut Sandbox, world: &World, op: &Op) -> Outcome {
    let subscription = world.suite.subscription.clone();
    match op {
        Op::Advance(blocks) => {
            let target = block_number(session) + blocks;
            session.sandbox().execute_with(|| {
                ink_sandbox::frame_system::Pallet::<DinfraSandboxRuntime>::set_block_number(target)
            });
            Outcome::no_call()
        }
        Op::Drain(who) => {
            let amount = free_balance(session, who);
            transfer(session, who, &world.stranger, true, 0);
            Outcome {
                moved: Some((who.clone(), world.stranger.clone(), amount)),
                ..Outcome::no_call()
            }
        }
        Op::Revive { who, amount } => {
            transfer(session, &world.stranger, who, false, *amount);
            Outcome {
                moved: Some((world.stranger.clone(), who.clone(), *amount)),
                ..Outcome::no_call()
            }
        }
        Op::Create {
            consumer,
            type_id,
            requirements,
            offer,
            deposit,
        } => {
            let args = vec![
                type_id.to_string(),
                descriptor_arg(9, "ipfs://rpc-node"),
                requirements_arg(requirements),
                option_arg(*offer),
            ];
            let reply = try_call::<u64, SubscriptionError>(
                session,
                &subscription,
                consumer,
                "Subscription::create",
                &args,
                *deposit,
            );
            let reply = subscription_reply(reply, Returned::Id);
            let id = match reply {
                Ok(Returned::Id(id)) => Some(id),
                _ => None,
            };
            if let Some(id) = id {
                let created = the_event::<SubscriptionCreated>(session, &subscription);
                assert_eq!(
                    (created.id, created.deposit),
                    (id, *deposit),
                    "SubscriptionCreated"
                );
            }
            Outcome::of_call(session, world, &subscription, reply, consumer, *deposit, id)
        }
        Op::OnId {
            kind,
            actor,
            id,
            value,
            rate,
        } => {
            let mut args = match kind {
                Kind::MarkReady => mark_ready_args(*id),
                _ => vec![id.to_string()],
            };
            if let Some(rate) = rate {
                args.push(rate.to_string());
            }
            let sent_to = (*kind == Kind::TopUp).then_some(*id);
            if *kind != Kind::Claim {
                let reply = try_call::<(), SubscriptionError>(
                    session,
                    &subscription,
                    actor,
                    message(*kind),
                    &args,
                    *value,
                );
                let reply = subscription_reply(reply, |()| Returned::Nothing);
                return Outcome::of_call(
                    session,
                    world,
                    &subscription,
                    reply,
                    actor,
                    *value,
                    sent_to,
                );
            }
            let reply = try_call::<u128, SubscriptionError>(
                session,
                &subscription,
                actor,
                "claim",
                &args,
                0,
            );
            let reply = subscription_reply(reply, Returned::Amount);
            let outcome = Outcome::of_call(session, world, &subscription, reply, actor, 0, None);
            if let Returned::Amount(amount) = outcome.returned {
                let events = &outcome.claimed;
                assert_eq!(events.len(), 1, "one Claimed per claim");
                assert_eq!(events[0].claims, [(*id, amount)], "Claimed");
                assert_eq!(events[0].amount, amount, "Claimed");
                assert!(amount > 0, "a claim of nothing succeeded");
            }
            outcome
        }
        Op::ClaimMany { actor, ids } => {
            let list = ids_arg(ids.iter().copied());
            let reply = try_call::<u128, SubscriptionError>(
                session,
                &subscription,
                actor,
                "claim_many",
                &[list],
                0,
            );
            let reply = subscription_reply(reply, Returned::Amount);
            let outcome = Outcome::of_call(session, world, &subscription, reply, actor, 0, None);
            if let Returned::Amount(total) = outcome.returned {
                assert_eq!(outcome.claimed.len(), 1, "one Claimed per claim_many");
                assert_eq!(
                    outcome.claimed[0].amount, total,
                    "claim_many returns its Claimed total"
                );
                assert!(total > 0);
            }
            outcome
        }
        Op::Governance {
            actor,
            contract,
            action,
        } => {
            let address = world.address(*contract).clone();
            let (message, arg) = match action {
                GovAction::Schedule(change) => (
                    "Admin::schedule_change",
                    match change {
                        dinfra::governance::Change::Code(hash) => {
                            code_change(<[u8; 32]>::from(*hash))
                        }
                        dinfra::governance::Change::Delay(delay) => format!("Delay({delay})"),
                        dinfra::governance::Change::Link(..) => {
                            unreachable!("the test never rewires the suite")
                        }
                    },
                ),
                GovAction::Apply(id) => ("Admin::apply_change", id.to_string()),
                GovAction::Cancel(id) => ("Admin::cancel_change", id.to_string()),
            };
            let reply = match action {
                GovAction::Schedule(_) => {
                    match try_call::<u32, AdminError>(session, &address, actor, message, &[arg], 0)
                    {
                        Ok(Ok(id)) => Ok(Returned::Change(id)),
                        Ok(Err(e)) => Err(Refusal::Admin(e)),
                        Err(runtime) => Err(Refusal::Runtime(runtime)),
                    }
                }
                _ => match try_call::<(), AdminError>(session, &address, actor, message, &[arg], 0)
                {
                    Ok(Ok(())) => Ok(Returned::Nothing),
                    Ok(Err(e)) => Err(Refusal::Admin(e)),
                    Err(runtime) => Err(Refusal::Runtime(runtime)),
                },
            };
            Outcome::of_call(session, world, &address, reply, actor, 0, None)
        }
        Op::Configure { actor, parameters } => {
            let arg = format!(
                "Parameters {{ ready_timeout: {}, consumer_notice: {} }}",
                parameters.ready_timeout, parameters.consumer_notice
            );
            let reply = try_call::<(), SubscriptionError>(
                session,
                &subscription,
                actor,
                "configure",
                &[arg],
                0,
            );
            let reply = subscription_reply(reply, |()| Returned::Nothing);
            Outcome::of_call(session, world, &subscription, reply, actor, 0, None)
        }
        Op::WithdrawCredit(who) => {
            let escrow = world.suite.escrow.clone();
            let reply = match try_call::<u128, EscrowError>(
                session,
                &escrow,
                who,
                "withdraw_credit",
                &[],
                0,
            ) {
                Ok(Ok(amount)) => Ok(Returned::Amount(amount)),
                Ok(Err(e)) => Err(Refusal::Escrow(e)),
                Err(runtime) => Err(Refusal::Runtime(runtime)),
            };
            let outcome = Outcome::of_call(session, world, &escrow, reply, who, 0, None);
            if let Returned::Amount(amount) = outcome.returned {
                let events = &outcome.credit_withdrawn;
                assert_eq!(events.len(), 1, "one CreditWithdrawn per withdrawal");
                assert_eq!(
                    (events[0].account, events[0].amount),
                    (ink_account(who), amount),
                    "CreditWithdrawn"
                );
            }
            outcome
        }
    }
}
