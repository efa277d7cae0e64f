//! `honestly user create | list | set-role | disable | enable | delete`: manage accounts
//! directly in the store (for the first admin, before anyone can log in). Changes end the
//! account's sessions at once; the last enabled admin cannot be demoted, disabled or deleted;
//! `delete` erases the account and everything it owns, as `DELETE /auth/me` does.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use honestly_core::audit::{Actor, AuditEvent, AuditLog, Outcome};
use honestly_core::auth::{AccountError, AccountService, AuthError, AuthService, Password, Role, Username};
use honestly_core::cpu::CpuPool;
use honestly_core::ids::IssuerId;
use honestly_core::store::AccountChange;
use honestly_core::store::Store;

/// Account management.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is asked for (no echo) or read from the first line of
    /// standard input when it is not a terminal.
    Create {
        /// 3–64 characters of `a-z A-Z 0-9 . _ -`.
        #[arg(long)]
        username: String,
        /// `admin`, `verifier`, `user`, or `issuer` (with `--issuer`).
        #[arg(long, default_value = "user", value_parser = ["admin", "verifier", "user", "issuer"])]
        role: String,
        /// With `--role issuer`: the issuer (`iss_…`) the account acts for.
        #[arg(long, required_if_eq("role", "issuer"))]
        issuer: Option<String>,
    },
    /// List accounts.
    List,
    /// Give an account another role (its sessions end).
    SetRole {
        /// The account.
        #[arg(long)]
        username: String,
        /// `admin`, `verifier` or `user`.
        #[arg(long, value_parser = ["admin", "verifier", "user"])]
        role: String,
    },
    /// Disable an account: it cannot log in, and its tokens are refused at once.
    Disable {
        /// The account.
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account (it logs in again; old sessions stay ended).
    Enable {
        /// The account.
        #[arg(long)]
        username: String,
    },
    /// Erase an account and everything it owns (documents, proofs, links, agents, sessions).
    Delete {
        /// The account.
        #[arg(long)]
        username: String,
    },
}

/// The most bytes a password line from stdin may hold (128 characters of up to 4 bytes, and a
/// line ending).
const PASSWORD_LINE_BYTES: u64 = 128 * 4 + 2;

fn read_password() -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat password: ")?;
        if first != again {
            return Err(std::io::Error::other("the passwords differ"));
        }
        Ok(first)
    } else {
        // A password is at most 128 characters; stdin is read no further than a line can be.
        honestly_core::bounded::read_line(std::io::stdin().lock(), PASSWORD_LINE_BYTES, "stdin")
            .map_err(std::io::Error::other)
    }
}

/// Runs a `user` subcommand.
pub fn run(cmd: UserCommand) -> ExitCode {
    super::store_access::with_store(|config, store| async move {
        let audit = AuditLog::start(Arc::clone(&store));
        let auth = AuthService::new(&config, Arc::clone(&store), CpuPool::for_this_machine(), audit.clone());
        let accounts = AccountService::new(Arc::clone(&store), CpuPool::for_this_machine(), audit.clone());
        let code = match cmd {
            UserCommand::Create { username, role, issuer } => {
                create(&auth, &audit, store.as_ref(), &username, &role, issuer.as_deref()).await
            }
            UserCommand::List => list(&auth).await,
            UserCommand::SetRole { username, role } => {
                let change = AccountChange { role: Role::parse(&role), disabled: None };
                change_account(&accounts, &username, change).await
            }
            UserCommand::Disable { username } => {
                change_account(&accounts, &username, AccountChange { role: None, disabled: Some(true) }).await
            }
            UserCommand::Enable { username } => {
                change_account(&accounts, &username, AccountChange { role: None, disabled: Some(false) })
                    .await
            }
            UserCommand::Delete { username } => delete(&accounts, &username).await,
        };
        if let Err(e) = audit.flush().await {
            eprintln!("warning: the audit trail was not written: {}", honestly_core::error::chain(&e));
        }
        code
    })
}

async fn create(
    auth: &AuthService,
    audit: &AuditLog,
    store: &dyn Store,
    username: &str,
    role: &str,
    issuer: Option<&str>,
) -> ExitCode {
    let username = match Username::parse(username) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: username {e}");
            return ExitCode::from(2);
        }
    };
    let role = Role::parse(role).unwrap_or(Role::User);
    // An issuer member is created as a user, then made a member (which sets the role).
    let issuer = match (role, issuer) {
        (Role::Issuer, Some(raw)) => match IssuerId::parse(raw) {
            Ok(id) => match store.issuer(&id).await {
                Ok(Some(_)) => Some(id),
                Ok(None) => {
                    eprintln!("error: no issuer {id}");
                    return ExitCode::from(2);
                }
                Err(e) => {
                    eprintln!("error: {}", honestly_core::error::chain(&e));
                    return ExitCode::FAILURE;
                }
            },
            Err(e) => {
                eprintln!("error: --issuer: {e}");
                return ExitCode::from(2);
            }
        },
        (Role::Issuer, None) => {
            eprintln!("error: --role issuer needs --issuer ID");
            return ExitCode::from(2);
        }
        (_, Some(_)) => {
            eprintln!("error: --issuer goes with --role issuer");
            return ExitCode::from(2);
        }
        _ => None,
    };
    let role = if issuer.is_some() { Role::User } else { role };
    let password = match read_password().map(|raw| Password::parse(&raw, &username)) {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            eprintln!("error: password {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: cannot read the password: {e}");
            return ExitCode::from(2);
        }
    };
    match auth.create_user(&username, &password, role).await {
        Ok(user) => {
            audit.record(
                AuditEvent::new(Actor::Cli, "user.create", Outcome::Success)
                    .target(user.id.as_str())
                    .reason(format!("role {}", user.role.as_str())),
            );
            if let Some(issuer) = issuer {
                match store.add_issuer_member(&issuer, &user.id).await {
                    Ok(true) => {
                        audit.record(
                            AuditEvent::new(Actor::Cli, "issuer.member.add", Outcome::Success)
                                .target(user.id.as_str())
                                .reason(format!("issuer {issuer}")),
                        );
                        println!("created {} ({}) with role issuer for {issuer}", user.username, user.id);
                        return ExitCode::SUCCESS;
                    }
                    Ok(false) => eprintln!("error: the issuer or the account vanished"),
                    Err(e) => eprintln!("error: {}", honestly_core::error::chain(&e)),
                }
                return ExitCode::FAILURE;
            }
            println!("created {} ({}) with role {}", user.username, user.id, user.role.as_str());
            ExitCode::SUCCESS
        }
        Err(AuthError::UsernameTaken) => {
            eprintln!("error: username {username} is already taken");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {}", honestly_core::error::chain(&e));
            ExitCode::FAILURE
        }
    }
}

async fn list(auth: &AuthService) -> ExitCode {
    match auth.list_users().await {
        Ok(users) => {
            println!("{:<36}  {:<24}  {:<8}  {:<20}  disabled", "id", "username", "role", "created_at");
            for u in users {
                println!(
                    "{:<36}  {:<24}  {:<8}  {:<20}  {}",
                    u.id,
                    u.username,
                    u.role.as_str(),
                    u.created_at,
                    u.disabled
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", honestly_core::error::chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn report(username: &str, e: &AccountError) -> ExitCode {
    match e {
        AccountError::NotFound => eprintln!("error: no account named {username}"),
        AccountError::LastAdmin => {
            eprintln!("error: {username} is the last enabled admin: make another admin first");
        }
        other => eprintln!("error: {}", honestly_core::error::chain(other)),
    }
    ExitCode::FAILURE
}

async fn change_account(accounts: &AccountService, username: &str, change: AccountChange) -> ExitCode {
    let user = match accounts.find(username).await {
        Ok(user) => user,
        Err(e) => return report(username, &e),
    };
    match accounts.change(Actor::Cli, &user.id, change).await {
        Ok(user) => {
            let state = if user.disabled { "disabled" } else { "enabled" };
            println!(
                "{} ({}): role {}, {state}; its sessions are ended",
                user.username,
                user.id,
                user.role.as_str()
            );
            ExitCode::SUCCESS
        }
        Err(e) => report(username, &e),
    }
}

async fn delete(accounts: &AccountService, username: &str) -> ExitCode {
    let user = match accounts.find(username).await {
        Ok(user) => user,
        Err(e) => return report(username, &e),
    };
    match accounts.erase(Actor::Cli, &user.id).await {
        Ok(c) => {
            println!(
                "erased {} ({}): {} documents, {} proofs, {} links, {} agents, {} sessions",
                user.username, user.id, c.documents, c.proofs, c.links, c.agents, c.sessions
            );
            ExitCode::SUCCESS
        }
        Err(e) => report(username, &e),
    }
}
