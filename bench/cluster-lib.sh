# Shared by the multi-process benchmarks (sharding.sh, replication.sh, transfer.sh): build the web node and the
# Lighthouse, start and stop clusters of them on loopback, wait for the cluster to be ready, CPU accounting, small
# helpers for result tables, and the replacement of one "## " section of RESULTS.md.
# Source it (it sources lib.sh); it expects `set -euo pipefail` in the caller. After sourcing, the caller calls
# use_out_dir with its own directory (binaries, logs, fragments) and sets ARTIFACTS, DEADLINE_SECONDS and, per
# cluster, LOG_PREFIX.
# Its start_node (NAME ROLE ...) replaces lib.sh's one-node start_node; lib.sh's stop_node is not used with it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEADLINE_SECONDS=60                                              # each wait: start-up, convergence, shards
LOG_PREFIX=""                                                    # node NAME logs to $LOG_PREFIX-NAME.log

# use_out_dir DIR: the script's own directory under bench/out (overrides lib.sh's OUT_DIR), and the binaries in it.
use_out_dir() {
  OUT_DIR="$1"
  WEB_BIN="$OUT_DIR/web/SessionCluster.Web"
  LIGHTHOUSE_BIN="$OUT_DIR/lighthouse/SessionCluster.Lighthouse"
  LOAD_DLL="$OUT_DIR/load/SessionLoad.dll"
  LOG_PREFIX="$OUT_DIR/node"
}

# ---------------------------------------------------------------------------------------------------- processes

declare -A PID=() CPORT=() HPORT=() PLACE=()
EXTRA_PIDS=()                                                    # wrk, pollers and watchers, while they run

# cleanup: the EXIT trap; kills by PID every node and extra process this script started, then reaps them.
cleanup() {
  local pid
  for pid in "${EXTRA_PIDS[@]}" "${PID[@]}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${EXTRA_PIDS[@]}" "${PID[@]}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# print_usage: the script's leading comment block (its --help).
print_usage() { awk 'NR > 1 { if (/^#/) print; else exit }' "$0"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
port_free() { [[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]; }

# pick_ports NAME...: a distinct free cluster and HTTP port for each node, from 20000-32767 (below Linux's
# ephemeral range, so no outgoing connection holds one), none taken by a node started since the last stop_nodes
# (several clusters may be up at once).
TAKEN=" "
pick_ports() {
  local port name kind
  for name in "$@"; do
    for kind in C H; do
      while true; do
        port=$((20000 + RANDOM % 12768))
        [[ "$TAKEN" != *" $port "* ]] && port_free "$port" && break
      done
      TAKEN+="$port "
      if [[ $kind == C ]]; then CPORT[$name]=$port; else HPORT[$name]=$port; fi
    done
  done
}

url_of() { echo "http://127.0.0.1:${HPORT[$1]}"; }
address_of() { echo "127.0.0.1:${CPORT[$1]}"; }
alive() { kill -0 "${PID[$1]}" 2>/dev/null; }

# start_node NAME ROLE [--cpus LIST] [--seed NAME] [SETTING...]: starts the published node ROLE (lighthouse, worker,
# front) with hocon/ROLE.conf from the built tree, its own ports, the seed's Lighthouse (default: the node named
# lighthouse) and --route NAME; SETTINGs (command-line switches such as --session-cluster:x:y=z) go to a web node
# only. With --cpus under taskset (every thread it makes keeps to those cores, and .NET sizes its thread pool and
# GC heaps to them). Output, with timestamps: $LOG_PREFIX-NAME.log.
start_node() {
  local name="$1" role="$2" cpus="" seed=lighthouse pin=() args=()
  shift 2
  while (($#)); do
    case "$1" in
      --cpus) cpus="$2"; shift 2 ;;
      --seed) seed="$2"; shift 2 ;;
      *) break ;;
    esac
  done
  [[ -z "$cpus" ]] || pin=(taskset -c "$cpus")
  if [[ "$role" == lighthouse ]]; then
    args=("$LIGHTHOUSE_BIN" --config hocon/lighthouse.conf)
  else
    args=("$WEB_BIN" --config "hocon/$role.conf" --route "$name" "$@")
  fi
  args+=(--port "${CPORT[$name]}" --seeds "$(address_of "$seed")" --urls "$(url_of "$name")")
  echo "===== $(date +%H:%M:%S.%3N) ${pin[*]}${pin[*]:+ }${args[*]}" >>"$LOG_PREFIX-$name.log"
  (cd "$SOURCE_DIR" && exec "${pin[@]}" env "Logging__Console__TimestampFormat=HH:mm:ss.fff " "${args[@]}") \
    </dev/null >>"$LOG_PREFIX-$name.log" 2>&1 &
  PID[$name]=$!
  PLACE[$name]="${cpus:-all cores}"
}

# stop_nodes: the cluster is thrown away after each layout or trial, so every node gets SIGKILL (a SIGTERM to every
# worker at once would make each wait for a drain that has nowhere to go). Their ports may be picked again.
stop_nodes() {
  local name
  for name in "${!PID[@]}"; do kill -KILL "${PID[$name]}" 2>/dev/null || true; done
  for name in "${!PID[@]}"; do wait "${PID[$name]}" 2>/dev/null || true; done
  PID=()
  TAKEN=" "
}

# wait_http NAME PATH: until NAME answers PATH with a 200.
wait_http() {
  local name="$1" path="$2" deadline=$((SECONDS + DEADLINE_SECONDS)) status=""
  until status=$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "$(url_of "$name")$path") && [[ "$status" == 200 ]]; do
    alive "$name" || { tail -40 "$LOG_PREFIX-$name.log" >&2; die "$name exited during start-up"; }
    ((SECONDS < deadline)) || { tail -40 "$LOG_PREFIX-$name.log" >&2; die "$name did not answer $path within ${DEADLINE_SECONDS}s (last: ${status:-none})"; }
    sleep 0.2
  done
}

# members_view NAME: "converged members up" from NAME's GET /cluster/members (up: Up and reachable).
members_view() {
  curl -s --noproxy '*' --max-time 2 "$(url_of "$1")/cluster/members" |
    jq -r '[.converged, (.members | length), ([.members[] | select(.status == "Up" and .reachable)] | length)] | map(tostring) | join(" ")' 2>/dev/null || true
}

# wait_members NAME COUNT: until NAME's view is converged with exactly COUNT members, all Up and reachable.
wait_members() {
  local name="$1" count="$2" deadline=$((SECONDS + DEADLINE_SECONDS)) seen=""
  while true; do
    seen=$(members_view "$name")
    [[ "$seen" == "true $count $count" ]] && return 0
    ((SECONDS < deadline)) || die "$name did not see $count members Up and converged within ${DEADLINE_SECONDS}s (converged, members, up: ${seen:-no answer}); logs in $OUT_DIR"
    sleep 0.2
  done
}

# shard_view NAME: "shards unhomed uncounted sessions homes min max" from NAME's GET /cluster/shards.
shard_view() {
  curl -s --noproxy '*' --max-time 5 "$(url_of "$1")/cluster/shards" | jq -r '.shards | (map(select(.home != null)) | group_by(.home)) as $homes |
    [length, (map(select(.home == null)) | length), (map(select(.sessions == null)) | length), (map(.sessions // 0) | add // 0),
     ($homes | length), ($homes | map(length) | min // 0), ($homes | map(length) | max // 0)] | map(tostring) | join(" ")' 2>/dev/null || true
}

# wait_shards NAME WORKERS SESSIONS: until NAME sees every shard homed on exactly WORKERS homes, balanced to within
# one shard, every count known and SESSIONS sessions in all; returns 1 at the deadline. Sets SHARD_VIEW to the last view.
SHARD_VIEW=""
wait_shards() {
  local name="$1" workers="$2" expected="$3" deadline=$((SECONDS + DEADLINE_SECONDS))
  local total unhomed uncounted counted homes low high
  while true; do
    SHARD_VIEW=$(shard_view "$name")
    read -r total unhomed uncounted counted homes low high <<<"${SHARD_VIEW:-0 0 0 0 0 0 0}"
    if ((total > 0 && unhomed == 0 && uncounted == 0 && homes == workers && high - low <= 1 && counted == expected)); then
      return 0
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# wait_ready NAME WORKERS BACKUPS [MEMBERS]: NAME sees MEMBERS (default WORKERS + 2: a Lighthouse and a front) members
# Up and converged, every shard homed, the homes balanced over WORKERS workers, and every shard holding BACKUPS backups.
wait_ready() {
  local name="$1" workers="$2" backups="$3" members="${4:-$(($2 + 2))}" deadline=$((SECONDS + DEADLINE_SECONDS)) seen="" view=""
  local total unhomed wrongbackups homes low high
  while true; do
    seen=$(members_view "$name")
    if [[ "$seen" == "true $members $members" ]]; then
      view=$(curl -s --noproxy '*' --max-time 5 "$(url_of "$name")/cluster/shards" | jq -r --argjson b "$backups" '.shards |
        (map(select(.home != null)) | group_by(.home)) as $homes |
        [length, (map(select(.home == null)) | length), (map(select((.backups | length) != $b)) | length),
         ($homes | length), ($homes | map(length) | min // 0), ($homes | map(length) | max // 0)] | map(tostring) | join(" ")' 2>/dev/null || true)
      read -r total unhomed wrongbackups homes low high <<<"${view:-0 0 0 0 0 0}"
      ((total > 0 && unhomed == 0 && wrongbackups == 0 && homes == workers && high - low <= 1)) && return 0
    fi
    ((SECONDS < deadline)) || die "$name: cluster not ready within ${DEADLINE_SECONDS}s (members converged/count/up: ${seen:-none}; shards total/unhomed/without $backups backups/homes/min/max: ${view:-none}); logs in $OUT_DIR"
    sleep 0.3
  done
}

# new_session URL METHOD PATH [BODY]: a cookie-less request that mints a session; prints the cookie value.
new_session() {
  local url="$1" method="$2" path="$3" body="${4:-}" cookie
  local data=()
  [[ -z "$body" ]] || data=(-H 'Content-Type: application/json' --data "$body")
  cookie=$(curl -sf --noproxy '*' --max-time 10 -o /dev/null -D - -X "$method" "${data[@]}" "$url$path" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: SESSIONID=\([^;]*\).*/\1/p' || true)
  [[ -n "$cookie" ]] || die "a cookie-less $method $path to $url set no session cookie"
  echo "$cookie"
}

# ---------------------------------------------------------------------------------------------------- CPU accounting

# proc_ticks PID: user + system CPU time of a process so far, in clock ticks (0 once it is gone).
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0; }
# nodes_ticks: the same summed over every node running.
nodes_ticks() { local name sum=0; for name in "${!PID[@]}"; do sum=$((sum + $(proc_ticks "${PID[$name]}"))); done; echo "$sum"; }

# ---------------------------------------------------------------------------------------------------- result helpers

# field LINE NAME: the number after NAME= in a "KEY a=1 b=2" line (wrk's BENCH, SessionLoad's LOAD/WATCH...).
field() { grep -o "$2=[0-9.]*" <<<"$1" | head -1 | cut -d= -f2 || true; }
# wrk_failed BENCH-LINE: requests that failed in a wrk run (non-2xx, connect, read, write, timeout).
wrk_failed() { echo $(($(field "$1" non2xx) + $(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout))); }
# verdict VALUE OP LIMIT: "met" or "**not met**" for VALUE >= or <= LIMIT.
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = (op == ">=") ? v >= l : v <= l; print ok ? "met" : "**not met**" }'; }
# median: of the numbers on stdin, one a line ("-" if none).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------------------------------------------- build

# build_cluster [--with-load]: publishes the web node and the Lighthouse (Release, from the $SOURCE: see
# prepare_source) into $OUT_DIR/web and $OUT_DIR/lighthouse, with --with-load also bench/SessionLoad into
# $OUT_DIR/load (bench tooling, not the product: always the working tree's), and records what they were built from.
build_cluster() {
  local with_load=0 project name commit
  [[ "${1:-}" != --with-load ]] || with_load=1
  prepare_source
  mkdir -p "$OUT_DIR"
  for project in src/SessionCluster.Web:web src/SessionCluster.Lighthouse:lighthouse; do
    name="${project#*:}"
    log "publishing ${project%%:*} (Release, from the $SOURCE) to ${OUT_DIR#"$REPO_DIR"/}/$name"
    dotnet publish "$SOURCE_DIR/${project%%:*}" -c Release -o "$OUT_DIR/$name" --artifacts-path "$ARTIFACTS" -nologo -v quiet \
      >"$OUT_DIR/build-$name.log" 2>&1 || { cat "$OUT_DIR/build-$name.log" >&2; die "build of ${project%%:*} failed"; }
  done
  if ((with_load)); then
    log "publishing bench/SessionLoad (Release) to ${OUT_DIR#"$REPO_DIR"/}/load"
    dotnet publish "$BENCH_DIR/SessionLoad" -c Release -o "$OUT_DIR/load" --artifacts-path "$ARTIFACTS" -nologo -v quiet \
      >"$OUT_DIR/build-load.log" 2>&1 || { cat "$OUT_DIR/build-load.log" >&2; die "build of bench/SessionLoad failed"; }
  fi
  commit=$(git -C "$REPO_DIR" rev-parse --short HEAD)
  if [[ "$SOURCE" == head ]]; then
    echo "commit $commit, a clean export of it (uncommitted changes not measured)"
  else
    echo "the working tree at commit $commit$(git -C "$REPO_DIR" diff --quiet HEAD -- src hocon Directory.Build.props 2>/dev/null || echo ', with the uncommitted changes in src/ or hocon/ of that moment')"
  fi >"$OUT_DIR/web/built-from.txt"
}

# build_or_check BUILD [--with-load]: build_cluster when BUILD is 1; otherwise (--skip-build) use the tree the last
# build ran from (the nodes read its hocon/). Either way, dies unless the binaries are there.
build_or_check() {
  local build="$1" with_load="${2:-}"
  mkdir -p "$OUT_DIR"
  if ((build)); then
    build_cluster $with_load
  elif [[ "$SOURCE" == worktree ]]; then
    SOURCE_DIR="$REPO_DIR"
  else
    SOURCE_DIR="$OUT_DIR/src-head"
  fi
  [[ -x "$WEB_BIN" && -x "$LIGHTHOUSE_BIN" && -d "$SOURCE_DIR/hocon" ]] || die "binaries or $SOURCE_DIR/hocon missing in $OUT_DIR; run without --skip-build"
  [[ -z "$with_load" || -f "$LOAD_DLL" ]] || die "$LOAD_DLL is missing; run without --skip-build"
}

# ---------------------------------------------------------------------------------------------------- results

# write_section RESULTS HEADING INTRO FRAGMENT...: replaces the "## HEADING" section of RESULTS (from that heading to
# the next "## " heading, or the end), where it stands, with the heading, INTRO and every FRAGMENT file that exists,
# so that each benchmark (and each part of one) can be re-run alone and the rest of the file is kept.
write_section() {
  local results="$1" heading="$2" intro="$3" section="$OUT_DIR/section.md" fragment
  shift 3
  [[ -f "$results" ]] || : >"$results"
  {
    echo "## $heading"
    echo
    echo "$intro"
    for fragment in "$@"; do
      [[ -f "$fragment" ]] && { echo; cat "$fragment"; }
    done
  } >"$section"
  # The section is replaced where it stands, and so is each "###" subsection this run wrote, in its old place. Those
  # it did not write (hand-written notes, earlier runs kept for comparison) stay where they were, and are named in the
  # log: read them again, they may speak of the run just replaced. A replaced subsection's hand-written notes are
  # gone with it, and the log says so.
  python3 - "$results" "$section" "## $heading" <<'PY'
import sys
results, section, heading = sys.argv[1:4]
lines = open(results).read().split("\n")
fresh = open(section).read().rstrip("\n").split("\n")

def blocks(body):
    """The lines before the first "### " heading, then each subsection as (heading, lines)."""
    intro, parts = [], []
    for line in body:
        if line.startswith("### "):
            parts.append((line, [line]))
        elif parts:
            parts[-1][1].append(line)
        else:
            intro.append(line)
    return intro, parts

def trimmed(block):
    while block and block[-1] == "":
        block = block[:-1]
    return block

start = next((i for i, line in enumerate(lines) if line == heading), None)
if start is None:
    while lines and lines[-1] == "":
        lines.pop()
    out = lines + [""] + fresh + [""]
else:
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    fresh_intro, fresh_parts = blocks(fresh)
    written = dict(fresh_parts)
    _, old_parts = blocks(lines[start + 1:end])
    body, placed = trimmed(fresh_intro), set()
    for title, block in old_parts:
        if title in written:
            if any("written by hand" in line for line in block):
                print("hand-written notes dropped with the old run (re-add them): " + title[4:], file=sys.stderr)
            block, placed = written[title], placed | {title}
        else:
            print("kept from before (review by hand): " + title[4:], file=sys.stderr)
        body += [""] + trimmed(block)
    for title, block in fresh_parts:
        if title not in placed:
            body += [""] + trimmed(block)
    out = lines[:start] + body + [""] + lines[end:]
open(results, "w").write("\n".join(out).rstrip("\n") + "\n")
PY
  log "wrote the $heading section of $results"
}
