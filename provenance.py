"""Herkunftsangaben: ein Format für Modelle (scripts/train_agent.py, scripts/train_breakout.py) und Benchmarks
(bench/): Rechner, Backend, Paketversionen, Bewertung."""

import os


def accelerators():
    """Namen der GPUs, auf denen das Keras-Backend rechnet (leer auf der CPU)."""
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            return [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        if backend == "tensorflow":
            import tensorflow as tf

            return [
                tf.config.experimental.get_device_details(d).get("device_name", d.name)
                for d in tf.config.list_physical_devices("GPU")
            ]
    except Exception:  # eine Herkunftsangabe darf ein Training nie abbrechen
        pass
    return []


def machine_description():
    """Der Rechner, z. B. »x86_64, 2 Kerne, Linux« oder »…, GPU NVIDIA H100 80GB HBM3«."""
    import platform

    cpu = platform.processor() or platform.machine()
    gpus = accelerators()
    return f"{cpu}, {os.cpu_count()} Kerne, {platform.system()}" + (f", GPU {', '.join(gpus)}" if gpus else "")


def evaluation_summary(scores, protocol, **extra):
    """Die Bewertung eines Agenten für die Herkunftsdatei: Protokoll, Anzahl, Mittel, Streuung, Spanne."""
    import numpy as np

    scores = np.asarray(scores, dtype=float)
    return {
        "protocol": protocol,
        "episodes": len(scores),
        "mean": round(float(scores.mean()), 2),
        "std": round(float(scores.std()), 2),
        "min": float(scores.min()),
        "max": float(scores.max()),
        **extra,
    }


def model_record(evaluation, **facts):
    """Herkunftsdatei eines Modells: was trainiert wurde (`facts`), seine Bewertung, Rechner, Backend, Versionen."""
    import platform
    import time

    import keras

    return {
        **facts,
        "evaluation": evaluation,
        "keras_backend": keras.backend.backend(),
        "machine": machine_description(),
        "python": platform.python_version(),
        "versions": package_versions(),
        "created": time.strftime("%Y-%m-%d"),
    }


def package_versions(
    names=(
        "keras",
        "tensorflow-cpu",
        "tensorflow",
        "jax",
        "gymnasium",
        "numpy",
        "ale-py",
        "stable-baselines3",
        "torch",
    ),
):
    """Installierte Versionen der genannten Pakete (fehlende fehlen im Ergebnis) – für Herkunftsangaben."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found
