//! Fresh application and subscription ids, in the real servers' shapes or, under the
//! `id-shapes` variant, in the opaque shapes a client must not read anything into.

use crate::config::variant::Variant;

use super::world::World;

/// Letters of the opaque application ids (IdShapes): mixed case, so a client that folds
/// case loses its application.
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Letters of the base64url subscription ids (IdShapes), as the real Online group ids.
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn opaque(world: &World, len: usize, alphabet: &[u8]) -> String {
    let mut out = String::with_capacity(len + 2);
    let mut bits = 0u64;
    let mut left = 0;
    for _ in 0..len {
        if left < 6 {
            bits = world.next_random();
            left = 64;
        }
        let n = usize::try_from(bits % alphabet.len() as u64).unwrap_or(0);
        out.push(char::from(alphabet[n]));
        bits /= alphabet.len() as u64;
        left -= 6;
    }
    out
}

/// A new application id: a 12-digit number (the real servers' shape), or under IdShapes
/// 24 opaque mixed-case letters and digits.
pub(crate) fn application_id(world: &World) -> String {
    if world.variant(Variant::IdShapes) {
        opaque(world, 24, ALNUM)
    } else {
        (100_000_000_000 + world.next_random() % 900_000_000_000).to_string()
    }
}

/// A new subscription id: 8 hex digits (T-EX's shape), or under IdShapes a padded base64url
/// value of 16 bytes (`…==`, 24 characters), percent-encoded wherever it appears in an href.
pub(crate) fn subscription_id(world: &World) -> String {
    if world.variant(Variant::IdShapes) {
        let mut id = opaque(world, 22, BASE64URL);
        id.push_str("==");
        id
    } else {
        format!("{:08x}", world.next_random() as u32)
    }
}
