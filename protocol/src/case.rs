//! Case diary sharing: a citizen who tests positive seals their visits to the authority.
//!
//! File: `0x02 | enc[32] | ct`, where `ct` is HPKE (info `"checkin/v2/case-diary"`, aad the
//! version byte) over the plaintext `created_at u64 | count u16 | count × (poster_len u16 |
//! poster | arrival u64 | departure u64) | zeros`, padded with zeros to the smallest of three
//! fixed sizes ([`CASE_SIZES`]) that holds it, so that a file's size tells only which of three
//! ranges its number of visits lies in.
//!
//! A file handed over through a notify server is bound to the code the phone shows
//! ([`CaseCode`], spec section 16.1): the server holds it under an id derived from the code and
//! never sees the code itself, and the tracer checks the file's tag with a key only the code
//! gives, so a server that swaps the file is caught.

use rand_core::CryptoRng;

use crate::domain;
use crate::error::CaseError;
use crate::hpke_suite::{self, AEAD_TAG_LEN, ENC_LEN};
use crate::keys::{SealingPublicKey, SealingSecretKey};
use crate::matching::Visit;
use crate::poster::{MAX_POSTER_LEN, Poster};
use crate::wire::{Reader, put_u16, put_u64};

/// Format version of case files.
pub const CASE_VERSION: u8 = 2;
/// Most visits in one case file.
pub const MAX_CASE_VISITS: usize = 2000;
/// The largest plaintext: [`MAX_CASE_VISITS`] visits of the longest poster, in whole KiB
/// (802,816 bytes).
const LARGEST_PLAINTEXT: usize =
    (10 + MAX_CASE_VISITS * (2 + MAX_POSTER_LEN + 16)).div_ceil(1024) * 1024;
/// The only plaintext sizes: a diary is padded with zeros to the smallest that holds it. 16 KiB
/// holds about 70 visits of typical posters (at most 40 of the longest), 128 KiB about 570.
pub const CASE_SIZES: [usize; 3] = [16_384, 131_072, LARGEST_PLAINTEXT];
/// Shortest case file: the smallest size sealed (16,433 bytes).
pub const MIN_CASE_LEN: usize = 1 + ENC_LEN + CASE_SIZES[0] + AEAD_TAG_LEN;
/// Longest case file (802,865 bytes).
pub const MAX_CASE_LEN: usize = 1 + ENC_LEN + LARGEST_PLAINTEXT + AEAD_TAG_LEN;

/// The padded size of a plaintext of `used` bytes: the smallest of [`CASE_SIZES`] that holds
/// it, or `None` when none does.
fn padded_size(used: usize) -> Option<usize> {
    CASE_SIZES.into_iter().find(|&s| s >= used)
}

/// One visit in a case diary: the full poster, so the tracer sees name and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseVisit {
    /// The poster scanned.
    pub poster: Poster,
    /// Arrival, Unix seconds.
    pub arrival: u64,
    /// Departure, Unix seconds.
    pub departure: u64,
}

/// A decrypted case diary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDiary {
    /// When the citizen exported it, Unix seconds.
    pub created_at: u64,
    /// The visits, in the order the citizen's diary listed them.
    pub visits: Vec<CaseVisit>,
}

impl CaseDiary {
    pub(crate) fn encode(&self) -> Result<Vec<u8>, CaseError> {
        if self.visits.len() > MAX_CASE_VISITS {
            return Err(CaseError::TooManyVisits(self.visits.len()));
        }
        let mut p = Vec::new();
        put_u64(&mut p, self.created_at);
        put_u16(&mut p, self.visits.len() as u16);
        for v in &self.visits {
            Visit::new(&v.poster, v.arrival, v.departure).map_err(CaseError::InvalidVisit)?;
            let b = v.poster.to_bytes();
            put_u16(&mut p, b.len() as u16);
            p.extend_from_slice(b);
            put_u64(&mut p, v.arrival);
            put_u64(&mut p, v.departure);
        }
        let padded = padded_size(p.len()).ok_or(CaseError::TooManyVisits(self.visits.len()))?;
        p.resize(padded, 0);
        Ok(p)
    }

    pub(crate) fn decode(p: &[u8]) -> Result<CaseDiary, CaseError> {
        if !CASE_SIZES.contains(&p.len()) {
            return Err(CaseError::Malformed);
        }
        let bad = |_| CaseError::Malformed;
        let mut r = Reader::new(p);
        let created_at = r.u64().map_err(bad)?;
        let count = usize::from(r.u16().map_err(bad)?);
        if count > MAX_CASE_VISITS {
            return Err(CaseError::TooManyVisits(count));
        }
        let mut visits = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.u16().map_err(bad)?;
            let poster = Poster::decode(r.bytes(usize::from(len)).map_err(bad)?)
                .map_err(CaseError::InvalidPoster)?;
            let arrival = r.u64().map_err(bad)?;
            let departure = r.u64().map_err(bad)?;
            Visit::new(&poster, arrival, departure).map_err(CaseError::InvalidVisit)?;
            visits.push(CaseVisit {
                poster,
                arrival,
                departure,
            });
        }
        // Padding is zeros and no longer than needed: the encoding is canonical.
        let used = r.position();
        if r.rest().iter().any(|&b| b != 0) || padded_size(used) != Some(p.len()) {
            return Err(CaseError::Malformed);
        }
        Ok(CaseDiary { created_at, visits })
    }

    /// Seals the diary to the authority's case key (the trust file's `case`).
    pub fn seal(
        &self,
        rng: &mut impl CryptoRng,
        authority: &SealingPublicKey,
    ) -> Result<Vec<u8>, CaseError> {
        let plain = zeroize::Zeroizing::new(self.encode()?);
        let sealed = hpke_suite::seal(rng, authority, domain::CASE_DIARY, &[CASE_VERSION], &plain)
            .map_err(|_| CaseError::DecryptionFailed)?;
        let mut out = Vec::with_capacity(1 + sealed.len());
        out.push(CASE_VERSION);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Checks what can be checked of a case file without the case key, in this order: a file
    /// at all (`case_truncated`), the version (`case_unsupported_version`), at least
    /// [`MIN_CASE_LEN`] bytes (`case_truncated`), at most [`MAX_CASE_LEN`]
    /// (`case_too_many_visits`), and a length of `1 + 32 + s + 16` for `s` one of
    /// [`CASE_SIZES`] (`case_malformed`).
    /// A server holding a file for a tracer (spec section 16b) checks this, and opening checks
    /// it first.
    pub fn check_shape(file: &[u8]) -> Result<(), CaseError> {
        let (&version, sealed) = file.split_first().ok_or(CaseError::Truncated)?;
        if version != CASE_VERSION {
            return Err(CaseError::UnsupportedVersion(version));
        }
        if file.len() < MIN_CASE_LEN {
            return Err(CaseError::Truncated);
        }
        if file.len() > MAX_CASE_LEN {
            return Err(CaseError::TooManyVisits(MAX_CASE_VISITS + 1));
        }
        if !CASE_SIZES.contains(&(sealed.len() - ENC_LEN - AEAD_TAG_LEN)) {
            return Err(CaseError::Malformed);
        }
        Ok(())
    }

    /// Opens a case file with the authority's case key: first the checks of
    /// [`CaseDiary::check_shape`], so that a file is refused by its length under the same name
    /// whether a server or the authority looks at it, then the opening and the plaintext's.
    pub fn open(authority: &SealingSecretKey, file: &[u8]) -> Result<CaseDiary, CaseError> {
        CaseDiary::check_shape(file)?;
        let sealed = file.get(1..).ok_or(CaseError::Truncated)?;
        let plain = zeroize::Zeroizing::new(
            hpke_suite::open(authority, domain::CASE_DIARY, &[CASE_VERSION], sealed)
                .map_err(|_| CaseError::DecryptionFailed)?,
        );
        CaseDiary::decode(&plain)
    }
}

/// The case code alphabet: RFC 4648 base32 (no 0, 1, 8 or 9, so nothing reads as O, I or B).
pub const CASE_CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Characters in a case code: 16, 80 bits, read out as four groups of four.
pub const CASE_CODE_LEN: usize = 16;
/// Bytes of the id a server holds a case file under.
pub const CASE_ID_LEN: usize = 16;
/// Bytes of the tag that binds a case file to its code.
pub const CASE_TAG_LEN: usize = 32;

/// The code a phone shows when it hands a case file over through a notify server (spec section
/// 16.1): 16 random characters of [`CASE_CODE_ALPHABET`]. The server is given only
/// [`CaseCode::id`], a one-way digest of the code, and the file's [`CaseCode::tag`], keyed by
/// another digest of it; the tracer, told the code, derives both, fetches by the id and checks
/// the tag. Holding 80 random bits, the code cannot be found from the id or the tag by search.
#[derive(Clone, PartialEq, Eq)]
pub struct CaseCode([u8; CASE_CODE_LEN]);

impl CaseCode {
    /// A fresh code: each character one random byte's low 5 bits (256 is a multiple of 32, so
    /// every character is equally likely).
    pub fn generate(rng: &mut impl CryptoRng) -> CaseCode {
        let mut b = [0u8; CASE_CODE_LEN];
        rng.fill_bytes(&mut b);
        CaseCode(b.map(|x| CASE_CODE_ALPHABET[usize::from(x & 31)]))
    }

    /// A code as a person types it: letters in either case, `-` and spaces ignored, `0` read
    /// as `O` and `1` as `I`. Anything else that is not 16 characters of the alphabet is
    /// `case_code_malformed`.
    pub fn parse(typed: &str) -> Result<CaseCode, CaseError> {
        let mut out = [0u8; CASE_CODE_LEN];
        let mut n = 0;
        for c in typed.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                c => c,
            };
            let b = u8::try_from(c).map_err(|_| CaseError::CodeMalformed)?;
            if !CASE_CODE_ALPHABET.contains(&b) || n == CASE_CODE_LEN {
                return Err(CaseError::CodeMalformed);
            }
            out[n] = b;
            n += 1;
        }
        if n != CASE_CODE_LEN {
            return Err(CaseError::CodeMalformed);
        }
        Ok(CaseCode(out))
    }

    /// The canonical form the derivations read: 16 upper-case ASCII characters, no hyphens.
    pub fn canonical(&self) -> &[u8] {
        &self.0
    }

    /// The id the server holds the file under: the first 16 bytes of
    /// `BLAKE3.derive_key("checkin/v2/case-code-id", canonical code)`.
    pub fn id(&self) -> [u8; CASE_ID_LEN] {
        let d = blake3::derive_key(domain::CASE_CODE_ID, &self.0);
        let mut id = [0u8; CASE_ID_LEN];
        id.copy_from_slice(&d[..CASE_ID_LEN]);
        id
    }

    /// The key of the tag: `BLAKE3.derive_key("checkin/v2/case-code-key", canonical code)`.
    pub fn key(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(blake3::derive_key(domain::CASE_CODE_KEY, &self.0))
    }

    /// The tag that binds `file` to this code: `BLAKE3.keyed_hash(key, file)`.
    pub fn tag(&self, file: &[u8]) -> [u8; CASE_TAG_LEN] {
        *blake3::keyed_hash(&self.key(), file).as_bytes()
    }

    /// Checks that `tag` binds `file` to this code (in constant time), else
    /// `case_code_mismatch`.
    pub fn verify(&self, file: &[u8], tag: &[u8]) -> Result<(), CaseError> {
        let tag: [u8; CASE_TAG_LEN] = tag.try_into().map_err(|_| CaseError::CodeMismatch)?;
        if blake3::keyed_hash(&self.key(), file) == blake3::Hash::from_bytes(tag) {
            Ok(())
        } else {
            Err(CaseError::CodeMismatch)
        }
    }
}

impl std::fmt::Display for CaseCode {
    /// The code as shown and read out: four groups of four joined by `-`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, group) in self.0.chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            for &b in group {
                write!(f, "{}", char::from(b))?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for CaseCode {
    /// Never the code itself: it is the secret that binds and finds a case file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseCode(..)")
    }
}
