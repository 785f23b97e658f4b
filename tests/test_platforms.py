"""requirements.txt lässt sich auf jedem Teilnehmer-Laptop installieren: Linux x86_64, Windows x64 und macOS
auf Apple Silicon, je mit Python 3.11, 3.12 und 3.13.

Diese Rechner gibt es hier nicht; Zeuge ist der Resolver von uv, der für eine fremde Plattform auflöst
(Umgebungsmarker wie `sys_platform` werten für die Zielplattform aus) und mit `--only-binary :all:` nur
Wheels zulässt, die dort passen. Braucht den Paketindex (einmal, dann aus dem Cache von uv).
"""

import os
import subprocess

import pytest

import workshop

PLATFORMS = workshop.ATTENDEE_PLATFORMS
PYTHONS = [f"{major}.{minor}" for major, minor in workshop.SUPPORTED_PYTHONS]


def uv():
    found = workshop.find_uv()
    if not found:
        pytest.skip("uv fehlt: python3 workshop.py test installiert es aus requirements.txt.")
    return found


def resolve(requirements, platform, python):
    return subprocess.run(
        [
            uv(),
            "pip",
            "compile",
            str(requirements),
            "--python-platform",
            platform,
            "--python-version",
            python,
            "--only-binary",
            ":all:",
            "--no-header",
            "--quiet",
            "-o",
            os.devnull,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.replace(" ", "-"))
def test_requirements_resolve_to_wheels_on_every_attendee_platform(platform, python):
    result = resolve(workshop.REQUIREMENTS, PLATFORMS[platform], python)
    if result.returncode != 0 and ("dns error" in result.stderr.lower() or "failed to fetch" in result.stderr.lower()):
        if os.environ.get("CI"):
            pytest.fail(
                f"Der Paketindex ist nicht erreichbar, die Plattformprüfung kann nicht laufen:\n{result.stderr}"
            )
        pytest.skip("Der Paketindex ist nicht erreichbar (offline): Plattformprüfung übersprungen.")
    assert result.returncode == 0, f"{platform}, Python {python}:\n{result.stderr}"
    print(f"{platform}, Python {python}: alle Pakete als Wheel auflösbar")


def test_the_witness_can_fail(tmp_path):
    """Ohne den Umgebungsmarker (tensorflow-cpu auch auf dem Mac) muss die Prüfung scheitern."""
    broken = tmp_path / "requirements.txt"
    broken.write_text("tensorflow-cpu==2.21.0\n")
    result = resolve(broken, PLATFORMS["macOS arm64"], "3.12")
    assert result.returncode != 0 and "tensorflow-cpu" in result.stderr
