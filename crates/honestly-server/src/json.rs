//! A JSON extractor whose rejections are [`ApiError`]s, so malformed bodies get the same error
//! shape as everything else.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

/// JSON request body or response, like `axum::Json` but with contract-shaped rejections.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

/// Whether the request says its body is JSON: `Content-Type: application/json` or
/// `application/…+json` (any case, parameters such as `charset` ignored), as [`Json`] requires.
pub fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || essence.strip_prefix("application/").is_some_and(|sub| sub.len() > 5 && sub.ends_with("+json"))
}

fn map_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::validation(data_error_message(&e.body_text())),
        JsonRejection::JsonSyntaxError(_) => ApiError::validation("Malformed JSON body"),
        JsonRejection::MissingJsonContentType(_) => ApiError::unsupported_media_type(),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::payload_too_large()
        }
        other => ApiError::validation("Unreadable request body").with_cause(other.body_text()),
    }
}

/// Keeps serde's explanation (field names, expected types) and drops axum's prefix.
fn data_error_message(text: &str) -> String {
    let reason =
        text.strip_prefix("Failed to deserialize the JSON body into the target type: ").unwrap_or(text);
    let reason: String = reason.chars().take(300).collect();
    format!("Invalid request body: {reason}")
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn json_content_types_are_recognised() {
        for json in ["application/json", "Application/JSON; charset=utf-8", "application/vnd.api+json"] {
            assert!(has_json_content_type(&with_type(json)), "{json}");
        }
        for other in
            ["text/plain", "application/jsonx", "application/+json", "text/json", "multipart/form-data"]
        {
            assert!(!has_json_content_type(&with_type(other)), "{other}");
        }
        assert!(!has_json_content_type(&HeaderMap::new()));
    }
}
