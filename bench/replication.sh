#!/usr/bin/env bash
# Replication benchmarks of issue 5 on 127.0.0.1; writes the "Replication (issue 5)" section of bench/RESULTS.md.
#
#   bench/replication.sh [--part writes|failover|both|report] [--skip-build] [--rounds 5] [--duration 8s] [--warmup 3s]
#                        [--trials 10] [--victim worker-1] [--interval-ms 25] [--results FILE] [--smoke]
#
# 1. Write cost (--part writes). Four clusters at once, each a Lighthouse, 3 workers and a front, differing only in
#    the settings given to every worker and the front: write-consistency local, one and all with replication-factor
#    2 (the default; with 2 copies `all` waits for the same single backup as `one`), and all with
#    replication-factor 3 (two backups to wait for). Settings as switches:
#    --session-cluster:replication:write-consistency=X --session-cluster:replication:replication-factor=N.
#    Per cluster, 16 sessions (one per wrk connection) created through its front beforehand, every shard homed and
#    holding its backups. wrk -t2 -c16 --latency `increment` through each front, a warm-up each, then --rounds
#    interleaved rounds (the cluster order rotates per round). Idle clusters stay up meanwhile (a little
#    gossip/anti-entropy traffic). Reported: median requests/s, p50, p99 per mode; ratio one/local per round.
# 2. Failover window (--part failover). Per trial: a fresh cluster (Lighthouse, 3 workers, front; shipped settings:
#    replication-factor 2, write-consistency one), every shard homed with its backup; one session whose home
#    (GET /cluster/sessions/{id} on the front) is worker-1, its counter `n` incremented once. Two curl loops through
#    the front, one reading (GET /session/attributes/n), one incrementing (POST /session/attributes/n/increment),
#    each starting a request every --interval-ms without waiting for the last (--max-time 5 s), start 1 s before
#    `kill -9` of worker-1 and stop 2 s after both have had a success (at most 20 s). Read/write window: kill →
#    the earliest end of a 2xx request *sent* after the kill. Failed: every answer that is not 2xx (000 = no answer within 5 s or connection error) in the whole
#    window. Afterwards the counter must equal 1 + the increments answered 2xx (no lost or doubled write).
#    --victim: the worker killed (default worker-1). Workers start in order, so worker-1 is the oldest worker and
#    hosts the shard coordinator: killing it also moves the coordinator; worker-2 or worker-3 is a plain home.
#    Each victim has its own fragment, so runs with different victims both appear in RESULTS.md.
#
# --part report only reassembles the section from the fragments in bench/out/replication (results-writes*.md, so an
# earlier run kept as results-writes-NAME.md is shown too, and results-failover-worker-*.md).
# --smoke: --rounds 1 --duration 3s --warmup 1s --trials 2 and results to bench/out/replication/smoke.md.
# Builds go to bench/out/replication/ with a private --artifacts-path ($BENCH_ARTIFACTS, default /tmp/art-bench2).
# Everything binds to 127.0.0.1 on free ports from 20000-32767. Every wait has a deadline. The EXIT trap kills, by
# PID, every node, wrk and poller this script started. Node logs (with timestamps) stay in bench/out/replication/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

use_out_dir "$BENCH_DIR/out/replication"
ARTIFACTS="${BENCH_ARTIFACTS:-/tmp/art-bench2}"
DEADLINE_SECONDS=90                                              # each wait: start-up, convergence, shards

part=both
rounds=5
duration=8s
warmup=3s
trials=10
victim=worker-1
interval_ms=25
connections=16
threads=2
build=1
results_file="$BENCH_DIR/RESULTS.md"
invocation="bench/replication.sh${*:+ $*}"
while (($#)); do
  case "$1" in
    --part) part="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    --interval-ms) interval_ms="$2"; shift 2 ;;
    --victim) victim="$2"; shift 2 ;;
    --results) results_file="$2"; shift 2 ;;
    --smoke) rounds=1; duration=3s; warmup=1s; trials=2; results_file="$OUT_DIR/smoke.md"; shift ;;
    -h|--help) print_usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$part" =~ ^(writes|failover|both|report)$ ]] || die "--part is writes, failover, both or report"
[[ "$victim" =~ ^worker-[123]$ ]] || die "--victim is worker-1, worker-2 or worker-3"
[[ "$rounds" =~ ^[0-9]+$ && "$trials" =~ ^[0-9]+$ ]] || die "rounds and trials are integers"
((rounds >= 1 && rounds <= 20 && trials >= 1 && trials <= 50)) || die "need 1 ≤ rounds ≤ 20, 1 ≤ trials ≤ 50"
[[ "$duration" =~ ^[0-9]+s$ && "$warmup" =~ ^[0-9]+s$ ]] || die "durations are whole seconds, e.g. 10s"
command -v jq >/dev/null 2>&1 || die "jq is missing: apt-get install -y jq"
ensure_wrk

# ---------------------------------------------------------------------------------------------------- processes

# start_cluster PREFIX [SETTING...]: PREFIX-lighthouse, PREFIX-worker-1..3 and PREFIX-front (settings to all but
# the Lighthouse), one after another.
start_cluster() {
  local p="$1" name
  shift
  pick_ports "$p-lighthouse" "$p-worker-1" "$p-worker-2" "$p-worker-3" "$p-front"
  start_node "$p-lighthouse" lighthouse --seed "$p-lighthouse"
  wait_http "$p-lighthouse" /health/live
  # One node at a time, each ready before the next: several joining at once on a loaded machine got a worker
  # marked unreachable and downed during start-up.
  for name in worker-1 worker-2 worker-3; do
    start_node "$p-$name" worker --seed "$p-lighthouse" "$@"
    wait_http "$p-$name" /health/ready
  done
  start_node "$p-front" front --seed "$p-lighthouse" "$@"
}

# ---------------------------------------------------------------------------------------------------- build

build_or_check "$build"

# ==================================================================================================== 1. write cost

CONFIGS=("local 2" "one 2" "all 2" "all 3")
cfg_name() { echo "c${1// /-rf}"; }

# run_wrk PREFIX SECONDS → the BENCH line plus cluster_busy (cores used by the cluster's 5 nodes) and other_cores
# (cores used by every process but this cluster and wrk: the other clusters' background and the other agent).
run_wrk() {
  local p="$1" seconds="$2" output line before_c before_all after_c after_all name wrk_s
  cluster_ticks() { local s=0 n; for n in lighthouse worker-1 worker-2 worker-3 front; do s=$((s + $(proc_ticks "${PID[$p-$n]}"))); done; echo $s; }
  before_c=$(cluster_ticks); before_all=$(cpu_busy_ticks)
  output=$(wrk -t "$threads" -c "$connections" -d "$seconds" --latency -s "$BENCH_DIR/wrk/session.lua" "$(url_of "$p-front")" \
    -- increment "$OUT_DIR/cookies-$p.txt" "$threads" 2>&1 && times) || { echo "$output" >&2; die "wrk failed on $p"; }
  after_c=$(cluster_ticks); after_all=$(cpu_busy_ticks)
  line=$(grep -m1 '^BENCH ' <<<"$output") || { echo "$output" >&2; die "wrk printed no BENCH line"; }
  wrk_s=$(tail -1 <<<"$output" | awk '{ for (i = 1; i <= 2; i++) { split($i, q, /[ms]/); t += q[1] * 60 + q[2] } print t }')
  awk -v line="$line" -v hz="$CLK_TCK" -v s="$(field "$line" seconds)" -v wrk="$wrk_s" -v c=$((after_c - before_c)) -v all=$((after_all - before_all)) \
    'BEGIN { o = (all - c) / hz - wrk; if (o < 0) o = 0; printf "%s cluster_cores=%.2f wrk_cores=%.2f other_cores=%.2f\n", line, c / hz / s, wrk / s, o / s }'
}

run_writes() {
  local started load_start cfg p i round line
  started=$(date -u '+%Y-%m-%d %H:%M UTC'); load_start=$(loadavg)
  local facts
  facts=$(machine_facts)                                         # its load average line is of now, the start
  LOG_PREFIX="$OUT_DIR/writes"
  rm -f "$LOG_PREFIX"-*.log
  # One cluster after another, each ready before the next starts: 20 processes starting at once on a loaded 2-core
  # machine starve the failure detector (seen: a worker marked unreachable and downed during start-up).
  for cfg in "${CONFIGS[@]}"; do
    set -- $cfg
    p=$(cfg_name "$cfg")
    start_cluster "$p" "--session-cluster:replication:write-consistency=$1" "--session-cluster:replication:replication-factor=$2"
    for i in worker-1 worker-2 worker-3 front; do wait_http "$p-$i" /health/ready; done
    wait_ready "$p-front" 3 $(($2 - 1))
    : >"$OUT_DIR/cookies-$p.txt"
    for i in $(seq 1 "$connections"); do
      new_session "$(url_of "$p-front")" PUT /session/attributes/payload '"x"' >>"$OUT_DIR/cookies-$p.txt"
    done
    log "writes: cluster $p ready (front $(url_of "$p-front")), $connections sessions"
  done
  for cfg in "${CONFIGS[@]}"; do
    p=$(cfg_name "$cfg"); log "writes: warm-up $p for $warmup"; run_wrk "$p" "$warmup" >/dev/null
  done
  declare -gA W=()
  for round in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((${#CONFIGS[@]} - 1))); do
      cfg="${CONFIGS[$(((i + round - 1) % ${#CONFIGS[@]}))]}"
      p=$(cfg_name "$cfg")
      line=$(run_wrk "$p" "$duration")
      W[$cfg,$round]="$line"
      log "writes round $round $cfg: $(field "$line" rps) req/s, p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, cluster $(field "$line" cluster_cores) cores, others $(field "$line" other_cores) cores, load $(loadavg)"
    done
  done
  local warnings load_end
  warnings=$(cat "$LOG_PREFIX"-*.log | grep -cE '^(warn|fail|crit):' || true)
  load_end=$(loadavg)
  stop_nodes
  med() { local r; for r in $(seq 1 "$rounds"); do field "${W[$1,$r]}" "$2"; done | median; }
  local ratio failed=0 key
  ratio=$(for r in $(seq 1 "$rounds"); do awk -v o="$(field "${W[one 2,$r]}" rps)" -v l="$(field "${W[local 2,$r]}" rps)" 'BEGIN { printf "%.3f\n", o / l }'; done | median)
  for key in "${!W[@]}"; do
    line="${W[$key]}"
    failed=$((failed + $(wrk_failed "$line")))
  done
  {
    echo "### Write cost of write-consistency"
    echo
    echo "- Date: $started"
    echo "$facts"
    echo "- **The machine was shared** with another agent running a multi-process test; load average at start $load_start, at end $load_end."
    echo "- Command: \`$invocation\`"
    echo "- Four clusters up at once (each a Lighthouse, 3 workers, a front; nothing pinned), differing only in"
    echo "  \`--session-cluster:replication:write-consistency\` / \`replication-factor\` given to every worker and the front."
    echo "  With replication-factor 2 there is one backup, so \`all\` waits for exactly what \`one\` waits for; \`all\` with"
    echo "  replication-factor 3 (two backups, i.e. a copy on every worker) is the case where \`all\` costs more."
    echo "- Load: wrk -t$threads -c$connections --latency, \`POST /session/attributes/counter/increment?by=1\` through the front on"
    echo "  $connections sessions created beforehand (one per connection, homes spread over the 3 workers); a $warmup warm-up"
    echo "  each, then $rounds interleaved round(s) of $duration per cluster, the order rotating per round. Medians over rounds."
    echo
    echo "| write-consistency | replication-factor | requests/s | p50 ms | p99 ms | cluster CPU (cores) | wrk CPU (cores) | other processes (cores) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for cfg in "${CONFIGS[@]}"; do
      set -- $cfg
      printf '| %s | %s | %.0f | %.3f | %.3f | %.2f | %.2f | %.2f |\n' "$1" "$2" "$(med "$cfg" rps)" "$(med "$cfg" p50_ms)" "$(med "$cfg" p99_ms)" \
        "$(med "$cfg" cluster_cores)" "$(med "$cfg" wrk_cores)" "$(med "$cfg" other_cores)"
    done
    echo
    echo "Ratio one/local requests/s (median of the per-round ratios): **$ratio** (target ≥ 0.7: $(verdict "$ratio" ">=" 0.7))."
    echo "Failed requests in all runs (non-2xx, connect, read, write, timeout): **$failed**. warn/fail/crit log lines: $warnings."
    echo
    echo "Every run: requests/s / p50 ms / p99 ms (cores used by other processes meanwhile)."
    echo
    echo "| mode |$(for r in $(seq 1 "$rounds"); do printf ' round %s |' "$r"; done)"
    echo "| --- |$(for _ in $(seq 1 "$rounds"); do printf ' ---: |'; done)"
    for cfg in "${CONFIGS[@]}"; do
      set -- $cfg
      printf '| %s, rf %s |' "$1" "$2"
      for r in $(seq 1 "$rounds"); do
        line="${W[$cfg,$r]}"
        printf ' %.0f / %.3f / %.3f (%s) |' "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" other_cores)"
      done
      echo
    done
  } >"$OUT_DIR/results-writes.md"
}

# ==================================================================================================== 2. failover

# poll_loop KIND URL COOKIE OUT STOPFILE: every --interval-ms a new request in the background (so a request held
# across the failover does not hold up the next one), until STOPFILE exists (at most 25 s); then waits for those in
# flight (at most 5 s each). Each request appends "start_s end_s status" to OUT.
poll_loop() {
  local kind="$1" url="$2" cookie="$3" out="$4" stop="$5" limit=$((SECONDS + 25)) method=GET path=/session/attributes/n
  [[ "$kind" == write ]] && { method=POST; path=/session/attributes/n/increment; }
  local pause
  pause=$(awk -v ms="$interval_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
  while [[ ! -e "$stop" ]] && ((SECONDS < limit)); do
    (
      t0=$EPOCHREALTIME
      code=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' -X "$method" -H "Content-Length: 0" \
        -H "Cookie: SESSIONID=$cookie" "$url$path" 2>/dev/null || true)
      echo "$t0 $EPOCHREALTIME ${code:-000}" >>"$out"
    ) &
    sleep "$pause"
  done
  wait
}

# window FILE KILL_S → "first_ms failed sent_after max_ms held": first_ms is kill → the earliest end of a 2xx request
# sent after the kill ("none" if none); failed counts non-2xx over the whole file; max_ms the longest request sent
# after the kill; held: requests sent before the kill and answered more than 100 ms after it (held across failover).
window() {
  awk -v k="$2" '{ ok = ($3 >= 200 && $3 < 300) }
    !ok { failed++ }
    $1 < k && $2 > k + 0.1 { held++ }
    $1 >= k { after++; d = ($2 - $1) * 1000; if (d > max) max = d; e = ($2 - k) * 1000; if (ok && (first == "" || e < first)) first = e }
    END { printf "%s %d %d %.0f %d\n", (first == "" ? "none" : sprintf("%.0f", first)), failed, after, max, held }' "$1"
}

run_failover_trial() {
  local trial="$1" p="f$1-$victim" cookie home target tries=0 load_start
  load_start=$(loadavg)
  start_cluster "$p"
  for i in worker-1 worker-2 worker-3 front; do wait_http "$p-$i" /health/ready; done
  wait_ready "$p-front" 3 1
  target=$(address_of "$p-$victim")
  while true; do
    tries=$((tries + 1))
    ((tries <= 60)) || die "trial $trial: no session homed on $victim after 60 tries"
    cookie=$(new_session "$(url_of "$p-front")" POST /session/attributes/n/increment)
    home=$(curl -sf --noproxy '*' --max-time 5 "$(url_of "$p-front")/cluster/sessions/${cookie%%.*}" | jq -r .home || true)
    [[ "$home" == "$target" ]] && break
  done
  local before
  before=$(curl -sf --noproxy '*' --max-time 5 -H "Cookie: SESSIONID=$cookie" "$(url_of "$p-front")/session/attributes/n" || echo '?')
  local reads="$OUT_DIR/failover-$victim-$trial-reads.txt" writes="$OUT_DIR/failover-$victim-$trial-writes.txt" stop="$OUT_DIR/failover-$victim-$trial.stop"
  rm -f "$reads" "$writes" "$stop"; : >"$reads"; : >"$writes"
  poll_loop read "$(url_of "$p-front")" "$cookie" "$reads" "$stop" & EXTRA_PIDS+=($!)
  poll_loop write "$(url_of "$p-front")" "$cookie" "$writes" "$stop" & EXTRA_PIDS+=($!)
  sleep 1
  local kill_s=$EPOCHREALTIME
  kill -KILL "${PID[$p-$victim]}"
  log "trial $trial: killed $victim (home of session ${cookie%%.*}, counter $before) at $(date +%H:%M:%S.%3N)"
  local deadline=$((SECONDS + 20)) done_at=""
  while ((SECONDS < deadline)); do
    if [[ -z "$done_at" ]] && awk -v k="$kill_s" '$1 >= k && $3 ~ /^2/ { f = 1 } END { exit !f }' "$reads" &&
       awk -v k="$kill_s" '$1 >= k && $3 ~ /^2/ { f = 1 } END { exit !f }' "$writes"; then
      done_at=$SECONDS
    fi
    [[ -n "$done_at" ]] && ((SECONDS >= done_at + 2)) && break
    sleep 0.1
  done
  touch "$stop"
  local pid
  for pid in "${EXTRA_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  EXTRA_PIDS=()
  local r w after expected
  r=$(window "$reads" "$kill_s"); w=$(window "$writes" "$kill_s")
  after=$(curl -s --noproxy '*' --max-time 5 -H "Cookie: SESSIONID=$cookie" "$(url_of "$p-front")/session/attributes/n" | jq -r .value 2>/dev/null || true)
  [[ -n "$after" ]] || after='?' 
  expected=$((1 + $(awk '$3 ~ /^2/ { n++ } END { print n + 0 }' "$writes")))
  local warnings
  warnings=$(cat "$LOG_PREFIX-$p"-*.log | grep -cE '^(warn|fail|crit):' || true)
  stop_nodes
  read -r r_first r_failed r_after r_max r_held <<<"$r"
  read -r w_first w_failed w_after w_max w_held <<<"$w"
  log "trial $trial: read ${r_first} ms (failed $r_failed, $r_after sent after kill, longest $r_max ms, $r_held held), write ${w_first} ms (failed $w_failed, $w_after after, longest $w_max ms, $w_held held); counter $after, expected $expected"
  FO_ROWS+=("| $trial | $tries | **$r_first** | $r_after / $r_max / $r_held | **$w_first** | $w_after / $w_max / $w_held | $((r_failed + w_failed)) | $after / $expected | $warnings | $load_start |")
  FO_READ+=("$r_first"); FO_WRITE+=("$w_first"); FO_FAILED=$((FO_FAILED + r_failed + w_failed))
  [[ "$after" == "$expected" ]] || FO_MISMATCH=$((FO_MISMATCH + 1))
}

run_failover() {
  FO_ROWS=(); FO_READ=(); FO_WRITE=(); FO_FAILED=0; FO_MISMATCH=0
  local started load_start trial
  started=$(date -u '+%Y-%m-%d %H:%M UTC'); load_start=$(loadavg)
  local facts
  facts=$(machine_facts)
  LOG_PREFIX="$OUT_DIR/failover"
  rm -f "$LOG_PREFIX"-f*-"$victim"-*.log
  for trial in $(seq 1 "$trials"); do run_failover_trial "$trial"; done
  local rmed rmax wmed wmax rnone wnone
  rmed=$(printf '%s\n' "${FO_READ[@]}" | grep -v none | median); rmax=$(printf '%s\n' "${FO_READ[@]}" | grep -v none | sort -n | tail -1)
  wmed=$(printf '%s\n' "${FO_WRITE[@]}" | grep -v none | median); wmax=$(printf '%s\n' "${FO_WRITE[@]}" | grep -v none | sort -n | tail -1)
  rnone=$(printf '%s\n' "${FO_READ[@]}" | grep -c none || true); wnone=$(printf '%s\n' "${FO_WRITE[@]}" | grep -c none || true)
  {
    echo "### Failover window: kill -9 of a session's home ($victim$([[ $victim == worker-1 ]] && echo ', which also hosts the shard coordinator' || echo ', not the coordinator'))"
    echo
    echo "- Date: $started"
    echo "$facts"
    echo "- **The machine was shared** with another agent running a multi-process test; load average at start $load_start, at end $(loadavg) (per trial below)."
    echo "- Command: \`$invocation\`"
    echo "- Per trial a fresh cluster: a Lighthouse, 3 workers, a front, shipped settings (replication-factor 2, write-consistency"
    echo "  one), every shard homed and holding its backup; one session (counter \`n\` = 1) whose home per the front's"
    echo "  \`GET /cluster/sessions/{id}\` is $victim (*tries*: sessions created until one was). Workers start in order, so"
    echo "  worker-1 is the oldest worker and hosts the shard coordinator (\"Shard coordinator on …: Rebuilding\" on the"
    echo "  survivors after its kill)."
    echo "- Two pollers through the front, each starting a new curl process every ${interval_ms} ms without waiting for the"
    echo "  previous one (so a request held across the failover does not delay the next; --max-time 5 s):"
    echo "  \`GET /session/attributes/n\` and \`POST /session/attributes/n/increment\`; from 1 s before \`kill -9\` of $victim to 2 s"
    echo "  after both had a success after the kill. *Window*: ms from the kill to the earliest end of a 2xx request sent"
    echo "  after it. *Held*: requests sent before the kill and answered > 100 ms after it. *Failed*: answers that were not"
    echo "  2xx (or no answer in 5 s), reads and writes, over the whole loop. *Counter*: its value afterwards / 1 + the"
    echo "  increments answered 2xx (equal: no write lost or counted twice)."
    echo
    echo "| trial | tries | read window ms | reads sent after kill / longest ms / held | write window ms | writes sent after kill / longest ms / held | failed | counter / expected | warn/fail log lines | load avg at start |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${FO_ROWS[@]}"
    echo
    echo "| | median ms | max ms | target | verdict |"
    echo "| --- | ---: | ---: | --- | --- |"
    echo "| read window | $rmed | ${rmax:--} | median ≤ 200 ms | $( ((rnone == 0)) && verdict "$rmed" "<=" 200 || echo "**not met** ($rnone trials without a read)") |"
    echo "| write window | $wmed | ${wmax:--} | median ≤ 1000 ms | $( ((wnone == 0)) && verdict "$wmed" "<=" 1000 || echo "**not met** ($wnone trials without a write)") |"
    echo "| failed requests, all trials | $FO_FAILED | | 0 | $( ((FO_FAILED == 0)) && echo met || echo '**not met**') |"
    echo
    echo "Trials whose counter did not match: $FO_MISMATCH. Request timelines: bench/out/replication/failover-$victim-TRIAL-{reads,writes}.txt; node logs failover-fTRIAL-$victim-*.log."
  } >"$OUT_DIR/results-failover-$victim.md"
}

# ==================================================================================================== results

write_results() {
  write_section "$results_file" "Replication (issue 5)" \
    "Produced by \`bench/replication.sh\`; every figure was measured on the runs described, none estimated." \
    "$OUT_DIR"/results-writes*.md "$OUT_DIR"/results-failover-worker-*.md
}

[[ "$part" == failover || "$part" == report ]] || run_writes
[[ "$part" == writes || "$part" == report ]] || run_failover
write_results
