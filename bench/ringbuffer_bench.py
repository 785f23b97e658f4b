"""Benchmark: Ringpuffer (Bild-Modus, 1 Mio. Plätze, 84×84) gegen eine deque von Tupeln.

    .venv/bin/python bench/ringbuffer_bench.py            # schreibt bench/results/ringbuffer.json

Die deque speichert, wie das Keras-Breakout-Beispiel, pro Übergang (Zustand, Aktion, Belohnung,
Folgezustand, Ende) mit Zustand = Stapel aus 4 Bildern. Folgezustand t und Zustand t+1 sind dasselbe
Objekt (wie in einer echten Schleife), also etwa ein 4er-Stapel pro Übergang. Sie wird bei kleinerer
Kapazität gemessen (1 Mio. passt nicht in den Speicher) und ihr Speicherbedarf pro Übergang hochgerechnet.
"""
import argparse
import json
import platform
import random
import sys
import time
import tracemalloc
from collections import deque
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import kurs  # noqa: E402,F401
import Ringbuffer  # noqa: E402

HISTORY, SHAPE, BATCH = 4, (84, 84), 32


def frame_stream(n, episode_length=200, seed=0):
    """Erzeugt (obs, action, reward, next_obs, terminated) wie FrameStackObservation, mit Episodenenden."""
    rng = np.random.default_rng(seed)
    pool = rng.integers(0, 255, size=(64, *SHAPE), dtype=np.uint8)  # Bilder wiederverwenden: Erzeugen nicht mitmessen
    stack = np.stack([pool[0]] * HISTORY)
    for t in range(n):
        next_stack = np.concatenate([stack[1:], pool[t % 64][None]])
        terminated = (t + 1) % episode_length == 0
        yield stack, t % 4, 1.0, next_stack, terminated
        stack = np.stack([pool[(t + 1) % 64]] * HISTORY) if terminated else next_stack


def bench_ours(capacity, n_adds, n_samples):
    memory = Ringbuffer.FrameReplayMemory(capacity, SHAPE, HISTORY, seed=0)
    transitions = list(frame_stream(min(n_adds, 5000)))
    start = time.perf_counter()
    for i in range(n_adds):
        memory.add(*transitions[i % len(transitions)])
    add_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(n_samples):
        memory.sample(BATCH)
    sample_seconds = time.perf_counter() - start
    return {
        "capacity": capacity,
        "adds": n_adds,
        "add_per_second": n_adds / add_seconds,
        "sample_batches_per_second": n_samples / sample_seconds,
        "bytes_per_transition": memory.bytes_per_transition(),
        "total_gib": memory.nbytes() / 2**30,
    }


def bench_deque(capacity, n_adds, n_samples):
    tracemalloc.start()
    memory = deque(maxlen=capacity)
    stream = frame_stream(n_adds)
    start = time.perf_counter()
    for obs, action, reward, next_obs, terminated in stream:
        memory.append((obs, action, reward, next_obs, terminated))
    add_seconds = time.perf_counter() - start  # enthält das Erzeugen der Stapel, wie in einer echten Schleife
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    start = time.perf_counter()
    for _ in range(n_samples):
        batch = random.sample(range(len(memory)), BATCH)
        items = [memory[i] for i in batch]  # deque-Zugriff in der Mitte ist O(n)
        np.stack([x[0] for x in items]), np.stack([x[3] for x in items])
    sample_seconds = time.perf_counter() - start
    return {
        "capacity": capacity,
        "adds": n_adds,
        "add_per_second": n_adds / add_seconds,
        "sample_batches_per_second": n_samples / sample_seconds,
        "bytes_per_transition": current / len(memory),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--capacity", type=int, default=1_000_000)
    parser.add_argument("--deque-capacity", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ringbuffer.json"))
    args = parser.parse_args()
    ours = bench_ours(args.capacity, args.capacity, args.samples)
    print("FrameReplayMemory:", json.dumps(ours, indent=1))
    ours_small = bench_ours(args.deque_capacity, args.deque_capacity, args.samples)
    print("FrameReplayMemory (Kapazität wie die deque):", json.dumps(ours_small, indent=1))
    theirs = bench_deque(args.deque_capacity, args.deque_capacity, args.samples)
    print("deque von Tupeln:", json.dumps(theirs, indent=1))
    result = {
        "benchmark": "ringbuffer",
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(), "numpy": np.__version__},
        "batch_size": BATCH,
        "history_length": HISTORY,
        "frame_shape": SHAPE,
        "frame_replay_memory": ours,
        "frame_replay_memory_at_deque_capacity": ours_small,
        "deque_of_tuples": theirs,
        "deque_bytes_at_ours_capacity_gib": theirs["bytes_per_transition"] * args.capacity / 2**30,
        "sample_speedup_same_capacity": ours_small["sample_batches_per_second"] / theirs["sample_batches_per_second"],
        "add_speedup_same_capacity": ours_small["add_per_second"] / theirs["add_per_second"],
        "memory_ratio": theirs["bytes_per_transition"] / ours["bytes_per_transition"],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out)
    print(f"geschrieben: {out}")


if __name__ == "__main__":
    main()
