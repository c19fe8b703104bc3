//! Ids, amounts and the vocabulary of bad input shared by all contracts.

pub use ink::primitives::AccountId;

/// Native balance, as in ink!'s `DefaultEnvironment`.
pub type Balance = u128;
/// Block number, as in ink!'s `DefaultEnvironment`.
pub type BlockNumber = u32;
/// Code hash accepted by `set_code`.
pub type CodeHash = ink::primitives::Hash;
/// A blake2-256 hash (schemas, descriptors).
pub type Hash32 = [u8; 32];

/// Id of a deployment type in the registry.
pub type TypeId = u32;
/// Id of a provider's offer in the registry.
pub type OfferId = u64;
/// Id of a subscription in the subscription contract.
pub type SubscriptionId = u64;

/// Longest name, endpoint, attribute key or value, in bytes.
pub const MAX_NAME_LEN: usize = 32;
/// Longest provider endpoint (a URL), in bytes.
pub const MAX_ENDPOINT_LEN: usize = 128;
/// Most URIs a provider publishes for one deployment (its access record).
pub const MAX_ACCESS_URIS: usize = 4;
/// Longest minimum duration, notice, timeout or consumer notice, in blocks
/// (10 years of 6-second blocks): bounds every `now + blocks` well inside a
/// `BlockNumber`.
pub const MAX_TERM_BLOCKS: BlockNumber = 52_560_000;

/// Most candidates one `Registry::candidates` call returns.
pub const MAX_PAGE: u32 = 100;

/// Most offers one provider may have live at once (bounds deregistration,
/// pausing, and how much of an award's window one account can fill).
pub const MAX_OFFERS_PER_PROVIDER: u32 = 16;

/// The fewest fitting offers an award compares: more than one provider can
/// publish, so a strategy always weighs another provider's offer when one
/// fits. (The award scans [`MAX_PAGE`] index positions to find them.)
pub const MIN_AWARD_WINDOW: u32 = 17;
const _: () = assert!(MIN_AWARD_WINDOW > MAX_OFFERS_PER_PROVIDER && MIN_AWARD_WINDOW <= MAX_PAGE);

/// Most streams one `Escrow::withdraw_many` pays, and subscriptions one
/// `claim_many` claims: one call's cost stays well inside a parachain
/// block's proof budget.
pub const MAX_BATCH: u32 = 50;

/// An offer's cancel fee is at most this many blocks of its price.
pub const MAX_CANCEL_FEE_BLOCKS: u32 = 100;

/// Which part of a message's input was refused. Carried by every
/// `InvalidInput` error so a caller knows what to fix.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// A name is empty or longer than [`MAX_NAME_LEN`].
    Name,
    /// An endpoint or URI is empty or too long, or an access record holds
    /// more than [`MAX_ACCESS_URIS`] of them.
    Endpoint,
    /// A price or rate of zero.
    Price,
    /// A capacity of zero.
    Capacity,
    /// A page limit of zero or above [`MAX_PAGE`], or a batch of none or
    /// more than [`MAX_BATCH`].
    Limit,
    /// A parameter set by the admin is out of range.
    Parameter,
    /// An account is the zero account or otherwise unusable here.
    Account,
    /// An attribute key or value is empty or too long, or too many attributes.
    Attributes,
    /// A requirements list is too long or contradicts itself.
    Requirements,
    /// A duration or block is out of range.
    Duration,
    /// An amount of zero where value must be sent.
    Amount,
    /// A fee above its bound.
    Fee,
    /// The same id twice in one batch, or the same URI twice in an access
    /// record.
    Duplicate,
}

/// Checks that a batch of ids has 1 to [`MAX_BATCH`] of them, none twice
/// (pairwise: at most 1,225 comparisons, and no sort code in the Wasm).
pub fn check_batch(ids: &[u64]) -> Result<(), Invalid> {
    if ids.is_empty() || ids.len() > MAX_BATCH as usize {
        return Err(Invalid::Limit);
    }
    let mut rest = ids;
    while let Some((id, later)) = rest.split_first() {
        if later.contains(id) {
            return Err(Invalid::Duplicate);
        }
        rest = later;
    }
    Ok(())
}

/// Checks that `bytes` is non-empty and at most `max` long.
pub fn check_len(bytes: &[u8], max: usize, what: Invalid) -> Result<(), Invalid> {
    if bytes.is_empty() || bytes.len() > max {
        return Err(what);
    }
    Ok(())
}

/// One page of a paginated query: the total number of entries, and at most
/// `limit` of them from `cursor` — fewer when their encoding would pass
/// [`MAX_REPLY_BYTES`]. The next page starts at `cursor + entries.len()`.
pub type Page<T> = (u32, ink::prelude::vec::Vec<T>);

/// Most bytes of entries a query puts in one reply. ink! 5 encodes a
/// message's reply (and a cross-contract call's) into a 16 KiB static buffer
/// and traps past it; pages and candidate windows stop early instead.
pub const MAX_REPLY_BYTES: usize = 12 * 1024;

/// The longest prefix of `items` whose encoding fits in [`MAX_REPLY_BYTES`]
/// (at least the first item). Lazy: items after the cut are never produced,
/// so no storage is read for them.
pub fn within_reply<T: ink::scale::Encode>(
    items: impl IntoIterator<Item = T>,
) -> ink::prelude::vec::Vec<T> {
    let mut used: usize = 0;
    let mut taken = ink::prelude::vec::Vec::new();
    for item in items {
        used = used.saturating_add(item.encoded_size());
        if used > MAX_REPLY_BYTES && !taken.is_empty() {
            break;
        }
        taken.push(item);
    }
    taken
}

/// A page limit is 1..=[`MAX_PAGE`].
pub fn check_limit(limit: u32) -> Result<(), Invalid> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Invalid::Limit);
    }
    Ok(())
}

/// Positions `cursor..min(cursor + limit, total)`.
pub fn page_range(cursor: u32, limit: u32, total: u32) -> core::ops::Range<u32> {
    let end = cursor.saturating_add(limit).min(total);
    cursor.min(end)..end
}

/// Most attributes a provider declares, or an attestor vouches for.
pub const MAX_ATTRIBUTES: usize = 16;

/// A key/value pair describing a provider, e.g. `region=eu-west`,
/// `network=hetzner`, `country=SE`. Key and value are 1..=32 bytes.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub key: ink::prelude::string::String,
    pub value: ink::prelude::string::String,
}

impl Attribute {
    pub fn validate(&self) -> Result<(), Invalid> {
        check_len(self.key.as_bytes(), MAX_NAME_LEN, Invalid::Attributes)?;
        check_len(self.value.as_bytes(), MAX_NAME_LEN, Invalid::Attributes)
    }
}

/// Checks a provider's or attestor's attribute list: at most
/// [`MAX_ATTRIBUTES`], each well-formed, no key twice.
pub fn validate_attributes(attributes: &[Attribute]) -> Result<(), Invalid> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(Invalid::Attributes);
    }
    for (i, attribute) in attributes.iter().enumerate() {
        attribute.validate()?;
        if attributes
            .iter()
            .skip(i.saturating_add(1))
            .any(|other| other.key == attribute.key)
        {
            return Err(Invalid::Attributes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_reply_cuts_before_the_budget_but_keeps_one() {
        let small: ink::prelude::vec::Vec<[u8; 1000]> = (0..40).map(|_| [0; 1000]).collect();
        assert_eq!(within_reply(small).len(), MAX_REPLY_BYTES / 1000);
        let huge = ink::prelude::vec![[0u8; 20_000], [0u8; 20_000]];
        assert_eq!(
            within_reply(huge).len(),
            1,
            "a single oversized item still comes back"
        );
        let none: ink::prelude::vec::Vec<u8> = ink::prelude::vec::Vec::new();
        assert!(within_reply(none).is_empty());
    }

    #[test]
    fn a_batch_has_one_to_max_ids_none_twice() {
        let full: ink::prelude::vec::Vec<u64> = (0..u64::from(MAX_BATCH)).collect();
        assert_eq!(check_batch(&full), Ok(()));
        assert_eq!(check_batch(&[7]), Ok(()));
        assert_eq!(check_batch(&[]), Err(Invalid::Limit));
        let over: ink::prelude::vec::Vec<u64> = (0..=u64::from(MAX_BATCH)).collect();
        assert_eq!(check_batch(&over), Err(Invalid::Limit));
        assert_eq!(check_batch(&[1, 2, 3, 1]), Err(Invalid::Duplicate));
        assert_eq!(check_batch(&[5, 5]), Err(Invalid::Duplicate));
        let mut last_twice = full.clone();
        last_twice[0] = full[full.len() - 1];
        assert_eq!(check_batch(&last_twice), Err(Invalid::Duplicate));
    }
}
