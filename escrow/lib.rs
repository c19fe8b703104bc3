//! DINFRA escrow: holds consumers' funds and streams them to providers per
//! block. Only the configured subscription contract may open and steer
//! streams.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod escrow {
    use dinfra::admin::{self, Admin, AdminData, AdminError};
    use dinfra::traits::EscrowError;
    use dinfra::types::CodeHash;

    /// Emitted when the admin sets which contract may steer streams.
    #[ink(event)]
    pub struct SubscriptionContractChanged {
        #[ink(topic)]
        pub subscription_contract: Option<AccountId>,
    }

    #[ink(storage)]
    pub struct Escrow {
        admin: AdminData,
        /// The only account allowed to open and steer streams.
        subscription_contract: Option<AccountId>,
    }

    impl Escrow {
        /// The caller becomes admin; no contract may open streams until wired.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                admin: AdminData::new(Self::env().caller()),
                subscription_contract: None,
            }
        }

        /// Sets the contract allowed to open and steer streams (admin only).
        #[ink(message)]
        pub fn set_subscription_contract(
            &mut self,
            subscription_contract: Option<AccountId>,
        ) -> Result<(), EscrowError> {
            self.admin.ensure_admin(self.env().caller())?;
            self.subscription_contract = subscription_contract;
            self.env().emit_event(SubscriptionContractChanged {
                subscription_contract,
            });
            Ok(())
        }

        #[ink(message)]
        pub fn subscription_contract(&self) -> Option<AccountId> {
            self.subscription_contract
        }
    }

    impl Default for Escrow {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Admin for Escrow {
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
        fn only_admin_wires_the_subscription_contract() {
            let accounts = test::default_accounts::<DefaultEnvironment>();
            let mut escrow = Escrow::new();
            test::set_caller::<DefaultEnvironment>(accounts.bob);
            assert_eq!(
                escrow.set_subscription_contract(Some(accounts.bob)),
                Err(EscrowError::Unauthorized)
            );
            assert_eq!(escrow.subscription_contract(), None);
            test::set_caller::<DefaultEnvironment>(accounts.alice);
            escrow.set_subscription_contract(Some(accounts.charlie)).unwrap();
            assert_eq!(escrow.subscription_contract(), Some(accounts.charlie));
        }
    }
}
