//! Signed AI-agent calls from the binary tests (signed like the Python agents sign).

use serde_json::{json, Value};

use crate::process::Server;

/// An envelope for `action`, stamped now.
pub fn envelope(agent_id: &str, action: &str, parameters: Value) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    json!({"agent_id": agent_id, "action": action, "parameters": parameters, "timestamp": now})
}

/// Posts `body` to `path` signed with `secret`: the status and the response envelope.
pub fn post_signed(
    client: &reqwest::blocking::Client,
    server: &Server,
    path: &str,
    secret: &str,
    body: &Value,
) -> (u16, Value) {
    let text = body.to_string();
    let canonical = honestly_core::crypto::python_json::to_python_canonical(
        &honestly_core::crypto::python_json::parse(text.as_bytes()).unwrap(),
    );
    let signature = honestly_core::agents::signature::sign_hex(secret.as_bytes(), canonical.as_bytes());
    let response =
        client.post(server.url(path)).header("X-AI-Signature", signature).json(body).send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}
