//! Headless Chromium for the page tests: find it (skip without it, fail under `CI=true`), load
//! a URL with a fresh profile and a 30 s limit (one retry after a hang), dump the DOM or take a screenshot, and read the
//! browser's log for console messages and Content-Security-Policy violations.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Longest a single Chromium run may take before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Lines of Chromium's log that mean the page did something wrong. A page without script
/// logs nothing to its console at all, so every console line counts.
const PROBLEM_MARKERS: &[&str] = &[":CONSOLE", "Content Security Policy", "Refused to", "Uncaught"];

/// One browser run at a time: the machine is small and Chromium is heavy.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What one run printed.
pub struct Run {
    /// Standard output (the DOM, for `--dump-dom`).
    pub stdout: String,
    /// The log (`--enable-logging=stderr`).
    pub stderr: String,
}

impl Run {
    /// The log lines that report console messages, script errors or policy violations.
    pub fn problems(&self) -> Vec<String> {
        problems(&self.stderr)
    }
}

/// The log lines of `log` that report console messages, script errors or policy violations.
pub fn problems(log: &str) -> Vec<String> {
    log.lines().filter(|l| PROBLEM_MARKERS.iter().any(|m| l.contains(m))).map(str::to_string).collect()
}

/// A Chromium binary.
pub struct Browser {
    binary: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
}

impl Browser {
    /// Chromium (`$CHROMIUM`, `/usr/bin/chromium`, or `chromium` on `PATH`). Without it the
    /// caller skips, saying why; with `CI=true` a missing browser fails the test instead.
    pub fn find() -> Option<Self> {
        // `CHROMIUM` names the binary; pointing it at nothing simulates a machine without one.
        let binary = match std::env::var_os("CHROMIUM") {
            Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
            None => Some(PathBuf::from("/usr/bin/chromium"))
                .filter(|p| p.is_file())
                .or_else(|| on_path("chromium")),
        };
        match binary {
            Some(binary) => Some(Self { binary }),
            None if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("CI=true but Chromium is missing: `apt-get install -y chromium` (scripts/ci.sh does)")
            }
            None => {
                eprintln!(
                    "skipping the browser test: Chromium is not installed (apt-get install -y chromium)"
                );
                None
            }
        }
    }

    /// Loads `url` headless with `extra` arguments, a fresh profile and a time limit. A run
    /// that hangs (no exit within the limit, which a loaded 2-core machine sometimes sees) is
    /// killed and tried once more with a fresh profile; a second hang fails the test.
    async fn run(&self, url: &str, extra: &[String]) -> Run {
        let _turn = ONE_AT_A_TIME.lock().await;
        if let Some(run) = self.run_once(url, extra).await {
            return run;
        }
        eprintln!("chromium did not finish loading {url} within {RUN_LIMIT:?}; trying once more");
        self.run_once(url, extra)
            .await
            .unwrap_or_else(|| panic!("chromium did not finish loading {url} within {RUN_LIMIT:?}, twice"))
    }

    /// One run; `None` when it hung and was killed.
    async fn run_once(&self, url: &str, extra: &[String]) -> Option<Run> {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"])
            .args(["--no-first-run", "--no-default-browser-check", "--disable-extensions"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let child = command.spawn().expect("chromium starts");
        let pid = child.id().expect("chromium pid");
        match tokio::time::timeout(RUN_LIMIT, child.wait_with_output()).await {
            Ok(output) => {
                let output = output.expect("chromium output");
                assert!(
                    output.status.success(),
                    "chromium failed on {url} ({}); log:\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                );
                Some(Run {
                    stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                })
            }
            Err(_) => {
                // Chromium's helpers share its process group: end them all.
                let _ = std::process::Command::new("kill").args(["-KILL", &format!("-{pid}")]).status();
                None
            }
        }
    }

    /// The DOM of `url` after it loaded, with the log of the run.
    pub async fn dump_dom(&self, url: &str) -> Run {
        self.run(url, &["--dump-dom".to_string()]).await
    }

    /// A 375 × 900 screenshot of `url` (a phone's width) into `png`, with the log of the run.
    pub async fn screenshot(&self, url: &str, png: &Path) -> Run {
        std::fs::create_dir_all(png.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(png);
        let args = [format!("--screenshot={}", png.display()), "--window-size=375,900".to_string()];
        self.run(url, &args).await
    }
}

/// `<repo>/test-output/browser/<name>` (git-ignored).
pub fn output_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output/browser").join(name)
}

/// Asserts `png` is a real screenshot `width` pixels wide, and returns its size in bytes.
pub fn assert_screenshot(png: &Path, width: u32) -> usize {
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", png.display());
    let png_width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(png_width, width, "screenshot width");
    assert!(bytes.len() > 4 * 1024, "{} is only {} bytes: a blank page?", png.display(), bytes.len());
    bytes.len()
}
