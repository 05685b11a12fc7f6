//! Case files held for a tracer (spec sections 16.1 and 16b): a citizen's phone posts its
//! sealed case diary under the id of the code it shows, with the tag that binds the file to
//! that code; the tracer, told the code, fetches the file once by the id and checks the tag.
//! The server never sees the code, cannot open the file (it is sealed to the authority's case
//! key) and cannot swap it unnoticed (it cannot make a tag without the code); it checks the
//! file's shape, holds it for a day, and deletes it when fetched.
//!
//! At rest, a held file is encrypted (AES-256-GCM) under a key of the UTC day it was posted
//! on, which the store keeps apart from the files and the purge destroys once every file under
//! it has expired ([`crate::store::case_keys_before`]): copies of a fetched or expired file
//! that a store's freed pages (or PostgreSQL's dead rows) keep are unreadable from then on.
//!
//! The bytes held are bounded per client address (`case_bytes_per_address`, counted in memory
//! until each file's expiry, whether fetched or not, and never stored with the file) and in
//! all (`case_bytes_total`, counted by the store).

use std::collections::HashMap;
use std::net::IpAddr;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use protocol::case::{CASE_ID_LEN, CASE_TAG_LEN};

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;
use crate::store::CasePut;

/// Largest `POST /v1/cases` body: the longest case file (spec section 17) in base64url, with
/// the id, the tag and room for the JSON around them.
pub const CASE_BODY_LIMIT: u64 = 1_100_000;

/// How long an unfetched case file is held, seconds.
pub const CASE_HOLD_SECS: u64 = 86_400;

/// Bytes a held file takes besides the case file itself: the expiry (8), the check (32), the
/// day of its key (4), the nonce (12), the tag (32) and the AEAD tag (16). What the caps count.
pub const HELD_OVERHEAD: u64 = 8 + 32 + 4 + 12 + 32 + 16;

/// The bytes of case files each address holds, by expiry: in memory only, so that no store
/// keeps an address with a file (a restart forgets them, and the cap starts afresh).
#[derive(Default)]
pub struct CaseHolds(Mutex<HashMap<IpAddr, Vec<(u64, u64)>>>);

impl CaseHolds {
    /// The bytes `addr` holds at `now`, forgetting what expired (and addresses left empty).
    fn held(&self, addr: IpAddr, now: u64) -> u64 {
        let mut map = crate::lock(&self.0);
        map.retain(|_, holds| {
            holds.retain(|&(until, _)| until > now);
            !holds.is_empty()
        });
        map.get(&addr)
            .map_or(0, |holds| holds.iter().map(|&(_, b)| b).sum())
    }

    fn add(&self, addr: IpAddr, until: u64, bytes: u64) {
        crate::lock(&self.0)
            .entry(addr)
            .or_default()
            .push((until, bytes));
    }
}

/// A fixed-length binary field of the body, base64url: `400 bad_parameter` when it has
/// another length.
fn field<const N: usize>(name: &'static str, value: &str) -> Result<[u8; N], ApiError> {
    b64(name, value)?.try_into().map_err(|_| {
        ApiError::new(
            Status::BadRequest,
            "bad_parameter",
            format!("{name} must be {N} bytes, base64url (spec section 16.1)"),
        )
    })
}

/// Encrypts `file` and its tag for holding: `check ‖ day u32 ‖ nonce ‖ AES-256-GCM(day's key,
/// tag ‖ file, aad = id ‖ check ‖ day)`, where `check` is `BLAKE3.keyed_hash(tag, file)`: the
/// same for a re-send of the same file and tag and different for any other, so that the store
/// tells them apart without decrypting; without the tag (encrypted) it tests nothing, not
/// even against a copy of the file.
fn seal_held(
    store: &dyn Store,
    id: &[u8; CASE_ID_LEN],
    tag: &[u8; CASE_TAG_LEN],
    file: &[u8],
    now: u64,
) -> Result<Vec<u8>, StoreError> {
    let day = u32::try_from(now / 86_400).unwrap_or(u32::MAX);
    let key = store
        .case_key(u64::from(day), true)?
        .ok_or_else(|| StoreError("no case key could be made for today".into()))?;
    let mut nonce = [0u8; 12];
    rand_core::Rng::fill_bytes(&mut rand_core::UnwrapErr(rand::rngs::SysRng), &mut nonce);
    let check = blake3::keyed_hash(tag, file);
    let aad = [&id[..], check.as_bytes(), &day.to_be_bytes()].concat();
    let plain = zeroize::Zeroizing::new([&tag[..], file].concat());
    let payload = Payload {
        msg: &plain,
        aad: &aad,
    };
    let sealed = Aes256Gcm::new_from_slice(key.as_ref())
        .map_err(|_| StoreError("a case key is not 32 bytes".into()))?
        .encrypt(&nonce.into(), payload)
        .map_err(|_| StoreError("a case file could not be encrypted".into()))?;
    Ok([check.as_bytes(), &day.to_be_bytes()[..], &nonce, &sealed].concat())
}

/// A held file as fetched: its tag and its bytes.
type Held = (Vec<u8>, Vec<u8>);

/// The tag and the file of a held value; `None` when its day's key is gone (the purge
/// destroyed it: the file had expired).
fn open_held(
    store: &dyn Store,
    id: &[u8; CASE_ID_LEN],
    value: &[u8],
) -> Result<Option<Held>, StoreError> {
    let bad = || StoreError("a held case file is damaged".into());
    let (check, rest) = value.split_at_checked(32).ok_or_else(bad)?;
    let (day, rest) = rest.split_at_checked(4).ok_or_else(bad)?;
    let (nonce, sealed) = rest.split_at_checked(12).ok_or_else(bad)?;
    let day_n = u32::from_be_bytes(day.try_into().map_err(|_| bad())?);
    let Some(key) = store.case_key(u64::from(day_n), false)? else {
        return Ok(None);
    };
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| bad())?;
    let aad = [&id[..], check, day].concat();
    let payload = Payload {
        msg: sealed,
        aad: &aad,
    };
    let mut plain = Aes256Gcm::new_from_slice(key.as_ref())
        .map_err(|_| bad())?
        .decrypt(&nonce.into(), payload)
        .map_err(|_| bad())?;
    if plain.len() < CASE_TAG_LEN {
        return Err(bad());
    }
    let file = plain.split_off(CASE_TAG_LEN);
    Ok(Some((plain, file)))
}

/// An answer no cache may keep (`Cache-Control: no-store`): a case file and the id that
/// fetches it are for one tracer and one citizen, never for a shared or browser cache.
pub struct NoStore<R>(pub R);

impl<'r, R: Responder<'r, 'static>> Responder<'r, 'static> for NoStore<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = self.0.respond_to(req)?;
        res.set_raw_header("Cache-Control", "no-store");
        Ok(res)
    }
}

fn case_error(e: &protocol::CaseError) -> ApiError {
    ApiError::new(Status::BadRequest, e.code(), e.to_string())
}

/// Holds a sealed case file for a tracer, durably, under the id the phone gave.
#[post("/v1/cases", format = "json", data = "<data>")]
pub async fn post_case(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<NoStore<(Status, Json<CaseHeld>)>, ApiError> {
    limit(app, &addr, Purpose::Cases)?;
    let body: PostCase = large_json(app, data, CASE_BODY_LIMIT.bytes()).await?;
    let file = b64("case", &body.case)?;
    protocol::CaseDiary::check_shape(&file).map_err(|e| case_error(&e))?;
    let id: [u8; CASE_ID_LEN] = field("id", &body.id)?;
    let tag: [u8; CASE_TAG_LEN] = field("tag", &body.tag)?;
    let now = now();
    let bytes = file.len() as u64 + HELD_OVERHEAD;
    let per_address = app.settings.case_bytes_per_address;
    if let ClientAddr(Some(ip)) = addr
        && app.case_holds.held(ip, now) + bytes > per_address
    {
        let mut e = ApiError::new(
            Status::TooManyRequests,
            "case_address_full",
            format!(
                "this address holds as many case files as the server keeps for one address \
                 ({per_address} bytes until they expire, a day after each was posted): hand \
                 the case file over as a file instead, or try again tomorrow"
            ),
        );
        e.retry_after = Some(3600);
        return Err(e);
    }
    let total = app.settings.case_bytes_total;
    let hold_until = now + CASE_HOLD_SECS;
    let key = URL_SAFE_NO_PAD.encode(id);
    let put = blocking(app, move |store| {
        let value = seal_held(store, &id, &tag, &file, now)?;
        store.put_case(&key, hold_until, &value, total)
    })
    .await?;
    let expires_at = match put {
        CasePut::Held { expires_at, fresh } => {
            if fresh && let ClientAddr(Some(ip)) = addr {
                app.case_holds.add(ip, expires_at, bytes);
            }
            expires_at
        }
        CasePut::Taken => {
            return Err(ApiError::new(
                Status::Conflict,
                "case_id_taken",
                "another case file is held under this id: draw a new code and post again",
            ));
        }
        CasePut::Full => {
            return Err(ApiError::new(
                Status::InsufficientStorage,
                "case_storage_full",
                format!(
                    "the server holds as many case files as it keeps in all ({total} bytes): \
                     hand the case file over as a file instead, or try again later"
                ),
            ));
        }
    };
    app.durable.wait().await?;
    Ok(NoStore((Status::Created, Json(CaseHeld { expires_at }))))
}

/// Largest `POST /v1/cases/fetch` body.
pub const FETCH_BODY_LIMIT: u64 = 1024;

/// The case file held under the body's `id`, once, with its tag: it is deleted as it is
/// answered. The id comes in the body, never in the path, so that no request log (Rocket's at
/// `debug` writes every path and header) and no proxy's access log keeps it.
#[post("/v1/cases/fetch", format = "json", data = "<data>")]
pub async fn fetch_case(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<NoStore<Json<CaseFile>>, ApiError> {
    // Counted before the id is even read, so that guessing ids is slow.
    limit(app, &addr, Purpose::Cases)?;
    let body: FetchCase = small_json(data, FETCH_BODY_LIMIT.bytes()).await?;
    let id: [u8; CASE_ID_LEN] = field("id", &body.id)?;
    let now = now();
    let key = URL_SAFE_NO_PAD.encode(id);
    let held = blocking(app, move |store| {
        store
            .take_case(&key, now)?
            .map(|v| open_held(store, &id, &v))
            .transpose()
    })
    .await?;
    app.durable.wait().await?;
    match held.flatten() {
        Some((tag, file)) => Ok(NoStore(Json(CaseFile {
            case: URL_SAFE_NO_PAD.encode(file),
            tag: URL_SAFE_NO_PAD.encode(tag),
        }))),
        None => Err(ApiError::new(
            Status::NotFound,
            "case_not_found",
            "no case file is held under this code: it was fetched already, it expired (files are held for a day), or the code is mistyped",
        )),
    }
}
