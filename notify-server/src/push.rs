//! Web Push wake-ups (spec section 16b): when an hour closes holding new bundles, every
//! subscribed phone gets the same content-free push, so that its service worker syncs and
//! matches on the phone. Nothing about a match, a visit or a notice is in a push.
//!
//! Each push is a POST to the subscription's endpoint at its push service (RFC 8030), whose
//! body is the fixed [`MESSAGE`] encrypted to the subscription's keys (RFC 8291, `aes128gcm`,
//! in [`ece`]): every push of every round has the same length. The request
//! carries a VAPID token (RFC 8292) signed by the server's key ([`Pusher`]), made at the first
//! start and kept with the store, and a `TTL`. A round claims its hour in the store first, so
//! that of several instances one sends it; it sends to every subscription in a new random
//! order at a fixed pace (`push_sends_per_second`), so that when a phone is woken depends on
//! nothing about it. A push service's `404` or `410` deletes the subscription; other failures
//! are counted and the subscription kept. Endpoints and keys are never logged.

pub mod ece;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use ureq::http;

use crate::config::Settings;
use crate::store::{PushSubscription, Store, StoreError};

/// The plaintext of every wake-up: fixed, so that every push is the same size and says
/// nothing but "new notices may exist".
pub const MESSAGE: &[u8] = b"sync";

/// How long a VAPID token is valid (RFC 8292 allows at most a day).
pub const VAPID_VALID_SECS: u64 = 12 * 3600;

/// Longest endpoint URL accepted, bytes.
pub const MAX_ENDPOINT_LEN: usize = 1024;

/// Requests in flight at once in a round (each waits for its slot in the pace).
const SENDERS: usize = 8;

/// Signs and sends wake-ups.
pub struct Pusher {
    key: p256::ecdsa::SigningKey,
    public: [u8; 65],
    services: Vec<String>,
    contact: Option<String>,
    ttl_secs: u64,
    per_second: u32,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Pusher {
    /// Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pusher {{ public: {} }}",
            URL_SAFE_NO_PAD.encode(self.public)
        )
    }
}

/// A fresh VAPID secret: 32 random bytes that are a valid P-256 scalar.
fn fresh_secret() -> zeroize::Zeroizing<[u8; 32]> {
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    loop {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rand::Rng::fill_bytes(&mut rng, bytes.as_mut_slice());
        // Zero or at least the group order (a chance in 2^32): draw again.
        if p256::SecretKey::from_slice(bytes.as_slice()).is_ok() {
            return bytes;
        }
    }
}

impl Pusher {
    /// The server's pusher: its VAPID key is read from the store, or made and stored there at
    /// the first start.
    pub fn new(store: &dyn Store, settings: &Settings) -> Result<Pusher, StoreError> {
        let secret = store.push_vapid_secret(&fresh_secret())?;
        let key = p256::ecdsa::SigningKey::from_slice(secret.as_slice())
            .map_err(|_| StoreError("the stored push key is not a P-256 secret key".into()))?;
        let point = key.verifying_key().to_sec1_point(false);
        let public: [u8; 65] = point
            .as_bytes()
            .try_into()
            .map_err(|_| StoreError("the push key's public point is not 65 bytes".into()))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would take the request to a host nobody allowed.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(15)))
            .build()
            .into();
        Ok(Pusher {
            key,
            public,
            services: settings.push_services.clone(),
            contact: settings.push_contact.clone(),
            ttl_secs: settings.push_ttl_secs,
            per_second: settings.push_sends_per_second.max(1),
            agent,
        })
    }

    /// The VAPID public key (uncompressed P-256 point) phones subscribe with.
    pub fn public_key(&self) -> &[u8; 65] {
        &self.public
    }

    /// The push services this pusher sends to.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The `Authorization` header for a push to `endpoint` (RFC 8292 section 3): a JWT over
    /// the endpoint's origin, signed with ES256, and the public key.
    fn vapid(&self, endpoint: &http::Uri, now: u64) -> Result<String, String> {
        let scheme = endpoint.scheme_str().ok_or("no scheme")?;
        let authority = endpoint.authority().ok_or("no host")?;
        let mut claims = serde_json::json!({
            "aud": format!("{scheme}://{authority}"),
            "exp": now + VAPID_VALID_SECS,
        });
        if let Some(contact) = &self.contact {
            claims["sub"] = contact.as_str().into();
        }
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: p256::ecdsa::Signature = self.key.sign(signed.as_bytes());
        Ok(format!(
            "vapid t={signed}.{}, k={}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes()),
            URL_SAFE_NO_PAD.encode(self.public)
        ))
    }

    /// The wake-up for `sub`: [`MESSAGE`] encrypted to its keys, with its VAPID token and TTL.
    pub fn request(
        &self,
        sub: &PushSubscription,
        now: u64,
    ) -> Result<http::Request<Vec<u8>>, String> {
        let uri = check_endpoint(&sub.endpoint, &self.services)?;
        let ua_public = p256::PublicKey::from_sec1_bytes(&sub.p256dh)
            .map_err(|_| "the subscription's p256dh is not a P-256 point".to_string())?;
        let body = ece::encrypt(
            MESSAGE,
            &ua_public,
            &sub.auth,
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        )
        .map_err(|e| format!("cannot encrypt the push: {e}"))?;
        let vapid = self.vapid(&uri, now)?;
        // RFC 8030 section 5 (TTL, Urgency) and RFC 8291 section 4 (the content coding). The
        // HTTP client writes the length of what it sends itself.
        http::Request::post(uri)
            .header("ttl", self.ttl_secs)
            .header(http::header::CONTENT_ENCODING, "aes128gcm")
            .header(http::header::CONTENT_TYPE, "application/octet-stream")
            .header(http::header::AUTHORIZATION, vapid)
            .header("urgency", "normal")
            .body(body)
            .map_err(|e| format!("cannot write the push request: {e}"))
    }

    /// Sends one wake-up.
    fn send(&self, sub: &PushSubscription, now: u64) -> Sent {
        let Ok(request) = self.request(sub, now) else {
            return Sent::Failed;
        };
        match self.agent.run(request) {
            Ok(r) if r.status().is_success() => Sent::Delivered,
            Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Sent::Gone,
            Ok(_) | Err(_) => Sent::Failed,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    Delivered,
    Gone,
    Failed,
}

/// Checks a subscription's endpoint: an absolute `https://` URL on one of `services` (or a
/// subdomain of one), with no user name, at most [`MAX_ENDPOINT_LEN`] bytes; `http://` only
/// for a loopback host listed in `services` itself.
pub fn check_endpoint(endpoint: &str, services: &[String]) -> Result<http::Uri, String> {
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(format!(
            "the endpoint is longer than {MAX_ENDPOINT_LEN} bytes"
        ));
    }
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|_| "the endpoint is not a URL".to_string())?;
    let authority = uri
        .authority()
        .ok_or_else(|| "the endpoint has no host".to_string())?;
    if authority.as_str().contains('@') {
        return Err("the endpoint carries a user name".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let host = host.to_ascii_lowercase();
    let listed = |h: &str| services.iter().any(|s| s.eq_ignore_ascii_case(h));
    let allowed = listed(&host)
        || services
            .iter()
            .any(|s| host.ends_with(&format!(".{}", s.to_ascii_lowercase())));
    if !allowed {
        return Err(format!(
            "the endpoint's host {host} is not a push service this server sends to"
        ));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http")
            if listed(&host)
                && (host == "localhost"
                    || host
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())) =>
        {
            Ok(uri)
        }
        _ => Err("the endpoint must be an https:// URL".into()),
    }
}

/// The newest hour that has closed at `now` (spec section 12.3).
pub fn newest_closed_hour(now: u64) -> Option<u64> {
    let current = now / 3600;
    (0..=2)
        .map(|back| current.checked_sub(back))
        .find(|h| h.is_some_and(|h| protocol::batch::is_closed(h, now)))
        .flatten()
}

/// When the `i`-th push of a round (in the round's random order) starts, after the round's
/// start: `i / per_second` seconds, whatever the answers. The schedule depends on the position
/// alone, so that every round paces alike and when a phone is woken says nothing about it.
pub fn slot_start(i: usize, per_second: u32) -> Duration {
    Duration::from_secs_f64(i as f64 / f64::from(per_second.max(1)))
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// The closed hour the round was for.
    pub hour: u64,
    /// Whether hours closed since the previous round held bundles (else nothing was sent).
    pub new_bundles: bool,
    /// Pushes the push services accepted.
    pub delivered: u64,
    /// Subscriptions deleted because their push service said they are gone (404 or 410).
    pub gone: u64,
    /// Pushes that failed otherwise (the subscription is kept).
    pub failed: u64,
}

/// One round at `now`: claims the newest closed hour and, if the hours closed since the
/// previous round (at most a day of them) hold bundles, wakes every subscription. `None` if
/// the hour was claimed already (by this instance or another).
pub fn round(store: &dyn Store, pusher: &Pusher, now: u64) -> Result<Option<Round>, StoreError> {
    let Some(hour) = newest_closed_hour(now) else {
        return Ok(None);
    };
    let Some(before) = store.push_claim_hour(hour)? else {
        return Ok(None);
    };
    let from = before
        .map_or(hour, |b| b.saturating_add(1))
        .max(hour.saturating_sub(23));
    let mut done = Round {
        hour,
        ..Round::default()
    };
    for h in from..=hour {
        if !store.bundles_in_hour(h)?.is_empty() {
            done.new_bundles = true;
            break;
        }
    }
    if !done.new_bundles {
        return Ok(Some(done));
    }
    let mut subs = store.push_subscriptions(now)?;
    rand::seq::SliceRandom::shuffle(
        subs.as_mut_slice(),
        &mut rand_core::UnwrapErr(rand::rngs::SysRng),
    );
    // Slot i starts at i / per_second seconds into the round, whatever the answers.
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let (delivered, failed) = (AtomicU64::new(0), AtomicU64::new(0));
    let gone = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..SENDERS.min(subs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(sub) = subs.get(i) else { break };
                    let slot = slot_start(i, pusher.per_second);
                    if let Some(wait) = slot.checked_sub(start.elapsed()) {
                        std::thread::sleep(wait);
                    }
                    match pusher.send(sub, now) {
                        Sent::Delivered => delivered.fetch_add(1, Ordering::Relaxed),
                        Sent::Failed => failed.fetch_add(1, Ordering::Relaxed),
                        Sent::Gone => {
                            crate::lock(&gone).push(sub.endpoint.clone());
                            0
                        }
                    };
                }
            });
        }
    });
    done.delivered = delivered.into_inner();
    done.failed = failed.into_inner();
    let gone = gone
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for endpoint in &gone {
        store.push_remove(endpoint)?;
    }
    done.gone = gone.len() as u64;
    store.flush()?;
    Ok(Some(done))
}

/// Runs a round at start and then whenever an hour closes.
pub async fn push_loop(store: Arc<dyn Store>, pusher: Arc<Pusher>) {
    loop {
        let (s, p) = (Arc::clone(&store), Arc::clone(&pusher));
        let result =
            tokio::task::spawn_blocking(move || round(s.as_ref(), &p, crate::api::now())).await;
        match result {
            Ok(Ok(Some(r))) if r.new_bundles => eprintln!(
                "push round for hour {}: {} delivered, {} subscriptions gone and deleted, {} failed",
                r.hour, r.delivered, r.gone, r.failed
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("push round failed: {e}"),
            Err(e) => eprintln!("push round failed: {e}"),
        }
        // Until just after the next hour closes; at most five minutes, in case the clock
        // jumped.
        let now = crate::api::now();
        let this_hour = (now / 3600) * 3600 + protocol::batch::CLOSE_GRACE_SECS + 1;
        let next = if this_hour > now {
            this_hour
        } else {
            this_hour + 3600
        };
        let wait = next.saturating_sub(now).clamp(1, 300);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn only_the_listed_push_services_are_posted_to() {
        let services: Vec<String> = ["fcm.googleapis.com", "push.apple.com", "127.0.0.1"]
            .map(String::from)
            .to_vec();
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://web.push.apple.com/QG3x",
            "https://FCM.googleapis.com/x",
            "http://127.0.0.1:8123/push/a",
        ] {
            assert!(check_endpoint(ok, &services).is_ok(), "{ok}");
        }
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://evilfcm.googleapis.com.example/x",
            "https://user@fcm.googleapis.com/x",
            "https://127.0.0.2/x",
            "http://localhost/x",
            "ftp://fcm.googleapis.com/x",
            "/relative",
            "",
        ] {
            assert!(check_endpoint(bad, &services).is_err(), "{bad}");
        }
        let long = format!(
            "https://fcm.googleapis.com/{}",
            "a".repeat(MAX_ENDPOINT_LEN)
        );
        assert!(check_endpoint(&long, &services).is_err());
    }

    #[test]
    fn an_hour_counts_as_closed_120_seconds_after_it_ends() {
        let h = 500_000u64;
        assert_eq!(newest_closed_hour((h + 1) * 3600 + 119), Some(h - 1));
        assert_eq!(newest_closed_hour((h + 1) * 3600 + 120), Some(h));
        assert_eq!(newest_closed_hour((h + 2) * 3600 - 1), Some(h));
    }
}
