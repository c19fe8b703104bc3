//! DINFRA provider registry: deployment types, providers with bonds and
//! attributes, attestations, offers, the per-type offer index awards read
//! candidates from, and capacity reservations by the subscription contract.
//!
//! A thin ink! shell over [`data::RegistryData`] (rules in `data.rs`,
//! `providers.rs`, `offers.rs`): the shell checks who calls, pays out exactly
//! what the events name, and emits them.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// A split build holds only its share of the messages (`dinfra::cold`): the
// hot Wasm forwards the cold ones without reading their arguments
// (`dinfra::cold_args!`), and each build leaves out code and imports only the
// others use.
#![cfg_attr(
    any(dinfra_hot, dinfra_cold),
    allow(unused_variables, unused_imports, dead_code)
)]

mod award;
pub mod data;
mod offers;
mod providers;
#[cfg(all(test, not(feature = "upgrade-fixture")))]
mod tests;
pub mod types;

#[ink::contract]
pub mod registry {
    use crate::data::{
        keys, DeploymentType, Offer, OfferTerms, Page, Parameters, Provider, ProviderStatus,
        RegistryData, RegistryEvent,
    };
    use dinfra::admin::{self, Admin, AdminError, Governed, Links};
    use dinfra::governance::{Change, ChangeId, Link, ScheduledChange};
    use dinfra::traits::{
        AwardRules, CandidatePage, Outcome, Registry, RegistryError, Reputation, Requirements,
        Reservation,
    };
    use dinfra::types::{Attribute, Hash32, OfferId, TypeId};
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::{traits::ManualKey, Lazy, Mapping};

    #[ink(event)]
    pub struct TypeRegistered {
        #[ink(topic)]
        pub type_id: TypeId,
        pub name: String,
        pub schema_hash: Hash32,
    }

    #[ink(event)]
    pub struct ProviderRegistered {
        #[ink(topic)]
        pub provider: AccountId,
        pub name: String,
        pub endpoint: String,
        pub bond: Balance,
    }

    #[ink(event)]
    pub struct ProviderUpdated {
        #[ink(topic)]
        pub provider: AccountId,
        pub name: String,
        pub endpoint: String,
    }

    #[ink(event)]
    pub struct ProviderStatusChanged {
        #[ink(topic)]
        pub provider: AccountId,
        pub status: ProviderStatus,
    }

    #[ink(event)]
    pub struct ProviderDeregistered {
        #[ink(topic)]
        pub provider: AccountId,
        pub unbonds_at: BlockNumber,
    }

    #[ink(event)]
    pub struct BondWithdrawn {
        #[ink(topic)]
        pub provider: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct Attested {
        #[ink(topic)]
        pub provider: AccountId,
        #[ink(topic)]
        pub attestor: AccountId,
        pub attributes: Vec<Attribute>,
    }

    #[ink(event)]
    pub struct OfferPublished {
        #[ink(topic)]
        pub offer_id: OfferId,
        #[ink(topic)]
        pub provider: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
        pub terms: OfferTerms,
    }

    #[ink(event)]
    pub struct OfferUpdated {
        #[ink(topic)]
        pub offer_id: OfferId,
        pub terms: OfferTerms,
    }

    #[ink(event)]
    pub struct OfferWithdrawn {
        #[ink(topic)]
        pub offer_id: OfferId,
        #[ink(topic)]
        pub provider: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
    }

    #[ink(event)]
    pub struct CapacityReserved {
        #[ink(topic)]
        pub offer_id: OfferId,
        pub reserved: u32,
    }

    /// The registry's own award chose `offer_id` (its `CapacityReserved`
    /// comes just before); the next award of the offer's type reads from
    /// `next_cursor`. Anonymous, with no topic at all, and no subscription
    /// id or type: a topic (the signature's too) costs every `create` a
    /// storage read and write and 2.5 KB of proof, and the subscription
    /// contract's `SubscriptionCreated` and `Awarded`, in the same call,
    /// name the subscription, its type and the provider. (The registry's
    /// only anonymous event: a decoder that finds no signature topic finds
    /// it by that.)
    #[ink(event, anonymous)]
    pub struct OfferAwarded {
        pub offer_id: OfferId,
        pub next_cursor: u32,
    }

    /// Emitted when the admin changes how the registry's own awards choose.
    #[ink(event)]
    pub struct AwardRulesChanged {
        pub rules: AwardRules,
    }

    #[ink(event)]
    pub struct CapacityReleased {
        #[ink(topic)]
        pub offer_id: OfferId,
        pub reserved: u32,
    }

    #[ink(event)]
    pub struct OutcomeRecorded {
        #[ink(topic)]
        pub provider: AccountId,
        pub outcome: Outcome,
        /// What the subscription had at stake (paid, or held for a miss).
        pub value: Balance,
        pub reputation: Reputation,
    }

    /// Emitted when the admin changes the parameters.
    #[ink(event)]
    pub struct ConfigChanged {
        pub parameters: Parameters,
    }

    /// The upgrade fixture's new storage cell.
    #[cfg(feature = "upgrade-fixture")]
    fn upgrade_note(
    ) -> ink::storage::Lazy<u32, ink::storage::traits::ManualKey<{ keys::UPGRADE_NOTE }>> {
        ink::storage::Lazy::new()
    }

    /// The cold parts of this contract's code (see [`dinfra::cold`]): the
    /// providers' and types' management in the first, the offers' in the
    /// second, the other queries and governance in the third, the candidate
    /// pages (`candidates`: a custom award contract's and off-chain
    /// readers') and `reserve` (the subscription contract reserves through
    /// `award`) in the fourth. The hot code keeps what `create` and the
    /// close of a subscription call: `award`, `release`, `record`.
    const COLD1: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD1_CODE_HASH");
    const COLD2: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD2_CODE_HASH");
    const COLD3: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD3_CODE_HASH");
    const COLD4: [u8; 32] = dinfra::cold_code_hash!("DINFRA_COLD4_CODE_HASH");
    dinfra::cold_args!();

    #[ink(storage)]
    pub struct RegistryContract {
        governed: Governed,
        /// The only account allowed to reserve, release and record (the
        /// subscription contract); `None` until wired. Changed only by a
        /// scheduled `Link::Controller` change.
        controller: Lazy<Option<AccountId>, ManualKey<{ keys::CONTROLLER }>>,
        /// Controllers rewired away: each may still `release`, so that the
        /// subscriptions it holds close with their capacity freed and a
        /// rewiring never freezes a provider's bond (`deregister` waits for
        /// no reservation). They reserve and record nothing more. Trusting
        /// a former controller to release what it reserved is trusting code
        /// that changes only with notice, as the controller's does.
        retired_controllers: Mapping<AccountId, (), ManualKey<{ keys::RETIRED_CONTROLLERS }>>,
        data: RegistryData,
    }

    impl RegistryContract {
        /// The caller becomes admin; every change of its code or controller
        /// waits `governance_delay` blocks.
        #[ink(constructor)]
        pub fn new(
            min_bond: Balance,
            unbonding_blocks: BlockNumber,
            governance_delay: BlockNumber,
        ) -> Result<Self, RegistryError> {
            let parameters = Parameters {
                min_bond,
                unbonding_blocks,
            };
            parameters.validate()?;
            let mut controller = Lazy::new();
            controller.set(&None);
            dinfra::hold_cold!((1, COLD1), (2, COLD2), (3, COLD3), (4, COLD4));
            Ok(Self {
                governed: Governed::new(Self::env().caller(), governance_delay)?,
                controller,
                retired_controllers: Mapping::new(),
                data: RegistryData::new(parameters),
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

        /// Sets the minimum bond and the unbonding period (admin only): they
        /// apply to providers registering from now on (each provider keeps
        /// the unbonding period it registered under).
        #[ink(message)]
        pub fn configure(&mut self, parameters: Arg<Parameters>) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                self.governed.ensure_admin(self.env().caller())?;
                parameters.validate()?;
                self.data.set_parameters(parameters);
                self.env().emit_event(ConfigChanged { parameters });
                Ok(())
            })
        }

        /// Registers a deployment type `name` whose descriptors follow the
        /// JSON Schema with blake2-256 `schema_hash`. Anyone may.
        #[ink(message)]
        pub fn register_type(
            &mut self,
            name: Arg<String>,
            schema_hash: Arg<Hash32>,
        ) -> Result<TypeId, RegistryError> {
            dinfra::cold!(1, COLD1, {
                self.governed.ensure_not_paused()?;
                let events = self
                    .data
                    .register_type(self.env().caller(), name, schema_hash)?;
                let type_id = match events.first() {
                    Some(RegistryEvent::TypeRegistered { type_id, .. }) => *type_id,
                    _ => return Err(RegistryError::NotFound),
                };
                self.apply(events)?;
                Ok(type_id)
            })
        }

        /// Registers the caller as a provider; the transferred value is its
        /// bond (at least the minimum bond).
        #[ink(message, payable)]
        pub fn register_provider(
            &mut self,
            name: Arg<String>,
            endpoint: Arg<String>,
            attributes: Arg<Vec<Attribute>>,
        ) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                self.governed.ensure_not_paused()?;
                let events = self.data.register_provider(
                    self.env().caller(),
                    name,
                    endpoint,
                    attributes,
                    self.env().transferred_value(),
                    self.env().block_number(),
                )?;
                self.apply(events)
            })
        }

        /// Replaces the caller's name, endpoint and attributes.
        #[ink(message)]
        pub fn update_provider(
            &mut self,
            name: Arg<String>,
            endpoint: Arg<String>,
            attributes: Arg<Vec<Attribute>>,
        ) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events =
                    self.data
                        .update_provider(self.env().caller(), name, endpoint, attributes)?;
                self.apply(events)
            })
        }

        /// The caller takes no new subscriptions until it resumes.
        #[ink(message)]
        pub fn pause_provider(&mut self) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events = self.data.set_provider_paused(self.env().caller(), true)?;
                self.apply(events)
            })
        }

        #[ink(message)]
        pub fn resume_provider(&mut self) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events = self.data.set_provider_paused(self.env().caller(), false)?;
                self.apply(events)
            })
        }

        /// Withdraws all the caller's offers and starts unbonding; refused
        /// while any deployment is reserved.
        #[ink(message)]
        pub fn deregister(&mut self) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events = self
                    .data
                    .deregister(self.env().caller(), self.env().block_number())?;
                self.apply(events)
            })
        }

        /// Pays a deregistered provider its bond back once unbonded.
        #[ink(message)]
        pub fn withdraw_bond(&mut self) -> Result<Balance, RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events = self
                    .data
                    .withdraw_bond(self.env().caller(), self.env().block_number())?;
                let amount = match events.first() {
                    Some(RegistryEvent::BondWithdrawn { amount, .. }) => *amount,
                    _ => return Err(RegistryError::NotFound),
                };
                self.apply(events)?;
                Ok(amount)
            })
        }

        /// The caller vouches for `attributes` of `provider` (empty: revoke).
        #[ink(message)]
        pub fn attest(
            &mut self,
            provider: Arg<AccountId>,
            attributes: Arg<Vec<Attribute>>,
        ) -> Result<(), RegistryError> {
            dinfra::cold!(1, COLD1, {
                let events = self
                    .data
                    .attest(self.env().caller(), provider, attributes)?;
                self.apply(events)
            })
        }

        /// Publishes an offer of the caller for `type_id`.
        #[ink(message)]
        pub fn publish_offer(
            &mut self,
            type_id: Arg<TypeId>,
            terms: Arg<OfferTerms>,
        ) -> Result<OfferId, RegistryError> {
            dinfra::cold!(2, COLD2, {
                self.governed.ensure_not_paused()?;
                let events = self
                    .data
                    .publish_offer(self.env().caller(), type_id, terms)?;
                let offer_id = match events.first() {
                    Some(RegistryEvent::OfferPublished { offer_id, .. }) => *offer_id,
                    _ => return Err(RegistryError::NotFound),
                };
                self.apply(events)?;
                Ok(offer_id)
            })
        }

        #[ink(message)]
        pub fn update_offer(
            &mut self,
            offer_id: Arg<OfferId>,
            terms: Arg<OfferTerms>,
        ) -> Result<(), RegistryError> {
            dinfra::cold!(2, COLD2, {
                let events = self
                    .data
                    .update_offer(self.env().caller(), offer_id, terms)?;
                self.apply(events)
            })
        }

        #[ink(message)]
        pub fn withdraw_offer(&mut self, offer_id: Arg<OfferId>) -> Result<(), RegistryError> {
            dinfra::cold!(2, COLD2, {
                let events = self.data.withdraw_offer(self.env().caller(), offer_id)?;
                self.apply(events)
            })
        }

        #[ink(message)]
        pub fn deployment_type(&self, type_id: Arg<TypeId>) -> Option<DeploymentType> {
            dinfra::cold!(3, COLD3, { self.data.deployment_type(type_id) })
        }

        #[ink(message)]
        pub fn type_id_by_name(&self, name: Arg<String>) -> Option<TypeId> {
            dinfra::cold!(3, COLD3, { self.data.type_id_by_name(name) })
        }

        /// Types with ids `cursor..cursor+limit`, and how many there are.
        #[ink(message)]
        pub fn types(
            &self,
            cursor: Arg<u32>,
            limit: Arg<u32>,
        ) -> Result<Page<(TypeId, DeploymentType)>, RegistryError> {
            dinfra::cold!(3, COLD3, { self.data.types(cursor, limit) })
        }

        #[ink(message)]
        pub fn provider(&self, account: Arg<AccountId>) -> Option<Provider> {
            dinfra::cold!(3, COLD3, { self.data.provider(account) })
        }

        /// Providers at positions `cursor..cursor+limit`, and how many there are.
        #[ink(message)]
        pub fn providers(
            &self,
            cursor: Arg<u32>,
            limit: Arg<u32>,
        ) -> Result<Page<(AccountId, Provider)>, RegistryError> {
            dinfra::cold!(3, COLD3, { self.data.providers(cursor, limit) })
        }

        /// What `attestor` vouches for about `provider`.
        #[ink(message)]
        pub fn attestation(
            &self,
            provider: Arg<AccountId>,
            attestor: Arg<AccountId>,
        ) -> Vec<Attribute> {
            dinfra::cold!(3, COLD3, { self.data.attestation(provider, attestor) })
        }

        #[ink(message)]
        pub fn offer(&self, offer_id: Arg<OfferId>) -> Option<Offer> {
            dinfra::cold!(2, COLD2, { self.data.offer(offer_id) })
        }

        /// The offers of `type_id` that can be awarded now, at index
        /// positions `cursor..cursor+limit`, and how many there are.
        #[ink(message)]
        pub fn offers_of_type(
            &self,
            type_id: Arg<TypeId>,
            cursor: Arg<u32>,
            limit: Arg<u32>,
        ) -> Result<Page<(OfferId, Offer)>, RegistryError> {
            dinfra::cold!(2, COLD2, {
                self.data.offers_of_type(type_id, cursor, limit)
            })
        }

        /// Offers of `type_id` that can be awarded now.
        #[ink(message)]
        pub fn offer_count_of_type(&self, type_id: Arg<TypeId>) -> u32 {
            dinfra::cold!(2, COLD2, { self.data.offer_count_of_type(type_id) })
        }

        /// Every live offer of `provider`, awardable now or not (paused,
        /// full).
        #[ink(message)]
        pub fn offers_of_provider(&self, provider: Arg<AccountId>) -> Vec<(OfferId, Offer)> {
            dinfra::cold!(2, COLD2, { self.data.offers_of_provider(provider) })
        }

        /// Sets how the registry's own awards choose (admin only): up to
        /// `max_candidates` fitting offers compared
        /// (`MIN_AWARD_WINDOW..=MAX_PAGE`) by `strategy`. Every pick is
        /// among offers that meet all of the consumer's requirements, which
        /// the subscription contract checks again, so this applies at once.
        #[ink(message)]
        pub fn configure_award(&mut self, rules: Arg<AwardRules>) -> Result<(), RegistryError> {
            dinfra::cold!(2, COLD2, {
                self.governed.ensure_admin(self.env().caller())?;
                self.data.set_award_rules(&rules)?;
                self.env().emit_event(AwardRulesChanged { rules });
                Ok(())
            })
        }

        /// How the registry's own awards choose.
        #[ink(message)]
        pub fn award_rules(&self) -> AwardRules {
            dinfra::cold!(2, COLD2, { self.data.award_rules() })
        }

        #[ink(message)]
        pub fn parameters(&self) -> Parameters {
            dinfra::cold!(3, COLD3, { self.data.parameters() })
        }

        #[ink(message)]
        pub fn controller(&self) -> Option<AccountId> {
            dinfra::cold!(3, COLD3, { self.wired_controller() })
        }

        /// The controller, for the checks of every build (the `controller`
        /// message is cold).
        fn wired_controller(&self) -> Option<AccountId> {
            self.controller.get().flatten()
        }

        fn ensure_controller(&self) -> Result<(), RegistryError> {
            if self.wired_controller() != Some(self.env().caller()) {
                return Err(RegistryError::Unauthorized);
            }
            Ok(())
        }

        /// Emits the events of the hot messages (`reserve`, `award`,
        /// `release`, `record`): only what they produce, so the hot code
        /// carries three events' encoders rather than all of `apply`'s. Any
        /// other event is refused (and the call reverted), never dropped.
        fn apply_reservations(&self, events: Vec<RegistryEvent>) -> Result<(), RegistryError> {
            for event in events {
                match event {
                    RegistryEvent::CapacityReserved { offer_id, reserved } => self
                        .env()
                        .emit_event(CapacityReserved { offer_id, reserved }),
                    RegistryEvent::CapacityReleased { offer_id, reserved } => self
                        .env()
                        .emit_event(CapacityReleased { offer_id, reserved }),
                    RegistryEvent::OutcomeRecorded {
                        provider,
                        outcome,
                        value,
                        reputation,
                    } => self.env().emit_event(OutcomeRecorded {
                        provider,
                        outcome,
                        value,
                        reputation,
                    }),
                    _ => return Err(RegistryError::WrongState),
                }
            }
            Ok(())
        }

        /// Pays out what the events name, then emits them.
        fn apply(&self, events: Vec<RegistryEvent>) -> Result<(), RegistryError> {
            for event in events {
                match event {
                    RegistryEvent::TypeRegistered {
                        type_id,
                        name,
                        schema_hash,
                    } => self.env().emit_event(TypeRegistered {
                        type_id,
                        name,
                        schema_hash,
                    }),
                    RegistryEvent::ProviderRegistered {
                        provider,
                        name,
                        endpoint,
                        bond,
                    } => self.env().emit_event(ProviderRegistered {
                        provider,
                        name,
                        endpoint,
                        bond,
                    }),
                    RegistryEvent::ProviderUpdated {
                        provider,
                        name,
                        endpoint,
                    } => self.env().emit_event(ProviderUpdated {
                        provider,
                        name,
                        endpoint,
                    }),
                    RegistryEvent::ProviderStatusChanged { provider, status } => self
                        .env()
                        .emit_event(ProviderStatusChanged { provider, status }),
                    RegistryEvent::ProviderDeregistered {
                        provider,
                        unbonds_at,
                    } => self.env().emit_event(ProviderDeregistered {
                        provider,
                        unbonds_at,
                    }),
                    RegistryEvent::BondWithdrawn { provider, amount } => {
                        if amount > 0 {
                            self.env()
                                .transfer(provider, amount)
                                .map_err(|_| RegistryError::TransferFailed)?;
                        }
                        self.env().emit_event(BondWithdrawn { provider, amount })
                    }
                    RegistryEvent::Attested {
                        provider,
                        attestor,
                        attributes,
                    } => self.env().emit_event(Attested {
                        provider,
                        attestor,
                        attributes,
                    }),
                    RegistryEvent::OfferPublished {
                        offer_id,
                        provider,
                        type_id,
                        terms,
                    } => self.env().emit_event(OfferPublished {
                        offer_id,
                        provider,
                        type_id,
                        terms,
                    }),
                    RegistryEvent::OfferUpdated { offer_id, terms } => {
                        self.env().emit_event(OfferUpdated { offer_id, terms })
                    }
                    RegistryEvent::OfferWithdrawn {
                        offer_id,
                        provider,
                        type_id,
                    } => self.env().emit_event(OfferWithdrawn {
                        offer_id,
                        provider,
                        type_id,
                    }),
                    RegistryEvent::CapacityReserved { offer_id, reserved } => self
                        .env()
                        .emit_event(CapacityReserved { offer_id, reserved }),
                    RegistryEvent::CapacityReleased { offer_id, reserved } => self
                        .env()
                        .emit_event(CapacityReleased { offer_id, reserved }),
                    RegistryEvent::OutcomeRecorded {
                        provider,
                        outcome,
                        value,
                        reputation,
                    } => self.env().emit_event(OutcomeRecorded {
                        provider,
                        outcome,
                        value,
                        reputation,
                    }),
                }
            }
            Ok(())
        }
    }

    impl Registry for RegistryContract {
        #[ink(message)]
        fn candidates(
            &self,
            type_id: TypeId,
            cursor: u32,
            limit: u32,
            want: u32,
            requirements: Requirements,
        ) -> Result<CandidatePage, RegistryError> {
            // Cold: `create` reaches the scan through `award`; only a custom
            // award contract and off-chain readers ask for whole pages.
            dinfra::cold!(4, COLD4, {
                self.data
                    .candidates(type_id, cursor, limit, want, &requirements)
            })
        }

        #[ink(message)]
        fn reserve(
            &mut self,
            offer_id: OfferId,
            attestors: Vec<AccountId>,
        ) -> Result<Reservation, RegistryError> {
            // Cold: the subscription contract reserves through `award`.
            dinfra::cold!(4, COLD4, {
                self.ensure_controller()?;
                let (reservation, events) = self.data.reserve(offer_id, &attestors)?;
                self.apply_reservations(events)?;
                Ok(reservation)
            })
        }

        #[ink(message)]
        fn award(
            &mut self,
            type_id: TypeId,
            requirements: Requirements,
            seed: u64,
            offer_id: Option<OfferId>,
        ) -> Result<Reservation, RegistryError> {
            dinfra::hot!({
                self.ensure_controller()?;
                let (reservation, next_cursor, events) =
                    self.data.award(type_id, &requirements, seed, offer_id)?;
                self.apply_reservations(events)?;
                if let Some(next_cursor) = next_cursor {
                    self.env().emit_event(OfferAwarded {
                        offer_id: reservation.offer.offer_id,
                        next_cursor,
                    });
                }
                Ok(reservation)
            })
        }

        #[ink(message)]
        fn release(&mut self, offer_id: OfferId) -> Result<(), RegistryError> {
            dinfra::hot!({
                let caller = self.env().caller();
                if self.wired_controller() != Some(caller)
                    && !self.retired_controllers.contains(caller)
                {
                    return Err(RegistryError::Unauthorized);
                }
                let events = self.data.release(offer_id)?;
                self.apply_reservations(events)
            })
        }

        #[ink(message)]
        fn record(
            &mut self,
            provider: AccountId,
            outcome: Outcome,
            value: Balance,
        ) -> Result<(), RegistryError> {
            dinfra::hot!({
                self.ensure_controller()?;
                let events = self.data.record(provider, outcome, value)?;
                self.apply_reservations(events)
            })
        }
    }

    impl Links for RegistryContract {
        fn governed(&mut self) -> &mut Governed {
            &mut self.governed
        }
        fn link(&self, link: Link) -> Result<Option<AccountId>, AdminError> {
            match link {
                Link::Controller => Ok(self.wired_controller()),
                Link::Award => Err(AdminError::InvalidChange),
            }
        }
        fn set_link(&mut self, _link: Link, to: Option<AccountId>) {
            if let Some(former) = self.wired_controller() {
                if Some(former) != to {
                    self.retired_controllers.insert(former, &());
                }
            }
            if let Some(to) = to {
                self.retired_controllers.remove(to);
            }
            self.controller.set(&to);
        }
    }

    impl Admin for RegistryContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            dinfra::cold!(3, COLD3, { self.governed.data().admin() })
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            dinfra::cold!(3, COLD3, { self.governed.data().pending() })
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> Result<(), AdminError> {
            dinfra::cold!(3, COLD3, {
                self.governed.transfer_admin(self.env().caller(), proposed)
            })
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> Result<(), AdminError> {
            dinfra::cold!(3, COLD3, {
                self.governed.accept_admin(self.env().caller())
            })
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> Result<(), AdminError> {
            dinfra::cold!(3, COLD3, {
                self.governed.set_paused(self.env().caller(), paused)
            })
        }
        #[ink(message)]
        fn paused(&self) -> bool {
            dinfra::cold!(3, COLD3, { self.governed.data().paused() })
        }
        #[ink(message)]
        fn governance_delay(&self) -> BlockNumber {
            dinfra::cold!(3, COLD3, { self.governed.governance().delay() })
        }
        #[ink(message)]
        fn pending_changes(&self) -> Vec<ScheduledChange> {
            dinfra::cold!(3, COLD3, { self.governed.pending_changes() })
        }
        #[ink(message)]
        fn schedule_change(&mut self, change: Change) -> Result<ChangeId, AdminError> {
            dinfra::cold!(3, COLD3, {
                let (caller, now) = (self.env().caller(), self.env().block_number());
                admin::schedule_change(self, caller, now, change)
            })
        }
        #[ink(message)]
        fn apply_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            dinfra::cold!(3, COLD3, {
                let now = self.env().block_number();
                admin::apply_change(self, id, now)
            })
        }
        #[ink(message)]
        fn cancel_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            dinfra::cold!(3, COLD3, {
                admin::cancel_change(self, self.env().caller(), id)
            })
        }
    }
}
