//! The export service: everything of one account in one ZIP archive, made while it is sent.
//!
//! [`ExportService::start`] checks what can be checked before the first byte (the account's
//! export quota, room for one more export in this process, the account, the store answering)
//! and returns the archive as a stream of chunks; a task writes it page by page, decrypting
//! one document at a time, so memory holds at most a document or a page of records (and the
//! few chunks waiting to be sent) whatever the size of the vault. A failure after that
//! ends the stream with an error: the archive then lacks its central directory and manifest,
//! and every ZIP tool reports it incomplete. The export is written to the audit trail as
//! `vault.export` with how it ended.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{mpsc, Semaphore};

use super::archive::{Archive, Packing};
use super::records::{self, AccountRow, AgentRow, DocumentRow, LinkRow, Manifest, ProofRow};
use crate::agents::MAX_AGENTS_PER_USER;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::auth::User;
use crate::clock::Timestamp;
use crate::cpu::{CpuBusy, CpuPool};
use crate::documents::{DocumentError, DocumentMeta, DocumentService};
use crate::ids::{DocumentId, UserId};
use crate::links::ShareLink;
use crate::ratelimit::{Decision, Quota, RateLimiter};
use crate::store::{Store, StoreError};
use crate::timeline::TimelineEvent;
use crate::zk::ProofRecord;

/// Exports one account may start: at once, then per minute.
pub const EXPORT_QUOTA: Quota = Quota { burst: 3, per_minute: 1 };
/// Exports one process writes at once (each holds up to a document and its compressed form).
pub const MAX_RUNNING_EXPORTS: usize = 4;
/// Records read from the store at a time.
const PAGE: u32 = 100;
/// Chunks of the archive waiting to be sent, at most.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Why an export did not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The account started too many exports lately.
    #[error("too many exports")]
    TooMany(Decision),
    /// The account does not exist (any more).
    #[error("not found")]
    NotFound,
    /// This process is writing as many exports as it may, or the CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A document could not be read.
    #[error("a document cannot be exported")]
    Document(#[source] DocumentError),
    /// Writing the archive failed.
    #[error("the archive cannot be written")]
    Archive(#[source] std::io::Error),
    /// Whoever was receiving the archive stopped.
    #[error("the export was abandoned by its receiver")]
    Abandoned,
}

/// An export under way.
pub struct Export {
    /// A file name for the archive (`honestly-export-<date>.zip`).
    pub file_name: String,
    /// The archive's bytes, in order, as they are made; an `Err` ends an unfinished archive.
    pub chunks: mpsc::Receiver<Result<Vec<u8>, ExportError>>,
}

/// What the export service works with.
pub struct ExportDeps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Documents (decryption).
    pub documents: Arc<DocumentService>,
    /// The CPU pool (compression).
    pub cpu: CpuPool,
    /// The audit trail.
    pub audit: AuditLog,
    /// Counts exports per account (shared by the replicas when Redis is configured).
    pub limiter: Arc<dyn RateLimiter>,
}

/// The export service.
pub struct ExportService {
    deps: ExportDeps,
    running: Arc<Semaphore>,
}

/// What a finished export held.
struct Summary {
    files: usize,
    bytes: u64,
}

impl ExportService {
    /// The service.
    pub fn new(deps: ExportDeps) -> Self {
        Self { deps, running: Arc::new(Semaphore::new(MAX_RUNNING_EXPORTS)) }
    }

    /// Starts exporting everything of `user_id` for `actor` (the account itself, or an
    /// operator).
    pub async fn start(self: &Arc<Self>, user_id: &UserId, actor: Actor) -> Result<Export, ExportError> {
        let refused =
            |reason: &str, outcome: Outcome| self.audit(&actor, user_id, outcome, reason.to_string());
        let decision = self.deps.limiter.check(&format!("export:{user_id}"), EXPORT_QUOTA).await;
        if !decision.allowed {
            refused("rate_limited", Outcome::Denied);
            return Err(ExportError::TooMany(decision));
        }
        let Ok(permit) = Arc::clone(&self.running).try_acquire_owned() else {
            refused("busy", Outcome::Error);
            return Err(ExportError::Busy(CpuBusy));
        };
        let account = match self.deps.store.user_by_id(user_id).await {
            Ok(Some(account)) => account,
            Ok(None) => {
                refused("not_found", Outcome::Denied);
                return Err(ExportError::NotFound);
            }
            Err(e) => {
                refused("store_unavailable", Outcome::Error);
                return Err(e.into());
            }
        };
        let started = Timestamp::now();
        let (tx, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
        let this = Arc::clone(self);
        let context = crate::request::current();
        let work = async move {
            let result = this.write(&account, started, &tx).await;
            match &result {
                Ok(summary) => this.audit(
                    &actor,
                    &account.id,
                    Outcome::Success,
                    format!("{} files, {} bytes", summary.files, summary.bytes),
                ),
                Err(ExportError::Abandoned) => {
                    tracing::info!(user_id = %account.id, "export abandoned by its receiver");
                    this.audit(&actor, &account.id, Outcome::Error, "abandoned".into());
                }
                Err(e) => {
                    tracing::error!(user_id = %account.id, error = %crate::error::chain(e), "export failed");
                    this.audit(&actor, &account.id, Outcome::Error, "failed".into());
                }
            }
            if let Err(e) = result {
                let _ = tx.send(Err(e)).await;
            }
            drop(permit);
        };
        // The export's events carry the request's id and client, like those of the request.
        tokio::spawn(async move {
            match context {
                Some(context) => context.scope(work).await,
                None => work.await,
            }
        });
        let file_name = format!("honestly-export-{}.zip", &started.rfc3339()[..10]);
        Ok(Export { file_name, chunks })
    }

    fn audit(&self, actor: &Actor, user_id: &UserId, outcome: Outcome, reason: String) {
        let event =
            AuditEvent::new(actor.clone(), "vault.export", outcome).target(user_id.as_str()).reason(reason);
        self.deps.audit.record(event);
    }

    /// Writes the whole archive into `tx`.
    async fn write(
        &self,
        account: &User,
        at: Timestamp,
        tx: &mpsc::Sender<Result<Vec<u8>, ExportError>>,
    ) -> Result<Summary, ExportError> {
        let mut sink = Sink { archive: Some(Archive::new(at)), cpu: self.deps.cpu.clone(), tx, bytes: 0 };
        let (store, user_id) = (&self.deps.store, &account.id);
        let written = self.write_documents(user_id, &mut sink).await?;
        let written: HashSet<&DocumentId> = written.iter().collect();
        sink.begin("documents.json", "the documents' metadata, with where each one's content is").await?;
        let document = |meta: &DocumentMeta| {
            written
                .contains(&meta.id)
                .then(|| json(&DocumentRow { meta, path: records::document_path(meta) }))
        };
        write_pages(&mut sink, |before| store.list_documents(user_id, before, PAGE), document).await?;
        sink.begin("proofs.json", "the proofs about the documents (snarkjs proofs and public signals)")
            .await?;
        let proof = |p: &ProofRecord| Some(json(&ProofRow::from(p)));
        write_pages(&mut sink, |before| store.proofs_page(user_id, before, PAGE), proof).await?;
        sink.begin("share_links.json", "the share links, without their tokens (never stored)").await?;
        let link = |l: &ShareLink| Some(json(&LinkRow::from(l)));
        write_pages(&mut sink, |before| store.links_page(user_id, before, PAGE), link).await?;
        sink.begin("timeline.json", "the account's timeline, newest first").await?;
        let event = |e: &TimelineEvent| Some(json(e));
        write_pages(&mut sink, |before| store.timeline_page(user_id, before, PAGE), event).await?;
        // At most MAX_AGENTS_PER_USER: one page.
        sink.begin("agents.json", "the delegated AI agents, without their secrets").await?;
        let agents = store.agents_of_user(user_id, MAX_AGENTS_PER_USER).await?;
        let mut list = JsonList::default();
        let mut text = list.items(agents.iter().map(|a| json(&AgentRow::from(a))));
        text.extend(list.end());
        sink.write(text).await?;
        sink.finish(account, at).await
    }

    /// Writes each document's decrypted content, one at a time; returns the ids written.
    async fn write_documents(
        &self,
        user_id: &UserId,
        sink: &mut Sink<'_>,
    ) -> Result<Vec<DocumentId>, ExportError> {
        let mut written = Vec::new();
        let mut before = None;
        loop {
            let page = self.deps.store.list_documents(user_id, before, PAGE).await?;
            for (_, meta) in &page {
                let content = match self.deps.documents.content(user_id, &meta.id).await {
                    Ok((_, content)) => content,
                    // Deleted since the page was read: not part of the export.
                    Err(DocumentError::NotFound) => continue,
                    Err(DocumentError::Busy(busy)) => return Err(busy.into()),
                    Err(DocumentError::Store(e)) => return Err(e.into()),
                    Err(e) => return Err(ExportError::Document(e)),
                };
                let description = format!("the document {} as uploaded", meta.id);
                sink.begin_packed(&records::document_path(meta), &description, Packing::Document).await?;
                sink.write(content).await?;
                written.push(meta.id.clone());
            }
            match next_page(&page) {
                Some(position) => before = Some(position),
                None => return Ok(written),
            }
        }
    }
}

/// Where the page after `page` starts, unless `page` was the last one.
fn next_page<T>(page: &[(i64, T)]) -> Option<i64> {
    page.last().filter(|_| page.len() == PAGE as usize).map(|(position, _)| *position)
}

/// The JSON text of one record (records of plain data always serialise).
fn json<T: Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).unwrap_or_default()
}

/// Writes, into the open entry, a JSON array of what `encode` makes of each record `fetch`
/// returns, page after page.
async fn write_pages<T, F, Fut, E>(sink: &mut Sink<'_>, mut fetch: F, encode: E) -> Result<(), ExportError>
where
    F: FnMut(Option<i64>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(i64, T)>, StoreError>>,
    E: Fn(&T) -> Option<Vec<u8>>,
{
    let mut list = JsonList::default();
    let mut before = None;
    loop {
        let page = fetch(before).await?;
        sink.write(list.items(page.iter().filter_map(|(_, record)| encode(record)))).await?;
        match next_page(&page) {
            Some(position) => before = Some(position),
            None => return sink.write(list.end()).await,
        }
    }
}

/// A JSON array written a page at a time.
#[derive(Default)]
struct JsonList {
    started: bool,
}

impl JsonList {
    /// The text of `items` (each a JSON value's text), continuing the array.
    fn items(&mut self, items: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        for item in items {
            out.extend_from_slice(if self.started { b",\n  " } else { b"[\n  " });
            self.started = true;
            out.extend(item);
        }
        out
    }

    /// The text that closes the array.
    fn end(&mut self) -> Vec<u8> {
        if self.started {
            b"\n]\n".to_vec()
        } else {
            b"[]\n".to_vec()
        }
    }
}

/// The archive being written, and where its bytes go.
struct Sink<'a> {
    archive: Option<Archive>,
    cpu: CpuPool,
    tx: &'a mpsc::Sender<Result<Vec<u8>, ExportError>>,
    bytes: u64,
}

impl Sink<'_> {
    /// Runs `f` on the archive on the CPU pool (compression is CPU work), then sends what it
    /// wrote (waiting while the receiver is behind).
    async fn with<F>(&mut self, f: F) -> Result<(), ExportError>
    where
        F: FnOnce(&mut Archive) -> std::io::Result<()> + Send + 'static,
    {
        let Some(mut archive) = self.archive.take() else {
            return Err(ExportError::Archive(std::io::Error::other("the archive was lost after a failure")));
        };
        let (archive, result) = self
            .cpu
            .run(move || {
                let result = f(&mut archive);
                (archive, result)
            })
            .await?;
        let output = archive.take_output();
        self.archive = Some(archive);
        result.map_err(ExportError::Archive)?;
        self.send(output).await
    }

    async fn send(&mut self, output: Vec<u8>) -> Result<(), ExportError> {
        if output.is_empty() {
            return Ok(());
        }
        self.bytes += output.len() as u64;
        self.tx.send(Ok(output)).await.map_err(|_| ExportError::Abandoned)
    }

    async fn begin(&mut self, path: &'static str, description: &'static str) -> Result<(), ExportError> {
        self.begin_packed(path, description, Packing::Text).await
    }

    async fn begin_packed(
        &mut self,
        path: &str,
        description: &str,
        packing: Packing,
    ) -> Result<(), ExportError> {
        let (path, description) = (path.to_string(), description.to_string());
        self.with(move |a| a.begin(&path, &description, packing)).await
    }

    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), ExportError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.with(move |a| a.write(&bytes)).await
    }

    /// Closes the last entry, writes the manifest and the archive's end; returns its summary.
    async fn finish(mut self, account: &User, at: Timestamp) -> Result<Summary, ExportError> {
        let mut archive = self.archive.take().ok_or(ExportError::Abandoned)?;
        archive.end();
        let manifest = Manifest {
            format: records::FORMAT,
            version: records::VERSION,
            exported_at: at,
            account: AccountRow::from(account),
            files: archive.files(),
        };
        let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Archive(e.into()))?;
        let files = archive.files().len() + 1;
        let output = self.cpu.run(move || archive.finish("manifest.json", &manifest)).await?;
        self.send(output.map_err(ExportError::Archive)?).await?;
        Ok(Summary { files, bytes: self.bytes })
    }
}
