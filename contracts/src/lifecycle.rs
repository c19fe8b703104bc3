//! A subscription's lifecycle as plain Rust: the record the subscription
//! contract stores and the rules of every transition, tested without a chain.
//! The contract loads a record, asks it for a transition, makes the calls to
//! the award, registry and escrow that the transition names, then stores it.
//!
//! ```text
//! create ─▶ Awarded ──mark_ready (provider, ≤ ready_deadline)──▶ Active ──▶ Ending ──▶ Closed
//!              │ deadline passed: reaward (next provider) or cancel (full refund)
//! Active: top_up · reprice · cancel (consumer) · exit (provider, with notice) · settle (anyone)
//! Ending: a cancel that ends it sooner (after an exit, or while a governance change is pending)
//! ```
//! The terms that shape a running subscription — the offer's rate, minimum
//! duration, notice, pricing and cancel fee, and the contract's consumer
//! notice and ready timeout — are copied into the record when it is created,
//! so a later `configure` or `update_offer` never reaches it. Every method
//! validates first and only then writes, so a refused call leaves the record
//! unchanged.

use crate::governance::notice_fits_delay;
use crate::selection::{rejection, Reject};
use crate::stream::StreamStatus;
use crate::traits::award::MAX_REQUIREMENT_ENTRIES;
use crate::traits::escrow::StreamId;
use crate::traits::{Descriptor, Outcome, Pricing, Requirements, Reservation, SubscriptionError};
use crate::types::{AccountId, Balance, BlockNumber, Invalid, OfferId, TypeId, MAX_TERM_BLOCKS};

type Result<T> = core::result::Result<T, SubscriptionError>;

/// Where a subscription is in its lifecycle.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Awarded to a provider, waiting for it to be ready; nothing is billed.
    Awarded,
    /// Ready and billed per block.
    Active,
    /// Billed until a scheduled end block.
    Ending,
    /// Paid out and refunded; capacity released.
    Closed,
}

/// Why a subscription ended (or is ending).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    ConsumerCancelled,
    ProviderExited,
    FundsExhausted,
    /// No provider was ready in time and none was left to award it to.
    ReadyTimeout,
    /// The provider declined the award and none was left to award it to.
    Declined,
    /// The escrow's controller changed, and the payer reclaimed the stream
    /// from the escrow (its events say what went where); `settle` closes
    /// the record and frees the capacity, moving no money.
    Reclaimed,
}

/// A price change the provider asked for.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceChange {
    pub rate: Balance,
    /// First block it may take effect (Dynamic: after the offer's notice).
    pub effective_at: BlockNumber,
    /// Fixed pricing: only the consumer's `accept_price` applies it.
    pub needs_consent: bool,
}

/// The subscription contract's admin-set parameters.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameters {
    /// Blocks an awarded provider has to mark the deployment ready.
    pub ready_timeout: BlockNumber,
    /// Blocks of notice a consumer gives when cancelling a ready deployment.
    pub consumer_notice: BlockNumber,
}

impl Parameters {
    /// A ready timeout of at least one block, both at most
    /// [`MAX_TERM_BLOCKS`], and a consumer notice of at most half the
    /// contract's governance delay ([`notice_fits_delay`]): a consumer who
    /// cancels when a change is scheduled is out before it can apply, with
    /// at least the notice's length to react in.
    pub fn validate(&self, governance_delay: BlockNumber) -> core::result::Result<(), Invalid> {
        if self.ready_timeout == 0
            || self.ready_timeout > MAX_TERM_BLOCKS
            || self.consumer_notice > MAX_TERM_BLOCKS
            || !notice_fits_delay(self.consumer_notice, governance_delay)
        {
            return Err(Invalid::Parameter);
        }
        Ok(())
    }
}

impl Default for Parameters {
    fn default() -> Self {
        Self {
            ready_timeout: 100,
            consumer_notice: 10,
        }
    }
}

/// When a cancel or an exit takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Not ready yet: close at once (nothing was billed), paying the
    /// provider `fee` out of the deposit (a consumer's cancel fee, else 0).
    Now { reason: CloseReason, fee: Balance },
    /// Billing stops at this block, for this reason; `settle` closes it
    /// from then.
    At(BlockNumber, CloseReason),
}

/// A consumer's subscription.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub consumer: AccountId,
    pub type_id: TypeId,
    pub descriptor: Descriptor,
    /// What the consumer asked for; it bounds Dynamic repricing
    /// (`repricing_bound`). A reaward adds the provider that missed its
    /// deadline or declined to `excluded_providers`.
    pub requirements: Requirements,
    pub offer_id: OfferId,
    pub provider: AccountId,
    /// The escrow stream that holds the funds and pays the provider.
    pub stream_id: StreamId,
    pub rate_per_block: Balance,
    pub pricing: Pricing,
    /// The offer's minimum duration, counted from the ready block.
    pub min_duration: BlockNumber,
    /// The offer's notice, for provider exits and Dynamic repricing.
    pub notice_blocks: BlockNumber,
    /// The offer's fee for a consumer's cancel before ready.
    pub cancel_fee: Balance,
    /// The contract's consumer notice at creation.
    pub consumer_notice: BlockNumber,
    /// The contract's ready timeout at creation (a reaward's deadline too).
    pub ready_timeout: BlockNumber,
    /// Block of the (latest) award.
    pub awarded_at: BlockNumber,
    /// Last block the provider may mark the deployment ready.
    pub ready_deadline: BlockNumber,
    /// Block billing started at.
    pub ready_at: Option<BlockNumber>,
    /// Billing stops at this block, for this reason (set by cancel or exit).
    pub end: Option<(BlockNumber, CloseReason)>,
    pub price_change: Option<PriceChange>,
    pub phase: Phase,
    pub closed: Option<CloseReason>,
}

impl Subscription {
    /// A subscription awarded at `now` under `reservation`, whose stream is
    /// `stream_id`, on the contract's `parameters` of this moment.
    #[allow(clippy::too_many_arguments)]
    pub fn awarded(
        consumer: AccountId,
        type_id: TypeId,
        descriptor: Descriptor,
        requirements: Requirements,
        reservation: &Reservation,
        stream_id: StreamId,
        now: BlockNumber,
        parameters: Parameters,
    ) -> Result<Self> {
        let offer = &reservation.offer;
        Ok(Self {
            consumer,
            type_id,
            descriptor,
            requirements,
            offer_id: offer.offer_id,
            provider: offer.provider,
            stream_id,
            rate_per_block: offer.price_per_block,
            pricing: offer.pricing,
            min_duration: offer.min_duration,
            notice_blocks: offer.notice_blocks,
            cancel_fee: offer.cancel_fee,
            consumer_notice: parameters.consumer_notice,
            ready_timeout: parameters.ready_timeout,
            awarded_at: now,
            ready_deadline: later(now, parameters.ready_timeout)?,
            ready_at: None,
            end: None,
            price_change: None,
            phase: Phase::Awarded,
            closed: None,
        })
    }

    /// Whether capacity is still reserved for it (not closed).
    pub fn is_live(&self) -> bool {
        self.phase != Phase::Closed
    }

    fn ensure_consumer(&self, caller: AccountId) -> Result<()> {
        if caller != self.consumer {
            return Err(SubscriptionError::Unauthorized);
        }
        Ok(())
    }

    fn ensure_provider(&self, caller: AccountId) -> Result<()> {
        if caller != self.provider {
            return Err(SubscriptionError::Unauthorized);
        }
        Ok(())
    }

    fn ensure_phase(&self, allowed: &[Phase]) -> Result<()> {
        if !allowed.contains(&self.phase) {
            return Err(SubscriptionError::WrongState);
        }
        Ok(())
    }

    /// The provider declares the deployment ready: billing starts now.
    pub fn mark_ready(&mut self, caller: AccountId, now: BlockNumber) -> Result<()> {
        self.ensure_provider(caller)?;
        self.ensure_phase(&[Phase::Awarded])?;
        if now > self.ready_deadline {
            return Err(SubscriptionError::ReadyTimeoutPassed);
        }
        self.ready_at = Some(now);
        self.phase = Phase::Active;
        Ok(())
    }

    /// The consumer cancels. Before ready: closed at once with a full
    /// refund, less the offer's cancel fee to the provider if the provider
    /// is still within its ready deadline and no governance change is
    /// pending (leaving before new rules is free). After: billing ends at
    /// `max(now + consumer_notice, ready + min_duration)` — or at
    /// `now + consumer_notice` alone once the provider has exited, or while
    /// `change_pending()` says a governance change is scheduled (asked only
    /// when the minimum duration would bind). While ending, a cancel moves
    /// the end only nearer (`AlreadyEnding` otherwise).
    pub fn cancel(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
        change_pending: impl FnOnce() -> bool,
    ) -> Result<Ending> {
        self.ensure_consumer(caller)?;
        self.ensure_phase(&[Phase::Awarded, Phase::Active, Phase::Ending])?;
        let Some(ready_at) = self.ready_at else {
            let fee = if now <= self.ready_deadline && self.cancel_fee > 0 && !change_pending() {
                self.cancel_fee
            } else {
                0
            };
            return Ok(Ending::Now {
                reason: CloseReason::ConsumerCancelled,
                fee,
            });
        };
        let notice_end = later(now, self.consumer_notice)?;
        let exited = self.end_reason() == Some(CloseReason::ProviderExited);
        let end = if exited {
            notice_end
        } else {
            let committed_end = later(ready_at, self.min_duration)?;
            if committed_end <= notice_end || change_pending() {
                notice_end
            } else {
                committed_end
            }
        };
        match self.end {
            Some((current, _)) if end >= current => Err(SubscriptionError::AlreadyEnding),
            Some((_, reason)) => Ok(self.schedule_end(end, reason)),
            None => Ok(self.schedule_end(end, CloseReason::ConsumerCancelled)),
        }
    }

    /// The provider leaves. Before ready: closed at once with a full
    /// refund. After: billing ends after the offer's notice.
    pub fn exit(&mut self, caller: AccountId, now: BlockNumber) -> Result<Ending> {
        self.ensure_provider(caller)?;
        self.ensure_phase(&[Phase::Awarded, Phase::Active])?;
        if self.ready_at.is_none() {
            return Ok(Ending::Now {
                reason: CloseReason::ProviderExited,
                fee: 0,
            });
        }
        let end = later(now, self.notice_blocks)?;
        Ok(self.schedule_end(end, CloseReason::ProviderExited))
    }

    fn end_reason(&self) -> Option<CloseReason> {
        self.end.map(|(_, reason)| reason)
    }

    fn schedule_end(&mut self, end: BlockNumber, reason: CloseReason) -> Ending {
        self.end = Some((end, reason));
        self.phase = Phase::Ending;
        Ending::At(end, reason)
    }

    /// The provider asks for a new rate. Dynamic: at most the consumer's
    /// repricing bound (`max_rate`, else `max_price_per_block`), effective
    /// after the offer's notice. Fixed: any rate, applied only when the
    /// consumer accepts that very rate. Replaces an earlier proposal.
    pub fn propose_price(
        &mut self,
        caller: AccountId,
        rate: Balance,
        now: BlockNumber,
    ) -> Result<PriceChange> {
        self.ensure_provider(caller)?;
        self.ensure_phase(&[Phase::Awarded, Phase::Active])?;
        if rate == 0 || rate == self.rate_per_block {
            return Err(Invalid::Price.into());
        }
        let change = match self.pricing {
            Pricing::Dynamic => {
                if rate > self.requirements.repricing_bound() {
                    return Err(SubscriptionError::PriceAboveMax);
                }
                PriceChange {
                    rate,
                    effective_at: later(now, self.notice_blocks)?,
                    needs_consent: false,
                }
            }
            Pricing::Fixed => PriceChange {
                rate,
                effective_at: now,
                needs_consent: true,
            },
        };
        self.price_change = Some(change);
        Ok(change)
    }

    /// The consumer accepts the Fixed-price proposal of `rate` — the rate it
    /// saw, so a proposal replaced in the meantime is never applied
    /// (`ProposalChanged`); returns the new rate.
    pub fn accept_price(&mut self, caller: AccountId, rate: Balance) -> Result<Balance> {
        self.ensure_consumer(caller)?;
        self.ensure_phase(&[Phase::Awarded, Phase::Active])?;
        match self.price_change {
            Some(change) if change.needs_consent && change.rate == rate => {
                self.rate_per_block = change.rate;
                self.price_change = None;
                Ok(change.rate)
            }
            Some(change) if change.needs_consent => Err(SubscriptionError::ProposalChanged),
            _ => Err(SubscriptionError::WrongState),
        }
    }

    /// The consumer turns a Fixed-price proposal down; the rate stays.
    pub fn reject_price(&mut self, caller: AccountId) -> Result<PriceChange> {
        self.ensure_consumer(caller)?;
        match self.price_change {
            Some(change) if change.needs_consent && self.is_live() => {
                self.price_change = None;
                Ok(change)
            }
            _ => Err(SubscriptionError::WrongState),
        }
    }

    /// Applies a Dynamic price change whose notice has passed (anyone may
    /// ask); returns the new rate.
    pub fn apply_price(&mut self, now: BlockNumber) -> Result<Balance> {
        self.ensure_phase(&[Phase::Awarded, Phase::Active, Phase::Ending])?;
        match self.price_change {
            Some(change) if !change.needs_consent => {
                if now < change.effective_at {
                    return Err(SubscriptionError::TooEarly);
                }
                self.rate_per_block = change.rate;
                self.price_change = None;
                Ok(change.rate)
            }
            _ => Err(SubscriptionError::WrongState),
        }
    }

    /// Anyone may top up a live subscription with a non-zero amount.
    pub fn check_top_up(&self, amount: Balance) -> Result<()> {
        if amount == 0 {
            return Err(Invalid::Amount.into());
        }
        self.ensure_phase(&[Phase::Awarded, Phase::Active, Phase::Ending])
    }

    /// Only the provider claims, and only once billing started.
    pub fn check_claim(&self, caller: AccountId) -> Result<()> {
        self.ensure_provider(caller)?;
        self.ensure_phase(&[Phase::Active, Phase::Ending])
    }

    /// Why `settle` may close it given its stream's status, or `TooEarly`
    /// while the stream still streams: its end came, its money ran out, or
    /// its payer reclaimed it from the escrow (`Reclaimed`, in any live
    /// phase).
    pub fn settle_reason(&self, stream: StreamStatus) -> Result<CloseReason> {
        if stream == StreamStatus::Closed {
            // Only the payer's `reclaim` closes a live subscription's stream
            // behind this contract's back (it steers the stream no more).
            self.ensure_phase(&[Phase::Awarded, Phase::Active, Phase::Ending])?;
            return Ok(CloseReason::Reclaimed);
        }
        self.ensure_phase(&[Phase::Active, Phase::Ending])?;
        match (stream, self.end) {
            (StreamStatus::Ended, Some((_, reason))) => Ok(reason),
            (StreamStatus::Exhausted, _) => Ok(CloseReason::FundsExhausted),
            _ => Err(SubscriptionError::TooEarly),
        }
    }

    /// The reputation entry a close for `reason` earns the provider; none
    /// for a subscription to oneself, which proves nothing.
    pub fn outcome(&self, reason: CloseReason, now: BlockNumber) -> Option<Outcome> {
        if self.consumer == self.provider {
            return None;
        }
        let exited = self.end_reason() == Some(CloseReason::ProviderExited);
        match reason {
            // Neither side's doing: the provider declined in time, or the
            // admin rewired the escrow.
            CloseReason::Declined | CloseReason::Reclaimed => None,
            CloseReason::ReadyTimeout => Some(Outcome::MissedReady),
            CloseReason::ProviderExited => Some(Outcome::ExitedEarly),
            _ if exited => Some(Outcome::ExitedEarly),
            _ if self.ready_at.is_none() => {
                (now > self.ready_deadline).then_some(Outcome::MissedReady)
            }
            _ => Some(Outcome::Completed),
        }
    }

    /// Whether a missed deadline counts against the provider (not when it
    /// is its own consumer).
    pub fn records_misses(&self) -> bool {
        self.consumer != self.provider
    }

    /// Checks that the award may go to another provider: still awarded and
    /// the deadline passed. Returns the requirements to ask with, which
    /// exclude every provider that missed, or `None` when no more can be
    /// excluded (then the subscription closes with `ReadyTimeout`).
    pub fn reaward_requirements(&self, now: BlockNumber) -> Result<Option<Requirements>> {
        self.ensure_phase(&[Phase::Awarded])?;
        if now <= self.ready_deadline {
            return Err(SubscriptionError::TooEarly);
        }
        Ok(self.excluding_provider())
    }

    /// The provider declines the award (within its deadline, before ready):
    /// the requirements to hand it on with, excluding this provider, or
    /// `None` when no more can be excluded (then it closes, `Declined`).
    pub fn decline_requirements(
        &self,
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<Option<Requirements>> {
        self.ensure_provider(caller)?;
        self.ensure_phase(&[Phase::Awarded])?;
        if now > self.ready_deadline {
            return Err(SubscriptionError::ReadyTimeoutPassed);
        }
        Ok(self.excluding_provider())
    }

    fn excluding_provider(&self) -> Option<Requirements> {
        let mut requirements = self.requirements.clone();
        if requirements.excluded_providers.len() >= MAX_REQUIREMENT_ENTRIES {
            return None;
        }
        requirements.excluded_providers.push(self.provider);
        Some(requirements)
    }

    /// Gives the award to `reservation`'s offer at `now`, with the
    /// requirements [`Self::reaward_requirements`] or
    /// [`Self::decline_requirements`] returned (which checked the phase and
    /// the deadline). The new deadline comes from the ready timeout the
    /// subscription was created with.
    pub fn reaward(
        &mut self,
        requirements: Requirements,
        reservation: &Reservation,
        now: BlockNumber,
    ) -> Result<()> {
        let ready_deadline = later(now, self.ready_timeout)?;
        let offer = &reservation.offer;
        self.requirements = requirements;
        self.offer_id = offer.offer_id;
        self.provider = offer.provider;
        self.rate_per_block = offer.price_per_block;
        self.pricing = offer.pricing;
        self.min_duration = offer.min_duration;
        self.notice_blocks = offer.notice_blocks;
        self.cancel_fee = offer.cancel_fee;
        self.awarded_at = now;
        self.ready_deadline = ready_deadline;
        self.price_change = None;
        Ok(())
    }

    /// Marks it closed for `reason`.
    pub fn close(&mut self, reason: CloseReason) -> Result<()> {
        if !self.is_live() {
            return Err(SubscriptionError::WrongState);
        }
        self.phase = Phase::Closed;
        self.closed = Some(reason);
        self.price_change = None;
        Ok(())
    }
}

/// The deposit a subscription must start with: the rate for the offer's
/// minimum duration (at least one block).
pub fn minimum_deposit(reservation: &Reservation) -> Result<Balance> {
    let offer = &reservation.offer;
    offer
        .price_per_block
        .checked_mul(Balance::from(offer.min_duration.max(1)))
        .ok_or(SubscriptionError::Overflow)
}

/// Checks the offer the registry reserved against everything the consumer
/// asked for, on the registry's own terms: an award contract's choice is
/// never taken on trust, and an offer whose terms moved since the consumer
/// looked is refused (`Unfit` names the first requirement it fails).
pub fn check_reservation(
    type_id: TypeId,
    requirements: &Requirements,
    reservation: &Reservation,
) -> Result<()> {
    if reservation.type_id != type_id {
        return Err(SubscriptionError::Unfit(Reject::WrongType));
    }
    match rejection(&reservation.offer, requirements) {
        Some(reject) => Err(SubscriptionError::Unfit(reject)),
        None => Ok(()),
    }
}

/// `now + blocks`, or `Overflow`.
fn later(now: BlockNumber, blocks: BlockNumber) -> Result<BlockNumber> {
    now.checked_add(blocks).ok_or(SubscriptionError::Overflow)
}
