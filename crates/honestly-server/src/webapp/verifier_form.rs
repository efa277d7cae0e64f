//! Asking for a proof from the verifier console: the labelled form (errors next to their
//! fields), its reading into the same [`NewProofRequest`] as `POST /verifier/requests`, and
//! the "request created" page that shows the holder's link and QR code once (the token is
//! stored only hashed).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use honestly_core::audit::Actor;
use honestly_core::error::FieldErrors;
use honestly_core::issuance::IssuerRecord;
use honestly_core::proof_requests::NewProofRequest;
use honestly_core::zk::credential_proofs::{CountryInput, CredentialQuery};
use maud::{html, Markup, PreEscaped};

use super::console::{Admitted, Console, Verifiers};
use super::guard::forged_form;
use super::html::{app_document, content_of, csrf_input, from_api, keep_limit_headers, page};
use super::live::allow_script;
use super::once::{first_send, once_input, ONCE_FIELD};
use super::session::{Signed, SignedIn};
use super::verifier::{asked, live_status};
use crate::error::{ApiError, ErrorContent};
use crate::state::AppState;

/// Form fields read at most (a few fields and one checkbox per issuer).
const MAX_PAIRS: usize = 256;
/// Issuers offered as checkboxes at most.
const MAX_OFFERED: usize = 100;
/// Countries read from one list field at most (the service allows fewer).
const MAX_COUNTRIES: usize = 64;

/// The form as sent (kept as text to show it again beside its errors).
#[derive(Debug, Default)]
pub struct NewRequestForm {
    csrf_token: Option<String>,
    once: Option<String>,
    purpose: String,
    proof_type: String,
    min_age: String,
    not_expired: bool,
    nationality_in: String,
    nationality_not_in: String,
    disclose_nationality: bool,
    trusted_issuers: Vec<String>,
    ttl_seconds: String,
    callback_url: String,
    redirect_url: String,
    unique_per_holder: bool,
}

impl NewRequestForm {
    /// The blank form's defaults.
    fn blank() -> Self {
        Self { proof_type: "credential_query".into(), unique_per_holder: true, ..Self::default() }
    }

    /// Reads a urlencoded body (bounded).
    pub fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in form_urlencoded::parse(body).take(MAX_PAIRS) {
            let value = value.into_owned();
            match key.as_ref() {
                "csrf_token" => form.csrf_token = Some(value),
                ONCE_FIELD => form.once = Some(value),
                "purpose" => form.purpose = value,
                "proof_type" => form.proof_type = value,
                "min_age" => form.min_age = value,
                "not_expired" => form.not_expired = true,
                "nationality_in" => form.nationality_in = value,
                "nationality_not_in" => form.nationality_not_in = value,
                "disclose_nationality" => form.disclose_nationality = true,
                "trusted_issuers" => form.trusted_issuers.push(value),
                "ttl_seconds" => form.ttl_seconds = value,
                "callback_url" => form.callback_url = value,
                "redirect_url" => form.redirect_url = value,
                "unique_per_holder" => form.unique_per_holder = true,
                _ => {}
            }
        }
        form
    }

    fn self_declared(&self) -> bool {
        self.proof_type == "age_proof_v2"
    }

    /// The request the form asks for, or the errors of its fields.
    pub fn request(&self) -> Result<NewProofRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let number = |field: &str, text: &str, errors: &mut FieldErrors| -> Option<u64> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            text.parse::<u64>().map_err(|_| errors.add(field, "must be a whole number")).ok()
        };
        let min_age = number("min_age", &self.min_age, &mut errors);
        let ttl_seconds = number("ttl_seconds", &self.ttl_seconds, &mut errors);
        let countries = |field: &str, text: &str, errors: &mut FieldErrors| -> Option<Vec<CountryInput>> {
            let list: Vec<CountryInput> = text
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .take(MAX_COUNTRIES + 1)
                .map(|t| CountryInput::Text(t.to_owned()))
                .collect();
            if list.len() > MAX_COUNTRIES {
                errors.add(field, "lists too many countries");
            }
            (!list.is_empty()).then_some(list)
        };
        let nationality_in = countries("nationality_in", &self.nationality_in, &mut errors);
        let nationality_not_in = countries("nationality_not_in", &self.nationality_not_in, &mut errors);
        errors.into_result()?;
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let self_declared = self.self_declared();
        Ok(NewProofRequest {
            purpose: self.purpose.trim().to_owned(),
            proof_type: Some(self.proof_type.clone()).filter(|t| !t.is_empty()),
            query: CredentialQuery {
                min_age,
                not_expired: self.not_expired.then_some(true),
                nationality_in,
                nationality_not_in,
                disclose: self.disclose_nationality.then(|| vec!["nationality".to_owned()]),
            },
            trusted_issuers: self.trusted_issuers.clone(),
            scope: None,
            ttl_seconds,
            callback_url: optional(&self.callback_url),
            redirect_url: optional(&self.redirect_url),
            // A self-declared age is never unique per holder: the box is for attested credentials.
            unique_per_holder: (!self_declared).then_some(self.unique_per_holder),
        })
    }
}

/// The form field a service error names (`query.min_age` → `min_age`,
/// `trusted_issuers[0]` → `trusted_issuers`, `query.disclose` → `disclose_nationality`).
fn form_field(key: &str) -> &str {
    let key = key.strip_prefix("query.").unwrap_or(key);
    let key = key.split(['[', '.']).next().unwrap_or(key);
    if key == "disclose" {
        "disclose_nationality"
    } else {
        key
    }
}

fn error_of<'a>(problem: Option<&'a ErrorContent>, field: &str) -> Option<&'a str> {
    problem
        .and_then(|p| p.fields.as_ref())
        .and_then(|fields| fields.iter().find(|(key, _)| form_field(key) == field))
        .map(|(_, reason)| reason.as_str())
}

/// A labelled field: the input `body`, an optional hint and its error.
fn field(
    problem: Option<&ErrorContent>,
    name: &str,
    label: &str,
    hint: Option<&str>,
    input: Markup,
) -> Markup {
    let error = error_of(problem, name);
    html! {
        div class="field" {
            label for=(name) { (label) }
            (input)
            @if let Some(hint) = hint { p class="hint" id={ (name) "-hint" } { (hint) } }
            @if let Some(reason) = error { p class="error" id={ (name) "-error" } { (label) ": " (reason) } }
        }
    }
}

fn checkbox(problem: Option<&ErrorContent>, name: &str, label: &str, checked: bool) -> Markup {
    let error = error_of(problem, name);
    html! {
        div class="field" {
            input type="checkbox" class="check" id=(name) name=(name) value="true" checked[checked];
            " " label class="inline" for=(name) { (label) }
            @if let Some(reason) = error { p class="error" id={ (name) "-error" } { (label) ": " (reason) } }
        }
    }
}

fn form_page(
    signed: &Signed,
    form: &NewRequestForm,
    issuers: &[IssuerRecord],
    problem: Option<&ErrorContent>,
) -> Markup {
    let text = |name: &str, value: &str, kind: &str| {
        html! { input id=(name) name=(name) type=(kind) value=(value) maxlength="2048"; }
    };
    let issuers_error = error_of(problem, "trusted_issuers");
    let kind_error = error_of(problem, "proof_type");
    app_document(
        "Ask for a proof",
        Some(&signed.nav()),
        html! {
            h1 { "Ask for a proof" }
            @if let Some(problem) = problem {
                div class="status bad" role="alert" id="new-request-error" {
                    strong { (problem.message) }
                    "Error id: " code { (problem.error_id) }
                }
            }
            form id="new-request-form" method="post" action="/app/verifier/new" {
                (csrf_input(&signed.csrf))
                (once_input())
                (field(problem, "purpose", "Purpose (shown to the person)", Some("1 to 300 characters."),
                    html! { input id="purpose" name="purpose" type="text" required maxlength="300" value=(form.purpose); }))
                fieldset {
                    legend { "Kind of proof" }
                    div {
                        input type="radio" class="check" id="proof-type-credential" name="proof_type" value="credential_query"
                            checked[!form.self_declared()];
                        " " label class="inline" for="proof-type-credential" { "An attested credential from a trusted issuer" }
                    }
                    div {
                        input type="radio" class="check" id="proof-type-age" name="proof_type" value="age_proof_v2"
                            checked[form.self_declared()];
                        " " label class="inline" for="proof-type-age" { "A self-declared age (nobody vouches for it: minimum age only)" }
                    }
                    @if let Some(reason) = kind_error { p class="error" id="proof_type-error" { "Kind: " (reason) } }
                }
                h2 { "What the person proves" }
                (field(problem, "min_age", "Minimum age in years (optional)", None, text("min_age", &form.min_age, "number")))
                (checkbox(problem, "not_expired", "Their document has not expired", form.not_expired))
                (field(problem, "nationality_in", "Nationality is one of (optional)", Some("Country codes such as DEU, FRA, separated by commas."),
                    text("nationality_in", &form.nationality_in, "text")))
                (field(problem, "nationality_not_in", "Nationality is none of (optional)", Some("Country codes such as DEU, FRA, separated by commas."),
                    text("nationality_not_in", &form.nationality_not_in, "text")))
                (checkbox(problem, "disclose_nationality", "Reveal their nationality to you", form.disclose_nationality))
                fieldset {
                    legend { "Trusted issuers (for an attested credential)" }
                    @if issuers.is_empty() { p { "No issuer is published here yet." } }
                    @for issuer in issuers.iter().take(MAX_OFFERED) {
                        @let id = issuer.id.as_str();
                        div {
                            input type="checkbox" class="check" id={ "issuer-" (id) } name="trusted_issuers" value=(id)
                                checked[form.trusted_issuers.iter().any(|t| t == id)];
                            " " label class="inline" for={ "issuer-" (id) } { (issuer.name) }
                        }
                    }
                    @if let Some(reason) = issuers_error { p class="error" id="trusted_issuers-error" { "Trusted issuers: " (reason) } }
                }
                h2 { "How it is answered" }
                (field(problem, "ttl_seconds", "Time to answer, in seconds (optional)", Some("60 to 86400; 600 when empty."),
                    text("ttl_seconds", &form.ttl_seconds, "number")))
                (field(problem, "callback_url", "Callback URL (optional)", Some("We report the end of the request there, signed."),
                    text("callback_url", &form.callback_url, "url")))
                (field(problem, "redirect_url", "Redirect URL (optional)", Some("Where the person goes after answering."),
                    text("redirect_url", &form.redirect_url, "url")))
                (checkbox(problem, "unique_per_holder", "One answer per person (attested credentials only)", form.unique_per_holder))
                button type="submit" { "Create the request" }
            }
        },
    )
}

async fn offered(state: &AppState) -> Result<Vec<IssuerRecord>, ApiError> {
    let mut issuers = state.issuance.issuers().await?;
    issuers.truncate(MAX_OFFERED);
    Ok(issuers)
}

/// `GET /app/verifier/new`.
pub async fn form(State(state): State<AppState>, Admitted(signed, _): Admitted<Verifiers>) -> Response {
    match offered(&state).await {
        Ok(issuers) => page(StatusCode::OK, form_page(&signed, &NewRequestForm::blank(), &issuers, None)),
        Err(e) => from_api(e, Some(&signed.nav())),
    }
}

fn created_page(
    signed: &Signed,
    request: &honestly_core::proof_requests::ProofRequestRecord,
    uri: &str,
    webhook_secret: Option<&str>,
) -> Markup {
    let qr = crate::qr::svg(uri).ok();
    let link = format!("/app/verifier/requests/{}", request.id.as_str());
    app_document(
        "Request created",
        Some(&signed.nav()),
        html! {
            h1 { "Request created" }
            div class="status ok" role="status" {
                strong { "Hand this link to the person." }
                "It is shown only now: we keep only a fingerprint of it. Copy it or show the QR code before leaving this page."
            }
            div class="field" {
                label for="request-link" { "The person's link" }
                input id="request-link" type="text" readonly value=(uri) data-copy="the link";
            }
            @if let Some(svg) = qr {
                div id="request-qr" class="qr" role="img" aria-label="QR code of the person's link" { (PreEscaped(svg)) }
            }
            (live_status(request, None))
            @if let Some(secret) = webhook_secret {
                h2 { "Webhook signing secret" }
                p { "Your callback's deliveries are signed with this secret. It is shown only now; keep it safe." }
                p { code id="webhook-secret" { (secret) } }
            }
            h2 { "What is asked" }
            (asked(request))
            p { a id="request-page-link" href=(link) { "The request's page" } }
            (super::app_script::app_script())
        },
    )
}

/// `POST /app/verifier/new`: the created page as the answer (200), the form again with its
/// errors (4xx) otherwise.
pub async fn create(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = NewRequestForm::parse(&body);
    if let Some(refused) = forged_form(&state, &headers, &signed, form.csrf_token.as_deref()) {
        return refused;
    }
    if let Some(refused) = Verifiers::refuse(&signed) {
        return refused;
    }
    if let Err(refused) = first_send(&state, &signed, form.once.as_deref()).await {
        return refused;
    }
    let owner = &signed.session.user_id;
    let made = match form.request() {
        Ok(request) => state
            .proof_requests
            .create(owner, Actor::User(owner.clone()), &request)
            .await
            .map_err(ApiError::from),
        Err(errors) => Err(ApiError::from(errors)),
    };
    match made {
        Ok(created) => {
            tracing::info!(request_id = %created.request.id, "proof request created");
            let uri = state.proof_requests.request_uri(&created.token);
            let markup = created_page(&signed, &created.request, &uri, created.webhook_secret.as_deref());
            allow_script(page(StatusCode::OK, markup))
        }
        Err(e) => {
            let issuers = offered(&state).await.unwrap_or_default();
            let (status, content, headers) = content_of(e);
            let mut response = page(status, form_page(&signed, &form, &issuers, Some(&content)));
            keep_limit_headers(&headers, &mut response);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_repeated_issuers_and_words_into_the_request() {
        let body = b"csrf_token=t&purpose=+Entry+&min_age=18&not_expired=true&nationality_in=deu%2C+fra\
&trusted_issuers=iss_a&trusted_issuers=iss_b&unique_per_holder=true&ttl_seconds=";
        let form = NewRequestForm::parse(body);
        let request = form.request().expect("a valid form");
        assert_eq!(request.purpose, "Entry");
        assert_eq!(request.trusted_issuers, ["iss_a", "iss_b"]);
        assert_eq!(request.query.min_age, Some(18));
        assert_eq!(request.query.not_expired, Some(true));
        assert_eq!(
            request.query.nationality_in,
            Some(vec![CountryInput::Text("deu".into()), CountryInput::Text("fra".into())])
        );
        assert_eq!((request.ttl_seconds, request.unique_per_holder), (None, Some(true)));
        let self_declared =
            NewRequestForm::parse(b"proof_type=age_proof_v2&min_age=21&unique_per_holder=true");
        assert_eq!(self_declared.request().expect("valid").unique_per_holder, None);
        let bad = NewRequestForm::parse(b"min_age=eighteen&ttl_seconds=-1").request().expect_err("refused");
        assert!(bad.get("min_age").is_some() && bad.get("ttl_seconds").is_some());
    }

    #[test]
    fn service_fields_name_their_inputs() {
        assert_eq!(form_field("query.min_age"), "min_age");
        assert_eq!(form_field("trusted_issuers[2]"), "trusted_issuers");
        assert_eq!(form_field("query.disclose"), "disclose_nationality");
        assert_eq!(form_field("purpose"), "purpose");
    }
}
