//! Running one drawn operation against the suite, and its `Outcome`: whether
//! it was refused (and why), who sent what into which subscription, the
//! storage deposit, and the subscription contract's events of the call, as
//! the books and the checks read them. Also checks what the create and claim
//! messages return against their own events.

use crate::draw::{Kind, Op};
use crate::world::World;
use dinfra::traits::SubscriptionError;
use dinfra_e2e_tests::drink::{AccountId32, Sandbox as _};
use dinfra_e2e_tests::*;
use dinfra_subscription::subscription::{
    Awarded, Claimed, Closed, PriceChanged, SubscriptionCreated,
};
use ink::scale::Decode;
use std::fmt::Debug;

/// What one step did to the money, as the calls reported it.
pub struct Outcome {
    pub ok: bool,
    pub error: Option<SubscriptionError>,
    /// Who sent the call; `None` when the step made no call (blocks passed).
    pub actor: Option<AccountId32>,
    /// Value the actor sent that the contracts kept (0 when refused).
    pub sent: u128,
    /// The subscription the value went to.
    pub sent_to: Option<u64>,
    /// Net storage deposit the actor paid.
    pub storage: i128,
    /// The subscription contract's events of the call (none without a call:
    /// the last batch of events is then an older step's).
    pub claimed: Vec<Claimed>,
    pub closed: Vec<Closed>,
    pub price_changed: Vec<PriceChanged>,
    pub awarded: Vec<Awarded>,
}

impl Outcome {
    /// Whether the step called a contract (every operation but `Advance`).
    pub fn called(&self) -> bool {
        self.actor.is_some()
    }

    /// A step that called no contract.
    fn no_call() -> Self {
        Self {
            ok: true,
            error: None,
            actor: None,
            sent: 0,
            sent_to: None,
            storage: 0,
            claimed: Vec::new(),
            closed: Vec::new(),
            price_changed: Vec::new(),
            awarded: Vec::new(),
        }
    }

    /// The last call, by `actor` sending `sent` to `sent_to`, which
    /// returned `result`.
    fn of_call<T>(
        session: &Sandbox,
        world: &World,
        result: &Result<T, SubscriptionError>,
        actor: &AccountId32,
        sent: u128,
        sent_to: Option<u64>,
    ) -> Self {
        let subscription = &world.suite.subscription;
        Self {
            ok: result.is_ok(),
            error: result.as_ref().err().copied(),
            actor: Some(actor.clone()),
            sent: if result.is_ok() { sent } else { 0 },
            sent_to,
            storage: storage_charge(session),
            claimed: events(session, subscription),
            closed: events(session, subscription),
            price_changed: events(session, subscription),
            awarded: events(session, subscription),
        }
    }
}

fn message(kind: Kind) -> &'static str {
    match kind {
        Kind::MarkReady => "mark_ready",
        Kind::TopUp => "top_up",
        Kind::Cancel => "cancel",
        Kind::Exit => "exit",
        Kind::ProposePrice => "propose_price",
        Kind::AcceptPrice => "accept_price",
        Kind::RejectPrice => "reject_price",
        Kind::ApplyPrice => "apply_price",
        Kind::Claim => "claim",
        Kind::Settle => "settle",
        Kind::Reaward => "reaward",
        Kind::AdminClose => "admin_close",
        _ => unreachable!("{kind:?} is not a message on one id"),
    }
}

fn run<T: Decode + Debug>(
    session: &mut Sandbox,
    world: &World,
    actor: &AccountId32,
    message: &str,
    args: &[String],
    value: u128,
) -> Result<T, SubscriptionError> {
    session.set_actor(actor.clone());
    subscription_call(session, &world.suite, message, args, value)
}

/// Runs `op` and returns what it did.
pub fn execute(session: &mut Sandbox, world: &World, op: &Op) -> Outcome {
    match op {
        Op::Advance(blocks) => {
            let target = block_number(session) + blocks;
            session.sandbox().execute_with(|| {
                ink_sandbox::frame_system::Pallet::<drink::minimal::MinimalSandboxRuntime>::set_block_number(target)
            });
            Outcome::no_call()
        }
        Op::Create {
            consumer,
            type_id,
            requirements,
            deposit,
        } => {
            let consumer = &world.consumers[*consumer];
            session.set_actor(consumer.clone());
            let result =
                create_subscription(session, &world.suite, *type_id, requirements, *deposit);
            let id = result.as_ref().ok().copied();
            if let Some(id) = id {
                let created = the_event::<SubscriptionCreated>(session, &world.suite.subscription);
                assert_eq!(
                    (created.id, created.deposit),
                    (id, *deposit),
                    "SubscriptionCreated"
                );
            }
            Outcome::of_call(session, world, &result, consumer, *deposit, id)
        }
        Op::OnId {
            kind,
            actor,
            id,
            value,
            rate,
        } => {
            let mut args = vec![id.to_string()];
            if let Some(rate) = rate {
                args.push(rate.to_string());
            }
            let sent_to = (*kind == Kind::TopUp).then_some(*id);
            if *kind != Kind::Claim {
                let result: Result<(), _> =
                    run(session, world, actor, message(*kind), &args, *value);
                return Outcome::of_call(session, world, &result, actor, *value, sent_to);
            }
            let claimed: Result<u128, _> = run(session, world, actor, message(*kind), &args, 0);
            let outcome = Outcome::of_call(session, world, &claimed, actor, *value, sent_to);
            if let Ok(amount) = claimed {
                let events = &outcome.claimed;
                assert_eq!(events.len(), 1, "one Claimed per claim");
                assert_eq!((events[0].id, events[0].amount), (*id, amount), "Claimed");
                assert!(amount > 0, "a claim of nothing succeeded");
            }
            outcome
        }
        Op::ClaimMany { actor, ids } => {
            let list = format!(
                "[{}]",
                ids.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let claimed: Result<u128, _> = run(session, world, actor, "claim_many", &[list], 0);
            let outcome = Outcome::of_call(session, world, &claimed, actor, 0, None);
            if let Ok(total) = claimed {
                let sum: u128 = outcome.claimed.iter().map(|e| e.amount).sum();
                assert_eq!(sum, total, "claim_many returns Σ of its Claimed events");
                assert!(total > 0);
            }
            outcome
        }
    }
}
