//! `honestly issuer sign`: a credential for a holder, from a claims file, signed with the
//! issuer key.

use std::path::Path;

use honestly_core::clock::Timestamp;
use honestly_core::credentials::claim_input::MAX_CLAIMS_FILE_BYTES;
use honestly_core::credentials::{CalendarDate, ClaimsFile, CredentialSerial, NativeEddsa};
use honestly_zk::fr_from_decimal;

use super::files;

/// Signs the claims in `claims` for `holder` with the key in `key`; writes the credential to
/// `out` (`-`: stdout).
pub fn run(key: &Path, claims: &Path, holder: &str, out: &Path) -> Result<(), String> {
    let key = files::read_key(key)?;
    let claims_file = ClaimsFile::from_json(&files::read(claims, MAX_CLAIMS_FILE_BYTES)?)
        .map_err(|e| format!("{}: {e}", claims.display()))?;
    let holder = fr_from_decimal(holder).map_err(|_| {
        "--holder must be the holder's commitment: a canonical decimal number below the field modulus"
            .to_string()
    })?;
    let today = CalendarDate::of_timestamp(Timestamp::now()).map_err(|e| format!("today's date: {e}"))?;
    let claims = claims_file
        .to_claims(holder, CredentialSerial::generate(), today)
        .map_err(|e| format!("{}: {e}", claims.display()))?;
    let credential = key.sign_claims(claims);
    if !credential.verify_signature(&NativeEddsa) {
        return Err("the signature does not verify: the key file is damaged".into());
    }
    let mut json = credential.to_json_pretty();
    json.push('\n');
    if out == Path::new("-") {
        print!("{json}");
    } else {
        files::write_new_private(out, json.as_bytes())?;
    }
    eprintln!(
        "signed credential {} (valid until {}){}",
        credential.claims.credential_id,
        credential.claims.valid_until,
        if out == Path::new("-") { String::new() } else { format!(", wrote {}", out.display()) }
    );
    Ok(())
}
