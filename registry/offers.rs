//! Offers, the per-type index of the offers that can be awarded now, the
//! candidate windows awards read, and capacity reservations.

use crate::data::{
    check_limit, page_range, within_reply, Offer, OfferTerms, Page, Provider, ProviderStatus,
    RegistryData, RegistryEvent, Result, MAX_OFFERS_PER_PROVIDER,
};
use dinfra::selection::fits;
use dinfra::traits::award::MAX_REQUIREMENT_ENTRIES;
use dinfra::traits::{
    Attestation, Candidate, CandidatePage, RegistryError, Requirements, Reservation,
};
use dinfra::types::{AccountId, Invalid, OfferId, TypeId, MAX_PAGE, MAX_REPLY_BYTES};
use ink::prelude::vec::Vec;
use ink::scale::Encode as _;

impl RegistryData {
    /// Publishes an offer of the caller (a registered, not leaving provider);
    /// it enters its type's index if the provider is active.
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
        let offer_id = self.offer_count.get_or_default();
        let next_offer = offer_id.checked_add(1).ok_or(RegistryError::Overflow)?;
        let mut offer = Offer {
            provider: caller,
            type_id,
            price_per_block: terms.price_per_block,
            capacity: terms.capacity,
            reserved: 0,
            min_duration: terms.min_duration,
            notice_blocks: terms.notice_blocks,
            pricing: terms.pricing,
            cancel_fee: terms.cancel_fee,
            withdrawn: false,
            position: None,
        };
        self.sync_listing(offer_id, &mut offer, provider.status)?;
        provider.offers.push(offer_id);
        self.providers.insert(caller, &provider);
        self.offers.insert(offer_id, &offer);
        self.offer_count.set(&next_offer);
        Ok(ink::prelude::vec![RegistryEvent::OfferPublished {
            offer_id,
            provider: caller,
            type_id,
            terms
        }])
    }

    /// New terms for a live offer of the caller. Live subscriptions keep the
    /// terms they were awarded on; capacity may not drop below what is
    /// reserved (an offer whose capacity is all reserved leaves the index).
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
        let provider = self.live_provider(caller)?;
        offer.price_per_block = terms.price_per_block;
        offer.capacity = terms.capacity;
        offer.min_duration = terms.min_duration;
        offer.notice_blocks = terms.notice_blocks;
        offer.pricing = terms.pricing;
        offer.cancel_fee = terms.cancel_fee;
        self.sync_listing(offer_id, &mut offer, provider.status)?;
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
        let mut offer = self.own_live_offer(caller, offer_id)?;
        let mut provider = self.live_provider(caller)?;
        provider.offers.retain(|id| *id != offer_id);
        let event = self.withdraw(offer_id, &mut offer, provider.status)?;
        self.offers.insert(offer_id, &offer);
        self.providers.insert(caller, &provider);
        Ok(ink::prelude::vec![event])
    }

    /// Marks an offer withdrawn and takes it out of the index; the caller
    /// writes `offer` back.
    pub(crate) fn withdraw(
        &mut self,
        offer_id: OfferId,
        offer: &mut Offer,
        provider_status: ProviderStatus,
    ) -> Result<RegistryEvent> {
        offer.withdrawn = true;
        self.sync_listing(offer_id, offer, provider_status)?;
        Ok(RegistryEvent::OfferWithdrawn {
            offer_id,
            provider: offer.provider,
            type_id: offer.type_id,
        })
    }

    /// Puts an offer in its type's index, or takes it out, so that the index
    /// holds exactly the offers that can be awarded now (see
    /// [`Offer::awardable`]). O(1): a new entry goes at the end, a leaving
    /// one swaps the last entry into its hole (that entry's record is
    /// written here; the caller writes `offer` back).
    pub(crate) fn sync_listing(
        &mut self,
        offer_id: OfferId,
        offer: &mut Offer,
        provider_status: ProviderStatus,
    ) -> Result<()> {
        let type_id = offer.type_id;
        let count = self.type_offer_count.get(type_id).unwrap_or(0);
        match (offer.awardable(provider_status), offer.position) {
            (true, None) => {
                let next = count.checked_add(1).ok_or(RegistryError::Overflow)?;
                self.type_offers.insert((type_id, count), &offer_id);
                self.type_offer_count.insert(type_id, &next);
                offer.position = Some(count);
            }
            (false, Some(position)) => {
                let last = count.checked_sub(1).ok_or(RegistryError::Overflow)?;
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
            }
            _ => {}
        }
        Ok(())
    }

    /// Re-lists or de-lists every live offer of a provider whose status
    /// changed (at most [`MAX_OFFERS_PER_PROVIDER`]).
    pub(crate) fn sync_provider_offers(
        &mut self,
        offer_ids: &[OfferId],
        provider_status: ProviderStatus,
    ) -> Result<()> {
        for &offer_id in offer_ids {
            let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
            self.sync_listing(offer_id, &mut offer, provider_status)?;
            self.offers.insert(offer_id, &offer);
        }
        Ok(())
    }

    /// The offers of `type_id` that fit `requirements` among at most `limit`
    /// positions of its index from `cursor % total`, wrapping; at most
    /// `want` of them, fewer when their encoding would pass the reply
    /// budget. Each fitting one carries its provider's attributes,
    /// reputation and the attestations by the trusted attestors. Reads
    /// O(limit × attestors) entries: never a scan over the market; an offer
    /// that does not fit costs its reads and nothing in the reply.
    pub fn candidates(
        &self,
        type_id: TypeId,
        cursor: u32,
        limit: u32,
        want: u32,
        requirements: &Requirements,
    ) -> Result<CandidatePage> {
        if limit == 0 || limit > MAX_PAGE || want == 0 || want > limit {
            return Err(Invalid::Limit.into());
        }
        requirements.validate()?;
        if !self.types.contains(type_id) {
            return Err(RegistryError::NotFound);
        }
        let total = self.type_offer_count.get(type_id).unwrap_or(0);
        let mut fitting = Vec::new();
        if total == 0 {
            return Ok(CandidatePage { total, fitting });
        }
        let attestors = requirements.attestors_to_read();
        let mut position = cursor.checked_rem(total).ok_or(RegistryError::Overflow)?;
        let mut reply_bytes: usize = 0;
        // Consecutive offers of one provider (a provider's offers are often
        // published together) read its record once.
        let mut last_provider: Option<(AccountId, Provider)> = None;
        for _ in 0..limit.min(total) {
            let offer_id = self
                .type_offers
                .get((type_id, position))
                .ok_or(RegistryError::NotFound)?;
            let offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
            let provider = match last_provider.take() {
                Some((account, provider)) if account == offer.provider => provider,
                _ => self
                    .providers
                    .get(offer.provider)
                    .ok_or(RegistryError::NotFound)?,
            };
            let candidate = self.candidate(offer_id, &offer, &provider, attestors);
            last_provider = Some((offer.provider, provider));
            if fits(&candidate, requirements) {
                // The reply ends early rather than overflow its buffer.
                reply_bytes = reply_bytes.saturating_add(candidate.encoded_size());
                if reply_bytes > MAX_REPLY_BYTES && !fitting.is_empty() {
                    break;
                }
                fitting.push((position, candidate));
                if fitting.len() >= want as usize {
                    break;
                }
            }
            // `position < total`, so +1 fits; wrap to 0 at `total`.
            position = position.checked_add(1).ok_or(RegistryError::Overflow)?;
            if position == total {
                position = 0;
            }
        }
        Ok(CandidatePage { total, fitting })
    }

    /// An offer as requirements see it: its terms, its provider's standing
    /// and attributes, and the attestations of the provider by `attestors`.
    fn candidate(
        &self,
        offer_id: OfferId,
        offer: &Offer,
        provider: &Provider,
        attestors: &[AccountId],
    ) -> Candidate {
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
        Candidate {
            offer_id,
            provider: offer.provider,
            price_per_block: offer.price_per_block,
            free_capacity: offer.free_capacity(),
            min_duration: offer.min_duration,
            notice_blocks: offer.notice_blocks,
            pricing: offer.pricing,
            cancel_fee: offer.cancel_fee,
            provider_active: provider.status == ProviderStatus::Active,
            attributes: provider.attributes.clone(),
            attestations,
            reputation: provider.reputation,
        }
    }

    /// Reserves one deployment of an offer that can be awarded now, and
    /// returns the offer as it stood (with its provider's attestations by
    /// `attestors`) and the events. A full offer leaves the index.
    pub fn reserve(
        &mut self,
        offer_id: OfferId,
        attestors: &[AccountId],
    ) -> Result<(Reservation, Vec<RegistryEvent>)> {
        if attestors.len() > MAX_REQUIREMENT_ENTRIES {
            return Err(Invalid::Requirements.into());
        }
        let mut offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        let mut provider = self
            .providers
            .get(offer.provider)
            .ok_or(RegistryError::NotFound)?;
        if offer.withdrawn || provider.status != ProviderStatus::Active {
            return Err(RegistryError::WrongState);
        }
        if offer.free_capacity() == 0 {
            return Err(RegistryError::NoCapacity);
        }
        let candidate = self.candidate(offer_id, &offer, &provider, attestors);
        offer.reserved = offer
            .reserved
            .checked_add(1)
            .ok_or(RegistryError::Overflow)?;
        provider.reserved = provider
            .reserved
            .checked_add(1)
            .ok_or(RegistryError::Overflow)?;
        self.sync_listing(offer_id, &mut offer, provider.status)?;
        self.offers.insert(offer_id, &offer);
        self.providers.insert(offer.provider, &provider);
        let reservation = Reservation {
            type_id: offer.type_id,
            offer: candidate,
        };
        Ok((
            reservation,
            ink::prelude::vec![RegistryEvent::CapacityReserved {
                offer_id,
                reserved: offer.reserved
            }],
        ))
    }

    /// Releases one reserved deployment (the subscription ended); an offer
    /// that can be awarded again comes back to the index.
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
        self.sync_listing(offer_id, &mut offer, provider.status)?;
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

    /// The offers of `type_id` that can be awarded now, at index positions
    /// `cursor..cursor+limit`, and how many there are (the index order
    /// changes when offers leave or come back).
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

    /// Every live (not withdrawn) offer of `provider`, awardable or not.
    pub fn offers_of_provider(&self, provider: AccountId) -> Vec<(OfferId, Offer)> {
        let offer_ids = self
            .providers
            .get(provider)
            .map(|p| p.offers)
            .unwrap_or_default();
        within_reply(
            offer_ids
                .into_iter()
                .filter_map(|offer_id| self.offers.get(offer_id).map(|offer| (offer_id, offer))),
        )
    }

    /// Number of offers of `type_id` that can be awarded now.
    pub fn offer_count_of_type(&self, type_id: TypeId) -> u32 {
        self.type_offer_count.get(type_id).unwrap_or(0)
    }

    fn own_live_offer(&self, caller: AccountId, offer_id: OfferId) -> Result<Offer> {
        let offer = self.offers.get(offer_id).ok_or(RegistryError::NotFound)?;
        if offer.provider != caller {
            return Err(RegistryError::Unauthorized);
        }
        if offer.withdrawn {
            return Err(RegistryError::WrongState);
        }
        Ok(offer)
    }
}
