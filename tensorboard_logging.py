"""Kleiner TensorBoard-Logger für Keras 3 auf TensorFlow 2 (tf.summary, kein TF1-`tf.Summary`).

    logger = Logger("logs/cartpole")
    logger.log_scalar("ertrag", 200.0, step=1000)
    logger.log_histogram("q_werte", q_values, step=1000)  # Lektion 3: die Q-Werte nach dem Training

TensorBoard starten: `tensorboard --logdir logs` im Workshop-Ordner (mit aktivierter .venv) oder im
Notebook `%load_ext tensorboard` und `%tensorboard --logdir {course.LOG_DIR}`.
Ohne TensorFlow (z. B. KERAS_BACKEND=jax auf einer GPU-Maschine) schreibt der Logger nichts und sagt das einmal.
"""

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

import course


def _check_writable(logdir):
    """Legt den Log-Ordner an und probiert eine Datei darin; sonst eine deutsche Meldung statt TensorFlows Fehler."""
    try:
        logdir.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=logdir, prefix=".schreibprobe")
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        import errno

        reason = {
            errno.ENOTDIR: "ein Teil des Pfads ist eine Datei, kein Ordner",
            errno.EEXIST: "an dieser Stelle liegt schon eine Datei",
            errno.EACCES: "keine Schreibrechte",
            errno.EPERM: "keine Schreibrechte",
            errno.EROFS: "das Laufwerk ist schreibgeschützt",
            errno.ENOSPC: "die Platte ist voll",
        }.get(error.errno, error.strerror or str(error))
        raise course.InputError(
            f"In den Log-Ordner {logdir} kann ich nicht schreiben: {reason}. "
            "Wähle einen Ordner, in dem du schreiben darfst, z. B. logs/ im Workshop-Ordner."
        ) from None


class Logger:
    """Schreibt Skalare und Histogramme in ein TensorBoard-Logverzeichnis."""

    def __init__(self, logdir):
        self.logdir = str(logdir)
        _check_writable(Path(logdir))
        try:
            import tensorflow as tf
        except ImportError:
            warnings.warn("TensorFlow ist nicht installiert: TensorBoard-Logging ist abgeschaltet.", stacklevel=2)
            self._tf, self._writer = None, None
            return
        self._tf = tf
        self._writer = tf.summary.create_file_writer(self.logdir)

    @property
    def enabled(self):
        return self._writer is not None

    def log_scalar(self, tag, value, step):
        if self.enabled:
            with self._writer.as_default():
                self._tf.summary.scalar(tag, float(value), step=int(step))

    def log_histogram(self, tag, values, step, bins=30):
        if self.enabled:
            with self._writer.as_default():
                self._tf.summary.histogram(tag, np.asarray(values, dtype=np.float32), step=int(step), buckets=bins)

    def flush(self):
        if self.enabled:
            self._writer.flush()

    def close(self):
        if self.enabled:
            self._writer.close()
