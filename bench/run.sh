#!/usr/bin/env bash
# Throughput benchmark of one node, then (unless --throughput-only) the memory benchmark; writes bench/RESULTS.md.
#
#   bench/run.sh [--duration 10s] [--warmup 5s] [--connections 64] [--threads 2] [--rounds 3]
#                [--layouts "pinned shared"] [--source worktree|head] [--skip-build]
#                [--throughput-only | --memory-only] [-- MEMORY.SH OPTIONS...]
#
# Options also read BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_ROUNDS, BENCH_LAYOUTS,
# BENCH_SOURCE. --source head builds a clean export of the last commit instead of the working tree.
# Layouts: "pinned" gives the node the first half of the cores and wrk the rest (taskset), so the node is what
# saturates and requests/s measure the node; "shared" lets both use every core, as on a developer's machine, where
# the client's own cost flattens the differences. Within a layout the scenarios run interleaved (live, read,
# write, increment, then again), so a slow patch of the machine hits every scenario alike; each scenario reports
# its median round by requests/s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-5s}"
connections="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_THREADS:-2}"
rounds="${BENCH_ROUNDS:-3}"
layouts="${BENCH_LAYOUTS:-pinned shared}"
build=1
throughput=1
memory=1
memory_args=()
invocation="bench/run.sh${*:+ $*}"
while (($#)); do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --layouts) layouts="$2"; shift 2 ;;
    --source) SOURCE="$2"; export BENCH_SOURCE="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --throughput-only) memory=0; shift ;;
    --memory-only) throughput=0; shift ;;
    --) shift; memory_args=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$connections" =~ ^[0-9]+$ && "$threads" =~ ^[0-9]+$ && "$rounds" =~ ^[0-9]+$ ]] || die "connections, threads and rounds are integers"
((threads >= 1 && connections >= threads && rounds >= 1 && rounds <= 20)) || die "need 1 ≤ threads ≤ connections and 1 ≤ rounds ≤ 20"
[[ "$duration" =~ ^[0-9]+[smh]?$ && "$warmup" =~ ^[0-9]+[smh]?$ ]] || die "durations look like 10s, 2m"

mkdir -p "$OUT_DIR"
trap stop_node EXIT
trap 'exit 130' INT TERM

scenarios=(live read write increment)
declare -A describe=(
  [live]='`GET /health/live` (plain)'
  [read]='`GET /session` with a cookie'
  [write]='`PUT /session/attributes/payload`, 100-byte value'
  [increment]='`POST /session/attributes/counter/increment?by=1`'
)
declare -A target=([live]="" [read]=80 [write]="" [increment]=60)
client_pin=()
node_cores=0

cpu_range() { (($1 == $2)) && echo "$1" || echo "$1-$2"; }
field() { grep -o "$2=[0-9.]*" <<<"$1" | head -1 | cut -d= -f2; }

# run_wrk SCENARIO DURATION → wrk's BENCH line (from done() in session.lua) plus the CPU used during the run;
# "other" is the CPU that processes other than the node and wrk used meanwhile, in cores: colleagues' builds.
run_wrk() {
  local scenario="$1" seconds="$2" output line node_before node_after all_before all_after wrk_seconds
  node_before=$(node_cpu_ticks)
  all_before=$(cpu_busy_ticks)
  # `times` in the same subshell reports wrk's user and system CPU (the subshell's children) on its last line.
  output=$("${client_pin[@]}" wrk -t "$threads" -c "$connections" -d "$seconds" -s "$BENCH_DIR/wrk/session.lua" "$NODE_URL" \
    -- "$scenario" "$OUT_DIR/cookies.txt" "$threads" 2>&1 && times) || { echo "$output" >&2; die "wrk failed on $scenario"; }
  node_after=$(node_cpu_ticks)
  all_after=$(cpu_busy_ticks)
  line=$(grep -m1 '^BENCH ' <<<"$output") || { echo "$output" >&2; die "wrk printed no BENCH line for $scenario"; }
  wrk_seconds=$(tail -1 <<<"$output" | awk '{ for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } print t }')
  awk -v line="$line" -v node=$((node_after - node_before)) -v all=$((all_after - all_before)) -v wrk="$wrk_seconds" \
    -v hz="$CLK_TCK" -v cores="$node_cores" -v n="$(field "$line" requests)" -v s="$(field "$line" seconds)" \
    'BEGIN { other = (all - node) / hz - wrk; if (other < 0) other = 0
             printf "%s node_cpu_us=%.1f node_busy=%.0f other_cores=%.2f\n", line, node / hz * 1e6 / n, 100 * node / hz / s / cores, other / s }'
}

# One session per connection, each created by a cookie-less PUT so that it holds the 100-byte payload a read returns.
create_cookies() {
  local value
  value="\"$(printf 'v%.0s' $(seq 1 98))\""
  : >"$OUT_DIR/cookies.txt"
  for _ in $(seq 1 "$connections"); do
    curl -sf --noproxy '*' -o /dev/null -D - -X PUT -H 'Content-Type: application/json' --data "$value" \
      "$NODE_URL/session/attributes/payload" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: SESSIONID=\([^;]*\).*/\1/p' >>"$OUT_DIR/cookies.txt"
  done
  [[ $(wc -l <"$OUT_DIR/cookies.txt") -eq "$connections" ]] || die "expected $connections session cookies, got $(wc -l <"$OUT_DIR/cookies.txt")"
}

# run_layout LAYOUT: one node, warm-up, interleaved rounds; appends the layout's section to the results fragment.
run_layout() {
  local layout="$1" cores
  cores=$(nproc)
  case "$layout" in
    pinned)
      ((cores >= 2)) || die "the pinned layout needs at least 2 cores"
      NODE_CPUS=$(cpu_range 0 $((cores / 2 - 1)))
      client_pin=(taskset -c "$(cpu_range $((cores / 2)) $((cores - 1)))")
      node_cores=$((cores / 2))
      ;;
    shared) NODE_CPUS=""; client_pin=(); node_cores=$cores ;;
    *) die "unknown layout '$layout': use pinned or shared" ;;
  esac
  wait_for_quiet
  start_node "$OUT_DIR/node-throughput-$layout.log"
  log "$layout: creating $connections sessions (one per connection)"
  create_cookies

  declare -A results=()
  for scenario in "${scenarios[@]}"; do
    log "$layout: warm-up $scenario for $warmup"
    run_wrk "$scenario" "$warmup" >/dev/null
  done
  for round in $(seq 1 "$rounds"); do
    for scenario in "${scenarios[@]}"; do
      local line
      line=$(run_wrk "$scenario" "$duration")
      results[$scenario,$round]="$line"
      log "$layout round $round $scenario: $(field "$line" rps) req/s, p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, node CPU $(field "$line" node_busy)%, others $(field "$line" other_cores) cores"
    done
  done
  stop_node

  # The median round of each scenario, by requests/s.
  declare -A median=()
  for scenario in "${scenarios[@]}"; do
    local sorted
    sorted=$(for round in $(seq 1 "$rounds"); do echo "$(field "${results[$scenario,$round]}" rps) $round"; done | sort -n)
    median[$scenario]="${results[$scenario,$(sed -n "$(((rounds + 1) / 2))p" <<<"$sorted" | cut -d' ' -f2)]}"
  done

  local live_rps live_cpu
  live_rps=$(field "${median[live]}" rps)
  live_cpu=$(field "${median[live]}" node_cpu_us)
  {
    echo
    if [[ $layout == pinned ]]; then
      echo "### Pinned: node on core(s) $NODE_CPUS, wrk on core(s) ${client_pin[2]}"
    else
      echo "### Shared: node and wrk on all $cores cores"
    fi
    echo
    echo "Quiet check: ${QUIET_NOTE}."
    local busiest
    busiest=$(for key in "${!results[@]}"; do field "${results[$key]}" other_cores; done | sort -n | tail -1)
    if awk -v b="$busiest" 'BEGIN { exit !(b > 0.3) }'; then
      echo "**Disturbed:** other processes used up to $busiest cores during this layout's rounds (see the"
      echo "parenthesised figures below); the figures of the rounds concerned understate the node."
    fi
    echo
    echo "| scenario | requests/s | p50 ms | p99 ms | ratio to plain | target | met? | node CPU busy | node CPU µs per request |"
    echo "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |"
    for scenario in "${scenarios[@]}"; do
      local line="${median[$scenario]}" rps ratio goal met
      rps=$(field "$line" rps)
      ratio=$(awk -v a="$rps" -v b="$live_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
      goal="${target[$scenario]}"
      met="—"
      if [[ -n "$goal" ]]; then
        met=$(awk -v a="$rps" -v b="$live_rps" -v g="$goal" 'BEGIN { print (100 * a / b >= g) ? "yes" : "**no**" }')
        goal="≥ $goal%"
      else
        goal="—"
      fi
      printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s | %s%% | %.1f |\n' "${describe[$scenario]}" "$rps" \
        "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$ratio" "$goal" "$met" "$(field "$line" node_busy)" "$(field "$line" node_cpu_us)"
    done
    echo
    echo "Every round: requests/s, in parentheses the cores that processes other than node and wrk used meanwhile"
    echo "(colleagues' builds; about 0.1 is the kernel's own share), and failed requests (non-2xx, connect, read,"
    echo "write, timeout errors), which must be 0:"
    echo
    echo "| scenario | $(seq -s ' | ' 1 "$rounds" | sed 's/[0-9]\+/round &/g') | failed |"
    echo "| --- |$(for _ in $(seq 1 "$rounds"); do printf ' ---: |'; done) ---: |"
    for scenario in "${scenarios[@]}"; do
      local cells="" failed=0
      for round in $(seq 1 "$rounds"); do
        local line="${results[$scenario,$round]}"
        cells+=" $(printf '%.0f' "$(field "$line" rps)") ($(field "$line" other_cores)) |"
        failed=$((failed + $(field "$line" non2xx) + $(field "$line" connect) + $(field "$line" read) + $(field "$line" write) + $(field "$line" timeout)))
      done
      echo "| $scenario |$cells $failed |"
      failures=$((failures + failed))
    done
  } >>"$OUT_DIR/results-throughput.md"
}

run_throughput() {
  ensure_wrk
  {
    echo "## Throughput (one node)"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    machine_facts
    echo "- Command: \`$invocation\`"
    echo "- Load: wrk (closed loop), $threads threads, $connections connections, ${duration} per round, $rounds interleaved rounds after a ${warmup} warm-up of each scenario; the node is the published Release build with its shipped settings (server GC, DATAS on)"
  } >"$OUT_DIR/results-throughput.md"
  failures=0
  for layout in $layouts; do
    run_layout "$layout"
  done
  cat >>"$OUT_DIR/results-throughput.md" <<EOF

How to read it. The ratio is this scenario's requests/s over the plain endpoint's, in the same layout. In the
pinned layout the node has its own core(s) and runs at (nearly) 100% CPU in every scenario, so requests/s is the
node's capacity and the ratio says what a session operation costs against the plain endpoint. In the shared
layout wrk competes with the node for the same cores and its own per-request cost is about the same in every
scenario, which tends to pull the ratios toward 100%: that layout is shown because it is how a developer would
first run it, not to judge the targets. Nothing reserves the cores, so other processes (the parenthesised
figures) disturb both layouts; the scripts wait for a quiet machine before each layout but cannot keep it quiet.
Node CPU busy is the node's user + system CPU time over the round (utime + stime of /proc/PID/stat) as a share of
its cores; node CPU per request divides the same time by the requests served (it includes the thread pool's
spin-waiting, so it is an indication).

wrk is a closed-loop client (a connection sends its next request when the previous one is answered), so the
latencies are those of a saturated node and not corrected for coordinated omission. The $connections sessions are
created before each layout's run, one per connection, each with a 100-byte \`payload\` attribute (so a read returns
it). wrk's Lua cannot tell connections apart, so each wrk thread cycles through its share of the cookies; see
bench/wrk/session.lua for why requests in flight almost never share a session. All four scenarios go through the
same Lua request() path, the plain one included.
EOF
  ((failures == 0)) || log "warning: $failures failed requests; see the tables in RESULTS.md"
}

# One build for both parts, so that both measure the same binary even if someone commits meanwhile.
if ((build)); then
  build_node
  ((memory)) && build_load_tool
fi
((throughput)) && run_throughput
assemble_results
if ((memory)); then
  trap - EXIT
  exec "$BENCH_DIR/memory.sh" --skip-build "${memory_args[@]}"
fi
