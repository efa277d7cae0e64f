//! The signed envelope `{agent_id, action, parameters, timestamp}`, read from the raw body
//! with the Python-faithful parser so the canonical bytes an agent signed can be rebuilt.

use crate::crypto::python_json::{self, PyJson};

/// Longest accepted `agent_id`.
pub const MAX_AGENT_ID_LEN: usize = 128;

/// A parsed envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Who claims to be calling.
    pub agent_id: String,
    /// What it asks for.
    pub action: String,
    /// The action's parameters (a JSON object).
    pub parameters: serde_json::Value,
    /// Unix seconds, as sent.
    pub timestamp: f64,
    /// Python's `json.dumps(envelope, sort_keys=True)` of the body.
    pub canonical: String,
}

/// Why a body is not an envelope. `field` names the offending member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct EnvelopeError {
    /// The member (`body` for the whole).
    pub field: String,
    /// What is wrong, safely worded.
    pub reason: String,
}

impl EnvelopeError {
    fn new(field: &str, reason: impl Into<String>) -> Self {
        Self { field: field.to_string(), reason: reason.into() }
    }
}

/// Whether `id` is a usable agent id: 1–128 of `A-Z a-z 0-9 _ . : @ -`.
pub fn agent_id_is_valid(id: &str) -> bool {
    (1..=MAX_AGENT_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'@' | b'-'))
}

/// Parses and checks a request body as an envelope.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, EnvelopeError> {
    let value =
        python_json::parse(body).map_err(|e| EnvelopeError::new("body", format!("not valid JSON: {e}")))?;
    let PyJson::Object(members) = &value else {
        return Err(EnvelopeError::new("body", "must be a JSON object"));
    };
    if let Some(unknown) =
        members.keys().find(|k| !matches!(k.as_str(), "agent_id" | "action" | "parameters" | "timestamp"))
    {
        let shown: String = unknown.chars().take(64).collect();
        return Err(EnvelopeError::new(&shown, "unknown field"));
    }
    let agent_id = match members.get("agent_id") {
        Some(PyJson::Str(id)) if agent_id_is_valid(id) => id.clone(),
        Some(_) => return Err(EnvelopeError::new("agent_id", "1-128 of A-Z a-z 0-9 _ . : @ -")),
        None => return Err(EnvelopeError::new("agent_id", "required")),
    };
    let action = match members.get("action") {
        Some(PyJson::Str(action)) if action.len() <= 64 => action.clone(),
        Some(_) => return Err(EnvelopeError::new("action", "must be a string")),
        None => return Err(EnvelopeError::new("action", "required")),
    };
    let parameters = match members.get("parameters") {
        Some(p @ PyJson::Object(_)) => p.to_serde(),
        Some(_) => return Err(EnvelopeError::new("parameters", "must be an object")),
        None => return Err(EnvelopeError::new("parameters", "required")),
    };
    let timestamp = match members.get("timestamp") {
        Some(PyJson::Float(x)) => x.get(),
        Some(PyJson::Int(n)) => n.as_str().parse::<f64>().unwrap_or(f64::INFINITY),
        Some(_) => return Err(EnvelopeError::new("timestamp", "must be a number (Unix seconds)")),
        None => return Err(EnvelopeError::new("timestamp", "required")),
    };
    if !timestamp.is_finite() {
        return Err(EnvelopeError::new("timestamp", "must be a number (Unix seconds)"));
    }
    let canonical = python_json::to_python_canonical(&value);
    Ok(Envelope { agent_id, action, parameters, timestamp, canonical })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_envelope_and_its_canonical_form() {
        let body = br#"{"timestamp": 1764309600, "parameters": {"b": 1.0, "a": "\u00e9"}, "action": "verify_proof", "agent_id": "bot-1"}"#;
        let env = parse_envelope(body).expect("valid envelope");
        assert_eq!(env.agent_id, "bot-1");
        assert_eq!(env.action, "verify_proof");
        assert!((env.timestamp - 1_764_309_600.0).abs() < f64::EPSILON);
        assert_eq!(
            env.canonical,
            r#"{"action": "verify_proof", "agent_id": "bot-1", "parameters": {"a": "\u00e9", "b": 1.0}, "timestamp": 1764309600}"#
        );
    }

    #[test]
    fn refuses_what_is_not_an_envelope() {
        let cases: [(&[u8], &str); 8] = [
            (b"[]", "body"),
            (b"{", "body"),
            (br#"{"agent_id": "a", "action": "x", "parameters": {}, "timestamp": 1, "extra": 1}"#, "extra"),
            (br#"{"action": "x", "parameters": {}, "timestamp": 1}"#, "agent_id"),
            (br#"{"agent_id": "a b", "action": "x", "parameters": {}, "timestamp": 1}"#, "agent_id"),
            (br#"{"agent_id": "a", "action": "x", "parameters": [], "timestamp": 1}"#, "parameters"),
            (br#"{"agent_id": "a", "action": "x", "parameters": {}, "timestamp": "1"}"#, "timestamp"),
            (br#"{"agent_id": "a", "action": 1, "parameters": {}, "timestamp": 1}"#, "action"),
        ];
        for (body, field) in cases {
            let err = parse_envelope(body).expect_err("not an envelope");
            assert_eq!(err.field, field, "{}", String::from_utf8_lossy(body));
        }
    }
}
