"""Die Rückmeldungen der Übungen: Prüf-Helfer (`check_function`), Tipps, Kästen, die Erkennung geänderter Zellen und
im Notebook die Hilfe bei NameError und ungelösten Platzhaltern. `checks.py` baut daraus eine Prüfung je Übung;
`course.setup()` schaltet die Notebook-Hilfen ein.
"""

import math

import course
import workshop

# --------------------------------------------------------------------------------------
# Zellen in falscher Reihenfolge: ein fehlender Name sagt, welche Zelle ihn anlegt
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Übungen: ein kleiner Prüf-Helfer für alle Lektionen
# --------------------------------------------------------------------------------------


class _ExerciseFeedback(Exception):
    """Rückmeldung einer Prüfzelle: im Notebook ein deutscher Kasten, kein Traceback aus course.py.

    Die Ausnahme bleibt (eine Prüfung, die scheitert, soll „Alle ausführen“ anhalten und bei nbgrader null Punkte
    geben); IPython zeigt statt ihres Tracebacks nur den Kasten.
    """

    def _render_traceback_(self):  # IPython ruft das statt des Tracebacks auf (ipykernel auch zweimal)
        if not course.in_notebook():
            return str(self).splitlines()
        if not getattr(self, "_shown", False):
            self._shown = True
            course.show_feedback(str(self))
        return []


class ExerciseNotSolved(_ExerciseFeedback):
    """Die Übungsfunktion ist noch ein Platzhalter (NotImplementedError)."""


class ExerciseWrong(_ExerciseFeedback, AssertionError):
    """Die Übungsfunktion liefert ein falsches Ergebnis."""


_HINTS = {}  # Funktionsname -> Tipps der letzten Prüfung (eine Liste); `hint(name)` zeigt sie auf Wunsch
_HINTS_SHOWN = {}  # Funktionsname -> wie viele Tipps schon gezeigt wurden


def hint(name):
    """Zeigt den nächsten Tipp zu einer Übung, z. B. checks.hint("bellman_target").

    Die Prüfzelle verrät ihn nicht von selbst. Hat eine Übung mehrere Tipps, zeigt jeder Aufruf einen mehr,
    vom Denkanstoß bis zum konkreten Code.
    """
    name = getattr(name, "__name__", name)
    if name not in _HINTS:
        known = ", ".join(f"`{n}`" for n in sorted(_HINTS)) or "noch keine (führe zuerst eine Prüfzelle aus)"
        course.show_feedback(f"💡 Zu `{name}` habe ich keinen Tipp. Tipps gibt es zu: {known}.")
        return
    hints = _HINTS[name]
    shown = min(_HINTS_SHOWN.get(name, 0), len(hints) - 1)
    _HINTS_SHOWN[name] = shown + 1
    if len(hints) == 1:
        course.show_feedback(f"💡 Tipp zu `{name}`: {hints[0]}")
        return
    more = (
        '\nNoch ein Tipp, falls du ihn brauchst: `checks.hint("' + name + '")` noch einmal.'
        if shown + 1 < len(hints)
        else ""
    )
    course.show_feedback(f"💡 Tipp {shown + 1} von {len(hints)} zu `{name}`: {hints[shown]}{more}")


def _your_lines(error):
    """Die Zeilen aus dem Code der Lernenden, an denen der Fehler entstand (ohne Workshop- und Bibliothekscode)."""
    import traceback

    modules = ("course.py", "feedback.py", "dqn.py", "checks.py", "atari.py")
    ours = {str(course.ROOT / name) for name in modules}
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        workshop = frame.filename in ours or ".ipynb#Zelle" in frame.filename  # Module und geladene Lösungszellen
        if workshop or "site-packages" in frame.filename or frame.filename.startswith("<frozen"):
            continue
        code = (frame.line or "").strip()
        lines.append(f"   in `{frame.name}`, Zeile {frame.lineno}: {code}")
    return lines[-3:]


def _close(actual, expected, tolerance):
    if isinstance(expected, dict):  # z. B. mehrere Eigenschaften eines Netzes auf einmal
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(_close(actual[k], expected[k], tolerance) for k in expected)
        )
    try:
        import numpy as np

        try:
            actual_arr, expected_arr = np.asarray(actual), np.asarray(expected)
        except ValueError:  # gemischte Tupel wie (114, (3, 2), True): Element für Element
            return (
                isinstance(actual, (tuple, list))
                and isinstance(expected, (tuple, list))
                and len(actual) == len(expected)
                and all(_close(a, e, tolerance) for a, e in zip(actual, expected))
            )
        if actual_arr.shape != expected_arr.shape:
            return False
        if expected_arr.dtype.kind in "fc" or actual_arr.dtype.kind in "fc":
            return bool(np.allclose(actual_arr, expected_arr, atol=tolerance, rtol=tolerance))
        return bool(np.array_equal(actual_arr, expected_arr))
    except ImportError:  # pragma: no cover - numpy ist im Workshop immer da
        if isinstance(expected, float):
            return math.isclose(actual, expected, abs_tol=tolerance)
        return actual == expected


def _describe_call(function, args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{getattr(function, '__name__', 'funktion')}({', '.join(parts)})"


def _register_hint(function, hint, graded=None):
    """Merkt sich die Tipps zu einer Übung; gibt (Name, Satz »Einen Tipp bekommst du mit …«) zurück.

    `graded`: der Name der Funktion, deren Zelle geprüft wird, wenn die Prüffunktion anders heißt (Standard: ihr Name).
    """
    name = getattr(function, "__name__", "deine Funktion")
    if hint:
        _HINTS[name] = [hint] if isinstance(hint, str) else list(hint)
    ask = f'\nEinen Tipp bekommst du mit `checks.hint("{name}")`.' if hint else ""
    return name, graded_version(graded or name) + ask


def _defines(source, name):
    """Legt die Zelle `source` auf oberster Ebene eine Funktion oder Klasse `name` an?"""
    return name in workshop.defined_names(source, functions_only=True)


def last_run(name, runs=None):
    """(Zeitpunkt, Ausführungsnummer, Quelltext) der zuletzt ausgeführten Zelle, die `name` anlegt; sonst None."""
    for run in reversed(course._CELL_RUNS if runs is None else runs):
        if _defines(run[2], name):
            return run
    return None


def stale_cell(name, saved_cells, saved_at, run):
    """Die gespeicherte Fassung der Zelle, die `name` anlegt, wenn sie nach der letzten Ausführung `run` geändert und
    gespeichert wurde; sonst None.

    `saved_cells`: Quelltexte der Code-Zellen der gespeicherten Datei, `saved_at`: wann sie gespeichert wurde
    (Änderungszeit), `run`: `last_run(name)`. Wer die Lösung in den Platzhalter tippt und ausführt, ohne zu
    speichern, bekommt keinen Alarm: Die Datei hält dann zwar den Platzhalter, ist aber älter als die Ausführung.
    Ohne Aufzeichnung (`run` None) gibt es nichts zu vergleichen und keinen Alarm.
    """
    if run is None or saved_at <= run[0]:
        return None
    candidates = [source for source in saved_cells if _defines(source, name)]
    if not candidates or any(source.strip() == run[2].strip() for source in candidates):
        return None
    return candidates[0]


def _clock(timestamp):
    import time

    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def _stale_exercise_message(name):
    """Die deutsche Rückmeldung, wenn die Übungszelle von `name` geändert und gespeichert, aber seither nicht
    ausgeführt wurde; sonst None."""
    run, path = last_run(name), course.notebook_path()
    if run is None or path is None:
        return None
    try:
        saved_at = path.stat().st_mtime
        cells = [source for _, source in course.code_cells(path)]
    except (OSError, ValueError):
        return None
    if stale_cell(name, cells, saved_at, run) is None:
        return None
    return (
        f"✋ Die Zelle mit `{name}` hat sich geändert, seit du sie zuletzt ausgeführt hast (ausgeführt um "
        f"{_clock(run[0])}, geändert gespeichert um {_clock(saved_at)}): Geprüft würde noch die alte Fassung. "
        f"Führe zuerst die Zelle mit `def {name}` aus (Umschalt+Enter), dann diese Prüfung."
    )


def graded_version(name):
    """Ein Satz, welche Fassung von `name` geprüft wurde (Zelle, Uhrzeit, letzte Zeile); ohne Aufzeichnung leer.

    So sieht, wer die Zelle danach geändert, aber nicht ausgeführt hat, dass die Rückmeldung zur alten Fassung gehört.
    """
    run = last_run(name)
    if run is None:
        return ""
    lines = [line.strip() for line in run[2].splitlines() if line.strip() and not line.strip().startswith("#")]
    cell = f"Zelle [{run[1]}]" if run[1] is not None else "deiner Zelle"
    last = lines[-1] if lines else ""
    if last.startswith("raise NotImplementedError"):
        last = "raise NotImplementedError(…)"  # der Platzhalter
    elif len(last) > 60:
        last = last[:56] + " …"
    last = f", letzte Zeile `{last}`" if last else ""
    return (
        f"\nGeprüft wurde die Fassung von `{name}` aus {cell}, ausgeführt um {_clock(run[0])}{last}. Hast du die "
        "Zelle seither geändert, führe sie erneut aus (Umschalt+Enter)."
    )


def record_outcome(check, verdict):
    """Merkt sich das Ergebnis einer Prüfung (»gelöst«, »falsch«, »offen«) neben der laufenden Übungsdatei, für
    `course.progress()`. Nur bei Übungsversionen (nie bei den Lektionen mit Lösungen) und nur, wenn Jupyter die Datei
    nennt; eine fremde oder kaputte Datei gleichen Namens bleibt, wie sie ist. Gibt die Datei zurück oder None."""
    import json
    import time

    path = course.notebook_path()
    if path is None or not course.is_exercise_version(path):
        return None
    target = path.parent / course.PROGRESS_FILE
    try:
        data = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {course.PROGRESS_MARK: 1}
        if not isinstance(data, dict) or course.PROGRESS_MARK not in data:
            return None
        data.setdefault(path.name, {})[check] = dict(verdict=verdict, time=time.strftime("%Y-%m-%d %H:%M"))
        course.write_json_atomic(target, data)
    except (OSError, ValueError, TypeError, AttributeError):  # die Notiz ist es nicht wert, eine Prüfung zu stören
        return None
    return target


def refuse_stale(name):
    message = _stale_exercise_message(name)
    if message:
        raise ExerciseNotSolved(message)


EXERCISE_TIME_LIMIT = 30  # Sekunden für einen Aufruf einer Übungsfunktion in einer Prüfzelle


class _TimeUp(BaseException):  # BaseException: ein `except Exception` im Code der Lernenden fängt sie nicht ab
    pass


class _time_limit:
    """Bricht den Block nach `seconds` Sekunden ab (SIGALRM; nur im Hauptthread unter Linux/macOS, sonst ohne Limit)."""

    def __init__(self, seconds):
        import signal
        import threading

        self.seconds, self.signal = seconds, signal
        self.active = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def __enter__(self):
        if self.active:
            self.previous = self.signal.signal(self.signal.SIGALRM, self._stop)
            self.signal.setitimer(self.signal.ITIMER_REAL, self.seconds)

    def _stop(self, signum, frame):
        raise _TimeUp

    def __exit__(self, *exc):
        if self.active:
            self.signal.setitimer(self.signal.ITIMER_REAL, 0)
            self.signal.signal(self.signal.SIGALRM, self.previous)
        return False


def call_exercise(function, *args, _hint="", _graded=None, **kwargs):
    """Ruft eine Übungsfunktion auf; ein Stub, ein Absturz oder eine Endlosschleife (nach EXERCISE_TIME_LIMIT
    Sekunden) wird zu einer deutschen Rückmeldung ohne Traceback."""
    name, ask = _register_hint(function, _hint, _graded)
    try:
        with _time_limit(EXERCISE_TIME_LIMIT):
            return function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotSolved(
            f"✋ Die Übung `{name}` ist noch nicht gelöst: ersetze die Zeile mit "
            f"`raise NotImplementedError` durch deinen Code und führe die Zelle erneut aus." + ask
        ) from None
    except _TimeUp:
        raise ExerciseWrong(
            f"⏱️ `{_describe_call(function, args, kwargs)}` ist nach {EXERCISE_TIME_LIMIT} s noch nicht fertig "
            "und wurde abgebrochen. Vermutlich eine Endlosschleife: Endet jede `while`-Schleife, ändert sich ihre "
            "Bedingung?" + ask
        ) from None
    except _ExerciseFeedback:
        raise
    except Exception as error:  # Fehler der Lernenden verständlich weiterreichen, ohne Keras-Innereien
        first_line = (str(error).strip().splitlines() or [""])[0][:300]
        call = _describe_call(function, args, kwargs)
        raise ExerciseWrong(
            "\n".join([f"❌ `{call}` bricht mit {type(error).__name__} ab: {first_line}", *_your_lines(error)]) + ask
        ) from None


def check_function(function, cases, hint="", tolerance=1e-6, graded=None):
    """Prüft eine Übungsfunktion an Fällen `(args, erwartet)` oder `(args, kwargs, erwartet)`.

    `hint`: ein Tipp oder eine Liste von Tipps, vom Denkanstoß bis zum Code (`checks.hint` zeigt einen nach dem
    anderen).

    `graded`: der Name einer Funktion der Lernenden, deren Zelle geprüft wird, wenn `function` eine Prüffunktion mit
    eigenem Namen ist (z. B. `bug_hunt` über Kims drei Funktionen).

    Gibt bei Erfolg eine Zeile aus; sonst ExerciseNotSolved oder ExerciseWrong mit deutscher Erklärung
    (ohne Traceback aus diesem Modul). Den Tipp gibt es nur auf Wunsch: `checks.hint(name)`.
    """
    name, ask = _register_hint(function, hint, graded)
    refuse_stale(graded or name)
    for case in cases:
        args, kwargs, expected = case if len(case) == 3 else (case[0], {}, case[1])
        args = args if isinstance(args, tuple) else (args,)
        call = _describe_call(function, args, kwargs)
        actual = call_exercise(function, *args, _hint=hint, _graded=graded, **kwargs)
        try:
            same = _close(actual, expected, tolerance)
        except Exception:  # z. B. ein Text, wo eine Zahl hingehört: kein NumPy-Fehler, sondern eine Erklärung
            same = False
        if not same:
            kind = ""
            if not isinstance(actual, (int, float, list, tuple, dict)) and type(actual).__module__ == "builtins":
                kind = f" (ein {type(actual).__name__}; erwartet war etwas wie {type(expected).__name__})"
            same_keys = isinstance(expected, dict) and isinstance(actual, dict) and actual.keys() == expected.keys()
            if same_keys and all(isinstance(key, str) for key in expected):  # Eigenschaften, z. B. eines Netzes
                wrong = [k for k in expected if not _close(actual[k], expected[k], tolerance)]
                details = "; ".join(f"{k}: erwartet {expected[k]!r}, ist {actual[k]!r}" for k in wrong)
                raise ExerciseWrong(
                    f"❌ `{call}` stimmt in {len(wrong)} von {len(expected)} Punkten nicht: {details}." + ask
                )
            raise ExerciseWrong(f"❌ `{call}` sollte {expected!r} ergeben, ergibt aber {actual!r}{kind}." + ask)
    course.show_feedback(
        f"✅ Richtig! `{name}` besteht " + ("die Prüfung." if len(cases) == 1 else f"alle {len(cases)} Prüfungen.")
    )


def check_cartpole_policy(policy, goal=300, episodes=20, seed=10_000, hint=""):
    """Prüft eine CartPole-Strategie von Hand (Lektion 1): im Mittel über `episodes` Episoden ≥ `goal` Punkte?

    Die Episoden beginnen mit Seeds, die die Lektion sonst nicht benutzt. Gibt das Mittel zurück.
    """
    import gymnasium as gym
    import numpy as np

    name, ask = _register_hint(policy, hint)
    refuse_stale(name)
    env = gym.make("CartPole-v1")
    returns = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            action = call_exercise(policy, obs)
            if isinstance(action, (bool, np.bool_)) or action not in (0, 1):
                raise ExerciseWrong(
                    f"❌ `{name}` gibt {action!r} zurück; erlaubt sind die ganzen Zahlen 0 (links) "
                    "und 1 (rechts). `int(...)` macht aus True/False eine 1/0." + ask
                )
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total += reward
            done = terminated or truncated
        returns.append(total)
    env.close()
    mean = float(np.mean(returns))
    if mean < goal:
        raise ExerciseWrong(
            f"❌ `{name}` hält den Stab im Mittel {course.german_number(mean, 1)} Schritte (schlechteste Episode "
            f"{course.german_number(min(returns))}); das Ziel sind mindestens {goal}." + ask
        )
    course.show_feedback(
        f"✅ Geschafft! `{name}` hält den Stab im Mittel {course.german_number(mean, 1)} Schritte über {episodes} "
        f"Episoden (Ziel: {goal}, höchstens 500)."
    )
    return mean
