//! Award selection as pure functions: which candidates satisfy a consumer's
//! hard requirements ([`fits`], [`rejection`]), and which of the fitting ones
//! a [`Strategy`] picks ([`pick`]). No chain needed.
//!
//! Every function here is O(window × requirement-list sizes × attribute-list
//! sizes) — all of them bounded by the registry and [`Requirements::validate`]
//! — and allocates nothing.
//!
//! Attribute matching is exact: same key AND same value. Whose word counts:
//! - a *required* attribute is satisfied, when `trusted_attestors` is empty, by
//!   the provider's self-declared attributes or by any attestation; when it is
//!   not empty, only by an attestation of a trusted attestor (an unattested
//!   attribute does not satisfy a trusted-attestor requirement);
//! - an *excluded* attribute rejects the candidate when it is self-declared or
//!   in an attestation that would count for a required attribute (a trusted
//!   attestor's, or anyone's when `trusted_attestors` is empty), so a banned
//!   network is never chosen.

use crate::traits::{Candidate, Pricing, Requirements, Strategy, Weights};
use crate::types::{Attribute, Balance, BlockNumber, SubscriptionId};

/// The top of every normalised score term.
const TERM_MAX: u128 = 1_000;
/// The reputation term of a provider with no history: neutral.
const TERM_NEUTRAL: u128 = 500;

/// Why a candidate does not fit, in the order [`rejection`] checks them.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// The offer is of another deployment type than the one asked for.
    WrongType,
    /// The provider is not registered, paused or leaving.
    Inactive,
    /// The offer has no free capacity.
    Full,
    /// `price_per_block` is above `max_price_per_block`.
    TooExpensive,
    /// The offer's minimum duration is longer than the consumer commits to.
    MinDuration,
    /// The consumer asked for Fixed pricing and the offer is Dynamic.
    NotFixedPrice,
    /// The offer's notice is longer than the consumer accepts.
    NoticeTooLong,
    /// A Dynamic offer whose notice before a new price is shorter than the
    /// consumer asks.
    RepriceNoticeTooShort,
    /// The offer's cancel fee is above what the consumer accepts.
    CancelFeeTooHigh,
    /// The consumer excluded this provider.
    ExcludedProvider,
    /// `preferred_only` and the provider is not preferred.
    NotPreferred,
    /// A required attribute is missing, or not vouched for by a trusted attestor.
    MissingAttribute,
    /// The provider has an excluded attribute.
    ExcludedAttribute,
}

/// Whether an attestation is evidence for the consumer: any attestor's when
/// the consumer names none, else only a trusted one's.
fn counts(attestor: &crate::types::AccountId, requirements: &Requirements) -> bool {
    requirements.trusted_attestors.is_empty() || requirements.trusted_attestors.contains(attestor)
}

/// Whether an attestation that counts (see [`counts`]) vouches for `attribute`.
fn attested(candidate: &Candidate, requirements: &Requirements, attribute: &Attribute) -> bool {
    candidate
        .attestations
        .iter()
        .any(|a| counts(&a.attestor, requirements) && a.attributes.contains(attribute))
}

/// Whether the candidate has a required `attribute`, on evidence the consumer accepts.
fn has_required(candidate: &Candidate, requirements: &Requirements, attribute: &Attribute) -> bool {
    // Self-declared attributes only count when no attestor is demanded.
    (requirements.trusted_attestors.is_empty() && candidate.attributes.contains(attribute))
        || attested(candidate, requirements, attribute)
}

/// Whether the candidate has an excluded `attribute`: self-declared or attested.
fn has_excluded(candidate: &Candidate, requirements: &Requirements, attribute: &Attribute) -> bool {
    candidate.attributes.contains(attribute) || attested(candidate, requirements, attribute)
}

/// The first hard requirement `candidate` fails, or `None` if it fits.
pub fn rejection(candidate: &Candidate, requirements: &Requirements) -> Option<Reject> {
    if !candidate.provider_active {
        return Some(Reject::Inactive);
    }
    if candidate.free_capacity == 0 {
        return Some(Reject::Full);
    }
    if candidate.price_per_block > requirements.max_price_per_block {
        return Some(Reject::TooExpensive);
    }
    if candidate.min_duration > requirements.min_duration {
        return Some(Reject::MinDuration);
    }
    let dynamic = candidate.pricing == Pricing::Dynamic;
    if dynamic && requirements.fixed_price_only {
        return Some(Reject::NotFixedPrice);
    }
    if requirements
        .max_notice_blocks
        .is_some_and(|max| candidate.notice_blocks > max)
    {
        return Some(Reject::NoticeTooLong);
    }
    if dynamic && candidate.notice_blocks < requirements.min_reprice_notice {
        return Some(Reject::RepriceNoticeTooShort);
    }
    if candidate.cancel_fee > requirements.max_cancel_fee {
        return Some(Reject::CancelFeeTooHigh);
    }
    if requirements
        .excluded_providers
        .contains(&candidate.provider)
    {
        return Some(Reject::ExcludedProvider);
    }
    if requirements.preferred_only
        && !requirements
            .preferred_providers
            .contains(&candidate.provider)
    {
        return Some(Reject::NotPreferred);
    }
    if !requirements
        .required_attributes
        .iter()
        .all(|attribute| has_required(candidate, requirements, attribute))
    {
        return Some(Reject::MissingAttribute);
    }
    if requirements
        .excluded_attributes
        .iter()
        .any(|attribute| has_excluded(candidate, requirements, attribute))
    {
        return Some(Reject::ExcludedAttribute);
    }
    None
}

/// Whether `candidate` satisfies every hard requirement.
pub fn fits(candidate: &Candidate, requirements: &Requirements) -> bool {
    rejection(candidate, requirements).is_none()
}

/// The index in `window` of the candidate `strategy` picks among those that
/// fit `requirements`, or `None` when none fits. Ties go to the earliest.
///
/// - `RoundRobin`: the first fitting candidate (the caller reads the window
///   from a rotating cursor, so every provider gets its turn);
/// - `Random`: the `(seed % n)`-th of the `n` fitting candidates. The contract
///   derives `seed` from the subscription id and the block number: this is
///   deterministic and predictable, NOT secure against a consumer or block
///   author who wants a particular provider;
/// - `Capacity`: the fitting candidate with the most free capacity;
/// - `Scored(weights)`: the fitting candidate with the highest weighted score
///   (see [`Weights`]); all-zero weights pick the first fitting.
pub fn pick(
    strategy: &Strategy,
    window: &[Candidate],
    requirements: &Requirements,
    seed: u64,
) -> Option<usize> {
    match strategy {
        Strategy::RoundRobin => window.iter().position(|c| fits(c, requirements)),
        Strategy::Random => pick_random(window, requirements, seed),
        Strategy::Capacity => best_by(window, requirements, |c| u128::from(c.free_capacity)),
        Strategy::Scored(weights) => {
            let stats = WindowStats::of(window, requirements)?;
            best_by(window, requirements, |c| {
                score(weights, &stats, requirements, c)
            })
        }
    }
}

/// Seed of the Random strategy: `blake2_128` (the chain's hash, passed in
/// so this stays plain logic) of the subscription id and the block number,
/// truncated. Anyone can compute it in advance, and a block author can choose
/// the block: NOT a secure source of randomness.
pub fn random_seed(
    subscription_id: SubscriptionId,
    block: BlockNumber,
    blake2_128: impl FnOnce(&[u8], &mut [u8; 16]),
) -> u64 {
    let mut input = [0u8; 12];
    input[..8].copy_from_slice(&subscription_id.to_le_bytes());
    input[8..].copy_from_slice(&block.to_le_bytes());
    let mut hash = [0u8; 16];
    blake2_128(&input, &mut hash);
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&hash[..8]);
    u64::from_le_bytes(seed)
}

/// The `(seed % n)`-th of the `n` fitting candidates.
fn pick_random(window: &[Candidate], requirements: &Requirements, seed: u64) -> Option<usize> {
    let fitting = window.iter().filter(|c| fits(c, requirements)).count();
    // usize is at most 64 bits on every target ink! builds for, so this never
    // fails; `checked_rem` returns None when nothing fits (n = 0).
    let n = u64::try_from(fitting).ok()?;
    let nth = usize::try_from(seed.checked_rem(n)?).ok()?; // < n, so it fits usize
    window
        .iter()
        .enumerate()
        .filter(|(_, c)| fits(c, requirements))
        .nth(nth)
        .map(|(i, _)| i)
}

/// The index of the fitting candidate with the highest `key`; ties go to the earliest.
fn best_by(
    window: &[Candidate],
    requirements: &Requirements,
    key: impl Fn(&Candidate) -> u128,
) -> Option<usize> {
    let mut best: Option<(usize, u128)> = None;
    for (i, candidate) in window.iter().enumerate() {
        if !fits(candidate, requirements) {
            continue;
        }
        let value = key(candidate);
        // Strictly greater: an equal later value never displaces the earlier.
        if best.is_none_or(|(_, top)| value > top) {
            best = Some((i, value));
        }
    }
    best.map(|(i, _)| i)
}

/// What the Scored strategy normalises against: the fitting candidates' price
/// range and largest free capacity.
struct WindowStats {
    min_price: Balance,
    max_price: Balance,
    /// Above zero: a fitting candidate has free capacity.
    max_free: u32,
}

impl WindowStats {
    /// `None` when nothing in `window` fits.
    fn of(window: &[Candidate], requirements: &Requirements) -> Option<Self> {
        let mut fitting = window.iter().filter(|c| fits(c, requirements));
        let first = fitting.next()?;
        let mut stats = WindowStats {
            min_price: first.price_per_block,
            max_price: first.price_per_block,
            max_free: first.free_capacity,
        };
        for c in fitting {
            stats.min_price = stats.min_price.min(c.price_per_block);
            stats.max_price = stats.max_price.max(c.price_per_block);
            stats.max_free = stats.max_free.max(c.free_capacity);
        }
        Some(stats)
    }
}

/// `Σ weight × term` over the four terms, each in 0..=1_000.
///
/// Each product is at most `u32::MAX × 1_000 < 2^42` and the sum of four is
/// below `2^44`, far from `u128::MAX`: the saturating operations never
/// saturate, they only satisfy the no-bare-arithmetic lint.
fn score(
    weights: &Weights,
    stats: &WindowStats,
    requirements: &Requirements,
    c: &Candidate,
) -> u128 {
    let preferred = if requirements.preferred_providers.contains(&c.provider) {
        TERM_MAX
    } else {
        0
    };
    [
        (weights.price, price_term(c.price_per_block, stats)),
        (weights.capacity, capacity_term(c.free_capacity, stats)),
        (weights.reputation, reputation_term(c)),
        (weights.preferred, preferred),
    ]
    .iter()
    .fold(0u128, |sum, &(weight, term)| {
        sum.saturating_add(u128::from(weight).saturating_mul(term))
    })
}

/// `1_000 × (max − price) / (max − min)` over the fitting candidates, rounded
/// down; 1_000 for everyone when all fitting prices are equal. Only the
/// cheapest get 1_000.
fn price_term(price: Balance, stats: &WindowStats) -> u128 {
    // `price` is a fitting candidate's, so min ≤ price ≤ max: no saturation.
    let span = stats.max_price.saturating_sub(stats.min_price);
    let below_max = stats.max_price.saturating_sub(price);
    if below_max >= span {
        // The cheapest (or everyone, when span is 0).
        return TERM_MAX;
    }
    // Here 0 ≤ below_max < span, so span ≥ 1 and the exact quotient is < 1_000.
    match below_max.checked_mul(TERM_MAX) {
        Some(product) => product.checked_div(span).unwrap_or(0),
        None => {
            // Prices above u128::MAX / 1_000 (never in practice): scale both
            // by 1/1_024 so the product fits. The result stays monotone in the
            // price; capped at 999 so the cheapest alone keeps 1_000. span >
            // below_max > u128::MAX / 1_000, so span / 1_024 > 0.
            let scaled = below_max
                .checked_div(1_024)
                .unwrap_or(0)
                .saturating_mul(TERM_MAX);
            scaled
                .checked_div(span.checked_div(1_024).unwrap_or(1))
                .unwrap_or(0)
                .min(TERM_MAX.saturating_sub(1))
        }
    }
}

/// `1_000 × free / max_free` over the fitting candidates, rounded down.
fn capacity_term(free: u32, stats: &WindowStats) -> u128 {
    // free ≤ u32::MAX, so the product is below 2^42: no saturation. max_free
    // is above zero (fitting candidates have free capacity).
    u128::from(free)
        .saturating_mul(TERM_MAX)
        .checked_div(u128::from(stats.max_free))
        .unwrap_or(0)
}

/// `1_000 × completed_value / (completed_value + exited_value +
/// missed_value)`, rounded down; 500 (neutral) with nothing at stake yet.
/// Weighing by value, not by count, is what makes a record costly to fake:
/// a thousand subscriptions at a price of 1 weigh less than one real one.
fn reputation_term(c: &Candidate) -> u128 {
    let r = &c.reputation;
    let values = [r.completed_value, r.exited_value, r.missed_value];
    // Values above 2^116 (never in practice) are scaled down by 2^12 first,
    // so that their sum times 1_000 fits: the share stays exact to 2^-12.
    let limit = u128::MAX.checked_shr(12).unwrap_or(0);
    let shift = if values.iter().any(|v| *v > limit) {
        12
    } else {
        0
    };
    let [completed, exited, missed] = values.map(|v| v.checked_shr(shift).unwrap_or(0));
    // Each is ≤ 2^116, so the sum and completed × 1_000 never saturate.
    let at_stake = completed.saturating_add(exited).saturating_add(missed);
    completed
        .saturating_mul(TERM_MAX)
        .checked_div(at_stake)
        .unwrap_or(TERM_NEUTRAL)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::traits::{Attestation, Reputation};
    use crate::types::AccountId;
    use ink::prelude::vec;
    use ink::prelude::vec::Vec;

    fn acc(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    fn attr(key: &str, value: &str) -> Attribute {
        Attribute {
            key: key.into(),
            value: value.into(),
        }
    }

    /// Provider `n`, offer `n`: active, price 10, free 5, min duration 10, no
    /// attributes, no attestations, no history.
    fn cand(n: u8) -> Candidate {
        Candidate {
            offer_id: u64::from(n),
            provider: acc(n),
            price_per_block: 10,
            free_capacity: 5,
            min_duration: 10,
            notice_blocks: 10,
            pricing: Pricing::Fixed,
            cancel_fee: 0,
            provider_active: true,
            attributes: Vec::new(),
            attestations: Vec::new(),
            reputation: Reputation::default(),
        }
    }

    /// A record worth `completed`, `exited` and `missed` in value (the
    /// counts do not weigh).
    fn valued(completed: Balance, exited: Balance, missed: Balance) -> Reputation {
        Reputation {
            completed: 1,
            exited_early: 1,
            missed_ready: 1,
            completed_value: completed,
            exited_value: exited,
            missed_value: missed,
        }
    }

    fn priced(n: u8, price: Balance) -> Candidate {
        Candidate {
            price_per_block: price,
            ..cand(n)
        }
    }

    fn with_free(n: u8, free: u32) -> Candidate {
        Candidate {
            free_capacity: free,
            ..cand(n)
        }
    }

    fn attested_by(n: u8, attestor: u8, attributes: Vec<Attribute>) -> Candidate {
        Candidate {
            attestations: vec![Attestation {
                attestor: acc(attestor),
                attributes,
            }],
            ..cand(n)
        }
    }

    fn declaring(n: u8, attributes: Vec<Attribute>) -> Candidate {
        Candidate {
            attributes,
            ..cand(n)
        }
    }

    /// Max price 10, min duration 10, nothing else.
    fn reqs() -> Requirements {
        Requirements {
            max_price_per_block: 10,
            min_duration: 10,
            ..Default::default()
        }
    }

    fn needing(required: Vec<Attribute>, trusted: Vec<u8>) -> Requirements {
        Requirements {
            required_attributes: required,
            trusted_attestors: trusted.into_iter().map(acc).collect(),
            ..reqs()
        }
    }

    fn excluding(excluded: Vec<Attribute>, trusted: Vec<u8>) -> Requirements {
        Requirements {
            excluded_attributes: excluded,
            trusted_attestors: trusted.into_iter().map(acc).collect(),
            ..reqs()
        }
    }

    fn scored(price: u32, capacity: u32, reputation: u32, preferred: u32) -> Strategy {
        Strategy::Scored(Weights {
            price,
            capacity,
            reputation,
            preferred,
        })
    }

    fn all_strategies() -> Vec<Strategy> {
        vec![
            Strategy::RoundRobin,
            Strategy::Random,
            Strategy::Capacity,
            scored(1, 1, 1, 1),
            scored(0, 0, 0, 0),
        ]
    }

    // ---- hard requirements, one reason at a time ----

    #[test]
    fn baseline_fits() {
        assert_eq!(rejection(&cand(1), &reqs()), None);
        assert!(fits(&cand(1), &reqs()));
    }

    #[test]
    fn inactive_provider_is_rejected() {
        let c = Candidate {
            provider_active: false,
            ..cand(1)
        };
        assert_eq!(rejection(&c, &reqs()), Some(Reject::Inactive));
        assert!(!fits(&c, &reqs()));
    }

    #[test]
    fn full_offer_is_rejected() {
        assert_eq!(rejection(&with_free(1, 0), &reqs()), Some(Reject::Full));
        assert_eq!(rejection(&with_free(1, 1), &reqs()), None);
    }

    #[test]
    fn price_is_inclusive_at_the_maximum() {
        assert_eq!(
            rejection(&priced(1, 11), &reqs()),
            Some(Reject::TooExpensive)
        );
        assert_eq!(rejection(&priced(1, 10), &reqs()), None);
        assert_eq!(rejection(&priced(1, 0), &reqs()), None);
    }

    #[test]
    fn offer_minimum_duration_must_not_exceed_commitment() {
        let longer = Candidate {
            min_duration: 11,
            ..cand(1)
        };
        let equal = Candidate {
            min_duration: 10,
            ..cand(1)
        };
        assert_eq!(rejection(&longer, &reqs()), Some(Reject::MinDuration));
        assert_eq!(rejection(&equal, &reqs()), None);
    }

    #[test]
    fn excluded_provider_is_never_chosen() {
        let r = Requirements {
            excluded_providers: vec![acc(1)],
            preferred_providers: vec![acc(1)],
            ..reqs()
        };
        assert_eq!(rejection(&cand(1), &r), Some(Reject::ExcludedProvider));
        assert_eq!(rejection(&cand(2), &r), None);
        let window = [cand(1), cand(2)];
        for strategy in [Strategy::RoundRobin, Strategy::Capacity, Strategy::Random] {
            assert_eq!(pick(&strategy, &window, &r, 0), Some(1), "{strategy:?}");
        }
    }

    #[test]
    fn preferred_only_rejects_others() {
        let r = Requirements {
            preferred_providers: vec![acc(2)],
            preferred_only: true,
            ..reqs()
        };
        assert_eq!(rejection(&cand(1), &r), Some(Reject::NotPreferred));
        assert_eq!(rejection(&cand(2), &r), None);
        // Preferred without `preferred_only` is only a bonus.
        let r = Requirements {
            preferred_only: false,
            ..r
        };
        assert_eq!(rejection(&cand(1), &r), None);
    }

    #[test]
    fn rejection_reports_the_first_failed_rule() {
        let c = Candidate {
            provider_active: false,
            free_capacity: 0,
            price_per_block: 99,
            ..cand(1)
        };
        assert_eq!(rejection(&c, &reqs()), Some(Reject::Inactive));
    }

    // ---- required attributes ----

    #[test]
    fn required_attribute_self_declared_fits_without_trusted_attestors() {
        let r = needing(vec![attr("region", "eu")], vec![]);
        assert_eq!(rejection(&cand(1), &r), Some(Reject::MissingAttribute));
        assert_eq!(
            rejection(&declaring(1, vec![attr("region", "eu")]), &r),
            None
        );
        // Any attestation counts when no attestor is demanded.
        assert_eq!(
            rejection(&attested_by(1, 9, vec![attr("region", "eu")]), &r),
            None
        );
    }

    #[test]
    fn required_attribute_needs_exact_key_and_value() {
        let r = needing(vec![attr("region", "eu")], vec![]);
        for other in [
            attr("region", "us"),
            attr("zone", "eu"),
            attr("Region", "eu"),
        ] {
            assert_eq!(
                rejection(&declaring(1, vec![other.clone()]), &r),
                Some(Reject::MissingAttribute),
                "{other:?}"
            );
        }
    }

    #[test]
    fn every_required_attribute_is_needed() {
        let r = needing(vec![attr("region", "eu"), attr("country", "SE")], vec![]);
        assert_eq!(
            rejection(&declaring(1, vec![attr("region", "eu")]), &r),
            Some(Reject::MissingAttribute)
        );
        let both = declaring(1, vec![attr("country", "SE"), attr("region", "eu")]);
        assert_eq!(rejection(&both, &r), None);
    }

    #[test]
    fn self_declared_does_not_satisfy_a_trusted_attestor_requirement() {
        let r = needing(vec![attr("region", "eu")], vec![7]);
        let c = declaring(1, vec![attr("region", "eu")]);
        assert_eq!(rejection(&c, &r), Some(Reject::MissingAttribute));
    }

    #[test]
    fn attestation_by_an_untrusted_attestor_is_rejected() {
        let r = needing(vec![attr("region", "eu")], vec![7]);
        let c = attested_by(1, 8, vec![attr("region", "eu")]);
        assert_eq!(rejection(&c, &r), Some(Reject::MissingAttribute));
    }

    #[test]
    fn attestation_by_a_trusted_attestor_fits() {
        let r = needing(vec![attr("region", "eu")], vec![6, 7]);
        assert_eq!(
            rejection(&attested_by(1, 7, vec![attr("region", "eu")]), &r),
            None
        );
        // The trusted attestor must vouch for that exact value.
        assert_eq!(
            rejection(&attested_by(1, 7, vec![attr("region", "us")]), &r),
            Some(Reject::MissingAttribute)
        );
    }

    #[test]
    fn required_attributes_may_come_from_different_trusted_attestors() {
        let r = needing(
            vec![attr("region", "eu"), attr("country", "SE")],
            vec![6, 7],
        );
        let c = Candidate {
            attestations: vec![
                Attestation {
                    attestor: acc(8),
                    attributes: vec![attr("country", "SE")],
                },
                Attestation {
                    attestor: acc(6),
                    attributes: vec![attr("region", "eu")],
                },
            ],
            ..cand(1)
        };
        // The country is only vouched for by the untrusted 8.
        assert_eq!(rejection(&c, &r), Some(Reject::MissingAttribute));
        let mut c = c;
        c.attestations[0].attestor = acc(7);
        assert_eq!(rejection(&c, &r), None);
    }

    // ---- excluded attributes ----

    #[test]
    fn excluded_self_declared_attribute_is_rejected() {
        let r = excluding(vec![attr("network", "aws")], vec![]);
        let c = declaring(1, vec![attr("network", "aws")]);
        assert_eq!(rejection(&c, &r), Some(Reject::ExcludedAttribute));
        // Even when attestors are trusted, self-declaring a banned value rejects.
        let r = excluding(vec![attr("network", "aws")], vec![7]);
        assert_eq!(rejection(&c, &r), Some(Reject::ExcludedAttribute));
    }

    #[test]
    fn excluded_value_attested_by_a_trusted_attestor_is_rejected() {
        let r = excluding(vec![attr("network", "aws")], vec![7]);
        let c = attested_by(1, 7, vec![attr("network", "aws")]);
        assert_eq!(rejection(&c, &r), Some(Reject::ExcludedAttribute));
    }

    #[test]
    fn excluded_value_attested_by_an_untrusted_attestor_is_ignored() {
        let r = excluding(vec![attr("network", "aws")], vec![7]);
        let c = attested_by(1, 8, vec![attr("network", "aws")]);
        assert_eq!(rejection(&c, &r), None);
    }

    #[test]
    fn excluded_value_attested_by_anyone_is_rejected_when_no_attestor_is_named() {
        let r = excluding(vec![attr("network", "aws")], vec![]);
        let c = attested_by(1, 8, vec![attr("network", "aws")]);
        assert_eq!(rejection(&c, &r), Some(Reject::ExcludedAttribute));
    }

    #[test]
    fn excluded_key_with_a_different_value_fits() {
        let r = excluding(vec![attr("network", "aws")], vec![7]);
        assert_eq!(
            rejection(&declaring(1, vec![attr("network", "hetzner")]), &r),
            None
        );
        assert_eq!(
            rejection(&attested_by(1, 7, vec![attr("network", "ovh")]), &r),
            None
        );
    }

    #[test]
    fn exclusion_wins_over_a_satisfied_requirement() {
        let r = Requirements {
            required_attributes: vec![attr("region", "eu")],
            excluded_attributes: vec![attr("network", "aws")],
            ..reqs()
        };
        let c = declaring(1, vec![attr("region", "eu"), attr("network", "aws")]);
        assert_eq!(rejection(&c, &r), Some(Reject::ExcludedAttribute));
    }

    // ---- strategies ----

    #[test]
    fn nothing_is_picked_from_an_empty_or_unfit_window() {
        let unfit = [priced(1, 11), with_free(2, 0)];
        for s in all_strategies() {
            for seed in [0, 1, u64::MAX] {
                assert_eq!(pick(&s, &[], &reqs(), seed), None, "{s:?}");
                assert_eq!(pick(&s, &unfit, &reqs(), seed), None, "{s:?}");
            }
        }
        assert_eq!(pick(&Strategy::RoundRobin, &unfit, &reqs(), 0), None);
    }

    #[test]
    fn every_strategy_skips_unfit_candidates() {
        // Only index 2 fits; it is the worst on nothing but the rules.
        let window = [priced(1, 11), with_free(2, 0), with_free(3, 1)];
        for s in all_strategies() {
            for seed in 0..5 {
                assert_eq!(pick(&s, &window, &reqs(), seed), Some(2), "{s:?}");
            }
        }
    }

    #[test]
    fn round_robin_picks_the_first_fitting() {
        let window = [priced(1, 11), cand(2), cand(3)];
        assert_eq!(pick(&Strategy::RoundRobin, &window, &reqs(), 42), Some(1));
        assert_eq!(pick(&Strategy::RoundRobin, &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn random_picks_the_seed_mod_n_th_fitting() {
        // Fitting: indices 1, 2, 4.
        let window = [priced(0, 11), cand(1), cand(2), with_free(3, 0), cand(4)];
        let expected = [1, 2, 4, 1, 2, 4];
        for (seed, want) in expected.iter().enumerate() {
            assert_eq!(
                pick(&Strategy::Random, &window, &reqs(), seed as u64),
                Some(*want)
            );
        }
        // u64::MAX % 3 == 0.
        assert_eq!(pick(&Strategy::Random, &window, &reqs(), u64::MAX), Some(1));
    }

    #[test]
    fn capacity_picks_the_most_free_earliest_on_ties() {
        let window = [
            with_free(1, 3),
            with_free(2, 7),
            with_free(3, 7),
            Candidate {
                price_per_block: 11,
                ..with_free(4, 100)
            },
        ];
        assert_eq!(pick(&Strategy::Capacity, &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_price_only_picks_the_cheapest() {
        let inactive_cheapest = Candidate {
            provider_active: false,
            ..priced(4, 1)
        };
        let window = [priced(1, 9), priced(2, 4), priced(3, 4), inactive_cheapest];
        assert_eq!(pick(&scored(1, 0, 0, 0), &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_capacity_only_picks_the_most_free() {
        let window = [with_free(1, 2), with_free(2, 9), with_free(3, 4)];
        assert_eq!(pick(&scored(0, 5, 0, 0), &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_reputation_only_picks_the_best_record() {
        let record = |n, completed, exited, missed| Candidate {
            reputation: valued(completed, exited, missed),
            ..cand(n)
        };
        let window = [
            record(1, 10, 10, 0), // 500
            record(2, 0, 0, 0),   // neutral 500
            record(3, 9, 0, 1),   // 900
            record(4, 1, 0, 0),   // 1000
            record(5, 1, 1, 1),   // 333
        ];
        assert_eq!(pick(&scored(0, 0, 3, 0), &window, &reqs(), 0), Some(3));
        // A fresh provider (neutral 500) beats a poor record.
        let window = [record(1, 1, 2, 0), record(2, 0, 0, 0)];
        assert_eq!(pick(&scored(0, 0, 1, 0), &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_preferred_only_picks_the_preferred() {
        let r = Requirements {
            preferred_providers: vec![acc(3)],
            ..reqs()
        };
        let window = [cand(1), cand(2), cand(3), cand(4)];
        assert_eq!(pick(&scored(0, 0, 0, 1), &window, &r, 0), Some(2));
    }

    #[test]
    fn scored_zero_weights_pick_the_first_fitting() {
        let window = [with_free(1, 0), priced(2, 9), priced(3, 1)];
        assert_eq!(pick(&scored(0, 0, 0, 0), &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_weighs_terms_against_each_other() {
        // 1: cheapest (price term 1000), little capacity (100).
        // 2: dearest (0), most capacity (1000).
        let window = [
            Candidate {
                price_per_block: 1,
                free_capacity: 1,
                ..cand(1)
            },
            Candidate {
                price_per_block: 10,
                free_capacity: 10,
                ..cand(2)
            },
        ];
        // price 2 × 1000 + capacity 1 × 100 = 2100 vs 1 × 1000.
        assert_eq!(pick(&scored(2, 1, 0, 0), &window, &reqs(), 0), Some(0));
        // price 1 × 1000 + capacity 2 × 100 = 1200 vs 2 × 1000.
        assert_eq!(pick(&scored(1, 2, 0, 0), &window, &reqs(), 0), Some(1));
        // Equal 1000 + 100 vs 1000: the cheap one.
        assert_eq!(pick(&scored(1, 1, 0, 0), &window, &reqs(), 0), Some(0));
    }

    #[test]
    fn scored_normalises_over_fitting_candidates_only() {
        // Over the fitting two: 1 → price 1000 + capacity 333 = 1333,
        // 2 → 0 + 1000 = 1000. Were the unfit 0-priced offer counted, the
        // price range would be 0..=10 and 1 would score 500 + 333 = 833.
        let window = [
            Candidate {
                price_per_block: 0,
                free_capacity: 0,
                provider_active: false,
                ..cand(0)
            },
            Candidate {
                price_per_block: 5,
                free_capacity: 1,
                ..cand(1)
            },
            Candidate {
                price_per_block: 10,
                free_capacity: 3,
                ..cand(2)
            },
        ];
        assert_eq!(pick(&scored(1, 1, 0, 0), &window, &reqs(), 0), Some(1));
    }

    #[test]
    fn scored_survives_extreme_values() {
        let r = Requirements {
            max_price_per_block: Balance::MAX,
            preferred_providers: vec![acc(2)],
            ..reqs()
        };
        let window = [
            Candidate {
                price_per_block: Balance::MAX,
                free_capacity: u32::MAX,
                reputation: valued(Balance::MAX, Balance::MAX, Balance::MAX),
                ..cand(1)
            },
            Candidate {
                price_per_block: Balance::MAX - 1,
                free_capacity: 1,
                ..cand(2)
            },
        ];
        let max = u32::MAX;
        assert_eq!(pick(&scored(max, 0, 0, 0), &window, &r, 0), Some(1));
        assert_eq!(pick(&scored(0, max, 0, 0), &window, &r, 0), Some(0));
        assert_eq!(pick(&scored(max, max, max, max), &window, &r, 0), Some(1));
    }

    #[test]
    fn price_term_is_exact_in_range_and_monotone_beyond() {
        let stats = |min_price, max_price| WindowStats {
            min_price,
            max_price,
            max_free: 1,
        };
        assert_eq!(price_term(7, &stats(7, 7)), 1_000);
        assert_eq!(price_term(0, &stats(0, 3)), 1_000);
        assert_eq!(price_term(1, &stats(0, 3)), 666);
        assert_eq!(price_term(2, &stats(0, 3)), 333);
        assert_eq!(price_term(3, &stats(0, 3)), 0);
        // Huge prices take the scaled path: the cheapest alone keeps 1000.
        let s = stats(0, Balance::MAX);
        assert_eq!(price_term(0, &s), 1_000);
        assert_eq!(price_term(1, &s), 999);
        assert_eq!(price_term(Balance::MAX / 2, &s), 500);
        assert_eq!(price_term(Balance::MAX, &s), 0);
        let mut last = 1_000;
        for shift in 0..128 {
            let term = price_term(1u128 << shift, &s);
            assert!(term <= last, "not monotone at 2^{shift}");
            last = term;
        }
    }

    #[test]
    fn reputation_and_capacity_terms() {
        let stats = WindowStats {
            min_price: 0,
            max_price: 0,
            max_free: 8,
        };
        assert_eq!(capacity_term(8, &stats), 1_000);
        assert_eq!(capacity_term(2, &stats), 250);
        let with = |completed, exited, missed| Candidate {
            reputation: valued(completed, exited, missed),
            ..cand(1)
        };
        assert_eq!(reputation_term(&with(0, 0, 0)), 500);
        assert_eq!(reputation_term(&with(3, 1, 0)), 750);
        assert_eq!(reputation_term(&with(0, 0, 4)), 0);
        assert_eq!(reputation_term(&with(Balance::MAX, 0, 0)), 1_000);
        assert_eq!(
            reputation_term(&with(Balance::MAX / 2, Balance::MAX / 2, 0)),
            500
        );
        assert_eq!(reputation_term(&with(Balance::MAX, Balance::MAX, 0)), 500);
        assert_eq!(
            reputation_term(&with(Balance::MAX, Balance::MAX, Balance::MAX)),
            333
        );
    }

    #[test]
    fn reputation_weighs_value_not_count() {
        // A thousand subscriptions at a price of 1 against one real miss.
        let farmed = Candidate {
            reputation: Reputation {
                completed: 1_000,
                completed_value: 1_000,
                missed_ready: 1,
                missed_value: 1_000_000,
                ..Reputation::default()
            },
            ..cand(1)
        };
        assert_eq!(reputation_term(&farmed), 0);
        let served = Candidate {
            reputation: Reputation {
                completed: 1,
                completed_value: 1_000_000,
                ..Reputation::default()
            },
            ..cand(2)
        };
        assert_eq!(reputation_term(&served), 1_000);
    }

    #[test]
    fn pricing_notice_and_fee_bounds() {
        let dynamic = |notice| Candidate {
            pricing: Pricing::Dynamic,
            notice_blocks: notice,
            ..cand(1)
        };
        let fixed_only = Requirements {
            fixed_price_only: true,
            ..reqs()
        };
        assert_eq!(
            rejection(&dynamic(10), &fixed_only),
            Some(Reject::NotFixedPrice)
        );
        assert_eq!(rejection(&cand(1), &fixed_only), None);
        let bounded = Requirements {
            max_notice_blocks: Some(10),
            min_reprice_notice: 5,
            ..reqs()
        };
        assert_eq!(
            rejection(&dynamic(11), &bounded),
            Some(Reject::NoticeTooLong)
        );
        assert_eq!(rejection(&dynamic(10), &bounded), None, "inclusive");
        assert_eq!(rejection(&dynamic(5), &bounded), None, "inclusive");
        assert_eq!(
            rejection(&dynamic(4), &bounded),
            Some(Reject::RepriceNoticeTooShort)
        );
        let fixed_short = Candidate {
            notice_blocks: 0,
            ..cand(1)
        };
        assert_eq!(
            rejection(&fixed_short, &bounded),
            None,
            "a Fixed offer is never repriced without consent"
        );
        let fee = |cancel_fee| Candidate {
            cancel_fee,
            ..cand(1)
        };
        assert_eq!(rejection(&fee(1), &reqs()), Some(Reject::CancelFeeTooHigh));
        let accepting = Requirements {
            max_cancel_fee: 30,
            ..reqs()
        };
        assert_eq!(rejection(&fee(30), &accepting), None);
        assert_eq!(
            rejection(&fee(31), &accepting),
            Some(Reject::CancelFeeTooHigh)
        );
    }
}
