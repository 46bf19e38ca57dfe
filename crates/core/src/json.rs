//! Canonical JSON and content hashes.
//!
//! A record's content hash decides whether a re-imported row is unchanged
//! (idempotent import) or a new version. The hash is taken over a canonical
//! serialisation (object keys sorted, no insignificant whitespace), so that two
//! files that differ only in key order or spacing describe the same record.

use serde_json::{Map, Value};

/// Serialise `v` canonically: keys sorted at every level, compact.
pub fn canonical_string(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_canonical(v, &mut out);
    // Only JSON text was written, which is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => write_object(map, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        // serde_json's escaping of strings and its number formatting are
        // canonical (same input, same output); writing into a Vec cannot fail.
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// An object with its entries sorted by key (no look-ups, no copies).
fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut *out, k.as_str());
        out.push(b':');
        write_canonical(v, out);
    }
    out.push(b'}');
}

/// 64-bit content hash of an object (xxh3 over the canonical form).
pub fn content_hash(obj: &Map<String, Value>) -> i64 {
    let mut out = Vec::with_capacity(256);
    write_object(obj, &mut out);
    xxhash_rust::xxh3::xxh3_64(&out) as i64
}

/// FNV-1a, for maps keyed by short strings on hot paths (field names, record
/// keys of a chunk), where SipHash costs several times more.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
    // Integers (row numbers, model indices, subject keys that are already
    // hashes) in one multiply rather than eight FNV rounds.
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
}

/// A `HashMap` with [`FastHasher`] (not DoS-resistant: only for keys the
/// platform itself produced or validated, in short-lived maps).
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// 64-bit hash of any string key (used for subject keys in columnar data).
pub fn key_hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_spacing_do_not_change_the_hash() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(canonical_string(&a), canonical_string(&b));
        assert_eq!(
            content_hash(a.as_object().unwrap()),
            content_hash(b.as_object().unwrap())
        );
    }

    #[test]
    fn any_value_change_changes_the_hash() {
        let a = json!({"id": "1", "fine_cny": 100});
        let b = json!({"id": "1", "fine_cny": 101});
        let c = json!({"id": "1", "fine_cny": 100, "extra": null});
        let ha = content_hash(a.as_object().unwrap());
        assert_ne!(ha, content_hash(b.as_object().unwrap()));
        assert_ne!(ha, content_hash(c.as_object().unwrap()));
    }

    #[test]
    fn the_canonical_form_is_stable() {
        // Stored content hashes depend on this exact text: it must not change.
        let v = json!({"b": [1, 2.5, "x"], "a": {"z": null, "y": true}, "中": "引\"号"});
        assert_eq!(
            canonical_string(&v),
            r#"{"a":{"y":true,"z":null},"b":[1,2.5,"x"],"中":"引\"号"}"#
        );
    }

    #[test]
    fn canonical_string_escapes_like_json() {
        let v = json!({"t": "引号\"和\n换行"});
        let s = canonical_string(&v);
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
