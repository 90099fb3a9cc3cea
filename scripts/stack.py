"""Starts the servers as `make run` does, for tests and benchmarks: the clinic database is
migrated, then the action server, the Rasa server (with its HTTP API) and, if asked, the delivery
worker, the sample clinic site and the staff console start on free ports with their data in `workdir`.

    with Stack(model, tmp_dir) as stack:
        stack.say("sender-1", "does it hurt?")
"""

import os
import secrets
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
                 env: Optional[Dict[str, str]] = None, delivery: bool = False, site: bool = False,
                 console: bool = False) -> None:
        self.model = Path(model)
        self.workdir = Path(workdir)
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.tracker_store_url = tracker_store_url or f"sqlite:///{self.workdir / 'tracker.db'}"
        self.database_url = f"sqlite:///{self.workdir / 'clinic.db'}"
        self.api_token = secrets.token_hex(16)
        self.delivery = delivery
        self.site = site
        self.site_port = free_port()
        self.console = console
        self.console_port = free_port()
        self.extra_env = env or {}
        self.processes: Dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def site_url(self) -> str:
        return f"http://localhost:{self.site_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_STORE_URL=self.tracker_store_url,
            DATABASE_URL=self.database_url,
            RASA_API_TOKEN=self.api_token,
            RASA_URL=self.url,
            ALLOWED_ORIGINS=f"{self.site_url},http://127.0.0.1:{self.site_port}",
            SITE_HOST="127.0.0.1",
            SITE_PORT=str(self.site_port),
            CHAT_SERVER_URL=self.url,
            CONSOLE_HOST="127.0.0.1",
            CONSOLE_PORT=str(self.console_port),
            CONSOLE_SECRET=self.api_token * 2,
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
        migrated = subprocess.run([sys.executable, "-m", "records.cli", "migrate"], cwd=ROOT, env=self._env(),
                                  capture_output=True, text=True)
        if migrated.returncode != 0:
            raise StackError(f"the clinic database could not be migrated:\n{migrated.stderr[-3000:]}")
        self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(self.action_port)])
        self._spawn("rasa", self._rasa_command())
        if self.delivery:
            self._spawn("delivery", [sys.executable, "-m", "records.delivery"])
        if self.site:
            self._spawn("site", [sys.executable, "-m", "website.server"])
        if self.console:
            self._spawn("console", [sys.executable, "-m", "console.server"])
        self._wait("actions", f"http://127.0.0.1:{self.action_port}/health", timeout)
        self._wait("rasa", f"{self.url}/", timeout)
        if self.site:
            self._wait("site", f"http://127.0.0.1:{self.site_port}/health", timeout)
        if self.console:
            self._wait("console", f"{self.console_url}/health", timeout)
        return self

    def stop_process(self, name: str) -> None:
        """Stops one server (as a crash or a restart would), keeping the others running."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    def start_rasa(self, timeout: float = 180) -> None:
        """Starts the Rasa server again on the same port, after stop_process("rasa")."""
        self._spawn("rasa", self._rasa_command())
        self._wait("rasa", f"{self.url}/", timeout)

    def _rasa_command(self) -> List[str]:
        return [str(BIN / "rasa"), "run", "--model", str(self.model),
                "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                "--port", str(self.rasa_port), "--enable-api", f"--auth-token={self.api_token}"]

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

    def run(self, *command: str) -> subprocess.CompletedProcess:
        """Runs a project command (e.g. `python -m scripts.resume ID`) against this stack."""
        return subprocess.run(list(command), cwd=ROOT, env=self._env(), capture_output=True, text=True, timeout=120)

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa's HTTP API returns it."""
        response = requests.get(f"{self.url}/conversations/{sender}/tracker",
                                params={"token": self.api_token}, timeout=30)
        response.raise_for_status()
        return response.json()

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Rasa's HTTP API with the stack's token, e.g. api("POST", "/model/parse", json={"text": "hi"})."""
        response = requests.request(method, f"{self.url}{path}", params={"token": self.api_token}, timeout=120, **kwargs)
        response.raise_for_status()
        return response

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
