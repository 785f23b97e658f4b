"""Prüfumgebungen: Das fertige DQN besteht alle, und ein kaputter Baustein fällt bei der richtigen durch."""

import numpy as np
import pytest

import dqn
import probes


def names_of_failures(results):
    return [result.probe.env_id for result in results if not result.passed]


def test_probe_environments_give_the_rewards_their_q_values_promise():
    import gymnasium as gym

    env = gym.make("Workshop/Probe3-v0")
    obs, _ = env.reset(seed=0)
    first = env.step(0)
    second = env.step(0)
    assert obs.tolist() == [0.0] and first[0].tolist() == [1.0]
    assert (first[1], first[2], second[1], second[2]) == (0.0, False, 1.0, True)
    env = gym.make("Workshop/Probe5-v0")
    for seed in range(6):
        obs, _ = env.reset(seed=seed)
        right = 1 if obs[0] > 0 else 0
        assert env.step(right)[1] == 1.0
        env.reset(seed=seed)
        assert env.step(1 - right)[1] == -1.0


def test_finished_dqn_passes_every_probe():
    results = probes.run_probes(dqn.train)
    assert names_of_failures(results) == []
    assert "Alle Prüfungen bestanden" in probes.report(results)
    assert np.allclose(results[2].learned[0.0], [probes.GAMMA], atol=probes.TOLERANCE)


def broken_target(function):
    return dqn.with_parts(dqn.train, learning_step=dqn.with_parts(dqn.learning_step, bellman_target=function))


@pytest.mark.parametrize(
    "train, first_failure, suspect",
    [
        # ohne γ ist Q(Start) = 1 statt 0,5: nur die Umgebung mit zwei Schritten merkt es
        (broken_target(lambda r, next_q, term, gamma: r + next_q.max(axis=1) * (1 - term)), "Probe3", "γ"),
        # Episodenende ignoriert: schon eine einzelne Belohnung wird zu 1 + γ · Q
        (broken_target(lambda r, next_q, term, gamma: r + gamma * next_q.max(axis=1)), "Probe1", "terminated"),
        # Maske immer für Aktion 0: Aktionen lassen sich nicht mehr unterscheiden
        (
            dqn.with_parts(
                dqn.train,
                learning_step=dqn.with_parts(dqn.learning_step, one_hot=lambda a, n: dqn.one_hot(np.zeros_like(a), n)),
            ),
            "Probe4",
            "Aktionsmaske",
        ),
    ],
    ids=["ohne-gamma", "ohne-episodenende", "falsche-maske"],
)
def test_a_broken_part_fails_the_probe_that_points_at_it(train, first_failure, suspect):
    results = probes.run_probes(train)
    failures = names_of_failures(results)
    assert failures and first_failure in failures[0]
    assert suspect in probes.report(results).split("Verdacht")[1]


def test_a_crashing_training_is_reported_in_one_line():
    def crashing_train(config, seed=0, progress=True):
        raise ValueError("kaputt")

    text = probes.report(probes.run_probes(crashing_train))
    assert "Training brach ab: ValueError: kaputt" in text and "Traceback" not in text
