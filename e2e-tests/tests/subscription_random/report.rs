//! What the run did, counted per operation kind over all sequences and
//! threads (tried, succeeded, refused by which error, closed for which
//! reason), how often each rule the checks model was exercised, and the
//! summary printed at the end.

use crate::draw::Kind;
use crate::execute::Outcome;
use crate::MIN_OPS;
use std::collections::BTreeMap;
use std::time::Duration;

/// Counts per operation kind.
#[derive(Default)]
pub struct Tally {
    pub tried: BTreeMap<Kind, u64>,
    pub succeeded: BTreeMap<Kind, u64>,
    pub errors: BTreeMap<String, u64>,
    pub closes: BTreeMap<String, u64>,
    /// How often each modelled rule was exercised (a waived cancel, a
    /// credited payment, …).
    pub notes: BTreeMap<&'static str, u64>,
    pub ops: u64,
    pub sequences: u64,
    pub max_subscriptions: usize,
}

impl Tally {
    /// Counts one step: an operation of `kind` that did `outcome`.
    pub fn count(&mut self, kind: Kind, outcome: &Outcome) {
        *self.tried.entry(kind).or_default() += 1;
        if outcome.ok {
            *self.succeeded.entry(kind).or_default() += 1;
        }
        if let Some(error) = &outcome.error {
            *self
                .errors
                .entry(format!("{kind:?}: {error:?}"))
                .or_default() += 1;
        }
        self.ops += 1;
    }

    /// Counts one more time `rule` was exercised.
    pub fn note(&mut self, rule: &'static str) {
        self.add(rule, 1);
    }

    /// Counts `times` more times `rule` was exercised.
    pub fn add(&mut self, rule: &'static str, times: u64) {
        if times > 0 {
            *self.notes.entry(rule).or_default() += times;
        }
    }

    /// How often `rule` was exercised.
    pub fn times(&self, rule: &str) -> u64 {
        self.notes.get(rule).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: Tally) {
        fn add<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            for (key, count) in from {
                *into.entry(key).or_default() += count;
            }
        }
        add(&mut self.tried, other.tried);
        add(&mut self.succeeded, other.succeeded);
        add(&mut self.errors, other.errors);
        add(&mut self.closes, other.closes);
        add(&mut self.notes, other.notes);
        self.ops += other.ops;
        self.sequences += other.sequences;
        self.max_subscriptions = self.max_subscriptions.max(other.max_subscriptions);
    }

    /// Prints the summary of a run on `workers` threads that took `elapsed`.
    pub fn print(&self, workers: usize, elapsed: Duration) {
        println!(
            "subscription_random: {} sequences × ≥ {MIN_OPS} operations = {} operations \
             ({} subscriptions at most in one sequence), {workers} thread(s), {elapsed:.1?}",
            self.sequences, self.ops, self.max_subscriptions
        );
        println!("  {:<15} {:>6} {:>6}", "operation", "tried", "ok");
        for (kind, tried) in &self.tried {
            let ok = self.succeeded.get(kind).copied().unwrap_or(0);
            println!("  {:<15} {tried:>6} {ok:>6}", format!("{kind:?}"));
        }
        println!("  closed: {:?}", self.closes);
        println!("  rules exercised:");
        for (rule, count) in &self.notes {
            println!("    {count:>5}  {rule}");
        }
        println!("  refused:");
        for (error, count) in &self.errors {
            println!("    {count:>5}  {error}");
        }
    }
}
