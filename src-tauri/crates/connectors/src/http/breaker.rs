//! The circuit breaker, one per provider endpoint: closed → open after N consecutive provider
//! failures → half-open after `open_for` (on the injected clock), letting one probe through →
//! closed on the probe's success, open again on its failure. A small state machine with no I/O;
//! time is passed in.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// When a breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive provider failures (connect errors, timeouts, 5xx) that open the breaker.
    pub failure_threshold: u32,
    /// How long it stays open before letting one probe through.
    pub open_for: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_for: Duration::from_secs(30),
        }
    }
}

/// The state of one breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Circuit {
    /// Calls flow; `failures` consecutive provider failures so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// Calls fail fast until `until`.
    Open {
        /// When a probe may go through.
        until: DateTime<Utc>,
    },
    /// One probe is in flight; other calls fail fast.
    HalfOpen,
}

/// What the breaker says about a call about to be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead.
    Allowed,
    /// Go ahead as the single half-open probe.
    Probe,
    /// Fail fast; the breaker is open until this time.
    Rejected {
        /// The earliest time a call may be let through.
        until: DateTime<Utc>,
    },
}

/// One breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker {
    policy: BreakerPolicy,
    circuit: Circuit,
    /// When the half-open probe was let through.
    probe_since: Option<DateTime<Utc>>,
}

impl Breaker {
    /// A closed breaker.
    pub const fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            circuit: Circuit::Closed { failures: 0 },
            probe_since: None,
        }
    }

    /// The current state.
    pub const fn circuit(&self) -> Circuit {
        self.circuit
    }

    /// Asks to make a call at `now`.
    pub fn admit(&mut self, now: DateTime<Utc>) -> Admission {
        match self.circuit {
            Circuit::Closed { .. } => Admission::Allowed,
            Circuit::Open { until } if now >= until => {
                self.circuit = Circuit::HalfOpen;
                self.probe_since = Some(now);
                Admission::Probe
            }
            Circuit::Open { until } => Admission::Rejected { until },
            // A probe that never reported back (its caller was cancelled) is given up after
            // `open_for`, so a lost probe cannot hold the breaker half-open forever.
            Circuit::HalfOpen
                if self
                    .probe_since
                    .is_none_or(|since| now >= since + self.open_for()) =>
            {
                self.probe_since = Some(now);
                Admission::Probe
            }
            Circuit::HalfOpen => Admission::Rejected {
                until: self.probe_since.map_or(now, |since| since + self.open_for()),
            },
        }
    }

    /// Records that the provider answered (any status that is not a provider failure).
    pub fn on_success(&mut self) {
        self.circuit = Circuit::Closed { failures: 0 };
    }

    /// Records a provider failure at `now`.
    pub fn on_failure(&mut self, now: DateTime<Utc>) {
        match self.circuit {
            Circuit::Closed { failures } => {
                let failures = failures.saturating_add(1);
                self.circuit = if failures >= self.policy.failure_threshold.max(1) {
                    self.open(now)
                } else {
                    Circuit::Closed { failures }
                };
            }
            Circuit::HalfOpen => self.circuit = self.open(now),
            // A call admitted before the breaker opened finished late: it stays open as it was.
            Circuit::Open { .. } => {}
        }
    }

    /// A probe that was admitted but never sent (e.g. cancelled) gives its turn back.
    pub fn on_abandoned(&mut self, now: DateTime<Utc>) {
        if self.circuit == Circuit::HalfOpen {
            self.circuit = Circuit::Open { until: now };
        }
    }

    fn open_for(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.policy.open_for).unwrap_or(chrono::Duration::MAX)
    }

    fn open(&mut self, now: DateTime<Utc>) -> Circuit {
        let until = now + self.open_for();
        Circuit::Open { until }
    }
}

/// A breaker's state for the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakerState {
    /// The provider's name.
    pub provider: String,
    /// The endpoint label.
    pub endpoint: String,
    /// The state.
    pub circuit: Circuit,
}

#[cfg(test)]
mod tests {
    use paysync_core::{Clock, ManualClock};
    use proptest::prelude::*;

    use super::*;

    fn policy(n: u32) -> BreakerPolicy {
        BreakerPolicy {
            failure_threshold: n,
            open_for: Duration::from_secs(30),
        }
    }

    #[test]
    fn full_cycle() {
        let clock = ManualClock::at_fixed_origin();
        let t0 = clock.now();
        let mut b = Breaker::new(policy(3));
        for _ in 0..2 {
            assert_eq!(b.admit(t0), Admission::Allowed);
            b.on_failure(t0);
        }
        b.on_success();
        for _ in 0..3 {
            assert_eq!(b.admit(t0), Admission::Allowed);
            b.on_failure(t0);
        }
        let until = t0 + chrono::Duration::seconds(30);
        assert_eq!(b.circuit(), Circuit::Open { until });
        assert_eq!(
            b.admit(t0 + chrono::Duration::seconds(29)),
            Admission::Rejected { until }
        );
        assert_eq!(b.admit(until), Admission::Probe);
        assert!(
            matches!(b.admit(until), Admission::Rejected { .. }),
            "only one probe"
        );
        b.on_failure(until);
        let again = until + chrono::Duration::seconds(30);
        assert_eq!(b.circuit(), Circuit::Open { until: again });
        assert_eq!(b.admit(again), Admission::Probe);
        b.on_success();
        assert_eq!(b.circuit(), Circuit::Closed { failures: 0 });
    }

    #[test]
    fn a_lost_probe_is_given_up_after_open_for() {
        let t0 = ManualClock::at_fixed_origin().now();
        let mut b = Breaker::new(policy(1));
        b.on_failure(t0);
        let until = t0 + chrono::Duration::seconds(30);
        assert_eq!(b.admit(until), Admission::Probe);
        let later = until + chrono::Duration::seconds(30);
        assert_eq!(
            b.admit(later - chrono::Duration::seconds(1)),
            Admission::Rejected { until: later }
        );
        assert_eq!(
            b.admit(later),
            Admission::Probe,
            "the first probe never reported back"
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Admit,
        Success,
        Failure,
        Tick(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Admit),
            Just(Op::Success),
            Just(Op::Failure),
            (0i64..40).prop_map(Op::Tick),
        ]
    }

    proptest! {
        /// Against a reference model: never admits while open before `until`, admits at most one
        /// probe per half-open period, and opens exactly at the threshold.
        #[test]
        fn matches_the_model(threshold in 1u32..6, ops in proptest::collection::vec(op(), 0..200)) {
            let clock = ManualClock::at_fixed_origin();
            let mut b = Breaker::new(policy(threshold));
            let mut probes_in_flight = 0u32;
            let mut probe_at = None;
            for op in ops {
                let now = clock.now();
                let before = b.circuit();
                match op {
                    Op::Admit => {
                        let a = b.admit(now);
                        match (before, a) {
                            (Circuit::Closed { .. }, got) => prop_assert_eq!(got, Admission::Allowed),
                            (Circuit::Open { until }, Admission::Rejected { until: u }) => {
                                prop_assert!(now < until);
                                prop_assert_eq!(u, until);
                            }
                            (Circuit::Open { until }, Admission::Probe) => {
                                prop_assert!(now >= until);
                                probes_in_flight += 1;
                                probe_at = Some(now);
                            }
                            (Circuit::HalfOpen, Admission::Probe) => {
                                let since = probe_at.unwrap_or(now);
                                prop_assert!(now >= since + chrono::Duration::seconds(30), "second probe too soon");
                                probe_at = Some(now);
                            }
                            (Circuit::HalfOpen, got) => prop_assert!(matches!(got, Admission::Rejected { .. }), "half-open admitted {:?}", got),
                            (state, got) => prop_assert!(false, "{state:?} gave {got:?}"),
                        }
                        prop_assert!(probes_in_flight <= 1);
                        if b.circuit() != Circuit::HalfOpen {
                            probe_at = None;
                        }
                    }
                    Op::Success => {
                        b.on_success();
                        probes_in_flight = 0;
                        prop_assert_eq!(b.circuit(), Circuit::Closed { failures: 0 });
                    }
                    Op::Failure => {
                        b.on_failure(now);
                        probes_in_flight = 0;
                        match before {
                            Circuit::Closed { failures } if failures + 1 >= threshold => {
                                prop_assert!(matches!(b.circuit(), Circuit::Open { .. }), "not open: {:?}", b.circuit());
                            }
                            Circuit::Closed { failures } => {
                                prop_assert_eq!(b.circuit(), Circuit::Closed { failures: failures + 1 });
                            }
                            Circuit::HalfOpen => prop_assert!(matches!(b.circuit(), Circuit::Open { until } if until > now), "probe failure: {:?}", b.circuit()),
                            Circuit::Open { .. } => prop_assert_eq!(b.circuit(), before),
                        }
                    }
                    Op::Tick(s) => clock.advance(chrono::Duration::seconds(s)),
                }
            }
        }
    }
}
