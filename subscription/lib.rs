//! DINFRA subscription: the deployment lifecycle, and the only contract a
//! consumer needs.
//!
//! `create` (payable) asks the award contract for an offer, reserves one
//! deployment of it in the registry and opens an escrow stream with the
//! deposit, all or nothing. The provider's agent follows `Awarded`, deploys,
//! and calls `mark_ready`; billing starts at that block. Then: `top_up`
//! (anyone), `cancel` (consumer, with notice and the minimum duration),
//! `exit` (provider, with the offer's notice), price changes, `claim`
//! (provider) and `settle` (anyone, once the money ran out or the end came).
//!
//! A thin ink! shell: the rules of every transition are in
//! [`dinfra::lifecycle`], the records and indexes in [`data`]. A refused call
//! returns an error, and ink! reverts every write of the message, including
//! those of the contracts it called.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod data;

#[ink::contract]
pub mod subscription {
    use crate::data::{Role, SubscriptionData, SubscriptionPage};
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::lifecycle::{
        minimum_deposit, CloseReason, Ending, Parameters, PriceChange, Subscription,
    };
    use dinfra::traits::{
        Award, AwardDecision, Descriptor, Escrow, Outcome, Registry, Requirements, Reservation,
        StreamFigures, StreamId, SubscriptionError,
    };
    use dinfra::types::{CodeHash, Hash32, Invalid, OfferId, SubscriptionId, TypeId};
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::{string::String, vec::Vec};

    type Result<T> = core::result::Result<T, SubscriptionError>;

    /// Most subscriptions one `claim_many` call takes.
    pub const MAX_CLAIM_BATCH: u32 = 50;

    /// A subscription with its stream's live figures.
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Details {
        pub subscription: Subscription,
        /// Status, rate, ready block (`start`), end, depletion block,
        /// deposited, accrued, withdrawable, refundable … at this block.
        pub figures: StreamFigures,
    }

    #[ink(event)]
    pub struct SubscriptionCreated {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub consumer: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
        pub deposit: Balance,
    }

    /// What a provider's agent follows: deploy `descriptor` for `id` and
    /// mark it ready by `ready_deadline`.
    #[ink(event)]
    pub struct Awarded {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
        pub offer_id: OfferId,
        pub rate_per_block: Balance,
        pub descriptor_hash: Hash32,
        pub descriptor_uri: String,
        pub ready_deadline: BlockNumber,
    }

    /// The previous provider missed its ready deadline; `Awarded` follows.
    #[ink(event)]
    pub struct AwardRevoked {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
    }

    #[ink(event)]
    pub struct DeploymentReady {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
        /// Billing starts at this block.
        pub at: BlockNumber,
    }

    #[ink(event)]
    pub struct ToppedUp {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub from: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct PriceProposed {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub rate: Balance,
        pub effective_at: BlockNumber,
        /// Fixed pricing: the consumer must `accept_price`.
        pub needs_consent: bool,
    }

    #[ink(event)]
    pub struct PriceChanged {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub rate: Balance,
        pub at: BlockNumber,
    }

    #[ink(event)]
    pub struct PriceRejected {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub rate: Balance,
    }

    /// Billing stops at `end`; the provider tears the deployment down then.
    #[ink(event)]
    pub struct EndScheduled {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub end: BlockNumber,
        pub reason: CloseReason,
    }

    #[ink(event)]
    pub struct Claimed {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct Closed {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub reason: CloseReason,
        /// Paid to the provider at close.
        pub paid: Balance,
        /// Refunded to the consumer.
        pub refunded: Balance,
    }

    #[ink(event)]
    pub struct ParametersChanged {
        pub parameters: Parameters,
    }

    #[ink(event)]
    pub struct AwardContractChanged {
        #[ink(topic)]
        pub award: AccountId,
    }

    #[ink(storage)]
    pub struct SubscriptionContract {
        admin: AdminData,
        award: AccountId,
        registry: AccountId,
        escrow: AccountId,
        parameters: Parameters,
        data: SubscriptionData,
    }

    impl SubscriptionContract {
        /// The contracts it calls, and its parameters. The caller becomes
        /// admin. The registry's and the escrow's admins must then make this
        /// contract their controller.
        #[ink(constructor)]
        pub fn new(
            award: AccountId,
            registry: AccountId,
            escrow: AccountId,
            parameters: Parameters,
        ) -> Self {
            Self {
                admin: AdminData::new(Self::env().caller()),
                award,
                registry,
                escrow,
                parameters,
                data: SubscriptionData::default(),
            }
        }

        /// Asks the award contract for an offer of `type_id` that satisfies
        /// `requirements`, reserves one deployment of it and escrows the
        /// transferred value. The deposit must cover the offer's minimum
        /// duration at its rate. All or nothing: `NoProvider` (or any other
        /// error) leaves the consumer's funds where they were.
        #[ink(message, payable)]
        pub fn create(
            &mut self,
            type_id: TypeId,
            descriptor: Descriptor,
            requirements: Requirements,
        ) -> Result<SubscriptionId> {
            self.admin.ensure_not_paused()?;
            descriptor.validate()?;
            requirements.validate()?;
            let deposit = self.env().transferred_value();
            if deposit == 0 {
                return Err(Invalid::Amount.into());
            }
            let id = self.data.next_id();
            let decision = self.ask_award(requirements.clone(), type_id, id)?;
            let reservation = self.reserve(&decision, &requirements)?;
            if deposit < minimum_deposit(&reservation)? {
                return Err(SubscriptionError::InsufficientDeposit);
            }
            let consumer = self.env().caller();
            let stream_id = self.open_stream(consumer, &reservation, deposit)?;
            let now = self.env().block_number();
            let subscription = Subscription::awarded(
                consumer,
                type_id,
                descriptor,
                requirements,
                decision.offer_id,
                &reservation,
                stream_id,
                now,
                self.parameters.ready_timeout,
            )?;
            let id = self.data.insert(&subscription)?;
            self.env().emit_event(SubscriptionCreated {
                id,
                consumer,
                type_id,
                deposit,
            });
            self.emit_awarded(id, &subscription);
            Ok(id)
        }

        /// The awarded provider declares the deployment ready, by its
        /// deadline; billing starts at this block.
        #[ink(message)]
        pub fn mark_ready(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let now = self.env().block_number();
            subscription.mark_ready(self.env().caller(), now)?;
            self.escrow_ref()
                .call_mut()
                .start(subscription.stream_id)
                .try_invoke()
                .returned()?;
            self.data.update(id, &subscription);
            self.env().emit_event(DeploymentReady {
                id,
                provider: subscription.provider,
                at: now,
            });
            Ok(())
        }

        /// Adds the transferred value to a live subscription's escrow
        /// (anyone may sponsor one). Refunds always go to the consumer.
        #[ink(message, payable)]
        pub fn top_up(&mut self, id: SubscriptionId) -> Result<()> {
            let subscription = self.data.get(id)?;
            let amount = self.env().transferred_value();
            subscription.check_top_up(amount)?;
            self.escrow_ref()
                .call_mut()
                .deposit(subscription.stream_id)
                .transferred_value(amount)
                .try_invoke()
                .returned()?;
            self.env().emit_event(ToppedUp {
                id,
                from: self.env().caller(),
                amount,
            });
            Ok(())
        }

        /// The consumer cancels. Before ready: closed at once, everything
        /// refunded. After: billing ends at
        /// `max(now + consumer_notice, ready + min_duration)`.
        #[ink(message)]
        pub fn cancel(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let ending = subscription.cancel(
                self.env().caller(),
                self.env().block_number(),
                self.parameters.consumer_notice,
            )?;
            self.end(id, subscription, ending)
        }

        /// The provider leaves. Before ready: closed at once, everything
        /// refunded. After: billing ends after the offer's notice. Counted
        /// in the provider's reputation.
        #[ink(message)]
        pub fn exit(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let ending = subscription.exit(self.env().caller(), self.env().block_number())?;
            self.end(id, subscription, ending)
        }

        /// The provider asks for a new rate. Dynamic offers: at most the
        /// consumer's `max_price_per_block`, applied after the offer's
        /// notice (at once if the notice is 0). Fixed offers: applied when
        /// the consumer accepts.
        #[ink(message)]
        pub fn propose_price(&mut self, id: SubscriptionId, rate: Balance) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let now = self.env().block_number();
            let change = subscription.propose_price(self.env().caller(), rate, now)?;
            self.env().emit_event(PriceProposed {
                id,
                rate: change.rate,
                effective_at: change.effective_at,
                needs_consent: change.needs_consent,
            });
            if !change.needs_consent && change.effective_at <= now {
                let rate = subscription.apply_price(now)?;
                self.set_rate(id, &subscription, rate)?;
            }
            self.data.update(id, &subscription);
            Ok(())
        }

        /// The consumer accepts a Fixed-price proposal: the new rate applies
        /// from this block.
        #[ink(message)]
        pub fn accept_price(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let rate = subscription.accept_price(self.env().caller())?;
            self.set_rate(id, &subscription, rate)?;
            self.data.update(id, &subscription);
            Ok(())
        }

        /// The consumer turns a Fixed-price proposal down; the rate stays.
        #[ink(message)]
        pub fn reject_price(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let PriceChange { rate, .. } = subscription.reject_price(self.env().caller())?;
            self.data.update(id, &subscription);
            self.env().emit_event(PriceRejected { id, rate });
            Ok(())
        }

        /// Applies a Dynamic price change whose notice has passed (anyone).
        #[ink(message)]
        pub fn apply_price(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let rate = subscription.apply_price(self.env().block_number())?;
            self.set_rate(id, &subscription, rate)?;
            self.data.update(id, &subscription);
            Ok(())
        }

        /// Pays the provider (the only caller allowed) what it earned so
        /// far; returns the amount. `NothingToClaim` if nothing.
        #[ink(message)]
        pub fn claim(&mut self, id: SubscriptionId) -> Result<Balance> {
            let subscription = self.data.get(id)?;
            subscription.check_claim(self.env().caller())?;
            self.withdraw(id, &subscription)
        }

        /// Claims up to [`MAX_CLAIM_BATCH`] of the caller's subscriptions
        /// at once; those with nothing earned are skipped. Returns the total;
        /// `NothingToClaim` if it is 0.
        #[ink(message)]
        pub fn claim_many(&mut self, ids: Vec<SubscriptionId>) -> Result<Balance> {
            let count = u32::try_from(ids.len()).map_err(|_| Invalid::Limit)?;
            if count == 0 || count > MAX_CLAIM_BATCH {
                return Err(Invalid::Limit.into());
            }
            let caller = self.env().caller();
            let mut total: Balance = 0;
            for id in ids {
                let subscription = self.data.get(id)?;
                subscription.check_claim(caller)?;
                let amount = match self.withdraw(id, &subscription) {
                    Err(SubscriptionError::NothingToClaim) => 0,
                    other => other?,
                };
                total = total
                    .checked_add(amount)
                    .ok_or(SubscriptionError::Overflow)?;
            }
            if total == 0 {
                return Err(SubscriptionError::NothingToClaim);
            }
            Ok(total)
        }

        /// Closes a subscription whose money ran out or whose end block came
        /// (anyone, e.g. a keeper): pays the provider what it earned,
        /// refunds the rest, releases the capacity and records the outcome.
        #[ink(message)]
        pub fn settle(&mut self, id: SubscriptionId) -> Result<()> {
            let subscription = self.data.get(id)?;
            let figures = self.stream_figures(subscription.stream_id)?;
            let reason = subscription.settle_reason(figures.status)?;
            self.close(id, subscription, reason)
        }

        /// After the provider's ready deadline (anyone may ask): records the
        /// miss, releases its capacity and awards the subscription to
        /// another provider, excluding every one that missed. When none is
        /// left — or the next one's minimum deposit is more than the
        /// subscription holds — closes it with a full refund (`ReadyTimeout`).
        #[ink(message)]
        pub fn reaward(&mut self, id: SubscriptionId) -> Result<()> {
            let mut subscription = self.data.get(id)?;
            let now = self.env().block_number();
            let requirements = subscription.reaward_requirements(now)?;
            let previous = subscription.provider;
            self.release(subscription.offer_id)?;
            self.record(previous, Outcome::MissedReady)?;
            self.env().emit_event(AwardRevoked {
                id,
                provider: previous,
            });
            let decision = match requirements {
                None => None,
                Some(requirements) => {
                    match self.ask_award(requirements.clone(), subscription.type_id, id) {
                        Err(SubscriptionError::NoProvider) => None,
                        other => Some((other?, requirements)),
                    }
                }
            };
            let Some((decision, requirements)) = decision else {
                return self.close_stream(id, subscription, CloseReason::ReadyTimeout, None);
            };
            let reservation = self.reserve(&decision, &requirements)?;
            let figures = self.stream_figures(subscription.stream_id)?;
            if figures.held < minimum_deposit(&reservation)? {
                // The next offer needs a larger deposit than the consumer
                // made: it counts as none left (refusing would leave the
                // subscription stuck, and every keeper's retry refused).
                self.release(decision.offer_id)?;
                return self.close_stream(id, subscription, CloseReason::ReadyTimeout, None);
            }
            self.escrow_ref()
                .call_mut()
                .reassign(
                    subscription.stream_id,
                    reservation.provider,
                    reservation.price_per_block,
                )
                .try_invoke()
                .returned()?;
            subscription.reaward(
                requirements,
                decision.offer_id,
                &reservation,
                now,
                self.parameters.ready_timeout,
            )?;
            self.data.index_provider(subscription.provider, id)?;
            self.data.update(id, &subscription);
            self.emit_awarded(id, &subscription);
            Ok(())
        }

        /// Closes a live subscription at once (admin only): the provider is
        /// paid what it earned, the rest refunded.
        #[ink(message)]
        pub fn admin_close(&mut self, id: SubscriptionId) -> Result<()> {
            self.admin.ensure_admin(self.env().caller())?;
            let subscription = self.data.get(id)?;
            self.close(id, subscription, CloseReason::Admin)
        }

        /// New parameters (admin only); they apply to later awards, cancels
        /// and exits.
        #[ink(message)]
        pub fn configure(&mut self, parameters: Parameters) -> Result<()> {
            self.admin.ensure_admin(self.env().caller())?;
            parameters.validate()?;
            self.parameters = parameters;
            self.env().emit_event(ParametersChanged { parameters });
            Ok(())
        }

        /// Replaces the award contract (admin only); existing subscriptions
        /// are untouched.
        #[ink(message)]
        pub fn set_award(&mut self, award: AccountId) -> Result<()> {
            self.admin.ensure_admin(self.env().caller())?;
            self.award = award;
            self.env().emit_event(AwardContractChanged { award });
            Ok(())
        }

        // ---- queries ---------------------------------------------------

        #[ink(message)]
        pub fn subscription(&self, id: SubscriptionId) -> Option<Subscription> {
            self.data.find(id)
        }

        /// A subscription with its stream's live figures at this block.
        #[ink(message)]
        pub fn details(&self, id: SubscriptionId) -> Option<Details> {
            let subscription = self.data.find(id)?;
            let figures = self.stream_figures(subscription.stream_id).ok()?;
            Some(Details {
                subscription,
                figures,
            })
        }

        /// A consumer's subscriptions, oldest first: at most `limit`
        /// (1..=100) from position `cursor`, and how many there are.
        #[ink(message)]
        pub fn subscriptions_of_consumer(
            &self,
            consumer: AccountId,
            cursor: u32,
            limit: u32,
        ) -> Result<SubscriptionPage> {
            self.data.page(Role::Consumer, consumer, cursor, limit)
        }

        /// Every subscription ever awarded to a provider, oldest first.
        #[ink(message)]
        pub fn subscriptions_of_provider(
            &self,
            provider: AccountId,
            cursor: u32,
            limit: u32,
        ) -> Result<SubscriptionPage> {
            self.data.page(Role::Provider, provider, cursor, limit)
        }

        /// Number of subscriptions ever created (ids are `0..count`).
        #[ink(message)]
        pub fn subscription_count(&self) -> SubscriptionId {
            self.data.count()
        }

        /// Subscriptions not closed (each holds one reserved deployment).
        #[ink(message)]
        pub fn live_count(&self) -> u64 {
            self.data.live()
        }

        #[ink(message)]
        pub fn parameters(&self) -> Parameters {
            self.parameters
        }

        #[ink(message)]
        pub fn award(&self) -> AccountId {
            self.award
        }

        #[ink(message)]
        pub fn registry(&self) -> AccountId {
            self.registry
        }

        #[ink(message)]
        pub fn escrow(&self) -> AccountId {
            self.escrow
        }

        // ---- the calls it makes ----------------------------------------

        fn escrow_ref(&self) -> ink::contract_ref!(Escrow) {
            self.escrow.into()
        }

        fn registry_ref(&self) -> ink::contract_ref!(Registry) {
            self.registry.into()
        }

        fn ask_award(
            &self,
            requirements: Requirements,
            type_id: TypeId,
            id: SubscriptionId,
        ) -> Result<AwardDecision> {
            let mut award: ink::contract_ref!(Award) = self.award.into();
            let decision = award
                .call_mut()
                .select(requirements, type_id, id)
                .try_invoke()
                .returned()?;
            Ok(decision)
        }

        /// Reserves the chosen offer. The registry's terms are the ones that
        /// count; a rate above the consumer's bound (an award contract that
        /// ignored it) is refused.
        fn reserve(
            &self,
            decision: &AwardDecision,
            requirements: &Requirements,
        ) -> Result<Reservation> {
            let reservation = self
                .registry_ref()
                .call_mut()
                .reserve(decision.offer_id)
                .try_invoke()
                .returned()?;
            if reservation.price_per_block > requirements.max_price_per_block {
                return Err(SubscriptionError::PriceAboveMax);
            }
            Ok(reservation)
        }

        fn release(&self, offer_id: OfferId) -> Result<()> {
            self.registry_ref()
                .call_mut()
                .release(offer_id)
                .try_invoke()
                .returned()?;
            Ok(())
        }

        fn record(&self, provider: AccountId, outcome: Outcome) -> Result<()> {
            self.registry_ref()
                .call_mut()
                .record(provider, outcome)
                .try_invoke()
                .returned()?;
            Ok(())
        }

        fn open_stream(
            &self,
            consumer: AccountId,
            reservation: &Reservation,
            deposit: Balance,
        ) -> Result<StreamId> {
            let stream_id = self
                .escrow_ref()
                .call_mut()
                .open(consumer, reservation.provider, reservation.price_per_block)
                .transferred_value(deposit)
                .try_invoke()
                .returned()?;
            Ok(stream_id)
        }

        fn stream_figures(&self, stream_id: StreamId) -> Result<StreamFigures> {
            self.escrow_ref()
                .call()
                .figures(stream_id)
                .try_invoke()
                .map(|reply| reply.map(Ok::<_, SubscriptionError>))
                .returned()?
                .ok_or(SubscriptionError::CallFailed)
        }

        fn set_rate(
            &self,
            id: SubscriptionId,
            subscription: &Subscription,
            rate: Balance,
        ) -> Result<()> {
            self.escrow_ref()
                .call_mut()
                .set_rate(subscription.stream_id, rate)
                .try_invoke()
                .returned()?;
            self.env().emit_event(PriceChanged {
                id,
                rate,
                at: self.env().block_number(),
            });
            Ok(())
        }

        fn withdraw(&self, id: SubscriptionId, subscription: &Subscription) -> Result<Balance> {
            let amount = self
                .escrow_ref()
                .call_mut()
                .withdraw(subscription.stream_id)
                .try_invoke()
                .returned()?;
            self.env().emit_event(Claimed {
                id,
                provider: subscription.provider,
                amount,
            });
            Ok(amount)
        }

        /// Closes now or schedules the end, as a cancel or exit decided.
        fn end(
            &mut self,
            id: SubscriptionId,
            subscription: Subscription,
            ending: Ending,
        ) -> Result<()> {
            let (end, reason) = match ending {
                Ending::Now(reason) => return self.close(id, subscription, reason),
                Ending::At(end, reason) => (end, reason),
            };
            self.escrow_ref()
                .call_mut()
                .set_end(subscription.stream_id, end)
                .try_invoke()
                .returned()?;
            self.data.update(id, &subscription);
            self.env().emit_event(EndScheduled { id, end, reason });
            Ok(())
        }

        /// Releases the capacity, records the outcome, closes the stream.
        fn close(
            &mut self,
            id: SubscriptionId,
            subscription: Subscription,
            reason: CloseReason,
        ) -> Result<()> {
            if !subscription.is_live() {
                return Err(SubscriptionError::WrongState);
            }
            self.release(subscription.offer_id)?;
            let outcome = subscription.outcome(reason, self.env().block_number());
            self.close_stream(id, subscription, reason, outcome)
        }

        /// Pays out and refunds the stream, records `outcome` if any, marks
        /// the subscription closed and emits `Closed`.
        fn close_stream(
            &mut self,
            id: SubscriptionId,
            mut subscription: Subscription,
            reason: CloseReason,
            outcome: Option<Outcome>,
        ) -> Result<()> {
            if let Some(outcome) = outcome {
                self.record(subscription.provider, outcome)?;
            }
            let (paid, refunded) = self
                .escrow_ref()
                .call_mut()
                .close(subscription.stream_id)
                .try_invoke()
                .returned()?;
            subscription.close(reason)?;
            self.data.update_closed(id, &subscription)?;
            self.env().emit_event(Closed {
                id,
                reason,
                paid,
                refunded,
            });
            Ok(())
        }

        fn emit_awarded(&self, id: SubscriptionId, subscription: &Subscription) {
            self.env().emit_event(Awarded {
                id,
                provider: subscription.provider,
                type_id: subscription.type_id,
                offer_id: subscription.offer_id,
                rate_per_block: subscription.rate_per_block,
                descriptor_hash: subscription.descriptor.hash,
                descriptor_uri: subscription.descriptor.uri.clone(),
                ready_deadline: subscription.ready_deadline,
            });
        }
    }

    /// What a cross-contract call (`try_invoke`) returned, as this
    /// contract's result: the callee's error converted, and `CallFailed`
    /// when the call could not be made or trapped (wrong address, out of
    /// gas) or the callee did not know the message.
    trait Returned<T> {
        fn returned(self) -> Result<T>;
    }

    impl<T, E: Into<SubscriptionError>> Returned<T>
        for core::result::Result<ink::MessageResult<core::result::Result<T, E>>, ink::env::Error>
    {
        fn returned(self) -> Result<T> {
            self.map_err(|_| SubscriptionError::CallFailed)?
                .map_err(|_| SubscriptionError::CallFailed)?
                .map_err(Into::into)
        }
    }

    impl Admin for SubscriptionContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            self.admin.admin()
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            self.admin.pending()
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> core::result::Result<(), AdminError> {
            admin::emit(self.admin.propose(self.env().caller(), proposed)?);
            Ok(())
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> core::result::Result<(), AdminError> {
            admin::emit(self.admin.accept(self.env().caller())?);
            Ok(())
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> core::result::Result<(), AdminError> {
            admin::emit(self.admin.set_paused(self.env().caller(), paused)?);
            Ok(())
        }
        #[ink(message)]
        fn paused(&self) -> bool {
            self.admin.paused()
        }
        #[ink(message)]
        fn set_code(&mut self, code_hash: CodeHash) -> core::result::Result<(), AdminError> {
            admin::emit(self.admin.set_code(self.env().caller(), code_hash)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
