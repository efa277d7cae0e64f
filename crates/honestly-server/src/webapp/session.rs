//! Who is signed in: the session cookie read and checked against the store on every request
//! (so the role and the account's state are the store's, on every replica), and the
//! redirects of a signed-out visitor to the sign-in page and back.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use honestly_core::audit::Actor;
use honestly_core::auth::BrowserSession;

use super::html::{from_api, see_other, Nav};
use super::{cookie, csrf};
use crate::error::ApiError;
use crate::extract::Ctx;
use crate::state::AppState;

/// Longest `next` path kept across the sign-in.
const MAX_NEXT: usize = 1024;

/// A signed-in person: the session, their username and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The session as the store says now.
    pub session: BrowserSession,
    /// The account's username.
    pub username: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Signed {
    /// The navigation of their pages.
    pub fn nav(&self) -> Nav<'_> {
        Nav { username: &self.username, csrf: &self.csrf, role: self.session.role }
    }

    /// Whether `presented` is this session's CSRF token.
    pub fn csrf_ok(&self, state: &AppState, presented: &str) -> bool {
        csrf::verify(&state.config, &self.session.session_id, presented)
    }
}

/// The signed-in person of a request, if any.
pub async fn signed_in(parts: &Parts, state: &AppState) -> Result<Option<Signed>, ApiError> {
    let Some(token) = cookie::read(&state.config, &parts.headers) else { return Ok(None) };
    let Some(session) = state.auth.browser_session(&token).await? else { return Ok(None) };
    let Some(user) = state.store.user_by_id(&session.user_id).await.map_err(ApiError::from)? else {
        return Ok(None);
    };
    if let Ok(ctx) = Ctx::of(parts) {
        ctx.0.set_actor(Actor::User(session.user_id.clone()));
    }
    let csrf = csrf::token(&state.config, &session.session_id);
    Ok(Some(Signed { session, username: user.username, csrf }))
}

/// A signed-in person, or a `303` to the sign-in page that comes back afterwards: to this
/// page for a `GET`, to [`page_of_form`] for a form sent without a live session.
pub struct SignedIn(pub Signed);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match signed_in(parts, state).await {
            Ok(Some(signed)) => Ok(SignedIn(signed)),
            Ok(None) => {
                let back = if parts.method == Method::GET || parts.method == Method::HEAD {
                    parts.uri.path_and_query().map_or("/app", |p| p.as_str())
                } else {
                    page_of_form(parts.uri.path())
                };
                Err(see_other(&sign_in_url(back)))
            }
            Err(e) => Err(from_api(e, None)),
        }
    }
}

/// Longest variable segment (an id or a token) of a page's path kept across the sign-in.
const MAX_SEGMENT: usize = 128;

/// Whether `segment` may fill a `{…}` of a page's path: an id or a token (letters, digits,
/// `-`, `_`), so nothing but such a path is ever offered as `next`.
fn id_like(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= MAX_SEGMENT
        && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `path` is one of the pages the app serves to a `GET` ([`super::PAGES`]).
fn is_page(path: &str) -> bool {
    super::PAGES.iter().any(|pattern| {
        let mut wanted = pattern.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') => {
                    if !id_like(g) {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    })
}

/// Where a form sent without a live session (it expired, or was ended elsewhere) leads back
/// after signing in again: the form's own path when the app serves a page there (the
/// confirmation pages, the forms of their own pages), else the nearest parent path that is a
/// page (`/app/proofs/{id}/share` → `/app/proofs/{id}`, `/app/account/sessions/{id}/end` →
/// `/app/account`), else `/app`. Only a path matching one of [`super::PAGES`] is returned —
/// never the query, never anything a page of this site would not show.
pub fn page_of_form(path: &str) -> &str {
    let mut candidate = path;
    loop {
        if is_page(candidate) {
            return candidate;
        }
        match candidate.rfind('/') {
            Some(end) if end > 0 => candidate = &candidate[..end],
            _ => return "/app",
        }
    }
}

/// Whoever is signed in, if anyone.
pub struct MaybeSignedIn(pub Option<Signed>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        signed_in(parts, state).await.map(MaybeSignedIn).map_err(|e| from_api(e, None).into_response())
    }
}

/// `/app/sign-in?next=…` coming back to `next`.
pub fn sign_in_url(next: &str) -> String {
    format!("/app/sign-in?next={}", percent_encode(safe_next(Some(next))))
}

/// `next` when it is a path of this site (one leading `/`, not `//` or `/\`, printable,
/// bounded); `/app` otherwise.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= MAX_NEXT
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n
        }
        _ => "/app",
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/r/abc?x=1")), "/r/abc?x=1");
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "app", "/a b", ""] {
            assert_eq!(safe_next(Some(bad)), "/app", "{bad}");
        }
        assert_eq!(safe_next(None), "/app");
        assert_eq!(sign_in_url("/r/t?x=1"), "/app/sign-in?next=/r/t%3Fx%3D1");
    }

    #[test]
    fn a_form_leads_back_to_its_own_page_or_the_nearest_one_above_it() {
        for (form, page) in [
            ("/app/account/delete", "/app/account/delete"),
            ("/app/documents/doc_1/delete", "/app/documents/doc_1/delete"),
            ("/app/documents/doc_1/prove-authenticity", "/app/documents/doc_1/prove-authenticity"),
            ("/app/proofs/prf_1/share", "/app/proofs/prf_1"),
            ("/app/account/sessions/ses_1/end", "/app/account"),
            ("/app/account/sign-out-everywhere", "/app/account"),
            ("/app/account/export", "/app/account"),
            ("/app/admin/issuers", "/app/admin"),
            ("/app/admin/users/usr_1/role", "/app/admin/users/usr_1"),
            ("/app/documents", "/app/documents"),
            ("/r/tok-EN_1/decline", "/r/tok-EN_1"),
            ("/r/tok/answer/", "/r/tok"),
        ] {
            assert_eq!(page_of_form(form), page, "{form}");
        }
        // Segments that are not ids never reach `next`; unknown paths lead to `/app`.
        for form in [
            "/app/documents/a.b/delete",
            "/app/documents/%2F%2Fevil/delete",
            "/app/documents/{id}/delete",
            "//evil.example/app/account",
            "/elsewhere/entirely",
            "",
            "/",
        ] {
            let page = page_of_form(form);
            assert!(page == "/app/documents" || page == "/app", "{form} → {page}");
            assert_eq!(safe_next(Some(page)), page);
        }
        let long = format!("/app/documents/{}/delete", "a".repeat(MAX_SEGMENT + 1));
        assert_eq!(page_of_form(&long), "/app/documents");
    }
}
