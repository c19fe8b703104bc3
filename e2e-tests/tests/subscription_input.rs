//! Every subscription message refuses bad input with its own error on the
//! real pallet-contracts runtime: an unknown id, the wrong caller, the wrong
//! phase or the wrong moment, a bad amount, uri, price, limit or parameter.
//! And a refused call writes nothing and moves no value: around each one the
//! caller's free balance (to the unit: a reverted call costs nothing in
//! drink), the sum of every balance, the details of every subscription, the
//! counters, the offers' reservations and the admin settings are the same
//! before and after, in the same block, and no contract event is left.

use dinfra::admin::AdminError;
use dinfra::lifecycle::Parameters;
use dinfra::stream::StreamError;
use dinfra::traits::Details;
use dinfra::traits::{EscrowError, RegistryError, Requirements, SubscriptionError};
use dinfra::types::{Invalid, MAX_TERM_BLOCKS};
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::*;
use ink::scale::Decode;
use std::fmt::Debug;

use dinfra::selection::Reject;
use SubscriptionError::{
    AlreadyEnding, InsufficientDeposit, NoProvider, NotFound, NothingToClaim, Paused,
    PriceAboveMax, ProposalChanged, ReadyTimeoutPassed, TooEarly, Unauthorized, WrongState,
};

type E = SubscriptionError;

// The errors with data, by name.
const ENDPOINT: E = E::InvalidInput(Invalid::Endpoint);
const PRICE: E = E::InvalidInput(Invalid::Price);
const REQUIREMENTS: E = E::InvalidInput(Invalid::Requirements);
const AMOUNT: E = E::InvalidInput(Invalid::Amount);
const LIMIT: E = E::InvalidInput(Invalid::Limit);
const PARAMETER: E = E::InvalidInput(Invalid::Parameter);
const ENDED: E = E::Escrow(EscrowError::Stream(StreamError::Ended));
// The registry chooses (the award link names it), so it refuses a type it
// does not know itself.
const UNKNOWN_TYPE: E = E::Registry(RegistryError::NotFound);
const UNKNOWN_OFFER: E = E::Registry(RegistryError::NotFound);
const NOT_ADMIN: AdminError = AdminError::Unauthorized;
const NO_PENDING: AdminError = AdminError::NoPendingTransfer;
const NO_CHANGE: AdminError = AdminError::NoSuchChange;

/// The Fixed offer, of type 0: 10 per block, at least 50 blocks.
const FIXED: OfferSpec = OfferSpec {
    price_per_block: 10,
    capacity: 10,
    min_duration: 50,
    notice_blocks: 10,
    dynamic: false,
    cancel_fee: 0,
};

/// The Dynamic offer, of type 1: 10 per block, repriced after 10 blocks.
const DYNAMIC: OfferSpec = OfferSpec {
    price_per_block: 10,
    capacity: 10,
    min_duration: 0,
    notice_blocks: 10,
    dynamic: true,
    cancel_fee: 0,
};

/// What every subscription here is created with.
const DEPOSIT: u128 = 10_000;

/// The consumer's price ceiling (a Dynamic reprice above it is refused).
const MAX_PRICE: u128 = 20;

/// Type 0's offer (Fixed) costs at least this much to subscribe to.
const MIN_DEPOSIT: u128 = FIXED.price_per_block * FIXED.min_duration as u128;

/// Everything a refused call must leave as it was.
#[derive(Debug, PartialEq)]
struct State {
    caller_free: u128,
    total: u128,
    count: u64,
    live: u64,
    /// `details` of every subscription, ids `0..count`.
    subscriptions: Vec<Option<Details>>,
    /// Reserved deployments of each offer.
    reserved: Vec<u32>,
    parameters: Parameters,
    award: AccountId32,
    paused: bool,
}

/// A market of two providers (one Fixed offer of type 0, one Dynamic of
/// type 1), a consumer, a stranger and the admin.
struct Bench {
    suite: Suite,
    admin: AccountId32,
    consumer: AccountId32,
    stranger: AccountId32,
    /// Provider of the Fixed offer.
    fixed: AccountId32,
    /// Provider of the Dynamic offer.
    dynamic: AccountId32,
    offers: [u64; 2],
}

impl Bench {
    fn new(session: &mut Sandbox) -> Self {
        let suite = deploy_suite(session).expect("deploying the suite");
        let admin = session.get_actor();
        assert_eq!(register_type(session, &suite, "fixed-rpc"), 0);
        assert_eq!(register_type(session, &suite, "dynamic-rpc"), 1);
        let fixed = funded_account(session, 10);
        let dynamic = funded_account(session, 11);
        let offers = [
            provider_with_terms(session, &suite, &fixed, &[], 0, FIXED),
            provider_with_terms(session, &suite, &dynamic, &[], 1, DYNAMIC),
        ];
        Self {
            suite,
            admin,
            consumer: funded_account(session, 30),
            stranger: funded_account(session, 31),
            fixed,
            dynamic,
            offers,
        }
    }

    fn everyone(&self) -> Vec<AccountId32> {
        let mut all = vec![
            self.admin.clone(),
            self.consumer.clone(),
            self.stranger.clone(),
            self.fixed.clone(),
            self.dynamic.clone(),
        ];
        all.extend(self.suite.contracts());
        all
    }

    fn query<T: Decode + Debug>(&self, session: &mut Sandbox, message: &str, args: &[String]) -> T {
        call(session, &self.suite.subscription, message, args)
    }

    fn state(&self, session: &mut Sandbox, caller: &AccountId32) -> State {
        let count: u64 = self.query(session, "subscription_count", &[]);
        let subscriptions = (0..count)
            .map(|id| self.query(session, "Subscription::details", &[id.to_string()]))
            .collect();
        let award: ink::primitives::AccountId = self.query(session, "award", &[]);
        State {
            caller_free: free_balance(session, caller),
            total: total_of(session, &self.everyone()),
            count,
            live: self.query(session, "live_count", &[]),
            subscriptions,
            reserved: self
                .offers
                .iter()
                .map(|offer| reserved(session, &self.suite, *offer))
                .collect(),
            parameters: self.query(session, "parameters", &[]),
            award: AccountId32::new(*award.as_ref()),
            paused: self.query(session, "Admin::paused", &[]),
        }
    }

    /// `who` calls `message` sending `value`: it must be refused with
    /// `expected`, leaving the state as it was and emitting nothing.
    fn refused<Error: Decode + Debug + PartialEq>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
        expected: Error,
    ) {
        session.set_actor(who.clone());
        let block = block_number(session);
        let before = self.state(session, who);
        let error: Error = expect_error(session, &self.suite.subscription, message, args, value);
        let emitted = last_contract_events(session);
        assert_eq!(error, expected, "{message}{args:?}");
        assert!(emitted.is_empty(), "{message}{args:?} left events");
        let after = self.state(session, who);
        assert_eq!(block_number(session), block, "compared in one block");
        assert_eq!(
            after, before,
            "{message}{args:?}: a refused call wrote or moved something"
        );
    }

    /// `who` calls `message`, which must succeed.
    fn ok<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> T {
        session.set_actor(who.clone());
        subscription_call(session, &self.suite, message, args, value)
            .unwrap_or_else(|e| panic!("{message}{args:?}: {e:?}"))
    }

    /// The consumer subscribes to `type_id` (0: Fixed, 1: Dynamic).
    fn create(&self, session: &mut Sandbox, type_id: u32) -> u64 {
        let args = create_args(type_id, "ipfs://rpc-node", &wants(), None);
        self.ok(
            session,
            &self.consumer,
            "Subscription::create",
            &args,
            DEPOSIT,
        )
    }

    fn provider_of(&self, type_id: u32) -> &AccountId32 {
        [&self.fixed, &self.dynamic][type_id as usize]
    }

    /// A subscription to `type_id` its provider marked ready.
    fn active(&self, session: &mut Sandbox, type_id: u32) -> u64 {
        let id = self.create(session, type_id);
        self.ok::<()>(
            session,
            self.provider_of(type_id),
            "mark_ready",
            &mark_ready_args(id),
            0,
        );
        id
    }

    fn admin_call<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        message: &str,
        args: &[String],
    ) -> T {
        session.set_actor(self.admin.clone());
        call(session, &self.suite.subscription, message, args)
    }
}

/// What the consumer asks for: at most [`MAX_PRICE`], committing to the
/// Fixed offer's minimum duration.
fn wants() -> Requirements {
    Requirements {
        min_duration: FIXED.min_duration,
        ..max_price(MAX_PRICE)
    }
}

/// `create`'s arguments, naming `offer` or letting the award choose.
fn create_args(
    type_id: u32,
    uri: &str,
    requirements: &Requirements,
    offer: Option<u64>,
) -> Vec<String> {
    vec![
        type_id.to_string(),
        descriptor_arg(9, uri),
        requirements_arg(requirements),
        option_arg(offer),
    ]
}

/// A scheduled change of the subscription contract's award link.
fn award_change(to: &AccountId32) -> Vec<String> {
    vec![link_change("Award", Some(to))]
}

fn arg(value: impl ToString) -> Vec<String> {
    vec![value.to_string()]
}

fn ids(list: impl IntoIterator<Item = u64>) -> Vec<String> {
    vec![ids_arg(list)]
}

fn parameters_arg(ready_timeout: u32, consumer_notice: u32) -> Vec<String> {
    vec![format!(
        "Parameters {{ ready_timeout: {ready_timeout}, consumer_notice: {consumer_notice} }}"
    )]
}

/// `[id, value]`, e.g. `propose_price`'s arguments.
fn pair(id: u64, value: impl ToString) -> Vec<String> {
    vec![id.to_string(), value.to_string()]
}

#[test]
fn create_refuses_bad_input_and_takes_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    b.create(s, 0);
    // The consumer creates a subscription to `type_id` with `uri` and
    // `requirements`, sending `value`: refused with `expected`.
    let no = |s: &mut Sandbox, type_id, uri: &str, r: &Requirements, value, expected| {
        let args = create_args(type_id, uri, r, None);
        b.refused(
            s,
            &b.consumer,
            "Subscription::create",
            &args,
            value,
            expected,
        );
    };
    // The same, naming `offer`: the registry's terms of it are checked
    // against every requirement.
    let named = |s: &mut Sandbox, type_id, offer, r: &Requirements, value, expected| {
        let args = create_args(type_id, "ipfs://rpc-node", r, Some(offer));
        b.refused(
            s,
            &b.consumer,
            "Subscription::create",
            &args,
            value,
            expected,
        );
    };
    let (uri, r, long) = ("ipfs://rpc-node", wants(), "x".repeat(129));
    let no_price = Requirements {
        max_price_per_block: 0,
        ..wants()
    };
    let contradicts = Requirements {
        preferred_only: true,
        ..wants()
    };
    let too_many = Requirements {
        excluded_providers: vec![ink_account(&b.stranger); 9],
        ..wants()
    };
    let too_cheap = Requirements {
        max_price_per_block: FIXED.price_per_block - 1,
        ..wants()
    };
    let too_short = Requirements {
        min_duration: FIXED.min_duration - 1,
        ..wants()
    };
    let only_stranger = Requirements {
        preferred_providers: vec![ink_account(&b.stranger)],
        ..contradicts.clone()
    };
    let not_fixed = Requirements {
        excluded_providers: vec![ink_account(&b.fixed)],
        ..wants()
    };

    no(s, 0, "", &r, DEPOSIT, ENDPOINT);
    no(s, 0, &long, &r, DEPOSIT, ENDPOINT);
    no(s, 0, uri, &no_price, DEPOSIT, PRICE);
    no(s, 0, uri, &contradicts, DEPOSIT, REQUIREMENTS);
    no(s, 0, uri, &too_many, DEPOSIT, REQUIREMENTS);
    no(s, 0, uri, &r, 0, AMOUNT);
    no(s, 0, uri, &r, MIN_DEPOSIT - 1, InsufficientDeposit);
    no(s, 0, uri, &r, 1, InsufficientDeposit);
    no(s, 0, uri, &too_cheap, DEPOSIT, NoProvider);
    no(s, 1, uri, &too_cheap, DEPOSIT, NoProvider);
    no(s, 0, uri, &too_short, DEPOSIT, NoProvider);
    no(s, 0, uri, &only_stranger, DEPOSIT, NoProvider);
    no(s, 0, uri, &not_fixed, DEPOSIT, NoProvider);
    no(s, 7, uri, &r, DEPOSIT, UNKNOWN_TYPE);
    let [fixed_offer, dynamic_offer] = b.offers;
    named(s, 0, 99, &r, DEPOSIT, UNKNOWN_OFFER);
    named(
        s,
        0,
        dynamic_offer,
        &r,
        DEPOSIT,
        E::Unfit(Reject::WrongType),
    );
    named(s, 7, fixed_offer, &r, DEPOSIT, E::Unfit(Reject::WrongType));
    let unfit = [
        (&too_cheap, Reject::TooExpensive),
        (&too_short, Reject::MinDuration),
        (&only_stranger, Reject::NotPreferred),
        (&not_fixed, Reject::ExcludedProvider),
    ];
    for (requirements, reject) in unfit {
        named(s, 0, fixed_offer, requirements, DEPOSIT, E::Unfit(reject));
    }
    named(s, 0, fixed_offer, &r, MIN_DEPOSIT - 1, InsufficientDeposit);

    // Paused: refused before anything else is looked at.
    let x = &b.stranger;
    b.refused(s, x, "Admin::set_paused", &arg(true), 0, NOT_ADMIN);
    assert_eq!(
        b.admin_call::<Result<(), AdminError>>(s, "Admin::set_paused", &arg(true)),
        Ok(())
    );
    no(s, 0, uri, &r, DEPOSIT, Paused);
    no(s, 0, "", &no_price, 0, Paused);
    assert_eq!(
        b.admin_call::<Result<(), AdminError>>(s, "Admin::set_paused", &arg(false)),
        Ok(())
    );

    // The edges that pass: a 128-byte uri, exactly the minimum deposit;
    // and the id is the next one, as no refusal took one.
    let args = create_args(0, &"x".repeat(128), &r, None);
    assert_eq!(
        b.ok::<u64>(s, &b.consumer, "Subscription::create", &args, MIN_DEPOSIT),
        1
    );
    assert_eq!(details(s, &b.suite, 1).figures.deposited, MIN_DEPOSIT);
}

/// An access record over the contract's bounds is refused before anything
/// else (a stranger gets the input error too) and nothing is written; a
/// good one is what `details` shows from then on.
#[test]
fn mark_ready_refuses_a_bad_access_record_and_shows_a_good_one() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let (p, x) = (&b.fixed, &b.stranger);
    let id = b.create(s, 0);
    let with = |uris: &[&str]| {
        let uris: Vec<String> = uris.iter().map(|u| u.to_string()).collect();
        vec![id.to_string(), access_arg(&uris)]
    };
    let too_long = format!("wss://{}", "x".repeat(123));
    let duplicate = E::InvalidInput(Invalid::Duplicate);
    let five = with(&["a", "b", "c", "d", "e"]);
    b.refused(s, p, "mark_ready", &five, 0, ENDPOINT);
    b.refused(s, x, "mark_ready", &five, 0, ENDPOINT);
    b.refused(s, p, "mark_ready", &with(&[too_long.as_str()]), 0, ENDPOINT);
    b.refused(s, p, "mark_ready", &with(&["wss://a", ""]), 0, ENDPOINT);
    b.refused(
        s,
        p,
        "mark_ready",
        &with(&["wss://a", "wss://a"]),
        0,
        duplicate,
    );
    b.refused(s, x, "mark_ready", &mark_ready_args(id), 0, Unauthorized);
    assert_eq!(
        details(s, &b.suite, id).access,
        None,
        "not ready: no record"
    );
    b.ok::<()>(s, p, "mark_ready", &mark_ready_args(id), 0);
    let access = details(s, &b.suite, id).access.expect("a record");
    assert_eq!(access.uris, [access_uri(id)]);
}

#[test]
fn unknown_ids_limits_and_parameters_are_refused() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let (c, p, x, a) = (&b.consumer, &b.fixed, &b.stranger, &b.admin);
    let active = b.active(s, 0);
    advance_blocks(s, 5);
    for id in [active + 1, 99, u64::MAX] {
        b.refused(s, p, "mark_ready", &mark_ready_args(id), 0, NotFound);
        b.refused(s, x, "Subscription::top_up", &arg(id), 100, NotFound);
        b.refused(s, x, "Subscription::top_up", &arg(id), 0, NotFound);
        b.refused(s, c, "Subscription::cancel", &arg(id), 0, NotFound);
        b.refused(s, p, "exit", &arg(id), 0, NotFound);
        b.refused(s, p, "propose_price", &pair(id, 15), 0, NotFound);
        b.refused(
            s,
            c,
            "Subscription::accept_price",
            &pair(id, 15),
            0,
            NotFound,
        );
        b.refused(s, c, "Subscription::reject_price", &arg(id), 0, NotFound);
        b.refused(s, x, "apply_price", &arg(id), 0, NotFound);
        b.refused(s, p, "claim", &arg(id), 0, NotFound);
        b.refused(s, p, "claim_many", &ids([id]), 0, NotFound);
        b.refused(s, x, "settle", &arg(id), 0, NotFound);
        b.refused(s, x, "reaward", &arg(id), 0, NotFound);
        b.refused(s, p, "decline", &arg(id), 0, NotFound);
    }
    // The first id earned 50, yet nothing is paid when a later one is unknown.
    assert_eq!(details(s, &b.suite, active).figures.withdrawable, 50);
    let batch = ids([active, active + 1]);
    b.refused(s, p, "claim_many", &batch, 0, NotFound);
    // A full batch, with what one extrinsic may use on a parachain (75% of
    // a 2 s block's ref_time and of a 5 MiB proof).
    let default_limit = s.set_gas_limit(PARACHAIN_EXTRINSIC_LIMIT);
    // Fifty distinct ids, the first earning: the limit passes, an unknown
    // one refuses the batch.
    let fifty = (0..50u64).map(|i| if i == 0 { active } else { 100 + i });
    b.refused(s, p, "claim_many", &ids(fifty), 0, NotFound);
    // The same subscription twice, even last of fifty, is refused before
    // anything is read (the escrow pays a batch in one pass).
    let twice = E::InvalidInput(Invalid::Duplicate);
    let fifty_last_twice = (0..50u64).map(|i| if i == 0 || i == 49 { active } else { 100 + i });
    b.refused(s, p, "claim_many", &ids(fifty_last_twice), 0, twice);
    s.set_gas_limit(default_limit);
    b.refused(s, p, "claim_many", &ids([]), 0, LIMIT);
    b.refused(s, p, "claim_many", &ids(0..51), 0, LIMIT);
    b.refused(s, p, "claim_many", &ids([active; 51]), 0, LIMIT);
    b.refused(s, p, "claim_many", &ids([active, active]), 0, twice);

    for message in [
        "Subscription::subscriptions_of_consumer",
        "subscriptions_of_provider",
    ] {
        for limit in [0, 101, u32::MAX] {
            let args = [c.to_string(), "0".into(), limit.to_string()];
            b.refused(s, x, message, &args, 0, LIMIT);
        }
    }

    let too_long = MAX_TERM_BLOCKS + 1;
    // A consumer notice must stay below the governance delay, so a consumer
    // who cancels when a change is scheduled is out before it applies.
    let edges = [
        (0, CONSUMER_NOTICE),
        (0, 0),
        (too_long, 0),
        (1, too_long),
        (READY_TIMEOUT, GOVERNANCE_DELAY),
        (READY_TIMEOUT, GOVERNANCE_DELAY + 1),
    ];
    for (timeout, notice) in edges {
        let bad = parameters_arg(timeout, notice);
        b.refused(s, a, "configure", &bad, 0, PARAMETER);
    }
    let (good, bad) = (parameters_arg(READY_TIMEOUT + 1, 0), parameters_arg(0, 0));
    for who in [c, p, x] {
        b.refused(s, who, "configure", &good, 0, Unauthorized);
        b.refused(s, who, "configure", &bad, 0, Unauthorized);
        let award = award_change(x);
        b.refused(s, who, "Admin::schedule_change", &award, 0, NOT_ADMIN);
        b.refused(s, who, "Admin::cancel_change", &arg(0), 0, NOT_ADMIN);
        b.refused(s, who, "Admin::apply_change", &arg(0), 0, NO_CHANGE);
        b.refused(s, who, "Admin::transfer_admin", &arg(who), 0, NOT_ADMIN);
        b.refused(s, who, "Admin::accept_admin", &[], 0, NO_PENDING);
    }
    // The admin may not unset the award, nor bring the delay within the
    // consumer notice.
    let unset = vec![link_change("Award", None)];
    let short = vec![format!("Delay({CONSUMER_NOTICE})")];
    let no_link = vec![link_change("Controller", Some(x))];
    for change in [unset, short, no_link] {
        b.refused(
            s,
            a,
            "Admin::schedule_change",
            &change,
            0,
            AdminError::InvalidChange,
        );
    }
}

#[test]
fn only_the_consumer_the_provider_or_the_admin_may_act() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let (c, p, d, x) = (&b.consumer, &b.fixed, &b.dynamic, &b.stranger);
    let awarded = b.create(s, 0);
    let active = b.active(s, 0);
    let dynamic = b.active(s, 1);
    b.ok::<()>(s, p, "propose_price", &pair(active, 12), 0);
    advance_blocks(s, 5);

    for who in [c, d, x] {
        b.refused(
            s,
            who,
            "mark_ready",
            &mark_ready_args(awarded),
            0,
            Unauthorized,
        );
        b.refused(s, who, "decline", &arg(awarded), 0, Unauthorized);
        b.refused(s, who, "exit", &arg(active), 0, Unauthorized);
        b.refused(s, who, "exit", &arg(awarded), 0, Unauthorized);
        b.refused(s, who, "propose_price", &pair(active, 15), 0, Unauthorized);
        b.refused(s, who, "claim", &arg(active), 0, Unauthorized);
        b.refused(s, who, "claim", &arg(awarded), 0, Unauthorized);
        b.refused(s, who, "claim_many", &ids([active]), 0, Unauthorized);
    }
    for who in [p, d, x] {
        b.refused(
            s,
            who,
            "Subscription::cancel",
            &arg(active),
            0,
            Unauthorized,
        );
        b.refused(
            s,
            who,
            "Subscription::cancel",
            &arg(awarded),
            0,
            Unauthorized,
        );
        b.refused(
            s,
            who,
            "Subscription::accept_price",
            &pair(active, 12),
            0,
            Unauthorized,
        );
        b.refused(
            s,
            who,
            "Subscription::reject_price",
            &arg(active),
            0,
            Unauthorized,
        );
    }
    let same = parameters_arg(READY_TIMEOUT, CONSUMER_NOTICE);
    for who in [c, p, d, x] {
        let award = award_change(who);
        b.refused(s, who, "Admin::schedule_change", &award, 0, NOT_ADMIN);
        b.refused(s, who, "configure", &same, 0, Unauthorized);
        b.refused(s, who, "Admin::set_paused", &arg(true), 0, NOT_ADMIN);
    }
    // The dynamic provider earned 50 on its own subscription; a batch that
    // also names another provider's pays nothing.
    assert_eq!(details(s, &b.suite, dynamic).figures.withdrawable, 50);
    b.refused(s, d, "claim_many", &ids([dynamic, active]), 0, Unauthorized);
    b.refused(s, p, "claim_many", &ids([active, dynamic]), 0, Unauthorized);
}

#[test]
fn transitions_out_of_order_are_refused() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let (c, p, x) = (&b.consumer, &b.fixed, &b.stranger);
    let start = block_number(s);
    let awarded = b.create(s, 0);
    let active = b.active(s, 0);
    let closed = b.create(s, 0);
    b.ok::<()>(s, c, "Subscription::cancel", &arg(closed), 0);
    let ending = b.active(s, 0);
    b.ok::<()>(s, c, "Subscription::cancel", &arg(ending), 0);
    let end = start + FIXED.min_duration;
    assert_eq!(details(s, &b.suite, ending).figures.end, Some(end));

    // In the ready block.
    b.refused(s, p, "mark_ready", &mark_ready_args(active), 0, WrongState);
    b.refused(s, p, "mark_ready", &mark_ready_args(ending), 0, WrongState);
    b.refused(s, p, "mark_ready", &mark_ready_args(closed), 0, WrongState);
    b.refused(s, p, "claim", &arg(awarded), 0, WrongState);
    b.refused(s, p, "claim", &arg(closed), 0, WrongState);
    b.refused(s, p, "claim", &arg(active), 0, NothingToClaim);
    let both = ids([active, ending]);
    b.refused(s, p, "claim_many", &both, 0, NothingToClaim);
    b.refused(s, p, "claim_many", &ids([active, awarded]), 0, WrongState);
    b.refused(s, x, "settle", &arg(active), 0, TooEarly);
    b.refused(s, x, "settle", &arg(ending), 0, TooEarly);
    b.refused(s, x, "settle", &arg(awarded), 0, WrongState);
    b.refused(s, x, "settle", &arg(closed), 0, WrongState);
    b.refused(s, x, "reaward", &arg(awarded), 0, TooEarly);
    b.refused(s, x, "reaward", &arg(active), 0, WrongState);
    b.refused(s, x, "reaward", &arg(ending), 0, WrongState);
    b.refused(s, x, "reaward", &arg(closed), 0, WrongState);
    // Cancelling an ending subscription again would not end it sooner.
    b.refused(s, c, "Subscription::cancel", &arg(ending), 0, AlreadyEnding);
    b.refused(s, c, "Subscription::cancel", &arg(closed), 0, WrongState);
    b.refused(s, p, "exit", &arg(ending), 0, WrongState);
    b.refused(s, p, "exit", &arg(closed), 0, WrongState);
    for id in [active, ending, closed] {
        b.refused(s, p, "decline", &arg(id), 0, WrongState);
    }
    b.refused(s, x, "Subscription::top_up", &arg(active), 0, AMOUNT);
    b.refused(s, x, "Subscription::top_up", &arg(awarded), 0, AMOUNT);
    b.refused(s, x, "Subscription::top_up", &arg(closed), 100, WrongState);
    b.refused(s, c, "Subscription::top_up", &arg(closed), 100, WrongState);
    b.refused(s, p, "propose_price", &pair(active, 0), 0, PRICE);
    let same = pair(active, FIXED.price_per_block);
    b.refused(s, p, "propose_price", &same, 0, PRICE);
    b.refused(s, p, "propose_price", &pair(ending, 12), 0, WrongState);
    b.refused(s, p, "propose_price", &pair(closed, 12), 0, WrongState);
    for id in [awarded, active, ending, closed] {
        b.refused(
            s,
            c,
            "Subscription::accept_price",
            &pair(id, 12),
            0,
            WrongState,
        );
        b.refused(s, c, "Subscription::reject_price", &arg(id), 0, WrongState);
        b.refused(s, x, "apply_price", &arg(id), 0, WrongState);
    }

    // On the ready deadline: still too early to reaward.
    advance_blocks(s, READY_TIMEOUT);
    assert_eq!(block_number(s), start + READY_TIMEOUT);
    b.refused(s, x, "reaward", &arg(awarded), 0, TooEarly);
    // One block later: too late to be ready.
    advance_blocks(s, 1);
    b.refused(
        s,
        p,
        "mark_ready",
        &mark_ready_args(awarded),
        0,
        ReadyTimeoutPassed,
    );
    b.refused(s, p, "decline", &arg(awarded), 0, ReadyTimeoutPassed);
    b.refused(s, p, "claim", &arg(awarded), 0, WrongState);
    // Claimed once in a block, nothing more in the same block.
    assert_eq!(b.ok::<u128>(s, p, "claim", &arg(active), 0), 210);
    b.refused(s, p, "claim", &arg(active), 0, NothingToClaim);
    b.refused(s, p, "claim_many", &ids([active]), 0, NothingToClaim);

    // The scheduled end reached: no more top-ups, not even by the consumer.
    let now = block_number(s);
    advance_blocks(s, end - now);
    b.refused(s, c, "Subscription::top_up", &arg(ending), 100, ENDED);
    b.refused(s, x, "Subscription::top_up", &arg(ending), 100, ENDED);
    b.refused(s, c, "Subscription::cancel", &arg(ending), 0, AlreadyEnding);
    b.refused(s, p, "exit", &arg(ending), 0, WrongState);
    b.ok::<()>(s, x, "settle", &arg(ending), 0);
    b.refused(s, x, "settle", &arg(ending), 0, WrongState);
}

#[test]
fn price_changes_out_of_turn_are_refused() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let (c, p, d, x) = (&b.consumer, &b.fixed, &b.dynamic, &b.stranger);
    let fixed = b.active(s, 0);
    let dynamic = b.active(s, 1);
    let above = pair(dynamic, MAX_PRICE + 1);

    b.refused(s, d, "propose_price", &above, 0, PriceAboveMax);
    let huge = pair(dynamic, u128::MAX);
    b.refused(s, d, "propose_price", &huge, 0, PriceAboveMax);
    b.refused(s, d, "propose_price", &pair(dynamic, 0), 0, PRICE);
    let same = pair(dynamic, DYNAMIC.price_per_block);
    b.refused(s, d, "propose_price", &same, 0, PRICE);
    b.refused(s, x, "apply_price", &arg(dynamic), 0, WrongState);

    // A Dynamic proposal waits out the offer's notice, without consent.
    b.ok::<()>(s, d, "propose_price", &pair(dynamic, 15), 0);
    let effective = block_number(s) + DYNAMIC.notice_blocks;
    b.refused(s, x, "apply_price", &arg(dynamic), 0, TooEarly);
    b.refused(
        s,
        c,
        "Subscription::accept_price",
        &pair(dynamic, 15),
        0,
        WrongState,
    );
    b.refused(
        s,
        c,
        "Subscription::reject_price",
        &arg(dynamic),
        0,
        WrongState,
    );
    b.refused(s, d, "propose_price", &above, 0, PriceAboveMax);
    advance_blocks(s, DYNAMIC.notice_blocks - 1);
    b.refused(s, x, "apply_price", &arg(dynamic), 0, TooEarly);
    b.refused(s, c, "apply_price", &arg(dynamic), 0, TooEarly);
    advance_blocks(s, 1);
    assert_eq!(block_number(s), effective);
    b.ok::<()>(s, x, "apply_price", &arg(dynamic), 0);
    b.refused(s, x, "apply_price", &arg(dynamic), 0, WrongState);

    // A Fixed proposal (any rate: the consumer consents) waits for consent.
    b.ok::<()>(s, p, "propose_price", &pair(fixed, MAX_PRICE * 2), 0);
    b.refused(s, x, "apply_price", &arg(fixed), 0, WrongState);
    b.refused(s, p, "apply_price", &arg(fixed), 0, WrongState);
    let proposed = pair(fixed, MAX_PRICE * 2);
    b.refused(
        s,
        p,
        "Subscription::accept_price",
        &proposed,
        0,
        Unauthorized,
    );
    // Only the very rate proposed is accepted.
    let other = pair(fixed, MAX_PRICE * 2 + 1);
    b.refused(
        s,
        c,
        "Subscription::accept_price",
        &other,
        0,
        ProposalChanged,
    );
    b.refused(
        s,
        x,
        "Subscription::reject_price",
        &arg(fixed),
        0,
        Unauthorized,
    );
    b.refused(s, p, "propose_price", &pair(fixed, 0), 0, PRICE);
    b.ok::<()>(s, c, "Subscription::reject_price", &arg(fixed), 0);
    b.refused(s, c, "Subscription::accept_price", &proposed, 0, WrongState);
    b.refused(
        s,
        c,
        "Subscription::reject_price",
        &arg(fixed),
        0,
        WrongState,
    );
}

/// A closed subscription is refused before any call: releasing its offer
/// again would take another live subscription's reservation. (The admin
/// has no way to close a subscription any more; every way its parties and
/// keepers have is refused.)
#[test]
fn closing_a_closed_subscription_again_is_the_wrong_state() {
    let mut session = Session::<DinfraSandbox>::default();
    let b = Bench::new(&mut session);
    let s = &mut session;
    let _live = b.create(s, 0);
    let closed = b.create(s, 0);
    b.ok::<()>(s, &b.consumer, "Subscription::cancel", &arg(closed), 0);
    b.refused(
        s,
        &b.consumer,
        "Subscription::cancel",
        &arg(closed),
        0,
        WrongState,
    );
    b.refused(s, &b.stranger, "settle", &arg(closed), 0, WrongState);
    b.refused(s, &b.stranger, "reaward", &arg(closed), 0, WrongState);
    b.refused(s, &b.fixed, "decline", &arg(closed), 0, WrongState);
    b.refused(s, &b.fixed, "exit", &arg(closed), 0, WrongState);
    advance_blocks(s, READY_TIMEOUT + 1);
    b.refused(s, &b.stranger, "reaward", &arg(closed), 0, WrongState);
    b.refused(
        s,
        &b.consumer,
        "Subscription::cancel",
        &arg(closed),
        0,
        WrongState,
    );
}
