//! Tracer certificates: the authority root vouches for a tracer's Ed25519 key for a period.
//!
//! Encoding (spec section 10, "Tracer certificates"):
//! `0x02 | tracer_pk[32] | not_before u64 | not_after u64 | roles u8 | name_len u8 | name |
//! sig[64]`,
//! where `sig` is the root's Ed25519 signature over
//! `"checkin/v2/tracer-certificate" || 0x00 || everything before sig`.

use ed25519_dalek::{Signature, Signer, VerifyingKey};

use crate::domain;
use crate::error::CertError;
use crate::keys::Ed25519Secret;
use crate::wire::{Reader, check_text, decode_text, put_short_bytes, put_u64};

/// Format version of certificates.
pub const CERT_VERSION: u8 = 2;
/// Longest tracer name, in bytes of UTF-8.
pub const MAX_TRACER_NAME: usize = 64;
/// Longest certificate encoding.
pub const MAX_CERT_LEN: usize = 1 + 32 + 8 + 8 + 1 + 1 + MAX_TRACER_NAME + 64;

/// What a certificate lets its tracer do (spec section 10.1, `roles`): publishing notices and
/// querying the vault are separate, so a key that only publishes cannot fetch contact records
/// and one that only queries cannot sign notices phones accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Roles {
    /// Bit 0: may sign notice bundles.
    pub publish: bool,
    /// Bit 1: may sign vault queries.
    pub query: bool,
}

impl Roles {
    /// Both roles.
    pub const BOTH: Roles = Roles {
        publish: true,
        query: true,
    };
    /// Publishing only.
    pub const PUBLISH: Roles = Roles {
        publish: true,
        query: false,
    };
    /// Querying only.
    pub const QUERY: Roles = Roles {
        publish: false,
        query: true,
    };

    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        u8::from(self.publish) | (u8::from(self.query) << 1)
    }

    /// Parses the wire byte: bits 0 and 1 only, at least one of them.
    pub fn from_byte(b: u8) -> Result<Roles, CertError> {
        if b == 0 || b & !0b11 != 0 {
            return Err(CertError::InvalidRoles(b));
        }
        Ok(Roles {
            publish: b & 1 != 0,
            query: b & 2 != 0,
        })
    }

    /// `publish`, `query` or `publish, query`, for people.
    pub fn describe(self) -> &'static str {
        match (self.publish, self.query) {
            (true, true) => "publish, query",
            (true, false) => "publish",
            (false, true) => "query",
            (false, false) => "none",
        }
    }
}

/// A decoded tracer certificate. Holding one does not mean it verifies: see
/// [`Certificate::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    tracer_key: VerifyingKey,
    not_before: u64,
    not_after: u64,
    roles: Roles,
    name: String,
    signature: [u8; 64],
    encoded: Vec<u8>,
}

impl Certificate {
    /// The root signs a certificate for `tracer_key`, valid for `[not_before, not_after]`,
    /// with both roles (see [`Certificate::issue_with_roles`]).
    pub fn issue(
        root: &Ed25519Secret,
        tracer_key: &VerifyingKey,
        name: &str,
        not_before: u64,
        not_after: u64,
    ) -> Result<Certificate, CertError> {
        Certificate::issue_with_roles(root, tracer_key, name, not_before, not_after, Roles::BOTH)
    }

    /// The root signs a certificate for `tracer_key` with `roles`, valid for
    /// `[not_before, not_after]`.
    pub fn issue_with_roles(
        root: &Ed25519Secret,
        tracer_key: &VerifyingKey,
        name: &str,
        not_before: u64,
        not_after: u64,
        roles: Roles,
    ) -> Result<Certificate, CertError> {
        Roles::from_byte(roles.to_byte())?;
        check_text(name, MAX_TRACER_NAME, true).map_err(CertError::InvalidName)?;
        if not_after <= not_before {
            return Err(CertError::InvalidValidity);
        }
        let mut body = Vec::with_capacity(MAX_CERT_LEN);
        body.push(CERT_VERSION);
        body.extend_from_slice(tracer_key.as_bytes());
        put_u64(&mut body, not_before);
        put_u64(&mut body, not_after);
        body.push(roles.to_byte());
        put_short_bytes(&mut body, name.as_bytes());
        let sig = root.0.sign(&domain::signed_message(
            domain::CERTIFICATE_SIGNATURE,
            &body,
        ));
        let signature = sig.to_bytes();
        let mut encoded = body;
        encoded.extend_from_slice(&signature);
        Ok(Certificate {
            tracer_key: *tracer_key,
            not_before,
            not_after,
            roles,
            name: name.to_owned(),
            signature,
            encoded,
        })
    }

    /// Strictly decodes a certificate. The signature is checked by [`Certificate::verify`].
    pub fn decode(bytes: &[u8]) -> Result<Certificate, CertError> {
        let mut r = Reader::new(bytes);
        let short = |_| CertError::Truncated;
        let version = r.u8().map_err(short)?;
        if version != CERT_VERSION {
            return Err(CertError::UnsupportedVersion(version));
        }
        let key = r.array::<32>().map_err(short)?;
        let not_before = r.u64().map_err(short)?;
        let not_after = r.u64().map_err(short)?;
        let roles = Roles::from_byte(r.u8().map_err(short)?)?;
        let name = r.short_bytes().map_err(short)?;
        let name = decode_text(name, MAX_TRACER_NAME, true).map_err(CertError::InvalidName)?;
        let signature = r.array::<64>().map_err(short)?;
        if r.remaining() != 0 {
            return Err(CertError::TrailingBytes);
        }
        if not_after <= not_before {
            return Err(CertError::InvalidValidity);
        }
        let tracer_key = crate::keys::ed25519_public_key(&key).ok_or(CertError::InvalidKey)?;
        Ok(Certificate {
            tracer_key,
            not_before,
            not_after,
            roles,
            name: name.to_owned(),
            signature,
            encoded: bytes.to_vec(),
        })
    }

    /// Checks the root's signature (Ed25519 `verify_strict`). Validity times are separate.
    pub fn verify(&self, root: &VerifyingKey) -> Result<(), CertError> {
        let body = &self.encoded[..self.encoded.len() - 64];
        let sig = Signature::from_bytes(&self.signature);
        root.verify_strict(
            &domain::signed_message(domain::CERTIFICATE_SIGNATURE, body),
            &sig,
        )
        .map_err(|_| CertError::BadSignature)
    }

    /// Whether `at` lies within `[not_before, not_after]`.
    pub fn is_valid_at(&self, at: u64) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// Errors unless the certificate is valid at `at`.
    pub fn check_valid_at(&self, at: u64) -> Result<(), CertError> {
        if self.is_valid_at(at) {
            Ok(())
        } else {
            Err(CertError::NotValidAt { at })
        }
    }

    /// The certified tracer key.
    pub fn tracer_key(&self) -> &VerifyingKey {
        &self.tracer_key
    }

    /// Start of validity, Unix seconds.
    pub fn not_before(&self) -> u64 {
        self.not_before
    }

    /// End of validity, Unix seconds (inclusive).
    pub fn not_after(&self) -> u64 {
        self.not_after
    }

    /// What the tracer may do.
    pub fn roles(&self) -> Roles {
        self.roles
    }

    /// The tracer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tracer key as phones show it beside the name (spec section 13a), so that two
    /// certificates of one name are told apart: the first 16 characters of the key's
    /// base64url, in four groups of four.
    pub fn tracer_fingerprint(&self) -> String {
        tracer_fingerprint(&self.tracer_key)
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> &[u8] {
        &self.encoded
    }
}

/// [`Certificate::tracer_fingerprint`] of a tracer key.
pub fn tracer_fingerprint(key: &VerifyingKey) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes());
    b64.as_bytes()[..16]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
