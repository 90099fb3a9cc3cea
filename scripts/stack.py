"""Starts the action server and the Rasa server as `make run` does, for tests and benchmarks.

    with Stack(model, tmp_dir) as stack:
        stack.say("sender-1", "does it hurt?")
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StackError(RuntimeError):
    """A server did not start; the message ends with the tail of its log."""


class Stack:
    def __init__(self, model: Path, workdir: Path, tracker_store_url: Optional[str] = None,
                 env: Optional[Dict[str, str]] = None) -> None:
        self.model = Path(model)
        self.workdir = Path(workdir)
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.tracker_store_url = tracker_store_url or f"sqlite:///{self.workdir / 'tracker.db'}"
        self.extra_env = env or {}
        self.processes: Dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_STORE_URL=self.tracker_store_url,
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: List[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait(self, name: str, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                break
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise StackError(f"{name} did not start within {timeout:.0f} s:\n{tail}")

    def start(self, timeout: float = 180) -> "Stack":
        if not self.model.is_file():
            raise StackError(f"no trained model at {self.model}: run `make train` first")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(self.action_port)])
        self._spawn("rasa", [str(BIN / "rasa"), "run", "--model", str(self.model),
                             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                             "--port", str(self.rasa_port)])
        self._wait("actions", f"http://127.0.0.1:{self.action_port}/health", timeout)
        self._wait("rasa", f"{self.url}/", timeout)
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def rasa_pid(self) -> int:
        return self.processes["rasa"].pid

    def post(self, body, **kwargs) -> requests.Response:
        """POSTs a raw body to the REST channel."""
        return requests.post(f"{self.url}/webhooks/rest/webhook", data=body, timeout=120,
                             headers={"Content-Type": "application/json"}, **kwargs)

    def say(self, sender: str, message: str) -> List[dict]:
        response = requests.post(f"{self.url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": message}, timeout=120)
        response.raise_for_status()
        return response.json()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
