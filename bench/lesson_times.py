"""Wie lange dauert jede Lektion? Rechenzeit im vollen Modus gemessen, Lese- und Übungszeit geschätzt.

    .venv/bin/python bench/lesson_times.py                 # alle Notebooks im vollen Modus (etwa 20 Minuten)
    .venv/bin/python bench/lesson_times.py 03 Ringbuffer   # nur die Notebooks, deren Name so beginnt

Jedes Notebook läuft wie bei den Teilnehmenden von oben nach unten in einem frischen Kernel (WORKSHOP_QUICK=0);
gemessen wird die Zeit jeder Code-Zelle. Dazu gezählt: Wörter im Fließtext und Übungen. Die Schätzung für eine
Lektion im Workshop ist Lesen (Wörter / WORDS_PER_MINUTE) + Übungen (MINUTES_PER_EXERCISE je Übung) + Rechenzeit.
Ergebnis: bench/results/lesson_times.json und die Tabelle in KURSLEITUNG.md (zwischen den Markierungen
GUIDE_BEGIN … GUIDE_END); die Tagespläne dort planen mit diesen Zahlen, tests/test_docs.py prüft beides.

    .venv/bin/python bench/lesson_times.py --table       # nur die Tabelle im Leitfaden neu schreiben
    .venv/bin/python bench/lesson_times.py --words       # nach Textänderungen: Wörter und Schätzung neu, ohne Messung
"""

import json
import math
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cli  # noqa: E402
import course  # noqa: E402
import provenance  # noqa: E402
import workshop  # noqa: E402

WORDS_PER_MINUTE = 100  # Fachtext mit Formeln, den jemand vorstellt und die Gruppe mitliest
MINUTES_PER_EXERCISE = 8  # nur für eine Übung ohne Angabe: lesen, schreiben, prüfen, einmal korrigieren
# Unter jeder Übungsüberschrift steht ihre Schwierigkeit und Dauer (#37); die Schätzung summiert diese Minuten
EXERCISE_LABEL = r"^#+ Übung\b[^\n]*\n\*Schwierigkeit (⭐{1,3}) · etwa (\d+) Minuten\*$"
SLOW_CELL_SECONDS = 30  # länger rechnende Zellen sagen vorher, wie lange (#34)
RESULT = ROOT / "bench" / "results" / "lesson_times.json"
GUIDE = ROOT / "KURSLEITUNG.md"
GUIDE_BEGIN, GUIDE_END = "<!-- zeiten: erzeugt von bench/lesson_times.py -->", "<!-- zeiten: Ende -->"


def markdown_table(results):
    """Die Tabelle für den Leitfaden: je Notebook Lesen, Übungen, Rechenzeit und die Schätzung in Minuten."""
    lines = [
        "| Notebook | Lesen | Übungen | Rechnen (voller Modus) | Schätzung |",
        "|---|---|---|---|---|",
    ]
    for name, facts in results["lessons"].items():
        reading = facts["words"] / results["words_per_minute"]
        exercises = facts.get("exercise_minutes", facts["exercises"] * results["minutes_per_exercise"])
        compute = facts["compute_seconds"] / 60
        lines.append(
            f"| `{name}` | {facts['words']} Wörter ≈ {course.german_number(reading)} min "
            f"| {facts['exercises']} ≈ {exercises} min | {course.german_number(compute, 1)} min "
            f"| **{facts['planned_minutes']} min** |"
        )
    return "\n".join(lines)


def guide_with_table(text, results):
    """`text` (KURSLEITUNG.md) mit der aktuellen Tabelle zwischen den Markierungen."""
    return workshop.replace_marked(text, GUIDE_BEGIN, GUIDE_END, markdown_table(results), "KURSLEITUNG.md")


def notebooks():
    return sorted(course.NOTEBOOK_DIR.glob("*.ipynb")) + [ROOT / "Ringbuffer.ipynb", ROOT / "utils.ipynb"]


def text_facts(notebook):
    """Wörter im Fließtext (ohne Code und Formeln), Zahl der Übungen (Überschriften „### Übung“) und ihre Minuten
    laut der Zeile „*Schwierigkeit ⭐⭐ · etwa 10 Minuten*“ darunter (ohne diese Zeile MINUTES_PER_EXERCISE)."""
    words, exercises, minutes = 0, 0, 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        found = len(re.findall(r"^#+ Übung\b", text, flags=re.M))
        labelled = [int(m) for _, m in re.findall(EXERCISE_LABEL, text, flags=re.M)]
        exercises += found
        minutes += sum(labelled) + (found - len(labelled)) * MINUTES_PER_EXERCISE
        # Antworten zum Weiterdenken (aufgeklappt nur zu Hause) zählen nicht zur Lesezeit im Workshop
        text = re.sub(r"<details>.*?</details>", " ", text, flags=re.S)
        text = re.sub(r"```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|https?://\S+", " ", text, flags=re.S)
        words += len(re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text))
    return words, exercises, minutes


def planned_minutes(words, exercise_minutes, compute_seconds):
    """Schätzung in ganzen Minuten: Lesen + Übungen + Rechenzeit, aufgerundet."""
    return math.ceil(words / WORDS_PER_MINUTE + exercise_minutes + compute_seconds / 60)


def run_notebook(path):
    """Führt `path` im vollen Modus aus; gibt (Zellindex, Sekunden) je Code-Zelle zurück."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    seconds = []

    class TimedClient(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, **kwargs):
            start = time.perf_counter()
            result = await super().async_execute_cell(cell, cell_index, **kwargs)
            if cell.cell_type == "code":
                seconds.append((cell_index, time.perf_counter() - start))
            return result

    os.environ["WORKSHOP_QUICK"] = "0"
    # Ein Checkpoint aus einem früheren Lauf (Lektion 6) hieße: weitermachen statt neu trainieren. Für die Messung
    # beiseitelegen und danach zurücklegen; nichts wird gelöscht.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = {
        folder: folder.with_name(f"{folder.name}.beiseite-{stamp}")
        for folder in (ROOT / "checkpoints").glob("lektion*")
        if folder.is_dir() and "." not in folder.name
    }
    for folder, moved in aside.items():
        folder.rename(moved)
    try:
        resources = {"metadata": {"path": str(path.parent)}}
        TimedClient(notebook, timeout=3600, kernel_name="python3", resources=resources).execute()
    finally:
        for folder, moved in aside.items():
            if folder.exists():  # der Messlauf hat einen eigenen Checkpoint geschrieben: auch der bleibt erhalten
                folder.rename(folder.with_name(f"{folder.name}.messlauf-{stamp}"))
            moved.rename(folder)
    return seconds


def main():

    parser = cli.argument_parser(__doc__)
    parser.add_argument("prefixes", nargs="*", help="nur Notebooks, deren Name so beginnt (Standard: alle)")
    parser.add_argument("--table", action="store_true", help="nichts messen, nur die Tabelle im Leitfaden schreiben")
    parser.add_argument(
        "--words", action="store_true", help="nichts messen: Wörter, Übungen und Schätzung aus dem heutigen Text"
    )
    args = parser.parse_args()
    if args.words:  # nach einer Textänderung: Rechenzeiten bleiben, Lesezeit und Schätzung folgen dem Text
        stored = json.loads(RESULT.read_text(encoding="utf-8"))
        for path in notebooks():
            facts = stored["lessons"][path.stem]
            facts["words"], facts["exercises"], facts["exercise_minutes"] = text_facts(
                json.loads(path.read_text(encoding="utf-8"))
            )
            facts["planned_minutes"] = planned_minutes(
                facts["words"], facts["exercise_minutes"], facts["compute_seconds"]
            )
        RESULT.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        args.table = True
    if args.table:
        GUIDE.write_text(guide_with_table(GUIDE.read_text(encoding="utf-8"), json.loads(RESULT.read_text())), "utf-8")
        return
    results = json.loads(RESULT.read_text(encoding="utf-8"))["lessons"] if RESULT.exists() else {}
    for path in notebooks():
        if args.prefixes and not any(path.name.startswith(prefix) for prefix in args.prefixes):
            continue
        notebook = json.loads(path.read_text(encoding="utf-8"))
        words, exercises, exercise_minutes = text_facts(notebook)
        announced = [i for i, cell in enumerate(notebook["cells"]) if "".join(cell["source"]).startswith("# ⏱")]
        timed = run_notebook(path)
        seconds = [s for _, s in timed]
        compute = sum(seconds)
        results[path.stem] = dict(
            words=words,
            exercises=exercises,
            exercise_minutes=exercise_minutes,
            compute_seconds=round(compute, 1),
            slowest_cell_seconds=round(max(seconds, default=0.0), 1),
            # jede Zelle über SLOW_CELL_SECONDS: Index und Sekunden (die Lektion kündigt sie an, tests/test_docs.py)
            slow_cells=[[index, round(s, 1)] for index, s in timed if s > SLOW_CELL_SECONDS],
            # jede Zelle mit »# ⏱ etwa …« in der ersten Zeile, auch schnellere: Die Ansage wird an der Messung geprüft
            announced_cells=[[index, round(s, 1)] for index, s in timed if index in announced],
            planned_minutes=planned_minutes(words, exercise_minutes, compute),
            load_average=round(os.getloadavg()[0], 1),  # > Kerne heißt: etwas anderes rechnete mit
        )
        print(f"{path.stem}: {results[path.stem]}", flush=True)
    RESULT.write_text(
        json.dumps(
            dict(
                lessons=results,
                words_per_minute=WORDS_PER_MINUTE,
                minutes_per_exercise=MINUTES_PER_EXERCISE,
                machine=provenance.machine_description(),
                keras_backend=os.environ.get("KERAS_BACKEND", "tensorflow"),
                date=time.strftime("%Y-%m-%d"),
            ),
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    GUIDE.write_text(guide_with_table(GUIDE.read_text(encoding="utf-8"), json.loads(RESULT.read_text())), "utf-8")


if __name__ == "__main__":
    main()
