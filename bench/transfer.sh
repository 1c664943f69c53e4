#!/usr/bin/env bash
# State transfer to a joining worker (issue 5) on 127.0.0.1; writes the "State transfer (issue 5)" section of
# bench/RESULTS.md.
#
#   bench/transfer.sh [--sessions 16384] [--value-bytes 65536] [--load light|none] [--setting SWITCH]...
#                     [--skip-build] [--source worktree|head] [--results FILE] [--smoke]
#
# A Lighthouse and ONE worker (worker-1), shipped settings (replication-factor 2, so with one worker no shard has a
# backup yet). Exactly --sessions sessions, each created by a cookie-less PUT of one --value-bytes JSON string
# (`payload`) to worker-1 (bench/SessionLoad create, 16 at once; 256 read back); worker-1's /cluster/shards must
# count them all. Default: 16,384 × 64 KiB (max-value-size) = 1 GiB of values, few large sessions so that loading
# takes seconds, not minutes, and the bytes moved are dominated by session data, not per-session framing.
# Then a full blocking GC is induced in worker-1 (SessionLoad heap, over the diagnostics port) and its VmRSS read:
# the pre-join baseline. Then worker-2 starts; it takes half the shards by hand-off (with their sessions) and
# becomes the backup of the other half (a whole copy of each): both are state transfer to the joining node, and
# worker-1 keeps what it handed over as the moved shards' backup (no copy back).
# SessionLoad transfer polls worker-1's /cluster/members, /cluster/shards, /cluster/shards/local and worker-2's
# /cluster/shards/local every 100 ms and reads worker-1's VmRSS every 100 ms, from worker-2's start until done:
# worker-2 Up, homes 50/50 with every count known (nothing moving), every shard with its backup, worker-2 serving
# every shard homed on it and holding every backup copy it is given "whole", and worker-1 likewise.
# Reported: seconds from worker-2 seen Up to done; bytes = sessions worker-2 holds once done (homed + backup
# copies, from those endpoints) × (value + name bytes); MB/s (MB = 10^6 bytes); worker-1's peak VmRSS over the
# baseline, in %; as a cross-check, the TCP bytes worker-2 received from worker-1 (ss tcp_info bytes_received).
# --load light (default): meanwhile one request at a time through worker-1, alternately GET …/payload and POST
# …/n/increment on 64 of the sessions in turn, 20 ms apart; every non-2xx is a failed request. --load none: idle.
# Afterwards the 256 sampled sessions are read back through worker-2 (their payload intact, no new cookie).
# --setting: a command-line switch for both workers (e.g. --setting --session-cluster:replication:resend-interval=5s),
# repeatable; such a run is written to its own fragment (results-transfer-settings.md), shown after the shipped one.
# --smoke: --sessions 1024 and results to bench/out/transfer/smoke.md.
# Builds go to bench/out/transfer/ with a private --artifacts-path ($BENCH_ARTIFACTS, default /tmp/art-bench-transfer).
# Everything binds to 127.0.0.1 on free ports from 20000-32767. Every wait has a deadline. The EXIT trap kills, by
# PID, every node and the load loop this script started. Node logs (with timestamps) stay in bench/out/transfer/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

use_out_dir "$BENCH_DIR/out/transfer"
ARTIFACTS="${BENCH_ARTIFACTS:-/tmp/art-bench-transfer}"
DEADLINE_SECONDS=120                                             # start-up, loading checks
TRANSFER_DEADLINE_SECONDS=600                                    # the transfer itself

sessions=16384
value_bytes=65536
load=light
settings=()
build=1
results_file="$BENCH_DIR/RESULTS.md"
invocation="bench/transfer.sh${*:+ $*}"
while (($#)); do
  case "$1" in
    --sessions) sessions="$2"; shift 2 ;;
    --value-bytes) value_bytes="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --setting) settings+=("$2"); shift 2 ;;
    --skip-build) build=0; shift ;;
    --source) SOURCE="$2"; shift 2 ;;
    --results) results_file="$2"; shift 2 ;;
    --smoke) sessions=1024; results_file="$OUT_DIR/smoke.md"; shift ;;
    -h|--help) print_usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$sessions" =~ ^[0-9]+$ && "$value_bytes" =~ ^[0-9]+$ ]] || die "sessions and value-bytes are integers"
((sessions >= 256 && value_bytes >= 2 && value_bytes <= 65536)) || die "need sessions ≥ 256 and 2 ≤ value-bytes ≤ 65536 (max-value-size)"
[[ "$load" =~ ^(light|none)$ ]] || die "--load is light or none"
command -v jq >/dev/null 2>&1 || die "jq is missing: apt-get install -y jq"

build_or_check "$build" --with-load

FRAGMENT=results-transfer.md
((${#settings[@]} == 0)) || FRAGMENT=results-transfer-settings.md
ATTRIBUTE=payload
SESSION_BYTES=$((value_bytes + ${#ATTRIBUTE}))                   # what a session holds: its one name and value

# light_load URL COOKIES OUT STOP: one request at a time, alternately a read of the payload and an increment of n,
# on the cookies in turn, 20 ms apart, until STOP exists (at most the transfer deadline); "status" a line to OUT.
light_load() {
  local url="$1" out="$3" stop="$4" limit=$((SECONDS + TRANSFER_DEADLINE_SECONDS)) i=0 cookie code
  local cookies=()
  mapfile -t cookies < <(head -64 "$2")
  while [[ ! -e "$stop" ]] && ((SECONDS < limit)); do
    cookie="${cookies[$((i / 2 % ${#cookies[@]}))]}"
    if ((i % 2 == 0)); then
      code=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' -H "Cookie: SESSIONID=$cookie" "$url/session/attributes/$ATTRIBUTE" || true)
    else
      code=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Length: 0' -H "Cookie: SESSIONID=$cookie" "$url/session/attributes/n/increment" || true)
    fi
    echo "${code:-000}" >>"$out"
    i=$((i + 1))
    sleep 0.02
  done
}

# wire_bytes PID-FROM PID-TO: bytes the process PID-TO received (tcp_info bytes_received) on its established TCP
# connections whose other end belongs to PID-FROM (matched by port: everything is on 127.0.0.1); connections
# already closed are not counted.
wire_bytes() {
  ss -tinpH state established 2>/dev/null | awk -v from="$1" -v to="$2" '
    /^[^ \t]/ { local = $3; peer = $4; owner = ""
                sub(/.*:/, "", local); sub(/.*:/, "", peer)       # ports: an address may be 127.0.0.1 or [::ffff:127.0.0.1]
                if (match($0, /pid=[0-9]+/)) owner = substr($0, RSTART + 4, RLENGTH - 4)
                next }
    { if (match($0, /bytes_received:[0-9]+/)) received = substr($0, RSTART + 15, RLENGTH - 15); else received = 0
      n++; L[n] = local; P[n] = peer; O[n] = owner; R[n] = received }
    END {
      for (i = 1; i <= n; i++) if (O[i] == from) mine[L[i]] = 1
      for (i = 1; i <= n; i++) if (O[i] == to && (P[i] in mine)) sum += R[i]
      printf "%.0f\n", sum
    }'
}

# rss_of NAME: the node's VmRSS in bytes, or empty once it has exited.
rss_of() { if alive "$1"; then rss_bytes "${PID[$1]}" 2>/dev/null || true; fi; }

mib_or_exited() { if [[ -n "$1" ]]; then echo "$(mib "$1") MiB"; else echo exited; fi; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

run_transfer() {
  local started facts
  started=$(date -u '+%Y-%m-%d %H:%M UTC')
  wait_for_quiet
  local quiet_note="$QUIET_NOTE" load_start
  load_start=$(loadavg)
  facts=$(machine_facts)
  LOG_PREFIX="$OUT_DIR/transfer"
  rm -f "$LOG_PREFIX"-*
  pick_ports lighthouse worker-1 worker-2
  start_node lighthouse lighthouse
  wait_http lighthouse /health/live
  start_node worker-1 worker "${settings[@]}"
  wait_http worker-1 /health/ready
  wait_members worker-1 2
  wait_shards worker-1 1 0 || die "the shards were not homed on worker-1 within ${DEADLINE_SECONDS}s (last view: $SHARD_VIEW)"

  log "creating $sessions sessions of $value_bytes bytes on worker-1 ($(mib $((sessions * value_bytes))) MiB of values)"
  local cookies="$LOG_PREFIX-cookies.txt" load_out load_line
  load_out=$(dotnet "$LOAD_DLL" create --url "$(url_of worker-1)" --count "$sessions" --concurrency 16 --value-bytes "$value_bytes" \
    --name "$ATTRIBUTE" --verify 256 --cookies-out "$cookies" --cookies 256 2>"$LOG_PREFIX-load.err") ||
    { cat "$LOG_PREFIX-load.err" >&2; echo "$load_out" >&2; die "loading the sessions failed"; }
  load_line=$(grep '^LOAD ' <<<"$load_out")
  log "$load_line"
  wait_shards worker-1 1 "$sessions" || die "/cluster/shards does not count $sessions sessions after the load (shards unhomed uncounted sessions homes min max: $SHARD_VIEW)"

  # The baseline: worker-1's working set right after a full blocking GC, so that garbage from the load does not
  # pass for headroom (or hide growth).
  local heap_line rss_gc rss_pre
  heap_line=$(dotnet "$LOAD_DLL" heap --pid "${PID[worker-1]}" --timeout-seconds 120 | grep '^HEAP ') || die "could not induce a full GC in worker-1"
  rss_gc=$(rss_bytes "${PID[worker-1]}")
  sleep 1
  rss_pre=$(rss_bytes "${PID[worker-1]}")
  log "worker-1 after a full GC: managed heap $(mib "$(field "$heap_line" total_heap)") MiB, VmRSS $(mib "$rss_gc") MiB, 1 s later $(mib "$rss_pre") MiB"

  local load_file="$LOG_PREFIX-light-load.txt" stop="$LOG_PREFIX-light-load.stop"
  rm -f "$load_file" "$stop"; : >"$load_file"
  if [[ "$load" == light ]]; then
    light_load "$(url_of worker-1)" "$cookies" "$load_file" "$stop" & EXTRA_PIDS+=($!)
    sleep 1
  fi

  local all_before started_at watch_out watch_status=0 watch_line
  all_before=$(cpu_busy_ticks)
  started_at=$(now_ms)
  start_node worker-2 worker "${settings[@]}"
  log "worker-2 started; watching the transfer every 100 ms"
  watch_out=$(dotnet "$LOAD_DLL" transfer --url "$(url_of worker-1)" --joiner-url "$(url_of worker-2)" \
    --sender "$(address_of worker-1)" --joiner "$(address_of worker-2)" --sender-pid "${PID[worker-1]}" --workers 2 --backups 1 \
    --since-unix-ms "$started_at" --interval-ms 100 --rss-interval-ms 100 --deadline-seconds "$TRANSFER_DEADLINE_SECONDS" \
    --timeline "$LOG_PREFIX-timeline.txt" --rss-out "$LOG_PREFIX-rss.txt") || watch_status=$?
  local wire ended_at all_after load_done
  wire=$(wire_bytes "${PID[worker-1]}" "${PID[worker-2]}")
  ended_at=$(now_ms); all_after=$(cpu_busy_ticks); load_done=$(loadavg)
  watch_line=$(grep '^TRANSFER ' <<<"$watch_out") || die "the watcher printed no TRANSFER line"
  log "$watch_line"
  touch "$stop"
  local pid
  for pid in "${EXTRA_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  EXTRA_PIDS=()

  local rss_after1 rss_joiner verify_out verify_line after_view heap_after="" rss_after_gc="" survivors=2 exited=""
  rss_after1=$(rss_of worker-1); rss_joiner=$(rss_of worker-2)
  alive worker-1 || { survivors=1; exited+="worker-1 "; }
  alive worker-2 || { survivors=$((survivors - 1)); exited+="worker-2 "; }
  if alive worker-1; then
    # What of the growth is kept (live objects) and what was garbage or GC budget: another full GC, after done.
    heap_after=$(dotnet "$LOAD_DLL" heap --pid "${PID[worker-1]}" --timeout-seconds 120 | grep '^HEAP ' || echo "HEAP failed")
    rss_after_gc=$(rss_of worker-1)
  fi
  if alive worker-2; then
    verify_out=$(dotnet "$LOAD_DLL" verify --url "$(url_of worker-2)" --cookies "$cookies" --value-bytes "$value_bytes" --name "$ATTRIBUTE" 2>&1) || true
    verify_line=$(grep '^VERIFY ' <<<"$verify_out" || echo "VERIFY failed: $verify_out")
    if DEADLINE_SECONDS=30 wait_shards worker-2 "$survivors" "$sessions"; then after_view="all $sessions"; else after_view="**not** all $sessions (shards, unhomed, uncounted, sessions, homes, min, max: $SHARD_VIEW)"; fi
  else
    verify_line="VERIFY sampled=256 ok=0"; after_view="worker-2 has exited"
  fi
  local unreachable downed
  unreachable=$(cat "$LOG_PREFIX"-*.log | grep -c 'Cluster event UnreachableMember' || true)
  downed=$(cat "$LOG_PREFIX"-*.log | grep -c 'Cluster event MemberDowned' || true)
  local warnings
  warnings=$(cat "$LOG_PREFIX"-*.log | grep -cE '^(warn|fail|crit):' || true)
  stop_nodes

  local up done_ms all_whole rate_whole=- seconds moved copied bytes rate peak growth failed requests statuses others
  up=$(field "$watch_line" up_ms); done_ms=$(field "$watch_line" done_ms); all_whole=$(field "$watch_line" all_whole_ms)
  moved=$(field "$watch_line" joiner_home_sessions); copied=$(field "$watch_line" joiner_backup_sessions)
  peak=$(field "$watch_line" rss_peak)
  requests=$(wc -l <"$load_file"); failed=$(grep -cv '^2' "$load_file" || true)
  statuses=$( (grep -v '^2' "$load_file" || true) | sort | uniq -c | awk '{ printf "%s%s×%s", (NR > 1 ? ", " : ""), $1, $2 }')
  others=$(awk -v t=$((all_after - all_before)) -v hz="$CLK_TCK" -v s=$(((ended_at - started_at))) 'BEGIN { printf "%.2f", t / hz / (s / 1000) }')
  if ((watch_status != 0)) || [[ -z "$up" || -z "$done_ms" ]]; then
    seconds="not done within ${TRANSFER_DEADLINE_SECONDS} s"; bytes=0; rate="-"
  else
    seconds=$(awk -v a="$up" -v b="$done_ms" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
    bytes=$(((moved + copied) * SESSION_BYTES))
    rate=$(awk -v b="$bytes" -v a="$up" -v d="$done_ms" 'BEGIN { printf "%.0f", b / 1e6 / ((d - a) / 1000) }')
    [[ -z "$all_whole" ]] || rate_whole=$(awk -v b="$bytes" -v a="$up" -v d="$all_whole" 'BEGIN { printf "%.0f", b / 1e6 / ((d - a) / 1000) }')
  fi
  growth=$(awk -v p="$peak" -v b="$rss_pre" 'BEGIN { printf "%.1f", 100 * (p - b) / b }')
  log "transfer: $seconds s, $(mb "$bytes") MB, $rate MB/s; worker-1 VmRSS peak +$growth%; light load $failed of $requests failed"

  {
    echo "### A worker joins a worker holding $(mib $((sessions * value_bytes))) MiB of sessions$( ((${#settings[@]})) && echo ", with ${settings[*]}")"
    echo
    echo "- Date: $started"
    echo "$facts"
    echo "- Load average (1/5/15 min) when the transfer was done: $load_done; quiet check before the run: $quiet_note;"
    echo "  all processes together (the cluster, the poller, the light load and anything else) used $others cores on average"
    echo "  from worker-2's start to done"
    echo "- Command: \`$invocation\`"
    ((${#settings[@]} == 0)) || echo "- **Not the shipped settings**: both workers ran with \`${settings[*]}\`"
    echo "- Cluster: a Lighthouse and worker-1, shipped settings$( ((${#settings[@]})) && echo " otherwise") (100 shards, replication-factor 2, write-consistency one,"
    echo "  rebalance every 1 s with at most 10 shards moving at once, transfer-chunk-size 512 KiB, copy-window 4); nothing"
    echo "  pinned"
    echo "- Sessions: exactly $sessions, each one cookie-less PUT of a $value_bytes-byte JSON string (\`$ATTRIBUTE\`) to worker-1"
    echo "  (bench/SessionLoad create, 16 at once): $(field "$load_line" seconds) s ($(field "$load_line" rps)/s); worker-1's"
    echo "  \`/cluster/shards\` counted all $sessions before the join"
    echo "- Baseline: a full blocking GC induced in worker-1 (SessionLoad heap): managed heap $(mib "$(field "$heap_line" total_heap)") MiB;"
    echo "  VmRSS $(mib "$rss_gc") MiB right after, **$(mib "$rss_pre") MiB** 1 s later (the baseline)"
    echo "- Then worker-2 starts. SessionLoad transfer polls every 100 ms (worker-1's \`/cluster/members\`, \`/cluster/shards\`,"
    echo "  \`/cluster/shards/local\`, worker-2's \`/cluster/shards/local\`) and reads worker-1's VmRSS every 100 ms. *Done*: the"
    echo "  first poll with worker-2 Up, the homes 50/50 with every count known (nothing moving), every shard with its"
    echo "  backup, worker-2 serving every shard homed on it and holding every backup copy it was given \`whole\`, and"
    echo "  worker-1 holding its backups \`whole\` too. *Transferred*: the sessions worker-2 holds once done, homed"
    echo "  (hand-off) + in its whole backup copies (copy), × $SESSION_BYTES bytes (the value and the attribute's name; ids,"
    echo "  timestamps and framing not counted). MB = 10^6 bytes."
    echo "- Light load: $( [[ "$load" == light ]] && echo "one request at a time through worker-1, alternately \`GET …/$ATTRIBUTE\` and \`POST …/n/increment\` on 64 of the sessions, 20 ms apart, from 1 s before worker-2's start to done" || echo none)"
    echo
    echo "| | value |"
    echo "| --- | ---: |"
    echo "| worker-2 seen Up (ms after its start) | ${up:-none} |"
    echo "| first whole backup copy on worker-2 / first shard homed on it (ms after its start) | $(field "$watch_line" first_backup_ms) / $(field "$watch_line" first_shard_ms) |"
    echo "| worker-2 holds a whole copy of every shard, homed or backup (ms after its start) | ${all_whole:-none} |"
    echo "| done (ms after its start) | ${done_ms:-none} |"
    echo "| **transfer time, Up → done** | **$seconds s** |"
    echo "| shards homed on worker-2 (hand-off) / their sessions | $(field "$watch_line" joiner_shards) / $moved |"
    echo "| backup copies on worker-2 / their sessions | $(field "$watch_line" joiner_backups) / $copied |"
    echo "| **transferred** (sessions × $SESSION_BYTES bytes) | **$(mb "$bytes") MB** ($(mib "$bytes") MiB) |"
    echo "| **rate** (transferred / transfer time) | **$rate MB/s** |"
    echo "| for information: transferred / (Up → whole copy of every shard on worker-2) | $rate_whole MB/s |"
    echo "| cross-check: TCP bytes worker-2 received from worker-1 (connections open at done) | $(mb "$wire") MB |"
    echo "| worker-1 VmRSS: baseline / peak during the transfer (ms after worker-2's start) | $(mib "$rss_pre") / $(mib "$peak") MiB ($(field "$watch_line" rss_peak_ms)) |"
    echo "| **worker-1 peak VmRSS growth** | **$growth %** |"
    echo "| VmRSS samples / largest gap | $(field "$watch_line" rss_samples) / $(field "$watch_line" rss_max_gap_ms) ms |"
    echo "| polls / largest gap / failed | $(field "$watch_line" polls) / $(field "$watch_line" max_gap_ms) ms / $(field "$watch_line" failed_polls) |"
    echo "| VmRSS after done: worker-1 / worker-2 | $(mib_or_exited "$rss_after1") / $(mib_or_exited "$rss_joiner") |"
    [[ -z "$heap_after" ]] || echo "| worker-1 after done and another full GC: managed heap / VmRSS | $(mib "$(field "$heap_after" total_heap)") / $(mib "$rss_after_gc") MiB |"
    echo "| UnreachableMember / MemberDowned events in the nodes' logs | $unreachable / $downed |"
    [[ -z "$exited" ]] || echo "| **exited during the run** | **$exited**(worker-1's VmRSS sampled until $(field "$watch_line" sender_exited_ms) ms) |"
    echo "| light load: requests / failed | $requests / **$failed**${statuses:+ ($statuses)} |"
    echo "| afterwards: sessions counted by worker-2's \`/cluster/shards\` | $after_view |"
    echo "| afterwards: sampled sessions read back through worker-2 | $(field "$verify_line" ok)/$(field "$verify_line" sampled) |"
    echo "| warn/fail/crit log lines (all nodes) | $warnings |"
    echo
    echo "Targets: rate ≥ 100 MB/s — $( [[ "$rate" == - ]] && echo '**not met** (not done)' || verdict "$rate" ">=" 100) (Tomcat's GET_ALL_SESSIONS: about"
    echo "9 MB/s); sender's peak memory growth ≤ 10% — $(verdict "$growth" "<=" 10) (Tomcat: its heap doubled)."
    echo "Timeline (every poll) and VmRSS samples: bench/out/transfer/transfer-timeline.txt, transfer-rss.txt; node logs transfer-*.log."
  } >"$OUT_DIR/$FRAGMENT"
  ((watch_status == 0)) || log "the transfer was not done within ${TRANSFER_DEADLINE_SECONDS}s; see $LOG_PREFIX-timeline.txt"
}

run_transfer
write_section "$results_file" "State transfer (issue 5)" \
  "Produced by \`bench/transfer.sh\`; every figure was measured on the run described, none estimated." \
  "$OUT_DIR/results-transfer.md" "$OUT_DIR/results-transfer-settings.md"
