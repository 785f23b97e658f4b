"""Ringpuffer: Werte von Hand nachgerechnet."""

import numpy as np
import pytest

import Ringbuffer


def test_wraparound_overwrites_oldest():
    memory = Ringbuffer.ReplayMemory(capacity=3, obs_shape=(2,), seed=0)
    for t in range(5):
        memory.add([t, t], t % 2, float(t), [t + 1, t + 1], t == 4)
    # Plätze 0 und 1 wurden von t=3 und t=4 überschrieben, Platz 2 hält t=2
    assert memory.obs[:, 0].tolist() == [3, 4, 2]
    assert memory.next_obs[:, 0].tolist() == [4, 5, 3]
    assert memory.rewards.tolist() == [3.0, 4.0, 2.0]
    assert memory.terminated.tolist() == [False, True, False]
    assert memory.position == 2 and len(memory) == 3 and memory.capacity == 3


def test_sample_returns_consistent_transitions_and_dtypes():
    memory = Ringbuffer.ReplayMemory(capacity=10, obs_shape=(84, 84), obs_dtype=np.uint8, seed=1)
    for t in range(7):
        memory.add(np.full((84, 84), t, np.uint8), t % 3, t * 10.0, np.full((84, 84), t + 1, np.uint8), False)
    obs, actions, rewards, next_obs, terminated = memory.sample(7)
    assert obs.dtype == np.uint8 and next_obs.dtype == np.uint8 and obs.shape == (7, 84, 84)
    t = obs[:, 0, 0].astype(int)
    assert (t < 7).all()
    np.testing.assert_array_equal(next_obs[:, 0, 0], t + 1)
    np.testing.assert_array_equal(rewards, t * 10.0)
    np.testing.assert_array_equal(actions, t % 3)
    assert terminated.dtype == bool


def test_sampling_is_uniform_over_stored():
    memory = Ringbuffer.ReplayMemory(capacity=4, obs_shape=(1,), seed=2)
    for t in range(4):
        memory.add([t], 0, 0.0, [t], False)
    obs = np.concatenate([memory.sample(4)[0][:, 0] for _ in range(10_000)])
    counts = np.bincount(obs.astype(int), minlength=4) / 40_000
    np.testing.assert_allclose(counts, 0.25, atol=0.01)


def test_german_errors():
    memory = Ringbuffer.ReplayMemory(capacity=5, obs_shape=(4,))
    with pytest.raises(ValueError, match="erst 0 Übergänge"):
        memory.sample(1)
    with pytest.raises(ValueError, match="Form"):
        memory.add(np.zeros(3), 0, 0.0, np.zeros(4), False)
    with pytest.raises(ValueError, match="Kapazität"):
        Ringbuffer.ReplayMemory(capacity=0, obs_shape=(4,))
    frames = Ringbuffer.FrameReplayMemory(capacity=10, frame_shape=(2, 2), history_length=2)
    with pytest.raises(TypeError, match="uint8"):
        frames.add(np.zeros((2, 2, 2), np.float32), 0, 0.0, np.zeros((2, 2, 2), np.float32), False)


def _stack(*values):
    return np.array(values, dtype=np.uint8).reshape(len(values), 1, 1)


def _episode(memory, first, length, terminated=True):
    """Bilder first, first+1, ...; Stapel wie FrameStackObservation (am Anfang mit dem ersten Bild aufgefüllt)."""
    k = memory.history_length
    history = [first] * k
    for t in range(length):
        obs = _stack(*history)
        history = history[1:] + [first + t + 1]
        memory.add(obs, t % 4, float(first + t), _stack(*history), terminated and t == length - 1)


def _all_samples(memory, draws=500):
    found = set()
    for _ in range(draws):
        obs, actions, rewards, next_obs, terminated = memory.sample(len(memory))
        found |= {
            (tuple(o[:, 0, 0]), tuple(x[:, 0, 0]), float(r), bool(d))
            for o, r, x, d in zip(obs, rewards, next_obs, terminated)
        }
    return found


def test_frame_mode_rebuilds_stacks_within_episodes():
    memory = Ringbuffer.FrameReplayMemory(capacity=50, frame_shape=(1, 1), history_length=4, seed=0)
    _episode(memory, 10, 3)  # Bilder 10,11,12,13; endet durch terminated
    _episode(memory, 20, 2, terminated=False)  # Bilder 20,21,22; läuft noch
    assert len(memory) == 5
    assert _all_samples(memory) == {
        ((10, 10, 10, 10), (10, 10, 10, 11), 10.0, False),
        ((10, 10, 10, 11), (10, 10, 11, 12), 11.0, False),
        ((10, 10, 11, 12), (10, 11, 12, 13), 12.0, True),
        ((20, 20, 20, 20), (20, 20, 20, 21), 20.0, False),
        ((20, 20, 20, 21), (20, 20, 21, 22), 21.0, False),
    }


def test_frame_mode_wraparound_never_mixes_overwritten_frames():
    # Kapazität 8: Episode A (5 Schritte = 6 Plätze), Episode B (4 Schritte) überschreibt den Anfang von A
    memory = Ringbuffer.FrameReplayMemory(capacity=8, frame_shape=(1, 1), history_length=3, seed=0)
    _episode(memory, 100, 5)
    _episode(memory, 200, 4, terminated=False)
    samples = _all_samples(memory)
    # Plätze: B belegt 6,7,0,1,2 (Bilder 200..204); von A bleiben Plätze 3,4,5 (Bilder 103,104,105).
    # A's Übergang auf Platz 3 (Bild 103) und 4 (104) hätten überschriebene Vorgänger -> nicht ziehbar.
    assert samples == {
        ((200, 200, 200), (200, 200, 201), 200.0, False),
        ((200, 200, 201), (200, 201, 202), 201.0, False),
        ((200, 201, 202), (201, 202, 203), 202.0, False),
        ((201, 202, 203), (202, 203, 204), 203.0, False),
    }
    assert len(memory) == 4


def test_frame_mode_truncated_episode_keeps_last_transition():
    memory = Ringbuffer.FrameReplayMemory(capacity=20, frame_shape=(1, 1), history_length=2, seed=0)
    k_stack = lambda a, b: _stack(a, b)  # noqa: E731
    memory.add(k_stack(1, 1), 0, 1.0, k_stack(1, 2), False, truncated=True)
    memory.add(k_stack(5, 5), 1, 5.0, k_stack(5, 6), False)
    assert _all_samples(memory) == {((1, 1), (1, 2), 1.0, False), ((5, 5), (5, 6), 5.0, False)}


def test_frame_mode_bytes_per_transition():
    memory = Ringbuffer.FrameReplayMemory(capacity=1000, frame_shape=(84, 84), history_length=4)
    # 84*84 Bild + int32 Aktion + float32 Belohnung + 3 bool-Flags
    assert memory.bytes_per_transition() == 84 * 84 + 4 + 4 + 3


@pytest.mark.parametrize(
    "reward, error, text",
    [
        (float("nan"), ValueError, "NaN"),
        (float("inf"), ValueError, "NaN oder ∞"),
        (None, TypeError, "muss eine Zahl sein"),
        ("1", None, None),
    ],
)
def test_bad_reward_is_refused_before_it_reaches_the_network(reward, error, text):
    """#18/6: ein NaN im Speicher machte in wenigen Lernschritten alle Gewichte zu NaN, ohne Warnung."""
    memory = Ringbuffer.ReplayMemory(10, (2,), np.float32)
    if error is None:
        memory.add(np.zeros(2), 0, reward, np.zeros(2), False)  # "1" lässt sich als Zahl lesen
        assert memory.rewards[0] == 1.0
        return
    with pytest.raises(error, match=text):
        memory.add(np.zeros(2), 0, reward, np.zeros(2), False)
    assert len(memory) == 0
    frames = Ringbuffer.FrameReplayMemory(10, (2, 2), 2)
    with pytest.raises(error, match=text):
        frames.add(np.zeros((2, 2, 2), np.uint8), 0, reward, np.zeros((2, 2, 2), np.uint8), False)


def test_huber_delta_must_be_positive():
    import atari
    import dqn

    for make in (lambda: dqn.DQNConfig(huber_delta=0.0), lambda: atari.AtariConfig(huber_delta=-1.0)):
        with pytest.raises(ValueError, match="huber_delta` muss positiv sein"):
            make()
