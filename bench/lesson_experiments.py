"""Die Experimente der Lektionen 4 und 5 über 10 Seeds: zeigt jedes seinen Effekt verlässlich?

    .venv/bin/python bench/lesson_experiments.py target_fixed_data      # Lektion 4, Experiment 1
    .venv/bin/python bench/lesson_experiments.py target_training        # Lektion 4, Experiment 2
    .venv/bin/python bench/lesson_experiments.py replay                 # Lektion 5, Erfahrungsspeicher
    .venv/bin/python bench/lesson_experiments.py overestimation         # Lektion 5, DQN gegen Double DQN

Jedes Experiment ruft genau die Funktion aus `experiments`, die auch die Lektion ruft (dort mit den Bausteinen der
Lernenden), mit den Einstellungen aus `experiments.LESSON_EXPERIMENTS`. Ergebnis: bench/results/experiment_<name>.json
mit den Messreihen und der Kennzahl je Seed und Variante und dem Effekt: bei wie vielen Seeds er sich zeigt.
Die Lektionen zeichnen diese Verteilung neben den Lauf der Lernenden (`experiments.experiment_results`).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import course  # noqa: E402
import dqn  # noqa: E402
import experiments  # noqa: E402
import provenance  # noqa: E402


def run_target_fixed_data(seed, settings):
    memory, _ = experiments.collect_random("CartPole-v1", settings["random_steps"], seed)
    probe_obs = memory.sample(256)[0]
    traces = {
        variant: experiments.fixed_data_q_trace(
            variant, memory, probe_obs, seed=seed, updates=settings["updates"], soft_tau=settings["soft_tau"]
        )
        for variant in ("none", "hard", "soft")
    }
    return traces, {variant: trace[-1][1] for variant, trace in traces.items()}


def _training_variants(seed, settings, summarize, env_id="CartPole-v1", eval_every=1_000):
    """Ein Training je Variante (`settings["variants"]`): Lernkurven und je Variante `summarize` der Bewertungen."""
    traces, metric = {}, {}
    for variant, change in settings["variants"].items():
        result = experiments.training_curve(env_id, seed, settings["steps"], eval_every=eval_every, **change)
        traces[variant] = [(step, mean) for step, mean, _ in result.evaluations]
        metric[variant] = float(summarize([mean for _, mean in traces[variant]]))
    return traces, metric


def run_target_training(seed, settings):
    return _training_variants(seed, settings, max)


def run_replay(seed, settings):
    return _training_variants(seed, settings, np.mean, settings["env_id"], settings["eval_every"])


def run_overestimation(seed, settings):
    traces = {
        variant: experiments.overestimation_trace(variant == "Double DQN", seed, every=settings["every"])
        for variant in ("DQN", "Double DQN")
    }
    return traces, {variant: experiments.overestimation(trace) for variant, trace in traces.items()}


RUNS = dict(
    target_fixed_data=run_target_fixed_data,
    target_training=run_target_training,
    replay=run_replay,
    overestimation=run_overestimation,
)


def main():
    parser = argparse.ArgumentParser(description="Die Experimente der Lektionen 4 und 5 über mehrere Seeds.")
    parser.add_argument("experiment", choices=sorted(RUNS), help="welches Experiment")
    parser.add_argument("--seeds", type=int, default=10, help="Seeds 0 … N−1 (Voreinstellung 10)")
    args = parser.parse_args()
    settings = experiments.LESSON_EXPERIMENTS[args.experiment]
    seeds, runs = list(range(args.seeds)), []
    start = time.perf_counter()
    for seed in seeds:
        clock = time.perf_counter()
        traces, metric = RUNS[args.experiment](seed, settings)
        runs.append(dict(seed=seed, metric=metric, traces=traces, seconds=round(time.perf_counter() - clock, 1)))
        print(
            f"Seed {seed}: " + ", ".join(f"{k} {v:.2f}" for k, v in metric.items()) + f" ({runs[-1]['seconds']:.0f} s)",
            flush=True,
        )
    result = dict(
        experiment=args.experiment,
        settings=settings,
        metric=settings["metric"],
        seeds=seeds,
        runs=runs,
        effect=experiments.experiment_effect(args.experiment, runs),
        machine=provenance.machine_description(),
        keras_backend=dqn.keras.backend.backend(),
        date=time.strftime("%Y-%m-%d"),
        total_seconds=round(time.perf_counter() - start, 1),
    )
    path = experiments.EXPERIMENT_RESULTS / f"experiment_{args.experiment}.json"
    course.write_json_atomic(path, result)
    print(result["effect"]["text"])
    print(f"geschrieben: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
