//! `TestApp`: a real server on 127.0.0.1:0 with its own data directory, stopped on drop.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use honestly_core::config::{Config, EnvMap, Environment};
use honestly_server::{AppState, Application};
use tokio::sync::oneshot;

pub const STRONG: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
pub const STRONG_2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
pub const PASSWORD: &str = "correct horse battery staple";
pub const MONITORING_TOKEN: &str = "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13";

/// Keys of the built-in circuits, generated once for the whole test binary.
pub fn shared_zk_keys() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let zk = honestly_core::zk::ZkService::new(
                keys.clone(),
                keys.join("external"),
                honestly_core::cpu::CpuPool::for_this_machine(),
            );
            runtime.block_on(zk.initialise()).expect("test keys generated");
        })
        .join()
        .unwrap();
        dir
    })
    .path()
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    data_path: std::path::PathBuf,
    _data_dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// How a test wants its server.
#[derive(Default)]
pub struct Options {
    pub env: Vec<(&'static str, String)>,
    /// Switch to production after loading a development configuration (keeps test routes).
    pub production: bool,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_env(env: &[(&'static str, &str)]) -> Self {
        Self::spawn_with(Options {
            env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            production: false,
        })
        .await
    }

    /// A server on the data directory `dir`, which outlives it (to restart on the same data,
    /// or to run two servers on one store).
    pub async fn spawn_in(dir: &std::path::Path, env: &[(&'static str, &str)]) -> Self {
        let env = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Box::pin(Self::spawn_at(Options { env, production: false }, Some(dir.to_path_buf()))).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        // Boxed: the server's future is large and deep; callers' futures stay small.
        Box::pin(Self::spawn_at(options, None)).await
    }

    async fn spawn_at(options: Options, dir: Option<std::path::PathBuf>) -> Self {
        let (data_path, data_dir) = match dir {
            Some(path) => (path, None),
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let mut vars: EnvMap = BTreeMap::new();
        vars.insert("DATA_DIR".into(), data_path.display().to_string());
        vars.insert("PORT".into(), "0".into());
        vars.insert("ZK_KEYS_DIR".into(), shared_zk_keys().display().to_string());
        for (k, v) in options.env {
            vars.insert(k.into(), v);
        }
        if vars.get("ENVIRONMENT").is_none_or(|e| e != "production") {
            vars.insert("HONESTLY_TEST_ROUTES".into(), "true".into());
        }
        let mut config = Config::load(&vars).expect("valid test configuration").config;
        if options.production {
            config.environment = Environment::Production;
            config.secrets.monitoring_token = Some(MONITORING_TOKEN.to_string().into());
        }
        let app = Application::build(config).await.expect("server builds");
        let addr = app.local_addr();
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        // Wait until the verification keys are prepared (they already exist, so this is quick).
        for _ in 0..500 {
            if client
                .get(format!("http://{addr}/monitoring/ready"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        Self { addr, state, client, data_path, _data_dir: data_dir, stop: Some(stop), served: Some(served) }
    }

    /// Stops the server and waits until it has finished (in-flight requests answered, audit
    /// trail flushed).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("server task").expect("server stopped cleanly");
        }
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_path
    }

    /// Uploads `content` as a document of `document_type` with the caller's token.
    pub async fn upload(
        &self,
        token: &str,
        file_name: &str,
        content: Vec<u8>,
        document_type: &str,
    ) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(content).file_name(file_name.to_string()))
            .text("document_type", document_type.to_string());
        self.client
            .post(self.url("/vault/documents"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    pub async fn get_bearer(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request sent")
    }

    /// Registers `username` with a fixed strong password and returns the login response.
    pub async fn register_and_login(&self, username: &str) -> serde_json::Value {
        let creds = serde_json::json!({"username": username, "password": PASSWORD});
        let registered = self.post_json("/auth/register", &creds).await;
        assert_eq!(registered.status(), 201, "register {username}");
        let login = self.post_json("/auth/login", &creds).await;
        assert_eq!(login.status(), 200, "login {username}");
        login.json().await.unwrap()
    }

    /// Signs `username` in (the fixed test password) and returns its access token.
    pub async fn access_token(&self, username: &str) -> String {
        let login = self
            .post_json("/auth/login", &serde_json::json!({"username": username, "password": PASSWORD}))
            .await;
        assert_eq!(login.status(), 200, "login {username}");
        let body: serde_json::Value = login.json().await.unwrap();
        body["access_token"].as_str().expect("an access token").to_owned()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request sent")
    }
}

/// Asserts the contract's error shape and returns the parsed body.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    assert_security_headers(&response);
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {body}");
    let id = body["error"]["error_id"].as_str().expect("error_id");
    assert!(id.starts_with("err_") && id.len() == 36, "error_id {id}");
    body
}

pub fn assert_security_headers(response: &reqwest::Response) {
    let h = response.headers();
    for name in [
        "strict-transport-security",
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "permissions-policy",
        "cross-origin-opener-policy",
        "x-request-id",
    ] {
        assert!(h.contains_key(name), "missing {name} on {} response", response.status());
    }
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
}
