//! The web app's frame: the document skeleton with the navigation of a signed-in person, the
//! answers every page uses (a page, a `303 See Other`), and the error page in words that stands
//! in for every error a person can meet, with its error id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::error::{ApiError, ErrorContent};
use crate::pages::layout::{respond, STYLE};

/// The name of the hidden CSRF field of every state-changing form.
pub const CSRF_FIELD: &str = "csrf_token";

/// What the navigation needs: the signed-in person's name and their session's CSRF token
/// (for the sign-out form). `None` renders the signed-out frame.
pub struct Nav<'a> {
    /// The username.
    pub username: &'a str,
    /// The session's CSRF token.
    pub csrf: &'a str,
    /// The account's role (which consoles the navigation links to).
    pub role: honestly_core::auth::Role,
}

/// A whole page titled `title` around `main`, with the navigation when signed in.
pub fn app_document(title: &str, nav: Option<&Nav<'_>>, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Honestly" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    p { a href="/app" { "Honestly · proof vault" } }
                    @if let Some(nav) = nav {
                        nav aria-label="Main" {
                            ul {
                                li { a href="/app/documents" { "Documents" } }
                                li { a href="/app/account" { "Account" } }
                                @if matches!(nav.role, honestly_core::auth::Role::Verifier | honestly_core::auth::Role::Admin) {
                                    li { a id="verifier-link" href="/app/verifier" { "Verifier" } }
                                }
                                @if nav.role == honestly_core::auth::Role::Issuer {
                                    li { a id="issuer-link" href="/app/issuer" { "Issuer" } }
                                }
                                li { a href="/app/credentials" { "Credentials" } }
                                li { a href="/app/links" { "Links" } }
                                li { a id="timeline-link" href="/app/timeline" { "Timeline" } }
                                @if nav.role == honestly_core::auth::Role::Admin {
                                    li { a id="admin-link" href="/app/admin" { "Admin" } }
                                }
                                li {
                                    form id="sign-out-form" method="post" action="/app/sign-out" {
                                        (csrf_input(nav.csrf))
                                        button type="submit" class="secondary" { "Sign out" }
                                    }
                                }
                            }
                            p class="hint" { "Signed in as " strong { (nav.username) } }
                        }
                    }
                }
                main { (main) }
                footer { p { "Honestly keeps your documents encrypted and proves facts about them without showing them." } }
            }
        }
    }
}

/// The hidden CSRF field.
pub fn csrf_input(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// `page` with `status`, the pages' security policy and `no-store`.
pub fn page(status: StatusCode, page: Markup) -> Response {
    respond(status, page)
}

/// `303 See Other` to `location` (after every successful form, so a reload never repeats it).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// What an error says to a person, by its status.
fn advice(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Something in the form was not accepted. Go back, check it and try again.",
        401 => "You need to sign in again.",
        403 => "This is not allowed.",
        404 => "There is nothing here, or it is not yours.",
        409 | 410 => "This can no longer be done: it was already done or has ended.",
        413 => "That is larger than this server accepts.",
        422 => "This cannot be done with what you chose.",
        429 => "Too many attempts. Wait a little and try again.",
        503 => "The server is busy or a service it needs is down. Try again in a moment.",
        _ => "Something went wrong on our side. Try again later.",
    }
}

/// The page of an error: its message and advice in words, and the error id to quote.
pub fn error_page(
    status: StatusCode,
    title: &str,
    content: &ErrorContent,
    nav: Option<&Nav<'_>>,
) -> Response {
    let markup = app_document(
        title,
        nav,
        html! {
            h1 { (title) }
            div class="status bad" role="alert" {
                strong { (content.message) }
                (advice(status))
                @if let Some(fields) = &content.fields {
                    ul { @for (field, reason) in fields { li { (field) ": " (reason) } } }
                }
            }
            p { "Error id: " code { (content.error_id) } " (quote it if you ask for help)." }
            p { a href="/app" { "Back to your vault" } }
        },
    );
    page(status, markup)
}

/// An API error as a page: logged under its error id like every error; `Retry-After` and
/// the rate-limit headers are kept.
pub fn from_api(error: ApiError, nav: Option<&Nav<'_>>) -> Response {
    let (status, content, headers) = content_of(error);
    let title = if status.is_server_error() { "Something went wrong" } else { "That did not work" };
    let mut response = error_page(status, title, &content, nav);
    keep_limit_headers(&headers, &mut response);
    response
}

/// Copies `Retry-After` and the rate-limit headers of an error's JSON answer to `response`.
pub fn keep_limit_headers(from: &axum::http::HeaderMap, response: &mut Response) {
    for name in [header::RETRY_AFTER.as_str(), "x-ratelimit-limit", "x-ratelimit-remaining"] {
        if let Some(value) = from.get(name) {
            response.headers_mut().insert(header::HeaderName::from_static(name), value.clone());
        }
    }
}

/// The error content of an API error (its id generated and logged now), with the headers of
/// its JSON answer, for pages that show it beside a form.
pub fn content_of(error: ApiError) -> (StatusCode, ErrorContent, axum::http::HeaderMap) {
    let status = error.status();
    let json = error.into_response();
    let content = json.extensions().get::<ErrorContent>().cloned().unwrap_or_else(|| ErrorContent {
        code: "INTERNAL".into(),
        message: "Internal server error".into(),
        error_id: honestly_core::ids::ErrorId::generate().into_string(),
        fields: None,
        detail: None,
    });
    (status, content, json.headers().clone())
}
