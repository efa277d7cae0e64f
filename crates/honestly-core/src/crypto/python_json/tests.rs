//! Examples of `docs/signing.md`, each checked against `python3` by hand; the property
//! test against python3 itself is `tests/python_canonical.rs`.

use super::*;

fn canon(text: &str) -> String {
    to_python_canonical(&parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}")))
}

fn kind(text: &[u8]) -> ParseErrorKind {
    parse(text).expect_err("should be rejected").kind
}

#[test]
fn floats_are_written_as_python_repr() {
    for (input, python) in [
        ("1e16", "1e+16"),
        ("1.2345678901234568e+17", "1.2345678901234568e+17"),
        ("1e-05", "1e-05"),
        ("0.00001", "1e-05"),
        ("2.5e-07", "2.5e-07"),
        ("0.0001", "0.0001"),
        ("1234567890.0", "1234567890.0"),
        ("0.1", "0.1"),
        ("1.5", "1.5"),
        ("-0.0", "-0.0"),
        ("0.0", "0.0"),
        ("-0e0", "-0.0"),
        ("1e15", "1000000000000000.0"),
        ("9999999999999998.0", "9999999999999998.0"),
        ("1.5e16", "1.5e+16"),
        ("1e100", "1e+100"),
        ("1E2", "100.0"),
        ("1e-400", "0.0"),
        ("5e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("123.456e-2", "1.23456"),
        ("-2.5E+20", "-2.5e+20"),
        // Exactly halfway between two shortest candidates: Python rounds half to even.
        ("896174464165177.25", "896174464165177.2"),
        ("202259514405623.625", "202259514405623.62"),
    ] {
        assert_eq!(canon(input), python, "{input}");
    }
}

#[test]
fn a_number_is_a_float_only_with_a_dot_or_an_exponent() {
    assert_eq!(canon("1.0"), "1.0");
    assert_eq!(canon("1"), "1");
    assert_eq!(canon("1e2"), "100.0");
    assert_eq!(canon("-0"), "0");
    let big = "-123456789012345678901234567890123456789012345678901234567890";
    assert_eq!(canon(big), big);
    assert!(matches!(parse(b"18446744073709551616").unwrap(), PyJson::Int(_)));
}

#[test]
fn layout_and_key_order_follow_python() {
    assert_eq!(
        canon(r#"{"b":1,"a":[true,false,null,{}, []],"A":{"z":"x","é":1,"😀":2,"ｚ":3}}"#),
        r#"{"A": {"z": "x", "\u00e9": 1, "\uff5a": 3, "\ud83d\ude00": 2}, "a": [true, false, null, {}, []], "b": 1}"#
    );
}

#[test]
fn strings_are_escaped_like_ensure_ascii() {
    assert_eq!(canon(r#""\"\\\/\b\f\n\r\t""#), r#""\"\\/\b\f\n\r\t""#);
    assert_eq!(canon(r#""\u0000\u001f\u007f ~""#), r#""\u0000\u001f\u007f ~""#);
    assert_eq!(canon("\"é€😀\u{10FFFF}\""), r#""\u00e9\u20ac\ud83d\ude00\udbff\udfff""#);
    assert_eq!(canon(r#""\uD83D\uDE00\u00E9""#), r#""\ud83d\ude00\u00e9""#);
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    assert_eq!(canon(r#"{"a":1,"b":2,"a":3}"#), r#"{"a": 3, "b": 2}"#);
}

#[test]
fn what_python_would_not_round_trip_is_rejected() {
    assert_eq!(kind(b"NaN"), ParseErrorKind::NonFinite);
    assert_eq!(kind(b"[Infinity]"), ParseErrorKind::NonFinite);
    assert_eq!(kind(b"-Infinity"), ParseErrorKind::NonFinite);
    assert_eq!(kind(b"1e400"), ParseErrorKind::FloatOverflow);
    assert_eq!(kind(br#""\ud800""#), ParseErrorKind::LoneSurrogate);
    assert_eq!(kind(br#""\udc00\ud800""#), ParseErrorKind::LoneSurrogate);
    assert_eq!(kind(br#""\ud800\u0041""#), ParseErrorKind::LoneSurrogate);
    assert_eq!(kind(b"\"\xff\""), ParseErrorKind::InvalidUtf8);
    assert_eq!(kind(b"\xef\xbb\xbf{}"), ParseErrorKind::UnexpectedChar);
    assert_eq!(kind("1".repeat(MAX_INT_DIGITS + 1).as_bytes()), ParseErrorKind::IntegerTooLong);
    assert!(parse(format!("-{}", "1".repeat(MAX_INT_DIGITS)).as_bytes()).is_ok());
}

#[test]
fn malformed_json_is_rejected() {
    for (input, want) in [
        (&b""[..], ParseErrorKind::UnexpectedEnd),
        (b"  ", ParseErrorKind::UnexpectedEnd),
        (b"01", ParseErrorKind::TrailingData),
        (b"1.", ParseErrorKind::UnexpectedEnd),
        (b"1.e5", ParseErrorKind::UnexpectedChar),
        (b".5", ParseErrorKind::UnexpectedChar),
        (b"+1", ParseErrorKind::UnexpectedChar),
        (b"-", ParseErrorKind::UnexpectedEnd),
        (b"1e", ParseErrorKind::UnexpectedEnd),
        (b"[1,]", ParseErrorKind::UnexpectedChar),
        (b"{\"a\":1,}", ParseErrorKind::UnexpectedChar),
        (b"{a:1}", ParseErrorKind::UnexpectedChar),
        (b"[1 2]", ParseErrorKind::UnexpectedChar),
        (b"\"a\nb\"", ParseErrorKind::ControlCharacter),
        (b"\"\\x\"", ParseErrorKind::InvalidEscape),
        (b"\"\\u12g4\"", ParseErrorKind::InvalidEscape),
        (b"\"abc", ParseErrorKind::UnexpectedEnd),
        (b"tru", ParseErrorKind::UnexpectedChar),
        (b"{} {}", ParseErrorKind::TrailingData),
        (b"\x0c1", ParseErrorKind::UnexpectedChar),
    ] {
        assert_eq!(kind(input), want, "{:?}", String::from_utf8_lossy(input));
    }
    assert_eq!(
        parse(b" \t\r\n[ 1 , {\"a\" : 2} ]\n ").map(|v| to_python_canonical(&v)).unwrap(),
        "[1, {\"a\": 2}]"
    );
}

#[test]
fn size_and_depth_are_bounded() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(deep(128).as_bytes()).is_ok());
    assert_eq!(kind(deep(129).as_bytes()), ParseErrorKind::TooDeep);
    assert_eq!(kind(format!("{}1", "{\"a\":".repeat(129)).as_bytes()), ParseErrorKind::TooDeep);
    // Far past any stack: rejected at the limit, not by overflowing.
    assert_eq!(kind("[".repeat(1 << 19).as_bytes()), ParseErrorKind::TooDeep);

    let big = format!("\"{}\"", "a".repeat((1 << 20) - 2));
    assert!(parse(big.as_bytes()).is_ok());
    assert_eq!(kind(format!("{big} ").as_bytes()), ParseErrorKind::TooLarge);
    let small = Limits { max_bytes: 4, max_depth: 1 };
    assert_eq!(parse_with_limits(b"12345", small).unwrap_err().kind, ParseErrorKind::TooLarge);
    assert_eq!(parse_with_limits(b"[[]]", small).unwrap_err().kind, ParseErrorKind::TooDeep);
}

#[test]
fn int_and_float_constructors_keep_their_invariants() {
    assert_eq!(PyInt::parse("-0").unwrap().as_str(), "0");
    assert_eq!(PyInt::from(i64::MIN).as_str(), "-9223372036854775808");
    assert_eq!(PyInt::from(u64::MAX).as_str(), "18446744073709551615");
    for bad in ["", "-", "01", "+1", "1.0", "1e2", " 1", "--1"] {
        assert_eq!(PyInt::parse(bad), None, "{bad:?}");
    }
    assert!(PyFloat::new(f64::NAN).is_none());
    assert!(PyFloat::new(f64::NEG_INFINITY).is_none());
    assert_eq!(PyFloat::new(1e22).unwrap().python_repr(), "1e+22");
    assert_eq!(PyFloat::new(-1e-7).unwrap().python_repr(), "-1e-07");
}
