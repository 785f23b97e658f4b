"""Breakout-Training für lange Läufe: im Hintergrund auf dem Laptop, über Nacht oder auf einer GPU.

    .venv/bin/python scripts/train_breakout.py            # trainiert nach checkpoints/breakout, setzt dort fort
    .venv/bin/python scripts/train_breakout.py --hours 2  # höchstens 2 Stunden, dann Checkpoint und Ende
    .venv/bin/python scripts/train_breakout.py --export   # bewerten wie im Nature-Paper -> models/breakout.keras
    KERAS_BACKEND=jax python scripts/train_breakout.py --steps 2000000  # z. B. auf einem GPU-Rechner mit JAX

Derselbe Code wie in Lektion 6 (atari.train). Ein Abbruch (Strg+C, `kill -INT`, Zeitlimit) schreibt einen
Checkpoint: Netz mit Optimierer, Target-Netz, Erfahrungsspeicher, Zufallszustand, Fortschritt. Der nächste
Aufruf mit demselben Ordner macht dort weiter; so lässt sich das Training auf mehrere Etappen verteilen.
"""

import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def export(checkpoint_dir, out, episodes, seed):
    """Bewertet den Checkpoint wie im Nature-Paper und legt Modell und Herkunftsdatei in models/ ab."""

    import atari
    import course
    import dqn
    import provenance

    result = atari.load_checkpoint(checkpoint_dir, with_memory=False)
    start = time.perf_counter()
    scores = atari.play(result.q_model, episodes=episodes, epsilon=0.05, seed=seed, progress=sys.stderr.isatty())
    shipped = atari.build_cnn()  # ein frisches Netz mit denselben Gewichten: ohne Optimierer-Zustand, 3× kleiner
    shipped.set_weights(result.train_model.get_weights())
    dqn.save_model(shipped, out.with_suffix(".keras"))
    protocol = (
        f"wie im Nature-Paper: volles Spiel (5 Leben), höchstens 5 Minuten (18 000 Bilder), ε = 0,05, "
        f"{episodes} Spiele, Seeds ab {seed}; Unterschiede: FIRE nach Start und nach jedem verlorenen "
        "Leben automatisch (Wrapper AutoFire), 1–30 NOOP-Bilder am Anfang statt bis zu 30 NOOP-Aktionen"
    )
    record = provenance.model_record(
        provenance.evaluation_summary(scores, protocol, seconds=round(time.perf_counter() - start, 1)),
        env_id=atari.ENV_ID,
        seed=result.seed,
        agent_steps=result.steps,
        frames=result.steps * 4,
        updates=result.updates,
        train_seconds=round(result.train_seconds, 1),
        runs=result.history,
        training_evaluations=result.evaluations,
        config=asdict(result.config),
    )
    course.write_json_atomic(out.with_suffix(".json"), record)
    print(
        f"Bewertung: {course.german_number(scores.mean(), 1)} ± "
        f"{course.german_number(scores.std(), 1)} Punkte über {len(scores)} Spiele "
        f"(Mensch im Nature-Paper: 31,8)\ngeschrieben: {out.with_suffix('.keras')} und {out.with_suffix('.json')}"
    )


def main(argv=None):
    import cli
    import course

    parser = cli.argument_parser(__doc__)
    parser.add_argument("--checkpoint-dir", default=str(ROOT / "checkpoints" / "breakout"), help="Checkpoint-Ordner")
    parser.add_argument("--steps", type=int, help="Agenten-Schritte insgesamt (Standard: AtariConfig)")
    parser.add_argument("--hours", type=float, help="nach so vielen Stunden Checkpoint schreiben und aufhören")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=WERT",
        help="Hyperparameter ändern, z. B. --set memory_size=200000 (nur bei neuem Training)",
    )
    parser.add_argument("--export", action="store_true", help="Checkpoint bewerten und nach models/ schreiben")
    parser.add_argument("--games", type=int, default=30, help="Spiele der Bewertung beim Exportieren")
    parser.add_argument("--out", default=str(ROOT / "models" / "breakout"), help="Exportpfad ohne Endung")
    parser.add_argument(
        "--from-model",
        metavar="DATEI",
        help="ohne Checkpoint weitermachen: den exportierten Agenten (z. B. models/breakout.keras) "
        "samt Herkunftsdatei in einen neuen Checkpoint-Ordner übernehmen, dann trainieren",
    )
    options = parser.parse_args(argv)
    for name in ("hours", "games", "steps"):
        if getattr(options, name) is not None and getattr(options, name) <= 0:
            parser.error(f"--{name} muss größer als 0 sein, ist {getattr(options, name)}.")
    try:
        return run(options, parser)
    except (
        course.InputError,
        OSError,
        RuntimeError,
    ) as error:  # unsere deutschen Meldungen: eine Zeile, kein Traceback
        parser.exit(2, f"Fehler: {error}\n")


def stage(max_seconds=None, report_every=None):
    """Für atari.train(on_step=...): nach `max_seconds` aufhören (mit Checkpoint), alle `report_every` Schritte eine
    Zeile Stand (für Logdateien, wenn das Skript im Hintergrund läuft)."""
    import numpy as np

    import course

    start, first_step = time.perf_counter(), None

    def on_step(step, epsilon, result):
        nonlocal first_step
        first_step = first_step or step
        if report_every and step % report_every == 0:
            recent = result.episode_returns[-20:]
            rate = (step - first_step + 1) / (time.perf_counter() - start)
            print(
                f"Schritt {step}: {course.german_number(rate)} Schritte/s, ε = {course.german_number(epsilon, 3)}, "
                f"mittlere Punkte der letzten {len(recent)} Spiele: "
                f"{course.german_number(np.mean(recent) if recent else float('nan'), 1)}",
                flush=True,
            )
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            print(f"Zeitlimit erreicht nach {step} Schritten.", flush=True)
            return True
        return False

    return on_step


def run(options, parser):
    import atari
    import cli
    import course

    if options.export:
        out, checkpoint = Path(options.out).resolve(), Path(options.checkpoint_dir).resolve()
        if out.parent == checkpoint or checkpoint in out.parents:
            raise course.InputError(
                f"--out {options.out} liegt im Checkpoint-Ordner {options.checkpoint_dir}. Das nächste Training "
                "ersetzt diesen Ordner ganz (und weigert sich deshalb, solange fremde Dateien darin liegen). Wähle "
                "einen Exportpfad außerhalb, z. B. --out models/mein_agent."
            )
        export(options.checkpoint_dir, Path(options.out), options.games, seed=700_000)
        return 0
    if options.from_model and not atari.has_checkpoint(options.checkpoint_dir):
        result = atari.checkpoint_from_model(options.from_model, options.checkpoint_dir)
        print(
            f"Checkpoint aus {options.from_model} angelegt (Schritt {result.steps}); der Erfahrungsspeicher "
            "wird mit dem gelernten Netz neu gefüllt."
        )
    changes = cli.hyperparameter_changes(parser, options.set)
    if atari.has_checkpoint(options.checkpoint_dir):
        if changes:  # bisher still übergangen: der Checkpoint trainiert mit seinen gespeicherten Einstellungen
            raise course.InputError(
                f"--set ändert nur ein neues Training; der Checkpoint in {options.checkpoint_dir} trainiert mit "
                "seinen gespeicherten Einstellungen weiter. Für andere Einstellungen: ein neuer --checkpoint-dir."
            )
        config = atari.checkpoint_config(options.checkpoint_dir, options.steps)
    else:
        if options.steps:
            changes["total_steps"] = options.steps
        config = atari.AtariConfig(**changes)
    # `kill -INT` und `kill` (SIGTERM) enden wie Strg+C: mit Checkpoint. SIGINT ausdrücklich, weil die Shell
    # es Hintergrundjobs (`... &`) sonst ignorieren lässt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    result = atari.train(
        config,
        seed=options.seed,
        checkpoint_dir=options.checkpoint_dir,
        progress=sys.stderr.isatty(),
        on_step=stage(options.hours * 3600 if options.hours else None, None if sys.stderr.isatty() else 10_000),
    )
    recent = result.episode_returns[-100:]
    print(
        f"Stand: {result.steps} Schritte, {course.german_number(result.train_seconds / 3600, 2)} h Training, "
        f"mittlere Punkte der letzten {len(recent)} Trainingsspiele: "
        f"{course.german_number((sum(recent) / len(recent)) if recent else float('nan'), 1)}; "
        f"Checkpoint: {options.checkpoint_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
