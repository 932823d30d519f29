//! Login throttling: after five failed attempts on one username, further attempts are refused for a
//! minute, then two, four... up to fifteen, without checking the password. A success clears the count.
//!
//! Keyed by the username as typed (folded), whether or not the account exists, so that throttling
//! tells nothing about which accounts exist. Time comes from the engine's clock. The state lives in
//! this node's memory: with several nodes behind a load balancer, an attacker gets at most five free
//! attempts per node per window (stated in ARCHITECTURE.md); moving it to the store is future work.

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Failed attempts allowed before the first wait.
pub const FREE_ATTEMPTS: u32 = 5;
const FIRST_WAIT: Duration = Duration::minutes(1);
const LONGEST_WAIT: Duration = Duration::minutes(15);
/// Beyond this many usernames tracked, entries whose wait is over are forgotten.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct LoginThrottle {
    state: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Option<OffsetDateTime>,
}

impl LoginThrottle {
    /// How long this username must still wait, if it must.
    pub(crate) fn wait(&self, username: &str, now: OffsetDateTime) -> Option<Duration> {
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let until = state.get(username)?.blocked_until?;
        (until > now).then(|| until - now)
    }

    pub(crate) fn failed(&self, username: &str, now: OffsetDateTime) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.len() >= MAX_TRACKED {
            state.retain(|_, f| f.blocked_until.is_some_and(|until| until > now));
        }
        let entry = state.entry(username.to_owned()).or_insert(Failures {
            count: 0,
            blocked_until: None,
        });
        entry.count += 1;
        if entry.count >= FREE_ATTEMPTS {
            let doublings = (entry.count - FREE_ATTEMPTS).min(4);
            let wait = (FIRST_WAIT * 2i32.pow(doublings)).min(LONGEST_WAIT);
            entry.blocked_until = Some(now + wait);
        }
    }

    pub(crate) fn succeeded(&self, username: &str) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn waits_grow_and_a_success_clears_them() {
        let throttle = LoginThrottle::default();
        let t0 = datetime!(2026-11-23 09:00 UTC);
        for _ in 0..4 {
            throttle.failed("agent", t0);
        }
        assert_eq!(throttle.wait("agent", t0), None, "four failures are free");
        throttle.failed("agent", t0);
        assert_eq!(throttle.wait("agent", t0), Some(Duration::minutes(1)));
        assert_eq!(throttle.wait("agent", t0 + Duration::seconds(61)), None);
        throttle.failed("agent", t0 + Duration::seconds(61));
        assert_eq!(
            throttle.wait("agent", t0 + Duration::seconds(61)),
            Some(Duration::minutes(2))
        );
        for _ in 0..10 {
            throttle.failed("agent", t0);
        }
        assert_eq!(
            throttle.wait("agent", t0),
            Some(Duration::minutes(15)),
            "capped"
        );
        assert_eq!(throttle.wait("autre", t0), None, "per username");
        throttle.succeeded("agent");
        assert_eq!(throttle.wait("agent", t0), None);
    }
}
