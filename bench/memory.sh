#!/usr/bin/env bash
# Memory benchmark of one node: the working set per session with N sessions of one 100-byte attribute each.
#
#   bench/memory.sh [--sessions 1000000] [--warm 10000] [--concurrency 64] [--gc "workstation server"]
#                   [--types 25] [--source worktree|head] [--skip-build]
#
# For each GC flavour: start a node; create --warm sessions (JIT, pools and the region's dictionary get going); induce
# a full GC and read VmRSS ("before"); create exactly --sessions sessions with bench/SessionLoad (one cookie-less PUT
# each, which mints a session and sets its attribute); read VmRSS ("after load"); induce a full GC and read VmRSS
# again ("after full GC"). The managed heap after each induced GC is read from the runtime's GCHeapStats event. With
# --types N > 0, the first flavour's node then has its heap walked and the N largest types are listed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sessions="${BENCH_SESSIONS:-1000000}"
warm="${BENCH_WARM_SESSIONS:-10000}"
concurrency="${BENCH_LOAD_CONCURRENCY:-64}"
flavours="${BENCH_GC:-workstation server}"
types="${BENCH_TYPES:-25}"
value_bytes=100
build=1
invocation="bench/memory.sh${*:+ $*}"
while (($#)); do
  case "$1" in
    --sessions) sessions="$2"; shift 2 ;;
    --warm) warm="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --gc) flavours="$2"; shift 2 ;;
    --types) types="$2"; shift 2 ;;
    --source) SOURCE="$2"; export BENCH_SOURCE="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$sessions" =~ ^[0-9]+$ && "$warm" =~ ^[0-9]+$ && "$concurrency" =~ ^[0-9]+$ && "$types" =~ ^[0-9]+$ ]] || die "numbers expected"
((sessions >= 1 && sessions <= 10000000 && warm >= 1 && concurrency >= 1)) || die "need 1 ≤ sessions ≤ 10,000,000, warm ≥ 1, concurrency ≥ 1"

mkdir -p "$OUT_DIR"
trap stop_node EXIT
trap 'exit 130' INT TERM

if ((build)); then
  build_node
  build_load_tool
fi
[[ -f "$LOAD_DLL" ]] || die "$LOAD_DLL is missing; run without --skip-build"
load() { timeout 1800 dotnet "$LOAD_DLL" "$@"; }   # bounded even if the node stops answering
field() { grep -o "$2=[0-9.]*" <<<"$1" | head -1 | cut -d= -f2; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

facts=$(machine_facts)
rows=""
type_table=""
load_lines=""
for flavour in $flavours; do
  case "$flavour" in
    workstation) gc_env=(DOTNET_gcServer=0) ;;
    server) gc_env=(DOTNET_gcServer=1) ;;
    *) die "unknown GC flavour '$flavour': use workstation or server" ;;
  esac
  start_node "$OUT_DIR/node-memory-$flavour.log" "${gc_env[@]}"
  rss_start=$(rss_bytes "$NODE_PID")

  log "$flavour: warm-up, $warm sessions"
  load create --url "$NODE_URL" --count "$warm" --concurrency "$concurrency" --value-bytes "$value_bytes" --verify 100 >"$OUT_DIR/load-warm-$flavour.txt" \
    || { cat "$OUT_DIR/load-warm-$flavour.txt" >&2; die "warm-up failed"; }
  heap_before=$(load heap --pid "$NODE_PID" | grep '^HEAP ') || die "could not induce a GC in the node"
  sleep 2
  rss_before=$(rss_bytes "$NODE_PID")

  log "$flavour: creating $sessions sessions with one $value_bytes-byte attribute each"
  load create --url "$NODE_URL" --count "$sessions" --concurrency "$concurrency" --value-bytes "$value_bytes" --verify 1000 >"$OUT_DIR/load-$flavour.txt" \
    || { cat "$OUT_DIR/load-$flavour.txt" >&2; die "the node did not create exactly $sessions distinct sessions"; }
  load_line=$(grep '^LOAD ' "$OUT_DIR/load-$flavour.txt")
  verify_line=$(grep '^VERIFY ' "$OUT_DIR/load-$flavour.txt")
  log "$flavour: $load_line; $verify_line"
  sleep 5
  rss_load=$(rss_bytes "$NODE_PID")
  heap_after=$(load heap --pid "$NODE_PID" | grep '^HEAP ') || die "could not induce a GC in the node"
  sleep 2
  rss_gc=$(rss_bytes "$NODE_PID")
  rss_peak=$(awk '/^VmHWM:/ { print $2 * 1024 }' "/proc/$NODE_PID/status")

  if ((types > 0)) && [[ -z "$type_table" ]]; then
    log "$flavour: walking the heap for the $types largest types"
    type_lines=$(load heap --pid "$NODE_PID" --types "$types") || die "the heap walk failed"
    walk=$(grep '^WALK ' <<<"$type_lines")
    type_table+="Largest types on the managed heap after a full GC ($flavour GC, $((sessions + warm)) sessions live; heap walk saw"
    type_table+=" $(field "$walk" objects) objects, $(mib "$(field "$walk" bytes)") MiB in $(field "$walk" types) types):"$'\n\n'
    type_table+="| type | objects | MiB | bytes per object | bytes per session |"$'\n'"| --- | ---: | ---: | ---: | ---: |"$'\n'
    while read -r line; do
      name=${line#*name=}
      bytes=$(field "$line" bytes)
      count=$(field "$line" count)
      type_table+="| \`\` ${name//|/\\|} \`\` | $count | $(mib "$bytes") | $(awk -v b="$bytes" -v n="$count" 'BEGIN { printf "%.0f", b / n }') | $(awk -v b="$bytes" -v n=$((sessions + warm)) 'BEGIN { printf "%.1f", b / n }') |"$'\n'
    done < <(grep '^TYPE ' <<<"$type_lines")
    type_table+=$'\n'"The walk covers $(awk -v w="$(field "$walk" bytes)" -v l="$(field "$heap_after" promoted)" 'BEGIN { printf "%.1f%%", 100 * w / l }') of the live bytes the GC reported; \"bytes per session\" divides by all $((sessions + warm)) live sessions."$'\n'
  fi
  stop_node

  per_load=$(awk -v a="$rss_load" -v b="$rss_before" -v n="$sessions" 'BEGIN { printf "%.0f", (a - b) / n }')
  per_gc=$(awk -v a="$rss_gc" -v b="$rss_before" -v n="$sessions" 'BEGIN { printf "%.0f", (a - b) / n }')
  per_managed=$(awk -v a="$(field "$heap_after" promoted)" -v b="$(field "$heap_before" promoted)" -v n="$sessions" 'BEGIN { printf "%.0f", (a - b) / n }')
  met=$( ((per_gc - value_bytes <= 1024)) && echo yes || echo "**no**")
  rows+="| $flavour | $(mib "$rss_start") | $(mib "$rss_before") | $(mib "$rss_load") | $(mib "$rss_gc") | $(mib "$rss_peak") | $per_load | $per_gc | $((per_gc - value_bytes)) | $per_managed | $met |"$'\n'
  load_lines+="- $flavour GC: $(field "$load_line" ok) of $(field "$load_line" requests) PUTs answered 200 with a new cookie, $(field "$load_line" distinct) distinct session ids, $(field "$load_line" failed) failed, in $(field "$load_line" seconds) s ($(field "$load_line" rps) sessions/s); $(field "$verify_line" ok) of $(field "$verify_line" sampled) sampled sessions read back with their value."$'\n'
  load_lines+="  Managed heap after the induced full GCs: before $(mib "$(field "$heap_before" promoted)") MiB live, after $(mib "$(field "$heap_after" promoted)") MiB live (\`$heap_after\`)."$'\n'
done

{
  echo "## Memory (one node, $sessions sessions)"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "$facts"
  echo "- Command: \`$invocation\`"
  echo "- Each session: one cookie-less \`PUT /session/attributes/payload\` with a $value_bytes-byte JSON value (exact count, $concurrency concurrent requests, bench/SessionLoad); $warm warm-up sessions exist before \"before\"."
  echo
  echo "| GC | RSS at start MiB | before MiB | after load MiB | after full GC MiB | peak MiB | bytes/session after load | bytes/session after full GC | overhead beyond the $value_bytes value bytes | managed heap bytes/session | ≤ 1024 B overhead? |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s' "$rows"
  echo
  printf '%s' "$load_lines"
  echo
  echo "RSS is VmRSS from /proc/PID/status (the working set). \"bytes/session\" = (RSS − RSS before) / $sessions; the"
  echo "overhead column takes the after-full-GC figure, the one the target is judged on, minus the $value_bytes attribute bytes."
  echo "The after-load figure also holds garbage not yet collected and the GC's allocation budget; the full GC is"
  echo "induced over the runtime's diagnostics port (bench/SessionLoad heap), as dotnet-gcdump does, because the"
  echo "node has no GC endpoint. The managed-heap column is the live bytes after that GC, from the runtime's"
  echo "GCHeapStats event: what the sessions themselves keep, without GC headroom."
  if [[ -n "$type_table" ]]; then
    echo
    printf '%s' "$type_table"
  fi
} >"$OUT_DIR/results-memory.md"
assemble_results
