//! Key material: the venue seed and what is derived from it, the authority's root and sealing
//! keys, and tracer keys.
//!
//! Every secret type zeroizes itself on drop and has a `Debug` that prints no secret bytes.
//! Randomness always comes from the caller (`CryptoRng`), so that this crate stays pure.

use ed25519_dalek::{SigningKey, VerifyingKey};
use hkdf::Hkdf;
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::domain;

/// Decodes an Ed25519 public key as every decoder in this protocol must (spec section 6, "Valid keys"):
/// refused if the 32 bytes are not a point, are a non-canonical encoding of one, or encode a
/// point of small order (which would verify signatures on many messages).
pub(crate) fn ed25519_public_key(bytes: &[u8; 32]) -> Option<VerifyingKey> {
    let key = VerifyingKey::from_bytes(bytes).ok()?;
    let canonical = key.to_edwards().compress().to_bytes() == *bytes;
    (canonical && !key.is_weak()).then_some(key)
}

/// Whether 32 bytes are an acceptable X25519 public key (spec section 6, "Valid keys"): any key except
/// one of small order, with which every Diffie-Hellman result is all zeros and HPKE sealing
/// fails. `[8]P` is the identity exactly when `P`'s order divides 8, on the curve and on its
/// twist alike; the encoding's top bit is ignored, as X25519 ignores it.
pub(crate) fn x25519_public_key_ok(bytes: &[u8; 32]) -> bool {
    let eight = curve25519_dalek::MontgomeryPoint(*bytes)
        .mul_bits_be([true, false, false, false].into_iter());
    eight.to_bytes() != [0u8; 32]
}

/// A 32-byte X25519 public key, used as an HPKE recipient key (RFC 9180 `SerializePublicKey`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealingPublicKey(pub [u8; 32]);

impl std::fmt::Debug for SealingPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealingPublicKey({})", crate::hex(&self.0))
    }
}

/// A 32-byte X25519 secret key (RFC 9180 `SerializePrivateKey`; clamped when used).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SealingSecretKey([u8; 32]);

impl SealingSecretKey {
    /// Wraps raw secret bytes, for example read from a key file.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SealingSecretKey(bytes)
    }

    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        SealingSecretKey(b)
    }

    /// The raw secret bytes, for writing a key file.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0)
    }

    /// The matching public key: X25519(clamp(sk), 9).
    pub fn public_key(&self) -> SealingPublicKey {
        let secret = x25519_dalek::StaticSecret::from(self.0);
        SealingPublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for SealingSecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingSecretKey(<secret>)")
    }
}

/// HKDF-SHA256 with an absent salt, 32 bytes out.
pub(crate) fn hkdf32(ikm: &[u8], info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(None, ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit of 8160, so expand cannot fail.
    let ok = hk.expand_multi_info(info, out.as_mut()).is_ok();
    debug_assert!(ok);
    out
}

/// The venue's one secret: a 32-byte seed from which both venue key pairs are derived.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct VenueSecret([u8; 32]);

impl VenueSecret {
    /// A fresh random seed.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        VenueSecret(b)
    }

    /// Wraps a seed, for example read from a key file.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        VenueSecret(bytes)
    }

    /// The raw seed, for writing the key file.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0)
    }

    /// Derives the venue's key pairs (spec section 6, "Venue").
    pub fn keys(&self) -> VenueKeys {
        let x = hkdf32(&self.0, &[domain::VENUE_X25519]);
        let e = hkdf32(&self.0, &[domain::VENUE_ED25519]);
        let sealing = SealingSecretKey(*x);
        VenueKeys {
            sealing_public: sealing.public_key(),
            sealing,
            signing: SigningKey::from_bytes(&e),
        }
    }
}

impl std::fmt::Debug for VenueSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VenueSecret(<secret>)")
    }
}

/// The venue's derived key pairs.
pub struct VenueKeys {
    pub(crate) sealing: SealingSecretKey,
    pub(crate) sealing_public: SealingPublicKey,
    pub(crate) signing: SigningKey,
}

impl VenueKeys {
    /// The X25519 public key printed on the poster (outer vault layer recipient).
    pub fn sealing_public(&self) -> SealingPublicKey {
        self.sealing_public
    }

    /// The Ed25519 public key printed on the poster.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The X25519 secret key that strips the outer vault layer.
    pub fn sealing_secret(&self) -> &SealingSecretKey {
        &self.sealing
    }
}

impl std::fmt::Debug for VenueKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VenueKeys")
            .field("sealing_public", &self.sealing_public)
            .field("verifying_key", &self.verifying_key())
            .finish_non_exhaustive()
    }
}

/// An Ed25519 signing key: the authority root, or a tracer's key.
///
/// `ed25519_dalek::SigningKey` zeroizes its secret on drop.
#[derive(Clone)]
pub struct Ed25519Secret(pub(crate) SigningKey);

impl Ed25519Secret {
    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut b = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(b.as_mut());
        Ed25519Secret(SigningKey::from_bytes(&b))
    }

    /// Wraps a 32-byte Ed25519 secret key (RFC 8032 seed).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let b = Zeroizing::new(bytes);
        Ed25519Secret(SigningKey::from_bytes(&b))
    }

    /// The raw 32-byte secret, for writing a key file.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.0.verifying_key()
    }
}

impl std::fmt::Debug for Ed25519Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Ed25519Secret(public: {})",
            crate::hex(self.0.verifying_key().as_bytes())
        )
    }
}

/// The authority's root signing key, which certifies tracers.
pub type AuthorityRootKey = Ed25519Secret;
/// A tracer's signing key, certified by the root.
pub type TracerKey = Ed25519Secret;
