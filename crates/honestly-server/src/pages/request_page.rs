//! The page of a proof request's link (`GET /r/{token}`): who asks, why, what exactly in
//! words, until when, and how to answer: `answer` is the web app's part (the sign-in link,
//! or a signed-in holder's credentials and forms).

use maud::{html, Markup};

use super::layout::document;
use crate::routes::proof_request_views::RequestDescription;

/// The page of a pending request.
pub fn render(description: &RequestDescription, answer: Markup) -> Markup {
    document(
        "A proof is requested",
        html! {
            h1 { (description.verifier.name) " asks you to prove something" }
            p { "Why: " strong { (description.purpose) } }
            h2 { "What you would show" }
            ul {
                @for sentence in &description.asks {
                    li { (sentence) }
                }
            }
            @if description.trusted_issuers.is_empty() {
                p { "This is a self-declared statement: you enter your birth date, and nobody vouches for it." }
            } @else {
                p {
                    "Accepted from credentials issued by: "
                    @for (i, issuer) in description.trusted_issuers.iter().enumerate() {
                        @if i > 0 { ", " }
                        strong { (issuer.name) }
                    }
                    "."
                }
            }
            p { "Nothing else about you or your documents is revealed: the answer is a zero-knowledge proof." }
            @if description.unique_per_holder {
                p { "You can answer this verifier only once for this purpose." }
            }
            p { "Open until " (description.expires_at) "." }
            (answer)
            p class="hint" { "Programs answer through the JSON API (see the API documentation)." }
        },
    )
}

/// The page of a request that takes no answers (unknown, expired or answered).
pub fn unavailable(title: &str) -> Markup {
    super::share_gate::notice(title, "Ask the verifier for a new request if you still want to answer.")
}
