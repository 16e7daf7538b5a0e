"""``python3 dev.py serve`` is the server itself: stopping it the way people stop things
stops the server and frees its port."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from live_process import environment_for, port_is_free, serving_process


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_stopping_dev_py_serve_stops_the_server_and_frees_the_port(
    tmp_path: Path, stop: signal.Signals
) -> None:
    environment = environment_for(tmp_path)

    with serving_process(["dev.py", "serve", "--data-dir", str(tmp_path)], environment) as served:
        served.process.send_signal(stop)  # to dev.py's own pid, as `kill <pid>` does
        code = served.process.wait(timeout=30)

    assert code is not None
    assert port_is_free(served.port)
