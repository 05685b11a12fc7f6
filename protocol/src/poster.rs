//! Posters: what a venue prints, and the `venue_id` bound to all of it.
//!
//! Encoding (spec section 7.1, "Encoding"), all integers big-endian:
//!
//! ```text
//! version u8 (=2) | flags u8 | x25519_pk[32] | ed25519_pk[32]
//! | name_len u8 | name | address_len u8 | address | category_len u8 | category
//! | default_stay_minutes u16 | [valid_from u64 | valid_until u64]   (if flags bit 0)
//! | signature[64]
//! ```
//!
//! The signature is the venue's Ed25519 signature over
//! `"checkin/v2/poster-signature" || 0x00 || everything before it`. The `venue_id` is a BLAKE3
//! derive-key hash of the *whole* encoding, signature included, so that any change to any
//! field gives another venue whose check-ins never match the real venue's notices.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, VerifyingKey};

use crate::domain;
use crate::error::PosterError;
use crate::keys::{SealingPublicKey, VenueKeys};
use crate::wire::{Reader, check_text, decode_text, put_short_bytes, put_u16, put_u64};

/// Format version of posters.
pub const POSTER_VERSION: u8 = 2;
/// Longest venue name, in bytes of UTF-8.
pub const MAX_NAME: usize = 80;
/// Longest address, in bytes of UTF-8.
pub const MAX_ADDRESS: usize = 120;
/// Longest category, in bytes of UTF-8.
pub const MAX_CATEGORY: usize = 32;
/// Longest default stay, in minutes (12 hours).
pub const MAX_STAY_MINUTES: u16 = 720;
/// Longest poster encoding: every field at its maximum.
pub const MAX_POSTER_LEN: usize =
    2 + 32 + 32 + 1 + MAX_NAME + 1 + MAX_ADDRESS + 1 + MAX_CATEGORY + 2 + 16 + 64;
/// Longest base URL accepted in front of the fragment.
pub const MAX_BASE_URL: usize = 200;

const FLAG_VALIDITY: u8 = 0x01;

/// The 32-byte venue id: `BLAKE3.derive_key("checkin/v2/venue-id", poster_encoding)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VenueId(pub [u8; 32]);

impl VenueId {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for VenueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VenueId({})", crate::hex(&self.0))
    }
}

/// A validity window `[from, until)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// First valid second.
    pub from: u64,
    /// First second no longer valid.
    pub until: u64,
}

/// What a venue owner chooses to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PosterInfo {
    /// Venue name, 1 to 80 bytes.
    pub name: String,
    /// Address, 0 to 120 bytes.
    pub address: String,
    /// Category such as "restaurant", 0 to 32 bytes.
    pub category: String,
    /// Default stay for automatic check-out, 1 to 720 minutes.
    pub default_stay_minutes: u16,
    /// Optional validity window.
    pub validity: Option<Validity>,
}

impl PosterInfo {
    /// Checks every field against the format's rules.
    pub fn validate(&self) -> Result<(), PosterError> {
        let field = |field| move |problem| PosterError::InvalidText { field, problem };
        check_text(&self.name, MAX_NAME, true).map_err(field("name"))?;
        check_text(&self.address, MAX_ADDRESS, false).map_err(field("address"))?;
        check_text(&self.category, MAX_CATEGORY, false).map_err(field("category"))?;
        if self.default_stay_minutes == 0 || self.default_stay_minutes > MAX_STAY_MINUTES {
            return Err(PosterError::InvalidStay(self.default_stay_minutes));
        }
        if let Some(v) = self.validity
            && v.until <= v.from
        {
            return Err(PosterError::InvalidValidity);
        }
        Ok(())
    }
}

/// A decoded poster whose signature has been verified.
///
/// The only ways to get one are [`Poster::sign`] and the strict decoders, so holding a
/// `Poster` means its encoding is canonical and its signature verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poster {
    info: PosterInfo,
    sealing_key: SealingPublicKey,
    verifying_key: VerifyingKey,
    encoded: Vec<u8>,
    venue_id: VenueId,
}

fn encode_body(info: &PosterInfo, sealing: &SealingPublicKey, verifying: &VerifyingKey) -> Vec<u8> {
    let mut b = Vec::with_capacity(MAX_POSTER_LEN);
    b.push(POSTER_VERSION);
    b.push(if info.validity.is_some() {
        FLAG_VALIDITY
    } else {
        0
    });
    b.extend_from_slice(&sealing.0);
    b.extend_from_slice(verifying.as_bytes());
    put_short_bytes(&mut b, info.name.as_bytes());
    put_short_bytes(&mut b, info.address.as_bytes());
    put_short_bytes(&mut b, info.category.as_bytes());
    put_u16(&mut b, info.default_stay_minutes);
    if let Some(v) = info.validity {
        put_u64(&mut b, v.from);
        put_u64(&mut b, v.until);
    }
    b
}

fn venue_id_of(encoded: &[u8]) -> VenueId {
    VenueId(blake3::derive_key(domain::VENUE_ID, encoded))
}

impl Poster {
    /// The venue signs a poster with its keys.
    pub fn sign(keys: &VenueKeys, info: PosterInfo) -> Result<Poster, PosterError> {
        info.validate()?;
        let verifying_key = keys.verifying_key();
        let mut encoded = encode_body(&info, &keys.sealing_public, &verifying_key);
        let sig = keys
            .signing
            .sign(&domain::signed_message(domain::POSTER_SIGNATURE, &encoded));
        encoded.extend_from_slice(&sig.to_bytes());
        let venue_id = venue_id_of(&encoded);
        Ok(Poster {
            info,
            sealing_key: keys.sealing_public,
            verifying_key,
            encoded,
            venue_id,
        })
    }

    /// Strictly decodes a poster and verifies its signature.
    ///
    /// Rejects anything the encoder would not produce: unknown versions or flags, bad text,
    /// out-of-range values, trailing bytes, and over-long input. Validity times are checked
    /// separately by [`Poster::check_valid_at`], because the caller owns the clock.
    pub fn decode(bytes: &[u8]) -> Result<Poster, PosterError> {
        let inspection = inspect(bytes)?;
        inspection.signature?;
        Ok(inspection.poster.0)
    }

    /// Decodes the base64url (no padding) payload of a poster URL.
    pub fn from_payload(payload: &str) -> Result<Poster, PosterError> {
        Poster::decode(&payload_bytes(payload)?)
    }

    /// Decodes a poster URL `https://HOST/PATH#PAYLOAD`, or a bare payload.
    ///
    /// Only the fragment matters, and it must be the whole of what follows the first `#`.
    /// The base URL is not checked against a fixed host: the deploying authority chooses it,
    /// and the signature, not the host, is what makes a poster genuine.
    pub fn from_url_or_payload(text: &str) -> Result<Poster, PosterError> {
        let inspection = inspect_url_or_payload(text)?;
        inspection.signature?;
        Ok(inspection.poster.0)
    }

    /// The poster URL: `base_url || "#" || base64url(encoding)`.
    pub fn to_url(&self, base_url: &str) -> Result<String, PosterError> {
        check_base_url(base_url)?;
        Ok(format!("{base_url}#{}", self.payload()))
    }

    /// The base64url (no padding) payload.
    pub fn payload(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.encoded)
    }

    /// Errors unless `now` lies in the validity window (if there is one).
    pub fn check_valid_at(&self, now: u64) -> Result<(), PosterError> {
        match self.info.validity {
            Some(v) if now < v.from => Err(PosterError::NotYetValid { from: v.from }),
            Some(v) if now >= v.until => Err(PosterError::Expired { until: v.until }),
            _ => Ok(()),
        }
    }

    /// The printed fields.
    pub fn info(&self) -> &PosterInfo {
        &self.info
    }

    /// The venue's X25519 key (outer layer of vault records).
    pub fn sealing_key(&self) -> &SealingPublicKey {
        &self.sealing_key
    }

    /// The venue's Ed25519 key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying_key
    }

    /// The canonical encoding, signature included.
    pub fn to_bytes(&self) -> &[u8] {
        &self.encoded
    }

    /// The venue id bound to the whole encoding.
    pub fn venue_id(&self) -> VenueId {
        self.venue_id
    }

    /// The short fingerprint printed on the poster, such as `K7QF-3M2A-PX4D-9TZB`.
    ///
    /// It is the first 10 bytes of `BLAKE3.derive_key("checkin/v2/venue-fingerprint",
    /// ed25519_pk || x25519_pk)` in RFC 4648 base32, in groups of four: 80 bits, enough that
    /// nobody can make a second key pair with the same fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.verifying_key, &self.sealing_key)
    }
}

/// The key fingerprint of a venue's public keys; see [`Poster::fingerprint`].
pub fn fingerprint(verifying_key: &VerifyingKey, sealing_key: &SealingPublicKey) -> String {
    let mut h = blake3::Hasher::new_derive_key(domain::VENUE_FINGERPRINT);
    h.update(verifying_key.as_bytes());
    h.update(&sealing_key.0);
    let digest = h.finalize();
    let text = data_encoding::BASE32_NOPAD.encode(&digest.as_bytes()[..10]);
    let groups: Vec<&str> = text
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    groups.join("-")
}

/// A base URL must be `https://` with a host, at most 200 bytes, and free of `#`, white
/// space and control characters, so that the payload is always the whole fragment.
pub fn check_base_url(base: &str) -> Result<(), PosterError> {
    let rest = base
        .strip_prefix("https://")
        .ok_or(PosterError::BadUrl("it must start with https://"))?;
    if base.len() > MAX_BASE_URL {
        return Err(PosterError::BadUrl("the base URL is longer than 200 bytes"));
    }
    if base.contains('#') || base.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(PosterError::BadUrl(
            "the base URL must not contain '#', spaces or control characters",
        ));
    }
    let host = rest.split(['/', '?']).next().unwrap_or("");
    if host.is_empty() {
        return Err(PosterError::BadUrl("it has no host"));
    }
    Ok(())
}

/// A poster decoded for display, with the outcome of its signature check kept apart.
///
/// Only [`Poster::decode`] yields a poster to act on; this is for tools that show what a
/// code contains even when it does not verify.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The decoded poster, whose signature may not verify: see `signature`.
    pub poster: UnverifiedPoster,
    /// `Ok(())` if the signature verifies, otherwise why not.
    pub signature: Result<(), PosterError>,
}

/// A strictly decoded poster whose signature has not been checked, or failed. It can be
/// shown (for `inspect`) but never used as a [`Poster`], whose every holder may rely on a
/// verified signature: only [`Poster::decode`] and its siblings make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnverifiedPoster(Poster);

impl UnverifiedPoster {
    /// The printed details, as the poster claims them.
    pub fn info(&self) -> &PosterInfo {
        self.0.info()
    }

    /// The X25519 key the poster carries.
    pub fn sealing_key(&self) -> &SealingPublicKey {
        self.0.sealing_key()
    }

    /// The Ed25519 key the poster carries.
    pub fn verifying_key(&self) -> &VerifyingKey {
        self.0.verifying_key()
    }

    /// The exact bytes decoded.
    pub fn to_bytes(&self) -> &[u8] {
        self.0.to_bytes()
    }

    /// The venue id these bytes would have.
    pub fn venue_id(&self) -> VenueId {
        self.0.venue_id()
    }

    /// The fingerprint of the keys it carries.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }
}

/// Decodes a poster strictly, but reports a failing signature instead of refusing it.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, PosterError> {
    if bytes.len() > MAX_POSTER_LEN {
        return Err(PosterError::TooLong);
    }
    let short = |_| PosterError::Truncated;
    let mut r = Reader::new(bytes);
    let version = r.u8().map_err(short)?;
    if version != POSTER_VERSION {
        return Err(PosterError::UnsupportedVersion(version));
    }
    let flags = r.u8().map_err(short)?;
    if flags & !FLAG_VALIDITY != 0 {
        return Err(PosterError::UnknownFlags(flags));
    }
    let sealing_key = SealingPublicKey(r.array::<32>().map_err(short)?);
    let ed = r.array::<32>().map_err(short)?;
    let text = |r: &mut Reader<'_>, field, max, required| -> Result<String, PosterError> {
        let b = r.short_bytes().map_err(short)?;
        decode_text(b, max, required)
            .map(str::to_owned)
            .map_err(|problem| PosterError::InvalidText { field, problem })
    };
    let name = text(&mut r, "name", MAX_NAME, true)?;
    let address = text(&mut r, "address", MAX_ADDRESS, false)?;
    let category = text(&mut r, "category", MAX_CATEGORY, false)?;
    let default_stay_minutes = r.u16().map_err(short)?;
    let validity = if flags & FLAG_VALIDITY != 0 {
        let from = r.u64().map_err(short)?;
        let until = r.u64().map_err(short)?;
        Some(Validity { from, until })
    } else {
        None
    };
    let body_len = r.position();
    let sig = r.array::<64>().map_err(short)?;
    if r.remaining() != 0 {
        return Err(PosterError::TrailingBytes);
    }
    let info = PosterInfo {
        name,
        address,
        category,
        default_stay_minutes,
        validity,
    };
    info.validate()?;
    let verifying_key = crate::keys::ed25519_public_key(&ed).ok_or(PosterError::InvalidKey)?;
    if !crate::keys::x25519_public_key_ok(&sealing_key.0) {
        return Err(PosterError::InvalidKey);
    }
    let signature = verifying_key
        .verify_strict(
            &domain::signed_message(domain::POSTER_SIGNATURE, &bytes[..body_len]),
            &Signature::from_bytes(&sig),
        )
        .map_err(|_| PosterError::BadSignature);
    Ok(Inspection {
        poster: UnverifiedPoster(Poster {
            info,
            sealing_key,
            verifying_key,
            encoded: bytes.to_vec(),
            venue_id: venue_id_of(bytes),
        }),
        signature,
    })
}

/// Like [`Poster::from_url_or_payload`], for inspection.
pub fn inspect_url_or_payload(text: &str) -> Result<Inspection, PosterError> {
    let text = text.trim();
    let payload = match text.split_once('#') {
        None if text.contains("://") => {
            return Err(PosterError::BadUrl(
                "it has no '#' fragment carrying a poster code",
            ));
        }
        None => text,
        Some((base, payload)) => {
            check_base_url(base)?;
            payload
        }
    };
    inspect(&payload_bytes(payload)?)
}

fn payload_bytes(payload: &str) -> Result<Vec<u8>, PosterError> {
    // 4/3 of the longest poster, rounded up: anything longer cannot be a poster.
    if payload.len() > MAX_POSTER_LEN.div_ceil(3) * 4 {
        return Err(PosterError::TooLong);
    }
    URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| PosterError::BadBase64)
}
