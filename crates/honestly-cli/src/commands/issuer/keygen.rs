//! `honestly issuer keygen`: a fresh issuer key file, and its public key on stdout.

use std::path::Path;

use honestly_core::credentials::IssuerKeyFile;

use super::files;

/// Writes a fresh key to `out` (refusing an existing file) and prints the public key.
pub fn run(out: &Path, name: Option<&str>, id: Option<&str>) -> Result<(), String> {
    let key = IssuerKeyFile::generate(name, id).map_err(|e| e.to_string())?;
    files::write_new_private(out, key.to_json_pretty().as_bytes())?;
    let public = serde_json::to_string_pretty(&key.public_key().to_json()).map_err(|e| e.to_string())?;
    println!("{public}");
    eprintln!("wrote the issuer key to {} (keep it secret: it signs credentials)", out.display());
    Ok(())
}
