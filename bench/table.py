"""Die Messwerte aus bench/results/ als Markdown-Tabelle, wie sie im README stehen.

    python3 bench/table.py          # Tabelle ausgeben
    python3 bench/table.py --write  # den Block zwischen den Markierungen im README ersetzen

Ein Test (tests/test_docs.py) prüft, dass das README genau diese Tabelle enthält: Nach einem neuen
Benchmark-Lauf schlägt er fehl, bis jemand `--write` aufruft.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # workshop.replace_marked
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench-table: bench/table.py --write -->", "<!-- /bench-table -->"
ENVS = ["cartpole", "acrobot", "lunarlander"]
AGENTS = {"ours": "unser DQN", "sb3": "SB3 (Zoo)"}


def number(value, digits=1):
    """Deutsche Schreibweise; None (ein Seed ungelöst, also unendlich lang) als Strich."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace("-", "−")


def seconds_text(value):
    return "–" if value is None else f"{number(value)} s"


def dqn_rows():
    rows = []
    for env in ENVS:
        for path in sorted(
            RESULTS.glob(f"dqn_{env}_*.json"), key=lambda p: (not p.stem.endswith("tensorflow"), p.stem)
        ):
            report = json.loads(path.read_text(encoding="utf-8"))
            # unser DQN zuerst, dann SB3 aus derselben Datei (dort stehen sie in der Reihenfolge der Aufrufe)
            for agent, s in sorted(report["summary"].items(), key=lambda item: item[0] != "ours"):
                # SB3 läuft im Standardaufruf mit: dazu, neben welchem Backend (derselbe Aufruf, dieselbe Last;
                # `--agents ours` behält SB3-Läufe eines früheren Aufrufs)
                backend = (
                    report["keras_backend"] if agent == "ours" else f"PyTorch (Lauf mit {report['keras_backend']})"
                )
                times = (
                    seconds_text(s["median_train_seconds_to_solve"]),
                    seconds_text(s["max_train_seconds_to_solve"]),
                    number(s["median_steps_to_solve"], 0),
                )
                rows.append(
                    (
                        report["env"],
                        f"{AGENTS[agent]}, {backend}",
                        number(s["target_return"], 0),
                        f"{s['solved']} von {s['seeds']}",
                        *times,
                    )
                )
    header = (
        "Umgebung",
        "Agent, Backend",
        "Ziel",
        "Seeds gelöst",
        "Trainingszeit Median",
        "längster Seed",
        "Schritte Median",
    )
    return [header, *rows]


EXPERIMENTS = [
    ("target_fixed_data", "4", "Target-Netz auf festen Daten"),
    ("target_training", "4", "Target-Netz im CartPole-Training"),
    ("replay", "5", "Erfahrungsspeicher auf CartPole"),
    ("overestimation", "5", "DQN gegen Double DQN (Überschätzung)"),
]


def experiment_lines():
    """Die Experimente der Lektionen 4 und 5 über 10 Seeds (bench/lesson_experiments.py)."""
    from experiments import VARIANT_LABELS  # die deutschen Namen der Varianten (ihre Schlüssel sind englisch)

    rows = []
    for name, lesson, title in EXPERIMENTS:
        path = RESULTS / f"experiment_{name}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        effect = report["effect"]
        spread = "; ".join(
            f"{VARIANT_LABELS.get(variant, variant)} {number(s['median'], 2)} "
            f"({number(s['min'], 2)} bis {number(s['max'], 2)})"
            for variant, s in effect["summary"].items()
        )
        rows.append(
            f"| {lesson} | {title} | {report['metric']}: Median (Spanne) je Variante: {spread} | "
            f"{effect['shows']} von {effect['seeds']} |"
        )
    if not rows:
        return []
    return [
        "",
        "Die Experimente der Lektionen 4 und 5, je 10 Seeds (`bench/lesson_experiments.py`):",
        "",
        "| Lektion | Experiment | Kennzahl | Effekt wie im Text |",
        "|---|---|---|---|",
        *rows,
    ]


PIXEL_CANDIDATES = [
    ("mini-breakout", "Mini-Breakout (`atari.MiniBreakout`, Lektion 6, Akt 1)"),
    ("minatar-breakout", "MinAtar Breakout (Paket `minatar`)"),
    ("atari-breakout", "Atari Breakout, verkürzt (Nature-CNN, `ATARI_REDUCED`)"),
]


def pixel_lines():
    """Die Kandidaten für den ersten Akt von Lektion 6, je 10 Seeds (bench/pixel_candidates.py, #39)."""
    rows = []
    for name, title in PIXEL_CANDIDATES:
        path = RESULTS / f"pixel_{name}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        s, runs = report["summary"], report["runs"]
        minutes = max(run["train_seconds"] for run in runs) / 60
        first = statistics.median(run["marks"][0]["greedy_mean"] for run in runs)
        rows.append(
            f"| {title} | {number(s['steps_per_second_median'], 0)} | {number(minutes)} min "
            f"({number(statistics.median(run['steps'] for run in runs), 0)} Schritte) | "
            f"{f'{number(first, 1)} → ' if len(runs[0]['marks']) > 1 else ''}{number(s['final_greedy_median'], 1)} "
            f"(schlechtester Seed {number(s['final_greedy_min'], 1)}) | "
            f"{number(s['random_mean'], 2)} | {s['seeds_meeting_criterion']} von {s['seeds']} | "
            f"{number(s['maxrss_mb_max'], 0)} MB |"
        )
    if not rows:
        return []
    return [
        "",
        "Pixel-Aufgaben für den ersten Akt von Lektion 6, je 10 Seeds (`bench/pixel_candidates.py`; Kriterium: "
        "gieriges Mittel über 30 Spiele nach höchstens 10 Minuten Training mindestens das Dreifache des "
        "Zufallsagenten; Zufall bei Mini-Breakout aus 1000 Spielen, sonst aus 30):",
        "",
        "| Aufgabe | Schritte/s (Median) | längstes Training | gierig, Median: erste → letzte Bewertung | Zufall "
        "| Kriterium erfüllt | Speicher (maxrss) |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]


def playground_lines():
    """Die Spielwiese aus Lektion 3: wie lange ein Lauf dauert (bench/playground.py, #37)."""
    path = RESULTS / "playground.json"
    if not path.exists():
        return []
    report = json.loads(path.read_text(encoding="utf-8"))
    runs = report["runs"]
    return [
        "",
        f"Spielwiese (Lektion 3, `bench/playground.py`): {len(runs)} Läufe ({len(runs) // report['seeds']} "
        f"Einstellungen × {report['seeds']} Seeds, höchstens {number(report['config']['total_steps'], 0)} Schritte) "
        f"dauerten im Median {number(report['median_seconds'])} s, der längste {number(report['max_seconds'])} s "
        f"({report['machine']['cpus']} Kerne, {report['date']}).",
    ]


def markdown():
    lines = ["| " + " | ".join(r) + " |" for r in dqn_rows()]
    lines.insert(1, "|" + "---|" * len(dqn_rows()[0]))
    lines += experiment_lines()
    lines += pixel_lines()
    lines += playground_lines()
    speed = RESULTS / "breakout_speed_tensorflow.json"
    if speed.exists():
        b = json.loads(speed.read_text(encoding="utf-8"))
        ours, example = b["results"]["ours"], b["results"]["keras_example"]
        lines += [
            "",
            f"Breakout ({b['keras_backend']}, {b['machine']}): {number(ours['steps_per_second'])} "
            f"Agenten-Schritte pro Sekunde gegen {number(example['steps_per_second'])} in einer Schleife "
            f"wie im Keras-Beispiel ({number(b['speedup'])}×); Speicher {number(ours['bytes_per_transition'], 0)} "
            f"statt {number(example['bytes_per_transition'], 0)} Byte pro Übergang.",
        ]
    return "\n".join(lines)


def readme_with_table(text):
    import workshop

    return workshop.replace_marked(text, BEGIN, END, markdown())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="Tabelle ins README schreiben")
    if parser.parse_args().write:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"geschrieben: {README.relative_to(ROOT)}")
    else:
        print(markdown())


if __name__ == "__main__":
    main()
