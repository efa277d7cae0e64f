//! A JSON extractor whose rejections are [`ApiError`]s, so malformed bodies get the same error
//! shape as everything else.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
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
