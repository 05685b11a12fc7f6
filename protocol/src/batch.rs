//! Hour batches: every bundle a server published during one epoch hour, as one body that is
//! the same for every phone and, once the hour has closed, never changes (spec section 12.3,
//! "Hour batches").
//!
//! `0x02 | hour u64 | count u32 | count × (len u32 | bundle)`, bundles in publication order.
//! The batch itself is not signed: every bundle in it is, and phones verify each one. A phone
//! remembers which closed hours it holds, so nothing it sends depends on what the server told
//! it before.

use crate::error::BatchError;
use crate::wire::{Reader, put_u32, put_u64};

/// Format version of hour batches.
pub const BATCH_VERSION: u8 = 2;
/// Seconds after an hour ends before it counts as closed: a publication accepted in the last
/// moment of the hour is stored well within this, so a closed hour's batch never changes.
pub const CLOSE_GRACE_SECS: u64 = 120;
/// Most bundles in one batch.
pub const MAX_BATCH_BUNDLES: usize = 65_536;

/// Whether epoch hour `hour` has closed at `now`: its batch is final.
pub fn is_closed(hour: u64, now: u64) -> bool {
    now >= hour
        .saturating_add(1)
        .saturating_mul(3600)
        .saturating_add(CLOSE_GRACE_SECS)
}

/// Encodes the batch of `hour` holding `bundles` (signed bundle encodings, in publication
/// order).
pub fn encode_batch<'a>(
    hour: u64,
    bundles: impl ExactSizeIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, BatchError> {
    let count = bundles.len();
    if count > MAX_BATCH_BUNDLES {
        return Err(BatchError::TooManyBundles(count as u64));
    }
    let mut out = Vec::new();
    out.push(BATCH_VERSION);
    put_u64(&mut out, hour);
    put_u32(&mut out, count as u32);
    for b in bundles {
        let len = u32::try_from(b.len()).map_err(|_| BatchError::Truncated)?;
        put_u32(&mut out, len);
        out.extend_from_slice(b);
    }
    Ok(out)
}

/// Splits the batch a server sent for `hour` into its bundles, still unverified: strict
/// decoding, and the batch must be for the hour asked for.
pub fn decode_batch(bytes: &[u8], hour: u64) -> Result<Vec<&[u8]>, BatchError> {
    let short = |_| BatchError::Truncated;
    let mut r = Reader::new(bytes);
    let version = r.u8().map_err(short)?;
    if version != BATCH_VERSION {
        return Err(BatchError::UnsupportedVersion(version));
    }
    let got = r.u64().map_err(short)?;
    if got != hour {
        return Err(BatchError::WrongHour { asked: hour, got });
    }
    let count = r.u32().map_err(short)?;
    if count as usize > MAX_BATCH_BUNDLES {
        return Err(BatchError::TooManyBundles(u64::from(count)));
    }
    let mut out = Vec::with_capacity((count as usize).min(r.remaining() / 4));
    for _ in 0..count {
        let len = r.u32().map_err(short)?;
        out.push(r.bytes(len as usize).map_err(short)?);
    }
    if r.remaining() != 0 {
        return Err(BatchError::TrailingBytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let a = [1u8, 2, 3];
        let b = [9u8; 40];
        let bytes = encode_batch(7, [&a[..], &b[..]].into_iter()).unwrap();
        assert_eq!(decode_batch(&bytes, 7).unwrap(), vec![&a[..], &b[..]]);
        assert_eq!(
            decode_batch(&bytes, 8).unwrap_err().code(),
            "batch_wrong_hour"
        );
        let empty = encode_batch(7, std::iter::empty()).unwrap();
        assert_eq!(empty.len(), 13);
        assert!(decode_batch(&empty, 7).unwrap().is_empty());
        assert!(!is_closed(0, 3600 + CLOSE_GRACE_SECS - 1));
        assert!(is_closed(0, 3600 + CLOSE_GRACE_SECS));
    }
}
