//! Award selection as pure functions: which candidates satisfy a consumer's
//! hard requirements, and which of them a strategy picks. No chain needed.

use crate::traits::{Candidate, Requirements};

/// Whether `candidate` satisfies every hard requirement.
pub fn fits(candidate: &Candidate, requirements: &Requirements) -> bool {
    candidate.free_capacity > 0 && candidate.price_per_block <= requirements.max_price_per_block
}

/// Round robin: the first fitting candidate of the window, which the caller
/// reads starting at its rotating cursor. Returns the index in `window`.
pub fn round_robin(window: &[Candidate], requirements: &Requirements) -> Option<usize> {
    window.iter().position(|c| fits(c, requirements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AccountId;

    fn candidate(offer_id: u64, price: u128, free: u32) -> Candidate {
        Candidate {
            offer_id,
            provider: AccountId::from([u8::try_from(offer_id).unwrap(); 32]),
            price_per_block: price,
            free_capacity: free,
        }
    }

    #[test]
    fn skips_too_expensive_and_full_offers() {
        let requirements = Requirements {
            max_price_per_block: 10,
        };
        let window = [candidate(0, 11, 5), candidate(1, 10, 0), candidate(2, 10, 1)];
        assert_eq!(round_robin(&window, &requirements), Some(2));
        assert_eq!(round_robin(&window[..2], &requirements), None);
        assert_eq!(round_robin(&[], &requirements), None);
    }
}
