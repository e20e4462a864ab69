//! A small blocking Typesense client: the handful of endpoints `push` and
//! `search --typesense` use, over a list of cluster nodes with failover and retries.
//!
//! Every request goes to one node; a node that cannot be reached is passed over for
//! [`NODE_COOLDOWN`] and the request moves on to the next one. Answers that mean "try
//! again" (429 Too Many Requests, 502/503/504, and a 500 while the cluster has no leader)
//! are retried with exponential backoff, on the next node. Writes are safe to repeat:
//! imports upsert and deletes go by filter.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Error, Result};

/// How long a node that could not be reached is passed over.
pub const NODE_COOLDOWN: Duration = Duration::from_secs(10);

/// Largest response body read (collection exports can be large).
const MAX_BODY_BYTES: u64 = 1 << 30;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Wait before the second try; doubled for each further try.
    pub first_delay: Duration,
    /// Longest wait between two tries.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Twelve tries over about half a minute: enough for a cluster to elect a new leader.
    fn default() -> Self {
        RetryPolicy { attempts: 12, first_delay: Duration::from_millis(100), max_delay: Duration::from_secs(4) }
    }
}

impl RetryPolicy {
    /// The wait after failed try number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The outcome of one document of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Stored.
    Ok,
    /// Refused, with the server's reason.
    Failed(String),
}

/// A connection to a Typesense cluster.
pub struct Client {
    nodes: Vec<String>,
    api_key: String,
    agent: ureq::Agent,
    retry: RetryPolicy,
    next: AtomicUsize,
    down_until: Mutex<Vec<Option<Instant>>>,
    preferred: Mutex<Option<usize>>,
}

impl std::fmt::Debug for Client {
    /// Shows the nodes, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("nodes", &self.nodes).field("retry", &self.retry).finish_non_exhaustive()
    }
}

/// HTTP methods used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Delete,
}

/// One answer from one node: its status and body.
struct Answer {
    status: u16,
    body: String,
}

/// Why one try failed, and whether another may succeed.
enum TryError {
    /// Worth another try (on the next node, after a wait).
    Transient(String),
    /// Final.
    Fatal(Error),
}

impl Client {
    /// A client for the nodes at `urls` (each `http://host:port`, or several separated by
    /// commas), authenticating with `api_key`.
    pub fn new(urls: &[String], api_key: &str) -> Result<Client> {
        let nodes: Vec<String> = urls
            .iter()
            .flat_map(|u| u.split(','))
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        if nodes.is_empty() {
            return Err(invalid("--typesense", "no server URL given".into()));
        }
        for node in &nodes {
            if node.starts_with("https://") {
                return Err(invalid(
                    "--typesense",
                    format!("{node}: this newsdex speaks plain HTTP only; reach a TLS cluster through a local proxy"),
                ));
            }
            if !node.starts_with("http://") {
                return Err(invalid("--typesense", format!("{node}: expected a URL such as http://127.0.0.1:8108")));
            }
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(3)))
            .timeout_global(Some(Duration::from_secs(300)))
            .build();
        let down_until = Mutex::new(vec![None; nodes.len()]);
        Ok(Client {
            nodes,
            api_key: api_key.to_owned(),
            agent: config.into(),
            retry: RetryPolicy::default(),
            next: AtomicUsize::new(0),
            down_until,
            preferred: Mutex::new(None),
        })
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// The node URLs.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// Sends this client's requests to the cluster's leader first: the leader answers a
    /// write once it has applied it, so its reads see the writes just made, where a
    /// follower may lag behind (or, between leaders, answer an export with nothing). While
    /// the nodes that answer `/debug` have no leader (an election after a node failure),
    /// waits for one as the retry policy allows. Returns whether a leader was found;
    /// without one (or without access to `/debug`), requests go round the nodes.
    pub fn prefer_leader(&self) -> bool {
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(self.retry.delay(attempt - 1));
            }
            let states: Vec<Option<Value>> = (0..self.nodes.len())
                .map(|node| {
                    let body = self.try_once(node, Method::Get, "/debug", &[], None).ok()?;
                    serde_json::from_str::<Value>(&body).ok()
                })
                .collect();
            let leader = states.iter().position(|s| s.as_ref().is_some_and(|v| v["state"] == 1));
            if leader.is_some() || states.iter().all(Option::is_none) {
                *self.preferred.lock().unwrap_or_else(|e| e.into_inner()) = leader;
                return leader.is_some();
            }
        }
        false
    }

    /// Whether some node answers `/health` with `ok`.
    pub fn healthy(&self) -> bool {
        self.call(Method::Get, "/health", &[], None)
            .ok()
            .and_then(|body| serde_json::from_str::<Value>(&body).ok())
            .is_some_and(|v| v["ok"] == Value::Bool(true))
    }

    /// The collection `name` as the server describes it, or `None` when it does not exist.
    pub fn get_collection(&self, name: &str) -> Result<Option<Value>> {
        match self.call(Method::Get, &format!("/collections/{name}"), &[], None) {
            Ok(body) => parse_json(&self.nodes[0], &body).map(Some),
            Err(Error::Server { message, .. }) if message.starts_with("404") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a collection from its schema.
    pub fn create_collection(&self, schema: &Value) -> Result<()> {
        self.call(Method::Post, "/collections", &[], Some(schema.to_string())).map(drop)
    }

    /// Drops the collection `name`; `false` when there was none.
    pub fn delete_collection(&self, name: &str) -> Result<bool> {
        match self.call(Method::Delete, &format!("/collections/{name}"), &[], None) {
            Ok(_) => Ok(true),
            Err(Error::Server { message, .. }) if message.starts_with("404") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Upserts the documents of `jsonl` (one JSON object a line) into `collection`,
    /// returning one outcome a line.
    pub fn import(&self, collection: &str, jsonl: String) -> Result<Vec<ImportOutcome>> {
        let path = format!("/collections/{collection}/documents/import");
        let params = [("action", "upsert"), ("batch_size", "200")];
        let body = self.call(Method::Post, &path, &params, Some(jsonl))?;
        body.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let v = parse_json(&self.nodes[0], line)?;
                Ok(if v["success"] == Value::Bool(true) {
                    ImportOutcome::Ok
                } else {
                    ImportOutcome::Failed(v["error"].as_str().unwrap_or("refused").to_owned())
                })
            })
            .collect()
    }

    /// Deletes the documents of `collection` matching `filter_by`; returns how many.
    pub fn delete_where(&self, collection: &str, filter_by: &str) -> Result<u64> {
        let path = format!("/collections/{collection}/documents");
        let body = self.call(Method::Delete, &path, &[("filter_by", filter_by)], None)?;
        Ok(parse_json(&self.nodes[0], &body)?["num_deleted"].as_u64().unwrap_or(0))
    }

    /// Every document of `collection`, as JSON Lines.
    pub fn export(&self, collection: &str) -> Result<String> {
        self.call(Method::Get, &format!("/collections/{collection}/documents/export"), &[], None)
    }

    /// Runs a search on `collection` with `params` (`q`, `query_by`, ...).
    pub fn search(&self, collection: &str, params: &[(&str, &str)]) -> Result<Value> {
        let body = self.call(Method::Get, &format!("/collections/{collection}/documents/search"), params, None)?;
        parse_json(&self.nodes[0], &body)
    }

    /// Sends one request, retrying on another node as the policy allows; returns the body
    /// of a 2xx answer.
    fn call(&self, method: Method, path: &str, params: &[(&str, &str)], body: Option<String>) -> Result<String> {
        let mut last = String::new();
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(self.retry.delay(attempt - 1));
            }
            let node = self.pick_node();
            match self.try_once(node, method, path, params, body.as_deref()) {
                Ok(body) => return Ok(body),
                Err(TryError::Fatal(e)) => return Err(e),
                Err(TryError::Transient(why)) => last = format!("{}: {why}", self.nodes[node]),
            }
        }
        Err(Error::Server {
            server: self.nodes.join(","),
            message: format!("gave up after {} tries; last: {last}", self.retry.attempts.max(1)),
        })
    }

    fn try_once(
        &self,
        node: usize,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<String, TryError> {
        let url = format!("{}{path}", self.nodes[node]);
        let key = ("X-TYPESENSE-API-KEY", self.api_key.as_str());
        let pairs = params.iter().copied();
        let sent = match (method, body) {
            (Method::Get, _) => self.agent.get(&url).header(key.0, key.1).query_pairs(pairs).call(),
            (Method::Delete, _) => self.agent.delete(&url).header(key.0, key.1).query_pairs(pairs).call(),
            (Method::Post, body) => {
                self.agent.post(&url).header(key.0, key.1).query_pairs(pairs).send(body.unwrap_or_default())
            }
        };
        let answer = sent.and_then(|mut response| {
            let status = response.status().as_u16();
            let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_string()?;
            Ok(Answer { status, body })
        });
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                self.mark_down(node);
                return Err(TryError::Transient(e.to_string()));
            }
        };
        if (200..300).contains(&answer.status) {
            return Ok(answer.body);
        }
        let message = server_message(&answer.body);
        if is_transient(answer.status, &message) {
            return Err(TryError::Transient(format!("{} {message}", answer.status)));
        }
        Err(TryError::Fatal(Error::Server {
            server: self.nodes[node].clone(),
            message: format!("{} {message} ({} {path})", answer.status, method_name(method)),
        }))
    }

    /// The preferred node, else the next node in turn, that is not cooling down (any node
    /// when all are).
    fn pick_node(&self) -> usize {
        let n = self.nodes.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let up = |i: &usize| down[*i].is_none_or(|until| until <= now);
        let preferred = *self.preferred.lock().unwrap_or_else(|e| e.into_inner());
        preferred.filter(up).or_else(|| (0..n).map(|i| (start + i) % n).find(up)).unwrap_or(start)
    }

    fn mark_down(&self, node: usize) {
        let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = down.get_mut(node) {
            *slot = Some(Instant::now() + NODE_COOLDOWN);
        }
    }
}

/// Whether an answer means "try again later": overload, a node that is not ready or
/// lagging, or a cluster between leaders (a follower says it has no leader, or answers an
/// empty 500 when forwarding a write to a leader that just died).
fn is_transient(status: u16, message: &str) -> bool {
    let between_leaders = message.trim().is_empty() || message.to_lowercase().contains("leader");
    matches!(status, 429 | 502 | 503 | 504) || (status == 500 && between_leaders)
}

/// The `message` of a Typesense error body, or the body itself.
fn server_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

fn parse_json(server: &str, body: &str) -> Result<Value> {
    serde_json::from_str(body)
        .map_err(|e| Error::Server { server: server.to_owned(), message: format!("unreadable answer: {e}") })
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    }
}

fn invalid(what: &str, message: String) -> Error {
    Error::InvalidRequest { what: what.to_owned(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0), Duration::from_millis(100));
        assert_eq!(p.delay(1), Duration::from_millis(200));
        assert_eq!(p.delay(3), Duration::from_millis(800));
        assert_eq!(p.delay(10), Duration::from_secs(4));
        assert_eq!(p.delay(40), Duration::from_secs(4));
    }

    #[test]
    fn transient_answers_are_retried_and_others_are_not() {
        assert!(is_transient(429, "Rate limit exceeded"));
        assert!(is_transient(503, "Not Ready or Lagging"));
        assert!(is_transient(500, "Could not find a leader."));
        assert!(is_transient(500, ""));
        assert!(!is_transient(500, "Internal error"));
        assert!(!is_transient(400, "Bad filter"));
        assert!(!is_transient(404, "Not found"));
    }

    #[test]
    fn urls_are_checked_and_split() {
        let c = Client::new(&["http://a:1/, http://b:2".into(), "http://c:3".into()], "k").unwrap();
        assert_eq!(c.nodes(), ["http://a:1", "http://b:2", "http://c:3"]);
        assert!(Client::new(&[], "k").unwrap_err().to_string().contains("no server URL"));
        assert!(Client::new(&["https://x".into()], "k").unwrap_err().to_string().contains("plain HTTP"));
        assert!(Client::new(&["localhost:8108".into()], "k").unwrap_err().to_string().contains("expected a URL"));
    }

    #[test]
    fn unreachable_nodes_fail_with_every_try_counted() {
        // Port 1 on loopback refuses connections at once.
        let quick =
            RetryPolicy { attempts: 3, first_delay: Duration::from_millis(1), max_delay: Duration::from_millis(2) };
        let c = Client::new(&["http://127.0.0.1:1".into()], "k").unwrap().with_retry(quick);
        let err = c.get_collection("x").unwrap_err().to_string();
        assert!(err.contains("gave up after 3 tries"), "{err}");
        assert!(!c.healthy());
        assert!(!c.prefer_leader(), "no node answers: no leader, and no waiting for one");
    }

    #[test]
    fn a_down_node_is_passed_over() {
        let c = Client::new(&["http://a:1,http://b:2".into()], "k").unwrap();
        c.mark_down(0);
        assert_eq!((0..4).map(|_| c.pick_node()).collect::<Vec<_>>(), [1, 1, 1, 1]);
        let c = Client::new(&["http://a:1,http://b:2,http://c:3".into()], "k").unwrap();
        assert_eq!((0..4).map(|_| c.pick_node()).collect::<Vec<_>>(), [0, 1, 2, 0], "round the nodes");
        *c.preferred.lock().unwrap() = Some(2);
        assert_eq!((0..2).map(|_| c.pick_node()).collect::<Vec<_>>(), [2, 2], "the leader first");
        c.mark_down(2);
        assert_ne!(c.pick_node(), 2, "unless it is down");
    }
}
