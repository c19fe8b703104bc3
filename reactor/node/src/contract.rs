//! The subscription and registry contracts' own types (as ink! builds them
//! for an off-chain caller) mapped to the reactor's plain ones. Shared by
//! every back-end: the node's ([`crate::node`]) and the drink sandbox's
//! (`e2e-tests/src/reactor_chain.rs`), so both read the chain the same way.

use dinfra::lifecycle::{CloseReason as ContractCloseReason, Subscription};
use dinfra::traits::Details;
use dinfra_reactor::chain::{BlockNumber, SubscriptionId};
use dinfra_reactor::{ChainEvent, CloseReason, Descriptor, SubscriptionView};
use dinfra_subscription::subscription::{
    AwardDeclined, AwardRevoked, Awarded, Closed, DeploymentReady, EndScheduled, RegistryRefused,
};
use ink::env::Event;
use scale::Decode;
use std::fmt::Debug;

/// The reactor-facing event of a subscription-contract event given its
/// first topic (ink! 5's signature topic) and data: `Ok(None)` for an event
/// the reactor does not follow, `Err` for one whose signature matches but
/// whose data does not decode.
pub fn chain_event(
    signature: Option<[u8; 32]>,
    data: &[u8],
) -> Result<Option<ChainEvent>, scale::Error> {
    fn is<E: Event>(signature: Option<[u8; 32]>) -> bool {
        E::SIGNATURE_TOPIC.is_some() && signature == E::SIGNATURE_TOPIC
    }
    let account = |id: ink::primitives::AccountId| -> [u8; 32] { *id.as_ref() };
    let data = &mut &data[..];
    let event = if is::<Awarded>(signature) {
        let e = Awarded::decode(data)?;
        ChainEvent::Awarded {
            id: e.id,
            provider: account(e.provider),
            type_id: e.type_id,
            descriptor: Descriptor {
                hash: e.descriptor_hash,
                uri: e.descriptor_uri,
            },
            ready_deadline: e.ready_deadline,
        }
    } else if is::<AwardRevoked>(signature) {
        let e = AwardRevoked::decode(data)?;
        ChainEvent::AwardRevoked {
            id: e.id,
            provider: account(e.provider),
        }
    } else if is::<AwardDeclined>(signature) {
        let e = AwardDeclined::decode(data)?;
        ChainEvent::AwardDeclined {
            id: e.id,
            provider: account(e.provider),
        }
    } else if is::<DeploymentReady>(signature) {
        let e = DeploymentReady::decode(data)?;
        ChainEvent::DeploymentReady {
            id: e.id,
            provider: account(e.provider),
            at: e.at,
        }
    } else if is::<EndScheduled>(signature) {
        let e = EndScheduled::decode(data)?;
        ChainEvent::EndScheduled {
            id: e.id,
            end: e.end,
            reason: close_reason(e.reason),
        }
    } else if is::<Closed>(signature) {
        let e = Closed::decode(data)?;
        ChainEvent::Closed {
            id: e.id,
            reason: close_reason(e.reason),
        }
    } else if is::<RegistryRefused>(signature) {
        let e = RegistryRefused::decode(data)?;
        ChainEvent::RegistryRefused {
            id: e.id,
            offer_id: e.offer_id,
        }
    } else {
        return Ok(None);
    };
    Ok(Some(event))
}

pub fn close_reason(reason: ContractCloseReason) -> CloseReason {
    match reason {
        ContractCloseReason::ConsumerCancelled => CloseReason::ConsumerCancelled,
        ContractCloseReason::ProviderExited => CloseReason::ProviderExited,
        ContractCloseReason::FundsExhausted => CloseReason::FundsExhausted,
        ContractCloseReason::ReadyTimeout => CloseReason::ReadyTimeout,
        ContractCloseReason::Declined => CloseReason::Declined,
        ContractCloseReason::Reclaimed => CloseReason::Reclaimed,
    }
}

/// The reactor's view of the contract's `details(id)`. The record's terms
/// that only the consumer acts on (`cancel_fee`, `consumer_notice`,
/// `ready_timeout`, the requirements, pricing) are not part of it.
pub fn subscription_view(id: SubscriptionId, details: Details) -> SubscriptionView {
    let s = details.subscription;
    SubscriptionView {
        id,
        consumer: *s.consumer.as_ref(),
        provider: *s.provider.as_ref(),
        type_id: s.type_id,
        descriptor: Descriptor {
            hash: s.descriptor.hash,
            uri: s.descriptor.uri,
        },
        ready_deadline: s.ready_deadline,
        ready_at: s.ready_at,
        end: s.end.map(|(end, _)| end),
        closed: s.closed.is_some(),
        withdrawable: details.figures.withdrawable,
    }
}

/// What the reactor would have learnt from a subscription's events, read
/// from its current state instead: for blocks whose state (and so whose
/// events) the node has pruned. Only `provider`'s subscriptions count.
/// - awarded to another provider since (revoked or declined, then handed
///   on): nothing — a tracked deployment of it was stopped by the
///   `AwardRevoked`/`AwardDeclined` the reactor read, or is stopped when
///   it next reads the subscription (before `mark_ready`);
/// - closed: `Closed` only (it stops a tracked deployment; an untracked one
///   is of no concern; a decline that found no other provider ends here,
///   `Declined`);
/// - ended at or before `now`, not closed: `EndScheduled` only (a tracked
///   deployment stops and claims; nothing is started for an untracked one);
/// - otherwise `Awarded`, then `DeploymentReady` and `EndScheduled` as far as
///   they happened — applying them to a reactor that knew them changes
///   nothing.
pub fn snapshot_events(
    id: SubscriptionId,
    subscription: &Subscription,
    provider: &[u8; 32],
    now: BlockNumber,
) -> Vec<ChainEvent> {
    let account = |id: &ink::primitives::AccountId| -> [u8; 32] { *id.as_ref() };
    if &account(&subscription.provider) != provider {
        return Vec::new(); // awarded to it once, re-awarded since
    }
    if let Some(reason) = subscription.closed {
        return vec![ChainEvent::Closed {
            id,
            reason: close_reason(reason),
        }];
    }
    let ended = |(end, reason): (BlockNumber, ContractCloseReason)| ChainEvent::EndScheduled {
        id,
        end,
        reason: close_reason(reason),
    };
    match subscription.end {
        Some((end, reason)) if end <= now => return vec![ended((end, reason))],
        _ => {}
    }
    let mut events = vec![ChainEvent::Awarded {
        id,
        provider: *provider,
        type_id: subscription.type_id,
        descriptor: Descriptor {
            hash: subscription.descriptor.hash,
            uri: subscription.descriptor.uri.clone(),
        },
        ready_deadline: subscription.ready_deadline,
    }];
    if let Some(at) = subscription.ready_at {
        events.push(ChainEvent::DeploymentReady {
            id,
            provider: *provider,
            at,
        });
    }
    if let Some(end) = subscription.end {
        events.push(ended(end));
    }
    events
}

/// The name of an error's variant (`NothingToClaim`, `Escrow` …) from its
/// `Debug` form: what [`dinfra_reactor::ChainError::Contract`] carries.
pub fn variant_name(error: &impl Debug) -> String {
    let text = format!("{error:?}");
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dinfra::traits::SubscriptionError;
    use scale::Encode;

    #[test]
    fn an_awarded_event_decodes_by_its_signature() {
        let event = Awarded {
            id: 7,
            provider: ink::primitives::AccountId::from([2; 32]),
            type_id: 1,
            offer_id: 3,
            rate_per_block: 1_000,
            descriptor_hash: [9; 32],
            descriptor_uri: "file:///d.json".into(),
            ready_deadline: 40,
        };
        let decoded = chain_event(Awarded::SIGNATURE_TOPIC, &event.encode()).unwrap();
        assert_eq!(
            decoded,
            Some(ChainEvent::Awarded {
                id: 7,
                provider: [2; 32],
                type_id: 1,
                descriptor: Descriptor {
                    hash: [9; 32],
                    uri: "file:///d.json".into()
                },
                ready_deadline: 40,
            })
        );
    }

    #[test]
    fn a_decline_and_a_registry_refusal_decode_by_their_signatures() {
        let declined = AwardDeclined {
            id: 5,
            provider: ink::primitives::AccountId::from([3; 32]),
        };
        assert_eq!(
            chain_event(AwardDeclined::SIGNATURE_TOPIC, &declined.encode()),
            Ok(Some(ChainEvent::AwardDeclined {
                id: 5,
                provider: [3; 32]
            }))
        );
        // The same fields as AwardRevoked, another signature.
        assert_ne!(
            AwardDeclined::SIGNATURE_TOPIC,
            AwardRevoked::SIGNATURE_TOPIC
        );
        assert_eq!(
            chain_event(AwardRevoked::SIGNATURE_TOPIC, &declined.encode()),
            Ok(Some(ChainEvent::AwardRevoked {
                id: 5,
                provider: [3; 32]
            }))
        );
        let refused = RegistryRefused { id: 6, offer_id: 2 };
        assert_eq!(
            chain_event(RegistryRefused::SIGNATURE_TOPIC, &refused.encode()),
            Ok(Some(ChainEvent::RegistryRefused { id: 6, offer_id: 2 }))
        );
        let closed = Closed {
            id: 5,
            reason: ContractCloseReason::Declined,
            paid: 0,
            refunded: 1_000,
        };
        assert_eq!(
            chain_event(Closed::SIGNATURE_TOPIC, &closed.encode()),
            Ok(Some(ChainEvent::Closed {
                id: 5,
                reason: CloseReason::Declined
            }))
        );
    }

    #[test]
    fn other_events_are_skipped_and_bad_data_is_an_error() {
        assert_eq!(chain_event(Some([0; 32]), &[1, 2, 3]), Ok(None));
        assert_eq!(chain_event(None, &[]), Ok(None));
        assert!(chain_event(Closed::SIGNATURE_TOPIC, &[1]).is_err());
    }

    fn subscription(provider: u8) -> Subscription {
        Subscription {
            consumer: ink::primitives::AccountId::from([1; 32]),
            type_id: 2,
            descriptor: dinfra::traits::Descriptor {
                hash: [9; 32],
                uri: "file:///d.json".into(),
            },
            requirements: Default::default(),
            offer_id: 0,
            provider: ink::primitives::AccountId::from([provider; 32]),
            stream_id: 0,
            rate_per_block: 10,
            pricing: dinfra::traits::Pricing::Fixed,
            min_duration: 5,
            notice_blocks: 5,
            cancel_fee: 0,
            consumer_notice: 3,
            ready_timeout: 20,
            awarded_at: 10,
            ready_deadline: 30,
            ready_at: None,
            end: None,
            price_change: None,
            phase: dinfra::lifecycle::Phase::Awarded,
            closed: None,
        }
    }

    #[test]
    fn a_snapshot_replays_what_happened_to_this_providers_subscriptions() {
        let me = [7; 32];
        // Awarded only; then ready; then ending later than now.
        let mut s = subscription(7);
        let awarded = ChainEvent::Awarded {
            id: 4,
            provider: me,
            type_id: 2,
            descriptor: Descriptor {
                hash: [9; 32],
                uri: "file:///d.json".into(),
            },
            ready_deadline: 30,
        };
        assert_eq!(snapshot_events(4, &s, &me, 50), vec![awarded.clone()]);
        s.ready_at = Some(20);
        s.end = Some((60, ContractCloseReason::ConsumerCancelled));
        let ready = ChainEvent::DeploymentReady {
            id: 4,
            provider: me,
            at: 20,
        };
        let ends = ChainEvent::EndScheduled {
            id: 4,
            end: 60,
            reason: CloseReason::ConsumerCancelled,
        };
        assert_eq!(
            snapshot_events(4, &s, &me, 50),
            vec![awarded, ready, ends.clone()]
        );
        // Ended by now: only the end, so nothing is started for it.
        assert_eq!(snapshot_events(4, &s, &me, 60), vec![ends]);
        // Closed: only that.
        s.closed = Some(ContractCloseReason::ConsumerCancelled);
        assert_eq!(
            snapshot_events(4, &s, &me, 70),
            vec![ChainEvent::Closed {
                id: 4,
                reason: CloseReason::ConsumerCancelled
            }]
        );
        // Re-awarded to another provider since (revoked, or declined): nothing.
        assert_eq!(snapshot_events(4, &subscription(8), &me, 50), vec![]);
        // Declined with no other provider left: closed, `Declined`.
        let mut declined = subscription(7);
        declined.closed = Some(ContractCloseReason::Declined);
        declined.phase = dinfra::lifecycle::Phase::Closed;
        assert_eq!(
            snapshot_events(4, &declined, &me, 50),
            vec![ChainEvent::Closed {
                id: 4,
                reason: CloseReason::Declined
            }]
        );
    }

    #[test]
    fn variant_names_drop_the_fields() {
        assert_eq!(
            variant_name(&SubscriptionError::NothingToClaim),
            "NothingToClaim"
        );
        assert_eq!(variant_name(&Some(3)), "Some");
    }
}
