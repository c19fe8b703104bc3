//! The escrow's streams as a plain Rust type: each mutation validates first,
//! then writes, and returns the events the shell emits. Events that move
//! money (`Withdrawn`, `Closed`, `CreditWithdrawn`) name who gets what, and
//! the shell makes exactly those transfers, so no value moves that the books
//! do not show; a payment the runtime refuses becomes a credit of its owner
//! (`credit`), claimable later, so neither party waits on the other.
//!
//! Every stream remembers the controller epoch it was opened in: once the
//! controller changes (or goes), nothing steers it any more, and its payer
//! may `reclaim` it — the payee is paid what it earned, the payer the rest.
//!
//! Every stream is opened with the payer's exit notice (how long it may
//! wait to leave once it asks); the escrow keeps its governance delay at
//! least twice the longest, so no upgrade can apply before a payer who
//! asked to leave when it was scheduled is out.

use dinfra::governance::notice_fits_delay;
use dinfra::stream::{Stream, StreamError};
use dinfra::traits::{EscrowError, StreamFigures, StreamId};
use dinfra::types::{check_batch, AccountId, Balance, BlockNumber};
use ink::prelude::vec::Vec;
use ink::storage::{traits::ManualKey, Lazy, Mapping};

/// The escrow's storage keys: fixed, so that upgraded code finds every
/// record where this code left it (a new field gets a new key).
pub mod keys {
    pub const STREAMS: u32 = 0x6573_0001;
    pub const NEXT_ID: u32 = 0x6573_0002;
    pub const TOTAL_HELD: u32 = 0x6573_0003;
    pub const CONTROLLER: u32 = 0x6573_0004;
    pub const CONTROLLER_EPOCH: u32 = 0x6573_0005;
    pub const STREAM_EPOCH: u32 = 0x6573_0006;
    pub const CREDITS: u32 = 0x6573_0007;
    pub const TOTAL_CREDITED: u32 = 0x6573_0008;
    /// Only in the upgrade fixture (`fixtures/upgraded/`): a field that v1
    /// storage does not have.
    pub const UPGRADE_NOTE: u32 = 0x6573_0009;
    pub const LONGEST_EXIT_NOTICE: u32 = 0x6573_000a;
}

/// What a mutation changed, for the contract shell to emit (and pay out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscrowEvent {
    Opened {
        id: StreamId,
        payer: AccountId,
        payee: AccountId,
        rate: Balance,
        deposit: Balance,
        exit_notice: BlockNumber,
    },
    Started {
        id: StreamId,
        at: BlockNumber,
    },
    Deposited {
        id: StreamId,
        from: AccountId,
        amount: Balance,
    },
    Reassigned {
        id: StreamId,
        payee: AccountId,
        rate: Balance,
    },
    RateChanged {
        id: StreamId,
        rate: Balance,
        at: BlockNumber,
    },
    EndScheduled {
        id: StreamId,
        end: BlockNumber,
    },
    /// Pay `amount` to `payee`: what `streams` paid it, each `(id,
    /// amount)`, in the order asked — one withdrawal or a batch's share
    /// for one payee, in one transfer and one event (an event topic costs
    /// a storage read and write: one per payee, not one per stream).
    Withdrawn {
        payee: AccountId,
        amount: Balance,
        streams: StreamAmounts,
    },
    /// Pay `paid` to `payee` and `refunded` to `payer`.
    Closed {
        id: StreamId,
        payee: AccountId,
        payer: AccountId,
        paid: Balance,
        refunded: Balance,
        payee_total: Balance,
    },
    /// The payer closed a stream no controller steers any more.
    Reclaimed {
        id: StreamId,
        payer: AccountId,
    },
    /// A payment the runtime refused, kept for `account` to withdraw.
    Credited {
        account: AccountId,
        amount: Balance,
    },
    /// Pay `amount` of its credit to `account`.
    CreditWithdrawn {
        account: AccountId,
        amount: Balance,
    },
}

type Result<T> = core::result::Result<T, EscrowError>;

/// `(stream, amount)` pairs: what each stream of a withdrawal paid.
pub type StreamAmounts = Vec<(StreamId, Balance)>;

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct EscrowData {
    streams: Mapping<StreamId, Stream, ManualKey<{ keys::STREAMS }>>,
    next_id: Lazy<StreamId, ManualKey<{ keys::NEXT_ID }>>,
    /// Σ held over all streams.
    total_held: Lazy<Balance, ManualKey<{ keys::TOTAL_HELD }>>,
    /// The only account allowed to open and steer streams.
    controller: Lazy<Option<AccountId>, ManualKey<{ keys::CONTROLLER }>>,
    /// How many times the controller changed.
    controller_epoch: Lazy<u32, ManualKey<{ keys::CONTROLLER_EPOCH }>>,
    /// The controller epoch each stream was opened in.
    stream_epoch: Mapping<StreamId, u32, ManualKey<{ keys::STREAM_EPOCH }>>,
    /// Payments the runtime refused, by owner.
    credits: Mapping<AccountId, Balance, ManualKey<{ keys::CREDITS }>>,
    /// Σ credits. The contract's balance is never below `total_held` +
    /// `total_credited`.
    total_credited: Lazy<Balance, ManualKey<{ keys::TOTAL_CREDITED }>>,
    /// The longest exit notice of any stream opened here: the governance
    /// delay never goes below twice it.
    longest_exit_notice: Lazy<BlockNumber, ManualKey<{ keys::LONGEST_EXIT_NOTICE }>>,
}

impl EscrowData {
    /// An escrow with no streams and no controller.
    pub fn new() -> Self {
        let mut data = Self::default();
        data.controller.set(&None);
        data
    }

    pub fn controller(&self) -> Option<AccountId> {
        self.controller.get().flatten()
    }

    pub fn controller_epoch(&self) -> u32 {
        self.controller_epoch.get_or_default()
    }

    /// A new controller (a due governance change): streams opened under the
    /// old one are nobody's to steer now, so their payers may reclaim them.
    pub fn set_controller(&mut self, controller: Option<AccountId>) {
        self.controller.set(&controller);
        // 2^32 controller changes never happen; wrapping would only make an
        // orphaned stream look steered again, so saturate.
        self.controller_epoch
            .set(&self.controller_epoch().saturating_add(1));
    }

    pub fn longest_exit_notice(&self) -> BlockNumber {
        self.longest_exit_notice.get_or_default()
    }

    /// Whether the governance delay may become `delay`: at least twice the
    /// longest exit notice any stream was opened with.
    pub fn delay_keeps_exits(&self, delay: BlockNumber) -> bool {
        notice_fits_delay(self.longest_exit_notice(), delay)
    }

    /// Opens a pending stream with `deposit` as its first deposit, under
    /// the current controller epoch, for a payer who may have to wait
    /// `exit_notice` blocks to leave: at most half the governance `delay`.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        payer: AccountId,
        payee: AccountId,
        rate: Balance,
        deposit: Balance,
        exit_notice: BlockNumber,
        delay: BlockNumber,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        if !notice_fits_delay(exit_notice, delay) {
            return Err(EscrowError::NoticeTooLong);
        }
        let mut stream = Stream::open(payer, payee, rate)?;
        if deposit > 0 {
            stream.deposit(deposit, now)?;
        }
        let id = self.next_id.get_or_default();
        let next_id = id.checked_add(1).ok_or(EscrowError::Overflow)?;
        let total_held = self
            .total_held()
            .checked_add(deposit)
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.stream_epoch.insert(id, &self.controller_epoch());
        self.next_id.set(&next_id);
        self.total_held.set(&total_held);
        if exit_notice > self.longest_exit_notice() {
            self.longest_exit_notice.set(&exit_notice);
        }
        Ok(ink::prelude::vec![EscrowEvent::Opened {
            id,
            payer,
            payee,
            rate,
            deposit,
            exit_notice
        }])
    }

    pub fn start(
        &mut self,
        id: StreamId,
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.steered(id, caller)?;
        stream.start(now)?;
        self.streams.insert(id, &stream);
        Ok(ink::prelude::vec![EscrowEvent::Started { id, at: now }])
    }

    pub fn deposit(
        &mut self,
        id: StreamId,
        from: AccountId,
        amount: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
        stream.deposit(amount, now)?;
        let total_held = self
            .total_held()
            .checked_add(amount)
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.total_held.set(&total_held);
        Ok(ink::prelude::vec![EscrowEvent::Deposited {
            id,
            from,
            amount
        }])
    }

    pub fn reassign(
        &mut self,
        id: StreamId,
        caller: AccountId,
        payee: AccountId,
        rate: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.steered(id, caller)?;
        stream.reassign(payee, rate, now)?;
        self.streams.insert(id, &stream);
        Ok(ink::prelude::vec![EscrowEvent::Reassigned {
            id,
            payee,
            rate
        }])
    }

    pub fn set_rate(
        &mut self,
        id: StreamId,
        caller: AccountId,
        rate: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.steered(id, caller)?;
        stream.set_rate(rate, now)?;
        self.streams.insert(id, &stream);
        Ok(ink::prelude::vec![EscrowEvent::RateChanged {
            id,
            rate,
            at: now
        }])
    }

    pub fn set_end(
        &mut self,
        id: StreamId,
        caller: AccountId,
        end: BlockNumber,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.steered(id, caller)?;
        stream.set_end(end, now)?;
        self.streams.insert(id, &stream);
        Ok(ink::prelude::vec![EscrowEvent::EndScheduled { id, end }])
    }

    /// Pays the payee what is covered; only the payee, or the controller
    /// that steers the stream claiming for it, may ask. A batch of one:
    /// one code path for both.
    pub fn withdraw(
        &mut self,
        id: StreamId,
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let (_, events) = self.withdraw_many(&[id], caller, now)?;
        if events.is_empty() {
            return Err(StreamError::NothingToWithdraw.into());
        }
        Ok(events)
    }

    /// `withdraw` for each of `ids` (1 to `MAX_BATCH`, none twice): what
    /// each paid, in order (0 where nothing was covered), and the events —
    /// one `Withdrawn` per payee with its total and the streams that paid
    /// it, so a batch costs one transfer and one event per payee. Every stream is
    /// checked and computed before anything is written: any refusal but
    /// "nothing to withdraw" refuses the batch with nothing written.
    pub fn withdraw_many(
        &mut self,
        ids: &[StreamId],
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<(Vec<Balance>, Vec<EscrowEvent>)> {
        // Twice the same id would read the stream before its first
        // withdrawal was written, and pay it twice.
        check_batch(ids).map_err(EscrowError::InvalidInput)?;
        let mut amounts = Vec::with_capacity(ids.len());
        let mut changed = Vec::new();
        // Per payee: its total and the streams that paid it.
        let mut payments: Vec<(AccountId, Balance, StreamAmounts)> = Vec::new();
        let mut total: Balance = 0;
        // Read once for the batch, not once per stream: the epoch the
        // caller steers, if it is the controller.
        let steering = (self.controller() == Some(caller)).then(|| self.controller_epoch());
        for &id in ids {
            let mut stream = self.get(id)?;
            if caller != stream.payee && !steering.is_some_and(|epoch| self.opened_in(id, epoch)) {
                // Neither the payee nor the controller the stream was
                // opened under.
                return Err(EscrowError::Unauthorized);
            }
            let amount = match stream.withdraw(now) {
                Err(StreamError::NothingToWithdraw) => 0,
                other => other?,
            };
            amounts.push(amount);
            if amount == 0 {
                continue;
            }
            total = total.checked_add(amount).ok_or(EscrowError::Overflow)?;
            match payments.iter_mut().find(|(to, ..)| *to == stream.payee) {
                Some((_, sum, streams)) => {
                    *sum = sum.checked_add(amount).ok_or(EscrowError::Overflow)?;
                    streams.push((id, amount));
                }
                None => payments.push((stream.payee, amount, ink::prelude::vec![(id, amount)])),
            }
            changed.push((id, stream));
        }
        if total > 0 {
            let total_held = self
                .total_held()
                .checked_sub(total)
                .ok_or(EscrowError::Overflow)?;
            for (id, stream) in &changed {
                self.streams.insert(*id, stream);
            }
            self.total_held.set(&total_held);
        }
        let events = payments
            .into_iter()
            .map(|(payee, amount, streams)| EscrowEvent::Withdrawn {
                payee,
                amount,
                streams,
            })
            .collect();
        Ok((amounts, events))
    }

    /// The controller closes a stream it steers: the payee gets what it
    /// earned plus `fee` out of the rest (at most all of it), the payer the
    /// remainder.
    pub fn close(
        &mut self,
        id: StreamId,
        caller: AccountId,
        now: BlockNumber,
        fee: Balance,
    ) -> Result<Vec<EscrowEvent>> {
        let stream = self.steered(id, caller)?;
        self.close_stream(id, stream, now, fee)
    }

    fn close_stream(
        &mut self,
        id: StreamId,
        mut stream: Stream,
        now: BlockNumber,
        fee: Balance,
    ) -> Result<Vec<EscrowEvent>> {
        let (paid, refunded) = stream.close_charging(now, fee)?;
        let total_held = paid
            .checked_add(refunded)
            .and_then(|out| self.total_held().checked_sub(out))
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.total_held.set(&total_held);
        Ok(ink::prelude::vec![EscrowEvent::Closed {
            id,
            payee: stream.payee,
            payer: stream.payer,
            paid,
            refunded,
            payee_total: stream.withdrawn()
        }])
    }

    /// The payer closes a stream nobody steers any more: its controller
    /// changed or went since it was opened, or `is_gone(controller)` says
    /// the controller account holds no contract any more. The payee is paid
    /// what it earned, the payer the rest.
    pub fn reclaim(
        &mut self,
        id: StreamId,
        caller: AccountId,
        now: BlockNumber,
        is_gone: impl FnOnce(AccountId) -> bool,
    ) -> Result<Vec<EscrowEvent>> {
        let stream = self.get(id)?;
        if caller != stream.payer {
            return Err(EscrowError::Unauthorized);
        }
        let steered = self.opened_under_current_controller(id)
            && self
                .controller()
                .is_some_and(|controller| !is_gone(controller));
        if steered {
            return Err(EscrowError::ControllerWorking);
        }
        let mut events = self.close_stream(id, stream, now, 0)?;
        events.push(EscrowEvent::Reclaimed { id, payer: caller });
        Ok(events)
    }

    /// Keeps `amount` for `account`, whose payment the runtime refused.
    pub fn credit(&mut self, account: AccountId, amount: Balance) -> Result<EscrowEvent> {
        let credit = self
            .credit_of(account)
            .checked_add(amount)
            .ok_or(EscrowError::Overflow)?;
        let total = self
            .total_credited()
            .checked_add(amount)
            .ok_or(EscrowError::Overflow)?;
        self.credits.insert(account, &credit);
        self.total_credited.set(&total);
        Ok(EscrowEvent::Credited { account, amount })
    }

    /// Takes the caller's whole credit, for the shell to pay.
    pub fn withdraw_credit(&mut self, caller: AccountId) -> Result<Vec<EscrowEvent>> {
        let amount = self.credit_of(caller);
        if amount == 0 {
            return Err(EscrowError::NoCredit);
        }
        let total = self
            .total_credited()
            .checked_sub(amount)
            .ok_or(EscrowError::Overflow)?;
        self.credits.remove(caller);
        self.total_credited.set(&total);
        Ok(ink::prelude::vec![EscrowEvent::CreditWithdrawn {
            account: caller,
            amount
        }])
    }

    pub fn credit_of(&self, account: AccountId) -> Balance {
        self.credits.get(account).unwrap_or(0)
    }

    pub fn total_credited(&self) -> Balance {
        self.total_credited.get_or_default()
    }

    pub fn stream(&self, id: StreamId) -> Option<Stream> {
        self.streams.get(id)
    }

    pub fn figures(&self, id: StreamId, now: BlockNumber) -> Option<StreamFigures> {
        let stream = self.streams.get(id)?;
        Some(StreamFigures {
            payer: stream.payer,
            payee: stream.payee,
            status: stream.status(now),
            rate: stream.rate(),
            start: stream.start_block(),
            end: stream.end_block(),
            depletion_block: stream.depletion_block(now),
            deposited: stream.deposited(),
            withdrawn: stream.withdrawn(),
            refunded: stream.refunded(),
            held: stream.held(),
            accrued: stream.accrued(now),
            withdrawable: stream.withdrawable(now),
            refundable: stream.refundable(now),
        })
    }

    pub fn stream_count(&self) -> StreamId {
        self.next_id.get_or_default()
    }

    pub fn total_held(&self) -> Balance {
        self.total_held.get_or_default()
    }

    /// A stream `caller` may steer: the caller is the controller and the
    /// stream was opened under it. A new controller steers only the streams
    /// it opens: the ones before it are their payers' to reclaim and their
    /// payees' to withdraw from, on the terms they had.
    fn steered(&self, id: StreamId, caller: AccountId) -> Result<Stream> {
        if self.controller() != Some(caller) {
            return Err(EscrowError::Unauthorized);
        }
        let stream = self.get(id)?;
        if !self.opened_under_current_controller(id) {
            return Err(EscrowError::Unauthorized);
        }
        Ok(stream)
    }

    fn opened_under_current_controller(&self, id: StreamId) -> bool {
        self.opened_in(id, self.controller_epoch())
    }

    /// Whether `id` was opened in controller epoch `epoch` (a stream with
    /// no recorded epoch never was).
    fn opened_in(&self, id: StreamId, epoch: u32) -> bool {
        self.stream_epoch.get(id) == Some(epoch)
    }

    fn get(&self, id: StreamId) -> Result<Stream> {
        self.streams.get(id).ok_or(EscrowError::NotFound)
    }
}
