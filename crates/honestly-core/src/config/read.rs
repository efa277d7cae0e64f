//! Reading one variable into a typed value: the parsers each kind of variable uses. A
//! problem is recorded under the variable's name and reading goes on, so that every problem
//! of the configuration is reported at once.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;

use super::{ConfigProblem, DatabaseUrl, EnvMap};

/// Reads the variable `name` from `vars` with `read`, adding its problems to `problems`.
pub(super) fn read<T>(
    vars: &EnvMap,
    problems: &mut Vec<ConfigProblem>,
    name: &'static str,
    read: impl FnOnce(&mut Var<'_>) -> T,
) -> T {
    read(&mut Var { name, vars, problems })
}

/// One variable being read; its problems are reported under its name.
pub(super) struct Var<'a> {
    name: &'static str,
    vars: &'a EnvMap,
    problems: &'a mut Vec<ConfigProblem>,
}

/// The CORS origins, and whether `ALLOWED_ORIGINS` was set at all (production warns when not).
pub(super) struct Origins {
    /// The origins, without trailing slashes.
    pub list: Vec<String>,
    /// Whether the variable was set (to anything not blank).
    pub given: bool,
}

impl Var<'_> {
    /// The trimmed value, `None` when unset or blank.
    pub fn value(&self) -> Option<String> {
        self.vars.get(self.name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// The value exactly as given, blank or not (a password may be anything).
    pub fn raw(&self) -> Option<String> {
        self.vars.get(self.name).cloned()
    }

    /// The trimmed value, or `default` when unset or blank.
    pub fn text(&self, default: impl Into<String>) -> String {
        self.value().unwrap_or_else(|| default.into())
    }

    /// Records a problem with this variable.
    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(ConfigProblem::new(self.name, message));
    }

    /// Returns `value` as it is, recording `message` unless `ok(&value)`.
    pub fn ensure<T>(&mut self, value: T, ok: impl FnOnce(&T) -> bool, message: &str) -> T {
        if !ok(&value) {
            self.problem(message);
        }
        value
    }

    /// `convert` of the value, or `default` when unset (or, after recording the message
    /// `convert` returned, when it does not convert).
    pub fn convert<T>(&mut self, default: T, convert: impl FnOnce(&str) -> Result<T, String>) -> T {
        match self.value() {
            None => default,
            Some(raw) => convert(&raw).unwrap_or_else(|message| {
                self.problem(message);
                default
            }),
        }
    }

    /// The value parsed with [`FromStr`]; `what` names what was expected.
    pub fn parse<T: FromStr>(&mut self, default: T, what: &str) -> T {
        self.convert(default, |raw| raw.parse().map_err(|_| format!("expected {what}, got {raw:?}")))
    }

    /// `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, in any case.
    pub fn flag(&mut self, default: bool) -> bool {
        match self.value().map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => true,
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => false,
            Some(v) => {
                self.problem(format!("expected true or false, got {v:?}"));
                default
            }
        }
    }

    /// One of the `options` (names in lower case, matched in any case); `expected` lists them
    /// for the operator. An unknown value is reported and read as `fallback`.
    pub fn choice<T: Copy>(&mut self, default: T, options: &[(&str, T)], expected: &str, fallback: T) -> T {
        let Some(value) = self.value().map(|v| v.to_ascii_lowercase()) else { return default };
        match options.iter().find(|(name, _)| *name == value) {
            Some(&(_, option)) => option,
            None => {
                self.problem(format!("must be {expected}, got {value:?}"));
                fallback
            }
        }
    }

    /// A whole number within `min..=max`.
    pub fn count(&mut self, default: u32, min: u32, max: u32) -> u32 {
        let value: u32 = self.parse(default, "a whole number");
        if !(min..=max).contains(&value) {
            self.problem(format!("must be between {min} and {max}, got {value}"));
            return default;
        }
        value
    }

    /// Whole seconds within `min..=max`.
    pub fn seconds(&mut self, default: u64, min: u64, max: u64) -> Duration {
        let value: u64 = self.parse(default, "a whole number of seconds");
        if !(min..=max).contains(&value) {
            self.problem(format!("must be between {min} and {max} seconds, got {value}"));
            return Duration::from_secs(default);
        }
        Duration::from_secs(value)
    }

    /// Seconds with a fraction (`0.2`), more than zero and at most `max`.
    pub fn fractional_seconds(&mut self, default: f64, max: f64) -> Duration {
        let value: f64 = self.parse(default, &format!("seconds (e.g. {default})"));
        if value.is_finite() && value > 0.0 && value <= max {
            return Duration::from_secs_f64(value);
        }
        self.problem(format!("must be a positive number of seconds up to {max}"));
        Duration::from_secs_f64(default)
    }

    /// Comma-separated http(s) origins (or `*`), trailing slashes dropped; `default` when unset.
    pub fn origins(&mut self, default: &[&str]) -> Origins {
        let raw = self.value();
        let list: Vec<String> = match &raw {
            None => default.iter().map(|o| o.to_string()).collect(),
            Some(raw) => raw
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
        };
        for origin in &list {
            if origin != "*" && !is_http_url(origin) {
                self.problem(format!("{origin:?} is not an http(s) origin"));
            }
        }
        Origins { list, given: raw.is_some() }
    }

    /// Comma-separated IP addresses and CIDR ranges; none when unset.
    pub fn networks(&mut self) -> Vec<IpNet> {
        let mut networks = Vec::new();
        for item in self.value().unwrap_or_default().split(',').map(str::trim) {
            if item.is_empty() {
                continue;
            }
            match IpNet::from_str(item).or_else(|_| IpAddr::from_str(item).map(IpNet::from)) {
                Ok(net) => networks.push(net),
                Err(_) => self.problem(format!("{item:?} is not an IP address or CIDR range")),
            }
        }
        networks
    }
}

/// Whether `url` starts with `http://` or `https://`.
pub(super) fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// `sqlite://PATH` (relative paths are kept as given), `neo4j://…` or `bolt://…`.
pub(super) fn database_url(url: &str, data_dir: &Path) -> Result<DatabaseUrl, String> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Ok(DatabaseUrl::Sqlite(data_dir.join("honestly.db")));
        }
        return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
    }
    for scheme in ["neo4j://", "neo4j+s://", "bolt://", "bolt+s://"] {
        if url.starts_with(scheme) {
            return Ok(DatabaseUrl::Neo4j(url.to_string()));
        }
    }
    Err(format!(
        "unknown scheme in {:?}: use sqlite://PATH, neo4j://HOST:PORT or bolt://HOST:PORT",
        url.split("://").next().unwrap_or(url)
    ))
}
