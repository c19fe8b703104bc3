//! The test's own books of one sequence, kept apart from the contracts:
//! every watched account's expected free balance and escrow credit, each
//! subscription's deposits, claims and payout at close, and the test's
//! model of the rules: what each subscription has earned (its rate per
//! block from its ready block to its end, never more than it holds), which
//! payments the runtime refuses (below the existential deposit, to an
//! account that does not exist: credited instead), which offers fit a
//! consumer's requirements, and where a cancel puts the end. Booking a step
//! checks the claims, closes and credits it reports against that model.

use crate::execute::{Outcome, Returned};
use crate::storage::View;
use crate::world::{account_of, World};
use dinfra::lifecycle::{CloseReason, Subscription};
use dinfra::selection::Reject;
use dinfra::traits::{Requirements, SubscriptionError};
use dinfra::types::BlockNumber;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::*;
use std::collections::BTreeMap;

/// What the test itself knows about the money of one sequence.
#[derive(Debug, Default)]
pub struct Books {
    /// Per subscription: create deposit + successful top-ups.
    deposited: BTreeMap<u64, u128>,
    /// Per subscription: Σ claims.
    claimed: BTreeMap<u64, u128>,
    /// Per live subscription: earned and not yet claimed, by the test's
    /// own model of the stream rules.
    owed: BTreeMap<u64, u128>,
    /// Per closed subscription: (paid at close, refunded) from `Closed`.
    pub closed: BTreeMap<u64, (u128, u128)>,
    /// Every watched account's expected free balance.
    pub free: BTreeMap<AccountId32, u128>,
    /// Every person's expected credit in the escrow (payments the runtime
    /// refused, not yet withdrawn).
    pub credits: BTreeMap<AccountId32, u128>,
    /// Σ free + held of every watched account at the start.
    pub total: u128,
    /// The escrow's free balance at the start, when it held nothing: from
    /// then on it is this + `total_held` + `total_credited`, to the unit.
    pub escrow_base: u128,
}

impl Books {
    /// Opens the books on the balances of every watched account as they are.
    pub fn open(session: &mut Sandbox, world: &World) -> Self {
        let accounts = world.accounts();
        let mut books = Books {
            total: total_of(session, &accounts),
            escrow_base: free_balance(session, &world.suite.escrow),
            ..Default::default()
        };
        for account in &accounts {
            let free = free_balance(session, account);
            books.free.insert(account.clone(), free);
        }
        for person in world.people() {
            books.credits.insert(person, 0);
        }
        books
    }

    /// What was sent into subscription `id`.
    pub fn deposits(&self, id: u64) -> u128 {
        self.deposited.get(&id).copied().unwrap_or(0)
    }

    /// What subscription `id`'s provider claimed from it.
    pub fn claims(&self, id: u64) -> u128 {
        self.claimed.get(&id).copied().unwrap_or(0)
    }

    /// What the model says subscription `id` earned and was not yet claimed.
    pub fn owed(&self, id: u64) -> u128 {
        self.owed.get(&id).copied().unwrap_or(0)
    }

    /// A watched account's expected free balance.
    pub fn free(&self, account: &AccountId32) -> u128 {
        self.free[account]
    }

    /// A person's expected credit.
    pub fn credit(&self, account: &AccountId32) -> u128 {
        self.credits.get(account).copied().unwrap_or(0)
    }

    /// What the escrow should hold for a live subscription.
    pub fn held(&self, id: u64) -> u128 {
        self.deposits(id) - self.claims(id)
    }

    fn credit_free(&mut self, account: &AccountId32, amount: u128) {
        *self.free.get_mut(account).expect("a watched account") += amount;
    }

    fn debit_free(&mut self, account: &AccountId32, amount: u128) {
        let free = self.free.get_mut(account).expect("a watched account");
        *free = free.checked_sub(amount).expect("books: debit below zero");
    }

    /// The escrow pays `amount` to `to`: the runtime refuses a payment
    /// below the existential deposit to an account that does not exist
    /// (none of the watched accounts holds anything but free balance, so it
    /// exists iff that is above zero), and the escrow credits it instead.
    /// Returns whether it was credited.
    fn escrow_pays(&mut self, world: &World, to: &AccountId32, amount: u128) -> bool {
        if amount == 0 {
            return false;
        }
        if self.free(to) == 0 && amount < EXISTENTIAL_DEPOSIT {
            *self.credits.get_mut(to).expect("a person") += amount;
            return true;
        }
        self.credit_free(to, amount);
        self.debit_free(&world.suite.escrow, amount);
        false
    }

    /// The stream rules, modelled by the test, for blocks passing from
    /// `before` to `after`: a ready subscription earns its rate per block
    /// from its ready block until its end, and never more than the escrow
    /// holds for it (nothing after depletion; a top-up after depletion
    /// streams again from its block).
    pub fn accrue(&mut self, before: &View, after: &View) {
        for (id, (sub, _)) in before.subs.iter().enumerate() {
            let id = id as u64;
            if !sub.is_live() || sub.ready_at.is_none() {
                continue;
            }
            let until = sub.end.map_or(after.now, |(end, _)| end.min(after.now));
            let blocks = until.saturating_sub(before.now);
            let held = self.held(id);
            let owed = self.owed.entry(id).or_default();
            *owed = (*owed + sub.rate_per_block * u128::from(blocks)).min(held);
        }
    }

    /// Books what a step moved, per its call and events: what the actor
    /// sent and paid in storage deposits, what moved outside the contracts,
    /// every claim and close — each of which must pay exactly what the model
    /// says was earned, plus `fees[id]` (a cancel fee) at a close — and every
    /// credit, which must be exactly the payments the model says the runtime
    /// refuses (`after` is the storage after the step). Returns how many
    /// payments were credited.
    pub fn book(
        &mut self,
        world: &World,
        outcome: &Outcome,
        after: &View,
        fees: &BTreeMap<u64, u128>,
    ) -> usize {
        if let Some((from, to, amount)) = &outcome.moved {
            self.debit_free(from, *amount);
            self.credit_free(to, *amount);
        }
        if let Some(actor) = &outcome.actor {
            self.debit_free(actor, outcome.sent);
        }
        if outcome.sent > 0 {
            let id = outcome.sent_to.expect("value went to a subscription");
            *self.deposited.entry(id).or_default() += outcome.sent;
            self.credit_free(&world.suite.escrow, outcome.sent);
        }
        let mut credited = Vec::new();
        // A claim, or a batch, pays each provider its total in one transfer.
        let mut claims: Vec<(dinfra::types::AccountId, u128)> = Vec::new();
        for event in &outcome.claimed {
            assert_eq!(
                event.claims.iter().map(|(_, amount)| amount).sum::<u128>(),
                event.amount,
                "Claimed's amount is Σ of its claims"
            );
            for &(id, amount) in &event.claims {
                let (sub, _) = &after.subs[id as usize];
                assert_eq!(event.provider, sub.provider, "Claimed names the provider");
                let owed = self.owed.insert(id, 0).unwrap_or(0);
                assert_eq!(amount, owed, "sub {id}: claim ≠ what it earned");
                *self.claimed.entry(id).or_default() += amount;
                match claims.iter_mut().find(|(to, _)| *to == sub.provider) {
                    Some((_, total)) => *total += amount,
                    None => claims.push((sub.provider, amount)),
                }
            }
        }
        for (provider, total) in claims {
            if self.escrow_pays(world, &account_of(&provider), total) {
                credited.push((provider, total));
            }
        }
        for event in &outcome.closed {
            let (sub, _) = &after.subs[event.id as usize];
            let owed = self.owed.insert(event.id, 0).unwrap_or(0);
            let held = self.held(event.id);
            let fee = fees.get(&event.id).copied().unwrap_or(0).min(held - owed);
            assert_eq!(
                (event.paid, event.refunded),
                (owed + fee, held - owed - fee),
                "sub {}: close must pay what was earned (and the cancel fee) and refund the rest",
                event.id
            );
            assert!(
                self.closed
                    .insert(event.id, (event.paid, event.refunded))
                    .is_none(),
                "subscription {} closed twice",
                event.id
            );
            assert_eq!(
                sub.closed,
                Some(event.reason),
                "Closed reason is the record's"
            );
            // The escrow pays the payee, then refunds the payer.
            if self.escrow_pays(world, &account_of(&sub.provider), event.paid) {
                credited.push((sub.provider, event.paid));
            }
            if self.escrow_pays(world, &account_of(&sub.consumer), event.refunded) {
                credited.push((sub.consumer, event.refunded));
            }
        }
        for event in &outcome.credit_withdrawn {
            let account = account_of(&event.account);
            let credit = self.credits.insert(account.clone(), 0).unwrap_or(0);
            assert_eq!(event.amount, credit, "a credit withdrawal takes it all");
            self.credit_free(&account, credit);
            self.debit_free(&world.suite.escrow, credit);
        }
        let reported: Vec<_> = outcome
            .credited
            .iter()
            .map(|e| (e.account, e.amount))
            .collect();
        assert_eq!(
            reported, credited,
            "Credited events ≠ the payments the runtime refuses"
        );
        if let Some(actor) = &outcome.actor {
            if outcome.storage >= 0 {
                self.debit_free(actor, outcome.storage as u128);
            } else {
                self.credit_free(actor, outcome.storage.unsigned_abs());
            }
        }
        credited.len()
    }

    /// What `withdraw_credit` by `who` must answer: its whole credit, once;
    /// `NoCredit` without one; `TransferFailed` if the runtime refuses to
    /// pay it (below the existential deposit, to an account that does not
    /// exist).
    pub fn withdrawal(&self, who: &AccountId32) -> Result<u128, dinfra::traits::EscrowError> {
        let credit = self.credit(who);
        if credit == 0 {
            Err(dinfra::traits::EscrowError::NoCredit)
        } else if self.free(who) == 0 && credit < EXISTENTIAL_DEPOSIT {
            Err(dinfra::traits::EscrowError::TransferFailed)
        } else {
            Ok(credit)
        }
    }
}

/// The deposit an offer asks for: its rate for its minimum duration (at
/// least one block).
pub fn min_deposit(spec: &OfferSpec) -> u128 {
    spec.price_per_block * u128::from(spec.min_duration.max(1))
}

/// The first of the consumer's requirements an offer on `spec` by
/// `provider`, with `free` capacity, fails — in the order the contracts
/// check them — or `None` if it fits. (The world's providers are always
/// active and declare no attributes, and no requirement names one.)
pub fn rejection(
    spec: &OfferSpec,
    provider: &AccountId32,
    r: &Requirements,
    free: u32,
) -> Option<Reject> {
    let provider = ink_account(provider);
    if free == 0 {
        return Some(Reject::Full);
    }
    if spec.price_per_block > r.max_price_per_block {
        return Some(Reject::TooExpensive);
    }
    if spec.min_duration > r.min_duration {
        return Some(Reject::MinDuration);
    }
    if spec.dynamic && r.fixed_price_only {
        return Some(Reject::NotFixedPrice);
    }
    if r.max_notice_blocks
        .is_some_and(|max| spec.notice_blocks > max)
    {
        return Some(Reject::NoticeTooLong);
    }
    if spec.dynamic && spec.notice_blocks < r.min_reprice_notice {
        return Some(Reject::RepriceNoticeTooShort);
    }
    if spec.cancel_fee > r.max_cancel_fee {
        return Some(Reject::CancelFeeTooHigh);
    }
    if r.excluded_providers.contains(&provider) {
        return Some(Reject::ExcludedProvider);
    }
    if r.preferred_only && !r.preferred_providers.contains(&provider) {
        return Some(Reject::NotPreferred);
    }
    None
}

/// The world offers (by index) an award may choose for `requirements` of
/// `type_id`, on the capacities of `view`: listed and fitting.
pub fn fitting(world: &World, view: &View, type_id: u32, r: &Requirements) -> Vec<usize> {
    if type_id != world.type_id {
        return Vec::new();
    }
    world
        .offers
        .iter()
        .enumerate()
        .filter(|(i, (_, provider, spec))| {
            let offer = &view.offers[*i];
            rejection(
                spec,
                &world.providers[*provider],
                r,
                offer.capacity - offer.reserved,
            )
            .is_none()
        })
        .map(|(i, _)| i)
        .collect()
}

/// What `create` of `type_id` naming `offer` (by id) must answer, by the
/// model: requirements and deposit checked first, then the registry's
/// reservation (unknown offer, full offer), then every requirement on the
/// registry's terms, then the deposit against the offer's minimum.
pub fn named_create(
    world: &World,
    view: &View,
    type_id: u32,
    r: &Requirements,
    offer: u64,
    deposit: u128,
) -> Result<usize, SubscriptionError> {
    use dinfra::traits::RegistryError;
    r.validate()?;
    if deposit == 0 {
        return Err(dinfra::types::Invalid::Amount.into());
    }
    let (index, provider, spec) = world
        .offer(offer)
        .ok_or(SubscriptionError::Registry(RegistryError::NotFound))?;
    let record = &view.offers[index];
    if record.reserved >= record.capacity {
        return Err(SubscriptionError::Registry(RegistryError::NoCapacity));
    }
    if type_id != world.type_id {
        return Err(SubscriptionError::Unfit(Reject::WrongType));
    }
    if let Some(reject) = rejection(&spec, &world.providers[provider], r, 1) {
        return Err(SubscriptionError::Unfit(reject));
    }
    if deposit < min_deposit(&spec) {
        return Err(SubscriptionError::InsufficientDeposit);
    }
    // The escrow opens no stream whose payer could not leave before a
    // change of the escrow applies.
    let escrow_delay = view.gov(crate::world::Contract::Escrow).delay;
    if !dinfra::governance::notice_fits_delay(view.params.consumer_notice, escrow_delay) {
        return Err(SubscriptionError::Escrow(
            dinfra::traits::EscrowError::NoticeTooLong,
        ));
    }
    Ok(index)
}

/// Where a consumer's cancel at `now` puts the end of a ready `sub`, by the
/// model: `now + consumer_notice` after the provider's exit or while a
/// governance change is pending (`waiver`), else also no sooner than the
/// minimum duration from ready; while ending, only nearer
/// (`AlreadyEnding`). Returns (end, reason, whether the waiver shortened
/// it).
pub fn cancel_end(
    sub: &Subscription,
    now: BlockNumber,
    waiver: bool,
) -> Result<(BlockNumber, CloseReason, bool), SubscriptionError> {
    let ready = sub
        .ready_at
        .expect("a cancel's end is only scheduled once ready");
    let notice_end = now + sub.consumer_notice;
    let committed = ready + sub.min_duration;
    let exited = sub.end.map(|(_, r)| r) == Some(CloseReason::ProviderExited);
    let (end, waived) = if exited || committed <= notice_end {
        (notice_end, false)
    } else if waiver {
        (notice_end, true)
    } else {
        (committed, false)
    };
    match sub.end {
        Some((current, _)) if end >= current => Err(SubscriptionError::AlreadyEnding),
        Some((_, reason)) => Ok((end, reason, waived)),
        None => Ok((end, CloseReason::ConsumerCancelled, waived)),
    }
}

/// Whether the model holds `returned` to be `Ok(id)` of a create.
pub fn created_id(returned: Returned) -> Option<u64> {
    match returned {
        Returned::Id(id) => Some(id),
        _ => None,
    }
}
