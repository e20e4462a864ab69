//! CPU time of the calling thread and of the whole process, for the per-stage figures of
//! an index run (wall time alone cannot tell which stage a 2-core machine spends itself on).

use std::time::Duration;

/// CPU time the calling thread has used so far.
pub fn thread_time() -> Duration {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time all threads of this process have used so far, finished threads included.
pub fn process_time() -> Duration {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn clock(id: libc::clockid_t) -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec and the CPU-time clocks of the calling
    // thread and process always exist; on failure `now` stays zero.
    let ok = unsafe { libc::clock_gettime(id, &mut now) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// CPU time a worker thread spent in each stage of indexing, summed over files and threads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Reading files and hashing them.
    pub read: Duration,
    /// Decompressing and parsing articles.
    pub parse: Duration,
    /// Cleaning and annotating paragraphs.
    pub annotate: Duration,
    /// Building tantivy documents and queueing them for the indexing threads.
    pub documents: Duration,
}

impl StageTimes {
    /// Adds `other`'s times to these.
    pub fn add(&mut self, other: &StageTimes) {
        self.read += other.read;
        self.parse += other.parse;
        self.annotate += other.annotate;
        self.documents += other.documents;
    }
}

/// Measures the calling thread's CPU time between calls.
pub(crate) struct Stopwatch(Duration);

impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        Stopwatch(thread_time())
    }

    /// CPU time since the start or the previous lap.
    pub(crate) fn lap(&mut self) -> Duration {
        let now = thread_time();
        let lap = now.saturating_sub(self.0);
        self.0 = now;
        lap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_shows_in_thread_and_process_time() {
        let (thread0, process0) = (thread_time(), process_time());
        let mut watch = Stopwatch::start();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let lap = watch.lap();
        assert!(lap > Duration::from_millis(1), "lap {lap:?}");
        assert!(thread_time() - thread0 >= lap);
        assert!(process_time() - process0 >= lap);
        assert!(watch.lap() < lap);
    }
}
