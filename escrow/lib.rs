//! DINFRA escrow: holds consumers' funds and streams them to providers per
//! block (money rules in [`dinfra::stream`]).
//!
//! Only the configured subscription contract (the controller) may open and
//! steer streams; anyone may deposit into a stream (sponsor a subscription);
//! withdrawals (by the payee, or the controller claiming for it) always pay
//! the payee. Pausing stops new streams, never deposits, withdrawals or
//! refunds. The admin has no power over any stream: a new controller only
//! comes through a scheduled change, and the streams opened under the old
//! one can then be `reclaim`ed by their payers. A payment the runtime
//! refuses at `withdraw` or `close` (a batch of withdrawals pays each payee
//! its total in one transfer) is credited to its owner (`withdraw_credit`),
//! so one party's reaped account never blocks the other's money. A thin ink! shell over [`data::EscrowData`]: the shell
//! makes exactly the transfers the data's events name.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// A split build holds only its share of the messages (`dinfra::cold`): the
// hot Wasm forwards the cold ones without reading their arguments
// (`dinfra::cold_args!`), and each build leaves out code and imports only the
// others use.
#![cfg_attr(
    any(dinfra_hot, dinfra_cold),
    allow(unused_variables, unused_imports, dead_code)
)]

pub mod data;

#[ink::contract]
pub mod escrow {
    use crate::data::{EscrowData, EscrowEvent};
    use dinfra::admin::{self, Admin, AdminError, Governed, Links};
    use dinfra::governance::{Change, ChangeId, Link, ScheduledChange};
    use dinfra::stream::Stream;
    use dinfra::traits::{ClosedStream, Escrow, EscrowError, StreamFigures, StreamId};
    use ink::prelude::vec::Vec;

    // Each event topic costs the chain a storage read and a write
    // (frame_system's `EventTopics`) and 2.5 KB of proof: events carry the
    // stream id as their topic and name accounts in their data; the
    // subscription contract's events name the consumer and the provider.
    #[ink(event)]
    pub struct StreamOpened {
        #[ink(topic)]
        pub id: StreamId,
        pub payer: AccountId,
        pub payee: AccountId,
        pub rate: Balance,
        pub deposit: Balance,
        /// Blocks the payer may wait to leave once it asks; the escrow's
        /// governance delay stays at least twice the longest.
        pub exit_notice: BlockNumber,
    }

    #[ink(event)]
    pub struct StreamStarted {
        #[ink(topic)]
        pub id: StreamId,
        pub at: BlockNumber,
    }

    #[ink(event)]
    pub struct Deposited {
        #[ink(topic)]
        pub id: StreamId,
        pub from: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct StreamReassigned {
        #[ink(topic)]
        pub id: StreamId,
        #[ink(topic)]
        pub payee: AccountId,
        pub rate: Balance,
    }

    #[ink(event)]
    pub struct RateChanged {
        #[ink(topic)]
        pub id: StreamId,
        pub rate: Balance,
        pub at: BlockNumber,
    }

    #[ink(event)]
    pub struct EndScheduled {
        #[ink(topic)]
        pub id: StreamId,
        pub end: BlockNumber,
    }

    /// `payee` was paid `amount`: what `streams` (each `(id, amount)`)
    /// paid it in one withdrawal or batch. One event per payee, not per
    /// stream: each topic costs the chain a storage read and write.
    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub payee: AccountId,
        pub amount: Balance,
        pub streams: Vec<(StreamId, Balance)>,
    }

    #[ink(event)]
    pub struct StreamClosed {
        #[ink(topic)]
        pub id: StreamId,
        pub paid: Balance,
        pub refunded: Balance,
    }

    /// The payer closed a stream no controller steers any more.
    #[ink(event)]
    pub struct StreamReclaimed {
        #[ink(topic)]
        pub id: StreamId,
        #[ink(topic)]
        pub payer: AccountId,
    }

    /// The runtime refused a payment: it is kept for `account`.
    #[ink(event)]
    pub struct Credited {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct CreditWithdrawn {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: Balance,
    }

    /// The upgrade fixture's new storage cell.
    #[cfg(feature = "upgrade-fixture")]
    fn upgrade_note(
    ) -> ink::storage::Lazy<u32, ink::storage::traits::ManualKey<{ crate::data::keys::UPGRADE_NOTE }>>
    {
        ink::storage::Lazy::new()
    }

    /// The cold part of this contract's code (see [`dinfra::cold`]): the
    /// payer's `reclaim`, credits, the queries and governance. The hot code
    /// keeps what the subscription contract and the payee call: `open`,
    /// `start`, `deposit`, `reassign`, `set_rate`, `set_end`, `close`,
    /// `withdraw`, `withdraw_many`, `figures`.
    const COLD1: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD1_CODE_HASH");
    dinfra::cold_args!();

    #[ink(storage)]
    pub struct EscrowContract {
        governed: Governed,
        data: EscrowData,
    }

    impl EscrowContract {
        /// The caller becomes admin; no contract may open streams until the
        /// first wiring (`schedule_change(Link(Controller, …))`, at once);
        /// every later change of its code or controller waits
        /// `governance_delay` blocks.
        #[ink(constructor)]
        pub fn new(governance_delay: BlockNumber) -> Result<Self, EscrowError> {
            dinfra::hold_cold!((1, COLD1));
            Ok(Self {
                governed: Governed::new(Self::env().caller(), governance_delay)?,
                data: EscrowData::new(),
            })
        }

        /// The upgrade fixture's added message: reads the storage cell only
        /// the new code has (a key v1 never wrote).
        #[cfg(feature = "upgrade-fixture")]
        #[ink(message)]
        pub fn upgrade_note(&self) -> Option<u32> {
            upgrade_note().get()
        }

        /// The upgrade fixture's added message: writes that cell.
        #[cfg(feature = "upgrade-fixture")]
        #[ink(message)]
        pub fn set_upgrade_note(&mut self, note: u32) {
            upgrade_note().set(&note);
        }

        /// The controller: the subscription contract that opens and steers
        /// streams.
        #[ink(message)]
        pub fn subscription_contract(&self) -> Option<AccountId> {
            dinfra::cold!(1, COLD1, { self.data.controller() })
        }

        /// How many times the controller changed; a stream opened in an
        /// earlier epoch may be reclaimed by its payer.
        #[ink(message)]
        pub fn controller_epoch(&self) -> u32 {
            dinfra::cold!(1, COLD1, { self.data.controller_epoch() })
        }

        /// The payer's way out when nothing steers its stream any more (the
        /// controller changed or went since the stream was opened, or holds
        /// no contract): closes it, paying the payee what it earned and the
        /// payer the rest. `ControllerWorking` otherwise: then the
        /// subscription contract's `cancel` is the way.
        #[ink(message)]
        pub fn reclaim(&mut self, id: Arg<StreamId>) -> Result<ClosedStream, EscrowError> {
            dinfra::cold!(1, COLD1, {
                let (caller, now) = (self.env().caller(), self.env().block_number());
                let events = self.data.reclaim(id, caller, now, |controller| {
                    ink::env::code_hash::<ink::env::DefaultEnvironment>(&controller).is_err()
                })?;
                let closed = closed_stream(&events)?;
                self.apply(events)?;
                Ok(closed)
            })
        }

        /// Pays the caller the payments the runtime refused it earlier;
        /// returns the amount.
        #[ink(message)]
        pub fn withdraw_credit(&mut self) -> Result<Balance, EscrowError> {
            dinfra::cold!(1, COLD1, {
                let caller = self.env().caller();
                let events = self.data.withdraw_credit(caller)?;
                let paid = match events.first() {
                    Some(EscrowEvent::CreditWithdrawn { amount, .. }) => *amount,
                    _ => return Err(EscrowError::NotFound),
                };
                self.apply(events)?;
                Ok(paid)
            })
        }

        /// What `account` may take with `withdraw_credit`.
        #[ink(message)]
        pub fn credit_of(&self, account: Arg<AccountId>) -> Balance {
            dinfra::cold!(1, COLD1, { self.data.credit_of(account) })
        }

        /// Σ credits; with `total_held`, what the contract's balance covers.
        #[ink(message)]
        pub fn total_credited(&self) -> Balance {
            dinfra::cold!(1, COLD1, { self.data.total_credited() })
        }

        /// The longest exit notice of any stream opened here: the
        /// governance delay never goes below twice it.
        #[ink(message)]
        pub fn longest_exit_notice(&self) -> BlockNumber {
            dinfra::cold!(1, COLD1, { self.data.longest_exit_notice() })
        }

        /// The raw stream record, `None` if unknown.
        #[ink(message)]
        pub fn stream(&self, id: Arg<StreamId>) -> Option<Stream> {
            dinfra::cold!(1, COLD1, { self.data.stream(id) })
        }

        /// Number of streams ever opened (ids are `0..count`).
        #[ink(message)]
        pub fn stream_count(&self) -> StreamId {
            dinfra::cold!(1, COLD1, { self.data.stream_count() })
        }

        /// Σ held over all streams; the contract's balance never falls below it.
        #[ink(message)]
        pub fn total_held(&self) -> Balance {
            dinfra::cold!(1, COLD1, { self.data.total_held() })
        }

        fn ensure_controller(&self) -> Result<(), EscrowError> {
            if self.data.controller() != Some(self.env().caller()) {
                return Err(EscrowError::Unauthorized);
            }
            Ok(())
        }

        /// Pays `amount` to `to`; a payment the runtime refuses (below the
        /// existential deposit to a reaped account, say) is credited to `to`
        /// instead of failing the message.
        fn pay_or_credit(&mut self, to: AccountId, amount: Balance) -> Result<(), EscrowError> {
            if amount == 0 || self.env().transfer(to, amount).is_ok() {
                return Ok(());
            }
            let event = self.data.credit(to, amount)?;
            self.apply(ink::prelude::vec![event])
        }

        /// Makes the transfers the events name, then emits them.
        fn apply(&mut self, events: Vec<EscrowEvent>) -> Result<(), EscrowError> {
            for event in events {
                match event {
                    EscrowEvent::Opened {
                        id,
                        payer,
                        payee,
                        rate,
                        deposit,
                        exit_notice,
                    } => self.env().emit_event(StreamOpened {
                        id,
                        payer,
                        payee,
                        rate,
                        deposit,
                        exit_notice,
                    }),
                    EscrowEvent::Started { id, at } => {
                        self.env().emit_event(StreamStarted { id, at })
                    }
                    EscrowEvent::Deposited { id, from, amount } => {
                        self.env().emit_event(Deposited { id, from, amount })
                    }
                    EscrowEvent::Reassigned { id, payee, rate } => {
                        self.env().emit_event(StreamReassigned { id, payee, rate })
                    }
                    EscrowEvent::RateChanged { id, rate, at } => {
                        self.env().emit_event(RateChanged { id, rate, at })
                    }
                    EscrowEvent::EndScheduled { id, end } => {
                        self.env().emit_event(EndScheduled { id, end })
                    }
                    EscrowEvent::Withdrawn {
                        payee,
                        amount,
                        streams,
                    } => {
                        self.env().emit_event(Withdrawn {
                            payee,
                            amount,
                            streams,
                        });
                        self.pay_or_credit(payee, amount)?;
                    }
                    EscrowEvent::Closed {
                        id,
                        payee,
                        payer,
                        paid,
                        refunded,
                        ..
                    } => {
                        self.env().emit_event(StreamClosed { id, paid, refunded });
                        self.pay_or_credit(payee, paid)?;
                        self.pay_or_credit(payer, refunded)?;
                    }
                    EscrowEvent::Reclaimed { id, payer } => {
                        self.env().emit_event(StreamReclaimed { id, payer })
                    }
                    EscrowEvent::Credited { account, amount } => {
                        self.env().emit_event(Credited { account, amount })
                    }
                    EscrowEvent::CreditWithdrawn { account, amount } => {
                        self.env()
                            .transfer(account, amount)
                            .map_err(|_| EscrowError::TransferFailed)?;
                        self.env().emit_event(CreditWithdrawn { account, amount })
                    }
                }
            }
            Ok(())
        }
    }

    /// What a close's events say it paid out.
    fn closed_stream(events: &[EscrowEvent]) -> Result<ClosedStream, EscrowError> {
        match events.first() {
            Some(EscrowEvent::Closed {
                paid,
                refunded,
                payee_total,
                ..
            }) => Ok(ClosedStream {
                paid: *paid,
                refunded: *refunded,
                payee_total: *payee_total,
            }),
            _ => Err(EscrowError::NotFound),
        }
    }

    impl Escrow for EscrowContract {
        #[ink(message, payable)]
        fn open(
            &mut self,
            payer: AccountId,
            payee: AccountId,
            rate: Balance,
            exit_notice: BlockNumber,
        ) -> Result<StreamId, EscrowError> {
            dinfra::hot!({
                self.ensure_controller()?;
                self.governed.ensure_not_paused()?;
                let id = self.data.stream_count();
                let deposit = self.env().transferred_value();
                let delay = self.governed.governance().delay();
                let events = self.data.open(
                    payer,
                    payee,
                    rate,
                    deposit,
                    exit_notice,
                    delay,
                    self.env().block_number(),
                )?;
                self.apply(events)?;
                Ok(id)
            })
        }

        #[ink(message)]
        fn start(&mut self, id: StreamId) -> Result<(), EscrowError> {
            dinfra::hot!({
                let events = self
                    .data
                    .start(id, self.env().caller(), self.env().block_number())?;
                self.apply(events)
            })
        }

        #[ink(message, payable)]
        fn deposit(&mut self, id: StreamId) -> Result<(), EscrowError> {
            dinfra::hot!({
                let events = self.data.deposit(
                    id,
                    self.env().caller(),
                    self.env().transferred_value(),
                    self.env().block_number(),
                )?;
                self.apply(events)
            })
        }

        #[ink(message)]
        fn reassign(
            &mut self,
            id: StreamId,
            payee: AccountId,
            rate: Balance,
        ) -> Result<(), EscrowError> {
            dinfra::hot!({
                let events = self.data.reassign(
                    id,
                    self.env().caller(),
                    payee,
                    rate,
                    self.env().block_number(),
                )?;
                self.apply(events)
            })
        }

        #[ink(message)]
        fn set_rate(&mut self, id: StreamId, rate: Balance) -> Result<(), EscrowError> {
            dinfra::hot!({
                let events =
                    self.data
                        .set_rate(id, self.env().caller(), rate, self.env().block_number())?;
                self.apply(events)
            })
        }

        #[ink(message)]
        fn set_end(&mut self, id: StreamId, end: BlockNumber) -> Result<(), EscrowError> {
            dinfra::hot!({
                let events =
                    self.data
                        .set_end(id, self.env().caller(), end, self.env().block_number())?;
                self.apply(events)
            })
        }

        #[ink(message)]
        fn close(&mut self, id: StreamId, fee: Balance) -> Result<ClosedStream, EscrowError> {
            dinfra::hot!({
                let events =
                    self.data
                        .close(id, self.env().caller(), self.env().block_number(), fee)?;
                let closed = closed_stream(&events)?;
                self.apply(events)?;
                Ok(closed)
            })
        }

        #[ink(message)]
        fn withdraw(&mut self, id: StreamId) -> Result<Balance, EscrowError> {
            dinfra::hot!({
                let events =
                    self.data
                        .withdraw(id, self.env().caller(), self.env().block_number())?;
                let amount = match events.first() {
                    Some(EscrowEvent::Withdrawn { amount, .. }) => *amount,
                    _ => return Err(EscrowError::NotFound),
                };
                self.apply(events)?;
                Ok(amount)
            })
        }

        #[ink(message)]
        fn withdraw_many(&mut self, ids: Vec<StreamId>) -> Result<Vec<Balance>, EscrowError> {
            dinfra::hot!({
                let (amounts, events) = self.data.withdraw_many(
                    &ids,
                    self.env().caller(),
                    self.env().block_number(),
                )?;
                self.apply(events)?;
                Ok(amounts)
            })
        }

        #[ink(message)]
        fn figures(&self, id: StreamId) -> Option<StreamFigures> {
            dinfra::hot!({ self.data.figures(id, self.env().block_number()) })
        }
    }

    impl Links for EscrowContract {
        fn governed(&mut self) -> &mut Governed {
            &mut self.governed
        }
        fn link(&self, link: Link) -> Result<Option<AccountId>, AdminError> {
            match link {
                Link::Controller => Ok(self.data.controller()),
                Link::Award => Err(AdminError::InvalidChange),
            }
        }
        fn set_link(&mut self, _link: Link, to: Option<AccountId>) {
            self.data.set_controller(to);
        }
        /// Never below twice the longest exit notice of a stream opened
        /// here (checked when a shorter delay is scheduled and again when
        /// it applies).
        fn check_delay(&self, delay: BlockNumber) -> Result<(), AdminError> {
            if !self.data.delay_keeps_exits(delay) {
                return Err(AdminError::InvalidChange);
            }
            Ok(())
        }
    }

    impl Admin for EscrowContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            dinfra::cold!(1, COLD1, { self.governed.data().admin() })
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            dinfra::cold!(1, COLD1, { self.governed.data().pending() })
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                self.governed.transfer_admin(self.env().caller(), proposed)
            })
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                self.governed.accept_admin(self.env().caller())
            })
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                self.governed.set_paused(self.env().caller(), paused)
            })
        }
        #[ink(message)]
        fn paused(&self) -> bool {
            dinfra::cold!(1, COLD1, { self.governed.data().paused() })
        }
        #[ink(message)]
        fn governance_delay(&self) -> BlockNumber {
            dinfra::cold!(1, COLD1, { self.governed.governance().delay() })
        }
        #[ink(message)]
        fn pending_changes(&self) -> Vec<ScheduledChange> {
            dinfra::cold!(1, COLD1, { self.governed.pending_changes() })
        }
        #[ink(message)]
        fn schedule_change(&mut self, change: Change) -> Result<ChangeId, AdminError> {
            dinfra::cold!(1, COLD1, {
                let (caller, now) = (self.env().caller(), self.env().block_number());
                admin::schedule_change(self, caller, now, change)
            })
        }
        #[ink(message)]
        fn apply_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                let now = self.env().block_number();
                admin::apply_change(self, id, now)
            })
        }
        #[ink(message)]
        fn cancel_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                admin::cancel_change(self, self.env().caller(), id)
            })
        }
    }

    #[cfg(all(test, not(feature = "upgrade-fixture")))]
    mod tests {
        use super::*;
        use dinfra::stream::{StreamError, StreamStatus};
        use dinfra::types::{Invalid, MAX_BATCH};
        use ink::env::{test, DefaultEnvironment as Env};

        const DELAY: BlockNumber = 30;
        /// The stream's exit notice (at most half the delay).
        const NOTICE: BlockNumber = 10;

        /// An escrow whose controller is `charlie`, with a stream from `bob`
        /// to `django` at rate 10, opened with a deposit of 1_000.
        fn escrow_with_stream() -> (EscrowContract, test::DefaultAccounts<Env>) {
            let accounts = test::default_accounts::<Env>();
            let mut escrow = EscrowContract::new(DELAY).unwrap();
            escrow
                .schedule_change(Change::Link(Link::Controller, Some(accounts.charlie)))
                .unwrap();
            test::set_caller::<Env>(accounts.charlie);
            test::set_value_transferred::<Env>(1_000);
            escrow
                .open(accounts.bob, accounts.django, 10, NOTICE)
                .unwrap();
            test::set_value_transferred::<Env>(0);
            (escrow, accounts)
        }

        #[ink::test]
        fn privileged_messages_refuse_other_callers() {
            let (mut escrow, accounts) = escrow_with_stream();
            test::set_caller::<Env>(accounts.eve);
            assert_eq!(
                escrow.open(accounts.bob, accounts.django, 1, NOTICE),
                Err(EscrowError::Unauthorized)
            );
            assert_eq!(escrow.start(0), Err(EscrowError::Unauthorized));
            assert_eq!(escrow.set_rate(0, 5), Err(EscrowError::Unauthorized));
            assert_eq!(
                escrow.reassign(0, accounts.eve, 5),
                Err(EscrowError::Unauthorized)
            );
            assert_eq!(escrow.set_end(0, 50), Err(EscrowError::Unauthorized));
            assert_eq!(escrow.close(0, 0), Err(EscrowError::Unauthorized));
            assert_eq!(
                escrow.withdraw(0),
                Err(EscrowError::Unauthorized),
                "only the payee or the controller"
            );
            assert_eq!(
                escrow.schedule_change(Change::Link(Link::Controller, None)),
                Err(AdminError::Unauthorized)
            );
            assert_eq!(
                escrow.reclaim(0),
                Err(EscrowError::Unauthorized),
                "only the payer reclaims"
            );
            assert_eq!(escrow.figures(0).unwrap().status, StreamStatus::Pending);
        }

        #[ink::test]
        fn payee_withdraws_what_accrued_since_start() {
            let (mut escrow, accounts) = escrow_with_stream();
            escrow.start(0).unwrap();
            for _ in 0..7 {
                test::advance_block::<Env>();
            }
            let figures = escrow.figures(0).unwrap();
            assert_eq!(figures.withdrawable, 70);
            assert_eq!(figures.refundable, 930);
            test::set_caller::<Env>(accounts.django);
            let before = test::get_account_balance::<Env>(accounts.django).unwrap();
            assert_eq!(escrow.withdraw(0), Ok(70));
            assert_eq!(
                test::get_account_balance::<Env>(accounts.django).unwrap(),
                before + 70
            );
            assert_eq!(
                escrow.withdraw(0),
                Err(EscrowError::Stream(StreamError::NothingToWithdraw))
            );
            assert_eq!(escrow.total_held(), 930);
        }

        #[ink::test]
        fn withdraw_many_pays_each_payee_once_and_refuses_a_bad_batch_whole() {
            let (mut escrow, accounts) = escrow_with_stream();
            // Stream 1 to django too, stream 2 to eve, stream 3 never started.
            test::set_value_transferred::<Env>(1_000);
            escrow
                .open(accounts.bob, accounts.django, 5, NOTICE)
                .unwrap();
            escrow.open(accounts.bob, accounts.eve, 1, NOTICE).unwrap();
            escrow.open(accounts.bob, accounts.eve, 1, NOTICE).unwrap();
            test::set_value_transferred::<Env>(0);
            for id in 0..3 {
                escrow.start(id).unwrap();
            }
            for _ in 0..4 {
                test::advance_block::<Env>();
            }
            let held = escrow.total_held();
            let refused = [
                (vec![], EscrowError::InvalidInput(Invalid::Limit)),
                (
                    (0..=u64::from(MAX_BATCH)).collect(),
                    EscrowError::InvalidInput(Invalid::Limit),
                ),
                (vec![0, 1, 0], EscrowError::InvalidInput(Invalid::Duplicate)),
                (vec![0, 9], EscrowError::NotFound),
                (vec![0, 3], EscrowError::Stream(StreamError::NotStarted)),
            ];
            for (ids, error) in refused {
                assert_eq!(escrow.withdraw_many(ids.clone()), Err(error), "{ids:?}");
                assert_eq!(escrow.total_held(), held, "nothing moved for {ids:?}");
            }
            test::set_caller::<Env>(accounts.django);
            assert_eq!(
                escrow.withdraw_many(vec![0, 2]),
                Err(EscrowError::Unauthorized),
                "a payee withdraws only its own streams"
            );
            assert_eq!(escrow.figures(0).unwrap().withdrawn, 0);

            let django = test::get_account_balance::<Env>(accounts.django).unwrap();
            let eve = test::get_account_balance::<Env>(accounts.eve).unwrap();
            test::set_caller::<Env>(accounts.charlie);
            let emitted = test::recorded_events().count();
            assert_eq!(escrow.withdraw_many(vec![2, 0, 1]), Ok(vec![4, 40, 20]));
            assert_eq!(
                test::get_account_balance::<Env>(accounts.django).unwrap(),
                django + 60
            );
            assert_eq!(
                test::get_account_balance::<Env>(accounts.eve).unwrap(),
                eve + 4
            );
            assert_eq!(escrow.total_held(), held - 64);
            assert_eq!(
                test::recorded_events().count() - emitted,
                2,
                "one Withdrawn per payee (django: streams 0 and 1; eve: 2)"
            );
            assert_eq!(
                escrow.withdraw_many(vec![0, 1]),
                Ok(vec![0, 0]),
                "nothing covered: 0 each, not a refusal"
            );
            test::advance_block::<Env>();
            test::set_caller::<Env>(accounts.django);
            assert_eq!(
                escrow.withdraw_many(vec![1]),
                Ok(vec![5]),
                "the payee itself"
            );
        }

        #[ink::test]
        fn pause_stops_new_streams_only() {
            let (mut escrow, accounts) = escrow_with_stream();
            test::set_caller::<Env>(accounts.alice);
            escrow.set_paused(true).unwrap();
            test::set_caller::<Env>(accounts.charlie);
            assert_eq!(
                escrow.open(accounts.bob, accounts.django, 1, NOTICE),
                Err(EscrowError::Paused)
            );
            escrow.start(0).unwrap();
            test::advance_block::<Env>();
            test::set_caller::<Env>(accounts.eve);
            test::set_value_transferred::<Env>(5);
            assert_eq!(escrow.deposit(0), Ok(()), "sponsoring is never paused");
            test::set_value_transferred::<Env>(0);
            test::set_caller::<Env>(accounts.charlie);
            assert_eq!(
                escrow.close(0, 0),
                Ok(ClosedStream {
                    paid: 10,
                    refunded: 995,
                    payee_total: 10
                }),
                "refunds are never paused"
            );
        }

        #[ink::test]
        fn the_payer_reclaims_only_a_stream_nobody_steers() {
            let (mut escrow, accounts) = escrow_with_stream();
            // (`ControllerWorking` for a stream its controller still steers
            // needs the runtime's `code_hash`: e2e-tests/tests/escrow.rs.)
            escrow.start(0).unwrap();
            test::set_caller::<Env>(accounts.alice);
            let id = escrow
                .schedule_change(Change::Link(Link::Controller, Some(accounts.eve)))
                .unwrap();
            for _ in 0..DELAY {
                test::advance_block::<Env>();
            }
            escrow.apply_change(id).unwrap();
            assert_eq!(escrow.subscription_contract(), Some(accounts.eve));
            assert_eq!(
                escrow.controller_epoch(),
                2,
                "first wiring, then the change"
            );
            test::set_caller::<Env>(accounts.eve);
            for refused in [
                escrow.start(0),
                escrow.set_rate(0, 1_000),
                escrow.reassign(0, accounts.eve, 1_000),
                escrow.set_end(0, 5),
                escrow.close(0, 1_000).map(|_| ()),
                escrow.withdraw(0).map(|_| ()),
            ] {
                assert_eq!(
                    refused,
                    Err(EscrowError::Unauthorized),
                    "a new controller steers only the streams it opens"
                );
            }
            test::set_value_transferred::<Env>(50);
            assert_eq!(escrow.open(accounts.bob, accounts.eve, 1, NOTICE), Ok(1));
            test::set_value_transferred::<Env>(0);
            assert_eq!(escrow.start(1), Ok(()), "its own it steers");
            test::set_caller::<Env>(accounts.django);
            assert_eq!(escrow.reclaim(0), Err(EscrowError::Unauthorized));
            test::set_caller::<Env>(accounts.bob);
            for _ in 0..3 {
                test::advance_block::<Env>();
            }
            assert_eq!(
                escrow.reclaim(0),
                Ok(ClosedStream {
                    paid: 10 * u128::from(DELAY + 3),
                    refunded: 1_000 - 10 * u128::from(DELAY + 3),
                    payee_total: 10 * u128::from(DELAY + 3)
                }),
                "the payee is paid what it earned to this block, the payer the rest"
            );
            assert_eq!(escrow.total_held(), 50, "the new controller's stream only");
            assert_eq!(
                escrow.reclaim(0),
                Err(EscrowError::Stream(StreamError::Closed))
            );
        }

        #[ink::test]
        fn the_delay_never_drops_below_twice_an_exit_notice_given() {
            let (mut escrow, accounts) = escrow_with_stream();
            assert_eq!(escrow.longest_exit_notice(), NOTICE);
            test::set_value_transferred::<Env>(5);
            assert_eq!(
                escrow.open(accounts.bob, accounts.django, 1, DELAY / 2 + 1),
                Err(EscrowError::NoticeTooLong),
                "a payer who asks to leave when a change is scheduled must be out before it"
            );
            assert_eq!(escrow.open(accounts.bob, accounts.django, 1, 0), Ok(1));
            test::set_value_transferred::<Env>(0);
            assert_eq!(escrow.longest_exit_notice(), NOTICE, "the longest stays");
            test::set_caller::<Env>(accounts.alice);
            assert_eq!(
                escrow.schedule_change(Change::Delay(2 * NOTICE - 1)),
                Err(AdminError::InvalidChange),
                "below twice the exit notice a stream was opened with"
            );
            assert_eq!(escrow.pending_changes(), Vec::new());
            let id = escrow.schedule_change(Change::Delay(2 * NOTICE)).unwrap();
            assert_eq!(escrow.governance_delay(), DELAY, "a shorter delay waits");
            for _ in 0..DELAY {
                test::advance_block::<Env>();
            }
            escrow.apply_change(id).unwrap();
            assert_eq!(escrow.governance_delay(), 2 * NOTICE);
        }

        #[ink::test]
        fn a_credit_is_only_withdrawn_by_its_owner_and_once() {
            let (mut escrow, accounts) = escrow_with_stream();
            test::set_caller::<Env>(accounts.django);
            assert_eq!(escrow.withdraw_credit(), Err(EscrowError::NoCredit));
            assert_eq!(escrow.credit_of(accounts.django), 0);
            assert_eq!(escrow.total_credited(), 0);
        }
    }
}
