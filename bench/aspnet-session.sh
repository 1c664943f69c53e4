#!/usr/bin/env bash
# ASP.NET Core sessions (issue 7) on 127.0.0.1: the ShoppingCart sample (samples/ShoppingCart, HttpContext.Session
# only) under wrk through nginx in front of 3 clustered nodes, versus the same app on one node with ASP.NET Core's
# in-memory session store (AddDistributedMemoryCache, --cart:session-store=memory). Writes the "ASP.NET Core sessions
# (issue 7)" section of bench/RESULTS.md.
#
#   bench/aspnet-session.sh [--duration 10s] [--warmup 3s] [--rounds 3] [--connections 32] [--skip-build]
#                           [--results FILE] [--smoke]
#
# Method: both layouts run at once, idle while the other is measured, and the rounds interleave them (and the two
# scenarios, read and add), so a disturbance from other processes on this shared machine hits both; each cell is the
# median round. Nothing is pinned: the 3 nodes, nginx and wrk share the same cores, as the issue asks ("the cluster
# replicates and forwards on the same two cores"). Every connection has its own session, created beforehand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARTIFACTS="${BENCH_ARTIFACTS:-/tmp/art-bench-aspnet}"
duration=10s
warmup=3s
rounds=3
connections=32
threads=2
skip_build=0
results_file="$BENCH_DIR/RESULTS.md"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --skip-build) skip_build=1; shift ;;
    --results) results_file="$2"; shift 2 ;;
    --smoke) duration=3s; warmup=1s; rounds=1; results_file="$OUT_DIR/aspnet/smoke.md"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

OUT="$OUT_DIR/aspnet"
CART_DLL="$OUT/cart/ShoppingCart.dll"
SECRET="bench-$(date +%s)-$RANDOM"
mkdir -p "$OUT"
PIDS=()
NGINX_PID=""

cleanup() {
  [[ -z "$NGINX_PID" ]] || kill -TERM "$NGINX_PID" 2>/dev/null || true
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 75); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [[ -z "$NGINX_PID" ]] || kill -KILL "$NGINX_PID" 2>/dev/null || true
}
trap cleanup EXIT

ensure_wrk
ensure_nginx

if ((!skip_build)); then
  log "publishing samples/ShoppingCart (Release) to bench/out/aspnet/cart"
  dotnet publish "$REPO_DIR/samples/ShoppingCart" -c Release -o "$OUT/cart" --artifacts-path "$ARTIFACTS" -nologo -v quiet >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; die "build failed"; }
  echo "the working tree at commit $(git -C "$REPO_DIR" rev-parse --short HEAD)$(git -C "$REPO_DIR" diff --quiet HEAD -- src samples hocon 2>/dev/null || echo ', with uncommitted changes')" >"$OUT/cart/built-from.txt"
fi
[[ -f "$CART_DLL" ]] || die "$CART_DLL is missing; run without --skip-build"

# free_ports N: N distinct free loopback ports in 20000-32767 (below the ephemeral range).
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
ports, socks = [], []
while len(ports) < int(sys.argv[1]):
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    socks.append(s); ports.append(p)
print(" ".join(map(str, ports)))
PY
}

# wait_http URL NAME: until GET URL answers 200 (60 s).
wait_http() {
  local deadline=$((SECONDS + 60))
  until [[ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "$1" || true)" == 200 ]]; do
    ((SECONDS < deadline)) || die "$2 did not answer $1 within 60 s"
    sleep 0.3
  done
}

# start_cart NAME HTTP_PORT [ARG...]: one ShoppingCart process on 127.0.0.1, logging to out/aspnet/NAME.log.
start_cart() {
  local name="$1" port="$2"
  shift 2
  (cd "$REPO_DIR" && exec env "session-cluster__remote__secret=$SECRET" dotnet "$CART_DLL" --urls "http://127.0.0.1:$port" "$@") >"$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/" "$name"
}

read -r -a ports <<<"$(free_ports 8)"
seed="127.0.0.1:${ports[3]}"
log "starting 3 clustered cart nodes (HTTP ${ports[0]} ${ports[1]} ${ports[2]}), nginx (${ports[6]}) and one in-memory node (${ports[7]})"
for i in 0 1 2; do
  start_cart "cluster-$((i + 1))" "${ports[$i]}" "--session-cluster:remote:port=${ports[$((i + 3))]}" "--session-cluster:cluster:seed-nodes=$seed"
done
start_cart single "${ports[7]}" --cart:session-store=memory

# Each node serves a session once it has joined (its region knows the coordinator).
for i in 0 1 2; do
  deadline=$((SECONDS + 60))
  until [[ "$(curl -s --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${ports[$i]}/cart/items/warm-up" || true)" == 200 ]]; do
    ((SECONDS < deadline)) || die "cluster node $((i + 1)) did not serve a session within 60 s"
    sleep 0.5
  done
done

# Sessions are made only once the 100 shards (reference.conf) are spread evenly over the 3 nodes (the first node to start homes them all
# until the others join and the coordinator rebalances, 10 shards a second): a session made earlier would keep a
# SESSIONROUTE naming its first home in wrk's fixed cookies, and every request would take a hop a browser, which
# keeps the rewritten cookie, would not.
balanced_for=0
deadline=$((SECONDS + 90))
while ((balanced_for < 3)); do
  ((SECONDS < deadline)) || die "the shards were not spread evenly over the 3 nodes within 90 s"
  homes=$(curl -s --noproxy '*' --max-time 5 "http://127.0.0.1:${ports[0]}/cluster/shards" \
    | grep -o '"home":"[^"]*"' | sort | uniq -c | awk '{ print $1 }' | sort -n | paste -sd ' ' || true)
  read -r -a counts <<<"$homes"
  if ((${#counts[@]} == 3 && counts[0] + counts[1] + counts[2] == 100 && counts[2] - counts[0] <= 1)); then
    balanced_for=$((balanced_for + 1))
  else
    balanced_for=0
  fi
  sleep 1
done
log "shards spread evenly over the 3 nodes ($homes)"

write_nginx_conf "$OUT/nginx" 1 <<CONF
    # New sessions round-robin; then sticky on the SESSIONROUTE cookie (the route of the session's home, which
    # AddSessionCluster sends beside the middleware's cookie), as deploy/nginx/nginx.conf does with SESSIONID.
    upstream cart {
        server 127.0.0.1:${ports[0]};
        server 127.0.0.1:${ports[1]};
        server 127.0.0.1:${ports[2]};
        keepalive 64;
    }
    upstream cart_1 { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]} backup; keepalive 32; }
    upstream cart_2 { server 127.0.0.1:${ports[1]}; server 127.0.0.1:${ports[2]} backup; keepalive 32; }
    upstream cart_3 { server 127.0.0.1:${ports[2]}; server 127.0.0.1:${ports[0]} backup; keepalive 32; }
    map \$cookie_SESSIONROUTE \$cart_upstream {
        default cart;
        127-0-0-1-${ports[0]} cart_1;
        127-0-0-1-${ports[1]} cart_2;
        127-0-0-1-${ports[2]} cart_3;
    }
    server {
        listen 127.0.0.1:${ports[6]};
        location / {
            proxy_pass http://\$cart_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
CONF
"$NGINX" -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' >"$OUT/nginx/out.log" 2>&1 &
NGINX_PID=$!
CLUSTER_URL="http://127.0.0.1:${ports[6]}"
SINGLE_URL="http://127.0.0.1:${ports[7]}"
wait_http "$CLUSTER_URL/" nginx

# make_cookies URL FILE: one session per connection, its cookies ("Name=value; Name=value") a line.
make_cookies() {
  : >"$2"
  local i cookie
  for i in $(seq 1 "$connections"); do
    # Shards still settle just after the nodes joined (a request may wait out a hand-off and fail): a few attempts.
    cookie=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      cookie=$(curl -s --noproxy '*' --max-time 10 -D - -o /dev/null -X POST "$1/cart/items/seed" | tr -d '\r' | grep -i '^HTTP/1.1 200' -A100 | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | paste -sd ';' | sed 's/;/; /g' || true)
      [[ -z "$cookie" ]] || break
      sleep 0.5
    done
    [[ -n "$cookie" ]] || die "no session cookie from $1 (connection $i) after 10 attempts"
    echo "$cookie" >>"$2"
  done
}
make_cookies "$CLUSTER_URL" "$OUT/cookies-cluster.txt"

# refresh_routes FILE: a GET /cart with each cookie line; a SESSIONROUTE the node rewrites (the session's home is not
# the node the cookie names) replaces the old one in the line, as a browser would keep it. Prints how many lines
# already named their session's home.
refresh_routes() {
  local line rewritten fresh=0 total=0
  : >"$1.new"
  while IFS= read -r line; do
    total=$((total + 1))
    rewritten=$(curl -s --noproxy '*' --max-time 10 -D - -o /dev/null -H "Cookie: $line" "$CLUSTER_URL/cart" | tr -d '\r' \
      | sed -n 's/^[Ss]et-[Cc]ookie: \(SESSIONROUTE=[^;]*\).*/\1/p' | tail -1 || true)
    if [[ -n "$rewritten" ]]; then
      line=$(sed "s/SESSIONROUTE=[^;]*/$rewritten/" <<<"$line")
    else
      fresh=$((fresh + 1))
    fi
    echo "$line" >>"$1.new"
  done <"$1"
  mv "$1.new" "$1"
  echo "$fresh/$total"
}
ROUTES_AT_HOME=$(refresh_routes "$OUT/cookies-cluster.txt")
ROUTES_AFTER=$(refresh_routes "$OUT/cookies-cluster.txt")
log "cookies naming their session's home: $ROUTES_AT_HOME as made, $ROUTES_AFTER after one refresh"
make_cookies "$SINGLE_URL" "$OUT/cookies-single.txt"

# run_wrk LAYOUT MODE DURATION: prints the BENCH line.
run_wrk() {
  local url file
  if [[ "$1" == cluster ]]; then url="$CLUSTER_URL"; file="$OUT/cookies-cluster.txt"; else url="$SINGLE_URL"; file="$OUT/cookies-single.txt"; fi
  wrk -t "$threads" -c "$connections" -d "$3" -s "$BENCH_DIR/wrk/cart.lua" "$url" -- "$2" "$file" "$threads" | grep '^BENCH'
}

BENCH_QUIET_WAIT="${BENCH_QUIET_WAIT:-90}" wait_for_quiet
log "warm-up ($warmup per layout and scenario)"
for mode in read add; do for layout in cluster single; do run_wrk "$layout" "$mode" "$warmup" >/dev/null; done; done

: >"$OUT/rounds.txt"
for round in $(seq 1 "$rounds"); do
  order="cluster single"; ((round % 2)) || order="single cluster"
  for mode in read add; do
    for layout in $order; do
      line=$(run_wrk "$layout" "$mode" "$duration")
      echo "$layout $mode $round $line" >>"$OUT/rounds.txt"
      log "round $round $layout $mode: $line"
    done
  done
done

# The carts stayed consistent: a session's read shows the 8 products the adds cycle through (or fewer) and no error.
check=$(curl -s --noproxy '*' --max-time 10 -H "Cookie: $(head -1 "$OUT/cookies-cluster.txt")" "$CLUSTER_URL/cart")
log "a cluster cart after the run: $check"

# median_field LAYOUT MODE FIELD: the FIELD of the round with the median requests/s.
median_line() {
  grep "^$1 $2 " "$OUT/rounds.txt" | awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^rps=/) { split($i, a, "="); print a[2], $0 } }' \
    | sort -n | awk '{ lines[NR] = $0 } END { print lines[int((NR + 1) / 2)] }' | cut -d' ' -f2-
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

{
  echo "## ASP.NET Core sessions (issue 7)"
  echo
  echo "Produced by \`bench/aspnet-session.sh\`; every figure was measured on the run described, none estimated."
  echo
  echo "- The ShoppingCart sample (\`samples/ShoppingCart\`, only \`HttpContext.Session\`): **cluster** = 3 nodes on"
  echo "  \`builder.AddSessionCluster()\` (replication-factor 2, write-consistency one, reference.conf defaults) behind"
  echo "  nginx (keepalive; new sessions round-robin, then sticky on the \`SESSIONROUTE\` cookie naming the session's home);"
  echo "  **single** = the same app on one node with \`AddDistributedMemoryCache()\`, wrk"
  echo "  straight to it. Both layouts, nginx and wrk share the machine's cores (nothing pinned), both layouts up throughout."
  echo "- Sessions made once the shards were spread evenly over the nodes; wrk's cookies named their session's home"
  echo "  ($ROUTES_AT_HOME as made, $ROUTES_AFTER after a request that may rewrite the route, as a browser keeps it)."
  echo "- \`read\`: GET /cart (LoadAsync, read every key); \`add\`: POST /cart/items/sku-N (LoadAsync, SetInt32 of one of"
  echo "  8 products, CommitAsync of that key). wrk -t$threads -c$connections, one session per connection, $duration per run,"
  echo "  $rounds interleaved rounds after a $warmup warm-up; each cell is the median round by requests/s."
  echo "- $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); .NET SDK $(dotnet --version);"
  echo "  $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $("$NGINX" -v 2>&1 | sed 's/.*: //'); built from $(cat "$OUT/cart/built-from.txt" 2>/dev/null || echo unknown), Release."
  echo "- ${QUIET_NOTE:-machine state unknown}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| scenario | cluster req/s | p50 ms | p99 ms | single req/s | p50 ms | p99 ms | cluster / single | failed (cluster, single) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  for mode in read add; do
    c=$(median_line cluster "$mode"); s=$(median_line single "$mode")
    cr=$(field rps "$c"); sr=$(field rps "$s")
    failed_c=$(grep "^cluster $mode " "$OUT/rounds.txt" | awk '{ n = 0; for (i = 4; i <= NF; i++) if ($i ~ /^(non2xx|connect|read|write|timeout)=/) { split($i, a, "="); n += a[2] } t += n } END { print t + 0 }')
    failed_s=$(grep "^single $mode " "$OUT/rounds.txt" | awk '{ n = 0; for (i = 4; i <= NF; i++) if ($i ~ /^(non2xx|connect|read|write|timeout)=/) { split($i, a, "="); n += a[2] } t += n } END { print t + 0 }')
    ratio=$(awk -v c="$cr" -v s="$sr" 'BEGIN { printf "%.2f", c / s }')
    printf '| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %s | %s, %s |\n' "$mode" "$cr" "$(field p50_ms "$c")" "$(field p99_ms "$c")" \
      "$sr" "$(field p50_ms "$s")" "$(field p99_ms "$s")" "$ratio" "$failed_c" "$failed_s"
  done
  echo
  echo "Target: cluster / single ≥ 0.5. Every round (requests/s): $(awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^rps=/) { split($i, a, "="); printf "%s%s %s r%s %.0f", sep, $1, $2, $3, a[2]; sep = "; " } }' "$OUT/rounds.txt")."
  echo "A cart read through the cluster after the run: \`$check\`."
} >"$OUT/section.md"

if [[ "$results_file" == "$BENCH_DIR/RESULTS.md" ]]; then
  [[ -f "$results_file" ]] || : >"$results_file"
  awk -v section="$OUT/section.md" '
    /^## ASP\.NET Core sessions \(issue 7\)$/ { skipping = 1; next }
    skipping && /^## / { skipping = 0 }
    !skipping { lines[++n] = $0 }
    END {
      while (n > 0 && lines[n] == "") n--
      for (i = 1; i <= n; i++) print lines[i]
      print ""
      while ((getline line < section) > 0) print line
    }' "$results_file" >"$results_file.tmp"
  mv "$results_file.tmp" "$results_file"
else
  cp "$OUT/section.md" "$results_file"
fi
log "wrote $results_file"
