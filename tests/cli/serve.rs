//! `newsdex serve` tests: the real binary on an ephemeral loopback port, over a fixture
//! corpus (the seed article plus an article full of markup), driven over HTTP; the
//! browser tests in `serve/browser.rs` drive the page in headless Chromium.

mod browser;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{newsdex, Corpus};

/// An article whose title, body and quote carry markup that must render as text.
pub const XSS_ARTICLE: &str = "<script>window.__xss = \"title\"</script> Senate <b>hearing</b> <img src=x onerror=\"window.__xss='img'\">

Senator Al Franken said the <script>window.__xss = \"body\"</script> recuse question is <img src=x onerror=\"window.__xss='body-img'\"> settled.

\"We will <iframe src=javascript:alert(1)></iframe> recuse nothing,\" said Senator Lindsey Graham.
";

/// The seed article plus [`XSS_ARTICLE`], indexed.
pub fn fixture() -> Corpus {
    let corpus = Corpus::with_seed();
    corpus.write("xss.txt", XSS_ARTICLE);
    corpus.index_ok();
    corpus
}

/// A running `newsdex serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server on `corpus`'s index at a free loopback port.
    pub fn start(corpus: &Corpus, extra: &[&str]) -> Server {
        let mut child = newsdex()
            .args(["serve", "--addr", "127.0.0.1:0", "--index"])
            .arg(corpus.index())
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
        let base = first
            .split(" on ")
            .nth(1)
            .and_then(|rest| rest.split('/').nth(2))
            .map(|host| format!("http://{host}"))
            .unwrap_or_else(|| panic!("no listening line from newsdex serve: {first:?}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, base, log }
    }

    /// What the server wrote to stderr after its first line, so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(status.unwrap().success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "newsdex serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP answer.
struct Answer {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let headers =
        response.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = response.body_mut().with_config().limit(64 << 20).read_to_string().unwrap();
    Answer { status: response.status().as_u16(), content_type, headers, body }
}

fn get(server: &Server, path_and_query: &str) -> Answer {
    answer(agent().get(format!("{}{path_and_query}", server.base)).call().unwrap())
}

fn post(server: &Server, path: &str, body: &[u8]) -> Answer {
    answer(agent().post(format!("{}{path}", server.base)).content_type("text/plain").send(body).unwrap())
}

/// `newsdex <args> --json` on the fixture's index, parsed.
fn cli_json(corpus: &Corpus, args: &[&str]) -> Value {
    let out = newsdex().args(args).arg("--index").arg(corpus.index()).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn api_search_is_the_search_json_wire_format() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let cases: &[(&str, &[&str])] = &[
        ("q=recuse", &["search", "recuse"]),
        ("q=recuse&party=D", &["search", "recuse", "--party", "D"]),
        (
            "q=sessions&speaker=Franken&speaker=Warren&limit=3",
            &["search", "sessions", "--speaker", "Franken", "--speaker", "Warren", "--limit", "3"],
        ),
        (
            "entity=Sessions&kind=body&kind=caption&offset=2",
            &["search", "", "--entity", "Sessions", "--kind", "body", "--kind", "caption", "--offset", "2"],
        ),
        ("q=%22attorney+general%22&quotes=true", &["search", "\"attorney general\"", "--quotes"]),
    ];
    for (query, args) in cases {
        let a = get(&server, &format!("/api/search?{query}"));
        assert_eq!(a.status, 200, "{query}: {}", a.body);
        assert!(a.content_type.starts_with("application/json"));
        assert_eq!(a.json(), cli_json(&corpus, args), "{query}");
        // The body parses as the library's own wire type.
        let _: newsdex::search::Response = serde_json::from_str(&a.body).unwrap();
    }
}

#[test]
fn bad_input_gets_a_4xx_naming_the_parameter() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let long_query = format!("/api/search?q={}", "a".repeat(10 * 1024 + 1));
    let cases: &[(&str, u16, Option<&str>)] = &[
        ("/api/search?q=recuse+AND+(", 400, Some("q")),
        ("/api/search?q=text:%22", 400, Some("q")),
        ("/api/search?since=last+tuesday", 400, Some("since")),
        ("/api/search?until=2017-02-30", 400, Some("until")),
        ("/api/search?since=2018-01-01&until=2017-01-01", 400, Some("since")),
        ("/api/search?limit=101", 400, Some("limit")),
        ("/api/search?limit=ten", 400, Some("limit")),
        ("/api/search?offset=18446744073709551615", 400, Some("offset")),
        ("/api/search?kind=poem", 400, Some("kind")),
        ("/api/search?party=Whig", 400, Some("party")),
        ("/api/search?quotes=perhaps", 400, Some("quotes")),
        ("/api/search?q=a&q=b", 400, Some("q")),
        ("/api/search?colour=red", 400, Some("colour")),
        ("/api/facets", 400, Some("field")),
        ("/api/facets?field=kind", 400, Some("field")),
        ("/api/facets?field=speaker&limit=1000", 400, Some("limit")),
        ("/api/article", 400, Some("path")),
        ("/api/article?path=nowhere.txt", 404, Some("path")),
        ("/api/article?path=x&article=-1", 400, Some("article")),
        ("/api/stats?verbose=1", 400, Some("verbose")),
        (&long_query, 413, None),
        ("/api/nothing-here", 404, None),
    ];
    for (url, status, parameter) in cases {
        let a = get(&server, url);
        let shown = &url[..url.len().min(80)];
        assert_eq!(a.status, *status, "{shown}: {}", a.body);
        let body = a.json();
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{shown}: {body}");
        assert_eq!(body["parameter"].as_str(), *parameter, "{shown}: {body}");
    }
    // Bodies: empty, binary, and over 5 MB.
    let a = post(&server, "/api/annotate", b"  \n");
    assert_eq!((a.status, a.json()["parameter"].as_str()), (400, Some("body")));
    let a = post(&server, "/api/annotate", &[0u8; 64]);
    assert_eq!((a.status, a.json()["parameter"].as_str()), (400, Some("body")));
    let a = post(&server, "/api/annotate", &vec![b'a'; 5 * 1024 * 1024 + 1]);
    assert_eq!((a.status, a.json()["parameter"].as_str()), (413, Some("body")));
    // Odd but harmless input is answered, never with a 5xx.
    for url in [
        "/api/search?q=%FF%FE%00",
        "/api/search?q=%3Cscript%3E&speaker=%00&entity=%E2%80%AE",
        "/api/search?q=***",
        "/api/search?q=title:&limit=0",
        "/api/search?q=&&&=&speaker",
        "/api/facets?field=entity&prefix=%00%FF",
        "/api/article?path=..%2F..%2Fetc%2Fpasswd",
        "/?q=recuse+AND+(",
        "/article?path=x&p=zz",
        "/nowhere",
    ] {
        let a = get(&server, url);
        assert!(a.status < 500, "{url}: {} {}", a.status, a.body);
    }
    assert_eq!(get(&server, "/healthz").status, 200, "the server survived");
}

#[test]
fn facets_complete_names_by_prefix() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let values = |query: &str| get(&server, &format!("/api/facets?{query}")).json()["values"].clone();
    let speakers = values("field=speaker&prefix=war");
    assert_eq!(speakers[0]["value"], "Elizabeth Warren");
    assert!(speakers[0]["count"].as_u64().unwrap() >= 1);
    assert_eq!(values("field=speaker&prefix=FRAN")[0]["value"], "Al Franken");
    assert_eq!(values("field=party&prefix=")[0]["value"], "D");
    let entities = values("field=entity&prefix=kisl");
    assert_eq!(entities[0]["value"], "Sergei Kislyak");
    assert_eq!(entities[0]["kind"], "person");
    assert_eq!(values("field=speaker&prefix=zzzz"), serde_json::json!([]));
    assert_eq!(values("field=entity&limit=3").as_array().unwrap().len(), 3);
}

#[test]
fn article_lists_paragraphs_in_order_with_annotations() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let hit = get(&server, "/api/search?q=clearer+recuse").json()["hits"][0].clone();
    let path = hit["path"].as_str().unwrap();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("path", path)
        .append_pair("article", &hit["article"].to_string())
        .finish();
    let a = get(&server, &format!("/api/article?{query}"));
    assert_eq!(a.status, 200, "{}", a.body);
    let view: newsdex::search::ArticleView = serde_json::from_str(&a.body).unwrap();
    assert_eq!(view.path, path);
    let numbers: Vec<usize> = view.paragraphs.iter().map(|p| p.paragraph).collect();
    assert_eq!(numbers, (0..numbers.len()).collect::<Vec<_>>(), "every paragraph, in order");
    let kinds: Vec<&str> = view.paragraphs.iter().map(|p| p.kind.as_str()).collect();
    assert!(kinds.contains(&"caption") && kinds.contains(&"heading"), "all kinds: {kinds:?}");
    let franken = &view.paragraphs[hit["paragraph"].as_u64().unwrap() as usize];
    assert!(franken.text.contains("clearer than ever"));
    assert_eq!(franken.speakers[0].name, "Al Franken");
    assert!(!franken.attributions.is_empty());
    // The same paragraphs as `annotate --json` of the file, annotations included.
    let out = newsdex().args(["annotate", "--json"]).arg(corpus.dir().join("seed.txt")).output().unwrap();
    let lines: Vec<newsdex::annotate::ParagraphRecord> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts = |records: &[newsdex::annotate::ParagraphRecord]| -> Vec<String> {
        records.iter().map(|r| r.text.clone()).collect()
    };
    assert_eq!(texts(&view.paragraphs), texts(&lines));
    assert_eq!(
        view.paragraphs.iter().map(|p| &p.speakers).collect::<Vec<_>>(),
        lines.iter().map(|p| &p.speakers).collect::<Vec<_>>()
    );
}

#[test]
fn annotate_answers_the_annotate_json_lines() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let text = std::fs::read(crate::util::SEED).unwrap();
    let a = post(&server, "/api/annotate", &text);
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.content_type.starts_with("application/x-ndjson"));
    let out = newsdex().args(["annotate", "--json", crate::util::SEED]).output().unwrap();
    let normalized = |text: &str| -> Vec<Value> {
        text.lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                v["path"] = Value::Null;
                v
            })
            .collect()
    };
    assert_eq!(normalized(&a.body), normalized(&String::from_utf8(out.stdout).unwrap()));
}

#[test]
fn stats_healthz_and_headers() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    assert_eq!(get(&server, "/api/stats").json(), cli_json(&corpus, &["stats"]));
    let health = get(&server, "/healthz").json();
    assert_eq!(health["status"], "ok");
    assert!(health["paragraphs"].as_u64().unwrap() > 20);
    for url in ["/", "/api/search?q=x", "/assets/app.js", "/nowhere"] {
        let a = get(&server, url);
        let csp = a.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{url}: {csp}");
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{url}");
    }
}

#[test]
fn openapi_document_matches_every_route() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let doc = get(&server, "/api/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let seed_path = corpus.dir().join("seed.txt").display().to_string();
    let mut documented = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            documented.push((method.to_uppercase(), path.clone()));
            // Call the route with every documented parameter set to its example.
            let mut query = form_urlencoded::Serializer::new(String::new());
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let example = if name == "path" { Value::from(seed_path.as_str()) } else { p["example"].clone() };
                match example {
                    Value::Null => {}
                    Value::Array(values) => {
                        for v in values {
                            query.append_pair(name, v.as_str().unwrap());
                        }
                    }
                    Value::String(s) => {
                        query.append_pair(name, &s);
                    }
                    other => {
                        query.append_pair(name, &other.to_string());
                    }
                }
            }
            let url = format!("{path}?{}", query.finish());
            let a = match method.as_str() {
                "get" => get(&server, &url),
                "post" => {
                    let body = op["requestBody"]["content"]["text/plain"]["example"].as_str().unwrap();
                    post(&server, &url, body.as_bytes())
                }
                other => panic!("undocumented method {other}"),
            };
            let responses = &op["responses"];
            assert!(responses.get(a.status.to_string()).is_some(), "{method} {url}: {} not documented", a.status);
            assert_eq!(a.status, 200, "{method} {url}: {}", a.body);
            let content = responses["200"]["content"].as_object().unwrap();
            let (media, spec) = content.iter().next().unwrap();
            assert!(a.content_type.starts_with(media.as_str()), "{method} {url}: {} vs {media}", a.content_type);
            // The documented required properties are all there.
            let schema = resolve(&doc, &spec["schema"]);
            let first = a.body.lines().next().unwrap_or("");
            let body: Value =
                serde_json::from_str(if media == "application/x-ndjson" { first } else { &a.body }).unwrap();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap();
                assert!(
                    body.get(name).is_some(),
                    "{method} {url}: no `{name}` in {}",
                    &a.body[..a.body.len().min(200)]
                );
            }
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> =
        newsdex::serve::API_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    routes.sort();
    assert_eq!(documented, routes);
}

fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"].as_str() {
        Some(r) => r.trim_start_matches("#/").split('/').fold(doc, |v, part| &v[part]),
        None => schema,
    }
}

#[test]
fn page_escapes_article_text_and_keeps_state_in_the_url() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    let a = get(&server, "/?q=recuse&party=D");
    assert_eq!(a.status, 200);
    assert!(a.content_type.starts_with("text/html"));
    assert!(a.body.contains("&lt;script&gt;window.__xss"), "markup shown as text");
    assert!(!a.body.contains("<script>window"), "no article markup");
    assert!(!a.body.contains("<img src=x"));
    assert!(a.body.contains("Remove filter party: D"), "the chip");
    assert!(a.body.contains("href=\"/?q=recuse\""), "the chip removes the filter");
    assert!(a.body.contains("Al Franken (D)"));
    let xss_path = corpus.dir().join("xss.txt").display().to_string();
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("path", &xss_path).finish();
    let a = get(&server, &format!("/article?{query}&p=1"));
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains("&lt;iframe src=javascript:alert(1)&gt;"));
    assert!(!a.body.contains("<iframe"));
    // A bad parameter is a page that names it, with a 400.
    let a = get(&server, "/?limit=5000");
    assert_eq!(a.status, 400);
    assert!(a.body.contains("<code>limit</code>"));
}

#[test]
fn a_running_server_sees_new_commits() {
    let corpus = fixture();
    let server = Server::start(&corpus, &["--quiet"]);
    let total = |q: &str| get(&server, &format!("/api/search?q={q}")).json()["total"].as_u64().unwrap();
    assert_eq!(total("zeppelin"), 0);
    corpus.write("new.txt", "Zeppelin news\n\nThe zeppelin landed, Senator Elizabeth Warren said.\n");
    corpus.index_ok();
    let started = Instant::now();
    while total("zeppelin") == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the new commit never became visible");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(server.log().is_empty(), "--quiet logs nothing: {:?}", server.log());
}

#[test]
fn logs_one_line_per_request_and_stops_on_sigterm() {
    let corpus = fixture();
    let server = Server::start(&corpus, &[]);
    assert_eq!(get(&server, "/api/search?q=recuse").status, 200);
    assert_eq!(get(&server, "/api/search?limit=x").status, 400);
    let started = Instant::now();
    while server.log().len() < 2 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = server.log();
    let line_ok = |line: &str, prefix: &str| line.starts_with(prefix) && line.ends_with("ms");
    assert!(line_ok(&log[0], "GET /api/search 200 "), "{log:?}");
    assert!(line_ok(&log[1], "GET /api/search 400 "), "{log:?}");
    let status = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

#[test]
fn serve_binds_loopback_unless_told_otherwise() {
    let out = newsdex().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("127.0.0.1:7700]"), "{help}");
    let out = newsdex().args(["serve", "--index", "/nonexistent/index"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no index"));
}
