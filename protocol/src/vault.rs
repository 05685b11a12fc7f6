//! The consented contact vault: records sealed twice, so that nobody can open them alone.
//!
//! ```text
//! inner  = HPKE_authority(aad = vault_tag, info = "checkin/v2/vault-inner", contact[256])
//! record = file_tag[16] | HPKE_venue(aad = file_tag, info = "checkin/v2/vault-outer", vault_tag[16] | inner)
//! ```
//!
//! The contact plaintext is `0x02 | party_size u8 | arrival u64 | departure u64 | name_len u8
//! | name | phone_len u8 | phone | email_len u8 | email | zeros`, padded to 256 bytes so that
//! every record has the same length (384 bytes). A visit is uploaded once per hour it covers.
//! In the clear a record shows only its `file_tag`, which names a bucket of venues and the day
//! the record was sent (spec sections 9 and 14.5), never the venue or the hour: those are
//! inside the venue's layer. The authority's layer is sealed when the visit ends, the venue's
//! when the record is sent, so that a real record and a cover record sent the same day are
//! filed alike.

use rand_core::CryptoRng;

use crate::derive::{
    TAG_LEN, Tag, VAULT_BUCKETS, bucket_tag, hours_covered, vault_bucket, vault_tag,
};
use crate::domain;
use crate::error::VaultError;
use crate::hpke_suite::{self, AEAD_TAG_LEN, ENC_LEN};
use crate::keys::{SealingPublicKey, SealingSecretKey, VenueKeys};
use crate::poster::Poster;
use crate::trust::TrustAnchor;
use crate::wire::{Reader, check_text, decode_text, put_short_bytes, put_u64};

/// Format version of the contact plaintext.
pub const CONTACT_VERSION: u8 = 2;
/// Size of the padded contact plaintext.
pub const CONTACT_LEN: usize = 256;
/// Size of the inner layer: `enc || ct`.
pub const INNER_SEALED_LEN: usize = ENC_LEN + CONTACT_LEN + AEAD_TAG_LEN;
/// Size of an inner record (`vault_tag || inner layer`), what the venue hands back.
pub const INNER_RECORD_LEN: usize = TAG_LEN + INNER_SEALED_LEN;
/// Size of a record on the wire: `file_tag || enc || Seal(inner record)`.
pub const RECORD_LEN: usize = TAG_LEN + ENC_LEN + INNER_RECORD_LEN + AEAD_TAG_LEN;
/// Longest contact name, bytes.
pub const MAX_CONTACT_NAME: usize = 80;
/// Longest phone number, bytes.
pub const MAX_PHONE: usize = 32;
/// Longest e-mail address, bytes.
pub const MAX_EMAIL: usize = 100;
/// Largest party.
pub const MAX_PARTY: u8 = 50;

/// A vault record as uploaded and stored.
pub type VaultRecord = [u8; RECORD_LEN];
/// A vault record with its outer layer stripped.
pub type InnerRecord = [u8; INNER_RECORD_LEN];

/// Contact details for one visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    /// Full name, 1 to 80 bytes.
    pub name: String,
    /// Phone number, 0 to 32 bytes.
    pub phone: String,
    /// E-mail address, 0 to 100 bytes.
    pub email: String,
    /// People in the party, 1 to 50.
    pub party_size: u8,
    /// Arrival, Unix seconds.
    pub arrival: u64,
    /// Departure, Unix seconds.
    pub departure: u64,
}

impl ContactRecord {
    /// Checks every field, and that a tracer can reach the visitor: what a client checks
    /// before it keeps or seals contact details.
    pub fn validate(&self) -> Result<(), VaultError> {
        self.check_fields()?;
        // A name alone reaches nobody. An opener does not ask this (see `decode`).
        if self.phone.is_empty() && self.email.is_empty() {
            return Err(VaultError::NoPhoneOrEmail);
        }
        Ok(())
    }

    /// Checks each field on its own rules (section 14.1's table).
    fn check_fields(&self) -> Result<(), VaultError> {
        let field = |field| move |problem| VaultError::InvalidContact { field, problem };
        check_text(&self.name, MAX_CONTACT_NAME, true).map_err(field("name"))?;
        check_text(&self.phone, MAX_PHONE, false).map_err(field("phone"))?;
        check_text(&self.email, MAX_EMAIL, false).map_err(field("email"))?;
        if self.party_size == 0 || self.party_size > MAX_PARTY {
            return Err(VaultError::InvalidPartySize(self.party_size));
        }
        if self.departure < self.arrival {
            return Err(VaultError::InvalidTimes);
        }
        Ok(())
    }

    pub(crate) fn encode(&self) -> zeroize::Zeroizing<[u8; CONTACT_LEN]> {
        let mut v = Vec::with_capacity(CONTACT_LEN);
        v.push(CONTACT_VERSION);
        v.push(self.party_size);
        put_u64(&mut v, self.arrival);
        put_u64(&mut v, self.departure);
        put_short_bytes(&mut v, self.name.as_bytes());
        put_short_bytes(&mut v, self.phone.as_bytes());
        put_short_bytes(&mut v, self.email.as_bytes());
        let mut out = zeroize::Zeroizing::new([0u8; CONTACT_LEN]);
        let n = v.len().min(CONTACT_LEN);
        out[..n].copy_from_slice(&v[..n]);
        zeroize::Zeroize::zeroize(&mut v);
        out
    }

    pub(crate) fn decode(p: &[u8]) -> Result<ContactRecord, VaultError> {
        if p.len() != CONTACT_LEN {
            return Err(VaultError::Malformed);
        }
        let bad = |_| VaultError::Malformed;
        let mut r = Reader::new(p);
        let version = r.u8().map_err(bad)?;
        if version != CONTACT_VERSION {
            return Err(VaultError::UnsupportedVersion(version));
        }
        let party_size = r.u8().map_err(bad)?;
        let arrival = r.u64().map_err(bad)?;
        let departure = r.u64().map_err(bad)?;
        let field = |field| move |problem| VaultError::InvalidContact { field, problem };
        let name = decode_text(r.short_bytes().map_err(bad)?, MAX_CONTACT_NAME, true)
            .map_err(field("name"))?;
        let phone =
            decode_text(r.short_bytes().map_err(bad)?, MAX_PHONE, false).map_err(field("phone"))?;
        let email =
            decode_text(r.short_bytes().map_err(bad)?, MAX_EMAIL, false).map_err(field("email"))?;
        if r.rest().iter().any(|&b| b != 0) {
            return Err(VaultError::Malformed);
        }
        let c = ContactRecord {
            name: name.to_owned(),
            phone: phone.to_owned(),
            email: email.to_owned(),
            party_size,
            arrival,
            departure,
        };
        // A record sealed before clients had to refuse a name alone still names the visitor:
        // the authority keeps it rather than lose it.
        c.check_fields()?;
        Ok(c)
    }
}

/// Seals one record for `hour` of a visit to `poster`'s venue, filed as if sent on the hour's
/// own day: [`seal_inner`] then [`seal_outer`] with `day = hour / 24`.
pub fn seal_record(
    rng: &mut impl CryptoRng,
    poster: &Poster,
    authority: &SealingPublicKey,
    hour: u64,
    contact: &ContactRecord,
) -> Result<VaultRecord, VaultError> {
    let inner = seal_inner(rng, poster, authority, hour, contact)?;
    seal_outer(
        rng,
        poster.sealing_key(),
        vault_bucket(&poster.venue_id()),
        hour / 24,
        &inner,
    )
}

/// The authority's layer of the record for `hour` of a visit (spec section 14.2): the inner
/// record `vault_tag || Seal(authority, contact)`, made when the visit ends. A client keeps
/// it queued and adds the venue's layer only when it sends it ([`seal_outer`]), so that the
/// day the record is filed under is the day it is sent, as for a cover record.
pub fn seal_inner(
    rng: &mut impl CryptoRng,
    poster: &Poster,
    authority: &SealingPublicKey,
    hour: u64,
    contact: &ContactRecord,
) -> Result<InnerRecord, VaultError> {
    contact.validate()?;
    let tag = vault_tag(&poster.venue_id(), hour);
    let plain = contact.encode();
    let inner = hpke_suite::seal(rng, authority, domain::VAULT_INNER, &tag, plain.as_ref())
        .map_err(|_| VaultError::DecryptionFailed)?;
    let mut out = [0u8; INNER_RECORD_LEN];
    if inner.len() != INNER_SEALED_LEN {
        return Err(VaultError::WrongLength {
            expected: INNER_SEALED_LEN,
            got: inner.len(),
        });
    }
    out[..TAG_LEN].copy_from_slice(&tag);
    out[TAG_LEN..].copy_from_slice(&inner);
    Ok(out)
}

/// The venue's layer, added when the record is sent (spec section 14.5): files `inner` under
/// `bucket_tag(bucket, day)`, `day` being the UTC day of sending, and seals it to the venue's
/// key with that tag as associated data.
pub fn seal_outer(
    rng: &mut impl CryptoRng,
    venue: &SealingPublicKey,
    bucket: u16,
    day: u64,
    inner: &InnerRecord,
) -> Result<VaultRecord, VaultError> {
    let file_tag = bucket_tag(bucket % VAULT_BUCKETS, day);
    let outer = hpke_suite::seal(rng, venue, domain::VAULT_OUTER, &file_tag, inner)
        .map_err(|_| VaultError::DecryptionFailed)?;
    let mut record = [0u8; RECORD_LEN];
    if outer.len() != RECORD_LEN - TAG_LEN {
        return Err(VaultError::WrongLength {
            expected: RECORD_LEN - TAG_LEN,
            got: outer.len(),
        });
    }
    record[..TAG_LEN].copy_from_slice(&file_tag);
    record[TAG_LEN..].copy_from_slice(&outer);
    Ok(record)
}

/// Seals the records for a whole visit: one per hour `[arrival, departure)` covers, each to
/// the trust file's sealing key for the period that hour starts in (spec section 14.2), and
/// filed as if sent on the hour's day. Nothing is sealed if a period is missing for any of
/// the hours.
pub fn seal_visit(
    rng: &mut impl CryptoRng,
    poster: &Poster,
    trust: &TrustAnchor,
    contact: &ContactRecord,
) -> Result<Vec<VaultRecord>, VaultError> {
    let bucket = vault_bucket(&poster.venue_id());
    seal_visit_inner(rng, poster, trust, contact)?
        .into_iter()
        .map(|(h, inner)| seal_outer(rng, poster.sealing_key(), bucket, h / 24, &inner))
        .collect()
}

/// The authority's layers of a visit's records, one per hour it covers, with their hours:
/// what a client seals when a shared visit ends and queues until each is sent
/// ([`seal_outer`]). Nothing is sealed if a period is missing for any of the hours.
pub fn seal_visit_inner(
    rng: &mut impl CryptoRng,
    poster: &Poster,
    trust: &TrustAnchor,
    contact: &ContactRecord,
) -> Result<Vec<(u64, InnerRecord)>, VaultError> {
    contact.validate()?;
    let keys = hours_covered(contact.arrival, contact.departure)
        .map(|h| {
            trust
                .sealing_key_at(h * 3600)
                .map(|k| (h, k))
                .ok_or(VaultError::NoSealingKey { hour: h })
        })
        .collect::<Result<Vec<_>, _>>()?;
    keys.into_iter()
        .map(|(h, k)| Ok((h, seal_inner(rng, poster, k, h, contact)?)))
        .collect()
}

/// A **cover record** sent on UTC day `day` (spec section 14.5): filed under the tag of a
/// bucket drawn by [`cover_bucket`] from `venues_per_bucket` for that day, and sealed, like a
/// real record's venue layer, to a fresh random key that is then forgotten. On the wire and
/// in the store it is indistinguishable from a real record sent that day; no venue opens it,
/// so it is discarded when a tracer's request is unwrapped.
pub fn cover_record(rng: &mut impl CryptoRng, day: u64, venues_per_bucket: &[u32]) -> VaultRecord {
    let file_tag = bucket_tag(cover_bucket(rng, venues_per_bucket), day);
    let mut record = [0u8; RECORD_LEN];
    record[..TAG_LEN].copy_from_slice(&file_tag);
    loop {
        // A random key is weak with negligible probability; HPKE then refuses it: draw again.
        let key = SealingSecretKey::generate(rng).public_key();
        let zeros = [0u8; INNER_RECORD_LEN];
        if let Ok(outer) = hpke_suite::seal(rng, &key, domain::VAULT_OUTER, &file_tag, &zeros)
            && outer.len() == RECORD_LEN - TAG_LEN
        {
            record[TAG_LEN..].copy_from_slice(&outer);
            return record;
        }
    }
}

/// A cover record's bucket (spec section 14.5): bucket `b` with probability
/// `venues_per_bucket[b] / sum`, so that covers fall in buckets as visits to venues spread
/// evenly would, and never in a bucket no venue uses. A list that is not 1024 counts, or
/// whose counts are all zero, gives a uniform bucket (what a client does without a list).
pub fn cover_bucket(rng: &mut impl CryptoRng, venues_per_bucket: &[u32]) -> u16 {
    let total: u64 = venues_per_bucket.iter().map(|&n| u64::from(n)).sum();
    if venues_per_bucket.len() != usize::from(VAULT_BUCKETS) || total == 0 {
        return (uniform_below(rng, u64::from(VAULT_BUCKETS))) as u16;
    }
    let mut pick = uniform_below(rng, total);
    for (b, &n) in venues_per_bucket.iter().enumerate() {
        if pick < u64::from(n) {
            return b as u16;
        }
        pick -= u64::from(n);
    }
    VAULT_BUCKETS - 1 // unreachable: pick < total
}

/// A uniform integer below `n` (n > 0), by rejection, so that no bucket is favoured.
fn uniform_below(rng: &mut impl CryptoRng, n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % n;
        }
    }
}

/// The tag a record is filed under (its `file_tag`: a bucket of venues and a day).
pub fn record_tag(record: &[u8]) -> Option<Tag> {
    record.get(..TAG_LEN).and_then(|t| t.try_into().ok())
}

/// The tag an inner record carries (the venue's `vault_tag` for the record's hour).
pub fn inner_tag(inner: &[u8]) -> Option<Tag> {
    inner.get(..TAG_LEN).and_then(|t| t.try_into().ok())
}

/// The venue's step: opens the outer layer of a record and keeps it only if its vault tag is
/// one of `allowed` (this venue's vault tags for the hours a tracer asked about). A record of
/// another venue of the bucket does not open (`DecryptionFailed`); one of this venue for an
/// hour not asked about is `NotForThisVenue`. The venue learns nothing of the contact: what
/// is left is sealed to the authority.
pub fn strip_outer(
    venue: &VenueKeys,
    allowed: &[Tag],
    record: &[u8],
) -> Result<InnerRecord, VaultError> {
    if record.len() != RECORD_LEN {
        return Err(VaultError::WrongLength {
            expected: RECORD_LEN,
            got: record.len(),
        });
    }
    let (file_tag, outer) = record.split_at(TAG_LEN);
    let plain = zeroize::Zeroizing::new(
        hpke_suite::open(venue.sealing_secret(), domain::VAULT_OUTER, file_tag, outer)
            .map_err(|_| VaultError::DecryptionFailed)?,
    );
    let inner: InnerRecord = plain
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::DecryptionFailed)?;
    if !allowed.iter().any(|t| t[..] == inner[..TAG_LEN]) {
        return Err(VaultError::NotForThisVenue);
    }
    Ok(inner)
}

/// The authority's step: opens the inner layer.
pub fn open_inner(authority: &SealingSecretKey, inner: &[u8]) -> Result<ContactRecord, VaultError> {
    if inner.len() != INNER_RECORD_LEN {
        return Err(VaultError::WrongLength {
            expected: INNER_RECORD_LEN,
            got: inner.len(),
        });
    }
    let (tag, sealed) = inner.split_at(TAG_LEN);
    let plain = zeroize::Zeroizing::new(
        hpke_suite::open(authority, domain::VAULT_INNER, tag, sealed)
            .map_err(|_| VaultError::DecryptionFailed)?,
    );
    ContactRecord::decode(&plain)
}
