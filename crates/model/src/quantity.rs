//! Quantities as Kubernetes users write them: byte sizes (`16Gi`, `960G`),
//! link speeds (`25Gbps`), durations (`30m`, `1h30m`), counts and ratios.
//!
//! Each type parses from YAML text or numbers and refuses anything it cannot
//! read exactly, with a message that says what was expected and, for the
//! usual slips (`16GiB`, `500m` of memory, `10G` for a link), what was
//! probably meant. The error travels through serde, so the YAML reader
//! attaches the file position to it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a quantity could not be read. The text is the whole message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QuantityError(String);

impl QuantityError {
    fn new(message: impl Into<String>) -> Self {
        QuantityError(message.into())
    }
}

/// A number of bytes, written as a Kubernetes quantity: `512Mi`, `16Gi`,
/// `4Ti` (powers of 1024), `16G` (powers of 1000), or a plain integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(u64);

impl ByteSize {
    /// No bytes.
    pub const ZERO: ByteSize = ByteSize(0);

    /// `n` bytes.
    pub const fn bytes(n: u64) -> Self {
        ByteSize(n)
    }
    /// `n` KiB (1024 bytes each).
    pub const fn kib(n: u64) -> Self {
        ByteSize(n << 10)
    }
    /// `n` MiB.
    pub const fn mib(n: u64) -> Self {
        ByteSize(n << 20)
    }
    /// `n` GiB.
    pub const fn gib(n: u64) -> Self {
        ByteSize(n << 30)
    }
    /// `n` TiB.
    pub const fn tib(n: u64) -> Self {
        ByteSize(n << 40)
    }
    /// The size in bytes.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
    /// The size in GiB as a float, for arithmetic in reports and simulation.
    pub fn as_gib_f64(self) -> f64 {
        self.0 as f64 / (1u64 << 30) as f64
    }
    /// The sum, at most `u64::MAX` bytes.
    pub fn saturating_add(self, other: ByteSize) -> ByteSize {
        ByteSize(self.0.saturating_add(other.0))
    }
    /// The product, at most `u64::MAX` bytes.
    pub fn saturating_mul(self, factor: u64) -> ByteSize {
        ByteSize(self.0.saturating_mul(factor))
    }

    /// A short form for messages: the largest binary unit the value
    /// reaches, with one decimal unless exact (`23.5Gi`, `16Gi`), where
    /// [`Display`](fmt::Display) would print an exact but unreadable `24684092Ki`.
    pub fn human(self) -> String {
        let units = [(60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")];
        for (shift, unit) in units {
            let size = 1u64 << shift;
            if self.0 >= size {
                return if self.0.is_multiple_of(size) {
                    format!("{}{unit}", self.0 >> shift)
                } else {
                    format!("{:.1}{unit}", self.0 as f64 / size as f64)
                };
            }
        }
        self.0.to_string()
    }
}

/// The exact form in the largest binary unit that divides the value.
fn exact_binary(bytes: u64) -> Option<String> {
    if bytes == 0 {
        return Some("0".into());
    }
    let units = [(60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")];
    units
        .iter()
        .find(|(shift, _)| bytes.is_multiple_of(1u64 << shift))
        .map(|(shift, unit)| format!("{}{unit}", bytes >> shift))
}

impl fmt::Display for ByteSize {
    /// Exact and parseable again: the largest binary unit that divides the
    /// value, else the largest decimal one, else plain bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(exact) = exact_binary(self.0) {
            return f.write_str(&exact);
        }
        let decimal = [(18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k")];
        for (exp, unit) in decimal {
            let m = 10u64.pow(exp);
            if self.0.is_multiple_of(m) {
                return write!(f, "{}{unit}", self.0 / m);
            }
        }
        write!(f, "{}", self.0)
    }
}

/// Splits `text` into a decimal number and its suffix, checking the number's shape.
fn split_number(text: &str) -> Option<(&str, &str)> {
    let end = text.char_indices().find(|(_, c)| !(c.is_ascii_digit() || *c == '.')).map_or(text.len(), |(i, _)| i);
    let (number, suffix) = text.split_at(end);
    let mut parts = number.split('.');
    let int = parts.next()?;
    let frac = parts.next();
    if parts.next().is_some() || (int.is_empty() && frac.is_none_or(str::is_empty)) {
        return None;
    }
    if frac == Some("") {
        return None;
    }
    Some((number, suffix))
}

/// `number × multiplier`, exactly, rounding a fractional result up (as
/// Kubernetes does for memory) and refusing overflow.
fn scale(number: &str, multiplier: u128) -> Option<u64> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = format!("{int}{frac}");
    let mantissa: u128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let divisor = 10u128.checked_pow(frac.len() as u32)?;
    let product = mantissa.checked_mul(multiplier)?;
    let value = product.div_ceil(divisor);
    u64::try_from(value).ok()
}

impl FromStr for ByteSize {
    type Err = QuantityError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim();
        let expected = "expected a size such as 512Mi, 16Gi or 4Ti (powers of 1024) or 16G (powers of 1000)";
        if text.starts_with('-') {
            return Err(QuantityError::new(format!("`{raw}` is negative; {expected}")));
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        let Some((number, suffix)) = split_number(text) else {
            return Err(QuantityError::new(format!("`{raw}` is not a size; {expected}")));
        };
        let multiplier: u128 = match suffix {
            "" => 1,
            "Ki" => 1 << 10,
            "Mi" => 1 << 20,
            "Gi" => 1 << 30,
            "Ti" => 1 << 40,
            "Pi" => 1 << 50,
            "Ei" => 1 << 60,
            "k" => 1_000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            "T" => 1_000_000_000_000,
            "P" => 1_000_000_000_000_000,
            "E" => 1_000_000_000_000_000_000,
            "m" | "u" | "n" => {
                return Err(QuantityError::new(format!(
                    "`{raw}` is a fraction of a byte (`{suffix}` means milli/micro/nano in Kubernetes); did you mean `{number}Mi`?"
                )));
            }
            other => {
                // `16GB` is ambiguous (SI says 10^9, RAM vendors mean 2^30):
                // offer both; `16GiB` can only mean `16Gi`.
                let decimal =
                    matches!(other, "KB" | "kB" | "MB" | "GB" | "TB" | "PB").then(|| other[..1].replace('K', "k"));
                let hint = match (suggest_size_suffix(other), decimal) {
                    (Some(binary), Some(decimal)) => {
                        format!(
                            "; did you mean `{number}{binary}` (powers of 1024) or `{number}{decimal}` (powers of 1000)?"
                        )
                    }
                    (Some(s), None) => format!("; did you mean `{number}{s}`?"),
                    _ => String::new(),
                };
                return Err(QuantityError::new(format!("`{raw}` has an unknown unit `{other}`; {expected}{hint}")));
            }
        };
        scale(number, multiplier)
            .map(ByteSize)
            .ok_or_else(|| QuantityError::new(format!("`{raw}` is too large to be a size in bytes")))
    }
}

/// The Kubernetes spelling of a unit people often write another way.
fn suggest_size_suffix(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "KiB" | "KB" | "kB" | "kiB" | "K" | "Kb" => "Ki",
        "MiB" | "MB" | "Mb" | "mi" | "mb" => "Mi",
        "GiB" | "GB" | "Gb" | "gi" | "g" | "gb" => "Gi",
        "TiB" | "TB" | "Tb" | "ti" | "t" | "tb" => "Ti",
        "PiB" | "PB" => "Pi",
        "B" | "b" | "bytes" => "",
        _ => return None,
    })
}

/// A network link speed in bits per second: `100Mbps`, `1Gbps`, `25Gbps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LinkSpeed(u64);

impl LinkSpeed {
    /// `n` bits per second.
    pub const fn bits_per_second(n: u64) -> Self {
        LinkSpeed(n)
    }
    /// `n` Mbit/s (10^6 bits per second, as link speeds are written).
    pub const fn mbps(n: u64) -> Self {
        LinkSpeed(n * 1_000_000)
    }
    /// `n` Gbit/s (10^9 bits per second).
    pub const fn gbps(n: u64) -> Self {
        LinkSpeed(n * 1_000_000_000)
    }
    /// The speed in bits per second.
    pub const fn as_bits_per_second(self) -> u64 {
        self.0
    }
    /// Bytes per second the link carries at line rate.
    pub fn bytes_per_second(self) -> f64 {
        self.0 as f64 / 8.0
    }
}

impl fmt::Display for LinkSpeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [(1_000_000_000_000u64, "Tbps"), (1_000_000_000, "Gbps"), (1_000_000, "Mbps"), (1_000, "Kbps")];
        for (m, unit) in units {
            if self.0 >= m && self.0.is_multiple_of(m) {
                return write!(f, "{}{unit}", self.0 / m);
            }
            if self.0 >= m && (self.0 * 10).is_multiple_of(m) {
                return write!(f, "{}{unit}", self.0 as f64 / m as f64);
            }
        }
        write!(f, "{}bps", self.0)
    }
}

impl FromStr for LinkSpeed {
    type Err = QuantityError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim();
        let expected = "expected a link speed such as 100Mbps, 1Gbps, 10Gbps or 25Gbps";
        if text.starts_with('-') {
            return Err(QuantityError::new(format!("`{raw}` is negative; {expected}")));
        }
        let Some((number, suffix)) = split_number(text) else {
            return Err(QuantityError::new(format!("`{raw}` is not a link speed; {expected}")));
        };
        let multiplier: u128 = match suffix {
            "bps" => 1,
            "Kbps" | "kbps" => 1_000,
            "Mbps" => 1_000_000,
            "Gbps" => 1_000_000_000,
            "Tbps" => 1_000_000_000_000,
            other => {
                let hint = match other {
                    "G" | "g" | "GbE" | "gbps" | "GBps" | "Gb/s" | "Gbit/s" | "Gbit" | "Gb" | "GB" => Some("Gbps"),
                    "M" | "m" | "mbps" | "Mb/s" | "Mbit/s" | "Mbit" | "Mb" | "MB" => Some("Mbps"),
                    "" => Some("Gbps"),
                    _ => None,
                }
                .map(|s| format!("; did you mean `{number}{s}`?"))
                .unwrap_or_default();
                return Err(QuantityError::new(format!("`{raw}` has no known speed unit; {expected}{hint}")));
            }
        };
        scale(number, multiplier)
            .map(LinkSpeed)
            .ok_or_else(|| QuantityError::new(format!("`{raw}` is too large to be a link speed")))
    }
}

/// A length of time as Kubernetes and Go write it: `90s`, `30m`, `2h`,
/// `1h30m`, `500ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Interval(std::time::Duration);

impl Interval {
    /// `secs` whole seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Interval(std::time::Duration::from_secs(secs))
    }
    /// `secs` seconds; a negative value is taken as zero.
    pub fn from_secs_f64(secs: f64) -> Self {
        Interval(std::time::Duration::from_secs_f64(secs.max(0.0)))
    }
    /// The interval as a `Duration`.
    pub const fn as_duration(self) -> std::time::Duration {
        self.0
    }
    /// The interval in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0.as_secs_f64()
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total_ms = self.0.as_millis();
        if total_ms == 0 {
            return f.write_str("0s");
        }
        let (h, rest) = (total_ms / 3_600_000, total_ms % 3_600_000);
        let (m, rest) = (rest / 60_000, rest % 60_000);
        let (s, ms) = (rest / 1000, rest % 1000);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        if ms > 0 {
            write!(f, "{ms}ms")?;
        }
        Ok(())
    }
}

impl FromStr for Interval {
    type Err = QuantityError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim();
        let expected = "expected a duration such as 90s, 30m, 2h or 1h30m";
        if text.starts_with('-') {
            return Err(QuantityError::new(format!("`{raw}` is negative; {expected}")));
        }
        if text == "0" {
            return Ok(Interval::default());
        }
        let mut rest = text;
        let mut total_ns: u128 = 0;
        // The unit of the previous part: `1h30` most likely means `1h30m`.
        let mut previous_unit = "";
        if rest.is_empty() {
            return Err(QuantityError::new(format!("an empty duration; {expected}")));
        }
        while !rest.is_empty() {
            let Some((number, tail)) = split_number(rest) else {
                return Err(QuantityError::new(format!("`{raw}` is not a duration; {expected}")));
            };
            let unit_len =
                tail.char_indices().find(|(_, c)| c.is_ascii_digit() || *c == '.').map_or(tail.len(), |(i, _)| i);
            let (unit, next) = tail.split_at(unit_len);
            let ns_per_unit: u128 = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                "" => {
                    // The bare number ends the text: after hours it most
                    // likely means minutes, after minutes seconds.
                    let meant = match previous_unit {
                        "h" => format!("{text}m"),
                        "m" => format!("{text}s"),
                        _ => format!("{number}s"),
                    };
                    return Err(QuantityError::new(format!(
                        "`{raw}` has a number without a unit; {expected}; did you mean `{meant}`?"
                    )));
                }
                other => {
                    let hint = match other {
                        "sec" | "secs" | "second" | "seconds" | "S" => Some("s"),
                        "min" | "mins" | "minute" | "minutes" | "M" => Some("m"),
                        "hr" | "hrs" | "hour" | "hours" | "H" => Some("h"),
                        "d" | "day" | "days" => None,
                        _ => None,
                    }
                    .map(|s| format!("; did you mean `{number}{s}`?"))
                    .unwrap_or_else(|| {
                        if matches!(other, "d" | "day" | "days") {
                            "; days are not a unit here, write hours (`24h`)".into()
                        } else {
                            String::new()
                        }
                    });
                    return Err(QuantityError::new(format!(
                        "`{raw}` has an unknown time unit `{other}`; {expected}{hint}"
                    )));
                }
            };
            let part = scale(number, ns_per_unit)
                .ok_or_else(|| QuantityError::new(format!("`{raw}` is too long a duration")))?;
            total_ns = total_ns.saturating_add(part as u128);
            previous_unit = unit;
            rest = next;
        }
        let secs = u64::try_from(total_ns / 1_000_000_000)
            .map_err(|_| QuantityError::new(format!("`{raw}` is too long a duration")))?;
        Ok(Interval(std::time::Duration::new(secs, (total_ns % 1_000_000_000) as u32)))
    }
}

/// A whole number ≥ 0 (cores, replicas, counts), with a clearer error than
/// "invalid u32" for `-2` or `fast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Count(pub u32);

impl Count {
    /// The count.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A positive, finite ratio such as an overcommit factor (`4.0`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Ratio(pub f64);

impl Ratio {
    /// The ratio.
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 { write!(f, "{:.1}", self.0) } else { write!(f, "{}", self.0) }
    }
}

// ---- serde: each type reads text or a plain number, and writes its text form.

/// What a quantity accepts when YAML hands over a bare number.
trait FromNumber: Sized {
    fn from_u64(n: u64) -> Result<Self, QuantityError>;
    fn from_f64(n: f64) -> Result<Self, QuantityError>;
}

impl FromNumber for ByteSize {
    fn from_u64(n: u64) -> Result<Self, QuantityError> {
        Ok(ByteSize(n))
    }
    fn from_f64(n: f64) -> Result<Self, QuantityError> {
        if n.is_finite() && n >= 0.0 && n < u64::MAX as f64 {
            Ok(ByteSize(n.ceil() as u64))
        } else {
            Err(QuantityError::new(format!("`{n}` is not a size; expected a size such as 512Mi, 16Gi or 4Ti")))
        }
    }
}

impl FromNumber for LinkSpeed {
    fn from_u64(n: u64) -> Result<Self, QuantityError> {
        Err(QuantityError::new(format!(
            "`{n}` has no unit; expected a link speed such as 1Gbps or 25Gbps; did you mean `{n}Gbps`?"
        )))
    }
    fn from_f64(n: f64) -> Result<Self, QuantityError> {
        Err(QuantityError::new(format!("`{n}` has no unit; expected a link speed such as 1Gbps or 25Gbps")))
    }
}

impl FromNumber for Interval {
    fn from_u64(n: u64) -> Result<Self, QuantityError> {
        if n == 0 {
            return Ok(Interval::default());
        }
        Err(QuantityError::new(format!(
            "`{n}` has no unit; expected a duration such as 90s, 30m or 2h; did you mean `{n}s`?"
        )))
    }
    fn from_f64(n: f64) -> Result<Self, QuantityError> {
        Err(QuantityError::new(format!("`{n}` has no unit; expected a duration such as 90s, 30m or 2h")))
    }
}

impl FromNumber for Count {
    fn from_u64(n: u64) -> Result<Self, QuantityError> {
        u32::try_from(n)
            .map(Count)
            .map_err(|_| QuantityError::new(format!("`{n}` is too large; expected a whole number up to {}", u32::MAX)))
    }
    fn from_f64(n: f64) -> Result<Self, QuantityError> {
        // `{n:?}` keeps the decimal point, so `8.0` is not shown as `8`.
        if n.fract() == 0.0 && n >= 0.0 && n <= f64::from(u32::MAX) {
            Err(QuantityError::new(format!(
                "`{n:?}` has a decimal point; expected a whole number ≥ 0; did you mean `{n}`?"
            )))
        } else {
            Err(QuantityError::new(format!("`{n:?}` is not a whole number; expected a whole number ≥ 0")))
        }
    }
}

impl FromNumber for Ratio {
    fn from_u64(n: u64) -> Result<Self, QuantityError> {
        Self::from_f64(n as f64)
    }
    fn from_f64(n: f64) -> Result<Self, QuantityError> {
        if n.is_finite() && n > 0.0 {
            Ok(Ratio(n))
        } else {
            Err(QuantityError::new(format!("`{n}` is not a ratio; expected a number > 0 such as 1.0 or 4.0")))
        }
    }
}

impl FromStr for Count {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Ok(n) = t.parse::<u64>() {
            return Count::from_u64(n);
        }
        if t.starts_with('-') && t[1..].parse::<u64>().is_ok() {
            return Err(QuantityError::new(format!("`{s}` is negative; expected a whole number ≥ 0")));
        }
        Err(QuantityError::new(format!("`{s}` is not a number; expected a whole number ≥ 0")))
    }
}

impl FromStr for Ratio {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().parse::<f64>() {
            Ok(n) => Ratio::from_f64(n),
            Err(_) => {
                Err(QuantityError::new(format!("`{s}` is not a number; expected a ratio > 0 such as 1.0 or 4.0")))
            }
        }
    }
}

struct QuantityVisitor<T>(std::marker::PhantomData<T>, &'static str);

impl<T> Visitor<'_> for QuantityVisitor<T>
where
    T: FromNumber + FromStr<Err = QuantityError>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_u64(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        if v < 0 {
            return Err(E::custom(format!("`{v}` is negative; expected {}", self.1)));
        }
        T::from_u64(v as u64).map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if v < 0.0 {
            return Err(E::custom(format!("`{v}` is negative; expected {}", self.1)));
        }
        T::from_f64(v).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Err(E::custom(format!("`{v}` is a boolean; expected {}", self.1)))
    }
}

macro_rules! quantity_serde {
    ($ty:ty, $expecting:literal, $schema_name:literal, $schema:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(QuantityVisitor(std::marker::PhantomData, $expecting))
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $schema_name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

quantity_serde!(
    ByteSize,
    "a size such as 16Gi",
    "ByteSize",
    json_schema!({
        "description": "A Kubernetes quantity of bytes: 512Mi, 16Gi, 4Ti (powers of 1024), 16G (powers of 1000), or a plain number of bytes.",
        "anyOf": [
            {"type": "string", "pattern": "^\\+?([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"},
            {"type": "integer", "minimum": 0}
        ]
    })
);
quantity_serde!(
    LinkSpeed,
    "a link speed such as 25Gbps",
    "LinkSpeed",
    json_schema!({
        "description": "A link speed: 100Mbps, 1Gbps, 10Gbps, 25Gbps.",
        "type": "string",
        "pattern": "^([0-9]+(\\.[0-9]+)?)(bps|Kbps|kbps|Mbps|Gbps|Tbps)$"
    })
);
quantity_serde!(
    Interval,
    "a duration such as 30m",
    "Duration",
    json_schema!({
        "description": "A duration as Kubernetes writes it: 90s, 30m, 2h, 1h30m.",
        "type": "string",
        "pattern": "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"
    })
);
quantity_serde!(
    Count,
    "a whole number ≥ 0",
    "Count",
    json_schema!({
        "description": "A whole number, 0 or more: cores, replicas, counts.",
        "type": "integer",
        "minimum": 0,
        "maximum": 4294967295u64
    })
);
quantity_serde!(
    Ratio,
    "a number > 0",
    "Ratio",
    json_schema!({"description": "A ratio above 0: 1.5, 10.", "type": "number", "exclusiveMinimum": 0})
);

macro_rules! serialize_as_text {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(ByteSize, LinkSpeed, Interval);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse_as_kubernetes_writes_them() {
        assert_eq!("16Gi".parse::<ByteSize>(), Ok(ByteSize::gib(16)));
        assert_eq!("512Mi".parse::<ByteSize>(), Ok(ByteSize::mib(512)));
        assert_eq!("16G".parse::<ByteSize>(), Ok(ByteSize::bytes(16_000_000_000)));
        assert_eq!("1.5Gi".parse::<ByteSize>(), Ok(ByteSize::mib(1536)));
        assert_eq!("4Ti".parse::<ByteSize>(), Ok(ByteSize::tib(4)));
        assert_eq!("1024".parse::<ByteSize>(), Ok(ByteSize::kib(1)));
        assert_eq!("0".parse::<ByteSize>(), Ok(ByteSize::ZERO));
        assert_eq!("0Mi".parse::<ByteSize>(), Ok(ByteSize::ZERO));
    }

    #[test]
    fn byte_size_slips_get_a_hint() {
        let e = "16GiB".parse::<ByteSize>().unwrap_err().to_string();
        assert!(e.contains("did you mean `16Gi`"), "{e}");
        let e = "960GB".parse::<ByteSize>().unwrap_err().to_string();
        assert!(e.contains("did you mean `960Gi` (powers of 1024) or `960G` (powers of 1000)?"), "{e}");
        let e = "500m".parse::<ByteSize>().unwrap_err().to_string();
        assert!(e.contains("fraction of a byte"), "{e}");
        let e = "-2Gi".parse::<ByteSize>().unwrap_err().to_string();
        assert!(e.contains("negative"), "{e}");
        for bad in ["fast", "", "Gi", "1..2Gi", "1.Gi", "99999999999Ei"] {
            assert!(bad.parse::<ByteSize>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn byte_size_display_round_trips() {
        for v in [0, 1, 1000, 1024, 1536 << 20, 16 << 30, 16_000_000_000, 17_179_869_185] {
            let b = ByteSize::bytes(v);
            assert_eq!(b.to_string().parse::<ByteSize>(), Ok(b), "{b}");
        }
        assert_eq!(ByteSize::gib(16).to_string(), "16Gi");
        assert_eq!(ByteSize::bytes(17_179_869_185).human(), "16.0Gi");
        assert_eq!(ByteSize::kib(24_684_092).human(), "23.5Gi");
        assert_eq!(ByteSize::mib(1536).human(), "1.5Gi");
        assert_eq!(ByteSize::gib(16).human(), "16Gi");
    }

    #[test]
    fn link_speeds() {
        assert_eq!("25Gbps".parse::<LinkSpeed>(), Ok(LinkSpeed::gbps(25)));
        assert_eq!("100Mbps".parse::<LinkSpeed>(), Ok(LinkSpeed::mbps(100)));
        assert_eq!("2.5Gbps".parse::<LinkSpeed>(), Ok(LinkSpeed::mbps(2500)));
        assert_eq!(LinkSpeed::mbps(2500).to_string(), "2.5Gbps");
        assert_eq!(LinkSpeed::gbps(10).to_string(), "10Gbps");
        let e = "10G".parse::<LinkSpeed>().unwrap_err().to_string();
        assert!(e.contains("did you mean `10Gbps`"), "{e}");
        assert!("fast".parse::<LinkSpeed>().is_err());
    }

    #[test]
    fn intervals() {
        assert_eq!("30m".parse::<Interval>(), Ok(Interval::from_secs(1800)));
        assert_eq!("1h30m".parse::<Interval>(), Ok(Interval::from_secs(5400)));
        assert_eq!("90s".parse::<Interval>(), Ok(Interval::from_secs(90)));
        assert_eq!(Interval::from_secs(5400).to_string(), "1h30m");
        assert_eq!(Interval::from_secs(90).to_string(), "1m30s");
        assert_eq!("500ms".parse::<Interval>().map(|i| i.to_string()), Ok("500ms".into()));
        let e = "30".parse::<Interval>().unwrap_err().to_string();
        assert!(e.contains("did you mean `30s`"), "{e}");
        let e = "1h30".parse::<Interval>().unwrap_err().to_string();
        assert!(e.contains("did you mean `1h30m`"), "{e}");
        let e = "2m30".parse::<Interval>().unwrap_err().to_string();
        assert!(e.contains("did you mean `2m30s`"), "{e}");
        let e = Count::from_f64(8.0).unwrap_err().to_string();
        assert!(e.contains("`8.0` has a decimal point") && e.contains("did you mean `8`"), "{e}");
        let e = "2d".parse::<Interval>().unwrap_err().to_string();
        assert!(e.contains("24h"), "{e}");
    }

    #[test]
    fn counts_and_ratios() {
        assert_eq!("8".parse::<Count>(), Ok(Count(8)));
        assert!("-2".parse::<Count>().unwrap_err().to_string().contains("negative"));
        assert!("fast".parse::<Count>().is_err());
        assert_eq!("4.0".parse::<Ratio>(), Ok(Ratio(4.0)));
        assert!("0".parse::<Ratio>().is_err());
        assert!("NaN".parse::<Ratio>().is_err());
    }
}
