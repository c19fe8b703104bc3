//! How one call is measured and where the figures go: the [`Cost`] read
//! from a call's `ContractResult` (gas consumed and required, storage
//! deposit), committed calls ([`send`]) and dry runs ([`dry_run`]), and the
//! [`Bench`] that records them as rows of the per-message table, points of
//! the scaling series and flatness checks.

use std::fmt::Debug;

use dinfra_e2e_tests::{call_with_value, Sandbox};
use drink::AccountId32;
use ink::scale::Decode;

use crate::market::{Actor, Contract};

/// What one call consumed, from its `ContractResult`.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub ref_time: u64,
    pub proof_size: u64,
    /// The gas limit the call needs (≥ consumed; equal unless pre-charged).
    pub required_ref_time: u64,
    pub required_proof_size: u64,
    /// Net storage deposit charged to the caller (negative: refunded).
    pub deposit: i128,
}

impl Cost {
    fn of<R, E>(result: &drink::pallet_contracts::ContractResult<R, u128, E>) -> Self {
        let deposit = match result.storage_deposit {
            drink::pallet_contracts::StorageDeposit::Charge(amount) => amount as i128,
            drink::pallet_contracts::StorageDeposit::Refund(amount) => -(amount as i128),
        };
        Self {
            ref_time: result.gas_consumed.ref_time(),
            proof_size: result.gas_consumed.proof_size(),
            required_ref_time: result.gas_required.ref_time(),
            required_proof_size: result.gas_required.proof_size(),
            deposit,
        }
    }

    /// The last call of `session`.
    pub fn last(session: &Sandbox) -> Self {
        Self::of(session.record().last_call_result())
    }
}

/// Calls `message` as `who`, which must return `Ok`; returns the value.
pub fn send<T: Decode + Debug, E: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    who: &Actor,
    message: &str,
    args: &[String],
) -> T {
    send_with_value::<T, E>(session, contract, who, message, args, 0)
}

/// As [`send`], transferring `value` with the call.
pub fn send_with_value<T: Decode + Debug, E: Decode + Debug>(
    session: &mut Sandbox,
    contract: &AccountId32,
    who: &Actor,
    message: &str,
    args: &[String],
    value: u128,
) -> T {
    session.set_actor(who.id.clone());
    let reply: Result<T, E> = call_with_value(session, contract, message, args, value);
    reply.unwrap_or_else(|e| panic!("{message} as {}: {e:?}", who.role))
}

/// A dry run of `message` as `who`; it must not revert.
pub fn dry_run(
    session: &mut Sandbox,
    contract: &AccountId32,
    who: &Actor,
    message: &str,
    args: &[String],
) -> Cost {
    session.set_actor(who.id.clone());
    let result = session
        .dry_run_call(contract.clone(), message, args, None)
        .unwrap_or_else(|e| panic!("{message}: dry run failed: {e:?}"));
    match &result.result {
        Ok(value) if !value.did_revert() => {}
        other => panic!("{message}: the dry run reverted or failed: {other:?}"),
    }
    Cost::of(&result)
}

/// One row of the per-message table.
pub struct Row {
    pub contract: &'static str,
    pub message: String,
    pub caller: &'static str,
    /// `call` (a committed call) or `dry-run` (a query).
    pub how: &'static str,
    pub cost: Cost,
}

/// One point of a scaling series.
pub struct Point {
    pub series: &'static str,
    pub label: String,
    /// The scaling variable (offers, blocks, subscriptions).
    pub n: u64,
    pub cost: Cost,
}

/// A flatness check: the cost at `large` within `bound` of the cost at `small`.
pub struct Check {
    pub what: &'static str,
    pub small: String,
    pub large: String,
    pub ref_diff: f64,
    pub proof_diff: f64,
    pub bound: f64,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.ref_diff < self.bound && self.proof_diff < self.bound
    }
}

/// Everything measured, in the order it was measured.
#[derive(Default)]
pub struct Bench {
    pub rows: Vec<Row>,
    pub series: Vec<Point>,
    pub checks: Vec<Check>,
}

impl Bench {
    /// Calls `message` (which must succeed) and records a row.
    pub fn call<T: Decode + Debug, E: Decode + Debug>(
        &mut self,
        session: &mut Sandbox,
        contract: &Contract,
        who: &Actor,
        message: &str,
        args: &[String],
    ) -> T {
        self.call_with_value::<T, E>(session, contract, who, message, args, 0)
    }

    /// As [`Bench::call`], transferring `value` with the call.
    pub fn call_with_value<T: Decode + Debug, E: Decode + Debug>(
        &mut self,
        session: &mut Sandbox,
        contract: &Contract,
        who: &Actor,
        message: &str,
        args: &[String],
        value: u128,
    ) -> T {
        let result = send_with_value::<T, E>(session, &contract.address, who, message, args, value);
        self.row(contract, who, message, "call", Cost::last(session));
        result
    }

    /// Dry-runs a query and records a row.
    pub fn query(
        &mut self,
        session: &mut Sandbox,
        contract: &Contract,
        who: &Actor,
        message: &str,
        args: &[String],
    ) {
        let cost = dry_run(session, &contract.address, who, message, args);
        self.row(contract, who, message, "dry-run", cost);
    }

    fn row(
        &mut self,
        contract: &Contract,
        who: &Actor,
        message: &str,
        how: &'static str,
        cost: Cost,
    ) {
        self.rows.push(Row {
            contract: contract.name,
            message: message.to_string(),
            caller: who.role,
            how,
            cost,
        });
    }

    pub fn point(&mut self, series: &'static str, label: impl Into<String>, n: u64, cost: Cost) {
        let label = label.into();
        eprintln!(
            "bench: {series} {label}: ref_time {}, proof_size {}",
            cost.ref_time, cost.proof_size
        );
        self.series.push(Point {
            series,
            label,
            n,
            cost,
        });
    }

    pub fn cost(&self, contract: &str, message: &str) -> Cost {
        self.rows
            .iter()
            .find(|row| row.contract == contract && row.message == message)
            .unwrap_or_else(|| panic!("{contract}.{message} was measured"))
            .cost
    }

    /// The point of `series` at `n`, if it was measured.
    pub fn find_point(&self, series: &str, n: u64) -> Option<&Point> {
        self.series.iter().find(|p| p.series == series && p.n == n)
    }

    pub fn series_cost(&self, series: &str, n: u64) -> (&str, Cost) {
        let point = self
            .find_point(series, n)
            .unwrap_or_else(|| panic!("{series} at {n} was measured"));
        (&point.label, point.cost)
    }

    /// Records that `series` at `large` is within `bound` of it at `small`.
    pub fn check_flat(
        &mut self,
        what: &'static str,
        series: &str,
        small: u64,
        large: u64,
        bound: f64,
    ) {
        let (small_label, a) = self.series_cost(series, small);
        let (large_label, b) = self.series_cost(series, large);
        let check = Check {
            what,
            small: small_label.to_string(),
            large: large_label.to_string(),
            ref_diff: relative_difference(a.ref_time, b.ref_time),
            proof_diff: relative_difference(a.proof_size, b.proof_size),
            bound,
        };
        self.checks.push(check);
    }
}

fn relative_difference(a: u64, b: u64) -> f64 {
    (a as f64 - b as f64).abs() / a.min(b).max(1) as f64
}
