//! DINFRA provider registry: deployment types, providers and their offers,
//! and the per-type offer index awards read candidates from.
//!
//! A thin ink! shell over [`data::RegistryData`], which holds the rules.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod data;

#[ink::contract]
pub mod registry {
    use crate::data::{DeploymentType, Offer, Provider, RegistryData, RegistryEvent};
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::traits::{CandidatePage, Registry as RegistryTrait, RegistryError};
    use dinfra::types::{CodeHash, Hash32, OfferId, TypeId};
    use ink::prelude::{string::String, vec::Vec};

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
    }

    #[ink(event)]
    pub struct OfferPublished {
        #[ink(topic)]
        pub offer_id: OfferId,
        #[ink(topic)]
        pub provider: AccountId,
        #[ink(topic)]
        pub type_id: TypeId,
        pub price_per_block: Balance,
        pub capacity: u32,
    }

    #[ink(storage)]
    pub struct Registry {
        admin: AdminData,
        data: RegistryData,
    }

    impl Registry {
        /// The caller becomes admin.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                admin: AdminData::new(Self::env().caller()),
                data: RegistryData::default(),
            }
        }

        /// Registers a deployment type `name` whose descriptors follow the
        /// JSON Schema with blake2-256 `schema_hash`.
        #[ink(message)]
        pub fn register_type(
            &mut self,
            name: String,
            schema_hash: Hash32,
        ) -> Result<TypeId, RegistryError> {
            self.admin.ensure_not_paused()?;
            let events = self
                .data
                .register_type(self.env().caller(), name, schema_hash)?;
            let type_id = match events.first() {
                Some(RegistryEvent::TypeRegistered { type_id, .. }) => *type_id,
                _ => return Err(RegistryError::NotFound),
            };
            self.emit(events);
            Ok(type_id)
        }

        /// Registers the caller as a provider.
        #[ink(message)]
        pub fn register_provider(
            &mut self,
            name: String,
            endpoint: String,
        ) -> Result<(), RegistryError> {
            self.admin.ensure_not_paused()?;
            let events = self.data.register_provider(
                self.env().caller(),
                name,
                endpoint,
                self.env().block_number(),
            )?;
            self.emit(events);
            Ok(())
        }

        /// Publishes an offer of the caller for `type_id`.
        #[ink(message)]
        pub fn publish_offer(
            &mut self,
            type_id: TypeId,
            price_per_block: Balance,
            capacity: u32,
        ) -> Result<OfferId, RegistryError> {
            self.admin.ensure_not_paused()?;
            let events = self.data.publish_offer(
                self.env().caller(),
                type_id,
                price_per_block,
                capacity,
            )?;
            let offer_id = match events.first() {
                Some(RegistryEvent::OfferPublished { offer_id, .. }) => *offer_id,
                _ => return Err(RegistryError::NotFound),
            };
            self.emit(events);
            Ok(offer_id)
        }

        #[ink(message)]
        pub fn deployment_type(&self, type_id: TypeId) -> Option<DeploymentType> {
            self.data.deployment_type(type_id)
        }

        #[ink(message)]
        pub fn type_id_by_name(&self, name: String) -> Option<TypeId> {
            self.data.type_id_by_name(name)
        }

        #[ink(message)]
        pub fn provider(&self, account: AccountId) -> Option<Provider> {
            self.data.provider(account)
        }

        #[ink(message)]
        pub fn offer(&self, offer_id: OfferId) -> Option<Offer> {
            self.data.offer(offer_id)
        }

        fn emit(&self, events: Vec<RegistryEvent>) {
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
                    } => self.env().emit_event(ProviderRegistered {
                        provider,
                        name,
                        endpoint,
                    }),
                    RegistryEvent::OfferPublished {
                        offer_id,
                        provider,
                        type_id,
                        price_per_block,
                        capacity,
                    } => self.env().emit_event(OfferPublished {
                        offer_id,
                        provider,
                        type_id,
                        price_per_block,
                        capacity,
                    }),
                }
            }
        }
    }

    impl RegistryTrait for Registry {
        #[ink(message)]
        fn candidates(
            &self,
            type_id: TypeId,
            cursor: u32,
            limit: u32,
        ) -> Result<CandidatePage, RegistryError> {
            self.data.candidates(type_id, cursor, limit)
        }
    }

    impl Admin for Registry {
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

    impl Default for Registry {
        fn default() -> Self {
            Self::new()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use dinfra::types::Invalid;
        use ink::env::{test, DefaultEnvironment};

        fn accounts() -> test::DefaultAccounts<DefaultEnvironment> {
            test::default_accounts::<DefaultEnvironment>()
        }

        fn with_type_and_provider() -> (Registry, TypeId) {
            let mut registry = Registry::new();
            let type_id = registry
                .register_type(String::from("substrate-rpc"), [7; 32])
                .unwrap();
            registry
                .register_provider(String::from("alice-infra"), String::from("https://a.example"))
                .unwrap();
            (registry, type_id)
        }

        #[ink::test]
        fn offers_are_indexed_per_type_and_windowed() {
            let (mut registry, type_id) = with_type_and_provider();
            for price in 1..=5u128 {
                registry.publish_offer(type_id, price, 2).unwrap();
            }
            let page = registry.candidates(type_id, 3, 4).unwrap();
            assert_eq!(page.total, 5);
            let prices: Vec<Balance> =
                page.candidates.iter().map(|c| c.price_per_block).collect();
            assert_eq!(prices, vec![4, 5, 1, 2], "window starts at cursor and wraps");
            assert_eq!(test::recorded_events().count(), 7);
        }

        #[ink::test]
        fn bad_input_is_refused_and_writes_nothing() {
            let (mut registry, type_id) = with_type_and_provider();
            assert_eq!(
                registry.register_type(String::new(), [0; 32]),
                Err(RegistryError::InvalidInput(Invalid::Name))
            );
            assert_eq!(
                registry.register_type(String::from("substrate-rpc"), [0; 32]),
                Err(RegistryError::AlreadyExists)
            );
            assert_eq!(
                registry.publish_offer(type_id, 0, 1),
                Err(RegistryError::InvalidInput(Invalid::Price))
            );
            assert_eq!(
                registry.publish_offer(type_id, 1, 0),
                Err(RegistryError::InvalidInput(Invalid::Capacity))
            );
            assert_eq!(registry.publish_offer(99, 1, 1), Err(RegistryError::NotFound));
            test::set_caller::<DefaultEnvironment>(accounts().bob);
            assert_eq!(
                registry.publish_offer(type_id, 1, 1),
                Err(RegistryError::NotFound),
                "an unregistered account cannot publish"
            );
            assert_eq!(registry.candidates(type_id, 0, 10).unwrap().total, 0);
            assert_eq!(
                registry.candidates(type_id, 0, 0),
                Err(RegistryError::InvalidInput(Invalid::Limit))
            );
        }

        #[ink::test]
        fn pause_stops_new_business_and_only_admin_pauses() {
            let (mut registry, type_id) = with_type_and_provider();
            test::set_caller::<DefaultEnvironment>(accounts().bob);
            assert_eq!(registry.set_paused(true), Err(AdminError::Unauthorized));
            test::set_caller::<DefaultEnvironment>(accounts().alice);
            registry.set_paused(true).unwrap();
            assert_eq!(registry.publish_offer(type_id, 1, 1), Err(RegistryError::Paused));
            assert!(registry.candidates(type_id, 0, 1).is_ok(), "reads never pause");
        }
    }
}
