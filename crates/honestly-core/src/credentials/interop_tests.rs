//! `claimsHash` against circomlibjs itself, run through node: the committed fixture is what
//! its script prints today, and random claims hash the same on both sides.
//!
//! These need node and `npm ci` in `scripts/zk-interop`. Without them the tests are skipped
//! with a message, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use honestly_zk::fr_to_decimal;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::claims::Claims;
use super::country::Country;
use super::country_table::COUNTRIES;
use super::date::{days_in_month, CalendarDate};
use super::serial::CredentialSerial;
use crate::documents::model::DocumentType;

/// `scripts/zk-interop` when node and its npm packages are there; `None` (after saying why)
/// outside CI otherwise.
fn interop_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/zk-interop");
    let dir = dir.canonicalize().unwrap_or(dir);
    let present = dir.join("node_modules/circomlibjs").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if present {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but node or {}/node_modules is missing: run `npm ci` there",
        dir.display()
    );
    eprintln!("SKIPPED: circomlibjs interop needs node and `npm ci` in {}", dir.display());
    None
}

fn node(dir: &Path, script: &str, args: &[String]) -> String {
    let out = Command::new("node").arg(dir.join(script)).args(args).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_committed_fixture_is_what_its_script_prints() {
    let Some(dir) = interop_dir() else { return };
    let committed = include_str!("../../tests/fixtures/credential_schema1.json");
    assert_eq!(node(&dir, "credential-fixture.js", &[]), committed);
}

fn random_date(rng: &mut StdRng, years: std::ops::RangeInclusive<u32>) -> CalendarDate {
    let year = rng.gen_range(years);
    let month = rng.gen_range(1..=12);
    CalendarDate::from_ymd(year, month, rng.gen_range(1..=days_in_month(year, month))).unwrap()
}

fn random_claims(rng: &mut StdRng) -> Claims {
    let birth_date = random_date(rng, 1000..=2026);
    let issued_at = random_date(rng, birth_date.year()..=9000);
    let issued_at = issued_at.max(birth_date);
    let valid_until = random_date(rng, issued_at.year()..=9999).max(issued_at);
    let document_expiry = rng.gen_bool(0.7).then(|| random_date(rng, issued_at.year()..=9999).max(issued_at));
    let nationality = match rng.gen_range(0..=COUNTRIES.len()) {
        0 => Country::NOT_STATED,
        i => Country::from_numeric(u64::from(COUNTRIES[i - 1].numeric)).unwrap(),
    };
    Claims {
        credential_id: CredentialSerial::new(rng.gen_range(1..=u128::MAX)).unwrap(),
        holder: Claims::document_hash_of(&rng.gen()),
        document_hash: Claims::document_hash_of(&rng.gen()),
        birth_date,
        document_expiry,
        nationality,
        document_type: DocumentType::ALL[rng.gen_range(0..DocumentType::ALL.len())],
        issued_at,
        valid_until,
    }
}

#[test]
fn claims_hash_equals_circomlibjs_on_random_claims() {
    let Some(dir) = interop_dir() else { return };
    let mut rng = StdRng::seed_from_u64(16);
    let claims: Vec<Claims> = (0..32).map(|_| random_claims(&mut rng)).collect();
    for c in &claims {
        assert_eq!(c.check(), Ok(()), "{c:?}");
    }
    let vectors: Vec<Vec<String>> =
        claims.iter().map(|c| c.fields().iter().map(fr_to_decimal).collect()).collect();
    let out = node(&dir, "poseidon.js", &[serde_json::to_string(&vectors).unwrap()]);
    let theirs: Vec<&str> = out.lines().collect();
    assert_eq!(theirs.len(), claims.len());
    for (c, t) in claims.iter().zip(theirs) {
        assert_eq!(fr_to_decimal(&c.claims_hash()), t, "{c:?}");
    }
}

#[test]
fn the_committed_zk_kit_fixture_is_what_its_script_prints() {
    let Some(dir) = interop_dir() else { return };
    let committed = include_str!("../../tests/fixtures/credential_schema1_zkkit.json");
    assert_eq!(node(&dir, "credential-fixture.js", &["zk-kit".to_string()]), committed);
}
