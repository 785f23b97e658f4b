"""Echtes nbgrader über alle Lektionen: Übungsversionen erzeugen, gelöste und unberührte Fassungen bewerten.

nbgrader ist nur ein Test-Werkzeug: Es liegt in `.venv-nbgrader` (python3 workshop.py test legt sie an), nicht in
der Umgebung der Teilnehmenden. Die Lektionen tragen nbgraders Zell-Metadaten (`workshop.nbgrader_metadata`, gesetzt
von `python3 workshop.py strip`): Lösungszellen, bewertete Prüfzellen (1 Punkt) und schreibgeschützte Zellen.

1. `nbgrader generate_assignment` akzeptiert jede Lektion und erzeugt genau die Übungsversion, die auch
   `workshop.exercise_notebook` erzeugt (ein Mechanismus, zweimal geprüft).
2. `nbgrader autograde` führt eine gelöste und eine unberührte Fassung im Schnellmodus aus (im Kernel des Workshops):
   volle Punktzahl und null Punkte.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import course
import workshop

NBGRADER = workshop.NBGRADER_VENV / ("Scripts" if os.name == "nt" else "bin")
COURSE = course.ROOT / "test-artefakte" / "nbgrader"  # im Workshop-Ordner: der Kernel findet course.py darüber
ASSIGNMENT = "lektionen"
STUB = f"# DEIN CODE HIER\n{workshop.STUB_LINE}"


@pytest.fixture(scope="module")
def grading(tmp_path_factory):
    if not (NBGRADER / "nbgrader").exists():
        message = "nbgrader fehlt: python3 workshop.py test legt .venv-nbgrader an"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    shutil.rmtree(COURSE, ignore_errors=True)
    (COURSE / "source" / ASSIGNMENT).mkdir(parents=True)
    for lesson in sorted(course.NOTEBOOK_DIR.glob("*.ipynb")):
        shutil.copy2(lesson, COURSE / "source" / ASSIGNMENT / lesson.name)
    (COURSE / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(COURSE)!r}\n"
        "c.CourseDirectory.course_id = 'dqn-workshop'\n"
        f"c.ClearSolutions.code_stub = {{'python': {STUB!r}}}\n"
        "c.Execute.timeout = 900\n",
        encoding="utf-8",
    )
    # Der Kernel „python3“ ist der des Workshops (dieses Python), nicht der aus .venv-nbgrader
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    kernels.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(dict(spec, display_name="Workshop")), encoding="utf-8")
    env = dict(
        os.environ,
        PATH=f"{NBGRADER}{os.pathsep}{os.environ.get('PATH', '')}",  # nbgrader ruft `alembic` auf
        JUPYTER_PATH=str(kernels.parent.parent),
        WORKSHOP_QUICK="1",
    )

    def nbgrader(*args):
        result = subprocess.run(
            [str(NBGRADER / "nbgrader"), *args], cwd=COURSE, env=env, capture_output=True, text=True, timeout=1800
        )
        assert result.returncode == 0 and "[ERROR]" not in result.stderr, result.stderr[-4000:]
        return result

    nbgrader("generate_assignment", ASSIGNMENT, "--create", "--force")
    return dict(nbgrader=nbgrader, env=env)


def test_nbgrader_generates_the_same_exercise_versions_as_the_workshop(grading):
    for lesson in sorted(course.NOTEBOOK_DIR.glob("*.ipynb")):
        ours = workshop.exercise_notebook(json.loads(lesson.read_text(encoding="utf-8")))
        released = json.loads((COURSE / "release" / ASSIGNMENT / lesson.name).read_text(encoding="utf-8"))
        mine = [workshop._cell_source(cell) for cell in ours["cells"]]
        theirs = [workshop._cell_source(cell) for cell in released["cells"]]
        assert mine == theirs, lesson.name


def test_lessons_carry_nbgrader_metadata_in_sync():
    for lesson in sorted(course.NOTEBOOK_DIR.glob("*.ipynb")):
        notebook = json.loads(lesson.read_text(encoding="utf-8"))
        assert not workshop.nbgrader_metadata(notebook), f"{lesson.name}: python3 workshop.py strip ausführen"
        graded = [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
        solutions = [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        assert graded and solutions, lesson.name


def test_autograde_gives_solved_lessons_full_marks_and_untouched_ones_zero(grading):
    for student, folder in (("geloest", "source"), ("unberuehrt", "release")):
        shutil.copytree(COURSE / folder / ASSIGNMENT, COURSE / "submitted" / student / ASSIGNMENT)
    grading["nbgrader"]("autograde", ASSIGNMENT, "--create")
    grading["nbgrader"]("export", "--to", "noten.csv")
    rows = (COURSE / "noten.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    scores = {
        fields[header.index("student_id")]: (
            float(fields[header.index("score")]),
            float(fields[header.index("max_score")]),
        )
        for fields in (row.split(",") for row in rows[1:])
    }
    checks = sum(
        1
        for lesson in course.NOTEBOOK_DIR.glob("*.ipynb")
        for cell in json.loads(lesson.read_text(encoding="utf-8"))["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    )
    assert scores == {"geloest": (checks, checks), "unberuehrt": (0.0, checks)}, scores
