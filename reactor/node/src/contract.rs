//! The subscription and registry contracts' own types (as ink! builds them
//! for an off-chain caller) mapped to the reactor's plain ones. Shared by
//! every back-end: the node's ([`crate::node`]) and the drink sandbox's
//! (`e2e-tests/src/reactor_chain.rs`), so both read the chain the same way.

use dinfra::lifecycle::CloseReason as ContractCloseReason;
use dinfra_reactor::chain::SubscriptionId;
use dinfra_reactor::{ChainEvent, CloseReason, Descriptor, SubscriptionView};
use dinfra_subscription::subscription::{
    AwardRevoked, Awarded, Closed, DeploymentReady, Details, EndScheduled,
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
        ContractCloseReason::Admin => CloseReason::Admin,
    }
}

/// The reactor's view of the contract's `details(id)`.
pub fn subscription_view(id: SubscriptionId, details: Details) -> SubscriptionView {
    let s = details.subscription;
    SubscriptionView {
        id,
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
    fn other_events_are_skipped_and_bad_data_is_an_error() {
        assert_eq!(chain_event(Some([0; 32]), &[1, 2, 3]), Ok(None));
        assert_eq!(chain_event(None, &[]), Ok(None));
        assert!(chain_event(Closed::SIGNATURE_TOPIC, &[1]).is_err());
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
