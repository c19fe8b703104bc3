//! DINFRA subscription: the deployment lifecycle, and the only contract a
//! consumer needs. `create` asks the configured award contract (any contract
//! implementing [`dinfra::traits::Award`]) for an offer and records the
//! subscription; the provider's agent follows the `Awarded` event.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod subscription {
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::traits::{Award, AwardDecision, Descriptor, Requirements, SubscriptionError};
    use dinfra::types::{CodeHash, Hash32, OfferId, SubscriptionId, TypeId};
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::string::String;
    use ink::storage::Mapping;

    /// A consumer's subscription.
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Subscription {
        pub consumer: AccountId,
        pub type_id: TypeId,
        pub descriptor: Descriptor,
        pub offer_id: OfferId,
        pub provider: AccountId,
        pub rate_per_block: Balance,
        /// Block of the award.
        pub awarded_at: BlockNumber,
    }

    #[ink(event)]
    pub struct SubscriptionCreated {
        #[ink(topic)]
        pub id: SubscriptionId,
        #[ink(topic)]
        pub consumer: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
    }

    /// What a provider's agent follows: deploy `descriptor` for `id`.
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
        subscriptions: Mapping<SubscriptionId, Subscription>,
        next_id: SubscriptionId,
    }

    impl SubscriptionContract {
        /// `award`: the award contract to ask. The caller becomes admin.
        #[ink(constructor)]
        pub fn new(award: AccountId) -> Self {
            Self {
                admin: AdminData::new(Self::env().caller()),
                award,
                subscriptions: Mapping::default(),
                next_id: 0,
            }
        }

        /// Asks the award contract for an offer of `type_id` that satisfies
        /// `requirements`, and records the subscription. `NoProvider` when
        /// nothing fits.
        #[ink(message)]
        pub fn create(
            &mut self,
            type_id: TypeId,
            descriptor: Descriptor,
            requirements: Requirements,
        ) -> Result<SubscriptionId, SubscriptionError> {
            self.admin.ensure_not_paused()?;
            descriptor.validate()?;
            let id = self.next_id;
            let next_id = id.checked_add(1).ok_or(SubscriptionError::Overflow)?;
            let decision = self.ask_award(requirements, type_id, id)?;
            let consumer = self.env().caller();
            let subscription = Subscription {
                consumer,
                type_id,
                descriptor,
                offer_id: decision.offer_id,
                provider: decision.provider,
                rate_per_block: decision.price_per_block,
                awarded_at: self.env().block_number(),
            };
            self.subscriptions.insert(id, &subscription);
            self.next_id = next_id;
            self.env().emit_event(SubscriptionCreated {
                id,
                consumer,
                type_id,
            });
            self.env().emit_event(Awarded {
                id,
                provider: subscription.provider,
                type_id,
                offer_id: subscription.offer_id,
                rate_per_block: subscription.rate_per_block,
                descriptor_hash: subscription.descriptor.hash,
                descriptor_uri: subscription.descriptor.uri,
            });
            Ok(id)
        }

        /// Replaces the award contract (admin only); existing subscriptions
        /// are untouched.
        #[ink(message)]
        pub fn set_award(&mut self, award: AccountId) -> Result<(), SubscriptionError> {
            self.admin.ensure_admin(self.env().caller())?;
            self.award = award;
            self.env().emit_event(AwardContractChanged { award });
            Ok(())
        }

        #[ink(message)]
        pub fn award(&self) -> AccountId {
            self.award
        }

        #[ink(message)]
        pub fn subscription(&self, id: SubscriptionId) -> Option<Subscription> {
            self.subscriptions.get(id)
        }

        /// Number of subscriptions ever created (ids are `0..count`).
        #[ink(message)]
        pub fn subscription_count(&self) -> SubscriptionId {
            self.next_id
        }

        fn ask_award(
            &self,
            requirements: Requirements,
            type_id: TypeId,
            id: SubscriptionId,
        ) -> Result<AwardDecision, SubscriptionError> {
            let mut award: ink::contract_ref!(Award) = self.award.into();
            let decision = award
                .call_mut()
                .select(requirements, type_id, id)
                .try_invoke()
                .map_err(|_| SubscriptionError::CallFailed)?
                .map_err(|_| SubscriptionError::CallFailed)??;
            Ok(decision)
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
        use dinfra::types::Invalid;
        use ink::env::{test, DefaultEnvironment};

        fn descriptor(uri: &str) -> Descriptor {
            Descriptor {
                hash: [1; 32],
                uri: String::from(uri),
            }
        }

        #[ink::test]
        fn bad_descriptor_and_pause_are_refused_before_any_call() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            let mut contract = SubscriptionContract::new(accounts.django);
            let requirements = Requirements {
                max_price_per_block: 1,
                ..Default::default()
            };
            assert_eq!(
                contract.create(0, descriptor(""), requirements.clone()),
                Err(SubscriptionError::InvalidInput(Invalid::Endpoint))
            );
            let long = "x".repeat(129);
            assert_eq!(
                contract.create(0, descriptor(&long), requirements.clone()),
                Err(SubscriptionError::InvalidInput(Invalid::Endpoint))
            );
            contract.set_paused(true).unwrap();
            assert_eq!(
                contract.create(0, descriptor("ipfs://x"), requirements),
                Err(SubscriptionError::Paused)
            );
            assert_eq!(contract.subscription_count(), 0, "nothing was written");
        }

        #[ink::test]
        fn only_admin_swaps_the_award_contract() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            let mut contract = SubscriptionContract::new(accounts.django);
            test::set_caller::<DefaultEnvironment>(accounts.bob);
            assert_eq!(
                contract.set_award(accounts.eve),
                Err(SubscriptionError::Unauthorized)
            );
            test::set_caller::<DefaultEnvironment>(accounts.alice);
            contract.set_award(accounts.eve).unwrap();
            assert_eq!(contract.award(), accounts.eve);
        }
    }
}
