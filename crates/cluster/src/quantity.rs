//! Kubernetes resource quantities (`500m`, `64Gi`, `1e3`), parsed exactly.
//!
//! k8s-openapi keeps a Quantity as its string, so the reader parses it
//! here, by the grammar of k8s.io/apimachinery `pkg/api/resource/quantity.go`
//! (v0.33): `<signedNumber><suffix>`, the suffix binary SI (`Ki` … `Ei`),
//! decimal SI (`n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal
//! exponent (`e3`, `E-2`). Values are rounded up to whole units as
//! `Quantity.Value()` and `MilliValue()` round (away from zero).

use std::fmt;

/// A quantity that does not follow the grammar, or does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuantityError {
    text: String,
    why: &'static str,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a quantity: {}", self.text, self.why)
    }
}

/// A parsed quantity: `digits × 10^scale × 2^pow2`, negated when `negative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quantity {
    negative: bool,
    digits: u128,
    scale: i32,
    pow2: u32,
}

fn parse(text: &str) -> Result<Quantity, QuantityError> {
    let err = |why| QuantityError { text: text.to_string(), why };
    let s = text.trim();
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_end);
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(err("no number"));
    }
    if fraction.contains('.') {
        return Err(err("two decimal points"));
    }
    let mut digits: u128 = 0;
    for c in whole.bytes().chain(fraction.bytes()) {
        digits = digits
            .checked_mul(10)
            .and_then(|d| d.checked_add(u128::from(c - b'0')))
            .ok_or_else(|| err("too many digits"))?;
    }
    let fraction_len = i32::try_from(fraction.len()).map_err(|_| err("too many digits"))?;
    let mut scale = -fraction_len;
    let mut pow2 = 0;
    match suffix {
        "Ki" => pow2 = 10,
        "Mi" => pow2 = 20,
        "Gi" => pow2 = 30,
        "Ti" => pow2 = 40,
        "Pi" => pow2 = 50,
        "Ei" => pow2 = 60,
        "n" => scale -= 9,
        "u" => scale -= 6,
        "m" => scale -= 3,
        "" => {}
        "k" => scale += 3,
        "M" => scale += 6,
        "G" => scale += 9,
        "T" => scale += 12,
        "P" => scale += 15,
        "E" => scale += 18,
        exp if exp.starts_with(['e', 'E']) => {
            let e: i32 = exp[1..].parse().map_err(|_| err("a bad exponent"))?;
            if !(-100..=100).contains(&e) {
                return Err(err("an exponent out of range"));
            }
            scale += e;
        }
        _ => return Err(err("an unknown suffix")),
    }
    Ok(Quantity { negative, digits, scale, pow2 })
}

impl Quantity {
    /// The value in units of `10^-decimals`, rounded up; `None` when it does
    /// not fit a u64.
    fn scaled(self, decimals: i32) -> Option<u64> {
        let value = self.digits.checked_mul(1u128.checked_shl(self.pow2)?)?;
        let exp = self.scale + decimals;
        let out = if exp >= 0 {
            value.checked_mul(10u128.checked_pow(exp.unsigned_abs())?)?
        } else {
            match 10u128.checked_pow(exp.unsigned_abs()) {
                Some(div) => value.div_ceil(div),
                // Smaller than any unit, but not zero: one unit, as Kubernetes rounds up.
                None => u128::from(value > 0),
            }
        };
        u64::try_from(out).ok()
    }
}

fn non_negative(text: &str, decimals: i32) -> Result<u64, QuantityError> {
    let q = parse(text)?;
    if q.negative && q.digits != 0 {
        return Err(QuantityError { text: text.to_string(), why: "negative" });
    }
    q.scaled(decimals).ok_or_else(|| QuantityError { text: text.to_string(), why: "too large" })
}

/// A quantity in whole units (bytes, pods, devices), rounded up.
pub(crate) fn units(text: &str) -> Result<u64, QuantityError> {
    non_negative(text, 0)
}

/// A quantity in thousandths (CPU millicores), rounded up.
pub(crate) fn millis(text: &str) -> Result<u64, QuantityError> {
    non_negative(text, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_the_kubernetes_grammar() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("1", 1),
            ("1Ki", 1024),
            ("64Gi", 64 << 30),
            ("1.5Gi", 3 << 29),
            ("1e3", 1000),
            ("1E3", 1000),
            ("2k", 2000),
            ("1M", 1_000_000),
            ("129M", 129_000_000),
            ("1Ei", 1 << 60),
            ("110", 110),
            ("+5", 5),
            (".5", 1),
            ("1500m", 2),
            ("1m", 1),
            ("1n", 1),
            ("12e-1", 2),
            ("-0", 0),
        ];
        for (text, want) in cases {
            assert_eq!(units(text), Ok(*want), "{text}");
        }
    }

    #[test]
    fn millis_are_thousandths_rounded_up() {
        let cases: &[(&str, u64)] = &[
            ("500m", 500),
            ("1", 1000),
            ("2.5", 2500),
            ("0.1", 100),
            ("100u", 1),
            ("1k", 1_000_000),
            ("64", 64_000),
            ("1e-3", 1),
        ];
        for (text, want) in cases {
            assert_eq!(millis(text), Ok(*want), "{text}");
        }
    }

    #[test]
    fn bad_quantities_are_errors_not_zero() {
        for text in ["", "abc", "1Gb", "1..2", "1.2.3", "-1", "-2Gi", "1e", "1e1000", "Gi", "1 Gi", "99999999999Ei"] {
            let e = units(text).expect_err(text);
            assert!(e.to_string().contains("is not a quantity"), "{e}");
        }
    }
}
