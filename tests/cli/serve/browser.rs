//! The search page in real headless Chromium (Debian's `chromium` and `chromium-driver`
//! packages, driven over WebDriver): search, click a facet, read a hit in context, and
//! check that article markup stays inert. Screenshots go to
//! `target/tmp/serve-screenshots/`.
//!
//! Without Chromium these tests fail with a message saying how to install it; `.ci/run`
//! installs it when missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::{fixture, Server};

/// Where the browser binaries are, unless `NEWSDEX_CHROMIUM` / `NEWSDEX_CHROMEDRIVER` say.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn tool(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "the browser tests need headless Chromium: {} is missing. Install Debian's packages with \
         `apt-get install -y chromium chromium-driver` (.ci/run does this when they are missing), \
         or point {env} at the binary.",
        path.display()
    );
    path
}

/// chromedriver on a free loopback port, with one headless Chromium session.
struct Browser {
    driver: Child,
    client: Option<Client>,
    _profile: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Browser {
    fn start() -> Browser {
        let chromium = tool("NEWSDEX_CHROMIUM", CHROMIUM);
        let chromedriver = tool("NEWSDEX_CHROMEDRIVER", CHROMEDRIVER);
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let profile = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = runtime.block_on(async {
            let started = Instant::now();
            loop {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                match ClientBuilder::new(connector)
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
                {
                    Ok(client) => break client,
                    Err(e) if started.elapsed() < Duration::from_secs(20) => {
                        let _ = e;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => panic!("cannot start a headless Chromium session through chromedriver: {e}"),
                }
            }
        });
        Browser { driver, client: Some(client), _profile: profile, runtime }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn save_screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(name), png).unwrap();
}

/// Waits until the page's URL satisfies `ok`, and returns it.
async fn wait_for_url(client: &Client, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.unwrap().to_string();
        if ok(&url) {
            return url;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "waited for {what}; the URL is {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a script finds in the page (`return ...;`).
async fn eval(client: &Client, script: &str) -> Value {
    client.execute(script, Vec::new()).await.unwrap()
}

/// Scripts from article text would have set `window.__xss`, and markup from it would be
/// elements; neither may exist, while the text itself shows.
const XSS_PROBE: &str = "return {
    fired: typeof window.__xss,
    elements: document.querySelectorAll('main script, main img, main iframe, main b').length,
    scripts: Array.from(document.scripts).map(s => s.getAttribute('src')),
    shown: document.body.innerText.includes('<script>window.__xss'),
};";

#[test]
fn search_click_party_facet_and_read_in_context() {
    let corpus = fixture();
    let server = Server::start(&corpus, &["--quiet"]);
    let browser = Browser::start();
    browser.runtime.block_on(async {
        let c = browser.client();
        c.goto(&format!("{}/", server.base)).await.unwrap();
        // "/" focuses the search box.
        c.find(Locator::Css("body")).await.unwrap().send_keys("/").await.unwrap();
        assert_eq!(eval(c, "return document.activeElement.id;").await, "q");
        let box_ = c.find(Locator::Id("q")).await.unwrap();
        box_.send_keys("recuse").await.unwrap();
        c.find(Locator::Css("form.search button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_url(c, "the search", |u| u.contains("q=recuse")).await;

        c.find(Locator::Css("a[data-facet=party][data-value=D]")).await.unwrap().click().await.unwrap();
        let url = wait_for_url(c, "the party filter", |u| u.contains("party=D")).await;
        assert!(url.contains("q=recuse"), "{url}");
        let chips: Vec<String> = {
            let mut texts = Vec::new();
            for chip in c.find_all(Locator::Css("nav.chips a.chip")).await.unwrap() {
                texts.push(chip.text().await.unwrap());
            }
            texts
        };
        assert!(chips.iter().any(|t| t.starts_with("party: D")), "chips: {chips:?}");
        let active = c.find(Locator::Css("a[data-facet=party][data-value=D]")).await.unwrap();
        assert_eq!(active.attr("aria-current").await.unwrap().as_deref(), Some("true"));

        let mut franken = None;
        for hit in c.find_all(Locator::Css("li.hit")).await.unwrap() {
            let text = hit.text().await.unwrap();
            if text.contains("clearer than ever") {
                franken = Some(hit);
            }
        }
        let franken = franken.expect("Franken's paragraph is listed");
        let badges: Vec<String> = {
            let mut texts = Vec::new();
            for badge in franken.find_all(Locator::Css(".badge")).await.unwrap() {
                texts.push(badge.text().await.unwrap());
            }
            texts
        };
        assert_eq!(badges, ["Al Franken (D)"]);
        let classes = franken.find(Locator::Css(".badge")).await.unwrap().attr("class").await.unwrap();
        assert!(classes.unwrap_or_default().contains("party-D"));
        assert_eq!(eval(c, XSS_PROBE).await["fired"], "undefined");
        save_screenshot(c, "results.png").await;

        // Reading the hit in context: the article view with the paragraph highlighted.
        franken.find(Locator::Css("h3 a")).await.unwrap().click().await.unwrap();
        wait_for_url(c, "the article view", |u| u.contains("/article?")).await;
        let target = c.find(Locator::Css(".para.target")).await.unwrap();
        assert!(target.text().await.unwrap().contains("clearer than ever"));
        let paragraphs = c.find_all(Locator::Css(".para")).await.unwrap().len();
        assert!(paragraphs > 20, "the whole article: {paragraphs}");
        save_screenshot(c, "article.png").await;

        // Clicking the facet again removes the filter.
        c.back().await.unwrap();
        wait_for_url(c, "back to the results", |u| u.contains("party=D")).await;
        c.find(Locator::Css("a[data-facet=party][data-value=D]")).await.unwrap().click().await.unwrap();
        wait_for_url(c, "the filter removed", |u| !u.contains("party=")).await;
        assert!(c.find_all(Locator::Css("nav.chips")).await.unwrap().is_empty());

        // A phone-width window: one column, nothing wider than the screen.
        c.set_window_size(390, 844).await.unwrap();
        let widths = eval(c, "return [document.documentElement.scrollWidth, window.innerWidth];").await;
        assert!(widths[0].as_u64() <= widths[1].as_u64(), "no sideways scrolling: {widths}");
        save_screenshot(c, "results-phone.png").await;
    });
}

#[test]
fn article_markup_renders_inert() {
    let corpus = fixture();
    let server = Server::start(&corpus, &["--quiet"]);
    let browser = Browser::start();
    browser.runtime.block_on(async {
        let c = browser.client();
        c.goto(&format!("{}/?q=recuse+settled", server.base)).await.unwrap();
        let probe = eval(c, XSS_PROBE).await;
        assert_eq!(probe["fired"], "undefined", "{probe}");
        assert_eq!(probe["elements"], 0, "{probe}");
        assert_eq!(probe["scripts"], json!(["/assets/app.js"]), "{probe}");
        assert_eq!(probe["shown"], true, "the markup shows as text: {probe}");
        save_screenshot(c, "xss-results.png").await;

        c.find(Locator::Css("li.hit h3 a")).await.unwrap().click().await.unwrap();
        wait_for_url(c, "the article view", |u| u.contains("/article?")).await;
        let probe = eval(c, XSS_PROBE).await;
        assert_eq!(probe["fired"], "undefined", "{probe}");
        assert_eq!(probe["elements"], 0, "{probe}");
        assert_eq!(probe["shown"], true, "{probe}");
        let title = c.find(Locator::Css("article h1")).await.unwrap().text().await.unwrap();
        assert!(title.starts_with("<script>"), "{title}");
        save_screenshot(c, "xss-article.png").await;
    });
}
