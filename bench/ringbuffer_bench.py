"""Benchmark: Ringpuffer (Bild-Modus, 1 Mio. Plätze, 84×84) gegen eine deque von Tupeln.

    .venv/bin/python bench/ringbuffer_bench.py            # schreibt bench/results/ringbuffer.json

Die deque speichert pro Übergang das Tupel (Zustand, Aktion, Belohnung, Folgezustand, Ende) mit
Zustand = Stapel aus 4 Bildern. Folgezustand t und Zustand t+1 sind dasselbe Objekt (wie in einer
echten Schleife), also etwa ein 4er-Stapel pro Übergang. Sie wird bei kleinerer Kapazität gemessen
(1 Mio. passt nicht in 24 GB) und ihr Speicherbedarf hochgerechnet; zum fairen Vergleich misst der
Benchmark den Ringpuffer auch bei derselben kleinen Kapazität. Beide fügen dieselben vorab erzeugten
Übergänge ein; Ziehen heißt: 32 Übergänge ziehen und Zustand und Folgezustand als Arrays stapeln.
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
import course  # noqa: E402

Ringbuffer = course.load_helper("Ringbuffer")

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


def per_second(n, fn):
    """Ruft fn() n-mal auf und gibt Aufrufe pro Sekunde zurück."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def bench_ours(capacity, n_samples):
    memory = Ringbuffer.FrameReplayMemory(capacity, SHAPE, HISTORY, seed=0)
    transitions = list(frame_stream(5000))
    counter = iter(range(capacity))
    adds = per_second(capacity, lambda: memory.add(*transitions[next(counter) % len(transitions)]))
    return {
        "capacity": capacity,
        "add_per_second": adds,
        "sample_batches_per_second": per_second(n_samples, lambda: memory.sample(BATCH)),
        "bytes_per_transition": memory.bytes_per_transition(),
        "total_gib": memory.nbytes() / 2**30,
    }


def bench_deque(capacity, n_samples):
    # Speicher: mit frischen Stapeln füllen, wie eine echte Schleife sie erzeugt
    tracemalloc.start()
    memory = deque(maxlen=capacity)
    for transition in frame_stream(capacity):
        memory.append(transition)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bytes_per_transition = current / len(memory)
    # Durchsatz: dieselben vorab erzeugten Übergänge wie beim Ringpuffer
    transitions = list(frame_stream(5000))
    counter = iter(range(capacity))
    adds = per_second(capacity, lambda: memory.append(transitions[next(counter) % len(transitions)]))

    def sample():
        items = [memory[i] for i in random.sample(range(len(memory)), BATCH)]  # deque-Zugriff in der Mitte ist O(n)
        return np.stack([x[0] for x in items]), np.stack([x[3] for x in items])

    return {
        "capacity": capacity,
        "add_per_second": adds,
        "sample_batches_per_second": per_second(n_samples, sample),
        "bytes_per_transition": bytes_per_transition,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--capacity", type=int, default=1_000_000)
    parser.add_argument("--deque-capacity", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ringbuffer.json"))
    args = parser.parse_args()
    ours = bench_ours(args.capacity, args.samples)
    print("FrameReplayMemory:", json.dumps(ours, indent=1))
    ours_small = bench_ours(args.deque_capacity, args.samples)
    print("FrameReplayMemory (Kapazität wie die deque):", json.dumps(ours_small, indent=1))
    theirs = bench_deque(args.deque_capacity, args.samples)
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
    course.write_json_atomic(out, result, indent=2)
    print(f"geschrieben: {out}")


if __name__ == "__main__":
    main()
