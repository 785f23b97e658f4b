"""course.py: Umgebungscheck, Notebook-Import, Übungs-Checks."""

import json
import os
import subprocess
import sys
import time

import pytest

import course
import feedback
import provenance


def test_check_environment_names_missing_package_and_command():
    with pytest.raises(EnvironmentError) as error:
        course.check_environment({"gibt_es_nicht_123": "paket-xyz"}, verbose=False)
    message = str(error.value)
    assert "paket-xyz" in message and "workshop.py start" in message
    course.check_environment({"numpy": "numpy"}, verbose=False)  # wirft nicht


def test_check_function_right_wrong_and_stub(capsys):
    def square(x):
        return x * x

    feedback.check_function(square, [((2,), 4), ((3,), 9)])
    assert "besteht alle 2 Prüfungen" in capsys.readouterr().out

    def wrong(x):
        return x + x

    with pytest.raises(
        feedback.ExerciseWrong,
        match=r"wrong\(3\)` sollte 9 ergeben, ergibt aber 6\.\n"
        r"Einen Tipp bekommst du mit `checks.hint\(\"wrong\"\)`",
    ) as failed:
        feedback.check_function(wrong, [((2,), 4), ((3,), 9)], hint="mal sich selbst")
    assert "mal sich selbst" not in str(failed.value), "der Tipp kommt nur auf Wunsch"
    rendered = "\n".join(failed.value._render_traceback_())
    assert "Traceback" not in rendered and "course.py" not in rendered and rendered.startswith("❌")
    capsys.readouterr()
    feedback.hint("wrong")
    assert "mal sich selbst" in capsys.readouterr().out

    def stub(x):
        raise NotImplementedError("Hier fehlt noch deine Lösung")

    with pytest.raises(feedback.ExerciseNotSolved, match="noch nicht gelöst"):
        feedback.check_function(stub, [((1,), 1)])

    def broken(x):
        return [1, 2][x]

    with pytest.raises(feedback.ExerciseWrong, match="IndexError"):
        feedback.check_function(broken, [((5,), 1)])


def test_hints_come_one_step_at_a_time(capsys):
    def eps(x):
        return 0

    with pytest.raises(feedback.ExerciseWrong):
        feedback.check_function(eps, [((1,), 1)], hint=["Denkanstoß", "genauer", "der Code"])
    capsys.readouterr()
    shown = []
    for _ in range(4):
        feedback.hint("eps")
        shown.append(capsys.readouterr().out)
    assert "Tipp 1 von 3" in shown[0] and "Denkanstoß" in shown[0] and "genauer" not in shown[0]
    assert "noch einmal" in shown[0] and "Tipp 2 von 3" in shown[1] and "genauer" in shown[1]
    assert "Tipp 3 von 3" in shown[2] and "der Code" in shown[2] and "noch einmal" not in shown[2]
    assert "Tipp 3 von 3" in shown[3], "danach bleibt der letzte Tipp stehen"


def test_cartpole_policy_check_measures_the_goal(capsys):
    def angle_only(obs):
        return int(obs[2] > 0)

    with pytest.raises(
        feedback.ExerciseWrong, match=r"`angle_only` hält den Stab im Mittel \d+,\d Schritte.*mindestens 300"
    ):
        feedback.check_cartpole_policy(angle_only, goal=300)

    def leans(obs):
        return int(obs[2] + 0.5 * obs[3] > 0)

    assert feedback.check_cartpole_policy(leans, goal=300) >= 300
    assert "Geschafft" in capsys.readouterr().out

    def says_true(obs):
        return obs[2] > 0

    with pytest.raises(feedback.ExerciseWrong, match="ganzen Zahlen 0 .links. und 1"):
        feedback.check_cartpole_policy(says_true)

    def stub(obs):
        raise NotImplementedError

    with pytest.raises(feedback.ExerciseNotSolved):
        feedback.check_cartpole_policy(stub)


def test_check_function_compares_arrays_with_shape():
    import numpy as np

    feedback.check_function(lambda: np.array([0.1 + 0.2]), [((), [0.3])])
    with pytest.raises(feedback.ExerciseWrong):
        feedback.check_function(lambda: np.array([[0.3]]), [((), [0.3])])


def test_check_function_compares_dicts_and_mixed_tuples():
    facts = {"params": 114, "shape": (3, 2), "masked": True}
    feedback.check_function(lambda: dict(facts, params=114.0000001), [((), facts)])
    for wrong in (dict(facts, shape=(2, 3)), dict(facts, masked=False), {"params": 114}):
        with pytest.raises(feedback.ExerciseWrong):
            feedback.check_function(lambda: wrong, [((), facts)])
    feedback.check_function(lambda: (1, (3, 2), "q"), [((), (1, (3, 2), "q"))])
    with pytest.raises(feedback.ExerciseWrong):
        feedback.check_function(lambda: (1, (3, 2)), [((), (1, (3, 2), "q"))])


@pytest.mark.parametrize("cwd", ["notebooks", "tests", "."])
def test_helper_notebooks_import_silently_from_every_folder(cwd):
    """`import Ringbuffer, utils` klappt überall und führt nur Definitionen aus (keine Ausgabe)."""
    code = (
        "import sys, pathlib; sys.path.insert(0, str(pathlib.Path(r'%s')));"
        "import course; course.setup(); import Ringbuffer, utils;"
        "assert Ringbuffer.__name__ == 'Ringbuffer' and hasattr(utils, 'LivePlot');"
        "import matplotlib.pyplot as plt; assert plt.get_fignums() == []" % course.ROOT
    )
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code], cwd=course.ROOT / cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    gif = course.ROOT / cwd / "zufall.gif"
    assert not gif.exists() or gif.stat().st_mtime < started  # die Demo lief nicht


def test_package_versions_lists_installed_and_skips_missing():
    import numpy as np

    assert provenance.package_versions(("numpy", "gibt-es-nicht-xyz")) == {"numpy": np.__version__}


def test_write_json_atomic_round_trip_without_leftovers(tmp_path):
    import json

    path = tmp_path / "neu" / "ergebnis.json"
    course.write_json_atomic(path, {"ertrag": 475.0, "name": "Stab"})
    course.write_json_atomic(path, {"ertrag": 500.0, "name": "Stab über"})  # überschreibt ganz
    assert json.loads(path.read_text(encoding="utf-8")) == {"ertrag": 500.0, "name": "Stab über"}
    assert "Stab über" in path.read_text(encoding="utf-8")  # Umlaute bleiben lesbar
    assert [p.name for p in path.parent.iterdir()] == ["ergebnis.json"]


def test_check_feedback_for_crashes_and_wrong_types_is_german_and_short():
    def crashes(x):
        values = [1, 2]
        return values[x]

    with pytest.raises(feedback.ExerciseWrong) as failed:
        feedback.check_function(crashes, [((5,), 1)])
    text = "\n".join(failed.value._render_traceback_())
    assert "IndexError" in text and "return values[x]" in text, text  # die eigene Zeile der Lernenden
    assert "Traceback" not in text and "course.py" not in text
    assert failed.value.__cause__ is None

    def gives_text(x):
        return "0.5"

    with pytest.raises(feedback.ExerciseWrong, match=r"ergibt aber '0.5' \(ein str"):
        feedback.check_function(gives_text, [((1,), 0.5)])


def test_an_endless_loop_stops_after_the_time_limit(monkeypatch):
    monkeypatch.setattr(feedback, "EXERCISE_TIME_LIMIT", 0.3)

    def loops_forever(x):
        while x > 0:
            try:
                x += 1
            except Exception:  # auch ein breites `except` der Lernenden hält den Abbruch nicht auf
                pass

    with pytest.raises(feedback.ExerciseWrong, match=r"nach 0.3 s noch nicht fertig.*Endlosschleife"):
        feedback.check_function(loops_forever, [((1,), 1)])
    feedback.check_function(lambda x: x, [((1,), 1)])  # danach ist kein Alarm mehr gestellt
    import time

    time.sleep(0.5)


@pytest.mark.parametrize(
    "code",
    [
        "import course; course.setup(); import keras",  # im Notebook nach der ersten Zelle: auch `import keras` selbst
        "import course; import dqn as keras",  # ein Modul (Skript, Test) ohne setup(): dqn lädt Keras leise
    ],
    ids=["nach setup", "dqn ohne setup"],
)
def test_importing_keras_writes_nothing_to_stderr(code):
    """#19: TensorFlow schreibt beim Import an TF_CPP_MIN_LOG_LEVEL vorbei auf stderr (oneDNN, absl, „rebuild
    TensorFlow“); im Notebook stünde das rot unter der Import-Zelle. Nach `course.setup()` und beim Import von dqn
    bleibt stderr leer; die Paketprüfung selbst lädt TensorFlow nicht."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    code = (
        "import sys, course; assert not course.missing_modules(); "
        "assert 'tensorflow' not in sys.modules, 'Paketprüfung importiert TensorFlow'\n"
        f"{code}; import keras; print(keras.backend.backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=course.ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "tensorflow", out.stderr[-2000:]
    assert out.stderr == "", out.stderr


def test_stale_cell_only_when_saved_after_the_last_run_and_different():
    stub = "def bellman_target(r):\n    raise NotImplementedError\n"
    run_source = "def bellman_target(r):\n    return r\n"
    edited = "def bellman_target(r):\n    return 2 * r\n"
    other = "x = 1\n"
    run = (100.0, 7, run_source)
    # #34: Lösung in den Platzhalter getippt und ausgeführt, ohne zu speichern: Die Datei (älter) hält den Platzhalter
    assert feedback.stale_cell("bellman_target", [other, stub], 90.0, run) is None
    # ausgeführt, danach (auto)gespeichert, dieselbe Fassung: nichts zu melden
    assert feedback.stale_cell("bellman_target", [other, run_source + "\n"], 130.0, run) is None
    # geändert und gespeichert, aber nicht ausgeführt: die gespeicherte Fassung lief nie
    assert feedback.stale_cell("bellman_target", [other, edited], 130.0, run) == edited
    # ohne Aufzeichnung (Hook nicht eingerichtet) kein Alarm; eine Zelle, die den Namen nur benutzt, zählt nicht
    assert feedback.stale_cell("bellman_target", [other, edited], 130.0, None) is None
    half_typed = ["y = bellman_target(3)\n", "def bellman_target(:\n"]
    assert feedback.stale_cell("bellman_target", half_typed, 130.0, run) is None


def test_last_run_finds_the_latest_cell_that_defines_the_name():
    runs = [
        (1.0, 1, "import numpy"),
        (2.0, 2, "def f(x):\n    return x\n"),
        (3.0, 3, "f(2)"),
        (4.0, 4, "def f(x):\n    return 2 * x\n"),
        (5.0, 5, "def g():\n    pass\n"),
    ]
    assert feedback.last_run("f", runs) == runs[3]
    assert feedback.last_run("h", runs) is None


def _fake_notebook(tmp_path, monkeypatch, saved_source):
    import types

    notebook = tmp_path / "lektion.ipynb"
    cells = [{"cell_type": "code", "source": saved_source, "metadata": {}, "outputs": []}]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(execution_count=4)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    monkeypatch.setattr(course, "_CELL_RUNS", [])
    return notebook


def _ran(source, at):
    import types

    course._record_cell_run(types.SimpleNamespace(raw_cell=source, store_history=False))
    course._CELL_RUNS[-1] = (at, *course._CELL_RUNS[-1][1:])


def test_check_function_stops_when_the_exercise_cell_was_saved_changed_since_its_last_run(tmp_path, monkeypatch):
    """Im Notebook (JPY_SESSION_NAME und der Hook vor jeder Zelle): ✋ nur, wenn nach der Ausführung geändert
    gespeichert wurde; sonst prüft die Prüfung, was lief, und nennt diese Fassung."""
    import os

    notebook = _fake_notebook(tmp_path, monkeypatch, "def double(x):\n    return 2 * x\n")
    saved_at = notebook.stat().st_mtime

    def double(x):
        return x

    _ran("def double(x):\n    return x\n", saved_at - 60)  # lief vor dem Speichern der geänderten Fassung
    with pytest.raises(feedback.ExerciseNotSolved, match="hat sich geändert, seit du sie zuletzt ausgeführt hast"):
        feedback.check_function(double, [((2,), 4)])
    _ran("def double(x):\n    return x\n", saved_at + 60)  # noch einmal ausgeführt: geprüft wird, was lief
    with pytest.raises(
        feedback.ExerciseWrong,
        match=r"Geprüft wurde die Fassung von `double` aus Zelle \[4\].*"
        r"letzte Zeile `return x`",
    ):
        feedback.check_function(double, [((2,), 4)])
    # getippt und ausgeführt, nie gespeichert (die Datei hält den Platzhalter): kein Alarm, sondern ✅
    os.utime(notebook, (saved_at - 600, saved_at - 600))
    notebook.write_text(notebook.read_text().replace("return 2 * x", "raise NotImplementedError"))
    os.utime(notebook, (saved_at - 600, saved_at - 600))

    def double(x):  # noqa: F811 - die getippte Lösung
        return 2 * x

    _ran("def double(x):\n    return 2 * x\n", saved_at)
    feedback.check_function(double, [((2,), 4)])


def test_feedback_is_one_html_box_with_the_right_colour_and_escaped_code():
    box = course.feedback_html("❌ `f(<1>)` sollte 2 ergeben")
    assert box.startswith('<div class="workshop-feedback"') and "#c62828" in box
    assert "<code>f(&lt;1&gt;)</code>" in box and "Traceback" not in box
    assert "#2e7d32" in course.feedback_html("✅ Richtig!") and "#f9a825" in course.feedback_html("✋ noch nicht")
    # außerhalb eines Notebooks bleibt es Text, ohne Traceback aus course.py
    assert feedback.ExerciseWrong("❌ falsch\nzweite Zeile")._render_traceback_() == ["❌ falsch", "zweite Zeile"]


def test_only_the_workshops_helper_notebooks_can_be_imported(tmp_path, monkeypatch):
    """#35: ein `pandas.ipynb` im Übungsordner wurde durch `import pandas` (irgendwo in einer Bibliothek) ausgeführt."""
    import importlib

    marker = tmp_path / "ausgefuehrt.txt"
    for name in ("pandas_probe_lib", "utils_kopie"):
        cell = {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": f"open({str(marker)!r}, 'a').write('{name}')",
        }
        (tmp_path / f"{name}.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for name in ("pandas_probe_lib", "utils_kopie"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(name)
    assert not marker.exists()
    finder = course.NotebookFinder()
    assert finder.find_spec("Ringbuffer").origin == str(course.ROOT / "Ringbuffer.ipynb")
    assert finder.find_spec("utils").origin == str(course.ROOT / "utils.ipynb")
    assert finder.find_spec("ringbuffer") is None and finder.find_spec("pandas") is None


def test_learning_step_and_training_checks_name_the_fact_that_failed():
    """#37: Ein falscher Lernschritt oder eine falsche Schleife bekommt benannte Tatsachen statt „sollte True ergeben“:
    welche Maske, welche Ziele, wie oft `train_on_batch`, wie oft das Target-Netz kopiert wurde."""
    import numpy as np

    import checks
    import dqn
    import feedback

    def wrong_step(train_model, target_model, replay_memory, config, online_copy=None):
        obs, actions, rewards, next_obs, terminated = replay_memory.sample(config.batch_size)
        next_q_values = online_copy.predict_on_batch(next_obs)  # Online- statt Target-Netz
        targets = dqn.bellman_target(rewards, next_q_values, terminated, config.gamma)
        mask = dqn.one_hot(np.zeros_like(actions), next_q_values.shape[1])  # Maske wählt überall Aktion 0
        return float(np.asarray(train_model.train_on_batch([obs, mask], mask * targets[:, None])).ravel()[0])

    wrong_step.__name__ = "learning_step"
    with pytest.raises(feedback.ExerciseWrong) as wrong:
        checks.learning_step(wrong_step)
    assert "Maske: eine Eins je Zeile, bei der gezogenen Aktion: erwartet True, ist False" in str(wrong.value)
    assert "Ziele (Maske × Bellman-Ziel mit dem Target-Netz): erwartet True, ist False" in str(wrong.value)
    assert "Aufrufe von train_on_batch" not in str(wrong.value)  # der Aufruf selbst stimmte

    def no_copies(config, seed=0, progress=True):  # wie dqn.train, aber das Target-Netz wird nie kopiert
        return dqn.with_parts(dqn.train, update_target=lambda target_model, online_model, tau=1.0: None)(
            config, seed=seed, progress=progress
        )

    no_copies.__name__ = "train"
    with pytest.raises(feedback.ExerciseWrong) as wrong:
        checks.train(no_copies)
    assert "Kopien des Target-Netzes (update_target): erwartet 15, ist 0" in str(wrong.value)
    checks.learning_step(dqn.learning_step)
    checks.train(dqn.train)


def _lesson_cell(lesson, starts_with):
    notebook = json.loads((course.ROOT / "notebooks" / lesson).read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    return sources, next(i for i, source in enumerate(sources) if source.startswith(starts_with))


@pytest.mark.parametrize("still_buggy", ["kim_bellman_target", "kim_learning_step", "kim_update_target"])
def test_bug_hunt_check_names_each_planted_bug_and_passes_the_fixed_agent(still_buggy, capsys):
    """#37: Kims Agent (Lektion 4) hat drei Fehler. Die Prüfung erkennt jeden, auch wenn die beiden anderen schon
    behoben sind, nennt nur ihn als „noch da“ und bestätigt die anderen; die Musterlösung besteht sie."""
    import numpy as np

    import checks
    import dqn

    sources, kim = _lesson_cell("04_Target_Netzwerk_Acrobot.ipynb", "# Kims Bausteine")
    assert "checks.bug_hunt(kim_bellman_target, kim_learning_step, kim_update_target)" in sources[kim + 4]
    buggy, fixed = {"dqn": dqn, "np": np}, {"dqn": dqn, "np": np}
    exec(sources[kim], buggy)
    exec(sources[kim + 3], fixed)  # die Lösungszelle (in notebooks/ mit Lösung)
    names = ["kim_bellman_target", "kim_learning_step", "kim_update_target"]
    checks.bug_hunt(*(fixed[name] for name in names))
    assert "✅ Richtig! `bug_hunt` besteht die Prüfung." in capsys.readouterr().out

    mixed = dict(fixed, **{still_buggy: buggy[still_buggy]})
    with pytest.raises(feedback.ExerciseWrong) as wrong:
        checks.bug_hunt(*(mixed[name] for name in names))
    message = str(wrong.value)
    label = {
        "kim_bellman_target": "Fehler im Bellman-Ziel",
        "kim_learning_step": "Fehler im Lernschritt",
        "kim_update_target": "Fehler beim Target-Netz",
    }
    assert "stimmt in 1 von 3 Punkten nicht" in message
    assert f"{label[still_buggy]}: erwartet 'behoben', ist 'noch da:" in message
    assert "Schon behoben (2 von 3)" in capsys.readouterr().out


def test_the_probes_find_kims_bugs_and_pass_once_fixed():
    """#37: Die Prüfumgebungen scheitern an Kims Agent und bestehen mit der Lösung; so findet man die Fehler."""
    import dqn
    import probes

    sources, kim = _lesson_cell("04_Target_Netzwerk_Acrobot.ipynb", "# Kims Bausteine")
    import numpy as np

    buggy, fixed = {"dqn": dqn, "np": np}, {"dqn": dqn, "np": np}
    exec(sources[kim], buggy)
    exec(sources[kim + 3], fixed)

    def passed(parts):
        train = dqn.with_parts(
            dqn.train, learning_step=parts["kim_learning_step"], update_target=parts["kim_update_target"]
        )
        return [result.passed for result in probes.run_probes(train)]

    assert not all(passed(buggy))
    assert all(passed(fixed))


def test_checks_record_their_outcome_beside_the_exercise_and_progress_shows_it(tmp_path, monkeypatch, capsys):
    """#37: Jede Prüfung schreibt ihr Ergebnis neben die Übungsdatei (fortschritt.json); `course.progress()` zeigt
    daraus je Lektion, was gelöst ist und womit es weitergeht. In notebooks/ (Lösungen) und in eine fremde Datei
    gleichen Namens wird nichts geschrieben."""
    import numpy as np

    import checks

    exercise = tmp_path / "uebungen" / "00_Einfuehrung_Jupyter_Python_NumPy.ipynb"
    exercise.parent.mkdir()
    stamp = {
        "metadata": {"workshop": {"generated_sources_sha256": "0" * 64}},
        "cells": [],
    }  # wie workshop.py sie erzeugt
    exercise.write_text(json.dumps(stamp), encoding="utf-8")
    monkeypatch.setattr(course, "notebook_path", lambda: exercise)

    def count_actions(actions):
        counts = {}
        for action in actions:
            counts[action] = counts.get(action, 0) + 1
        return counts

    def best_actions(q_values):
        return np.argmin(q_values, axis=1)  # falsch: der kleinste statt der größte Wert

    checks.count_actions(count_actions)
    with pytest.raises(feedback.ExerciseWrong):
        checks.best_actions(best_actions)
    stored = json.loads((exercise.parent / "fortschritt.json").read_text(encoding="utf-8"))
    assert stored[exercise.name]["count_actions"]["verdict"] == "gelöst"
    assert stored[exercise.name]["best_actions"]["verdict"] == "falsch"
    capsys.readouterr()
    course.progress(exercise.parent)
    shown = capsys.readouterr().out
    assert "00_Einfuehrung_Jupyter_Python_NumPy: 1 von 3 gelöst" in shown
    assert "✅ Übung 1: Aktionen zählen (zuletzt gelöst," in shown
    assert "❌ Übung 2: Beste Aktionen (zuletzt falsch," in shown
    assert "· Übung 3: One-Hot für einen Stapel von Aktionen (noch nicht geprüft)" in shown
    assert "03_DQN_CartPole: 0 von 7 gelöst" in shown
    assert shown.strip().endswith("Weiter mit: 00_Einfuehrung_Jupyter_Python_NumPy, Übung 2: Beste Aktionen.")

    solutions = tmp_path / "notebooks"  # eine Lektion mit Lösungen: ohne Fingerabdruck einer Übungsversion
    solutions.mkdir()
    (solutions / exercise.name).write_bytes((course.NOTEBOOK_DIR / exercise.name).read_bytes())
    monkeypatch.setattr(course, "notebook_path", lambda: solutions / exercise.name)
    checks.count_actions(count_actions)
    assert not (solutions / "fortschritt.json").exists()
    foreign = tmp_path / "eigenes"
    foreign.mkdir()
    (foreign / "fortschritt.json").write_text('{"mein": "Tagebuch"}', encoding="utf-8")
    (foreign / exercise.name).write_text(json.dumps(stamp), encoding="utf-8")
    monkeypatch.setattr(course, "notebook_path", lambda: foreign / exercise.name)
    checks.count_actions(count_actions)
    assert (foreign / "fortschritt.json").read_text(encoding="utf-8") == '{"mein": "Tagebuch"}'
    capsys.readouterr()
    course.progress(tmp_path / "leer")
    assert "Noch keine Prüfung gelaufen" in capsys.readouterr().out


def test_every_check_is_named_after_what_its_exercise_writes():
    """#36: `checks.X(...)` heißt wie eine Funktion oder Klasse, die die Übungszelle darüber schreibt
    (`checks.ReplayMemory(ReplayMemory)`, nicht `checks.replay_memory`). Einzige Ausnahme ist die Fehlersuche in
    Lektion 4: Sie prüft drei Funktionen aus Kims Agent und heißt nach der Übung, `checks.bug_hunt`."""
    import checks
    import workshop

    checked = 0
    for path in sorted(course.NOTEBOOK_DIR.glob("*.ipynb")):
        sources = ["".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]]
        for index, source in enumerate(sources):
            check = workshop.check_name(source)
            if check is None:
                continue
            assert callable(getattr(checks, check, None)), f"{path.name}: checks.{check} fehlt"
            exercise = next(s for s in reversed(sources[:index]) if workshop.SOLUTION_BEGIN in s)
            if check != "bug_hunt":
                assert check in workshop.defined_names(exercise, functions_only=True), (path.name, check)
            checked += 1
    assert checked >= 20
