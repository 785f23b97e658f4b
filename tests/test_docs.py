"""Die Zahlen im Leitfaden für die Kursleitung stammen aus Messungen und bleiben mit ihnen im Einklang.

Wird ein Modell neu trainiert oder ein Benchmark neu gemessen, schlägt dieser Test fehl, bis
KURSLEITUNG.md die neuen Zahlen nennt.
"""

import json

import pytest

import kurs

GUIDE = (kurs.ROOT / "KURSLEITUNG.md").read_text(encoding="utf-8")
MODELS = {"cartpole": "CartPole", "acrobot": "Acrobot", "lunarlander": "LunarLander"}


def german_number(value):
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


def duration(seconds):
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"


@pytest.mark.parametrize("name", MODELS)
def test_guide_quotes_the_shipped_models_evaluation(name):
    provenance = json.loads((kurs.MODEL_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert f"models/{name}.keras" in GUIDE
    assert german_number(provenance["evaluation"]["mean"]) in GUIDE, f"{name}: Bewertung fehlt im Leitfaden"


@pytest.mark.parametrize("name", MODELS)
def test_guide_quotes_the_benchmark_training_times(name):
    summary = json.loads((kurs.ROOT / "bench" / "results" / f"dqn_{name}_tensorflow.json").read_text())["summary"][
        "ours"
    ]
    assert summary["solved"] == summary["seeds"]
    assert f"Median {duration(summary['median_train_seconds_to_solve'])}" in GUIDE, f"{name}: Median fehlt"
    if name != "acrobot":
        assert f"höchstens {duration(summary['max_train_seconds_to_solve'])}" in GUIDE, f"{name}: Maximum fehlt"


def test_readme_shows_the_current_benchmark_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("table", kurs.ROOT / "bench" / "table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    readme = (kurs.ROOT / "README.md").read_text(encoding="utf-8")
    assert table.readme_with_table(readme) == readme, (
        "Die Benchmark-Tabelle im README ist veraltet: python3 bench/table.py --write"
    )


def test_guide_quotes_the_lessons_constants():
    """Der Leitfaden nennt dieselben Konstanten wie die Lektionen (z. B. τ des weichen Nachziehens)."""
    import re

    import dqn

    lesson_4 = (kurs.NOTEBOOK_DIR / "04_Target_Netzwerk_Acrobot.ipynb").read_text(encoding="utf-8")
    assert 'SOFT_TAU = FIXED[\\"soft_tau\\"]' in lesson_4, "Lektion 4 nimmt τ aus dqn.LESSON_EXPERIMENTS"
    soft_tau = dqn.LESSON_EXPERIMENTS["target_fixed_data"]["soft_tau"]
    assert f"τ = {str(soft_tau).replace('.', ',')}" in GUIDE
    plan_end = re.findall(r"^\| (\d\d:\d\d) \| [^|]+ \| (\d+) min \|", GUIDE, flags=re.M)[-1]
    hours, minutes = map(int, plan_end[0].split(":"))
    end = hours * 60 + minutes + int(plan_end[1])
    assert f"9 bis {end // 60}:{end % 60:02d} Uhr" in GUIDE, "Der Tagesplan endet später, als der Leitfaden ankündigt"


def test_lesson_5_quotes_the_measured_overestimation():
    """Lektion 5 nennt die Überschätzung über 10 Seeds so, wie bench/lesson_experiments.py sie gemessen hat."""
    import json

    measured = json.loads((kurs.ROOT / "bench" / "results" / "experiment_overestimation.json").read_text())
    lesson = json.loads((kurs.NOTEBOOK_DIR / "05_Replay_DoubleDQN_LunarLander.ipynb").read_text(encoding="utf-8"))
    text = " ".join("".join(cell["source"]) for cell in lesson["cells"] if cell["cell_type"] == "markdown")
    summary = measured["effect"]["summary"]
    for variant in ("DQN", "Double DQN"):
        low, median, high = (kurs.german_number(summary[variant][key], 2) for key in ("min", "median", "max"))
        assert f"{median} (" in text and f"{low} bis {high}" in text, variant
    assert f"bei jedem der {measured['effect']['seeds']} Seeds" in text
    assert measured["effect"]["shows"] == measured["effect"]["seeds"]
