//! One request queue per national-system credential: the site's requests
//! leave at most `rate` per second, in the order they came (the queue is
//! the fair lock's order), and a "too many requests" answer pauses every
//! request of the credential for a while. NMVS rate-limits per client
//! (`NMVS_FI_SE_CLI_01`), securPharm per site certificate (HTTP 429): the
//! site server is the one place that sends for all its counters, so the
//! limit is kept here rather than by each counter guessing.

use engine::{NationalSystem, Port};
use nmvs::{Answer, CallError, PackRequest};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How long every request waits after a "too many requests" answer.
pub const RATE_LIMITED_PAUSE: Duration = Duration::from_secs(1);

/// The queue's clock: the next free slot.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    /// At most `rate_per_sec` requests a second (0: no limit).
    pub fn new(rate_per_sec: f64) -> Pacer {
        let interval = if rate_per_sec > 0.0 {
            Duration::from_secs_f64(1.0 / rate_per_sec)
        } else {
            Duration::ZERO
        };
        Pacer {
            interval,
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// No request leaves before `pause` from now.
    pub async fn back_off(&self, pause: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(Instant::now() + pause);
    }
}

/// Whether an answer says the credential sent too often.
fn rate_limited(r: &Result<Answer, CallError>) -> bool {
    match r {
        Ok(a) => domain::means(&a.response.return_code, "NMVS_FI_SE_CLI_01"),
        Err(CallError::Http { status, .. } | CallError::Unavailable { status, .. }) => {
            *status == 429
        }
        Err(_) => false,
    }
}

/// The site's national-system client behind its queue.
#[derive(Debug, Clone)]
pub struct Paced {
    pub inner: Port,
    pub pacer: Arc<Pacer>,
}

impl NationalSystem for Paced {
    fn interface(&self) -> domain::Interface {
        self.inner.interface()
    }

    async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
        self.pacer.wait().await;
        let r = self.inner.send(req).await;
        if rate_limited(&r) {
            self.pacer.back_off(RATE_LIMITED_PAUSE).await;
        }
        r
    }

    async fn bulk(&self, req: &nmvs::BulkRequest) -> Result<nmvs::BulkResponse, CallError> {
        self.pacer.wait().await;
        self.inner.bulk(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_leave_at_the_rate_in_order() {
        // 100 a second: a slot every 10 ms; lower bounds only (a busy
        // machine may be later, never earlier).
        let p = Pacer::new(100.0);
        let start = Instant::now();
        for _ in 0..5 {
            p.wait().await;
        }
        assert!(start.elapsed() >= Duration::from_millis(40));
        p.back_off(Duration::from_millis(200)).await;
        let before = Instant::now();
        p.wait().await;
        assert!(before.elapsed() >= Duration::from_millis(190));
        // No limit: the slot is now (no sleep ever scheduled later).
        let free = Pacer::new(0.0);
        for _ in 0..100 {
            free.wait().await;
        }
        assert!(*free.next.lock().await <= Instant::now());
    }
}
