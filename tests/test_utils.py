"""utils.ipynb: Animation, Live-Plot, Episode spielen."""

import io

import gymnasium as gym
import imageio.v3 as iio
import numpy as np
import pytest
from conftest import TINY_DQN

import dqn
import utils


def test_moving_average_by_hand():
    np.testing.assert_allclose(utils.moving_average([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(utils.moving_average([4, 0, 8], 10), [4, 2, 4])
    assert utils.moving_average([], 5).size == 0


def test_gif_roundtrip_and_thinning(tmp_path):
    frames = [np.full((10, 12, 3), 20 * i, np.uint8) for i in range(10)]
    path = tmp_path / "a.gif"
    data = utils.frames_to_gif(frames, path=path, fps=10)
    assert path.read_bytes() == data and data[:6] == b"GIF89a"
    assert iio.imread(io.BytesIO(data), index=None).shape[0] == 10
    thinned = utils.frames_to_gif(frames, max_frames=5)
    assert iio.imread(io.BytesIO(thinned), index=None).shape[0] == 5
    html = utils.show_frames(frames).data
    assert html.startswith('<img src="data:image/gif;base64,')
    with pytest.raises(ValueError, match="leer"):
        utils.frames_to_gif([])


class CountingEnv(gym.Env):
    """Belohnung = Aktion; endet nach 3 Schritten (terminated)."""

    action_space = gym.spaces.Discrete(2)
    observation_space = gym.spaces.Box(0, 10, (1,), np.float32)
    render_mode = "rgb_array"

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([self.t], np.float32), float(action), self.t >= 3, False, {}

    def render(self):
        return np.full((4, 4, 3), self.t, np.uint8)


def test_play_episode_collects_frames_and_rewards():
    episode = utils.play_episode(CountingEnv(), lambda obs: 1, seed=0)
    assert episode.rewards == [1.0, 1.0, 1.0] and episode.total_reward == 3.0 and episode.terminated
    assert [f[0, 0, 0] for f in episode.frames] == [0, 1, 2, 3]
    short = utils.play_episode(CountingEnv(), lambda obs: 0, render=False, max_steps=2)
    assert short.length == 2 and short.frames == [] and not short.terminated


def test_play_episode_is_reproducible_with_seed():
    env = gym.make("CartPole-v1")
    policy = lambda obs: int(obs[2] > 0)  # noqa: E731  Stab kippt rechts -> nach rechts schieben
    a = utils.play_episode(env, policy, seed=3, render=False)
    b = utils.play_episode(env, policy, seed=3, render=False)
    assert a.rewards == b.rewards and a.total_reward > 20


def test_liveplot_text_fallback(capsys):
    plot = utils.LivePlot("Test", target=100, window=2, min_interval=0)
    assert plot.text_only  # kein Notebook in pytest
    for value in (10, 20, 40):
        plot.add(value)
    plot.finalise()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert lines[-1] == "Test: Episode 3, letzter Ertrag 40.0, Mittel der letzten 2: 30.0 (Ziel 100)"


def test_liveplot_figure_has_returns_average_and_target():
    plot = utils.LivePlot("Test", target=5, window=2, text_only=True)
    plot.returns = [1.0, 3.0]
    ax = plot._figure().axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["Ertrag pro Episode", "gleitender Mittelwert (2)", "Ziel (5)"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [1.0, 2.0])


def test_liveplot_shows_greedy_evaluations_in_the_same_plot(capsys):
    """Die gierige Bewertung steht als Punkt bei der Episode, nach der sie lief, neben der ε-Kurve (#19)."""
    plot = utils.LivePlot("Test", target=5, window=2, text_only=True)
    for value in (1.0, 3.0, 2.0):
        plot.add(value)
    plot.add_evaluation(4.5)
    assert "letzte gierige Bewertung 4.5" in capsys.readouterr().out
    ax = plot._figure().axes[0]
    points = next(line for line in ax.get_lines() if line.get_label() == "gierige Bewertung (ε = 0)")
    assert points.get_xdata().tolist() == [3] and points.get_ydata().tolist() == [4.5]


def test_training_draws_its_evaluations_into_the_live_plot():
    plot = utils.LivePlot("Test", text_only=True, min_interval=3600)
    config = dqn.DQNConfig(**TINY_DQN, total_steps=600, eval_every=200)
    result = dqn.train(config, seed=0, live_plot=plot, progress=False)
    assert [(step, mean) for _, mean, step in plot.evaluations] == [(s, m) for s, m, _ in result.evaluations]
    assert len(plot.evaluations) == 3  # nach Schritt 200, 400 und 600


def test_liveplot_draws_the_benchmark_band_behind_the_live_evaluations(capsys):
    """#37: Mit `band` steht rechts neben der Live-Kurve schon während des Trainings, was man sehen sollte: die
    gierigen Bewertungen nach Schritt vor dem Band der 10 Seeds; die Textzeile sagt, ob sie im Band liegen."""
    band = ([1_000, 2_000], [10.0, 100.0], [20.0, 200.0], [30.0, 300.0])
    plot = utils.LivePlot("Test", target=475, text_only=True, band=band)
    plot.add(12.0)
    plot.add_evaluation(25.0, 1_000)
    assert "(im Band; 10 Seeds bei Schritt 1000: 10 bis 30)" in capsys.readouterr().out
    plot.add_evaluation(50.0, 2_500)
    assert "(darunter; 10 Seeds bei Schritt 2500: 100 bis 300)" in capsys.readouterr().out
    figure = plot._figure()
    assert len(figure.axes) == 2
    right = figure.axes[1]
    assert right.get_title() == "Was du sehen solltest"
    mine = next(line for line in right.get_lines() if line.get_label() == "deine Bewertungen")
    assert mine.get_xdata().tolist() == [1_000, 2_500] and mine.get_ydata().tolist() == [25.0, 50.0]
    assert len(right.collections) == 1  # die Spanne der 10 Seeds
    assert len(utils.LivePlot("ohne Band", text_only=True)._figure().axes) == 1
    low, median, high = utils.LivePlot("x", text_only=True, band=dqn.benchmark_band("CartPole-v1")).band_at(5_000)
    assert low <= median <= high


def test_balance_game_click_handlers_step_score_and_restart():
    env = gym.make("CartPole-v1", render_mode="rgb_array")
    game = utils.BalanceGame(env, seed=0)
    first_image = bytes(game.image.value)
    assert first_image[:4] == b"\x89PNG" and "Versuch: 0<" in game.score_label.value
    game.buttons[1].click()  # wie ein Klick im Browser
    game.buttons[1].click()
    game.buttons[1].click()
    assert game.score == 3.0 and bytes(game.image.value) != first_image and "Versuch: 3<" in game.score_label.value
    steps = 3
    while not game.attempts:  # immer rechts: der Stab fällt nach wenigen Schritten
        game.press(1)
        steps += 1
        assert steps < 100
    attempt = game.attempts[0]
    assert attempt.terminated and attempt.total_reward == steps and len(attempt.frames) == steps + 1
    assert "umgefallen" in game.message.value and f"{steps} Punkte" in game.message.value
    assert game.score == 0.0 and len(game.current.frames) == 1  # neuer Versuch läuft
    assert game.best_attempt() is attempt


def test_random_policy_episode_is_repeatable_with_a_seed():
    """#19: Die Zufallsstrategie zog unabhängig vom Seed; Lektion 1 zeigte bei jedem Lauf ein anderes Mittel."""
    import gymnasium as gym

    import utils

    env = gym.make("CartPole-v1")
    runs = [
        [utils.play_episode(env, utils.random_policy(env), seed=s, render=False).total_reward for s in range(5)]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    env.close()


def test_playground_trains_with_the_given_train_keeps_five_labelled_runs_and_draws_them():
    """#37: Die Spielwiese trainiert mit der übergebenen Schleife, beschriftet jeden Lauf mit dem, was sich geändert
    hat, behält die letzten 5 und zeichnet sie über das Band; ungültige Werte meldet sie auf Deutsch."""
    import course

    calls = []

    def my_train(config, seed=0, progress=True):
        calls.append((config.gamma, config.batch_size, seed, progress))
        return dqn.train(config, seed=seed, progress=progress)

    config = dqn.DQNConfig(**TINY_DQN, total_steps=300, eval_every=150)
    band = ([100, 200, 300, 400], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0])
    playground = utils.Playground(my_train, config, band=band, seed=3)
    assert playground.band[0].tolist() == [100, 200, 300]  # nur bis zum Ende eines Laufs
    first = playground.run()
    assert first["label"] == "Standard" and [step for step, _ in first["evaluations"]] == [150, 300]
    second = playground.run(gamma=0.9, batch_size=16, learning_rate=config.learning_rate)  # lr unverändert
    assert second["label"] == "γ = 0,9 · Stapel = 16"
    assert calls[:2] == [(config.gamma, 32, 3, False), (0.9, 16, 3, False)]
    for _ in range(4):
        playground.run(target_update_every=1)
    assert len(playground.runs) == 5 and playground.runs[0]["label"] == "γ = 0,9 · Stapel = 16"
    axis = playground.figure().axes[0]
    labels = [line.get_label() for line in axis.get_lines()]
    assert labels[0] == "Standard, 10 Seeds (Median)" and labels[1] == "1: γ = 0,9 · Stapel = 16"
    assert labels[2:6] == [f"{n}: Target-Periode = 1" for n in range(2, 6)]
    with pytest.raises(course.InputError, match="memory_size"):
        playground.run(memory_size=16, batch_size=32)
    widget = playground.widget()
    sliders = playground._widgets["sliders"]
    assert list(sliders) == [name for name, _, _ in utils.PLAYGROUND_SETTINGS]
    assert sliders["gamma"].value == config.gamma and widget.children[-1] is playground._widgets["output"]


def test_playground_speed_is_measured_with_todays_settings():
    """#37: „Ein Lauf dauert meist 5 bis 15 Sekunden“ (Lektion 3) ist eine Messung aus bench/playground.py, mit
    genau den Einstellungen, mit denen die Spielwiese heute trainiert; der Median liegt unter 15 s."""
    import json

    import course

    report = json.loads((course.ROOT / "bench" / "results" / "playground.json").read_text(encoding="utf-8"))
    assert report["playground_run"] == utils.PLAYGROUND_RUN
    assert report["config"]["env_id"] == "CartPole-v1" and report["seeds"] >= 3
    assert report["median_seconds"] <= 15, report["median_seconds"]
