"""Gemeinsame Helfer für alle Lektionen: Umgebung prüfen, Schnellmodus, Notebook-Import, Übungs-Checks.

Jede Lektion lädt dieses Modul in ihrer ersten Zelle. Es braucht beim Import nur die
Standardbibliothek, damit es auch dann eine verständliche Meldung geben kann, wenn die
Pakete des Workshops fehlen.
"""

import importlib.abc
import importlib.util
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NOTEBOOK_DIR = ROOT / "notebooks"
MODEL_DIR = ROOT / "models"
LOG_DIR = ROOT / "logs"  # TensorBoard-Logs aller Lektionen; im Notebook: %tensorboard --logdir {course.LOG_DIR}

# `%tensorboard` startet das Programm `tensorboard`. Ein Kernel aus der .venv hat deren bin-Ordner nicht immer im
# PATH (er wurde ja nicht aus einer aktivierten Umgebung gestartet); ohne ihn meldet die Magie »Could not find«.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(filter(None, [_BIN, os.environ.get("PATH")]))

# Schnellmodus: die Tests setzen WORKSHOP_QUICK=1, dann schrumpft jede Lektion ihre Budgets.
QUICK = os.environ.get("WORKSHOP_QUICK", "").strip().lower() in ("1", "true", "ja", "yes")

SETUP_COMMAND = "python3 workshop.py start" if os.name != "nt" else "py workshop.py start"

# pygame (CartPole-Bilder) braucht ohne Bildschirm keinen Grafiktreiber; wir rendern nur in Arrays.
if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

# TensorFlow schreibt beim Import Log-Zeilen direkt auf stderr (oneDNN, „rebuild TensorFlow …“, absl), an
# TF_CPP_MIN_LOG_LEVEL vorbei; im Notebook erscheinen sie rot unter der Import-Zelle. Deshalb wird der erste
# Import von tensorflow (auch indirekt über keras) mit stumm geschaltetem stderr ausgeführt.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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


if not any(isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path):
    sys.meta_path.insert(0, _QuietTensorFlowImport())

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
    import json

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


# argparse spricht Englisch; die Skripte des Workshops (workshop.py, scripts/, bench/)
# bauen ihren Parser mit `argument_parser(__doc__)`, der seine Meldungen übersetzt.
_ARGPARSE_GERMAN = {
    "usage: ": "Aufruf: ",
    "options": "Optionen",
    "positional arguments": "Argumente",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "%(value)r ist kein gültiger Wert (erwartet: %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r gibt es nicht (möglich: %(choices)s)",
    "the following arguments are required: %s": "es fehlt: %s",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "expected one argument": "hier fehlt ein Wert",
    "expected at least one argument": "hier fehlt mindestens ein Wert",
    "expected at most one argument": "hier ist höchstens ein Wert erlaubt",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option %(option)s: %(matches)s",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "one of the arguments %s is required": "eines der Argumente %s ist nötig",
    "ignored explicit argument %r": "%r wird hier nicht erwartet",
}


def argument_parser(description):
    """Ein argparse-Parser mit deutschen Meldungen (Aufruf, Fehler, Hilfe) und `description` so umbrochen, wie sie
    geschrieben ist (der Docstring des Skripts)."""
    import argparse

    argparse._ = lambda text: _ARGPARSE_GERMAN.get(text, text)
    return argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)


def hyperparameter_changes(parser, items):
    """Die Werte von `--set NAME=WERT` (mehrfach) als dict, jeder WERT als JSON: 200000, 0.99, true, [128, 128].
    Ein WERT, der kein JSON ist, beendet das Skript über `parser` mit einer deutschen Meldung; falsche Namen und
    Typen meldet danach die Konfiguration selbst (»Meintest du gamma?«)."""
    import json

    changes = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            changes[name] = json.loads(value)
        except json.JSONDecodeError:
            parser.error(f"--set {item}: »{value}« ist kein Wert; Beispiele: --set memory_size=200000 --set gamma=0.99")
    return changes


# --------------------------------------------------------------------------------------
# Herkunftsangaben: ein Format für Modelle (scripts/train_agent.py, scripts/train_breakout.py) und Benchmarks (bench/)
# --------------------------------------------------------------------------------------
def accelerators():
    """Namen der GPUs, auf denen das Keras-Backend rechnet (leer auf der CPU)."""
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            return [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        if backend == "tensorflow":
            import tensorflow as tf

            return [
                tf.config.experimental.get_device_details(d).get("device_name", d.name)
                for d in tf.config.list_physical_devices("GPU")
            ]
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # eine Herkunftsangabe darf ein Training nie abbrechen
        pass
    return []


def machine_description():
    """Der Rechner, z. B. »x86_64, 2 Kerne, Linux« oder »…, GPU NVIDIA H100 80GB HBM3«."""
    import platform

    cpu = platform.processor() or platform.machine()
    gpus = accelerators()
    return f"{cpu}, {os.cpu_count()} Kerne, {platform.system()}" + (f", GPU {', '.join(gpus)}" if gpus else "")


def evaluation_summary(scores, protocol, **extra):
    """Die Bewertung eines Agenten für die Herkunftsdatei: Protokoll, Anzahl, Mittel, Streuung, Spanne."""
    import numpy as np

    scores = np.asarray(scores, dtype=float)
    return {
        "protocol": protocol,
        "episodes": len(scores),
        "mean": round(float(scores.mean()), 2),
        "std": round(float(scores.std()), 2),
        "min": float(scores.min()),
        "max": float(scores.max()),
        **extra,
    }


def provenance(evaluation, **facts):
    """Herkunftsdatei eines Modells: was trainiert wurde (`facts`), seine Bewertung, Rechner, Backend, Versionen."""
    import platform
    import time

    import keras

    return {
        **facts,
        "evaluation": evaluation,
        "keras_backend": keras.backend.backend(),
        "machine": machine_description(),
        "python": platform.python_version(),
        "versions": package_versions(),
        "created": time.strftime("%Y-%m-%d"),
    }


# --------------------------------------------------------------------------------------
# Umgebung prüfen
# --------------------------------------------------------------------------------------
def package_versions(
    names=(
        "keras",
        "tensorflow-cpu",
        "tensorflow",
        "jax",
        "gymnasium",
        "numpy",
        "ale-py",
        "stable-baselines3",
        "torch",
    ),
):
    """Installierte Versionen der genannten Pakete (fehlende fehlen im Ergebnis) – für Herkunftsangaben."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


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
    track_cell_runs()
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


install_notebook_finder()


# --------------------------------------------------------------------------------------
# Zellen in falscher Reihenfolge: ein fehlender Name sagt, welche Zelle ihn anlegt
# --------------------------------------------------------------------------------------
def _defined_names(source):
    """Die Namen, die eine Zelle auf oberster Ebene anlegt (Zuweisung, def, class, import, for, with)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # Zellen mit %-Befehlen
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            targets += [item.optional_vars for item in getattr(node, "items", [])]
            for target in filter(None, targets):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def where_defined(name, lesson=None):
    """[(Lektionsdatei, erste Zeile der Zelle)] der Lektionszellen, die `name` anlegen; `lesson`: nur diese Datei."""
    places = []
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        if lesson and path.name != lesson:
            continue
        for _, source in code_cells(path):
            if name in _defined_names(source):
                lines = [line.strip() for line in source.splitlines() if line.strip()]
                first = next((line for line in lines if not line.startswith(SAVE_MARK)), "")
                places.append((path.name, first[:80]))
    return places


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
        session = os.environ.get("JPY_SESSION_NAME", "")  # Pfad des Notebooks, wenn Jupyter ihn setzt
        message = missing_name_message(getattr(value, "name", None) or "", Path(session).name or None)
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


install_name_error_help()


# --------------------------------------------------------------------------------------
# Übungen: ein kleiner Prüf-Helfer für alle Lektionen
# --------------------------------------------------------------------------------------
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


def in_notebook():
    """Läuft der Code in einem Jupyter-Kernel (dann HTML, Live-Grafik), nicht im Terminal oder in pytest?"""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def show_feedback(text):
    """Eine Rückmeldung: im Notebook als HTML-Kasten, sonst (Terminal, Skript, Tests) als Text."""
    if in_notebook():
        from IPython.display import HTML, display

        display(HTML(feedback_html(text)))
    else:
        print(text)


class _ExerciseFeedback(Exception):
    """Rückmeldung einer Prüfzelle: im Notebook ein deutscher Kasten, kein Traceback aus course.py.

    Die Ausnahme bleibt (eine Prüfung, die scheitert, soll „Alle ausführen“ anhalten und bei nbgrader null Punkte
    geben); IPython zeigt statt ihres Tracebacks nur den Kasten.
    """

    def _render_traceback_(self):  # IPython ruft das statt des Tracebacks auf (ipykernel auch zweimal)
        if not in_notebook():
            return str(self).splitlines()
        if not getattr(self, "_shown", False):
            self._shown = True
            show_feedback(str(self))
        return []


class ExerciseNotSolved(_ExerciseFeedback):
    """Die Übungsfunktion ist noch ein Platzhalter (NotImplementedError)."""


class ExerciseWrong(_ExerciseFeedback, AssertionError):
    """Die Übungsfunktion liefert ein falsches Ergebnis."""


_HINTS = {}  # Funktionsname -> Tipps der letzten Prüfung (eine Liste); `hint(name)` zeigt sie auf Wunsch
_HINTS_SHOWN = {}  # Funktionsname -> wie viele Tipps schon gezeigt wurden


def hint(name):
    """Zeigt den nächsten Tipp zu einer Übung, z. B. course.hint("bellman_target").

    Die Prüfzelle verrät ihn nicht von selbst. Hat eine Übung mehrere Tipps, zeigt jeder Aufruf einen mehr,
    vom Denkanstoß bis zum konkreten Code.
    """
    name = getattr(name, "__name__", name)
    if name not in _HINTS:
        known = ", ".join(f"`{n}`" for n in sorted(_HINTS)) or "noch keine (führe zuerst eine Prüfzelle aus)"
        show_feedback(f"💡 Zu `{name}` habe ich keinen Tipp. Tipps gibt es zu: {known}.")
        return
    hints = _HINTS[name]
    shown = min(_HINTS_SHOWN.get(name, 0), len(hints) - 1)
    _HINTS_SHOWN[name] = shown + 1
    if len(hints) == 1:
        show_feedback(f"💡 Tipp zu `{name}`: {hints[0]}")
        return
    more = (
        '\nNoch ein Tipp, falls du ihn brauchst: `course.hint("' + name + '")` noch einmal.'
        if shown + 1 < len(hints)
        else ""
    )
    show_feedback(f"💡 Tipp {shown + 1} von {len(hints)} zu `{name}`: {hints[shown]}{more}")


def _your_lines(error):
    """Die Zeilen aus dem Code der Lernenden, an denen der Fehler entstand (ohne Workshop- und Bibliothekscode)."""
    import traceback

    ours = {str(ROOT / name) for name in ("course.py", "dqn.py", "checks.py", "atari.py")}
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        workshop = frame.filename in ours or ".ipynb#Zelle" in frame.filename  # Module und geladene Lösungszellen
        if workshop or "site-packages" in frame.filename or frame.filename.startswith("<frozen"):
            continue
        code = (frame.line or "").strip()
        lines.append(f"   in `{frame.name}`, Zeile {frame.lineno}: {code}")
    return lines[-3:]


def _close(actual, expected, tolerance):
    if isinstance(expected, dict):  # z. B. mehrere Eigenschaften eines Netzes auf einmal
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(_close(actual[k], expected[k], tolerance) for k in expected)
        )
    try:
        import numpy as np

        try:
            actual_arr, expected_arr = np.asarray(actual), np.asarray(expected)
        except ValueError:  # gemischte Tupel wie (114, (3, 2), True): Element für Element
            return (
                isinstance(actual, (tuple, list))
                and isinstance(expected, (tuple, list))
                and len(actual) == len(expected)
                and all(_close(a, e, tolerance) for a, e in zip(actual, expected))
            )
        if actual_arr.shape != expected_arr.shape:
            return False
        if expected_arr.dtype.kind in "fc" or actual_arr.dtype.kind in "fc":
            return bool(np.allclose(actual_arr, expected_arr, atol=tolerance, rtol=tolerance))
        return bool(np.array_equal(actual_arr, expected_arr))
    except ImportError:  # pragma: no cover - numpy ist im Workshop immer da
        if isinstance(expected, float):
            return math.isclose(actual, expected, abs_tol=tolerance)
        return actual == expected


def _describe_call(function, args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{getattr(function, '__name__', 'funktion')}({', '.join(parts)})"


def _register_hint(function, hint):
    """Merkt sich die Tipps zu einer Übung; gibt (Name, Satz »Einen Tipp bekommst du mit …«) zurück."""
    name = getattr(function, "__name__", "deine Funktion")
    if hint:
        _HINTS[name] = [hint] if isinstance(hint, str) else list(hint)
    ask = f'\nEinen Tipp bekommst du mit `course.hint("{name}")`.' if hint else ""
    return name, graded_version(name) + ask


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


def _defines(source, name):
    """Legt die Zelle `source` auf oberster Ebene eine Funktion oder Klasse `name` an?"""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # gerade in Arbeit, oder mit %-Befehlen
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name for n in tree.body)


def last_run(name, runs=None):
    """(Zeitpunkt, Ausführungsnummer, Quelltext) der zuletzt ausgeführten Zelle, die `name` anlegt; sonst None."""
    for run in reversed(_CELL_RUNS if runs is None else runs):
        if _defines(run[2], name):
            return run
    return None


def stale_cell(name, saved_cells, saved_at, run):
    """Die gespeicherte Fassung der Zelle, die `name` anlegt, wenn sie nach der letzten Ausführung `run` geändert und
    gespeichert wurde; sonst None.

    `saved_cells`: Quelltexte der Code-Zellen der gespeicherten Datei, `saved_at`: wann sie gespeichert wurde
    (Änderungszeit), `run`: `last_run(name)`. Wer die Lösung in den Platzhalter tippt und ausführt, ohne zu
    speichern, bekommt keinen Alarm: Die Datei hält dann zwar den Platzhalter, ist aber älter als die Ausführung.
    Ohne Aufzeichnung (`run` None) gibt es nichts zu vergleichen und keinen Alarm.
    """
    if run is None or saved_at <= run[0]:
        return None
    candidates = [source for source in saved_cells if _defines(source, name)]
    if not candidates or any(source.strip() == run[2].strip() for source in candidates):
        return None
    return candidates[0]


def _clock(timestamp):
    import time

    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def _notebook_path():
    """Die Datei des laufenden Notebooks (Jupyter nennt sie in JPY_SESSION_NAME), sonst None."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if not session.endswith(".ipynb"):
        return None
    path = Path(session) if Path(session).is_absolute() else Path.cwd() / Path(session).name
    return path if path.is_file() else None


def _stale_exercise_message(name):
    """Die deutsche Rückmeldung, wenn die Übungszelle von `name` geändert und gespeichert, aber seither nicht
    ausgeführt wurde; sonst None."""
    run, path = last_run(name), _notebook_path()
    if run is None or path is None:
        return None
    try:
        saved_at = path.stat().st_mtime
        cells = [source for _, source in code_cells(path)]
    except (OSError, ValueError):
        return None
    if stale_cell(name, cells, saved_at, run) is None:
        return None
    return (
        f"✋ Die Zelle mit `{name}` hat sich geändert, seit du sie zuletzt ausgeführt hast (ausgeführt um "
        f"{_clock(run[0])}, geändert gespeichert um {_clock(saved_at)}): Geprüft würde noch die alte Fassung. "
        f"Führe zuerst die Zelle mit `def {name}` aus (Umschalt+Enter), dann diese Prüfung."
    )


def graded_version(name):
    """Ein Satz, welche Fassung von `name` geprüft wurde (Zelle, Uhrzeit, letzte Zeile); ohne Aufzeichnung leer.

    So sieht, wer die Zelle danach geändert, aber nicht ausgeführt hat, dass die Rückmeldung zur alten Fassung gehört.
    """
    run = last_run(name)
    if run is None:
        return ""
    lines = [line.strip() for line in run[2].splitlines() if line.strip() and not line.strip().startswith("#")]
    cell = f"Zelle [{run[1]}]" if run[1] is not None else "deiner Zelle"
    last = lines[-1] if lines else ""
    if last.startswith("raise NotImplementedError"):
        last = "raise NotImplementedError(…)"  # der Platzhalter
    elif len(last) > 60:
        last = last[:56] + " …"
    last = f", letzte Zeile `{last}`" if last else ""
    return (
        f"\nGeprüft wurde die Fassung von `{name}` aus {cell}, ausgeführt um {_clock(run[0])}{last}. Hast du die "
        "Zelle seither geändert, führe sie erneut aus (Umschalt+Enter)."
    )


def _refuse_stale(name):
    message = _stale_exercise_message(name)
    if message:
        raise ExerciseNotSolved(message)


EXERCISE_TIME_LIMIT = 30  # Sekunden für einen Aufruf einer Übungsfunktion in einer Prüfzelle


class _TimeUp(BaseException):  # BaseException: ein `except Exception` im Code der Lernenden fängt sie nicht ab
    pass


class _time_limit:
    """Bricht den Block nach `seconds` Sekunden ab (SIGALRM; nur im Hauptthread unter Linux/macOS, sonst ohne Limit)."""

    def __init__(self, seconds):
        import signal
        import threading

        self.seconds, self.signal = seconds, signal
        self.active = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def __enter__(self):
        if self.active:
            self.previous = self.signal.signal(self.signal.SIGALRM, self._stop)
            self.signal.setitimer(self.signal.ITIMER_REAL, self.seconds)

    def _stop(self, signum, frame):
        raise _TimeUp

    def __exit__(self, *exc):
        if self.active:
            self.signal.setitimer(self.signal.ITIMER_REAL, 0)
            self.signal.signal(self.signal.SIGALRM, self.previous)
        return False


def call_exercise(function, *args, _hint="", **kwargs):
    """Ruft eine Übungsfunktion auf; ein Stub, ein Absturz oder eine Endlosschleife (nach EXERCISE_TIME_LIMIT
    Sekunden) wird zu einer deutschen Rückmeldung ohne Traceback."""
    name, ask = _register_hint(function, _hint)
    try:
        with _time_limit(EXERCISE_TIME_LIMIT):
            return function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotSolved(
            f"✋ Die Übung `{name}` ist noch nicht gelöst: ersetze die Zeile mit "
            f"`raise NotImplementedError` durch deinen Code und führe die Zelle erneut aus." + ask
        ) from None
    except _TimeUp:
        raise ExerciseWrong(
            f"⏱️ `{_describe_call(function, args, kwargs)}` ist nach {EXERCISE_TIME_LIMIT} s noch nicht fertig "
            "und wurde abgebrochen. Vermutlich eine Endlosschleife: Endet jede `while`-Schleife, ändert sich ihre "
            "Bedingung?" + ask
        ) from None
    except _ExerciseFeedback:
        raise
    except Exception as error:  # Fehler der Lernenden verständlich weiterreichen, ohne Keras-Innereien
        first_line = (str(error).strip().splitlines() or [""])[0][:300]
        call = _describe_call(function, args, kwargs)
        raise ExerciseWrong(
            "\n".join([f"❌ `{call}` bricht mit {type(error).__name__} ab: {first_line}", *_your_lines(error)]) + ask
        ) from None


def check_function(function, cases, hint="", tolerance=1e-6):
    """Prüft eine Übungsfunktion an Fällen `(args, erwartet)` oder `(args, kwargs, erwartet)`.

    `hint`: ein Tipp oder eine Liste von Tipps, vom Denkanstoß bis zum Code (`course.hint` zeigt einen nach dem
    anderen).

    Gibt bei Erfolg eine Zeile aus; sonst ExerciseNotSolved oder ExerciseWrong mit deutscher Erklärung
    (ohne Traceback aus diesem Modul). Den Tipp gibt es nur auf Wunsch: `course.hint(name)`.
    """
    name, ask = _register_hint(function, hint)
    _refuse_stale(name)
    for case in cases:
        args, kwargs, expected = case if len(case) == 3 else (case[0], {}, case[1])
        args = args if isinstance(args, tuple) else (args,)
        call = _describe_call(function, args, kwargs)
        actual = call_exercise(function, *args, _hint=hint, **kwargs)
        try:
            same = _close(actual, expected, tolerance)
        except Exception:  # z. B. ein Text, wo eine Zahl hingehört: kein NumPy-Fehler, sondern eine Erklärung
            same = False
        if not same:
            kind = ""
            if not isinstance(actual, (int, float, list, tuple, dict)) and type(actual).__module__ == "builtins":
                kind = f" (ein {type(actual).__name__}; erwartet war etwas wie {type(expected).__name__})"
            same_keys = isinstance(expected, dict) and isinstance(actual, dict) and actual.keys() == expected.keys()
            if same_keys and all(isinstance(key, str) for key in expected):  # Eigenschaften, z. B. eines Netzes
                wrong = [k for k in expected if not _close(actual[k], expected[k], tolerance)]
                details = "; ".join(f"{k}: erwartet {expected[k]!r}, ist {actual[k]!r}" for k in wrong)
                raise ExerciseWrong(
                    f"❌ `{call}` stimmt in {len(wrong)} von {len(expected)} Punkten nicht: {details}." + ask
                )
            raise ExerciseWrong(f"❌ `{call}` sollte {expected!r} ergeben, ergibt aber {actual!r}{kind}." + ask)
    show_feedback(
        f"✅ Richtig! `{name}` besteht " + ("die Prüfung." if len(cases) == 1 else f"alle {len(cases)} Prüfungen.")
    )


def check_cartpole_policy(policy, goal=300, episodes=20, seed=10_000, hint=""):
    """Prüft eine CartPole-Strategie von Hand (Lektion 1): im Mittel über `episodes` Episoden ≥ `goal` Punkte?

    Die Episoden beginnen mit Seeds, die die Lektion sonst nicht benutzt. Gibt das Mittel zurück.
    """
    import gymnasium as gym
    import numpy as np

    name, ask = _register_hint(policy, hint)
    _refuse_stale(name)
    env = gym.make("CartPole-v1")
    returns = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            action = call_exercise(policy, obs)
            if isinstance(action, (bool, np.bool_)) or action not in (0, 1):
                raise ExerciseWrong(
                    f"❌ `{name}` gibt {action!r} zurück; erlaubt sind die ganzen Zahlen 0 (links) "
                    "und 1 (rechts). `int(...)` macht aus True/False eine 1/0." + ask
                )
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total += reward
            done = terminated or truncated
        returns.append(total)
    env.close()
    mean = float(np.mean(returns))
    if mean < goal:
        raise ExerciseWrong(
            f"❌ `{name}` hält den Stab im Mittel {german_number(mean, 1)} Schritte (schlechteste Episode "
            f"{german_number(min(returns))}); das Ziel sind mindestens {goal}." + ask
        )
    show_feedback(
        f"✅ Geschafft! `{name}` hält den Stab im Mittel {german_number(mean, 1)} Schritte über {episodes} Episoden "
        f"(Ziel: {goal}, höchstens 500)."
    )
    return mean
