"""tensorboard_logging.Logger schreibt lesbare Ereignisdateien."""

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tensorboard_logging


def test_logger_writes_scalars_and_histogram(tmp_path):
    logger = tensorboard_logging.Logger(tmp_path)
    logger.log_scalar("ertrag", 12.5, step=3)
    logger.log_scalar("ertrag", 20.0, step=4)
    logger.log_histogram("q", np.arange(10), step=3)
    logger.close()
    events = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0}).Reload()
    tags = events.Tags()["tensors"]
    assert {"ertrag", "q"} <= set(tags)
    import tensorflow as tf

    values = [(e.step, float(tf.make_ndarray(e.tensor_proto))) for e in events.Tensors("ertrag")]
    assert values == [(3, 12.5), (4, 20.0)]
