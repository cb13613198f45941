#!/usr/bin/env bash
# Sweep throughput and parallel efficiency behind BENCHMARKS.md §5: the shipped example sweep
# (studies/nop-bandwidth-x-dataflow.json, 20 points on the published 6x6 decode setup, 2,000 GA evaluations each)
# with 1 worker, then with 2, each into a fresh folder with the shipped Release executable. Prints the load average
# before and after each run (the figures only mean something on a quiet machine), wall time, points per minute, the
# 1 -> 2 worker speed-up and efficiency, and checks that both databases hold the same rows (wall times aside).
#   bench/sweep-throughput.sh [OUTDIR] [STUDY]      (COMPASS_DLL=path/compass.dll to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/compass-sweep-throughput}"
study="${2:-studies/nop-bandwidth-x-dataflow.json}"
host="${COMPASS_DLL:-src/Compass.Host/bin/Release/net10.0/compass.dll}"
[ -f "$host" ] || dotnet build src/Compass.Host -c Release >/dev/null
rm -rf "$out"; mkdir -p "$out"
export NO_COLOR=1
declare -A wall
for workers in 1 2; do
  echo "workers $workers: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  dotnet "$host" sweep "$study" --parallel "$workers" --out "$out/w$workers" --quiet
  end=$(date +%s.%N)
  wall[$workers]=$(echo "$end - $start" | bc -l)
  points=$(dotnet "$host" results "$out/w$workers"/*.db --csv | tail -n +2 | wc -l)
  echo "workers $workers: load after:  $(cut -d' ' -f1-3 /proc/loadavg); $points points in ${wall[$workers]} s = $(echo "60 * $points / ${wall[$workers]}" | bc -l | cut -c1-5) points/min"
done
speedup=$(echo "${wall[1]} / ${wall[2]}" | bc -l)
echo "speed-up 1 -> 2 workers: $(echo "$speedup" | cut -c1-5)x (efficiency $(echo "50 * $speedup" | bc -l | cut -c1-5) %)"
# Same rows from both runs (point id, status and every metric; wall time, finishing time and folder dropped).
for w in 1 2; do
  dotnet "$host" results "$out/w$w"/*.db --csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
for r in sorted(rows, key=lambda r: r["point_id"]):
    print(",".join(v for k, v in r.items() if k not in ("wall_seconds", "finished_at", "output_dir")))' > "$out/rows-$w.txt"
done
cmp -s "$out/rows-1.txt" "$out/rows-2.txt" && echo "databases: same rows with 1 and 2 workers" || { echo "databases differ"; exit 1; }
