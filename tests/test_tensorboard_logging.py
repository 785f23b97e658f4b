"""tensorboard_logging.Logger schreibt lesbare Ereignisdateien."""

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tensorboard_logging


def test_logger_writes_scalar_histogram_image(tmp_path):
    logger = tensorboard_logging.Logger(tmp_path)
    logger.log_scalar("ertrag", 12.5, step=3)
    logger.log_scalar("ertrag", 20.0, step=4)
    logger.log_histogram("q", np.arange(10), step=3)
    logger.log_image("bild", np.zeros((8, 8), np.uint8), step=3)
    logger.close()
    events = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0}).Reload()
    tags = events.Tags()["tensors"]
    assert {"ertrag", "q", "bild"} <= set(tags)
    import tensorflow as tf

    values = [(e.step, float(tf.make_ndarray(e.tensor_proto))) for e in events.Tensors("ertrag")]
    assert values == [(3, 12.5), (4, 20.0)]


def test_logger_rejects_bad_image_shape(tmp_path):
    logger = tensorboard_logging.Logger(tmp_path)
    with pytest.raises(ValueError, match="Form"):
        logger.log_image("x", np.zeros((1, 2, 3, 4, 5)), step=0)
