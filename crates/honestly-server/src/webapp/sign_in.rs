//! Signing in, registering and signing out. Signing in goes through the same auth service
//! call as `POST /auth/login` (same throttling, lockout and audit events); the login's refresh
//! token becomes the session cookie. Registering follows the API's rules and signs in.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::cookie;
use super::guard::{bad_form, from_another_site};
use super::guard::{csrf_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, keep_limit_headers, page, see_other};
use super::session::{safe_next, MaybeSignedIn};
use crate::error::{ApiError, ErrorContent};
use crate::extract::{ClientIp, Query};
use crate::state::AppState;

/// `?next=` of the sign-in page.
#[derive(Deserialize)]
pub struct NextQuery {
    /// Where to go after signing in (a path of this site).
    pub next: Option<String>,
    /// `deleted` right after the account was deleted.
    pub account: Option<String>,
}

/// The sign-in form's body.
#[derive(Deserialize)]
pub struct SignInForm {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
    /// Where to go afterwards.
    pub next: Option<String>,
}

/// The register form's body.
#[derive(Deserialize)]
pub struct RegisterForm {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
}

/// The sign-out form's body (and of every form that carries nothing but its token).
#[derive(Deserialize)]
pub struct TokenOnly {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
}

csrf_form!(TokenOnly);

fn field_error(content: Option<&ErrorContent>, field: &str) -> Option<String> {
    content.and_then(|c| c.fields.as_ref()).and_then(|f| f.get(field)).cloned()
}

/// The sign-in page; `problem` is said above the form.
pub fn sign_in_page(next: &str, username: &str, problem: Option<&ErrorContent>) -> Markup {
    sign_in_page_with(next, username, problem, None)
}

/// The sign-in page with a notice above the form (after an account was deleted).
pub fn sign_in_page_with(
    next: &str,
    username: &str,
    problem: Option<&ErrorContent>,
    notice: Option<Markup>,
) -> Markup {
    app_document(
        "Sign in",
        None,
        html! {
            h1 { "Sign in to your vault" }
            @if let Some(notice) = notice { (notice) }
            @if let Some(problem) = problem {
                div class="status bad" role="alert" id="sign-in-error" {
                    strong { (problem.message) }
                    "Error id: " code { (problem.error_id) }
                }
            }
            form id="sign-in-form" method="post" action="/app/sign-in" {
                input type="hidden" name="next" value=(next);
                div class="field" {
                    label for="sign-in-username" { "Username" }
                    input id="sign-in-username" name="username" type="text" required autocomplete="username"
                        maxlength="64" value=(username);
                }
                div class="field" {
                    label for="sign-in-password" { "Password" }
                    input id="sign-in-password" name="password" type="password" required
                        autocomplete="current-password" maxlength="128";
                }
                button type="submit" { "Sign in" }
            }
            p { "No account yet? " a href="/app/register" { "Register" } }
        },
    )
}

fn register_page(username: &str, problem: Option<&ErrorContent>) -> Markup {
    let username_error = field_error(problem, "username");
    let password_error = field_error(problem, "password");
    app_document(
        "Register",
        None,
        html! {
            h1 { "Create your vault" }
            @if let Some(problem) = problem {
                div class="status bad" role="alert" id="register-error" {
                    strong { (problem.message) }
                    "Error id: " code { (problem.error_id) }
                }
            }
            form id="register-form" method="post" action="/app/register" {
                div class="field" {
                    label for="register-username" { "Username" }
                    input id="register-username" name="username" type="text" required autocomplete="username"
                        minlength="3" maxlength="64" value=(username)
                        aria-describedby=(if username_error.is_some() { "register-username-error" } else { "register-username-hint" });
                    p class="hint" id="register-username-hint" { "3 to 64 letters, digits, dots, dashes or underscores." }
                    @if let Some(reason) = &username_error {
                        p class="error" id="register-username-error" { "Username " (reason) }
                    }
                }
                div class="field" {
                    label for="register-password" { "Password" }
                    input id="register-password" name="password" type="password" required autocomplete="new-password"
                        minlength="12" maxlength="128"
                        aria-describedby=(if password_error.is_some() { "register-password-error" } else { "register-password-hint" });
                    p class="hint" id="register-password-hint" { "At least 12 characters, hard to guess." }
                    @if let Some(reason) = &password_error {
                        p class="error" id="register-password-error" { "Password " (reason) }
                    }
                }
                button type="submit" { "Register" }
            }
            p { "Already registered? " a href="/app/sign-in" { "Sign in" } }
        },
    )
}

/// `GET /app/sign-in`.
pub async fn sign_in_form(MaybeSignedIn(signed): MaybeSignedIn, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if signed.is_some() {
        return see_other(next);
    }
    let notice = (q.account.as_deref() == Some("deleted")).then(|| {
        html! {
            div class="status ok" id="account-deleted" role="status" {
                strong { "Your account was deleted." } " Everything it held has been erased."
            }
        }
    });
    page(StatusCode::OK, sign_in_page_with(next, "", None, notice))
}

/// Signs in like `POST /auth/login` and sets the session cookie for `outcome`'s refresh token.
async fn start_session(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<String, ApiError> {
    let outcome = state.auth.login(username, password, ip).await?;
    tracing::info!(user_id = %outcome.user.id, "browser sign-in");
    Ok(outcome.tokens.refresh_token)
}

fn with_cookie(state: &AppState, mut response: Response, token: &str) -> Response {
    cookie::set(&state.config, &mut response, token, state.config.jwt_refresh_expiry.as_secs());
    response
}

/// `POST /app/sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    if let Some(refused) = from_another_site(&state, &headers) {
        return refused;
    }
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return bad_form(rejection, None),
    };
    let next = safe_next(form.next.as_deref()).to_owned();
    match start_session(&state, &form.username, &form.password, &ip.to_string()).await {
        Ok(token) => with_cookie(&state, see_other(&next), &token),
        Err(e) => {
            let (status, mut content, headers) = content_of(e);
            if status == StatusCode::UNAUTHORIZED {
                content.message = "Wrong username or password.".into();
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                content.message =
                    "Too many failed attempts: sign-in is locked for a while. Try again later.".into();
            }
            let username: String = form.username.chars().take(64).collect();
            let mut response = page(status, sign_in_page(&next, &username, Some(&content)));
            keep_limit_headers(&headers, &mut response);
            response
        }
    }
}

/// `GET /app/register`.
pub async fn register_form(MaybeSignedIn(signed): MaybeSignedIn) -> Response {
    if signed.is_some() {
        return see_other("/app");
    }
    page(StatusCode::OK, register_page("", None))
}

/// `POST /app/register`: the API's rules; errors in words next to their field.
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Response {
    if let Some(refused) = from_another_site(&state, &headers) {
        return refused;
    }
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return bad_form(rejection, None),
    };
    let username: String = form.username.chars().take(64).collect();
    if let Err(e) = state.auth.register(&form.username, &form.password).await {
        let (status, mut content, _) = content_of(e.into());
        if status == StatusCode::CONFLICT {
            content.fields = Some([("username".to_string(), "is already taken".to_string())].into());
        }
        return page(status, register_page(&username, Some(&content)));
    }
    match start_session(&state, &form.username, &form.password, &ip.to_string()).await {
        Ok(token) => with_cookie(&state, see_other("/app/documents"), &token),
        Err(_) => see_other("/app/sign-in"),
    }
}

/// `POST /app/sign-out`: ends this session and removes the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.auth.end_session(&signed.session.user_id, &signed.session.session_id).await {
        return super::html::from_api(e.into(), Some(&signed.nav()));
    }
    let mut response = see_other("/app/sign-in");
    cookie::clear(&state.config, &mut response);
    response
}

/// A hidden-token form with one button, for the pages' small actions.
pub fn button_form(id: &str, action: &str, csrf: &str, label: &str, class: &str) -> Markup {
    html! {
        form id=(id) method="post" action=(action) {
            (csrf_input(csrf))
            button type="submit" class=(class) { (label) }
        }
    }
}
