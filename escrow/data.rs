//! The escrow's streams as a plain Rust type: each mutation validates first,
//! then writes, and returns the events the shell emits. Events that move
//! money (`Withdrawn`, `Closed`) name who gets what, and the shell makes
//! exactly those transfers, so no value moves that the books do not show.

use dinfra::stream::Stream;
use dinfra::traits::{EscrowError, StreamFigures, StreamId};
use dinfra::types::{AccountId, Balance, BlockNumber};
use ink::prelude::vec::Vec;
use ink::storage::Mapping;

/// What a mutation changed, for the contract shell to emit (and pay out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscrowEvent {
    Opened {
        id: StreamId,
        payer: AccountId,
        payee: AccountId,
        rate: Balance,
        deposit: Balance,
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
    /// Pay `amount` to `payee`.
    Withdrawn {
        id: StreamId,
        payee: AccountId,
        amount: Balance,
    },
    /// Pay `paid` to `payee` and `refunded` to `payer`.
    Closed {
        id: StreamId,
        payee: AccountId,
        payer: AccountId,
        paid: Balance,
        refunded: Balance,
    },
}

type Result<T> = core::result::Result<T, EscrowError>;

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct EscrowData {
    streams: Mapping<StreamId, Stream>,
    next_id: StreamId,
    /// Σ held over all streams: the contract's balance must never be below it.
    total_held: Balance,
}

impl EscrowData {
    /// Opens a pending stream with `deposit` as its first deposit.
    pub fn open(
        &mut self,
        payer: AccountId,
        payee: AccountId,
        rate: Balance,
        deposit: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = Stream::open(payer, payee, rate)?;
        if deposit > 0 {
            stream.deposit(deposit, now)?;
        }
        let id = self.next_id;
        let next_id = id.checked_add(1).ok_or(EscrowError::Overflow)?;
        let total_held = self
            .total_held
            .checked_add(deposit)
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.next_id = next_id;
        self.total_held = total_held;
        Ok(ink::prelude::vec![EscrowEvent::Opened {
            id,
            payer,
            payee,
            rate,
            deposit
        }])
    }

    pub fn start(&mut self, id: StreamId, now: BlockNumber) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
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
            .total_held
            .checked_add(amount)
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.total_held = total_held;
        Ok(ink::prelude::vec![EscrowEvent::Deposited {
            id,
            from,
            amount
        }])
    }

    pub fn reassign(
        &mut self,
        id: StreamId,
        payee: AccountId,
        rate: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
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
        rate: Balance,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
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
        end: BlockNumber,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
        stream.set_end(end, now)?;
        self.streams.insert(id, &stream);
        Ok(ink::prelude::vec![EscrowEvent::EndScheduled { id, end }])
    }

    /// Pays the payee what is covered; only the payee, or `controller`
    /// claiming for it, may ask.
    pub fn withdraw(
        &mut self,
        id: StreamId,
        caller: AccountId,
        controller: Option<AccountId>,
        now: BlockNumber,
    ) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
        if caller != stream.payee && Some(caller) != controller {
            return Err(EscrowError::Unauthorized);
        }
        let amount = stream.withdraw(now)?;
        let total_held = self
            .total_held
            .checked_sub(amount)
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.total_held = total_held;
        Ok(ink::prelude::vec![EscrowEvent::Withdrawn {
            id,
            payee: stream.payee,
            amount
        }])
    }

    pub fn close(&mut self, id: StreamId, now: BlockNumber) -> Result<Vec<EscrowEvent>> {
        let mut stream = self.get(id)?;
        let (paid, refunded) = stream.close(now)?;
        let total_held = paid
            .checked_add(refunded)
            .and_then(|out| self.total_held.checked_sub(out))
            .ok_or(EscrowError::Overflow)?;
        self.streams.insert(id, &stream);
        self.total_held = total_held;
        Ok(ink::prelude::vec![EscrowEvent::Closed {
            id,
            payee: stream.payee,
            payer: stream.payer,
            paid,
            refunded
        }])
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
        self.next_id
    }

    pub fn total_held(&self) -> Balance {
        self.total_held
    }

    fn get(&self, id: StreamId) -> Result<Stream> {
        self.streams.get(id).ok_or(EscrowError::NotFound)
    }
}
