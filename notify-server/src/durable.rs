//! Group commit: many writes, one flush, then every writer is acknowledged.
//!
//! A writer applies its write to the store, takes a ticket, and waits until a flush that
//! started after its ticket has finished. One background task runs the flushes back to back
//! while there are waiters, so under load each fsync covers every write that arrived during
//! the previous one. A 2xx is sent only after `wait` returns `Ok`.
//!
//! A failed flush fails only the writers it covered: the next flush tries again, so the
//! server writes again by itself once the disk can take writes (space freed, say), and
//! [`Durability::health`] says whether the last flush worked.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};

use crate::store::{Store, StoreError};

/// The group-commit coordinator for one store.
pub struct Durability {
    store: Arc<dyn Store>,
    requested: AtomicU64,
    done: watch::Sender<u64>,
    kick: Notify,
    /// Ticket ranges (first, last) whose covering flush failed, newest last; bounded.
    failed: Mutex<VecDeque<(u64, u64)>>,
    /// Why the last flush failed, if it did (none once a flush works again).
    last_error: Mutex<Option<String>>,
    flushes: AtomicU64,
    /// When the last flush ended, in Unix seconds.
    last_flush: AtomicU64,
}

/// Failed ranges remembered: a waiter whose ticket is older than all of these has long since
/// been answered.
const FAILED_KEPT: usize = 1024;

impl Durability {
    /// A coordinator; call [`Durability::run`] once, in the background.
    pub fn new(store: Arc<dyn Store>) -> Arc<Durability> {
        Arc::new(Durability {
            store,
            requested: AtomicU64::new(0),
            done: watch::Sender::new(0),
            kick: Notify::new(),
            failed: Mutex::new(VecDeque::new()),
            last_error: Mutex::new(None),
            flushes: AtomicU64::new(0),
            last_flush: AtomicU64::new(0),
        })
    }

    /// Returns once every write this task made before calling it is durable.
    pub async fn wait(&self) -> Result<(), StoreError> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.kick.notify_one();
        let mut rx = self.done.subscribe();
        loop {
            if *rx.borrow_and_update() >= ticket {
                break;
            }
            if rx.changed().await.is_err() {
                return Err(StoreError("the flusher stopped".into()));
            }
        }
        let failed = crate::lock(&self.failed)
            .iter()
            .any(|&(first, last)| (first..=last).contains(&ticket));
        if failed {
            return Err(StoreError(
                "a flush to disk failed; the writes it covered are not acknowledged".into(),
            ));
        }
        Ok(())
    }

    /// Seconds since the last flush ended (a large number if none has run).
    pub fn since_last_flush(&self) -> u64 {
        crate::api::now().saturating_sub(self.last_flush.load(Ordering::Relaxed))
    }

    /// `Ok` if the last flush worked (or none has run), else why it failed.
    pub fn health(&self) -> Result<(), String> {
        match &*crate::lock(&self.last_error) {
            None => Ok(()),
            Some(e) => Err(e.clone()),
        }
    }

    /// Number of flushes so far (for metrics).
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }

    /// The flush loop.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.kick.notified().await;
            loop {
                let target = self.requested.load(Ordering::SeqCst);
                if target <= *self.done.borrow() {
                    break;
                }
                let store = Arc::clone(&self.store);
                let result = match tokio::task::spawn_blocking(move || store.flush()).await {
                    Ok(r) => r,
                    Err(e) => Err(StoreError(format!("the flush task failed: {e}"))),
                };
                let first = *self.done.borrow() + 1;
                let mut last_error = crate::lock(&self.last_error);
                match result {
                    Ok(()) => {
                        if last_error.take().is_some() {
                            eprintln!("notify-server: storage: flushes work again");
                        }
                    }
                    Err(e) => {
                        // Logged when the store starts failing, not once per flush.
                        if last_error.is_none() {
                            eprintln!("notify-server: storage error: a flush failed: {e}");
                        }
                        *last_error = Some(e.to_string());
                        let mut failed = crate::lock(&self.failed);
                        failed.push_back((first, target));
                        if failed.len() > FAILED_KEPT {
                            failed.pop_front();
                        }
                    }
                }
                drop(last_error);
                self.flushes.fetch_add(1, Ordering::Relaxed);
                self.last_flush.store(crate::api::now(), Ordering::Relaxed);
                self.done.send_replace(target);
            }
        }
    }
}
