"""Trainiert einen DQN-Agenten mit den Einstellungen der Lektion und legt ihn mit Herkunftsangaben ab.

    .venv/bin/python scripts/train_agent.py CartPole-v1 --seed 0            -> models/cartpole.keras + cartpole.json
    .venv/bin/python scripts/train_agent.py Acrobot-v1 --seed 0 --out logs/acrobot

Derselbe Code wie in den Lektionen (dqn.preset + dqn.train, die Lösung der Schleife aus Lektion 3). Danach eine
unabhängige Bewertung mit
100 gierigen Episoden auf Startzuständen, die weder Training noch Trainingsbewertung gesehen haben.
Die Herkunftsdatei (.json) nennt Seed, Schritte, Zeit, Protokoll, Ergebnis, Rechner und Paketversionen.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINAL_EVAL_SEED = 900_000  # Startzustände der Abschlussbewertung (das Training bewertet mit 10_000+ und 20_000+)


def main(argv=None):
    import course
    import dqn

    course.german_argparse()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("env_id", choices=sorted(dqn.PRESETS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="Pfad ohne Endung (Standard: models/<umgebung>)")
    parser.add_argument("--eval-episodes", type=int, default=100)
    options = parser.parse_args(argv)
    if options.eval_episodes < 1:
        parser.error(f"--eval-episodes muss mindestens 1 sein, ist {options.eval_episodes}.")

    try:
        return run(options, argv)
    except (course.InputError, OSError) as error:  # unsere deutschen Meldungen: eine Zeile, kein Traceback
        parser.exit(2, f"Fehler: {error}\n")


def run(options, argv):
    import numpy as np

    import course
    import dqn

    out = Path(options.out) if options.out else ROOT / "models" / options.env_id.split("-")[0].lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    config = dqn.preset(options.env_id)
    start = time.perf_counter()
    result = dqn.train(config, seed=options.seed, progress=sys.stderr.isatty())
    wall = time.perf_counter() - start
    if result.interrupted:
        print(
            f"Abgebrochen nach {result.steps} Schritten: nichts geschrieben, {out.with_suffix('.keras')} "
            "bleibt, wie es war.",
            file=sys.stderr,
        )
        return 1
    returns = dqn.evaluate(result.q_model, config.env_id, episodes=options.eval_episodes, seed=FINAL_EVAL_SEED)
    protocol = f"gierig (ε = 0), {options.eval_episodes} Episoden, Startzustände aus Seed {FINAL_EVAL_SEED}"
    provenance = course.provenance(
        course.evaluation_summary(returns, protocol),
        env_id=config.env_id,
        seed=options.seed,
        steps=result.steps,
        train_seconds=round(result.train_seconds, 1),
        wall_seconds=round(wall, 1),
        solved_at_step=result.solved_at_step,
        training_evaluations=[(s, round(m, 1)) for s, m, _ in result.evaluations],
        config={k: (list(v) if isinstance(v, tuple) else v) for k, v in config.__dict__.items()},
        command="python scripts/train_agent.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    # Erst wenn alles fertig ist, und beide Dateien atomar: ein Abbruch davor lässt die alten Dateien heil
    dqn.save_model(result.train_model, out.with_suffix(".keras"))
    course.write_json_atomic(out.with_suffix(".json"), provenance)
    print(
        f"{result.summary()}\nAbschlussbewertung: {course.german_number(returns.mean(), 1)} "
        f"± {course.german_number(returns.std(), 1)} über {len(returns)} "
        f"Episoden\ngeschrieben: {out.with_suffix('.keras')} und {out.with_suffix('.json')}"
    )
    return 0 if np.isfinite(returns.mean()) else 1


if __name__ == "__main__":
    sys.exit(main())
