//! Entry points for the fuzz targets in `fuzz/`, compiled only under `cargo fuzz`
//! (which sets `--cfg fuzzing`). They are not part of the API.
//!
//! The AEAD and signature checks stop random bytes long before the decoders behind them, so
//! these functions reach those decoders directly: the plaintexts inside case files, vault
//! records and notices, and bundles and queries re-signed with the fuzzer's own key.

use crate::case::CaseDiary;
use crate::error::{CaseError, NoticeError, VaultError};
use crate::keys::Ed25519Secret;
use crate::notice::{NoticePayload, is_valid_notice_len};
use crate::vault::ContactRecord;

/// Decodes a case diary's plaintext, as [`CaseDiary::open`] does after decryption.
pub fn case_plaintext(p: &[u8]) -> Result<CaseDiary, CaseError> {
    CaseDiary::decode(p)
}

/// Encodes a case diary's plaintext, as [`CaseDiary::seal`] does before encryption.
pub fn encode_case(diary: &CaseDiary) -> Result<Vec<u8>, CaseError> {
    diary.encode()
}

/// Decodes a contact record's plaintext, as [`crate::vault::open_inner`] does.
pub fn contact_plaintext(p: &[u8]) -> Result<ContactRecord, VaultError> {
    ContactRecord::decode(p)
}

/// Encodes a contact record's plaintext.
pub fn encode_contact(c: &ContactRecord) -> Vec<u8> {
    c.encode().to_vec()
}

/// Decodes a notice plaintext of a length a bundle may hold, as
/// [`crate::notice::NoticeOpener::open`] does after decryption.
pub fn notice_payload(p: &[u8]) -> Result<NoticePayload, NoticeError> {
    if !is_valid_notice_len(p.len() + 16) {
        return Err(NoticeError::MalformedPayload);
    }
    NoticePayload::decode(p)
}

/// Encodes a notice plaintext, padded to `len` bytes.
pub fn encode_notice_payload(p: &NoticePayload, len: usize) -> Vec<u8> {
    p.encode(len)
}

/// Appends `tracer`'s signature to an arbitrary bundle body, as `sign_bundle` does.
pub fn sign_bundle_body(tracer: &Ed25519Secret, body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    crate::notice::append_bundle_signature(tracer, &mut out);
    out
}

/// Appends `tracer`'s signature to an arbitrary vault query body, as `sign_query` does.
pub fn sign_query_body(tracer: &Ed25519Secret, body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    crate::query::append_query_signature(tracer, &mut out);
    out
}
