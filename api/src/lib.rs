//! What passes between the parties' programs, as types: every request and answer body of the
//! notify server's HTTP API ([`http`]), and the files one party hands another ([`files`]).
//! The server, `checkin`, `tracer` and `venue-keygen` all read and write these types, so no
//! program reads another's JSON by hand or falls back to a default when a field is missing.
//!
//! Byte strings are base64url without padding (RFC 4648 section 5), times Unix seconds; the
//! normative description is `spec/protocol.md` and `notify-server/openapi.yaml`.
#![forbid(unsafe_code)]

/// The notify server's request and answer bodies.
pub mod http {
    use serde::{Deserialize, Serialize};

    /// `POST /v1/bundles` body.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostBundle {
        /// The signed bundle.
        pub bundle: String,
    }

    /// `POST /v1/bundles` answer (201, or 200 for a bundle already stored).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Posted {
        /// The bundle's sequence number.
        pub seq: u64,
        /// The bundle id (hex of the signed digest).
        pub id: String,
        /// Entries in the bundle.
        pub entries: usize,
        /// True if the same bundle was stored already.
        pub duplicate: bool,
    }

    /// One bundle of a sync page or an hour batch.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SyncBundle {
        /// The server's sequence number.
        pub seq: u64,
        /// When the server accepted it, Unix seconds.
        pub published_at: u64,
        /// The signed bundle.
        pub bundle: String,
    }

    /// `GET /v1/bundles?after=&limit=` and `GET /v1/batches/{hour}` answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Page {
        /// Bundles in sequence order.
        pub bundles: Vec<SyncBundle>,
        /// The `after` for the next page.
        pub next_after: u64,
        /// Whether more bundles follow.
        pub more: bool,
    }

    /// `POST /v1/vault` body.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostRecord {
        /// The sealed record.
        pub record: String,
    }

    /// `POST /v1/vault` answer (201).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Stored {
        /// Always true: the record is durably stored.
        pub stored: bool,
    }

    /// `GET /v1/vault/buckets` answer: how many venues the server knows of in each of the
    /// 1024 buckets (spec section 14.5), from which phones draw their cover records' buckets.
    /// All zeros when the server was given no posters.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VaultBuckets {
        /// Venues per bucket, indexed by bucket: exactly 1024 counts.
        pub venues_per_bucket: Vec<u32>,
    }

    /// `POST /v1/revocations` body, and `GET /v1/revocations` answer (`null` when the server
    /// holds no list).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Revocations {
        /// The signed revocation list (spec section 10.3), base64url.
        pub revocations: Option<String>,
    }

    /// `POST /v1/revocations` answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RevocationsPosted {
        /// The list's issue time, Unix seconds.
        pub issued_at: u64,
        /// How many keys it revokes.
        pub keys: usize,
        /// True when it replaced an older list, false when the server held it already.
        pub replaced: bool,
    }

    /// `POST /v1/vault/query` body.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostQuery {
        /// The signed query.
        pub query: String,
    }

    /// `POST /v1/vault/query` answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct QueryAnswer {
        /// The sealed records under the query's tags.
        pub records: Vec<String>,
        /// True if there were more than the server returns at once.
        pub truncated: bool,
    }

    /// `POST /v1/cases` body: a case file (spec section 16) to hold for a tracer, under the
    /// id of the code the phone shows, with the tag that binds it to that code (section 16.1).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostCase {
        /// The sealed case file, base64url.
        pub case: String,
        /// The code's id (16 bytes), base64url: what the tracer fetches the file with.
        pub id: String,
        /// The file's tag under the code's key (32 bytes), base64url.
        pub tag: String,
    }

    /// `POST /v1/cases` answer (201).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CaseHeld {
        /// When the server deletes the file if nobody fetched it, Unix seconds.
        pub expires_at: u64,
    }

    /// `POST /v1/cases/fetch` body: the id of the file to fetch (spec section 16.1), in the
    /// body rather than the path, so that no request log or proxy keeps it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FetchCase {
        /// The code's id (16 bytes), base64url.
        pub id: String,
    }

    /// `POST /v1/cases/fetch` answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CaseFile {
        /// The sealed case file, base64url.
        pub case: String,
        /// The tag the phone posted with it, base64url: the tracer checks it with the code.
        pub tag: String,
    }

    /// `POST /v1/push/subscriptions` body: the browser's `PushSubscription` as its `toJSON()`
    /// gives it (spec section 16b).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PushSubscribe {
        /// The push service's URL for this subscription (`https://`).
        pub endpoint: String,
        /// When the browser says the subscription ends, Unix milliseconds, or null.
        #[serde(rename = "expirationTime", default)]
        pub expiration_time: Option<f64>,
        /// The subscription's keys.
        pub keys: PushKeys,
    }

    /// The keys of a push subscription (RFC 8291).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PushKeys {
        /// The browser's P-256 public key, uncompressed (65 bytes), base64url.
        pub p256dh: String,
        /// The authentication secret (16 bytes), base64url.
        pub auth: String,
    }

    /// `POST /v1/push/subscriptions` answer (201 new, 200 renewed).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PushSubscribed {
        /// When the server deletes the subscription unless the phone renews it, Unix seconds.
        pub expires_at: u64,
    }

    /// `DELETE /v1/push/subscriptions` body: the subscription's endpoint and its
    /// authentication secret, which only the phone (and this server) know.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PushUnsubscribe {
        /// The push service's URL for the subscription.
        pub endpoint: String,
        /// The subscription's authentication secret, base64url.
        pub auth: String,
    }

    /// `GET /v1/push/key` answer: the server's VAPID public key (RFC 8292), which the phone
    /// passes to `pushManager.subscribe` as `applicationServerKey`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PushKey {
        /// The P-256 public key, uncompressed (65 bytes), base64url.
        pub key: String,
    }

    /// `GET /v1/trust` answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Trust {
        /// The authority's name.
        pub authority: String,
        /// The root Ed25519 public key.
        pub root: String,
        /// The emergency officers' Ed25519 public keys, in the trust file's order (spec
        /// section 11a).
        pub emergency: Vec<String>,
        /// How many officers must approve together.
        pub emergency_threshold: usize,
        /// The case diary X25519 public key.
        pub case: String,
        /// The sealing periods, in order.
        pub sealing: Vec<SealingPeriod>,
        /// The whole trust file.
        pub trust_file: String,
    }

    /// One sealing period of the trust file (spec section 16a).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SealingPeriod {
        /// First second of the period, Unix time.
        pub from: u64,
        /// First second after it.
        pub until: u64,
        /// The X25519 public key, base64url.
        pub key: String,
    }

    /// `GET /healthz` answer: 200 with `ok` when the server can serve and store, 503 with
    /// `unavailable` and why when it cannot store (a full disk, say).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Health {
        /// `ok` or `unavailable`.
        pub status: String,
        /// Why the server is unavailable, when it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub detail: Option<String>,
    }

    /// Every 4xx and 5xx answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ErrorBody {
        /// The stable error name, such as `bad_base64`.
        pub error: String,
        /// What is wrong and what to do, in words.
        pub detail: String,
    }
}

/// Files one party hands another.
pub mod files {
    use serde::{Deserialize, Serialize};

    /// The `format` of a vault request file.
    pub const REQUEST_FORMAT: &str = "checkin-vault-request/v1";
    /// The `format` of a vault response file.
    pub const RESPONSE_FORMAT: &str = "checkin-vault-response/v1";

    /// What `tracer vault fetch` writes and `venue-keygen unwrap` reads: one venue's sealed
    /// records for some hours, and the tracer's signed request to unwrap them.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VaultRequest {
        /// Always [`REQUEST_FORMAT`].
        pub format: String,
        /// The venue's poster payload.
        pub poster: String,
        /// The epoch hours asked about.
        pub hours: Vec<u64>,
        /// The records, base64url.
        pub records: Vec<String>,
        /// The window's start, Unix seconds: the venue sees it, and `vault open` keeps only
        /// visits overlapping the window.
        pub from: u64,
        /// The window's end (exclusive).
        pub to: u64,
        /// The tracer's certificate, base64url (spec section 10); it must have the query role.
        pub certificate: String,
        /// When the tracer signed, Unix seconds.
        pub signed_at: u64,
        /// The tracer's signature over venue, window, time and hours (spec section 14.4),
        /// base64url.
        pub signature: String,
    }

    /// One record the venue stripped.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct OpenedRecord {
        /// Index in the request's records.
        pub index: usize,
        /// The inner record, base64url.
        pub inner: String,
    }

    /// One record the venue refused.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RefusedRecord {
        /// Index in the request's records.
        pub index: usize,
        /// Why it was refused.
        pub reason: String,
    }

    /// The `format` of an approval request file.
    pub const APPROVAL_REQUEST_FORMAT: &str = "checkin-approval-request/v1";
    /// The `format` of an approval file.
    pub const APPROVAL_FORMAT: &str = "checkin-approval/v1";

    /// What `tracer notify request` writes, one per venue, and the venue owner (or, for a
    /// venue that cannot be reached, the authority) approves: one venue's notice, by one
    /// certified tracer (spec section 11a).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ApprovalRequest {
        /// Always [`APPROVAL_REQUEST_FORMAT`].
        pub format: String,
        /// The venue's poster payload (spec section 7.4).
        pub poster: String,
        /// The tracer's certificate, base64url (spec section 10).
        pub certificate: String,
        /// Start of the exposure window, Unix seconds.
        pub start: u64,
        /// End of the exposure window (exclusive), Unix seconds.
        pub end: u64,
        /// `low` or `high`.
        pub severity: String,
        /// What phones will show.
        pub message: String,
    }

    /// What `venue-keygen approve` (or `tracer authority approve`, then
    /// `tracer authority combine`) writes and `tracer notify publish` reads: the request and
    /// its signed approval (spec section 11a.1).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Approval {
        /// Always [`APPROVAL_FORMAT`].
        pub format: String,
        /// The request, as approved.
        pub request: ApprovalRequest,
        /// `venue` or `authority`.
        pub approver: String,
        /// The venue's Ed25519 approval signature, base64url (64 bytes): for `venue` only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub signature: Option<String>,
        /// The emergency officers' signatures: for `authority` only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub officers: Option<Vec<OfficerSignature>>,
    }

    /// One emergency officer's signature in an authority approval file.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct OfficerSignature {
        /// The officer's Ed25519 public key, base64url (32 bytes), one of the trust file's
        /// `emergency` keys.
        pub key: String,
        /// Their Ed25519 signature, base64url (64 bytes).
        pub signature: String,
    }

    /// What `venue-keygen unwrap` writes and `tracer vault open` reads.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VaultResponse {
        /// Always [`RESPONSE_FORMAT`].
        pub format: String,
        /// Hex BLAKE3 hash of the request file it answers.
        pub request: String,
        /// Hex venue id.
        pub venue_id: String,
        /// Stripped records.
        pub records: Vec<OpenedRecord>,
        /// Refused records.
        pub refused: Vec<RefusedRecord>,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::files::*;
    use super::http::*;

    #[test]
    fn request_bodies_refuse_unknown_fields_and_answers_round_trip() {
        assert!(serde_json::from_str::<PostRecord>(r#"{"record":"x","extra":1}"#).is_err());
        let page = Page {
            bundles: vec![SyncBundle {
                seq: 1,
                published_at: 2,
                bundle: "AA".into(),
            }],
            next_after: 1,
            more: false,
        };
        let text = serde_json::to_string(&page).unwrap();
        assert_eq!(serde_json::from_str::<Page>(&text).unwrap(), page);
        // A page without `bundles` is an error, not "no new notices".
        assert!(serde_json::from_str::<Page>(r#"{"next_after":0,"more":false}"#).is_err());
        // A vault request without the tracer's signature is refused as a file, not read as
        // an unsigned request.
        assert!(
            serde_json::from_str::<VaultRequest>(
                r#"{"format":"checkin-vault-request/v1","poster":"p","hours":[1],"records":[]}"#,
            )
            .is_err()
        );
    }
}
