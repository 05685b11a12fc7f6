//! The one HPKE suite this protocol uses (RFC 9180): base mode,
//! DHKEM(X25519, HKDF-SHA256) (0x0020), HKDF-SHA256 (0x0001), ChaCha20-Poly1305 (0x0003).
//! This module is the only place that names the `hpke` crate's types.

use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use rand_core::CryptoRng;

use crate::keys::{SealingPublicKey, SealingSecretKey};

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

/// Length of the encapsulated key `enc`.
pub const ENC_LEN: usize = 32;
/// Length of the AEAD tag HPKE appends.
pub const AEAD_TAG_LEN: usize = 16;

/// The HPKE step failed: a bad public key, or a ciphertext that does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HpkeFailed;

/// `SealBase(pkR, info, aad, pt)`, returning `enc || ct`.
pub(crate) fn seal(
    rng: &mut impl CryptoRng,
    recipient: &SealingPublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, HpkeFailed> {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&recipient.0).map_err(|_| HpkeFailed)?;
    let (enc, ct) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &pk,
        info,
        plaintext,
        aad,
        rng,
    )
    .map_err(|_| HpkeFailed)?;
    let mut out = Vec::with_capacity(ENC_LEN + ct.len());
    out.extend_from_slice(&enc.to_bytes());
    out.extend_from_slice(&ct);
    Ok(out)
}

/// `OpenBase(enc, skR, info, aad, ct)` over `enc || ct`.
pub(crate) fn open(
    recipient: &SealingSecretKey,
    info: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, HpkeFailed> {
    if sealed.len() < ENC_LEN + AEAD_TAG_LEN {
        return Err(HpkeFailed);
    }
    let (enc, ct) = sealed.split_at(ENC_LEN);
    let sk =
        <Kem as hpke::Kem>::PrivateKey::from_bytes(recipient.as_bytes()).map_err(|_| HpkeFailed)?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).map_err(|_| HpkeFailed)?;
    hpke::single_shot_open::<Aead, Kdf, Kem>(&OpModeR::Base, &sk, &enc, info, ct, aad)
        .map_err(|_| HpkeFailed)
}
