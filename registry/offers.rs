//! Offers, the per-type index of live offers, candidate windows for awards,
//! and capacity reservations.

use crate::data::{
    check_limit, page_range, within_reply, Offer, OfferTerms, Page, ProviderStatus, RegistryData,
    RegistryEvent, Result, MAX_OFFERS_PER_PROVIDER,
};
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use dinfra::traits::{Attestation, Candidate, CandidatePage, RegistryError, Reservation};
use dinfra::types::{AccountId, Invalid, OfferId, TypeId, MAX_PAGE, MAX_REPLY_BYTES};
use ink::prelude::vec::Vec;
use ink::scale::Encode as _;

impl RegistryData {
    /// Publishes an offer of the caller (a registered, not leaving provider)
    /// and adds it to its type's index.
    pub fn publish_offer(
        &mut self,
        caller: AccountId,
        type_id: TypeId,
        terms: OfferTerms,
    ) -> Result<Vec<RegistryEvent>> {
        terms.validate()?;
        if !self.types.contains(type_id) {
            return Err(RegistryError::NotFound);
        }
        let mut provider = self.live_provider(caller)?;
        if provider.offers.len() >= MAX_OFFERS_PER_PROVIDER {
            return Err(RegistryError::TooManyOffers);
        }
        let offer_id = self.offer_count;
        let next_offer = offer_id.checked_add(1).ok_or(RegistryError::Overflow)?;
        let position = self.type_offer_count.get(type_id).unwrap_or(0);
        let next_position = position.checked_add(1).ok_or(RegistryError::Overflow)?;
        provider.offers.push(offer_id);
        self.providers.insert(caller, &provider);
        self.offers.insert(
            offer_id,
            &Offer {
                provider: caller,
                type_id,
                price_per_block: terms.price_per_block,
                capacity: terms.capacity,
                reserved: 0,
                min_duration: terms.min_duration,
                notice_blocks: terms.notice_blocks,
                pricing: terms.pricing,
                position: Some(position),
            },
        );
        self.type_offers.insert((type_id, position), &offer_id);
        self.type_offer_count.insert(type_id, &next_position);
        self.offer_count = next_offer;
        Ok(ink::prelude::vec![RegistryEvent::OfferPublished {
            offer_id,
            provider: caller,
            type_id,
            terms
        }])
    }

    /// New terms for a live offer of the caller. Live subscriptions keep the
    /// rate they were awarded at; capacity may not drop below what is reserved.
    pub fn update_offer(
        &mut self,
        caller: AccountId,
        offer_id: OfferId,
        terms: OfferTerms,
    ) -> Result<Vec<RegistryEvent>> {
        terms.validate()?;
        let mut offer = self.own_live_offer(caller, offer_id)?;
        if terms.capacity < offer.reserved {
            return Err(Invalid::Capacity.into());
        }
        offer.price_per_block = terms.price_per_block;
        offer.capacity = terms.capacity;
        offer.min_duration = terms.min_duration;
        offer.notice_blocks = terms.notice_blocks;
        offer.pricing = terms.pricing;
        self.offers.insert(offer_id, &offer);
        Ok(ink::prelude::vec![RegistryEvent::OfferUpdated {
            offer_id,
            terms
        }])
    }

    /// Takes a live offer of the caller off the market; subscriptions
    /// reserved under it go on to their end.
    pub fn withdraw_offer(
        &mut self,
        caller: AccountId,
        offer_id: OfferId,
    ) -> Result<Vec<RegistryEvent>> {
        self.own_live_offer(caller, offer_id)?;
        let mut provider = self.live_provider(caller)?;
        provider.offers.retain(|id| *id != offer_id);
        let event = self.unlist_offer(offer_id)?;
        self.providers.insert(caller, &provider);
        Ok(ink::prelude::vec![event])
    }

    /// Removes a live offer from its type's index, keeping the index dense by
    /// moving the last entry into the hole (O(1)).
    pub(crate) fn unlist_offer(&mut self, offer_id: OfferId) -> Result<RegistryEvent> {
        let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        let position = offer.position.ok_or(RegistryError::WrongState)?;
        let type_id = offer.type_id;
        let last = self
            .type_offer_count
            .get(type_id)
            .and_then(|count| count.checked_sub(1))
            .ok_or(RegistryError::Overflow)?;
        if position != last {
            let moved_id = self
                .type_offers
                .get((type_id, last))
                .ok_or(RegistryError::NotFound)?;
            let mut moved = self.offers.get(moved_id).ok_or(RegistryError::NotFound)?;
            moved.position = Some(position);
            self.offers.insert(moved_id, &moved);
            self.type_offers.insert((type_id, position), &moved_id);
        }
        self.type_offers.remove((type_id, last));
        self.type_offer_count.insert(type_id, &last);
        offer.position = None;
        self.offers.insert(offer_id, &offer);
        Ok(RegistryEvent::OfferWithdrawn {
            offer_id,
            provider: offer.provider,
            type_id,
        })
    }

    /// A window of at most `limit` live offers of `type_id`, from position
    /// `cursor % total`, wrapping, each with its provider's attributes,
    /// reputation and the attestations by `attestors`. Reads
    /// O(limit × attestors) entries: never a scan over the market.
    pub fn candidates(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
        attestors: &[AccountId],
    ) -> Result<CandidatePage> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Invalid::Limit.into());
        }
        if attestors.len() > MAX_REQUIREMENT_ENTRIES {
            return Err(Invalid::Requirements.into());
        }
        if !self.types.contains(type_id) {
            return Err(RegistryError::NotFound);
        }
        let total = self.type_offer_count.get(type_id).unwrap_or(0);
        let mut candidates = Vec::new();
        if total == 0 {
            return Ok(CandidatePage { total, candidates });
        }
        let mut position = cursor.checked_rem(total).ok_or(RegistryError::Overflow)?;
        let mut reply_bytes: usize = 0;
        for _ in 0..limit.min(total) {
            let offer_id = self
                .type_offers
                .get((type_id, position))
                .ok_or(RegistryError::NotFound)?;
            let offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
            let provider = self
                .providers
                .get(offer.provider)
                .ok_or(RegistryError::NotFound)?;
            let attestations = attestors
                .iter()
                .filter_map(|attestor| {
                    self.attestations
                        .get((offer.provider, *attestor))
                        .map(|attributes| Attestation {
                            attestor: *attestor,
                            attributes,
                        })
                })
                .collect();
            let candidate = Candidate {
                offer_id,
                provider: offer.provider,
                price_per_block: offer.price_per_block,
                free_capacity: offer.free_capacity(),
                min_duration: offer.min_duration,
                provider_active: provider.status == ProviderStatus::Active,
                attributes: provider.attributes,
                attestations,
                reputation: provider.reputation,
            };
            // The window ends early rather than overflow the reply buffer
            // (candidates carry attributes and attestations).
            reply_bytes = reply_bytes.saturating_add(candidate.encoded_size());
            if reply_bytes > MAX_REPLY_BYTES && !candidates.is_empty() {
                break;
            }
            candidates.push(candidate);
            // `position < total`, so +1 fits; wrap to 0 at `total`.
            position = position.checked_add(1).ok_or(RegistryError::Overflow)?;
            if position == total {
                position = 0;
            }
        }
        Ok(CandidatePage { total, candidates })
    }

    /// Reserves one deployment of a live offer of an active provider, and
    /// returns the offer's terms with the events.
    pub fn reserve(&mut self, offer_id: OfferId) -> Result<(Reservation, Vec<RegistryEvent>)> {
        let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        let mut provider = self
            .providers
            .get(offer.provider)
            .ok_or(RegistryError::NotFound)?;
        if offer.position.is_none() || provider.status != ProviderStatus::Active {
            return Err(RegistryError::WrongState);
        }
        if offer.free_capacity() == 0 {
            return Err(RegistryError::NoCapacity);
        }
        offer.reserved = offer
            .reserved
            .checked_add(1)
            .ok_or(RegistryError::Overflow)?;
        provider.reserved = provider
            .reserved
            .checked_add(1)
            .ok_or(RegistryError::Overflow)?;
        self.offers.insert(offer_id, &offer);
        self.providers.insert(offer.provider, &provider);
        let reservation = Reservation {
            provider: offer.provider,
            price_per_block: offer.price_per_block,
            min_duration: offer.min_duration,
            notice_blocks: offer.notice_blocks,
            pricing: offer.pricing,
        };
        Ok((
            reservation,
            ink::prelude::vec![RegistryEvent::CapacityReserved {
                offer_id,
                reserved: offer.reserved
            }],
        ))
    }

    /// Releases one reserved deployment (the subscription ended).
    pub fn release(&mut self, offer_id: OfferId) -> Result<Vec<RegistryEvent>> {
        let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        let mut provider = self
            .providers
            .get(offer.provider)
            .ok_or(RegistryError::NotFound)?;
        offer.reserved = offer
            .reserved
            .checked_sub(1)
            .ok_or(RegistryError::WrongState)?;
        provider.reserved = provider
            .reserved
            .checked_sub(1)
            .ok_or(RegistryError::WrongState)?;
        self.offers.insert(offer_id, &offer);
        self.providers.insert(offer.provider, &provider);
        Ok(ink::prelude::vec![RegistryEvent::CapacityReleased {
            offer_id,
            reserved: offer.reserved
        }])
    }

    pub fn offer(&self, offer_id: OfferId) -> Option<Offer> {
        self.offers.get(offer_id)
    }

    /// Live offers of `type_id` at index positions `cursor..cursor+limit`,
    /// and how many there are (the index order changes when offers leave).
    pub fn offers_of_type(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
    ) -> Result<Page<(OfferId, Offer)>> {
        check_limit(limit)?;
        if !self.types.contains(type_id) {
            return Err(RegistryError::NotFound);
        }
        let total = self.offer_count_of_type(type_id);
        let page = within_reply(
            page_range(cursor, limit, total)
                .filter_map(|position| self.type_offers.get((type_id, position)))
                .filter_map(|offer_id| self.offers.get(offer_id).map(|offer| (offer_id, offer))),
        );
        Ok((total, page))
    }

    /// Number of live offers of `type_id`.
    pub fn offer_count_of_type(&self, type_id: TypeId) -> u32 {
        self.type_offer_count.get(type_id).unwrap_or(0)
    }

    fn own_live_offer(&self, caller: AccountId, offer_id: OfferId) -> Result<Offer> {
        let offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        if offer.provider != caller {
            return Err(RegistryError::Unauthorized);
        }
        if offer.position.is_none() {
            return Err(RegistryError::WrongState);
        }
        Ok(offer)
    }
}
