"""Die Kommandozeile der Skripte des Workshops (workshop.py, scripts/, bench/): Parser mit deutschen Meldungen und
`--set NAME=WERT`. Nur Standardbibliothek, damit auch workshop.py sie nutzen kann, bevor Pakete installiert sind.
"""

import argparse
import json

# argparse spricht Englisch; die Skripte des Workshops (workshop.py, scripts/, bench/)
# bauen ihren Parser mit `argument_parser(__doc__)`, der seine Meldungen übersetzt.
_ARGPARSE_GERMAN = {
    "usage: ": "Aufruf: ",
    "options": "Optionen",
    "positional arguments": "Argumente",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "%(value)r ist kein gültiger Wert (erwartet: %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r gibt es nicht (möglich: %(choices)s)",
    "the following arguments are required: %s": "es fehlt: %s",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "expected one argument": "hier fehlt ein Wert",
    "expected at least one argument": "hier fehlt mindestens ein Wert",
    "expected at most one argument": "hier ist höchstens ein Wert erlaubt",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option %(option)s: %(matches)s",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "one of the arguments %s is required": "eines der Argumente %s ist nötig",
    "ignored explicit argument %r": "%r wird hier nicht erwartet",
}


class GermanArgumentParser(argparse.ArgumentParser):
    """argparse mit deutschen Meldungen (Aufruf, Fehler, Hilfe).

    argparse holt jeden Text über seine Modulfunktion `argparse._`. Diese Klasse setzt sie nur für die Dauer ihrer
    eigenen Aufrufe auf die Übersetzung und danach zurück: Andere Parser im selben Prozess bleiben englisch.
    """

    def __init__(self, *args, **kwargs):
        with _german():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with _german():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self):
        with _german():
            return super().format_usage()

    def format_help(self):
        with _german():
            return super().format_help()

    def add_subparsers(self, **kwargs):
        with _german():
            return super().add_subparsers(**kwargs)

    def error(self, message):
        with _german():
            super().error(message)


class _german:
    depth = 0

    def __enter__(self):
        if _german.depth == 0:
            _german.saved = argparse._
            argparse._ = lambda text: _ARGPARSE_GERMAN.get(text, text)
        _german.depth += 1

    def __exit__(self, *exc):
        _german.depth -= 1
        if _german.depth == 0:
            argparse._ = _german.saved


def argument_parser(description):
    """Ein argparse-Parser mit deutschen Meldungen und `description` so umbrochen, wie sie geschrieben ist (der
    Docstring des Skripts)."""
    return GermanArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)


def hyperparameter_changes(parser, items):
    """Die Werte von `--set NAME=WERT` (mehrfach) als dict, jeder WERT als JSON: 200000, 0.99, true, [128, 128].
    Ein WERT, der kein JSON ist, beendet das Skript über `parser` mit einer deutschen Meldung; falsche Namen und
    Typen meldet danach die Konfiguration selbst (»Meintest du gamma?«)."""
    changes = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            changes[name] = json.loads(value)
        except json.JSONDecodeError:
            parser.error(f"--set {item}: »{value}« ist kein Wert; Beispiele: --set memory_size=200000 --set gamma=0.99")
    return changes
