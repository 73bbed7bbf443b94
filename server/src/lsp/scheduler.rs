//! When to re-analyse: after a quiet period (the debounce) following edits, or at once when a
//! request needs fresh results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Scheduler {
    notify: Notify,
    urgent: AtomicBool,
}

impl Scheduler {
    /// Asks for an analysis after the debounce.
    pub fn request(&self) {
        // `notify_one` stores a permit when nobody waits: a request made while an analysis runs
        // is never lost.
        self.notify.notify_one();
    }

    /// Asks for an analysis as soon as possible.
    pub fn request_now(&self) {
        self.urgent.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// Waits for a request, then for `debounce` without further requests (or an urgent one).
    pub async fn wait(&self, debounce: Duration) {
        self.notify.notified().await;
        loop {
            if self.urgent.swap(false, Ordering::SeqCst) {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(debounce) => return,
                _ = self.notify.notified() => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn edits_in_a_burst_wait_for_quiet_and_urgent_requests_do_not() {
        let s = std::sync::Arc::new(Scheduler::default());
        let t0 = Instant::now();
        let burst = s.clone();
        tokio::spawn(async move {
            for _ in 0..5 {
                burst.request();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        s.wait(Duration::from_millis(60)).await;
        assert!(
            t0.elapsed() >= Duration::from_millis(140),
            "{:?}",
            t0.elapsed()
        );
        let t1 = Instant::now();
        s.request_now();
        s.wait(Duration::from_secs(10)).await;
        assert!(t1.elapsed() < Duration::from_secs(1));
    }
}
