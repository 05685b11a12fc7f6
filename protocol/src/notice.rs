//! Exposure notices: per-hour entries, and the tracer-signed bundles that carry them.
//!
//! An entry is `tag[16] | nonce[12] | ciphertext[256] | poly1305_tag[16]` (300 bytes). The
//! plaintext is the padded payload `start u64 | end u64 | severity u8 | approver u8 |
//! approval[64] | msg_len u8 | msg | zeros` (256 bytes), sealed with ChaCha20-Poly1305 under
//! `notice_key(venue_id, h)`, with the entry's tag as associated data. The approval is the
//! venue's (or the authority's emergency) signature over the notice: see [`crate::approval`].
//!
//! A bundle is `0x01 | cert_len u16 | cert | created_at u64 | count u32 | entries | sig[64]`.
//! Entries are sorted by tag, strictly ascending: the order then says nothing about which
//! entries belong to one venue, and the encoding is canonical. The tracer signs
//! `"checkin/v1/notice-bundle" || 0x00 || BLAKE3.derive_key("checkin/v1/notice-bundle-digest",
//! body)`: hashing with BLAKE3 first keeps verification of a million entries fast, since
//! BLAKE3 runs several times faster than the SHA-512 inside Ed25519.

use std::collections::HashMap;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag as AeadTag};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use rand_core::CryptoRng;

use crate::approval::{Approval, Approver, Statement};
use crate::cert::{Certificate, MAX_CERT_LEN};
use crate::derive::{TAG_LEN, Tag, hours_covered, notice_key, notice_tag};
use crate::domain;
use crate::error::{BundleError, NoticeError};
use crate::keys::Ed25519Secret;
use crate::poster::VenueId;
use crate::wire::{Reader, check_text, decode_text, put_u16, put_u32, put_u64};

/// Format version of bundles.
pub const BUNDLE_VERSION: u8 = 1;
/// Size of the padded payload plaintext.
pub const PAYLOAD_LEN: usize = 256;
/// Size of one entry on the wire.
pub const ENTRY_LEN: usize = TAG_LEN + 12 + PAYLOAD_LEN + 16;
/// Longest message, in bytes of UTF-8.
pub const MAX_MESSAGE: usize = 160;
/// Most entries in one bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 4096;
/// Longest exposure window of one notice: 14 days.
pub const MAX_WINDOW_SECS: u64 = 14 * 24 * 3600;
/// How far in the future a bundle's creation time may lie, for clock skew.
pub const MAX_FUTURE_SKEW_SECS: u64 = 300;

/// Oldest bundle a phone accepts, in seconds: the 14 days phones keep visits (spec 12.2).
pub const MAX_BUNDLE_AGE_SECS: u64 = 14 * 86_400;
/// Longest bundle encoding.
pub const MAX_BUNDLE_LEN: usize =
    1 + 2 + MAX_CERT_LEN + 8 + 4 + MAX_BUNDLE_ENTRIES * ENTRY_LEN + 64;

/// How serious a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Byte 1: get tested if symptoms appear.
    Low,
    /// Byte 2: act now.
    High,
}

impl Severity {
    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Severity::Low => 1,
            Severity::High => 2,
        }
    }

    /// Parses the wire byte.
    pub fn from_byte(b: u8) -> Result<Severity, NoticeError> {
        match b {
            1 => Ok(Severity::Low),
            2 => Ok(Severity::High),
            other => Err(NoticeError::InvalidSeverity(other)),
        }
    }
}

/// What a notice tells the people who were there.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NoticePayload {
    /// Start of the exposure window, Unix seconds.
    pub start: u64,
    /// End of the exposure window (exclusive), Unix seconds.
    pub end: u64,
    /// How serious it is.
    pub severity: Severity,
    /// The tracer's message, at most 160 bytes.
    pub message: String,
    /// The venue's (or the authority's emergency) approval of this notice.
    pub approval: Approval,
}

impl NoticePayload {
    /// Checks the window and message.
    pub fn validate(&self) -> Result<(), NoticeError> {
        if self.end <= self.start || self.end - self.start > MAX_WINDOW_SECS {
            return Err(NoticeError::InvalidWindow);
        }
        check_text(&self.message, MAX_MESSAGE, false).map_err(NoticeError::InvalidMessage)
    }

    /// What the approval signs, for this payload's venue and the bundle's certificate.
    pub fn statement(&self, venue_id: &VenueId, cert_digest: [u8; 32]) -> Statement {
        Statement {
            venue_id: *venue_id,
            cert_digest,
            start: self.start,
            end: self.end,
            severity: self.severity,
            message: self.message.clone(),
        }
    }

    pub(crate) fn encode(&self) -> [u8; PAYLOAD_LEN] {
        let mut p = [0u8; PAYLOAD_LEN];
        p[0..8].copy_from_slice(&self.start.to_be_bytes());
        p[8..16].copy_from_slice(&self.end.to_be_bytes());
        p[16] = self.severity.to_byte();
        p[17] = self.approval.by.to_byte();
        p[18..82].copy_from_slice(&self.approval.signature);
        let m = self.message.as_bytes();
        let n = m.len().min(MAX_MESSAGE);
        p[82] = n as u8;
        p[83..83 + n].copy_from_slice(&m[..n]);
        p
    }

    pub(crate) fn decode(p: &[u8; PAYLOAD_LEN]) -> Result<NoticePayload, NoticeError> {
        let mut r = Reader::new(p);
        let bad = |_| NoticeError::MalformedPayload;
        let start = r.u64().map_err(bad)?;
        let end = r.u64().map_err(bad)?;
        let severity = Severity::from_byte(r.u8().map_err(bad)?)?;
        let by = Approver::from_byte(r.u8().map_err(bad)?)?;
        let signature = r.array::<64>().map_err(bad)?;
        let msg = r.short_bytes().map_err(bad)?;
        if msg.len() > MAX_MESSAGE || r.rest().iter().any(|&b| b != 0) {
            return Err(NoticeError::MalformedPayload);
        }
        let message = decode_text(msg, MAX_MESSAGE, false).map_err(NoticeError::InvalidMessage)?;
        let payload = NoticePayload {
            start,
            end,
            severity,
            message: message.to_owned(),
            approval: Approval { by, signature },
        };
        payload.validate()?;
        Ok(payload)
    }
}

/// Seals one entry with an explicit nonce. Public so that test vectors can pin the bytes;
/// use [`seal_entry`] otherwise.
pub fn seal_entry_with_nonce(
    venue_id: &VenueId,
    hour: u64,
    payload: &NoticePayload,
    nonce: [u8; 12],
) -> Result<[u8; ENTRY_LEN], NoticeError> {
    payload.validate()?;
    let tag = notice_tag(venue_id, hour);
    let key = notice_key(venue_id, hour);
    let cipher = ChaCha20Poly1305::new((&*key).into());
    let mut entry = [0u8; ENTRY_LEN];
    entry[..TAG_LEN].copy_from_slice(&tag);
    entry[TAG_LEN..TAG_LEN + 12].copy_from_slice(&nonce);
    let body = &mut entry[TAG_LEN + 12..TAG_LEN + 12 + PAYLOAD_LEN];
    body.copy_from_slice(&payload.encode());
    let aead_tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), &tag, body.into())
        .map_err(|_| NoticeError::DecryptionFailed)?;
    entry[TAG_LEN + 12 + PAYLOAD_LEN..].copy_from_slice(&aead_tag);
    Ok(entry)
}

/// Seals one entry for `venue_id` and `hour` with a fresh random nonce.
pub fn seal_entry(
    rng: &mut impl CryptoRng,
    venue_id: &VenueId,
    hour: u64,
    payload: &NoticePayload,
) -> Result<[u8; ENTRY_LEN], NoticeError> {
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut nonce);
    seal_entry_with_nonce(venue_id, hour, payload, nonce)
}

/// Opens one entry, given the venue and hour whose tag it carries.
pub fn open_entry(
    venue_id: &VenueId,
    hour: u64,
    entry: &[u8; ENTRY_LEN],
) -> Result<NoticePayload, NoticeError> {
    let key = notice_key(venue_id, hour);
    let cipher = ChaCha20Poly1305::new((&*key).into());
    let tag = &entry[..TAG_LEN];
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&entry[TAG_LEN..TAG_LEN + 12]);
    let mut body = [0u8; PAYLOAD_LEN];
    body.copy_from_slice(&entry[TAG_LEN + 12..TAG_LEN + 12 + PAYLOAD_LEN]);
    let aead_tag = AeadTag::try_from(&entry[TAG_LEN + 12 + PAYLOAD_LEN..])
        .map_err(|_| NoticeError::DecryptionFailed)?;
    cipher
        .decrypt_inout_detached(&Nonce::from(nonce), tag, (&mut body[..]).into(), &aead_tag)
        .map_err(|_| NoticeError::DecryptionFailed)?;
    let payload = NoticePayload::decode(&body)?;
    // A genuine entry for hour h only exists if the window overlaps h.
    if !hours_covered(payload.start, payload.end).contains(&hour) {
        return Err(NoticeError::WindowOutsideHour);
    }
    Ok(payload)
}

/// Opens an entry as a phone does before alerting (spec section 13, step 3): [`open_entry`],
/// then the approval, checked for the bundle's certificate (`cert_digest`, see
/// [`crate::approval::cert_digest`]) with the venue's poster key or the authority's emergency
/// key from the trust file.
pub fn open_approved_entry(
    venue_id: &VenueId,
    venue_key: &VerifyingKey,
    hour: u64,
    entry: &[u8; ENTRY_LEN],
    cert_digest: [u8; 32],
    emergency_key: &VerifyingKey,
) -> Result<NoticePayload, NoticeError> {
    let payload = open_entry(venue_id, hour, entry)?;
    payload
        .statement(venue_id, cert_digest)
        .verify(&payload.approval, venue_key, emergency_key)?;
    Ok(payload)
}

/// One venue's part of a notice: its id and the exposure window and message.
#[derive(Clone, Debug)]
pub struct VenueNotice {
    /// The venue, from its poster.
    pub venue_id: VenueId,
    /// What to tell the people who were there.
    pub payload: NoticePayload,
}

/// Builds the sorted entries for several venue notices: one entry per hour each window
/// overlaps.
pub fn build_entries(
    rng: &mut impl CryptoRng,
    notices: &[VenueNotice],
) -> Result<Vec<[u8; ENTRY_LEN]>, NoticeError> {
    let mut total = 0usize;
    for n in notices {
        n.payload.validate()?;
        let hours = hours_covered(n.payload.start, n.payload.end);
        total += (hours.end() - hours.start() + 1) as usize;
    }
    if total == 0 {
        return Err(NoticeError::NoEntries);
    }
    if total > MAX_BUNDLE_ENTRIES {
        return Err(NoticeError::TooManyEntries(total));
    }
    let mut entries = Vec::with_capacity(total);
    for n in notices {
        for h in hours_covered(n.payload.start, n.payload.end) {
            entries.push(seal_entry(rng, &n.venue_id, h, &n.payload)?);
        }
    }
    entries.sort_unstable_by(|a, b| a[..TAG_LEN].cmp(&b[..TAG_LEN]));
    entries.dedup_by(|a, b| a[..TAG_LEN] == b[..TAG_LEN]);
    Ok(entries)
}

fn bundle_digest(body: &[u8]) -> [u8; 32] {
    blake3::derive_key(domain::BUNDLE_DIGEST, body)
}

/// Signs a bundle. Entries are sorted (and duplicate tags dropped) here, so any order is fine.
pub fn sign_bundle(
    tracer: &Ed25519Secret,
    cert: &Certificate,
    created_at: u64,
    mut entries: Vec<[u8; ENTRY_LEN]>,
) -> Result<Vec<u8>, NoticeError> {
    entries.sort_unstable_by(|a, b| a[..TAG_LEN].cmp(&b[..TAG_LEN]));
    entries.dedup_by(|a, b| a[..TAG_LEN] == b[..TAG_LEN]);
    if entries.is_empty() {
        return Err(NoticeError::NoEntries);
    }
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(NoticeError::TooManyEntries(entries.len()));
    }
    let cert_bytes = cert.to_bytes();
    let mut out =
        Vec::with_capacity(1 + 2 + cert_bytes.len() + 12 + entries.len() * ENTRY_LEN + 64);
    out.push(BUNDLE_VERSION);
    put_u16(&mut out, cert_bytes.len() as u16);
    out.extend_from_slice(cert_bytes);
    put_u64(&mut out, created_at);
    put_u32(&mut out, entries.len() as u32);
    for e in &entries {
        out.extend_from_slice(e);
    }
    append_bundle_signature(tracer, &mut out);
    Ok(out)
}

/// Appends `tracer`'s signature over the BLAKE3 digest of the bundle body in `out`.
pub(crate) fn append_bundle_signature(tracer: &Ed25519Secret, out: &mut Vec<u8>) {
    let digest = bundle_digest(out);
    let sig = tracer
        .0
        .sign(&domain::signed_message(domain::BUNDLE_SIGNATURE, &digest));
    out.extend_from_slice(&sig.to_bytes());
}

/// A bundle whose certificate chain and signature have been verified.
#[derive(Clone, Debug)]
pub struct Bundle {
    bytes: Vec<u8>,
    cert: Certificate,
    created_at: u64,
    entries_at: usize,
    count: usize,
}

impl Bundle {
    /// The signed encoding.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The certificate of the tracer that signed it.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// When the tracer made it, Unix seconds.
    pub fn created_at(&self) -> u64 {
        self.created_at
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Always false: a valid bundle has entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The entries, in tag order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &[u8; ENTRY_LEN]> + '_ {
        let body = &self.bytes[self.entries_at..self.entries_at + self.count * ENTRY_LEN];
        body.as_chunks::<ENTRY_LEN>().0.iter()
    }

    /// The bundle id: the BLAKE3 digest that the tracer signed. Equal bundles have equal ids.
    pub fn id(&self) -> [u8; 32] {
        bundle_id_of(&self.bytes)
    }
}

/// The id of a signed bundle's bytes (the digest its tracer signed, spec section 12.1),
/// computed without verifying anything: for a store that keeps only bundles it verified
/// before storing them. Bytes shorter than a signature have the id of an empty body.
pub fn bundle_id_of(signed: &[u8]) -> [u8; 32] {
    bundle_digest(&signed[..signed.len().saturating_sub(64)])
}

/// Verifies bundles against a pinned root, remembering certificates it has already checked.
///
/// A client syncing ten thousand bundles from a handful of tracers checks each certificate
/// once, not ten thousand times.
#[derive(Debug)]
pub struct BundleVerifier {
    root: VerifyingKey,
    known: HashMap<Vec<u8>, Certificate>,
    revoked: Option<crate::revocation::RevocationList>,
}

impl BundleVerifier {
    /// A verifier that trusts `root`.
    pub fn new(root: VerifyingKey) -> Self {
        BundleVerifier {
            root,
            known: HashMap::new(),
            revoked: None,
        }
    }

    /// Refuses, from now on, bundles whose tracer key `list` names. The caller has verified
    /// the list and checked that it is newer than the one it held.
    pub fn set_revocations(&mut self, list: crate::revocation::RevocationList) {
        self.revoked = Some(list);
    }

    /// The revocation list in force, if any.
    pub fn revocations(&self) -> Option<&crate::revocation::RevocationList> {
        self.revoked.as_ref()
    }

    /// Verifies a bundle as a client does (spec section 12.2, "Verification"):
    ///
    /// 1. strict decoding, with entries in strictly ascending tag order;
    /// 2. the certificate verifies under the pinned root and has the publish role, and the
    ///    revocation list in force does not name its tracer key;
    /// 3. the bundle was made within the certificate's validity;
    /// 4. it was not made more than five minutes after `now`;
    /// 5. it was not made more than 14 days before `now`;
    /// 6. the tracer's signature verifies.
    pub fn verify(&mut self, bytes: &[u8], now: u64) -> Result<Bundle, BundleError> {
        self.verify_owned(bytes.to_vec(), now)
    }

    /// As [`BundleVerifier::verify`], keeping `bytes` in the verified bundle instead of
    /// copying them: a phone that just decoded a page of bundles hands each buffer over.
    pub fn verify_owned(&mut self, bytes: Vec<u8>, now: u64) -> Result<Bundle, BundleError> {
        let short = |_| BundleError::Truncated;
        let mut r = Reader::new(&bytes);
        let version = r.u8().map_err(short)?;
        if version != BUNDLE_VERSION {
            return Err(BundleError::UnsupportedVersion(version));
        }
        let cert_len = r.u16().map_err(short)?;
        let cert_bytes = r.bytes(usize::from(cert_len)).map_err(short)?;
        let created_at = r.u64().map_err(short)?;
        let count = r.u32().map_err(short)?;
        if count == 0 {
            return Err(BundleError::NoEntries);
        }
        if count as usize > MAX_BUNDLE_ENTRIES {
            return Err(BundleError::TooManyEntries(count));
        }
        let entries_at = r.position();
        let entries = r.bytes(count as usize * ENTRY_LEN).map_err(short)?;
        let body_len = r.position();
        let sig = r.array::<64>().map_err(short)?;
        if r.remaining() != 0 {
            return Err(BundleError::TrailingBytes);
        }
        let sorted = entries
            .chunks_exact(ENTRY_LEN)
            .zip(entries.chunks_exact(ENTRY_LEN).skip(1))
            .all(|(a, b)| a[..TAG_LEN] < b[..TAG_LEN]);
        if !sorted {
            return Err(BundleError::EntriesNotSorted);
        }
        let cert = match self.known.get(cert_bytes) {
            Some(c) => c.clone(),
            None => {
                let c = Certificate::decode(cert_bytes)?;
                c.verify(&self.root)?;
                // Bounded: a flood of distinct valid certificates would need the root's key.
                self.known.insert(cert_bytes.to_vec(), c.clone());
                c
            }
        };
        if !cert.roles().publish {
            return Err(BundleError::CertificateCannotPublish);
        }
        if self
            .revoked
            .as_ref()
            .is_some_and(|l| l.is_revoked(cert.tracer_key()))
        {
            return Err(BundleError::CertificateRevoked);
        }
        if !cert.is_valid_at(created_at) {
            return Err(BundleError::OutsideCertificateValidity);
        }
        if created_at > now.saturating_add(MAX_FUTURE_SKEW_SECS) {
            return Err(BundleError::FromTheFuture { created_at });
        }
        if created_at.saturating_add(MAX_BUNDLE_AGE_SECS) < now {
            return Err(BundleError::TooOld { created_at });
        }
        let digest = bundle_digest(&bytes[..body_len]);
        cert.tracer_key()
            .verify_strict(
                &domain::signed_message(domain::BUNDLE_SIGNATURE, &digest),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| BundleError::BadSignature)?;
        Ok(Bundle {
            bytes,
            cert,
            created_at,
            entries_at,
            count: count as usize,
        })
    }
}

/// Verifies one bundle against `root` without a certificate cache.
pub fn verify_bundle(root: &VerifyingKey, bytes: &[u8], now: u64) -> Result<Bundle, BundleError> {
    BundleVerifier::new(*root).verify(bytes, now)
}

/// The tag of an entry.
pub fn entry_tag(entry: &[u8; ENTRY_LEN]) -> Tag {
    let mut t = [0u8; TAG_LEN];
    t.copy_from_slice(&entry[..TAG_LEN]);
    t
}
