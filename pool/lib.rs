//! DINFRA pool: common-good infrastructure funded by many, run through the
//! subscription contract's published interface (`dinfra::traits::Subscription`).
//!
//! Anyone `contribute`s (or `contribute_and_top_up`s the running
//! subscription in the same call). The governor set at instantiation — an
//! account, a multisig or a DAO contract — `create`s the pool's one
//! subscription from the pool's balance, `top_up`s it, `cancel`s it and
//! answers Fixed-price proposals, always within the [`Terms`] fixed at
//! instantiation (the deployment type and the highest rate per block). The
//! pool is the subscription's consumer, so the escrow's refunds come back to
//! it; once the subscription has closed, anyone `close`s the pool, and each
//! contributor `withdraw`s its share pro rata (see [`dinfra::pool`] for the
//! rule and the rounding). Before the subscription exists a contributor may
//! `withdraw` its whole contribution.
//!
//! Not upgradable and without an admin: no key can move the contributors'
//! money anywhere but into the subscription and back to them. A thin ink!
//! shell over [`dinfra::pool::Books`]; a refused call returns an error and
//! ink! reverts every write of the message, including the callee's.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// A split build holds only its share of the messages (`dinfra::cold`): the
// hot Wasm forwards the cold ones without reading their arguments
// (`dinfra::cold_args!`), and each build leaves out code and imports only the
// others use.
#![cfg_attr(
    any(dinfra_hot, dinfra_cold),
    allow(unused_variables, unused_imports, dead_code)
)]

#[ink::contract]
pub mod pool {
    use dinfra::pool::{Books, PoolError, PoolEvent, PoolPhase, Share, Terms};
    use dinfra::traits::CallerError;
    use dinfra::traits::{
        ClosedStream, Descriptor, Details, EscrowError, Requirements, Subscription,
    };
    use dinfra::types::{Invalid, OfferId, SubscriptionId};
    use ink::codegen::TraitCallBuilder;
    use ink::storage::{traits::ManualKey, Lazy, Mapping};

    type Result<T> = core::result::Result<T, PoolError>;

    /// Fixed storage keys (the contract is not upgradable; the keys still
    /// keep the layout explicit for readers of raw storage).
    pub mod keys {
        pub const SUBSCRIPTION: u32 = 0x706f_0001;
        pub const TERMS: u32 = 0x706f_0002;
        pub const GOVERNOR: u32 = 0x706f_0003;
        pub const PENDING_GOVERNOR: u32 = 0x706f_0004;
        pub const BOOKS: u32 = 0x706f_0005;
        pub const SHARES: u32 = 0x706f_0006;
    }

    #[ink(event)]
    pub struct Contributed {
        #[ink(topic)]
        pub contributor: AccountId,
        pub amount: Balance,
        /// The contributor's total so far.
        pub contributed: Balance,
    }

    /// A contribution taken back whole, before the subscription existed.
    #[ink(event)]
    pub struct ContributionReturned {
        #[ink(topic)]
        pub contributor: AccountId,
        pub amount: Balance,
    }

    /// Sent to the subscription: its deposit or a top-up.
    #[ink(event)]
    pub struct Spent {
        pub id: SubscriptionId,
        pub amount: Balance,
    }

    /// The governor asked the subscription contract to cancel.
    #[ink(event)]
    pub struct CancelRequested {
        pub id: SubscriptionId,
    }

    /// The governor answered a Fixed-price proposal.
    #[ink(event)]
    pub struct PriceAnswered {
        pub id: SubscriptionId,
        /// The accepted rate; `None` for a rejection.
        pub accepted: Option<Balance>,
    }

    /// The pool took its stream back from the escrow (nothing steered it).
    #[ink(event)]
    pub struct StreamReclaimed {
        pub id: SubscriptionId,
        /// Paid to the provider: what it had earned.
        pub paid: Balance,
        /// Back to the pool.
        pub refunded: Balance,
    }

    /// The subscription closed; the books are final.
    #[ink(event)]
    pub struct PoolClosed {
        pub id: SubscriptionId,
        pub sent: Balance,
        pub refunded: Balance,
        /// Shared pro rata among the contributors.
        pub distributable: Balance,
    }

    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub contributor: AccountId,
        pub amount: Balance,
        /// Of `amount`, the rounding dust of the earlier shares (only the
        /// last contributor to withdraw receives any).
        pub dust: Balance,
    }

    #[ink(event)]
    pub struct GovernorProposed {
        pub proposed: AccountId,
    }

    #[ink(event)]
    pub struct GovernorChanged {
        pub previous: AccountId,
        pub governor: AccountId,
    }

    /// The cold part of this contract's code (see [`dinfra::cold`]): the
    /// governor's messages, the close, the reclaim and two queries. The hot
    /// code keeps the contributors' `contribute`, `contribute_and_top_up`
    /// and `withdraw`, and the getters those use.
    const COLD1: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD1_CODE_HASH");
    dinfra::cold_args!();

    #[ink(storage)]
    pub struct PoolContract {
        subscription: Lazy<AccountId, ManualKey<{ keys::SUBSCRIPTION }>>,
        terms: Lazy<Terms, ManualKey<{ keys::TERMS }>>,
        governor: Lazy<AccountId, ManualKey<{ keys::GOVERNOR }>>,
        pending_governor: Lazy<Option<AccountId>, ManualKey<{ keys::PENDING_GOVERNOR }>>,
        books: Lazy<Books, ManualKey<{ keys::BOOKS }>>,
        shares: Mapping<AccountId, Share, ManualKey<{ keys::SHARES }>>,
    }

    impl PoolContract {
        /// A pool for one deployment of `terms.type_id` at no more than
        /// `terms.max_rate` per block, run at the subscription contract
        /// `subscription` by `governor`.
        #[ink(constructor)]
        pub fn new(subscription: AccountId, governor: AccountId, terms: Terms) -> Result<Self> {
            terms.validate()?;
            let zero = AccountId::from([0; 32]);
            if subscription == zero || governor == zero {
                return Err(Invalid::Account.into());
            }
            let mut pool = Self {
                subscription: Lazy::new(),
                terms: Lazy::new(),
                governor: Lazy::new(),
                pending_governor: Lazy::new(),
                books: Lazy::new(),
                shares: Mapping::new(),
            };
            pool.subscription.set(&subscription);
            pool.terms.set(&terms);
            pool.governor.set(&governor);
            pool.books.set(&Books::default());
            dinfra::hold_cold!((1, COLD1));
            Ok(pool)
        }

        // ---- contributors ----------------------------------------------

        /// Adds the transferred value to the pool (refused once closed).
        #[ink(message, payable)]
        pub fn contribute(&mut self) -> Result<()> {
            dinfra::hot!({ self.contribute_as(false) })
        }

        /// Adds the transferred value to the pool and sends it on to the
        /// running subscription as a top-up, in the same call.
        #[ink(message, payable)]
        pub fn contribute_and_top_up(&mut self) -> Result<()> {
            dinfra::hot!({
                let id = self.books().running()?;
                let amount = self.env().transferred_value();
                self.contribute_as(true)?;
                self.send_top_up(id, amount)
            })
        }

        /// Pays the caller: before the subscription exists, its whole
        /// contribution; after the pool closed, its pro-rata share (once).
        /// Refused while the subscription runs (`Committed`).
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<Balance> {
            dinfra::hot!({
                let caller = self.env().caller();
                let mut books = self.books();
                let mut share = self.share_of(caller);
                let events = match books.phase {
                    PoolPhase::Funding => books.take_back(&mut share, caller)?,
                    PoolPhase::Running(_) => return Err(PoolError::Committed),
                    PoolPhase::Closed(_) => books.withdraw(&mut share, caller)?,
                };
                let amount = events
                    .iter()
                    .map(|event| match event {
                        PoolEvent::Refunded { amount, .. }
                        | PoolEvent::Withdrawn { amount, .. } => *amount,
                        _ => 0,
                    })
                    .sum::<Balance>();
                if share.contributed == 0 && share.withdrawn.is_none() {
                    self.shares.remove(caller);
                } else {
                    self.shares.insert(caller, &share);
                }
                self.books.set(&books);
                if amount > 0 {
                    self.env()
                        .transfer(caller, amount)
                        .map_err(|_| PoolError::TransferFailed)?;
                }
                self.emit(events);
                Ok(amount)
            })
        }

        // ---- the governor ----------------------------------------------

        /// Creates the pool's subscription with `deposit` of the pool's
        /// funds (governor only, once). The type is the pool's; the
        /// requirements' highest price must be within `max_rate`.
        #[ink(message)]
        pub fn create(
            &mut self,
            descriptor: Arg<Descriptor>,
            requirements: Arg<Requirements>,
            offer_id: Arg<Option<OfferId>>,
            deposit: Arg<Balance>,
        ) -> Result<SubscriptionId> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                let mut books = self.books();
                if books.phase != PoolPhase::Funding {
                    return Err(match books.phase {
                        PoolPhase::Closed(_) => PoolError::PoolClosed,
                        _ => PoolError::AlreadyStarted,
                    });
                }
                let terms = self.terms();
                terms.check(terms.type_id, &requirements)?;
                books.check_spend(deposit)?;
                let invoked = self
                    .subscription_ref()
                    .call_mut()
                    .create(terms.type_id, descriptor, requirements, offer_id)
                    .transferred_value(deposit)
                    .try_invoke();
                let id = PoolError::from_call(invoked)?;
                let events = books.spent(id, deposit)?;
                self.books.set(&books);
                self.emit(events);
                Ok(id)
            })
        }

        /// Sends `amount` of the pool's unspent funds to the running
        /// subscription (governor only).
        #[ink(message)]
        pub fn top_up(&mut self, amount: Arg<Balance>) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                let mut books = self.books();
                let id = books.running()?;
                let events = books.spent(id, amount)?;
                self.send_top_up(id, amount)?;
                self.books.set(&books);
                self.emit(events);
                Ok(())
            })
        }

        /// Cancels the running subscription (governor only), on the
        /// subscription contract's terms (notice, minimum duration).
        #[ink(message)]
        pub fn cancel(&mut self) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                let id = self.books().running()?;
                let invoked = self.subscription_ref().call_mut().cancel(id).try_invoke();
                PoolError::from_call(invoked)?;
                self.env().emit_event(CancelRequested { id });
                Ok(())
            })
        }

        /// Accepts the provider's Fixed-price proposal of `rate`, if within
        /// `max_rate` (governor only).
        #[ink(message)]
        pub fn accept_price(&mut self, rate: Arg<Balance>) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                self.terms().check_rate(rate)?;
                let id = self.books().running()?;
                let invoked = self
                    .subscription_ref()
                    .call_mut()
                    .accept_price(id, rate)
                    .try_invoke();
                PoolError::from_call(invoked)?;
                self.env().emit_event(PriceAnswered {
                    id,
                    accepted: Some(rate),
                });
                Ok(())
            })
        }

        /// Turns the provider's Fixed-price proposal down (governor only).
        #[ink(message)]
        pub fn reject_price(&mut self) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                let id = self.books().running()?;
                let invoked = self
                    .subscription_ref()
                    .call_mut()
                    .reject_price(id)
                    .try_invoke();
                PoolError::from_call(invoked)?;
                self.env().emit_event(PriceAnswered { id, accepted: None });
                Ok(())
            })
        }

        /// Step one of handing the pool to another governor (governor only).
        #[ink(message)]
        pub fn transfer_governor(&mut self, proposed: Arg<AccountId>) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.ensure_governor()?;
                if proposed == AccountId::from([0; 32]) {
                    return Err(Invalid::Account.into());
                }
                self.pending_governor.set(&Some(proposed));
                self.env().emit_event(GovernorProposed { proposed });
                Ok(())
            })
        }

        /// Step two: the proposed governor takes over.
        #[ink(message)]
        pub fn accept_governor(&mut self) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                let caller = self.env().caller();
                if self.pending_governor() != Some(caller) {
                    return Err(PoolError::NotGovernor);
                }
                let previous = self.governor();
                self.governor.set(&caller);
                self.pending_governor.set(&None);
                self.env().emit_event(GovernorChanged {
                    previous,
                    governor: caller,
                });
                Ok(())
            })
        }

        // ---- anyone ----------------------------------------------------

        /// Makes the books final once the subscription has closed (anyone):
        /// what the escrow refunded is read from the subscription's figures.
        #[ink(message)]
        pub fn close(&mut self) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                let mut books = self.books();
                books.running()?;
                let details = self.details()?.ok_or(PoolError::CallFailed)?;
                if details.subscription.closed.is_none() {
                    return Err(PoolError::SubscriptionLive);
                }
                let events = books.close(details.figures.refunded)?;
                self.books.set(&books);
                self.emit(events);
                Ok(())
            })
        }

        /// The way out when the escrow's controller changed and nothing
        /// steers the pool's stream any more (anyone): the escrow pays the
        /// provider what it earned and the pool the rest; then `settle` at
        /// the subscription contract closes the record (`Reclaimed`) and
        /// `close` here shares what came back. The escrow refuses
        /// (`ControllerWorking`) while the subscription contract steers it.
        #[ink(message)]
        pub fn reclaim(&mut self) -> Result<ClosedStream> {
            dinfra::cold!(1, COLD1, {
                let id = self.books().running()?;
                let details = self.details()?.ok_or(PoolError::CallFailed)?;
                let escrow = ink::env::call::build_call::<Environment>()
                    .call(self.subscription_contract())
                    .exec_input(ink::env::call::ExecutionInput::new(
                        ink::env::call::Selector::new(ink::selector_bytes!("escrow")),
                    ))
                    .returns::<AccountId>()
                    .try_invoke();
                let escrow = PoolError::from_query(escrow)?;
                let closed = ink::env::call::build_call::<Environment>()
                    .call(escrow)
                    .exec_input(
                        ink::env::call::ExecutionInput::new(ink::env::call::Selector::new(
                            ink::selector_bytes!("reclaim"),
                        ))
                        .push_arg(details.subscription.stream_id),
                    )
                    .returns::<core::result::Result<ClosedStream, EscrowError>>()
                    .try_invoke();
                let closed = PoolError::from_call(closed)?;
                self.env().emit_event(StreamReclaimed {
                    id,
                    paid: closed.paid,
                    refunded: closed.refunded,
                });
                Ok(closed)
            })
        }

        // ---- queries ---------------------------------------------------

        #[ink(message)]
        pub fn governor(&self) -> AccountId {
            self.governor.get().unwrap_or(AccountId::from([0; 32]))
        }

        #[ink(message)]
        pub fn pending_governor(&self) -> Option<AccountId> {
            self.pending_governor.get().flatten()
        }

        #[ink(message)]
        pub fn terms(&self) -> Terms {
            self.terms.get().unwrap_or(Terms {
                type_id: 0,
                max_rate: 0,
                max_cancel_fee: 0,
            })
        }

        /// The subscription contract the pool spends at.
        #[ink(message)]
        pub fn subscription_contract(&self) -> AccountId {
            self.subscription.get().unwrap_or(AccountId::from([0; 32]))
        }

        #[ink(message)]
        pub fn books(&self) -> Books {
            self.books.get().unwrap_or_default()
        }

        #[ink(message)]
        pub fn share_of(&self, contributor: AccountId) -> Share {
            self.shares.get(contributor).unwrap_or_default()
        }

        /// What `withdraw` would pay `contributor` now (0 while the
        /// subscription runs, or after it was paid).
        #[ink(message)]
        pub fn withdrawable(&self, contributor: Arg<AccountId>) -> Balance {
            dinfra::cold!(1, COLD1, {
                let mut books = self.books();
                let mut share = self.share_of(contributor);
                let paid = match books.phase {
                    PoolPhase::Funding => books.take_back(&mut share, contributor),
                    PoolPhase::Running(_) => return 0,
                    PoolPhase::Closed(_) => books.withdraw(&mut share, contributor),
                };
                match paid.as_deref() {
                    Ok(
                        [PoolEvent::Refunded { amount, .. }]
                        | [PoolEvent::Withdrawn { amount, .. }],
                    ) => *amount,
                    _ => 0,
                }
            })
        }

        /// The pool's subscription with its live figures (`None` before it
        /// exists).
        #[ink(message)]
        pub fn subscription(&self) -> Result<Option<Details>> {
            dinfra::cold!(1, COLD1, { self.details() })
        }

        // ---- internals -------------------------------------------------

        fn contribute_as(&mut self, forwarded: bool) -> Result<()> {
            let caller = self.env().caller();
            let mut books = self.books();
            let mut share = self.share_of(caller);
            let events = books.contribute(
                &mut share,
                caller,
                self.env().transferred_value(),
                forwarded,
            )?;
            self.shares.insert(caller, &share);
            self.books.set(&books);
            self.emit(events);
            Ok(())
        }

        fn details(&self) -> Result<Option<Details>> {
            let id = match self.books().phase {
                PoolPhase::Funding => return Ok(None),
                PoolPhase::Running(id) | PoolPhase::Closed(id) => id,
            };
            let invoked = self.subscription_ref().call().details(id).try_invoke();
            PoolError::from_query(invoked)
        }

        /// Sends `amount` to subscription `id` as a top-up.
        fn send_top_up(&self, id: SubscriptionId, amount: Balance) -> Result<()> {
            let invoked = self
                .subscription_ref()
                .call_mut()
                .top_up(id)
                .transferred_value(amount)
                .try_invoke();
            PoolError::from_call(invoked)
        }

        fn ensure_governor(&self) -> Result<()> {
            if self.env().caller() != self.governor() {
                return Err(PoolError::NotGovernor);
            }
            Ok(())
        }

        fn subscription_ref(&self) -> ink::contract_ref!(Subscription) {
            self.subscription_contract().into()
        }

        fn emit(&self, events: ink::prelude::vec::Vec<PoolEvent>) {
            for event in events {
                match event {
                    PoolEvent::Contributed {
                        contributor,
                        amount,
                        contributed,
                    } => self.env().emit_event(Contributed {
                        contributor,
                        amount,
                        contributed,
                    }),
                    PoolEvent::Refunded {
                        contributor,
                        amount,
                    } => self.env().emit_event(ContributionReturned {
                        contributor,
                        amount,
                    }),
                    PoolEvent::Spent { id, amount } => self.env().emit_event(Spent { id, amount }),
                    PoolEvent::Closed {
                        id,
                        sent,
                        refunded,
                        distributable,
                    } => self.env().emit_event(PoolClosed {
                        id,
                        sent,
                        refunded,
                        distributable,
                    }),
                    PoolEvent::Withdrawn {
                        contributor,
                        amount,
                        dust,
                    } => self.env().emit_event(Withdrawn {
                        contributor,
                        amount,
                        dust,
                    }),
                }
            }
        }
    }

    /// What `books` holds covers what the pool's account holds, at every
    /// step: tested in the drink scenarios (`e2e-tests/tests/pool.rs`).
    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::{test, DefaultEnvironment as Env};

        fn accounts() -> test::DefaultAccounts<Env> {
            test::default_accounts::<Env>()
        }

        fn pool() -> PoolContract {
            let a = accounts();
            test::set_caller::<Env>(a.alice);
            PoolContract::new(
                a.django,
                a.alice,
                Terms {
                    type_id: 1,
                    max_rate: 10,
                    max_cancel_fee: 0,
                },
            )
            .expect("a pool")
        }

        fn contribute(pool: &mut PoolContract, who: AccountId, amount: Balance) -> Result<()> {
            test::set_caller::<Env>(who);
            test::set_value_transferred::<Env>(amount);
            let result = pool.contribute();
            test::set_value_transferred::<Env>(0);
            result
        }

        #[ink::test]
        fn the_constructor_refuses_zero_accounts_and_a_zero_rate() {
            let a = accounts();
            let zero = AccountId::from([0; 32]);
            let terms = Terms {
                type_id: 1,
                max_rate: 10,
                max_cancel_fee: 0,
            };
            assert!(matches!(
                PoolContract::new(zero, a.alice, terms),
                Err(PoolError::InvalidInput(Invalid::Account))
            ));
            assert!(matches!(
                PoolContract::new(a.django, zero, terms),
                Err(PoolError::InvalidInput(Invalid::Account))
            ));
            let free = Terms {
                max_rate: 0,
                ..terms
            };
            assert!(matches!(
                PoolContract::new(a.django, a.alice, free),
                Err(PoolError::InvalidInput(Invalid::Price))
            ));
        }

        #[ink::test]
        fn only_the_governor_spends_and_only_within_the_terms() {
            let a = accounts();
            let mut pool = pool();
            contribute(&mut pool, a.bob, 500).unwrap();
            let descriptor = Descriptor {
                hash: [1; 32],
                uri: "ipfs://x".into(),
            };
            let within = Requirements {
                max_price_per_block: 10,
                ..Default::default()
            };
            for stranger in [a.bob, a.charlie] {
                test::set_caller::<Env>(stranger);
                assert_eq!(
                    pool.create(descriptor.clone(), within.clone(), None, 100),
                    Err(PoolError::NotGovernor)
                );
                assert_eq!(pool.top_up(1), Err(PoolError::NotGovernor));
                assert_eq!(pool.cancel(), Err(PoolError::NotGovernor));
                assert_eq!(pool.accept_price(1), Err(PoolError::NotGovernor));
                assert_eq!(pool.reject_price(), Err(PoolError::NotGovernor));
                assert_eq!(
                    pool.transfer_governor(stranger),
                    Err(PoolError::NotGovernor)
                );
            }
            test::set_caller::<Env>(a.alice);
            let dearer = Requirements {
                max_price_per_block: 11,
                ..Default::default()
            };
            assert_eq!(
                pool.create(descriptor.clone(), dearer, None, 100),
                Err(PoolError::OutsideTerms)
            );
            assert_eq!(
                pool.create(descriptor, within, None, 501),
                Err(PoolError::InsufficientFunds)
            );
            assert_eq!(pool.top_up(1), Err(PoolError::NotStarted));
            assert_eq!(pool.close(), Err(PoolError::NotStarted));
        }

        #[ink::test]
        fn before_the_start_a_contribution_comes_back_whole() {
            let a = accounts();
            let mut pool = pool();
            contribute(&mut pool, a.bob, 300).unwrap();
            contribute(&mut pool, a.bob, 200).unwrap();
            assert_eq!(
                contribute(&mut pool, a.charlie, 0),
                Err(PoolError::InvalidInput(Invalid::Amount))
            );
            assert_eq!(pool.withdrawable(a.bob), 500);
            test::set_caller::<Env>(a.bob);
            assert_eq!(pool.withdraw(), Ok(500));
            assert_eq!(pool.withdraw(), Err(PoolError::NoContribution));
            assert_eq!(pool.books(), Books::default());
            assert_eq!(pool.share_of(a.bob), Share::default());
        }

        #[ink::test]
        fn the_governor_hands_over_in_two_steps() {
            let a = accounts();
            let mut pool = pool();
            test::set_caller::<Env>(a.alice);
            assert_eq!(
                pool.transfer_governor(AccountId::from([0; 32])),
                Err(PoolError::InvalidInput(Invalid::Account))
            );
            pool.transfer_governor(a.eve).unwrap();
            test::set_caller::<Env>(a.bob);
            assert_eq!(pool.accept_governor(), Err(PoolError::NotGovernor));
            test::set_caller::<Env>(a.eve);
            pool.accept_governor().unwrap();
            assert_eq!((pool.governor(), pool.pending_governor()), (a.eve, None));
            assert_eq!(test::recorded_events().count(), 2);
        }
    }
}
