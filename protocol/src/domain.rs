//! Every domain-separation string of protocol version 2, in one place.
//!
//! Each string is used for exactly one purpose, so that no value computed for one purpose can
//! be replayed as another. The spec (`spec/protocol.md`, "Domain strings") lists them too, and
//! the vectors pin their effect byte for byte.

/// HKDF-SHA256 info: venue seed to the venue's X25519 secret key.
pub const VENUE_X25519: &[u8] = b"checkin/v2/venue-x25519";
/// HKDF-SHA256 info: venue seed to the venue's Ed25519 secret key.
pub const VENUE_ED25519: &[u8] = b"checkin/v2/venue-ed25519";
/// Ed25519 context: the venue's signature over the poster body.
pub const POSTER_SIGNATURE: &[u8] = b"checkin/v2/poster-signature";
/// BLAKE3 derive_key context: the venue id over the whole poster encoding.
pub const VENUE_ID: &str = "checkin/v2/venue-id";
/// BLAKE3 derive_key context: the venue key fingerprint printed on posters.
pub const VENUE_FINGERPRINT: &str = "checkin/v2/venue-fingerprint";
/// BLAKE3 keyed-hash input prefix: per-hour notice tags.
pub const NOTICE_TAG: &[u8] = b"checkin/v2/notice-tag";
/// HKDF-SHA256 info prefix: per-hour notice payload keys.
pub const NOTICE_KEY: &[u8] = b"checkin/v2/notice-key";
/// BLAKE3 keyed-hash input prefix: per-hour vault tags.
pub const VAULT_TAG: &[u8] = b"checkin/v2/vault-tag";
/// BLAKE3 keyed-hash input prefix: a venue's vault bucket.
pub const VAULT_BUCKET: &[u8] = b"checkin/v2/vault-bucket";
/// BLAKE3 hash input prefix: the tag a bucket's records are filed under for a day.
pub const VAULT_BUCKET_TAG: &[u8] = b"checkin/v2/vault-bucket-tag";
/// Ed25519 context: the root's signature over a tracer certificate body.
pub const CERTIFICATE_SIGNATURE: &[u8] = b"checkin/v2/tracer-certificate";
/// BLAKE3 derive_key context: the digest of a notice bundle body.
pub const BUNDLE_DIGEST: &str = "checkin/v2/notice-bundle-digest";
/// Ed25519 context: the tracer's signature over a notice bundle digest.
pub const BUNDLE_SIGNATURE: &[u8] = b"checkin/v2/notice-bundle";
/// BLAKE3 derive_key context: the digest that names a tracer certificate in an approval.
pub const CERTIFICATE_DIGEST: &str = "checkin/v2/certificate-digest";
/// Ed25519 context: a venue's approval of a notice.
pub const NOTICE_APPROVAL: &[u8] = b"checkin/v2/notice-approval";
/// Ed25519 context: one emergency officer's share of the authority's approval of a notice.
pub const EMERGENCY_APPROVAL: &[u8] = b"checkin/v2/emergency-approval";
/// Ed25519 context: the root's signature over a revocation list.
pub const REVOCATION_LIST: &[u8] = b"checkin/v2/revocation-list";
/// Ed25519 context: the tracer's signature over a vault query body.
pub const VAULT_QUERY_SIGNATURE: &[u8] = b"checkin/v2/vault-query";
/// Ed25519 context: the tracer's signature over a request to a venue to unwrap records.
pub const VAULT_REQUEST: &[u8] = b"checkin/v2/vault-request";
/// Ed25519 context: the root's signature over a trust file (every byte before its
/// `signature` line).
pub const TRUST_FILE: &[u8] = b"checkin/v2/trust-file";
/// Ed25519 context: the release key's signature over a web app release's `SHA256SUMS`.
pub const RELEASE_SUMS: &[u8] = b"checkin/v2/release-sums";
/// HPKE info: the outer (venue) layer of a vault record.
pub const VAULT_OUTER: &[u8] = b"checkin/v2/vault-outer";
/// HPKE info: the inner (authority) layer of a vault record.
pub const VAULT_INNER: &[u8] = b"checkin/v2/vault-inner";
/// HPKE info: a case diary sealed to the authority.
pub const CASE_DIARY: &[u8] = b"checkin/v2/case-diary";
/// BLAKE3 derive_key context: an alert's identity on the phone (a visit and a notice's content).
pub const ALERT_ID: &str = "checkin/v2/alert-id";
/// BLAKE3 derive_key context: from a case code, the id a notify server holds the case file
/// under (section 16.1); the server sees the id, never the code.
pub const CASE_CODE_ID: &str = "checkin/v2/case-code-id";
/// BLAKE3 derive_key context: from a case code, the key of the tag that binds the case file to
/// the code (section 16.1).
pub const CASE_CODE_KEY: &str = "checkin/v2/case-code-key";

/// The message an Ed25519 signature covers: `context || 0x00 || body`.
///
/// The zero byte ends the context, so no context can be read as a prefix of another.
pub(crate) fn signed_message(context: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(context.len() + 1 + body.len());
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(body);
    m
}
