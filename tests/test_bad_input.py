"""Falsche Eingaben (#18): Jede gibt eine deutsche Meldung, die sagt, was zu tun ist, und keine Datei geht verloren.

Jeder Fall ist eine kleine Funktion, die etwas Falsches tut, wie es Teilnehmende tun (Text statt Zahl, falsche
Umgebung, fremder Ordner, Zelle übersprungen …). Geprüft wird für jeden Fall:
- die Meldung enthält den erwarteten Satzteil und ist deutsch (keine rohe Python-, NumPy- oder Keras-Meldung);
- Skripte enden mit Code 2 und einer Zeile »Fehler: …«, ohne Traceback;
- keine Datei in models/ und im Arbeitsordner (mit einer Notiz der Nutzerin darin) wurde geändert, gelöscht oder
  hinzugefügt.
"""

import hashlib
import io
import json
import math
import re
from contextlib import redirect_stderr
from pathlib import Path

import numpy as np
import pytest

import course
import dqn
import Ringbuffer

GERMAN_WORDS = set(
    "der die das ist sind nicht muss ein eine und oder mit gibt kein es für als nur noch zu hat wird auf im du aber "
    "dann hier ich nach vor über kann erst zuerst keinen".split()
)


def looks_german(text):
    return len(GERMAN_WORDS & set(re.findall(r"\w+", text.lower()))) >= 2


def snapshot(*folders):
    """{Pfad: Inhalt-Hash} aller Dateien und Ordner unter `folders` (Ordner mit None)."""
    state = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return state


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Ein Arbeitsordner mit einer Notiz der Nutzerin; nach dem Fall ist dort und in models/ alles wie vorher."""
    notes = tmp_path / "notizen"
    notes.mkdir()
    (notes / "wichtig.txt").write_text("meine Notiz", encoding="utf-8")
    (tmp_path / "kaputt.keras").write_bytes(b"keine Keras-Datei")
    (tmp_path / "halb").mkdir()
    (tmp_path / "halb" / "model.keras").write_bytes(b"halber Checkpoint")
    (tmp_path / "datei").write_text("eine Datei, kein Ordner", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path, course.MODEL_DIR)
    yield tmp_path
    assert snapshot(tmp_path, course.MODEL_DIR) == before, "eine falsche Eingabe hat Dateien verändert"


def memory(capacity=8):
    return Ringbuffer.ReplayMemory(capacity, (4,), np.float32, seed=0)


def obs():
    return np.zeros(4, np.float32)


def acrobot_models():
    return dqn.load_model(course.MODEL_DIR / "acrobot.keras")


def cli(script, *argv):
    """Ruft `script.main(argv)` auf; erwartet Code 2 und gibt stderr zurück (als Meldung des Falls)."""
    import importlib

    module = importlib.import_module(script)
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        module.main(list(argv))
    assert exit_info.value.code == 2, err.getvalue()
    text = err.getvalue()
    assert "Traceback" not in text and "Fehler" in text, text
    raise course.InputError(text)  # damit der Fall wie alle anderen geprüft wird


SMALL = ["--steps", "120", "--set", "memory_size=2000", "--set", "learning_starts=100", "--set", "eval_every=0"]


def breakout(tmp, *argv):
    cli("train_breakout", *argv)


# (Name, Fall(tmp), erwarteter Satzteil der Meldung)
CASES = [
    # Hyperparameter: Typen
    ("gamma als Text", lambda t: dqn.DQNConfig(gamma="0.9"), "ohne Anführungszeichen"),
    ("hidden_units als Zahl", lambda t: dqn.DQNConfig(hidden_units=64), "(64,)"),
    ("total_steps als Text", lambda t: dqn.DQNConfig(total_steps="1000"), "ganze Zahl"),
    ("total_steps als Bruch", lambda t: dqn.DQNConfig(total_steps=1000.5), "ganze Zahl"),
    ("learning_rate None", lambda t: dqn.DQNConfig(learning_rate=None), "Zahl sein"),
    ("double_dqn als Text", lambda t: dqn.DQNConfig(double_dqn="ja"), "True oder False"),
    ("gamma NaN", lambda t: dqn.DQNConfig(gamma=math.nan), "endliche"),
    ("Schicht mit 0 Neuronen", lambda t: dqn.DQNConfig(hidden_units=(64, 0)), "Schichtgrößen"),
    ("env_id als Zahl", lambda t: dqn.DQNConfig(env_id=1), "Text"),
    # Hyperparameter: Wertebereiche und Budgets
    ("gamma über 1", lambda t: dqn.DQNConfig(gamma=1.5), "zwischen 0 und 1"),
    ("epsilon_end negativ", lambda t: dqn.DQNConfig(epsilon_end=-0.1), "zwischen 0 und 1"),
    ("Lernrate 0", lambda t: dqn.DQNConfig(learning_rate=0), "positiv"),
    ("huber_delta 0", lambda t: dqn.DQNConfig(huber_delta=0), "lernt das Netz nichts"),
    ("tau 0", lambda t: dqn.DQNConfig(tau=0.0), "(0, 1]"),
    ("learning_starts > total_steps", lambda t: dqn.DQNConfig(total_steps=500), "bevor der erste Lernschritt"),
    ("learning_starts < batch_size", lambda t: dqn.DQNConfig(batch_size=2048), "mehr Übergänge"),
    ("eval_episodes 0", lambda t: dqn.DQNConfig(eval_episodes=0), "mindestens 1"),
    ("negatives Target-Intervall", lambda t: dqn.DQNConfig(target_update_every=-5), "mindestens 0"),
    ("Speicher kleiner als Stapel", lambda t: dqn.DQNConfig(memory_size=64), "kleiner als ein Stapel"),
    ("Preset für unbekannte Umgebung", lambda t: dqn.preset("Pong-v5"), "keine abgestimmten"),
    ("Preset mit Tippfehler", lambda t: dqn.preset("CartPole-v1", gama=0.9), "Meintest du gamma?"),
    ("Konfiguration mit Tippfehler", lambda t: dqn.DQNConfig(epsilon_decay=100), "Meintest du epsilon_decay_steps?"),
    # Breakout-Hyperparameter (dieselbe Prüfung)
    ("Atari: winziger Speicher", lambda t: __import__("atari").AtariConfig(memory_size=3), "mindestens 6"),
    ("Atari: Target nie", lambda t: __import__("atari").AtariConfig(target_update_every=0), "mindestens 1"),
    ("Atari: Schritte als Text", lambda t: __import__("atari").AtariConfig(total_steps="2e6"), "ganze Zahl"),
    # Umgebungen
    ("Tippfehler im Umgebungsnamen", lambda t: dqn.make_env("CartPol-v1"), "kennt Gymnasium nicht"),
    (
        "kontinuierliche Aktionen (Pendulum)",
        lambda t: dqn.train(dqn.DQNConfig(env_id="Pendulum-v1"), progress=False),
        "kontinuierliche Aktionen",
    ),
    (
        "Beobachtung als Zahl (FrozenLake)",
        lambda t: dqn.train(dqn.DQNConfig(env_id="FrozenLake-v1"), progress=False),
        "Q-Tabelle aus Lektion 2",
    ),
    # Modelle
    ("Modell der falschen Umgebung", lambda t: dqn.evaluate(acrobot_models()[1], "CartPole-v1", 2), "passt nicht"),
    (
        "eigenes Netz der falschen Umgebung",
        lambda t: dqn.train(dqn.preset("CartPole-v1"), models=acrobot_models(), progress=False),
        "passt nicht",
    ),
    ("Modell gibt es nicht", lambda t: dqn.load_model(t / "fehlt.keras"), "gibt es nicht"),
    ("Modell beschädigt (bleibt liegen)", lambda t: dqn.load_model(t / "kaputt.keras"), "beschädigt"),
    # Erfahrungsspeicher
    ("Kapazität 0", lambda t: memory(0), "mindestens 1"),
    ("Speicher größer als der Arbeitsspeicher", lambda t: Ringbuffer.ReplayMemory(10**11, (8,)), "frei sind nur"),
    ("Bildspeicher zu groß", lambda t: Ringbuffer.FrameReplayMemory(10**9), "frei sind nur"),
    ("Belohnung NaN", lambda t: memory().add(obs(), 0, math.nan, obs(), False), "NaN"),
    ("Belohnung None", lambda t: memory().add(obs(), 0, None, obs(), False), "Zahl"),
    ("Beobachtung falscher Form", lambda t: memory().add(np.zeros(3), 0, 1.0, obs(), False), "Form"),
    ("Stapel größer als Inhalt", lambda t: memory().sample(4), "erst"),
    (
        "Bilder als Kommazahlen",
        lambda t: Ringbuffer.FrameReplayMemory(16, (2, 2)).add(np.zeros((4, 2, 2)), 0, 1.0, np.zeros((4, 2, 2)), False),
        "uint8",
    ),
    # Logs, Checkpoints, Skripte
    ("Log-Ordner unter einer Datei", lambda t: __import__("tensorboard_logging").Logger(t / "datei" / "lauf"), "Datei"),
    (
        "fremder Ordner als Checkpoint",
        lambda t: breakout(t, "--checkpoint-dir", str(t / "notizen"), *SMALL),
        "kein Checkpoint",
    ),
    (
        "Checkpoint ohne state.json",
        lambda t: breakout(t, "--checkpoint-dir", str(t / "halb"), *SMALL),
        "unvollständig",
    ),
    (
        "Export ohne Checkpoint",
        lambda t: breakout(t, "--export", "--checkpoint-dir", str(t / "leer"), "--out", str(t / "x")),
        "kein Checkpoint",
    ),
    (
        "Modell übernehmen in vollen Ordner",
        lambda t: breakout(t, "--from-model", str(course.MODEL_DIR / "breakout.keras"), "--checkpoint-dir", str(t)),
        "nicht leer",
    ),
    ("--set mit Tippfehler", lambda t: breakout(t, "--set", "gama=0.9"), "Meintest du gamma?"),
    ("--set ohne Wert", lambda t: breakout(t, "--set", "gamma=abc"), "kein Wert"),
    ("--set mit Text", lambda t: breakout(t, "--set", 'gamma="0.9"', "--checkpoint-dir", str(t / "n")), "Zahl"),
    ("--hours 0", lambda t: breakout(t, "--hours", "0"), "größer als 0"),
    ("--steps kein Wert", lambda t: breakout(t, "--steps", "viele"), "kein gültiger Wert"),
    ("train_agent: unbekannte Umgebung", lambda t: cli("train_agent", "Pendel"), "gibt es nicht"),
    ("train_agent: --set mit Tippfehler", lambda t: cli("train_agent", "Acrobot-v1", "--set", "gama=0.9"), "gamma?"),
    ("train_agent: --set ohne Wert", lambda t: cli("train_agent", "Acrobot-v1", "--set", "gamma=abc"), "kein Wert"),
    ("train_agent: 0 Episoden", lambda t: cli("train_agent", "CartPole-v1", "--eval-episodes", "0"), "mindestens 1"),
    ("workshop.py: Tippfehler im Befehl", lambda t: cli("workshop", "stat"), "gibt es nicht"),
    # Notebook
    ("Baustein mit Tippfehler", lambda t: dqn.with_parts(dqn.train, learning_stpe=print), "Meintest du learning_step?"),
]


def raise_missing_name(tmp):
    message = course.missing_name_message("config", "03_DQN_CartPole.ipynb")
    raise course.InputError(message)


def raise_empty_gif(tmp):
    import utils

    utils.show_frames([])


def elsewhere(name):
    """Eine Datei außerhalb des Arbeitsordners (dessen Inhalt prüft der Fall auf Unverändertheit)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="eingabe-")) / name


def model_without_q_values(tmp):
    import keras

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, name="ausgabe")(inputs))
    path = elsewhere("ohne_q.keras")
    model.save(path)
    dqn.load_model(path)


def model_with_lambda(tmp):
    import keras

    inputs = keras.Input((4,))
    outputs = keras.layers.Lambda(lambda x: x * 2, name="code")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="q_values")(outputs))
    path = elsewhere("mit_code.keras")
    model.save(path)
    dqn.load_model(path)


class FullDisk:
    """Ein Netz, dessen Speichern wie auf einer vollen Platte abbricht: eine leere Datei, dann Errno 28."""

    def save(self, path):
        Path(path).write_bytes(b"")
        raise OSError(28, "No space left on device")


def strip_broken_notebook(tmp):
    import workshop

    broken = elsewhere("kaputt.ipynb")
    broken.write_text('{"cells": [', encoding="utf-8")
    workshop.strip_outputs(broken)


CASES += [
    ("Zelle übersprungen: fehlender Name", raise_missing_name, "Run All Above"),
    ("leere Bilderliste", raise_empty_gif, "leer"),
    # Runde 3 (#35): Meldungen, die roh waren
    (
        "Breakout-Agent aus einem CartPole-Modell",
        lambda t: dqn.load_shipped("cartpole", env_id=__import__("atari").BREAKOUT_ID),
        "passt nicht zu »Workshop/Breakout-v0«",
    ),
    ("Modell ohne q_values-Schicht", model_without_q_values, "keine Schicht »q_values«"),
    ("Modell mit eingebettetem Code", model_with_lambda, "eingebetteten Python-Code"),
    ("Modell speichern auf voller Platte", lambda t: dqn.save_model(FullDisk(), t / "notizen" / "a.keras"), "voll"),
    ("Kapazität als Wort", lambda t: memory("zehn"), "ganze Zahl"),
    ("Kapazität None", lambda t: memory(None), "ganze Zahl"),
    ("Kapazität 2,7", lambda t: memory(2.7), "ganze Zahl"),
    ("Bildspeicher-Kapazität als Text", lambda t: Ringbuffer.FrameReplayMemory("1e6"), "ganze Zahl"),
    ("Aktion als Wort", lambda t: memory().add(obs(), "links", 1.0, obs(), False), "Nummer der Aktion"),
    (
        "Stapelgröße 2,5",
        lambda t: [memory().add(obs(), 0, 1.0, obs(), False) for _ in range(4)] and memory().sample(2.5),
        "ganze Zahl",
    ),
    ("strip: Notebook ohne gültiges JSON", strip_broken_notebook, "kein gültiges Notebook-JSON"),
]


@pytest.mark.parametrize("case, expected", [(case, expected) for _, case, expected in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_german_message_and_loses_nothing(workdir, case, expected):
    with pytest.raises(Exception) as info:
        case(workdir)
    message = str(info.value)
    assert expected in message, message
    assert looks_german(message), message
    # unsere Meldungen sind InputError (im Notebook ohne Traceback) oder tragen einen deutschen Text
    import workshop

    ours = (course.InputError, FileNotFoundError, FileExistsError, workshop.BrokenNotebook)
    assert isinstance(info.value, ours), type(info.value)


def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


def test_input_error_shows_no_traceback_in_a_notebook():
    error = course.InputError("`gamma` muss zwischen 0 und 1 liegen.\nzweite Zeile")
    assert error._render_traceback_() == ["⚠️ `gamma` muss zwischen 0 und 1 liegen.", "zweite Zeile"]


def test_missing_name_points_to_the_defining_cell_only_for_lesson_names():
    message = course.missing_name_message("bellman_target", "03_DQN_CartPole.ipynb")
    assert "def bellman_target" in message and "03_DQN_CartPole" in message
    assert course.missing_name_message("gibt_es_nirgends") is None  # Tippfehler: normaler NameError
    assert json.dumps(message)  # eine Zeichenkette, keine Ausnahme


def test_in_a_notebook_the_message_comes_without_traceback(tmp_path):
    """Im Kernel: ein übersprungener Name und eine falsche Konfiguration zeigen nur die deutsche Meldung."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {str(course.ROOT)!r})\nimport course\ncourse.setup()\nimport dqn"
        ),
        nbformat.v4.new_code_cell("print(config)"),
        nbformat.v4.new_code_cell("dqn.DQNConfig(gamma=2)"),
        nbformat.v4.new_code_cell("print(gibt_es_nirgends)"),
    ]
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env={**__import__("os").environ, "JPY_SESSION_NAME": str(course.NOTEBOOK_DIR / "03_DQN_CartPole.ipynb")})
    assert not notebook.cells[0].outputs, notebook.cells[0].outputs
    shown = ["\n".join(cell.outputs[0]["traceback"]) for cell in notebook.cells[1:]]
    assert "SEED = 0" in shown[0] and "Run All Above" in shown[0], shown[0]
    assert shown[1].startswith("⚠️ Ungültige Hyperparameter") and "zwischen 0 und 1" in shown[1], shown[1]
    for text in shown[:2]:
        assert "Traceback" not in text and "course.py" not in text and "dqn.py" not in text, text
    assert "NameError" in shown[2]  # ein Tippfehler ohne Lektionszelle: der gewohnte Fehler


def test_a_full_disk_leaves_no_half_file(workdir):
    """dqn.save_model auf voller Platte: keine 0-Byte-`.tmp.keras` bleibt liegen, eine vorige Fassung bleibt ganz."""
    target = workdir / "notizen" / "wichtig.txt"  # eine vorige Fassung unter dem Zielnamen
    with pytest.raises(course.InputError, match="unverändert"):
        dqn.save_model(FullDisk(), target)
    assert target.read_text(encoding="utf-8") == "meine Notiz"
    assert sorted(p.name for p in target.parent.iterdir()) == ["wichtig.txt"]


def test_writing_a_lesson_is_atomic(tmp_path, monkeypatch):
    """Bricht das Schreiben einer Übungsversion ab (volle Platte), bleibt die alte Fassung ganz; keine halbe Lektion."""
    import workshop

    lesson = tmp_path / "03_DQN_CartPole.ipynb"
    lesson.write_text('{"alt": true}', encoding="utf-8")
    real_write = Path.write_text

    def half_then_full(self, text, *args, **kwargs):
        real_write(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full)
    with pytest.raises(OSError, match="alte Fassung ist unverändert"):
        workshop.write_notebook(lesson, {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    monkeypatch.undo()
    assert lesson.read_text(encoding="utf-8") == '{"alt": true}'
    assert [p.name for p in tmp_path.iterdir()] == [lesson.name]


def test_strip_command_on_a_broken_notebook_says_which_and_changes_nothing(workdir, monkeypatch, capsys):
    import workshop

    (workdir / "notebooks").mkdir()
    broken = workdir / "notebooks" / "03_DQN_CartPole.ipynb"
    broken.write_text("<<<<<<< HEAD\n{}", encoding="utf-8")
    before = broken.read_bytes()
    monkeypatch.setattr(workshop, "ROOT", workdir)
    with pytest.raises(SystemExit) as exit_info:
        workshop.main(["strip"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and "03_DQN_CartPole.ipynb" in err and "Traceback" not in err, err
    assert broken.read_bytes() == before
    broken.unlink()
    (workdir / "notebooks").rmdir()
