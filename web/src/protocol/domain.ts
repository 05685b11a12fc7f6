// Every domain-separation string of protocol version 2, in one place: the mirror of
// protocol/src/domain.rs (spec section 5). Each is used for exactly one purpose, and the
// vectors pin their effect byte for byte.

/** HKDF-SHA256 info: venue seed to the venue's X25519 secret key. */
export const VENUE_X25519 = "checkin/v2/venue-x25519";
/** HKDF-SHA256 info: venue seed to the venue's Ed25519 secret key. */
export const VENUE_ED25519 = "checkin/v2/venue-ed25519";
/** Ed25519 context: the venue's signature over the poster body. */
export const POSTER_SIGNATURE = "checkin/v2/poster-signature";
/** BLAKE3 derive_key context: the venue id over the whole poster encoding. */
export const VENUE_ID = "checkin/v2/venue-id";
/** BLAKE3 derive_key context: the venue key fingerprint printed on posters. */
export const VENUE_FINGERPRINT = "checkin/v2/venue-fingerprint";
/** BLAKE3 keyed-hash input prefix: per-hour notice tags. */
export const NOTICE_TAG = "checkin/v2/notice-tag";
/** HKDF-SHA256 info prefix: per-hour notice payload keys. */
export const NOTICE_KEY = "checkin/v2/notice-key";
/** BLAKE3 keyed-hash input prefix: per-hour vault tags. */
export const VAULT_TAG = "checkin/v2/vault-tag";
/** BLAKE3 keyed-hash input prefix: a venue's vault bucket. */
export const VAULT_BUCKET = "checkin/v2/vault-bucket";
/** BLAKE3 hash input prefix: the tag a bucket's records are filed under for a day. */
export const VAULT_BUCKET_TAG = "checkin/v2/vault-bucket-tag";
/** Ed25519 context: the root's signature over a tracer certificate body. */
export const CERTIFICATE_SIGNATURE = "checkin/v2/tracer-certificate";
/** BLAKE3 derive_key context: the digest of a notice bundle body. */
export const BUNDLE_DIGEST = "checkin/v2/notice-bundle-digest";
/** Ed25519 context: the tracer's signature over a notice bundle digest. */
export const BUNDLE_SIGNATURE = "checkin/v2/notice-bundle";
/** BLAKE3 derive_key context: the digest that names a tracer certificate in an approval. */
export const CERTIFICATE_DIGEST = "checkin/v2/certificate-digest";
/** Ed25519 context: a venue's approval of a notice. */
export const NOTICE_APPROVAL = "checkin/v2/notice-approval";
/** Ed25519 context: one emergency officer's signature in the authority's approval of a notice. */
export const EMERGENCY_APPROVAL = "checkin/v2/emergency-approval";
/** Ed25519 context: the root's signature over a revocation list. */
export const REVOCATION_LIST = "checkin/v2/revocation-list";
/** HPKE info: the outer (venue) layer of a vault record. */
export const VAULT_OUTER = "checkin/v2/vault-outer";
/** HPKE info: the inner (authority) layer of a vault record. */
export const VAULT_INNER = "checkin/v2/vault-inner";
/** HPKE info: a case diary sealed to the authority. */
export const CASE_DIARY = "checkin/v2/case-diary";
/** BLAKE3 derive_key context: from a case code, the id a server holds the case file under. */
export const CASE_CODE_ID = "checkin/v2/case-code-id";
/** BLAKE3 derive_key context: from a case code, the key of the tag binding the file to it. */
export const CASE_CODE_KEY = "checkin/v2/case-code-key";
/** BLAKE3 derive_key context: an alert's identity on the phone (a visit and a notice's content). */
export const ALERT_ID = "checkin/v2/alert-id";
// The phone never signs vault queries or unwrap requests (VAULT_QUERY_SIGNATURE,
// VAULT_REQUEST in domain.rs): those are the tracer's and the venue's, so they are not here.
/** Ed25519 context: the release key's signature over a release's `SHA256SUMS` (section 16d). */
export const RELEASE_SUMS = "checkin/v2/release-sums";
