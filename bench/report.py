"""Summarise bench/run.sh's raw measurements: one table on stdout (median and
spread per init), results.json, and a PNG chart per metric with gnuplot."""
import json
import os
import shutil
import statistics
import subprocess
import sys

raw, out = sys.argv[1], sys.argv[2]
INITS = ["tini", "dumb-init", "catatonit", "modinit", "modinit+3", "modinit-static"]
METRICS = [
    ("startup_us", "start-up overhead, us per launch", "lower"),
    ("startup_bare_us", "bare start-up, INIT -- /bin/true, median us", "lower"),
    ("idle_wakeups", "idle wakeups (voluntary switches per window)", "lower"),
    ("rss_kb", "RSS, KiB", "lower"),
    ("pss_kb", "PSS, KiB", "lower"),
    ("private_dirty_kb", "Private_Dirty, KiB", "lower"),
    ("reap_ms", "time to reap the orphans, ms", "lower"),
    ("reap_max_zombies", "most zombies seen at once", "lower"),
    ("signal_p50_us", "signal latency p50, us", "lower"),
    ("signal_p99_us", "signal latency p99, us", "lower"),
    ("signals_lost", "SIGUSR1 not seen within 1 s", "lower"),
    ("rt_arrived", "queued real-time signals arrived (of 1000)", "higher"),
    ("shutdown_us", "shutdown latency, us", "lower"),
    ("binary_bytes", "binary size, bytes", "lower"),
]

data = {}
for line in open(raw):
    metric, who, value = line.split()
    data.setdefault(metric, {}).setdefault(who, []).append(float(value))

results = {}
for metric, _, _ in METRICS:
    results[metric] = {}
    for who, vals in data.get(metric, {}).items():
        results[metric][who] = {
            "median": statistics.median(vals),
            "min": min(vals),
            "max": max(vals),
            "runs": len(vals),
        }
# The static modinit is measured only when bench/run.sh was given one.
INITS = [w for w in INITS if any(w in results[m] for m, _, _ in METRICS)]
results["module_bytes"] = {k: v[0] for k, v in data.get("module_bytes", {}).items()}
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(results, f, indent=1, sort_keys=True)

def cell(metric, who):
    r = results[metric].get(who)
    if not r:
        return "-"
    if r["min"] == r["max"]:
        return "%.10g" % r["median"]
    return "%.10g (%.10g..%.10g)" % (r["median"], r["min"], r["max"])

print("| metric | " + " | ".join(INITS) + " |")
print("|---|" + "---|" * len(INITS))
for metric, title, _ in METRICS:
    print("| %s | %s |" % (title, " | ".join(cell(metric, w) for w in INITS)))
print()
if "none" in results["startup_bare_us"]:
    print("bare start-up of /bin/true alone, no init: %s us" % cell("startup_bare_us", "none"))
print("modules: " + ", ".join("%s %d bytes" % (k, v) for k, v in sorted(results["module_bytes"].items())))

if shutil.which("gnuplot"):
    for metric, title, _ in METRICS:
        rows = [(w, results[metric][w]["median"]) for w in INITS if w in results[metric]]
        if not rows:
            continue
        dat = os.path.join(out, metric + ".dat")
        with open(dat, "w") as f:
            for w, v in rows:
                f.write('"%s" %g\n' % (w, v))
        script = (
            "set terminal png size 640,360; set output '%s';"
            "set title '%s'; set style fill solid; set boxwidth 0.6;"
            "set yrange [0:*]; unset key;"
            "plot '%s' using 0:2:xtic(1) with boxes" % (os.path.join(out, metric + ".png"), title, dat)
        )
        subprocess.run(["gnuplot", "-e", script], check=False)
        os.unlink(dat)
