//! Providers: registration with a bond, updates, pause/resume,
//! deregistration with unbonding, attestations and reputation.

use crate::data::{
    check_limit, page_range, within_reply, Page, Provider, ProviderStatus, RegistryData,
    RegistryEvent, Result,
};
use dinfra::traits::{Outcome, RegistryError, Reputation};
use dinfra::types::{
    check_len, validate_attributes, AccountId, Attribute, Balance, BlockNumber, Invalid,
    MAX_ENDPOINT_LEN, MAX_NAME_LEN,
};
use ink::prelude::{string::String, vec::Vec};

fn check_profile(name: &str, endpoint: &str, attributes: &[Attribute]) -> Result<()> {
    check_len(name.as_bytes(), MAX_NAME_LEN, Invalid::Name)?;
    check_len(endpoint.as_bytes(), MAX_ENDPOINT_LEN, Invalid::Endpoint)?;
    validate_attributes(attributes)?;
    Ok(())
}

impl RegistryData {
    /// Registers `caller` as a provider bonding `bond` (≥ the minimum bond).
    pub fn register_provider(
        &mut self,
        caller: AccountId,
        name: String,
        endpoint: String,
        attributes: Vec<Attribute>,
        bond: Balance,
        now: BlockNumber,
    ) -> Result<Vec<RegistryEvent>> {
        check_profile(&name, &endpoint, &attributes)?;
        if bond < self.parameters().min_bond {
            return Err(RegistryError::InsufficientBond);
        }
        if self.providers.contains(caller) {
            return Err(RegistryError::AlreadyExists);
        }
        let position = self.provider_count.get_or_default();
        let count = position.checked_add(1).ok_or(RegistryError::Overflow)?;
        self.providers.insert(
            caller,
            &Provider {
                name: name.clone(),
                endpoint: endpoint.clone(),
                attributes,
                bond,
                unbonding_blocks: self.parameters().unbonding_blocks,
                status: ProviderStatus::Active,
                registered_at: now,
                offers: Vec::new(),
                reserved: 0,
                reputation: Reputation::default(),
            },
        );
        self.provider_at.insert(position, &caller);
        self.provider_position.insert(caller, &position);
        self.provider_count.set(&count);
        Ok(ink::prelude::vec![RegistryEvent::ProviderRegistered {
            provider: caller,
            name,
            endpoint,
            bond
        }])
    }

    /// Replaces the caller's name, endpoint and attributes.
    pub fn update_provider(
        &mut self,
        caller: AccountId,
        name: String,
        endpoint: String,
        attributes: Vec<Attribute>,
    ) -> Result<Vec<RegistryEvent>> {
        check_profile(&name, &endpoint, &attributes)?;
        let mut provider = self.live_provider(caller)?;
        provider.name = name.clone();
        provider.endpoint = endpoint.clone();
        provider.attributes = attributes;
        self.providers.insert(caller, &provider);
        Ok(ink::prelude::vec![RegistryEvent::ProviderUpdated {
            provider: caller,
            name,
            endpoint
        }])
    }

    /// Pauses (no new subscriptions; live ones go on) or resumes the caller.
    /// A paused provider's offers leave their types' indexes and come back
    /// on resume, so no award ever spends its window on them.
    pub fn set_provider_paused(
        &mut self,
        caller: AccountId,
        paused: bool,
    ) -> Result<Vec<RegistryEvent>> {
        let mut provider = self.live_provider(caller)?;
        let status = if paused {
            ProviderStatus::Paused
        } else {
            ProviderStatus::Active
        };
        if provider.status == status {
            return Err(RegistryError::WrongState);
        }
        provider.status = status;
        self.sync_provider_offers(&provider.offers, status)?;
        self.providers.insert(caller, &provider);
        Ok(ink::prelude::vec![RegistryEvent::ProviderStatusChanged {
            provider: caller,
            status
        }])
    }

    /// Withdraws every offer of the caller and starts unbonding. Refused
    /// while any deployment is reserved: a provider leaves its subscriptions
    /// first (with notice), then the market.
    pub fn deregister(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<Vec<RegistryEvent>> {
        let mut provider = self.live_provider(caller)?;
        if provider.reserved > 0 {
            return Err(RegistryError::CapacityReserved);
        }
        let unbonds_at = now
            .checked_add(provider.unbonding_blocks)
            .ok_or(RegistryError::Overflow)?;
        let status = ProviderStatus::Leaving { unbonds_at };
        let mut events = Vec::new();
        for offer_id in core::mem::take(&mut provider.offers) {
            let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
            events.push(self.withdraw(offer_id, &mut offer, status)?);
            self.offers.insert(offer_id, &offer);
        }
        provider.status = status;
        self.providers.insert(caller, &provider);
        events.push(RegistryEvent::ProviderDeregistered {
            provider: caller,
            unbonds_at,
        });
        Ok(events)
    }

    /// After unbonding, removes the caller's record and pays its bond back.
    pub fn withdraw_bond(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
    ) -> Result<Vec<RegistryEvent>> {
        let provider = self.providers.get(caller).ok_or(RegistryError::NotFound)?;
        match provider.status {
            ProviderStatus::Leaving { unbonds_at } if now >= unbonds_at => {}
            ProviderStatus::Leaving { .. } => return Err(RegistryError::StillUnbonding),
            _ => return Err(RegistryError::WrongState),
        }
        // Swap the last provider into the hole so the list stays dense.
        let position = self
            .provider_position
            .get(caller)
            .ok_or(RegistryError::NotFound)?;
        let last = self
            .provider_count
            .get_or_default()
            .checked_sub(1)
            .ok_or(RegistryError::Overflow)?;
        if position != last {
            let moved = self.provider_at.get(last).ok_or(RegistryError::NotFound)?;
            self.provider_at.insert(position, &moved);
            self.provider_position.insert(moved, &position);
        }
        self.provider_at.remove(last);
        self.provider_position.remove(caller);
        self.provider_count.set(&last);
        self.providers.remove(caller);
        Ok(ink::prelude::vec![RegistryEvent::BondWithdrawn {
            provider: caller,
            amount: provider.bond
        }])
    }

    /// Records what `attestor` vouches for about `provider`; an empty list
    /// revokes the attestation.
    pub fn attest(
        &mut self,
        attestor: AccountId,
        provider: AccountId,
        attributes: Vec<Attribute>,
    ) -> Result<Vec<RegistryEvent>> {
        validate_attributes(&attributes)?;
        if !self.providers.contains(provider) {
            return Err(RegistryError::NotFound);
        }
        if attributes.is_empty() {
            self.attestations.remove((provider, attestor));
        } else {
            self.attestations.insert((provider, attestor), &attributes);
        }
        Ok(ink::prelude::vec![RegistryEvent::Attested {
            provider,
            attestor,
            attributes
        }])
    }

    /// Adds a subscription's outcome, worth `value`, to the provider's
    /// record.
    pub fn record(
        &mut self,
        provider_account: AccountId,
        outcome: Outcome,
        value: Balance,
    ) -> Result<Vec<RegistryEvent>> {
        let mut provider = self
            .providers
            .get(provider_account)
            .ok_or(RegistryError::NotFound)?;
        let reputation = &mut provider.reputation;
        let (count, total) = match outcome {
            Outcome::Completed => (&mut reputation.completed, &mut reputation.completed_value),
            Outcome::ExitedEarly => (&mut reputation.exited_early, &mut reputation.exited_value),
            Outcome::MissedReady => (&mut reputation.missed_ready, &mut reputation.missed_value),
        };
        // A saturated counter is still the truth to within 2^32 outcomes,
        // a saturated value to within 2^128 units.
        *count = count.saturating_add(1);
        *total = total.saturating_add(value);
        let reputation = provider.reputation;
        self.providers.insert(provider_account, &provider);
        Ok(ink::prelude::vec![RegistryEvent::OutcomeRecorded {
            provider: provider_account,
            outcome,
            value,
            reputation
        }])
    }

    pub fn provider(&self, account: AccountId) -> Option<Provider> {
        self.providers.get(account)
    }

    pub fn attestation(&self, provider: AccountId, attestor: AccountId) -> Vec<Attribute> {
        self.attestations
            .get((provider, attestor))
            .unwrap_or_default()
    }

    /// Providers at positions `cursor..cursor+limit` of the registration list,
    /// and the total.
    pub fn providers(&self, cursor: u32, limit: u32) -> Result<Page<(AccountId, Provider)>> {
        check_limit(limit)?;
        let count = self.provider_count.get_or_default();
        let page = within_reply(
            page_range(cursor, limit, count)
                .filter_map(|position| self.provider_at.get(position))
                .filter_map(|account| self.providers.get(account).map(|p| (account, p))),
        );
        Ok((count, page))
    }

    /// The caller's record, if it is registered and not leaving.
    pub(crate) fn live_provider(&self, account: AccountId) -> Result<Provider> {
        let provider = self.providers.get(account).ok_or(RegistryError::NotFound)?;
        if let ProviderStatus::Leaving { .. } = provider.status {
            return Err(RegistryError::WrongState);
        }
        Ok(provider)
    }
}
