//! DINFRA award: chooses the offer that serves a subscription.
//!
//! Reads one bounded window of candidates from the registry (one
//! cross-contract call), keeps those that satisfy every hard requirement and
//! picks one; a rotating cursor per type gives every fitting provider its
//! turn. The cost of an award is bounded by `max_candidates`, never by the
//! size of the market. Any contract implementing [`dinfra::traits::Award`]
//! can replace this one.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod award {
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::selection;
    use dinfra::traits::{Award, AwardDecision, AwardError, Registry, Requirements, Strategy};
    use dinfra::types::{CodeHash, Invalid, SubscriptionId, TypeId, MAX_PAGE};
    use ink::codegen::TraitCallBuilder;
    use ink::storage::Mapping;

    /// Emitted when an offer was chosen.
    #[ink(event)]
    pub struct OfferSelected {
        #[ink(topic)]
        pub subscription_id: SubscriptionId,
        #[ink(topic)]
        pub type_id: TypeId,
        #[ink(topic)]
        pub provider: AccountId,
        pub offer_id: u64,
        pub price_per_block: Balance,
    }

    /// Emitted when the admin changes who may call `select`, the window or
    /// the strategy.
    #[ink(event)]
    pub struct ConfigChanged {
        pub selector: Option<AccountId>,
        pub max_candidates: u32,
        pub strategy: Strategy,
    }

    #[ink(storage)]
    pub struct AwardContract {
        admin: AdminData,
        registry: AccountId,
        /// The only account allowed to call `select` (the subscription
        /// contract); `None` until wired. Without it anyone could spin the
        /// round-robin cursor.
        selector: Option<AccountId>,
        /// Most candidates read per award.
        max_candidates: u32,
        strategy: Strategy,
        /// Next index-position to read, per type.
        cursors: Mapping<TypeId, u32>,
    }

    impl AwardContract {
        /// `registry`: the registry to read candidates from. The caller becomes admin.
        #[ink(constructor)]
        pub fn new(registry: AccountId, max_candidates: u32) -> Result<Self, AwardError> {
            check_window(max_candidates)?;
            Ok(Self {
                admin: AdminData::new(Self::env().caller()),
                registry,
                selector: None,
                max_candidates,
                strategy: Strategy::RoundRobin,
                cursors: Mapping::default(),
            })
        }

        /// Sets who may call `select`, how many candidates one award reads
        /// and how it picks among those that fit (admin only).
        #[ink(message)]
        pub fn configure(
            &mut self,
            selector: Option<AccountId>,
            max_candidates: u32,
            strategy: Strategy,
        ) -> Result<(), AwardError> {
            self.admin.ensure_admin(self.env().caller())?;
            check_window(max_candidates)?;
            self.selector = selector;
            self.max_candidates = max_candidates;
            self.strategy = strategy.clone();
            self.env().emit_event(ConfigChanged {
                selector,
                max_candidates,
                strategy,
            });
            Ok(())
        }

        #[ink(message)]
        pub fn strategy(&self) -> Strategy {
            self.strategy.clone()
        }

        #[ink(message)]
        pub fn registry(&self) -> AccountId {
            self.registry
        }

        #[ink(message)]
        pub fn selector(&self) -> Option<AccountId> {
            self.selector
        }

        #[ink(message)]
        pub fn max_candidates(&self) -> u32 {
            self.max_candidates
        }

        /// The next index position round robin reads from for `type_id`.
        #[ink(message)]
        pub fn cursor(&self, type_id: TypeId) -> u32 {
            self.cursors.get(type_id).unwrap_or(0)
        }
    }

    /// Seed of the Random strategy: blake2-128 of the subscription id and the
    /// block number, truncated. Anyone can compute it in advance, and a block
    /// author can choose the block: NOT a secure source of randomness.
    fn random_seed(subscription_id: SubscriptionId, block: BlockNumber) -> u64 {
        let mut input = [0u8; 12];
        input[..8].copy_from_slice(&subscription_id.to_le_bytes());
        input[8..].copy_from_slice(&block.to_le_bytes());
        let mut hash = [0u8; 16];
        ink::env::hash_bytes::<ink::env::hash::Blake2x128>(&input, &mut hash);
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&hash[..8]);
        u64::from_le_bytes(seed)
    }

    fn check_window(max_candidates: u32) -> Result<(), AwardError> {
        if max_candidates == 0 || max_candidates > MAX_PAGE {
            return Err(AwardError::InvalidInput(Invalid::Parameter));
        }
        Ok(())
    }

    impl Award for AwardContract {
        #[ink(message)]
        fn select(
            &mut self,
            requirements: Requirements,
            type_id: TypeId,
            subscription_id: SubscriptionId,
        ) -> Result<AwardDecision, AwardError> {
            if self.selector != Some(self.env().caller()) {
                return Err(AwardError::Unauthorized);
            }
            requirements.validate()?;
            let cursor = self.cursor(type_id);
            let registry: ink::contract_ref!(Registry) = self.registry.into();
            let page = registry
                .call()
                .candidates(
                    type_id,
                    cursor,
                    self.max_candidates,
                    requirements.trusted_attestors.clone(),
                )
                .try_invoke()
                .map_err(|_| AwardError::CallFailed)?
                .map_err(|_| AwardError::CallFailed)??;
            let seed = random_seed(subscription_id, self.env().block_number());
            let index = selection::pick(&self.strategy, &page.candidates, &requirements, seed)
                .ok_or(AwardError::NoProvider)?;
            let chosen = page.candidates.get(index).ok_or(AwardError::NoProvider)?;
            // The next award starts just past the chosen offer, so every
            // fitting provider gets its turn.
            let index = u32::try_from(index).map_err(|_| AwardError::Overflow)?;
            let next = cursor
                .checked_add(index)
                .and_then(|p| p.checked_add(1))
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

    impl Admin for AwardContract {
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
        use ink::env::{test, DefaultEnvironment};

        #[ink::test]
        fn only_the_configured_selector_may_select() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            let mut award = AwardContract::new(accounts.django, 10).unwrap();
            let requirements = Requirements {
                max_price_per_block: 1,
                ..Default::default()
            };
            assert_eq!(
                award.select(requirements.clone(), 0, 0),
                Err(AwardError::Unauthorized),
                "nobody may select before the admin wires a selector"
            );
            test::set_caller::<DefaultEnvironment>(accounts.bob);
            assert_eq!(
                award.configure(Some(accounts.bob), 10, Strategy::RoundRobin),
                Err(AwardError::Unauthorized)
            );
            test::set_caller::<DefaultEnvironment>(accounts.alice);
            award
                .configure(Some(accounts.charlie), 10, Strategy::Random)
                .unwrap();
            assert_eq!(
                award.select(requirements, 0, 0),
                Err(AwardError::Unauthorized)
            );
        }

        #[ink::test]
        fn window_must_be_bounded() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            assert!(AwardContract::new(accounts.django, 0).is_err());
            assert!(AwardContract::new(accounts.django, MAX_PAGE + 1).is_err());
            let mut award = AwardContract::new(accounts.django, MAX_PAGE).unwrap();
            assert_eq!(
                award.configure(None, 0, Strategy::Capacity),
                Err(AwardError::InvalidInput(Invalid::Parameter))
            );
            assert_eq!(
                award.max_candidates(),
                MAX_PAGE,
                "refused config writes nothing"
            );
        }
    }
}
