"""The README is a test (issue 22): its tour, network, Google-fake, progress-updates and iCal sections
run as a new user would type them — real `netgoals` processes, a fresh NETGOALS_HOME, a web server
on a port that is not 8000, the Google Calendar fake in its own process — and what the README says
they print is checked.

The shell blocks are read from README.md by heading, as they stand: when the README drifts from the
code, this test fails. What a person would do by hand is done here the same way: the fake's
`export` lines are pasted into the next block's environment, the address `google connect
--no-browser` prints is opened, and placeholders (`ASPIRATION`, `URL`, `ID`) are filled in from
what earlier commands made. Fixed ports in the README (8000, 8765) become free ones, so parallel runs
never meet.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from tests.api.live import free_port
from tests.contact_exports import LINKEDIN, VCARDS
from tests.ical.ics import vcalendar, vevent
from tests.updates.receivers import SmtpServer, WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# The sections issue 22 names — the README's tour, and the documentation pages the README sends a
# newcomer to next — by file and heading, and where their commands are: the shell blocks, or (the
# iCal section has none) the `netgoals …` commands its text names.
SECTIONS = {
    "tour": (README, "## A five-minute tour"),
    "network": (DOCS / "network.md", "# Assess your network"),
    "google-fake": (DOCS / "google.md", "### Try it on a laptop against the fake"),
    "updates": (DOCS / "updates.md", "# Progress updates"),
    "ical": (DOCS / "ical.md", "# iCalendar: the feed and sources"),
}

# README lines this test does not run, each with its reason. A line that is wrong in the README
# goes here (named, with the corrected text in the report) until the README is fixed.
SKIPPED = {
    ".venv/bin/pip install -e .[test]": "installing is the environment's job: this test runs in it",
    "netgoals api": "the web server: this test starts it itself, on a free port",
    "netgoals notify webhook https://hooks.slack.com/services/… --slack": (
        "the URL is elided (…) in the README: a Slack URL is a credential"
    ),
}

# README lines that are wrong as the code stands, each with why; the README is to be fixed and the
# entry removed (the report that added it gives the corrected text). Lines that only fail because
# such a line did not run say so.
BROKEN: dict[str, str] = {}

# What a person types when a command asks (README: "preview: …; then y/N"); other commands read
# nothing (their standard input is empty, as when run from a script).
ANSWERS = {"netgoals contact import ~/Downloads/Connections.csv": "y\n"}

# What each command must print (words from the README's description of it), keyed by the command as
# the README writes it: a key no longer in the README fails the test, as a changed output does.
EXPECT = {
    "netgoals progress": ["Attend one networking event per month", "Reach out to one new contact per week"],
    "netgoals network": ["Ada Lovelace"],
    "netgoals history": ["Climate Tech Meetup", "Ada Lovelace"],
    "netgoals network gaps": ["Move into a product role at a climate startup"],
    "netgoals notify status": ["webhook"],
    "netgoals feed url": ["webcal://"],
}


@dataclass
class Command:
    section: str
    text: str  # as the README writes it (continuation lines joined as they are)


def _section(text: str, heading: str) -> str:
    text = "\n" + text
    start = text.index("\n" + heading + "\n")
    level = heading.split(" ", 1)[0]
    rest = text[start + len(heading) + 2 :]
    if len(level) == 1:
        return rest  # a page's title: the whole page
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.MULTILINE)]
    return rest[: ends[0]] if ends else rest


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def _commands(block: str) -> Iterator[str]:
    """Each command of a block: a line, or lines joined by a trailing backslash or an open quote."""
    pending = ""
    for line in block.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.rstrip().endswith("\\"):
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continue
        if shlex.split(pending, comments=True):
            yield pending
        pending = ""
    assert not pending, f"a command never ends: {pending!r}"


def readme_commands() -> list[Command]:
    found: list[Command] = []
    for name, (path, heading) in SECTIONS.items():
        text = _section(path.read_text(encoding="utf-8"), heading)
        if name == "ical":
            spans = re.findall(r"`(netgoals [^`]+)`", text)
            found += [Command(name, span) for span in dict.fromkeys(spans)]
            continue
        blocks = _shell_blocks(text)
        assert blocks, f"README section {heading!r} has no shell block"
        found += [Command(name, c) for block in blocks for c in _commands(block)]
    return found


def _bare(command: str) -> str:
    """The command without its comment and surrounding space (the keys of SKIPPED and EXPECT)."""
    return " ".join(shlex.split(command, comments=True)) if "\n" not in command else command.strip()


@dataclass
class Session:
    """A new user's machine: a home folder, the repository's virtual environment, a server."""

    cwd: Path
    env: dict[str, str]
    port: int
    fake_port: int
    smtp: SmtpServer
    hooks: WebhookReceiver

    processes: list[subprocess.Popen[str]]
    server: subprocess.Popen[str] | None = None

    def start_fake(self, command: str) -> None:
        """The fake in its own terminal: paste its `export` lines into the next one."""
        fake = subprocess.Popen(
            ["bash", "-c", "exec " + command], cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, text=True
        )
        self.processes.append(fake)
        assert fake.stdout is not None
        while True:
            line = fake.stdout.readline()
            assert line, "the Google fake ended before printing its export lines"
            found = re.match(r"export (\w+)=(\S+)", line)
            if found:
                self.env[found.group(1)] = found.group(2)
            if line.startswith("export NETGOALS_GOOGLE_BATCH_URI"):
                return

    def start_server(self) -> subprocess.Popen[str]:
        """`netgoals api` on a port that is not 8000, before the tour (the README's "Run it")."""
        with (self.cwd / "api.log").open("w") as log:
            server = subprocess.Popen(
                ["netgoals", "api", "--port", str(self.port)],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        self.processes.append(server)
        self.server = server
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200:
                    return server
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("netgoals api did not answer /healthz within 60 s")

    def restart_server(self) -> None:
        server = self.processes.pop(self.processes.index(self.server))
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        self.start_server()

    def source_id(self) -> str:
        listed = self.run("netgoals source list --json")
        assert listed.returncode == 0, listed.stderr
        return str(json.loads(listed.stdout)[0]["source_id"])

    def run(self, script: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", _PRELUDE + script],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


# `netgoals google connect --no-browser` waits for the browser to come back to its loopback
# receiver: open the address it prints, as the README says (the fake approves by itself).
_PRELUDE = r"""
set -o pipefail
netgoals() {
  if [ "$1 $2 $3" = "google connect --no-browser" ]; then
    out=$(mktemp)
    command netgoals "$@" >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      url=$(grep -o 'http://[^ ]*' "$out" | head -1)
      [ -n "$url" ] && break
      sleep 0.1
    done
    [ -n "$url" ] && curl -s -L -o /dev/null "$url"
    wait $pid; rc=$?
    cat "$out"; rm -f "$out"
    return $rc
  fi
  command netgoals "$@"
}
"""


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    venv = Path(sys.executable).parent.parent
    cwd = tmp_path / "clone"
    cwd.mkdir()
    (cwd / ".venv").symlink_to(venv)  # `source .venv/bin/activate` as in the repository
    home = tmp_path / "user"
    (home / "Downloads").mkdir(parents=True)
    (home / "Downloads" / "Connections.csv").write_text(LINKEDIN, encoding="utf-8")
    (cwd / "contacts.vcf").write_text(VCARDS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_") and k != "VIRTUAL_ENV"}
    env |= {
        "HOME": str(home),
        "NETGOALS_HOME": str(tmp_path / "netgoals"),
        "PYTHONPATH": str(ROOT),  # `python -m tests.fakes.google_calendar`, as from the repository
        "PATH": f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
        "COLUMNS": "120",
    }
    with SmtpServer() as smtp, WebhookReceiver() as hooks:
        env |= {
            "NETGOALS_SMTP_HOST": "127.0.0.1",
            "NETGOALS_SMTP_PORT": str(smtp.port),
            "NETGOALS_SMTP_SECURITY": "none",
            "NETGOALS_MAIL_FROM": "netgoals <updates@netgoals.test>",
            "NETGOALS_ALLOW_PRIVATE_TARGETS": "1",
        }
        running = Session(cwd, env, free_port(), free_port(), smtp, hooks, [])
        try:
            yield running
        finally:
            for process in running.processes:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _fill(command: Command, session: Session, names: dict[str, str]) -> str:
    """The command with the README's fixed ports made free ones and its placeholders filled in."""
    text = command.text.replace("8765", str(session.fake_port)).replace(":8000", f":{session.port}")
    for placeholder, value in names.items():
        text = re.sub(rf"(?<![\w-]){re.escape(placeholder)}(?![\w-])", value, text)
    return text


@dataclass
class Ran:
    command: Command
    script: str
    status: int
    output: str


def _run_all(session: Session, commands: list[Command], names: dict[str, str]) -> list[Ran]:
    """Each section's commands in one shell (so `source` and `DAY=…` carry on, as in a terminal),
    each command's status and output recorded apart."""
    results: list[Ran] = []
    pending: list[tuple[Command, str]] = []

    def flush() -> None:
        if not pending:
            return
        parts = []
        for i, (command, text) in enumerate(pending):
            answers = session.cwd / f"answers-{len(results) + i}"
            answers.write_text(ANSWERS.get(_bare(command.text), ""))
            parts.append(f"\necho @@begin {i}\n{{ {text}\n}} <{answers} 2>&1\necho @@end {i} $?\n")
        script = "".join(parts)
        done = session.run(script)
        output = done.stdout + done.stderr
        for i, (command, text) in enumerate(pending):
            found = re.search(rf"@@begin {i}\n(.*?)@@end {i} (\d+)\n", done.stdout, re.DOTALL)
            assert found, f"{command.text!r} never finished:\n{output[-3000:]}"
            results.append(Ran(command, text, int(found.group(2)), found.group(1)))
        pending.clear()

    section = None
    for command in commands:
        if command.section != section:
            flush()
            section = command.section
        bare = _bare(command.text)
        if bare in SKIPPED or bare in BROKEN:
            continue
        if "-m tests.fakes.google_calendar" in bare:
            flush()
            session.start_fake(_fill(command, session, names))
            continue
        pending.append((command, _fill(command, session, names)))
        if "netgoals config set" in bare:
            flush()
            session.restart_server()  # the page says: restart serve so that it reads them
        if bare.startswith("netgoals source add"):
            flush()  # what comes next names the source it made
            names["ID"] = session.source_id()
    flush()
    return results


def _ics(folder: Path) -> Path:
    """A calendar exported from somewhere else: a meetup the person went to last week."""
    path = folder / "events.ics"
    day = time.strftime("%Y%m%d", time.gmtime(time.time() - 3 * 86400))
    title = "Climate networking meetup"
    meetup = vevent("readme-1@example", f"{day}T170000Z", f"{day}T190000Z", title, me="you@example.org")
    path.write_bytes(vcalendar(meetup))
    return path


def test_the_readme_runs_as_written(session: Session) -> None:
    commands = readme_commands()
    session.start_server()
    names = {
        "ASPIRATION": '"move into"',
        "URL": str(_ics(session.cwd)),
        "[ID]": "",
        # The README's example receiver is not reachable from a test: a local one takes its place.
        "https://hooks.example.org/netgoals": session.hooks.url,
    }
    ran = _run_all(session, commands, names)

    failed = [f"{r.script}\n  exit {r.status}: {r.output.strip()[-800:]}" for r in ran if r.status != 0]
    assert not failed, "README commands failed:\n" + "\n".join(failed)

    by_command: dict[str, list[Ran]] = {}
    for result in ran:
        by_command.setdefault(_bare(result.command.text), []).append(result)
    for command, words in EXPECT.items():
        assert command in by_command, f"the README no longer runs {command!r}"
        for result in by_command[command]:
            for word in words:
                assert word in result.output, f"{command!r} did not say {word!r}:\n{result.output}"

    # The fake section: the meetup and the person met there (README: "People you met").
    synced = [r for r in ran if _bare(r.command.text).startswith("netgoals sync && netgoals progress")]
    if synced or not BROKEN:
        assert "lin@data.org" in synced[0].output, synced[0].output
        state = next(r for r in ran if "_control/state" in r.script)
        assert "Networking goals" in state.output  # "your planned blocks are in "Networking goals""
    pages = "".join(path.read_text(encoding="utf-8") for path, _ in SECTIONS.values())
    for line in BROKEN:
        assert line in pages, f"{line!r} is no longer in the README or docs: remove it from BROKEN"

    # The feed link points at the server that runs (not at port 8000), answers, and parses.
    (feed,) = [r for r in by_command["netgoals feed url"]]
    link = re.search(r"https?://\S+\.ics", feed.output)
    assert link, feed.output
    assert f":{session.port}/" in link.group(0), f"feed url names another server: {link.group(0)}"
    rotated = re.search(r"https?://\S+\.ics", by_command["netgoals feed rotate"][0].output)
    assert rotated and rotated.group(0) != link.group(0)
    assert httpx.get(link.group(0)).status_code == 404  # the old link answers 404 at once
    answer = httpx.get(rotated.group(0))
    assert answer.status_code == 200, answer.text
    assert Calendar.from_ical(answer.content).walk("VEVENT")

    # `notify email` mails through the SMTP server the settings name; `notify test` delivers.
    assert any("delivered" in r.output for r in by_command["netgoals notify test"])
