//! A market for scenario tests: a deployed suite with one deployment type,
//! providers with one offer each, a consumer, a sponsor, a stranger and the
//! admin — and calls that check, every time, that no native balance
//! appeared or vanished across all of them, and that a refused call moved
//! nothing.

use crate::*;
use dinfra::traits::Details;
use dinfra::traits::{Requirements, SubscriptionError};
use dinfra_subscription::subscription::{Claimed, Closed, DeploymentReady};
use drink::AccountId32;
use ink::scale::Decode;
use std::fmt::Debug;

/// What a subscription message replies.
pub type Reply<T> = Result<T, SubscriptionError>;

pub struct Market {
    pub suite: Suite,
    pub admin: AccountId32,
    pub consumer: AccountId32,
    pub sponsor: AccountId32,
    pub stranger: AccountId32,
    pub providers: Vec<AccountId32>,
    pub offers: Vec<u64>,
    /// Accounts that joined later (a multisig admin, a second consumer …),
    /// counted in the total.
    pub others: Vec<AccountId32>,
    /// Σ free + held of every account and contract: never changes.
    pub total: u128,
}

impl Market {
    /// A suite with type 0 and a provider (seeds 10, 11, …) for each offer.
    pub fn new(session: &mut Sandbox, specs: &[OfferSpec]) -> Self {
        let suite = deploy_suite(session).expect("deploying the suite");
        let admin = session.get_actor();
        assert_eq!(register_type(session, &suite, "substrate-rpc"), 0);
        let mut market = Self {
            suite,
            admin,
            consumer: funded_account(session, 30),
            sponsor: funded_account(session, 31),
            stranger: funded_account(session, 32),
            providers: Vec::new(),
            offers: Vec::new(),
            others: Vec::new(),
            total: 0,
        };
        for spec in specs {
            market.add_provider(session, spec);
        }
        market.total = market.sum(session);
        market
    }

    /// Registers one more provider with an offer on `spec`; returns its
    /// index.
    pub fn add_provider(&mut self, session: &mut Sandbox, spec: &OfferSpec) -> usize {
        let index = self.providers.len();
        let provider = funded_account(session, 10 + index as u8);
        self.offers.push(provider_with_terms(
            session,
            &self.suite,
            &provider,
            &[],
            0,
            *spec,
        ));
        self.providers.push(provider);
        self.total = self.sum(session);
        index
    }

    /// Counts `account` (funded or created since) in the total from now on.
    pub fn include(&mut self, session: &mut Sandbox, account: AccountId32) {
        self.others.push(account);
        self.total = self.sum(session);
    }

    /// Takes the total afresh (after minting into an account of the market).
    pub fn recount(&mut self, session: &mut Sandbox) {
        self.total = self.sum(session);
    }

    pub fn everyone(&self) -> Vec<AccountId32> {
        let mut all = vec![
            self.admin.clone(),
            self.consumer.clone(),
            self.sponsor.clone(),
            self.stranger.clone(),
        ];
        all.extend(self.suite.contracts());
        all.extend(self.providers.iter().cloned());
        all.extend(self.others.iter().cloned());
        all
    }

    /// Each contract of the suite's total balance, in `contracts()` order.
    fn contract_balances(&self, session: &mut Sandbox) -> Vec<u128> {
        self.suite
            .contracts()
            .iter()
            .map(|c| total_balance(session, c))
            .collect()
    }

    /// How many subscriptions the subscription contract ever created.
    pub fn subscription_count(&self, session: &mut Sandbox) -> u64 {
        call(session, &self.suite.subscription, "subscription_count", &[])
    }

    pub fn sum(&self, session: &mut Sandbox) -> u128 {
        total_of(session, &self.everyone())
    }

    /// Calls `message` on `contract` as `who`, sending `value`, and returns
    /// the reply with what `who` received net of storage deposits (negative
    /// when it paid). Checks that no balance appeared or vanished, and that
    /// a refused call moved nothing at all.
    pub fn act_on<T: Decode + Debug, E: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (Result<T, E>, i128) {
        session.set_actor(who.clone());
        let before = free_balance(session, who);
        let contracts_before = self.contract_balances(session);
        let reply: Result<T, E> = call_with_value(session, contract, message, args, value);
        let after = free_balance(session, who);
        assert_eq!(
            self.sum(session),
            self.total,
            "{message}: money appeared or vanished"
        );
        if reply.is_err() {
            assert_eq!(after, before, "{message}: a refused call moved value");
            assert_eq!(
                self.contract_balances(session),
                contracts_before,
                "{message}: a refused call moved a contract's balance"
            );
            return (reply, 0);
        }
        let received = after as i128 - before as i128 + storage_charge(session);
        (reply, received)
    }

    /// [`Market::act_on`] the subscription contract.
    pub fn act<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (Reply<T>, i128) {
        self.act_on(session, who, &self.suite.subscription, message, args, value)
    }

    /// As [`Market::act`] for a call that must succeed.
    pub fn ok<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (T, i128) {
        let (reply, received) = self.act(session, who, message, args, value);
        (
            reply.unwrap_or_else(|e| panic!("{message}: {e:?}")),
            received,
        )
    }

    /// A subscription call that must be refused with `expected` (and, as
    /// every refused call, move nothing).
    pub fn refused(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
        expected: SubscriptionError,
    ) {
        let (reply, _) = self.act::<()>(session, who, message, args, value);
        assert_eq!(reply, Err(expected), "{message}");
    }

    /// `create` by `consumer` with `deposit`, naming `offer` or letting the
    /// award choose; checks the consumer paid exactly the deposit.
    pub fn create_as(
        &self,
        session: &mut Sandbox,
        consumer: &AccountId32,
        requirements: &Requirements,
        offer: Option<u64>,
        deposit: u128,
    ) -> Reply<u64> {
        let (reply, received) = self.act::<u64>(
            session,
            consumer,
            "Subscription::create",
            &create_args(0, requirements, offer),
            deposit,
        );
        if reply.is_ok() {
            assert_eq!(
                received,
                -(deposit as i128),
                "the consumer paid its deposit"
            );
        }
        reply
    }

    /// `create` by the consumer, which must succeed.
    pub fn create(&self, session: &mut Sandbox, requirements: &Requirements, deposit: u128) -> u64 {
        let consumer = self.consumer.clone();
        self.create_as(session, &consumer, requirements, None, deposit)
            .unwrap_or_else(|e| panic!("create: {e:?}"))
    }

    /// `message(id)` as `who`, which must succeed; returns what `who` received.
    pub fn on(&self, session: &mut Sandbox, who: &AccountId32, message: &str, id: u64) -> i128 {
        self.ok::<()>(session, who, message, &[id.to_string()], 0).1
    }

    /// The provider at `provider` marks `id` ready; returns the ready block.
    pub fn ready(&self, session: &mut Sandbox, id: u64, provider: usize) -> u32 {
        let who = &self.providers[provider];
        self.ok::<()>(session, who, "mark_ready", &mark_ready_args(id), 0);
        let ready = the_event::<DeploymentReady>(session, &self.suite.subscription);
        assert_eq!(ready.id, id);
        assert_eq!(ready.access.uris, [access_uri(id)], "the access record");
        ready.at
    }

    /// The provider at `provider` claims `id`; returns the amount.
    pub fn claim(&self, session: &mut Sandbox, id: u64, provider: usize) -> u128 {
        let (amount, received) = self.ok::<u128>(
            session,
            &self.providers[provider],
            "claim",
            &[id.to_string()],
            0,
        );
        assert_eq!(received, amount as i128, "the provider received its claim");
        let claimed = the_event::<Claimed>(session, &self.suite.subscription);
        assert_eq!(
            (claimed.claims, claimed.amount),
            (vec![(id, amount)], amount)
        );
        amount
    }

    pub fn reputation(&self, session: &mut Sandbox, provider: usize) -> dinfra::traits::Reputation {
        let record: Option<dinfra_registry::data::Provider> = call(
            session,
            &self.suite.registry,
            "provider",
            &[self.providers[provider].to_string()],
        );
        record.expect("a registered provider").reputation
    }

    pub fn details(&self, session: &mut Sandbox, id: u64) -> Details {
        details(session, &self.suite, id)
    }

    /// The one `Closed` event of the last call.
    pub fn closed(&self, session: &mut Sandbox) -> Closed {
        the_event::<Closed>(session, &self.suite.subscription)
    }
}

/// `create`'s arguments: type, the test descriptor, requirements, offer.
pub fn create_args(type_id: u32, requirements: &Requirements, offer: Option<u64>) -> Vec<String> {
    vec![
        type_id.to_string(),
        descriptor_arg(9, "ipfs://rpc-node"),
        requirements_arg(requirements),
        option_arg(offer),
    ]
}

/// A Fixed-price offer with capacity 5 and no cancel fee.
pub fn fixed(price_per_block: u128, min_duration: u32, notice_blocks: u32) -> OfferSpec {
    OfferSpec {
        price_per_block,
        capacity: 5,
        min_duration,
        notice_blocks,
        dynamic: false,
        cancel_fee: 0,
    }
}

/// Requirements of a consumer paying at most `max_price_per_block` who
/// commits to 1,000 blocks (so offers' minimum durations fit).
pub fn wants(max_price_per_block: u128) -> Requirements {
    Requirements {
        min_duration: 1_000,
        ..max_price(max_price_per_block)
    }
}
