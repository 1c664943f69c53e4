# Shared by bench/run.sh and bench/memory.sh: build, start and stop a node on loopback, machine facts, RESULTS.md.
# Source it; it expects `set -euo pipefail` in the caller.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out"                                   # gitignored: binaries, logs, result fragments
ARTIFACTS="${BENCH_ARTIFACTS:-/tmp/art-bench}"             # private obj/bin: others build this repo concurrently
NODE_BIN="$OUT_DIR/web/SessionCluster.Web"
# What is built: "worktree" (default) the files as they are now; "head" a clean export of the last commit, for a
# measurement that uncommitted edits in progress cannot disturb.
SOURCE="${BENCH_SOURCE:-worktree}"
SOURCE_DIR="$REPO_DIR"
LOAD_DLL="$OUT_DIR/load/SessionLoad.dll"
READY_DEADLINE_SECONDS="${BENCH_READY_DEADLINE:-60}"

NODE_PID=""
NODE_URL=""
NODE_LOG=""
NODE_CPUS=""                                               # a taskset CPU list for the node; empty: all cores

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  log "wrk is missing; installing it with apt-get"
  [[ $(id -u) -eq 0 ]] || die "wrk is not installed and this is not root: run 'sudo apt-get install -y wrk'"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  command -v wrk >/dev/null 2>&1 || die "could not install wrk"
}

# ensure_nginx: installs nginx with apt when it is missing (as root); sets NGINX to its binary.
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || {
    [[ $(id -u) -eq 0 ]] || die "nginx is not installed and this is not root: run 'sudo apt-get install -y nginx'"
    log "nginx is missing; installing it with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
  }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  [[ -x "$NGINX" ]] || die "could not install nginx"
}

# write_nginx_conf DIR WORKERS: DIR/nginx.conf for a private nginx (pid, logs and temp files in DIR, no access log)
# with WORKERS worker processes, around the http-block directives read from stdin (upstreams, maps, servers).
write_nginx_conf() {
  local dir="$1" workers="$2"
  mkdir -p "$dir"
  {
    echo "worker_processes $workers;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "    access_log off;"
    local kind
    for kind in client_body proxy fastcgi uwsgi scgi; do echo "    ${kind}_temp_path $dir/$kind;"; done
    cat
    echo "}"
  } >"$dir/nginx.conf"
}

# prepare_source: sets SOURCE_DIR, the tree the node is built from and runs in (it reads hocon/worker.conf there).
prepare_source() {
  case "$SOURCE" in
    worktree) SOURCE_DIR="$REPO_DIR" ;;
    head)
      SOURCE_DIR="$OUT_DIR/src-head"
      rm -rf "$SOURCE_DIR"
      mkdir -p "$SOURCE_DIR"
      git -C "$REPO_DIR" archive HEAD | tar -x -C "$SOURCE_DIR"
      ;;
    *) die "unknown source '$SOURCE': use worktree or head" ;;
  esac
}

build_node() {
  prepare_source
  log "publishing src/SessionCluster.Web (Release, from the $SOURCE) to bench/out/web"
  local commit
  commit=$(git -C "$REPO_DIR" rev-parse --short HEAD)
  dotnet publish "$SOURCE_DIR/src/SessionCluster.Web" -c Release -o "$OUT_DIR/web" --artifacts-path "$ARTIFACTS" -nologo -v quiet >"$OUT_DIR/build-web.log" 2>&1 \
    || { cat "$OUT_DIR/build-web.log" >&2; die "node build failed"; }
  # What the binary was built from, for RESULTS.md: colleagues may commit while the benchmark runs.
  if [[ "$SOURCE" == head ]]; then
    echo "commit $commit, a clean export of it (uncommitted changes not measured)"
  else
    echo "the working tree at commit $commit$(git -C "$REPO_DIR" diff --quiet HEAD -- src hocon Directory.Build.props 2>/dev/null || echo ', with the uncommitted changes in src/ or hocon/ of that moment')"
  fi >"$OUT_DIR/web/built-from.txt"
}

build_load_tool() {
  log "publishing bench/SessionLoad (Release) to bench/out/load"
  dotnet publish "$BENCH_DIR/SessionLoad" -c Release -o "$OUT_DIR/load" --artifacts-path "$ARTIFACTS" -nologo -v quiet >"$OUT_DIR/build-load.log" 2>&1 \
    || { cat "$OUT_DIR/build-load.log" >&2; die "SessionLoad build failed"; }
}

# start_node LOG [VAR=VALUE...]: starts the published node on 127.0.0.1 with a port the kernel picks (port 0), reads
# the port from Kestrel's "Now listening on" line and waits for /health/ready, each with a deadline. The node runs
# from the repo root so that it layers hocon/worker.conf over reference.conf as a deployed worker would. With
# NODE_CPUS set, the node starts under taskset, so every thread it makes keeps to those cores and .NET sizes its
# thread pool and server GC heaps to them.
start_node() {
  NODE_LOG="$1"
  shift
  [[ -x "$NODE_BIN" ]] || die "$NODE_BIN is missing; run without --skip-build"
  local pin=()
  [[ -z "$NODE_CPUS" ]] || pin=(taskset -c "$NODE_CPUS")
  [[ "$SOURCE" == worktree ]] || SOURCE_DIR="$OUT_DIR/src-head"
  [[ -d "$SOURCE_DIR/hocon" ]] || die "$SOURCE_DIR/hocon is missing; run without --skip-build"
  (cd "$SOURCE_DIR" && exec "${pin[@]}" env "$@" "$NODE_BIN" --urls "http://127.0.0.1:0" --route bench) >"$NODE_LOG" 2>&1 &
  NODE_PID=$!
  local deadline=$((SECONDS + READY_DEADLINE_SECONDS)) port=""
  while [[ -z "$port" ]]; do
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$NODE_LOG" >&2; die "the node exited during start-up"; }
    ((SECONDS < deadline)) || { cat "$NODE_LOG" >&2; die "the node did not report its port within ${READY_DEADLINE_SECONDS}s"; }
    port=$(grep -m1 -o 'Now listening on: http://127\.0\.0\.1:[0-9]*' "$NODE_LOG" | grep -o '[0-9]*$' || true)
    [[ -n "$port" ]] || sleep 0.2
  done
  NODE_URL="http://127.0.0.1:$port"
  local status=""
  until status=$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "$NODE_URL/health/ready") && [[ "$status" == 200 ]]; do
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$NODE_LOG" >&2; die "the node exited before it was ready"; }
    ((SECONDS < deadline)) || { cat "$NODE_LOG" >&2; die "the node was not ready within ${READY_DEADLINE_SECONDS}s (last /health/ready status: ${status:-none})"; }
    sleep 0.2
  done
  log "node $NODE_PID ready at $NODE_URL (cores: ${NODE_CPUS:-all}; env: ${*:-none})"
}

# stop_node: SIGTERM (graceful host shutdown), SIGKILL after 15 s; safe to call twice and from the EXIT trap.
stop_node() {
  [[ -n "$NODE_PID" ]] || return 0
  local pid="$NODE_PID"
  NODE_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 75); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.2
  done
  log "node $pid ignored SIGTERM for 15 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# rss_bytes PID: the working set (VmRSS) of a process, in bytes.
rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

machine_facts() {
  local cpu memory
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "- Machine: $(nproc) cores ($cpu), $memory RAM, $(uname -sr)"
  echo "- Load average at start (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg); the load generator runs on the same machine"
  echo "- .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- Node built from $(cat "$OUT_DIR/web/built-from.txt" 2>/dev/null || echo 'an unknown tree (built before bench/ recorded it)'), Release"
}

# assemble_results: RESULTS.md is the two fragments each script writes, so either can be re-run alone.
assemble_results() {
  {
    echo "# SessionCluster benchmark results"
    echo
    echo "Produced by \`bench/run.sh\` (throughput, then memory via \`bench/memory.sh\`); see bench/README.md for method."
    echo "Every figure below was measured, none estimated, unless a line says otherwise."
    for fragment in "$OUT_DIR/results-throughput.md" "$OUT_DIR/results-memory.md"; do
      [[ -f "$fragment" ]] && { echo; cat "$fragment"; }
    done
  } >"$BENCH_DIR/RESULTS.md"
  log "wrote bench/RESULTS.md"
}

CLK_TCK="$(getconf CLK_TCK)"

# node_cpu_ticks: user + system CPU time the node has used so far, in clock ticks (utime and stime of /proc/PID/stat).
node_cpu_ticks() { sed 's/.*) //' "/proc/$NODE_PID/stat" | awk '{ print $12 + $13 }'; }

# cpu_busy_ticks: clock ticks all cores have spent on processes since boot (user, nice, system and steal of
# /proc/stat). Interrupt and softirq time is left out: loopback TCP is processed there on behalf of node and wrk
# but charged to no process, so counting it would pass the benchmark's own traffic off as other processes' load.
cpu_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $9; exit }' /proc/stat; }

# wait_for_quiet: colleagues build and test on this machine too; wait (bounded) until the other processes use less
# than a fifth of a core, so they do not steal CPU from the node or the client. Sets QUIET_NOTE for RESULTS.md.
wait_for_quiet() {
  local deadline=$((SECONDS + ${BENCH_QUIET_WAIT:-300})) before busy
  while true; do
    before=$(cpu_busy_ticks)
    sleep 2
    busy=$(awk -v t=$(($(cpu_busy_ticks) - before)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz / 2 }')
    if awk -v b="$busy" 'BEGIN { exit !(b < 0.2) }'; then
      QUIET_NOTE="other processes used $busy cores just before the run"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      QUIET_NOTE="other processes still used $busy cores after waiting ${BENCH_QUIET_WAIT:-300} s; measured anyway"
      log "warning: $QUIET_NOTE"
      return 0
    fi
    log "other processes use $busy cores; waiting for the machine to quieten"
    sleep 5
  done
}
