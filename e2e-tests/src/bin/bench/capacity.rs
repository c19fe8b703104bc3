//! What the sandbox runtime allows: its block weights and code size limit
//! ([`Limits`], read from its configuration), how many calls of a measured
//! cost fit in one block ([`Capacity`]), and each contract's Wasm size
//! ([`WasmSize`]).

use std::path::Path;

use dinfra_e2e_tests::DinfraSandboxRuntime as Runtime;
use drink::frame_support::dispatch::DispatchClass;
use drink::frame_support::traits::Get;
use drink::Weight;

use crate::market::CONTRACTS;
use crate::measure::{Bench, Cost};

/// pallet-contracts' default code size limit on substrate-contracts-node.
pub const NODE_CODE_LIMIT: u64 = 256 * 1024;

/// The limits of the sandbox runtime, read from its configuration.
pub struct Limits {
    pub max_block: Weight,
    /// `BlockWeights::get(Normal).max_total`: what normal extrinsics (every
    /// contract call) may fill of a block.
    pub normal_max_total: Weight,
    pub normal_max_extrinsic: Weight,
    /// Weight frame-system charges every extrinsic.
    pub base_extrinsic: Weight,
    /// pallet-contracts' weight of a `call` extrinsic on top of the gas consumed.
    pub call_base: Weight,
    /// pallet-contracts' `MaxCodeLen` of the sandbox runtime.
    pub max_code_len: u64,
}

pub fn limits() -> Limits {
    use drink::pallet_contracts::WeightInfo as _;
    let weights: ink_sandbox::frame_system::limits::BlockWeights =
        <<Runtime as ink_sandbox::frame_system::Config>::BlockWeights as Get<_>>::get();
    let normal = weights.get(DispatchClass::Normal);
    let max_total = normal.max_total.unwrap_or(weights.max_block);
    Limits {
        max_block: weights.max_block,
        normal_max_total: max_total,
        normal_max_extrinsic: normal.max_extrinsic.unwrap_or(max_total),
        base_extrinsic: normal.base_extrinsic,
        call_base: <<Runtime as drink::pallet_contracts::Config>::WeightInfo>::call(),
        max_code_len: u64::from(
            <<Runtime as drink::pallet_contracts::Config>::MaxCodeLen as Get<u32>>::get(),
        ),
    }
}

/// How many calls fit in the normal class of one block, the sandbox
/// runtime's and a parachain's. frame-system
/// admits an extrinsic when the block's weight plus its pre-dispatch weight
/// (the extrinsic base + pallet-contracts' `call` base + the gas limit, at
/// least `gas_required`) stays within `max_total`, then counts what it
/// consumed (the gas consumed instead of the limit): n calls fit when
/// (n − 1) × consumed + required ≤ max_total.
pub struct Capacity {
    pub what: String,
    pub per_call: Cost,
    /// Units of work one call does (subscriptions claimed).
    pub units: u64,
    /// What one call extrinsic weighs once dispatched.
    pub extrinsic: Weight,
    /// In the sandbox runtime's block (its proof size is unbounded).
    pub sandbox: Fit,
    /// In a parachain's block: [`PARACHAIN_NORMAL_CLASS`].
    pub parachain: Fit,
}

/// What the normal class of a parachain block may fill: 75% of a 2 s
/// block's ref_time (10¹² per second) and of a 5 MiB proof of validity (the
/// PoV limit of today's relay chains) — the budgets a DINFRA call meets on
/// a real chain, unlike the sandbox's unbounded proof size.
pub const PARACHAIN_NORMAL_CLASS: Weight = dinfra_e2e_tests::PARACHAIN_EXTRINSIC_LIMIT;

/// How many calls fit in one block's normal class, by each budget.
pub struct Fit {
    pub by_ref_time: u64,
    pub by_proof_size: u64,
}

impl Fit {
    /// Calls of `extrinsic` each, the last admitted on `admitted`, within `max`.
    fn new(max: Weight, extrinsic: Weight, admitted: Weight) -> Self {
        Self {
            by_ref_time: fitting(max.ref_time(), extrinsic.ref_time(), admitted.ref_time()),
            by_proof_size: fitting(
                max.proof_size(),
                extrinsic.proof_size(),
                admitted.proof_size(),
            ),
        }
    }

    pub fn calls(&self) -> u64 {
        self.by_ref_time.min(self.by_proof_size)
    }

    pub fn binding(&self) -> &'static str {
        if self.by_ref_time <= self.by_proof_size {
            "ref_time"
        } else {
            "proof_size"
        }
    }
}

/// Calls of `consumed` each, the last admitted on `required`, within `max`.
fn fitting(max: u64, consumed: u64, required: u64) -> u64 {
    match max.checked_sub(required) {
        None => 0,
        Some(room) => room / consumed.max(1) + 1,
    }
}

impl Capacity {
    fn new(limits: &Limits, what: impl Into<String>, per_call: Cost, units: u64) -> Self {
        let base = limits.base_extrinsic.saturating_add(limits.call_base);
        let extrinsic =
            base.saturating_add(Weight::from_parts(per_call.ref_time, per_call.proof_size));
        let admitted = base.saturating_add(Weight::from_parts(
            per_call.required_ref_time,
            per_call.required_proof_size,
        ));
        Self {
            what: what.into(),
            per_call,
            units,
            extrinsic,
            sandbox: Fit::new(limits.normal_max_total, extrinsic, admitted),
            parachain: Fit::new(PARACHAIN_NORMAL_CLASS, extrinsic, admitted),
        }
    }
}

/// Calls per block of `create` and the subscription contract's own `claim`
/// (from the per-message table), of a 50-subscription `claim_many`, of the
/// provider's claims at the escrow as the reactor, the TypeScript client and
/// the console send them (`Escrow::withdraw_many` of 1 and of 50 streams,
/// from their series) and of the yardstick.
pub fn capacities(bench: &Bench, limits: &Limits, yardstick: Cost) -> Vec<Capacity> {
    let claim_many_50 = bench.series_cost("claim_many", 50).1;
    let at_escrow_1 = bench.series_cost("Escrow::withdraw_many", 1).1;
    let at_escrow_50 = bench.series_cost("Escrow::withdraw_many", 50).1;
    vec![
        Capacity::new(
            limits,
            "`create` (10 offers of the type)",
            bench.cost("subscription", "Subscription::create"),
            1,
        ),
        Capacity::new(
            limits,
            "the subscription contract's own `claim`",
            bench.cost("subscription", "claim"),
            1,
        ),
        Capacity::new(limits, "`claim_many` of 50", claim_many_50, 50),
        Capacity::new(
            limits,
            "the provider's claim (reactor, client, console): `Escrow::withdraw_many` of 1",
            at_escrow_1,
            1,
        ),
        Capacity::new(
            limits,
            "the provider's claims: `Escrow::withdraw_many` of 50",
            at_escrow_50,
            50,
        ),
        Capacity::new(limits, "yardstick: `PSP22::transfer`", yardstick, 1),
    ]
}

pub struct WasmSize {
    /// The contract, or one of its cold parts (`registry cold part 1`).
    pub contract: String,
    pub artifact: Option<u64>,
    /// `None` when the bundle could not be read (rebuilt meanwhile).
    pub bundle: Option<u64>,
}

/// What #18 asks of every Wasm blob a call may load.
pub const TARGET_CODE_SIZE: u64 = 32 * 1024;

/// Each contract's `artifacts/dinfra_*.wasm` (if built) and drink's bundle,
/// then those of its cold parts (`dinfra_*_coldN`, see
/// `contracts/src/cold.rs`), if it is split.
pub fn wasm_sizes(artifacts: &Path) -> Vec<WasmSize> {
    let artifact = |file: String| {
        std::fs::metadata(artifacts.join(file))
            .ok()
            .map(|m| m.len())
    };
    let mut sizes = Vec::new();
    for (contract, provider) in CONTRACTS {
        sizes.push(WasmSize {
            contract: contract.to_string(),
            artifact: artifact(format!("dinfra_{contract}.wasm")),
            bundle: provider.bundle().ok().map(|b| b.wasm.len() as u64),
        });
        for (i, part) in provider
            .cold_parts()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let n = i + 1;
            sizes.push(WasmSize {
                contract: format!("{contract} cold part {n}"),
                artifact: artifact(format!("dinfra_{contract}_cold{n}.wasm")),
                bundle: Some(part.wasm.len() as u64),
            });
        }
    }
    sizes
}
