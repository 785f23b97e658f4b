"""Der Start jeder Lektion: Pfade, Schnellmodus, Umgebung prüfen, die Hilfs-Notebooks laden, deutsche Meldungen.

Jede Lektion ruft in ihrer ersten Zelle `course.check_environment()`; das richtet mit `setup()` ausdrücklich ein,
was ein Notebook des Workshops braucht. Der Import allein ändert nichts am Prozess (keine Umgebungsvariable, kein
Import-Finder, kein Fehler-Handler). Es braucht nur die Standardbibliothek, damit es auch dann eine verständliche
Meldung geben kann, wenn die Pakete des Workshops fehlen.

Die Rückmeldungen der Übungen stehen in feedback.py, die Herkunftsangaben in provenance.py, die Kommandozeile in
cli.py.
"""

import importlib.abc
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NOTEBOOK_DIR = ROOT / "notebooks"
MODEL_DIR = ROOT / "models"
LOG_DIR = ROOT / "logs"  # TensorBoard-Logs aller Lektionen; im Notebook: %tensorboard --logdir {course.LOG_DIR}

# Schnellmodus: die Tests setzen WORKSHOP_QUICK=1, dann schrumpft jede Lektion ihre Budgets.
QUICK = os.environ.get("WORKSHOP_QUICK", "").strip().lower() in ("1", "true", "ja", "yes")

SETUP_COMMAND = "python3 workshop.py start" if os.name != "nt" else "py workshop.py start"

# Importname -> Paketname in requirements.txt
REQUIRED_MODULES = {
    "numpy": "numpy",
    "gymnasium": "gymnasium",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "tqdm": "tqdm",
    "imageio": "imageio",
    "keras": "keras",
    "tensorflow": "tensorflow" if sys.platform == "darwin" else "tensorflow-cpu",
    "ale_py": "ale-py",
    "cv2": "opencv-python-headless",
    "Box2D": "gymnasium[box2d]",
    "pygame": "gymnasium[classic-control]",
}


def german_number(value, digits=0):
    """Zahl auf Deutsch: german_number(1686180) -> "1.686.180", german_number(7.06, 1) -> "7,1"."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def write_json_atomic(path, data, indent=1):
    """Schreibt JSON atomar: erst in eine temporäre Datei daneben, dann umbenennen (nie eine halbe Datei)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class InputError(ValueError, TypeError):
    """Eine falsche Eingabe (Hyperparameter, Umgebung, Datei): die Meldung sagt auf Deutsch, was zu tun ist.

    Sie ist ValueError und TypeError zugleich, damit `except ValueError` wie `except TypeError` sie fängt.
    Im Notebook zeigt Jupyter nur diese Meldung, keinen Traceback aus dem Workshop-Code; die Skripte geben sie als
    eine Zeile »Fehler: …« aus und enden mit Code 2.
    """

    def _render_traceback_(self):  # IPython ruft das statt des Tracebacks auf
        return ["⚠️ " + line if i == 0 else line for i, line in enumerate(str(self).splitlines())]


# --------------------------------------------------------------------------------------
# Umgebung prüfen
# --------------------------------------------------------------------------------------
def missing_modules(modules=None):
    """Liste der Pakete (Name aus requirements.txt), die sich nicht importieren lassen."""
    modules = REQUIRED_MODULES if modules is None else modules
    return [package for name, package in modules.items() if importlib.util.find_spec(name) is None]


def setup_colab():
    """Nur in Google Colab: die Pakete aus requirements-colab.txt installieren, die Colab nicht mitbringt."""
    if "google.colab" not in sys.modules:
        return
    import subprocess

    if missing_modules():
        print("Installiere die Pakete des Workshops für Colab (einmal, etwa eine Minute) …", flush=True)
        requirements = ROOT / "requirements-colab.txt"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
        importlib.invalidate_caches()


def check_environment(modules=None, verbose=True):
    """Prüft Python-Version und Pakete; sagt auf Deutsch, was fehlt und welcher Befehl hilft. Im Notebook merkt sich
    der Kernel ab hier, wann welche Zelle lief (für die Prüfzellen der Übungen)."""
    setup()
    setup_colab()
    problems = []
    from workshop import unsupported_python_message

    problem = unsupported_python_message()
    if problem:
        problems.append(problem)
    missing = missing_modules(modules)
    if missing:
        problems.append(
            "Diese Pakete fehlen in deinem Kernel: " + ", ".join(missing) + ".\n"
            f"So behebst du das: Schließe Jupyter, führe im Workshop-Ordner `{SETUP_COMMAND}` aus "
            "und öffne das Notebook in dem Jupyter, das dieser Befehl startet.\n"
            f"(Aktueller Python-Interpreter: {sys.executable})"
        )
    if problems:
        raise EnvironmentError("Die Umgebung ist noch nicht bereit.\n\n" + "\n\n".join(problems))
    if verbose:
        mode = "Schnellmodus (WORKSHOP_QUICK=1): alle Budgets sind verkleinert" if QUICK else "voller Modus"
        print(f"✅ Umgebung bereit: Python {sys.version.split()[0]}, {mode}.")


# --------------------------------------------------------------------------------------
# Hilfs-Notebooks importieren: `import Ringbuffer, utils` aus jedem Ordner des Workshops
# --------------------------------------------------------------------------------------
class NotebookLoader(importlib.abc.Loader):
    """Lädt ein .ipynb als Modul: führt nur die Code-Zellen aus, mit __name__ = Modulname.

    Demos in Hilfs-Notebooks stehen hinter `if __name__ == "__main__":` und laufen daher
    nur, wenn man das Hilfs-Notebook selbst ausführt, nie beim Import.
    """

    def __init__(self, path):
        self.path = str(path)

    def create_module(self, spec):
        return None  # Standard-Modulobjekt

    def exec_module(self, module):
        module.__file__ = self.path
        for filename, source in code_cells(self.path):
            exec(compile(source, filename, "exec"), module.__dict__)


SAVE_MARK = "# @save"


def code_cells(path, only_saved=False, module=None):
    """(Dateiname für Tracebacks, Quelltext) jeder Code-Zelle eines Notebooks; mit only_saved nur die `# @save`-Zellen.

    `module`: nur die Zellen, deren erste Zeile `# @save <module>` lautet (z. B. `# @save Ringbuffer`); ohne
    `module` nur die mit genau `# @save`, mit `module="*"` alle gespeicherten Zellen.
    Der Quelltext landet im linecache: Tracebacks und `inspect.getsource` zeigen dann die Zeilen der Zelle.
    """
    import linecache

    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if only_saved and not _saved_for(source, module):
            continue
        filename = f"{path}#Zelle{index}"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        yield filename, source


def _saved_for(source, module):
    first = source.lstrip().split("\n", 1)[0].strip()
    if not first.startswith(SAVE_MARK):
        return False
    target = first[len(SAVE_MARK) :].strip()
    return module == "*" or target == (module or "")


HELPER_NOTEBOOKS = ("Ringbuffer", "utils")  # die einzigen Notebooks, die sich importieren lassen


class NotebookFinder(importlib.abc.MetaPathFinder):
    """Findet die Hilfs-Notebooks des Workshops (`import Ringbuffer, utils`) in seinem Hauptordner, sonst nichts.

    Nur genau diese Namen und nur aus ROOT: Ein `pandas.ipynb` im Übungsordner wird nie ausgeführt, wenn irgendwer
    `import pandas` schreibt (ein Import darf kein Notebook der Lernenden ausführen).
    """

    def find_spec(self, fullname, path=None, target=None):
        if path is not None or fullname not in HELPER_NOTEBOOKS:
            return None
        candidate = ROOT / f"{fullname}.ipynb"
        if not candidate.is_file():
            return None
        return importlib.util.spec_from_loader(fullname, NotebookLoader(candidate), origin=str(candidate))


def install_notebook_finder():
    if not any(isinstance(finder, NotebookFinder) for finder in sys.meta_path):
        sys.meta_path.append(NotebookFinder())
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def load_helper(name):
    """Das Hilfs-Notebook `name` (Ringbuffer oder utils) als Modul, wie `import name` es im Notebook lädt, aber ohne
    einen Import-Finder einzurichten: für Module (dqn.py, atari.py), die ein Hilfs-Notebook brauchen."""
    if name in sys.modules:
        return sys.modules[name]
    spec = NotebookFinder().find_spec(name)
    if spec is None:
        raise ImportError(f"Das Hilfs-Notebook {name}.ipynb fehlt in {ROOT}; hole den Workshop neu (git pull).")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


# --------------------------------------------------------------------------------------
# TensorFlow ohne Log-Zeilen beim Import
# --------------------------------------------------------------------------------------
# TensorFlow schreibt beim Import Log-Zeilen direkt auf stderr (oneDNN, „rebuild TensorFlow …“, absl), an
# TF_CPP_MIN_LOG_LEVEL vorbei; im Notebook erscheinen sie rot unter der Import-Zelle. Deshalb läuft der erste
# Import von tensorflow (auch indirekt über keras) mit stumm geschaltetem stderr: in Modulen mit
# `with course.quiet_tensorflow(): import keras`, im Notebook nach `setup()` für jeden Import.
class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Findet `tensorflow` wie sonst auch, führt sein `__init__` aber mit stderr (Datei-Deskriptor 2) auf /dev/null aus.

    Nur das Ausführen ist stumm: `importlib.util.find_spec("tensorflow")` (die Paketprüfung der ersten Zelle) importiert
    nichts, und ein Python-Fehler beim Import bleibt ein Fehler mit Meldung.
    """

    busy = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow" or self.busy:
            return None
        self.busy = True
        try:
            spec = importlib.util.find_spec(fullname)  # die übrigen Finder (wir selbst sind gerade „busy“)
        finally:
            self.busy = False
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):  # get_code, is_package … wie der eigentliche Loader
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            sys.stderr.flush()
            os.dup2(devnull, 2)
            self.loader.exec_module(module)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


class quiet_tensorflow:
    """`with course.quiet_tensorflow(): import keras`: lädt TensorFlow (falls es dabei geladen wird) ohne die Log-Zeilen
    auf stderr. Danach ist alles wie vorher, bis auf TF_CPP_MIN_LOG_LEVEL=2 (TensorFlows eigene Meldungen
    danach: nur Fehler)."""

    def __enter__(self):
        self.finder = None
        if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            self.finder = _QuietTensorFlowImport()
            sys.meta_path.insert(0, self.finder)
        return self

    def __exit__(self, *exc):
        if self.finder is not None:
            sys.meta_path.remove(self.finder)


# --------------------------------------------------------------------------------------
# Die ausdrückliche Einrichtung eines Notebooks (erste Zelle jeder Lektion, über check_environment)
# --------------------------------------------------------------------------------------
def in_notebook():
    """Läuft der Code in einem Jupyter-Kernel (dann HTML, Live-Grafik), nicht im Terminal oder in pytest?"""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def setup():
    """Richtet ein, was ein Notebook (oder die Tests) des Workshops braucht; mehrfach aufrufen schadet nicht.

    - `import Ringbuffer, utils` lädt die zwei Hilfs-Notebooks, nur diese, nur aus ROOT (`NotebookFinder`);
    - der bin-Ordner des Kernels kommt in den PATH: `%tensorboard` startet das Programm `tensorboard`, und ein Kernel
      aus der .venv hat ihn nicht immer dort (er wurde nicht aus einer aktivierten Umgebung gestartet);
    - unter Linux ohne Bildschirm braucht pygame (CartPole-Bilder) keinen Grafiktreiber (SDL „dummy“);
    - TensorFlow lädt ohne Log-Zeilen, auch wenn eine Zelle `import keras` selbst schreibt;
    - im Notebook: Hilfe bei NameError und Platzhaltern, und der Kernel merkt sich, wann welche Zelle lief (für die
      Prüfzellen, feedback.py).
    """
    install_notebook_finder()
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [bin_dir, os.environ.get("PATH")]))
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not any(isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())
    if "IPython" in sys.modules:
        install_name_error_help()
        track_cell_runs()


# --------------------------------------------------------------------------------------
# Im Notebook: Kästen statt Tracebacks, Hilfe bei Zellen in falscher Reihenfolge, Aufzeichnung der Zellläufe
# --------------------------------------------------------------------------------------
def where_defined(name, lesson=None):
    """[(Lektionsdatei, erste Zeile der Zelle)] der Lektionszellen, die `name` anlegen; `lesson`: nur diese Datei.

    Liest das Verzeichnis `lesson_names.json`, das `python3 workshop.py library` aus den Lektionen erzeugt (ein Test
    hält es im Abgleich), nie die Lektionen selbst.
    """
    from workshop import lesson_names

    places = lesson_names().get(name, [])
    return [(lesson_name, first) for lesson_name, first in places if not lesson or lesson_name == lesson]


def lesson_exercises():
    """{Lektionsdatei: [[Prüfung, Überschrift der Übung], …]} aus `lesson_exercises.json` (erzeugt von
    `python3 workshop.py library`; ein Test hält es im Abgleich)."""
    from workshop import lesson_exercises

    return lesson_exercises()


PROGRESS_FILE = "fortschritt.json"  # neben den Übungsversionen: wie jede Prüfung zuletzt ausging (feedback schreibt)
PROGRESS_MARK = "workshop_progress"  # nur eine Datei mit dieser Marke ist unsere; eine fremde bleibt unberührt
VERDICT_MARKS = {"gelöst": "✅", "falsch": "❌", "offen": "✋"}


def is_exercise_version(path):
    """Ist `path` eine Übungsversion (von `workshop.py exercises` erzeugt, mit ihrem Fingerabdruck in den Metadaten)?
    Die Lektionen mit Lösungen tragen ihn nicht."""
    from workshop import GENERATED_KEY

    try:
        metadata = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
        return GENERATED_KEY in metadata.get("workshop", {})
    except (OSError, ValueError, AttributeError):
        return False


def progress_table(folder=None):
    """(Datei, {Lektion: [(Überschrift, Prüfung, Ergebnis oder None, Zeit oder None)]}) für `progress`."""
    if folder is None:
        running = notebook_path()
        folder = running.parent if running is not None and is_exercise_version(running) else ROOT / "uebungen"
    path = Path(folder) / PROGRESS_FILE
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    stored = stored if isinstance(stored, dict) else {}
    table = {}
    for lesson, exercises in lesson_exercises().items():
        seen = stored.get(lesson, {}) if isinstance(stored.get(lesson), dict) else {}
        table[lesson] = [
            (title, check, (seen.get(check) or {}).get("verdict"), (seen.get(check) or {}).get("time"))
            for check, title in exercises
        ]
    return path, table


def progress(folder=None):
    """Zeigt deinen Stand: welche Übungen jeder Lektion gelöst sind, nach den Ergebnissen der Prüfzellen, die neben
    den Übungsversionen in `fortschritt.json` stehen, und mit welcher Übung es weitergeht. In jeder Zelle:
    `course.progress()`."""
    path, table = progress_table(folder)
    lines = [f"Dein Stand (aus {path}):" if path.exists() else f"Noch keine Prüfung gelaufen ({path} fehlt)."]
    for lesson, exercises in table.items():
        solved = sum(verdict == "gelöst" for _, _, verdict, _ in exercises)
        lines.append(f"{lesson.removesuffix('.ipynb')}: {solved} von {len(exercises)} gelöst")
        for title, _, verdict, when in exercises:
            state = f"zuletzt {verdict}, {when}" if verdict else "noch nicht geprüft"
            lines.append(f"   {VERDICT_MARKS.get(verdict, '·')} {title} ({state})")
    # weiter in der Lektion, an der du zuletzt gearbeitet hast (dann in den folgenden, zuletzt von vorn)
    lessons = list(table)
    touched = [(max(when or "" for *_, when in table[lesson]), i) for i, lesson in enumerate(lessons)]
    start = max(touched)[1] if touched and max(touched)[0] else 0
    order = lessons[start:] + lessons[:start]
    next_up = next(
        (
            f"{lesson.removesuffix('.ipynb')}, {title}"
            for lesson in order
            for title, _, verdict, _ in table[lesson]
            if verdict != "gelöst"
        ),
        None,
    )
    lines.append(f"Weiter mit: {next_up}." if next_up else "Alle Übungen gelöst. 🎉")
    print("\n".join(lines))


def missing_name_message(name, lesson=None):
    """Die deutsche Erklärung zu einem NameError, wenn eine Lektionszelle den Namen anlegt; sonst None.

    `lesson`: Dateiname der laufenden Lektion (Jupyter nennt ihn in JPY_SESSION_NAME); ohne ihn wird die Zelle nur
    genannt, wenn genau eine Lektion den Namen anlegt.
    """
    places = where_defined(name, lesson)
    if not places:
        return None
    where = "in einer früheren Zelle."
    if len({lesson_name for lesson_name, _ in places}) == 1:
        where = f"in {places[0][0]} in der Zelle, die so beginnt:\n    {places[0][1]}"
    return (
        f"⚠️ `{name}` gibt es noch nicht: Eine frühere Zelle wurde nicht ausgeführt (oder der Kernel wurde neu "
        f"gestartet). `{name}` entsteht {where}\nFühre die Zellen darüber aus: Menü »Run → Run All Above Selected "
        "Cell« (bzw. »Ausführen → Alle Zellen darüber ausführen«), dann diese Zelle noch einmal."
    )


def unsolved_stub_message(tb, namespace):
    """Die deutsche Erklärung, wenn ein NotImplementedError aus einem Platzhalter der Lernenden stammt; sonst None.

    `tb`: der Traceback, `namespace`: der Namensraum des Notebooks (die Funktionen und Klassen der Lernenden).
    """
    own = {}
    for name, value in list(namespace.items()):
        code = getattr(value, "__code__", None)
        if code is not None:
            own[code] = name
        elif isinstance(value, type):
            own.update({getattr(f, "__code__", None): name for f in vars(value).values()})
    stub = None
    while tb is not None:
        stub = own.get(tb.tb_frame.f_code, stub)
        tb = tb.tb_next
    if stub is None:
        return None
    return (
        f"✋ Diese Zelle braucht `{stub}`, aber das ist noch der Platzhalter mit `raise NotImplementedError`. Löse "
        f"zuerst die Übung mit `{stub}` weiter oben: Code eintippen, die Zelle ausführen (Umschalt+Enter), dann "
        "ihre Prüfzelle. Danach diese Zelle noch einmal ausführen."
    )


def _explain_error(shell, etype, value, tb, tb_offset=None):
    """IPython-Handler: ein NameError für einen Namen aus einer Lektion sagt, welche Zelle fehlt; ein Platzhalter
    (NotImplementedError) sagt, welche Übung zuerst dran ist. Sonst der gewohnte Traceback."""
    if issubclass(etype, NameError):
        path = notebook_path()
        message = missing_name_message(getattr(value, "name", None) or "", path.name if path else None)
    else:
        message = unsolved_stub_message(tb, shell.user_ns)
    if message is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        shell._showtraceback(etype, value, stb)
    elif message.startswith("✋") and in_notebook():  # ein Kasten wie in den Prüfzellen
        show_feedback(message)
        shell._showtraceback(etype, value, [])  # der Fehler bleibt (»Alle ausführen« hält an), nur ohne Text
    else:
        shell._showtraceback(etype, value, message.splitlines())


def install_name_error_help():
    """Im Notebook: ein NameError für einen Namen aus einer Lektionszelle sagt, welche Zelle fehlt, ein noch
    ungelöster Platzhalter, welche Übung."""
    if "IPython" not in sys.modules:  # kein Notebook, keine IPython-Konsole
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError, NotImplementedError), _explain_error)


FEEDBACK_COLORS = {
    "✅": ("#e8f5e9", "#2e7d32"),
    "❌": ("#fdecea", "#c62828"),
    "⏱": ("#fdecea", "#c62828"),
    "✋": ("#fff8e1", "#f9a825"),
    "⚠": ("#fff8e1", "#f9a825"),
    "💡": ("#e3f2fd", "#1565c0"),
}


def feedback_html(text):
    """Die Rückmeldung einer Prüfzelle als ein Kasten: Farbe nach ✅/❌/✋, Code in `…` als Code gesetzt."""
    import html
    import re

    background, border = FEEDBACK_COLORS.get(text[:1], ("#f5f5f5", "#757575"))
    body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text)).replace("\n", "<br>")
    return (
        f'<div class="workshop-feedback" style="background:{background};border-left:6px solid {border};'
        f'padding:8px 12px;margin:4px 0;font-size:14px;line-height:1.5;color:#212121">{body}</div>' + FEEDBACK_STYLE
    )


# Eine Prüfung, die scheitert, hinterlässt eine Fehlerausgabe (für „Alle ausführen“ und nbgrader); direkt nach dem
# Kasten blendet diese Regel sie aus, damit nur der Kasten zu sehen ist (JupyterLab, Notebook 7: CSS :has()).
FEEDBACK_STYLE = (
    "<style>.jp-OutputArea-child:has(.workshop-feedback) ~ .jp-OutputArea-child:has("
    '[data-mime-type="application/vnd.jupyter.stderr"]) {display: none;}</style>'
)


def show_feedback(text):
    """Eine Rückmeldung: im Notebook als HTML-Kasten, sonst (Terminal, Skript, Tests) als Text."""
    if in_notebook():
        from IPython.display import HTML, display

        display(HTML(feedback_html(text)))
    else:
        print(text)


# Wann welche Zelle lief: Ein Hook vor jeder Zelle (von `check_environment` in der ersten Zelle eingerichtet) merkt
# sich Zeitpunkt, Ausführungsnummer und Quelltext. Daraus entscheidet die Prüfung, ob eine Übungszelle seit ihrer
# letzten Ausführung geändert *und gespeichert* wurde, und nennt in jeder Rückmeldung die geprüfte Fassung.
_CELL_RUNS = []  # [(time.time(), Ausführungsnummer, Quelltext)] in der Reihenfolge der Ausführung


def _record_cell_run(info):
    import time

    from IPython import get_ipython

    shell = get_ipython()
    count = getattr(shell, "execution_count", None)
    if count is not None and getattr(info, "store_history", False):
        count -= 1  # IPython zählt vor diesem Hook schon weiter; die Zelle zeigt die Nummer davor
    _CELL_RUNS.append((time.time(), count, info.raw_cell or ""))


def track_cell_runs(shell=None):
    """Im Notebook: merkt sich ab jetzt, wann welche Zelle lief (für die Prüfzellen der Übungen)."""
    if shell is None:
        if "IPython" not in sys.modules:
            return
        from IPython import get_ipython

        shell = get_ipython()
    events = getattr(shell, "events", None)
    if events is not None and _record_cell_run not in events.callbacks.get("pre_run_cell", []):
        events.register("pre_run_cell", _record_cell_run)


def notebook_path():
    """Die Datei des laufenden Notebooks (Jupyter nennt sie in JPY_SESSION_NAME), sonst None."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if not session.endswith(".ipynb"):
        return None
    path = Path(session) if Path(session).is_absolute() else Path.cwd() / Path(session).name
    return path if path.is_file() else None
