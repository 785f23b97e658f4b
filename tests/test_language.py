"""Eine deutsche Sprache in allen Texten: Begriffe aus GLOSSAR.md, Dezimalkomma, keine Entwurfsreste.

Geprüft wird der Fließtext: Markdown-Zellen der Notebooks, README.md und KURSLEITUNG.md, jeweils ohne Code,
Formeln, Links und kursiv gesetzte englische Begriffe wie „(*Policy*)“.
"""

import ast
import json
import re
import subprocess

import pytest

import course

GLOSSARY = (course.ROOT / "GLOSSAR.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted(course.NOTEBOOK_DIR.glob("*.ipynb")) + [
    course.ROOT / "Ringbuffer.ipynb",
    course.ROOT / "utils.ipynb",
]
DOCUMENTS = [course.ROOT / "README.md", course.ROOT / "KURSLEITUNG.md"]

# Bemerkungen über den Entwurf dieses Workshops und Witze, die altern, gehören nicht in die Lektionen.
DRAFT_REMARKS = ["Entwurf dieses Workshops", "Der Entwurf", "im Entwurf", "SpaceX", "Droneship", "Drohnenschiff"]


def prose(text):
    """Fließtext ohne Codeblöcke, Code, Formeln, Links und kursive Einschübe (*englischer Begriff*)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]*\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    return re.sub(r"(?<!\*)\*(?!\*)[^*\n]+(?<!\*)\*(?!\*)", " ", text)


def texts():
    """(Ort, Fließtext) für jede Markdown-Zelle und jedes Dokument."""
    for path in NOTEBOOKS:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                yield f"{path.name}, Zelle {index}", prose("".join(cell["source"]))
    for path in DOCUMENTS:
        yield path.name, prose(path.read_text(encoding="utf-8"))


def glossary_rows():
    """(Begriff, [verworfene Varianten]) aus der Tabelle in GLOSSAR.md."""
    rows = []
    for line in GLOSSARY.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("Begriff", "---"):
            rows.append((cells[0], re.findall(r"`([^`]+)`", cells[3])))
    return rows


def test_prose_helper_keeps_german_and_drops_code_formulas_and_english_terms():
    text = "Eine **Strategie** (*Policy*) heißt `policy`, $\\pi(s)$, siehe [Doku](https://x.y/Politik). Politik"
    assert prose(text).split() == ["Eine", "**Strategie**", "(", ")", "heißt", ",", ",", "siehe", "[Doku].", "Politik"]


def test_glossary_has_the_chosen_terms_and_their_rejected_variants():
    rows = dict(glossary_rows())
    assert len(rows) >= 30
    assert rows["Strategie"] == ["Politik", "Policy"]
    assert "ε-gierig" in rows["ε-greedy"]
    assert "Target-Netzwerk" in rows["Target-Netz"]


@pytest.mark.parametrize("term, variants", glossary_rows(), ids=lambda value: str(value)[:20])
def test_prose_uses_the_glossary_term(term, variants):
    found = [
        f"{where}: „{variant}“"
        for where, text in texts()
        for variant in variants
        # ein Zeilenumbruch im Notebook („lernenden\nNetz“) versteckt eine Variante nicht
        if re.search(rf"(?<![\w-]){re.escape(variant).replace(chr(92) + ' ', chr(92) + 's+')}(?![\w-])", text)
    ]
    assert not found, f"Statt dieser Varianten „{term}“ schreiben (GLOSSAR.md):\n" + "\n".join(found)


def decimal_points(text):
    """Zahlen mit Dezimalpunkt, außer Versions- und Abschnittsnummern (Python 3.12, Beispiel 6.7)."""
    return [
        match.group()
        for match in re.finditer(r"(?<![\w.,])\d+\.\d+(?![\w.])", text)
        if not re.search(r"(Python|ARENA|Beispiel|Abschnitt|Version|Kapitel)[\d., oder]{0,20}$", text[: match.start()])
    ]


def test_decimal_points_skip_version_and_section_numbers():
    text = "Python 3.11, 3.12 oder 3.13, Sutton & Barto (Beispiel 6.7), aber γ = 0.99 und 2,5 GB"
    assert decimal_points(text) == ["0.99"]


def test_prose_numbers_use_a_decimal_comma():
    found = [f"{where}: {number}" for where, text in texts() for number in decimal_points(text)]
    assert not found, "Im deutschen Text ein Komma statt des Punkts (0,9 statt 0.9):\n" + "\n".join(found)


def test_prose_has_no_draft_remarks_or_dated_jokes():
    found = [f"{where}: {remark}" for where, text in texts() for remark in DRAFT_REMARKS if remark in text]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("word", ["Politik", "Q-Tisch"])
def test_the_check_would_find_a_rejected_variant(word):
    """Die Prüfung kann anschlagen: eine verworfene Variante im Fließtext wird gefunden."""
    rows = dict(glossary_rows())
    variants = [variant for row in rows.values() for variant in row]
    text = prose(f"Der Agent folgt seiner {word}.")
    assert word in variants and re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)


# Namensregel (README, Abschnitt für Betreuende): englische Bezeichner, Deutsch in Texten. Diese Wörter standen
# schon einmal als Bezeichner im Code (Zaehler, stapel, --ordner, skalieren …) oder liegen nahe.
GERMAN_WORDS = set(
    """aktion aktionen anzahl belohnung belohnungen bewertung bild bilder ergebnis ergebnisse exportieren falsch
    feuer flach fehler geloest kanaele lauf laeufe lernen loesung nach netz netzsperre nicht ordner pruefen punkte
    schritt schritte skalieren speicher spiel spiele stapel stunden tipp uebung umgebung wert werte zaehler ziel
    zustand zustaende""".split()
)
CODE_FILES = [
    course.ROOT / name
    for name in subprocess.run(
        ["git", "ls-files", "*.py"], cwd=course.ROOT, capture_output=True, text=True
    ).stdout.split()
    if not name.startswith(("colab/", "test-artefakte/"))
]


def defined_names(source):
    """Die Namen, die ein Quelltext selbst vergibt (Funktionen, Klassen, Parameter, Variablen, Attribute,
    Schlüsselwörter beim Aufruf), und die Kommandozeilen-Optionen aus `add_argument("--…")`."""
    tree = ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            yield node.attr
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.arg
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
            yield from (a.value for a in node.args if isinstance(a, ast.Constant) and str(a.value).startswith("-"))


def german_names(source):
    """Bezeichner mit Umlaut oder mit einem Wort aus GERMAN_WORDS (zerlegt an _, - und Großbuchstaben)."""
    found = set()
    for name in defined_names(source):
        words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
        if not name.isascii() or any(word.lower() in GERMAN_WORDS for word in words):
            found.add(name)
    return sorted(found)


def code_sources():
    for path in CODE_FILES:
        yield path.relative_to(course.ROOT), path.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_identifiers_and_flags_are_english():
    found = {str(where): names for where, source in code_sources() if (names := german_names(source))}
    assert not found, f"Deutsche Bezeichner (Regel im README: englische Namen, Deutsch in Texten): {found}"


def test_the_naming_check_finds_german_identifiers():
    source = (
        'zaehler = 0\ndef stapel_schieben(bild):\n    pass\nparser.add_argument("--ordner")\nFeuerNachStart = 1\n'
        "zähler = 2\n"
    )
    assert german_names(source) == ["--ordner", "FeuerNachStart", "bild", "stapel_schieben", "zaehler", "zähler"]
    assert german_names('print("Schritte: nicht gelöst")  # Deutsch in Texten ist richtig\nsteps = 3\n') == []


def formula_decimal_points(text):
    """Zahlen mit Dezimalpunkt in Formeln ($…$, $$…$$): in deutschem Text `0{,}9`."""
    formulas = re.findall(r"\$\$.*?\$\$|\$[^$\n]*\$", text, flags=re.S)
    return [number for formula in formulas for number in re.findall(r"(?<![\w.])\d+\.\d+", formula)]


def test_formulas_use_a_decimal_comma_too():
    assert formula_decimal_points("$\\gamma = 0.99$ und $0{,}9^5$") == ["0.99"]
    raw = [
        (f"{path.name}, Zelle {index}", "".join(cell["source"]))
        for path in NOTEBOOKS
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"])
        if cell["cell_type"] == "markdown"
    ] + [(path.name, path.read_text(encoding="utf-8")) for path in DOCUMENTS]
    found = [f"{where}: {number}" for where, text in raw for number in formula_decimal_points(text)]
    assert not found, "In Formeln ein Komma in geschweiften Klammern, $0{,}9$ statt $0.9$:\n" + "\n".join(found)
