#!/usr/bin/env bash
# Failover and soak benchmark of a 5-node cluster on 127.0.0.1; writes bench/CLUSTER-RESULTS.md.
#
#   bench/cluster-failover.sh [--trials 10] [--soak-minutes 10] [--load-processes N] [--skip-build]
#
# 1. Builds the Lighthouse and the web node once (Release, private artifacts path /tmp/art-clusterbench, or
#    $CLUSTER_BENCH_ARTIFACTS) and starts a Lighthouse and 4 workers on free loopback ports.
# 2. Failover trials (at least 10 unless --trials says fewer): kill -9 one worker (they take turns), then poll every
#    survivor's GET /cluster/members every 50 ms and time (a) until some survivor shows it unreachable or Down and
#    (b) until it is gone from EVERY survivor's view; restart it on the same ports (a new incarnation) and time
#    until all 5 are Up, reachable and converged in every view again. Any other node downed meanwhile is recorded
#    as a collateral downing, and restarted.
# 3. Soak: the 5 nodes run --soak-minutes (default 10; fractions allowed) while N busy loops (default: one per core)
#    hold the CPU at 100%. Nothing is killed, so any member downed or removed is a false downing. Found two ways:
#    polling every node's view once a second (a member missing, Down, or with another uid; a node process gone) and
#    the nodes' logs (MemberDowned / MemberRemoved lines written during the soak).
#
# Everything binds to 127.0.0.1. Every wait has a deadline. The EXIT trap kills, by PID, every node and busy loop
# this script started; the busy loops are also bounded by `timeout`. Logs stay in bench/out/cluster/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out/cluster"                              # gitignored: logs and poll scratch files
ARTIFACTS="${CLUSTER_BENCH_ARTIFACTS:-/tmp/art-clusterbench}"  # private obj/bin: others build this repo concurrently
RESULTS="$BENCH_DIR/CLUSTER-RESULTS.md"
POLL_INTERVAL=0.05                                            # failover polling, seconds
DEADLINE_SECONDS=60                                           # for each wait: removal, rejoin, start-up

trials=10
soak_minutes=10
load_processes="$(nproc)"
build=1
invocation="bench/cluster-failover.sh${*:+ $*}"

log() { printf '[cluster-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

while (($#)); do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --soak-minutes) soak_minutes="$2"; shift 2 ;;
    --load-processes) load_processes="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$trials" =~ ^[0-9]+$ ]] && ((trials >= 1 && trials <= 200)) || die "--trials is an integer from 1 to 200"
[[ "$soak_minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--soak-minutes is a number of minutes, e.g. 10 or 0.5"
[[ "$load_processes" =~ ^[0-9]+$ ]] && ((load_processes <= 64)) || die "--load-processes is an integer from 0 to 64"
soak_seconds=$(awk -v m="$soak_minutes" 'BEGIN { printf "%d", m * 60 }')
((trials >= 10)) || log "warning: fewer than 10 trials; medians of so few are rough"

command -v jq >/dev/null 2>&1 || die "jq is missing: apt-get install -y jq"
command -v curl >/dev/null 2>&1 || die "curl is missing: apt-get install -y curl"

WEB_DLL="$ARTIFACTS/bin/SessionCluster.Web/release/SessionCluster.Web.dll"
LIGHTHOUSE_DLL="$ARTIFACTS/bin/SessionCluster.Lighthouse/release/SessionCluster.Lighthouse.dll"
NODES=(lighthouse worker-1 worker-2 worker-3 worker-4)
WORKERS=(worker-1 worker-2 worker-3 worker-4)
declare -A PID=() CPORT=() HPORT=() UID_OF=() INCARNATION=()
LOAD_PIDS=()
EXPECTED_DOWNED=()   # address#uid of every incarnation this script killed: the only legitimate downings

# ---------------------------------------------------------------------------------------------------- cleanup

cleanup() {
  local pid
  for pid in "${LOAD_PIDS[@]}" "${PID[@]}"; do
    [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in "${LOAD_PIDS[@]}" "${PID[@]}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------------------------------------------- ports, nodes

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { [[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]; }

# pick_ports: distinct free ports from 20000–32767, below Linux's ephemeral range (32768–60999), so that no outgoing
# connection can grab a killed node's port before its restart binds it again.
pick_ports() {
  local taken=" " port name
  for name in "${NODES[@]}"; do
    for kind in C H; do
      while true; do
        port=$((20000 + RANDOM % 12768))
        [[ "$taken" != *" $port "* ]] && port_free "$port" && break
      done
      taken+="$port "
      if [[ $kind == C ]]; then CPORT[$name]=$port; else HPORT[$name]=$port; fi
    done
  done
  # The Lighthouse gets the lowest cluster port: the lowest address leads, so every trial kills a non-leader and
  # the trials are alike.
  local sorted i=0
  sorted=($(for name in "${NODES[@]}"; do echo "${CPORT[$name]}"; done | sort -n))
  for name in "${NODES[@]}"; do CPORT[$name]=${sorted[$i]}; i=$((i + 1)); done
}

# start_node NAME: starts (or restarts, same ports) a node; its output is appended to bench/out/cluster/NAME.log.
start_node() {
  local name="$1" seed="127.0.0.1:${CPORT[lighthouse]}" args
  INCARNATION[$name]=$((${INCARNATION[$name]:-0} + 1))
  if [[ "$name" == lighthouse ]]; then
    args=("$LIGHTHOUSE_DLL" --config "$REPO_DIR/hocon/lighthouse.conf")
  else
    args=("$WEB_DLL" --config "$REPO_DIR/hocon/worker.conf")
  fi
  args+=(--port "${CPORT[$name]}" --seeds "$seed" --urls "http://127.0.0.1:${HPORT[$name]}")
  echo "===== $(date +%H:%M:%S.%3N) incarnation ${INCARNATION[$name]}: dotnet ${args[*]}" >>"$OUT_DIR/$name.log"
  # Timestamps on every log entry, and Debug for the transport: its reconnect attempts ("Still cannot connect ...
  # retrying in") explain slow rejoins.
  (cd "$REPO_DIR" && exec env "Logging__Console__TimestampFormat=HH:mm:ss.fff " \
    "Logging__LogLevel__SessionCluster.Actors.Remoting.TcpTransport=Debug" dotnet "${args[@]}") \
    </dev/null >>"$OUT_DIR/$name.log" 2>&1 &
  PID[$name]=$!
}

alive() { kill -0 "${PID[$1]}" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------- views

# poll NAME...: fetches every named node's GET /cluster/members at once into $OUT_DIR/poll/NAME.json (empty when
# the node did not answer within 2 s).
poll() {
  local name pids=()
  for name in "$@"; do
    curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:${HPORT[$name]}/cluster/members" >"$OUT_DIR/poll/$name.json" 2>/dev/null &
    pids+=($!)
  done
  wait "${pids[@]}" 2>/dev/null || true
}

# view NAME FILTER: runs a jq filter over NAME's last polled view; prints nothing when it gave none.
view() { jq -r "$2" "$OUT_DIR/poll/$1.json" 2>/dev/null || true; }

# sees_all_up NAME ADDRESSES: NAME's view is converged and holds exactly ADDRESSES (sorted, comma-separated), all
# Up and reachable.
sees_all_up() {
  [[ "$(view "$1" '[.converged, ([.members[] | select(.status == "Up" and .reachable)] | length) == (.members | length),
          (.members | map(.address) | sort | join(","))] | map(tostring) | join(" ")')" == "true true $2" ]]
}

address_list() { local n; for n in "$@"; do echo "127.0.0.1:${CPORT[$n]}"; done | sort | paste -sd, -; }

# wait_all_up NAME...: until every named node sees exactly the named nodes Up and converged; records their uids.
# A node whose process died meanwhile (downed: it exits) is recorded as a collateral downing and restarted.
COLLATERAL=""
wait_all_up() {
  local names=("$@") expected deadline name ok
  expected=$(address_list "${names[@]}")
  deadline=$((SECONDS + DEADLINE_SECONDS))
  while true; do
    for name in "${names[@]}"; do
      if ! alive "$name"; then
        log "$name (pid ${PID[$name]}) died although not killed: $(grep -h 'is out of the cluster' "$OUT_DIR/$name.log" | tail -1 | sed 's/^ *//')"
        COLLATERAL+="${COLLATERAL:+, }$name"
        start_node "$name"
      fi
    done
    poll "${names[@]}"
    ok=1
    for name in "${names[@]}"; do sees_all_up "$name" "$expected" || { ok=0; break; }; done
    ((ok)) && break
    ((SECONDS < deadline)) || die "not all of ${names[*]} Up and converged within ${DEADLINE_SECONDS}s; logs in $OUT_DIR"
    sleep "$POLL_INTERVAL"
  done
  for name in "${names[@]}"; do
    UID_OF[$name]=$(view lighthouse ".members[] | select(.address == \"127.0.0.1:${CPORT[$name]}\") | .uid")
  done
}

# ---------------------------------------------------------------------------------------------------- statistics

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
maximum() { sort -n | tail -1; }

# log_events_since FILE OFFSET PATTERN: distinct "address#uid" of PATTERN events written to FILE after byte OFFSET.
log_events_since() {
  tail -c +$(($2 + 1)) "$1" | grep -oE "$3 \{ Member = [0-9.]+:[0-9]+#[0-9]+" | sed 's/.*Member = //' | sort -u || true
}

machine() {
  local cpu memory
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) cores ($cpu), $memory RAM, $(uname -sr), .NET SDK $(dotnet --version)"
}

# ==================================================================================================== build

mkdir -p "$OUT_DIR/poll"
rm -f "$OUT_DIR"/*.log "$OUT_DIR"/poll/*.json
commit=$(git -C "$REPO_DIR" rev-parse --short HEAD)
dirty=$(git -C "$REPO_DIR" diff --quiet HEAD -- src hocon Directory.Build.props 2>/dev/null || echo ", with uncommitted changes in src/ or hocon/")
if ((build)); then
  for project in SessionCluster.Lighthouse SessionCluster.Web; do
    log "building src/$project (Release) into $ARTIFACTS"
    dotnet build "$REPO_DIR/src/$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v quiet >"$OUT_DIR/build-$project.log" 2>&1 \
      || { cat "$OUT_DIR/build-$project.log" >&2; die "build of $project failed"; }
  done
fi
[[ -f "$WEB_DLL" && -f "$LIGHTHOUSE_DLL" ]] || die "host dlls missing under $ARTIFACTS; run without --skip-build"

# ==================================================================================================== cluster

pick_ports
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "starting ${NODES[*]} (cluster ports: $(for n in "${NODES[@]}"; do printf '%s ' "${CPORT[$n]}"; done))"
for name in "${NODES[@]}"; do start_node "$name"; done
wait_all_up "${NODES[@]}"
COLLATERAL=""
log "cluster formed: 5 members Up; leader $(view lighthouse .leader)"

# ==================================================================================================== failover

declare -a DETECT_MS=() REMOVED_MS=() REJOIN_MS=() TRIAL_ROWS=()
collateral_trials=0
for ((trial = 1; trial <= trials; trial++)); do
  victim="${WORKERS[$(((trial - 1) % ${#WORKERS[@]}))]}"
  survivors=()
  for name in "${NODES[@]}"; do [[ "$name" == "$victim" ]] || survivors+=("$name"); done
  address="127.0.0.1:${CPORT[$victim]}"
  EXPECTED_DOWNED+=("$address#${UID_OF[$victim]}")
  COLLATERAL=""

  kill_at=$(now_ms)
  kill -KILL "${PID[$victim]}"
  wait "${PID[$victim]}" 2>/dev/null || true
  detect=""
  removed=""
  deadline=$((SECONDS + DEADLINE_SECONDS))
  while [[ -z "$removed" ]]; do
    poll "${survivors[@]}"
    at=$(now_ms)
    gone=0
    for name in "${survivors[@]}"; do
      # A survivor that died meanwhile (downed) cannot answer; wait_all_up below records and restarts it.
      alive "$name" || { gone=$((gone + 1)); continue; }
      state=$(view "$name" "if .members then ((.members[] | select(.address == \"$address\") | \"\(.status) \(.reachable)\") // \"gone\") else empty end")
      case "$state" in
        gone) gone=$((gone + 1)); [[ -n "$detect" ]] || detect=$((at - kill_at)) ;;
        "Up true"|"Joining true"|"") ;;
        *) [[ -n "$detect" ]] || detect=$((at - kill_at)) ;;
      esac
    done
    ((gone == ${#survivors[@]})) && removed=$((at - kill_at))
    [[ -n "$removed" ]] && break
    ((SECONDS < deadline)) || die "trial $trial: $victim still in some survivor's view after ${DEADLINE_SECONDS}s; logs in $OUT_DIR"
    sleep "$POLL_INTERVAL"
  done

  restart_at=$(now_ms)
  start_node "$victim"
  wait_all_up "${NODES[@]}"
  rejoin=$(($(now_ms) - restart_at))
  DETECT_MS+=("$detect")
  REMOVED_MS+=("$removed")
  REJOIN_MS+=("$rejoin")
  TRIAL_ROWS+=("| $trial | $victim | $detect | $removed | $rejoin | ${COLLATERAL:-none} |")
  [[ -z "$COLLATERAL" ]] || collateral_trials=$((collateral_trials + 1))
  log "trial $trial: $victim unreachable after ${detect} ms, removed from every survivor after ${removed} ms, rejoined ${rejoin} ms after restart${COLLATERAL:+; COLLATERAL DOWNING: $COLLATERAL}"
done

# Downings during the trials of members this script never killed, from every node's log.
trial_false=$(
  for name in "${NODES[@]}"; do log_events_since "$OUT_DIR/$name.log" 0 MemberDowned; done | sort -u |
    while read -r member; do
      printf '%s\n' "${EXPECTED_DOWNED[@]}" | grep -qxF "$member" || echo "$member"
    done
)
trial_false_count=$(grep -c . <<<"$trial_false" || true)

# ==================================================================================================== soak

soak_rows=()
soak_false_poll=0
soak_unreachable_polls=0
soak_silent_polls=0
soak_deaths=0
soak_polls=0
if ((soak_seconds > 0)); then
  declare -A offset=()
  for name in "${NODES[@]}"; do offset[$name]=$(stat -c %s "$OUT_DIR/$name.log"); done
  declare -A soak_uid=()
  for name in "${NODES[@]}"; do soak_uid[$name]=${UID_OF[$name]}; done
  log "soak: ${soak_seconds}s with $load_processes busy loops"
  for ((i = 0; i < load_processes; i++)); do
    # Bounded by itself as well, in case this script is killed before its trap runs; no exec or wrapper, so that $!
    # is the busy process itself and the trap's kill stops it.
    bash -c "end=\$((SECONDS + $soak_seconds + 120)); while ((SECONDS < end)); do :; done" </dev/null >/dev/null 2>&1 &
    LOAD_PIDS+=($!)
  done
  soak_load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  soak_end=$((SECONDS + soak_seconds))
  while ((SECONDS < soak_end)); do
    round_start=$(now_ms)
    soak_polls=$((soak_polls + 1))
    poll "${NODES[@]}"
    for name in "${NODES[@]}"; do
      if ! alive "$name"; then
        soak_deaths=$((soak_deaths + 1))
        soak_rows+=("| $(date +%H:%M:%S) | $name | process exited: $(grep -h 'is out of the cluster' "$OUT_DIR/$name.log" | tail -1 | sed 's/^ *//') — restarted |")
        log "soak: $name died although nothing was killed; restarting it"
        start_node "$name"
        soak_uid[$name]=restarted   # its next incarnation is accepted once seen Up; until then it is not counted again
        continue
      fi
      [[ -s "$OUT_DIR/poll/$name.json" ]] || { soak_silent_polls=$((soak_silent_polls + 1)); continue; }
      declare -A seen=()
      while read -r member_address member_uid member_status member_reachable; do
        [[ -n "$member_address" ]] && seen[$member_address]="$member_uid $member_status $member_reachable"
      done < <(view "$name" '.members[] | "\(.address) \(.uid) \(.status) \(.reachable)"')
      for other in "${NODES[@]}"; do
        member="${seen[127.0.0.1:${CPORT[$other]}]:-}"
        if [[ "${soak_uid[$other]}" == restarted ]]; then
          [[ "$member" == *" Up true" ]] && soak_uid[$other]="${member%% *}"
          continue
        fi
        if [[ "$member" != "${soak_uid[$other]} Up "* ]]; then
          soak_false_poll=$((soak_false_poll + 1))
          soak_rows+=("| $(date +%H:%M:%S) | $name | sees $other as: ${member:-absent} (uid at soak start ${soak_uid[$other]}) |")
        elif [[ "$member" == *" false" ]]; then
          soak_unreachable_polls=$((soak_unreachable_polls + 1))
        fi
      done
      unset seen
    done
    elapsed=$(($(now_ms) - round_start))
    ((elapsed < 1000)) && sleep "$(awk -v ms=$((1000 - elapsed)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  done
  soak_load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  for pid in "${LOAD_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  LOAD_PIDS=()
  soak_downed=$(for name in "${NODES[@]}"; do log_events_since "$OUT_DIR/$name.log" "${offset[$name]}" MemberDowned; done | sort -u)
  soak_removed=$(for name in "${NODES[@]}"; do log_events_since "$OUT_DIR/$name.log" "${offset[$name]}" MemberRemoved; done | sort -u)
  soak_unreachable_events=$(for name in "${NODES[@]}"; do tail -c +$((${offset[$name]} + 1)) "$OUT_DIR/$name.log" | grep -c 'UnreachableMember {' || true; done | awk '{ s += $1 } END { print s + 0 }')
  soak_downed_count=$(grep -c . <<<"$soak_downed" || true)
  soak_removed_count=$(grep -c . <<<"$soak_removed" || true)
  log "soak done: $soak_downed_count members downed and $soak_removed_count removed per the logs; $soak_false_poll bad view observations; $soak_deaths node deaths"
fi

# ==================================================================================================== results

{
  echo "# SessionCluster failover and soak results"
  echo
  echo "Produced by \`bench/cluster-failover.sh\`; every figure was measured on the run described here."
  echo
  echo "- Date: $started_at"
  echo "- Machine: $(machine)"
  echo "- Load average at start (1/5/15 min): $load_at_start (colleagues build and test on this machine too)"
  echo "- Built from: commit $commit$dirty, Release (\`--artifacts-path $ARTIFACTS\`)"
  echo "- Command: \`$invocation\`"
  echo "- Cluster: a Lighthouse and 4 workers, each its own process on 127.0.0.1, with hocon/lighthouse.conf and"
  echo "  hocon/worker.conf as shipped (failure detector threshold 8, acceptable pause 600 ms, split-brain resolver"
  echo "  keep-majority with stable-after 1 s); the Lighthouse has the lowest address and leads, so no trial kills the leader"
  echo
  echo "## Failover: kill -9 a worker, restart it on the same ports"
  echo
  echo "Times from the kill -9 (ms). *Unreachable*: the first poll in which some survivor showed the victim"
  echo "unreachable or Down (or already gone). *Removed from all*: the first poll in which the victim was gone from"
  echo "EVERY survivor's \`GET /cluster/members\`. *Rejoined*: from the restart to the first poll in which all 5 nodes"
  echo "saw all 5 Up, reachable and converged. Polls run every ${POLL_INTERVAL}s plus the time of one round of"
  echo "parallel requests, so each figure may be late by up to one round (~60–100 ms)."
  echo
  echo "| | unreachable ms | removed from all ms | rejoined ms |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| median | $(printf '%s\n' "${DETECT_MS[@]}" | median) | $(printf '%s\n' "${REMOVED_MS[@]}" | median) | $(printf '%s\n' "${REJOIN_MS[@]}" | median) |"
  echo "| max | $(printf '%s\n' "${DETECT_MS[@]}" | maximum) | $(printf '%s\n' "${REMOVED_MS[@]}" | maximum) | $(printf '%s\n' "${REJOIN_MS[@]}" | maximum) |"
  echo
  echo "Trials in which members other than the victim were downed: **$collateral_trials of $trials**."
  echo
  echo "| trial | victim | unreachable ms | removed from all ms | rejoined ms | other nodes downed meanwhile |"
  echo "| ---: | --- | ---: | ---: | ---: | --- |"
  printf '%s\n' "${TRIAL_ROWS[@]}"
  echo
  echo "Members downed during the trials that were never killed (from all nodes' logs): **$trial_false_count**${trial_false:+ — $(paste -sd' ' <<<"$trial_false")}"
  echo
  echo "## Soak: 5 nodes, CPU at 100%, nothing killed"
  echo
  if ((soak_seconds == 0)); then
    echo "Not run (--soak-minutes 0)."
  else
    if ((soak_seconds < 600)); then
      echo "**Shortened:** this run soaked for $soak_minutes minutes ($soak_seconds s); the default is 10 minutes."
      echo
    fi
    echo "- Duration: $soak_seconds s; $load_processes busy loops (bash \`while ((SECONDS < end)); do :; done\`, one per core by default)"
    echo "- Load average (1/5/15 min) when the loops started: $soak_load_start; at the end: $soak_load_end"
    echo
    echo "| measure | count |"
    echo "| --- | ---: |"
    echo "| false downings: distinct members with a MemberDowned line in any node's log during the soak | **$soak_downed_count** |"
    echo "| distinct members with a MemberRemoved line in any node's log during the soak | $soak_removed_count |"
    echo "| node processes that exited (downed) during the soak | $soak_deaths |"
    echo "| polled views in which a member was missing, Down, or a new incarnation | $soak_false_poll |"
    echo "| polled views in which a member was Up but unreachable (detector suspicion, not a downing) | $soak_unreachable_polls |"
    echo "| UnreachableMember lines in the logs during the soak (each node logs each event) | $soak_unreachable_events |"
    echo "| polls of a node that did not answer within 2 s | $soak_silent_polls |"
    echo "| poll rounds (every node, once a second) | $soak_polls |"
    if ((${#soak_rows[@]})); then
      echo
      echo "| time | observer | what it saw |"
      echo "| --- | --- | --- |"
      printf '%s\n' "${soak_rows[@]}" | head -50
    fi
    [[ -z "$soak_downed" ]] || { echo; echo "Downed during the soak: $(paste -sd' ' <<<"$soak_downed")"; }
  fi
} >"$RESULTS"
log "wrote $RESULTS (node logs in $OUT_DIR)"
