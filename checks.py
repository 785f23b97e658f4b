"""Prüfungen für Übungen, die mehr brauchen als ein paar Beispielwerte: Sie vergleichen deine Funktion mit der
fertigen aus `dqn` auf identischen Kopien. Die Lektionen rufen sie in einer Zeile, z. B.
`kurs.check_function(checks.same_learning_step(q_iteration), ...)`; `replay_memory_facts` sieht am Ringpuffer aus
Lektion 5 nach, `cnn_facts` am Nature-CNN aus Lektion 6.
"""

import keras
import numpy as np

import dqn
import Ringbuffer


def _filled_memory(seed, size=200):
    memory = Ringbuffer.ReplayMemory(size, (4,), np.float32, seed=seed)
    data = np.random.default_rng(seed)
    for _ in range(size):
        memory.add(
            data.normal(size=4),
            int(data.integers(2)),
            float(data.normal()),
            data.normal(size=4),
            bool(data.random() < 0.1),
        )
    return memory


def _same_weights(first, second):
    return all(np.allclose(a, b, atol=1e-5) for a, b in zip(first.get_weights(), second.get_weights()))


def same_learning_step(q_iteration):
    """Prüffunktion (seed, double_dqn) -> True, wenn `q_iteration` das Netz genau wie `dqn.q_iteration` ändert."""

    def q_iteration_matches_reference(seed, double_dqn=False):
        config = dqn.DQNConfig(batch_size=32, gamma=0.9, double_dqn=double_dqn)
        models = []
        for _ in range(2):
            keras.utils.set_random_seed(seed)
            models.append(dqn.build_q_model((4,), 2, hidden_units=(16,), learning_rate=1e-2))
        keras.utils.set_random_seed(seed + 1)
        target = dqn.build_q_model((4,), 2, hidden_units=(16,))[1]  # ein anderes Netz als das Online-Netz
        q_iteration(models[0][0], target, _filled_memory(seed), config)
        dqn.q_iteration(models[1][0], target, _filled_memory(seed), config)
        return _same_weights(models[0][0], models[1][0])

    q_iteration_matches_reference.__name__ = getattr(q_iteration, "__name__", "q_iteration")
    return q_iteration_matches_reference


def same_training(train):
    """Eine Prüffunktion (seed) -> True, wenn 400 Schritte mit `train` dasselbe Netz ergeben wie mit `dqn.train`."""

    def train_matches_reference(seed):
        config = dqn.DQNConfig(
            total_steps=400,
            hidden_units=(16,),
            learning_starts=100,
            batch_size=32,
            epsilon_decay_steps=200,
            target_update_every=10,
            eval_every=0,
        )
        mine = train(config, seed=seed, progress=False)
        reference = dqn.train(config, seed=seed, progress=False)
        return (
            mine is not None
            and mine.updates == reference.updates
            and len(mine.episode_returns) > 0
            and _same_weights(mine.train_model, reference.train_model)
        )

    train_matches_reference.__name__ = getattr(train, "__name__", "train")
    return train_matches_reference


def cnn_facts(build_cnn):
    """Eine Prüffunktion () -> was die Prüfung am Nature-CNN nachsieht: Ausgabeformen, Parameter, Maske, Eingabe."""

    def nature_cnn_facts():
        keras.utils.set_random_seed(0)
        train_model, q_model = build_cnn(4)
        shapes = {
            layer.name: tuple(layer.output.shape[1:])
            for layer in q_model.layers
            if layer.name in ("conv_1", "conv_2", "conv_3", "dense", "q_values")
        }
        frames = np.random.default_rng(0).integers(0, 256, size=(2, 4, 84, 84), dtype=np.uint8)
        masks = np.array([[1, 0, 0, 0], [0, 0, 0, 0]], np.float32)
        out = np.asarray(train_model.predict_on_batch([frames, masks]))
        q_values = np.asarray(q_model.predict_on_batch(frames))
        return {
            "Ausgabeformen": shapes,
            "Parameter": q_model.count_params(),
            "Maske wirkt": bool(np.isclose(out[0, 0], q_values[0, 0]) and not out[0, 1:].any() and not out[1].any()),
            "Q-Werte endlich": bool(np.isfinite(q_values).all()),
        }

    nature_cnn_facts.__name__ = getattr(build_cnn, "__name__", "build_cnn")
    return nature_cnn_facts


def replay_memory_facts(memory_class):
    """Eine Prüffunktion () -> was die Prüfung am Ringpuffer aus Lektion 5 nachsieht (Überschreiben, Stapel, Zufall)."""

    def replay_memory_facts():
        memory = memory_class(capacity=3, obs_shape=(2,), seed=0)
        for t in range(5):  # Übergang t: obs = (t, t), Aktion t % 2, Belohnung t, next_obs = (t + 1, t + 1)
            memory.add([t, t], t % 2, float(t), [t + 1, t + 1], t == 4)
        batch = memory.sample(3)
        obs, actions, rewards, next_obs, terminated = (np.asarray(part) for part in batch)
        whole = bool(
            np.all(obs[:, 0] == rewards)
            and np.all(next_obs[:, 0] == rewards + 1)
            and np.all(actions == rewards % 2)
            and np.all(terminated == (rewards == 4))
        )
        half_full = memory_class(capacity=100, obs_shape=(2,), seed=1)
        for t in range(4):
            half_full.add([t, t], 0, float(t), [t, t], False)
        drawn = np.concatenate([np.asarray(half_full.sample(4)[2]) for _ in range(1_000)])  # 4 000 Belohnungen
        counts = np.bincount(drawn.astype(int), minlength=100)
        return {
            "nach 5 × add bei Kapazität 3: size, position": (len(memory), memory.position),
            "Belohnungen auf den Plätzen 0, 1, 2": memory.rewards.tolist(),
            "Formen eines Stapels von 3": tuple(part.shape for part in (obs, actions, rewards, next_obs, terminated)),
            "Übergänge im Stapel bleiben ganz": whole,
            "zieht nur gefüllte Plätze": bool(counts[4:].sum() == 0),
            "zieht alle Plätze etwa gleich oft": bool(np.all(np.abs(counts[:4] - 1_000) < 150)),
        }

    replay_memory_facts.__name__ = getattr(memory_class, "__name__", "ReplayMemory")
    return replay_memory_facts
