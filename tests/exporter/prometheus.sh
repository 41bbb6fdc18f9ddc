#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# procinfo-exporter scraped by a real Prometheus server, on the container
# tree of tests/tools/lib.sh (make_container_tree): the series Prometheus
# stores, checked through its query API against the tree's own inputs;
# promtool's lint of a scrape; and the Grafana dashboard's queries, each
# evaluated by that server, with metric names the exporter emits.
#
#   prometheus.sh PROCINFO_EXPORTER DASHBOARD_JSON
#
# Exit 0 pass, 1 fail, 77 skipped (prometheus or promtool not installed).
set -uo pipefail
export LC_ALL=C

exporter=$1
dashboard=$2

for prog in prometheus promtool; do
  command -v "$prog" >/dev/null || {
    echo "SKIPPED: $prog is not installed (apt install prometheus)"
    exit 77
  }
done

# shellcheck source=tests/tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"

# The servers this script started, stopped on exit (SIGKILL after 5 s).
pids=()
cleanup() {
  local pid i
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# http URL: the body of a GET on stdout; exit 1 on a refused connection or
# an error status.
http() {
  python3 - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        sys.stdout.buffer.write(r.read())
except Exception as e:
    print(f"{sys.argv[1]}: {e}", file=sys.stderr)
    sys.exit(1)
PY
}

# query PROMQL: the instant query's result as JSON on stdout; exit 1 unless
# Prometheus answers with status "success".
query() {
  python3 - "$prom" "$1" <<'PY'
import json, sys, urllib.error, urllib.parse, urllib.request
url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    with urllib.request.urlopen(url, timeout=5) as r:
        doc = json.load(r)
except urllib.error.HTTPError as e:
    doc = json.load(e)
except Exception as e:
    print(f"{sys.argv[2]}: {e}", file=sys.stderr)
    sys.exit(1)
if doc.get("status") != "success":
    print(f"{sys.argv[2]}: {doc}", file=sys.stderr)
    sys.exit(1)
json.dump(doc["data"]["result"], sys.stdout)
PY
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

show_logs() {
  echo "--- exporter"; cat "$tmp/exporter.err"
  echo "--- prometheus"; tail -30 "$tmp/prometheus.log" 2>/dev/null
}

start=$SECONDS
make_container_tree "$tmp/proc"

# --- the exporter, on a port the system chooses
"$exporter" --source "procfs:$root" --web.listen-address 127.0.0.1:0 --top-n 3 \
  2>"$tmp/exporter.err" &
exporter_pid=$!
pids+=("$exporter_pid")
exporter_port=
for ((i = 0; i < 100; i++)); do
  exporter_port=$(sed -n 's|^procinfo-exporter: listening on 127\.0\.0\.1:\([0-9][0-9]*\), metrics at /metrics$|\1|p' \
    "$tmp/exporter.err")
  [ -n "$exporter_port" ] && break
  kill -0 "$exporter_pid" 2>/dev/null || { show_logs; fail "the exporter exited"; }
  sleep 0.1
done
[ -n "$exporter_port" ] || { show_logs; fail "the exporter logged no listening line in 10 s"; }
metrics=http://127.0.0.1:$exporter_port/metrics
echo "exporter: $metrics"

# --- Prometheus, scraping it every second. The free port is found by
# binding to 0 and closing, which another program may take before
# Prometheus binds it: then Prometheus exits, and another port is tried.
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: procinfo
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
EOF
promtool check config "$tmp/prometheus.yml" >"$tmp/out" 2>&1 || {
  cat "$tmp/out"; fail "promtool check config"
}

prom=
for attempt in 1 2 3; do
  rm -rf "$tmp/data"
  port=$(free_port)
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$port" >"$tmp/prometheus.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
  for ((i = 0; i < 200; i++)); do
    if http "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
      # ours, not another server that took the port
      http "http://127.0.0.1:$port/api/v1/status/flags" 2>/dev/null | grep -qF "\"$tmp/data\"" &&
        kill -0 "$prom_pid" 2>/dev/null && prom=http://127.0.0.1:$port
      break
    fi
    kill -0 "$prom_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$prom" ] && break
  echo "prometheus on port $port did not become ready (attempt $attempt):"
  tail -5 "$tmp/prometheus.log"
  kill "$prom_pid" 2>/dev/null
  wait "$prom_pid" 2>/dev/null
done
[ -n "$prom" ] || { show_logs; fail "prometheus did not start"; }
echo "prometheus: $prom (ready after $((SECONDS - start)) s)"

# Three scrapes, so that rate() over a few seconds has samples.
scraped=
for ((i = 0; i < 150; i++)); do
  if query 'count_over_time(up{job="procinfo"}[1m]) >= 3 and up{job="procinfo"} == 1' 2>/dev/null |
    grep -qF '"procinfo"'; then
    scraped=1
    break
  fi
  sleep 0.1
done
[ -n "$scraped" ] || {
  http "$prom/api/v1/targets"; echo; show_logs
  fail "prometheus did not scrape the exporter 3 times with up == 1 in 15 s"
}
echo "scraped after $((SECONDS - start)) s"

# --- the stored series against the tree's inputs (see make_container_tree)
python3 - "$prom" "$root" "$h1" "$h2" "$pod" "$page_kb" "$hz" <<'PY' || { show_logs; fail "stored series"; }
import json, sys, urllib.parse, urllib.request
prom, root, h1, h2, pod = sys.argv[1:6]
page_kb, hz = int(sys.argv[6]), int(sys.argv[7])
failures = []

def query(q):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    with urllib.request.urlopen(url, timeout=5) as r:
        doc = json.load(r)
    assert doc["status"] == "success", doc
    return doc["data"]["result"]

def check(ok, what, got):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        print(f"     got: {json.dumps(got)}")

def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))

def by_container(metric):
    # Prometheus drops an empty label: the docker container has no pod_uid.
    res = query(metric + '{job="procinfo"}')
    return res, {(s["metric"].get("runtime"), s["metric"].get("container_id"),
                  s["metric"].get("pod_uid", "")): float(s["value"][1]) for s in res}

docker, kube = ("docker", h1, ""), ("containerd", h2, pod)
res, got = by_container("procinfo_container_processes")
check(len(res) == 2 and got == {docker: 2.0, kube: 1.0},
      "procinfo_container_processes: the docker container 2, the pod's 1, no other", res)
res, got = by_container("procinfo_container_resident_memory_bytes")
check(set(got) == {docker, kube} and close(got[docker], (100 + 50) * page_kb * 1024)
      and close(got[kube], 30 * page_kb * 1024),
      f"procinfo_container_resident_memory_bytes: (100+50)*{page_kb}*1024 and 30*{page_kb}*1024", res)
res, got = by_container("procinfo_container_virtual_memory_bytes")
check(set(got) == {docker, kube} and close(got[docker], 2 * (100 + 50) * page_kb * 1024)
      and close(got[kube], 2 * 30 * page_kb * 1024),
      "procinfo_container_virtual_memory_bytes: twice the resident", res)
res, got = by_container("procinfo_container_cpu_seconds_total")
check(set(got) == {docker, kube} and close(got[docker], (150 + 50 + 100) / hz)
      and close(got[kube], (7 + 3) / hz),
      f"procinfo_container_cpu_seconds_total: (150+50+100)/{hz} and (7+3)/{hz}", res)

res = query('procinfo_processes{job="procinfo"}')
states = {s["metric"]["state"]: float(s["value"][1]) for s in res}
check(states == {c: 6.0 if c == "S" else 0.0 for c in "RSDTtXZPI"},
      'procinfo_processes: state="S" 6, the other eight of RSDTtXZPI 0', res)
res = query('procinfo_threads{job="procinfo"}')
check(len(res) == 1 and float(res[0]["value"][1]) == 6, "procinfo_threads 6", res)
res = query('procinfo_source_info{job="procinfo"}')
check(len(res) == 1 and res[0]["metric"].get("source") == f"procfs:{root}"
      and float(res[0]["value"][1]) == 1, f'procinfo_source_info{{source="procfs:{root}"}} 1', res)
res = query('procinfo_memory_total_bytes{job="procinfo"}')
check(len(res) == 1 and float(res[0]["value"][1]) == 4000000 * 1024,
      "procinfo_memory_total_bytes 4000000*1024", res)
res = query('procinfo_memory_free_bytes{job="procinfo"}')
check(len(res) == 1 and float(res[0]["value"][1]) == 1000000 * 1024,
      "procinfo_memory_free_bytes 1000000*1024", res)
res = query('procinfo_process_resident_memory_bytes{job="procinfo"}')
got = {(s["metric"]["pid"], s["metric"]["name"]): float(s["value"][1]) for s in res}
check(got == {("10", "nginx"): 100 * page_kb * 1024, ("11", "worker"): 50 * page_kb * 1024,
              ("20", "app"): 30 * page_kb * 1024},
      "procinfo_process_resident_memory_bytes (--top-n 3): nginx, worker, app", res)
res = query('procinfo_scrape_errors_total{job="procinfo"}')
check(len(res) == 1 and float(res[0]["value"][1]) == 0, "procinfo_scrape_errors_total 0", res)
res = query('procinfo_scrape_duration_seconds{job="procinfo"} > 0')
check(len(res) == 1, "procinfo_scrape_duration_seconds > 0", res)
sys.exit(1 if failures else 0)
PY

# --- promtool's lint of a scrape (after Prometheus's, so that the
# exposer_* counters and summaries have values)
http "$metrics" >"$tmp/scrape" || { show_logs; fail "GET $metrics"; }
promtool check metrics <"$tmp/scrape" >"$tmp/lint" 2>&1
lint_status=$?
echo "\$ promtool check metrics <scrape -> exit $lint_status"
cat "$tmp/lint"
if grep -q procinfo_ "$tmp/lint"; then
  fail "promtool check metrics: lint on procinfo_* metrics"
fi
[ "$lint_status" -eq 0 ] || fail "promtool check metrics: exit $lint_status"

# --- the dashboard: its structure, and every query evaluated by Prometheus
python3 - "$prom" "$dashboard" "$tmp/scrape" <<'PY' || fail "dashboard $dashboard"
import json, re, sys, urllib.error, urllib.parse, urllib.request
prom, path, scrape = sys.argv[1:4]
dash = json.load(open(path))
failures = []

def check(ok, what, detail=None):
    if not ok:
        failures.append(what)
        print("FAIL " + what + ("" if detail is None else f"\n     {detail}"))
    return ok

def query(q):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:  # 400 on a syntax error, with the reason
        return json.load(e)

# The metric names of a real scrape of the exporter.
emitted = set()
for line in open(scrape):
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
    if m:
        emitted.add(m.group(1))

# Structure: Grafana 9+, the DS_PROMETHEUS input, the datasource variable.
check(dash.get("schemaVersion", 0) >= 37, "schemaVersion >= 37", dash.get("schemaVersion"))
inputs = {i.get("name"): i for i in dash.get("__inputs", [])}
check(inputs.get("DS_PROMETHEUS", {}).get("type") == "datasource"
      and inputs["DS_PROMETHEUS"].get("pluginId") == "prometheus",
      "__inputs has DS_PROMETHEUS, a prometheus datasource", dash.get("__inputs"))
variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
ds_var = variables.get("datasource", {})
check(ds_var.get("type") == "datasource" and ds_var.get("query") == "prometheus",
      "templating variable datasource: type datasource, query prometheus", ds_var)
check("${DS_PROMETHEUS}" in json.dumps(ds_var),
      "the datasource variable defaults to the imported DS_PROMETHEUS", ds_var)
check(variables.get("instance", {}).get("type") == "query", "templating variable instance (query)")
ours = {"type": "prometheus", "uid": "${datasource}"}

def uses_variable(ds):
    return ds == ours or ds == "${datasource}"

# Every panel, rows' nested ones included; every query with where it is.
panels, exprs = [], []
def walk(ps, where):
    for p in ps:
        panels.append(p)
        name = f"{where}/{p.get('title', p.get('id'))}".lstrip("/")
        for t in p.get("targets", []):
            exprs.append((f"{name} {t.get('refId', '')}", t.get("expr", ""), t))
            if "datasource" in t:
                check(uses_variable(t["datasource"]), f"{name}: target datasource is ${{datasource}}",
                      t["datasource"])
        walk(p.get("panels", []), name)
walk(dash.get("panels", []), "")
ids = [p.get("id") for p in panels]
check(len(ids) == len(set(ids)) and None not in ids, "panel ids unique", ids)
for p in panels:
    name = p.get("title")
    if p.get("type") != "row" or "datasource" in p:
        check(uses_variable(p.get("datasource")), f"{name}: datasource is ${{datasource}}",
              p.get("datasource"))
    check(all(k in p.get("gridPos", {}) for k in "hwxy"), f"{name}: gridPos")
    if p.get("type") == "row":
        continue
    check(p.get("targets"), f"{name}: has targets")
    if p.get("type") in ("timeseries", "stat", "bargauge", "gauge"):
        check(p.get("fieldConfig", {}).get("defaults", {}).get("unit"), f"{name}: unit set")

# Templating queries: label_values(METRIC, LABEL) is Grafana's, not PromQL:
# METRIC is queried and must carry LABEL.
for v in variables.values():
    if v.get("type") != "query":
        continue
    check(uses_variable(v.get("datasource")), f"variable {v['name']}: datasource is ${{datasource}}",
          v.get("datasource"))
    q = v.get("query")
    q = q.get("query", "") if isinstance(q, dict) else q or ""
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q)
    if check(m, f"variable {v['name']}: label_values(METRIC, LABEL)", q):
        exprs.append((f"variable {v['name']}", m.group(1), {"legendFormat": "{{%s}}" % m.group(2)}))

# Grafana's variables as a 1 s scrape interval makes them.
values = {"__rate_interval": "5s", "__interval": "1s", "__interval_ms": "1000",
          "__range": "1m", "__range_s": "60", "__range_ms": "60000", "instance": ".*"}
def substitute(expr, name):
    def one(m):
        var = m.group(1) or m.group(2)
        if var.isdigit():  # $1 of label_replace
            return m.group(0)
        if var not in values:
            check(False, f"{name}: unknown variable ${var}", expr)
            return m.group(0)
        return values[var]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, expr)

check(exprs, "the dashboard has queries")
seen = set()
for name, expr, target in exprs:
    metrics = set(re.findall(r"\bprocinfo_[a-zA-Z0-9_:]*", expr))
    seen |= metrics
    check(metrics, f"{name}: names a procinfo_ metric", expr)
    for metric in sorted(metrics - emitted):
        check(False, f"{name}: {metric} is not in the exporter's scrape", expr)
    q = substitute(expr, name)
    doc = query(q)
    if not check(doc.get("status") == "success", f"{name}: Prometheus evaluates it",
                 f"{q}\n     {doc.get('errorType')}: {doc.get('error')}"):
        continue
    result = doc["data"]["result"]
    # Empty only where the fixture has nothing to show: failed reads.
    if "scrape_errors" not in expr:
        check(result, f"{name}: a non-empty result", q)
    for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")):
        check(not result or any(label in s.get("metric", {}) for s in result),
              f"{name}: legend label {label} is in the result", result)
    print(f"ok   {name}: {len(result)} series: {q}")
print(f"{len(exprs)} queries, metrics: {' '.join(sorted(seen))}")
sys.exit(1 if failures else 0)
PY

echo "PASS in $((SECONDS - start)) s"
