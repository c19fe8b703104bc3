//! DINFRA escrow: holds consumers' funds and streams them to providers per
//! block (money rules in [`dinfra::stream`]).
//!
//! Only the configured subscription contract may open and steer streams;
//! anyone may deposit into a stream (sponsor a subscription); withdrawals
//! (by the payee, or the subscription contract claiming for it) always pay
//! the payee. Pausing stops new streams, never deposits, withdrawals or
//! refunds. A thin ink! shell over [`data::EscrowData`]: the shell makes
//! exactly the transfers the data's events name, and a failed transfer
//! returns `TransferFailed`, which reverts every write of the message.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod data;

#[ink::contract]
pub mod escrow {
    use crate::data::{EscrowData, EscrowEvent};
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::stream::Stream;
    use dinfra::traits::{Escrow, EscrowError, StreamFigures, StreamId};
    use dinfra::types::CodeHash;
    use ink::prelude::vec::Vec;

    #[ink(event)]
    pub struct SubscriptionContractChanged {
        #[ink(topic)]
        pub subscription_contract: Option<AccountId>,
    }

    #[ink(event)]
    pub struct StreamOpened {
        #[ink(topic)]
        pub id: StreamId,
        #[ink(topic)]
        pub payer: AccountId,
        #[ink(topic)]
        pub payee: AccountId,
        pub rate: Balance,
        pub deposit: Balance,
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
        #[ink(topic)]
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

    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub id: StreamId,
        #[ink(topic)]
        pub payee: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct StreamClosed {
        #[ink(topic)]
        pub id: StreamId,
        pub paid: Balance,
        pub refunded: Balance,
    }

    #[ink(storage)]
    pub struct EscrowContract {
        admin: AdminData,
        /// The only account allowed to open and steer streams.
        subscription_contract: Option<AccountId>,
        data: EscrowData,
    }

    impl EscrowContract {
        /// The caller becomes admin; no contract may open streams until wired.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                admin: AdminData::new(Self::env().caller()),
                subscription_contract: None,
                data: EscrowData::default(),
            }
        }

        /// Sets the contract allowed to open and steer streams (admin only).
        #[ink(message)]
        pub fn set_subscription_contract(
            &mut self,
            subscription_contract: Option<AccountId>,
        ) -> Result<(), EscrowError> {
            self.admin.ensure_admin(self.env().caller())?;
            self.subscription_contract = subscription_contract;
            self.env().emit_event(SubscriptionContractChanged {
                subscription_contract,
            });
            Ok(())
        }

        #[ink(message)]
        pub fn subscription_contract(&self) -> Option<AccountId> {
            self.subscription_contract
        }

        /// The raw stream record, `None` if unknown.
        #[ink(message)]
        pub fn stream(&self, id: StreamId) -> Option<Stream> {
            self.data.stream(id)
        }

        /// Number of streams ever opened (ids are `0..count`).
        #[ink(message)]
        pub fn stream_count(&self) -> StreamId {
            self.data.stream_count()
        }

        /// Σ held over all streams; the contract's balance never falls below it.
        #[ink(message)]
        pub fn total_held(&self) -> Balance {
            self.data.total_held()
        }

        fn ensure_controller(&self) -> Result<(), EscrowError> {
            if self.subscription_contract != Some(self.env().caller()) {
                return Err(EscrowError::Unauthorized);
            }
            Ok(())
        }

        fn pay(&self, to: AccountId, amount: Balance) -> Result<(), EscrowError> {
            if amount == 0 {
                return Ok(());
            }
            self.env()
                .transfer(to, amount)
                .map_err(|_| EscrowError::TransferFailed)
        }

        /// Makes the transfers the events name, then emits them.
        fn apply(&self, events: Vec<EscrowEvent>) -> Result<(), EscrowError> {
            for event in events {
                match event {
                    EscrowEvent::Opened {
                        id,
                        payer,
                        payee,
                        rate,
                        deposit,
                    } => self.env().emit_event(StreamOpened {
                        id,
                        payer,
                        payee,
                        rate,
                        deposit,
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
                    EscrowEvent::Withdrawn { id, payee, amount } => {
                        self.pay(payee, amount)?;
                        self.env().emit_event(Withdrawn { id, payee, amount })
                    }
                    EscrowEvent::Closed {
                        id,
                        payee,
                        payer,
                        paid,
                        refunded,
                    } => {
                        self.pay(payee, paid)?;
                        self.pay(payer, refunded)?;
                        self.env().emit_event(StreamClosed { id, paid, refunded })
                    }
                }
            }
            Ok(())
        }
    }

    impl Default for EscrowContract {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Escrow for EscrowContract {
        #[ink(message, payable)]
        fn open(
            &mut self,
            payer: AccountId,
            payee: AccountId,
            rate: Balance,
        ) -> Result<StreamId, EscrowError> {
            self.ensure_controller()?;
            self.admin.ensure_not_paused()?;
            let id = self.data.stream_count();
            let deposit = self.env().transferred_value();
            let events = self
                .data
                .open(payer, payee, rate, deposit, self.env().block_number())?;
            self.apply(events)?;
            Ok(id)
        }

        #[ink(message)]
        fn start(&mut self, id: StreamId) -> Result<(), EscrowError> {
            self.ensure_controller()?;
            let events = self.data.start(id, self.env().block_number())?;
            self.apply(events)
        }

        #[ink(message, payable)]
        fn deposit(&mut self, id: StreamId) -> Result<(), EscrowError> {
            let events = self.data.deposit(
                id,
                self.env().caller(),
                self.env().transferred_value(),
                self.env().block_number(),
            )?;
            self.apply(events)
        }

        #[ink(message)]
        fn reassign(
            &mut self,
            id: StreamId,
            payee: AccountId,
            rate: Balance,
        ) -> Result<(), EscrowError> {
            self.ensure_controller()?;
            let events = self
                .data
                .reassign(id, payee, rate, self.env().block_number())?;
            self.apply(events)
        }

        #[ink(message)]
        fn set_rate(&mut self, id: StreamId, rate: Balance) -> Result<(), EscrowError> {
            self.ensure_controller()?;
            let events = self.data.set_rate(id, rate, self.env().block_number())?;
            self.apply(events)
        }

        #[ink(message)]
        fn set_end(&mut self, id: StreamId, end: BlockNumber) -> Result<(), EscrowError> {
            self.ensure_controller()?;
            let events = self.data.set_end(id, end, self.env().block_number())?;
            self.apply(events)
        }

        #[ink(message)]
        fn close(&mut self, id: StreamId) -> Result<(Balance, Balance), EscrowError> {
            self.ensure_controller()?;
            let events = self.data.close(id, self.env().block_number())?;
            let outcome = match events.first() {
                Some(EscrowEvent::Closed { paid, refunded, .. }) => (*paid, *refunded),
                _ => return Err(EscrowError::NotFound),
            };
            self.apply(events)?;
            Ok(outcome)
        }

        #[ink(message)]
        fn withdraw(&mut self, id: StreamId) -> Result<Balance, EscrowError> {
            let events = self.data.withdraw(
                id,
                self.env().caller(),
                self.subscription_contract,
                self.env().block_number(),
            )?;
            let amount = match events.first() {
                Some(EscrowEvent::Withdrawn { amount, .. }) => *amount,
                _ => return Err(EscrowError::NotFound),
            };
            self.apply(events)?;
            Ok(amount)
        }

        #[ink(message)]
        fn figures(&self, id: StreamId) -> Option<StreamFigures> {
            self.data.figures(id, self.env().block_number())
        }
    }

    impl Admin for EscrowContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            self.admin.admin()
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            self.admin.pending()
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> Result<(), AdminError> {
            admin::emit(self.admin.propose(self.env().caller(), proposed)?);
            Ok(())
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> Result<(), AdminError> {
            admin::emit(self.admin.accept(self.env().caller())?);
            Ok(())
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> Result<(), AdminError> {
            admin::emit(self.admin.set_paused(self.env().caller(), paused)?);
            Ok(())
        }
        #[ink(message)]
        fn paused(&self) -> bool {
            self.admin.paused()
        }
        #[ink(message)]
        fn set_code(&mut self, code_hash: CodeHash) -> Result<(), AdminError> {
            admin::emit(self.admin.set_code(self.env().caller(), code_hash)?);
            Ok(())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use dinfra::stream::{StreamError, StreamStatus};
        use ink::env::{test, DefaultEnvironment as Env};

        /// An escrow whose controller is `charlie`, with a stream from `bob`
        /// to `django` at rate 10, opened with a deposit of 1_000.
        fn escrow_with_stream() -> (EscrowContract, test::DefaultAccounts<Env>) {
            let accounts = test::default_accounts::<Env>();
            let mut escrow = EscrowContract::new();
            escrow
                .set_subscription_contract(Some(accounts.charlie))
                .unwrap();
            test::set_caller::<Env>(accounts.charlie);
            test::set_value_transferred::<Env>(1_000);
            escrow.open(accounts.bob, accounts.django, 10).unwrap();
            test::set_value_transferred::<Env>(0);
            (escrow, accounts)
        }

        #[ink::test]
        fn privileged_messages_refuse_other_callers() {
            let (mut escrow, accounts) = escrow_with_stream();
            test::set_caller::<Env>(accounts.eve);
            assert_eq!(
                escrow.open(accounts.bob, accounts.django, 1),
                Err(EscrowError::Unauthorized)
            );
            assert_eq!(escrow.start(0), Err(EscrowError::Unauthorized));
            assert_eq!(escrow.set_rate(0, 5), Err(EscrowError::Unauthorized));
            assert_eq!(
                escrow.reassign(0, accounts.eve, 5),
                Err(EscrowError::Unauthorized)
            );
            assert_eq!(escrow.set_end(0, 50), Err(EscrowError::Unauthorized));
            assert_eq!(escrow.close(0), Err(EscrowError::Unauthorized));
            assert_eq!(
                escrow.withdraw(0),
                Err(EscrowError::Unauthorized),
                "only the payee or the controller"
            );
            assert_eq!(
                escrow.set_subscription_contract(None),
                Err(EscrowError::Unauthorized)
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
        fn pause_stops_new_streams_only() {
            let (mut escrow, accounts) = escrow_with_stream();
            test::set_caller::<Env>(accounts.alice);
            escrow.set_paused(true).unwrap();
            test::set_caller::<Env>(accounts.charlie);
            assert_eq!(
                escrow.open(accounts.bob, accounts.django, 1),
                Err(EscrowError::Paused)
            );
            escrow.start(0).unwrap();
            test::advance_block::<Env>();
            test::set_caller::<Env>(accounts.eve);
            test::set_value_transferred::<Env>(5);
            assert_eq!(escrow.deposit(0), Ok(()), "sponsoring is never paused");
            test::set_value_transferred::<Env>(0);
            test::set_caller::<Env>(accounts.charlie);
            assert_eq!(escrow.close(0), Ok((10, 995)), "refunds are never paused");
        }
    }
}
