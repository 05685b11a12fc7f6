//! The connection guard: the public listener, in front of Rocket.
//!
//! Rocket 0.5 never times out a connection that sends nothing (it turns hyper's header read
//! timeout off) and has no connection limit, so a few thousand idle sockets would use up the
//! process's file descriptors and stop it accepting anyone. The guard accepts every public
//! connection itself and relays it to Rocket on a private loopback port, and:
//!
//! - refuses (closes at once) a connection beyond `max_connections` in all or
//!   `max_connections_per_address` from one address;
//! - closes a connection on which neither side has sent anything for `idle_timeout_secs`;
//! - records which public address each relayed connection came from, so rate limits still
//!   apply per client address ([`Peers::lookup`]).
//!
//! It reads no HTTP: bytes are relayed as they come.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::metrics::Metrics;

/// The guard's settings (keys of the server's configuration).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GuardSettings {
    /// Most open client connections; 0 turns the guard off (Rocket listens directly).
    pub max_connections: usize,
    /// Most open connections from one client address.
    pub max_connections_per_address: usize,
    /// Seconds a connection may stay silent in both directions before it is closed.
    pub idle_timeout_secs: u64,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            max_connections: 10_000,
            max_connections_per_address: 128,
            idle_timeout_secs: 15,
        }
    }
}

/// Which public client address each relayed connection came from, keyed by the relay's own
/// end of the loopback connection (which is what Rocket sees as the remote address).
#[derive(Default)]
pub struct Peers {
    by_relay: Mutex<HashMap<SocketAddr, IpAddr>>,
}

impl Peers {
    /// The public client address behind the relayed connection `remote`, if it is one.
    pub fn lookup(&self, remote: SocketAddr) -> Option<IpAddr> {
        crate::lock(&self.by_relay).get(&remote).copied()
    }

    fn set(&self, relay: SocketAddr, client: Option<IpAddr>) {
        let mut m = crate::lock(&self.by_relay);
        match client {
            Some(ip) => m.insert(relay, ip),
            None => m.remove(&relay),
        };
    }
}

struct Open {
    per_address: Mutex<HashMap<IpAddr, usize>>,
}

/// Counts one connection while it lives.
struct Slot<'a> {
    open: &'a Open,
    metrics: &'a Metrics,
    ip: IpAddr,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut m = crate::lock(&self.open.per_address);
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
        self.metrics
            .connections_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

impl Open {
    fn admit<'a>(
        &'a self,
        ip: IpAddr,
        settings: &GuardSettings,
        metrics: &'a Metrics,
    ) -> Option<Slot<'a>> {
        let mut m = crate::lock(&self.per_address);
        let total = metrics.connections_open.load(Ordering::Relaxed) as usize;
        let mine = m.get(&ip).copied().unwrap_or(0);
        if total >= settings.max_connections || mine >= settings.max_connections_per_address {
            return None;
        }
        m.insert(ip, mine + 1);
        metrics.connections_open.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            open: self,
            metrics,
            ip,
        })
    }
}

/// Accepts public connections on `listener` and relays them to Rocket at `upstream`, until
/// the runtime stops.
pub async fn run(
    listener: TcpListener,
    upstream: SocketAddr,
    settings: GuardSettings,
    peers: Arc<Peers>,
    metrics: Arc<Metrics>,
) {
    let open = Arc::new(Open {
        per_address: Mutex::new(HashMap::new()),
    });
    let settings = Arc::new(settings);
    loop {
        let (client, addr) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors, most likely: wait for connections to close.
                eprintln!("connection guard: cannot accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (open, settings, peers, metrics) = (
            Arc::clone(&open),
            Arc::clone(&settings),
            Arc::clone(&peers),
            Arc::clone(&metrics),
        );
        tokio::spawn(async move {
            let Some(_slot) = open.admit(addr.ip(), &settings, &metrics) else {
                metrics.connections_refused.fetch_add(1, Ordering::Relaxed);
                return; // dropping `client` closes it
            };
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let Ok(relay_end) = server.local_addr() else {
                return;
            };
            peers.set(relay_end, Some(addr.ip()));
            let idle = Duration::from_secs(settings.idle_timeout_secs.max(1));
            if relay(client, server, idle).await {
                metrics
                    .connections_idle_closed
                    .fetch_add(1, Ordering::Relaxed);
            }
            peers.set(relay_end, None);
        });
    }
}

/// Copies both ways until both sides have finished, an error, or `idle` passes with no byte
/// either way. True if it ended for being idle.
async fn relay(mut client: TcpStream, mut server: TcpStream, idle: Duration) -> bool {
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let mut up = vec![0u8; 16 * 1024];
    let mut down = vec![0u8; 64 * 1024];
    let (mut client_open, mut server_open) = (true, true);
    // One timer for the connection, pushed back whenever a byte moves.
    let deadline = tokio::time::sleep(idle);
    tokio::pin!(deadline);
    while client_open || server_open {
        tokio::select! {
            r = cr.read(&mut up), if client_open => match r {
                Ok(0) => {
                    client_open = false;
                    let _ = sw.shutdown().await;
                }
                Ok(n) => {
                    if write_all_within(&mut sw, &up[..n], idle).await.is_err() {
                        // Rocket stopped reading (a 413 before the whole body, say): stop
                        // forwarding, but still deliver what it answered.
                        client_open = false;
                    }
                }
                Err(_) => return false,
            },
            r = sr.read(&mut down), if server_open => match r {
                Ok(0) => {
                    server_open = false;
                    let _ = cw.shutdown().await;
                }
                Ok(n) => {
                    // A client that stops reading (a full receive window) holds the relay
                    // here: with no progress for the idle timeout, the connection is closed,
                    // as an idle one is.
                    match write_all_within(&mut cw, &down[..n], idle).await {
                        Ok(()) => {}
                        Err(Stalled::NoProgress) => return true,
                        Err(Stalled::Failed) => return false,
                    }
                }
                Err(_) => return false,
            },
            () = &mut deadline => return true,
        }
        deadline.as_mut().reset(tokio::time::Instant::now() + idle);
    }
    false
}

/// Why a write was given up.
enum Stalled {
    /// No byte moved for the idle timeout: the peer stopped reading.
    NoProgress,
    /// The connection failed.
    Failed,
}

/// Writes all of `buf`, giving up on an error or when no byte moves for `idle`: a peer that
/// reads slowly but steadily is served, one that stops reading is not waited for.
async fn write_all_within<W: AsyncWrite + Unpin>(
    w: &mut W,
    mut buf: &[u8],
    idle: Duration,
) -> Result<(), Stalled> {
    while !buf.is_empty() {
        match tokio::time::timeout(idle, w.write(buf)).await {
            Ok(Ok(n)) if n > 0 => buf = &buf[n..],
            Ok(_) => return Err(Stalled::Failed),
            Err(_) => return Err(Stalled::NoProgress),
        }
    }
    Ok(())
}
