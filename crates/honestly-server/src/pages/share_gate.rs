//! The pages a verifier sees instead of the proof: the passphrase form, the one "not
//! available" page (the same for unknown, revoked, expired, exhausted and deleted links), and a
//! short notice for "try again later".

use maud::{html, Markup};

use super::layout::document;

/// Name of the form field carrying the passphrase.
pub const PASSPHRASE_FIELD: &str = "passphrase";

/// The form asking for a link's passphrase; it posts to the link itself. `wrong` adds the
/// "wrong passphrase" message.
pub fn passphrase_form(token: &str, wrong: bool) -> Markup {
    document(
        "Passphrase needed",
        html! {
            h1 { "This proof is protected by a passphrase" }
            p { "Ask the person who shared this link for its passphrase." }
            @if wrong {
                p class="error" id="passphrase-error" { "Wrong passphrase. Please try again." }
            }
            form method="post" action=(honestly_core::links::share_path(token)) {
                label for="passphrase" { "Passphrase" }
                input id="passphrase" name=(PASSPHRASE_FIELD) type="password" required autocomplete="off"
                    maxlength="128" autofocus aria-describedby=[wrong.then_some("passphrase-error")];
                button type="submit" { "Show the proof" }
            }
        },
    )
}

/// The page for every link that cannot be opened, whatever the reason.
pub fn unavailable() -> Markup {
    document(
        "Link not available",
        html! {
            h1 { "This link is not available" }
            p { "It may have expired, been withdrawn by its owner, or been used as often as allowed." }
            p { "Ask the person who shared it for a new link." }
        },
    )
}

/// A short notice: `title` and one sentence of advice.
pub fn notice(title: &str, advice: &str) -> Markup {
    document(
        title,
        html! {
            h1 { (title) }
            p { (advice) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_posts_its_passphrase_to_the_link_and_labels_the_field() {
        let page = passphrase_form("tok", false).into_string();
        assert!(page.contains(r#"<form method="post" action="/vault/share/tok">"#));
        assert!(page.contains(r#"<label for="passphrase">"#) && page.contains(r#"name="passphrase""#));
        assert!(!page.contains("Wrong passphrase"));
        assert!(passphrase_form("tok", true).into_string().contains("Wrong passphrase"));
    }
}
