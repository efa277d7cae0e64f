//! A strict RFC 8259 parser into [`PyJson`], bounded in size and depth.

use std::collections::BTreeMap;

use super::{PyFloat, PyInt, PyJson};

/// Bounds on what [`parse_with_limits`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes.
    pub max_bytes: usize,
    /// Most arrays and objects nested inside each other.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 1 MiB and 128 levels.
    fn default() -> Self {
        Limits { max_bytes: 1 << 20, max_depth: 128 }
    }
}

/// Why a body is not JSON this module accepts, and the byte offset where that was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Byte offset into the input.
    pub offset: usize,
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("input larger than the size limit")]
    TooLarge,
    /// Arrays and objects are nested deeper than [`Limits::max_depth`].
    #[error("nesting deeper than the depth limit")]
    TooDeep,
    /// The input is not valid UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The input ended inside a value.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// A byte that cannot start or continue a value here.
    #[error("unexpected character")]
    UnexpectedChar,
    /// Something follows the top-level value.
    #[error("trailing data after the value")]
    TrailingData,
    /// `NaN`, `Infinity` or `-Infinity`.
    #[error("NaN and Infinity are not JSON")]
    NonFinite,
    /// A float too large for `f64` (Python would read it as infinity).
    #[error("float overflows to infinity")]
    FloatOverflow,
    /// An integer longer than [`MAX_INT_DIGITS`](super::MAX_INT_DIGITS) digits (Python refuses it too).
    #[error("integer has too many digits")]
    IntegerTooLong,
    /// A raw control character (below U+0020) inside a string.
    #[error("control character in string")]
    ControlCharacter,
    /// A backslash escape JSON does not define.
    #[error("invalid escape")]
    InvalidEscape,
    /// A `\uD800`–`\uDFFF` escape that is not half of a surrogate pair.
    #[error("lone surrogate escape")]
    LoneSurrogate,
}

/// Parses `input` with the default [`Limits`].
pub fn parse(input: &[u8]) -> Result<PyJson, ParseError> {
    parse_with_limits(input, Limits::default())
}

/// Parses `input`, a whole JSON text (one value with optional surrounding whitespace).
pub fn parse_with_limits(input: &[u8], limits: Limits) -> Result<PyJson, ParseError> {
    if input.len() > limits.max_bytes {
        return Err(ParseError { kind: ParseErrorKind::TooLarge, offset: limits.max_bytes });
    }
    let text = std::str::from_utf8(input)
        .map_err(|e| ParseError { kind: ParseErrorKind::InvalidUtf8, offset: e.valid_up_to() })?;
    let mut parser = Parser { text, bytes: input, pos: 0, max_depth: limits.max_depth };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < input.len() {
        return Err(parser.error(ParseErrorKind::TrailingData));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError { kind, offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The next byte, or an error at the end of input.
    fn next(&mut self) -> Result<u8, ParseError> {
        let b = self.peek().ok_or_else(|| self.error(ParseErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, want: u8) -> Result<(), ParseError> {
        match self.peek() {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(ParseErrorKind::UnexpectedChar)),
            None => Err(self.error(ParseErrorKind::UnexpectedEnd)),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// A value starting at the current position; `depth` containers enclose it.
    fn value(&mut self, depth: usize) -> Result<PyJson, ParseError> {
        match self.peek() {
            None => Err(self.error(ParseErrorKind::UnexpectedEnd)),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(PyJson::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", PyJson::Bool(true)),
            Some(b'f') => self.literal("false", PyJson::Bool(false)),
            Some(b'n') => self.literal("null", PyJson::Null),
            Some(b'N' | b'I') => Err(self.error(ParseErrorKind::NonFinite)),
            Some(_) => Err(self.error(ParseErrorKind::UnexpectedChar)),
        }
    }

    fn literal(&mut self, word: &str, value: PyJson) -> Result<PyJson, ParseError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(ParseErrorKind::UnexpectedChar))
        }
    }

    fn enter(&self, depth: usize) -> Result<(), ParseError> {
        if depth > self.max_depth {
            return Err(self.error(ParseErrorKind::TooDeep));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<PyJson, ParseError> {
        self.enter(depth)?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(PyJson::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b']' => return Ok(PyJson::Array(items)),
                _ => {
                    self.pos -= 1;
                    return Err(self.error(ParseErrorKind::UnexpectedChar));
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<PyJson, ParseError> {
        self.enter(depth)?;
        self.pos += 1; // '{'
        let mut map = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(PyJson::Object(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error(if self.peek().is_none() {
                    ParseErrorKind::UnexpectedEnd
                } else {
                    ParseErrorKind::UnexpectedChar
                }));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value(depth)?;
            // As in Python's dict, a repeated key keeps the last value.
            map.insert(key, value);
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b'}' => return Ok(PyJson::Object(map)),
                _ => {
                    self.pos -= 1;
                    return Err(self.error(ParseErrorKind::UnexpectedChar));
                }
            }
        }
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // The run stops at an ASCII byte or the end, so it ends on a char boundary.
            out.push_str(&self.text[start..self.pos]);
            match self.next()? {
                b'"' => return Ok(out),
                b'\\' => self.escape(&mut out)?,
                _ => {
                    self.pos -= 1;
                    return Err(self.error(ParseErrorKind::ControlCharacter));
                }
            }
        }
    }

    /// The escape after a backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => {
                self.pos -= 1;
                return Err(self.error(ParseErrorKind::InvalidEscape));
            }
        };
        out.push(c);
        Ok(())
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let start = self.pos - 2;
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                let low = if self.text[self.pos..].starts_with("\\u") {
                    self.pos += 2;
                    self.hex4()?
                } else {
                    0
                };
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(ParseError { kind: ParseErrorKind::LoneSurrogate, offset: start });
                }
                0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(ParseError { kind: ParseErrorKind::LoneSurrogate, offset: start }),
            _ => u32::from(high),
        };
        char::from_u32(code).ok_or(ParseError { kind: ParseErrorKind::LoneSurrogate, offset: start })
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    self.pos -= 1;
                    return Err(self.error(ParseErrorKind::InvalidEscape));
                }
            };
            v = (v << 4) | u16::from(d);
        }
        Ok(v)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: a float if it has a fraction or an
    /// exponent, else an integer.
    fn number(&mut self) -> Result<PyJson, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            Some(b'I') => return Err(self.error(ParseErrorKind::NonFinite)),
            Some(_) => return Err(self.error(ParseErrorKind::UnexpectedChar)),
            None => return Err(self.error(ParseErrorKind::UnexpectedEnd)),
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
            is_float = true;
        }
        let text = &self.text[start..self.pos];
        let error = |kind| ParseError { kind, offset: start };
        if is_float {
            let x: f64 = text.parse().map_err(|_| error(ParseErrorKind::UnexpectedChar))?;
            PyFloat::new(x).map(PyJson::Float).ok_or(error(ParseErrorKind::FloatOverflow))
        } else {
            PyInt::parse(text).map(PyJson::Int).ok_or(error(ParseErrorKind::IntegerTooLong))
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            Some(_) => Err(self.error(ParseErrorKind::UnexpectedChar)),
            None => Err(self.error(ParseErrorKind::UnexpectedEnd)),
        }
    }
}
