#!/usr/bin/env python3
"""Ein Befehl für alles rund um den Workshop (nur Standardbibliothek; der Workshop braucht Python 3.11 bis 3.13).

    python3 workshop.py start            Umgebung einrichten und JupyterLab mit den Übungsversionen (uebungen/) öffnen
    python3 workshop.py start --solutions dasselbe mit den Lektionen samt Lösungen (notebooks/, Kursleitung)
    python3 workshop.py start --server   dasselbe ohne Browser, erreichbar im Netz (für Server)
    python3 workshop.py start --notebook dasselbe in Notebook 7 statt JupyterLab
    python3 workshop.py test             Umgebung einrichten und alle Tests ausführen
    python3 workshop.py exercises        Übungsversionen (ohne Lösungen) nach uebungen/ (geänderte vorher sichern)
    python3 workshop.py strip            Ausgaben aus allen Notebooks entfernen (vor dem Commit)
    python3 workshop.py library          die `# @save`-Zellen der Lektionen nach dqn.py, atari.py und Ringbuffer.ipynb
    python3 workshop.py wheelhouse       alle Pakete nach wheelhouse/ laden (USB-Stick für Orte ohne Internet)
    python3 workshop.py colab            Colab-Knöpfe und erste Zelle aller Lektionen auf GITHUB_REPO abgleichen
    python3 workshop.py bench NAME …     Benchmark bench/NAME.py in .venv-bench (mit SB3 und JAX) ausführen

Unter Windows: `py workshop.py start` bzw. `py workshop.py test`.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / "workshop-requirements.sha256"
# Benchmarks brauchen mehr (Stable-Baselines3 mit PyTorch, JAX): eine eigene Umgebung, nicht im Workshop
BENCH_VENV = ROOT / ".venv-bench"
BENCH_REQUIREMENTS = ROOT / "bench" / "requirements.txt"
NBGRADER_VENV = ROOT / ".venv-nbgrader"  # nur für die Tests: nbgrader bleibt aus der Umgebung der Teilnehmenden
NBGRADER_REQUIREMENTS = ROOT / "tests" / "requirements-nbgrader.txt"
WHEELHOUSE = ROOT / "wheelhouse"
EXERCISE_DIR = ROOT / "uebungen"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
# Wo der Workshop auf GitHub liegt: daraus entstehen die „In Colab öffnen“-Knöpfe und die erste Zelle der
# Lektionen. Nach einem Umzug hier ändern und `python3 workshop.py colab` ausführen (ein Test prüft den Abgleich).
GITHUB_REPO = "Deep-Q-Learning-Workshop/Deep-Q-Learning-Workshop"
COLAB_DIR = "/content/Deep-Q-Learning-Workshop"
# Die Übungsversionen für Colab (Colab öffnet nur Dateien aus dem Repository): erzeugt von `workshop.py colab`
COLAB_EXERCISES = ROOT / "colab"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
# Python-Versionen, für die es alle gepinnten Pakete als Wheel gibt (tests/test_platforms.py prüft das):
# numpy 2.4 und matplotlib brauchen mindestens 3.11, TensorFlow 2.21 gibt es nicht für 3.14.
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
# Die Laptops der Teilnehmenden, als Zielplattform für uvs Resolver (tests/test_platforms.py, bench/backends.py)
ATTENDEE_PLATFORMS = {
    "Linux x86_64": "x86_64-manylinux_2_28",
    "Windows x64": "x86_64-pc-windows-msvc",
    "macOS arm64": "aarch64-apple-darwin",
}


def find_uv():
    """uv aus der laufenden Umgebung (requirements.txt installiert es), sonst vom PATH; None, wenn es fehlt."""
    import shutil

    return shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


STUB_LINE = 'raise NotImplementedError("Hier fehlt noch deine Lösung: ersetze diese Zeile durch deinen Code.")'


def venv_python(venv_dir=VENV):
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _requirements_hash(*files):
    return hashlib.sha256(b"".join(f.read_bytes() for f in files or (REQUIREMENTS,))).hexdigest()


def unsupported_python_message(version_info=None):
    """Deutsche Erklärung, wenn dieses Python nicht passt (sonst None): welche Versionen gehen, woher man sie holt."""
    version_info = version_info or sys.version_info
    if tuple(version_info[:2]) in SUPPORTED_PYTHONS:
        return None
    have = ".".join(str(part) for part in version_info[:3])
    wanted = ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)
    return (
        f"Der Workshop braucht Python {wanted}; dieses Python ist {have}. Für andere Versionen gibt es nicht alle "
        "Pakete (numpy und matplotlib brauchen mindestens 3.11, TensorFlow gibt es noch nicht für 3.14).\n"
        "So bekommst du Python 3.12 (eine der Möglichkeiten genügt):\n"
        "  - Installationsprogramm von https://www.python.org/downloads/\n"
        "  - Windows: winget install Python.Python.3.12   (danach: py -3.12 workshop.py start)\n"
        "  - macOS mit Homebrew: brew install python@3.12   (danach: python3.12 workshop.py start)\n"
        "  - mit uv, überall: uv python install 3.12   (danach: uv run --python 3.12 workshop.py start)"
    )


def create_venv(venv_dir=VENV):
    problem = unsupported_python_message()
    if problem:
        sys.exit(problem)
    if not venv_python(venv_dir).exists():
        print(f"Lege die virtuelle Umgebung an: {venv_dir}")
        venv.EnvBuilder(with_pip=True, clear=venv_dir.exists()).create(venv_dir)
    repair_venv(venv_dir)


def _works(command):
    try:
        return subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def repair_venv(venv_dir=VENV):
    """Eine abgebrochene erste Einrichtung heilt sich selbst: ohne lauffähiges Python wird die .venv neu angelegt,
    ohne pip bekommt sie pip zurück (ensurepip, ohne Internet). Danach installiert der nächste Schritt, was fehlt."""
    python = str(venv_python(venv_dir))
    if not _works([python, "-c", "pass"]):
        print(f"Die virtuelle Umgebung {venv_dir} ist beschädigt (Python startet nicht); ich lege sie neu an.")
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    if not _works([python, "-m", "pip", "--version"]):
        print(f"In {venv_dir} fehlt pip (eine frühere Einrichtung wurde wohl abgebrochen); ich installiere es neu.")
        if not _works([python, "-m", "ensurepip", "--upgrade", "--default-pip"]):
            venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        (venv_dir / STAMP.name).unlink(missing_ok=True)  # danach alle Pakete prüfen


def ensure_environment(venv_dir=VENV, requirements=REQUIREMENTS, wheelhouse=WHEELHOUSE):
    """Legt die virtuelle Umgebung an und installiert die Anforderungen, wenn nötig (sonst nichts, also schnell).

    Liegt ein Ordner `wheelhouse/` mit Paketen da (`workshop.py wheelhouse`), installiert pip nur von dort,
    ohne jede Netzverbindung.
    """
    create_venv(venv_dir)
    stamp = venv_dir / STAMP.name
    wanted = _requirements_hash(*dict.fromkeys([REQUIREMENTS, requirements]))
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    log = venv_dir / "installation.log"  # pips Hunderte Zeilen landen hier, nicht im Terminal
    size = ", etwa 2,3 GB" if requirements == REQUIREMENTS else ""
    print(
        f"Installiere die Pakete aus {requirements.name} (beim ersten Mal einige Minuten{size}; Protokoll: {log}) …",
        flush=True,
    )
    pip = [str(venv_python(venv_dir)), "-m", "pip", "install", "--disable-pip-version-check"]
    if wheelhouse.is_dir() and any(wheelhouse.glob("*.whl")):
        print(f"Offline-Installation aus {wheelhouse} (ohne Internet)")
        pip += ["--no-index", "--find-links", str(wheelhouse)]
    with open(log, "w", encoding="utf-8") as output:
        result = subprocess.run(pip + ["-r", str(requirements)], stdout=output, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        sys.exit(
            "\n".join(["Die letzten Zeilen von pip:", *tail, ""])
            + f"Die Installation ist fehlgeschlagen (ganzes Protokoll: {log}). Prüfe die Internetverbindung "
            "oder lege einen Wheelhouse-Ordner `wheelhouse/` an, und starte den Befehl erneut: Er macht dort "
            "weiter, wo er stehen blieb."
        )
    print("Pakete installiert.")
    stamp.write_text(wanted)


# JupyterLab fragt beim ersten Öffnen, ob es Neuigkeiten aus dem Netz holen darf; im Workshop lenkt das nur ab.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def quiet_jupyterlab(venv_dir=VENV):
    """Schaltet Neuigkeiten und Update-Prüfung von JupyterLab ab (overrides.json der .venv; andere Einträge bleiben)."""
    path = venv_dir / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        settings = {}
    for plugin, values in LAB_OVERRIDES.items():
        settings.setdefault(plugin, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def run_in_venv(args, venv_dir=VENV):
    """Startet Python aus der .venv und wartet, bis es endet; gibt den Rückgabecode.

    Strg+C erreicht im Terminal auch den Kindprozess (Jupyter, pytest, ein Training): Der entscheidet selbst, wie er
    endet (Jupyter fährt Kernel sauber herunter, ein Training schreibt seinen Checkpoint). Hier wird nur weiter
    gewartet; subprocess.run hätte das Kind nach 0,25 s hart beendet.
    """
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    process = subprocess.Popen([str(venv_python(venv_dir)), *args], cwd=ROOT, env=env)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def replace_marked(text, begin, end, block, where="README.md"):
    """`text` mit `block` zwischen den Markierungen `begin` und `end` (erzeugte Tabellen und Listen)."""
    if begin not in text or end not in text:
        raise SystemExit(f"{where} braucht die Markierungen {begin} … {end}.")
    head, rest = text.split(begin, 1)
    return f"{head}{begin}\n{block}\n{end}{rest.split(end, 1)[1]}"


def kernel_encryption(python):
    """Jupyter-Option für verschlüsselte Kernel-Verbindungen (CurveZMQ), wenn `python`s pyzmq sie kann. Ohne sie
    schreibt jeder Kernelstart ins Terminal „Kernel is running over TCP without encryption … eavesdropping“."""
    probe = subprocess.run([str(python), "-c", "import sys, zmq; sys.exit(not zmq.has('curve'))"], capture_output=True)
    return ["--KernelManager.transport_encryption=auto"] if probe.returncode == 0 else []


def jupyter_args(folder, notebook7=False, root=ROOT):
    """Die Argumente für `python -m …`, die Jupyter im Workshop-Ordner starten und auf `folder` landen lassen.

    JupyterLab übernimmt nur seine eigene Startseite (`LabApp.default_url`), nicht `ServerApp.default_url`; Notebook 7
    ebenso (`JupyterNotebookApp.default_url`). Beide Oberflächen laufen im selben Server: In JupyterLab führt
    `/tree/<ordner>` zu Notebook 7, in Notebook 7 `/lab/tree/<ordner>` zu JupyterLab.
    """
    if notebook7:
        app, landing = ["notebook", f"--JupyterNotebookApp.default_url=/tree/{folder}"], f"/tree/{folder}"
    else:
        app, landing = ["lab", f"--LabApp.default_url=/lab/tree/{folder}"], f"/lab/tree/{folder}"
    return ["-m", "jupyter", app[0], f"--ServerApp.root_dir={root}", app[1]], landing


# --------------------------------------------------------------------------------------
# Die Bibliothek aus den Lektionen (wie d2l mit `#@save`): Jede Zelle, deren erste Zeile `# @save` lautet, landet
# in einem Modul; `# @save Ringbuffer` im Hilfs-Notebook Ringbuffer.ipynb. Die Module führen keine Lektion aus.
# --------------------------------------------------------------------------------------
SAVE_MARK = "# @save"
LIBRARY_BEGIN = "# >>> erzeugt von `python3 workshop.py library` aus den `# @save`-Zellen; hier nichts ändern"
LIBRARY_END = "# <<< Ende des erzeugten Teils"
# Ziel -> Lektionen, deren `# @save`-Zellen (mit dem Modulnamen nach `# @save`, leer: ohne) es bekommt
LIBRARY = {
    "dqn.py": (
        "",
        [
            "00_Einfuehrung_Jupyter_Python_NumPy",
            "03_DQN_CartPole",
            "04_Target_Netzwerk_Acrobot",
            "05_Replay_DoubleDQN_LunarLander",
        ],
    ),
    "atari.py": ("", ["06_Breakout_aus_Pixeln"]),
    "Ringbuffer.ipynb": ("Ringbuffer", ["05_Replay_DoubleDQN_LunarLander"]),
}


def saved_cells(lesson, module=""):
    """[(Zellindex, Quelltext ohne die `# @save`-Zeile und ohne Lösungsmarker)] der `# @save <module>`-Zellen."""
    notebook = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        lines = _cell_source(cell).split("\n")
        if cell["cell_type"] != "code" or lines[0].strip() != f"{SAVE_MARK} {module}".strip():
            continue
        body = [line for line in lines[1:] if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END)]
        found.append((index, "\n".join(body).strip("\n")))
    return found


def defined_names(source, functions_only=False):
    """Die Namen, die eine Zelle auf oberster Ebene anlegt (def, class, Zuweisung, import, for, with); mit
    `functions_only` nur Funktionen und Klassen. Eine Zelle, die (noch) kein Python ist, legt nichts an."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # gerade in Arbeit, oder mit %-Befehlen
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif functions_only:
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            targets += [item.optional_vars for item in getattr(node, "items", [])]
            for target in filter(None, targets):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


LESSON_NAMES = ROOT / "lesson_names.json"


def lesson_names_index():
    """{Name: [[Lektionsdatei, erste Zeile der Zelle], …]} aller Namen, die eine Code-Zelle einer Lektion anlegt.
    Daraus sagt ein NameError im Notebook, welche Zelle fehlt (feedback.where_defined), ohne die Lektionen zu lesen."""
    index = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = _cell_source(cell)
            if cell["cell_type"] != "code":
                continue
            lines = [line.strip() for line in source.splitlines() if line.strip()]
            first = next((line for line in lines if not line.startswith(SAVE_MARK)), "")[:80]
            for name in sorted(defined_names(source)):
                index.setdefault(name, []).append([path.name, first])
    return dict(sorted(index.items()))


LESSON_EXERCISES = ROOT / "lesson_exercises.json"
EXERCISE_HEADING = re.compile(r"^###\s*(Übung\b.*?)\s*$", re.MULTILINE)


def lesson_exercises_index():
    """{Lektionsdatei: [[Prüfung, Überschrift der Übung], …]} in der Reihenfolge der Lektion: jede Prüfzelle mit der
    letzten Überschrift »### Übung N: …« davor. Daraus zeigt `course.progress()` den Stand, ohne Lektionen zu lesen."""
    index = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        heading, found = "", []
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = _cell_source(cell)
            if cell["cell_type"] == "markdown":
                match = EXERCISE_HEADING.search(source)
                heading = match.group(1) if match else heading
            elif check_name(source):
                found.append([check_name(source), heading or check_name(source)])
        if found:
            index[path.name] = found
    return index


def _generated_index(path):
    """Ein erzeugtes Verzeichnis (`lesson_names.json`, `lesson_exercises.json`); leer, wenn es fehlt."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def lesson_names():
    """Das erzeugte Verzeichnis `lesson_names.json` (leer, wenn es fehlt)."""
    return _generated_index(LESSON_NAMES)


def lesson_exercises():
    """{Lektionsdatei: [[Prüfung, Überschrift der Übung], …]} aus `lesson_exercises.json` (leer, wenn es fehlt)."""
    return _generated_index(LESSON_EXERCISES)


def library_block(module, lessons):
    """Der erzeugte Quelltext: die `# @save`-Zellen der Lektionen in ihrer Reihenfolge, jede mit ihrer Herkunft.

    Legt eine spätere Zelle dieselben Namen an (der Lernschritt mit Double DQN aus Lektion 5 ersetzt den aus
    Lektion 3), steht nur die spätere da; ihre Herkunftszeile nennt die ersetzte.
    """
    cells = [(lesson, index, source) for lesson in lessons for index, source in saved_cells(lesson, module)]
    blocks = []
    for position, (lesson, index, source) in enumerate(cells):
        names = defined_names(source, functions_only=True)
        later = set().union(*(defined_names(s, functions_only=True) for _, _, s in cells[position + 1 :]))
        if names and names <= later:
            continue
        replaced = [
            f"{name}.ipynb, Zelle {i}"
            for name, i, s in cells[:position]
            if defined_names(s, functions_only=True) & names
        ]
        header = f"# --- notebooks/{lesson}.ipynb, Zelle {index}"
        header += f" (ersetzt {', '.join(replaced)})" if replaced else ""
        blocks.append(f"{header} ---\n{source}")
    return "\n\n\n".join(blocks) + "\n\n"  # zwei Leerzeilen vor der Endmarke, wie ruff format es will


def write_library(write=True):
    """Schreibt die `# @save`-Zellen in dqn.py, atari.py und Ringbuffer.ipynb (zwischen die Markierungen).

    Gibt die Dateien zurück, die sich änderten (mit write=False: die sich ändern würden; so prüft ein Test den
    Abgleich).
    """
    changed = []
    for name, (module, lessons) in LIBRARY.items():
        path = ROOT / name
        block = library_block(module, lessons)
        if path.suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            cell = next(c for c in notebook["cells"] if _cell_source(c).startswith(LIBRARY_BEGIN))
            new_source = f"{LIBRARY_BEGIN}\n{block}\n{LIBRARY_END}"
            if _cell_source(cell) == new_source:
                continue
            cell["source"] = new_source.splitlines(keepends=True)
            if write:
                write_notebook(path, notebook)
        else:
            text = path.read_text(encoding="utf-8")
            new_text = replace_marked(text, LIBRARY_BEGIN, LIBRARY_END, block, name)
            if new_text == text:
                continue
            if write:
                path.write_text(new_text, encoding="utf-8")
        changed.append(path)
    for path, index in ((LESSON_NAMES, lesson_names_index()), (LESSON_EXERCISES, lesson_exercises_index())):
        if _generated_index(path) != index:
            if write:
                path.write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def cmd_library(options):
    changed = write_library()
    for path in changed:
        print(f"neu geschrieben: {_shown(path)}")
    if not changed:
        print(
            "dqn.py, atari.py, Ringbuffer.ipynb, lesson_names.json und lesson_exercises.json stimmen schon mit den "
            "Lektionen überein."
        )
    return 0


def trust_notebooks(folder, python=None):
    """Signiert die Notebooks in `folder` (`jupyter trust`): Sonst schreibt der Server beim Öffnen jedes frisch
    erzeugten Notebooks »Notebook … is not trusted« ins Terminal, zwischen die Adresse mit Token."""
    paths = sorted(str(path) for path in Path(folder).glob("*.ipynb"))
    if paths:
        subprocess.run([str(python or venv_python()), "-m", "jupyter", "trust", *paths], capture_output=True)


def cmd_start(options):
    ensure_environment()
    quiet_jupyterlab()
    folder = "notebooks"
    if not options.solutions:  # Teilnehmende bekommen die Übungsversionen; fehlende werden erzeugt, keine überschrieben
        generate_exercises(only_missing=True)
        folder = EXERCISE_DIR.name
    trust_notebooks(ROOT / folder)
    args, _ = jupyter_args(folder, notebook7=options.notebook)
    # nur Warnungen und Fehler: Die Adresse mit Token (die Jupyter immer zeigt) ist dann das Letzte im Terminal
    args += ["--ServerApp.log_level=WARN", *kernel_encryption(venv_python())]
    args += ["--JupyterNotebookApp.log_level=WARN"] if options.notebook else ["--LabApp.log_level=WARN"]
    if options.server:
        args += ["--no-browser", "--ip=0.0.0.0", f"--port={options.port}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # z. B. in Containern; Jupyter verweigert sonst den Start
    name = "Notebook 7" if options.notebook else "JupyterLab"
    print(
        f"Starte {name} im Ordner {folder}/ (Adresse mit Token folgt). "
        "Beenden: Strg+C im Terminal, dann »y«, oder zweimal Strg+C."
    )
    return run_in_venv(args)


def cmd_test(options):
    ensure_environment()
    try:  # nbgrader prüft die Übungsmetadaten; ohne Netz (nur mit wheelhouse/) fehlt es, dann überspringt pytest
        ensure_environment(NBGRADER_VENV, NBGRADER_REQUIREMENTS)
    except SystemExit as problem:
        if os.environ.get("CI"):
            raise
        print(f"{problem}\nDer nbgrader-Test (tests/test_nbgrader.py) wird übersprungen.")
    return run_in_venv(["-m", "pytest", *options.pytest_args])


def build_wheelhouse(target=WHEELHOUSE, requirements=REQUIREMENTS, pip_args=()):
    """Lädt jedes Paket aus `requirements` samt Abhängigkeiten als Datei nach `target` (braucht Internet)."""
    create_venv()
    target.mkdir(parents=True, exist_ok=True)
    command = [
        str(venv_python()),
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "-d",
        str(target),
        "-r",
        str(requirements),
        *pip_args,
    ]
    if subprocess.run(command).returncode != 0:
        sys.exit(
            "Das Herunterladen ist fehlgeschlagen (siehe Meldungen oben). Prüfe die Internetverbindung; "
            "für ein anderes Betriebssystem gib z. B. `-- --platform win_amd64 --python-version 3.12 "
            "--only-binary=:all:` an."
        )
    files = sorted(target.iterdir())
    size = sum(f.stat().st_size for f in files) / 2**20
    print(
        f"{len(files)} Pakete in {target} ({size:.0f} MiB). Ordner auf den USB-Stick kopieren und neben "
        "workshop.py legen: `python3 workshop.py start` installiert dann ohne Internet."
    )
    return files


def cmd_wheelhouse(options):
    build_wheelhouse(Path(options.target).resolve(), pip_args=options.pip_args)
    return 0


def _cell_source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def write_notebook(path, notebook):
    """Schreibt Notebook-JSON so, wie Jupyter es schreibt (Einrückung 1, Umlaute lesbar), atomar: erst in eine
    temporäre Datei daneben, dann umbenennen. Bricht das Schreiben ab (volle Platte), bleibt die alte Datei ganz
    und keine halbe Lektion liegt herum, die spätere Läufe für fertig halten."""
    path = Path(path)
    text = json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise OSError(
            error.errno,
            f"{path} ließ sich nicht schreiben ({error.strerror or error}); die alte Fassung ist unverändert. "
            "Ist die Festplatte voll? Mach Platz und starte den Befehl noch einmal",
        ) from None


# --------------------------------------------------------------------------------------
# Google Colab: Knopf in README und Lektion, erste Zelle holt dort Workshop und Pakete
# --------------------------------------------------------------------------------------
FIRST_CELL = f"""# Workshop-Helfer laden und Umgebung prüfen – diese Zelle immer zuerst ausführen.
import pathlib
import sys

if "google.colab" in sys.modules:  # nur in Google Colab: den Workshop holen (sonst passiert hier nichts)
    import os
    import subprocess

    if not pathlib.Path("{COLAB_DIR}").is_dir():
        url = "https://github.com/{GITHUB_REPO}.git"
        subprocess.run(["git", "clone", "-q", "--depth=1", url, "{COLAB_DIR}"], check=True)
    os.chdir("{COLAB_DIR}/notebooks")
sys.path.insert(0, str(next(p for p in pathlib.Path("course.py").resolve().parents if (p / "course.py").is_file())))
import checks  # die Prüfungen der Übungen: eine Zeile je Übung
import course

course.check_environment()  # richtet das Notebook ein; in Google Colab installiert sie zuerst die fehlenden Pakete"""


def colab_badge(path):
    """Der „In Colab öffnen“-Knopf einer Lektion: er öffnet ihre Übungsversion in colab/, nicht die Lösungen."""
    exercise = (COLAB_EXERCISES / path.name).relative_to(ROOT).as_posix()
    url = f"https://colab.research.google.com/github/{GITHUB_REPO}/blob/main/{exercise}"
    return f"[![In Colab öffnen]({COLAB_BADGE_IMAGE})]({url})"


def sync_colab(write=True):
    """Setzt den Colab-Knopf unter die Überschrift jeder Lektion, ihre erste Code-Zelle auf FIRST_CELL, die
    Übungsversionen in colab/ und die Knopfliste im README. Gibt die Dateien zurück, die sich ändern (mit
    write=False: ändern würden)."""
    changed = []
    lessons = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in lessons:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        title = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
        lines = _cell_source(title).split("\n")
        lines = [lines[0], colab_badge(path)] + [
            line for line in lines[1:] if not line.startswith("[![In Colab öffnen]")
        ]
        first_code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        new_title, old = "\n".join(lines), (_cell_source(title), _cell_source(first_code))
        if old != (new_title, FIRST_CELL):
            title["source"], first_code["source"] = new_title.splitlines(True), FIRST_CELL.splitlines(True)
            changed.append(path)
            if write:
                write_notebook(path, notebook)
        exercise_path = COLAB_EXERCISES / path.name
        exercise = exercise_notebook(notebook)
        current = json.loads(exercise_path.read_text(encoding="utf-8")) if exercise_path.exists() else None
        if current != json.loads(json.dumps(exercise)):
            changed.append(exercise_path)
            if write:
                COLAB_EXERCISES.mkdir(exist_ok=True)
                write_notebook(exercise_path, exercise)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    begin, end = "<!-- colab: erzeugt von `python3 workshop.py colab` -->", "<!-- colab: Ende -->"
    badges = "\n".join(f"- {colab_badge(p)} {p.stem}" for p in lessons)
    new_text = replace_marked(text, begin, end, badges)
    if new_text != text:
        changed.append(readme)
        if write:
            readme.write_text(new_text, encoding="utf-8")
    return changed


def cmd_colab(options):
    for path in sync_colab():
        print(f"abgeglichen: {path.relative_to(ROOT)}")
    return 0


def cmd_bench(options):
    script = ROOT / "bench" / f"{options.script.removesuffix('.py')}.py"
    if not script.is_file():
        known = ", ".join(p.stem for p in sorted((ROOT / "bench").glob("*.py")))
        sys.exit(f"Den Benchmark »{options.script}« gibt es nicht; vorhanden: {known}.")
    ensure_environment(BENCH_VENV, BENCH_REQUIREMENTS)
    return run_in_venv([str(script), *options.bench_args], venv_dir=BENCH_VENV)


# --------------------------------------------------------------------------------------
# Übungsversionen: Lösungen zwischen den nbgrader-Markern werden durch einen Platzhalter ersetzt
# --------------------------------------------------------------------------------------
def clear_solutions(source):
    """Ersetzt jeden Block `### BEGIN SOLUTION` … `### END SOLUTION` durch eine Zeile, die abbricht.

    Die Einrückung der BEGIN-Zeile bleibt erhalten, damit der Platzhalter im Funktionsrumpf steht.
    """
    lines, output, inside = source.split("\n"), [], False
    for line in lines:
        stripped = line.strip()
        if stripped == SOLUTION_BEGIN:
            if inside:
                raise ValueError("Zwei BEGIN SOLUTION ohne END SOLUTION dazwischen.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            output.append(f"{indent}# DEIN CODE HIER")
            output.append(f"{indent}{STUB_LINE}")
        elif stripped == SOLUTION_END:
            if not inside:
                raise ValueError("END SOLUTION ohne vorheriges BEGIN SOLUTION.")
            inside = False
        elif not inside:
            output.append(line)
    if inside:
        raise ValueError("BEGIN SOLUTION ohne END SOLUTION.")
    return "\n".join(output)


def exercise_notebook(notebook):
    """Gibt eine Kopie des Notebook-JSON ohne Lösungen und ohne Ausgaben zurück."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        source = _cell_source(cell)
        if cell["cell_type"] == "code":
            cell["source"] = clear_solutions(source)
            cell["outputs"], cell["execution_count"] = [], None
        else:
            cell["source"] = source
    return notebook


def _sources_hash(notebook):
    """Fingerabdruck der Zellinhalte (ohne Ausgaben): Hat jemand seit dem Erzeugen etwas geändert?"""
    text = json.dumps([_cell_source(cell) for cell in notebook["cells"]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


GENERATED_KEY = "generated_sources_sha256"  # Metadaten einer Übungsdatei: Fingerabdruck beim Erzeugen


def generate_exercises(target=EXERCISE_DIR, only_missing=False):
    """Schreibt die Übungsversionen nach `target`. Gibt (geschrieben, gesichert) zurück.

    Nichts geht verloren: Eine vorhandene Datei, in der du seit dem Erzeugen etwas geändert hast, wird
    vorher nach `target/sicherung/` kopiert. `only_missing`: nur fehlende Dateien schreiben (für `start`).
    """
    import shutil
    import time

    target.mkdir(parents=True, exist_ok=True)
    written, backed_up = [], []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        out = target / path.name
        if out.exists() and only_missing:
            continue
        notebook = exercise_notebook(json.loads(path.read_text(encoding="utf-8")))
        notebook.setdefault("metadata", {})["workshop"] = {GENERATED_KEY: _sources_hash(notebook)}
        if out.exists():
            try:
                existing = json.loads(out.read_text(encoding="utf-8"))
                stamp = existing.get("metadata", {}).get("workshop", {})
                # ältere Übungsdateien tragen den Fingerabdruck unter "erzeugt"
                untouched = stamp.get(GENERATED_KEY, stamp.get("erzeugt")) == _sources_hash(existing)
            except (ValueError, KeyError, TypeError):
                untouched = False
            if not untouched:
                backup = target / "sicherung" / f"{out.stem}-{time.strftime('%Y%m%d-%H%M%S')}{out.suffix}"
                backup.parent.mkdir(exist_ok=True)
                shutil.copy2(out, backup)
                backed_up.append(backup)
        write_notebook(out, notebook)
        written.append(out)
    return written, backed_up


def cmd_exercises(options):
    written, backed_up = generate_exercises(Path(options.target).resolve())
    for out in written:
        print(f"geschrieben: {_shown(out)}")
    for backup in backed_up:
        print(f"Deine Änderungen sind gesichert: {_shown(backup)}")
    return 0


def _shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


CHECK_CELL = re.compile(r"checks\.(\w+)\(")  # eine Prüfzelle: checks.bellman_target(bellman_target)


def check_name(source):
    """Der Name der Prüfung, wenn die Zelle eine Prüfzelle ist (`checks.bellman_target(...)`), sonst None."""
    match = CHECK_CELL.match(source.strip())
    return match.group(1) if match else None


def nbgrader_metadata(notebook):
    """Setzt nbgraders Zell-Metadaten aus dem Inhalt: Lösungszellen (mit den Markern), bewertete Prüfzellen
    (1 Punkt, schreibgeschützt) und die schreibgeschützte erste Zelle; alle anderen Zellen ohne. Gibt True zurück,
    wenn sich etwas geändert hat. So akzeptiert `nbgrader generate_assignment` die Lektionen (tests/test_nbgrader.py).
    """
    import ast

    changed, first_code = False, True
    for index, cell in enumerate(notebook["cells"]):
        source = _cell_source(cell)
        meta = None
        if cell["cell_type"] == "code" and SOLUTION_BEGIN in source:
            names = [n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            meta = dict(grade=False, solution=True, locked=False, grade_id=f"solution-{'-'.join(names) or index}")
        elif cell["cell_type"] == "code" and check_name(source):
            meta = dict(grade=True, solution=False, locked=True, points=1, grade_id=f"check-{check_name(source)}")
        elif cell["cell_type"] == "code" and first_code and "course.check_environment()" in source:
            meta = dict(grade=False, solution=False, locked=True, grade_id="first-cell")
        if cell["cell_type"] == "code":
            first_code = False
        if meta is not None:
            meta = dict(meta, schema_version=3, task=False)
        metadata = cell.setdefault("metadata", {})
        if metadata.get("nbgrader") != meta:
            changed = True
            if meta is None:
                metadata.pop("nbgrader")
            else:
                metadata["nbgrader"] = meta
    return changed


class BrokenNotebook(ValueError):
    """Eine .ipynb-Datei, die kein JSON ist (z. B. halb gespeichert oder mit Konfliktmarkern von git)."""


def strip_outputs(path):
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BrokenNotebook(
            f"{_shown(path)} ist kein gültiges Notebook-JSON ({error}); nichts wurde geändert. "
            "Öffne die Datei in JupyterLab (oder stelle sie mit `git checkout -- DATEI` wieder her) und "
            "starte `python3 workshop.py strip` dann noch einmal."
        ) from None
    changed = path.parent.name == "notebooks" and nbgrader_metadata(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
            cell["outputs"], cell["execution_count"] = [], None
            changed = True
        if cell.get("metadata", {}).pop("execution", None) is not None:
            changed = True
    if changed:
        write_notebook(path, notebook)
    return changed


def cmd_strip(options):
    """Ausgaben entfernen und in den Lektionen nbgraders Zell-Metadaten setzen (vor jedem Einchecken)."""
    for path in sorted(ROOT.glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb")):
        try:
            changed = strip_outputs(path)
        except BrokenNotebook as error:
            print(f"Fehler: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        if changed:
            print(f"bereinigt: {path.relative_to(ROOT)}")
    return 0


def main(argv=None):
    sys.path.insert(0, str(ROOT))
    import cli  # nur Standardbibliothek

    parser = cli.argument_parser(__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="einrichten und JupyterLab öffnen")
    start.add_argument("--server", action="store_true", help="ohne Browser, auf allen Netzwerkadressen")
    start.add_argument("--port", type=int, default=8888, help="Port des Jupyter-Servers (Standard 8888)")
    start.add_argument(
        "--solutions",
        action="store_true",
        help="die Lektionen mit Lösungen öffnen (notebooks/, für die Kursleitung) statt der Übungsversionen",
    )
    start.add_argument(
        "--notebook", action="store_true", help="Notebook 7 statt JupyterLab (derselbe Ordner, dieselben Dateien)"
    )
    start.set_defaults(func=cmd_start)
    test = sub.add_parser("test", help="einrichten und alle Tests ausführen")
    test.add_argument(
        "pytest_args", nargs="*", help="weitere Argumente gehen unverändert an pytest (z. B. -k ringbuffer)"
    )
    test.set_defaults(func=cmd_test)
    exercises = sub.add_parser("exercises", help="Übungsversionen ohne Lösungen erzeugen")
    exercises.add_argument("--target", default=str(EXERCISE_DIR))
    exercises.set_defaults(func=cmd_exercises)
    bench = sub.add_parser("bench", help="einen Benchmark aus bench/ in .venv-bench ausführen (mit SB3, JAX)")
    bench.add_argument("script", help="z. B. dqn_bench oder ringbuffer_bench")
    bench.add_argument("bench_args", nargs="*", help="weitere Argumente gehen an das Skript")
    bench.set_defaults(func=cmd_bench)
    wheels = sub.add_parser(
        "wheelhouse",
        help="alle Pakete für eine Installation ohne Internet herunterladen",
        description="Lädt alle gepinnten Pakete nach wheelhouse/. Für Laptops mit anderem "
        "Betriebssystem pip-Optionen nach `--` anhängen, z. B.: python3 workshop.py "
        "wheelhouse -- --platform win_amd64 --python-version 3.12 --only-binary=:all:",
    )
    wheels.add_argument("--target", default=str(WHEELHOUSE))
    wheels.add_argument("pip_args", nargs="*", help="weitere Optionen für `pip download` (nach --)")
    wheels.set_defaults(func=cmd_wheelhouse)
    colab = sub.add_parser("colab", help="Colab-Knöpfe und erste Zellen der Lektionen auf GITHUB_REPO abgleichen")
    colab.set_defaults(func=cmd_colab)
    library = sub.add_parser("library", help="die `# @save`-Zellen der Lektionen nach dqn.py, atari.py, Ringbuffer")
    library.set_defaults(func=cmd_library)
    strip = sub.add_parser("strip", help="Ausgaben aus allen Notebooks entfernen")
    strip.set_defaults(func=cmd_strip)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["test"] and not {"-h", "--help"} & set(argv[1:2]):
        # alles nach `test` geht unverändert an pytest, auch Optionen wie -k oder -q
        return cmd_test(argparse.Namespace(pytest_args=argv[1:]))
    if argv[:1] == ["bench"] and len(argv) > 1 and not {"-h", "--help"} & set(argv[1:2]):
        return cmd_bench(argparse.Namespace(script=argv[1], bench_args=argv[2:]))
    options = parser.parse_args(argv)
    return options.func(options)


if __name__ == "__main__":
    sys.exit(main())
