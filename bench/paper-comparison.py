#!/usr/bin/env python3
"""Aggregates bench/paper-comparison.sh: reads OUTDIR/<cell>/{real,padded}/comparison.csv and writes
OUTDIR/paper-comparison.csv (one row per cell and optimizer) and OUTDIR/paper-comparison.md (geometric-mean
reductions of Compass GA against each baseline, beside the paper's numbers).
usage: paper-comparison.py OUTDIR BUDGET SEEDS SEARCH_ITERATIONS ELAPSED_S CORES"""
import csv
import math
import os
import statistics
import sys

out, budget, seeds, iterations, elapsed, cores = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
SCENARIOS = ["decode", "prefill", "mixed", "chunked"]
DATASETS = ["sharegpt-compass", "govreport", "cnndm"]
PACKAGES = ["compass-6x6-os", "compass-6x6-ws", "compass-6x6-hetero"]
PACKAGE_LABEL = {"compass-6x6-os": "OS", "compass-6x6-ws": "WS", "compass-6x6-hetero": "hetero"}
DATASET_LABEL = {"sharegpt-compass": "ShareGPT", "govreport": "GovReport", "cnndm": "CNN/DM"}
OPTIMIZERS = ["ga", "gemini", "moham", "baseline", "gemini+pad", "moham+pad"]


def read(path, suffix=""):
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            edp = float(r["best_edp_js"])
            if not math.isfinite(edp):
                continue
            # comparison.csv gives latency in ns and energy in pJ, or (newer hosts) in ms and mJ.
            latency = float(r["latency_ns"]) if "latency_ns" in r else float(r["latency_ms"]) * 1e6
            energy = float(r["energy_pj"]) if "energy_pj" in r else float(r["energy_mj"]) * 1e9
            rows.setdefault(r["optimizer"] + suffix, []).append((edp, latency, energy, float(r["wall_s"])))
    return rows


cells = {}
for s in SCENARIOS:
    for d in DATASETS:
        for p in PACKAGES:
            key = (s, d, p)
            base = os.path.join(out, f"{s}.{d}.{p}")
            runs = read(os.path.join(base, "real", "comparison.csv"))
            runs.update(read(os.path.join(base, "padded", "comparison.csv"), "+pad"))
            if runs:
                cells[key] = runs


def mean(xs):
    return sum(xs) / len(xs)


summary = {}
with open(os.path.join(out, "paper-comparison.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["scenario", "dataset", "package", "optimizer", "seeds", "edp_js_mean", "edp_js_std", "edp_js_min", "edp_js_max",
                "latency_ns_mean", "energy_pj_mean", "wall_s_mean"])
    for key, runs in cells.items():
        for o in OPTIMIZERS:
            if o not in runs:
                continue
            r = runs[o]
            edp = [x[0] for x in r]
            summary[key + (o,)] = (mean(edp), mean([x[1] for x in r]), mean([x[2] for x in r]))
            w.writerow([*key, o, len(r), f"{mean(edp):.6g}", f"{statistics.pstdev(edp):.3g}", f"{min(edp):.6g}", f"{max(edp):.6g}",
                        f"{mean([x[1] for x in r]):.6g}", f"{mean([x[2] for x in r]):.6g}", f"{mean([x[3] for x in r]):.3g}"])


def geo(ratios):
    return math.exp(sum(math.log(x) for x in ratios) / len(ratios)) if ratios else float("nan")


def prior(key):
    """The prior-work point of a cell: the better (lower EDP) of padded Gemini and padded MOHaM."""
    pts = [summary[key + (o,)] for o in ("gemini+pad", "moham+pad") if key + (o,) in summary]
    return min(pts) if pts else None


def reductions(against, keys):
    """Geometric mean of Compass GA / baseline over the cells, as a reduction in % (EDP, latency, energy)."""
    ratios = [[], [], []]
    for k in keys:
        a = summary.get(k + ("ga",))
        b = prior(k) if against == "prior" else summary.get(k + (against,))
        if a is None or b is None:
            continue
        for i in range(3):
            ratios[i].append(a[i] / b[i])
    return [(1 - geo(r)) * 100 for r in ratios], len(ratios[0])


lines = []
lines.append(f"Budget {budget} evaluations per search run, {seeds} seeds, {iterations} sampled iteration(s) per cell; "
             f"{len(cells)} of {len(SCENARIOS) * len(DATASETS) * len(PACKAGES)} cells ran; wall time {elapsed} s on {cores} cores.")
lines.append("")
lines.append("| Compass GA against | cells | EDP reduction | latency reduction | energy reduction |")
lines.append("|---|---|---|---|---|")
names = {"prior": "prior work as published: Gemini with padding (the better of it and MOHaM with padding where both ran)",
         "gemini+pad": "Gemini with padding (batch-max)", "moham+pad": "MOHaM/Stream with padding (batch-max)",
         "gemini": "Gemini, no padding", "moham": "MOHaM/Stream, no padding", "baseline": "best heuristic mapping"}
all_keys = list(cells)
for against in ["prior", "gemini+pad", "moham+pad", "gemini", "moham", "baseline"]:
    (e, l, n), count = reductions(against, all_keys)
    if count:
        lines.append(f"| {names[against]} | {count} | {e:.2f} % | {l:.2f} % | {n:.2f} % |")
lines.append("| *paper v1 (vs state of the art)* | | *63.12 %* | | |")
lines.append("| *paper v3 (vs Gemini and MOHaM)* | | | *63.92 %* | *40.32 %* |")
refused = []
for key in cells:
    txt = os.path.join(out, ".".join(key) + ".padded.txt")
    if key + ("gemini+pad",) not in summary and os.path.exists(txt):
        with open(txt) as f:
            last = [l.strip() for l in f if l.strip()]
        refused.append(f"{key[0]} / {DATASET_LABEL[key[1]]} / {PACKAGE_LABEL[key[2]]}: {last[-1] if last else 'no output'}")
if refused:
    lines.append("")
    lines.append(f"Padded runs refused ({len(refused)} cells; these cells have no prior-work-as-published point and are left out of "
                 "the rows that need one):")
    lines.append("")
    for r in refused:
        lines.append(f"- {r}")
lines.append("")
lines.append("Per scenario, against prior work as published (geometric mean over datasets and packages):")
lines.append("")
lines.append("| scenario | cells | EDP reduction | latency reduction | energy reduction |")
lines.append("|---|---|---|---|---|")
for s in SCENARIOS:
    (e, l, n), count = reductions("prior", [k for k in all_keys if k[0] == s])
    if count:
        lines.append(f"| {s} | {count} | {e:.2f} % | {l:.2f} % | {n:.2f} % |")
lines.append("")
lines.append("What the gap is made of (geometric means over the cells; ratio < 1 means the first is better):")
lines.append("")
lines.append("| factor | measured as | ratio | cells |")
lines.append("|---|---|---|---|")


def ratio(a_opt, b_opt, keys):
    r = [summary[k + (a_opt,)][0] / summary[k + (b_opt,)][0] for k in keys if k + (a_opt,) in summary and k + (b_opt,) in summary]
    return geo(r), len(r)


for label, how, a, b in [
        ("padding", "EDP of Gemini without / with padding (same optimizer, same budget)", "gemini", "gemini+pad"),
        ("padding", "EDP of MOHaM without / with padding", "moham", "moham+pad"),
        ("coupling + search", "EDP of Compass GA / Gemini, both unpadded", "ga", "gemini"),
        ("coupling + search", "EDP of Compass GA / MOHaM, both unpadded", "ga", "moham"),
        ("search over heuristics", "EDP of Compass GA / best heuristic", "ga", "baseline")]:
    g, n = ratio(a, b, all_keys)
    if n:
        lines.append(f"| {label} | {how} | {g:.4f} | {n} |")
for o in ["ga", "gemini"]:
    r = []
    for s in SCENARIOS:
        for d in DATASETS:
            h = summary.get((s, d, "compass-6x6-hetero", o))
            homo = [summary[(s, d, p, o)][0] for p in ("compass-6x6-os", "compass-6x6-ws") if (s, d, p, o) in summary]
            if h and homo:
                r.append(h[0] / min(homo))
    label = "Compass GA" if o == "ga" else "Gemini"
    lines.append(f"| heterogeneity | EDP of {label} on the hetero package / on the better homogeneous one | {geo(r):.4f} | {len(r)} |")
wins = sum(1 for k in all_keys if k + ("ga",) in summary and k + ("gemini",) in summary and summary[k + ("ga",)][0] < summary[k + ("gemini",)][0])
both = sum(1 for k in all_keys if k + ("ga",) in summary and k + ("gemini",) in summary)
lines.append("")
lines.append(f"Compass GA has the lower mean EDP than unpadded Gemini in {wins} of {both} cells.")
spread = {}
for key, runs in cells.items():
    for o, r in runs.items():
        edp = [x[0] for x in r]
        if len(edp) > 1:
            spread.setdefault(o, []).append(statistics.pstdev(edp) / mean(edp))
lines.append("Seed spread (standard deviation / mean of the best EDP over seeds, averaged over cells): "
             + ", ".join(f"{o} {mean(v) * 100:.2f} %" for o, v in spread.items()) + ".")
lines.append("")
lines.append("Per cell (mean EDP over seeds in J·s; reduction of Compass GA against prior work as published):")
lines.append("")
lines.append("| scenario | dataset | package | GA | Gemini | MOHaM | best heuristic | Gemini+pad | MOHaM+pad | GA vs prior work |")
lines.append("|---|---|---|---|---|---|---|---|---|---|")
for k in all_keys:
    vals = [f"{summary[k + (o,)][0]:.4g}" if k + (o,) in summary else "-" for o in OPTIMIZERS]
    p = prior(k)
    red = f"{(1 - summary[k + ('ga',)][0] / p[0]) * 100:.2f} %" if p and k + ("ga",) in summary else "-"
    lines.append(f"| {k[0]} | {DATASET_LABEL[k[1]]} | {PACKAGE_LABEL[k[2]]} | " + " | ".join(vals) + f" | {red} |")
text = "\n".join(lines) + "\n"
with open(os.path.join(out, "paper-comparison.md"), "w") as f:
    f.write(text)
print(text)
