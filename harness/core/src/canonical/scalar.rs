//! Format-neutral scalar values: JSON scalars and untyped XML text mapped to one typed form,
//! plus the date codecs (ASP.NET `\/Date(ms)\/` and ISO 8601) and the equivalence rule of
//! digest 5.4 rule 5.

use serde::{Serialize, Serializer};

/// Two dates closer than this are the same instant: XML keeps 100 ns ticks, JSON whole
/// milliseconds, and the reference pair in the docs differs by 1.6 ms (digest 5.4 rule 5).
pub const DATE_TOLERANCE_MS: i64 = 2;

/// A property value, typed but independent of the wire format it came from.
///
/// JSON values keep their JSON type (a JSON string stays [`Scalar::Text`] unless it is an
/// ASP.NET date). XML text is untyped, so it is classified: `True`/`False`/`true`/`false` →
/// [`Scalar::Bool`], ISO 8601 date-times (or the ASP.NET form) → [`Scalar::Date`], canonical
/// decimals (`15`, `-1.5`; not `007` or `1.50`) → [`Scalar::Number`], anything else →
/// [`Scalar::Text`]. Equality across formats therefore goes through [`Scalar::equivalent`],
/// never through `==`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// A string.
    Text(String),
    /// A boolean (JSON `true`, XML `True`/`true`).
    Bool(bool),
    /// A number, kept as its decimal text so no precision is lost.
    Number(String),
    /// An instant, in whole milliseconds since the Unix epoch (UTC). XML sub-millisecond
    /// ticks are floored, as the .NET JSON serializer does, so one server's two formats agree.
    Date {
        /// Milliseconds since 1970-01-01T00:00:00Z.
        millis: i64,
    },
    /// JSON `null` or XML `xsi:nil="true"`.
    Null,
}

impl Scalar {
    /// Maps a JSON scalar; `None` for arrays and objects.
    pub fn from_json(value: &serde_json::Value) -> Option<Scalar> {
        use serde_json::Value;
        Some(match value {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => Scalar::Number(n.to_string()),
            Value::String(s) => match parse_aspnet_date(s) {
                Some(millis) => Scalar::Date { millis },
                None => Scalar::Text(s.clone()),
            },
            Value::Array(_) | Value::Object(_) => return None,
        })
    }

    /// Classifies untyped XML text (see the type docs for the rules).
    pub fn from_xml_text(text: &str) -> Scalar {
        match text {
            "True" | "true" => return Scalar::Bool(true),
            "False" | "false" => return Scalar::Bool(false),
            _ => {}
        }
        if let Some(millis) = parse_any_date(text) {
            return Scalar::Date { millis };
        }
        // Only canonical decimals count as numbers, so `007` or `1.50` stay text and compare
        // (and snapshot) exactly like the same JSON string would.
        if normalize_decimal(text).as_deref() == Some(text) {
            return Scalar::Number(text.to_owned());
        }
        Scalar::Text(text.to_owned())
    }

    /// The format-neutral text used in snapshots: [`Scalar::as_text`], except that a
    /// [`Scalar::Text`] is first classified as XML text would be. A JSON string `"True"` and an
    /// XML `True` then snapshot alike (`true`), as do a JSON `"3"` and an XML `3`.
    pub fn neutral_text(&self) -> String {
        match self {
            Scalar::Text(t) => Scalar::from_xml_text(t).as_text(),
            other => other.as_text(),
        }
    }

    /// The canonical text form that case files compare against: `true`/`false`, numbers in
    /// normalised decimal, dates as ISO 8601 UTC with milliseconds
    /// (`2013-01-22T03:18:16.000Z`), `Null` as the empty string.
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(n) => normalize_decimal(n).unwrap_or_else(|| n.clone()),
            Scalar::Date { millis } => format_iso8601(*millis),
            Scalar::Null => String::new(),
        }
    }

    /// Digest 5.4 rule 5: equal after normalisation. Booleans match text in either casing,
    /// dates match as instants within [`DATE_TOLERANCE_MS`] (text on the other side is parsed
    /// as either date form), numbers match numerically against numbers and textually against
    /// text, and `Null` matches the empty string (an empty XML element).
    pub fn equivalent(&self, other: &Scalar) -> bool {
        use Scalar::{Bool, Date, Null, Number, Text};
        match (self, other) {
            (Text(a), Text(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Bool(b), Text(t)) | (Text(t), Bool(b)) => t.eq_ignore_ascii_case(&b.to_string()),
            (Number(a), Number(b)) => match (normalize_decimal(a), normalize_decimal(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            },
            (Number(n), Text(t)) | (Text(t), Number(n)) => n == t,
            (Date { millis: a }, Date { millis: b }) => a.abs_diff(*b) <= DATE_TOLERANCE_MS as u64,
            (Date { millis }, Text(t)) | (Text(t), Date { millis }) => {
                parse_any_date(t).is_some_and(|m| m.abs_diff(*millis) <= DATE_TOLERANCE_MS as u64)
            }
            (Null, Null) => true,
            (Null, Text(t)) | (Text(t), Null) => t.is_empty(),
            _ => false,
        }
    }
}

/// Serialised as its [`Scalar::neutral_text`] (`null` for [`Scalar::Null`]), so a tree built
/// from JSON and one built from XML serialise identically.
impl Serialize for Scalar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Null => serializer.serialize_none(),
            other => serializer.serialize_str(&other.neutral_text()),
        }
    }
}

/// Either date form, ASP.NET first.
fn parse_any_date(text: &str) -> Option<i64> {
    parse_aspnet_date(text).or_else(|| parse_iso8601(text))
}

/// Parses `/Date(ms)/` and `/Date(ms+hhmm)/` (the JSON parser already turned `\/` into `/`).
/// The offset is informational in this format: `ms` is already UTC.
pub fn parse_aspnet_date(text: &str) -> Option<i64> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let (digits_end, _) = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .unwrap_or((inner.len(), ' '));
    let (ms, offset) = inner.split_at(digits_end);
    let ms_digits = ms.strip_prefix('-').unwrap_or(ms);
    if ms_digits.is_empty() || !ms_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !offset.is_empty() && (offset.len() != 5 || !offset[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    ms.parse().ok()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` into UTC milliseconds, flooring
/// sub-millisecond digits. No offset means UTC (an inference: .NET "unspecified" kind).
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis_part = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let len = frac.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..len.min(3)]);
        millis_part = padded.parse::<i64>().ok()?;
        rest = &frac[len..];
    }
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            let colon_ok = rest.len() == 6 && rest.as_bytes()[3] == b':' || rest.len() == 5;
            if digits.len() != 4 || !colon_ok || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis_part)
}

/// Formats UTC milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_iso8601(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rem) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z")
}

/// Normalises a plain decimal (`-?digits(.digits)?`): no leading zeros, no trailing fraction
/// zeros, no `-0`. `None` for anything else (exponents, signs, text).
pub fn normalize_decimal(text: &str) -> Option<String> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if body.contains('.') && (frac.is_empty() || !frac.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = String::new();
    if negative && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: proleptic Gregorian date → days since 1970-01-01.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspnet_dates_parse_with_and_without_offset() {
        let table = [
            ("/Date(1358827096000)/", Some(1_358_827_096_000)),
            ("/Date(1358827096000+0100)/", Some(1_358_827_096_000)),
            ("/Date(-1000-0500)/", Some(-1000)),
            ("/Date(12a)/", None),
            ("/Date()/", None),
            ("/Date(1+01)/", None),
            ("Date(1)", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_aspnet_date(text), expected, "{text}");
        }
    }

    #[test]
    fn iso_dates_parse_to_utc_millis() {
        let table = [
            ("2016-09-26T16:20:23.9946221-07:00", Some(1_474_932_023_994)),
            ("2013-01-22T04:18:16+01:00", Some(1_358_824_696_000)),
            ("2013-01-22T03:18:16.5Z", Some(1_358_824_696_500)),
            ("1970-01-01T00:00:00", Some(0)),
            ("1969-12-31T23:59:59.999Z", Some(-1)),
            ("2016-02-30T00:00:00Z", None),
            ("2016-09-26T16:20:23.", None),
            ("2016-09-26T16:20:23+0700", Some(1_474_881_623_000)),
            ("2016-09-26T16:20:23+07", None),
            ("2016-09-26 16:20:23", None),
            ("2016-09-26T16:20:23Zjunk", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_iso8601(text), expected, "{text}");
        }
    }

    #[test]
    fn iso_format_round_trips() {
        for millis in [
            0,
            -1,
            1_358_827_096_000,
            1_474_932_023_993,
            253_402_300_799_999,
        ] {
            assert_eq!(parse_iso8601(&format_iso8601(millis)), Some(millis));
        }
        assert_eq!(
            format_iso8601(1_358_824_696_000),
            "2013-01-22T03:18:16.000Z"
        );
    }

    #[test]
    fn xml_text_is_classified() {
        let table = [
            ("True", Scalar::Bool(true)),
            ("false", Scalar::Bool(false)),
            ("TRUE", Scalar::Text("TRUE".into())),
            ("15", Scalar::Number("15".into())),
            ("-1.5", Scalar::Number("-1.5".into())),
            ("-1.50", Scalar::Text("-1.50".into())),
            ("007", Scalar::Text("007".into())),
            ("/Date(5)/", Scalar::Date { millis: 5 }),
            ("1e3", Scalar::Text("1e3".into())),
            ("5/1380", Scalar::Text("5/1380".into())),
            ("", Scalar::Text(String::new())),
            (
                "2013-01-22T03:18:16Z",
                Scalar::Date {
                    millis: 1_358_824_696_000,
                },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(Scalar::from_xml_text(text), expected, "{text}");
        }
    }

    #[test]
    fn equivalence_follows_rule_5() {
        let json = |v: serde_json::Value| Scalar::from_json(&v).expect("scalar");
        let xml = Scalar::from_xml_text;
        let equal = [
            (json(serde_json::json!(false)), xml("False")),
            (json(serde_json::json!(true)), xml("true")),
            (json(serde_json::json!("True")), Scalar::Bool(true)),
            (json(serde_json::json!(15)), xml("15")),
            (json(serde_json::json!(1.5)), xml("1.5")),
            (json(serde_json::json!(1000.0)), xml("1000")),
            (json(serde_json::json!("3")), xml("3")),
            // The doc's contactPresence pair: 1.6 ms apart.
            (
                json(serde_json::json!("/Date(1474932023993)/")),
                xml("2016-09-26T16:20:23.9946221-07:00"),
            ),
            (
                json(serde_json::json!("/Date(1358827096000)/")),
                xml("2013-01-22T04:58:16.000+01:00"),
            ),
            (Scalar::Date { millis: 0 }, Scalar::Text("/Date(2)/".into())),
            (json(serde_json::Value::Null), xml("")),
        ];
        for (a, b) in &equal {
            assert!(a.equivalent(b) && b.equivalent(a), "{a:?} ~ {b:?}");
        }
        let different = [
            (json(serde_json::json!("0123")), xml("123")),
            (json(serde_json::json!(1.5)), xml("1.50")),
            (
                json(serde_json::json!("/Date(1000)/")),
                xml("1970-01-01T00:00:01.003Z"),
            ),
            (json(serde_json::json!("x")), xml("True")),
            (json(serde_json::json!("DoNotDisturb")), xml("IdleOnline")),
        ];
        for (a, b) in &different {
            assert!(!a.equivalent(b) && !b.equivalent(a), "{a:?} !~ {b:?}");
        }
    }

    #[test]
    fn canonical_text_forms() {
        assert_eq!(Scalar::from_xml_text("True").as_text(), "true");
        assert_eq!(Scalar::Text("True".into()).as_text(), "True");
        assert_eq!(Scalar::Text("True".into()).neutral_text(), "true");
        assert_eq!(Scalar::Text("007".into()).neutral_text(), "007");
        assert_eq!(Scalar::Number("007.10".into()).as_text(), "7.1");
        assert_eq!(Scalar::Number("-0.0".into()).as_text(), "0");
        let date = Scalar::from_json(&serde_json::json!("/Date(1358827096000)/")).expect("date");
        assert_eq!(date.as_text(), "2013-01-22T03:58:16.000Z");
        assert_eq!(
            serde_json::to_value(&date).ok(),
            Some(serde_json::json!("2013-01-22T03:58:16.000Z"))
        );
    }
}
