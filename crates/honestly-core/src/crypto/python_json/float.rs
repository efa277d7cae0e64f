//! Python's `repr(float)` layout of the shortest round-trip digits.
//!
//! The digits come from `ryu`, not from Rust's `{:e}`: when two shortest digit strings are
//! equally close to the value (e.g. 896174464165177.25 between `…177.2` and `…177.3`), Python
//! and `ryu` both round half to even, while `{:e}` rounds half up.

/// Appends Python's `repr(x)` for a finite `x`.
///
/// Python lays the shortest digits `d1 d2 …` with decimal exponent `exp` (value
/// `d1.d2… × 10^exp`) out in decimal when `-4 <= exp < 16`, always with a `.` (`100.0`,
/// `0.0001`), and otherwise as `d1[.d2…]e±XX` with at least two exponent digits.
pub(super) fn write_repr(x: f64, out: &mut String) {
    if x.is_sign_negative() {
        out.push('-');
    }
    if x == 0.0 {
        out.push_str("0.0");
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let (digits, exp) = shortest_digits(buffer.format_finite(x.abs()));
    let (first, rest) = digits.split_at(1);

    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', exp.unsigned_abs() as usize - 1));
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(if exp < 0 { "e-" } else { "e+" });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }
}

/// The significant digits (no leading or trailing zeros) and decimal exponent of a positive
/// number as `ryu` writes it (`123.0`, `0.000123`, `1.5e17`, `1e-7`).
fn shortest_digits(text: &str) -> (String, i32) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let int_len = mantissa.find('.').unwrap_or(mantissa.len());
    let all: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_start_matches('0').trim_end_matches('0').to_owned();
    // `int_len` and `leading` are at most a few hundred, so these casts cannot wrap.
    (digits, exp + int_len as i32 - 1 - leading as i32)
}
