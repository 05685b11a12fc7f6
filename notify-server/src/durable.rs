//! Group commit: many writes, one flush, then every writer is acknowledged.
//!
//! A writer applies its write to the store, takes a ticket, and waits until a flush that
//! started after its ticket has finished. One background task runs the flushes back to back
//! while there are waiters, so under load each fsync covers every write that arrived during
//! the previous one. A 2xx is sent only after `wait` returns `Ok`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::{Notify, watch};

use crate::store::{Store, StoreError};

/// The group-commit coordinator for one store.
pub struct Durability {
    store: Arc<dyn Store>,
    requested: AtomicU64,
    done: watch::Sender<u64>,
    kick: Notify,
    failed: AtomicBool,
    flushes: AtomicU64,
}

impl Durability {
    /// A coordinator; call [`Durability::run`] once, in the background.
    pub fn new(store: Arc<dyn Store>) -> Arc<Durability> {
        Arc::new(Durability {
            store,
            requested: AtomicU64::new(0),
            done: watch::Sender::new(0),
            kick: Notify::new(),
            failed: AtomicBool::new(false),
            flushes: AtomicU64::new(0),
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
        if self.failed.load(Ordering::SeqCst) {
            return Err(StoreError(
                "a flush to disk failed; writes are not acknowledged".into(),
            ));
        }
        Ok(())
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
                let result = tokio::task::spawn_blocking(move || store.flush()).await;
                if !matches!(result, Ok(Ok(()))) {
                    self.failed.store(true, Ordering::SeqCst);
                }
                self.flushes.fetch_add(1, Ordering::Relaxed);
                self.done.send_replace(target);
            }
        }
    }
}
