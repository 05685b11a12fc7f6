//! Vault queries: a certified tracer asks the server for the records under some vault tags.
//!
//! `0x02 | cert_len u16 | cert | timestamp u64 | nonce[16] | count u16 | count × tag[16] |
//! sig[64]`, signed by the tracer over `"checkin/v2/vault-query" || 0x00 || everything before
//! sig`. The server accepts a query only within five minutes of its clock and only once per
//! nonce, so a captured query cannot be replayed.

use ed25519_dalek::{Signature, Signer, VerifyingKey};
use rand_core::CryptoRng;

use crate::cert::Certificate;
use crate::derive::{TAG_LEN, Tag};
use crate::domain;
use crate::error::QueryError;
use crate::keys::Ed25519Secret;
use crate::wire::{Reader, put_u16, put_u64};

/// Format version of vault queries.
pub const QUERY_VERSION: u8 = 2;
/// Most tags in one query (a week of hours for six venues, or a month for one).
pub const MAX_QUERY_TAGS: usize = 1024;
/// How far a query's timestamp may be from the verifier's clock.
pub const MAX_QUERY_SKEW_SECS: u64 = 300;

/// A verified vault query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultQuery {
    /// The tracer's certificate.
    pub certificate: Certificate,
    /// When the tracer signed it, Unix seconds.
    pub timestamp: u64,
    /// A random nonce the server remembers to refuse replays.
    pub nonce: [u8; 16],
    /// The vault tags asked for.
    pub tags: Vec<Tag>,
}

/// Signs a vault query with a fresh random nonce.
pub fn sign_query(
    rng: &mut impl CryptoRng,
    tracer: &Ed25519Secret,
    cert: &Certificate,
    timestamp: u64,
    tags: &[Tag],
) -> Result<Vec<u8>, QueryError> {
    let count = tags.len();
    if count == 0 || count > MAX_QUERY_TAGS {
        return Err(QueryError::InvalidTagCount(
            count.min(usize::from(u16::MAX)) as u16,
        ));
    }
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    let c = cert.to_bytes();
    let mut out = Vec::with_capacity(1 + 2 + c.len() + 8 + 16 + 2 + count * TAG_LEN + 64);
    out.push(QUERY_VERSION);
    put_u16(&mut out, c.len() as u16);
    out.extend_from_slice(c);
    put_u64(&mut out, timestamp);
    out.extend_from_slice(&nonce);
    put_u16(&mut out, count as u16);
    for t in tags {
        out.extend_from_slice(t);
    }
    append_query_signature(tracer, &mut out);
    Ok(out)
}

/// Appends `tracer`'s signature over the query body in `out`.
pub(crate) fn append_query_signature(tracer: &Ed25519Secret, out: &mut Vec<u8>) {
    let sig = tracer
        .0
        .sign(&domain::signed_message(domain::VAULT_QUERY_SIGNATURE, out));
    out.extend_from_slice(&sig.to_bytes());
}

/// Verifies a query against the pinned root at time `now`: strict decoding, the certificate
/// chain, the certificate valid at `now`, the timestamp within five minutes of `now`, and the
/// tracer's signature. Refusing a replayed nonce is the caller's job: it owns the storage.
pub fn verify_query(root: &VerifyingKey, bytes: &[u8], now: u64) -> Result<VaultQuery, QueryError> {
    let short = |_| QueryError::Truncated;
    let mut r = Reader::new(bytes);
    let version = r.u8().map_err(short)?;
    if version != QUERY_VERSION {
        return Err(QueryError::UnsupportedVersion(version));
    }
    let cert_len = r.u16().map_err(short)?;
    let certificate = Certificate::decode(r.bytes(usize::from(cert_len)).map_err(short)?)?;
    let timestamp = r.u64().map_err(short)?;
    let nonce = r.array::<16>().map_err(short)?;
    let count = r.u16().map_err(short)?;
    if count == 0 || usize::from(count) > MAX_QUERY_TAGS {
        return Err(QueryError::InvalidTagCount(count));
    }
    let mut tags = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        tags.push(r.array::<TAG_LEN>().map_err(short)?);
    }
    let body_len = r.position();
    let sig = r.array::<64>().map_err(short)?;
    if r.remaining() != 0 {
        return Err(QueryError::TrailingBytes);
    }
    certificate.verify(root)?;
    if !certificate.roles().query {
        return Err(QueryError::CertificateCannotQuery);
    }
    certificate.check_valid_at(now)?;
    if timestamp.abs_diff(now) > MAX_QUERY_SKEW_SECS {
        return Err(QueryError::Stale { timestamp });
    }
    certificate
        .tracer_key()
        .verify_strict(
            &domain::signed_message(domain::VAULT_QUERY_SIGNATURE, &bytes[..body_len]),
            &Signature::from_bytes(&sig),
        )
        .map_err(|_| QueryError::BadSignature)?;
    Ok(VaultQuery {
        certificate,
        timestamp,
        nonce,
        tags,
    })
}

impl VaultQuery {
    /// Refuses a query whose tracer key `list` names (spec section 15): the check a server
    /// makes after [`verify_query`], with the revocation list it holds.
    pub fn check_not_revoked(
        &self,
        list: Option<&crate::revocation::RevocationList>,
    ) -> Result<(), QueryError> {
        match list {
            Some(l) if l.is_revoked(self.certificate.tracer_key()) => {
                Err(QueryError::CertificateRevoked)
            }
            _ => Ok(()),
        }
    }
}
