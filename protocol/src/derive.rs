//! Per-hour derivations: hours, notice and vault tags, and the notice key (spec section 9, "Per-hour derivations").
//!
//! Everything here is keyed by the `venue_id`, which only a holder of the poster can compute.
//! Without it, a tag names no venue, and two hours' tags of one venue cannot be linked.

use zeroize::Zeroizing;

use crate::domain;
use crate::keys::hkdf32;
use crate::poster::VenueId;

/// Length of notice and vault tags in bytes.
pub const TAG_LEN: usize = 16;

/// A 16-byte notice or vault tag.
pub type Tag = [u8; TAG_LEN];

/// Seconds in an hour interval.
pub const HOUR_SECS: u64 = 3600;

/// The epoch hour that contains `unix_secs`: `floor(unix_secs / 3600)`.
pub fn hour_of(unix_secs: u64) -> u64 {
    unix_secs / HOUR_SECS
}

/// The epoch hours a half-open interval `[start, end)` overlaps.
///
/// An empty interval (`start == end`) covers the hour that contains `start`, so that even a
/// zero-length visit is indexed somewhere; it can never reach a positive overlap threshold.
pub fn hours_covered(start: u64, end: u64) -> std::ops::RangeInclusive<u64> {
    let first = hour_of(start);
    let last = if end > start { hour_of(end - 1) } else { first };
    first..=last
}

fn keyed_tag(venue_id: &VenueId, prefix: &[u8], hour: u64) -> Tag {
    let mut h = blake3::Hasher::new_keyed(venue_id.as_bytes());
    h.update(prefix);
    h.update(&[0]);
    h.update(&hour.to_be_bytes());
    let full = h.finalize();
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&full.as_bytes()[..TAG_LEN]);
    tag
}

/// `notice_tag(venue_id, h)`: BLAKE3 keyed by `venue_id` over
/// `"checkin/v2/notice-tag" || 0x00 || u64be(h)`, first 16 bytes.
pub fn notice_tag(venue_id: &VenueId, hour: u64) -> Tag {
    keyed_tag(venue_id, domain::NOTICE_TAG, hour)
}

/// `vault_tag(venue_id, h)`: as [`notice_tag`] with `"checkin/v2/vault-tag"`.
pub fn vault_tag(venue_id: &VenueId, hour: u64) -> Tag {
    keyed_tag(venue_id, domain::VAULT_TAG, hour)
}

/// How many vault buckets the venues are spread over (spec section 9): at 100,000 venues,
/// about 98 share each bucket.
pub const VAULT_BUCKETS: u16 = 1024;

/// `vault_bucket(venue_id)`: the first two bytes of BLAKE3 keyed by `venue_id` over
/// `"checkin/v2/vault-bucket"`, big-endian, modulo [`VAULT_BUCKETS`].
pub fn vault_bucket(venue_id: &VenueId) -> u16 {
    let full = blake3::keyed_hash(venue_id.as_bytes(), domain::VAULT_BUCKET);
    u16::from_be_bytes([full.as_bytes()[0], full.as_bytes()[1]]) % VAULT_BUCKETS
}

/// `bucket_tag(bucket, day)`: the first 16 bytes of BLAKE3 over
/// `"checkin/v2/vault-bucket-tag" || 0x00 || u16be(bucket) || u64be(day)`, where `day` is
/// `floor(h / 24)` for an epoch hour `h`. Every venue of a bucket files its records of a day
/// under this one tag.
pub fn bucket_tag(bucket: u16, day: u64) -> Tag {
    let mut h = blake3::Hasher::new();
    h.update(domain::VAULT_BUCKET_TAG);
    h.update(&[0]);
    h.update(&bucket.to_be_bytes());
    h.update(&day.to_be_bytes());
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&h.finalize().as_bytes()[..TAG_LEN]);
    tag
}

/// The tag a record of `venue_id`'s hour `hour` is filed under:
/// `bucket_tag(vault_bucket(venue_id), floor(hour / 24))`.
pub fn vault_file_tag(venue_id: &VenueId, hour: u64) -> Tag {
    bucket_tag(vault_bucket(venue_id), hour / 24)
}

/// Length of a bundle's salt (spec section 11.2).
pub const SALT_LEN: usize = 16;

/// `notice_key(venue_id, salt)`: HKDF-SHA256 with absent salt, IKM `venue_id`, info
/// `"checkin/v2/notice-key" || 0x00 || salt[16]`, 32 bytes. One key per venue and bundle: the
/// bundle's fresh salt makes it unique, so its notices need no random nonce.
pub fn notice_key(venue_id: &VenueId, salt: &[u8; SALT_LEN]) -> Zeroizing<[u8; 32]> {
    hkdf32(venue_id.as_bytes(), &[domain::NOTICE_KEY, &[0], salt])
}
