#!/usr/bin/env python3
"""Aggregates bench/paper-comparison.sh. Reads, per cell OUTDIR/<scenario>.<dataset>.<package>/:
  real/, padded/                           the fixed-plan grid (published TP 8, micro-batch 1)
  levers/{real,at-plan,padded-sweep,padded}/ and levers/{plan,padded-plan}.txt   the grid with the levers searched
(each a `compass compare` folder with comparison.csv and mappings/) and writes OUTDIR/paper-comparison.csv (one row
per cell, grid and optimizer), OUTDIR/paper-comparison.json (the headline figures) and OUTDIR/paper-comparison.md (geometric-mean reductions of Compass GA against each
baseline in both grids, beside the paper's numbers, and what the gap is made of).
usage: paper-comparison.py OUTDIR BUDGET SEEDS SEARCH_ITERATIONS ELAPSED_S CORES [SAMPLING]"""
import csv
import json
import math
import os
import statistics
import sys

SCENARIOS = ["decode", "prefill", "mixed", "chunked"]
DATASETS = ["sharegpt-compass", "govreport", "cnndm"]
PACKAGES = ["compass-6x6-os", "compass-6x6-ws", "compass-6x6-hetero"]
PACKAGE_LABEL = {"compass-6x6-os": "OS", "compass-6x6-ws": "WS", "compass-6x6-hetero": "hetero"}
DATASET_LABEL = {"sharegpt-compass": "ShareGPT", "govreport": "GovReport", "cnndm": "CNN/DM"}
# Optimizer keys: the fixed-plan grid's plain names, the levers grid's with "@levers".
FIXED = ["ga", "gemini", "moham", "baseline", "gemini+pad", "moham+pad"]
LEVERED = ["ga@levers", "sweep@levers", "baseline@levers", "gemini@levers", "moham@levers", "sweep+pad@levers", "baseline+pad@levers", "gemini+pad@levers", "moham+pad@levers"]
# Where each part of a cell lives: (folder under the cell, suffix added to the optimizer names found there, the file
# naming the plan its levers were fixed at).
PARTS = [("real", "", None), ("padded", "+pad", None), ("levers/real", "@levers", None), ("levers/at-plan", "@levers", "levers/plan.txt"),
         ("levers/padded-sweep", "+pad@levers", None), ("levers/padded", "+pad@levers", "levers/padded-plan.txt")]


def read(path, suffix, plan=""):
    """Rows of one comparison.csv: optimizer+suffix -> [(edp J·s, latency ns, energy pJ, wall s, plan)]; `plan` names the
    plan of a run whose levers were fixed on the command line (its mapping files record none)."""
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
            rows.setdefault(r["optimizer"] + suffix, []).append((edp, latency, energy, float(r["wall_s"]), plan_of(path, r) or plan))
    return rows


def read_sweep(path, plan):
    """The plan sweep's best point of a levered compare (comparison.json's best baseline: every plan scored by its best
    standard heuristic, outside the search budget) as one run, or None."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        best = json.load(f).get("bestBaseline")
    if not best or not math.isfinite(best["edpJs"]):
        return None
    return (best["edpJs"], best["latencyNs"], best["energyPj"], 0.0, plan)


def plan_of(path, row):
    """The plan of a run's best mapping ("mb 128 / TP 32"), or "" for a fixed-plan scenario."""
    mapping = os.path.join(os.path.dirname(path), row.get("mapping_file") or "")
    if not row.get("mapping_file") or not os.path.exists(mapping):
        return ""
    with open(mapping) as f:
        levers = json.load(f).get("levers", {})
    return describe(levers)


def describe(levers):
    short = {"graph.microBatchSize": "mb", "graph.prefillMicroBatchSize": "prefill mb", "graph.tensorParallel": "TP"}
    return " / ".join(f"{short.get(k, k)} {v}" for k, v in sorted(levers.items(), key=lambda kv: list(short).index(kv[0]) if kv[0] in short else 9))


def load(out):
    cells = {}
    for s in SCENARIOS:
        for d in DATASETS:
            for p in PACKAGES:
                base = os.path.join(out, f"{s}.{d}.{p}")
                runs = {}
                for folder, suffix, plan in PARTS:
                    fixed_at = plan_file(os.path.join(base, plan)) if plan else ""
                    runs.update(read(os.path.join(base, folder, "comparison.csv"), suffix, "" if fixed_at == "-" else fixed_at))
                for folder, name, plan in (("levers/real", "sweep@levers", "levers/plan.txt"), ("levers/padded-sweep", "sweep+pad@levers", "levers/padded-plan.txt")):
                    sweep = read_sweep(os.path.join(base, folder, "comparison.json"), plan_file(os.path.join(base, plan)))
                    if sweep:
                        runs[name] = [sweep]
                if runs:
                    cells[(s, d, p)] = runs
    return cells


def mean(xs):
    return sum(xs) / len(xs)


def geo(ratios):
    return math.exp(sum(math.log(x) for x in ratios) / len(ratios)) if ratios else float("nan")


def summarise(cells):
    """(cell..., optimizer) -> (mean EDP, mean latency, mean energy) over the seeds."""
    return {key + (o,): (mean([x[0] for x in r]), mean([x[1] for x in r]), mean([x[2] for x in r]))
            for key, runs in cells.items() for o, r in runs.items()}


def prior(summary, key, levers=False):
    """The prior-work point of a cell: the better (lower EDP) of padded Gemini and padded MOHaM of the grid."""
    names = ("gemini+pad@levers", "moham+pad@levers") if levers else ("gemini+pad", "moham+pad")
    pts = [summary[key + (o,)] for o in names if key + (o,) in summary]
    return min(pts) if pts else None


def reductions(summary, a_opt, b, keys):
    """Geometric mean of a_opt / b over the cells as reductions in % (EDP, latency, energy), and the cell count.
    b is an optimizer key, or "prior" / "prior@levers" for the prior-work point of the grid."""
    ratios = [[], [], []]
    for k in keys:
        a = summary.get(k + (a_opt,))
        other = prior(summary, k, b == "prior@levers") if b.startswith("prior") else summary.get(k + (b,))
        if a is None or other is None:
            continue
        for i in range(3):
            ratios[i].append(a[i] / other[i])
    return [(1 - geo(r)) * 100 for r in ratios], len(ratios[0])


def ratio(summary, a_opt, b_opt, keys):
    r = [summary[k + (a_opt,)][0] / summary[k + (b_opt,)][0] for k in keys if k + (a_opt,) in summary and k + (b_opt,) in summary]
    return geo(r), len(r)


def hetero_ratio(summary, o):
    r = []
    for s in SCENARIOS:
        for d in DATASETS:
            h = summary.get((s, d, "compass-6x6-hetero", o))
            homo = [summary[(s, d, p, o)][0] for p in ("compass-6x6-os", "compass-6x6-ws") if (s, d, p, o) in summary]
            if h and homo:
                r.append(h[0] / min(homo))
    return geo(r), len(r)


def refusals(out, cells, folder, needed, summary):
    """Cells whose part `folder` ran but left no result for `needed`: the last line of its output."""
    found = []
    for key in cells:
        if key + (needed,) in summary:
            continue
        txt = os.path.join(out, ".".join(key), folder + ".txt")
        if os.path.exists(txt):
            with open(txt) as f:
                last = [line.strip() for line in f if line.strip()]
            found.append(f"{key[0]} / {DATASET_LABEL[key[1]]} / {PACKAGE_LABEL[key[2]]}: {last[-1] if last else 'no output'}")
    return found


def fmt(x):
    return f"{x:.4g}"


def pct(x):
    """A reduction in % with two decimals ("-0.00" printed as "0.00")."""
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


def table(lines, header, rows):
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")


def report(out, budget, seeds, iterations, elapsed, cores, sampling):
    cells = load(out)
    summary = summarise(cells)
    keys = list(cells)

    with open(os.path.join(out, "paper-comparison.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "dataset", "package", "grid", "optimizer", "plan", "seeds", "edp_js_mean", "edp_js_std", "edp_js_min", "edp_js_max",
                    "latency_ns_mean", "energy_pj_mean", "wall_s_mean"])
        for key, runs in cells.items():
            for o in FIXED + LEVERED:
                if o not in runs:
                    continue
                r = runs[o]
                edp = [x[0] for x in r]
                grid, name = ("levers", o.removesuffix("@levers")) if o.endswith("@levers") else ("fixed", o)
                plans = sorted({x[4] for x in r})
                w.writerow([*key, grid, name, "; ".join(plans) or "mb 1 / TP 8", len(r), f"{mean(edp):.6g}", f"{statistics.pstdev(edp):.3g}",
                            f"{min(edp):.6g}", f"{max(edp):.6g}", f"{mean([x[1] for x in r]):.6g}", f"{mean([x[2] for x in r]):.6g}",
                            f"{mean([x[3] for x in r]):.3g}"])

    lines = []
    # The headline figures, machine-readable (paper-comparison.json).
    figures = {"budget": budget, "seeds": seeds, "iterations": iterations, "sampling": sampling, "elapsed_s": elapsed, "cores": cores,
               "reductions": {}, "ratios": {}, "wins": {}}
    total = len(SCENARIOS) * len(DATASETS) * len(PACKAGES)
    fixed_cells = sum(1 for k in keys if k + ("ga",) in summary)
    lever_cells = sum(1 for k in keys if k + ("ga@levers",) in summary)
    lines.append(f"Budget {budget} evaluations per search run, {seeds} seeds, {iterations} search iteration(s) per cell sampled {sampling}; "
                 f"fixed-plan grid {fixed_cells} of {total} cells, levers grid {lever_cells} of {total} cells; wall time {elapsed} s on {cores} cores.")

    def headline(grid_title, rows):
        lines.append("")
        lines.append(grid_title)
        lines.append("")
        body = []
        for title, a, b in rows:
            (e, l, n), count = reductions(summary, a, b, keys)
            figures["reductions"][f"{a} vs {b}"] = {"cells": count, "edp_pct": e, "latency_pct": l, "energy_pct": n} if count else {"cells": 0}
            if count:
                body.append([title, str(count), f"{pct(e)} %", f"{pct(l)} %", f"{pct(n)} %"])
        body.append(["*paper v1 (vs state of the art)*", "", "*63.12 %*", "", ""])
        body.append(["*paper v3 (vs Gemini and MOHaM)*", "", "", "*63.92 %*", "*40.32 %*"])
        table(lines, ["Compass GA against", "cells", "EDP reduction", "latency reduction", "energy reduction"], body)

    headline("**Levers searched** (micro-batch size and TP degree; every optimizer gets the same plan sweep):", [
        ("prior work as published, with the same plan sweep: Gemini with padding at the padded sweep's best plan", "ga@levers", "prior@levers"),
        ("Gemini, no padding, at the sweep's best plan", "ga@levers", "gemini@levers"),
        ("MOHaM/Stream, no padding, at the sweep's best plan", "ga@levers", "moham@levers"),
        ("the plan sweep's best point (the published outer sweep alone: every plan with its best heuristic placement)", "ga@levers", "sweep@levers"),
        ("prior work at the published fixed plan (TP 8, micro-batch 1; Gemini with padding): the levers credited to Compass alone", "ga@levers", "prior"),
    ])
    headline("**Fixed plan** (the published TP 8, micro-batch 1 for every optimizer):", [
        ("prior work as published: Gemini with padding (the better of it and MOHaM with padding where both ran)", "ga", "prior"),
        ("Gemini, no padding", "ga", "gemini"),
        ("MOHaM/Stream, no padding", "ga", "moham"),
        ("best heuristic mapping", "ga", "baseline"),
    ])

    fixed_refused = refusals(out, cells, "padded", "gemini+pad", summary)
    lever_refused = refusals(out, cells, "levers/padded-sweep", "sweep+pad@levers", summary)
    if fixed_refused or lever_refused:
        lines.append("")
        lines.append(f"Padded runs refused (fixed plan: {len(fixed_refused)} cells, levers: {len(lever_refused)} cells; these cells have no "
                     "prior-work-as-published point and are left out of the rows that need one):")
        lines.append("")
        for r in fixed_refused:
            lines.append(f"- fixed plan: {r}")
        for r in lever_refused:
            lines.append(f"- levers: {r}")

    lines.append("")
    lines.append("Per scenario, Compass GA against prior work as published (geometric mean over datasets and packages; EDP / latency / energy reduction):")
    lines.append("")
    body = []
    for s in SCENARIOS:
        sk = [k for k in keys if k[0] == s]
        row = [s]
        for a, b in (("ga@levers", "prior@levers"), ("ga", "prior")):
            (e, l, n), count = reductions(summary, a, b, sk)
            row.append(f"{pct(e)} / {pct(l)} / {pct(n)} % ({count})" if count else "-")
        body.append(row)
    table(lines, ["scenario", "levers searched (cells)", "fixed plan (cells)"], body)

    lines.append("")
    lines.append("What the gap is made of (EDP ratios, geometric means over the cells where both ran; below 1 means the first is better):")
    lines.append("")
    body = []
    for label, how, a, b in [
            ("padding", "Gemini without / with padding, fixed plan", "gemini", "gemini+pad"),
            ("padding", "Gemini without / with padding, each at its sweep's best plan", "gemini@levers", "gemini+pad@levers"),
            ("padding", "MOHaM without / with padding, fixed plan", "moham", "moham+pad"),
            ("coupling + search", "Compass GA / Gemini, both unpadded, fixed plan", "ga", "gemini"),
            ("coupling + search", "Compass GA (levers searched) / Gemini at the sweep's best plan, both unpadded", "ga@levers", "gemini@levers"),
            ("coupling + search", "Compass GA / MOHaM, both unpadded, fixed plan", "ga", "moham"),
            ("coupling + search", "Compass GA (levers searched) / MOHaM at the sweep's best plan", "ga@levers", "moham@levers"),
            ("search over heuristics", "Compass GA / best heuristic, fixed plan", "ga", "baseline"),
            ("search over the plan sweep", "Compass GA (levers searched) / the sweep's best point", "ga@levers", "sweep@levers"),
            ("levers", "Compass GA, levers searched / fixed plan", "ga@levers", "ga"),
            ("levers", "Gemini at the sweep's best plan / at the fixed plan", "gemini@levers", "gemini"),
            ("levers", "padded Gemini at the padded sweep's best plan / at the fixed plan", "gemini+pad@levers", "gemini+pad"),
            ("levers", "best heuristic: the plan sweep's best point / the fixed plan's best heuristic", "sweep@levers", "baseline")]:
        g, n = ratio(summary, a, b, keys)
        figures["ratios"][f"{a} / {b}"] = {"cells": n, "edp_ratio": g} if n else {"cells": 0}
        if n:
            body.append([label, how, f"{g:.4g}", str(n)])
    for o, label in (("ga", "Compass GA, fixed plan"), ("gemini", "Gemini, fixed plan"), ("ga@levers", "Compass GA, levers searched"),
                     ("gemini@levers", "Gemini at the sweep's best plan")):
        g, n = hetero_ratio(summary, o)
        figures["ratios"][f"{o} hetero / homogeneous"] = {"cells": n, "edp_ratio": g} if n else {"cells": 0}
        if n:
            body.append(["heterogeneity", f"{label}: hetero package / the better homogeneous one", f"{g:.4g}", str(n)])
    table(lines, ["factor", "measured as", "EDP ratio", "cells"], body)

    lines.append("")
    for a, b, what in (("ga", "gemini", "fixed plan"), ("ga@levers", "gemini@levers", "levers searched, Gemini at the sweep's best plan")):
        both = [k for k in keys if k + (a,) in summary and k + (b,) in summary]
        wins = sum(1 for k in both if summary[k + (a,)][0] < summary[k + (b,)][0])
        figures["wins"][f"{a} vs {b}"] = {"wins": wins, "cells": len(both)}
        if both:
            lines.append(f"Compass GA has the lower mean EDP than unpadded Gemini in {wins} of {len(both)} cells ({what}).")
    spread = {}
    for key, runs in cells.items():
        for o, r in runs.items():
            edp = [x[0] for x in r]
            if len(edp) > 1:
                spread.setdefault(o, []).append(statistics.pstdev(edp) / mean(edp))
    figures["seed_spread_pct"] = {o: mean(v) * 100 for o, v in spread.items()}
    if spread:
        lines.append("Seed spread (standard deviation / mean of the best EDP over seeds, averaged over cells): "
                     + ", ".join(f"{o} {mean(v) * 100:.2f} %" for o, v in spread.items()) + ".")

    lines.append("")
    lines.append("Per cell, levers searched (mean EDP over seeds in J·s; plans as micro-batch size (mb) and TP degree; "
                 "reduction of Compass GA against prior work as published with the sweep):")
    lines.append("")
    body = []
    for k in keys:
        if k + ("ga@levers",) not in summary and k + ("baseline@levers",) not in summary:
            continue
        cell_dir = os.path.join(out, ".".join(k), "levers")
        ga_plans = sorted({x[4] for x in cells[k].get("ga@levers", [])})
        sweep = plan_file(os.path.join(cell_dir, "plan.txt"))
        padded = plan_file(os.path.join(cell_dir, "padded-plan.txt"))
        vals = [fmt(summary[k + (o,)][0]) if k + (o,) in summary else "-"
                for o in ("ga@levers", "sweep@levers", "gemini@levers", "moham@levers", "gemini+pad@levers")]
        p = prior(summary, k, True)
        red = f"{pct((1 - summary[k + ('ga@levers',)][0] / p[0]) * 100)} %" if p and k + ("ga@levers",) in summary else "-"
        body.append([k[0], DATASET_LABEL[k[1]], PACKAGE_LABEL[k[2]], "; ".join(ga_plans) or "-", sweep, padded, *vals, red])
    table(lines, ["scenario", "dataset", "package", "GA's plan(s)", "sweep's best plan", "padded sweep's best plan", "GA", "plan sweep",
                  "Gemini", "MOHaM", "Gemini+pad", "GA vs prior work"], body)

    lines.append("")
    lines.append("Per cell, fixed plan (mean EDP over seeds in J·s; reduction of Compass GA against prior work as published):")
    lines.append("")
    body = []
    for k in keys:
        if not any(k + (o,) in summary for o in FIXED):
            continue
        vals = [fmt(summary[k + (o,)][0]) if k + (o,) in summary else "-" for o in FIXED]
        p = prior(summary, k)
        red = f"{pct((1 - summary[k + ('ga',)][0] / p[0]) * 100)} %" if p and k + ("ga",) in summary else "-"
        body.append([k[0], DATASET_LABEL[k[1]], PACKAGE_LABEL[k[2]], *vals, red])
    table(lines, ["scenario", "dataset", "package", "GA", "Gemini", "MOHaM", "best heuristic", "Gemini+pad", "MOHaM+pad", "GA vs prior work"], body)

    with open(os.path.join(out, "paper-comparison.json"), "w") as f:
        json.dump(figures, f, indent=1)
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "paper-comparison.md"), "w") as f:
        f.write(text)
    return text


def plan_file(path):
    """A plan.txt written by the study (one `path=value` per line) as "mb 128 / TP 32"; "-" when absent."""
    if not os.path.exists(path):
        return "-"
    with open(path) as f:
        levers = dict(line.strip().split("=", 1) for line in f if "=" in line)
    return describe(levers) or "-"


if __name__ == "__main__":
    a = sys.argv
    print(report(a[1], a[2], a[3], a[4], int(a[5]), a[6], a[7] if len(a) > 7 else "uniform"))
