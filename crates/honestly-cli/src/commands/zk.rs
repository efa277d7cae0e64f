//! `honestly zk …`: key generation, proving an age statement and verifying any snarkjs
//! Groth16 BN254 proof, natively.
//!
//! Exit codes: `setup` 0 / 2 (I/O or bad arguments); `prove` 0, 1 when the statement is false
//! (no files are written), 2 on bad input; `verify` 0 valid, 1 invalid, 2 malformed input —
//! like `snarkjs groth16 verify`.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use honestly_core::bounded;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::CalendarDate;
use honestly_zk::{
    groth::setup,
    keyfile::{self, PROVING_KEY_FILE},
    prover::{prove_age_v2, random_salt, AgeV2Claim},
    snarkjs, CircuitId, ProveError,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Exit code for a valid proof / success.
const OK: u8 = 0;
/// Exit code for an invalid proof or a false statement.
const INVALID: u8 = 1;
/// Exit code for malformed input (unreadable files, bad JSON, bad arguments).
const MALFORMED: u8 = 2;

/// `honestly zk` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ZkCommand {
    /// Generate each circuit's proving and verification key with OS randomness (the trapdoor
    /// is dropped). Writes DIR/<circuit>/proving_key.bin and DIR/<circuit>/verification_key.json.
    Setup {
        /// `age_proof`, `authenticity_proof`, `age_proof_v2`, `credential_query` (or `age`,
        /// `authenticity`), or `all`.
        #[arg(long, default_value = "all")]
        circuit: String,
        /// Key directory (default: DATA_DIR/zk).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Prove a statement about a document.
    Prove {
        /// What to prove.
        #[command(subcommand)]
        statement: ProveStatement,
    },
    /// Verify a snarkjs Groth16 BN254 proof (exit 0 valid, 1 invalid, 2 malformed).
    Verify {
        /// The snarkjs `verification_key.json` (ours or any circuit's).
        #[arg(long)]
        vk: PathBuf,
        /// The snarkjs `proof.json`.
        #[arg(long)]
        proof: PathBuf,
        /// The snarkjs `public.json`.
        #[arg(long)]
        public: PathBuf,
    },
}

/// Statements `honestly zk prove` can prove.
#[derive(Debug, clap::Subcommand)]
pub enum ProveStatement {
    /// "The holder, born on BIRTH_DATE, is at least MIN_AGE years old today", bound to DOCUMENT,
    /// proven with `age_proof_v2` (dates `YYYYMMDD`). The birth date is self-declared.
    ///
    /// The nullifier is bound to `--epoch` (default 0: the CLI works offline, without the
    /// server's registry; the salt is fresh for every proof, so every nullifier is new).
    Age {
        /// Key directory: DIR/age_proof_v2/proving_key.bin or DIR/proving_key.bin
        /// (default: DATA_DIR/zk).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Birth date, YYYY-MM-DD (1000-01-01 or later).
        #[arg(long)]
        birth_date: String,
        /// The age threshold in years (0–255).
        #[arg(long, default_value_t = 18)]
        min_age: u64,
        /// The document the statement is bound to (`documentHash = field(sha256(file))`);
        /// at most `MAX_UPLOAD_BYTES` (10 MiB by default), like an upload.
        #[arg(long)]
        document: PathBuf,
        /// Output directory for proof.json and public.json.
        #[arg(long)]
        out: PathBuf,
        /// Epoch the nullifier is bound to.
        #[arg(long, default_value_t = 0)]
        epoch: u64,
        /// Reference date, YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        reference_date: Option<String>,
    },
}

/// Runs a `honestly zk` subcommand; `default_keys_dir` is DATA_DIR/zk, `max_document_bytes`
/// the largest document read (`MAX_UPLOAD_BYTES`).
pub fn run(cmd: ZkCommand, default_keys_dir: &Path, max_document_bytes: u64) -> ExitCode {
    let code = match cmd {
        ZkCommand::Setup { circuit, out } => run_setup(&circuit, out.as_deref().unwrap_or(default_keys_dir)),
        ZkCommand::Prove {
            statement: ProveStatement::Age { keys, birth_date, min_age, document, out, epoch, reference_date },
        } => run_prove_age(&AgeArgs {
            keys: keys.as_deref().unwrap_or(default_keys_dir),
            max_document_bytes,
            birth_date: &birth_date,
            min_age,
            document: &document,
            out: &out,
            epoch,
            reference_date: reference_date.as_deref(),
        }),
        ZkCommand::Verify { vk, proof, public } => run_verify(&vk, &proof, &public),
    };
    ExitCode::from(code)
}

fn run_setup(circuit: &str, out: &Path) -> u8 {
    let circuits: Vec<CircuitId> = if circuit == "all" {
        CircuitId::ALL.to_vec()
    } else if let Some(c) = CircuitId::from_name(circuit) {
        vec![c]
    } else {
        eprintln!(
            "error: unknown circuit {circuit:?} (age_proof, authenticity_proof, age_proof_v2, credential_query or all)"
        );
        return MALFORMED;
    };
    let steps = u64::try_from(circuits.len() * 2).unwrap_or(u64::MAX);
    let bar = ProgressBar::new(steps);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    for c in circuits {
        bar.set_message(format!("{c}: generating keys"));
        let (pk, vk) = match setup(c) {
            Ok(keys) => keys,
            Err(e) => {
                bar.abandon();
                eprintln!("error: {c}: {e}");
                return MALFORMED;
            }
        };
        bar.inc(1);
        bar.set_message(format!("{c}: writing keys"));
        match keyfile::write_keys(out, c, &pk, &vk) {
            Ok(id) => {
                bar.inc(1);
                // `suspend` prints whether or not the bar is drawn (it is hidden off a TTY).
                bar.suspend(|| {
                    println!("{c}: {} (key id {id})", keyfile::circuit_dir(out, c.name()).display());
                });
            }
            Err(e) => {
                bar.abandon();
                eprintln!("error: {e}");
                return MALFORMED;
            }
        }
    }
    bar.finish_with_message("done");
    OK
}

struct AgeArgs<'a> {
    keys: &'a Path,
    max_document_bytes: u64,
    birth_date: &'a str,
    min_age: u64,
    document: &'a Path,
    out: &'a Path,
    epoch: u64,
    reference_date: Option<&'a str>,
}

fn run_prove_age(a: &AgeArgs<'_>) -> u8 {
    let Ok(birth_date) = CalendarDate::parse_iso(a.birth_date) else {
        eprintln!("error: --birth-date {:?} is not a date YYYY-MM-DD on or after 1000-01-01", a.birth_date);
        return MALFORMED;
    };
    let reference_date = match a.reference_date {
        Some(raw) => CalendarDate::parse_iso(raw).ok(),
        None => CalendarDate::of_timestamp(Timestamp::now()).ok(),
    };
    let Some(reference_date) = reference_date else {
        eprintln!(
            "error: --reference-date {:?} is not a date YYYY-MM-DD",
            a.reference_date.unwrap_or_default()
        );
        return MALFORMED;
    };
    // At most the largest upload the server takes (`MAX_UPLOAD_BYTES`) is read.
    let document = match bounded::read_file(a.document, a.max_document_bytes) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: {e}");
            return MALFORMED;
        }
    };
    let claim = AgeV2Claim {
        birth_date: birth_date.yyyymmdd(),
        salt: random_salt(),
        epoch: a.epoch,
        min_age: a.min_age,
        reference_date: reference_date.yyyymmdd(),
        document_hash: honestly_zk::sha256_field(&document),
    };
    // Refuse a false statement before loading the (large) proving key.
    if let Err(e) = claim.check() {
        return report_prove_error(&e);
    }
    let nested = a.keys.join(CircuitId::AgeV2.name()).join(PROVING_KEY_FILE);
    let pk_path = if nested.is_file() { nested } else { a.keys.join(PROVING_KEY_FILE) };
    let pk = match keyfile::read_proving_key(&pk_path) {
        Ok(pk) => pk,
        Err(e) => {
            eprintln!("error: {e} (run `honestly zk setup` first?)");
            return MALFORMED;
        }
    };
    let (proof, public) = match prove_age_v2(&pk, &claim) {
        Ok(p) => p,
        Err(e) => return report_prove_error(&e),
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(a.out)?;
        std::fs::write(a.out.join("proof.json"), snarkjs::proof_to_json(&proof))?;
        std::fs::write(a.out.join("public.json"), snarkjs::public_signals_to_json(&public.to_signals()))
    };
    if let Err(e) = write() {
        eprintln!("error: cannot write to {}: {e}", a.out.display());
        return MALFORMED;
    }
    println!(
        "age_proof_v2 (self-declared birth date): min age {} on {} written to {}\ncommitment {}\nnullifier {}",
        public.min_age,
        reference_date,
        a.out.display(),
        honestly_zk::fr_to_decimal(&public.commitment),
        honestly_zk::fr_to_decimal(&public.nullifier),
    );
    OK
}

fn report_prove_error(e: &ProveError) -> u8 {
    match e {
        ProveError::FalseStatement(_) | ProveError::Unsatisfied(_) => {
            eprintln!("no proof: {e}");
            INVALID
        }
        _ => {
            eprintln!("error: {e}");
            MALFORMED
        }
    }
}

fn run_verify(vk: &Path, proof: &Path, public: &Path) -> u8 {
    // Each file is read up to the parser's bound plus one byte, never further.
    let read = |p: &Path| bounded::read_file(p, snarkjs::MAX_JSON_BYTES as u64).map_err(|e| e.to_string());
    let parsed = (|| -> Result<_, String> {
        let key = keyfile::prepare_verification_key_json(&read(vk)?)
            .map_err(|e| format!("{}: {e}", vk.display()))?;
        let proof = snarkjs::parse_proof(&read(proof)?).map_err(|e| format!("{}: {e}", proof.display()))?;
        let signals = snarkjs::parse_public_signals(&read(public)?)
            .map_err(|e| format!("{}: {e}", public.display()))?;
        Ok((key, proof, signals))
    })();
    let (key, proof, signals) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("malformed: {e}");
            return MALFORMED;
        }
    };
    match key.verify(&proof, &signals) {
        Ok(true) => {
            println!("OK: valid proof (key id {})", key.id());
            OK
        }
        Ok(false) => {
            println!("INVALID: the proof does not verify");
            INVALID
        }
        Err(e) => {
            eprintln!("malformed: {e}");
            MALFORMED
        }
    }
}
