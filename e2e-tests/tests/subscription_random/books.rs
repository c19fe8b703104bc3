//! The test's own books of one sequence, kept apart from the contracts:
//! every watched account's expected free balance, each subscription's
//! deposits, claims and payout at close, and the test's model of what each
//! has earned (its rate per block from its ready block to its end, never
//! more than it holds). Booking a step checks the claims and closes it
//! reports against that model.

use crate::execute::Outcome;
use crate::storage::View;
use crate::world::{account_of, World};
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
    /// Σ free + held of every watched account at the start.
    pub total: u128,
}

impl Books {
    /// Opens the books on the balances of every watched account as they are.
    pub fn open(session: &mut Sandbox, world: &World) -> Self {
        let accounts = world.accounts();
        let mut books = Books {
            total: total_of(session, &accounts),
            ..Default::default()
        };
        for account in &accounts {
            let free = free_balance(session, account);
            books.free.insert(account.clone(), free);
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

    /// What the escrow should hold for a live subscription.
    fn held(&self, id: u64) -> u128 {
        self.deposits(id) - self.claims(id)
    }

    fn credit(&mut self, account: &AccountId32, amount: u128) {
        *self.free.get_mut(account).expect("a watched account") += amount;
    }

    fn debit(&mut self, account: &AccountId32, amount: u128) {
        let free = self.free.get_mut(account).expect("a watched account");
        *free = free.checked_sub(amount).expect("books: debit below zero");
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
    /// sent and paid in storage deposits, and every claim and close, each of
    /// which must pay exactly what the model says was earned (`after` is
    /// the storage after the step).
    pub fn book(&mut self, world: &World, outcome: &Outcome, after: &View) {
        if let Some(actor) = &outcome.actor {
            self.debit(actor, outcome.sent);
            if outcome.storage >= 0 {
                self.debit(actor, outcome.storage as u128);
            } else {
                self.credit(actor, outcome.storage.unsigned_abs());
            }
        }
        if outcome.sent > 0 {
            let id = outcome.sent_to.expect("value went to a subscription");
            *self.deposited.entry(id).or_default() += outcome.sent;
            self.credit(&world.suite.escrow, outcome.sent);
        }
        for event in &outcome.claimed {
            let (sub, _) = &after.subs[event.id as usize];
            assert_eq!(event.provider, sub.provider, "Claimed names the provider");
            let owed = self.owed.insert(event.id, 0).unwrap_or(0);
            assert_eq!(
                event.amount, owed,
                "sub {}: claim ≠ what it earned",
                event.id
            );
            *self.claimed.entry(event.id).or_default() += event.amount;
            self.credit(&account_of(&sub.provider), event.amount);
            self.debit(&world.suite.escrow, event.amount);
        }
        for event in &outcome.closed {
            let (sub, _) = &after.subs[event.id as usize];
            let owed = self.owed.insert(event.id, 0).unwrap_or(0);
            let held = self.held(event.id);
            assert_eq!(
                (event.paid, event.refunded),
                (owed, held - owed),
                "sub {}: close must pay what was earned and refund the rest",
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
            self.credit(&account_of(&sub.provider), event.paid);
            self.credit(&account_of(&sub.consumer), event.refunded);
            self.debit(&world.suite.escrow, event.paid + event.refunded);
        }
    }
}
