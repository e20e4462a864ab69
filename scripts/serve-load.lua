-- wrk script for scripts/serve-load.sh: a fixed mix of API searches (with and without
-- filters, paging, phrases), autocompletion lookups and result pages, taken in turn.
local paths = {
  "/api/search?q=trump",
  "/api/search?q=recuse",
  "/api/search?q=%22health+care%22",
  "/api/search?q=immigration&party=R",
  "/api/search?q=climate+change&party=D&limit=20",
  "/api/search?q=tax+cuts&speaker=Trump",
  "/api/search?q=election&since=2016-01-01&until=2016-12-31",
  "/api/search?q=russia&quotes=1",
  "/api/search?q=border+wall&entity=Mexico",
  "/api/search?q=supreme+court&offset=10",
  "/api/search?q=senate+vote&source=CNN",
  "/api/search?q=pelosi+impeachment",
  "/api/facets?field=speaker&prefix=war",
  "/api/facets?field=source&prefix=fox",
  "/api/article?path=PLACEHOLDER",
  "/?q=recuse&party=D",
}

-- Each wrk thread has its own Lua state; start threads at different points of the mix.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7)
end

local i = 0
function request()
  i = i + 1
  local path = paths[((i + (offset or 0)) % #paths) + 1]
  if path == "/api/article?path=PLACEHOLDER" then
    path = "/api/article?path=" .. (os.getenv("ARTICLE_PATH") or "none")
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  io.write(string.format("requests %d in %.1f s: %.0f requests/s\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  local errors = summary.errors
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; non-2xx: %d\n",
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
