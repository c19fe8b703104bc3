//! DINFRA award: chooses the offer that serves a subscription.
//!
//! Asks the registry (one cross-contract call) for the offers that satisfy
//! every hard requirement among the next [`MAX_PAGE`] positions of the
//! type's index, and picks one of up to `max_candidates` of them; a rotating
//! cursor per type gives every fitting provider its turn. The cost of an
//! award is bounded by `MAX_PAGE` positions read, never by the size of the
//! market. Any contract implementing [`dinfra::traits::Award`] can replace
//! this one.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod award {
    use dinfra::admin::{self, Admin, AdminError, Governed, Links};
    use dinfra::governance::{Change, ChangeId, Link, ScheduledChange};
    use dinfra::selection;
    use dinfra::traits::{
        Award, AwardDecision, AwardError, AwardRules, CallerError, Registry, Requirements, Strategy,
    };
    use dinfra::types::{SubscriptionId, TypeId, MAX_PAGE};
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use ink::storage::{traits::ManualKey, Lazy, Mapping};

    /// The award's storage keys: fixed, so that upgraded code finds every
    /// record where this code left it.
    pub mod keys {
        pub const REGISTRY: u32 = 0x6177_0001;
        pub const SELECTOR: u32 = 0x6177_0002;
        pub const CONFIG: u32 = 0x6177_0003;
        pub const CURSORS: u32 = 0x6177_0004;
        /// Only in the upgrade fixture (`fixtures/upgraded/`): a field that
        /// v1 storage does not have.
        pub const UPGRADE_NOTE: u32 = 0x6177_0005;
    }

    /// Emitted when an offer was chosen.
    #[ink(event)]
    pub struct OfferSelected {
        // One topic: each costs the chain a storage read and write, and the
        // subscription contract's `Awarded` names the provider as its own.
        #[ink(topic)]
        pub subscription_id: SubscriptionId,
        pub type_id: TypeId,
        pub provider: AccountId,
        pub offer_id: u64,
        pub price_per_block: Balance,
    }

    /// Emitted when the admin changes how many offers are compared or the
    /// strategy.
    #[ink(event)]
    pub struct ConfigChanged {
        pub max_candidates: u32,
        pub strategy: Strategy,
    }

    /// The upgrade fixture's new storage cell.
    #[cfg(feature = "upgrade-fixture")]
    fn upgrade_note(
    ) -> ink::storage::Lazy<u32, ink::storage::traits::ManualKey<{ keys::UPGRADE_NOTE }>> {
        ink::storage::Lazy::new()
    }

    #[ink(storage)]
    pub struct AwardContract {
        governed: Governed,
        /// The registry candidates are read from (fixed at instantiation).
        registry: Lazy<AccountId, ManualKey<{ keys::REGISTRY }>>,
        /// The only account allowed to call `select` (the subscription
        /// contract); `None` until wired, then changed only by a scheduled
        /// `Link::Controller` change. Without it anyone could spin the
        /// round-robin cursor.
        selector: Lazy<Option<AccountId>, ManualKey<{ keys::SELECTOR }>>,
        /// How many fitting offers one award compares, and how it picks (the
        /// registry's own awards keep the same type).
        config: Lazy<AwardRules, ManualKey<{ keys::CONFIG }>>,
        /// Next index-position to read, per type.
        cursors: Mapping<TypeId, u32, ManualKey<{ keys::CURSORS }>>,
    }

    impl AwardContract {
        /// `registry`: the registry to read candidates from; up to
        /// `max_candidates` fitting offers are compared per award (at least
        /// [`dinfra::types::MIN_AWARD_WINDOW`]). The caller becomes admin; every change of
        /// its code or selector waits `governance_delay` blocks.
        #[ink(constructor)]
        pub fn new(
            registry: AccountId,
            max_candidates: u32,
            governance_delay: BlockNumber,
        ) -> Result<Self, AwardError> {
            let rules = AwardRules {
                max_candidates,
                strategy: Strategy::RoundRobin,
            };
            rules.validate()?;
            let mut contract = Self {
                governed: Governed::new(Self::env().caller(), governance_delay)?,
                registry: Lazy::new(),
                selector: Lazy::new(),
                config: Lazy::new(),
                cursors: Mapping::default(),
            };
            contract.registry.set(&registry);
            contract.selector.set(&None);
            contract.config.set(&rules);
            Ok(contract)
        }

        /// Sets how many fitting offers one award compares and how it picks
        /// among the offers that fit (admin only). Every pick is among offers
        /// that meet all of the consumer's requirements, which the
        /// subscription contract checks again, so this applies at once.
        #[ink(message)]
        pub fn configure(
            &mut self,
            max_candidates: u32,
            strategy: Strategy,
        ) -> Result<(), AwardError> {
            self.governed.ensure_admin(self.env().caller())?;
            let rules = AwardRules {
                max_candidates,
                strategy: strategy.clone(),
            };
            rules.validate()?;
            self.config.set(&rules);
            self.env().emit_event(ConfigChanged {
                max_candidates,
                strategy,
            });
            Ok(())
        }

        #[ink(message)]
        pub fn strategy(&self) -> Strategy {
            self.config().strategy
        }

        #[ink(message)]
        pub fn registry(&self) -> AccountId {
            self.registry
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }

        #[ink(message)]
        pub fn selector(&self) -> Option<AccountId> {
            self.selector.get().flatten()
        }

        #[ink(message)]
        pub fn max_candidates(&self) -> u32 {
            self.config().max_candidates
        }

        /// The next index position round robin reads from for `type_id`.
        #[ink(message)]
        pub fn cursor(&self, type_id: TypeId) -> u32 {
            self.cursors.get(type_id).unwrap_or(0)
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

        fn config(&self) -> AwardRules {
            self.config
                .get()
                .unwrap_or_else(|| unreachable!("set at instantiation"))
        }
    }

    impl Award for AwardContract {
        /// Reads up to [`MAX_PAGE`] positions of the type's index from the
        /// cursor — the registry returns only the offers that fit every
        /// requirement, at most `max_candidates` of them, and the first one
        /// when round robin is all that is asked — picks one by the strategy
        /// and moves the cursor just past it, so every fitting provider gets
        /// its turn and offers that did not fit never hold the cursor. The
        /// scan is wider than the comparison: offers that do not fit (one
        /// account's sixteen and honest ones that are too expensive for this
        /// consumer) fill a window of `max_candidates` positions easily, and
        /// a refused create moves no cursor, so a narrow scan would refuse
        /// every later create of the same kind while a fitting offer waits
        /// further on.
        #[ink(message)]
        fn select(
            &mut self,
            requirements: Requirements,
            type_id: TypeId,
            subscription_id: SubscriptionId,
        ) -> Result<AwardDecision, AwardError> {
            if self.selector() != Some(self.env().caller()) {
                return Err(AwardError::Unauthorized);
            }
            requirements.validate()?;
            let rules = self.config();
            let want = rules.wanted();
            let strategy = rules.strategy;
            let cursor = self.cursor(type_id);
            let registry: ink::contract_ref!(Registry) = self.registry().into();
            let page = registry
                .call()
                .candidates(type_id, cursor, MAX_PAGE, want, requirements.clone())
                .try_invoke();
            let page = AwardError::from_call(page)?;
            let window: Vec<_> = page.fitting.iter().map(|(_, c)| c.clone()).collect();
            let seed = selection::random_seed(
                subscription_id,
                self.env().block_number(),
                ink::env::hash_bytes::<ink::env::hash::Blake2x128>,
            );
            let index = selection::pick(&strategy, &window, &requirements, seed)
                .ok_or(AwardError::NoProvider)?;
            let (position, chosen) = page.fitting.get(index).ok_or(AwardError::NoProvider)?;
            let next = position
                .checked_add(1)
                .and_then(|p| p.checked_rem(page.total))
                .ok_or(AwardError::Overflow)?;
            self.cursors.insert(type_id, &next);
            self.env().emit_event(OfferSelected {
                subscription_id,
                type_id,
                provider: chosen.provider,
                offer_id: chosen.offer_id,
                price_per_block: chosen.price_per_block,
            });
            Ok(AwardDecision {
                offer_id: chosen.offer_id,
                provider: chosen.provider,
                price_per_block: chosen.price_per_block,
            })
        }
    }

    impl Links for AwardContract {
        fn governed(&mut self) -> &mut Governed {
            &mut self.governed
        }
        fn link(&self, link: Link) -> Result<Option<AccountId>, AdminError> {
            match link {
                Link::Controller => Ok(self.selector()),
                Link::Award => Err(AdminError::InvalidChange),
            }
        }
        fn set_link(&mut self, _link: Link, to: Option<AccountId>) {
            self.selector.set(&to);
        }
    }

    impl Admin for AwardContract {
        #[ink(message)]
        fn admin(&self) -> AccountId {
            self.governed.data().admin()
        }
        #[ink(message)]
        fn pending_admin(&self) -> Option<AccountId> {
            self.governed.data().pending()
        }
        #[ink(message)]
        fn transfer_admin(&mut self, proposed: AccountId) -> Result<(), AdminError> {
            self.governed.transfer_admin(self.env().caller(), proposed)
        }
        #[ink(message)]
        fn accept_admin(&mut self) -> Result<(), AdminError> {
            self.governed.accept_admin(self.env().caller())
        }
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> Result<(), AdminError> {
            self.governed.set_paused(self.env().caller(), paused)
        }
        #[ink(message)]
        fn paused(&self) -> bool {
            self.governed.data().paused()
        }
        #[ink(message)]
        fn governance_delay(&self) -> BlockNumber {
            self.governed.governance().delay()
        }
        #[ink(message)]
        fn pending_changes(&self) -> Vec<ScheduledChange> {
            self.governed.pending_changes()
        }
        #[ink(message)]
        fn schedule_change(&mut self, change: Change) -> Result<ChangeId, AdminError> {
            let (caller, now) = (self.env().caller(), self.env().block_number());
            admin::schedule_change(self, caller, now, change)
        }
        #[ink(message)]
        fn apply_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            let now = self.env().block_number();
            admin::apply_change(self, id, now)
        }
        #[ink(message)]
        fn cancel_change(&mut self, id: ChangeId) -> Result<(), AdminError> {
            admin::cancel_change(self, self.env().caller(), id)
        }
    }

    #[cfg(all(test, not(feature = "upgrade-fixture")))]
    mod tests {
        use super::*;
        use dinfra::types::{Invalid, MIN_AWARD_WINDOW};
        use ink::env::{test, DefaultEnvironment};

        const DELAY: BlockNumber = 30;

        #[ink::test]
        fn only_the_wired_selector_may_select() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            let mut award = AwardContract::new(accounts.django, 20, DELAY).unwrap();
            let requirements = Requirements {
                max_price_per_block: 1,
                ..Default::default()
            };
            assert_eq!(
                award.select(requirements.clone(), 0, 0),
                Err(AwardError::Unauthorized),
                "nobody may select before the admin wires a selector"
            );
            let wire = |to| Change::Link(Link::Controller, Some(to));
            test::set_caller::<DefaultEnvironment>(accounts.bob);
            assert_eq!(
                award.schedule_change(wire(accounts.bob)),
                Err(AdminError::Unauthorized)
            );
            test::set_caller::<DefaultEnvironment>(accounts.alice);
            award.schedule_change(wire(accounts.charlie)).unwrap();
            assert_eq!(award.selector(), Some(accounts.charlie), "first wiring");
            let id = award.schedule_change(wire(accounts.bob)).unwrap();
            assert_eq!(award.selector(), Some(accounts.charlie), "rewiring waits");
            assert_eq!(award.pending_changes().len(), 1);
            assert_eq!(award.apply_change(id), Err(AdminError::NotDue));
            test::set_caller::<DefaultEnvironment>(accounts.bob);
            assert_eq!(
                award.select(requirements, 0, 0),
                Err(AwardError::Unauthorized),
                "the scheduled selector has no power before its change applies"
            );
        }

        #[ink::test]
        fn window_must_be_bounded() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            assert!(AwardContract::new(accounts.django, MIN_AWARD_WINDOW - 1, DELAY).is_err());
            assert!(AwardContract::new(accounts.django, MAX_PAGE + 1, DELAY).is_err());
            let mut award = AwardContract::new(accounts.django, MAX_PAGE, DELAY).unwrap();
            assert_eq!(
                award.configure(MIN_AWARD_WINDOW - 1, Strategy::Capacity),
                Err(AwardError::InvalidInput(Invalid::Parameter)),
                "fewer offers compared than one provider can publish"
            );
            assert_eq!(
                award.max_candidates(),
                MAX_PAGE,
                "refused config writes nothing"
            );
            assert_eq!(award.strategy(), Strategy::RoundRobin);
        }
    }
}
