"""Was ein Double-DQN-Lernschritt auf LunarLander kostet, je nachdem, woher die Q-Werte des Online-Netzes kommen.

    .venv/bin/python bench/learning_step.py     # etwa eine Minute; schreibt bench/results/learning_step.json

`dqn.learning_step` (Lektion 5) fragt das Online-Netz nach den Q-Werten der Folgezustände. Zwei Wege, dieselben Zahlen:
- aus `online_copy`, der NumPy-Kopie, mit der der Agent auch handelt (so steht es in der Lektion),
- aus dem Keras-Trainingsmodell selbst, `train_model.predict_on_batch([next_obs, Einsen])` (ein zweiter Keras-Aufruf).
Gemessen: die Median-Zeit eines ganzen Lernschritts (Kopie nachziehen, ziehen, Ziel, train_on_batch) in
Millisekunden, mit dem Netz und der Stapelgröße des LunarLander-Presets, und wie weit die Gewichte beider Wege nach
1000 Lernschritten auseinanderliegen (nur Rundung: dieselben Stapel, dieselbe Rechnung).
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import course  # noqa: E402
import provenance  # noqa: E402

RESULT = ROOT / "bench" / "results" / "learning_step.json"


class KerasOnline:
    """Das Online-Netz über das Trainingsmodell: die Maske aus Einsen lässt alle Q-Werte durch."""

    def __init__(self, train_model):
        self.train_model = train_model

    def predict_on_batch(self, obs):
        n_actions = self.train_model.inputs[1].shape[-1]
        return self.train_model.predict_on_batch([obs, np.ones((len(obs), n_actions), np.float32)])


def filled_memory(config, obs_shape, seed):
    ReplayMemory = course.load_helper("Ringbuffer").ReplayMemory

    rng = np.random.default_rng(seed)
    memory = ReplayMemory(config.memory_size, obs_shape, np.float32, seed=seed)
    for _ in range(20_000):
        memory.add(
            rng.normal(size=obs_shape), int(rng.integers(4)), float(rng.normal()), rng.normal(size=obs_shape), False
        )
    return memory


def step_ms(keras_online, train_model, q_model, target, config, memory, repeats):
    """Median eines Lernschritts wie in der Schleife: die NumPy-Kopie nachziehen (braucht der Agent zum Handeln
    ohnehin), dann `learning_step` mit der Kopie oder mit dem Keras-Trainingsmodell als Online-Netz."""
    import dqn

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        online = dqn.NumpyQ.from_model(q_model)
        dqn.learning_step(train_model, target, memory, config, KerasOnline(train_model) if keras_online else online)
        times.append(time.perf_counter() - start)
    return round(float(np.median(times[10:])) * 1000, 3)


def main():
    import keras

    import dqn

    config = dqn.preset("LunarLander-v3")
    obs_shape, n_actions = (8,), 4
    weights, results = {}, {}
    for name, keras_online in [("online_copy (NumPy-Kopie)", False), ("train_model.predict_on_batch (Keras)", True)]:
        keras.utils.set_random_seed(0)
        train_model, q_model = dqn.compile_models(
            dqn.build_q_network(obs_shape, n_actions, config.hidden_units),
            config.learning_rate,
            config.huber_delta,
            config.clipnorm,
        )
        target = dqn.fast_copy(q_model)
        memory = filled_memory(config, obs_shape, seed=0)  # derselbe Speicher und Zufall: dieselben Stapel
        results[name] = step_ms(keras_online, train_model, q_model, target, config, memory, repeats=1000)
        weights[name] = train_model.get_weights()
    first, second = weights.values()
    report = dict(
        milliseconds_per_learning_step=results,
        largest_weight_difference_after_1000_steps=float(max(np.abs(a - b).max() for a, b in zip(first, second))),
        network=f"LunarLander-Preset: verdeckte Schichten {' × '.join(map(str, config.hidden_units))}, "
        f"Stapel {config.batch_size}, Double DQN",
        machine=provenance.machine_description(),
        keras_backend=os.environ.get("KERAS_BACKEND", "tensorflow"),
        versions=provenance.package_versions(),
    )
    course.write_json_atomic(RESULT, report)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
