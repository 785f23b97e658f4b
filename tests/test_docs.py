"""Die Zahlen im Leitfaden für die Kursleitung stammen aus Messungen und bleiben mit ihnen im Einklang.

Wird ein Modell neu trainiert oder ein Benchmark neu gemessen, schlägt dieser Test fehl, bis
KURSLEITUNG.md die neuen Zahlen nennt.
"""

import json

import pytest

import course

GUIDE = (course.ROOT / "KURSLEITUNG.md").read_text(encoding="utf-8")
MODELS = {"cartpole": "CartPole", "acrobot": "Acrobot", "lunarlander": "LunarLander"}


def german_number(value):
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


def duration(seconds):
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"


@pytest.mark.parametrize("name", MODELS)
def test_guide_quotes_the_shipped_models_evaluation(name):
    provenance = json.loads((course.MODEL_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert f"models/{name}.keras" in GUIDE
    assert german_number(provenance["evaluation"]["mean"]) in GUIDE, f"{name}: Bewertung fehlt im Leitfaden"


@pytest.mark.parametrize("name", MODELS)
def test_guide_quotes_the_benchmark_training_times(name):
    summary = json.loads((course.ROOT / "bench" / "results" / f"dqn_{name}_tensorflow.json").read_text())["summary"][
        "ours"
    ]
    assert summary["solved"] == summary["seeds"]
    assert f"Median {duration(summary['median_train_seconds_to_solve'])}" in GUIDE, f"{name}: Median fehlt"
    if name != "acrobot":
        assert f"höchstens {duration(summary['max_train_seconds_to_solve'])}" in GUIDE, f"{name}: Maximum fehlt"


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_cartpole_trains_in_under_half_of_sb3s_time_in_the_same_run(backend):
    """#21: 10 von 10 Seeds gelöst, Median der Trainingszeit höchstens die Hälfte von SB3-Zoo im selben Lauf."""
    summary = json.loads((course.ROOT / "bench" / "results" / f"dqn_cartpole_{backend}.json").read_text())["summary"]
    ours, sb3 = summary["ours"], summary["sb3"]
    assert ours["seeds"] == sb3["seeds"] == 10 and ours["solved"] == sb3["solved"] == 10
    assert ours["median_train_seconds_to_solve"] <= 0.5 * sb3["median_train_seconds_to_solve"]


@pytest.mark.parametrize("path", sorted((course.ROOT / "bench" / "results").glob("dqn_*.json")), ids=lambda p: p.stem)
def test_benchmark_results_measure_the_current_preset(path):
    """Die README-Tabelle zeigt Messungen der Konfiguration, mit der die Lektionen trainieren: Ändert sich ein Preset,
    schlägt das fehl, bis der Benchmark neu gelaufen ist."""
    import dqn

    report = json.loads(path.read_text(encoding="utf-8"))
    preset = {k: list(v) if isinstance(v, tuple) else v for k, v in dqn.preset(report["env"]).__dict__.items()}
    assert report["our_config"] == preset


def test_readme_shows_the_current_benchmark_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("table", course.ROOT / "bench" / "table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    readme = (course.ROOT / "README.md").read_text(encoding="utf-8")
    assert table.readme_with_table(readme) == readme, (
        "Die Benchmark-Tabelle im README ist veraltet: python3 bench/table.py --write"
    )


def test_readme_shows_the_measured_backend_comparison():
    """#21: Die Wahl des Backends steht mit ihrer Messung im README (bench/backends.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("backends", course.ROOT / "bench" / "backends.py")
    backends = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(backends)
    results = json.loads(backends.RESULT.read_text(encoding="utf-8"))
    assert set(results["lesson_seconds"]) == {"tensorflow", "jax"}
    readme = (course.ROOT / "README.md").read_text(encoding="utf-8")
    assert backends.readme_with_table(readme, results) == readme, (
        "Die Backend-Tabelle im README ist veraltet: python3 workshop.py bench backends --table"
    )


def test_call_costs_in_lesson_3_and_the_guide_are_the_measured_ones():
    """Was `predict`, `fit` und ihre Alternativen kosten, steht so im Text, wie bench/call_costs.py es gemessen hat
    (gerundet), samt der Folgerung für 30 000 Schritte (Handeln) und 20 000 Lernschritte."""
    ms = json.loads((course.ROOT / "bench" / "results" / "call_costs.json").read_text(encoding="utf-8"))["milliseconds"]
    predict, predict_on_batch = ms["predict, 1 Beobachtung"], ms["predict_on_batch, 1 Beobachtung"]
    fit, train_on_batch = ms["fit, Stapel 512"], ms["train_on_batch, Stapel 512"]
    lesson = json.loads((course.NOTEBOOK_DIR / "03_DQN_CartPole.ipynb").read_text(encoding="utf-8"))
    lesson = " ".join("".join(c["source"]) for c in lesson["cells"] if c["cell_type"] == "markdown").split()
    lesson, guide = " ".join(lesson), " ".join(GUIDE.split())
    assert predict_on_batch < 1
    assert f"kostet rund {round(predict, -1):.0f} ms, `predict_on_batch` unter 1 ms" in lesson
    assert (
        f"zwischen {round(30_000 * predict / 60_000)} Minuten und {round(30_000 * predict_on_batch / 1000)} Sekunden"
        in lesson
    )
    assert (
        f"(`fit` kostet rund {round(fit, -1):.0f} ms pro Aufruf, `train_on_batch` rund {round(train_on_batch)} ms;"
        in lesson
    )
    assert f"ein Lernschritt mit `train_on_batch` kostet rund {round(train_on_batch)} ms" in lesson
    copy, keras_call = (
        f"{ms[k]:.2f}".replace(".", ",") for k in ("NumpyQ, 1 Beobachtung", "predict_on_batch, 1 Beobachtung")
    )
    assert f"in {copy} ms statt der rund {keras_call} ms, die `predict_on_batch` für eine Beobachtung kostet" in lesson
    assert f"etwa {round(fit, -1):.0f} ms, `train_on_batch` etwa {german_number(train_on_batch)} ms" in guide
    assert (
        f"zwischen {round(20_000 * fit / 60_000)} Minuten und {round(20_000 * train_on_batch / 1000)} Sekunden" in guide
    )


def test_guide_quotes_the_lessons_constants():
    """Der Leitfaden nennt dieselben Konstanten wie die Lektionen und dqn.py (τ, Schritte, Seeds, Übungen, Spiele)."""
    import json
    import re

    import dqn
    import experiments

    lesson_4 = (course.NOTEBOOK_DIR / "04_Target_Netzwerk_Acrobot.ipynb").read_text(encoding="utf-8")
    assert 'SOFT_TAU = FIXED[\\"soft_tau\\"]' in lesson_4, "Lektion 4 nimmt τ aus experiments.LESSON_EXPERIMENTS"
    soft_tau = experiments.LESSON_EXPERIMENTS["target_fixed_data"]["soft_tau"]
    assert f"τ = {course.german_number(soft_tau, 2)}" in GUIDE
    cartpole = dqn.preset("CartPole-v1")
    assert f"Die ersten {cartpole.learning_starts} Schritte" in GUIDE
    assert f"CartPole, {experiments.LESSON_EXPERIMENTS['replay']['steps']:_} Schritte".replace("_", " ") in GUIDE
    lesson_3 = json.loads((course.NOTEBOOK_DIR / "03_DQN_CartPole.ipynb").read_text(encoding="utf-8"))
    exercises = sum(
        len(re.findall(r"^#+ Übung \d", "".join(c["source"]), flags=re.M))
        for c in lesson_3["cells"]
        if c["cell_type"] == "markdown"
    )
    assert exercises == 7 and "Sieben Übungen" in GUIDE
    lesson_5 = (course.NOTEBOOK_DIR / "05_Replay_DoubleDQN_LunarLander.ipynb").read_text(encoding="utf-8")
    assert "else (0, 1)  # deine Seeds im Vergleich DQN / Double DQN" in lesson_5 and "(2 Seeds × 2 Varianten" in GUIDE
    lesson_6 = (course.NOTEBOOK_DIR / "06_Breakout_aus_Pixeln.ipynb").read_text(encoding="utf-8")
    assert "EVAL_GAMES = 2 if course.QUICK else 30" in lesson_6 and "(30 Spiele, ε = 0,05" in GUIDE


def plan_tables():
    """{Überschrift: [(Startminute, Eintrag, Dauer)]} für jede Tagesplan-Tabelle im Leitfaden."""
    import re

    tables, heading = {}, None
    for line in GUIDE.splitlines():
        if line.startswith("#"):
            heading = line.strip("# ")
        match = re.match(r"^\| (\d\d):(\d\d) \| ([^|]+) \| (\d+) min \|", line)
        if match and heading:
            hours, minutes, entry, duration = match.groups()
            tables.setdefault(heading, []).append((int(hours) * 60 + int(minutes), entry.strip(), int(duration)))
    return tables


def clock(minutes):
    return f"{minutes // 60}:{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60}"


def test_day_plans_run_without_gaps_and_end_when_announced():
    tables = plan_tables()
    assert {"Tag 1: von der Umgebung zum eigenen DQN", "Tag 2: stabiler lernen, größer werden"} < set(tables)
    assert "Tagesplan: ein Tag" in tables
    for heading, rows in tables.items():
        for (start, _, duration), (next_start, entry, _) in zip(rows, rows[1:]):
            assert start + duration == next_start, f"{heading}: Lücke oder Überschneidung vor „{entry}“"
    end = {heading: rows[-1][0] + rows[-1][2] for heading, rows in tables.items()}
    assert f"9 bis {clock(end['Tagesplan: ein Tag'])} Uhr" in GUIDE
    assert end["Tag 1: von der Umgebung zum eigenen DQN"] == end["Tag 2: stabiler lernen, größer werden"]
    assert f"zwei Tage von 9 bis\n{clock(end['Tag 1: von der Umgebung zum eigenen DQN'])} Uhr" in GUIDE


def test_day_plans_give_each_lesson_its_measured_time_unless_shortened():
    """Jede Lektion bekommt im Plan mindestens die Schätzung aus bench/results/lesson_times.json, sonst steht
    „gekürzt“ dabei; die Tabelle der Schätzungen im Leitfaden ist die aktuelle."""
    import json
    import sys

    sys.path.insert(0, str(course.ROOT / "bench"))
    import lesson_times

    measured = json.loads((course.ROOT / "bench" / "results" / "lesson_times.json").read_text(encoding="utf-8"))
    assert lesson_times.guide_with_table(GUIDE, measured) == GUIDE, "python3 bench/lesson_times.py --table"
    estimate = {
        name[:2] if name[0].isdigit() else name: facts["planned_minutes"] for name, facts in measured["lessons"].items()
    }
    tables = plan_tables()
    plans = {
        "zwei Tage": tables["Tag 1: von der Umgebung zum eigenen DQN"]
        + tables["Tag 2: stabiler lernen, größer werden"],
        "ein Tag": tables["Tagesplan: ein Tag"],
    }
    for plan, rows in plans.items():
        for lesson in ["00", "01", "02", "03", "04", "05", "06"] + (["Ringbuffer"] if plan == "zwei Tage" else []):
            mine = [(entry, duration) for _, entry, duration in rows if entry.startswith((lesson[1] + " ", lesson))]
            assert mine, f"{plan}: Lektion {lesson} fehlt im Plan"
            if any("gekürzt" in entry for entry, _ in mine):
                continue
            planned = sum(duration for _, duration in mine)
            assert planned >= estimate[lesson], (
                f"{plan}: Lektion {lesson} hat {planned} min, gemessen {estimate[lesson]}"
            )


def test_lesson_5_quotes_the_measured_overestimation():
    """Lektion 5 nennt die Überschätzung über 10 Seeds so, wie bench/lesson_experiments.py sie gemessen hat."""
    import json

    measured = json.loads((course.ROOT / "bench" / "results" / "experiment_overestimation.json").read_text())
    lesson = json.loads((course.NOTEBOOK_DIR / "05_Replay_DoubleDQN_LunarLander.ipynb").read_text(encoding="utf-8"))
    text = " ".join("".join(cell["source"]) for cell in lesson["cells"] if cell["cell_type"] == "markdown")
    summary = measured["effect"]["summary"]
    for variant in ("DQN", "Double DQN"):
        low, median, high = (course.german_number(summary[variant][key], 2) for key in ("min", "median", "max"))
        assert f"{median} (" in text and f"{low} bis {high}" in text, variant
    assert f"bei jedem der {measured['effect']['seeds']} Seeds" in text
    assert measured["effect"]["shows"] == measured["effect"]["seeds"]


ANNOUNCED = r"⏱ etwa (\d+(?:,\d+)?) (s|min)\b"


def test_every_slow_cell_says_beforehand_how_long_it_takes():
    """#34: Jede Zelle, die im vollen Modus länger als 30 s rechnet (bench/results/lesson_times.json), kündigt das in
    ihrer ersten Zeile an: `# ⏱ etwa N min …`, und die Zahl passt zur Messung (höchstens 40 % oder 30 s daneben).
    Kündigt eine schnellere Zelle ihre Dauer an, passt auch diese Zahl zu ihrer Messung."""
    import re

    measured = json.loads((course.ROOT / "bench" / "results" / "lesson_times.json").read_text(encoding="utf-8"))
    checked = 0
    for name, facts in measured["lessons"].items():
        assert "slow_cells" in facts, f"{name}: neu messen mit bench/lesson_times.py (kennt noch keine slow_cells)"
        path = course.NOTEBOOK_DIR / f"{name}.ipynb"
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"] if path.exists() else []
        for index, seconds in facts["slow_cells"]:
            first = "".join(cells[index]["source"]).split("\n", 1)[0]
            found = re.search(ANNOUNCED, first)
            assert found, f"{name}, Zelle {index} ({seconds} s): erste Zeile kündigt die Dauer nicht an: {first!r}"
            announced = float(found.group(1).replace(",", ".")) * (60 if found.group(2) == "min" else 1)
            assert abs(announced - seconds) <= max(30, 0.4 * seconds), (name, index, first, seconds)
            checked += 1
        # jede Ansage, auch einer schnellen Zelle, passt zu ihrer Messung (höchstens 40 % oder 10 s daneben)
        measured_here = dict((index, seconds) for index, seconds in facts.get("announced_cells", []))
        for index, cell in enumerate(cells):
            found = re.search(ANNOUNCED, "".join(cell["source"]).split("\n", 1)[0])
            if not found or cell["cell_type"] != "code":
                continue
            assert index in measured_here, (
                f"{name}, Zelle {index}: Ansage ohne Messung (bench/lesson_times.py {name[:2]})"
            )
            announced = float(found.group(1).replace(",", ".")) * (60 if found.group(2) == "min" else 1)
            seconds = measured_here[index]
            assert abs(announced - seconds) <= max(10, 0.4 * seconds), (name, index, found.group(0), seconds)
            checked += 1
    assert checked, "keine langsame Zelle gemessen: Der Test prüfte nichts"


NUMBER_WORDS = {"eine": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "zehn": 10}
PROSE_DURATION = (
    r"(dauert|dauerte|zusammen)[^.\n]{0,60}?\b(\d+(?:,\d+)?|eine?|zwei|drei|vier|fünf|zehn)\s+"
    r"(Sekunden|Minuten|Minute)\b"
)


def test_durations_in_the_text_agree_with_the_cell_they_announce():
    """#38, Punkt 18: Nennt der Text vor einer Zelle ihre Dauer („Das dauert etwa 2 Minuten“), passt die Zahl zur
    ⏱-Ankündigung der Zelle (die der vorige Test gegen die Messung prüft); ohne ⏱ ist die Zelle gemessen schneller
    als 30 s, und der Text verspricht auch nicht mehr. So laufen Lektionstext, ⏱ und Messung nicht auseinander."""
    import re

    measured = json.loads((course.ROOT / "bench" / "results" / "lesson_times.json").read_text(encoding="utf-8"))
    checked = 0
    for name, facts in measured["lessons"].items():
        path = course.NOTEBOOK_DIR / f"{name}.ipynb"
        if not path.exists():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        slow = dict((index, seconds) for index, seconds in facts["slow_cells"])
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            text = " ".join("".join(cell["source"]).split())
            following = next((j for j in range(index + 1, len(cells)) if cells[j]["cell_type"] == "code"), None)
            first = "".join(cells[following]["source"]).split("\n", 1)[0] if following is not None else ""
            for match in re.finditer(PROSE_DURATION, text):
                if text[max(0, match.start() - 12) : match.start()].endswith("Jeder Lauf "):
                    continue  # eine Zeit pro Lauf; „alle vier zusammen“ im selben Satz nennt die Summe
                value = match.group(2)
                stated = NUMBER_WORDS[value] if value in NUMBER_WORDS else float(value.replace(",", "."))
                stated *= 60 if match.group(3).startswith("Minute") else 1
                announced = re.search(ANNOUNCED, first)
                if announced:
                    cell_seconds = float(announced.group(1).replace(",", ".")) * (
                        60 if announced.group(2) == "min" else 1
                    )
                    assert abs(stated - cell_seconds) <= max(15, 0.3 * cell_seconds), (name, index, match.group(0))
                    checked += 1
                elif following is not None and stated < 30:
                    assert following not in slow, (name, index, match.group(0), slow.get(following))
                    checked += 1
    assert checked >= 5, f"nur {checked} Zeitangaben geprüft"


def test_guide_quotes_lesson_5s_experiment_time():
    """Leitfaden, Tag 1: „Experimente zusammen ≈ N min“ ist die Summe der gemessenen Experiment-Zellen von Lektion 5."""
    import re

    measured = json.loads((course.ROOT / "bench" / "results" / "lesson_times.json").read_text(encoding="utf-8"))
    facts = measured["lessons"]["05_Replay_DoubleDQN_LunarLander"]
    slow = facts.get("announced_cells", facts["slow_cells"])  # alle angekündigten Zellen, auch die schnelleren
    cells = json.loads((course.NOTEBOOK_DIR / "05_Replay_DoubleDQN_LunarLander.ipynb").read_text(encoding="utf-8"))
    # alle langsamen Zellen außer dem LunarLander-Training (der Zelle mit der Live-Kurve)
    experiments = [seconds for index, seconds in slow if "LivePlot" not in "".join(cells["cells"][index]["source"])]
    quoted = re.search(r"Experimente zusammen ≈ (\d+) min", GUIDE)
    assert quoted and experiments, (quoted, slow)
    assert abs(int(quoted.group(1)) * 60 - sum(experiments)) <= max(30, 0.3 * sum(experiments)), (quoted, experiments)


def test_lessons_quote_the_measured_q_values():
    """#38, Punkte 4 und 5: Lektion 3 nennt die Q-Werte des gelösten CartPole-Agenten, Lektion 6 den Verlauf um einen
    verlorenen Ball so, wie bench/q_values.py sie mit den mitgelieferten Modellen gemessen hat."""
    measured = json.loads((course.ROOT / "bench" / "results" / "q_values.json").read_text(encoding="utf-8"))

    def text(name):
        cells = json.loads((course.NOTEBOOK_DIR / name).read_text(encoding="utf-8"))["cells"]
        return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())

    cartpole, breakout = measured["cartpole"], measured["breakout"]
    assert cartpole["median"] > cartpole["bound"]  # darum sagt die Checkliste „darf etwas darüber liegen“
    quoted = f"im Median bei {round(cartpole['median'])}, höchstens bei {round(cartpole['max'])} (`bench/q_values.py`)"
    assert quoted in text("03_DQN_CartPole.ipynb")
    assert breakout["median_before_loss"] < 0.5 * breakout["median_all"] <= breakout["median_after_new_ball"]
    values = [course.german_number(breakout[k], 1) for k in ("median_all", "median_before_loss")]
    after = course.german_number(breakout["median_after_new_ball"], 1)
    lesson_6 = text("06_Breakout_aus_Pixeln.ipynb")
    assert (
        f"im Median bei {values[0]}, in den {breakout['window']} Schritten vor einem verlorenen Ball bei {values[1]}"
        in (lesson_6)
    )
    assert f"nach dem neuen Aufschlag wieder bei {after}" in lesson_6


def test_every_exercise_says_how_hard_and_how_long():
    """#37: Unter jeder Übungsüberschrift steht „*Schwierigkeit ⭐⭐ · etwa 10 Minuten*“ (⭐ bis ⭐⭐⭐); die
    Schätzung im Leitfaden (bench/lesson_times.py) summiert genau diese Minuten."""
    import re
    import sys

    sys.path.insert(0, str(course.ROOT / "bench"))
    import lesson_times

    measured = json.loads((course.ROOT / "bench" / "results" / "lesson_times.json").read_text(encoding="utf-8"))
    total = 0
    for path in sorted(course.NOTEBOOK_DIR.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
            headings = re.findall(r"^#+ Übung\b.*$", text, flags=re.M)
            labelled = re.findall(lesson_times.EXERCISE_LABEL, text, flags=re.M)
            assert len(headings) == len(labelled), (path.name, headings)
            total += len(headings)
        words, exercises, minutes = lesson_times.text_facts(notebook)
        assert measured["lessons"][path.stem]["exercise_minutes"] == minutes, "bench/lesson_times.py --words"
    assert total >= 20


def test_lesson_6_quotes_the_measured_mini_breakout_band():
    """#39: Lektion 6 und der Leitfaden nennen für Mini-Breakout die 10 Seeds aus bench/pixel_candidates.py: Median
    und Spanne der gierigen Bewertung nach 10 000 und 40 000 Schritten und den Zufallsagenten."""
    import numpy as np

    data = json.loads((course.ROOT / "bench" / "results" / "pixel_mini-breakout.json").read_text(encoding="utf-8"))
    assert data["summary"]["seeds"] == 10 and data["summary"]["seeds_meeting_criterion"] == 10
    lesson = json.loads((course.NOTEBOOK_DIR / "06_Breakout_aus_Pixeln.ipynb").read_text(encoding="utf-8"))
    text = " ".join(" ".join("".join(c["source"]).split()) for c in lesson["cells"] if c["cell_type"] == "markdown")
    guide = " ".join(GUIDE.split())
    for step in (10_000, 40_000):
        values = [mean for run in data["runs"] for s, mean, _ in run["evaluations"] if s == step]
        assert len(values) == 10, step
        low, median, high = (course.german_number(v, 1) for v in (min(values), np.median(values), max(values)))
        quote = f"nach {step:_} Schritten im Median {median} Punkte ({low} bis {high})".replace("_", " ")
        assert quote in text, quote
        if step == 40_000:
            assert quote in guide, quote
    assert f"ein Zufallsagent schafft {course.german_number(data['summary']['random_mean'], 2)}" in text
