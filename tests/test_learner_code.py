"""Die Lektionen trainieren mit dem Code der Lernenden, und `dqn` lädt genau die Lösungszellen (`#@save`).

Der Beweis: In Lektion 3 wird ein absichtlich falsches Bellman-Ziel (ohne γ, also ohne Zukunft)
eingesetzt; das Training der Lektion erreicht dann sein Ziel nicht. Mit der Lösung erreicht es das
Ziel mit demselben Budget.
"""
import ast
import json
import subprocess
import sys

import pytest

import kurs

LESSON_3 = kurs.NOTEBOOK_DIR / "03_DQN_CartPole.ipynb"
SAVED_LESSONS = ["03_DQN_CartPole", "04_Target_Netzwerk_Acrobot", "05_Replay_DoubleDQN_LunarLander"]
RIGHT_TARGET = "gamma * not_terminal * np.max(next_q_values, axis=1)"
WRONG_TARGET = "0.0 * not_terminal * np.max(next_q_values, axis=1)"  # Fehler: keine Zukunft, nur r


@pytest.mark.parametrize("name", SAVED_LESSONS)
def test_saved_cells_only_define(name):
    """Eine `#@save`-Zelle wird beim Import von dqn ausgeführt: Sie darf nur definieren, nie rechnen oder drucken."""
    cells = list(kurs.code_cells(kurs.NOTEBOOK_DIR / f"{name}.ipynb", only_saved=True))
    assert cells, f"{name} hat keine #@save-Zelle"
    for filename, source in cells:
        for node in ast.parse(source).body:
            assert isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)), (
                f"{filename}: Zeile {node.lineno} ist keine Definition")


def test_dqn_functions_are_the_lesson_solutions():
    import dqn

    where = {name: getattr(dqn, name).__code__.co_filename for name in
             ("build_q_network", "bellman_target", "linear_epsilon", "epsilon_greedy_action", "train",
              "update_target", "double_dqn_target", "q_iteration")}
    assert where["train"].endswith("03_DQN_CartPole.ipynb#Zelle" + where["train"].split("#Zelle")[1])
    assert all("03_DQN_CartPole.ipynb" in where[n] for n in ("build_q_network", "bellman_target", "train"))
    assert "04_Target_Netzwerk_Acrobot.ipynb" in where["update_target"]
    # der Lernschritt mit Double-DQN-Schalter aus Lektion 5 ersetzt den aus Lektion 3
    assert "05_Replay_DoubleDQN_LunarLander.ipynb" in where["q_iteration"]
    assert "05_Replay_DoubleDQN_LunarLander.ipynb" in where["double_dqn_target"]


def test_with_parts_swaps_one_building_block():
    import dqn

    calls = []

    def my_update_target(target_model, online_model, tau=1.0):
        calls.append(tau)
        dqn.update_target(target_model, online_model, tau)

    config = dqn.DQNConfig(total_steps=300, hidden_units=(8,), learning_starts=100, batch_size=32,
                           target_update_every=10, eval_every=0)
    train = dqn.with_parts(dqn.train, update_target=my_update_target)
    result = train(config, seed=0, progress=False)
    assert len(calls) == result.updates // 10 == 10
    with pytest.raises(ValueError, match="keinen Baustein"):
        dqn.with_parts(dqn.train, gibt_es_nicht=print)


def lesson_3_training(bellman_source=None, total_steps=10_000):
    """Führt Lektion 3 bis einschließlich ihrer Trainingszelle aus (ohne Prüfzellen), im vollen Modus.

    Gibt (gelöst nach Schritten oder None, beste Bewertung) zurück.
    """
    notebook = json.loads(LESSON_3.read_text(encoding="utf-8"))
    sources = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "kurs.check_function(" in source:
            continue
        if bellman_source is not None and source.startswith("#@save\ndef bellman_target"):
            assert RIGHT_TARGET in source
            source = source.replace(RIGHT_TARGET, bellman_source)
        sources.append(source)
        if source.startswith("config = dqn.preset("):
            sources.append(f"import dataclasses\nconfig = dataclasses.replace(config, total_steps={total_steps})")
        if "result = train(config" in source:
            break
    else:
        raise AssertionError("Lektion 3 hat keine Trainingszelle `result = train(config, ...)`")
    sources.append("import json\nprint('ERGEBNIS', json.dumps([result.solved_at_step, "
                   "max(m for _, m, _ in result.evaluations)]))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "WORKSHOP_SCHNELL"}
    env.update(MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run([sys.executable, "-c", "\n\n".join(sources)], cwd=LESSON_3.parent, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(line for line in out.stdout.splitlines() if line.startswith("ERGEBNIS"))
    return json.loads(line.split(" ", 1)[1])


def test_lesson_3_trains_with_the_learners_functions():
    solved_at, best = lesson_3_training()
    assert solved_at is not None and best >= 475, (solved_at, best)
    solved_at, best = lesson_3_training(bellman_source=WRONG_TARGET)
    assert solved_at is None and best < 300, (solved_at, best)
