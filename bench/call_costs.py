"""Was ein Aufruf kostet: die Zahlen hinter den Entscheidungen in dqn.py (kein `predict`/`fit` im Schritt-Takt,
NumPy-Kopie zum Handeln, ein BLAS-Thread), gemessen statt in Kommentaren behauptet.

    .venv/bin/python bench/call_costs.py        # etwa eine Minute; schreibt bench/results/call_costs.json

Gemessen am Q-Netz aus Lektion 3 für CartPole (128 × 128): die Median-Zeit pro Aufruf in Millisekunden für
- `predict` und `predict_on_batch` mit einer Beobachtung (so handelt der Agent),
- `fit` und `train_on_batch` mit einem Stapel von 512 (so lernt er in Lektion 3),
- `dqn.NumpyQ` (die NumPy-Kopie zum Handeln) mit einer Beobachtung und mit 128,
- NumPy mit einem und mit allen BLAS-Threads für einen Stapel von 128.
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

RESULT = ROOT / "bench" / "results" / "call_costs.json"


def median_ms(call, repeats):
    call()  # einmal vorweg: Aufbau, Kompilieren
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return round(float(np.median(times)) * 1000, 3)


def main():
    import keras
    from threadpoolctl import threadpool_limits

    import dqn

    keras.utils.set_random_seed(0)
    train_model, q_model = dqn.compile_models(dqn.build_q_network((4,), 2, (128, 128)), 5e-3)
    rng = np.random.default_rng(0)
    one = rng.normal(size=(1, 4)).astype(np.float32)
    batch = rng.normal(size=(512, 4)).astype(np.float32)
    mask = np.eye(2, dtype=np.float32)[rng.integers(2, size=512)]
    targets = mask * rng.normal(size=(512, 1)).astype(np.float32)
    numpy_q = dqn.NumpyQ.from_model(q_model)
    costs = {
        "predict, 1 Beobachtung": median_ms(lambda: q_model.predict(one, verbose=0), 30),
        "predict_on_batch, 1 Beobachtung": median_ms(lambda: q_model.predict_on_batch(one), 300),
        "fit, Stapel 512": median_ms(lambda: train_model.fit([batch, mask], targets, verbose=0), 20),
        "train_on_batch, Stapel 512": median_ms(lambda: train_model.train_on_batch([batch, mask], targets), 200),
        "NumpyQ, 1 Beobachtung": median_ms(lambda: numpy_q.predict_on_batch(one), 2000),
        "NumpyQ, Stapel 128": median_ms(lambda: numpy_q.predict_on_batch(batch[:128]), 2000),
    }
    with threadpool_limits(os.cpu_count(), user_api="blas"):
        costs["NumpyQ, Stapel 128, alle BLAS-Threads"] = median_ms(lambda: numpy_q.predict_on_batch(batch[:128]), 2000)
    result = dict(
        milliseconds=costs,
        network="Q-Netz aus Lektion 3, CartPole, verdeckte Schichten 128 × 128",
        machine=provenance.machine_description(),
        keras_backend=keras.backend.backend(),
        date=time.strftime("%Y-%m-%d"),
    )
    RESULT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, value in costs.items():
        print(f"{name:40s} {course.german_number(value, 3)} ms")


if __name__ == "__main__":
    main()
