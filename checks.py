"""Prüfungen für Übungen, die mehr brauchen als ein paar Beispielwerte: Sie vergleichen deine Funktion mit der
fertigen aus `dqn` auf identischen Kopien. Die Lektionen rufen sie in einer Zeile, z. B.
`kurs.check_function(checks.same_learning_step(q_iteration), ...)`; `cnn_facts` sieht am Nature-CNN aus Lektion 6 nach.
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
