"""dqn.py: Bausteine mit Werten von Hand, deutsche Fehlermeldungen, Speichern/Laden, kurzes Training."""

import dataclasses
import json
import shlex

import numpy as np
import pytest
from conftest import TINY_DQN

import course
import dqn


def test_bellman_target_by_hand():
    rewards = np.array([1.0, 0.0, 2.0])
    next_q = np.array([[1.0, 3.0], [5.0, -1.0], [10.0, 20.0]])
    terminated = np.array([False, False, True])
    # 1 + 0.5*3 = 2.5;  0 + 0.5*5 = 2.5;  terminal: nur 2
    np.testing.assert_allclose(dqn.bellman_target(rewards, next_q, terminated, 0.5), [2.5, 2.5, 2.0])
    assert dqn.bellman_target(rewards, next_q, terminated, 0.5).dtype == np.float32


def test_double_dqn_target_by_hand():
    rewards = np.array([0.0, 1.0])
    next_q_online = np.array([[1.0, 2.0], [3.0, 0.0]])  # wählt Aktion 1 bzw. 0
    next_q_target = np.array([[7.0, 4.0], [6.0, 9.0]])  # bewertet diese: 4 bzw. 6 (nicht das Maximum 7 / 9)
    np.testing.assert_allclose(
        dqn.double_dqn_target(rewards, next_q_online, next_q_target, np.array([False, False]), 0.9), [3.6, 6.4]
    )
    np.testing.assert_allclose(
        dqn.double_dqn_target(rewards, next_q_online, next_q_target, np.array([True, True]), 0.9), [0.0, 1.0]
    )


@pytest.mark.parametrize("step, expected", [(0, 1.0), (100, 1.0), (150, 0.55), (200, 0.1), (10_000, 0.1)])
def test_linear_epsilon_by_hand(step, expected):
    assert dqn.linear_epsilon(
        step, start_step=100, decay_steps=100, epsilon_start=1.0, epsilon_end=0.1
    ) == pytest.approx(expected)


def test_config_rejects_bad_hyperparameters_in_german():
    with pytest.raises(ValueError, match="gamma` muss zwischen 0 und 1"):
        dqn.DQNConfig(gamma=1.5)
    with pytest.raises(ValueError, match="learning_starts.*mindestens `batch_size`"):
        dqn.DQNConfig(learning_starts=10, batch_size=32)
    with pytest.raises(ValueError, match="learning_rate` muss positiv"):
        dqn.DQNConfig(learning_rate=0)


def test_unknown_environment_gets_german_message():
    with pytest.raises(ValueError, match="kennt Gymnasium nicht.*CartPole-v1"):
        dqn.make_env("CartPol-v1")


def test_model_masks_unchosen_actions_and_trains_towards_target():
    import keras

    keras.utils.set_random_seed(0)  # unabhängig davon, welche Tests vorher Zufall verbraucht haben
    train_model, q_model = dqn.compile_models(dqn.build_q_network((4,), 3, (8,)), 1e-2)
    obs = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    mask = dqn.one_hot(np.arange(16) % 3, 3)
    masked = train_model.predict_on_batch([obs, mask])
    np.testing.assert_allclose(masked, q_model.predict_on_batch(obs) * mask, rtol=1e-5, atol=1e-6)
    for _ in range(600):
        train_model.train_on_batch([obs, mask], mask * 2.0)
    chosen = q_model.predict_on_batch(obs)[np.arange(16), np.arange(16) % 3]
    np.testing.assert_allclose(chosen, 2.0, atol=0.2)


def test_target_update_hard_and_soft():
    online = dqn.q_model_of(dqn.build_q_network((2,), 2, (4,)))
    target = dqn.clone_weights(online)
    target.set_weights([np.zeros_like(w) for w in target.get_weights()])
    dqn.update_target(target, online, tau=0.25)
    for t, o in zip(target.get_weights(), online.get_weights()):
        np.testing.assert_allclose(t, 0.25 * o, rtol=1e-6)
    dqn.update_target(target, online, tau=1.0)
    for t, o in zip(target.get_weights(), online.get_weights()):
        np.testing.assert_array_equal(t, o)


def test_save_is_atomic_and_load_gives_german_errors(tmp_path):
    train_model, q_model = dqn.compile_models(dqn.build_q_network((4,), 2, (8,)), 1e-3)
    path = tmp_path / "agent.keras"
    dqn.save_model(train_model, path)
    assert path.is_file() and not list(tmp_path.glob("*.tmp*"))
    _, loaded_q = dqn.load_model(path)
    obs = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(loaded_q.predict_on_batch(obs), q_model.predict_on_batch(obs), rtol=1e-6)
    with pytest.raises(FileNotFoundError, match="gibt es nicht.*models/"):
        dqn.load_model(tmp_path / "fehlt.keras")
    broken = tmp_path / "kaputt.keras"
    broken.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="beschädigt"):
        dqn.load_model(broken)


def test_quick_training_runs_and_changes_weights():
    config = dqn.DQNConfig(**TINY_DQN, total_steps=300, eval_every=150, target_update_every=50)
    train_model, q_model = dqn.compile_models(dqn.build_q_network((4,), 2, config.hidden_units), 1e-3)
    before = [w.copy() for w in q_model.get_weights()]
    result = dqn.train(config, seed=0, progress=False, models=(train_model, q_model))
    assert result.steps == 300 and result.episode_returns and len(result.evaluations) == 2
    assert any(not np.allclose(b, a) for b, a in zip(before, q_model.get_weights()))


def test_evaluate_counts_each_episode_once():
    class Always:  # ein "Netz", das immer Aktion 0 wählt
        @staticmethod
        def predict_on_batch(obs):
            return np.tile([1.0, 0.0], (len(obs), 1))

    returns = dqn.evaluate(Always(), "CartPole-v1", episodes=5, seed=0)
    assert returns.shape == (5,) and (returns >= 8).all() and (returns <= 12).all()


def test_interrupted_training_resumes_where_it_stopped():
    config = dqn.DQNConfig(
        total_steps=400,
        learning_starts=100,
        batch_size=32,
        eval_every=0,
        train_every=1,
        target_update_every=50,
        hidden_units=(16,),
    )
    calls = {"n": 0}

    class InterruptingPlot:  # simuliert ■ Kernel unterbrechen nach der dritten Episode
        def add(self, value):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt

        def finalise(self):
            pass

    result = dqn.train(config, seed=0, progress=False, live_plot=InterruptingPlot())
    assert result.interrupted and 0 < result.steps < 400
    stopped_at, stored = result.steps, len(result.replay_memory)
    updates_before = result.updates
    resumed = dqn.train(config, seed=0, progress=False, resume=result)
    assert resumed is result and not resumed.interrupted and resumed.steps == 400
    assert len(resumed.replay_memory) >= stored + (400 - stopped_at) - 1  # der Speicher wurde weiter gefüllt, nicht neu
    assert resumed.updates == updates_before + (400 - max(stopped_at, 100))


def test_numpy_copy_computes_the_same_q_values_as_keras():
    q_model = dqn.q_model_of(dqn.build_q_network((4,), 3, (32, 16)))
    copy = dqn.NumpyQ.from_model(q_model)
    obs = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    np.testing.assert_allclose(copy.predict_on_batch(obs), q_model.predict_on_batch(obs), rtol=1e-4, atol=1e-5)
    assert dqn.NumpyQ.supports(q_model)
    dqn.update_target(copy, q_model, tau=1.0)  # dieselbe Schnittstelle wie ein Keras-Target-Netz
    np.testing.assert_allclose(copy.get_weights()[0], q_model.get_weights()[0])


def test_preset_and_describe():
    config = dqn.preset("CartPole-v1", gamma=0.9)
    assert config.env_id == "CartPole-v1" and config.gamma == 0.9 and config.target_return == 475
    text = dqn.describe(config)
    assert "gamma" in text and "Diskontierungsfaktor" in text and "0.9" in text
    with pytest.raises(ValueError, match="gibt es nicht: gama. Meintest du gamma"):
        dqn.preset("CartPole-v1", gama=0.9)
    with pytest.raises(ValueError, match="keine abgestimmten"):
        dqn.preset("Pong-v5")


def test_evaluate_by_hand():
    class AlwaysLeft:  # schiebt den Wagen stur nach links
        @staticmethod
        def predict_on_batch(obs):
            return np.tile([5.0, 0.0], (len(obs), 1)).astype(np.float32)

    returns = dqn.evaluate(AlwaysLeft(), "CartPole-v1", episodes=4, seed=0)
    # CartPole gibt 1 pro Schritt; stur nach links geschoben kippt der Stab nach 8 bis 12 Schritten
    assert len(returns) == 4 and np.all((8 <= returns) & (returns <= 12)), returns


def test_every_preset_is_valid_and_lunarlander_uses_double_dqn():
    import atari
    import experiments

    atari.register_mini_breakout()  # die Umgebungen der Workshop-Presets, wie Lektion 5 und 6 sie anmelden
    experiments.register_max_bias_env()
    for env_id in dqn.PRESETS:
        config = dqn.preset(env_id)
        assert config.env_id == env_id and config.total_steps >= config.learning_starts
        env = dqn.make_env(env_id)
        assert env.observation_space.shape and env.action_space.n >= 2
        env.close()
    assert dqn.preset("LunarLander-v3").double_dqn and dqn.preset("LunarLander-v3").target_return == 200.0


def test_interrupted_train_agent_leaves_the_shipped_model_alone(tmp_path, monkeypatch):
    """#18/2: Strg+C in scripts/train_agent.py überschreibt models/*.keras nicht mehr und endet mit Fehlercode."""
    import train_agent

    out = tmp_path / "cartpole"
    out.with_suffix(".keras").write_bytes(b"altes Modell")
    out.with_suffix(".json").write_text("{}")
    real_train = dqn.train

    def interrupted_train(config, **kwargs):
        result = real_train(dqn.DQNConfig(total_steps=200, learning_starts=100, batch_size=32, eval_every=0), **kwargs)
        result.interrupted = True
        return result

    monkeypatch.setattr(dqn, "train", interrupted_train)
    assert train_agent.main(["CartPole-v1", "--out", str(out)]) == 1
    assert out.with_suffix(".keras").read_bytes() == b"altes Modell" and out.with_suffix(".json").read_text() == "{}"
    with pytest.raises(SystemExit):
        train_agent.main(["CartPole-v1", "--out", str(out), "--eval-episodes", "0"])
    assert out.with_suffix(".keras").read_bytes() == b"altes Modell"


def test_train_agent_picks_the_candidate_with_the_best_worst_episodes_on_validation(tmp_path, monkeypatch):
    """#21: mehrere Seeds, Wahl auf der Validierung (Seed 800000), Abschlussbewertung erst danach (Seed 900000)."""
    import train_agent

    evaluated = []
    quality = {0: -300.0, 1: -90.0, 2: -200.0}  # Seed 1 ist der robusteste

    def tiny_train(config, seed=0, **kwargs):
        result = dqn.TrainResult(train_model=None, q_model=seed, steps=100 + seed, train_seconds=1.0)
        return result

    def fake_evaluate(q_model, env_id, episodes=100, seed=0, **kwargs):
        evaluated.append((q_model, seed))
        returns = np.full(episodes, quality[q_model])
        returns[:10] -= 50 * (q_model == 0)
        return returns

    monkeypatch.setattr(dqn, "train", tiny_train)
    monkeypatch.setattr(dqn, "evaluate", fake_evaluate)
    monkeypatch.setattr(dqn, "save_model", lambda model, path: path.write_text(f"Seed {model}"))
    out = tmp_path / "acrobot"
    assert train_agent.main(["Acrobot-v1", "--candidates", "3", "--full", "--out", str(out)]) == 0
    # erst alle drei auf der Validierung, dann nur der gewählte auf dem Test
    assert evaluated == [(0, 800_000), (1, 800_000), (2, 800_000), (1, 900_000)]
    provenance = json.loads(out.with_suffix(".json").read_text())
    assert provenance["seed"] == 1 and provenance["selection"]["chosen_seed"] == 1
    assert [c["worst_tenth"] for c in provenance["selection"]["candidates"]] == [-350.0, -90.0, -200.0]
    assert provenance["config"]["stop_when_solved"] is False and provenance["evaluation"]["mean"] == -90.0


def test_train_agent_set_changes_the_preset_and_the_provenance_says_so(tmp_path, monkeypatch):
    """#21: --set NAME=WERT (JSON) ändert einzelne Hyperparameter; die Herkunft nennt Konfiguration und Befehl."""
    import train_agent

    trained = []

    def tiny_train(config, seed=0, **kwargs):
        trained.append(config)
        return dqn.TrainResult(train_model=None, q_model=None, steps=100, train_seconds=1.0)

    monkeypatch.setattr(dqn, "train", tiny_train)
    monkeypatch.setattr(dqn, "evaluate", lambda q_model, env_id, episodes=100, **kwargs: np.full(episodes, -70.0))
    monkeypatch.setattr(dqn, "save_model", lambda model, path: path.write_text("Modell"))
    out = tmp_path / "acrobot"
    argv = ["Acrobot-v1", "--set", "learning_rate=3e-4", "--set", "hidden_units=[128, 128]", "--out", str(out)]
    assert train_agent.main(argv) == 0
    assert trained[0].learning_rate == 3e-4 and trained[0].hidden_units == (128, 128)
    assert trained[0].gamma == dqn.preset("Acrobot-v1").gamma  # der Rest bleibt das Preset
    provenance = json.loads(out.with_suffix(".json").read_text())
    assert provenance["config"]["learning_rate"] == 3e-4 and provenance["config"]["hidden_units"] == [128, 128]
    assert "--set learning_rate=3e-4" in provenance["command"]
    assert shlex.split(provenance["command"])[2:] == argv, "der Befehl lässt sich so, wie er dasteht, wieder ausführen"


def test_train_agent_can_choose_an_earlier_snapshot_of_a_run(tmp_path, monkeypatch):
    """#21: --snapshots 5 bewertet den Stand nach jedem Fünftel; der beste (hier nach 30 000 Schritten) wird
    gespeichert, nicht der letzte."""
    import train_agent

    class Weights:  # steht für die Netze: die „Gewichte“ sind der Schritt, bei dem sie entstanden
        value = 0

        def get_weights(self):
            return self.value

        def set_weights(self, value):
            self.value = value

    chunks, evaluated = [], []

    def chunked_train(config, seed=0, resume=None, **kwargs):
        model = resume.train_model if resume is not None else Weights()
        model.value = config.total_steps
        chunks.append(config.total_steps)
        seconds = config.total_steps / 10_000  # die Trainingszeit wächst mit jedem Stück
        return dqn.TrainResult(train_model=model, q_model=model, steps=config.total_steps, train_seconds=seconds)

    quality = {10_000: -300.0, 20_000: -100.0, 30_000: -75.0, 40_000: -90.0, 50_000: -250.0}

    def fake_evaluate(q_model, env_id, episodes=100, seed=0, **kwargs):
        evaluated.append((q_model.value, seed))
        return np.full(episodes, quality[q_model.value])

    monkeypatch.setattr(dqn, "train", chunked_train)
    monkeypatch.setattr(dqn, "evaluate", fake_evaluate)
    monkeypatch.setattr(dqn, "save_model", lambda model, path: path.write_text(f"Schritt {model.value}"))
    out = tmp_path / "acrobot"
    assert train_agent.main(["Acrobot-v1", "--full", "--snapshots", "5", "--out", str(out)]) == 0
    assert chunks == [10_000, 20_000, 30_000, 40_000, 50_000]
    assert evaluated == [(s, 800_000) for s in chunks] + [(30_000, 900_000)]
    assert out.with_suffix(".keras").read_text() == "Schritt 30000"
    provenance = json.loads(out.with_suffix(".json").read_text())
    assert provenance["steps"] == 30_000 and provenance["selection"]["chosen_steps"] == 30_000
    assert provenance["train_seconds"] == 3.0, "die Trainingszeit bis zum gewählten Stand, nicht die des ganzen Laufs"
    assert [c["train_seconds"] for c in provenance["selection"]["candidates"]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert provenance["evaluation"]["mean"] == -75.0
    with pytest.raises(SystemExit):
        train_agent.main(["Acrobot-v1", "--snapshots", "5"])  # ohne --full gibt es keine späteren Stände


def test_progress_bar_ends_as_success_when_the_goal_stops_training_early():
    """#19: Ein Training, das bei „gelöst“ vorzeitig aufhört, ließ den Balken rot bei z. B. 43 % stehen."""
    from tqdm.notebook import tqdm

    import dqn

    class Env:
        def close(self):
            pass

    for goal_reached, style in ((True, "success"), (False, "danger")):
        bar = tqdm(total=100)
        bar.update(43)
        dqn.close_outputs(bar, Env(), goal_reached=goal_reached)
        assert bar.container.children[1].bar_style == style
        if goal_reached:
            assert bar.container.children[1].max == bar.total == 43


# #21: was ein mitgelieferter Agent auf Startzuständen können muss, die weder Training noch Auswahl gesehen haben
SHIPPED_GOALS = {
    "cartpole": ("CartPole-v1", "500 in mindestens 99 von 100 Episoden", lambda r: (r >= 500).sum() >= 99),
    "acrobot": ("Acrobot-v1", "Mittel ≥ −80, schlechteste ≥ −150", lambda r: r.mean() >= -80 and r.min() >= -150),
    "lunarlander": (
        "LunarLander-v3",
        "Mittel ≥ 250, höchstens 3 unter 0",
        lambda r: r.mean() >= 250 and (r < 0).sum() <= 3,
    ),
}


@pytest.mark.parametrize("name", SHIPPED_GOALS)
def test_shipped_agent_meets_its_goal_on_the_test_start_states(name):
    """Spielt die Abschlussbewertung der Herkunftsdatei nach: dieselben Zahlen, und das Ziel aus #21 ist erreicht."""
    import train_agent

    env_id, goal, goal_met = SHIPPED_GOALS[name]
    q_model, provenance, _ = dqn.load_shipped(name)
    assert provenance["env_id"] == env_id
    assert f"Seed {train_agent.FINAL_EVAL_SEED}" in provenance["evaluation"]["protocol"]
    returns = dqn.evaluate(q_model, env_id, episodes=100, seed=train_agent.FINAL_EVAL_SEED)
    assert returns.mean() == pytest.approx(provenance["evaluation"]["mean"], abs=1.0), "Herkunft passt nicht zum Modell"
    assert goal_met(returns), f"{name}: {goal} verfehlt (Mittel {returns.mean():.1f}, schlechteste {returns.min():.1f})"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("gamma", 1.5, "zwischen 0 und 1"),
        ("huber_delta", 0, "positiv"),
        ("learning_rate", -0.001, "positiv"),
        ("total_steps", "2000", "ohne Anführungszeichen"),
        ("epsilon_decay_steps", 0, "mindestens 1"),
        ("gama", 0.9, "Meintest du gamma?"),
    ],
)
def test_a_config_changed_after_creation_is_checked_and_keeps_its_value(name, value, says):
    """#35: `config.gamma = 1.5` trainierte still, `config.total_steps = "2000"` endete in einem TypeError."""
    config = dqn.DQNConfig()
    before = dataclasses.asdict(config)
    with pytest.raises(course.InputError, match=says):
        setattr(config, name, value)
    assert dataclasses.asdict(config) == before and not hasattr(config, "gama")
    config.total_steps = 1e4  # gültig: angenommen und wie im Konstruktor umgewandelt
    assert config.total_steps == 10_000 and isinstance(config.total_steps, int)


def test_remaining_time_is_estimated_anew_when_learning_begins():
    """#34: Der Balken sagte »<02:00« bei 40 %, als noch 5 Minuten fehlten: Er rechnete mit dem Tempo des Sammelns."""
    import io

    from tqdm import tqdm

    clock = [0.0]
    bar = tqdm(total=2000, file=io.StringIO(), mininterval=0, miniters=1, smoothing=0.05)
    bar._time = lambda: clock[0]
    bar.start_t = bar.last_print_t = 0.0
    bar.set_description("sammelt")
    for _ in range(500):  # sammeln: 1 ms je Schritt
        clock[0] += 0.001
        bar.update(1)
    dqn.learning_begins(bar)
    for _ in range(20):  # lernen: 100 ms je Schritt
        clock[0] += 0.1
        bar.update(1)
    facts = bar.format_dict
    remaining = (facts["total"] - facts["n"]) / facts["rate"]
    assert remaining == pytest.approx(1480 * 0.1, rel=0.05), remaining  # ohne Neubeginn: etwa 50 s statt 148 s
    assert "lernt" in str(bar)
    bar.close()
