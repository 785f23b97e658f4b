"""TensorFlow oder JAX als Keras-Backend des Workshops? Gemessen, nicht vermutet (#21).

    python3 workshop.py bench backends                  # alles; die Lektionen 3–6 je Backend im vollen Modus
    python3 workshop.py bench backends --skip-lessons   # nur Installationsgröße und Plattformen (eine Minute)
    python3 workshop.py bench backends --table          # nichts messen, nur die Tabelle im README schreiben

Drei Messungen, alle in `.venv-bench` (dort sind beide Backends installiert, in den Versionen des Workshops):
- **Rechenzeit der Lektionen 3–6**: jedes Notebook wie bei den Teilnehmenden von oben nach unten in einem frischen
  Kernel im vollen Modus (`bench/lesson_times.run_notebook`), einmal mit `KERAS_BACKEND=tensorflow`, einmal mit
  `KERAS_BACKEND=jax`. Die Trainings enden bei „gelöst“; ein Backend, das schneller lernt, ist also auch schneller.
- **Installationsgröße**: die Pakete, die nur das Backend braucht (seine Abhängigkeiten ohne die, die der Workshop
  ohnehin installiert), mit ihren installierten Dateien auf diesem Rechner (Linux x86_64).
- **Plattformen**: ob sich requirements.txt mit dem Backend für Linux x86_64, Windows x64 und macOS arm64 mit
  Python 3.11–3.13 nur aus Wheels auflösen lässt (uv, wie tests/test_platforms.py; braucht den Paketindex).

Ergebnis: bench/results/backends.json und die Tabelle im README zwischen den Markierungen; tests/test_docs.py
prüft, dass das README die aktuelle Tabelle zeigt.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cli  # noqa: E402
import course  # noqa: E402
import provenance  # noqa: E402
import workshop  # noqa: E402

RESULT = ROOT / "bench" / "results" / "backends.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- backends: bench/backends.py -->", "<!-- /backends -->"
LESSONS = ["03", "04", "05", "06"]
BACKENDS = {"tensorflow": ["tensorflow-cpu"], "jax": ["jax", "jaxlib"]}
PLATFORMS = workshop.ATTENDEE_PLATFORMS


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(path):
    """Paketnamen aus einer requirements-Datei (ohne Versionen, Marker und Kommentare)."""
    names = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(canonical(re.split(r"[\[=<>~!;\s]", line)[0]))
    return names


def closure(names):
    """Die installierten Pakete `names` mit allen Abhängigkeiten (ohne Extras, mit den Markern dieses Rechners)."""
    from packaging.requirements import Requirement

    seen, todo = set(), [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonical(requirement.name))
    return seen


def installed_bytes(name):
    files = metadata.distribution(name).files or []
    return sum(path.stat().st_size for f in files if (path := Path(f.locate())).is_file())


def install_sizes():
    """Je Backend: die Pakete, die es zusätzlich zum Rest des Workshops braucht, und ihre Größe in MB."""
    workshop = [n for n in requirement_names(ROOT / "requirements.txt") if not n.startswith("tensorflow")]
    base = closure(workshop)
    sizes = {}
    for backend, packages in BACKENDS.items():
        extra = sorted(closure(packages) - base)
        sizes[backend] = dict(packages=extra, megabytes=round(sum(map(installed_bytes, extra)) / 1e6, 1))
    return sizes


def backend_requirements(backend, folder):
    """requirements.txt für `backend`: so wie sie ist für TensorFlow; für JAX ohne TensorFlow, mit JAX aus
    bench/requirements.txt."""
    if backend == "tensorflow":
        return ROOT / "requirements.txt"
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if not line.startswith("tensorflow")]
    lines += [line for line in (ROOT / "bench" / "requirements.txt").read_text().splitlines() if line.startswith("jax")]
    path = Path(folder) / "requirements-jax.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def platforms():
    """Je Backend und Plattform: die Python-Versionen, für die sich alles nur aus Wheels auflösen lässt."""
    uv = workshop.find_uv()
    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in BACKENDS:
            requirements = backend_requirements(backend, folder)
            found[backend] = {}
            for platform, tag in PLATFORMS.items():
                found[backend][platform] = []
                for major, minor in workshop.SUPPORTED_PYTHONS:
                    command = [uv, "pip", "compile", str(requirements), "--python-platform", tag]
                    command += [
                        "--python-version",
                        f"{major}.{minor}",
                        "--only-binary",
                        ":all:",
                        "-q",
                        "-o",
                        os.devnull,
                    ]
                    if subprocess.run(command, capture_output=True, timeout=600).returncode == 0:
                        found[backend][platform].append(f"{major}.{minor}")
    return found


def lesson_seconds():
    """Je Backend: Rechenzeit jeder Lektion 3–6 im vollen Modus, in Sekunden."""
    import lesson_times

    seconds = {backend: {} for backend in BACKENDS}
    # abwechselnd je Lektion, damit beide Backends dieselbe Last auf dem Rechner erleben
    for path in lesson_times.notebooks():
        for backend in BACKENDS if path.name[:2] in LESSONS else ():
            os.environ["KERAS_BACKEND"] = backend  # der Kernel erbt die Umgebung
            seconds[backend][path.stem] = round(sum(lesson_times.run_notebook(path)), 1)
            print(f"{backend}, {path.stem}: {seconds[backend][path.stem]} s", flush=True)
    return seconds


def markdown_table(results):
    """Die Tabelle fürs README: eine Zeile je Messung, eine Spalte je Backend."""
    lines = ["| Messung | TensorFlow | JAX |", "|---|---|---|"]
    lessons = results.get("lesson_seconds", {})
    for name in lessons.get("tensorflow", {}):
        cells = [f"{course.german_number(lessons[b][name] / 60, 1)} min" for b in BACKENDS]
        lines.append(f"| Rechenzeit `{name}` (voller Modus) | " + " | ".join(cells) + " |")
    if lessons:
        cells = [f"**{course.german_number(sum(lessons[b].values()) / 60, 1)} min**" for b in BACKENDS]
        lines.append("| Rechenzeit Lektionen 3–6 zusammen | " + " | ".join(cells) + " |")
    sizes = results["install_sizes"]
    cells = [f"{round(sizes[b]['megabytes'])} MB ({', '.join(sizes[b]['packages'])})" for b in BACKENDS]
    lines.append("| Installation zusätzlich zum Workshop | " + " | ".join(cells) + " |")
    for platform in PLATFORMS:
        cells = [", ".join(f"`{v}`" for v in results["platforms"][b][platform]) or "–" for b in BACKENDS]
        lines.append(f"| installierbar auf {platform}, Python | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_with_table(text, results):
    return workshop.replace_marked(text, BEGIN, END, markdown_table(results))


def main():

    parser = cli.argument_parser(__doc__)
    parser.add_argument("--skip-lessons", action="store_true", help="die Lektionen nicht messen (Werte behalten)")
    parser.add_argument("--table", action="store_true", help="nichts messen, nur die Tabelle im README schreiben")
    args = parser.parse_args()
    if not args.table:
        results = json.loads(RESULT.read_text(encoding="utf-8")) if RESULT.exists() else {}
        results.update(install_sizes=install_sizes(), platforms=platforms())
        if not args.skip_lessons:
            results.update(lesson_seconds=lesson_seconds(), load_average=round(os.getloadavg()[0], 1))
        results.update(machine=provenance.machine_description(), date=time.strftime("%Y-%m-%d"))
        course.write_json_atomic(RESULT, results)
    results = json.loads(RESULT.read_text(encoding="utf-8"))
    README.write_text(readme_with_table(README.read_text(encoding="utf-8"), results), encoding="utf-8")
    print(markdown_table(results))


if __name__ == "__main__":
    main()
