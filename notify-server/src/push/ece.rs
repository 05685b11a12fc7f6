//! Web Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188), as a
//! composition of audited primitives: ECDH on P-256 (`p256`), HKDF-SHA-256 (`hkdf`, `sha2`)
//! and AES-128-GCM (`aes-gcm`). Nothing here is a primitive of its own; each step names the
//! RFC section it implements:
//!
//! 1. RFC 8291 section 3.1: a fresh P-256 key pair for every message (`as_secret`), and
//!    `ecdh_secret` = ECDH(`as_secret`, `ua_public`), the X coordinate of the shared point.
//! 2. RFC 8291 section 3.3: `PRK_key` = HKDF-Extract(salt = `auth_secret`, `ecdh_secret`);
//!    `IKM` = HKDF-Expand(`PRK_key`, "WebPush: info" 0x00 `ua_public` `as_public`, 32).
//! 3. RFC 8188 section 2.2: a fresh 16-byte `salt`; `PRK` = HKDF-Extract(`salt`, `IKM`);
//!    `CEK` = HKDF-Expand(`PRK`, "Content-Encoding: aes128gcm" 0x00, 16).
//! 4. RFC 8188 section 2.3: `NONCE` = HKDF-Expand(`PRK`, "Content-Encoding: nonce" 0x00, 12)
//!    XOR the record's sequence number, which is 0: RFC 8291 section 4 sends one record.
//! 5. RFC 8188 section 2: the record is the plaintext, the delimiter 0x02 (last record) and no
//!    further padding, sealed with AES-128-GCM under `CEK` and `NONCE`, no associated data.
//! 6. RFC 8188 section 2.1 and RFC 8291 section 3.4: the body is `salt`, the record size
//!    (4096, big-endian, 4 bytes), the key id length (65) and the key id `as_public`
//!    (uncompressed), then the sealed record.
//!
//! [`decrypt`] is the user agent's side (the tests use it to read what the server sent); it
//! accepts one record only, as RFC 8291 section 4 allows, and every failure is the one opaque
//! [`EceError::DecryptionFailed`]. RFC 8291 Appendix A's example checks both directions byte
//! for byte.

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead as _, KeyInit as _};
use hkdf::Hkdf;
use p256::elliptic_curve::Generate as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The record size written in every header (RFC 8188 section 2.1), as in RFC 8291's example.
pub const RECORD_SIZE: u32 = 4096;

/// Length of an uncompressed P-256 point, the key id (RFC 8291 section 4).
const POINT_LEN: usize = 65;

/// Salt, record size, key id length and key id (RFC 8188 section 2.1).
pub const HEADER_LEN: usize = 16 + 4 + 1 + POINT_LEN;

/// AES-GCM's tag.
const TAG_LEN: usize = 16;

/// The delimiter that ends the last record's plaintext (RFC 8188 section 2).
const LAST_RECORD: u8 = 0x02;

/// A push message that could not be sealed or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EceError {
    /// The message does not fit in one record (the only way sealing fails with the sizes
    /// used here).
    EncryptionFailed,
    /// The body does not open with these keys: altered, truncated, not `aes128gcm`, or for
    /// another subscription (not told apart).
    DecryptionFailed,
}

impl std::fmt::Display for EceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EceError::EncryptionFailed => write!(
                f,
                "the push message cannot be encrypted: it must fit in one {RECORD_SIZE}-byte record"
            ),
            EceError::DecryptionFailed => write!(
                f,
                "the push message does not decrypt with this subscription's keys"
            ),
        }
    }
}

impl std::error::Error for EceError {}

/// `point` uncompressed, as RFC 8291 puts it in `key_info` and the key id.
fn uncompressed(point: &PublicKey) -> Option<[u8; POINT_LEN]> {
    point.to_sec1_point(false).as_bytes().try_into().ok()
}

/// The content-encryption key and the nonce of record 0 (steps 2 to 4).
fn record_keys(
    ecdh_secret: &[u8],
    auth: &[u8; 16],
    ua_public: &[u8; POINT_LEN],
    as_public: &[u8; POINT_LEN],
    salt: &[u8; 16],
) -> Option<(Zeroizing<[u8; 16]>, [u8; 12])> {
    // Step 2 (RFC 8291 section 3.3).
    let prk_key = Hkdf::<Sha256>::new(Some(auth), ecdh_secret);
    let mut ikm = Zeroizing::new([0u8; 32]);
    prk_key
        .expand_multi_info(&[b"WebPush: info\0", ua_public, as_public], ikm.as_mut())
        .ok()?;
    // Step 3 (RFC 8188 section 2.2).
    let prk = Hkdf::<Sha256>::new(Some(salt), ikm.as_ref());
    let mut cek = Zeroizing::new([0u8; 16]);
    prk.expand(b"Content-Encoding: aes128gcm\0", cek.as_mut())
        .ok()?;
    // Step 4 (RFC 8188 section 2.3): record 0, so the XOR with the sequence number is a no-op.
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).ok()?;
    Some((cek, nonce))
}

/// Encrypts `plaintext` to a subscription's public key `ua_public` and auth secret: the body of
/// a push request with `Content-Encoding: aes128gcm`.
pub fn encrypt<R: rand_core::CryptoRng + ?Sized>(
    plaintext: &[u8],
    ua_public: &PublicKey,
    auth: &[u8; 16],
    rng: &mut R,
) -> Result<Vec<u8>, EceError> {
    // Step 1's fresh key pair, and step 3's fresh salt.
    let as_secret = SecretKey::generate_from_rng(rng);
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    encrypt_with(plaintext, ua_public, auth, &as_secret, &salt)
}

/// [`encrypt`] with the sender's key and salt given (RFC 8291 Appendix A fixes both).
fn encrypt_with(
    plaintext: &[u8],
    ua_public: &PublicKey,
    auth: &[u8; 16],
    as_secret: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, EceError> {
    if plaintext.len() + 1 + TAG_LEN > RECORD_SIZE as usize {
        return Err(EceError::EncryptionFailed);
    }
    let ua_bytes = uncompressed(ua_public).ok_or(EceError::EncryptionFailed)?;
    let as_bytes = uncompressed(&as_secret.public_key()).ok_or(EceError::EncryptionFailed)?;
    // Step 1.
    let ecdh = as_secret.diffie_hellman(ua_public);
    // Steps 2 to 4. (The derivation fails only for output lengths far above these.)
    let (cek, nonce) = record_keys(ecdh.raw_secret_bytes(), auth, &ua_bytes, &as_bytes, salt)
        .ok_or(EceError::EncryptionFailed)?;
    // Step 5.
    let mut record = Zeroizing::new(Vec::with_capacity(plaintext.len() + 1));
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD);
    let sealed = Aes128Gcm::new_from_slice(cek.as_ref())
        .map_err(|_| EceError::EncryptionFailed)?
        .encrypt(&nonce.into(), record.as_slice())
        .map_err(|_| EceError::EncryptionFailed)?;
    // Step 6.
    let mut body = Vec::with_capacity(HEADER_LEN + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(POINT_LEN as u8);
    body.extend_from_slice(&as_bytes);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// Decrypts a one-record `aes128gcm` push body with the subscription's secret key and auth
/// secret (the user agent's side of steps 1 to 6).
pub fn decrypt(body: &[u8], ua_secret: &SecretKey, auth: &[u8; 16]) -> Result<Vec<u8>, EceError> {
    let fail = EceError::DecryptionFailed;
    // Step 6, read back.
    let (header, sealed) = body.split_at_checked(HEADER_LEN).ok_or(fail)?;
    let (salt, rest) = header.split_at(16);
    let (rs, rest) = rest.split_at(4);
    let (id_len, as_bytes) = rest.split_at(1);
    let salt: &[u8; 16] = salt.try_into().map_err(|_| fail)?;
    let rs = u32::from_be_bytes(rs.try_into().map_err(|_| fail)?) as usize;
    let as_bytes: &[u8; POINT_LEN] = as_bytes.try_into().map_err(|_| fail)?;
    // One record (RFC 8291 section 4) of at most `rs` bytes, `rs` at least 18 (RFC 8188
    // section 2.1), holding at least the delimiter and the tag.
    if id_len != [POINT_LEN as u8] || rs < 18 || sealed.len() > rs || sealed.len() <= TAG_LEN {
        return Err(fail);
    }
    let as_public = PublicKey::from_sec1_bytes(as_bytes).map_err(|_| fail)?;
    let ua_bytes = uncompressed(&ua_secret.public_key()).ok_or(fail)?;
    // Steps 1 to 4, from the other key pair.
    let ecdh = ua_secret.diffie_hellman(&as_public);
    let (cek, nonce) =
        record_keys(ecdh.raw_secret_bytes(), auth, &ua_bytes, as_bytes, salt).ok_or(fail)?;
    // Step 5: open, then drop the padding and check the last record's delimiter.
    let mut plain = Aes128Gcm::new_from_slice(cek.as_ref())
        .map_err(|_| fail)?
        .decrypt(&nonce.into(), sealed)
        .map_err(|_| fail)?;
    let end = plain.iter().rposition(|&b| b != 0).ok_or(fail)?;
    if plain.get(end) != Some(&LAST_RECORD) {
        return Err(fail);
    }
    plain.truncate(end);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn d(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 8291 Appendix A: the keys, salt and auth secret of the example.
    struct Example {
        ua_secret: SecretKey,
        as_secret: SecretKey,
        auth: [u8; 16],
        salt: [u8; 16],
        body: Vec<u8>,
    }

    const WORDS: &[u8] = b"When I grow up, I want to be a watermelon";

    fn example() -> Example {
        Example {
            ua_secret: SecretKey::from_slice(&d("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
                .unwrap(),
            as_secret: SecretKey::from_slice(&d("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
                .unwrap(),
            auth: d("BTBZMqHH6r4Tts7J_aSIgg").try_into().unwrap(),
            salt: d("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap(),
            body: d(concat!(
                "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocI",
                "nmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWG",
                "NWQexSgSxsj_Qulcy4a-fN"
            )),
        }
    }

    #[test]
    fn the_rfc_8291_example_is_reproduced_byte_for_byte() {
        let e = example();
        // The example's published public keys are the ones its secret keys give.
        assert_eq!(
            uncompressed(&e.ua_secret.public_key()).unwrap().to_vec(),
            d(
                "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
            )
        );
        assert_eq!(
            uncompressed(&e.as_secret.public_key()).unwrap().to_vec(),
            d(
                "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
            )
        );
        let body = encrypt_with(
            WORDS,
            &e.ua_secret.public_key(),
            &e.auth,
            &e.as_secret,
            &e.salt,
        )
        .unwrap();
        assert_eq!(body, e.body);
    }

    #[test]
    fn the_rfc_8291_example_derives_its_published_intermediate_values() {
        let e = example();
        let ua = uncompressed(&e.ua_secret.public_key()).unwrap();
        let sender = uncompressed(&e.as_secret.public_key()).unwrap();
        let ecdh = e.as_secret.diffie_hellman(&e.ua_secret.public_key());
        assert_eq!(
            ecdh.raw_secret_bytes().to_vec(),
            d("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs")
        );
        let (cek, nonce) =
            record_keys(ecdh.raw_secret_bytes(), &e.auth, &ua, &sender, &e.salt).unwrap();
        assert_eq!(cek.to_vec(), d("oIhVW04MRdy2XN9CiKLxTg"));
        assert_eq!(nonce.to_vec(), d("4h_95klXJ5E_qnoN"));
    }

    #[test]
    fn the_rfc_8291_example_decrypts_to_its_words() {
        let e = example();
        assert_eq!(decrypt(&e.body, &e.ua_secret, &e.auth).unwrap(), WORDS);
    }

    #[test]
    fn a_changed_byte_anywhere_in_the_body_is_refused() {
        let e = example();
        // All but the record size (bytes 16 to 19): RFC 8188 leaves it unauthenticated, and
        // for a single record any size at least the record's own still reads the same.
        for i in (0..16).chain(20..e.body.len()) {
            let mut tampered = e.body.clone();
            tampered[i] ^= 1;
            assert_eq!(
                decrypt(&tampered, &e.ua_secret, &e.auth),
                Err(EceError::DecryptionFailed),
                "byte {i}"
            );
        }
        // Cut short, or opened with another auth secret.
        for len in [0, HEADER_LEN, HEADER_LEN + TAG_LEN, e.body.len() - 1] {
            assert_eq!(
                decrypt(&e.body[..len], &e.ua_secret, &e.auth),
                Err(EceError::DecryptionFailed),
                "{len} bytes"
            );
        }
        let mut other = e.auth;
        other[0] ^= 1;
        assert_eq!(
            decrypt(&e.body, &e.ua_secret, &other),
            Err(EceError::DecryptionFailed)
        );
    }

    #[test]
    fn a_fresh_encryption_opens_with_the_subscription_keys_and_differs_each_time() {
        let e = example();
        let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
        let a = encrypt(b"sync", &e.ua_secret.public_key(), &e.auth, &mut rng).unwrap();
        let b = encrypt(b"sync", &e.ua_secret.public_key(), &e.auth, &mut rng).unwrap();
        assert_ne!(a, b, "a fresh sender key and salt each time");
        assert_eq!(a.len(), HEADER_LEN + 4 + 1 + TAG_LEN);
        assert_eq!(decrypt(&a, &e.ua_secret, &e.auth).unwrap(), b"sync");
        assert_eq!(decrypt(&b, &e.ua_secret, &e.auth).unwrap(), b"sync");
        let too_long = vec![0u8; RECORD_SIZE as usize - TAG_LEN];
        assert_eq!(
            encrypt(&too_long, &e.ua_secret.public_key(), &e.auth, &mut rng),
            Err(EceError::EncryptionFailed)
        );
    }
}
