"""workshop.py: Übungsversionen, Notebook-Bereinigung, Wheelhouse für Orte ohne Internet."""

import json
import shutil
import subprocess
import sys
import time

import pytest
from conftest import offline_env

import workshop


def test_clear_solutions_keeps_indentation_and_code_around():
    source = (
        "def f(x):\n"
        '    """Doku."""\n'
        "    ### BEGIN SOLUTION\n"
        "    y = x + 1\n"
        "    return y\n"
        "    ### END SOLUTION\n"
        "\n"
        "print(f)"
    )
    assert workshop.clear_solutions(source) == (
        f'def f(x):\n    """Doku."""\n    # DEIN CODE HIER\n    {workshop.STUB_LINE}\n\nprint(f)'
    )
    namespace = {}
    exec(workshop.clear_solutions(source).replace("print(f)", ""), namespace)
    with pytest.raises(NotImplementedError, match="Hier fehlt noch deine Lösung"):
        namespace["f"](1)


@pytest.mark.parametrize(
    "bad", ["### BEGIN SOLUTION\nx", "x\n### END SOLUTION", "### BEGIN SOLUTION\n### BEGIN SOLUTION"]
)
def test_clear_solutions_rejects_unbalanced_markers(bad):
    with pytest.raises(ValueError):
        workshop.clear_solutions(bad)


def test_exercise_notebook_strips_outputs_and_solutions():
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["a = 1\n", "### BEGIN SOLUTION\n", "b = 2\n", "### END SOLUTION"],
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}],
                "execution_count": 3,
                "metadata": {},
            },
            {"cell_type": "markdown", "source": ["### BEGIN SOLUTION bleibt in Markdown"], "metadata": {}},
        ]
    }
    result = workshop.exercise_notebook(notebook)
    assert "b = 2" not in result["cells"][0]["source"] and result["cells"][0]["outputs"] == []
    assert result["cells"][0]["execution_count"] is None
    assert notebook["cells"][0]["execution_count"] == 3  # Original unverändert


def test_strip_outputs(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": "1", "outputs": [{"a": 1}], "execution_count": 1, "metadata": {}}
                ]
            }
        )
    )
    assert workshop.strip_outputs(path)
    assert json.loads(path.read_text())["cells"][0]["outputs"] == []
    assert not workshop.strip_outputs(path)


def test_test_command_passes_pytest_options_through(monkeypatch):
    seen = {}
    monkeypatch.setattr(workshop, "cmd_test", lambda options: seen.setdefault("args", options.pytest_args) and 0)
    workshop.main(["test", "-q", "-rs", "--durations=15", "-k", "ring"])
    assert seen["args"] == ["-q", "-rs", "--durations=15", "-k", "ring"]
    with pytest.raises(SystemExit):
        workshop.main(["strip", "--gibtsnicht"])


def test_bench_names_unknown_script_in_german_without_installing(monkeypatch):
    monkeypatch.setattr(workshop, "ensure_environment", lambda *a, **k: pytest.fail("darf nichts installieren"))
    with pytest.raises(SystemExit, match="Den Benchmark »gibtsnicht« gibt es nicht; vorhanden: .*dqn_bench"):
        workshop.main(["bench", "gibtsnicht"])


def test_bench_requirements_include_the_workshop_pins():
    lines = workshop.BENCH_REQUIREMENTS.read_text().splitlines()
    assert "-r ../requirements.txt" in lines
    assert all("==" in line for line in lines if line and not line.startswith(("#", "-r")))


def test_wheelhouse_installs_without_network(tmp_path, monkeypatch):
    """`workshop.py wheelhouse` lädt die Pakete; die Einrichtung installiert danach nur aus dem Ordner.

    Klein gehalten (ein Paket statt aller), damit der Test schnell ist; die Installation läuft unter der
    Netzsperre der Tests: Jeder Versuch von pip, das Netz zu erreichen, würde scheitern und protokolliert.
    """
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("iniconfig==2.3.1\n")
    wheelhouse = tmp_path / "wheelhouse"
    try:
        files = workshop.build_wheelhouse(wheelhouse, requirements)
    except SystemExit as error:
        pytest.skip(f"Herunterladen nicht möglich (kein Netz?): {error}")
    assert [f.name for f in files] == ["iniconfig-2.3.1-py3-none-any.whl"]

    log = tmp_path / "netz.log"
    for name, value in offline_env(log).items():
        monkeypatch.setenv(name, value)
    venv_dir = tmp_path / "venv"
    workshop.ensure_environment(venv_dir, requirements, wheelhouse)
    assert not log.exists() or not log.read_text(), log.read_text()
    probe = subprocess.run(
        [str(workshop.venv_python(venv_dir)), "-c", "import iniconfig; print(iniconfig.__file__)"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0 and str(venv_dir) in probe.stdout, probe.stderr


def test_colab_badges_and_first_cells_are_in_sync():
    assert workshop.sync_colab(write=False) == [], "`python3 workshop.py colab` ausführen und einchecken"
    readme = (workshop.ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in sorted((workshop.ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(lesson.read_text(encoding="utf-8"))
        assert workshop.colab_badge(lesson) in "".join(notebook["cells"][0]["source"])
        assert workshop.colab_badge(lesson) in readme
        # der Knopf öffnet die Übungsversion (colab/), nicht die Lösungen
        assert f"/blob/main/colab/{lesson.name})" in workshop.colab_badge(lesson)
        exercise = (workshop.COLAB_EXERCISES / lesson.name).read_text(encoding="utf-8")
        assert workshop.SOLUTION_BEGIN not in exercise and workshop.STUB_LINE.replace('"', '\\"') in exercise


def test_colab_requirements_use_the_workshop_pins():
    pins = {line.strip() for line in (workshop.ROOT / "requirements.txt").read_text().splitlines()}
    colab = [
        entry.strip()
        for entry in (workshop.ROOT / "requirements-colab.txt").read_text().splitlines()
        if entry.strip() and not entry.startswith("#")
    ]
    assert colab and all(line in pins for line in colab), colab


def test_first_cell_fetches_workshop_in_colab_only(monkeypatch):
    """Die erste Zelle in einem nachgestellten Colab: klont, wechselt in notebooks/, prüft; sonst nur die Prüfung."""
    import os
    import sys
    import types

    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(["chdir", str(path)]))
    monkeypatch.setattr("course.check_environment", lambda *a, **k: calls.append(["check"]))
    exec(workshop.FIRST_CELL, {})
    assert calls == [["check"]]  # außerhalb von Colab: nur die Umgebungsprüfung
    assert "pip" not in workshop.FIRST_CELL  # das Installieren für Colab steckt in course.setup_colab()

    calls.clear()
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(workshop.FIRST_CELL, {})
    clone, chdir, check = calls
    assert clone[:2] == ["git", "clone"] and f"https://github.com/{workshop.GITHUB_REPO}.git" in clone
    assert clone[-1] == workshop.COLAB_DIR and chdir == ["chdir", f"{workshop.COLAB_DIR}/notebooks"]
    assert check == ["check"]


def test_setup_colab_installs_only_the_missing_packages(monkeypatch):
    import sys
    import types

    import course

    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    monkeypatch.setattr(course, "missing_modules", lambda modules=None: ["gymnasium"])
    course.setup_colab()
    assert calls == []  # außerhalb von Colab: nichts
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    course.setup_colab()
    (install,) = calls
    assert install[1:4] == ["-m", "pip", "install"] and install[-1].endswith("requirements-colab.txt")
    calls.clear()
    monkeypatch.setattr(course, "missing_modules", lambda modules=None: [])
    course.setup_colab()
    assert calls == []  # alles schon da (zweite Lektion in derselben Sitzung): nichts zu installieren


@pytest.mark.parametrize("version", [(3, 10, 12), (3, 14, 0), (3, 9, 1)])
def test_unsupported_python_is_refused_in_german_before_anything_is_created(version, tmp_path, monkeypatch):
    monkeypatch.setattr(workshop.sys, "version_info", version)
    venv_dir = tmp_path / "venv"
    with pytest.raises(SystemExit) as refused:
        workshop.create_venv(venv_dir)
    message = str(refused.value)
    assert f"dieses Python ist {'.'.join(map(str, version))}" in message
    for hint in (
        "3.11, 3.12, 3.13",
        "python.org",
        "winget install Python.Python.3.12",
        "brew install python@3.12",
        "uv python install 3.12",
    ):
        assert hint in message
    assert not venv_dir.exists()


def test_supported_python_passes():
    for version in workshop.SUPPORTED_PYTHONS:
        assert workshop.unsupported_python_message((*version, 0)) is None


def test_regenerating_exercises_never_loses_a_learners_edit(tmp_path, capsys):
    """#17/#18-7: `workshop.py exercises` ein zweites Mal überschrieb die Änderungen der Lernenden."""
    target = tmp_path / "uebungen"
    written, backed_up = workshop.generate_exercises(target)
    assert written and not backed_up
    lesson = target / "03_DQN_CartPole.ipynb"
    untouched = target / "01_Gymnasium_kennenlernen.ipynb"
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "NotImplementedError" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace(workshop.STUB_LINE, "return 42  # meine Lösung")
    lesson.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    mine = lesson.read_text(encoding="utf-8")

    assert workshop.main(["exercises", "--target", str(target)]) == 0
    out = capsys.readouterr().out
    backups = list((target / "sicherung").glob("03_DQN_CartPole-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == mine
    assert "sind gesichert" in out and "03_DQN_CartPole" in out
    assert not list((target / "sicherung").glob("01_*")), "unveränderte Dateien brauchen keine Sicherung"
    assert "meine Lösung" not in lesson.read_text(encoding="utf-8") and untouched.exists()

    lesson.write_text(mine, encoding="utf-8")
    written, _ = workshop.generate_exercises(target, only_missing=True)  # was `start` tut
    assert written == [] and lesson.read_text(encoding="utf-8") == mine


def test_start_opens_the_exercise_versions_and_solutions_only_on_request(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(workshop, "ensure_environment", lambda *a, **k: None)
    monkeypatch.setattr(workshop, "quiet_jupyterlab", lambda *a, **k: None)
    monkeypatch.setattr(workshop, "EXERCISE_DIR", tmp_path / "uebungen")
    monkeypatch.setattr(
        workshop, "generate_exercises", lambda target=None, only_missing=False: calls.append(only_missing) or ([], [])
    )
    monkeypatch.setattr(workshop, "run_in_venv", lambda args, **k: calls.append(args) or 0)
    monkeypatch.setattr(workshop, "trust_notebooks", lambda folder, python=None: None)
    workshop.main(["start"])
    assert calls[0] is True and "--LabApp.default_url=/lab/tree/uebungen" in calls[1]
    assert "--ServerApp.log_level=WARN" in calls[1]  # die Adresse mit Token ist das Letzte im Terminal
    # verschlüsselte Kernel-Verbindung: sonst warnt jeder Kernelstart im Terminal („without encryption“)
    assert "--KernelManager.transport_encryption=auto" in calls[1]
    calls.clear()
    workshop.main(["start", "--solutions"])
    assert "--LabApp.default_url=/lab/tree/notebooks" in calls[0]
    calls.clear()
    workshop.main(["start", "--notebook"])
    assert calls[0] is True and "notebook" in calls[1] and "--JupyterNotebookApp.default_url=/tree/uebungen" in calls[1]


@pytest.mark.parametrize("notebook7", [False, True], ids=["jupyterlab", "notebook7"])
def test_the_printed_address_and_the_start_page_land_in_the_exercises(tmp_path, notebook7, monkeypatch):
    """#34: JupyterLab übersah `ServerApp.default_url`; die Adresse führte in den Hauptordner neben die Lösungen.

    Startet den echten Server mit den Argumenten von `workshop.py start` und prüft die Adresse im Terminal und
    wohin die Startseite (die auch der Browser beim Start öffnet) weiterleitet.
    """
    import re
    import socket
    import urllib.error
    import urllib.request

    args, landing = workshop.jupyter_args("uebungen", notebook7=notebook7, root=tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, *args, "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root"]
    command.append(f"--JupyterApp.config_dir={tmp_path / 'config'}")
    (tmp_path / "uebungen").mkdir()
    shutil.copy(workshop.ROOT / "notebooks" / "00_Einfuehrung_Jupyter_Python_NumPy.ipynb", tmp_path / "uebungen")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))  # eigene Signaturen, nicht die des Rechners
    workshop.trust_notebooks(tmp_path / "uebungen", sys.executable)  # wie `workshop.py start`
    log = tmp_path / "jupyter.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90
        while not re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=(\w+)", log.read_text()):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.5)
        printed = re.search(r"http://127\.0\.0\.1:\d+(/\S*)\?token=(\w+)", log.read_text())
        assert printed.group(1) == landing, log.read_text()
        opener = urllib.request.build_opener(
            type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda self, *a, **k: None})
        )
        try:
            opener.open(f"http://127.0.0.1:{port}/?token={printed.group(2)}", timeout=10)
            location = None
        except urllib.error.HTTPError as redirect:
            location = redirect.headers["Location"]
        assert location is not None and location.split("?")[0].endswith(landing), location
        # ein Notebook öffnen (wie der Browser): kein »is not trusted« im Terminal
        api = f"http://127.0.0.1:{port}/api/contents/uebungen/00_Einfuehrung_Jupyter_Python_NumPy.ipynb"
        urllib.request.urlopen(f"{api}?token={printed.group(2)}", timeout=30).read()
        time.sleep(0.5)
        assert "not trusted" not in log.read_text(), log.read_text()[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_kernel_encryption_only_where_pyzmq_supports_it():
    assert workshop.kernel_encryption(sys.executable) == ["--KernelManager.transport_encryption=auto"]
    assert workshop.kernel_encryption(shutil.which("false")) == []  # ohne CurveZMQ: Jupyter startete sonst nicht


def test_jupyterlab_asks_no_news_question_and_keeps_other_settings(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    workshop.quiet_jupyterlab(tmp_path)
    workshop.quiet_jupyterlab(tmp_path)  # ein zweites Mal ändert nichts
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}


def test_command_line_errors_are_german(capsys):
    with pytest.raises(SystemExit) as exit_info:
        workshop.main(["start", "--port", "achtzig"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("Aufruf: ") and "Fehler: Argument --port: 'achtzig' ist kein gültiger Wert" in err, err


def test_an_interrupted_setup_repairs_itself(tmp_path):
    """#19: eine .venv ohne pip (abgebrochene erste Einrichtung) bekommt pip zurück, statt das Netz zu beschuldigen."""
    import venv

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    (target / workshop.STAMP.name).write_text("alt")
    python = str(workshop.venv_python(target))
    assert subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode != 0
    workshop.create_venv(target)
    assert subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0
    assert not (target / workshop.STAMP.name).exists()  # die Pakete werden danach neu geprüft


def test_ctrl_c_lets_the_child_finish_its_own_way(tmp_path):
    """#19: Strg+C im Terminal trifft workshop.py und das Kind; workshop.py wartet, das Kind räumt auf und endet."""
    import os
    import signal
    import sys
    import time

    done = tmp_path / "aufgeraeumt"
    child = (
        "import signal, sys, time, pathlib\n"
        "def stop(*_):\n"
        f"    time.sleep(1.0); pathlib.Path({str(done)!r}).write_text('ja'); sys.exit(0)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "print('bereit', flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = (
        f"import sys; sys.path.insert(0, {str(workshop.ROOT)!r}); import workshop, pathlib\n"
        f"sys.exit(workshop.run_in_venv(['-c', {child!r}], venv_dir=pathlib.Path({sys.prefix!r})))"
    )
    command = [sys.executable, "-c", parent]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, start_new_session=True, text=True)
    assert process.stdout.readline().strip() == "bereit"
    os.killpg(process.pid, signal.SIGINT)  # wie Strg+C: an die ganze Prozessgruppe
    start = time.perf_counter()
    assert process.wait(timeout=30) == 0
    assert done.read_text() == "ja" and time.perf_counter() - start >= 0.9
