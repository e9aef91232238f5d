"""`netgoals contact import` and `netgoals network assess` through the real entry point, with the
answers fed on standard input as a person would type them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.contact_exports import LINKEDIN
from tests.e2e.test_cli import NOW, _event_count, _executable


def _run(home: Path, *args: str, stdin: str = "", ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETGOALS_")}
    env |= {"NETGOALS_HOME": str(home), "NETGOALS_NOW": NOW, "COLUMNS": "120"}
    done = subprocess.run(
        [*_executable(), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def test_import_with_a_preview_then_rate_in_one_pass(tmp_path: Path) -> None:
    home = tmp_path / "home"
    export = tmp_path / "Connections.csv"
    export.write_bytes(LINKEDIN.encode())
    _run(home, "init", "--timezone", "Europe/Berlin")
    _run(home, "aspiration", "add", "Move into a product role at a climate startup", "--kind", "new-job")
    before = _event_count(home)

    declined = _run(home, "contact", "import", str(export), stdin="n\n")
    assert "3 new, 0 already known, 0 conflicting" in declined.stdout
    assert "Nothing imported." in declined.stdout and _event_count(home) == before
    _run(home, "contact", "import", str(export), stdin="y\n")
    assert _event_count(home) == before + 3
    again = _run(home, "contact", "import", str(export), "--yes")
    assert "Nothing to import" in again.stdout and _event_count(home) == before + 3

    # Ann: skip. Maya: 5, tags, 30 days, helps with aspiration 1. Tomás: 4, keep the defaults.
    answers = "s\n" + "5\nmentor, product\n30\n1\n" + "4\n\n\n\n"
    rated = _run(home, "network", "assess", stdin=answers)
    assert "Rated 2; skipped 1." in rated.stdout
    assert "from LinkedIn" in rated.stdout and "from linkedin" not in rated.stdout  # words, not slugs
    network = json.loads(_run(home, "network", "--json").stdout)
    strengths = {c["name"]: c["strength"] for c in network["contacts"]}
    assert strengths == {"Maya Lin": 5, "Tomás Ruiz": 4, "Ann Okafor": None}

    gaps = json.loads(_run(home, "network", "gaps", "--json").stdout)
    assert [h["name"] for h in gaps[0]["helpers"]] == ["Maya Lin"]
    assert [g["kind"] for g in gaps[0]["gaps"]] == ["no-one-at-kind"]
    aspiration = gaps[0]["aspiration_id"]
    said = _run(home, "network", "gaps").stdout
    assert "gap: no-one-at-kind" not in said and gaps[0]["gaps"][0]["message"][:40] in " ".join(said.split())
    closed = _run(home, "network", "close-gap", aspiration[:8], "no-one-at-kind").stdout
    listed = json.loads(_run(home, "goal", "list", "--json").stdout)
    assert [g["aspiration_id"] for g in listed] == [aspiration]
    # The answer names the goal by its title (and the short id a later command takes), not a uuid.
    assert closed.strip() == f"Goal set: {listed[0]['title']} ({listed[0]['goal_id'][:8]})"

    # The input running out mid-pass keeps what was rated and says so.
    left = _run(home, "network", "assess", stdin="2\n")
    assert "Rated 0; skipped 0." in left.stdout


def test_wrong_rows_refuse_the_file_unless_import_rest_and_on_conflict_takes_the_files_values(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes(LINKEDIN.replace("14 Mar 2019", "Tuesday").encode())
    _run(home, "init", "--timezone", "Europe/Berlin")
    before = _event_count(home)

    refused = _run(home, "contact", "import", str(wrong), "--yes", ok=False)
    assert refused.returncode == 2 and "line 5: 'Tuesday' is not a date" in refused.stderr
    assert _event_count(home) == before  # all or nothing: nothing appended
    rest = _run(home, "contact", "import", str(wrong), "--yes", "--import-rest")
    assert "Left out, as you chose (--import-rest): 1 wrong row(s)." in rest.stdout
    assert "line 5: 'Tuesday'" in rest.stdout and _event_count(home) == before + 2

    moved = tmp_path / "moved.csv"  # Tomás has moved on: another company and position
    moved.write_bytes(LINKEDIN.replace("SolarLab,", "WindCo,").replace('"Founder, CEO"', "CTO").encode())
    kept = _run(home, "contact", "import", str(moved), "--yes", "--json")
    assert json.loads(kept.stdout)["conflicts"][0]["taken"] == []
    bad = _run(home, "contact", "import", str(moved), "--yes", "--on-conflict", "theirs", ok=False)
    assert bad.returncode == 2 and "unknown conflict choice 'theirs'" in bad.stderr
    taken = _run(home, "contact", "import", str(moved), "--yes", "--on-conflict", "file")
    assert "1 updated from the file" in taken.stdout
    network = json.loads(_run(home, "network", "--json").stdout)
    tomas = next(c for c in network["contacts"] if c["name"] == "Tomás Ruiz")
    assert (tomas["organisation"], tomas["role"]) == ("WindCo", "CTO")

    # role and LinkedIn by hand: only an http(s) LinkedIn profile, named when refused
    before = _event_count(home)
    wrong = _run(
        home, "contact", "update", "Tomás Ruiz", "--linkedin", "ftp://linkedin.com/in/tomas", ok=False
    )
    assert wrong.returncode == 2 and "is not a LinkedIn profile URL" in wrong.stderr
    assert _event_count(home) == before
    _run(home, "contact", "update", "Tomás Ruiz", "--role", "Chief Wind Officer", "--linkedin", "")
    listed = json.loads(_run(home, "contact", "list", "--json").stdout)
    tomas = next(c for c in listed if c["name"] == "Tomás Ruiz")
    assert (tomas["role"], tomas["linkedin_url"]) == ("Chief Wind Officer", None)
