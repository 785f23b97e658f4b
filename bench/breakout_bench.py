"""Benchmark für Lektion 6: Trainingsgeschwindigkeit auf Breakout, unsere Schleife gegen eine im Stil des
Keras-Beispiels.

    python3 workshop.py bench breakout_bench                 # Standard: 3000 gemessene Schritte je Schleife
    python3 workshop.py bench breakout_bench --steps 1000

„Keras-Beispiel“ heißt: so geschrieben wie „Deep Q-Learning for Atari Breakout“ auf keras.io
(Jacob Chapman, Mathias Lechner): pro Schritt ein eager Modellaufruf `model(state, training=False)`,
Erfahrungen in Python-Listen (jeder Übergang mit Zustand und Folgezustand als ganze Stapel), Ziel mit
`model_target.predict`, Lernschritt mit `tf.GradientTape` (deshalb nur auf TensorFlow). Dasselbe Netz
(atari.build_cnn), dieselbe Umgebung (atari.BREAKOUT_ID), dieselben Hyperparameter: Stapel 32, Lernschritt
alle 4 Schritte, ε = 0,1 fest. Unsere Schleife ist atari.train, also genau der Code der Lektion.

Gemessen wird nach einer Füllphase (zufällige Schritte, Speicher hat Inhalt) die Zahl der Agenten-Schritte
pro Sekunde über `--steps` Schritte mit Lernen; dazu Bytes pro gespeichertem Übergang. Jede Schleife läuft
in einem eigenen Prozess. Ergebnis: bench/results/breakout_speed_<backend>.json.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
FILL = 1_000  # zufällige Schritte vor der Messung


def run_ours(steps, seed):
    import atari

    config = atari.AtariConfig(
        total_steps=FILL + steps,
        memory_size=50_000,
        learning_starts=FILL,
        epsilon_start=0.1,
        epsilon_end=0.1,
        epsilon_decay_steps=1,
        checkpoint_every=0,
        eval_every=0,
    )
    # Füllphase (nicht gemessen): endet nach FILL Schritten, dann derselbe Lauf mit `resume` weiter
    filled = atari.train(config, seed=seed, progress=False, on_step=lambda step, epsilon, result: step >= FILL)
    result = atari.train(config, progress=False, resume=filled)
    seconds = result.history[-1]["seconds"]
    return dict(
        steps=steps,
        seconds=seconds,
        steps_per_second=steps / seconds,
        updates=result.updates,
        bytes_per_transition=atari.bytes_per_transition(),
    )


def run_keras_example(steps, seed):
    import keras
    import numpy as np
    import tensorflow as tf

    import atari
    import dqn

    keras.utils.set_random_seed(seed)
    model = dqn.q_model_of(atari.build_cnn(4))
    model_target = dqn.q_model_of(atari.build_cnn(4))
    model_target.set_weights(model.get_weights())
    optimizer = keras.optimizers.Adam(learning_rate=1e-4, clipnorm=10.0)
    loss_function = keras.losses.Huber()
    gamma, batch_size, epsilon, num_actions = 0.99, 32, 0.1, 4
    action_history, state_history, state_next_history, rewards_history, done_history = [], [], [], [], []
    env = dqn.make_env(atari.BREAKOUT_ID)
    state, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    start = None
    for frame_count in range(1, FILL + steps + 1):
        if frame_count == FILL + 1:
            start = time.perf_counter()
        if frame_count <= FILL or epsilon > rng.random():
            action = int(rng.integers(num_actions))
        else:
            state_tensor = keras.ops.expand_dims(keras.ops.convert_to_tensor(state), 0)
            action_probs = model(state_tensor, training=False)
            action = int(keras.ops.argmax(action_probs[0]))
        state_next, reward, terminated, truncated, info = env.step(action)
        action_history.append(action)
        state_history.append(np.array(state))
        state_next_history.append(np.array(state_next))
        done_history.append(float(terminated or info["life_lost"]))
        rewards_history.append(float(np.sign(reward)))
        state = state_next
        if terminated or truncated:
            state, _ = env.reset()
        if frame_count > FILL and frame_count % 4 == 0:
            indices = rng.choice(range(len(done_history)), size=batch_size)
            state_sample = np.array([state_history[i] for i in indices])
            state_next_sample = np.array([state_next_history[i] for i in indices])
            rewards_sample = np.array([rewards_history[i] for i in indices], dtype=np.float32)
            action_sample = [action_history[i] for i in indices]
            done_sample = np.array([done_history[i] for i in indices], dtype=np.float32)
            future_rewards = model_target.predict(state_next_sample, verbose=0)
            updated_q_values = rewards_sample + gamma * np.max(future_rewards, axis=1) * (1 - done_sample)
            masks = keras.ops.one_hot(action_sample, num_actions)
            with tf.GradientTape() as tape:
                q_values = model(state_sample)
                q_action = keras.ops.sum(keras.ops.multiply(q_values, masks), axis=1)
                loss = loss_function(updated_q_values, q_action)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        if frame_count % 1000 == 0:
            model_target.set_weights(model.get_weights())
    seconds = time.perf_counter() - start
    per_transition = state_history[0].nbytes + state_next_history[0].nbytes + 8 + 8 + 8  # Stapel + 3 Python-Zahlen
    return dict(
        steps=steps, seconds=round(seconds, 2), steps_per_second=steps / seconds, bytes_per_transition=per_transition
    )


def main():
    import cli
    import course
    import provenance

    parser = cli.argument_parser(__doc__)
    parser.add_argument("--steps", type=int, default=3_000, help="gemessene Agenten-Schritte je Schleife")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=("ours", "keras_example"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        run = run_ours if options.worker == "ours" else run_keras_example
        print("RESULT " + json.dumps(run(options.steps, options.seed)), flush=True)
        return

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    loops = ["ours"] + (["keras_example"] if backend == "tensorflow" else [])
    report = dict(
        keras_backend=backend,
        machine=provenance.machine_description(),
        python=platform.python_version(),
        versions=provenance.package_versions(),
        fill_steps=FILL,
        measured_steps=options.steps,
        results={},
    )
    for loop in loops:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", loop, "--steps", str(options.steps), "--seed", str(options.seed)],
            capture_output=True,
            text=True,
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            sys.exit(f"Schleife {loop} fehlgeschlagen:\n{proc.stderr[-3000:]}")
        report["results"][loop] = json.loads(lines[-1][len("RESULT ") :])
        print(
            f"{loop:14s} {report['results'][loop]['steps_per_second']:.1f} Schritte/s, "
            f"{report['results'][loop]['bytes_per_transition']:.0f} Byte pro Übergang",
            flush=True,
        )
    if "keras_example" in report["results"]:
        report["speedup"] = round(
            report["results"]["ours"]["steps_per_second"] / report["results"]["keras_example"]["steps_per_second"], 2
        )
        print(f"unsere Schleife ist {report['speedup']}× so schnell")
    out = RESULTS / f"breakout_speed_{backend}.json"
    course.write_json_atomic(out, report)
    print(f"geschrieben: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
