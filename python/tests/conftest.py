"""Fixtures of the li2 Python tests: a small run trained by the li2
command ($LI2, set by make check) and exported with li2 export."""
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def li2_command():
    cmd = os.environ.get("LI2")
    if not cmd or not os.access(cmd, os.X_OK):
        pytest.skip("the li2 command is not built ($LI2 unset)")
    return cmd


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, li2_command):
    """li2 train on Z7 (20 epochs, checkpoints at 10 and 20) and li2 export
    checkpoint=all: (run directory, export directory)."""
    d = tmp_path_factory.mktemp("li2run")
    run = str(d / "run")
    subprocess.run([li2_command, "train", "out=" + run, "group=Z7", "hidden_size=16",
                    "num_epochs=20", "save_interval=10", "eval_interval=5", "seed=2",
                    "threads=1"], check=True, stdout=subprocess.DEVNULL)
    out = str(d / "npy")
    subprocess.run([li2_command, "export", run, "out=" + out, "checkpoint=all"], check=True,
                   stdout=subprocess.DEVNULL)
    return run, out
