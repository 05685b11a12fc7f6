//! Exposure notices: venue notices and the tracer-signed bundles that carry them.
//!
//! A bundle carries a fresh 16-byte `salt`, a list of sealed **notices** (one per venue
//! window: `start u64 | end u64 | severity u8 | approver u8 | approval | msg_len u8 | msg |
//! zeros`, all padded to one length and sealed with ChaCha20-Poly1305 under
//! `notice_key(venue_id, salt)`, nonce = the notice's index), and a list of 16-byte
//! **entries**: the `notice_tag(venue_id, h)` of every hour each window covers, sorted and
//! without repeats. Nothing on the wire says which entry belongs to which notice: a phone
//! whose diary holds a matching tag tries the bundle's notices under that venue's key.
//! The approval is the venue's signature over the notice (64 bytes), or the authority's
//! emergency officers' signatures (`count u8 | count × (officer u8 | signature[64])`): see
//! [`crate::approval`].
//!
//! A bundle is `0x02 | cert_len u16 | cert | created_at u64 | salt[16] | notice_len u16 |
//! notice_count u16 | notices | count u32 | entries | sig[64]`. The tracer signs
//! `"checkin/v2/notice-bundle" || 0x00 || BLAKE3.derive_key("checkin/v2/notice-bundle-digest",
//! body)`: hashing with BLAKE3 first keeps verification of large bundles fast, since BLAKE3
//! runs several times faster than the SHA-512 inside Ed25519.

use std::collections::HashMap;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag as AeadTag};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use rand_core::CryptoRng;

use crate::approval::{
    Approval, Approver, EmergencyOfficers, MAX_OFFICERS, OfficerSignature, Statement,
};
use crate::cert::{Certificate, MAX_CERT_LEN};
use crate::derive::{SALT_LEN, TAG_LEN, Tag, hours_covered, notice_key, notice_tag};
use crate::domain;
use crate::error::{BundleError, NoticeError};
use crate::keys::Ed25519Secret;
use crate::poster::VenueId;
use crate::wire::{Reader, check_text, decode_text, put_u16, put_u32, put_u64};

/// Format version of bundles.
pub const BUNDLE_VERSION: u8 = 2;
/// Size of one entry on the wire: a notice tag.
pub const ENTRY_LEN: usize = TAG_LEN;
/// Bytes of a notice plaintext besides the approval and the message: start, end, severity,
/// approver and the message length.
pub const NOTICE_FIXED_LEN: usize = 8 + 8 + 1 + 1 + 1;
/// Longest approval: [`MAX_OFFICERS`] officers' signatures.
pub const MAX_APPROVAL_LEN: usize = 1 + MAX_OFFICERS * 65;
/// Shortest sealed notice: a 96-byte plaintext and the 16-byte Poly1305 tag.
pub const MIN_NOTICE_LEN: usize = 112;
/// Longest sealed notice: a 512-byte plaintext (the longest approval and message fit) and the
/// 16-byte Poly1305 tag.
pub const MAX_NOTICE_LEN: usize = 528;
/// Longest message, in bytes of UTF-8.
pub const MAX_MESSAGE: usize = 160;
/// Most entries in one bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 4096;
/// Most venue notices in one bundle.
pub const MAX_BUNDLE_NOTICES: usize = 256;
/// Longest exposure window of one notice: 14 days.
pub const MAX_WINDOW_SECS: u64 = 14 * 24 * 3600;
/// How far in the future a bundle's creation time may lie, for clock skew.
pub const MAX_FUTURE_SKEW_SECS: u64 = 300;

/// Oldest bundle a phone accepts, in seconds: the 14 days phones keep visits (spec 12.2).
pub const MAX_BUNDLE_AGE_SECS: u64 = 14 * 86_400;
/// Longest bundle encoding.
pub const MAX_BUNDLE_LEN: usize = 1
    + 2
    + MAX_CERT_LEN
    + 8
    + SALT_LEN
    + 2
    + 2
    + MAX_BUNDLE_NOTICES * MAX_NOTICE_LEN
    + 4
    + MAX_BUNDLE_ENTRIES * ENTRY_LEN
    + 64;

/// Whether `len` is a sealed notice length a bundle may declare (spec section 11.2).
pub fn is_valid_notice_len(len: usize) -> bool {
    (MIN_NOTICE_LEN..=MAX_NOTICE_LEN).contains(&len) && len.is_multiple_of(16)
}

/// The sealed length a notice needs whose approval is `approval_len` bytes and message
/// `message_len` bytes: its plaintext rounded up to a multiple of 16 (at least 96), plus the
/// 16-byte tag.
pub fn notice_len_for(approval_len: usize, message_len: usize) -> usize {
    let plain = (NOTICE_FIXED_LEN + approval_len + message_len).div_ceil(16) * 16;
    plain.max(MIN_NOTICE_LEN - 16) + 16
}

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
    /// The venue's (or the authority's emergency officers') approval of this notice.
    pub approval: Approval,
}

impl NoticePayload {
    /// Checks the window and message, and that an authority approval carries 1 to
    /// [`MAX_OFFICERS`] signatures.
    pub fn validate(&self) -> Result<(), NoticeError> {
        if let Approval::Authority(s) = &self.approval
            && !(1..=MAX_OFFICERS).contains(&s.len())
        {
            return Err(NoticeError::MalformedPayload);
        }
        if self.end <= self.start || self.end - self.start > MAX_WINDOW_SECS {
            return Err(NoticeError::InvalidWindow);
        }
        check_text(&self.message, MAX_MESSAGE, false).map_err(NoticeError::InvalidMessage)
    }

    /// The sealed length this notice needs at least (see [`notice_len_for`]).
    pub fn sealed_len(&self) -> usize {
        notice_len_for(self.approval.encoded_len(), self.message.len())
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

    /// The plaintext, zero-padded to `len` bytes (at least [`NOTICE_FIXED_LEN`] plus the
    /// message).
    pub(crate) fn encode(&self, len: usize) -> Vec<u8> {
        let mut p = Vec::with_capacity(len);
        put_u64(&mut p, self.start);
        put_u64(&mut p, self.end);
        p.push(self.severity.to_byte());
        p.push(self.approval.by().to_byte());
        self.approval.encode(&mut p);
        let m = self.message.as_bytes();
        let n = m.len().min(MAX_MESSAGE);
        p.push(n as u8);
        p.extend_from_slice(&m[..n]);
        p.resize(len.max(p.len()), 0);
        p
    }

    /// Decodes a plaintext, checking in the order of spec section 11.3.
    pub(crate) fn decode(p: &[u8]) -> Result<NoticePayload, NoticeError> {
        let mut r = Reader::new(p);
        let bad = |_| NoticeError::MalformedPayload;
        let start = r.u64().map_err(bad)?;
        let end = r.u64().map_err(bad)?;
        let severity = Severity::from_byte(r.u8().map_err(bad)?)?;
        let approval = match Approver::from_byte(r.u8().map_err(bad)?)? {
            Approver::Venue => Approval::Venue(r.array::<64>().map_err(bad)?),
            Approver::Authority => {
                let count = usize::from(r.u8().map_err(bad)?);
                if !(1..=MAX_OFFICERS).contains(&count) {
                    return Err(NoticeError::MalformedPayload);
                }
                let mut sigs = Vec::with_capacity(count);
                for _ in 0..count {
                    sigs.push(OfficerSignature {
                        officer: r.u8().map_err(bad)?,
                        signature: r.array::<64>().map_err(bad)?,
                    });
                }
                Approval::Authority(sigs)
            }
        };
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
            approval,
        };
        payload.validate()?;
        Ok(payload)
    }
}

fn notice_nonce(index: u16) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&u64::from(index).to_be_bytes());
    Nonce::from(n)
}

/// Seals one venue's notice as the `index`-th notice of a bundle with `salt`, padded to
/// `notice_len` bytes sealed (see [`notice_len_for`]).
pub fn seal_notice(
    venue_id: &VenueId,
    salt: &[u8; SALT_LEN],
    index: u16,
    payload: &NoticePayload,
    notice_len: usize,
) -> Result<Vec<u8>, NoticeError> {
    payload.validate()?;
    if !is_valid_notice_len(notice_len) || notice_len < payload.sealed_len() {
        return Err(NoticeError::MalformedPayload);
    }
    let key = notice_key(venue_id, salt);
    let mut body = payload.encode(notice_len - 16);
    let aead_tag = ChaCha20Poly1305::new((&*key).into())
        .encrypt_inout_detached(&notice_nonce(index), &[], (&mut body[..]).into())
        .map_err(|_| NoticeError::DecryptionFailed)?;
    body.extend_from_slice(&aead_tag);
    Ok(body)
}

/// Opens notices of one bundle for one venue: the key is derived once.
pub struct NoticeOpener {
    cipher: ChaCha20Poly1305,
}

impl NoticeOpener {
    /// The opener for `venue_id`'s notices in the bundle with `salt`.
    pub fn new(venue_id: &VenueId, salt: &[u8; SALT_LEN]) -> NoticeOpener {
        let key = notice_key(venue_id, salt);
        NoticeOpener {
            cipher: ChaCha20Poly1305::new((&*key).into()),
        }
    }

    /// Opens the `index`-th notice, reached through the entry of `hour` (spec section 11.3):
    /// it must decrypt, decode, and have a window that covers `hour`.
    pub fn open(&self, index: u16, sealed: &[u8], hour: u64) -> Result<NoticePayload, NoticeError> {
        if !is_valid_notice_len(sealed.len()) {
            return Err(NoticeError::DecryptionFailed);
        }
        let (ct, tag) = sealed.split_at(sealed.len() - 16);
        let mut body = ct.to_vec();
        let aead_tag = AeadTag::try_from(tag).map_err(|_| NoticeError::DecryptionFailed)?;
        self.cipher
            .decrypt_inout_detached(&notice_nonce(index), &[], (&mut body[..]).into(), &aead_tag)
            .map_err(|_| NoticeError::DecryptionFailed)?;
        let payload = NoticePayload::decode(&body)?;
        // A genuine entry for hour h only exists if the window overlaps h.
        if !hours_covered(payload.start, payload.end).contains(&hour) {
            return Err(NoticeError::WindowOutsideHour);
        }
        Ok(payload)
    }
}

/// Opens one sealed notice for `venue_id`, reached through the entry of `hour`.
pub fn open_notice(
    venue_id: &VenueId,
    salt: &[u8; SALT_LEN],
    index: u16,
    sealed: &[u8],
    hour: u64,
) -> Result<NoticePayload, NoticeError> {
    NoticeOpener::new(venue_id, salt).open(index, sealed, hour)
}

/// Checks an opened notice's approval as a phone does before alerting (spec section 11.3,
/// step 7): for the bundle's certificate (`cert_digest`, see
/// [`crate::approval::cert_digest`]), with the venue's poster key or the authority's emergency
/// officers from the trust file.
pub fn check_approval(
    payload: &NoticePayload,
    venue_id: &VenueId,
    venue_key: &VerifyingKey,
    cert_digest: [u8; 32],
    officers: &EmergencyOfficers,
) -> Result<(), NoticeError> {
    payload
        .statement(venue_id, cert_digest)
        .verify(&payload.approval, venue_key, officers)
}

/// [`open_notice`], then [`check_approval`].
#[allow(clippy::too_many_arguments)]
pub fn open_approved_notice(
    venue_id: &VenueId,
    venue_key: &VerifyingKey,
    salt: &[u8; SALT_LEN],
    index: u16,
    sealed: &[u8],
    hour: u64,
    cert_digest: [u8; 32],
    officers: &EmergencyOfficers,
) -> Result<NoticePayload, NoticeError> {
    let payload = open_notice(venue_id, salt, index, sealed, hour)?;
    check_approval(&payload, venue_id, venue_key, cert_digest, officers)?;
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

/// A bundle's sealed contents before the tracer signs them.
#[derive(Clone, Debug)]
pub struct SealedNotices {
    /// The bundle's fresh salt.
    pub salt: [u8; SALT_LEN],
    /// The sealed length of every notice.
    pub notice_len: usize,
    /// The sealed notices, in order (their index is their position).
    pub notices: Vec<Vec<u8>>,
    /// Every hour's tag of every window, sorted, without repeats.
    pub entries: Vec<Tag>,
}

/// Seals several venue notices for one bundle with a fresh random salt.
pub fn seal_notices(
    rng: &mut impl CryptoRng,
    notices: &[VenueNotice],
) -> Result<SealedNotices, NoticeError> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    seal_notices_with_salt(salt, notices)
}

/// Seals several venue notices with a given salt. Public so that test vectors can pin the
/// bytes; use [`seal_notices`] otherwise: a salt must never be used twice.
pub fn seal_notices_with_salt(
    salt: [u8; SALT_LEN],
    notices: &[VenueNotice],
) -> Result<SealedNotices, NoticeError> {
    if notices.is_empty() {
        return Err(NoticeError::NoEntries);
    }
    if notices.len() > MAX_BUNDLE_NOTICES {
        return Err(NoticeError::TooManyNotices(notices.len()));
    }
    let mut entries = Vec::new();
    let mut notice_len = 0;
    for n in notices {
        n.payload.validate()?;
        notice_len = notice_len.max(n.payload.sealed_len());
        for h in hours_covered(n.payload.start, n.payload.end) {
            entries.push(notice_tag(&n.venue_id, h));
        }
    }
    entries.sort_unstable();
    entries.dedup();
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(NoticeError::TooManyEntries(entries.len()));
    }
    let sealed = notices
        .iter()
        .enumerate()
        .map(|(i, n)| seal_notice(&n.venue_id, &salt, i as u16, &n.payload, notice_len))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SealedNotices {
        salt,
        notice_len,
        notices: sealed,
        entries,
    })
}

fn bundle_digest(body: &[u8]) -> [u8; 32] {
    blake3::derive_key(domain::BUNDLE_DIGEST, body)
}

/// Signs a bundle of sealed notices. Entries are sorted (and repeats dropped) here, so any
/// order is fine.
pub fn sign_bundle(
    tracer: &Ed25519Secret,
    cert: &Certificate,
    created_at: u64,
    sealed: &SealedNotices,
) -> Result<Vec<u8>, NoticeError> {
    let mut entries = sealed.entries.clone();
    entries.sort_unstable();
    entries.dedup();
    if entries.is_empty() || sealed.notices.is_empty() {
        return Err(NoticeError::NoEntries);
    }
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(NoticeError::TooManyEntries(entries.len()));
    }
    if sealed.notices.len() > MAX_BUNDLE_NOTICES {
        return Err(NoticeError::TooManyNotices(sealed.notices.len()));
    }
    if !is_valid_notice_len(sealed.notice_len)
        || sealed.notices.iter().any(|n| n.len() != sealed.notice_len)
    {
        return Err(NoticeError::MalformedPayload);
    }
    let cert_bytes = cert.to_bytes();
    let mut out = Vec::with_capacity(
        1 + 2
            + cert_bytes.len()
            + 8
            + SALT_LEN
            + 4
            + sealed.notices.len() * sealed.notice_len
            + 4
            + entries.len() * ENTRY_LEN
            + 64,
    );
    out.push(BUNDLE_VERSION);
    put_u16(&mut out, cert_bytes.len() as u16);
    out.extend_from_slice(cert_bytes);
    put_u64(&mut out, created_at);
    out.extend_from_slice(&sealed.salt);
    put_u16(&mut out, sealed.notice_len as u16);
    put_u16(&mut out, sealed.notices.len() as u16);
    for n in &sealed.notices {
        out.extend_from_slice(n);
    }
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
    salt: [u8; SALT_LEN],
    notice_len: usize,
    notices_at: usize,
    notice_count: usize,
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

    /// The salt its notice keys are derived with.
    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    /// The sealed notices, in index order.
    pub fn notices(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        let end = self.notices_at + self.notice_count * self.notice_len;
        self.bytes[self.notices_at..end].chunks_exact(self.notice_len)
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
        let salt = r.array::<SALT_LEN>().map_err(short)?;
        let notice_len = r.u16().map_err(short)?;
        if !is_valid_notice_len(usize::from(notice_len)) {
            return Err(BundleError::InvalidNoticeLength(notice_len));
        }
        let notice_count = r.u16().map_err(short)?;
        if notice_count == 0 {
            return Err(BundleError::NoNotices);
        }
        if usize::from(notice_count) > MAX_BUNDLE_NOTICES {
            return Err(BundleError::TooManyNotices(notice_count));
        }
        let notices_at = r.position();
        r.bytes(usize::from(notice_count) * usize::from(notice_len))
            .map_err(short)?;
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
            salt,
            notice_len: usize::from(notice_len),
            notices_at,
            notice_count: usize::from(notice_count),
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
