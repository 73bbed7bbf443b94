//! One long-lived thread that runs jobs in order, awaited from async code.
//!
//! The language server analyses on such a thread rather than on the runtime's blocking pool:
//! every analysis (and the memory release after a close) then runs on the same thread, which
//! owns the memory the analysis allocated (see [`super::memory`]), and there is never more than
//! one analysis at a time. It is not a rayon thread on purpose: a rayon thread waiting in a
//! parallel loop may pick up a queued job, and an analysis picked up that way would wait for a
//! lock that the loop's owner holds.

use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// A named thread and the queue of its jobs; the thread ends when this is dropped.
pub struct SerialThread {
    jobs: mpsc::Sender<Job>,
}

impl SerialThread {
    /// Starts the thread (fails only when the system cannot start one).
    pub fn spawn(name: &str) -> std::io::Result<SerialThread> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                for job in queue {
                    job();
                }
            })?;
        Ok(SerialThread { jobs })
    }

    /// Runs `work` on the thread after the jobs before it and waits for its value without
    /// blocking the async runtime. A panic in `work` comes back as an error with its message
    /// (the thread goes on with the next job).
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // The receiver is gone only when the caller was cancelled: nobody wants the value.
            let _ = done.send(outcome);
        });
        if self.jobs.send(job).is_err() {
            return Err("the thread has ended".to_string());
        }
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(panic_message(panic.as_ref())),
            Err(_) => Err("the thread ended before the job finished".to_string()),
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        format!("panicked: {text}")
    } else if let Some(text) = panic.downcast_ref::<String>() {
        format!("panicked: {text}")
    } else {
        "panicked".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn jobs_run_in_order_on_one_named_thread() {
        let thread = SerialThread::spawn("serial-test").expect("spawn");
        let first = block_on(thread.run(|| std::thread::current().id()));
        let name = block_on(thread.run(|| std::thread::current().name().map(str::to_string)));
        let second = block_on(thread.run(|| std::thread::current().id()));
        assert_eq!(first, second);
        assert_ne!(Ok(std::thread::current().id()), first);
        assert_eq!(name, Ok(Some("serial-test".to_string())));
    }

    #[test]
    fn a_panicking_job_is_an_error_and_the_thread_goes_on() {
        let thread = SerialThread::spawn("serial-test").expect("spawn");
        let failed = block_on(thread.run(|| -> u8 { panic!("bad input") }));
        assert_eq!(failed, Err("panicked: bad input".to_string()));
        assert_eq!(block_on(thread.run(|| 6 * 7)), Ok(42));
    }
}
