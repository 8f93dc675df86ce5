//! The inputs of a subscription request: its `duration` (query or body) and its contact URIs.

use std::time::Duration;

use crate::config::fault::Fault;
use crate::config::variant::Variant;
use crate::domain::world::World;
use crate::wire::error::ApiError;
use crate::wire::input::{Input, query_get};

use crate::http::request::Req;

/// `duration` from the query or the body (OP-2: both and different → 400), an integer
/// 10..=30 minutes (OP-3).
pub(crate) fn duration(world: &World, req: &Req, input: &Input) -> Result<Duration, ApiError> {
    let pairs = req.query_pairs();
    let bad = || ApiError::parameter("duration", "must be an integer number of minutes, 10 to 30");
    let from_query = match query_get(&pairs, "duration") {
        Some(q) => Some(q.trim().parse::<i64>().map_err(|_| bad())?),
        None => None,
    };
    let from_body = input.integer("duration").map_err(|_| bad())?;
    let query_wins = world.variant(Variant::DurationQueryWins);
    let minutes = match (from_query, from_body) {
        (Some(q), Some(b)) if q != b && world.fault() == Fault::DurationBothSummed => q + b,
        (Some(q), Some(b)) if q != b && !query_wins => {
            return Err(ApiError::parameter(
                "duration",
                "given in the query and in the body with different values",
            ));
        }
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => return Err(ApiError::parameter("duration", "is required")),
    };
    if world.fault() == Fault::DurationBoundsExclusive && (minutes == 10 || minutes == 30) {
        // Reads "10 to 30" as excluding its ends.
        return Err(bad());
    }
    if world.fault() == Fault::DurationUnchecked && (1..=24 * 60).contains(&minutes) {
        // The `duration-unchecked` profile: any positive number of minutes is taken.
        return Ok(Duration::from_secs(minutes.unsigned_abs() * 60));
    }
    if world.variant(Variant::DurationClamped) {
        // OP-3: the other reading of "minimum 10, maximum 30" takes the nearest bound.
        return Ok(Duration::from_secs(
            minutes.clamp(10, 30).unsigned_abs() * 60,
        ));
    }
    if !(10..=30).contains(&minutes) {
        return Err(bad());
    }
    Ok(Duration::from_secs(minutes.unsigned_abs() * 60))
}

/// A non-empty array of plain `sip:user@domain` URIs (OP-8), normalized and deduplicated.
pub(crate) fn contact_list(input: &Input, name: &str) -> Result<Vec<String>, ApiError> {
    let list = match input.strings(name) {
        Ok(Some(list)) if !list.is_empty() => list,
        Ok(None) => return Err(ApiError::parameter(name, "is required")),
        _ => {
            return Err(ApiError::parameter(
                name,
                "must be a non-empty array of sip:user@domain URIs",
            ));
        }
    };
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for item in list {
        let uri = crate::sip::normalize(&item).ok_or_else(|| {
            ApiError::parameter(name, "every item must be a plain sip:user@domain URI")
        })?;
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    Ok(out)
}
