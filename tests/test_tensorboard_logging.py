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


def test_tensorboard_magic_finds_the_program_and_the_log_folder(tmp_path):
    """`%tensorboard --logdir {course.LOG_DIR}` im Kernel der .venv, auch wenn deren bin-Ordner nicht im PATH steht."""
    import os
    import sys

    import nbformat
    from nbclient import NotebookClient

    import course

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {str(course.ROOT)!r})\nimport course\ncourse.setup()"
        ),
        nbformat.v4.new_code_cell("%load_ext tensorboard\n%tensorboard --logdir {course.LOG_DIR} --port 0"),
        nbformat.v4.new_code_cell(
            "from tensorboard import manager\nimport os, signal\n"
            "running = [i for i in manager.get_all() if i.logdir == str(course.LOG_DIR)]\n"
            "print('LAEUFT', len(running))\nfor i in running: os.kill(i.pid, signal.SIGTERM)"
        ),
    ]
    bin_dir = os.path.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != bin_dir)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env={**os.environ, "PATH": path})
    shown = str(notebook.cells[1].outputs)
    assert "Could not find" not in shown and "ERROR" not in shown, shown
    assert "LAEUFT 1" in notebook.cells[2].outputs[0]["text"], notebook.cells[2].outputs
