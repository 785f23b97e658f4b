"""Trainiert einen DQN-Agenten mit den Einstellungen der Lektion und legt ihn mit Herkunftsangaben ab.

    .venv/bin/python scripts/train_agent.py CartPole-v1 --seed 0            -> models/cartpole.keras + cartpole.json
    .venv/bin/python scripts/train_agent.py Acrobot-v1 --seed 0 --out logs/acrobot
    .venv/bin/python scripts/train_agent.py Acrobot-v1 --candidates 6 --full   # 6 Seeds, der robusteste gewinnt

Derselbe Code wie in den Lektionen (dqn.preset + dqn.train, die Lösung der Schleife aus Lektion 3). Danach eine
unabhängige Bewertung mit
100 gierigen Episoden auf Startzuständen, die weder Training noch Trainingsbewertung gesehen haben.
Die Herkunftsdatei (.json) nennt Seed, Schritte, Zeit, Protokoll, Ergebnis, Rechner und Paketversionen.

Mit `--candidates N` trainiert es N Seeds (ab `--seed`) und wählt den Agenten, dessen 10 % schlechteste Episoden auf
der Validierung (eigene Startzustände) im Mittel am besten sind: Ein mitgelieferter Agent soll vor der Gruppe nie
versagen. Erst der gewählte wird auf den Test-Startzuständen bewertet; beide Ergebnisse stehen in der Herkunft.
`--full` trainiert alle Schritte des Presets, statt beim ersten „gelöst“ aufzuhören; mit `--snapshots K` zählt
außerdem der Stand nach jedem K-tel des Trainings als eigener Kandidat (DQN schwankt: der letzte Stand ist nicht
immer der robusteste).

    .venv/bin/python scripts/train_agent.py Acrobot-v1 --candidates 6 --full --snapshots 5

`--set NAME=WERT` ändert einzelne Hyperparameter des Presets (mehrfach möglich, WERT als JSON); die Herkunft nennt
dann die ganze Konfiguration und den Befehl:

    .venv/bin/python scripts/train_agent.py Acrobot-v1 --full --set learning_rate=3e-4 --set "hidden_units=[128, 128]"
"""

import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINAL_EVAL_SEED = 900_000  # Startzustände der Abschlussbewertung (das Training bewertet mit 10_000+ und 20_000+)
VALIDATION_SEED = 800_000  # Startzustände für die Wahl unter mehreren Kandidaten (nie für die Abschlussbewertung)


def main(argv=None):
    import cli
    import course
    import dqn

    parser = cli.argument_parser(__doc__)
    parser.add_argument("env_id", choices=sorted(dqn.PRESETS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="Pfad ohne Endung (Standard: models/<umgebung>)")
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=1, help="so viele Seeds trainieren, den robustesten nehmen")
    parser.add_argument(
        "--full", action="store_true", help="alle Schritte trainieren, nicht beim ersten „gelöst“ enden"
    )
    parser.add_argument(
        "--snapshots", type=int, default=1, help="mit --full: den Stand nach jedem K-tel des Trainings mitbewerten"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=WERT",
        help="einen Hyperparameter des Presets ändern, z. B. --set learning_rate=3e-4 (mehrfach möglich)",
    )
    options = parser.parse_args(argv)
    options.set = cli.hyperparameter_changes(parser, options.set)
    for name in ("eval_episodes", "candidates", "snapshots"):
        if getattr(options, name) < 1:
            parser.error(f"--{name.replace('_', '-')} muss mindestens 1 sein, ist {getattr(options, name)}.")
    if options.snapshots > 1 and not options.full:
        parser.error("--snapshots braucht --full (ein Training, das bei „gelöst“ aufhört, hat keine späteren Stände).")

    try:
        return run(options, argv)
    except (course.InputError, OSError) as error:  # unsere deutschen Meldungen: eine Zeile, kein Traceback
        parser.exit(2, f"Fehler: {error}\n")


def train_candidates(config, options):
    """Trainiert die Seeds `--seed` … `--seed + --candidates − 1`; gibt (seed, result, candidates) des gewählten
    zurück (candidates: Validierung jedes Kandidaten; leer bei nur einem), None nach einem Abbruch.

    Mit `--snapshots K` ist jeder Seed K Kandidaten: das Training läuft in K gleichen Stücken (`resume`), nach jedem
    wird der Stand auf der Validierung bewertet; gewählt wird unter allen Ständen aller Seeds."""
    import copy

    import numpy as np

    import course
    import dqn
    import provenance

    candidates, best = [], None
    ends = [round(config.total_steps * (i + 1) / options.snapshots) for i in range(options.snapshots)]
    for seed in range(options.seed, options.seed + options.candidates):
        result = None
        for end in ends:
            chunk = copy.copy(config)
            chunk.total_steps = end
            result = dqn.train(chunk, seed=seed, progress=sys.stderr.isatty(), resume=result)
            if result.interrupted:
                return None
            if options.candidates == 1 and options.snapshots == 1:
                return seed, result, candidates
            validation = dqn.evaluate(
                result.q_model, config.env_id, episodes=options.eval_episodes, seed=VALIDATION_SEED
            )
            worst_tenth = float(np.sort(validation)[: max(1, len(validation) // 10)].mean())
            summary = provenance.evaluation_summary(validation, "Validierung")
            candidates.append(
                dict(
                    seed=seed,
                    steps=result.steps,
                    train_seconds=round(result.train_seconds, 1),
                    **summary,
                    worst_tenth=worst_tenth,
                )
            )
            print(
                f"Kandidat Seed {seed}, Schritt {result.steps}: Validierung "
                f"{course.german_number(validation.mean(), 1)}, schlechtestes Zehntel "
                f"{course.german_number(worst_tenth, 1)}",
                flush=True,
            )
            if best is None or (worst_tenth, validation.mean()) > best[0]:
                # bei mehreren Ständen je Seed: die Gewichte dieses Stands, das Training geht danach weiter
                weights = result.train_model.get_weights() if options.snapshots > 1 else None
                best = ((worst_tenth, validation.mean()), seed, result, weights, result.steps, result.train_seconds)
    _, seed, result, weights, steps, train_seconds = best
    if weights is not None:  # der gewählte Stand: seine Gewichte, Schritte und Trainingszeit bis dahin
        result.train_model.set_weights(weights)
        result.steps, result.train_seconds = steps, train_seconds
    return seed, result, candidates


def run(options, argv):
    import numpy as np

    import course
    import dqn
    import provenance

    out = Path(options.out) if options.out else ROOT / "models" / options.env_id.split("-")[0].lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    config = dqn.preset(options.env_id, **{**options.set, **({"stop_when_solved": False} if options.full else {})})
    start = time.perf_counter()
    chosen = train_candidates(config, options)
    if chosen is None:
        print(f"Abgebrochen: nichts geschrieben, {out.with_suffix('.keras')} bleibt, wie es war.", file=sys.stderr)
        return 1
    seed, result, candidates = chosen
    wall = time.perf_counter() - start
    returns = dqn.evaluate(result.q_model, config.env_id, episodes=options.eval_episodes, seed=FINAL_EVAL_SEED)
    protocol = f"gierig (ε = 0), {options.eval_episodes} Episoden, Startzustände aus Seed {FINAL_EVAL_SEED}"
    selection = {}
    if candidates:
        selection = dict(
            selection=dict(
                rule=(
                    f"{options.candidates} Seeds trainiert"
                    + (
                        f", je Seed der Stand nach jedem {options.snapshots}-tel bewertet"
                        if options.snapshots > 1
                        else ""
                    )
                    + "; gewählt, wessen 10 % schlechteste Episoden auf der "
                    f"Validierung ({options.eval_episodes} Episoden, Startzustände aus Seed {VALIDATION_SEED}) im "
                    "Mittel am besten sind; erst danach die Abschlussbewertung auf eigenen Startzuständen"
                ),
                chosen_seed=seed,
                chosen_steps=result.steps,
                candidates=candidates,
            )
        )
    record = provenance.model_record(
        provenance.evaluation_summary(returns, protocol, below_zero=int((returns < 0).sum())),
        env_id=config.env_id,
        seed=seed,
        steps=result.steps,
        train_seconds=round(result.train_seconds, 1),
        wall_seconds=round(wall, 1),
        solved_at_step=result.solved_at_step,
        training_evaluations=[(s, round(m, 1)) for s, m, _ in result.evaluations],
        config={k: (list(v) if isinstance(v, tuple) else v) for k, v in config.__dict__.items()},
        command="python scripts/train_agent.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        **selection,
    )
    # Erst wenn alles fertig ist, und beide Dateien atomar: ein Abbruch davor lässt die alten Dateien heil
    dqn.save_model(result.train_model, out.with_suffix(".keras"))
    course.write_json_atomic(out.with_suffix(".json"), record)
    print(
        f"{result.summary()}\nAbschlussbewertung: {course.german_number(returns.mean(), 1)} "
        f"± {course.german_number(returns.std(), 1)} über {len(returns)} "
        f"Episoden\ngeschrieben: {out.with_suffix('.keras')} und {out.with_suffix('.json')}"
    )
    return 0 if np.isfinite(returns.mean()) else 1


if __name__ == "__main__":
    sys.exit(main())
