"""Die Experimente der Lektionen 4 und 5: Bausteine mit Hand gerechneten Werten, und die gespeicherten 10-Seed-
Ergebnisse (bench/lesson_experiments.py) zeigen den Effekt, den die Lektionen behaupten."""

import json

import numpy as np
import pytest

import course
import dqn
import experiments


def test_max_bias_env_is_sutton_bartos_example():
    env = dqn.make_env(experiments.MAX_BIAS_ID)
    obs, _ = env.reset(seed=0)
    assert obs.tolist() == [1.0, 0.0] and env.action_space.n == 20
    assert env.step(0)[1:3] == (0.0, True)  # sicher: Ende mit 0 Punkten
    env.reset(seed=0)
    obs, reward, terminated, _, _ = env.step(7)  # jede andere Aktion: nach B, noch kein Ende
    assert obs.tolist() == [0.0, 1.0] and reward == 0.0 and not terminated
    rewards = []
    for seed in range(4_000):
        env.reset(seed=seed)
        env.step(1)
        _, reward, terminated, _, _ = env.step(int(seed % 20))
        assert terminated
        rewards.append(reward)
    # Mittel −0,1 und Streuung 2: bei 4 000 Ziehungen liegt das Mittel mit großer Sicherheit in ±0,1 um −0,1
    assert abs(np.mean(rewards) + 0.1) < 0.1 and abs(np.std(rewards) - 2.0) < 0.1


def test_overestimation_is_promised_minus_achieved():
    trace = [(250, 0.5, 0.0), (500, 0.3, -0.099)]
    assert experiments.overestimation(trace) == pytest.approx((0.5 + 0.399) / 2)


def test_collect_random_numbers_the_episodes():
    memory, episode_of = experiments.collect_random("CartPole-v1", 300, seed=0)
    assert len(memory) == 300 and episode_of[0] == 0
    assert np.all(np.diff(episode_of) >= 0) and episode_of[-1] >= 3  # ein Zufallsagent hält CartPole etwa 20 Schritte
    assert memory.terminated.sum() in (episode_of[-1], episode_of[-1] + 1)


def test_fixed_data_q_trace_uses_the_given_update_target():
    memory, _ = experiments.collect_random("CartPole-v1", 500, seed=0)
    calls = []

    def counting_update(target_model, online_model, tau=1.0):
        calls.append(tau)
        dqn.update_target(target_model, online_model, tau)

    trace = experiments.fixed_data_q_trace(
        "hard", memory, memory.sample(16)[0], updates=200, measure_every=100, update_target=counting_update
    )
    assert [update for update, _ in trace] == [100, 200] and calls == [1.0, 1.0]
    with pytest.raises(ValueError, match="Unbekannte Variante"):
        experiments.fixed_data_q_trace("halb", memory, memory.sample(16)[0])


def test_german_number():
    assert course.german_number(1_686_180) == "1.686.180" and course.german_number(-0.125, 2) == "-0,12"


@pytest.mark.parametrize("name", sorted(experiments.LESSON_EXPERIMENTS))
def test_stored_results_show_the_lessons_effect_on_at_least_9_of_10_seeds(name):
    path = experiments.EXPERIMENT_RESULTS / f"experiment_{name}.json"
    assert path.is_file(), f"Es fehlen die 10-Seed-Ergebnisse: .venv/bin/python bench/lesson_experiments.py {name}"
    data = json.loads(path.read_text(encoding="utf-8"))
    # gemessen mit den Einstellungen, die die Lektion heute benutzt (sonst: neu messen)
    assert data["settings"] == json.loads(json.dumps(experiments.LESSON_EXPERIMENTS[name])), (
        "Einstellungen geändert: neu messen"
    )
    assert data["seeds"] == list(range(10))
    effect = experiments.experiment_effect(name, data["runs"])
    assert effect == data["effect"], "die gespeicherte Auswertung passt nicht zu den gespeicherten Läufen"
    assert effect["shows"] >= 9, effect["text"]
    steps, low, median, high = experiments.stored_band(name, next(iter(data["runs"][0]["metric"])))
    assert len(steps) == len(low) and np.all(low <= median) and np.all(median <= high)
    text = experiments.compare_with_stored(name, {variant: 0.5 for variant in data["runs"][0]["metric"]})
    assert "dein Lauf 0,50" in text and f"bei {effect['shows']} von 10 Seeds" in text


def test_same_seed_same_result():
    """Auf demselben Rechner ergibt derselbe Seed dieselbe Lernkurve (ohne Kosten: die CPU-Rechnung ist hier schon
    deterministisch), so sieht die Kursleitung, was der Leitfaden sagt."""
    first, second = (experiments.training_curve("CartPole-v1", 3, 2_000, eval_every=500) for _ in range(2))
    assert [e[:2] for e in first.evaluations] == [e[:2] for e in second.evaluations]
    assert all(np.array_equal(a, b) for a, b in zip(first.train_model.get_weights(), second.train_model.get_weights()))
