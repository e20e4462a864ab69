//! The search page and the article view: server-rendered HTML (maud escapes every
//! spliced string), with the URL holding the whole state so a link reproduces a search.
//!
//! The page works without JavaScript; `assets/app.js` only adds the `/` shortcut and
//! autocompletion from `/api/facets`.

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::params::{self, ApiError, Params};
use super::Shared;
use crate::annotate::{ParagraphRecord, Speaker};
use crate::clean::ParagraphKind;
use crate::roster::Party;
use crate::search::{ArticleView, DateHistogram, DateUnit, Hit, Request, Response as SearchResponse, Searchable};
use crate::tagger::EntityKind;

const APP_CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");
const ICON_SVG: &str = include_str!("assets/icon.svg");

/// `GET /assets/{name}`: the page's embedded style, script and icon.
pub(super) async fn asset(UrlPath(name): UrlPath<String>) -> Response {
    let (content_type, body) = match name.as_str() {
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "icon.svg" => ("image/svg+xml", ICON_SVG),
        _ => return not_found(&format!("/assets/{name}")),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Everything the results page shows, gathered in one trip to the blocking pool.
struct ResultsPage {
    request: Request,
    response: SearchResponse,
    histogram: DateHistogram,
    /// Party of each speaker facet value, in order.
    speaker_parties: Vec<Option<Party>>,
    /// Kind of each entity facet value, in order.
    entity_kinds: Vec<Option<EntityKind>>,
}

fn gather(s: &Searchable, request: Request) -> crate::Result<ResultsPage> {
    let (response, histogram) = s.search_with_dates(&request)?;
    let speakers: Vec<String> = response.facets.speaker.iter().map(|(name, _)| name.clone()).collect();
    let entities: Vec<String> = response.facets.entity.iter().map(|(name, _)| name.clone()).collect();
    let speaker_parties = s.speaker_parties(&speakers)?;
    let entity_kinds = s.entity_kinds(&entities)?;
    Ok(ResultsPage { request, response, histogram, speaker_parties, entity_kinds })
}

/// `GET /`: the search page.
pub(super) async fn search_page(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let request = match Params::parse(raw.as_deref(), params::SEARCH_PARAMS).and_then(|p| params::search_request(&p)) {
        Ok(request) => request,
        Err(e) => return error_page(&Request::default(), &e),
    };
    let shown = request.clone();
    match app.blocking(move |s| gather(&s.searchable, request)).await {
        Ok(results) => html_response(StatusCode::OK, results_page(&results)),
        Err(e) => error_page(&shown, &e),
    }
}

/// `GET /article?path=&article=&p=&q=`: one article, paragraph `p` highlighted.
pub(super) async fn article_page(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let parsed = Params::parse(raw.as_deref(), &["path", "article", "p", "q"]).and_then(|p| {
        let (path, position) = params::article_request(&p)?;
        let target =
            p.one("p")?.map(|t| t.parse::<usize>().map_err(|_| ApiError::bad("p", "`p` is a paragraph number")));
        Ok((path, position, target.transpose()?, p.one("q")?.unwrap_or("").to_owned()))
    });
    let (path, position, target, query) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return error_page(&Request::default(), &e),
    };
    let back = Request::new(query);
    let wanted = path.clone();
    match app.blocking(move |s| s.searchable.article(&wanted, position)).await {
        Ok(Some(view)) => html_response(StatusCode::OK, article_view(&view, target, &back)),
        Ok(None) => error_page(
            &back,
            &ApiError {
                status: StatusCode::NOT_FOUND,
                parameter: Some("path".into()),
                message: format!("the index has no article {position} in `{path}`"),
            },
        ),
        Err(e) => error_page(&back, &e),
    }
}

/// A 404 page for `path`.
pub(super) fn not_found(path: &str) -> Response {
    let e = ApiError::status(StatusCode::NOT_FOUND, format!("nothing at {path}"));
    error_page(&Request::default(), &e)
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

fn error_page(request: &Request, e: &ApiError) -> Response {
    let body = html! {
        main #results .error-page {
            h1 { "Sorry" }
            p .error role="alert" {
                (e.message)
                @if let Some(p) = &e.parameter { " (parameter " code { (p) } ")" }
            }
            p { a href="/" { "Start a new search" } }
        }
    };
    html_response(e.status, layout("Error", request, None, body))
}

/// The frame of every page: head, search form with syntax help, content, footer.
fn layout(title: &str, request: &Request, chips: Option<Markup>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " \u{2013} newsdex" }
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a .skip href="#results" { "Skip to results" }
                header .top {
                    a .brand href="/" { "newsdex" }
                    (search_form(request))
                }
                @if let Some(chips) = chips { (chips) }
                (content)
                footer {
                    "newsdex \u{b7} "
                    a href="/api/openapi.json" { "JSON API (OpenAPI)" }
                    " \u{b7} press " kbd { "/" } " to search"
                }
            }
        }
    }
}

fn search_form(request: &Request) -> Markup {
    html! {
        form .search role="search" action="/" method="get" {
            label for="q" .visually-hidden { "Search paragraphs" }
            input #q type="search" name="q" value=(request.query) autocomplete="off"
                placeholder="Search what was said\u{2026}" aria-describedby="syntax-help";
            (hidden_filters(request, true))
            button type="submit" { "Search" }
        }
        details .help #syntax-help {
            summary { "Query syntax" }
            ul {
                li { code { "recuse sessions" } " \u{2013} paragraphs with both words (any form: recused, recusal)" }
                li { code { "\"special prosecutor\"" } " \u{2013} the exact phrase" }
                li { code { "russia OR russian" } ", " code { "russia -putin" } " \u{2013} either word; without a word" }
                li { code { "title:senate" } " \u{2013} words of the article title" }
                li { "Filters in the sidebar narrow by speaker, party, entity, source and date; the URL keeps them." }
            }
        }
    }
}

/// Hidden inputs that carry the filters of `r` through a form (with the dates unless
/// the form has its own date inputs).
fn hidden_filters(r: &Request, with_dates: bool) -> Markup {
    html! {
        @for (name, values) in [("speaker", &r.speakers), ("party", &r.parties), ("entity", &r.entities), ("source", &r.sources)] {
            @for v in values { input type="hidden" name=(name) value=(v); }
        }
        @if with_dates {
            @if let Some(d) = r.since { input type="hidden" name="since" value=(d.to_string()); }
            @if let Some(d) = r.until { input type="hidden" name="until" value=(d.to_string()); }
        }
        @for k in &r.kinds { input type="hidden" name="kind" value=(k.as_str()); }
        @if r.quotes { input type="hidden" name="quotes" value="1"; }
        @if r.limit != params::DEFAULT_LIMIT { input type="hidden" name="limit" value=(r.limit); }
    }
}

fn url(r: &Request) -> String {
    let query = params::search_query_string(r);
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// A filter of a request, named as in the URL.
#[derive(Clone, Copy)]
enum Filter {
    Speaker,
    Party,
    Entity,
    Source,
}

impl Filter {
    fn name(self) -> &'static str {
        match self {
            Filter::Speaker => "speaker",
            Filter::Party => "party",
            Filter::Entity => "entity",
            Filter::Source => "source",
        }
    }

    fn values(self, r: &Request) -> &[String] {
        match self {
            Filter::Speaker => &r.speakers,
            Filter::Party => &r.parties,
            Filter::Entity => &r.entities,
            Filter::Source => &r.sources,
        }
    }

    fn values_mut(self, r: &mut Request) -> &mut Vec<String> {
        match self {
            Filter::Speaker => &mut r.speakers,
            Filter::Party => &mut r.parties,
            Filter::Entity => &mut r.entities,
            Filter::Source => &mut r.sources,
        }
    }
}

/// Whether `value` is among `values` (filters match names case-insensitively).
fn is_active(values: &[String], value: &str) -> bool {
    values.iter().any(|v| v.eq_ignore_ascii_case(value))
}

/// `r` with `value` of `filter` added, or removed when present; back to the first page.
fn toggled(r: &Request, filter: Filter, value: &str) -> Request {
    let mut next = r.clone();
    next.offset = 0;
    let values = filter.values_mut(&mut next);
    if is_active(values, value) {
        values.retain(|v| !v.eq_ignore_ascii_case(value));
    } else {
        values.push(value.to_owned());
    }
    next
}

fn party_name(code: &str) -> &'static str {
    Party::parse(code).map_or("", Party::name)
}

fn party_class(party: Option<Party>) -> String {
    format!("party party-{}", party.map_or("none", Party::code))
}

/// Removable chips for the active filters.
fn chips(r: &Request) -> Markup {
    let mut items: Vec<(String, Request)> = Vec::new();
    for filter in [Filter::Speaker, Filter::Party, Filter::Entity, Filter::Source] {
        for v in filter.values(r) {
            items.push((format!("{}: {v}", filter.name()), toggled(r, filter, v)));
        }
    }
    if let Some(d) = r.since {
        items.push((format!("since: {d}"), Request { since: None, offset: 0, ..r.clone() }));
    }
    if let Some(d) = r.until {
        items.push((format!("until: {d}"), Request { until: None, offset: 0, ..r.clone() }));
    }
    for k in &r.kinds {
        let kinds = r.kinds.iter().copied().filter(|x| x != k).collect();
        items.push((format!("kind: {}", k.as_str()), Request { kinds, offset: 0, ..r.clone() }));
    }
    if r.quotes {
        items.push(("only quoted paragraphs".to_owned(), Request { quotes: false, offset: 0, ..r.clone() }));
    }
    html! {
        @if !items.is_empty() {
            nav .chips aria-label="Active filters" {
                ul {
                    @for (label, without) in &items {
                        li {
                            a .chip href=(url(without)) aria-label={ "Remove filter " (label) } {
                                (label) span aria-hidden="true" { " \u{d7}" }
                            }
                        }
                    }
                    @if items.len() > 1 {
                        li { a .chip .clear href=(url(&Request::new(r.query.clone()))) { "Clear all" } }
                    }
                }
            }
        }
    }
}

fn results_page(page: &ResultsPage) -> Markup {
    let r = &page.request;
    let title = if r.query.is_empty() { "All paragraphs".to_owned() } else { r.query.clone() };
    let content = html! {
        div .layout {
            aside .facets aria-label="Filter results" { (sidebar(page)) }
            main #results tabindex="-1" { (hit_list(r, &page.response)) }
        }
    };
    layout(&title, r, Some(chips(r)), content)
}

fn facet_link(r: &Request, filter: Filter, value: &str, count: u64, label: Markup) -> Markup {
    let active = is_active(filter.values(r), value);
    html! {
        li {
            a .facet-value .active[active] href=(url(&toggled(r, filter, value)))
                data-facet=(filter.name()) data-value=(value) aria-current=[active.then_some("true")] {
                (label)
                span .count { (count) }
                @if active { span .visually-hidden { " (selected; select again to remove)" } }
            }
        }
    }
}

fn sidebar(page: &ResultsPage) -> Markup {
    let r = &page.request;
    let f = &page.response.facets;
    let kind_groups: Vec<(&str, Vec<(&String, u64)>)> = [
        (Some(EntityKind::Person), "People"),
        (Some(EntityKind::Organization), "Organizations"),
        (Some(EntityKind::Place), "Places"),
    ]
    .into_iter()
    .map(|(kind, label)| (label, kind))
    .chain(std::iter::once(("Other names", None)))
    .map(|(label, kind)| {
        let values = f
            .entity
            .iter()
            .zip(&page.entity_kinds)
            .filter(|(_, k)| match kind {
                Some(kind) => **k == Some(kind),
                None => !matches!(k, Some(EntityKind::Person | EntityKind::Organization | EntityKind::Place)),
            })
            .map(|((name, n), _)| (name, *n))
            .collect();
        (label, values)
    })
    .collect();
    html! {
        @if !f.party.is_empty() {
            section .facet { h2 { "Party" }
                ul { @for (code, n) in &f.party {
                    (facet_link(r, Filter::Party, code, *n, html! {
                        span class=(party_class(Party::parse(code))) { (code) } " " span .party-name { (party_name(code)) }
                    }))
                } }
            }
        }
        @if !f.speaker.is_empty() {
            section .facet { h2 { "Speakers" }
                ul { @for ((name, n), party) in f.speaker.iter().zip(&page.speaker_parties) {
                    (facet_link(r, Filter::Speaker, name, *n, html! {
                        span class=(party_class(*party)) title=(party.map_or("", Party::name)) {
                            (party.map_or("\u{b7}", Party::code))
                        }
                        " " (name)
                    }))
                } }
            }
        }
        @for (label, values) in &kind_groups {
            @if !values.is_empty() {
                section .facet { h2 { "Mentioned: " (label) }
                    ul { @for (name, n) in values { (facet_link(r, Filter::Entity, name, *n, html! { (name) })) } }
                }
            }
        }
        @if !f.source.is_empty() {
            section .facet { h2 { "Sources" }
                ul { @for (name, n) in &f.source { (facet_link(r, Filter::Source, name, *n, html! { (name) })) } }
            }
        }
        (histogram(r, &page.histogram))
        section .facet .options { h2 { "Options" }
            ul {
                li { a .facet-value .active[r.quotes] href=(url(&Request { quotes: !r.quotes, offset: 0, ..r.clone() }))
                    aria-current=[r.quotes.then_some("true")] { "Only paragraphs where someone speaks" } }
                @for kind in [ParagraphKind::Caption, ParagraphKind::Heading, ParagraphKind::Boilerplate] {
                    @let on = r.kinds.contains(&kind);
                    @let kinds = if on {
                        r.kinds.iter().copied().filter(|k| *k != kind).collect()
                    } else if r.kinds.is_empty() {
                        vec![ParagraphKind::Body, kind]
                    } else {
                        r.kinds.iter().copied().chain([kind]).collect()
                    };
                    li { a .facet-value .active[on] href=(url(&Request { kinds, offset: 0, ..r.clone() }))
                        aria-current=[on.then_some("true")] { "Include " (kind.as_str()) "s" } }
                }
            }
        }
        (add_filter_form(r))
    }
}

fn histogram(r: &Request, h: &DateHistogram) -> Markup {
    let max = h.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let label = |b: &crate::search::DateBucket| match h.unit {
        DateUnit::Day => b.first.format("%Y-%m-%d").to_string(),
        DateUnit::Month => b.first.format("%Y-%m").to_string(),
        DateUnit::Year => b.first.format("%Y").to_string(),
    };
    const BAR: usize = 10;
    const HEIGHT: u64 = 48;
    html! {
        @if h.buckets.len() > 1 {
            section .facet .dates { h2 #dates-heading { "Dates" }
                svg .histogram viewBox={ "0 0 " (h.buckets.len() * BAR) " " (HEIGHT) } preserveAspectRatio="none"
                    role="group" aria-labelledby="dates-heading" {
                    @for (i, b) in h.buckets.iter().enumerate() {
                        @let height = if b.count == 0 { 0 } else { (b.count * HEIGHT / max).max(2) };
                        a href=(url(&Request { since: Some(b.first), until: Some(b.last), offset: 0, ..r.clone() }))
                            aria-label={ (label(b)) ": " (b.count) " paragraphs" } {
                            rect x=(i * BAR) y=(HEIGHT - height) width=(BAR - 2) height=(height) {
                                title { (label(b)) ": " (b.count) }
                            }
                            rect .hit-area x=(i * BAR) y="0" width=(BAR) height=(HEIGHT) {}
                        }
                    }
                }
                p .axis { span { (label(&h.buckets[0])) } span { (label(&h.buckets[h.buckets.len() - 1])) } }
            }
        }
    }
}

fn add_filter_form(r: &Request) -> Markup {
    html! {
        section .facet .add-filter { h2 { "Add a filter" }
            form action="/" method="get" {
                @if !r.query.is_empty() { input type="hidden" name="q" value=(r.query); }
                (hidden_filters(r, false))
                @for (name, label) in [("speaker", "Speaker"), ("entity", "Mentioned"), ("source", "Source")] {
                    label { (label)
                        input type="text" name=(name) list={ (name) "-options" } data-facet-field=(name) autocomplete="off";
                    }
                    datalist id={ (name) "-options" } {}
                }
                label { "From" input type="date" name="since" value=[r.since.map(|d| d.to_string())]; }
                label { "To" input type="date" name="until" value=[r.until.map(|d| d.to_string())]; }
                button type="submit" { "Apply" }
            }
        }
    }
}

fn speaker_label(s: &Speaker) -> String {
    match s.party {
        Some(p) => format!("{} ({})", s.name, p.code()),
        None => s.name.clone(),
    }
}

fn speaker_badges(speakers: &[Speaker]) -> Markup {
    html! {
        @if !speakers.is_empty() {
            p .speakers {
                span .visually-hidden { "Speakers: " }
                @for s in speakers {
                    span class={ "badge " (party_class(s.party)) } data-speaker=(s.name) { (speaker_label(s)) }
                    " "
                }
            }
        }
    }
}

/// `text` with the byte ranges `marks` wrapped by `wrap`; ranges that overlap an earlier
/// one or do not fall on char boundaries are left unmarked.
fn marked(text: &str, marks: &[(usize, usize)], wrap: impl Fn(&str) -> Markup) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for &(start, end) in marks {
        let (Some(before), Some(inside)) = (text.get(at..start), text.get(start..end)) else { continue };
        if start < at || inside.is_empty() {
            continue;
        }
        parts.push((false, before));
        parts.push((true, inside));
        at = end;
    }
    parts.push((false, text.get(at..).unwrap_or("")));
    html! { @for (is_mark, part) in parts { @if is_mark { (wrap(part)) } @else { (part) } } }
}

fn article_url(path: &str, article: usize, paragraph: usize, query: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("path", path).append_pair("article", &article.to_string()).append_pair("p", &paragraph.to_string());
    if !query.is_empty() {
        q.append_pair("q", query);
    }
    format!("/article?{}#p-{paragraph}", q.finish())
}

fn hit_list(r: &Request, response: &SearchResponse) -> Markup {
    let first = r.offset + 1;
    let last = r.offset + response.hits.len();
    html! {
        p .summary role="status" {
            @if response.total == 0 {
                "No paragraphs match."
            } @else {
                (response.total) " paragraph" @if response.total != 1 { "s" } " match"
                @if response.total == 1 { "es" } "; showing " (first) "\u{2013}" (last) "."
            }
        }
        ol .hits start=(first) { @for hit in &response.hits { (hit_item(r, hit)) } }
        @if r.offset > 0 || (last as u64) < response.total {
            nav .pager aria-label="Pages" {
                @if r.offset > 0 {
                    a rel="prev" href=(url(&Request { offset: r.offset.saturating_sub(r.limit), ..r.clone() })) { "\u{2190} Previous" }
                }
                @if (last as u64) < response.total && last <= params::MAX_OFFSET {
                    a rel="next" href=(url(&Request { offset: last, ..r.clone() })) { "Next \u{2192}" }
                }
            }
        }
    }
}

fn hit_item(r: &Request, hit: &Hit) -> Markup {
    let file_name = hit.path.rsplit('/').next().unwrap_or(&hit.path);
    let title = hit.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(file_name);
    let marks: Vec<(usize, usize)> = hit.highlights.iter().map(|h| (h[0], h[1])).collect();
    html! {
        li .hit data-path=(hit.path) data-paragraph=(hit.paragraph) {
            h3 { a href=(article_url(&hit.path, hit.article, hit.paragraph, &r.query)) { (title) } }
            p .meta {
                @if let Some(source) = &hit.source { span .source { (source) } " \u{b7} " }
                @if let Some(date) = hit.date { time datetime=(date.to_string()) { (date.format("%-d %b %Y")) } " \u{b7} " }
                "paragraph " (hit.paragraph + 1)
                @if hit.kind != ParagraphKind::Body { " \u{b7} " (hit.kind.as_str()) }
            }
            (speaker_badges(&hit.speakers))
            p .snippet { (marked(&hit.snippet, &marks, |m| html! { mark { (m) } })) }
        }
    }
}

fn article_view(view: &ArticleView, target: Option<usize>, back: &Request) -> Markup {
    let file_name = view.path.rsplit('/').next().unwrap_or(&view.path);
    let title = view.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(file_name);
    let content = html! {
        main #results .article-view tabindex="-1" {
            p .back { a href=(url(back)) { "\u{2190} Back to results" } }
            article {
                h1 { (title) }
                p .meta {
                    @if let Some(source) = &view.source { span .source { (source) } " \u{b7} " }
                    @if let Some(date) = view.date { time datetime=(date.to_string()) { (date.format("%-d %B %Y")) } " \u{b7} " }
                    code .path { (view.path) }
                }
                @for p in &view.paragraphs { (article_paragraph(p, target == Some(p.paragraph))) }
            }
        }
    };
    layout(title, back, None, content)
}

fn article_paragraph(p: &ParagraphRecord, is_target: bool) -> Markup {
    // Quoted content, as offsets into the paragraph, marked with who said it.
    let mut quotes: Vec<(usize, usize, String)> = p
        .attributions
        .iter()
        .filter_map(|a| {
            let start = a.content[0].checked_sub(p.start)?;
            let end = a.content[1].checked_sub(p.start)?;
            let who = match (&a.speaker, a.party) {
                (Some(name), Some(party)) => format!("{name} ({})", party.code()),
                (Some(name), None) => name.clone(),
                (None, _) => "unresolved source".to_owned(),
            };
            Some((start, end, who))
        })
        .collect();
    quotes.sort_by_key(|q| q.0);
    let marks: Vec<(usize, usize)> = quotes.iter().map(|q| (q.0, q.1)).collect();
    let said_by = |text: &str| {
        let who = quotes.iter().find(|q| p.text.get(q.0..q.1) == Some(text)).map_or("", |q| q.2.as_str());
        html! { span .quoted title={ "said by " (who) } { (text) } }
    };
    html! {
        section id={ "p-" (p.paragraph) } class={ "para kind-" (p.kind.as_str()) @if is_target { " target" } }
            aria-current=[is_target.then_some("true")] {
            @if p.kind != ParagraphKind::Body { span .kind-label { (p.kind.as_str()) } }
            p { (marked(&p.text, &marks, said_by)) }
            (speaker_badges(&p.speakers))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_escapes_and_skips_bad_ranges() {
        let out = marked("a <b> c", &[(2, 5), (3, 4), (6, 99)], |m| html! { mark { (m) } }).into_string();
        assert_eq!(out, "a <mark>&lt;b&gt;</mark> c");
        // A range inside a multi-byte character is ignored rather than panicking.
        let out = marked("é", &[(1, 2)], |m| html! { mark { (m) } }).into_string();
        assert_eq!(out, "é");
    }

    #[test]
    fn toggling_adds_then_removes_and_resets_paging() {
        let r = Request { offset: 20, ..Request::new("recuse") };
        let on = toggled(&r, Filter::Party, "D");
        assert_eq!((on.parties.clone(), on.offset), (vec!["D".to_owned()], 0));
        assert!(toggled(&on, Filter::Party, "d").parties.is_empty());
        assert_eq!(url(&on), "/?q=recuse&party=D");
    }

    #[test]
    fn chips_link_to_the_search_without_them() {
        let r = Request { parties: vec!["D".into()], speakers: vec!["<Al>".into()], ..Request::new("recuse") };
        let html = chips(&r).into_string();
        assert!(html.contains("href=\"/?q=recuse&amp;speaker=%3CAl%3E\""), "{html}");
        assert!(html.contains("party: D"));
        assert!(html.contains("speaker: &lt;Al&gt;"));
        assert!(!html.contains("<Al>"));
    }
}
