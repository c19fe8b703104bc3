//! DINFRA subscription: the deployment lifecycle, and the only contract a
//! consumer needs.
//!
//! `create` (payable) takes the offer the consumer names, or lets the
//! registry choose one by its own award rules (when the award link names the
//! registry, as deployed) or an award contract; reserves one deployment of it
//! in the registry (one call, the choice included), checks
//! the registry's own terms against every requirement of the consumer's and
//! escrows the transferred value, all or nothing. The provider's agent
//! follows `Awarded`, deploys, and calls `mark_ready` (or `decline`s);
//! billing starts at that block. Then: `top_up` (anyone), `cancel`
//! (consumer, with notice and the minimum duration — waived while a
//! governance change is pending or after the provider's exit), `exit`
//! (provider, with the offer's notice), price changes, `claim` (provider) and
//! `settle` (anyone, once the money ran out or the end came).
//!
//! The admin cannot touch a subscription: the terms that shape one are
//! copied into it at `create`, and a change of the award link or of the
//! code waits the governance delay. A thin ink! shell: the rules of every
//! transition are in [`dinfra::lifecycle`], the records and indexes in
//! [`data`]. A refused call returns an error, and ink! reverts every write of
//! the message, including those of the contracts it called.
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
pub mod subscription {
    use crate::data::{keys, Role, SubscriptionData};
    use dinfra::admin::{self, Admin, AdminError, Governed, Links};
    use dinfra::governance::{notice_fits_delay, Change, ChangeId, Link, ScheduledChange};
    use dinfra::lifecycle::{
        check_reservation, minimum_deposit, CloseReason, Ending, Parameters, PriceChange,
        Subscription,
    };
    use dinfra::traits::{
        AccessRecord, Award, CallerError, ClosedStream, Descriptor, Details, Escrow, Invoked,
        Outcome, Registry, Requirements, Reservation, StreamFigures, StreamId, SubscriptionError,
        SubscriptionPage,
    };
    use dinfra::types::{check_batch, Hash32, Invalid, OfferId, SubscriptionId, TypeId};
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::{traits::ManualKey, Lazy};

    type Result<T> = core::result::Result<T, SubscriptionError>;

    /// The cold parts of this contract's code (see [`dinfra::cold`]):
    /// configuration, the record queries and governance in the first; the
    /// close paths (`cancel`, `exit`, `settle`) in the second; money in and
    /// out (top-ups, claims, prices) and the consumer's views in the third;
    /// the award handed on (`decline`, `reaward`) in the fourth. The hot code
    /// keeps `create` and `mark_ready`: a provider's agent claims at the
    /// escrow, and anyone may fund a stream there.
    const COLD1: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD1_CODE_HASH");
    const COLD2: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD2_CODE_HASH");
    const COLD3: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD3_CODE_HASH");
    const COLD4: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD4_CODE_HASH");
    dinfra::cold_args!();

    /// Most subscriptions one `claim_many` call takes.
    pub const MAX_CLAIM_BATCH: u32 = dinfra::types::MAX_BATCH;

    // Each event topic costs the chain a storage read and a write
    // (frame_system's `EventTopics`) and 2.5 KB of proof: topics are the
    // subscription id and the accounts a party watches for (the consumer
    // of a new subscription, the provider of an award or a claim), never a
    // figure a reader can take from the data. `SubscriptionCreated` has no
    // id topic: the `Awarded` of the same call has it.
    #[ink(event)]
    pub struct SubscriptionCreated {
        pub id: SubscriptionId,
        #[ink(topic)]
        pub consumer: AccountId,
        pub type_id: TypeId,
        pub deposit: Balance,
    }

    /// What a provider's agent follows: deploy `descriptor` for `id` and
    /// mark it ready by `ready_deadline` (or decline).
    #[ink(event)]
    pub struct Awarded {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
        pub type_id: TypeId,
        pub offer_id: OfferId,
        pub rate_per_block: Balance,
        pub descriptor_hash: Hash32,
        pub descriptor_uri: String,
        pub ready_deadline: BlockNumber,
    }

    /// The previous provider missed its ready deadline; `Awarded` or
    /// `Closed` follows.
    #[ink(event)]
    pub struct AwardRevoked {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub provider: AccountId,
    }

    /// The provider declined the award (no mark against it); `Awarded` or
    /// `Closed` follows.
    #[ink(event)]
    pub struct AwardDeclined {
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
        /// How the consumer reaches the deployment.
        pub access: AccessRecord,
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
        /// Fixed pricing: the consumer must `accept_price` this rate.
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

    /// `provider` claimed `amount` in all: what each of `claims` (`(id,
    /// amount)`, in the order asked, those with nothing earned left out)
    /// paid. One event per `claim` or `claim_many`, not one per
    /// subscription, so a batch adds no topic per subscription.
    #[ink(event)]
    pub struct Claimed {
        #[ink(topic)]
        pub provider: AccountId,
        pub amount: Balance,
        pub claims: Vec<(SubscriptionId, Balance)>,
    }

    #[ink(event)]
    pub struct Closed {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub reason: CloseReason,
        /// Paid to the provider at close (what it earned and had not
        /// claimed, plus any cancel fee).
        pub paid: Balance,
        /// Refunded to the consumer.
        pub refunded: Balance,
    }

    /// The registry refused to release the capacity or record the outcome
    /// of a subscription that closed anyway (a registry whose controller was
    /// changed, say): the money moved, the registry's books did not.
    #[ink(event)]
    pub struct RegistryRefused {
        #[ink(topic)]
        pub id: SubscriptionId,
        pub offer_id: OfferId,
    }

    #[ink(event)]
    pub struct ParametersChanged {
        pub parameters: Parameters,
    }

    /// The upgrade fixture's new storage cell.
    #[cfg(feature = "upgrade-fixture")]
    fn upgrade_note(
    ) -> ink::storage::Lazy<u32, ink::storage::traits::ManualKey<{ keys::UPGRADE_NOTE }>> {
        ink::storage::Lazy::new()
    }

    #[ink(storage)]
    pub struct SubscriptionContract {
        governed: Governed,
        /// Changed only by a scheduled `Link::Award` change.
        award: Lazy<AccountId, ManualKey<{ keys::AWARD }>>,
        /// Fixed at instantiation: subscriptions' offers live there.
        registry: Lazy<AccountId, ManualKey<{ keys::REGISTRY }>>,
        /// Fixed at instantiation: subscriptions' streams live there.
        escrow: Lazy<AccountId, ManualKey<{ keys::ESCROW }>>,
        parameters: Lazy<Parameters, ManualKey<{ keys::PARAMETERS }>>,
        /// The longest consumer notice ever configured: running
        /// subscriptions keep theirs, so the governance delay never goes
        /// below twice it.
        longest_notice: Lazy<BlockNumber, ManualKey<{ keys::LONGEST_NOTICE }>>,
        data: SubscriptionData,
    }

    impl SubscriptionContract {
        /// The contracts it calls, its parameters and its governance delay
        /// (at least twice the consumer notice). The caller becomes admin. The
        /// registry's, the escrow's and the award's admins then wire this
        /// contract as their controller.
        #[ink(constructor)]
        pub fn new(
            award: AccountId,
            registry: AccountId,
            escrow: AccountId,
            parameters: Parameters,
            governance_delay: BlockNumber,
        ) -> Result<Self> {
            parameters.validate(governance_delay)?;
            let mut contract = Self {
                governed: Governed::new(Self::env().caller(), governance_delay)?,
                award: Lazy::new(),
                registry: Lazy::new(),
                escrow: Lazy::new(),
                parameters: Lazy::new(),
                longest_notice: Lazy::new(),
                data: SubscriptionData::default(),
            };
            contract.award.set(&award);
            contract.registry.set(&registry);
            contract.escrow.set(&escrow);
            contract.parameters.set(&parameters);
            contract.longest_notice.set(&parameters.consumer_notice);
            dinfra::hold_cold!((1, COLD1), (2, COLD2), (3, COLD3), (4, COLD4));
            Ok(contract)
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

        /// The awarded provider declares the deployment ready, by its
        /// deadline, publishing how the consumer reaches it (`access`, see
        /// [`AccessRecord`]); billing starts at this block.
        #[ink(message)]
        pub fn mark_ready(&mut self, id: SubscriptionId, access: AccessRecord) -> Result<()> {
            dinfra::hot!({
                access.validate()?;
                let mut subscription = self.data.get(id)?;
                let now = self.env().block_number();
                subscription.mark_ready(self.env().caller(), now)?;
                self.escrow_ref()
                    .call_mut()
                    .start(subscription.stream_id)
                    .try_invoke()
                    .returned()?;
                self.data.update(id, &subscription);
                self.data.set_access(id, &access);
                self.env().emit_event(DeploymentReady {
                    id,
                    provider: subscription.provider,
                    at: now,
                    access,
                });
                Ok(())
            })
        }

        /// The awarded provider turns the award down, before ready and within
        /// its deadline, with no mark against it: the award goes to the next
        /// provider that fits (excluding this one), or — none left — the
        /// subscription closes with a full refund (`Declined`).
        #[ink(message)]
        pub fn decline(&mut self, id: Arg<SubscriptionId>) -> Result<()> {
            dinfra::cold!(4, COLD4, {
                let subscription = self.data.get(id)?;
                let now = self.env().block_number();
                let requirements = subscription.decline_requirements(self.env().caller(), now)?;
                self.hand_over(id, subscription, requirements, now, CloseReason::Declined)
            })
        }

        /// The provider leaves. Before ready: closed at once, everything
        /// refunded. After: billing ends after the offer's notice. Counted
        /// in the provider's reputation.
        #[ink(message)]
        pub fn exit(&mut self, id: Arg<SubscriptionId>) -> Result<()> {
            dinfra::cold!(2, COLD2, {
                let mut subscription = self.data.get(id)?;
                let ending = subscription.exit(self.env().caller(), self.env().block_number())?;
                self.end(id, subscription, ending)
            })
        }

        /// The provider asks for a new rate. Dynamic offers: at most the
        /// consumer's repricing bound, applied after the offer's notice (at
        /// once if the notice is 0). Fixed offers: applied when the consumer
        /// accepts that rate.
        #[ink(message)]
        pub fn propose_price(&mut self, id: Arg<SubscriptionId>, rate: Arg<Balance>) -> Result<()> {
            dinfra::cold!(3, COLD3, {
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
            })
        }

        /// Applies a Dynamic price change whose notice has passed (anyone).
        #[ink(message)]
        pub fn apply_price(&mut self, id: Arg<SubscriptionId>) -> Result<()> {
            dinfra::cold!(3, COLD3, {
                let mut subscription = self.data.get(id)?;
                let rate = subscription.apply_price(self.env().block_number())?;
                self.set_rate(id, &subscription, rate)?;
                self.data.update(id, &subscription);
                Ok(())
            })
        }

        /// Pays the provider (the only caller allowed) what it earned so
        /// far; returns the amount. `NothingToClaim` if nothing.
        #[ink(message)]
        pub fn claim(&mut self, id: Arg<SubscriptionId>) -> Result<Balance> {
            dinfra::cold!(3, COLD3, { self.claim_many(ink::prelude::vec![id]) })
        }

        /// Claims up to [`MAX_CLAIM_BATCH`] of the caller's subscriptions
        /// at once, none twice; those with nothing earned are skipped. Returns the total;
        /// `NothingToClaim` if it is 0.
        #[ink(message)]
        pub fn claim_many(&mut self, ids: Arg<Vec<SubscriptionId>>) -> Result<Balance> {
            dinfra::cold!(3, COLD3, {
                check_batch(&ids)?;
                // check_claim: the caller is the provider of every one.
                let caller = self.env().caller();
                let mut streams = Vec::with_capacity(ids.len());
                for &id in &ids {
                    let subscription = self.data.get(id)?;
                    subscription.check_claim(caller)?;
                    streams.push(subscription.stream_id);
                }
                // One call into the escrow for the whole batch: its code is
                // loaded once, and the provider paid in one transfer.
                let amounts: Vec<Balance> = self
                    .escrow_ref()
                    .call_mut()
                    .withdraw_many(streams)
                    .try_invoke()
                    .returned()?;
                if amounts.len() != ids.len() {
                    return Err(SubscriptionError::CallFailed);
                }
                let mut total: Balance = 0;
                let mut claims = Vec::with_capacity(ids.len());
                for (id, amount) in ids.into_iter().zip(amounts) {
                    if amount == 0 {
                        continue;
                    }
                    total = total
                        .checked_add(amount)
                        .ok_or(SubscriptionError::Overflow)?;
                    claims.push((id, amount));
                }
                if total == 0 {
                    return Err(SubscriptionError::NothingToClaim);
                }
                self.env().emit_event(Claimed {
                    provider: caller,
                    amount: total,
                    claims,
                });
                Ok(total)
            })
        }

        /// Closes a subscription whose money ran out or whose end block came
        /// (anyone, e.g. a keeper): pays the provider what it earned,
        /// refunds the rest, releases the capacity and records the outcome.
        /// Also closes the record of one whose payer reclaimed its stream
        /// after the escrow's controller changed (`Reclaimed`), so its
        /// capacity is not held for ever.
        #[ink(message)]
        pub fn settle(&mut self, id: Arg<SubscriptionId>) -> Result<()> {
            dinfra::cold!(2, COLD2, {
                let subscription = self.data.get(id)?;
                let figures = self.stream_figures(subscription.stream_id)?;
                let reason = subscription.settle_reason(figures.status)?;
                if reason == CloseReason::Reclaimed {
                    return self.close_reclaimed(id, subscription);
                }
                self.close(id, subscription, reason, 0)
            })
        }

        /// After the provider's ready deadline (anyone may ask): records the
        /// miss, releases its capacity and awards the subscription to
        /// another provider, excluding every one that missed. When none is
        /// left — or the next one's minimum deposit is more than the
        /// subscription holds — closes it with a full refund (`ReadyTimeout`).
        #[ink(message)]
        pub fn reaward(&mut self, id: Arg<SubscriptionId>) -> Result<()> {
            dinfra::cold!(4, COLD4, {
                let subscription = self.data.get(id)?;
                let now = self.env().block_number();
                let requirements = subscription.reaward_requirements(now)?;
                self.hand_over(
                    id,
                    subscription,
                    requirements,
                    now,
                    CloseReason::ReadyTimeout,
                )
            })
        }

        /// New parameters (admin only): they apply to subscriptions created
        /// from now on (each keeps the ones it was created with). The
        /// consumer notice stays below the governance delay.
        #[ink(message)]
        pub fn configure(&mut self, parameters: Arg<Parameters>) -> Result<()> {
            dinfra::cold!(1, COLD1, {
                self.governed.ensure_admin(self.env().caller())?;
                parameters.validate(self.governed.governance().delay())?;
                let longest = self.longest_notice_bound().max(parameters.consumer_notice);
                self.longest_notice.set(&longest);
                self.parameters.set(&parameters);
                self.env().emit_event(ParametersChanged { parameters });
                Ok(())
            })
        }

        // ---- queries ---------------------------------------------------

        #[ink(message)]
        pub fn subscription(&self, id: Arg<SubscriptionId>) -> Option<Subscription> {
            dinfra::cold!(1, COLD1, { self.data.find(id) })
        }

        /// Every subscription ever awarded to a provider, oldest first.
        #[ink(message)]
        pub fn subscriptions_of_provider(
            &self,
            provider: Arg<AccountId>,
            cursor: Arg<u32>,
            limit: Arg<u32>,
        ) -> Result<SubscriptionPage> {
            dinfra::cold!(1, COLD1, {
                self.data.page(Role::Provider, provider, cursor, limit)
            })
        }

        /// Number of subscriptions ever created (ids are `0..count`).
        #[ink(message)]
        pub fn subscription_count(&self) -> SubscriptionId {
            dinfra::cold!(1, COLD1, { self.data.count() })
        }

        /// Subscriptions not closed (each holds one reserved deployment).
        #[ink(message)]
        pub fn live_count(&self) -> u64 {
            dinfra::cold!(1, COLD1, { self.data.live() })
        }

        #[ink(message)]
        pub fn parameters(&self) -> Parameters {
            dinfra::cold!(1, COLD1, { self.stored_parameters() })
        }

        /// The longest consumer notice ever configured (some running
        /// subscription may hold it): the governance delay never goes below
        /// twice it.
        #[ink(message)]
        pub fn longest_consumer_notice(&self) -> BlockNumber {
            dinfra::cold!(1, COLD1, { self.longest_notice_bound() })
        }

        /// The contract that chooses offers: the registry itself (its own
        /// award rules, chosen and reserved in one call) or an award
        /// contract.
        #[ink(message)]
        pub fn award(&self) -> AccountId {
            dinfra::cold!(1, COLD1, { self.award_link() })
        }

        #[ink(message)]
        pub fn registry(&self) -> AccountId {
            dinfra::cold!(1, COLD1, { self.registry_link() })
        }

        #[ink(message)]
        pub fn escrow(&self) -> AccountId {
            dinfra::cold!(1, COLD1, { self.escrow_link() })
        }

        // ---- what every build reads (the getters above are cold) --------

        fn stored_parameters(&self) -> Parameters {
            self.parameters
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }

        fn longest_notice_bound(&self) -> BlockNumber {
            // Code that predates the cell left it unset: the current notice
            // is then the best bound known.
            self.longest_notice
                .get_or_default()
                .max(self.stored_parameters().consumer_notice)
        }

        fn award_link(&self) -> AccountId {
            self.award
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }

        fn registry_link(&self) -> AccountId {
            self.registry
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }

        fn escrow_link(&self) -> AccountId {
            self.escrow
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }

        /// Whether this contract, the registry or the escrow has a governance
        /// change pending: while one has, a consumer's cancel waives the
        /// minimum duration after ready and the offer's cancel fee before.
        /// (The award's changes touch only awards to come, and this contract
        /// checks every award again.) A contract that does not answer counts
        /// as having one: the consumer gets the benefit of the doubt.
        #[ink(message)]
        pub fn governance_pending(&self) -> bool {
            dinfra::cold!(2, COLD2, {
                self.governed.any_change_pending()
                    || [self.registry_link(), self.escrow_link()]
                        .into_iter()
                        .any(|contract| {
                            let contract: ink::contract_ref!(Admin) = contract.into();
                            contract
                                .call()
                                .pending_changes()
                                .try_invoke()
                                .map_or(true, |reply| reply.map_or(true, |p| !p.is_empty()))
                        })
            })
        }

        // ---- the calls it makes ----------------------------------------

        fn escrow_ref(&self) -> ink::contract_ref!(Escrow) {
            self.escrow_link().into()
        }

        fn registry_ref(&self) -> ink::contract_ref!(Registry) {
            self.registry_link().into()
        }

        /// Reserves a deployment for subscription `id` in one registry call:
        /// of `offer_id` when the consumer names one; otherwise of the offer
        /// the registry's own award chooses when the award link names the
        /// registry, or of the one the award contract chooses. Returns the
        /// offer's terms as the registry holds them (with the attestations
        /// the requirements need), for [`check_reservation`].
        fn reserve(
            &self,
            requirements: &Requirements,
            type_id: TypeId,
            id: SubscriptionId,
            offer_id: Option<OfferId>,
        ) -> Result<Reservation> {
            let (award, registry) = (self.award_link(), self.registry_link());
            let offer_id = match offer_id {
                None if award != registry => {
                    let mut award: ink::contract_ref!(Award) = award.into();
                    let decision = award
                        .call_mut()
                        .select(requirements.clone(), type_id, id)
                        .try_invoke()
                        .returned()?;
                    Some(decision.offer_id)
                }
                named_or_none => named_or_none,
            };
            let seed = dinfra::selection::random_seed(
                id,
                self.env().block_number(),
                ink::env::hash_bytes::<ink::env::hash::Blake2x128>,
            );
            let mut registry: ink::contract_ref!(Registry) = registry.into();
            let reservation = registry
                .call_mut()
                .award(type_id, requirements.clone(), seed, offer_id)
                .try_invoke()
                .returned()?;
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

        fn record(&self, provider: AccountId, outcome: Outcome, value: Balance) -> Result<()> {
            self.registry_ref()
                .call_mut()
                .record(provider, outcome, value)
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
            let offer = &reservation.offer;
            let stream_id = self
                .escrow_ref()
                .call_mut()
                .open(
                    consumer,
                    offer.provider,
                    offer.price_per_block,
                    self.stored_parameters().consumer_notice,
                )
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

        /// Closes now or schedules the end, as a cancel or exit decided.
        fn end(
            &mut self,
            id: SubscriptionId,
            subscription: Subscription,
            ending: Ending,
        ) -> Result<()> {
            let (end, reason) = match ending {
                Ending::Now { reason, fee } => return self.close(id, subscription, reason, fee),
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

        /// Hands an award that was missed or declined to the next provider
        /// that fits under `requirements` (`None`: no more providers may be
        /// excluded), or closes the subscription with a full refund for
        /// `reason` when none is left, the award chose an offer that does
        /// not fit, or the next offer needs a larger deposit than the
        /// subscription holds (refusing would leave it stuck, and every
        /// keeper's retry refused). A miss is recorded against the previous
        /// provider; a decline is not.
        fn hand_over(
            &mut self,
            id: SubscriptionId,
            mut subscription: Subscription,
            requirements: Option<Requirements>,
            now: BlockNumber,
            reason: CloseReason,
        ) -> Result<()> {
            let previous = subscription.provider;
            let figures = self.stream_figures(subscription.stream_id)?;
            self.release(subscription.offer_id)?;
            if reason == CloseReason::Declined {
                self.env().emit_event(AwardDeclined {
                    id,
                    provider: previous,
                });
            } else {
                if subscription.records_misses() {
                    self.record(previous, Outcome::MissedReady, figures.held)?;
                }
                self.env().emit_event(AwardRevoked {
                    id,
                    provider: previous,
                });
            }
            let reservation = match requirements {
                None => None,
                Some(ref requirements) => {
                    match self.reserve(requirements, subscription.type_id, id, None) {
                        Err(SubscriptionError::NoProvider) => None,
                        other => Some(other?),
                    }
                }
            };
            let (Some(reservation), Some(requirements)) = (reservation, requirements) else {
                return self.finish(id, subscription, reason, 0, None, true);
            };
            let offer_id = reservation.offer.offer_id;
            let fits = check_reservation(subscription.type_id, &requirements, &reservation).is_ok()
                && figures.held >= minimum_deposit(&reservation)?;
            if !fits {
                self.release(offer_id)?;
                return self.finish(id, subscription, reason, 0, None, true);
            }
            let offer = &reservation.offer;
            self.escrow_ref()
                .call_mut()
                .reassign(
                    subscription.stream_id,
                    offer.provider,
                    offer.price_per_block,
                )
                .try_invoke()
                .returned()?;
            subscription.reaward(requirements, &reservation, now)?;
            self.data.index_provider(subscription.provider, id)?;
            self.data.update(id, &subscription);
            self.emit_awarded(id, &subscription);
            Ok(())
        }

        /// Releases the capacity and closes the stream for `reason`, paying
        /// the provider `fee` out of the rest, and records the outcome. The
        /// registry's refusal (a rewired registry, say) never holds the money
        /// up: the close goes on and `RegistryRefused` says so.
        fn close(
            &mut self,
            id: SubscriptionId,
            subscription: Subscription,
            reason: CloseReason,
            fee: Balance,
        ) -> Result<()> {
            if !subscription.is_live() {
                return Err(SubscriptionError::WrongState);
            }
            let released = self.release(subscription.offer_id).is_ok();
            let outcome = subscription.outcome(reason, self.env().block_number());
            self.finish(id, subscription, reason, fee, outcome, released)
        }

        /// Closes the record of a subscription whose payer reclaimed its
        /// stream from the escrow (the escrow's controller changed, so this
        /// contract steers it no more): the money already went by the
        /// escrow's rules, so none moves here (`Closed` carries 0 and 0);
        /// the capacity is freed (`RegistryRefused` if the registry will not)
        /// and nothing is recorded against the provider.
        fn close_reclaimed(
            &mut self,
            id: SubscriptionId,
            mut subscription: Subscription,
        ) -> Result<()> {
            if self.release(subscription.offer_id).is_err() {
                self.env().emit_event(RegistryRefused {
                    id,
                    offer_id: subscription.offer_id,
                });
            }
            subscription.close(CloseReason::Reclaimed)?;
            self.data.update_closed(id, &subscription)?;
            self.env().emit_event(Closed {
                id,
                reason: CloseReason::Reclaimed,
                paid: 0,
                refunded: 0,
            });
            Ok(())
        }

        /// Pays out and refunds the stream, records `outcome` (worth what
        /// the provider was paid, or for a miss what the consumer had at
        /// stake), marks the subscription closed and emits `Closed`.
        fn finish(
            &mut self,
            id: SubscriptionId,
            mut subscription: Subscription,
            reason: CloseReason,
            fee: Balance,
            outcome: Option<Outcome>,
            released: bool,
        ) -> Result<()> {
            let closed: ClosedStream = self
                .escrow_ref()
                .call_mut()
                .close(subscription.stream_id, fee)
                .try_invoke()
                .returned()?;
            let recorded = match outcome {
                None => true,
                Some(outcome) => {
                    let value = match outcome {
                        Outcome::MissedReady => closed.paid.saturating_add(closed.refunded),
                        _ => closed.payee_total,
                    };
                    self.record(subscription.provider, outcome, value).is_ok()
                }
            };
            if !(released && recorded) {
                self.env().emit_event(RegistryRefused {
                    id,
                    offer_id: subscription.offer_id,
                });
            }
            subscription.close(reason)?;
            self.data.update_closed(id, &subscription)?;
            self.env().emit_event(Closed {
                id,
                reason,
                paid: closed.paid,
                refunded: closed.refunded,
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

    impl<T, E: Into<SubscriptionError>> Returned<T> for Invoked<T, E> {
        fn returned(self) -> Result<T> {
            SubscriptionError::from_call(self)
        }
    }

    impl dinfra::traits::Subscription for SubscriptionContract {
        #[ink(message, payable)]
        fn create(
            &mut self,
            type_id: TypeId,
            descriptor: Descriptor,
            requirements: Requirements,
            offer_id: Option<OfferId>,
        ) -> Result<SubscriptionId> {
            dinfra::hot!({
                self.governed.ensure_not_paused()?;
                descriptor.validate()?;
                requirements.validate()?;
                let deposit = self.env().transferred_value();
                if deposit == 0 {
                    return Err(Invalid::Amount.into());
                }
                let id = self.data.next_id();
                let reservation = self.reserve(&requirements, type_id, id, offer_id)?;
                check_reservation(type_id, &requirements, &reservation)?;
                if deposit < minimum_deposit(&reservation)? {
                    return Err(SubscriptionError::InsufficientDeposit);
                }
                let consumer = self.env().caller();
                let stream_id = self.open_stream(consumer, &reservation, deposit)?;
                let subscription = Subscription::awarded(
                    consumer,
                    type_id,
                    descriptor,
                    requirements,
                    &reservation,
                    stream_id,
                    self.env().block_number(),
                    self.stored_parameters(),
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
            })
        }

        #[ink(message, payable)]
        fn top_up(&mut self, id: SubscriptionId) -> Result<()> {
            dinfra::cold!(3, COLD3, {
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
            })
        }

        #[ink(message)]
        fn cancel(&mut self, id: SubscriptionId) -> Result<()> {
            dinfra::cold!(2, COLD2, {
                let mut subscription = self.data.get(id)?;
                let ending =
                    subscription.cancel(self.env().caller(), self.env().block_number(), || {
                        self.governance_pending()
                    })?;
                self.end(id, subscription, ending)
            })
        }

        #[ink(message)]
        fn accept_price(&mut self, id: SubscriptionId, rate: Balance) -> Result<()> {
            dinfra::cold!(3, COLD3, {
                let mut subscription = self.data.get(id)?;
                let rate = subscription.accept_price(self.env().caller(), rate)?;
                self.set_rate(id, &subscription, rate)?;
                self.data.update(id, &subscription);
                Ok(())
            })
        }

        #[ink(message)]
        fn reject_price(&mut self, id: SubscriptionId) -> Result<()> {
            dinfra::cold!(3, COLD3, {
                let mut subscription = self.data.get(id)?;
                let PriceChange { rate, .. } = subscription.reject_price(self.env().caller())?;
                self.data.update(id, &subscription);
                self.env().emit_event(PriceRejected { id, rate });
                Ok(())
            })
        }

        #[ink(message)]
        fn details(&self, id: SubscriptionId) -> Option<Details> {
            dinfra::cold!(3, COLD3, {
                let subscription = self.data.find(id)?;
                let figures = self.stream_figures(subscription.stream_id).ok()?;
                Some(Details {
                    subscription,
                    figures,
                    access: self.data.access(id),
                })
            })
        }

        #[ink(message)]
        fn subscriptions_of_consumer(
            &self,
            consumer: AccountId,
            cursor: u32,
            limit: u32,
        ) -> Result<SubscriptionPage> {
            dinfra::cold!(3, COLD3, {
                self.data.page(Role::Consumer, consumer, cursor, limit)
            })
        }
    }

    impl Links for SubscriptionContract {
        fn governed(&mut self) -> &mut Governed {
            &mut self.governed
        }
        fn link(&self, link: Link) -> core::result::Result<Option<AccountId>, AdminError> {
            match link {
                Link::Award => Ok(Some(self.award_link())),
                Link::Controller => Err(AdminError::InvalidChange),
            }
        }
        fn set_link(&mut self, _link: Link, to: Option<AccountId>) {
            // `link` refused anything but the award; an award is required.
            if let Some(award) = to {
                self.award.set(&award);
            }
        }
        /// Never below twice the longest consumer notice ever configured:
        /// every running subscription keeps the notice it was created with
        /// (checked when a shorter delay is scheduled and again when it
        /// applies).
        fn check_delay(&self, delay: BlockNumber) -> core::result::Result<(), AdminError> {
            if !notice_fits_delay(self.longest_notice_bound(), delay) {
                return Err(AdminError::InvalidChange);
            }
            Ok(())
        }
    }

    impl Admin for SubscriptionContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            dinfra::cold!(1, COLD1, { self.governed.data().admin() })
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            dinfra::cold!(1, COLD1, { self.governed.data().pending() })
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> core::result::Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                self.governed.transfer_admin(self.env().caller(), proposed)
            })
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> core::result::Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                self.governed.accept_admin(self.env().caller())
            })
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> core::result::Result<(), AdminError> {
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
        fn schedule_change(
            &mut self,
            change: Change,
        ) -> core::result::Result<ChangeId, AdminError> {
            dinfra::cold!(1, COLD1, {
                if let Change::Link(Link::Award, None) = change {
                    return Err(AdminError::InvalidChange);
                }
                let (caller, now) = (self.env().caller(), self.env().block_number());
                admin::schedule_change(self, caller, now, change)
            })
        }
        #[ink(message)]
        fn apply_change(&mut self, id: ChangeId) -> core::result::Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                let now = self.env().block_number();
                admin::apply_change(self, id, now)
            })
        }
        #[ink(message)]
        fn cancel_change(&mut self, id: ChangeId) -> core::result::Result<(), AdminError> {
            dinfra::cold!(1, COLD1, {
                admin::cancel_change(self, self.env().caller(), id)
            })
        }
    }
}

#[cfg(all(test, not(feature = "upgrade-fixture")))]
mod tests;
