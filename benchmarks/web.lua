-- wrk script of benchmarks/web.py: counts the responses that are not 2xx in every thread
-- (wrk itself counts only 4xx and 5xx, so a redirect to the login page would pass), and
-- prints the run as one JSON line starting with "BENCH-JSON ", latencies in microseconds.
-- The session cookie or API token comes as a header on wrk's command line (-H).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  first_bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == 0 then
      first_bad = status
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if first == 0 then
      first = thread:get("first_bad")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"duration_us": %.0f, "requests": %.0f, "bytes": %.0f, "non_2xx": %.0f, '
      .. '"first_bad_status": %.0f, "errors": {"connect": %.0f, "read": %.0f, "write": %.0f, '
      .. '"timeout": %.0f}, "latency_us": {"mean": %.1f, "max": %.0f, "p50": %.0f, '
      .. '"p95": %.0f, "p99": %.0f}}\n',
    summary.duration, summary.requests, summary.bytes, bad, first,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)
  ))
end
