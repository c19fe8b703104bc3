//! The registry's own award: the scan of `candidates`, the pick of the stock
//! award contract, the round-robin cursor and the reservation in one call,
//! so that a `create` reads the registry's code once and no award contract
//! at all (each contract a call loads costs its whole Wasm in ref_time and
//! proof size). A custom award contract, wired instead, chooses from
//! `candidates`; the registry then reserves its choice through `award` with
//! the offer named.

use crate::data::{RegistryData, RegistryEvent, Result};
use dinfra::selection;
use dinfra::traits::{AwardRules, RegistryError, Requirements, Reservation};
use dinfra::types::{OfferId, TypeId, MAX_PAGE};
use ink::prelude::vec::Vec;

impl RegistryData {
    /// The rules the registry's awards follow (the defaults until the admin
    /// sets them).
    pub fn award_rules(&self) -> AwardRules {
        self.award_rules.get().unwrap_or_default()
    }

    /// Sets them (the shell checks the caller is the admin and emits
    /// `AwardRulesChanged`).
    pub fn set_award_rules(&mut self, rules: &AwardRules) -> Result<()> {
        rules.validate()?;
        self.award_rules.set(rules);
        Ok(())
    }

    /// The next index position an award of `type_id` reads from.
    pub fn award_cursor(&self, type_id: TypeId) -> u32 {
        self.award_cursors.get(type_id).unwrap_or(0)
    }

    /// Reserves one deployment of `named` when an offer is named (its fit
    /// is the caller's to check). Otherwise chooses an offer of `type_id`
    /// that fits `requirements` by the award rules — up to [`MAX_PAGE`]
    /// index positions from the type's cursor, the fitting ones compared by
    /// the strategy (`seed`: Random's) — moves the cursor just past it, so
    /// every fitting provider gets its turn and offers that do not fit never
    /// hold the cursor, and reserves it; `NoProvider` when none fits.
    /// Nothing is written when it refuses. Returns the reservation, the
    /// type's next cursor when the registry chose (for the shell's
    /// `OfferAwarded`) and `reserve`'s events.
    pub fn award(
        &mut self,
        type_id: TypeId,
        requirements: &Requirements,
        seed: u64,
        named: Option<OfferId>,
    ) -> Result<(Reservation, Option<u32>, Vec<RegistryEvent>)> {
        let (offer_id, next_cursor) = match named {
            Some(offer_id) => (offer_id, None),
            None => {
                let (offer_id, next_cursor) = self.choose(type_id, requirements, seed)?;
                (offer_id, Some(next_cursor))
            }
        };
        // Reserve before the cursor moves: it writes nothing when it refuses.
        let (reservation, events) = self.reserve(offer_id, requirements.attestors_to_read())?;
        if let Some(next_cursor) = next_cursor {
            self.award_cursors.insert(type_id, &next_cursor);
        }
        Ok((reservation, next_cursor, events))
    }

    /// The offer the award rules choose and the cursor past it.
    fn choose(
        &self,
        type_id: TypeId,
        requirements: &Requirements,
        seed: u64,
    ) -> Result<(OfferId, u32)> {
        let rules = self.award_rules();
        let cursor = self.award_cursor(type_id);
        let page = self.candidates(type_id, cursor, MAX_PAGE, rules.wanted(), requirements)?;
        // The window by value, the index positions beside it (at most
        // `MAX_PAGE` of them).
        let mut positions = [0u32; MAX_PAGE as usize];
        let window: Vec<_> = page
            .fitting
            .into_iter()
            .zip(positions.iter_mut())
            .map(|((position, candidate), slot)| {
                *slot = position;
                candidate
            })
            .collect();
        let index = selection::pick(&rules.strategy, &window, requirements, seed)
            .ok_or(RegistryError::NoProvider)?;
        let chosen = window.get(index).ok_or(RegistryError::NoProvider)?;
        let position = positions.get(index).ok_or(RegistryError::NoProvider)?;
        // `position < total`, so +1 fits; wrap to 0 at `total`.
        let next_cursor = match position.saturating_add(1) {
            next if next >= page.total => 0,
            next => next,
        };
        Ok((chosen.offer_id, next_cursor))
    }
}
