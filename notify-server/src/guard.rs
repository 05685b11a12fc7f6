//! The connection guard: the public listener, in front of Rocket.
//!
//! Rocket 0.5 never times out a connection that sends nothing (it turns hyper's header read
//! timeout off) and has no connection limit, so a few thousand idle sockets would use up the
//! process's file descriptors and stop it accepting anyone. The guard accepts every public
//! connection itself and relays it to Rocket on a private loopback port, and:
//!
//! - refuses (closes at once) a connection beyond `max_connections_per_address` from one
//!   address or `max_connections_per_prefix` from one address prefix (an IPv4 /24, an IPv6
//!   /64: what one attacker easily holds many addresses of); connections from
//!   `trusted_proxies` count towards neither, as they carry many clients;
//! - when `max_connections` are open, makes room for a client from a less crowded prefix by
//!   closing the connection that has been silent longest in the most crowded prefix, and
//!   otherwise refuses;
//! - closes a connection on which neither side has sent anything for `idle_timeout_secs`;
//! - records which public address each relayed connection came from, so rate limits still
//!   apply per client address ([`Peers::lookup`]).
//!
//! It reads no HTTP: bytes are relayed as they come.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;
use tokio::io::{AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::metrics::Metrics;

/// The guard's settings (keys of the server's configuration).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GuardSettings {
    /// Most open client connections; 0 turns the guard off (Rocket listens directly).
    pub max_connections: usize,
    /// Most open connections from one client address.
    pub max_connections_per_address: usize,
    /// Most open connections from one address prefix: an IPv4 /24 or an IPv6 /64.
    pub max_connections_per_prefix: usize,
    /// Seconds a connection may stay silent in both directions before it is closed.
    pub idle_timeout_secs: u64,
    /// Reverse proxies in front of this server (addresses or prefixes such as `10.0.0.0/8`):
    /// their connections are limited only by `max_connections`, and only their `ip_header`
    /// is believed (a client reaching the server directly cannot pick its own address).
    pub trusted_proxies: Vec<String>,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            max_connections: 10_000,
            max_connections_per_address: 128,
            max_connections_per_prefix: 512,
            idle_timeout_secs: 15,
            trusted_proxies: Vec::new(),
        }
    }
}

impl GuardSettings {
    /// The trusted proxies, parsed; an entry that is neither an address nor a prefix is named.
    pub fn proxies(&self) -> Result<Vec<IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "trusted_proxies: {p:?} is not an address or a prefix (such as \
                             10.0.0.5 or 10.0.0.0/8)"
                        )
                    })
            })
            .collect()
    }
}

/// Whether `ip` is one of `proxies`.
pub fn is_proxy(proxies: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    proxies.iter().any(|n| n.contains(&ip))
}

/// An IPv4 address mapped into IPv6 as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The prefix an address counts towards: its /24 (IPv4) or /64 (IPv6).
fn prefix_of(ip: IpAddr) -> IpNet {
    let ip = canonical(ip);
    let len = if ip.is_ipv4() { 24 } else { 64 };
    IpNet::new(ip, len).map_or(IpNet::from(ip), |n| n.trunc())
}

/// The client address a trusted proxy reports in `value` (the `ip_header`'s value): for a
/// list (`X-Forwarded-For: client, proxy1, proxy2`), the rightmost element that is not itself
/// a trusted proxy, since each proxy appends the peer it saw and anything further left may
/// be the client's own invention.
pub fn forwarded_client(value: &str, proxies: &[IpNet]) -> Option<IpAddr> {
    value
        .rsplit(',')
        .map(str::trim)
        .map(|v| {
            v.parse::<IpAddr>()
                .or_else(|_| v.parse::<SocketAddr>().map(|a| a.ip()))
        })
        .map(|r| r.ok())
        .find(|ip| ip.is_none_or(|ip| !is_proxy(proxies, ip)))
        .flatten()
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

/// One open connection, as the guard sees it.
struct Conn {
    ip: IpAddr,
    prefix: IpNet,
    /// Milliseconds since the guard started when a byte last moved.
    last: AtomicU64,
    /// Told when the connection is evicted.
    close: Notify,
    /// Evicted already (and closing): not chosen again.
    evicted: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Counts {
    per_address: HashMap<IpAddr, usize>,
    per_prefix: HashMap<IpNet, usize>,
    conns: HashMap<u64, Arc<Conn>>,
    next: u64,
}

struct Open {
    counts: Mutex<Counts>,
    started: tokio::time::Instant,
    proxies: Vec<IpNet>,
}

impl Open {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// Counts one connection while it lives.
struct Slot<'a> {
    open: &'a Open,
    metrics: &'a Metrics,
    id: u64,
    conn: Arc<Conn>,
    /// A trusted proxy's connection, counted in the total only.
    proxy: bool,
}

fn decrement<K: std::hash::Hash + Eq>(m: &mut HashMap<K, usize>, k: &K) {
    if let Some(n) = m.get_mut(k) {
        *n -= 1;
        if *n == 0 {
            m.remove(k);
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut c = crate::lock(&self.open.counts);
        c.conns.remove(&self.id);
        if !self.proxy {
            decrement(&mut c.per_address, &self.conn.ip);
            decrement(&mut c.per_prefix, &self.conn.prefix);
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
        let mut c = crate::lock(&self.counts);
        let proxy = is_proxy(&self.proxies, ip);
        let prefix = prefix_of(ip);
        let mine = c.per_address.get(&ip).copied().unwrap_or(0);
        let neighbours = c.per_prefix.get(&prefix).copied().unwrap_or(0);
        if !proxy
            && (mine >= settings.max_connections_per_address
                || neighbours >= settings.max_connections_per_prefix)
        {
            return None;
        }
        let total = metrics.connections_open.load(Ordering::Relaxed) as usize;
        if total >= settings.max_connections && !Self::evict(&c, prefix, neighbours, metrics) {
            return None;
        }
        if !proxy {
            c.per_address.insert(ip, mine + 1);
            c.per_prefix.insert(prefix, neighbours + 1);
        }
        let conn = Arc::new(Conn {
            ip,
            prefix,
            last: AtomicU64::new(self.now_ms()),
            close: Notify::new(),
            evicted: std::sync::atomic::AtomicBool::new(false),
        });
        let id = c.next;
        c.next += 1;
        c.conns.insert(id, Arc::clone(&conn));
        metrics.connections_open.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            open: self,
            metrics,
            id,
            conn,
            proxy,
        })
    }

    /// Full: closes the longest-silent connection of the most crowded prefix, if that prefix
    /// holds more than the newcomer's (`neighbours`), so that a crowd from one prefix cannot
    /// keep everyone else out. True if one was closed. (Its count is released when its relay
    /// ends, a moment later: the total may exceed the limit by the evictions in flight.)
    fn evict(c: &Counts, newcomer: IpNet, neighbours: usize, metrics: &Metrics) -> bool {
        let Some((&crowded, &n)) = c.per_prefix.iter().max_by_key(|(_, n)| **n) else {
            return false;
        };
        if crowded == newcomer || n <= neighbours + 1 {
            return false;
        }
        let victim = c
            .conns
            .values()
            .filter(|v| v.prefix == crowded && !v.evicted.load(Ordering::Relaxed))
            .min_by_key(|v| v.last.load(Ordering::Relaxed));
        match victim {
            Some(v) => {
                v.evicted.store(true, Ordering::Relaxed);
                v.close.notify_one();
                metrics.connections_evicted.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
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
        counts: Mutex::new(Counts::default()),
        started: tokio::time::Instant::now(),
        proxies: settings.proxies().unwrap_or_default(),
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
            let Some(slot) = open.admit(addr.ip(), &settings, &metrics) else {
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
            if relay(client, server, idle, &open, &slot.conn).await {
                metrics
                    .connections_idle_closed
                    .fetch_add(1, Ordering::Relaxed);
            }
            peers.set(relay_end, None);
        });
    }
}

/// Copies both ways until both sides have finished, an error, `idle` passes with no byte
/// either way, or the guard evicts the connection. True if it ended for being idle.
async fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    idle: Duration,
    open: &Open,
    conn: &Conn,
) -> bool {
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
            () = conn.close.notified() => return false,
        }
        deadline.as_mut().reset(tokio::time::Instant::now() + idle);
        conn.last.store(open.now_ms(), Ordering::Relaxed);
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
