//! A browser without JavaScript, as the web app's HTTP tests drive it: a session cookie,
//! forms, `303` redirects and the CSRF token read off a page.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::multipart::{Form, Part};

use crate::helpers::{assert_security_headers, TestApp, PASSWORD};

/// The development (loopback) cookie name.
pub(crate) const COOKIE_NAME: &str = "honestly_session";

/// One browser: its session cookie, if any.
pub(crate) struct Browser<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None }
    }

    /// A browser signed in as `username` (password [`PASSWORD`]) through the form.
    pub(crate) async fn signed_in(app: &'a TestApp, username: &str) -> Self {
        let mut browser = Self::new(app);
        let r = browser.sign_in(username, PASSWORD).await;
        assert_eq!(r.status(), 303, "sign in {username}");
        browser
    }

    /// The `Cookie` header's value of its session.
    pub(crate) fn cookie_header(&self) -> String {
        format!("{COOKIE_NAME}={}", self.cookie.as_deref().expect("signed in"))
    }

    pub(crate) fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(c) => request.header(COOKIE, format!("{COOKIE_NAME}={c}")),
            None => request,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.with_cookie(self.app.client.get(self.app.url(path))).send().await.unwrap()
    }

    pub(crate) async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        assert_security_headers(&r);
        r.text().await.unwrap()
    }

    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.with_cookie(self.app.client.post(self.app.url(path))).form(fields).send().await.unwrap()
    }

    /// Signs in through the form; keeps the cookie.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> reqwest::Response {
        let r = self
            .post("/app/sign-in", &[("username", username), ("password", password), ("next", "/app")])
            .await;
        if r.status() == 303 {
            self.cookie = Some(session_cookie(&r).expect("a session cookie"));
        }
        r
    }

    pub(crate) async fn upload(
        &self,
        csrf: Option<&str>,
        name: &str,
        content: &[u8],
        origin: Option<&str>,
    ) -> reqwest::Response {
        let mut form = Form::new();
        if let Some(csrf) = csrf {
            form = form.text("csrf_token", csrf.to_string());
        }
        let form = form
            .text("document_type", "identity")
            .part("file", Part::bytes(content.to_vec()).file_name(name.to_string()));
        let mut request =
            self.with_cookie(self.app.client.post(self.app.url("/app/documents"))).multipart(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send().await.unwrap()
    }
}

/// The session cookie's value set by `r`.
pub(crate) fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.strip_prefix(&format!("{COOKIE_NAME}="))
            .map(|rest| rest.split(';').next().unwrap_or("").to_string())
    })
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

/// The first CSRF token on a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..start + 64].to_string()
}
