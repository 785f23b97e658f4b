"""#36: Die Pfeile zeigen in eine Richtung. Lektionen importieren Module und die zwei Hilfs-Notebooks; kein Modul liest
oder importiert eine Lektion; der Import eines Moduls ändert nichts am Prozess, was nicht zu seinen Paketen gehört.
"""

import ast
import json
import os
import subprocess
import sys

import pytest

import course

MODULES = sorted(p.stem for p in course.ROOT.glob("*.py"))  # atari, checks, cli, course, dqn, feedback, …
HELPERS = ["Ringbuffer", "utils"]  # die Hilfs-Notebooks, die Lektionen wie Module importieren


def imports_of(source):
    """Die Workshop-Module und Hilfs-Notebooks, die `source` importiert (auch in Funktionen, auch über load_helper)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "load_helper" and node.args:
            found.add(getattr(node.args[0], "value", None))
    return found & set(MODULES + HELPERS)


def helper_source(name):
    cells = json.loads((course.ROOT / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "code" and not "".join(c["source"]).startswith("%")
    )


def import_graph():
    graph = {name: imports_of((course.ROOT / f"{name}.py").read_text(encoding="utf-8")) for name in MODULES}
    graph.update({name: imports_of(helper_source(name)) for name in HELPERS})
    return graph


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert {"course", "dqn", "feedback", "checks", "workshop"} <= set(graph)
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError("Import-Zyklus: " + " → ".join(path[path.index(node) :] + [node]))
        if node in done:
            return
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if target != node:
                visit(target)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    assert graph["workshop"] <= {"cli"}, "workshop.py nutzt nur die Standardbibliothek (und cli.py)"


def test_no_module_reads_a_lesson():
    """Kein Modul und kein Hilfs-Notebook liest notebooks/ (nur workshop.py, das daraus die Bibliothek erzeugt)."""
    for name in MODULES + HELPERS:
        if name == "workshop":
            continue
        source = helper_source(name) if name in HELPERS else (course.ROOT / f"{name}.py").read_text(encoding="utf-8")
        definition = (
            'NOTEBOOK_DIR = ROOT / "notebooks"'  # course nennt den Ordner (für Tests und Lektionen), liest ihn nie
        )
        lines = [line for line in source.splitlines() if not line.lstrip().startswith("#") and definition not in line]
        code = "\n".join(lines)
        assert "NOTEBOOK_DIR" not in code, name
        assert '"notebooks"' not in code and "'notebooks'" not in code, name


PROCESS_STATE = """
import argparse, json, os, sys
def state():
    return dict(environ=dict(os.environ), meta_path=[type(f).__module__ for f in sys.meta_path], path=list(sys.path),
                argparse=repr(argparse._), excepthook=repr(sys.excepthook))
before = state()
import {modules}
after = state()
print(json.dumps([before, after]))
"""


@pytest.mark.parametrize("modules", ["course", "course, feedback, checks, cli, provenance, workshop"])
def test_importing_the_workshop_changes_nothing(modules):
    """`import course` (und die stdlib-Module) ändert weder Umgebungsvariablen noch Import-Finder, sys.path,
    argparse oder den Fehler-Handler; das tut erst `course.setup()`, ausdrücklich, in der ersten Zelle."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "SDL_VIDEODRIVER", "SDL_AUDIODRIVER")
    }
    code = PROCESS_STATE.format(modules=modules)
    out = subprocess.run([sys.executable, "-c", code], cwd=course.ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after = json.loads(out.stdout)
    assert after == before


def test_importing_dqn_adds_no_finder_of_ours_and_only_quiets_tensorflow():
    """dqn und atari laden Keras; dabei setzen TensorFlow und andere Pakete eigene Variablen. Von uns kommt nur
    TF_CPP_MIN_LOG_LEVEL (Keras leise laden), kein Import-Finder, kein sys.path-Eintrag."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    code = PROCESS_STATE.format(modules="dqn, atari, experiments, probes")
    out = subprocess.run([sys.executable, "-c", code], cwd=course.ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after = json.loads(out.stdout)
    ours = set(MODULES + HELPERS)
    assert not [m for m in after["meta_path"] if m in ours], after["meta_path"]
    assert after["path"] == before["path"] and after["argparse"] == before["argparse"]
    assert after["environ"]["TF_CPP_MIN_LOG_LEVEL"] == "2"


def test_argument_parser_speaks_german_without_changing_argparse():
    import argparse
    import io
    from contextlib import redirect_stderr

    import cli

    original = argparse._
    parser = cli.argument_parser("Test")
    parser.add_argument("--zahl", type=int)
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit):
        parser.parse_args(["--zahl", "viele"])
    assert "Fehler: Argument --zahl: 'viele' ist kein gültiger Wert" in err.getvalue(), err.getvalue()
    assert "Aufruf:" in parser.format_help() and "diese Hilfe zeigen" in parser.format_help()
    assert argparse._ is original
    english = argparse.ArgumentParser(prog="x")
    assert "usage:" in english.format_help()
