#!/usr/bin/env bash
# Sharding benchmarks of issue 4 on 127.0.0.1; writes the "Sharding (issue 4)" section of bench/RESULTS.md.
#
#   bench/sharding.sh [--part front|rebalance|both] [--source worktree|head] [--skip-build]
#                     [--rounds 3] [--duration 15s] [--warmup 5s] [--layouts "owner-alone wrk-alone shared"]
#                     [--trials 3] [--sessions 100000] [--value-bytes 1000] [--results FILE]
#
# 1. Front vs direct (--part front). Per layout: a Lighthouse, 2 workers and 1 front. 16 sessions (one per wrk
#    connection) that all live on worker-1: created through worker-1 with a 100-byte attribute, kept only when
#    GET /cluster/sessions/{id} names worker-1 as their home. Then wrk -t2 -c16 --latency, `read` and `increment`,
#    against (a) the front, (b) nginx proxying to worker-1 alone (keepalive; on the front's cores, as a reference:
#    what a plain C reverse proxy costs in the same place) and (c) worker-1 directly, same sessions, interleaved in
#    every round, after a warm-up; and a 1-connection read probe on each (latency without queueing). nginx is
#    installed with apt when missing. Layouts (taskset; 2 cores assumed, more work):
#      owner-alone  worker-1 on core 0; the front, nginx, wrk and the idle Lighthouse and worker-2 on core 1
#      wrk-alone    worker-1, the front, nginx and the idle nodes on core 0; wrk on core 1
#      shared       nothing pinned
#    Direct runs are the same in both pinned layouts (worker-1 on core 0, wrk on core 1, as bench/run.sh's pinned).
# 2. Rebalance (--part rebalance). Per trial: a Lighthouse, 3 workers and a front; exactly --sessions sessions of one
#    --value-bytes attribute created through the front (bench/SessionLoad); /cluster/shards must count them all.
#    Then wrk (mixed read/increment on 1000 of those sessions, through the front) and, 5 s later, a 4th worker. SessionLoad
#    watch polls the front every 100 ms and times the 4th worker Up and the shards settled (4 homes × 25, none
#    moving); wrk stops 3 s after that and reports every non-2xx status and socket error. Afterwards /cluster/shards
#    must still count exactly --sessions, and the 1000 sessions must read back their attribute with no new cookie.
#
# Builds go to bench/out/sharding/ with a private --artifacts-path (/tmp/art-sharding, or $SHARDING_BENCH_ARTIFACTS).
# Everything binds to 127.0.0.1 on free ports from 20000-32767. Every wait has a deadline. The EXIT trap kills, by
# PID, every node, wrk and watcher this script started. Node logs (with timestamps) stay in bench/out/sharding/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

use_out_dir "$BENCH_DIR/out/sharding"                            # our own binaries and logs
ARTIFACTS="${SHARDING_BENCH_ARTIFACTS:-/tmp/art-sharding}"       # private obj/bin: others build this repo concurrently
DEADLINE_SECONDS=60                                              # each wait: start-up, convergence, shards

part=both
rounds=3
duration=15s
warmup=5s
connections=16
threads=2
layouts="owner-alone wrk-alone shared"
trials=3
sessions=100000
value_bytes=1000
build=1
results_file="$BENCH_DIR/RESULTS.md"
invocation="bench/sharding.sh${*:+ $*}"
while (($#)); do
  case "$1" in
    --part) part="$2"; shift 2 ;;
    --source) SOURCE="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --layouts) layouts="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --value-bytes) value_bytes="$2"; shift 2 ;;
    --results) results_file="$2"; shift 2 ;;
    -h|--help) print_usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$part" =~ ^(front|rebalance|both)$ ]] || die "--part is front, rebalance or both"
[[ "$rounds" =~ ^[0-9]+$ && "$trials" =~ ^[0-9]+$ && "$sessions" =~ ^[0-9]+$ && "$value_bytes" =~ ^[0-9]+$ ]] || die "rounds, trials, sessions and value-bytes are integers"
((rounds >= 1 && rounds <= 20 && trials >= 1 && trials <= 20 && sessions >= 1000 && value_bytes >= 2)) || die "need 1 ≤ rounds, trials ≤ 20, sessions ≥ 1000, value-bytes ≥ 2"
[[ "$duration" =~ ^[0-9]+s$ && "$warmup" =~ ^[0-9]+s$ ]] || die "durations are whole seconds, e.g. 15s"
command -v jq >/dev/null 2>&1 || die "jq is missing: apt-get install -y jq"
ensure_wrk
[[ "$part" == rebalance ]] || ensure_nginx
(($(nproc) >= 2)) || die "the pinned layouts need at least 2 cores"

build_or_check "$build" --with-load

# ==================================================================================================== 1. front vs direct

# run_wrk URL MODE CONNECTIONS THREADS SECONDS COOKIES → wrk's BENCH line plus CPU: owner_busy, front_busy and
# nginx_busy are worker-1's, the front's and nginx's CPU in % of one core; other_cores the cores that processes other
# than the cluster, nginx and wrk used meanwhile (colleagues' builds).
WRK_PIN=()
run_wrk() {
  local url="$1" mode="$2" conns="$3" wthreads="$4" seconds="$5" cookies="$6" output line
  local owner_before front_before nginx_before nodes_before all_before wrk_seconds
  local owner_after front_after nginx_after nodes_after all_after
  owner_before=$(proc_ticks "${PID[worker-1]}"); front_before=$(proc_ticks "${PID[front]}"); nginx_before=$(nginx_ticks)
  nodes_before=$(nodes_ticks); all_before=$(cpu_busy_ticks)
  output=$("${WRK_PIN[@]}" wrk -t "$wthreads" -c "$conns" -d "$seconds" --latency -s "$BENCH_DIR/wrk/session.lua" "$url" \
    -- "$mode" "$cookies" "$wthreads" 2>&1 && times) || { echo "$output" >&2; die "wrk failed on $mode at $url"; }
  owner_after=$(proc_ticks "${PID[worker-1]}"); front_after=$(proc_ticks "${PID[front]}"); nginx_after=$(nginx_ticks)
  nodes_after=$(nodes_ticks); all_after=$(cpu_busy_ticks)
  line=$(grep -m1 '^BENCH ' <<<"$output") || { echo "$output" >&2; die "wrk printed no BENCH line"; }
  wrk_seconds=$(tail -1 <<<"$output" | awk '{ for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } print t }')
  awk -v line="$line" -v hz="$CLK_TCK" -v s="$(field "$line" seconds)" -v wrk="$wrk_seconds" \
    -v owner=$((owner_after - owner_before)) -v front=$((front_after - front_before)) -v nginx=$((nginx_after - nginx_before)) \
    -v nodes=$((nodes_after - nodes_before + nginx_after - nginx_before)) -v all=$((all_after - all_before)) \
    'BEGIN { other = (all - nodes) / hz - wrk; if (other < 0) other = 0
             printf "%s owner_busy=%.0f front_busy=%.0f nginx_busy=%.0f wrk_busy=%.0f other_cores=%.2f\n", line, 100 * owner / hz / s, 100 * front / hz / s, 100 * nginx / hz / s, 100 * wrk / s, other / s }'
}

# start_nginx CPUS: nginx proxying everything to worker-1 alone, with keepalive connections to it, on CPUS (a taskset
# list; empty: all cores) with one worker process per core it may use. Not the product: the reference for the front.
NGINX_PID=""
start_nginx() {
  local cpus="$1" dir="$LOG_PREFIX-nginx" workers pin=()
  if [[ -n "$cpus" ]]; then pin=(taskset -c "$cpus"); workers=$(taskset -c "$cpus" nproc); else workers=$(nproc); fi
  rm -rf "$dir"
  write_nginx_conf "$dir" "$workers" <<CONF
    upstream owner { server 127.0.0.1:${HPORT[worker-1]}; keepalive 32; }
    server {
        listen 127.0.0.1:${HPORT[nginx]};
        location / {
            proxy_pass http://owner;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
CONF
  "${pin[@]}" "$NGINX" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' >"$dir/out.log" 2>&1 &
  NGINX_PID=$!
  PLACE[nginx]="${cpus:-all cores} ($workers worker process$( ((workers == 1)) || echo es))"
  local deadline=$((SECONDS + DEADLINE_SECONDS))
  until curl -sf --noproxy '*' -o /dev/null "$(url_of nginx)/health/live"; do
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$dir/out.log" "$dir/error.log" >&2; die "nginx exited during start-up"; }
    ((SECONDS < deadline)) || die "nginx did not proxy /health/live within ${DEADLINE_SECONDS}s"
    sleep 0.2
  done
}

# nginx_ticks: CPU ticks of nginx's master and worker processes (0 when none runs).
nginx_ticks() {
  [[ -n "$NGINX_PID" ]] || { echo 0; return; }
  local pid sum=0
  for pid in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do sum=$((sum + $(proc_ticks "$pid"))); done
  echo "$sum"
}

# stop_nginx: a fast shutdown (SIGTERM to the master, which ends its workers), then reaped.
stop_nginx() {
  [[ -n "$NGINX_PID" ]] || return 0
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}
trap 'stop_nginx; cleanup' EXIT

# make_owned_cookies FILE COUNT: sessions created through worker-1, kept only when worker-1 is their home.
make_owned_cookies() {
  local file="$1" count="$2" owner value attempts=0 cookie home
  owner=$(address_of worker-1)
  value="\"$(printf 'v%.0s' $(seq 1 98))\""
  : >"$file"
  while (($(wc -l <"$file") < count)); do
    attempts=$((attempts + 1))
    ((attempts <= 40 * count)) || die "after $attempts sessions created through worker-1, only $(wc -l <"$file") live there"
    cookie=$(curl -sf --noproxy '*' -o /dev/null -D - -X PUT -H 'Content-Type: application/json' --data "$value" \
      "$(url_of worker-1)/session/attributes/payload" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: SESSIONID=\([^;]*\).*/\1/p' || true)
    [[ -n "$cookie" ]] || die "a cookie-less PUT to worker-1 set no session cookie"
    home=$(curl -sf --noproxy '*' "$(url_of worker-1)/cluster/sessions/${cookie%%.*}" | jq -r .home || true)
    [[ "$home" == "$owner" ]] && echo "$cookie" >>"$file"
  done
  OWNED_ATTEMPTS=$attempts
}

declare -A describe_layout=(
  [owner-alone]="worker-1 (the owner) on core 0; the front, nginx, wrk, the Lighthouse and worker-2 (both idle) on core 1"
  [wrk-alone]="worker-1 (the owner), the front, nginx, the Lighthouse and worker-2 on core 0; wrk on core 1"
  [shared]="nothing pinned: every process may use both cores"
)

FRONT_TARGETS=()   # rows of the targets table, over all layouts
declare -A FRONT_FIGURE=()   # [layout,figure]: the medians the plain summary is written from

run_front_layout() {
  local layout="$1" owner_cpus="" rest_cpus="" name
  case "$layout" in
    owner-alone) owner_cpus=0; rest_cpus=1; WRK_PIN=(taskset -c 1) ;;
    wrk-alone) owner_cpus=0; rest_cpus=0; WRK_PIN=(taskset -c 1) ;;
    shared) WRK_PIN=() ;;
    *) die "unknown layout '$layout': use owner-alone, wrk-alone or shared" ;;
  esac
  wait_for_quiet
  local quiet_note="$QUIET_NOTE" load_at_start
  load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
  LOG_PREFIX="$OUT_DIR/front-$layout"
  rm -f "$LOG_PREFIX"-*.log
  pick_ports lighthouse worker-1 worker-2 front nginx
  start_node lighthouse lighthouse --cpus "$rest_cpus"
  wait_http lighthouse /health/live
  start_node worker-1 worker --cpus "$owner_cpus"
  start_node worker-2 worker --cpus "$rest_cpus"
  start_node front front --cpus "$rest_cpus"
  for name in worker-1 worker-2 front; do wait_http "$name" /health/ready; done
  wait_members front 4
  wait_shards front 2 0 || die "$layout: shards not allocated 50/50 within ${DEADLINE_SECONDS}s (last view: $SHARD_VIEW)"
  log "$layout: cluster up (front $(url_of front), worker-1 $(url_of worker-1)); making $connections sessions that live on worker-1"

  local cookies_file="$OUT_DIR/front-$layout-cookies.txt" first
  make_owned_cookies "$cookies_file" "$connections"
  # Every path answers a read with the cookie's route set to the session's home (worker-1), as a browser holds it
  # after its first answer from any of them; so no path rewrites the cookie (checked here: a Set-Cookie on every
  # response would be work no browser causes).
  first=$(head -1 "$cookies_file")
  if curl -sf --noproxy '*' -o /dev/null -D - -H "Cookie: SESSIONID=$first" "$(url_of front)/session" | grep -qi '^set-cookie'; then
    die "$layout: the front rewrote the cookie $first of a session homed on worker-1"
  fi
  log "$layout: $connections sessions on worker-1 out of $OWNED_ATTEMPTS created"

  start_nginx "$rest_cpus"
  local -A url=([front]="$(url_of front)" [nginx]="$(url_of nginx)" [direct]="$(url_of worker-1)")
  local -A cookies=([front]="$cookies_file" [nginx]="$cookies_file" [direct]="$cookies_file")
  local mode via round line
  for mode in read increment; do
    for via in front nginx direct; do
      log "$layout: warm-up $mode via $via for $warmup"
      run_wrk "${url[$via]}" "$mode" "$connections" "$threads" "$warmup" "${cookies[$via]}" >/dev/null
    done
  done
  local -A results=()
  for round in $(seq 1 "$rounds"); do
    for mode in read increment; do
      for via in front nginx direct; do
        line=$(run_wrk "${url[$via]}" "$mode" "$connections" "$threads" "$duration" "${cookies[$via]}")
        results[$mode,$via,$round]="$line"
        log "$layout round $round $mode via $via: $(field "$line" rps) req/s, p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, worker-1 $(field "$line" owner_busy)%, front $(field "$line" front_busy)%, nginx $(field "$line" nginx_busy)%, others $(field "$line" other_cores) cores"
      done
    done
    for via in front nginx direct; do
      line=$(run_wrk "${url[$via]}" read 1 1 5s "${cookies[$via]}")
      results[probe,$via,$round]="$line"
      log "$layout round $round 1-connection read via $via: p50 $(field "$line" p50_ms) ms"
    done
  done
  local failed=0 key
  for key in "${!results[@]}"; do
    line="${results[$key]}"
    failed=$((failed + $(wrk_failed "$line")))
  done
  local placement=""
  for name in lighthouse worker-1 worker-2 front nginx; do placement+="$name: ${PLACE[$name]}; "; done
  if ((${#WRK_PIN[@]})); then placement+="wrk: core ${WRK_PIN[2]}"; else placement+="wrk: all cores"; fi
  stop_nginx
  stop_nodes

  # per-mode, per-via medians; per-round derived figures (front, or nginx, over direct in the same round).
  med() { local m="$1" v="$2" f="$3" r; for r in $(seq 1 "$rounds"); do field "${results[$m,$v,$r]}" "$f"; done | median; }
  derived() {
    local m="$1" what="$2" proxy="${3:-front}" r
    for r in $(seq 1 "$rounds"); do
      awk -v fr="$(field "${results[$m,$proxy,$r]}" rps)" -v dr="$(field "${results[$m,direct,$r]}" rps)" \
        -v fp="$(field "${results[$m,$proxy,$r]}" p50_ms)" -v dp="$(field "${results[$m,direct,$r]}" p50_ms)" -v w="$what" \
        'BEGIN { if (w == "ratio") printf "%.1f\n", 100 * fr / dr; else printf "%.0f\n", 1000 * (fp - dp) }'
    done | median
  }
  local busiest
  busiest=$(for key in "${!results[@]}"; do field "${results[$key]}" other_cores; done | sort -g | tail -1)
  {
    echo
    echo "#### Layout \`$layout\`: ${describe_layout[$layout]}"
    echo
    echo "Placement: $placement. Load average at start $load_at_start; quiet check: $quiet_note."
    if awk -v b="$busiest" 'BEGIN { exit !(b > 0.3) }'; then
      echo "**Disturbed:** other processes used up to $busiest cores during some runs (the parenthesised figures"
      echo "below); those runs understate the cluster."
    fi
    echo
    echo "| mode | via | requests/s | p50 ms | p99 ms | worker-1 CPU | front CPU | nginx CPU | wrk CPU |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for mode in read increment probe; do
      for via in front nginx direct; do
        printf '| %s | %s | %.0f | %.3f | %.3f | %.0f%% | %.0f%% | %.0f%% | %.0f%% |\n' \
          "$([[ $mode == probe ]] && echo 'read, 1 connection (no queueing)' || echo "$mode")" "$via" "$(med "$mode" "$via" rps)" \
          "$(med "$mode" "$via" p50_ms)" "$(med "$mode" "$via" p99_ms)" "$(med "$mode" "$via" owner_busy)" \
          "$(med "$mode" "$via" front_busy)" "$(med "$mode" "$via" nginx_busy)" "$(med "$mode" "$via" wrk_busy)"
      done
    done
    echo
    echo "| mode | front/direct requests/s (target ≥ 60%) | front p50 − direct p50 (target ≤ 150 µs) | nginx/direct requests/s (reference) | nginx p50 − direct p50 (reference) |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    for mode in read increment; do
      printf '| %s | %s%% (%s) | %s µs (%s) | %s%% | %s µs |\n' "$mode" "$(derived "$mode" ratio)" "$(verdict "$(derived "$mode" ratio)" ">=" 60)" \
        "$(derived "$mode" added)" "$(verdict "$(derived "$mode" added)" "<=" 150)" "$(derived "$mode" ratio nginx)" "$(derived "$mode" added nginx)"
    done
    printf '| read, 1 connection (no queueing; for information) | %s%% | %s µs | %s%% | %s µs |\n' "$(derived probe ratio)" "$(derived probe added)" \
      "$(derived probe ratio nginx)" "$(derived probe added nginx)"
    echo
    echo "Every run: requests/s / p50 ms / p99 ms (cores used by other processes meanwhile); failed requests in all"
    echo "runs of this layout (non-2xx, connect, read, write, timeout): **$failed**."
    echo
    echo "| mode | via |$(for r in $(seq 1 "$rounds"); do printf ' round %s |' "$r"; done)"
    echo "| --- | --- |$(for _ in $(seq 1 "$rounds"); do printf ' ---: |'; done)"
    for mode in read increment probe; do
      for via in front nginx direct; do
        printf '| %s | %s |' "$([[ $mode == probe ]] && echo 'read, 1 conn.' || echo "$mode")" "$via"
        for r in $(seq 1 "$rounds"); do
          line="${results[$mode,$via,$r]}"
          printf ' %.0f / %.3f / %.3f (%s) |' "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" other_cores)"
        done
        echo
      done
    done
  } >>"$OUT_DIR/results-front.md"
  local front_rps direct_rps read_ratio incr_ratio read_added incr_added
  front_rps=$(printf '%.0f' "$(med read front rps)"); direct_rps=$(printf '%.0f' "$(med read direct rps)")
  read_ratio=$(derived read ratio); incr_ratio=$(derived increment ratio)
  read_added=$(derived read added); incr_added=$(derived increment added)
  FRONT_FIGURE[$layout,front]=$front_rps; FRONT_FIGURE[$layout,direct]=$direct_rps
  FRONT_FIGURE[$layout,read_ratio]=$read_ratio; FRONT_FIGURE[$layout,incr_ratio]=$incr_ratio
  FRONT_FIGURE[$layout,read_added]=$read_added; FRONT_FIGURE[$layout,incr_added]=$incr_added
  FRONT_FIGURE[$layout,probe_added]=$(derived probe added)
  FRONT_FIGURE[$layout,nginx_read_ratio]=$(derived read ratio nginx); FRONT_FIGURE[$layout,nginx_incr_ratio]=$(derived increment ratio nginx)
  FRONT_FIGURE[$layout,nginx_read_added]=$(derived read added nginx); FRONT_FIGURE[$layout,nginx_incr_added]=$(derived increment added nginx)
  FRONT_TARGETS+=("| $layout | $front_rps ($(verdict "$front_rps" ">=" 15400)) | $direct_rps ($(verdict "$direct_rps" ">=" 43500)) | $read_ratio% ($(verdict "$read_ratio" ">=" 60)) / $incr_ratio% ($(verdict "$incr_ratio" ">=" 60)) | $read_added ($(verdict "$read_added" "<=" 150)) / $incr_added µs ($(verdict "$incr_added" "<=" 150)) | $(derived probe added) µs | ${FRONT_FIGURE[$layout,nginx_read_ratio]}% / ${FRONT_FIGURE[$layout,nginx_incr_ratio]}%; ${FRONT_FIGURE[$layout,nginx_read_added]} / ${FRONT_FIGURE[$layout,nginx_incr_added]} µs | $failed |")
}

run_front() {
  {
    echo "### Front vs direct"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    machine_facts
    echo "- Command: \`$invocation\`"
    echo "- Cluster: a Lighthouse, 2 workers (hocon/worker.conf) and 1 front (hocon/front.conf), each its own process on"
    echo "  127.0.0.1, Release builds with their shipped settings (server GC with DATAS, 100 shards, 50 per worker)"
    echo "- Sessions: $connections, one per wrk connection, each created by a cookie-less PUT of a 100-byte \`payload\` through"
    echo "  worker-1 and kept only if \`GET /cluster/sessions/{id}\` names worker-1 as its home; every path gets them with"
    echo "  worker-1's route in the cookie (as a browser holds it after its first answer from any path), so no path rewrites it"
    echo "- Load: wrk -t$threads -c$connections -d$duration --latency (closed loop), \`read\` = \`GET /session\`, \`increment\` ="
    echo "  \`POST /session/attributes/counter/increment?by=1\`; per round the six runs interleaved (read via the front, via"
    echo "  nginx and direct, then increment the same), then a 5 s \`read\` with 1 connection and 1 thread on each path;"
    echo "  $rounds rounds after a $warmup warm-up of each; tables show the median over rounds of each figure; the derived"
    echo "  figures are computed per round (front or nginx against direct of the same round) and their median is shown"
    echo "- Reference, not a target: $("$NGINX" -v 2>&1 | sed 's/.*: //') proxying to worker-1 alone (keepalive connections to it, one worker"
    echo "  process per core it may use, on the front's cores), with the same sessions and worker-1's own route in the"
    echo "  cookie: what a mature C reverse proxy, with no session logic of its own, costs in the front's place"
    echo "- CPU columns: each process's user + system time over the run, in % of one core"
  } >"$OUT_DIR/results-front.md"
  FRONT_TARGETS=()
  local layout
  for layout in $layouts; do run_front_layout "$layout"; done
  {
    echo
    echo "#### Front vs direct: targets"
    echo
    echo "Old stack (httpd + mod_jk in front of Tomcat): 5.6–7.7k reads/s through httpd, 26–29k directly on one Tomcat."
    echo "Targets: reads via the front ≥ 2 × 7.7k = 15.4k/s; reads directly on the worker ≥ 1.5 × 29k = 43.5k/s; front/direct"
    echo "throughput ≥ 60%; front p50 − direct p50 ≤ 150 µs (at -c$connections)."
    echo
    echo "| layout | reads/s via front (≥ 15,400) | reads/s direct (≥ 43,500) | front/direct read / increment (≥ 60%) | added p50 read / increment, -c$connections (≤ 150 µs) | added p50, 1 connection | nginx in the front's place (reference): /direct read / increment; added p50 read / increment | failed requests |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${FRONT_TARGETS[@]}"
    echo
    echo "In plain words (medians per layout, layouts in the order run):"
    echo
    summary_line "Reads via the front ≥ 15,400/s" front ">=" 15400 "/s"
    summary_line "Reads directly on the owning worker ≥ 43,500/s" direct ">=" 43500 "/s"
    summary_line "Front/direct throughput ≥ 60% (reads)" read_ratio ">=" 60 "%"
    summary_line "Front/direct throughput ≥ 60% (increments)" incr_ratio ">=" 60 "%"
    summary_line "Front p50 − direct p50 ≤ 150 µs at -c$connections (reads)" read_added "<=" 150 " µs"
    summary_line "Front p50 − direct p50 ≤ 150 µs at -c$connections (increments)" incr_added "<=" 150 " µs"
    summary_line "For information, the same with 1 connection (reads, no queueing)" probe_added "<=" 150 " µs"
    summary_line "Reference: nginx/direct throughput ≥ 60% (reads)" nginx_read_ratio ">=" 60 "%"
    summary_line "Reference: nginx p50 − direct p50 ≤ 150 µs at -c$connections (reads)" nginx_read_added "<=" 150 " µs"
    summary_line "Reference: nginx p50 − direct p50 ≤ 150 µs at -c$connections (increments)" nginx_incr_added "<=" 150 " µs"
    cat <<'EOF'

How to read it. *Layouts*: in `wrk-alone` the cluster (front and worker together) has exactly one core on both
paths and wrk the other, so front/direct there is what the extra hop costs for a fixed CPU budget. In
`owner-alone` the worker has a core to itself on both paths and the front shares wrk's core: it shows what the
worker alone serves, and that on the front path the front (with wrk), not the worker, is what saturates. In
`shared` the scheduler places everything. None of them is the production shape (front, workers and clients on
different machines), where no process would take CPU from another. *Latency*: wrk is a closed loop; with 16
connections always busy, p50 ≈ 16 / throughput (Little's law), so the p50 difference at -c16 mostly restates the
throughput ratio — it is queueing on saturated cores, not the hop itself. The 1-connection read (one request in
flight, nothing queued) isolates the hop: that difference is the latency a front adds when nothing is saturated.
*nginx*: the same hop made by nginx, which only relays bytes to the owner it is told (no cookie parsing, no shard
lookup, no session logic), on the same cores as the front: where it too misses a target, the target asks more of
this machine than a proxy in the front's place can give while it shares the cores with the worker and wrk.
*CPU*: a .NET node whose core is otherwise idle spins its thread pool while it waits for work, so the CPU columns
overstate the cost of a process that has a core to itself (compare worker-1's CPU for the same forwarded requests
in `owner-alone` and `wrk-alone`).
EOF
  } >>"$OUT_DIR/results-front.md"
}

# summary_line TEXT FIGURE OP LIMIT UNIT: "- TEXT: met in every layout (values)" or which layouts miss it.
summary_line() {
  local text="$1" figure="$2" op="$3" limit="$4" unit="$5" layout values="" met=() missed=()
  for layout in $layouts; do
    values+="${values:+, }$layout ${FRONT_FIGURE[$layout,$figure]}$unit"
    if [[ "$(verdict "${FRONT_FIGURE[$layout,$figure]}" "$op" "$limit")" == met ]]; then met+=("$layout"); else missed+=("$layout"); fi
  done
  if ((${#missed[@]} == 0)); then
    echo "- $text: **met** in every layout ($values)."
  elif ((${#met[@]} == 0)); then
    echo "- $text: **not met** in any layout ($values)."
  else
    echo "- $text: met in $(IFS=,; sed 's/,/, /g' <<<"${met[*]}"), **not met** in $(IFS=,; sed 's/,/, /g' <<<"${missed[*]}") ($values)."
  fi
}

# ==================================================================================================== 2. rebalance

REBALANCE_ROWS=()
REBALANCE_NOTES=()

run_rebalance_trial() {
  local trial="$1" name
  wait_for_quiet
  local quiet_note="$QUIET_NOTE" load_at_start
  load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
  LOG_PREFIX="$OUT_DIR/rebalance-$trial"
  rm -f "$LOG_PREFIX"-*
  pick_ports lighthouse worker-1 worker-2 worker-3 worker-4 front
  start_node lighthouse lighthouse
  wait_http lighthouse /health/live
  for name in worker-1 worker-2 worker-3 front; do start_node "$name" "$(if [[ $name == front ]]; then echo front; else echo worker; fi)"; done
  for name in worker-1 worker-2 worker-3 front; do wait_http "$name" /health/ready; done
  wait_members front 5
  wait_shards front 3 0 || die "trial $trial: shards not allocated over 3 workers within ${DEADLINE_SECONDS}s (last view: $SHARD_VIEW)"

  log "trial $trial: creating $sessions sessions of $value_bytes bytes through the front"
  local cookies="$LOG_PREFIX-cookies.txt" load_out
  load_out=$(dotnet "$LOAD_DLL" create --url "$(url_of front)" --count "$sessions" --concurrency 64 --value-bytes "$value_bytes" \
    --verify 1000 --cookies-out "$cookies" --cookies 1000 2>"$LOG_PREFIX-load.err") || { cat "$LOG_PREFIX-load.err" >&2; echo "$load_out" >&2; die "trial $trial: loading the sessions failed"; }
  local load_line
  load_line=$(grep '^LOAD ' <<<"$load_out")
  log "trial $trial: $load_line"
  wait_shards front 3 "$sessions" || die "trial $trial: /cluster/shards does not count $sessions sessions after the load (shards unhomed uncounted sessions homes min max: $SHARD_VIEW)"
  local before_view="$SHARD_VIEW"

  # The load: wrk through the front, reads and increments alternately on 1000 of the sessions, every non-2xx counted.
  local wrk_out="$LOG_PREFIX-wrk.txt"
  WRK_STATUS_COUNTS=1 wrk -t "$threads" -c "$connections" -d 300s --latency -s "$BENCH_DIR/wrk/session.lua" "$(url_of front)" \
    -- mixed "$cookies" "$threads" >"$wrk_out" 2>&1 &
  local wrk_pid=$!
  EXTRA_PIDS=("$wrk_pid")
  sleep 5
  kill -0 "$wrk_pid" 2>/dev/null || { cat "$wrk_out" >&2; die "trial $trial: wrk exited early"; }

  local nodes_before all_before wrk_before started_at watch_out watch_status=0
  nodes_before=$(nodes_ticks); all_before=$(cpu_busy_ticks); wrk_before=$(proc_ticks "$wrk_pid")
  started_at=$(now_ms)
  start_node worker-4 worker
  log "trial $trial: worker-4 started under load; watching the front's /cluster/shards every 100 ms"
  watch_out=$(dotnet "$LOAD_DLL" watch --url "$(url_of front)" --member "$(address_of worker-4)" --workers 4 \
    --since-unix-ms "$started_at" --interval-ms 100 --deadline-seconds "$DEADLINE_SECONDS" --timeline "$LOG_PREFIX-timeline.txt") || watch_status=$?
  local watch_line
  watch_line=$(grep '^WATCH ' <<<"$watch_out") || die "trial $trial: the watcher printed no WATCH line"
  log "trial $trial: $watch_line"
  sleep 3
  local nodes_after all_after wrk_after ended_at
  nodes_after=$(nodes_ticks); all_after=$(cpu_busy_ticks); wrk_after=$(proc_ticks "$wrk_pid"); ended_at=$(now_ms)
  kill -INT "$wrk_pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$wrk_pid" 2>/dev/null && ((waited < 100)); do sleep 0.1; waited=$((waited + 1)); done
  kill -0 "$wrk_pid" 2>/dev/null && { kill -KILL "$wrk_pid"; log "trial $trial: wrk ignored SIGINT; killed"; }
  wait "$wrk_pid" 2>/dev/null || true
  EXTRA_PIDS=()
  local bench_line status_line
  bench_line=$(grep -m1 '^BENCH ' "$wrk_out") || { cat "$wrk_out" >&2; die "trial $trial: wrk printed no BENCH line"; }
  status_line=$(grep -m1 '^STATUS ' "$wrk_out" || echo "STATUS unknown")
  local failed
  failed=$(wrk_failed "$bench_line")
  log "trial $trial: wrk $(field "$bench_line" requests) requests, $failed failed ($status_line)"

  # Afterwards: every session still counted, and the 1000 sessions wrk used read back with their attribute.
  local after_view counted_after verify_out verify_line
  if wait_shards front 4 "$sessions"; then
    after_view="$SHARD_VIEW"; counted_after=$(awk '{ print $4 }' <<<"$after_view")
  else
    after_view="$SHARD_VIEW"; counted_after="$(awk '{ print $4 }' <<<"$after_view") (**not** all $sessions, or not settled: $after_view)"
  fi
  verify_out=$(dotnet "$LOAD_DLL" verify --url "$(url_of front)" --cookies "$cookies" --value-bytes "$value_bytes" 2>&1) || true
  verify_line=$(grep '^VERIFY ' <<<"$verify_out" || echo "VERIFY failed: $verify_out")
  local handoffs warnings
  # Worker-4 logs the shards each input starts as one line ("N shards started: …"), at Debug only when they hold no
  # session at all; here every shard holds about 1,000 sessions, so every start shows.
  handoffs=$(grep -oE '[0-9]+ shards started:' "$LOG_PREFIX-worker-4.log" | awk '{ s += $1 } END { print s + 0 }')
  warnings=$(cat "$LOG_PREFIX"-*.log | grep -cE '^(warn|fail|crit):' || true)
  stop_nodes

  local up settled others
  up=$(field "$watch_line" up_ms); settled=$(field "$watch_line" settled_ms)
  [[ -n "$up" ]] || up=none
  [[ -n "$settled" ]] || settled=none
  others=$(awk -v all=$((all_after - all_before)) -v nodes=$((nodes_after - nodes_before)) -v w=$((wrk_after - wrk_before)) -v hz="$CLK_TCK" \
    -v s="$(awk -v a="$started_at" -v b="$ended_at" 'BEGIN { print (b - a) / 1000 }')" 'BEGIN { o = (all - nodes - w) / hz; printf "%.2f", (o < 0 ? 0 : o) / s }')
  local settled_after_up="-" counted_before first_shard
  if [[ "$up" != none && "$settled" != none ]]; then settled_after_up=$((settled - up)); fi
  counted_before=$(awk '{ print $4 }' <<<"$before_view")
  first_shard=$(field "$watch_line" first_shard_ms)
  REBALANCE_ROWS+=("| $trial | $(field "$load_line" seconds) s ($(field "$load_line" rps)/s) | $counted_before | $up | ${first_shard:-none} | **$settled** | $settled_after_up | $(field "$watch_line" polls) / $(field "$watch_line" max_gap_ms) ms | $(field "$bench_line" requests) | **$failed** (${status_line#STATUS }) | $(field "$bench_line" p99_ms) / $(field "$bench_line" max_ms) | $counted_after | $(field "$verify_line" ok)/$(field "$verify_line" sampled) | $handoffs | $warnings | $others |")
  REBALANCE_NOTES+=("- Trial $trial: load average at start $load_at_start; quiet check: $quiet_note.")
  if [[ "$(field "$verify_line" ok)" != "$(field "$verify_line" sampled)" || -z "$(field "$verify_line" ok)" ]]; then
    REBALANCE_NOTES+=("  **Read-back failed:** $verify_line $(grep 'first failure' <<<"$verify_out" || true)")
  fi
  REBALANCE_SETTLED+=("$settled")
  REBALANCE_UP+=("$up")
  REBALANCE_FAILED=$((REBALANCE_FAILED + failed))
  ((watch_status == 0)) || log "trial $trial: the shards did not settle within ${DEADLINE_SECONDS}s; see $LOG_PREFIX-timeline.txt"
}

run_rebalance() {
  REBALANCE_ROWS=(); REBALANCE_NOTES=(); REBALANCE_SETTLED=(); REBALANCE_UP=(); REBALANCE_FAILED=0
  local started load_at_start trial
  started=$(date -u '+%Y-%m-%d %H:%M UTC')
  for trial in $(seq 1 "$trials"); do run_rebalance_trial "$trial"; done
  local settled_median max_settled
  settled_median=$(printf '%s\n' "${REBALANCE_SETTLED[@]}" | grep -v none | median)
  max_settled=$(printf '%s\n' "${REBALANCE_SETTLED[@]}" | grep -v none | sort -n | tail -1)
  local not_settled
  not_settled=$(printf '%s\n' "${REBALANCE_SETTLED[@]}" | grep -c none || true)
  {
    echo "### Rebalance: a 4th worker joins under load"
    echo
    echo "- Date: $started"
    machine_facts
    echo "- Command: \`$invocation\`"
    echo "- Cluster: a Lighthouse, 3 workers and a front, Release builds with their shipped settings (rebalance every 1 s,"
    echo "  at most 10 shards moving at once, hand-off timeout 10 s); nothing pinned: every process, wrk and the poller"
    echo "  share both cores"
    echo "- Sessions: exactly $sessions, each created by a cookie-less PUT of one $value_bytes-byte JSON string (\`payload\`)"
    echo "  through the front (bench/SessionLoad create, 64 concurrent requests, 1000 read back); \`/cluster/shards\` on the"
    echo "  front must count all of them (every shard homed and counted) before the 4th worker starts"
    echo "- Load: wrk -t$threads -c$connections through the front, \`GET /session\` and \`POST …/counter/increment\` alternately on"
    echo "  1000 of those sessions (spread over all shards), from 5 s before the 4th worker starts to 3 s after the shards"
    echo "  settle; a Lua response() hook counts every non-2xx by status (it costs wrk CPU, so the load is lighter than"
    echo "  plain wrk's)"
    echo "- Timing: bench/SessionLoad watch polls the front's \`/cluster/members\` and \`/cluster/shards\` together every 100 ms;"
    echo "  times are ms from the 4th worker's process start, taken when a poll's answers arrived. *Settled*: the 4th"
    echo "  worker Up, 4 homes with 25 shards each, every shard's session count known (a shard in motion has none)"
    echo "- Afterwards: \`/cluster/shards\` sum once settled (must be $sessions), and the 1000 sessions read back through the"
    echo "  front (their \`payload\` intact and no new cookie: a lost session would get one)"
    echo
    echo "| trial | load of $sessions | counted before | Up ms | first shard ms | settled ms | settled − Up ms | polls / largest gap | wrk requests | failed (statuses) | wrk p99 / max ms | counted after | read back | shards started on worker-4 | warn/fail log lines | other processes, cores |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${REBALANCE_ROWS[@]}"
    echo
    printf '%s\n' "${REBALANCE_NOTES[@]}"
    echo
    echo "Median time from the 4th worker's start to settled: **${settled_median} ms** (max ${max_settled:-–} ms; trials that did"
    echo "not settle within ${DEADLINE_SECONDS} s: $not_settled). Failed requests over all trials: **$REBALANCE_FAILED**."
    echo "Targets: 0 failed requests — $( ((REBALANCE_FAILED == 0)) && echo met || echo '**not met**'); settled ≤ 10 s — $(
      [[ "$not_settled" == 0 ]] && awk -v m="${max_settled:-999999}" 'BEGIN { print (m <= 10000) ? "met in every trial" : "**not met in every trial**" }' || echo '**not met**')."
    echo "Timelines (every poll) and node logs: bench/out/sharding/rebalance-TRIAL-*."
    echo
    echo "How to read it. With the shipped settings the coordinator rebalances once a second and moves at most 10 shards"
    echo "at once (rebalance-relative-limit 0.1 of 100 shards), so the 4th worker's 25 shards arrive in three rounds of"
    echo "at most 10 (visible in the timelines); each round's hand-off itself is over within a few hundred ms. The"
    echo "settled time is therefore about: start-up and join (~1 s), then three rebalance ticks. A poll that catches a"
    echo "shard in motion counts it as unsettled, so a settled poll is one in which nothing was moving."
  } >"$OUT_DIR/results-rebalance.md"
}

# ==================================================================================================== results

# write_results: the "## Sharding (issue 4)" section of RESULTS.md from the fragments of the parts run now. A part not
# run keeps its subsection as RESULTS.md has it, hand-written notes included, in its place (write_section keeps every "###"
# subsection this run did not write), rather than being rewritten from an older fragment without them.
write_results() {
  local fragments=()
  [[ "$part" == rebalance ]] || fragments+=("$OUT_DIR/results-front.md")
  [[ "$part" == front ]] || fragments+=("$OUT_DIR/results-rebalance.md")
  write_section "$results_file" "Sharding (issue 4)" \
    "Produced by \`bench/sharding.sh\`; every figure was measured on the runs described, none estimated." \
    "${fragments[@]}"
}

[[ "$part" == rebalance ]] || run_front
[[ "$part" == front ]] || run_rebalance
write_results
