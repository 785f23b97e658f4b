"""Die Lektionen in einem echten Browser: JupyterLab 4 und Notebook 7, gesteuert von Playwright in Chromium.

Ein JupyterLab-Server startet auf localhost (mit Token, wie immer) in einer Kopie des Workshops
(das automatische Speichern soll keine Ausgaben in die echten Notebooks schreiben), im Schnellmodus.
Für jede Lektion: öffnen, „Alle Zellen ausführen“ wie im Menü, dann prüfen, dass keine Zelle einen
Fehler oder roten stderr-Text zeigt, dass jede Codezelle gelaufen ist und dass jedes Bild in den Ausgaben (Live-Kurve,
Animationen) im Browser wirklich dargestellt wird. Ein Bildschirmfoto jeder Lektion landet in
test-artefakte/browser/. In Lektion 1 klickt der Test die Balancier-Knöpfe und prüft, dass sich
Bild und Punktestand ändern.

Gebraucht werden Playwright (requirements.txt, ohne eigenen Browser-Download) und Debians Chromium
(`.ci/run` installiert es, wo es fehlt). Fehlt der Browser, wird der Test mit einer Meldung übersprungen.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import offline_env

import course
import workshop

ROOT = course.ROOT
ARTEFACTS = ROOT / "test-artefakte" / "browser"
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSON_1 = next(p for p in LESSONS if p.name.startswith("01_"))
# Chromium in geschlossenen Netzen: keine Hintergrund-Verbindungen, die nur scheitern würden
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
RUN_TIMEOUT_MS = 15 * 60 * 1000
# Notebook 7.6 wirft beim Laden eigene Fehler (z. B. „Cannot read properties of undefined (reading 'schema')“
# aus seinen Einstellungen, auch auf der leeren Dateiliste /tree ohne jedes Notebook). Sie stammen aus seinen
# eigenen Bundles unter /static/notebook/ und stören nichts Sichtbares; sie werden protokolliert, nicht gewertet.
NOTEBOOK_7_BUNDLE = "/static/notebook/"


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright fehlt: `python3 workshop.py test` installiert es aus requirements.txt.",
    )
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "Kein Chromium gefunden: unter Debian/Ubuntu `sudo apt-get install chromium` "
            "(`.ci/run` tut das selbst), dann laufen die Browser-Tests."
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """JupyterLab (mit Notebook 7 im selben Server) auf einer Kopie des Workshops, im Schnellmodus."""
    workdir = tmp_path_factory.mktemp("workshop")
    ignore = shutil.ignore_patterns(
        ".venv*",
        ".git",
        "logs",
        "test-artefakte",
        "uebungen",
        "wheelhouse",
        "__pycache__",
        ".ipynb_checkpoints",
        ".pytest_cache",
    )
    shutil.copytree(ROOT, workdir, ignore=ignore, dirs_exist_ok=True)
    workshop.generate_exercises(workdir / "uebungen")  # was `workshop.py start` beim ersten Mal tut
    port, token = free_port(), secrets.token_hex(16)
    args, landing = workshop.jupyter_args("uebungen", root=workdir)  # dieselben Argumente wie `workshop.py start`
    command = [
        sys.executable,
        *args,
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *workshop.kernel_encryption(sys.executable),  # wie `workshop.py start`
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    network_log = workdir / "netzwerk.log"
    # Server und Kernel unter der Netzsperre der Tests: jeder Versuch, das Netz zu erreichen, landet im Protokoll
    # Ohne TF_CPP_MIN_LOG_LEVEL, wie bei den Teilnehmenden: course.py muss TensorFlows Meldungen selbst abstellen
    env = dict(
        {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"},
        WORKSHOP_QUICK="1",
        JUPYTER_CONFIG_DIR=str(workdir / ".jupyter"),
        **offline_env(network_log),
    )
    log = (workdir / "jupyter.log").open("w")
    proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab ist nicht gestartet:\n" + (workdir / "jupyter.log").read_text()[-3000:])
            time.sleep(0.5)
    yield dict(base=base, token=token, workdir=workdir, landing=landing)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    attempts = network_log.read_text(encoding="utf-8") if network_log.exists() else ""
    assert not attempts, f"JupyterLab oder ein Kernel wollte ins Netz (der Workshop muss offline laufen):\n{attempts}"
    # was Teilnehmende im Terminal von `workshop.py start` sähen: keine Warnung bei jedem Kernelstart
    assert "without encryption" not in (workdir / "jupyter.log").read_text(encoding="utf-8")


# Im Browser ausgewertet: der Zustand des geöffneten Notebooks, aus dem Modell der Oberfläche
KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && panel.content && panel.content.widgets.length > 0;
}"""
RUN_ALL = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
CELL_REPORT = """() => {
    const cells = [];
    for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
        if (cell.model.type !== 'code') continue;
        const outputs = cell.model.outputs.toJSON().map(o => ({type: o.output_type, ename: o.ename || null,
            evalue: o.evalue || null, mimes: Object.keys(o.data || {}), stream: o.name || null,
            text: o.name === 'stderr' ? [].concat(o.text || '').join('').slice(0, 500) : null}));
        cells.push({source: cell.model.sharedModel.getSource().slice(0, 80),
                            count: cell.model.executionCount, outputs});
    }
    return cells;
}"""
IMAGES = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(img => ({
    src: img.src.slice(0, 22), rendered: img.complete && img.naturalWidth > 0, width: img.naturalWidth}))"""
SHUTDOWN = "() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()"


def open_and_run(browser, server, url_path, screenshot):
    """Öffnet ein Notebook, führt alle Zellen aus wie „Run All“ und gibt (Seite, Zellbericht, Bilder) zurück."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    console_errors = []
    page.on("pageerror", lambda error: console_errors.append(dict(message=str(error), stack=error.stack or "")))
    page.goto(f"{server['base']}{url_path}?reset&token={server['token']}")  # reset: keine alten Tabs wiederherstellen
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    page.evaluate(RUN_ALL)
    # „Run All“ ist fertig, wenn jede Codezelle eine Ausführungsnummer hat und der Kernel ruht
    page.wait_for_function(
        """() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const code = panel.content.widgets.filter(c => c.model.type === 'code');
        const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
        const done = code.every(c => c.model.executionCount !== null);
        return failed || (done && panel.sessionContext.session.kernel.status === 'idle');
    }""",
        timeout=RUN_TIMEOUT_MS,
        polling=1000,
    )
    report = page.evaluate(CELL_REPORT)
    time.sleep(1.0)  # Bilder fertig dekodieren lassen
    images = page.evaluate(IMAGES)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    return page, report, images, console_errors


def assert_ran_cleanly(name, report, images, console_errors, tolerated_source=None):
    failed = [(c["source"], o["ename"], o["evalue"]) for c in report for o in c["outputs"] if o["type"] == "error"]
    assert not failed, f"{name}: Zellen mit Fehler im Browser: {failed}"
    stderr = [(c["source"], o["text"]) for c in report for o in c["outputs"] if o["stream"] == "stderr"]
    assert not stderr, f"{name}: rote stderr-Ausgabe unter Zellen (Log-Meldungen, Warnungen): {stderr}"
    not_run = [c["source"] for c in report if c["count"] is None]
    assert not not_run, f"{name}: nicht ausgeführte Zellen: {not_run}"
    broken = [i for i in images if not i["rendered"]]
    assert not broken, f"{name}: Bilder, die der Browser nicht darstellt: {broken}"

    def thrown_in(error, source):  # die oberste Zeile des Stacks sagt, welches Skript den Fehler warf
        frames = error["stack"].splitlines()[1:]
        return bool(source and frames and source in frames[0])

    tolerated = [e for e in console_errors if thrown_in(e, tolerated_source)]
    if tolerated:
        (ARTEFACTS / f"js_fehler_{Path(name).stem}.txt").write_text("\n\n".join(e["stack"] for e in tolerated))
    unexpected = [e["message"] for e in console_errors if e not in tolerated]
    assert not unexpected, f"{name}: JavaScript-Fehler auf der Seite: {unexpected}"


def mimes(report):
    return {m for c in report for o in c["outputs"] for m in o["mimes"]}


def balance_state(page):
    image = page.locator(".widget-image").first.get_attribute("src")
    score = page.locator(".widget-html", has_text="Punkte in diesem Versuch").first.text_content()
    return image, int(re.search(r"(\d+)", score).group(1))


def click_balance_buttons(page, screenshot):
    """Lektion 1: die Knöpfe des Balancier-Spiels klicken; Bild und Punktestand müssen sich ändern."""
    right = page.get_by_role("button", name="rechts ▶")
    left = page.get_by_role("button", name="◀ links")
    right.scroll_into_view_if_needed()
    image_before, score_before = balance_state(page)
    assert score_before == 0
    for button in (right, left, right):
        button.click()
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.widget-html'))
        .some(e => /Punkte in diesem Versuch: 3\\b/.test(e.textContent))""",
        timeout=20_000,
    )
    image_after, score_after = balance_state(page)
    assert score_after == 3, score_after
    assert image_after != image_before, "Das Bild des Spiels hat sich nach den Klicks nicht geändert"
    page.screenshot(path=str(screenshot))


def widget_text_appears(page, pattern, timeout=20_000):
    """Wartet, bis ein HTML-Widget Text zeigt, der auf den regulären Ausdruck `pattern` (JavaScript) passt."""
    page.wait_for_function(
        f"""() => Array.from(document.querySelectorAll('.widget-html'))
        .some(e => /{pattern}/.test(e.textContent))""",
        timeout=timeout,
    )


def click_track(slider, fraction):
    """Klickt auf die Schiene eines Schiebereglers bei `fraction` ihrer Breite: Der Griff springt dorthin, wie wenn
    man von Hand auf die Schiene klickt."""
    track = slider.locator(".noUi-target").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    track.click(position={"x": box["width"] * fraction, "y": box["height"] / 2})


def use_episode_viewer(page, screenshot):
    """#37: Auf die Schiene des Reglers »Schritt« klicken: Bild und Q-Werte zeigen einen späteren Schritt, mit genau
    einer gewählten Aktion (▶)."""
    before = page.locator(".widget-image").last.get_attribute("src")
    click_track(page.locator(".widget-slider", has_text="Schritt").first, 0.3)
    widget_text_appears(page, "Schritt [1-9][0-9]*: Q-Werte")
    table = page.locator(".widget-html", has_text=re.compile(r"Schritt [1-9][0-9]*: Q-Werte")).first
    assert table.locator("text=▶").count() == 1
    image = page.locator(".widget-image").last
    assert image.get_attribute("src") != before, "das Bild blieb bei Schritt 0"
    image.evaluate("img => img.scrollIntoView({block: 'center'})")  # Bild und Q-Werte ganz im Bildschirmfoto
    page.screenshot(path=str(screenshot))


def use_playground(page, screenshot, quick_run_ms=120_000):
    """#37: Die Spielwiese wie von Hand: »Trainieren« mit der Standardeinstellung, dann γ mit der Maus kleiner stellen
    und noch einmal; beide Läufe stehen beschriftet im Bild über dem Band."""
    train = page.get_by_role("button", name="Trainieren")
    train.scroll_into_view_if_needed()
    train.click()
    widget_text_appears(page, "Lauf 1: Standard: beste Bewertung", quick_run_ms)
    click_track(page.locator(".widget-slider", has_text="γ").first, 0.1)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.widget-slider'))
        .some(e => e.textContent.includes('γ') && !e.textContent.includes('0,98'))""",
        timeout=10_000,
    )
    train.click()
    widget_text_appears(page, "Lauf 2: γ = 0,[0-9]+: beste Bewertung", quick_run_ms)
    plot = page.locator(".widget-output img").last
    plot.scroll_into_view_if_needed()
    assert plot.evaluate("img => img.src.startsWith('data:image/png') && img.naturalWidth > 0")
    page.screenshot(path=str(screenshot))


def test_lesson_1_runs_in_notebook_7(browser, server):
    page, report, images, console_errors = open_and_run(
        browser, server, f"/notebooks/notebooks/{LESSON_1.name}", ARTEFACTS / f"notebook7_{LESSON_1.stem}.png"
    )
    try:
        assert_ran_cleanly(LESSON_1.name, report, images, console_errors, tolerated_source=NOTEBOOK_7_BUNDLE)
        assert any(i["src"].startswith("data:image/gif") for i in images), "keine Animation in Notebook 7"
        click_balance_buttons(page, ARTEFACTS / "notebook7_01_balancier_spiel.png")
    finally:
        page.evaluate(SHUTDOWN)
        page.close()


# Eine Übung in JupyterLab, wie Teilnehmende sie erleben: Zellen einzeln ausführen, Code ändern, speichern
CELL_INDEX = """source => window.jupyterapp.shell.currentWidget.content.widgets
    .findIndex(c => c.model.sharedModel.getSource().startsWith(source))"""
SET_SOURCE = """([index, text]) => window.jupyterapp.shell.currentWidget.content.widgets[index]
    .model.sharedModel.setSource(text)"""
RUN_CELL = """async index => {
    const panel = window.jupyterapp.shell.currentWidget;
    panel.content.activeCellIndex = index;
    await window.jupyterapp.commands.execute('notebook:run-cell');
}"""
CELL_DONE = """([index, before]) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const count = panel.content.widgets[index].model.executionCount;
    return count !== null && count !== before && panel.sessionContext.session.kernel.status === 'idle';
}"""
# Text einer Ausgabe; eine Rückmeldung (HTML-Kasten) als Text, aus dem Modell der Ausgabe
CELL_OUTPUT = """index => {
    const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
    // aus dem Modell, nicht aus dem DOM: JupyterLab 4 zeichnet Zellen außerhalb des Bildes nicht
    const boxes = cell.model.outputs.toJSON().filter(o => o.data && o.data['text/html'])
        .map(o => [].concat(o.data['text/html']).join('')).filter(html => html.includes('workshop-feedback'))
        .map(html => {
            const div = document.createElement('div');
            div.innerHTML = html.replace(/<br>/g, '\\n');
            return div.querySelector('.workshop-feedback').textContent;
        });
    const rest = cell.model.outputs.toJSON().filter(o => o.output_type !== 'display_data')
        .map(o => o.output_type === 'error' ? (o.traceback || []).join('\\n') : [].concat(o.text || '').join(''));
    return boxes.concat(rest).filter(t => t).join('\\n');
}"""
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_cell(page, index):
    """Führt die Zelle `index` aus wie Umschalt+Enter und gibt den Text ihrer Ausgabe zurück."""
    before = page.evaluate(f"() => window.jupyterapp.shell.currentWidget.content.widgets[{index}].model.executionCount")
    page.evaluate(RUN_CELL, index)
    page.wait_for_function(CELL_DONE, arg=[index, before], timeout=120_000, polling=250)
    return ANSI.sub("", page.evaluate(CELL_OUTPUT, index))


def test_exercise_feedback_in_jupyterlab(browser, server):
    """Lektion 0 als Übungsversion: unberührt, falsch, abstürzend, geändert ohne Ausführen und richtig.

    Jede Rückmeldung ist ein deutscher Text ohne Traceback; Bildschirmfotos und die Texte landen in
    test-artefakte/browser/ (uebung_*.png, uebung_rueckmeldungen.txt).
    """
    import workshop

    lesson = LESSONS[0].name
    # ein eigener Ordner: Diese Datei wird hier gespeichert und ihr Kernel lief mit Absturz-Fassungen; die Übungen
    # in uebungen/ bleiben für test_every_exercise_the_way_people_edit unberührt
    workshop.generate_exercises(server["workdir"] / "rueckmeldung")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server['base']}/lab/tree/rueckmeldung/{lesson}?reset&token={server['token']}")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    feedback = {}
    try:
        first = page.evaluate(CELL_INDEX, "# Workshop-Helfer laden")
        exercise = page.evaluate(CELL_INDEX, "def count_actions")
        check = exercise + 1
        assert "✅ Umgebung bereit" in run_cell(page, first)

        def attempt(name, code=None, run_exercise=True):
            if code is not None:
                page.evaluate(SET_SOURCE, [exercise, code])
            if run_exercise:
                run_cell(page, exercise)
            text = run_cell(page, check)
            cells = page.locator(".jp-Notebook .jp-Cell")
            cells.nth(check).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTEFACTS / f"uebung_{name}.png"))
            feedback[name] = text
            assert "Traceback" not in text and "course.py" not in text, f"{name}: {text}"
            # ein Kasten, keine sichtbare rote Fehlerausgabe darunter
            outputs = page.evaluate(
                f"() => window.jupyterapp.shell.currentWidget.content.widgets[{check}].node"
                ".querySelectorAll('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]')"
                ".values().filter(e => e.offsetParent !== null).toArray().length"
            )
            assert outputs == 0, f"{name}: rote Ausgabe unter dem Kasten"
            return text

        header = 'def count_actions(actions):\n    """Häufigkeit jeder Aktion als Dictionary {aktion: anzahl}."""\n'
        assert attempt("unberuehrt").startswith("✋ Die Übung count_actions ist noch nicht gelöst")
        wrong = attempt("falsch", header + "    return {action: 1 for action in actions}\n")
        assert wrong.startswith("❌ count_actions([0, 1, 1]) sollte {0: 1, 1: 2} ergeben, ergibt aber {0: 1, 1: 1}.")
        crash = attempt(
            "absturz", header + "    counts = {}\n    for action in actions:\n        counts[action] += 1\n"
        )
        assert crash.startswith("❌ count_actions([0, 1, 1]) bricht mit KeyError ab: 0")
        assert "in count_actions, Zeile 5: counts[action] += 1" in crash
        right = (
            header
            + "    counts = {}\n    for a in actions:\n        counts[a] = counts.get(a, 0) + 1\n    return counts\n"
        )
        page.evaluate(SET_SOURCE, [exercise, right])
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        time.sleep(1.0)
        stale = attempt("geaendert_nicht_ausgefuehrt", run_exercise=False)
        assert stale.startswith("✋ Die Zelle mit count_actions hat sich geändert, seit du sie zuletzt ausgeführt hast")
        assert attempt("richtig").startswith("✅ Richtig! count_actions besteht alle 3 Prüfungen.")
    finally:
        (ARTEFACTS / "uebung_rueckmeldungen.txt").write_text(
            "\n\n".join(f"[{name}]\n{text}" for name, text in feedback.items()), encoding="utf-8"
        )
        page.evaluate(SHUTDOWN)
        page.close()


# --------------------------------------------------------------------------------------
# Jede Übung jeder Lektion, wie Teilnehmende arbeiten (#34): von der Startseite aus öffnen, die Lösung in den
# Platzhalter tippen, ohne ihn vorher auszuführen und ohne zu speichern, „Restart Kernel and Run All“; dann je
# Übung: ändern und speichern ohne Ausführen (✋ geändert), eine alte Fassung im Kernel und die neue nur im Editor
# (der Kasten nennt die geprüfte Fassung), zuletzt wieder richtig (✅).
# --------------------------------------------------------------------------------------
EXERCISE_SHOTS = ARTEFACTS / "uebungen"
RESTART_RUN_ALL = "() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }"
SAVE = "() => window.jupyterapp.commands.execute('docmanager:save')"
EXECUTION_COUNT = "index => window.jupyterapp.shell.currentWidget.content.widgets[index].model.executionCount"
DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"
ALL_DONE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const code = panel.content.widgets.filter(c => c.model.type === 'code');
    const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
    const done = code.every(c => c.model.executionCount !== null);
    return failed || (done && panel.sessionContext.session.kernel.status === 'idle');
}"""


def exercises_of(lesson):
    """[(Index der Übungszelle, getippte Lösung, Platzhalter)] einer Lektion; die Prüfzelle folgt direkt."""
    import json

    solutions = json.loads(lesson.read_text(encoding="utf-8"))["cells"]
    found = []
    for index, cell in enumerate(solutions):
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or workshop.SOLUTION_BEGIN not in source:
            continue
        assert "".join(solutions[index + 1]["source"]).startswith("checks."), f"{lesson.name}: Zelle {index + 1}"
        typed = "\n".join(
            line for line in source.split("\n") if line.strip() not in (workshop.SOLUTION_BEGIN, workshop.SOLUTION_END)
        )
        found.append((index, typed, workshop.clear_solutions(source)))
    return found


def open_from_landing_page(browser, server, lesson, notebook7=False):
    """Die Startseite (wohin `workshop.py start` führt, mit `--notebook` die von Notebook 7) zeigt die
    Übungsversionen; ein Doppelklick öffnet eine."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    if notebook7:
        page.goto(f"{server['base']}/tree/uebungen?token={server['token']}")
    else:
        page.goto(f"{server['base']}/?token={server['token']}")
        page.wait_for_url(re.compile(re.escape(server["landing"])), timeout=60_000)
        # die Weiterleitung verliert `reset`: ohne es stellte JupyterLab die Tabs früherer Tests wieder her
        page.goto(f"{server['base']}{server['landing']}?reset&token={server['token']}")
    item = page.locator(".jp-DirListing-item", has_text=lesson.name).first
    item.wait_for(timeout=60_000)
    page.screenshot(path=str(EXERCISE_SHOTS / f"startseite{'_notebook7' if notebook7 else ''}.png"))
    if notebook7:  # der Doppelklick öffnet einen neuen Tab mit dieser Adresse; hier im selben
        page.goto(f"{server['base']}/notebooks/uebungen/{lesson.name}?token={server['token']}")
    else:
        item.dblclick()
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    path = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert path == f"uebungen/{lesson.name}", path
    return page


def shoot(page, index, name):
    page.locator(".jp-Notebook .jp-Cell").nth(index).scroll_into_view_if_needed()
    page.screenshot(path=str(EXERCISE_SHOTS / f"{name}.png"))


UIS = [("jupyterlab", lesson) for lesson in LESSONS] + [
    ("notebook7", lesson) for lesson in LESSONS if lesson.name[:2] in {"00", "03"}
]


@pytest.mark.parametrize(("ui", "lesson"), UIS, ids=lambda v: v if isinstance(v, str) else v.name[:2])
def test_every_exercise_the_way_people_edit(browser, server, ui, lesson):
    EXERCISE_SHOTS.mkdir(parents=True, exist_ok=True)
    exercises = exercises_of(lesson)
    exercise_cells = json.loads(lesson.read_text(encoding="utf-8"))["cells"]
    page = open_from_landing_page(browser, server, lesson, notebook7=ui == "notebook7")
    prefix = f"{ui}_{lesson.stem[:2]}"
    console_errors = []
    page.on("pageerror", lambda error: console_errors.append(dict(message=str(error), stack=error.stack or "")))
    verdicts = []
    try:
        # 1. die Lösungen in die Platzhalter tippen, nichts ausführen, nichts speichern; dann Restart and Run All
        for index, typed, _ in exercises:
            page.evaluate(SET_SOURCE, [index, typed])
        assert page.evaluate(DIRTY), "die getippten Lösungen sollten ungespeichert sein"
        # gespeicherte Ausgaben eines früheren Laufs (dieselbe Datei in der anderen Oberfläche) zählten sonst schon
        # als Ergebnis, bevor „Run All“ ihre Zelle erreicht: erst leeren (Edit → Clear Outputs of All Cells)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.evaluate(RESTART_RUN_ALL)
        page.locator(".jp-Dialog .jp-mod-accept").click()  # „Restart“ im Dialog, wie mit der Maus
        page.wait_for_function(ALL_DONE, timeout=RUN_TIMEOUT_MS, polling=1000)
        report = page.evaluate(CELL_REPORT)
        time.sleep(1.0)  # Bilder fertig dekodieren lassen
        images = page.evaluate(IMAGES)
        page.screenshot(path=str(EXERCISE_SHOTS / f"{prefix}_alle_ausgefuehrt.png"), full_page=True)
        tolerated = NOTEBOOK_7_BUNDLE if ui == "notebook7" else None
        assert_ran_cleanly(lesson.name, report, images, console_errors, tolerated_source=tolerated)
        for index, _, _ in exercises:
            text = ANSI.sub("", page.evaluate(CELL_OUTPUT, index + 1))
            verdicts.append((index, "getippt, ungespeichert, Restart and Run All", text.split("\n")[0]))
            assert text.startswith("✅"), f"{lesson.name}, Zelle {index}: {text}"
        if lesson.name[:2] in {"01", "03", "04", "05", "06"}:
            assert any(i["src"].startswith("data:image/gif") for i in images), f"{lesson.name}: keine Animation"
        if lesson.name[:2] in {"03", "04", "05", "06"}:
            curve = page.locator(".jp-CodeCell", has_text="LivePlot(").first.locator(".jp-OutputArea-output img").first
            assert curve.evaluate("img => img.src.startsWith('data:image/png') && img.naturalWidth > 0"), (
                f"{lesson.name}: keine Live-Kurve (PNG) im Browser dargestellt"
            )
        if lesson == LESSON_1:
            assert "application/vnd.jupyter.widget-view+json" in mimes(report)
            click_balance_buttons(page, EXERCISE_SHOTS / f"{prefix}_balancier_spiel.png")
        if lesson.name[:2] == "03":
            use_episode_viewer(page, EXERCISE_SHOTS / f"{prefix}_episode_schritt_fuer_schritt.png")
            use_playground(page, EXERCISE_SHOTS / f"{prefix}_spielwiese.png")
        # jede Prüfung hat ihr Ergebnis neben die Übungsdatei geschrieben: course.progress() zeigt den Stand
        progress = json.loads((server["workdir"] / "uebungen" / "fortschritt.json").read_text(encoding="utf-8"))
        checks_here = [workshop.check_name("".join(exercise_cells[index + 1]["source"])) for index, _, _ in exercises]
        assert {check: progress[lesson.name][check]["verdict"] for check in checks_here} == dict.fromkeys(
            checks_here, "gelöst"
        ), progress

        for index, typed, stub in exercises:
            name = f"{prefix}_zelle{index}"
            # 2. ändern und speichern, nicht ausführen: ✋ geändert (mit dem Hinweis, die Zelle auszuführen)
            page.evaluate(SET_SOURCE, [index, typed + "\n# noch einmal überarbeitet"])
            page.evaluate(SAVE)
            page.wait_for_function(f"() => !({DIRTY[6:]})", timeout=30_000)
            text = run_cell(page, index + 1)
            shoot(page, index + 1, f"{name}_gespeichert_nicht_ausgefuehrt")
            verdicts.append((index, "geändert, gespeichert, nicht ausgeführt", text.split("\n")[0]))
            assert text.startswith("✋ Die Zelle mit") and "hat sich geändert" in text, f"{name}: {text}"
            # 3. im Kernel der Platzhalter, im Editor (ungespeichert) die Lösung: der Kasten nennt die geprüfte Fassung
            page.evaluate(SET_SOURCE, [index, stub])
            run_cell(page, index)
            count = page.evaluate(EXECUTION_COUNT, index)
            page.evaluate(SET_SOURCE, [index, typed])
            text = run_cell(page, index + 1)
            shoot(page, index + 1, f"{name}_ungespeichert_alte_fassung")
            verdicts.append((index, "Lösung nur im Editor, Platzhalter im Kernel", " ".join(text.split("\n")[:2])))
            assert text.startswith("✋ Die Übung") and "noch nicht gelöst" in text, f"{name}: {text}"
            assert f"aus Zelle [{count}]" in text and "raise NotImplementedError" in text, f"{name}: {text}"
            # 4. ausführen, prüfen: ✅
            run_cell(page, index)
            text = run_cell(page, index + 1)
            shoot(page, index + 1, f"{name}_richtig")
            verdicts.append((index, "Lösung ausgeführt", text.split("\n")[0]))
            assert text.startswith("✅"), f"{name}: {text}"
            assert "Traceback" not in text
    finally:
        (EXERCISE_SHOTS / f"{prefix}_urteile.txt").write_text(
            "\n".join(f"Zelle {index} | {scenario} | {verdict}" for index, scenario, verdict in verdicts),
            encoding="utf-8",
        )
        page.evaluate(SHUTDOWN)
        page.close()
