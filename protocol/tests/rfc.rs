//! The standards this protocol composes, checked against their own published vectors:
//! HPKE (RFC 9180, the exact suite the vault and case files use) and HKDF-SHA256 (RFC 5869).
//! The vectors live in `spec/vectors/rfc9180-a2-1.json` and `spec/vectors/rfc5869.json`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests"
)]

use std::convert::Infallible;

use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use serde_json::Value;

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

fn load(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn unh(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Hands out fixed bytes, so that encapsulation uses the RFC's ephemeral `ikmE`.
struct FixedRng(Vec<u8>);

impl rand_core::TryRng for FixedRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(
            dst.len() <= self.0.len(),
            "the RFC vector has no more randomness to give"
        );
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

impl rand_core::TryCryptoRng for FixedRng {}

fn clamp(mut k: Vec<u8>) -> Vec<u8> {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

#[test]
fn rfc9180_a2_1_key_derivation() {
    let v = load("rfc9180-a2-1.json");
    assert_eq!(
        (
            v["mode"].as_u64(),
            v["kem_id"].as_u64(),
            v["kdf_id"].as_u64(),
            v["aead_id"].as_u64()
        ),
        (Some(0), Some(0x20), Some(1), Some(3)),
        "the suite the protocol uses"
    );
    for (ikm, sk, pk) in [("ikmR", "skRm", "pkRm"), ("ikmE", "skEm", "pkEm")] {
        let (skx, pkx) = Kem::derive_keypair(&unh(&v[ikm]));
        // The crate keeps X25519 secret keys clamped (RFC 9180 section 7.1.2 has
        // DeserializePrivateKey clamp); the RFC prints them unclamped.
        assert_eq!(skx.to_bytes().to_vec(), clamp(unh(&v[sk])));
        assert_eq!(pkx.to_bytes().to_vec(), unh(&v[pk]));
    }
    // The protocol's own X25519 public-key computation agrees with the RFC's key pair.
    let sk: [u8; 32] = unh(&v["skRm"]).try_into().unwrap();
    let ours = protocol::SealingSecretKey::from_bytes(sk).public_key();
    assert_eq!(ours.0.to_vec(), unh(&v["pkRm"]));
}

#[test]
fn rfc9180_a2_1_seal_and_open() {
    let v = load("rfc9180-a2-1.json");
    let info = unh(&v["info"]);
    let pk_r = <Kem as hpke::Kem>::PublicKey::from_bytes(&unh(&v["pkRm"])).unwrap();
    let sk_r = <Kem as hpke::Kem>::PrivateKey::from_bytes(&unh(&v["skRm"])).unwrap();
    let mut rng = FixedRng(unh(&v["ikmE"]));
    let (enc, mut sender) =
        hpke::setup_sender_with_rng::<Aead, Kdf, Kem>(&OpModeS::Base, &pk_r, &info, &mut rng)
            .unwrap();
    assert_eq!(enc.to_bytes().to_vec(), unh(&v["enc"]));
    let mut receiver =
        hpke::setup_receiver::<Aead, Kdf, Kem>(&OpModeR::Base, &sk_r, &enc, &info).unwrap();

    let encryptions = v["encryptions"].as_array().unwrap();
    let last = encryptions
        .iter()
        .map(|e| e["sequence_number"].as_u64().unwrap())
        .max()
        .unwrap();
    let pt = unh(&encryptions[0]["pt"]);
    let mut checked = 0;
    for seq in 0..=last {
        let aad = format!("Count-{seq}").into_bytes();
        let ct = sender.seal(&pt, &aad).unwrap();
        let opened = receiver.open(&ct, &aad).unwrap();
        assert_eq!(opened, pt);
        if let Some(e) = encryptions
            .iter()
            .find(|e| e["sequence_number"].as_u64() == Some(seq))
        {
            assert_eq!(aad, unh(&e["aad"]));
            assert_eq!(ct, unh(&e["ct"]), "sequence number {seq}");
            checked += 1;
        }
    }
    assert_eq!(checked, encryptions.len());

    // Single-shot open of the first ciphertext, the call the protocol itself makes.
    let first = &encryptions[0];
    let opened = hpke::single_shot_open::<Aead, Kdf, Kem>(
        &OpModeR::Base,
        &sk_r,
        &enc,
        &info,
        &unh(&first["ct"]),
        &unh(&first["aad"]),
    )
    .unwrap();
    assert_eq!(opened, unh(&first["pt"]));

    for x in v["exports"].as_array().unwrap() {
        let mut out = vec![0u8; x["L"].as_u64().unwrap() as usize];
        sender
            .export(&unh(&x["exporter_context"]), &mut out)
            .unwrap();
        assert_eq!(out, unh(&x["exported_value"]));
    }
}

#[test]
fn rfc5869_hkdf_sha256() {
    let v = load("rfc5869.json");
    for c in v["cases"].as_array().unwrap() {
        let salt = unh(&c["salt"]);
        let (prk, hk) = hkdf::Hkdf::<sha2::Sha256>::extract(Some(&salt), &unh(&c["ikm"]));
        assert_eq!(prk.to_vec(), unh(&c["prk"]), "{}", c["name"]);
        let mut okm = vec![0u8; c["L"].as_u64().unwrap() as usize];
        hk.expand(&unh(&c["info"]), &mut okm).unwrap();
        assert_eq!(okm, unh(&c["okm"]), "{}", c["name"]);
    }
    // The protocol uses an absent salt; RFC 5869 section 2.2 makes it HashLen zero bytes,
    // which is what A.3 (empty salt) exercises.
    let a3 = &v["cases"][2];
    let mut okm = vec![0u8; 42];
    hkdf::Hkdf::<sha2::Sha256>::new(None, &unh(&a3["ikm"]))
        .expand(&[], &mut okm)
        .unwrap();
    assert_eq!(okm, unh(&a3["okm"]));
}
