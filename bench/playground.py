"""Wie lange dauert ein Lauf der Spielwiese (Lektion 3)? Die Zahl hinter „meist 5 bis 15 Sekunden“ (#37).

    .venv/bin/python bench/playground.py            # Standard und je Regler eine Änderung, je 3 Seeds (gut 3 min)
    .venv/bin/python bench/playground.py --seeds 1  # schneller, für einen ersten Blick

Jeder Lauf geht genau den Weg des Knopfs »Trainieren«: `utils.Playground.run` mit `dqn.train` (der Schleife, die
Lernende in Lektion 3 schreiben) und `dqn.preset("CartPole-v1", **utils.PLAYGROUND_RUN)`. Gemessen wird die Zeit
eines ganzen Laufs samt Bewertungen, so wie man sie vor dem Bildschirm wartet. Geändert wird je Lauf ein Regler,
auf einen Wert am Rand seines Bereichs: Ein Agent, der schnell gut wird, spielt längere Bewertungsepisoden.

Ergebnis: bench/results/playground.json (und die Zeile im README über bench/table.py --write).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "playground.json"
CHANGES = [
    {},
    {"gamma": 0.9},
    {"gamma": 0.999},
    {"learning_rate": 1e-4},
    {"learning_rate": 0.1},
    {"target_update_every": 1},
    {"target_update_every": 200},
    {"epsilon_decay_steps": 500},
    {"epsilon_decay_steps": 15_000},
    {"batch_size": 16},
    {"memory_size": 1_000},
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    options = parser.parse_args()

    import course

    course.setup()
    import dqn

    utils = course.load_helper("utils")
    config = dqn.preset("CartPole-v1", **utils.PLAYGROUND_RUN)
    runs = []
    for seed in range(options.seeds):
        playground = utils.Playground(dqn.train, config, band=dqn.benchmark_band("CartPole-v1"), seed=seed)
        for changes in CHANGES:
            run = playground.run(**changes)
            best = max((mean for _, mean in run["evaluations"]), default=None)
            runs.append(
                dict(
                    seed=seed,
                    changes=changes,
                    label=run["label"],
                    seconds=round(run["seconds"], 2),
                    best=best,
                    solved_at_step=run["solved_at_step"],
                )
            )
            print(f"Seed {seed}, {run['label']:28s} {run['seconds']:5.1f} s, beste Bewertung {best}", flush=True)
    seconds = [run["seconds"] for run in runs]
    result = dict(
        config={name: getattr(config, name) for name in ("env_id", *utils.PLAYGROUND_RUN)},
        playground_run=utils.PLAYGROUND_RUN,
        seeds=options.seeds,
        runs=runs,
        median_seconds=statistics.median(seconds),
        max_seconds=max(seconds),
        machine=dict(cpus=os.cpu_count(), machine=platform.machine(), system=platform.system()),
        date=time.strftime("%Y-%m-%d"),
    )
    OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{len(runs)} Läufe: Median {result['median_seconds']:.1f} s, längster {result['max_seconds']:.1f} s -> {OUT}"
    )


if __name__ == "__main__":
    main()
