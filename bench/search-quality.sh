#!/usr/bin/env bash
# Search-quality study behind BENCHMARKS.md: every published 6x6 scenario, each optimizer with several seeds at an
# equal evaluation budget, seeded from the heuristic mappings. Prints, per scenario and optimizer, the mean best EDP
# and its reduction against the best heuristic after 1,000 and after the full budget, and how far the final EDP is
# above the evaluator's EDP lower bound (latency bound × energy bound, from metrics.json of a 1-evaluation explore).
#   bench/search-quality.sh [OUTDIR] [BUDGET] [SEEDS] [OPTIMIZERS]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/compass-search-quality}"
budget="${2:-10000}"
seeds="${3:-3}"
optimizers="${4:-ga,sa,coupled-sa,random}"
host=src/Compass.Host/bin/Release/net10.0/compass.dll
[ -f "$host" ] || dotnet build src/Compass.Host -c Release >/dev/null
mkdir -p "$out"
for scenario in compass-6x6-decode compass-6x6-prefill compass-6x6-mixed compass-6x6-chunked compass-6x6-hetero-mixed; do
  dir="$out/$scenario"
  start=$(date +%s)
  dotnet "$host" compare --scenario "scenarios/$scenario.json" --optimizers "$optimizers" --seeds "$seeds" \
    --budget "$budget" --out "$dir" > "$dir.txt" 2>&1 || { echo "$scenario failed:"; cat "$dir.txt"; continue; }
  read -r name edp < <(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["bestBaseline"]; print(b["name"], b["edpJs"])' "$dir/comparison.json")
  # The evaluator's lower bounds of the same problem (mapping-independent): metrics.json of a 1-evaluation explore.
  dotnet "$host" explore --scenario "scenarios/$scenario.json" --budget 1 --out "$dir/bound" --quiet > /dev/null 2>&1 || true
  bound=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["lowerBounds"]; print(b["latencyNs"] * b["energyPj"] * 1e-21)' "$dir/bound/metrics.json" 2>/dev/null || echo 0)
  echo "== $scenario (best heuristic: $name, EDP $edp J·s; EDP lower bound $bound J·s; $(( $(date +%s) - start )) s)"
  for opt in ${optimizers//,/ }; do
    # best-so-far EDP (J·s) at evaluation 1,000 and at the end, averaged over seeds
    awk -F, -v b="$edp" -v lb="$bound" -v opt="$opt" -v budget="$budget" '
      FNR == 1 { next }
      { if ($1 <= 1000) at1k[FILENAME] = $2; last[FILENAME] = $2 }
      END {
        n = 0; s1 = 0; s2 = 0
        for (f in last) { n++; s1 += (f in at1k ? at1k[f] : last[f]); s2 += last[f] }
        if (n == 0) exit
        printf "   %-11s mean EDP %.5g J·s after 1k (%+.2f %% vs best heuristic), %.5g J·s after %d (%+.2f %%; %.2f× the lower bound)\n",
          opt, s1 / n, (1 - s1 / n / b) * 100, s2 / n, budget, (1 - s2 / n / b) * 100, (lb > 0 ? s2 / n / lb : 0)
      }' "$dir"/convergence/"$opt"-seed*.csv
  done
done
