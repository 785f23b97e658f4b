"""Jedes Notebook läuft im Schnellmodus von oben bis unten in einem frischen Kernel.

Übungen: Mit Lösungen besteht jeder Check; in den erzeugten Übungsversionen scheitert jeder Check
mit seinem deutschen Hinweis, und das Notebook läuft bis zur ersten Übung fehlerfrei.
"""

import json
import os
import re

import nbformat
import pytest
from conftest import offline_env
from nbclient import NotebookClient

import course
import workshop

ROOT = course.ROOT
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
HELPERS = [ROOT / "Ringbuffer.ipynb", ROOT / "utils.ipynb"]
ALL_NOTEBOOKS = HELPERS + LESSONS
ARTEFACTS = ROOT / "test-artefakte"


def run_notebook(path, allow_errors=False, save_as=None):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
    )
    old_env = os.environ.copy()
    network_log = ARTEFACTS / "netzwerk" / f"{path.stem}.log"
    network_log.parent.mkdir(parents=True, exist_ok=True)
    network_log.write_text("")
    # der Kernel erbt die Umgebung; die Netzsperre protokolliert jeden Versuch, das Netz zu erreichen
    os.environ.update(
        WORKSHOP_QUICK="1",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        **offline_env(network_log, old_env),
    )
    # so, wie Teilnehmende starten: ohne TF_CPP_MIN_LOG_LEVEL von außen (die Tests setzen es sonst; course.py muss
    # TensorFlows Meldungen selbst abstellen)
    os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    attempts = network_log.read_text(encoding="utf-8")
    assert not attempts, f"{path.name} versucht, das Netz zu erreichen (der Workshop muss offline laufen):\n{attempts}"
    if save_as is not None:
        save_as.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, save_as)
    return notebook


def source(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def text(cell):
    """Was unter der Zelle steht: Textausgaben und HTML (die Rückmeldungen der Prüfzellen sind ein HTML-Kasten)."""
    return "".join(
        o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/html", "")
        for o in cell.get("outputs", [])
    )


def test_network_lock_refuses_internet_and_allows_localhost(tmp_path):
    """Die Netzsperre, unter der alle Notebooks laufen, sperrt wirklich (sonst wäre der Offline-Test wertlos)."""
    import subprocess
    import sys

    log = tmp_path / "netz.log"
    code = (
        "import socket, urllib.request\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(1)\n"
        "socket.create_connection(server.getsockname(), timeout=2).close()\n"
        "try:\n    urllib.request.urlopen('https://pypi.org/simple/', timeout=5)\n"
        "except OSError as e:\n    print('gesperrt', e)\n"
    )
    env = dict(os.environ, **offline_env(log))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "gesperrt" in out.stdout and "Netzwerkzugriff gesperrt" in out.stdout
    assert "pypi.org" in log.read_text() and "127.0.0.1" not in log.read_text()


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_in_quick_mode(path):
    notebook = run_notebook(path, save_as=ARTEFACTS / "ausgefuehrt" / path.name)
    for cell in notebook.cells:
        # kein roter stderr-Text unter einer Zelle (TensorFlow-Logs, Warnungen): was Lernende sehen, ist sauber
        spam = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")
        assert not spam.strip(), f"{path.name}: stderr unter der Zelle\n{source(cell)[:300]}\n---\n{spam[:1500]}"
        if cell.cell_type == "code" and workshop.check_name(source(cell)):
            assert "✅" in text(cell), f"Check ohne Erfolgsmeldung:\n{source(cell)}"


def test_lessons_exist_in_order():
    assert [p.name[:3] for p in LESSONS] == ["00_", "01_", "02_", "03_", "04_", "05_", "06_"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_check_cells_are_one_line_and_show_no_cases(path):
    """Eine Prüfzelle ist eine Zeile; Fälle, erwartete Werte und Tipps stehen in checks.py, nicht im Notebook."""
    notebook = nbformat.read(path, as_version=4)
    checks = [source(c) for c in notebook.cells if c.cell_type == "code" and workshop.check_name(source(c))]
    assert checks, path.name
    for check in checks:
        assert re.fullmatch(r"checks\.\w+\(\w+(, \w+)*(, \w+=\w+)*\)", check.strip()), check
    for cell in notebook.cells:
        assert "feedback.check_function(" not in source(cell) and "hint=" not in source(cell), source(cell)[:200]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_starts_with_environment_check_and_has_skeleton(path):
    notebook = nbformat.read(path, as_version=4)
    first_code = next(c for c in notebook.cells if c.cell_type == "code")
    assert "course.check_environment()" in source(first_code)
    markdown = "\n".join(source(c) for c in notebook.cells if c.cell_type == "markdown")
    for heading in ("Lernziele", "Voraussetzungen", "Zusammenfassung", "Quellen"):
        assert heading in markdown, f"{path.name}: Abschnitt {heading} fehlt"
    for word in ("Uebung", " fuer ", "koennen", "muessen", "Groesse", "waehle", "naechste"):
        assert word not in markdown, f"{path.name}: '{word.strip()}' ohne Umlaut geschrieben"


LESSONS_WITH_EXERCISES = [p for p in LESSONS if workshop.SOLUTION_BEGIN in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", LESSONS_WITH_EXERCISES, ids=lambda p: p.name)
def test_exercise_version_fails_every_check_with_german_hint(path):
    target = ARTEFACTS / "uebungen"
    target.mkdir(parents=True, exist_ok=True)
    exercise_path = target / path.name
    original = json.loads(path.read_text(encoding="utf-8"))
    exercise_path.write_text(json.dumps(workshop.exercise_notebook(original), ensure_ascii=False), encoding="utf-8")
    notebook = run_notebook(exercise_path, allow_errors=True)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    first_error = next(i for i, c in enumerate(code_cells) if errors(c))
    first_check = next(i for i, c in enumerate(code_cells) if workshop.check_name(source(c)))
    assert first_error >= first_check, "Die Übungsversion bricht vor der ersten Übung ab:\n" + source(
        code_cells[first_error]
    )
    checks = [c for c in code_cells if workshop.check_name(source(c))]
    assert checks
    for cell in checks:
        found = errors(cell)
        assert found, f"Check besteht ohne Lösung (kann nicht scheitern):\n{source(cell)}"
        assert found[0].ename == "ExerciseNotSolved", (found[0].ename, found[0].evalue)
        assert "noch nicht gelöst" in found[0].evalue


def test_committed_notebooks_carry_no_outputs():
    for path in ALL_NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name} hat Ausgaben"


def test_helper_notebooks_have_no_magics():
    """Beim Import als Modul laufen nur reine Python-Zellen."""
    for path in HELPERS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert not any(line.lstrip().startswith(("%", "!")) for line in source(cell).splitlines()), path.name


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_question_to_think_about_has_an_answer(path):
    """#37: Jede Frage unter „Zum Weiterdenken“ hat direkt darunter eine zugeklappte Antwort (`<details>`)."""
    import re

    text = "\n".join(source(c) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    section = text.split("Zum Weiterdenken", 1)[1].split("\n## ", 1)[0]
    questions = re.split(r"^- ", section, flags=re.M)[1:]
    assert questions, f"{path.name}: keine Fragen zum Weiterdenken"
    for question in questions:
        first = question.strip().splitlines()[0]
        assert "<details><summary>" in question and "</details>" in question, f"{path.name}: ohne Antwort: {first}"
        answer = question.split("<summary>", 1)[1].split("</details>", 1)[0]
        assert len(answer.split()) >= 20, f"{path.name}: zu kurze Antwort zu: {first}"


def test_the_library_holds_the_model_solution_and_the_text_says_so():
    """#38/7: Wo die Bibliothek die Musterlösung hält, sagt der Text nicht „deine Funktion“ (die Lernenden lasen
    sonst, `dqn.one_hot` oder `Ringbuffer.ReplayMemory` sei ihr eigener Code)."""
    lesson_0 = (course.NOTEBOOK_DIR / "00_Einfuehrung_Jupyter_Python_NumPy.ipynb").read_text(encoding="utf-8")
    lesson_3 = (course.NOTEBOOK_DIR / "03_DQN_CartPole.ipynb").read_text(encoding="utf-8")
    ringbuffer = (course.ROOT / "Ringbuffer.ipynb").read_text(encoding="utf-8")
    assert "mit genau dieser Funktion (`dqn.one_hot`)" not in lesson_0 and "Musterlösung" in lesson_0
    assert "one_hot,  # die Aktionsmaske: die Musterlösung von Lektion 0" in lesson_3
    assert "lädt deine Lösungszelle" not in ringbuffer and "Die Musterlösung" in ringbuffer
