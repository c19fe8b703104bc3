//! The registry's part of [`super::suite_messages`]: types, providers,
//! offers, attestations, a deregistration and the configuration, each
//! committed call by the caller it is meant for.

use dinfra::traits::RegistryError;
use dinfra_e2e_tests::*;

use super::{Cast, Types};
use crate::market::*;
use crate::measure::{send, Bench};

/// Registry: types, providers, offers, attestations, a deregistration and
/// the configuration.
pub(super) fn messages(
    bench: &mut Bench,
    session: &mut Sandbox,
    suite: &Suite,
    who: &Cast,
) -> Types {
    let [registry, ..] = contracts(suite);
    let provider = &who.provider;
    let type_args = ["\"substrate-rpc\"".into(), hex32([7; 32])];
    let t0: u32 = bench.call::<_, RegistryError>(
        session,
        &registry,
        &who.anyone,
        "register_type",
        &type_args,
    );
    let t1 = register_type(session, suite, "substrate-rpc-dynamic");
    let t2 = register_type(session, suite, "substrate-rpc-reaward");
    let provider_args = [
        "\"infra\"".into(),
        "\"wss://rpc.example\"".into(),
        attributes_arg(&attributes(&[("region", "eu-west")])),
    ];
    bench.call_with_value::<(), RegistryError>(
        session,
        &registry,
        provider,
        "register_provider",
        &provider_args,
        MIN_BOND,
    );
    let offer_args = [t0.to_string(), fixed(10, 20).arg()];
    bench.call::<u64, RegistryError>(session, &registry, provider, "publish_offer", &offer_args);
    // Ten offers of the type in all (the award window), and a spare.
    let mut spare = 0;
    for _ in 0..10 {
        spare = send::<u64, RegistryError>(
            session,
            &registry.address,
            provider,
            "publish_offer",
            &offer_args,
        );
    }
    let update = [spare.to_string(), fixed(11, 20).arg()];
    bench.call::<(), RegistryError>(session, &registry, provider, "update_offer", &update);
    bench.call::<(), RegistryError>(
        session,
        &registry,
        provider,
        "withdraw_offer",
        &id_arg(spare),
    );
    let provider_args = [
        "\"infra\"".into(),
        "\"wss://rpc2.example\"".into(),
        attributes_arg(&attributes(&[("region", "eu-west"), ("network", "own")])),
    ];
    bench.call::<(), RegistryError>(
        session,
        &registry,
        provider,
        "update_provider",
        &provider_args,
    );
    bench.call::<(), RegistryError>(session, &registry, provider, "pause_provider", &[]);
    bench.call::<(), RegistryError>(session, &registry, provider, "resume_provider", &[]);
    let attestation = [
        provider.id.to_string(),
        attributes_arg(&attributes(&[("region", "eu-west")])),
    ];
    bench.call::<(), RegistryError>(session, &registry, &who.anyone, "attest", &attestation);
    let dynamic = OfferSpec {
        dynamic: true,
        ..fixed(10, 5)
    };
    provider_offering(session, suite, &who.dynamic_provider, t1, dynamic);
    for p in &who.reaward_providers {
        provider_offering(session, suite, p, t2, fixed(10, 5));
    }
    provider_offering(session, suite, &who.leaving, t1, fixed(10, 5));
    bench.call::<(), RegistryError>(session, &registry, &who.leaving, "deregister", &[]);
    let configuration = registry_configuration();
    bench.call::<(), RegistryError>(session, &registry, &who.admin, "configure", &configuration);
    Types {
        fixed: t0,
        dynamic: t1,
        reaward: t2,
    }
}
