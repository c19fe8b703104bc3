//! The offer the registry reserved, checked against the consumer's
//! requirements on the registry's own terms (`check_reservation`): the
//! deployment type first, then every hard requirement `Unfit` names; and
//! the requirements' own validation of the terms they bound.

use super::*;
use dinfra::lifecycle::check_reservation;
use dinfra::selection::Reject;
use dinfra::traits::Attestation;
use dinfra::{Attribute, Invalid, MAX_TERM_BLOCKS};
use SubscriptionError::Unfit;

fn attr(key: &str, value: &str) -> Attribute {
    Attribute {
        key: key.into(),
        value: value.into(),
    }
}

/// The check of `reservation` against `requirements` for the fixture's type.
fn check(requirements: &Requirements, reservation: &Reservation) -> Result<(), SubscriptionError> {
    check_reservation(TYPE_ID, requirements, reservation)
}

/// The fixture's Dynamic reservation with its offer changed by `change`.
fn offer_with(change: impl FnOnce(&mut Candidate)) -> Reservation {
    let mut r = reservation(Pricing::Dynamic);
    change(&mut r.offer);
    r
}

/// The fixture's requirements changed by `change`.
fn asking(change: impl FnOnce(&mut Requirements)) -> Requirements {
    let mut r = requirements();
    change(&mut r);
    r
}

#[test]
fn the_fixture_offer_fits() {
    for pricing in [Pricing::Fixed, Pricing::Dynamic] {
        assert_eq!(check(&requirements(), &reservation(pricing)), Ok(()));
        assert_eq!(check(&requirements(), &next_reservation()), Ok(()));
    }
}

#[test]
fn another_type_is_refused_first() {
    let mut r = reservation(Pricing::Fixed);
    r.type_id = TYPE_ID + 1;
    assert_eq!(check(&requirements(), &r), Err(Unfit(Reject::WrongType)));
    assert_eq!(
        check_reservation(TYPE_ID + 1, &requirements(), &r),
        Ok(()),
        "the type asked for"
    );
    // Before any requirement: an offer unfit in every way still names
    // the type.
    r.offer.provider_active = false;
    r.offer.free_capacity = 0;
    r.offer.price_per_block = MAX_PRICE + 1;
    assert_eq!(check(&requirements(), &r), Err(Unfit(Reject::WrongType)));
}

#[test]
fn each_requirement_names_its_rejection() {
    let fixed_only = asking(|r| r.fixed_price_only = true);
    let short_notice = asking(|r| r.max_notice_blocks = Some(NOTICE - 1));
    let long_reprice = asking(|r| r.min_reprice_notice = NOTICE + 1);
    let excluded = asking(|r| r.excluded_providers.push(provider()));
    let preferred_only = asking(|r| {
        r.preferred_providers = vec![next_provider()];
        r.preferred_only = true;
    });
    let eu = asking(|r| r.required_attributes = vec![attr("region", "eu")]);
    let no_aws = asking(|r| r.excluded_attributes = vec![attr("network", "aws")]);
    let cases: Vec<(&str, Requirements, Reservation, Reject)> = vec![
        (
            "inactive",
            requirements(),
            offer_with(|o| o.provider_active = false),
            Reject::Inactive,
        ),
        (
            "full",
            requirements(),
            offer_with(|o| o.free_capacity = 0),
            Reject::Full,
        ),
        (
            "repriced above the consumer's max since it looked",
            requirements(),
            offer_with(|o| o.price_per_block = MAX_PRICE + 1),
            Reject::TooExpensive,
        ),
        (
            "a longer minimum duration",
            requirements(),
            offer_with(|o| o.min_duration = 61),
            Reject::MinDuration,
        ),
        (
            "Dynamic for a Fixed-only consumer",
            fixed_only,
            reservation(Pricing::Dynamic),
            Reject::NotFixedPrice,
        ),
        (
            "a longer notice",
            short_notice,
            reservation(Pricing::Fixed),
            Reject::NoticeTooLong,
        ),
        (
            "a Dynamic reprice notice too short",
            long_reprice.clone(),
            reservation(Pricing::Dynamic),
            Reject::RepriceNoticeTooShort,
        ),
        (
            "a cancel fee above the consumer's",
            requirements(),
            offer_with(|o| o.cancel_fee = CANCEL_FEE + 1),
            Reject::CancelFeeTooHigh,
        ),
        (
            "an excluded provider",
            excluded,
            reservation(Pricing::Dynamic),
            Reject::ExcludedProvider,
        ),
        (
            "not a preferred provider",
            preferred_only,
            reservation(Pricing::Dynamic),
            Reject::NotPreferred,
        ),
        (
            "a missing attribute",
            eu.clone(),
            reservation(Pricing::Dynamic),
            Reject::MissingAttribute,
        ),
        (
            "an excluded attribute",
            no_aws,
            offer_with(|o| o.attributes = vec![attr("network", "aws")]),
            Reject::ExcludedAttribute,
        ),
    ];
    for (what, requirements, reservation, reject) in cases {
        assert_eq!(
            check(&requirements, &reservation),
            Err(Unfit(reject)),
            "{what}"
        );
    }
    // The limits themselves fit.
    for (requirements, reservation) in [
        (
            requirements(),
            offer_with(|o| o.price_per_block = MAX_PRICE),
        ),
        (requirements(), offer_with(|o| o.min_duration = 60)),
        (
            asking(|r| r.max_notice_blocks = Some(NOTICE)),
            reservation(Pricing::Dynamic),
        ),
        (
            asking(|r| r.min_reprice_notice = NOTICE),
            reservation(Pricing::Dynamic),
        ),
        // A Fixed offer is never repriced without consent: its notice may
        // be shorter than the reprice notice asked.
        (long_reprice, reservation(Pricing::Fixed)),
        (
            asking(|r| r.fixed_price_only = true),
            reservation(Pricing::Fixed),
        ),
        (
            eu,
            offer_with(|o| o.attributes = vec![attr("region", "eu")]),
        ),
    ] {
        assert_eq!(check(&requirements, &reservation), Ok(()));
    }
}

#[test]
fn a_cancel_fee_is_refused_unless_accepted() {
    // By default a consumer accepts no fee at all.
    let fee_free = Requirements {
        max_cancel_fee: 0,
        ..requirements()
    };
    assert_eq!(
        check(&fee_free, &reservation(Pricing::Fixed)),
        Err(Unfit(Reject::CancelFeeTooHigh))
    );
    assert_eq!(check(&fee_free, &offer_with(|o| o.cancel_fee = 0)), Ok(()));
    assert_eq!(Requirements::default().max_cancel_fee, 0);
}

#[test]
fn attributes_are_checked_on_the_attestations_reserved() {
    let trusting = asking(|r| {
        r.required_attributes = vec![attr("region", "eu")];
        r.trusted_attestors = vec![acc(7)];
    });
    // Self-declared is not enough once an attestor is named.
    let declared = offer_with(|o| o.attributes = vec![attr("region", "eu")]);
    assert_eq!(
        check(&trusting, &declared),
        Err(Unfit(Reject::MissingAttribute))
    );
    let attested = |attestor| {
        offer_with(|o| {
            o.attestations = vec![Attestation {
                attestor: acc(attestor),
                attributes: vec![attr("region", "eu")],
            }];
        })
    };
    assert_eq!(check(&trusting, &attested(7)), Ok(()));
    assert_eq!(
        check(&trusting, &attested(8)),
        Err(Unfit(Reject::MissingAttribute))
    );
}

#[test]
fn the_first_failing_requirement_is_named() {
    // Too expensive, too long a minimum, and a fee too high: the price is
    // checked first.
    let r = offer_with(|o| {
        o.price_per_block = MAX_PRICE + 1;
        o.min_duration = 61;
        o.cancel_fee = CANCEL_FEE + 1;
    });
    assert_eq!(check(&requirements(), &r), Err(Unfit(Reject::TooExpensive)));
}

// ---- the requirements' own rules -------------------------------------------

#[test]
fn max_rate_is_at_least_the_max_price() {
    for max_rate in [
        None,
        Some(MAX_PRICE),
        Some(MAX_PRICE + 1),
        Some(Balance::MAX),
    ] {
        let r = asking(|r| r.max_rate = max_rate);
        assert_eq!(r.validate(), Ok(()), "{max_rate:?}");
        assert_eq!(r.repricing_bound(), max_rate.unwrap_or(MAX_PRICE));
    }
    for max_rate in [Some(MAX_PRICE - 1), Some(0)] {
        let r = asking(|r| r.max_rate = max_rate);
        assert_eq!(r.validate(), Err(Invalid::Price), "{max_rate:?}");
    }
}

#[test]
fn terms_are_bounded() {
    for fits in [
        asking(|r| r.min_duration = MAX_TERM_BLOCKS),
        asking(|r| {
            r.min_reprice_notice = MAX_TERM_BLOCKS;
            r.max_notice_blocks = Some(MAX_TERM_BLOCKS);
        }),
    ] {
        assert_eq!(fits.validate(), Ok(()));
    }
    for too_long in [
        asking(|r| r.min_duration = MAX_TERM_BLOCKS + 1),
        asking(|r| r.min_reprice_notice = MAX_TERM_BLOCKS + 1),
        asking(|r| r.max_notice_blocks = Some(MAX_TERM_BLOCKS + 1)),
        asking(|r| r.max_notice_blocks = Some(u32::MAX)),
    ] {
        assert_eq!(too_long.validate(), Err(Invalid::Duration), "{too_long:?}");
    }
}

#[test]
fn notice_bounds_must_leave_room_for_a_dynamic_offer() {
    let bounds = |max_notice, min_reprice, fixed_price_only| {
        asking(|r| {
            r.max_notice_blocks = Some(max_notice);
            r.min_reprice_notice = min_reprice;
            r.fixed_price_only = fixed_price_only;
        })
    };
    assert_eq!(bounds(10, 10, false).validate(), Ok(()), "equal");
    assert_eq!(bounds(10, 5, false).validate(), Ok(()));
    assert_eq!(bounds(9, 10, false).validate(), Err(Invalid::Requirements));
    // Fixed-only: no offer is ever repriced, the reprice notice binds nothing.
    assert_eq!(bounds(9, 10, true).validate(), Ok(()));
    // Without a longest notice, any reprice notice.
    let any = asking(|r| r.min_reprice_notice = 10);
    assert_eq!(any.validate(), Ok(()));
}
