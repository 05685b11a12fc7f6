//! Hour batches: every bundle a server published during one epoch hour, as one body that is
//! the same for every phone and, once the hour has closed, never changes (spec section 12.3,
//! "Hour batches").
//!
//! `0x02 | hour u64 | count u32 | count × (len u32 | bundle)`, bundles in publication order.
//! The batch itself is not signed: every bundle in it is, and phones verify each one. A phone
//! remembers which closed hours it holds, so nothing it sends depends on what the server told
//! it before.
//!
//! Once a UTC day has closed, its 24 hour batches are also one **day file** (spec section 12.3,
//! "Day files"): `0x02 | day u64 | 24 × (len u32 | hour batch)`, the hour batches byte for byte
//! as `/v1/batches/HOUR` serves them. A phone splits the file and decodes each hour with
//! [`decode_batch`] as if it had fetched that hour, so verification is the same either way; a
//! first sync of 14 days then takes about 40 requests instead of 361.

use crate::error::{BatchError, DayError};
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

/// Hours in a UTC day.
pub const DAY_HOURS: u64 = 24;

/// The UTC day (days since 1970-01-01) epoch hour `hour` lies in.
pub fn day_of_hour(hour: u64) -> u64 {
    hour / DAY_HOURS
}

/// The epoch hours of UTC day `day`, in order.
pub fn hours_of_day(day: u64) -> std::ops::Range<u64> {
    day * DAY_HOURS..(day + 1) * DAY_HOURS
}

/// Whether UTC day `day` has closed at `now`: its last hour has closed, so its day file is
/// final.
pub fn is_day_closed(day: u64, now: u64) -> bool {
    is_closed((day + 1) * DAY_HOURS - 1, now)
}

/// Encodes the day file of `day` from the encoded batches of its 24 hours, in order (each as
/// [`encode_batch`] made it).
pub fn encode_day<'a>(
    day: u64,
    hours: impl ExactSizeIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, DayError> {
    if hours.len() as u64 != DAY_HOURS {
        return Err(DayError::Truncated);
    }
    let mut out = Vec::new();
    out.push(BATCH_VERSION);
    put_u64(&mut out, day);
    for batch in hours {
        let len = u32::try_from(batch.len()).map_err(|_| DayError::Truncated)?;
        put_u32(&mut out, len);
        out.extend_from_slice(batch);
    }
    Ok(out)
}

/// Splits the day file a server sent for `day` into its 24 hour batches, `(hour, batch)` in
/// order, each still to be decoded with [`decode_batch`] for its hour and its bundles
/// verified. Strict: the file must be for the day asked for, with nothing after its last hour.
pub fn decode_day(bytes: &[u8], day: u64) -> Result<Vec<(u64, &[u8])>, DayError> {
    let short = |_| DayError::Truncated;
    let mut r = Reader::new(bytes);
    let version = r.u8().map_err(short)?;
    if version != BATCH_VERSION {
        return Err(DayError::UnsupportedVersion(version));
    }
    let got = r.u64().map_err(short)?;
    if got != day {
        return Err(DayError::WrongDay { asked: day, got });
    }
    let mut out = Vec::with_capacity(DAY_HOURS as usize);
    for hour in hours_of_day(day) {
        let len = r.u32().map_err(short)?;
        out.push((hour, r.bytes(len as usize).map_err(short)?));
    }
    if r.remaining() != 0 {
        return Err(DayError::TrailingBytes);
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

    #[test]
    fn a_day_file_splits_into_its_hours_and_refuses_another_day() {
        let day = 20_454;
        let batches: Vec<Vec<u8>> = hours_of_day(day)
            .map(|h| encode_batch(h, std::iter::empty()).unwrap())
            .collect();
        let file = encode_day(day, batches.iter().map(Vec::as_slice)).unwrap();
        let hours = decode_day(&file, day).unwrap();
        assert_eq!(hours.len(), 24);
        for (hour, batch) in hours {
            assert!(decode_batch(batch, hour).unwrap().is_empty());
        }
        assert_eq!(
            decode_day(&file, day + 1).unwrap_err().code(),
            "day_wrong_day"
        );
        assert_eq!(
            decode_day(&file[..file.len() - 1], day).unwrap_err().code(),
            "day_truncated"
        );
        assert!(!is_day_closed(
            day,
            (day + 1) * 86_400 + CLOSE_GRACE_SECS - 1
        ));
        assert!(is_day_closed(day, (day + 1) * 86_400 + CLOSE_GRACE_SECS));
    }
}
